/*
 * Unit tests of harness/engine/histogram.c. The central check records seeded random
 * samples from several distributions (uniform, exponential, log-uniform from
 * nanoseconds to minutes, Pareto, bimodal, small exact integers) and compares
 * every reported percentile with the exact nearest-rank value of the sorted
 * array: it must lie in the same bucket and within 1/1000 of it. The rest
 * pins down the edges of the contract: empty and single-value histograms,
 * out-of-range values, zero, merging, reset, record_n and iteration.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>

#include "checks.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/histogram.h"

#define ONE_SECOND_NS UINT64_C(1000000000)

/* splitmix64: a seeded generator whose sequence does not depend on libc, so a
 * failure reproduces on any machine. */
/* Uniform in (0, 1]: never 0, so log() of it is finite. */
static double rng_unit(uint64_t *state)
{
    return ((double)(seeded_next(state) >> 11) + 1.0) / 9007199254740992.0;
}

static uint64_t cap_to_hour(double v)
{
    if (v < 0.0)
        return 0;
    if (v >= (double)HISTOGRAM_ONE_HOUR_NS)
        return HISTOGRAM_ONE_HOUR_NS;
    return (uint64_t)v;
}

static uint64_t draw_uniform(uint64_t *s)
{
    return seeded_next(s) % (10 * ONE_SECOND_NS / 1000); /* 0..10 ms */
}

static uint64_t draw_exponential(uint64_t *s)
{
    return cap_to_hour(-log(rng_unit(s)) * 50000.0); /* mean 50 us */
}

/* Equally likely in every decade from 1 ns to 5 minutes: the heavy tail that
 * makes a linear histogram useless. */
static uint64_t draw_log_uniform(uint64_t *s)
{
    return cap_to_hour(exp(rng_unit(s) * log(300.0 * (double)ONE_SECOND_NS)));
}

/* Pareto with alpha 1.1 from 2 us: mean barely finite, tail into minutes. */
static uint64_t draw_pareto(uint64_t *s)
{
    return cap_to_hour(2000.0 * pow(rng_unit(s), -1.0 / 1.1));
}

/* A fast path near 3 us and a slow one near 40 ms, as in a cache hit/miss. */
static uint64_t draw_bimodal(uint64_t *s)
{
    if (seeded_next(s) % 10 < 8)
        return 3000 + seeded_next(s) % 400;
    return 40000000 + seeded_next(s) % 5000000;
}

/* Below 2048 every bucket has width 1, so values come back exactly. */
static uint64_t draw_small(uint64_t *s)
{
    return seeded_next(s) % 2048;
}

struct distribution {
    const char *name;
    uint64_t (*draw)(uint64_t *state);
};

static const struct distribution distributions[] = {
    {"uniform", draw_uniform}, {"exponential", draw_exponential}, {"log-uniform", draw_log_uniform},
    {"pareto", draw_pareto},   {"bimodal", draw_bimodal},         {"small", draw_small},
};

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static struct histogram *make_hour_histogram(void)
{
    struct histogram *h = NULL;
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &h), 0);
    assert_non_null(h);
    return h;
}

/* The two checks the histogram promises for a value it reports in place of
 * the exact one: the same bucket, and at most 1/1000 above. The context is
 * printed first because cmocka's own message cannot name the case. */
static void check_reported(const struct histogram *h, uint64_t reported, uint64_t exact,
                           const char *what, double percentile)
{
    uint64_t lowest = histogram_lowest_equivalent(h, reported);
    if (!(lowest <= exact && exact <= reported && reported - exact <= exact / 1000))
        print_error("%s p%g: reported %llu (bucket from %llu), exact %llu\n", what, percentile,
                    (unsigned long long)reported, (unsigned long long)lowest,
                    (unsigned long long)exact);
    assert_in_range(exact, lowest, reported);
    assert_in_range(reported, exact, exact + exact / 1000);
}

