/*
 * Tests of the declared analyses (analysis/curves.c) against values worked
 * out by hand in the comments: the Theil-Sen slope and Sen's interval, the
 * break-even task length (the ratio to a partner is round_ratio.c's, tested
 * in test_round_ratio.c), and
 * curves_compute() finding the right group and partners in a run of the
 * spawn family, which declares all three (bench/spawn_common.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cases.h"
#include "analysis/curves.h"
#include "spawn_common.h"

/* Six points, two per x:
 *   (0,10) (0,12) (1,20) (1,23) (2,31) (2,30)
 * The 12 pairs with different x have slopes
 *   x 0-1: 10 13 8 11    x 1-2: 11 10 8 7    x 0-2: 10.5 10 9.5 9
 * sorted: 7 8 8 9 9.5 10 10 10 10.5 11 11 13; median (6th, 7th) = 10.
 * Var S = (6*5*17 - 3 * 2*1*9) / 18 = (510 - 54) / 18 = 25.333 (ties in x
 * only; the joint terms vanish with no ties in y); C = 1.95996 * 5.0332 =
 * 9.8650; M1 = floor((12 - 9.865) / 2) = 1, M2 = ceil((12 + 9.865) / 2) + 1
 * = 12: the interval is [7, 13]. */
static void test_theil_sen_by_hand(void **state)
{
    (void)state;
    const double x[] = {0, 0, 1, 1, 2, 2};
    const double y[] = {10, 12, 20, 23, 31, 30};
    struct curves_estimate e;
    assert_int_equal(curves_theil_sen(x, y, 6, 0.05, &e), 0);
    assert_near(e.value, 10, 1e-12);
    assert_near(e.low, 7, 1e-12);
    assert_near(e.high, 13, 1e-12);
}

/* A wider level narrows the interval: at alpha 0.5, C = 0.67449 * 5.0332 =
 * 3.3949, M1 = floor(4.30) = 4, M2 = ceil(7.70) + 1 = 9: [9, 10.5]. */
static void test_theil_sen_level(void **state)
{
    (void)state;
    const double x[] = {0, 0, 1, 1, 2, 2};
    const double y[] = {10, 12, 20, 23, 31, 30};
    struct curves_estimate e;
    assert_int_equal(curves_theil_sen(x, y, 6, 0.5, &e), 0);
    assert_near(e.low, 9, 1e-12);
    assert_near(e.high, 10.5, 1e-12);
}

/* An exact line: every pairwise slope is 2.5, so are the bounds. Three
 * points only: 3 slopes, Var S = 3*2*11/18 = 3.667, C = 3.753, M1 =
 * floor(-0.38) = -1: too few for an interval. A flat set: slope 0. One x:
 * no slope at all. */
static void test_theil_sen_edges(void **state)
{
    (void)state;
    struct curves_estimate e;
    const double x3[] = {0, 1, 2}, y3[] = {1, 3.5, 6};
    assert_int_equal(curves_theil_sen(x3, y3, 3, 0.05, &e), 0);
    assert_near(e.value, 2.5, 1e-12);
    assert_true(isnan(e.low) && isnan(e.high));

    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i % 5;
        y[i] = 100 + 2.5 * x[i];
    }
    assert_int_equal(curves_theil_sen(x, y, 20, 0.05, &e), 0);
    assert_near(e.value, 2.5, 1e-12);
    assert_near(e.low, 2.5, 1e-12);
    assert_near(e.high, 2.5, 1e-12);
    for (int i = 0; i < 20; i++)
        y[i] = 7;
    assert_int_equal(curves_theil_sen(x, y, 20, 0.05, &e), 0);
    assert_near(e.value, 0, 1e-12);

    const double same_x[] = {1, 1, 1}, any_y[] = {1, 2, 3};
    assert_int_equal(curves_theil_sen(same_x, any_y, 3, 0.05, &e), 0);
    assert_true(isnan(e.value));
    const double bad_y[] = {1, NAN, 3};
    assert_int_equal(curves_theil_sen(x3, bad_y, 3, 0.05, &e), -EINVAL);
}

