/*
 * The ratio of two cases of one run, A over B: the figure behind the spawn
 * family's vs_posix_spawn (curves.h) and every `procbench check` rule and
 * report claim (check.h).
 *
 * Round k of every case ran in pass k of the run, and the cases of a family
 * that differ only by their scenario ran theirs side by side (runner.c): the
 * pair (a_k, b_k) saw nearly the same machine, and this VM's shifts between
 * a fast and a slow state (20-30%) are most of what differs between rounds.
 * So the ratio comes from the pairs' log ratios d_k = log a_k - log b_k,
 * over the rounds k both sides have (a round without samples has no
 * median, and is left out of its case's list: the pairs go by the rounds'
 * numbers, not their places): exp of their one-sample Hodges-Lehmann estimate
 * (the median of the Walsh averages), with the Wilcoxon signed-rank 95%
 * interval (ranktest.h). Six pairs are the fewest with such an interval;
 * with fewer (3 rounds, as --quick gives) the interval is the conservative
 * one of the two medians' own, [low_a / high_b, high_a / low_b], which
 * holds whenever both of theirs do, widened to take in every pair's ratio
 * (so that the estimate, which lies among them, is inside it too).
 * Without round medians, the estimate is the ratio of the two medians,
 * with that same interval.
 *
 * Cases of different runs (the report's runs side by side) have no passes
 * in common: their rounds are compared unpaired, by the two-sample
 * Hodges-Lehmann shift of the log round medians with its Mann-Whitney
 * interval (four rounds a side are the fewest with one), else the ratio
 * of the medians with their intervals' conservative one.
 */
#ifndef PROCBENCH_ROUND_RATIO_H
#define PROCBENCH_ROUND_RATIO_H

#include <stdbool.h>
#include <stddef.h>

#define ROUND_RATIO_ALPHA 0.05

/* One side of the ratio. */
struct ratio_side {
    const double *round_p50; /* its rounds' medians (ns), in the order they ran */
    /* each one's number in its case (round k ran in pass k), ascending; NULL:
     * 0, 1, 2, ... */
    const double *round_number;
    size_t rounds;
    double p50, p50_low, p50_high; /* its median and that median's 95% interval (ns) */
};

struct round_ratio {
    double value;       /* A / B; NAN when nothing can be said (a median of 0) */
    double low, high;   /* its 95% interval; NAN when unknown */
    const char *method; /* where the interval came from: "paired rounds", "rounds" (unpaired)
                         * or "median CIs" */
};

/* Fills out as described above: paired when a and b are cases of one run.
 * Returns 0 or -ENOMEM. */
int round_ratio(const struct ratio_side *a, const struct ratio_side *b, bool same_run,
                struct round_ratio *out);

#endif
