/*
 * A crowd of spawners: `concurrency` threads of one process, each doing one
 * operation of a spawn scenario (create -> reap, or a pool dispatch) at the
 * same moment, so that spawns per second and the latency of each operation
 * under contention can be measured. The threads are started once per round
 * and parked; a sample releases them all, the calling thread doing the
 * operation of spawner 0 itself, and ends when every operation has ended.
 */
#ifndef PROCBENCH_SPAWN_CROWD_H
#define PROCBENCH_SPAWN_CROWD_H

#include <stddef.h>

#include "scenario.h"

struct spawn_crowd;

/* Starts count - 1 parked threads (count >= 2) that will run op(arg,
 * index, out) for index 1 .. count-1 at each spawn_crowd_sample(); spawner
 * 0 is the caller's. op must time its own operation into out->ns and may
 * report metrics (sample_report()), set out->child_maxrss_kb and, on
 * failure (a -errno return), write why into failure. Returns 0, or -errno
 * with *out NULL. */
int spawn_crowd_start(size_t count,
                      int (*op)(void *arg, size_t index, struct sample *out,
                                char failure[SCENARIO_FAILURE_MAX]),
                      void *arg, struct spawn_crowd **out);

/* One sample: every spawner does one operation. out->ns is the wall time
 * from releasing the spawners to the end of the last operation, out->ops
 * the spawner count, out->op_latency_ns[i] spawner i's own time (the array
 * belongs to the crowd and is valid until the next call), each metric the
 * mean of the spawners that reported it, out->child_maxrss_kb the largest.
 * Returns 0, or the first failing spawner's -errno with its failure copied
 * into failure. */
int spawn_crowd_sample(struct spawn_crowd *c, struct sample *out,
                       char failure[SCENARIO_FAILURE_MAX]);

/* Stops and joins the threads and frees the crowd; c may be NULL. */
void spawn_crowd_stop(struct spawn_crowd *c);

#endif
