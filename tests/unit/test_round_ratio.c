/*
 * Tests of the ratio of two cases of one run (analysis/round_ratio.c), which
 * vs_posix_spawn and `procbench check` share, against values worked out by
 * hand in the comments: rounds paired by pass, the fallback on the medians'
 * intervals when the pairs are too few, the cases with nothing to pair, and
 * cases of two runs, compared unpaired.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <math.h>
#include <string.h>

#include "analysis/round_ratio.h"

/* round_ratio(a, b, same_run) must give value [low, high] from method. */
static void expect_ratio(const struct ratio_side *a, const struct ratio_side *b, bool same_run,
                         double value, double low, double high, const char *method)
{
    struct round_ratio r;
    assert_int_equal(round_ratio(a, b, same_run, &r), 0);
    assert_near(r.value, value, 1e-9);
    assert_near(r.low, low, 1e-9);
    assert_near(r.high, high, 1e-9);
    assert_string_equal(r.method, method);
}

/* The machine flips between a fast and a slow state from pass to pass (the
 * reference takes 100 then 200 ns) and the case follows it: per pass the
 * ratios are 1.5 1.6 1.7 1.7 1.6 1.8. The 21 Walsh averages of their logs
 * have as median the 11th, the mean of log 1.6 and log 1.7: the ratio is
 * sqrt(1.6 * 1.7). Six pairs: P(T = 0) = 1/64 <= 0.025 < 2/64, so the
 * interval is the extremes, [1.5, 1.8]. Unpaired, the rounds' own spread
 * (150 to 360 against 100 to 200) would swamp the ratio. */
static void test_paired_by_hand(void **state)
{
    (void)state;
    const double ref[] = {100, 200, 100, 200, 100, 200};
    const double mine[] = {150, 320, 170, 340, 160, 360};
    struct ratio_side a = {mine, NULL, 6, 250, 160, 340}, b = {ref, NULL, 6, 150, 100, 200};
    expect_ratio(&a, &b, true, sqrt(1.6 * 1.7), 1.5, 1.8, "paired rounds");
    /* Pairs are taken while both have rounds: a seventh round of one side
     * changes nothing. */
    const double more[] = {150, 320, 170, 340, 160, 360, 9999};
    a.round_p50 = more;
    a.rounds = 7;
    expect_ratio(&a, &b, true, sqrt(1.6 * 1.7), 1.5, 1.8, "paired rounds");
    /* Pairs go by the rounds' numbers: the same six pairs with a seventh
     * round of the reference (3) that the case lacks (it had no samples)
     * between them. By place, the case's round 4 would meet the
     * reference's round 3. */
    const double ref7[] = {100, 200, 100, 200, 100, 200, 100};
    const double gapped[] = {150, 320, 170, 170, 320, 180};
    const double gapped_numbers[] = {0, 1, 2, 4, 5, 6};
    struct ratio_side g = {gapped, gapped_numbers, 6, 250, 160, 340},
                      r7 = {ref7, NULL, 7, 150, 100, 200};
    expect_ratio(&g, &r7, true, sqrt(1.6 * 1.7), 1.5, 1.8, "paired rounds");
}

/* Three pairs (--quick) give no 95% interval: the estimate from the pairs
 * (all three 2.0), the interval from the medians', [200 / 125, 240 / 100]. */
static void test_few_pairs_take_median_intervals(void **state)
{
    (void)state;
    const double ref[] = {100, 110, 120};
    const double mine[] = {200, 220, 240};
    struct ratio_side a = {mine, NULL, 3, 220, 200, 240}, b = {ref, NULL, 3, 110, 100, 125};
    expect_ratio(&a, &b, true, 2.0, 200.0 / 125.0, 240.0 / 100.0, "median CIs");
    /* The pairs say 2.4, 2.5 and 2.7 while the medians' interval is [215 /
     * 102, 225 / 98] = [2.108, 2.296]: the interval is widened to take in
     * every pair, to 2.7, and with it the estimate. That is the median of
     * the six Walsh averages of the logs, the mean of log 2.5 and the
     * average of log 2.4 and log 2.7: sqrt(2.5 * sqrt(2.4 * 2.7)). */
    const double slow[] = {240, 250, 270}, base[] = {100, 100, 100};
    struct ratio_side c = {slow, NULL, 3, 220, 215, 225}, d = {base, NULL, 3, 100, 98, 102};
    expect_ratio(&c, &d, true, sqrt(2.5 * sqrt(2.4 * 2.7)), 215.0 / 102.0, 2.7, "median CIs");
}

/* No rounds to pair, or a round median of 0 (no log): the ratio of the
 * medians with their interval; a median of 0: nothing at all. */
static void test_nothing_to_pair(void **state)
{
    (void)state;
    struct ratio_side a = {NULL, NULL, 0, 220, 200, 240}, b = {NULL, NULL, 0, 110, 100, 125};
    expect_ratio(&a, &b, true, 2.0, 200.0 / 125.0, 240.0 / 100.0, "median CIs");
    const double zero[] = {0, 110, 120}, mine[] = {200, 220, 240};
    struct ratio_side c = {mine, NULL, 3, 220, 200, 240}, d = {zero, NULL, 3, 110, 100, 125};
    expect_ratio(&c, &d, true, 2.0, 200.0 / 125.0, 240.0 / 100.0, "median CIs");
    struct round_ratio r;
    b.p50 = 0;
    assert_int_equal(round_ratio(&a, &b, true, &r), 0);
    assert_true(isnan(r.value) && isnan(r.low) && isnan(r.high));
    assert_string_equal(r.method, "");
}

/* Cases of two runs are not paired. Reference rounds all 100 ns, the
 * case's 150..190: the 25 differences of logs are log(1.5) .. log(1.9),
 * five of each; Hodges-Lehmann: the 13th, log(1.7). With 5 against 5 the
 * exact 95% interval is the 3rd to the 23rd difference (P(U <= 2) = 4/252
 * <= 0.025 < P(U <= 3) = 7/252): log(1.5) and log(1.9). Three against
 * three give none: the ratio of the medians, with their intervals'. */
static void test_other_runs_unpaired(void **state)
{
    (void)state;
    const double ref[] = {100, 100, 100, 100, 100};
    const double mine[] = {190, 150, 170, 160, 180};
    struct ratio_side a = {mine, NULL, 5, 170, 150, 190}, b = {ref, NULL, 5, 100, 100, 100};
    expect_ratio(&a, &b, false, 1.7, 1.5, 1.9, "rounds");
    const double ref3[] = {100, 110, 120}, mine3[] = {250, 200, 240};
    struct ratio_side c = {mine3, NULL, 3, 240, 200, 250}, d = {ref3, NULL, 3, 110, 100, 125};
    expect_ratio(&c, &d, false, 240.0 / 110.0, 200.0 / 125.0, 250.0 / 100.0, "median CIs");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paired_by_hand),
        cmocka_unit_test(test_few_pairs_take_median_intervals),
        cmocka_unit_test(test_nothing_to_pair),
        cmocka_unit_test(test_other_runs_unpaired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