/* Percentiles in thousandths, so the exact rank is integer arithmetic and
 * does not share the histogram's floating-point path. */
static const unsigned percentile_permille[] = {0, 10, 250, 500, 900, 990, 999, 1000};

static void check_distribution(const struct distribution *d, size_t n, uint64_t seed)
{
    uint64_t *values = malloc(n * sizeof(*values));
    assert_non_null(values);
    struct histogram *h = make_hour_histogram();
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++) {
        values[i] = d->draw(&state);
        assert_int_equal(histogram_record(h, values[i]), 0);
    }
    qsort(values, n, sizeof(*values), compare_u64);

    assert_int_equal(histogram_count(h), n);
    assert_int_equal(histogram_min(h), values[0]);
    assert_int_equal(histogram_max(h), values[n - 1]);

    for (size_t i = 0; i < sizeof(percentile_permille) / sizeof(percentile_permille[0]); i++) {
        unsigned pm = percentile_permille[i];
        uint64_t rank = ((uint64_t)pm * n + 999) / 1000;
        if (rank < 1)
            rank = 1;
        uint64_t exact = values[rank - 1];
        double percentile = pm / 10.0;
        check_reported(h, histogram_value_at_percentile(h, percentile), exact, d->name, percentile);
        check_reported(h, histogram_value_at_rank(h, rank), exact, d->name, percentile);
    }
    assert_int_equal(histogram_value_at_percentile(h, 100.0), values[n - 1]);
    assert_cmp(histogram_value_at_percentile(h, 0.0), >=, values[0]);

    histogram_destroy(h);
    free(values);
}

static void test_percentiles_match_sorted_arrays(void **state)
{
    (void)state;
    /* Sizes: large, a multiple of 1000 (where 99.9% of n is an integer that
     * floating point likes to overshoot), and small odd ones. */
    static const size_t sizes[] = {200000, 1000, 1001, 37, 7};
    for (size_t d = 0; d < sizeof(distributions) / sizeof(distributions[0]); d++)
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
            check_distribution(&distributions[d], sizes[s], 0x5eed0000u + d * 16 + s);
}

/* Every rank, not only the headline percentiles, on a heavy tail. */
static void test_every_rank_matches_sorted_array(void **state)
{
    (void)state;
    enum { N = 3000 };
    static uint64_t values[N];
    struct histogram *h = make_hour_histogram();
    uint64_t rng = 42;
    for (size_t i = 0; i < N; i++) {
        values[i] = draw_log_uniform(&rng);
        assert_int_equal(histogram_record(h, values[i]), 0);
    }
    qsort(values, N, sizeof(values[0]), compare_u64);
    for (uint64_t rank = 1; rank <= N; rank++)
        check_reported(h, histogram_value_at_rank(h, rank), values[rank - 1], "every-rank",
                       100.0 * (double)rank / N);
    /* Ranks beyond the count give the maximum; rank 0 is read as rank 1. */
    assert_int_equal(histogram_value_at_rank(h, N + 1000), values[N - 1]);
    assert_int_equal(histogram_value_at_rank(h, 0), histogram_value_at_rank(h, 1));
    histogram_destroy(h);
}

/* A decimal percentile has no exact binary form, so percentile * count / 100
 * can land a few ulps above the integer it means (64.4% of 250 gives
 * 161.00000000000003), and a naive ceil() then reports the next rank. Values
 * 1..n make the value the rank itself; every percentile in hundredths is
 * checked against integer arithmetic. */
