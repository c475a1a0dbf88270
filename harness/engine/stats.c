/*
 * This file turns one case's histogram (and, when the caller kept one, its
 * running moments) into the summary declared in stats.h. Order statistics come
 * straight from the histogram, so they carry its relative error of 10^-digits
 * and are exact for values recorded in width-1 buckets (below 2048 at three
 * digits). Statistics that need every value (MAD, Tukey counts, the mean when
 * no moments were kept) treat each bucket's values as sitting at the bucket's
 * midpoint; the comments on each say what that costs.
 */
#include "stats.h"

#include "histogram.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* Two-sided 95% quantile of the normal distribution, used by the normal
 * approximation to the binomial distribution of the median's rank. */
#define STATS_Z95 1.96

/* stats_median_ci_percent() when there is no usable interval: far above any
 * stopping threshold, so sampling carries on. */
#define STATS_NO_CI_PERCENT 1e9

void moments_add(struct moments *m, double x)
{
    /* Welford's update: summing squares and subtracting n * mean^2 at the end
     * cancels catastrophically when the spread is small next to the mean,
     * which is the normal case for latencies. */
    m->n++;
    double delta = x - m->mean;
    m->mean += delta / (double)m->n;
    m->m2 += delta * (x - m->mean);
}

void moments_merge(struct moments *into, const struct moments *from)
{
    if (from->n == 0)
        return;
    if (into->n == 0) {
        *into = *from;
        return;
    }
    double n_a = (double)into->n, n_b = (double)from->n, n = n_a + n_b;
    double delta = from->mean - into->mean;
    into->mean += delta * n_b / n;
    into->m2 += from->m2 + delta * delta * n_a * n_b / n;
    into->n += from->n;
}

double moments_stddev(const struct moments *m)
{
    if (m->n < 2)
        return 0.0;
    return sqrt(m->m2 / (double)(m->n - 1));
}

void stats_median_ci_ranks(uint64_t n, uint64_t *low_rank, uint64_t *high_rank)
{
    /* The count of values below the median is Binomial(n, 1/2): mean n/2,
     * standard deviation sqrt(n)/2. Under 6 values even [1, n] covers less
     * than 95% and the normal approximation is meaningless, so the whole range
     * is returned. Bounds are clamped as doubles, before conversion, because
     * the low one goes negative for small n. */
    if (n < 6) {
        *low_rank = 1;
        *high_rank = n;
        return;
    }
    double dn = (double)n;
    double half_width = STATS_Z95 * sqrt(dn);
    double j = floor((dn - half_width) / 2.0);
    double k = ceil(1.0 + (dn + half_width) / 2.0);
    if (j < 1.0)
        j = 1.0;
    if (k > dn)
        k = dn;
    *low_rank = (uint64_t)j;
    *high_rank = (uint64_t)k;
}

/* The value standing for every value of a bucket. The iterator clamps the
 * bounds to [min, max], so the midpoint never lies outside the data. */
static double bucket_midpoint(const struct histogram_iter *it)
{
    return ((double)it->lowest + (double)it->value) / 2.0;
}

/* Mean and sample standard deviation from bucket midpoints. Each value is
 * moved by at most half a bucket width (10^-digits / 2 of itself), so the
 * mean is within that relative error; the deviation can be off by more when
 * it is tiny next to the values. */
static void moments_from_histogram(const struct histogram *h, double *mean, double *stddev)
{
    struct moments m = {0};
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    while (histogram_iter_next(&it)) {
        /* A weighted Welford step: the same update as count single adds,
         * done at once so a bucket of a million values costs one step. */
        double x = bucket_midpoint(&it);
        double w = (double)it.count;
        double n_before = (double)m.n;
        m.n += it.count;
        double delta = x - m.mean;
        m.mean += delta * w / (double)m.n;
        m.m2 += delta * delta * w * n_before / (double)m.n;
    }
    *mean = m.mean;
    *stddev = moments_stddev(&m);
}

/* Median absolute deviation: the deviations |x - p50| of every bucket are
 * recorded, weighted by the bucket's count, into a second histogram of the
 * same configuration whose median is the answer. The error has three parts:
 * a value moves by at most half its bucket width, p50 is the top of its
 * bucket (up to one width above the exact median), and the deviation
 * histogram rounds up by at most 10^-digits of the MAD. The first two are
 * relative to the values, not the MAD, so a MAD far below the median is
 * coarse; all three vanish for values in width-1 buckets. */
