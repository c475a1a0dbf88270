/*
 * Unit tests of harness/analysis/ranktest.c: Mann-Whitney p-values against hand
 * counts of subsets (3 vs 3, 4 vs 4, a tied sample) and against the
 * published critical value for 10 vs 10; the normal approximation against
 * its formula worked by hand; the Hodges-Lehmann estimate and its interval's
 * ranks against brute force; Holm against a worked example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/ranktest.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* 3 vs 3, completely separated: the most extreme of C(6,3) = 20 orders, so
 * p = 2/20 = 0.1, which is also the smallest p these sizes can give. */
static void test_mwu_three_vs_three(void **state)
{
    const double x[] = {1, 2, 3}, y[] = {4, 5, 6};
    struct ranktest_result r;
    (void)state;
    assert_int_equal(ranktest_mwu(x, 3, y, 3, &r), 0);
    assert_true(r.exact);
    assert_near(r.statistic, 9.0, 0);
    assert_near(r.p, 0.1, 1e-12);
    assert_near(r.min_p, 0.1, 1e-12);
    /* The other direction is as extreme. */
    assert_int_equal(ranktest_mwu(y, 3, x, 3, &r), 0);
    assert_near(r.statistic, 0.0, 0);
    assert_near(r.p, 0.1, 1e-12);
}

/* 4 vs 4 separated: 2 / C(8,4) = 2/70. */
static void test_mwu_four_vs_four(void **state)
{
    const double x[] = {1, 2, 3, 4}, y[] = {5, 6, 7, 8};
    struct ranktest_result r;
    (void)state;
    assert_int_equal(ranktest_mwu(x, 4, y, 4, &r), 0);
    assert_near(r.p, 2.0 / 70.0, 1e-12);
}

/* Ties: x = {1,2,2,3}, y = {2,3,3,4}. Midranks 1, 3, 3, 3, 6, 6, 6, 8; y's
 * sum is 3 + 6 + 6 + 8 = 23 (U = 13); of the 70 subsets of four midranks,
 * 10 sum to 23 or more, so p = 2 * 10/70. */
static void test_mwu_ties_exact(void **state)
{
    const double x[] = {1, 2, 2, 3}, y[] = {2, 3, 3, 4};
    struct ranktest_result r;
    (void)state;
    assert_int_equal(ranktest_mwu(x, 4, y, 4, &r), 0);
    assert_true(r.exact);
    assert_near(r.statistic, 13.0, 0);
    assert_near(r.p, 20.0 / 70.0, 1e-12);
}

/* The published critical value of U for n1 = n2 = 10, two-sided 0.05, is 23:
 * U = 23 is significant, U = 24 is not (P(U <= 23) = 0.021629,
 * P(U <= 24) = 0.026213). y[j] = 10 k + 5 (plus j/100, so that no two
 * values tie) lies above k of the x. */
static void test_mwu_table_value_ten_by_ten(void **state)
{
    double x[10], y23[10], y24[10];
    struct ranktest_result r;
    (void)state;
    for (int i = 0; i < 10; i++) {
        x[i] = 10.0 * (i + 1);
        y23[i] = y24[i] = 5.0 + i / 100.0;
    }
    y23[0] = y24[0] = 105.0; /* 10 */
    y23[1] = y24[1] = 106.0; /* + 10 */
    y23[2] = 35.0;           /* + 3 = 23 */
    y24[2] = 45.0;           /* + 4 = 24 */
    assert_int_equal(ranktest_mwu(x, 10, y23, 10, &r), 0);
    assert_near(r.statistic, 23.0, 0);
    assert_near(r.p, 2 * 0.021629, 1e-6);
    assert_cmp(r.p, <, 0.05);
    assert_int_equal(ranktest_mwu(x, 10, y24, 10, &r), 0);
    assert_near(r.statistic, 24.0, 0);
    assert_near(r.p, 2 * 0.026213, 1e-6);
    assert_cmp(r.p, >, 0.05);
}

/* Beyond RANKTEST_EXACT_MAX values: 40 vs 40, y = x + 7, no ties.
 * U = 1055.5 (ties across groups count 1/2), mean 800, variance
 * 1600 * 81 / 12 = 10800, z = (255.5 - 0.5) / sqrt(10800) = 2.45374,
 * p = erfc(z / sqrt 2) = 0.0141193. */