/* Var S = [n(n-1)(2n+5) - Sx t(t-1)(2t+5) - Sy u(u-1)(2u+5)] / 18
 *       + Sx t(t-1)(t-2) * Sy u(u-1)(u-2) / [9n(n-1)(n-2)]
 *       + Sx t(t-1) * Sy u(u-1) / [2n(n-1)].
 * No ties, n = 5: 5*4*15/18 = 16.667. x = {0,0,0,1}, y = {1,1,1,2}: one
 * group of 3 in each: (156 - 66 - 66)/18 + 6*6/216 + 6*6/24 = 1.3333 +
 * 0.16667 + 1.5 = 3. x = {0,0,1,1}, y = {5,5,6,6}: (156 - 36 - 36)/18 + 0 +
 * 4*4/24 = 5.3333. */
static void test_kendall_variance(void **state)
{
    (void)state;
    const double a[] = {1, 2, 3, 4, 5}, b[] = {2, 1, 4, 3, 5};
    assert_near(curves_kendall_s_variance(a, b, 5), 50.0 / 3.0, 1e-12);
    const double x3[] = {0, 0, 0, 1}, y3[] = {1, 1, 1, 2};
    assert_near(curves_kendall_s_variance(x3, y3, 4), 3.0, 1e-12);
    const double x2[] = {0, 0, 1, 1}, y2[] = {5, 5, 6, 6};
    assert_near(curves_kendall_s_variance(x2, y2, 4), 16.0 / 3.0, 1e-12);
}

/* S = 500 us per spawned task, D = 20 us per pool dispatch: the pool saves
 * (S - D) / (S + T) >= 10% while T <= 10 * 480 - 500 = 4300 us. */
static void test_break_even(void **state)
{
    (void)state;
    assert_near(curves_break_even_ns(500000, 20000, 0.10), 4300000, 1e-6);
    /* A pool no cheaper than spawning never saves 10%. */
    assert_near(curves_break_even_ns(20000, 20000, 0.10), 0, 0);
    assert_near(curves_break_even_ns(20000, 19000, 0.10), 0, 0);
    assert_true(isnan(curves_break_even_ns(0, 19000, 0.10)));
}

/* ---- a whole run ------------------------------------------------------ */

static struct run_results run;
static struct case_def defs[16];
static struct case_result cases[16];
static struct round_record rounds[64];

/* Case i: scenario at rss, with `rounds_per` rounds whose medians are
 * base + slope * rss_gib + k (k = 0, 1, ...). */
static void add_case(size_t i, const char *scenario, const char *settings, double base,
                     double slope_per_gib, size_t rounds_per)
{
    const char *filters[1];
    char filter[64];
    snprintf(filter, sizeof(filter), "^%s$", scenario);
    filters[0] = filter;
    struct param_override overrides[8];
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", settings);
    size_t n = 0;
    for (char *save = NULL, *kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        overrides[n++] = (struct param_override){kv, eq + 1};
    }
    struct case_selection sel = {
        .filters = filters, .filter_count = 1, .overrides = overrides, .override_count = n};
    struct case_def *out = NULL;
    size_t count = 0;
    char err[256];
    if (cases_expand(&sel, &out, &count, err, sizeof(err)) != 0 || count != 1)
        fail_msg("%s %s: %s (%zu cases)", scenario, settings, err, count);
    defs[i] = out[0];
    free(out);
    struct case_result *c = &cases[i];
    memset(c, 0, sizeof(*c));
    c->def = defs[i];
    c->status = CASE_OK;
    double gib = 0;
    for (size_t p = 0; p < c->def.param_count; p++) {
        if (strcmp(c->def.scenario->params[p].name, "rss") == 0)
            gib = (double)c->def.params[p].number / 1073741824.0;
    }
    for (size_t k = 0; k < rounds_per; k++) {
        rounds[run.round_count++] =
            (struct round_record){.case_index = i,
                                  .round = (uint32_t)k,
                                  .n = 10,
                                  .p50_ns = (uint64_t)(base + slope_per_gib * gib + (double)k)};
    }
    uint64_t p50 = (uint64_t)(base + slope_per_gib * gib + (double)(rounds_per / 2));
    c->stats = (struct stats){
        .n = 10 * rounds_per, .p50_ns = p50, .p50_ci_low_ns = p50 - 1, .p50_ci_high_ns = p50 + 1};
    c->rounds = rounds_per;
}

