/*
 * The rank tests of ranktest.h. Ranks are kept doubled (2 x midrank) so that
 * tied values, whose midranks end in .5, stay integers; the exact null
 * distributions are then counts of subsets by their doubled rank sum, built
 * by the usual knapsack recurrence over the actual (tied) ranks, which is
 * what R's wilcox.test calls the exact conditional distribution. Counts are
 * doubles: C(60, 30) is past 2^53, but only their ratios matter and those keep
 * 15 digits.
 */
#include "ranktest.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool any_nan(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i]))
            return true;
    }
    return false;
}

/* Upper-tail probability of the standard normal distribution. */
static double normal_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* z with normal_sf(z) = q, for 0 < q < 0.5, by bisection: slow next to a
 * rational approximation, but it runs once per comparison and cannot be
 * wrong in the tails. */
static double normal_isf(double q)
{
    double lo = 0.0, hi = 40.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (normal_sf(mid) > q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Binomial coefficient as a double (exact up to 2^53). */
static double choose(size_t n, size_t k)
{
    double c = 1.0;
    if (k > n - k)
        k = n - k;
    for (size_t i = 1; i <= k; i++)
        c = c * (double)(n - k + i) / (double)i;
    return c;
}

/* Sum of t^3 - t over the groups of equal values in sorted[n]: the tie
 * correction of the normal approximation. */
static double tie_term(const double *sorted, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && sorted[j + 1] == sorted[i])
            j++;
        double t = (double)(j - i + 1);
        sum += t * t * t - t;
        i = j + 1;
    }
    return sum;
}

/* Doubled midranks of sorted[n] into rank2[n]: a run of ties over 0-based
 * positions i..j gets (i + 1 + j + 1), twice its midrank. */
static void doubled_ranks(const double *sorted, size_t n, unsigned *rank2)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && sorted[j + 1] == sorted[i])
            j++;
        for (size_t m = i; m <= j; m++)
            rank2[m] = (unsigned)(i + j + 2);
        i = j + 1;
    }
}

/* counts[s], s = 0..*max_sum: how many k-element subsets of r[n] sum to s.
 * Returns a malloc'ed array, or NULL. */
static double *subset_counts(const unsigned *r, size_t n, size_t k, size_t *max_sum)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += r[i];
    size_t width = total + 1;
    double *table = calloc((k + 1) * width, sizeof(*table));
    double *counts = malloc(width * sizeof(*counts));
    if (table == NULL || counts == NULL) {
        free(table);
        free(counts);
        return NULL;
    }
    table[0] = 1.0; /* the empty subset */
    for (size_t i = 0; i < n; i++) {
        size_t top = i + 1 < k ? i + 1 : k;
        for (size_t c = top; c >= 1; c--) {
            double *row = table + c * width, *prev = table + (c - 1) * width;
            for (size_t s = total; s >= r[i]; s--) {
                row[s] += prev[s - r[i]];
                if (s == 0)
                    break;
            }
        }
    }
    memcpy(counts, table + k * width, width * sizeof(*counts));
    free(table);
    *max_sum = total;
    return counts;
}

/* Two-sided p-value of the observation `observed` under counts[0..max]:
 * twice the smaller tail, at most 1. */
static double two_sided_p(const double *counts, size_t max, size_t observed)
{
    double all = 0.0, low = 0.0, high = 0.0;
    for (size_t s = 0; s <= max; s++) {
        all += counts[s];
        if (s <= observed)
            low += counts[s];
        if (s >= observed)
            high += counts[s];
    }
    double p = 2.0 * (low < high ? low : high) / all;
    return p < 1.0 ? p : 1.0;
}

/* The largest k with P(S <= k - 1) <= alpha / 2 for a statistic whose
 * untied null distribution is counts[0..max] over s = 0, 1, 2, ...:
 * the rank of the order statistic that bounds a 1 - alpha interval.
 * *tail gets P(S <= k - 1). */
static size_t critical_rank(const double *counts, size_t max, double alpha, double *tail)
{
    double all = 0.0;
    for (size_t s = 0; s <= max; s++)
        all += counts[s];
    double cdf = 0.0;
    size_t k = 0;
    *tail = 0.0;
    for (size_t s = 0; s <= max; s++) {
        double next = cdf + counts[s] / all;
        if (next > alpha / 2.0)
            break;
        cdf = next;
        k = s + 1;
        *tail = cdf;
    }
    return k;
}

