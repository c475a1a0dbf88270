/*
 * Change points in a series: E-divisive means (Matteson and James, "A
 * Nonparametric Approach for Multiple Change Point Analysis of Multivariate
 * Data", JASA 2014), the method Apache Otava and MongoDB's CI run over
 * their benchmark histories. It makes no assumption about the noise's
 * distribution, which on a shared VM is skewed and full of outliers.
 *
 * For a segment split at tau into X (before) and Y (after), of p and q
 * values, the divergence is the energy distance with exponent 1:
 *   E = 2 mean|X - Y| - mean|X - X'| - mean|Y - Y'|
 * (a mean over an empty set of pairs is 0), weighted by pq / (p + q):
 * Q(tau) = pq / (p + q) E. The best split of a segment maximises Q. The
 * series is cut hierarchically: the best split over all current segments
 * is tested with a permutation test (the values of every segment shuffled
 * within it, the best split over all segments recomputed; p-value
 * (1 + #{Q_perm >= Q}) / (1 + R)), kept when p <= alpha, and the search
 * goes on in the new segments until a split fails the test. The shuffles
 * come from a seeded generator: the same series and seed give the same
 * change points.
 *
 * The test stops early once so many permutations reached Q that p can no
 * longer fall to alpha (the decision is the same, only cheaper; a rejected
 * split's p is then a lower bound). Q of a whole segment is computed in
 * O(m log m) with Fenwick trees over the values' ranks, so a series of a
 * few thousand runs stays quick.
 */
#ifndef PROCBENCH_CHANGEPOINT_H
#define PROCBENCH_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

/* Longest series accepted: beyond it the permutation test costs minutes. */
#define CHANGEPOINT_MAX_VALUES 100000

struct changepoint_options {
    double alpha;          /* significance level of each split, e.g. 0.05 */
    unsigned permutations; /* R, e.g. 999; at least 1 */
    size_t min_size;       /* values per segment at least; at least 1 */
    uint64_t seed;         /* of the shuffles */
};

struct changepoint {
    size_t at; /* 0-based index of the first value after the change */
    double q;  /* the statistic Q of the split when it was found */
    double p;  /* its permutation p-value */
};

/* Finds the change points of x[n] (finite values), at most capacity of
 * them, into out[] sorted by position; *count is how many. Returns 0,
 * -EINVAL (a NaN or infinite value, bad options, n beyond
 * CHANGEPOINT_MAX_VALUES) or -ENOMEM. */
int changepoint_edivisive(const double *x, size_t n, const struct changepoint_options *opt,
                          struct changepoint *out, size_t capacity, size_t *count);

/* The best split of x[n] alone: its Q and its position (0-based index of the
 * first value of the second part), with at least min_size values on each
 * side. Returns 0, -ERANGE when n < 2 min_size, -EINVAL or -ENOMEM. For
 * tests and for readers who want the statistic itself. */
int changepoint_best_split(const double *x, size_t n, size_t min_size, double *q, size_t *at);

#endif
