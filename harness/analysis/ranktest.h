/*
 * Distribution-free tests and estimates for comparing two sets of timings:
 * the Mann-Whitney U test with its Hodges-Lehmann shift estimate and a
 * confidence interval read off the order statistics of the pairwise
 * differences, its paired counterpart (the one-sample Hodges-Lehmann
 * estimate with the Wilcoxon signed-rank interval, for rounds paired by
 * pass), and Holm's step-down correction for testing many cases at once.
 * No distribution is assumed: on a noisy VM timings are skewed, bimodal and
 * full of outliers, and rank methods neither care nor let one wild round
 * decide. compare.c and round_ratio.c build on these.
 */
#ifndef PROCBENCH_RANKTEST_H
#define PROCBENCH_RANKTEST_H

#include <stdbool.h>
#include <stddef.h>

/* Up to this many values in all, p-values come from the exact permutation
 * distribution of the rank statistic (ties included, through midranks);
 * beyond it, from the normal approximation with tie and continuity
 * corrections. */
#define RANKTEST_EXACT_MAX 60

/* The Hodges-Lehmann estimate sorts every pairwise difference; beyond this
 * many pairs it refuses (-E2BIG) rather than allocate gigabytes. */
#define RANKTEST_MAX_PAIRS (4u * 1024u * 1024u)

struct ranktest_result {
    double statistic; /* U of y over x: pairs with y > x, ties counting 1/2 */
    double p;         /* two-sided p-value, in (0, 1] */
    double min_p;     /* smallest two-sided p-value these sample sizes can give */
    bool exact;       /* p from the exact distribution, not the normal approximation */
};

struct ranktest_shift {
    double estimate;  /* Hodges-Lehmann: the median of the differences */
    double low, high; /* confidence interval; -INFINITY / INFINITY when the sample
                       * is too small for one at the requested level */
    double coverage;  /* the interval's actual confidence (>= the requested one), 0 if none */
};

/* Mann-Whitney U test of x[nx] against y[ny] (two-sided: does one tend to
 * be larger?). Needs nx, ny >= 1. Returns 0, -EINVAL (empty or NaN input) or
 * -ENOMEM. */
int ranktest_mwu(const double *x, size_t nx, const double *y, size_t ny,
                 struct ranktest_result *out);

/* Hodges-Lehmann shift of y relative to x: the median of all y[j] - x[i],
 * with a confidence interval at level 1 - alpha from the order statistics
 * of those differences whose ranks come from the null distribution of U
 * (exact up to RANKTEST_EXACT_MAX values, else normal). Returns 0, -EINVAL,
 * -E2BIG (more than RANKTEST_MAX_PAIRS differences) or -ENOMEM. */
int ranktest_hl_shift(const double *x, size_t nx, const double *y, size_t ny, double alpha,
                      struct ranktest_shift *out);

/* The one-sample Hodges-Lehmann estimate of d[n]'s centre (paired
 * differences: the median of the Walsh averages (d[i] + d[j]) / 2, i <= j)
 * with the interval at level 1 - alpha that the Wilcoxon signed-rank test
 * gives: order statistics of the Walsh averages whose ranks come from the
 * null distribution of the signed-rank sum (exact up to RANKTEST_EXACT_MAX
 * values, else normal). Six values are the fewest with a 95% interval (their
 * extremes, at 96.9%); with fewer, low/high are infinite. Returns 0,
 * -EINVAL (empty or NaN input), -E2BIG (more than RANKTEST_MAX_PAIRS Walsh
 * averages) or -ENOMEM. */
int ranktest_signed_hl(const double *d, size_t n, double alpha, struct ranktest_shift *out);

/* Holm's step-down adjustment of n p-values for family-wise error: sorted
 * ascending, the i-th (0-based) becomes max over j <= i of
 * min(1, (n - j) * p_(j)). adjusted[k] corresponds to p[k]; the arrays may be
 * the same. Returns 0 or -ENOMEM. */
int ranktest_holm(const double *p, size_t n, double *adjusted);

#endif