static void test_percentile_rank_is_not_overshot_by_rounding(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {250, 375, 1000, 4096};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint64_t n = sizes[s];
        struct histogram *h = make_hour_histogram();
        for (uint64_t v = 1; v <= n; v++)
            assert_int_equal(histogram_record(h, v), 0);
        for (uint64_t hundredths = 0; hundredths <= 10000; hundredths++) {
            uint64_t rank = (hundredths * n + 9999) / 10000;
            uint64_t expected = histogram_highest_equivalent(h, rank < 1 ? 1 : rank);
            if (expected > n) /* 4096 is mid-bucket: reports clamp to max */
                expected = n;
            uint64_t got = histogram_value_at_percentile(h, (double)hundredths / 100.0);
            if (got != expected)
                print_error("n %llu p%g\n", (unsigned long long)n, (double)hundredths / 100.0);
            assert_int_equal(got, expected);
        }
        histogram_destroy(h);
    }

    struct histogram *h = make_hour_histogram();
    for (uint64_t v = 1; v <= 250; v++)
        assert_int_equal(histogram_record(h, v), 0);
    assert_int_equal(histogram_value_at_percentile(h, 64.4), 161);
    assert_int_equal(histogram_value_at_percentile(h, 64.41), 162);
    /* Out-of-range percentiles are clamped, not rejected. */
    assert_int_equal(histogram_value_at_percentile(h, -5.0), 1);
    assert_int_equal(histogram_value_at_percentile(h, 250.0), 250);
    histogram_destroy(h);
}

static void test_configuration(void **state)
{
    (void)state;
    /* sub-bucket count: smallest power of two >= 2 * 10^digits. */
    static const size_t expected_sub_buckets[] = {0, 32, 256, 2048, 32768, 262144};
    for (int digits = 1; digits <= 5; digits++) {
        struct histogram *h = NULL;
        assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, digits, &h), 0);
        assert_int_equal(histogram_significant_digits(h), digits);
        assert_int_equal(histogram_highest_trackable(h), HISTOGRAM_ONE_HOUR_NS);
        assert_int_equal(histogram_sub_bucket_count(h), expected_sub_buckets[digits]);
        uint64_t scale = 1;
        for (int i = 0; i < digits; i++)
            scale *= 10;
        /* Bucket widths, sampled at ~1.1x steps across the whole range and at
         * the top: a power of two, holding the value, at most 10^-digits of
         * the bucket's lowest value once wider than 1. */
        for (double x = 1.0; x < (double)HISTOGRAM_ONE_HOUR_NS * 1.1; x *= 1.1) {
            uint64_t v = cap_to_hour(x);
            uint64_t lo = histogram_lowest_equivalent(h, v);
            uint64_t hi = histogram_highest_equivalent(h, v);
            uint64_t width = hi - lo + 1;
            assert_in_range(v, lo, hi);
            assert_int_equal(width & (width - 1), 0);
            assert_in_range(hi - lo, 0, lo / scale);
        }
        histogram_destroy(h);
    }
    /* 3 digits to one hour: 2048 << 31 > 3.6e12 > 2048 << 30. */
    struct histogram *h = make_hour_histogram();
    assert_int_equal(histogram_bucket_count(h), 32);
    histogram_destroy(h);
}

static void test_empty(void **state)
{
    (void)state;
    struct histogram *h = make_hour_histogram();
    assert_int_equal(histogram_count(h), 0);
    assert_int_equal(histogram_min(h), 0);
    assert_int_equal(histogram_max(h), 0);
    assert_int_equal(histogram_value_at_percentile(h, 0.0), 0);
    assert_int_equal(histogram_value_at_percentile(h, 50.0), 0);
    assert_int_equal(histogram_value_at_percentile(h, 100.0), 0);
    assert_int_equal(histogram_value_at_rank(h, 1), 0);
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    assert_false(histogram_iter_next(&it));
    histogram_destroy(h);
}

static void test_single_value(void **state)
{
    (void)state;
    /* Not on a bucket edge, so an unclamped report would differ. */
    const uint64_t v = 123456789;
    struct histogram *h = make_hour_histogram();
    assert_int_equal(histogram_record(h, v), 0);
    assert_cmp(histogram_highest_equivalent(h, v), !=, v);
    assert_int_equal(histogram_min(h), v);
    assert_int_equal(histogram_max(h), v);
    static const double percentiles[] = {0.0, 1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 100.0};
    for (size_t i = 0; i < sizeof(percentiles) / sizeof(percentiles[0]); i++)
        assert_int_equal(histogram_value_at_percentile(h, percentiles[i]), v);
    assert_int_equal(histogram_value_at_rank(h, 5), v);
    histogram_destroy(h);
}

