/*
 * Unit tests of harness/engine/stats.c: Welford moments against a two-pass
 * computation, the median confidence interval's ranks against hand-worked
 * numbers and its coverage of a known population median, MAD and Tukey
 * counts against brute force on small integers (below 2048 the histogram is
 * exact, so the answers must match to the unit), and the empty case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/histogram.h"
#include "engine/stats.h"

/* splitmix64, seeded, so failures reproduce anywhere. */
static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static struct histogram *histogram_of(const uint64_t *values, size_t n)
{
    struct histogram *h = NULL;
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &h), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(histogram_record(h, values[i]), 0);
    return h;
}

/* Nearest-rank value of a sorted array: rank ceil(p * n), at least 1, with p
 * given as numerator / denominator to keep it integer. */
static uint64_t sorted_at(const uint64_t *sorted, size_t n, size_t num, size_t den)
{
    size_t rank = (num * n + den - 1) / den;
    return sorted[(rank < 1 ? 1 : rank) - 1];
}

static void test_moments_match_two_pass(void **state)
{
    (void)state;
    /* A spread of ~1000 on a mean of 1e9: the naive sum-of-squares formula
     * loses every significant digit here, Welford must not. */
    enum { N = 10000 };
    static double xs[N];
    struct moments m = {0};
    uint64_t rng = 1;
    for (size_t i = 0; i < N; i++) {
        xs[i] = 1e9 + (double)(seeded_next(&rng) % 2000);
        moments_add(&m, xs[i]);
    }
    double sum = 0.0;
    for (size_t i = 0; i < N; i++)
        sum += xs[i];
    double mean = sum / N;
    double squares = 0.0;
    for (size_t i = 0; i < N; i++)
        squares += (xs[i] - mean) * (xs[i] - mean);
    double stddev = sqrt(squares / (N - 1));

    assert_int_equal(m.n, N);
    assert_float_equal(m.mean, mean, 1e-6);
    assert_float_equal(moments_stddev(&m), stddev, stddev * 1e-9);
    /* Uniform on 2000 integers: stddev near 2000 / sqrt(12) = 577. */
    assert_float_equal(stddev, 577.0, 15.0);
}

static void test_moments_small_n(void **state)
{
    (void)state;
    struct moments m = {0};
    assert_float_equal(moments_stddev(&m), 0.0, 0.0);
    moments_add(&m, 42.0);
    assert_float_equal(m.mean, 42.0, 0.0);
    assert_float_equal(moments_stddev(&m), 0.0, 0.0);
    moments_add(&m, 44.0);
    moments_add(&m, 48.0);
    /* mean 44.666..., deviations -2.667, -0.667, 3.333: sum of squares
     * 7.111 + 0.444 + 11.111 = 18.667, / 2 = 9.333, sqrt = 3.055. */
    assert_float_equal(m.mean, 134.0 / 3.0, 1e-12);
    assert_float_equal(moments_stddev(&m), sqrt(28.0 / 3.0), 1e-12);
}