static int median_absolute_deviation(const struct histogram *h, uint64_t median, uint64_t *out)
{
    uint64_t highest = histogram_highest_trackable(h);
    struct histogram *dev;
    int rc = histogram_create(highest, histogram_significant_digits(h), &dev);
    if (rc < 0)
        return rc;
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    while (histogram_iter_next(&it)) {
        /* Midpoints and the median lie in [min, max], so a deviation is
         * trackable; the clamp only absorbs double rounding near 2^64. */
        double d = fabs(bucket_midpoint(&it) - (double)median) + 0.5;
        uint64_t dev_ns = d >= (double)highest ? highest : (uint64_t)d;
        rc = histogram_record_n(dev, dev_ns, it.count);
        if (rc < 0)
            goto fail_destroy;
    }
    *out = histogram_value_at_percentile(dev, 50.0);
fail_destroy:
    histogram_destroy(dev);
    return rc;
}

/* Counts values beyond Tukey's fences, classifying each bucket by its
 * midpoint: a bucket straddling a fence is counted whole on the side of its
 * midpoint, so values within one bucket width (10^-digits of themselves) of
 * a fence may be misplaced. Fences are doubles because q1 - 3 IQR is often
 * negative. */
static void tukey_outliers(const struct histogram *h, uint64_t q1, uint64_t q3, struct stats *s)
{
    double iqr = (double)q3 - (double)q1;
    double low_mild = (double)q1 - 1.5 * iqr, low_severe = (double)q1 - 3.0 * iqr;
    double high_mild = (double)q3 + 1.5 * iqr, high_severe = (double)q3 + 3.0 * iqr;
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    while (histogram_iter_next(&it)) {
        double x = bucket_midpoint(&it);
        if (x < low_mild)
            s->outliers_low_mild += it.count;
        if (x < low_severe)
            s->outliers_low_severe += it.count;
        if (x > high_mild)
            s->outliers_high_mild += it.count;
        if (x > high_severe)
            s->outliers_high_severe += it.count;
    }
}

int stats_compute(const struct histogram *h, const struct moments *m, struct stats *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t n = histogram_count(h);
    if (n == 0)
        return 0;

    struct stats s = {0};
    s.n = n;
    s.min_ns = histogram_min(h);
    s.max_ns = histogram_max(h);
    s.p50_ns = histogram_value_at_percentile(h, 50.0);
    s.p90_ns = histogram_value_at_percentile(h, 90.0);
    s.p99_ns = histogram_value_at_percentile(h, 99.0);
    s.p999_ns = histogram_value_at_percentile(h, 99.9);
    s.q1_ns = histogram_value_at_percentile(h, 25.0);
    s.q3_ns = histogram_value_at_percentile(h, 75.0);

    /* Moments with no observations cannot describe a non-empty histogram;
     * the histogram's own approximation is then better than zeros. */
    if (m != NULL && m->n > 0) {
        s.mean_ns = m->mean;
        s.stddev_ns = moments_stddev(m);
    } else {
        moments_from_histogram(h, &s.mean_ns, &s.stddev_ns);
    }

    int rc = median_absolute_deviation(h, s.p50_ns, &s.mad_ns);
    if (rc < 0)
        return rc;

    if (n < 6) {
        s.p50_ci_low_ns = s.min_ns;
        s.p50_ci_high_ns = s.max_ns;
    } else {
        uint64_t j, k;
        stats_median_ci_ranks(n, &j, &k);
        s.p50_ci_low_ns = histogram_value_at_rank(h, j);
        s.p50_ci_high_ns = histogram_value_at_rank(h, k);
    }

    tukey_outliers(h, s.q1_ns, s.q3_ns, &s);
    *out = s;
    return 0;
}

void stats_compute_median(const struct histogram *h, struct stats *out)
{
    memset(out, 0, sizeof(*out));
    uint64_t n = histogram_count(h);
    if (n == 0)
        return;
    out->n = n;
    out->min_ns = histogram_min(h);
    out->max_ns = histogram_max(h);
    out->p50_ns = histogram_value_at_percentile(h, 50.0);
    if (n < 6) {
        out->p50_ci_low_ns = out->min_ns;
        out->p50_ci_high_ns = out->max_ns;
        return;
    }
    uint64_t j, k;
    stats_median_ci_ranks(n, &j, &k);
    out->p50_ci_low_ns = histogram_value_at_rank(h, j);
    out->p50_ci_high_ns = histogram_value_at_rank(h, k);
}

double stats_median_ci_percent(const struct stats *s)
{
    if (s->n == 0 || s->p50_ns == 0)
        return STATS_NO_CI_PERCENT;
    double p50 = (double)s->p50_ns;
    double below = p50 - (double)s->p50_ci_low_ns;
    double above = (double)s->p50_ci_high_ns - p50;
    return (below > above ? below : above) / p50 * 100.0;
}
