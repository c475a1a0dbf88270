/*
 * The analyses a family declares for its rows (base/analysis_spec.h), run
 * after the runner and before the writers, which turn rows into the figures
 * people ask about. What the spawn.* rows declare (bench/spawn_common.c)
 * serves as the example below.
 *
 * A slope (rss_slope_ns_per_gib, rss_slope_ci_low/high): how fast a case's
 *   latency grows with a parameter. The group of a case is every case of
 *   the same scenario and placement whose other parameters are all equal
 *   and that differs only by that parameter; its points are (the
 *   parameter's value in units of `per`, median of one round) for every
 *   round of every measured case of the group; the slope is Theil-Sen's
 *   (the median of the slopes of all pairs of points with different x), and
 *   its 95% interval Sen's, from the distribution of Kendall's S with ties:
 *   C = z(0.975) * sqrt(Var S), M1 = (N - C) / 2, M2 = (N + C) / 2 over the
 *   N sorted pairwise slopes, interval = [slope of rank floor(M1), slope of
 *   rank ceil(M2) + 1] (1-based; rounded outwards, so it covers at least
 *   95%); unknown when a rank falls outside 1..N. Rank-based: a noisy round
 *   cannot tilt it, and no straight-line or normal-error model is assumed
 *   beyond a monotone trend. Needs two values of the parameter in the
 *   group; every case of the group gets the group's slope.
 *
 * A ratio (vs_posix_spawn, vs_posix_spawn_ci_low/high): a case's median
 *   over the median of the partner scenario's case of the same placement
 *   whose every parameter has the case's value (a parameter the case lacks,
 *   such as the target of a scenario that execs nothing, at the partner's
 *   first default value), as `procbench check` computes ratios
 *   (round_ratio.h): from the two cases' rounds paired by pass, or, with
 *   fewer than six pairs, with the conservative interval [low / high_ref,
 *   high / low_ref] of the medians' own 95% intervals. Empty on the
 *   partner's rows themselves.
 *
 * A break-even (pool_break_even_ns): with S the case's median (a process,
 *   or a thread, per task) and D the median of the partner's matching case
 *   (for the spawn family's pool: the same concurrency, N requesters and N
 *   workers against N spawners), a task of length T costs S + T one way and D + T the other,
 *   so the partner saves the fraction (S - D) / (S + T) of the task's total
 *   time. The break-even is the largest T at which that saving is still the
 *   declared `saving` (10%) or more: T = (S - D) / saving - S, 0 when the
 *   partner never saves that much. Tasks shorter than it are worth a pool;
 *   for longer ones the start-up cost no longer matters. A point estimate
 *   from the two medians.
 */
#ifndef PROCBENCH_CURVES_H
#define PROCBENCH_CURVES_H

#include <stddef.h>

#include "engine/results.h"

#define CURVES_ALPHA      0.05 /* two-sided level of every interval here */
#define CURVES_MAX_POINTS 2048 /* per group: about 2 million pairwise slopes */

struct curves_estimate {
    double value;     /* NAN when unknown */
    double low, high; /* 95% interval; NAN when unknown */
};

/* Theil-Sen slope of y against x (n points) with Sen's interval at level
 * 1 - alpha, as described above. Pairs with equal x do not count. Returns
 * 0 (value NAN when no pair has different x; low/high NAN when the sample
 * is too small for an interval), -EINVAL (n > CURVES_MAX_POINTS, or a
 * value that is not finite) or -ENOMEM. */
int curves_theil_sen(const double *x, const double *y, size_t n, double alpha,
                     struct curves_estimate *out);

/* Var(S) of Kendall's S for n pairs (x, y) under independence, with the
 * corrections for ties in x, in y and in both (Kendall 1970), which Sen's
 * interval above uses. NAN when out of memory. */
double curves_kendall_s_variance(const double *x, const double *y, size_t n);

/* The break-even from spawn_ns (S) and pool_ns (D): max(0, (S - D) /
 * saving - S); NAN when either is not positive. */
double curves_break_even_ns(double spawn_ns, double pool_ns, double saving);

/* Fills every case's declared analyses (case_result.analysis: NAN first,
 * then whatever can be computed from cases that were measured). Returns 0
 * or -ENOMEM (the values then stay NAN where not yet set). */
int curves_compute(struct run_results *r);

#endif