static void test_median_ci_ranks(void **state)
{
    (void)state;
    /* Worked by hand from j = floor((n - 1.96 sqrt n) / 2) and
     * k = ceil(1 + (n + 1.96 sqrt n) / 2), clamped to [1, n]. */
    static const struct {
        uint64_t n, j, k;
    } cases[] = {
        /* sqrt 100 = 10: (100 - 19.6) / 2 = 40.2; 1 + 119.6 / 2 = 60.8. */
        {100, 40, 61},
        /* sqrt 36 = 6: (36 - 11.76) / 2 = 12.12; 1 + 47.76 / 2 = 24.88. */
        {36, 12, 25},
        /* 1.96 sqrt 1000 = 61.981: 469.01; 1 + 530.99 = 531.99. */
        {1000, 469, 532},
        /* 1.96 sqrt 10 = 6.198: 1.90; 1 + 8.10 = 9.10. */
        {10, 1, 10},
        /* 1.96 sqrt 6 = 4.801: 0.60 -> clamped to 1; 6.40 -> 7, clamped to 6. */
        {6, 1, 6},
        /* Below 6 the whole range. */
        {5, 1, 5},
        {1, 1, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t j = 0, k = 0;
        stats_median_ci_ranks(cases[i].n, &j, &k);
        assert_int_equal(j, cases[i].j);
        assert_int_equal(k, cases[i].k);
    }
}

/* On exact data the interval's ends are exactly the order statistics at the
 * ranks, and they bracket the sample median. */
static void test_median_ci_values(void **state)
{
    (void)state;
    static const size_t sizes[] = {3, 6, 37, 100, 1001, 5000};
    uint64_t rng = 11;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s];
        uint64_t *values = malloc(n * sizeof(*values));
        assert_non_null(values);
        for (size_t i = 0; i < n; i++)
            values[i] = 100 + seeded_next(&rng) % 1900;
        struct histogram *h = histogram_of(values, n);
        qsort(values, n, sizeof(*values), compare_u64);
        struct stats st;
        assert_int_equal(stats_compute(h, NULL, &st), 0);
        uint64_t j, k;
        stats_median_ci_ranks(n, &j, &k);
        assert_int_equal(st.p50_ci_low_ns, values[j - 1]);
        assert_int_equal(st.p50_ci_high_ns, values[k - 1]);
        uint64_t median = sorted_at(values, n, 1, 2);
        assert_int_equal(st.p50_ns, median);
        assert_in_range(median, st.p50_ci_low_ns, st.p50_ci_high_ns);
        if (n < 6) {
            assert_int_equal(st.p50_ci_low_ns, values[0]);
            assert_int_equal(st.p50_ci_high_ns, values[n - 1]);
        }
        /* The stopping rule's cheap version gives the same median and
         * interval. */
        struct stats quick;
        stats_compute_median(h, &quick);
        assert_int_equal(quick.n, st.n);
        assert_int_equal(quick.p50_ns, st.p50_ns);
        assert_int_equal(quick.p50_ci_low_ns, st.p50_ci_low_ns);
        assert_int_equal(quick.p50_ci_high_ns, st.p50_ci_high_ns);
        assert_int_equal(quick.min_ns, st.min_ns);
        assert_int_equal(quick.max_ns, st.max_ns);
        histogram_destroy(h);
        free(values);
    }

    /* Below 6 values the interval is exactly [min, max], even where min is
     * not the top of its bucket (3000 shares a width-2 bucket with 3001). */
    static const uint64_t few[] = {3000, 5000, 7000};
    struct histogram *h = histogram_of(few, 3);
    struct stats st;
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    assert_int_equal(histogram_value_at_rank(h, 1), 3001);
    assert_int_equal(st.p50_ci_low_ns, 3000);
    assert_int_equal(st.p50_ci_high_ns, 7000);
    histogram_destroy(h);
}

/* The interval is meant to cover the population median 95% of the time.
 * Samples of 101 from the integers 0..2000 (median 1000), 1000 times with a
 * fixed seed: a formula with the wrong z or the wrong ranks lands far from
 * 950 (z = 1 would give about 700). */
static void test_median_ci_covers_population_median(void **state)
{
    (void)state;
    enum { TRIALS = 1000, N = 101 };
    uint64_t values[N];
    uint64_t rng = 2024, covered = 0;
    struct histogram *h = NULL;
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &h), 0);
    for (int t = 0; t < TRIALS; t++) {
        histogram_reset(h);
        for (size_t i = 0; i < N; i++) {
            values[i] = seeded_next(&rng) % 2001;
            assert_int_equal(histogram_record(h, values[i]), 0);
        }
        struct stats st;
        assert_int_equal(stats_compute(h, NULL, &st), 0);
        if (st.p50_ci_low_ns <= 1000 && 1000 <= st.p50_ci_high_ns)
            covered++;
    }
    assert_in_range(covered, 930, 985);
    histogram_destroy(h);
}

static uint64_t brute_force_mad(const uint64_t *values, size_t n)
{
    uint64_t *sorted = malloc(n * sizeof(*sorted));
    uint64_t *deviations = malloc(n * sizeof(*deviations));
    assert_non_null(sorted);
    assert_non_null(deviations);
    memcpy(sorted, values, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), compare_u64);
    uint64_t median = sorted_at(sorted, n, 1, 2);
    for (size_t i = 0; i < n; i++)
        deviations[i] = values[i] > median ? values[i] - median : median - values[i];
    qsort(deviations, n, sizeof(*deviations), compare_u64);
    uint64_t mad = sorted_at(deviations, n, 1, 2);
    free(sorted);
    free(deviations);
    return mad;
}