static void test_out_of_range(void **state)
{
    (void)state;
    struct histogram *h = make_hour_histogram();
    assert_int_equal(histogram_record(h, 500), 0);
    assert_int_equal(histogram_record(h, HISTOGRAM_ONE_HOUR_NS), 0);
    assert_int_equal(histogram_record(h, HISTOGRAM_ONE_HOUR_NS + 1), -ERANGE);
    assert_int_equal(histogram_record(h, UINT64_MAX), -ERANGE);
    assert_int_equal(histogram_record_n(h, HISTOGRAM_ONE_HOUR_NS + 1, 10), -ERANGE);
    assert_int_equal(histogram_count(h), 2);
    assert_int_equal(histogram_min(h), 500);
    assert_int_equal(histogram_max(h), HISTOGRAM_ONE_HOUR_NS);
    histogram_destroy(h);

    /* A small range is enforced at its exact bound, not at its bucket's top. */
    assert_int_equal(histogram_create(1000, 3, &h), 0);
    assert_int_equal(histogram_record(h, 1000), 0);
    assert_int_equal(histogram_record(h, 1001), -ERANGE);
    assert_int_equal(histogram_count(h), 1);
    assert_int_equal(histogram_max(h), 1000);
    histogram_destroy(h);

    /* The whole uint64_t range can be tracked. */
    assert_int_equal(histogram_create(UINT64_MAX, 3, &h), 0);
    assert_int_equal(histogram_record(h, UINT64_MAX), 0);
    assert_int_equal(histogram_record(h, 1), 0);
    assert_int_equal(histogram_highest_equivalent(h, UINT64_MAX), UINT64_MAX);
    assert_int_equal(histogram_value_at_percentile(h, 100.0), UINT64_MAX);
    assert_int_equal(histogram_value_at_percentile(h, 50.0), 1);
    histogram_destroy(h);
}

static void test_zero(void **state)
{
    (void)state;
    struct histogram *h = make_hour_histogram();
    assert_int_equal(histogram_record(h, 0), 0);
    assert_int_equal(histogram_count(h), 1);
    assert_int_equal(histogram_min(h), 0);
    assert_int_equal(histogram_max(h), 0);
    assert_int_equal(histogram_value_at_percentile(h, 50.0), 0);
    assert_int_equal(histogram_record(h, 5), 0);
    assert_int_equal(histogram_min(h), 0);
    assert_int_equal(histogram_value_at_percentile(h, 0.0), 0);
    assert_int_equal(histogram_value_at_percentile(h, 100.0), 5);
    assert_int_equal(histogram_lowest_equivalent(h, 0), 0);
    assert_int_equal(histogram_highest_equivalent(h, 0), 0);
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    assert_true(histogram_iter_next(&it));
    assert_int_equal(it.value, 0);
    assert_int_equal(it.lowest, 0);
    assert_int_equal(it.count, 1);
    histogram_destroy(h);
}

/* Compares two histograms bucket by bucket through their iterators. */
static void assert_same_buckets(const struct histogram *a, const struct histogram *b)
{
    struct histogram_iter ia, ib;
    histogram_iter_init(&ia, a);
    histogram_iter_init(&ib, b);
    for (;;) {
        bool more_a = histogram_iter_next(&ia), more_b = histogram_iter_next(&ib);
        assert_int_equal(more_a, more_b);
        if (!more_a)
            break;
        assert_int_equal(ia.value, ib.value);
        assert_int_equal(ia.lowest, ib.lowest);
        assert_int_equal(ia.count, ib.count);
        assert_int_equal(ia.cumulative, ib.cumulative);
    }
}

