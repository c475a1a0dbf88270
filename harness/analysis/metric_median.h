/*
 * The median of one figure of a case read back, with its 95% confidence
 * interval: the case's time per operation (from its summary), or one of its
 * declared metrics (base/metric.h) from the metric's stored histogram, by
 * the same binomial order statistics the engine gives the time's median
 * (engine/stats.h), so that a claim can compare a stall, a memory or a
 * spread between cases as it compares times, with an interval and never a
 * bare number.
 */
#ifndef PROCBENCH_METRIC_MEDIAN_H
#define PROCBENCH_METRIC_MEDIAN_H

#include <stdint.h>

#include "read/results_read.h"

/* One figure's median and its interval, in the figure's unit. */
struct metric_median {
    double median, low, high;
    uint64_t n; /* samples that reported it */
};

/* The median of metric (a declared metric's name) of case c with its 95%
 * interval: the summary's NAME_p50 when the case has it (else the value at
 * rank ceil(n / 2) of the histogram), and the values at the ranks
 * stats_median_ci_ranks() gives ([min, max] under 6 samples) of
 * NAME_histogram. metric NULL: the case's time per operation, from p50_ns
 * and its stored interval. Returns 0; -ENOENT when the case has no value of
 * it (no or an empty histogram, no samples); -EINVAL for a malformed
 * histogram; -ENOMEM. */
int metric_median_of(const struct stored_case *c, const char *metric, struct metric_median *out);

#endif