static void test_compute(void **state)
{
    (void)state;
    memset(&run, 0, sizeof(run));
    run.cases = cases;
    run.rounds = rounds;
    /* fork_exec at three sizes, 1 ms + 2 ms/GiB; posix_spawn at the same
     * sizes, flat at 500 us; fork_only (no target: matched with
     * target=static) at 0; a pool; and a fork_exec with threads=1 in a
     * group of its own. */
    add_case(0, "spawn.fork_exec", "target=static;rss=0", 1000000, 2000000, 5);
    add_case(1, "spawn.fork_exec", "target=static;rss=1G", 1000000, 2000000, 5);
    add_case(2, "spawn.fork_exec", "target=static;rss=2G", 1000000, 2000000, 5);
    add_case(3, "spawn.posix_spawn", "target=static;rss=0", 500000, 0, 5);
    add_case(4, "spawn.posix_spawn", "target=static;rss=1G", 500000, 0, 5);
    add_case(5, "spawn.posix_spawn", "target=static;rss=2G", 500000, 0, 5);
    add_case(6, "spawn.fork_only", "rss=0", 250000, 0, 5);
    add_case(7, "spawn.pool", "rss=0", 20000, 0, 5);
    add_case(8, "spawn.fork_exec", "target=static;rss=0;threads=1", 1000000, 0, 5);
    add_case(9, "spawn.fork_exec", "target=dynamic;rss=0", 1200000, 0, 5);
    cases[9].status = CASE_SKIPPED; /* never measured: no figures */
    run.case_count = 10;
    assert_int_equal(curves_compute(&run), 0);

    /* Every pair within the group has slope exactly 2 ms/GiB except the
     * ones between rounds with different offsets k, which tilt by up to
     * 4 ns/GiB; the median stays 2 ms/GiB. */
    for (size_t i = 0; i < 3; i++) {
        assert_near(cases[i].analysis[SPAWN_ANALYSIS_RSS_SLOPE].value, 2000000, 1e-6);
        const struct case_analysis *slope = &cases[i].analysis[SPAWN_ANALYSIS_RSS_SLOPE];
        assert_cmp(slope->low, <=, 2000000);
        assert_cmp(slope->low, >, 1999990);
        assert_cmp(slope->high, >=, 2000000);
        assert_cmp(slope->high, <, 2000010);
    }
    for (size_t i = 3; i < 6; i++)
        assert_near(cases[i].analysis[SPAWN_ANALYSIS_RSS_SLOPE].value, 0, 1e-6);
    /* Alone at its size: no slope. */
    assert_true(isnan(cases[6].analysis[SPAWN_ANALYSIS_RSS_SLOPE].value));
    assert_true(isnan(cases[8].analysis[SPAWN_ANALYSIS_RSS_SLOPE].value));

    /* Ratios at each size: (1 ms + 2 ms * gib + k) / (500 us + k). */
    assert_near(cases[0].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value, 2.0, 1e-4);
    assert_near(cases[1].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value, 6.0, 1e-4);
    assert_near(cases[2].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value, 10.0, 1e-4);
    /* Five rounds a side pair into five, one short of a signed-rank
     * interval: the medians' intervals give [3000001 / 500003, 3000003 /
     * 500001], widened to the pairs' ratios (3000000 + k) / (500000 + k),
     * k = 0..4 (round_ratio.h): [3000004 / 500004, 6]. */
    assert_near(cases[1].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].low, 3000004.0 / 500004.0, 1e-12);
    assert_near(cases[1].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].high, 6.0, 1e-12);
    assert_near(cases[6].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value, 0.5, 1e-4);
    assert_true(
        isnan(cases[3].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value)); /* posix_spawn itself */
    assert_true(isnan(cases[8].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value)); /* no posix_spawn
                                                                                   with threads=1 */
    assert_true(isnan(cases[9].analysis[SPAWN_ANALYSIS_VS_POSIX_SPAWN].value)); /* skipped */

    /* Break-even with the pool (20002 ns median) at rss=0 only. */
    assert_near(cases[0].analysis[SPAWN_ANALYSIS_POOL_BREAK_EVEN].value,
                10.0 * (1000002 - 20002) - 1000002, 1e-6);
    assert_near(cases[3].analysis[SPAWN_ANALYSIS_POOL_BREAK_EVEN].value,
                10.0 * (500002 - 20002) - 500002, 1e-6);
    assert_true(isnan(cases[1].analysis[SPAWN_ANALYSIS_POOL_BREAK_EVEN].value));
    assert_true(isnan(cases[7].analysis[SPAWN_ANALYSIS_POOL_BREAK_EVEN].value));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theil_sen_by_hand), cmocka_unit_test(test_theil_sen_level),
        cmocka_unit_test(test_theil_sen_edges),
        cmocka_unit_test(test_break_even),
        cmocka_unit_test(test_compute),           cmocka_unit_test(test_kendall_variance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