static void test_merge(void **state)
{
    (void)state;
    struct histogram *a = make_hour_histogram(), *b = make_hour_histogram();
    struct histogram *all = make_hour_histogram();
    uint64_t rng = 7;
    for (int i = 0; i < 5000; i++) {
        uint64_t v = 1000 + draw_exponential(&rng);
        assert_int_equal(histogram_record(a, v), 0);
        assert_int_equal(histogram_record(all, v), 0);
    }
    /* b reaches both below and above a, so min and max must each come from
     * b. Its draws are >= 2, so the 1 recorded last is its minimum; not 0,
     * which an implementation starting min at 0 would report by accident. */
    for (int i = 0; i < 3000; i++) {
        uint64_t v = 2 + draw_log_uniform(&rng);
        assert_int_equal(histogram_record(b, v), 0);
        assert_int_equal(histogram_record(all, v), 0);
    }
    assert_int_equal(histogram_record(b, 1), 0);
    assert_int_equal(histogram_record(all, 1), 0);
    uint64_t b_max = histogram_max(b);
    assert_cmp(b_max, >, histogram_max(a));

    assert_int_equal(histogram_merge(a, b), 0);
    assert_int_equal(histogram_count(a), 8001);
    assert_int_equal(histogram_min(a), 1);
    assert_int_equal(histogram_max(a), b_max);
    assert_int_equal(histogram_count(b), 3001); /* src is untouched */
    assert_same_buckets(a, all);
    assert_int_equal(histogram_value_at_percentile(a, 99.0),
                     histogram_value_at_percentile(all, 99.0));

    /* Merging an empty histogram changes nothing, in particular not min. */
    struct histogram *empty = make_hour_histogram();
    assert_int_equal(histogram_merge(a, empty), 0);
    assert_int_equal(histogram_count(a), 8001);
    assert_int_equal(histogram_min(a), 1);
    assert_int_equal(histogram_max(a), b_max);
    /* Into an empty one, min and max come over. */
    assert_int_equal(histogram_merge(empty, b), 0);
    assert_int_equal(histogram_min(empty), 1);
    assert_int_equal(histogram_max(empty), b_max);
    assert_same_buckets(empty, b);
    histogram_destroy(empty);

    struct histogram *other_digits = NULL, *other_range = NULL;
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 2, &other_digits), 0);
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS / 2, 3, &other_range), 0);
    assert_int_equal(histogram_record(other_digits, 5), 0);
    assert_int_equal(histogram_record(other_range, 5), 0);
    assert_int_equal(histogram_merge(a, other_digits), -EINVAL);
    assert_int_equal(histogram_merge(a, other_range), -EINVAL);
    assert_int_equal(histogram_merge(other_range, a), -EINVAL);
    assert_int_equal(histogram_count(a), 8001);
    assert_int_equal(histogram_count(other_range), 1);
    histogram_destroy(other_digits);
    histogram_destroy(other_range);
    histogram_destroy(a);
    histogram_destroy(b);
    histogram_destroy(all);
}

static void test_reset(void **state)
{
    (void)state;
    struct histogram *h = make_hour_histogram();
    assert_int_equal(histogram_record(h, 10), 0);
    assert_int_equal(histogram_record(h, 5000000), 0);
    histogram_reset(h);
    assert_int_equal(histogram_count(h), 0);
    assert_int_equal(histogram_min(h), 0);
    assert_int_equal(histogram_max(h), 0);
    assert_int_equal(histogram_value_at_percentile(h, 50.0), 0);
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    assert_false(histogram_iter_next(&it));
    assert_int_equal(histogram_significant_digits(h), 3);
    assert_int_equal(histogram_highest_trackable(h), HISTOGRAM_ONE_HOUR_NS);
    /* The old extremes must not survive: 10 < 500 and 5000000 > 700. */
    assert_int_equal(histogram_record(h, 500), 0);
    assert_int_equal(histogram_record(h, 700), 0);
    assert_int_equal(histogram_min(h), 500);
    assert_int_equal(histogram_max(h), 700);
    assert_int_equal(histogram_count(h), 2);
    assert_int_equal(histogram_value_at_percentile(h, 50.0), 500);
    histogram_destroy(h);
}

