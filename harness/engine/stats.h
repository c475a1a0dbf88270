/*
 * Summary statistics of one case: order statistics from its histogram
 * (percentiles, MAD, quartiles, Tukey fences, a distribution-free confidence
 * interval of the median) and exact moments from a running Welford
 * accumulator, so that memory stays fixed however many samples are taken.
 */
#ifndef PROCBENCH_STATS_H
#define PROCBENCH_STATS_H

#include <stdint.h>

struct histogram;

/* Running mean and variance (Welford), exact where the histogram rounds. */
struct moments {
    uint64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
};

/* Adds one observation. */
void moments_add(struct moments *m, double x);

/* Adds every observation of from into into (Chan et al.'s pairwise
 * combination), as if they had been added one by one. */
void moments_merge(struct moments *into, const struct moments *from);

/* Sample standard deviation (n - 1 denominator); 0 when n < 2. */
double moments_stddev(const struct moments *m);

struct stats {
    uint64_t n;
    uint64_t min_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns;
    double mean_ns, stddev_ns;
    uint64_t mad_ns; /* median absolute deviation from the median (unscaled) */
    /* 95% confidence interval of the median from binomial order statistics:
     * no distribution assumed. With fewer than 6 values it is [min, max]. */
    uint64_t p50_ci_low_ns, p50_ci_high_ns;
    uint64_t q1_ns, q3_ns;
    /* Tukey: mild outliers lie beyond 1.5 IQR of the quartiles, severe beyond
     * 3 IQR; the mild counts include the severe ones. */
    uint64_t outliers_low_mild, outliers_high_mild;
    uint64_t outliers_low_severe, outliers_high_severe;
};

/* Ranks (1-based, inclusive) of the order statistics bounding a 95%
 * confidence interval of the median of n values. n must be > 0. */
void stats_median_ci_ranks(uint64_t n, uint64_t *low_rank, uint64_t *high_rank);

/* Fills *out from h and m (m may be NULL: mean and stddev then come from the
 * histogram). An empty histogram gives all zeros. Returns 0 or -ENOMEM. */
int stats_compute(const struct histogram *h, const struct moments *m, struct stats *out);

/* The part of stats_compute() the stopping rule needs after every round:
 * n, min, max, p50 and its interval, the same values stats_compute() gives;
 * every other field 0. Cheap: no allocation. */
void stats_compute_median(const struct histogram *h, struct stats *out);

/* Half-width of the median's confidence interval relative to the median, in
 * percent; used to stop sampling once the answer is good enough. Returns a
 * large value when the median is 0 or there is no interval yet. */
double stats_median_ci_percent(const struct stats *s);

#endif