static void test_mad_matches_brute_force(void **state)
{
    (void)state;
    /* By hand: median of {1, 2, 3, 4, 100} is 3, deviations {2, 1, 0, 1, 97}
     * sort to {0, 1, 1, 2, 97}, whose median is 1. */
    static const uint64_t hand[] = {1, 2, 3, 4, 100};
    struct histogram *h = histogram_of(hand, 5);
    struct stats st;
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    assert_int_equal(st.p50_ns, 3);
    assert_int_equal(st.mad_ns, 1);
    histogram_destroy(h);

    /* Random small integers, skewed (a square pushes mass low) so the MAD
     * differs from half the IQR. */
    static const size_t sizes[] = {1, 2, 9, 100, 1001, 20000};
    uint64_t rng = 5;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s];
        uint64_t *values = malloc(n * sizeof(*values));
        assert_non_null(values);
        for (size_t i = 0; i < n; i++) {
            uint64_t u = seeded_next(&rng) % 45;
            values[i] = u * u; /* < 2048 */
        }
        h = histogram_of(values, n);
        assert_int_equal(stats_compute(h, NULL, &st), 0);
        assert_int_equal(st.mad_ns, brute_force_mad(values, n));
        histogram_destroy(h);
        free(values);
    }
}

/* Above 2048 buckets are wider than 1 and MAD is approximate; the error
 * documented in stats.c is at most about 1/2048 of the largest value plus
 * 1/1024 of the median and of the MAD. */
static void test_mad_approximate_on_large_values(void **state)
{
    (void)state;
    enum { N = 5000 };
    static uint64_t values[N];
    uint64_t rng = 77;
    for (size_t i = 0; i < N; i++)
        values[i] = 1000000 + seeded_next(&rng) % 1000000;
    struct histogram *h = histogram_of(values, N);
    struct stats st;
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    uint64_t exact = brute_force_mad(values, N);
    uint64_t tolerance = 2000000 / 2048 + 1500000 / 1024 + exact / 1024 + 1;
    assert_in_range(st.mad_ns, exact - tolerance, exact + tolerance);
    histogram_destroy(h);
}

static void test_tukey_constructed(void **state)
{
    (void)state;
    /* 1000 core values 900..1399, each twice, and six outliers. With n = 1006
     * q1 is rank 252 (the core's 249th value, 1024) and q3 rank 755 (the
     * core's 752nd, 1275): IQR 251, mild fences 647.5 and 1651.5, severe
     * fences 271 and 2028. */
    uint64_t values[1006];
    size_t n = 0;
    for (size_t i = 0; i < 1000; i++)
        values[n++] = 900 + i / 2;
    static const uint64_t outliers[] = {
        100,  /* low, severe */
        300,  /* low, mild only: above 271 */
        600,  /* low, mild only */
        1700, /* high, mild only */
        2000, /* high, mild only: below 2028 */
        2040, /* high, severe */
    };
    for (size_t i = 0; i < 6; i++)
        values[n++] = outliers[i];
    struct histogram *h = histogram_of(values, n);
    struct stats st;
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    assert_int_equal(st.q1_ns, 1024);
    assert_int_equal(st.q3_ns, 1275);
    assert_int_equal(st.outliers_low_mild, 3);
    assert_int_equal(st.outliers_low_severe, 1);
    assert_int_equal(st.outliers_high_mild, 3);
    assert_int_equal(st.outliers_high_severe, 1);
    histogram_destroy(h);

    /* On a fence is not beyond it. Twelve values: q1 is rank 3 (100), q3
     * rank 9 (120), IQR 20: mild fences 70 and 150, severe 40 and 180. */
    uint64_t fences[] = {69, 70, 100, 105, 108, 110, 112, 115, 120, 150, 151, 180};
    h = histogram_of(fences, 12);
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    assert_int_equal(st.q1_ns, 100);
    assert_int_equal(st.q3_ns, 120);
    assert_int_equal(st.outliers_low_mild, 1); /* 69 */
    assert_int_equal(st.outliers_low_severe, 0);
    assert_int_equal(st.outliers_high_mild, 2);   /* 151, 180 */
    assert_int_equal(st.outliers_high_severe, 0); /* 180 is on the fence */
    histogram_destroy(h);

    /* Values right beside the core are not outliers at all. */
    uint64_t tight[] = {10, 11, 12, 13, 14, 15, 16, 17};
    h = histogram_of(tight, 8);
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    assert_int_equal(st.outliers_low_mild + st.outliers_high_mild, 0);
    histogram_destroy(h);
}

/* Random exact data with injected outliers, counted by brute force with the
 * same nearest-rank quartiles. */