static void test_record_n(void **state)
{
    (void)state;
    struct histogram *once = make_hour_histogram(), *many = make_hour_histogram();
    static const uint64_t values[] = {0, 17, 2047, 2048, 999999, 123456789012};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        uint64_t times = 1 + i * 300;
        assert_int_equal(histogram_record_n(once, values[i], times), 0);
        for (uint64_t t = 0; t < times; t++)
            assert_int_equal(histogram_record(many, values[i]), 0);
    }
    assert_int_equal(histogram_count(once), histogram_count(many));
    assert_int_equal(histogram_min(once), histogram_min(many));
    assert_int_equal(histogram_max(once), histogram_max(many));
    assert_same_buckets(once, many);
    /* Zero copies record nothing, not even a new extreme. */
    assert_int_equal(histogram_record_n(once, 5, 0), 0);
    assert_int_equal(histogram_record_n(once, 200000000000, 0), 0);
    assert_int_equal(histogram_count(once), histogram_count(many));
    assert_int_equal(histogram_min(once), 0);
    assert_int_equal(histogram_max(once), 123456789012);
    histogram_destroy(once);
    histogram_destroy(many);
}

static void test_iteration(void **state)
{
    (void)state;
    struct histogram *h = make_hour_histogram();
    uint64_t rng = 99;
    for (int i = 0; i < 20000; i++)
        assert_int_equal(histogram_record(h, 1001 + draw_pareto(&rng)), 0);
    /* Draws are >= 3001, so 3001 is the minimum; it sits mid-bucket (width
     * 2 from 2048), so an unclamped first lowest would be 3000. */
    assert_int_equal(histogram_record(h, 3001), 0);
    assert_int_equal(histogram_lowest_equivalent(h, 3001), 3000);
    struct histogram_iter it;
    histogram_iter_init(&it, h);
    uint64_t sum = 0, previous_value = 0, previous_cumulative = 0, buckets = 0;
    uint64_t first_lowest = 0, last_value = 0;
    while (histogram_iter_next(&it)) {
        assert_cmp(it.count, >, 0);
        sum += it.count;
        assert_int_equal(it.cumulative, sum);
        assert_cmp(it.cumulative, >, previous_cumulative);
        if (buckets > 0)
            assert_cmp(it.lowest, >, previous_value);
        assert_cmp(it.lowest, <=, it.value);
        /* Each bucket is whole except where clamped to the extremes. */
        if (it.lowest != histogram_lowest_equivalent(h, it.value) && it.lowest != histogram_min(h))
            fail_msg("bucket [%" PRIu64 ", %" PRIu64 "]: lowest is neither %" PRIu64
                     " nor the min %" PRIu64,
                     it.lowest, it.value, histogram_lowest_equivalent(h, it.value),
                     histogram_min(h));
        if (it.value != histogram_highest_equivalent(h, it.lowest) && it.value != histogram_max(h))
            fail_msg("bucket [%" PRIu64 ", %" PRIu64 "]: value is neither %" PRIu64
                     " nor the max %" PRIu64,
                     it.lowest, it.value, histogram_highest_equivalent(h, it.lowest),
                     histogram_max(h));
        if (buckets == 0)
            first_lowest = it.lowest;
        previous_value = it.value;
        previous_cumulative = it.cumulative;
        last_value = it.value;
        buckets++;
    }
    assert_int_equal(sum, histogram_count(h));
    assert_int_equal(first_lowest, histogram_min(h));
    assert_int_equal(last_value, histogram_max(h));
    assert_cmp(buckets, >, 100);
    /* Finished iterators stay finished. */
    assert_false(histogram_iter_next(&it));
    histogram_destroy(h);
}