static void test_mwu_normal_approximation(void **state)
{
    double x[40], y[40];
    struct ranktest_result r;
    (void)state;
    for (int i = 0; i < 40; i++) {
        x[i] = i;
        y[i] = i + 7;
    }
    assert_int_equal(ranktest_mwu(x, 40, y, 40, &r), 0);
    assert_false(r.exact);
    assert_near(r.statistic, 1055.5, 1e-9);
    assert_near(r.p, 0.0141193199549, 1e-9);
}

/* With ties: every value twice within each sample. Worked the same way,
 * with the tie term sum(t^3 - t) in the variance: p = 0.0328766. */
static void test_mwu_normal_with_ties(void **state)
{
    double x[40], y[40];
    struct ranktest_result r;
    (void)state;
    for (int i = 0; i < 40; i++) {
        x[i] = i / 2;
        y[i] = i / 2 + 3;
    }
    assert_int_equal(ranktest_mwu(x, 40, y, 40, &r), 0);
    assert_near(r.statistic, 1022.0, 1e-9);
    assert_near(r.p, 0.0328766452884, 1e-9);
}

static void test_mwu_rejects_bad_input(void **state)
{
    const double x[] = {1, NAN};
    struct ranktest_result r;
    (void)state;
    assert_int_equal(ranktest_mwu(x, 0, x, 1, &r), -EINVAL);
    assert_int_equal(ranktest_mwu(x, 2, x, 1, &r), -EINVAL);
}

/* A uniform double in [0, 1000): continuous, so no two differences tie. */
static double uniform(uint64_t *seed)
{
    return (double)(seeded_next(seed) >> 11) * 0x1p-53 * 1000.0;
}

/* The two-sample estimate and interval against sorting every difference
 * by hand; for 10 vs 10 at 95% the interval's rank must be 24, one above
 * the table's critical U of 23. */
static void test_hl_shift_brute_force(void **state)
{
    uint64_t seed = 42;
    (void)state;
    for (int trial = 0; trial < 50; trial++) {
        size_t nx = 2 + seeded_next(&seed) % 12, ny = 2 + seeded_next(&seed) % 12;
        double x[16], y[16], d[256];
        size_t m = 0;
        for (size_t i = 0; i < nx; i++)
            x[i] = uniform(&seed);
        for (size_t j = 0; j < ny; j++)
            y[j] = uniform(&seed) + 50.0;
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < ny; j++)
                d[m++] = y[j] - x[i];
        qsort(d, m, sizeof(d[0]), compare_double);
        double median = m % 2 ? d[m / 2] : 0.5 * (d[m / 2 - 1] + d[m / 2]);
        struct ranktest_shift s;
        assert_int_equal(ranktest_hl_shift(x, nx, y, ny, 0.05, &s), 0);
        assert_near(s.estimate, median, 1e-9);
        if (isfinite(s.low)) {
            /* The interval is a pair of order statistics symmetric in rank. */
            size_t k = 0;
            while (k < m && d[k] < s.low)
                k++;
            assert_near(s.high, d[m - 1 - k], 1e-9);
            assert_cmp(s.coverage, >=, 0.95);
        }
    }

    double x[10], y[10], d[100];
    for (int i = 0; i < 10; i++) {
        x[i] = i;
        y[i] = 100.0 * (i + 1); /* all differences distinct */
    }
    size_t m = 0;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++)
            d[m++] = y[j] - x[i];
    qsort(d, m, sizeof(d[0]), compare_double);
    struct ranktest_shift s;
    assert_int_equal(ranktest_hl_shift(x, 10, y, 10, 0.05, &s), 0);
    assert_near(s.low, d[23], 0);  /* the 24th smallest */
    assert_near(s.high, d[76], 0); /* the 24th largest */
    assert_near(s.coverage, 1.0 - 2 * 0.021629, 1e-5);
}

/* 3 vs 3 cannot give a 95% interval: P(U = 0) = 1/20 > 0.025. */
static void test_hl_shift_too_few(void **state)
{
    const double x[] = {1, 2, 3}, y[] = {4, 5, 6};
    struct ranktest_shift s;
    (void)state;
    assert_int_equal(ranktest_hl_shift(x, 3, y, 3, 0.05, &s), 0);
    assert_near(s.estimate, 3.0, 0);
    assert_true(isinf(s.low));
    assert_cmp(s.low, <, 0);
    assert_true(isinf(s.high));
    assert_cmp(s.high, >, 0);
    /* 4 vs 4 can: P(U = 0) = 1/70; the interval is [min, max]. */
    const double x4[] = {1, 2, 3, 4}, y4[] = {5, 6, 7, 8};
    assert_int_equal(ranktest_hl_shift(x4, 4, y4, 4, 0.05, &s), 0);
    assert_near(s.low, 1.0, 0);
    assert_near(s.high, 7.0, 0);
}