static void test_tukey_matches_brute_force(void **state)
{
    (void)state;
    enum { N = 3000 };
    static uint64_t values[N];
    uint64_t rng = 31;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = seeded_next(&rng) % 100;
        if (r < 3)
            values[i] = 400 + seeded_next(&rng) % 400; /* below, mild or severe */
        else if (r < 6)
            values[i] = 1000 + seeded_next(&rng) % 1000; /* above, mild or severe */
        else
            values[i] = 800 + seeded_next(&rng) % 200;
    }
    struct histogram *h = histogram_of(values, N);
    struct stats st;
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    qsort(values, N, sizeof(values[0]), compare_u64);
    double q1 = (double)sorted_at(values, N, 1, 4), q3 = (double)sorted_at(values, N, 3, 4);
    double iqr = q3 - q1;
    uint64_t low_mild = 0, low_severe = 0, high_mild = 0, high_severe = 0;
    for (size_t i = 0; i < N; i++) {
        double x = (double)values[i];
        low_mild += x < q1 - 1.5 * iqr;
        low_severe += x < q1 - 3.0 * iqr;
        high_mild += x > q3 + 1.5 * iqr;
        high_severe += x > q3 + 3.0 * iqr;
    }
    /* Both classes occur on both sides, so each count is exercised. */
    assert_cmp(low_severe, >, 0);
    assert_cmp(low_mild, >, low_severe);
    assert_cmp(high_severe, >, 0);
    assert_cmp(high_mild, >, high_severe);
    assert_int_equal(st.q1_ns, (uint64_t)q1);
    assert_int_equal(st.q3_ns, (uint64_t)q3);
    assert_int_equal(st.outliers_low_mild, low_mild);
    assert_int_equal(st.outliers_low_severe, low_severe);
    assert_int_equal(st.outliers_high_mild, high_mild);
    assert_int_equal(st.outliers_high_severe, high_severe);
    histogram_destroy(h);
}

static void test_compute_percentiles_and_moments(void **state)
{
    (void)state;
    enum { N = 4001 };
    static uint64_t values[N];
    uint64_t rng = 3;
    struct moments m = {0};
    for (size_t i = 0; i < N; i++) {
        values[i] = seeded_next(&rng) % 2048;
        moments_add(&m, (double)values[i]);
    }
    struct histogram *h = histogram_of(values, N);
    qsort(values, N, sizeof(values[0]), compare_u64);
    struct stats st;
    assert_int_equal(stats_compute(h, &m, &st), 0);
    assert_int_equal(st.n, N);
    assert_int_equal(st.min_ns, values[0]);
    assert_int_equal(st.max_ns, values[N - 1]);
    assert_int_equal(st.p50_ns, sorted_at(values, N, 1, 2));
    assert_int_equal(st.p90_ns, sorted_at(values, N, 9, 10));
    assert_int_equal(st.p99_ns, sorted_at(values, N, 99, 100));
    assert_int_equal(st.p999_ns, sorted_at(values, N, 999, 1000));
    assert_int_equal(st.q1_ns, sorted_at(values, N, 1, 4));
    assert_int_equal(st.q3_ns, sorted_at(values, N, 3, 4));
    assert_float_equal(st.mean_ns, m.mean, 0.0);
    assert_float_equal(st.stddev_ns, moments_stddev(&m), 0.0);

    /* Without moments, exact buckets give the exact mean and deviation. */
    struct stats from_histogram;
    assert_int_equal(stats_compute(h, NULL, &from_histogram), 0);
    assert_float_equal(from_histogram.mean_ns, m.mean, 1e-9);
    assert_float_equal(from_histogram.stddev_ns, moments_stddev(&m), 1e-9);

    /* Moments the caller passes are used as given, not recomputed. */
    struct moments fake = {.n = 2, .mean = 12345.0, .m2 = 50.0};
    assert_int_equal(stats_compute(h, &fake, &st), 0);
    assert_float_equal(st.mean_ns, 12345.0, 0.0);
    assert_float_equal(st.stddev_ns, sqrt(50.0), 1e-12);
    histogram_destroy(h);
}

/* Wide buckets (widths 512 to 32768 here). Standing each bucket's values at
 * its midpoint makes the per-value errors cancel, leaving the mean within a
 * few millionths; using the bucket's top would bias it up by about 1/3000. */