static void test_bad_create_arguments(void **state)
{
    (void)state;
    struct histogram *h = NULL;
    assert_int_equal(histogram_create(0, 3, &h), -EINVAL);
    assert_int_equal(histogram_create(1, 3, &h), -EINVAL);
    assert_int_equal(histogram_create(1000, 0, &h), -EINVAL);
    assert_int_equal(histogram_create(1000, 6, &h), -EINVAL);
    assert_int_equal(histogram_create(1000, -1, &h), -EINVAL);
    assert_null(h);
    assert_int_equal(histogram_create(2, 1, &h), 0);
    assert_non_null(h);
    histogram_destroy(h);
    histogram_destroy(NULL);
}

/* A shared histogram recorded in a fork()ed child is seen by the parent,
 * with its exact min and max: what the runner relies on for its rounds. */
static void test_shared_across_fork(void **state)
{
    (void)state;
    struct histogram *h = NULL;
    assert_int_equal(histogram_create_shared(HISTOGRAM_ONE_HOUR_NS, 3, &h), 0);
    pid_t pid = fork();
    assert_cmp(pid, >=, 0);
    if (pid == 0) {
        histogram_record(h, 7);
        histogram_record_n(h, 123456789, 4);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(histogram_count(h), 5);
    assert_int_equal(histogram_min(h), 7);
    assert_int_equal(histogram_max(h), 123456789);
    /* A private one merges with it like any other. */
    struct histogram *p = NULL;
    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &p), 0);
    assert_int_equal(histogram_merge(p, h), 0);
    assert_int_equal(histogram_count(p), 5);
    histogram_destroy(p);
    histogram_destroy(h);
}

/* Histograms laid end to end in memory the caller owns (the runner's arena):
 * each works on its own, and bad memory is refused. */
static void test_init_in_caller_memory(void **state)
{
    (void)state;
    size_t each = histogram_footprint(HISTOGRAM_ONE_HOUR_NS, 3);
    assert_cmp(each, >, 0);
    assert_int_equal(each % 64, 0);
    assert_int_equal(histogram_footprint(1, 3), 0);
    char *mem = aligned_alloc(64, 2 * each);
    assert_non_null(mem);
    memset(mem, 0, 2 * each);
    struct histogram *a = NULL, *b = NULL;
    assert_int_equal(histogram_init_in(mem, each, HISTOGRAM_ONE_HOUR_NS, 3, &a), 0);
    assert_int_equal(histogram_init_in(mem + each, each, HISTOGRAM_ONE_HOUR_NS, 3, &b), 0);
    histogram_record(a, HISTOGRAM_ONE_HOUR_NS); /* the last slot of a */
    histogram_record(b, 5);
    assert_int_equal(histogram_count(a), 1);
    assert_int_equal(histogram_count(b), 1);
    assert_int_equal(histogram_min(b), 5);
    assert_int_equal(histogram_value_at_percentile(a, 100), HISTOGRAM_ONE_HOUR_NS);
    struct histogram *bad = NULL;
    assert_int_equal(histogram_init_in(mem + 8, each, HISTOGRAM_ONE_HOUR_NS, 3, &bad), -EINVAL);
    assert_int_equal(histogram_init_in(mem, each / 2, HISTOGRAM_ONE_HOUR_NS, 3, &bad), -EINVAL);
    histogram_destroy(a); /* does nothing: the memory is ours */
    histogram_destroy(b);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles_match_sorted_arrays),
        cmocka_unit_test(test_every_rank_matches_sorted_array),
        cmocka_unit_test(test_percentile_rank_is_not_overshot_by_rounding),
        cmocka_unit_test(test_configuration),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_single_value),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_zero),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_record_n),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_bad_create_arguments),
        cmocka_unit_test(test_shared_across_fork),
        cmocka_unit_test(test_init_in_caller_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