/* The one-sample (paired) estimate and its signed-rank interval, worked by
 * enumerating all 2^n sign patterns: for 1..6, P(T = 0) = 1/64 <= 0.025 <
 * P(T <= 1) = 2/64, so the interval is the extreme Walsh averages at
 * 1 - 2/64; for n = 10, the table's critical T of 8 gives the 9th Walsh
 * average from each end at 1 - 2 * 25/1024; five values give none. */
static void test_signed_hl_exact(void **state)
{
    const double six[] = {1, 2, 3, 4, 5, 6};
    const double ten[] = {0.3, -0.1, 0.5, 0.2, 0.4, 0.1, 0.6, -0.2, 0.35, 0.25};
    struct ranktest_shift s;
    (void)state;
    assert_int_equal(ranktest_signed_hl(six, 6, 0.05, &s), 0);
    assert_near(s.estimate, 3.5, 1e-12);
    assert_near(s.low, 1.0, 0);
    assert_near(s.high, 6.0, 0);
    assert_near(s.coverage, 0.96875, 1e-12);
    assert_int_equal(ranktest_signed_hl(ten, 10, 0.05, &s), 0);
    assert_near(s.estimate, 0.25, 1e-12);
    assert_near(s.low, 0.05, 1e-12);
    assert_near(s.high, 0.425, 1e-12);
    assert_near(s.coverage, 0.951171875, 1e-12);
    assert_int_equal(ranktest_signed_hl(six, 5, 0.05, &s), 0);
    assert_near(s.estimate, 3.0, 1e-12);
    assert_true(isinf(s.low) && isinf(s.high));
    assert_int_equal(ranktest_signed_hl(six, 0, 0.05, &s), -EINVAL);
    const double nan_in[] = {1, NAN};
    assert_int_equal(ranktest_signed_hl(nan_in, 2, 0.05, &s), -EINVAL);
}

/* Past RANKTEST_EXACT_MAX the rank comes from the normal approximation:
 * for 0..60, 1891 Walsh averages, k = floor(945.5 - 1.96 * sqrt(61 * 62 *
 * 123 / 24)) = 672, the 672nd from each end: 25 and 35 around 30. */
static void test_signed_hl_normal(void **state)
{
    double d[61];
    struct ranktest_shift s;
    (void)state;
    for (int i = 0; i < 61; i++)
        d[i] = i;
    assert_int_equal(ranktest_signed_hl(d, 61, 0.05, &s), 0);
    assert_near(s.estimate, 30.0, 0);
    assert_near(s.low, 25.0, 0);
    assert_near(s.high, 35.0, 0);
}

/* Holm by hand: p = .01 .04 .03 .005 sorted is .005 .01 .03 .04, scaled by
 * 4 3 2 1 to .02 .03 .06 .04, made monotone: .02 .03 .06 .06. */
static void test_holm_worked_example(void **state)
{
    const double p[] = {0.01, 0.04, 0.03, 0.005};
    double adjusted[4];
    (void)state;
    assert_int_equal(ranktest_holm(p, 4, adjusted), 0);
    assert_near(adjusted[0], 0.03, 1e-12);
    assert_near(adjusted[1], 0.06, 1e-12);
    assert_near(adjusted[2], 0.06, 1e-12);
    assert_near(adjusted[3], 0.02, 1e-12);
    /* Capped at 1, and in place. */
    double q[] = {0.5, 0.6};
    assert_int_equal(ranktest_holm(q, 2, q), 0);
    assert_near(q[0], 1.0, 0);
    assert_near(q[1], 1.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mwu_three_vs_three),
        cmocka_unit_test(test_mwu_four_vs_four),
        cmocka_unit_test(test_mwu_ties_exact),
        cmocka_unit_test(test_mwu_table_value_ten_by_ten),
        cmocka_unit_test(test_mwu_normal_approximation),
        cmocka_unit_test(test_mwu_normal_with_ties),
        cmocka_unit_test(test_mwu_rejects_bad_input),
        cmocka_unit_test(test_hl_shift_brute_force),
        cmocka_unit_test(test_hl_shift_too_few),
        cmocka_unit_test(test_signed_hl_exact),
        cmocka_unit_test(test_signed_hl_normal),
        cmocka_unit_test(test_holm_worked_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