int ranktest_mwu(const double *x, size_t nx, const double *y, size_t ny,
                 struct ranktest_result *out)
{
    if (nx == 0 || ny == 0 || any_nan(x, nx) || any_nan(y, ny))
        return -EINVAL;
    size_t n = nx + ny;
    double *sorted = malloc(n * sizeof(*sorted));
    unsigned *rank2 = malloc(n * sizeof(*rank2));
    if (sorted == NULL || rank2 == NULL) {
        free(sorted);
        free(rank2);
        return -ENOMEM;
    }
    memcpy(sorted, x, nx * sizeof(*x));
    memcpy(sorted + nx, y, ny * sizeof(*y));
    qsort(sorted, n, sizeof(*sorted), compare_double);
    doubled_ranks(sorted, n, rank2);

    /* y's doubled rank sum, each y ranked by binary search in sorted[]. */
    size_t w2 = 0;
    for (size_t j = 0; j < ny; j++) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (sorted[mid] < y[j])
                lo = mid + 1;
            else
                hi = mid;
        }
        w2 += rank2[lo];
    }
    double u = (double)w2 / 2.0 - (double)ny * (double)(ny + 1) / 2.0;
    double mn = (double)nx * (double)ny;
    out->statistic = u;
    int rc = 0;
    if (n <= RANKTEST_EXACT_MAX) {
        size_t max = 0;
        double *counts = subset_counts(rank2, n, ny, &max);
        if (counts == NULL) {
            rc = -ENOMEM;
        } else {
            out->p = two_sided_p(counts, max, w2);
            out->exact = true;
            double min_p = 2.0 / choose(n, ny);
            out->min_p = min_p < 1.0 ? min_p : 1.0;
            free(counts);
        }
    } else {
        double dn = (double)n;
        double var = mn / 12.0 * ((dn + 1.0) - tie_term(sorted, n) / (dn * (dn - 1.0)));
        double z = var > 0.0 ? (fabs(u - mn / 2.0) - 0.5) / sqrt(var) : 0.0;
        out->p = var > 0.0 ? 2.0 * normal_sf(z > 0.0 ? z : 0.0) : 1.0;
        if (out->p > 1.0)
            out->p = 1.0;
        out->exact = false;
        out->min_p = 2.0 * normal_sf((mn / 2.0 - 0.5) / sqrt(mn / 12.0 * (dn + 1.0)));
    }
    free(sorted);
    free(rank2);
    return rc;
}

