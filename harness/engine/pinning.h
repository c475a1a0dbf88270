/*
 * Pinning the two ends of a measurement to the CPUs a placement names
 * (base/placement.h). The harness pins itself (the parent) with
 * sched_setaffinity() before each round and tells the scenario which CPU its
 * peer must use; children inherit the parent's mask unless the scenario pins
 * them. On a VM a cross-CPU wake-up can cost 5-10x a same-CPU one, so the
 * CPUs used are part of every result.
 */
#ifndef PROCBENCH_PINNING_H
#define PROCBENCH_PINNING_H

#include <stddef.h>

#include "base/placement.h"

/* Records the process's starting affinity mask, from which CPUs are chosen
 * and to which pinning_restore() returns. Returns 0 or -errno. */
int pinning_init(void);

/* Number of CPUs in the starting mask. */
int pinning_cpu_count(void);

/* The CPUs that placement p uses: the parent's and the peer's (-1 where not
 * pinned). Returns 0, or -ENOTSUP with a reason when this machine cannot
 * honour p (cross needs two CPUs). */
int pinning_cpus(enum placement p, int *parent_cpu, int *peer_cpu, char *why, size_t why_len);

/* Pins the calling thread for placement p (same/cross: to the parent CPU;
 * free: the whole starting mask). Returns 0 or -errno. */
int pinning_apply(enum placement p);

/* Returns the calling thread to the starting mask. */
void pinning_restore(void);

#endif
