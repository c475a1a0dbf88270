/*
 * Resource use of the timed blocks: getrusage() deltas summed over rounds
 * and divided per operation. Kept as doubles because a per-operation share
 * of a page fault or a context switch is usually a fraction.
 */
#ifndef PROCBENCH_USAGE_H
#define PROCBENCH_USAGE_H

#include <stdint.h>
#include <sys/resource.h>

#include "results.h"

/* Adds after - before (CPU in ns, faults, context switches) to sum. */
void usage_add_delta(struct usage_per_op *sum, const struct rusage *before,
                     const struct rusage *after);

/* Adds more to sum, field by field. */
void usage_add(struct usage_per_op *sum, const struct usage_per_op *more);

/* sum divided by ops; all zero when ops is 0. */
struct usage_per_op usage_per_op(const struct usage_per_op *sum, uint64_t ops);

#endif