/* The median of sorted[n], n >= 1. */
static double sorted_median(const double *sorted, size_t n)
{
    if (n % 2 == 1)
        return sorted[n / 2];
    return 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

/* Fills out from the sorted differences d[m] and the critical rank k (no
 * interval when k is 0). */
static void shift_from(const double *d, size_t m, size_t k, double tail, struct ranktest_shift *out)
{
    out->estimate = sorted_median(d, m);
    if (k == 0 || k > (m + 1) / 2) {
        out->low = -INFINITY;
        out->high = INFINITY;
        out->coverage = 0.0;
        return;
    }
    out->low = d[k - 1];
    out->high = d[m - k];
    out->coverage = 1.0 - 2.0 * tail;
}

/* Normal approximation of the critical rank for a statistic with mean
 * `mean` and standard deviation `sd`: floor(mean - z sd), at least 0. */
static size_t normal_critical_rank(double mean, double sd, double alpha, double *tail)
{
    double k = floor(mean - normal_isf(alpha / 2.0) * sd);
    if (k < 1.0) {
        *tail = 0.0;
        return 0;
    }
    *tail = 1.0 - normal_sf((k - 1.0 + 0.5 - mean) / sd);
    return (size_t)k;
}

int ranktest_hl_shift(const double *x, size_t nx, const double *y, size_t ny, double alpha,
                      struct ranktest_shift *out)
{
    if (nx == 0 || ny == 0 || any_nan(x, nx) || any_nan(y, ny) || !(alpha > 0.0 && alpha < 1.0))
        return -EINVAL;
    if ((uint64_t)nx * ny > RANKTEST_MAX_PAIRS)
        return -E2BIG;
    size_t m = nx * ny, n = nx + ny;
    double *d = malloc(m * sizeof(*d));
    if (d == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < nx; i++) {
        for (size_t j = 0; j < ny; j++)
            d[i * ny + j] = y[j] - x[i];
    }
    qsort(d, m, sizeof(*d), compare_double);

    /* The interval's ranks come from the untied null distribution of U,
     * as in Hollander & Wolfe; ties only make it a little conservative. */
    size_t k;
    double tail = 0.0;
    if (n <= RANKTEST_EXACT_MAX) {
        unsigned *ranks = malloc(n * sizeof(*ranks));
        size_t max = 0;
        double *counts = NULL;
        if (ranks != NULL) {
            for (size_t i = 0; i < n; i++)
                ranks[i] = (unsigned)(i + 1);
            counts = subset_counts(ranks, n, ny, &max);
        }
        free(ranks);
        if (counts == NULL) {
            free(d);
            return -ENOMEM;
        }
        /* counts is over the rank sum W = U + ny(ny + 1)/2. */
        size_t offset = ny * (ny + 1) / 2;
        k = critical_rank(counts + offset, max - offset, alpha, &tail);
        free(counts);
    } else {
        double mn = (double)m;
        k = normal_critical_rank(mn / 2.0, sqrt(mn * ((double)n + 1.0) / 12.0), alpha, &tail);
    }
    shift_from(d, m, k, tail, out);
    free(d);
    return 0;
}

/* Sorts indices by their p-value (qsort has no context argument: the
 * values travel with the indices). */
struct indexed_p {
    double p;
    size_t index;
};

/* counts[s], s = 0..n(n+1)/2: how many subsets of the ranks 1..n sum to s,
 * the null distribution of the signed-rank sum times 2^n. Returns a
 * malloc'ed array, or NULL. */
static double *signed_rank_counts(size_t n, size_t *max_sum)
{
    size_t total = n * (n + 1) / 2;
    double *counts = calloc(total + 1, sizeof(*counts));
    if (counts == NULL)
        return NULL;
    counts[0] = 1.0;
    for (size_t rank = 1; rank <= n; rank++) {
        for (size_t s = total; s >= rank; s--)
            counts[s] += counts[s - rank];
    }
    *max_sum = total;
    return counts;
}

int ranktest_signed_hl(const double *d, size_t n, double alpha, struct ranktest_shift *out)
{
    if (n == 0 || any_nan(d, n) || !(alpha > 0.0 && alpha < 1.0))
        return -EINVAL;
    if ((uint64_t)n * (n + 1) / 2 > RANKTEST_MAX_PAIRS)
        return -E2BIG;
    size_t m = n * (n + 1) / 2;
    double *walsh = malloc(m * sizeof(*walsh));
    if (walsh == NULL)
        return -ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i; j < n; j++)
            walsh[w++] = 0.5 * (d[i] + d[j]);
    }
    qsort(walsh, m, sizeof(*walsh), compare_double);

    size_t k;
    double tail = 0.0;
    if (n <= RANKTEST_EXACT_MAX) {
        size_t max = 0;
        double *counts = signed_rank_counts(n, &max);
        if (counts == NULL) {
            free(walsh);
            return -ENOMEM;
        }
        k = critical_rank(counts, max, alpha, &tail);
        free(counts);
    } else {
        double nn = (double)n;
        k = normal_critical_rank((double)m / 2.0, sqrt(nn * (nn + 1.0) * (2.0 * nn + 1.0) / 24.0),
                                 alpha, &tail);
    }
    shift_from(walsh, m, k, tail, out);
    free(walsh);
    return 0;
}

static int compare_indexed_p(const void *a, const void *b)
{
    const struct indexed_p *x = a, *y = b;
    if (x->p != y->p)
        return (x->p > y->p) - (x->p < y->p);
    return (x->index > y->index) - (x->index < y->index);
}

int ranktest_holm(const double *p, size_t n, double *adjusted)
{
    if (n == 0)
        return 0;
    struct indexed_p *order = malloc(n * sizeof(*order));
    if (order == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = (struct indexed_p){.p = p[i], .index = i};
    qsort(order, n, sizeof(*order), compare_indexed_p);
    double running = 0.0;
    for (size_t j = 0; j < n; j++) {
        double scaled = fmin(1.0, (double)(n - j) * order[j].p);
        if (scaled > running)
            running = scaled;
        adjusted[order[j].index] = running;
    }
    free(order);
    return 0;
}