static void test_histogram_mean_on_wide_buckets(void **state)
{
    (void)state;
    enum { N = 20000 };
    static uint64_t values[N];
    struct moments m = {0};
    uint64_t rng = 8;
    for (size_t i = 0; i < N; i++) {
        values[i] = 1000000 + seeded_next(&rng) % 50000000;
        moments_add(&m, (double)values[i]);
    }
    struct histogram *h = histogram_of(values, N);
    struct stats st;
    assert_int_equal(stats_compute(h, NULL, &st), 0);
    assert_float_equal(st.mean_ns, m.mean, m.mean / 20000);
    assert_float_equal(st.stddev_ns, moments_stddev(&m), moments_stddev(&m) / 100);
    histogram_destroy(h);
}

static void test_empty_gives_zeros(void **state)
{
    (void)state;
    struct histogram *h = NULL;
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &h), 0);
    struct stats st;
    memset(&st, 0xab, sizeof(st));
    struct moments m = {.n = 3, .mean = 5.0, .m2 = 2.0};
    assert_int_equal(stats_compute(h, &m, &st), 0);
    assert_int_equal(st.n, 0);
    assert_int_equal(st.min_ns, 0);
    assert_int_equal(st.p50_ns, 0);
    assert_int_equal(st.p90_ns, 0);
    assert_int_equal(st.p99_ns, 0);
    assert_int_equal(st.p999_ns, 0);
    assert_int_equal(st.max_ns, 0);
    assert_float_equal(st.mean_ns, 0.0, 0.0);
    assert_float_equal(st.stddev_ns, 0.0, 0.0);
    assert_int_equal(st.mad_ns, 0);
    assert_int_equal(st.p50_ci_low_ns, 0);
    assert_int_equal(st.p50_ci_high_ns, 0);
    assert_int_equal(st.q1_ns, 0);
    assert_int_equal(st.q3_ns, 0);
    assert_int_equal(st.outliers_low_mild, 0);
    assert_int_equal(st.outliers_high_mild, 0);
    assert_int_equal(st.outliers_low_severe, 0);
    assert_int_equal(st.outliers_high_severe, 0);
    assert_cmp(stats_median_ci_percent(&st), >=, 1e9);
    histogram_destroy(h);
}

static void test_median_ci_percent(void **state)
{
    (void)state;
    struct stats st = {.n = 100, .p50_ns = 200, .p50_ci_low_ns = 190, .p50_ci_high_ns = 230};
    /* The wider side: (230 - 200) / 200 = 15%. */
    assert_float_equal(stats_median_ci_percent(&st), 15.0, 1e-12);
    st.p50_ci_low_ns = 150;
    assert_float_equal(stats_median_ci_percent(&st), 25.0, 1e-12);
    st.p50_ns = 0;
    st.p50_ci_low_ns = 0;
    assert_cmp(stats_median_ci_percent(&st), >=, 1e9);
}

/* Merging the moments of two halves gives what adding every value to one
 * accumulator gives: the runner merges one round at a time. */
static void test_moments_merge(void **state)
{
    (void)state;
    struct moments all = {0}, a = {0}, b = {0}, empty = {0};
    unsigned seed = 11;
    for (int i = 0; i < 1000; i++) {
        double x = 1e6 + (double)(rand_r(&seed) % 100000);
        moments_add(&all, x);
        moments_add(i < 300 ? &a : &b, x);
    }
    struct moments merged = empty;
    moments_merge(&merged, &a);
    moments_merge(&merged, &empty);
    moments_merge(&merged, &b);
    assert_int_equal(merged.n, all.n);
    assert_cmp(fabs(merged.mean - all.mean), <, 1e-6 * all.mean);
    assert_cmp(fabs(moments_stddev(&merged) - moments_stddev(&all)), <,
               1e-6 * moments_stddev(&all));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_match_two_pass),
        cmocka_unit_test(test_moments_small_n),
        cmocka_unit_test(test_median_ci_ranks),
        cmocka_unit_test(test_median_ci_values),
        cmocka_unit_test(test_median_ci_covers_population_median),
        cmocka_unit_test(test_mad_matches_brute_force),
        cmocka_unit_test(test_mad_approximate_on_large_values),
        cmocka_unit_test(test_tukey_constructed),
        cmocka_unit_test(test_tukey_matches_brute_force),
        cmocka_unit_test(test_compute_percentiles_and_moments),
        cmocka_unit_test(test_histogram_mean_on_wide_buckets),
        cmocka_unit_test(test_empty_gives_zeros),
        cmocka_unit_test(test_median_ci_percent),
        cmocka_unit_test(test_moments_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
