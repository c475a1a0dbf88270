/*
 * The stopping rule and the planner (harness/engine/budget.h) on synthetic
 * cases: exact outcomes, no clock. The rule ends a case at its floors, its
 * target or its ceiling, in that order of precedence; the planner projects
 * each case's remaining time, sizes its next round, narrows the widest
 * intervals first when a time budget cannot afford every target, and still
 * gives every case its floor of rounds when the budget is gone.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/budget.h"
#include "engine/histogram.h"
#include "engine/stats.h"

#define MS 1000000ull

static struct budget_rules rules(void)
{
    return (struct budget_rules){
        .target_pct = 1.0,
        .floor_rounds = 3,
        .min_samples = 10,
        .min_time_ns = 0,
        .max_time_ns = 5000 * MS,
        .round_ns = 40 * MS,
        .round_max_ns = 200 * MS,
        .prior_overhead_ns = 5 * MS,
    };
}

static void test_verdict_order(void **state)
{
    (void)state;
    struct budget_rules r = rules();
    struct budget_case c = {.rounds = 2, .n = 1000, .measured_ns = 80 * MS, .ci_pct = 0.5};
    /* The floor of rounds comes first, even past the ceiling. */
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
    c.measured_ns = 6000 * MS;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
    /* Then the target, then the ceiling. */
    c.rounds = 3;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_TARGET);
    c.ci_pct = 1.0;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_TARGET);
    c.ci_pct = 1.01;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_MAX_TIME);
    c.measured_ns = 120 * MS;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
    /* Fewer than 6 samples have no interval, however narrow it looks. */
    c.ci_pct = 0;
    c.n = 5;
    r.min_samples = 1;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
    /* The floors of samples and time hold the target back. */
    c.n = 9;
    r.min_samples = 10;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
    c.n = 10;
    r.min_time_ns = 200 * MS;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
    c.measured_ns = 200 * MS;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_TARGET);
    /* No target: the floors end it, whatever the interval. */
    r.target_pct = 0;
    c.ci_pct = 50;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_FLOORS);
    c.n = 9;
    assert_int_equal(budget_verdict(&r, &c), CASE_END_NONE);
}

/* Rounds of 1000 samples, the values 1000..1999 once each (recorded
 * exactly: below 2048 a 3-digit histogram has buckets of width 1). After r
 * rounds each value is there r times, so the value at rank k is 1000 +
 * (k - 1) / r: the interval is known without the histogram, and the round
 * at which the rule stops is exact. */
static double expected_ci_pct(uint64_t r)
{
    uint64_t n = 1000 * r, low, high;
    stats_median_ci_ranks(n, &low, &high);
    /* The median is the value at rank ceil(n / 2) (percentile 50). */
    double p50 = 1000.0 + (double)(((n + 1) / 2 - 1) / r);
    double lo = 1000.0 + (double)((low - 1) / r), hi = 1000.0 + (double)((high - 1) / r);
    double below = p50 - lo, above = hi - p50;
    return (below > above ? below : above) / p50 * 100.0;
}

/* Records synthetic rounds until the rule ends the case (at most 50);
 * returns the round it ended at, checking the interval after every round
 * against the closed form. */
static uint64_t rounds_until(double target_pct, enum case_end *why)
{
    struct histogram *h;
    assert_int_equal(histogram_create(3600ull * 1000000000ull, 3, &h), 0);
    struct budget_rules r = rules();
    r.target_pct = target_pct;
    struct budget_case c = {0};
    uint64_t stopped_at = 0;
    for (uint64_t round = 1; round <= 50 && stopped_at == 0; round++) {
        for (uint64_t v = 1000; v < 2000; v++)
            assert_int_equal(histogram_record(h, v), 0);
        struct stats s;
        stats_compute_median(h, &s);
        c.rounds = round;
        c.n = s.n;
        c.measured_ns += 40 * MS;
        c.ci_pct = stats_median_ci_percent(&s);
        assert_true(fabs(c.ci_pct - expected_ci_pct(round)) < 1e-9);
        *why = budget_verdict(&r, &c);
        if (*why != CASE_END_NONE)
            stopped_at = round;
    }
    histogram_destroy(h);
    return stopped_at;
}

static void test_rule_on_synthetic_rounds(void **state)
{
    (void)state;
    enum case_end why;
    /* The interval is 1.96 sqrt(n) / 2 ranks, sqrt(1000 / r) * 0.98 values
     * of the median, 1499, in whole values: 16 above it at round 4
     * (1.07%), 15 at round 5 (1.0007%), 13 at round 6 (0.87%). */
    assert_true(expected_ci_pct(5) > 1.0);
    assert_true(expected_ci_pct(6) <= 1.0);
    assert_int_equal(rounds_until(1.0, &why), 6);
    assert_int_equal(why, CASE_END_TARGET);
    /* Half the interval takes about four times the rounds: 20 (0.467%;
     * 0.534% from 16 to 19). */
    assert_int_equal(rounds_until(0.5, &why), 20);
    assert_int_equal(why, CASE_END_TARGET);
    /* Wider than the floor's interval: the floor of 3 rounds decides. */
    assert_int_equal(rounds_until(5.0, &why), 3);
    assert_int_equal(why, CASE_END_TARGET);
}

/* Without a budget: a case never run gets its floors at the base round
 * time; a case whose interval is twice the target needs three times its
 * sampling so far (four times the samples), in rounds of at most
 * round_max_ns, each costing its overhead. */
static void test_plan_projects_the_target(void **state)
{
    (void)state;
    struct budget_rules r = rules();
    struct budget_case cases[] = {
        {0},
        {.rounds = 3, .n = 3000, .measured_ns = 120 * MS, .overhead_ns = 30 * MS, .ci_pct = 2.0},
        {.rounds = 3, .n = 300, .measured_ns = 4950 * MS, .overhead_ns = 30 * MS, .ci_pct = 2.0},
    };
    struct budget_step steps[3];
    uint64_t total = budget_plan(&r, cases, 3, UINT64_MAX, steps);
    /* 0: three rounds of 40 ms, 5 ms overhead assumed. */
    assert_true(steps[0].run);
    assert_int_equal(steps[0].block_ns, 40 * MS);
    assert_int_equal(steps[0].block_samples, 4); /* ceil(10 / 3) */
    assert_int_equal(steps[0].cost_ns, 3 * 45 * MS);
    /* 1: 360 ms more, in two rounds of 180 ms, 10 ms overhead each. */
    assert_true(steps[1].run);
    assert_int_equal(steps[1].block_ns, 180 * MS);
    assert_int_equal(steps[1].block_samples, 1);
    assert_int_equal(steps[1].cost_ns, 380 * MS);
    /* 2: the ceiling leaves 50 ms. */
    assert_true(steps[2].run);
    assert_int_equal(steps[2].block_ns, 50 * MS);
    assert_int_equal(steps[2].cost_ns, 60 * MS);
    assert_int_equal(total, (135 + 380 + 60) * MS);
}

/* A budget that cannot afford every target: the widest interval is
 * narrowed first; the cases already as narrow as it can be brought stop,
 * and what is planned fits the budget. */
static void test_plan_narrows_the_widest_first(void **state)
{
    (void)state;
    struct budget_rules r = rules();
    struct budget_case cases[] = {
        {.rounds = 3, .n = 1000, .measured_ns = 100 * MS, .ci_pct = 4.0},
        {.rounds = 3, .n = 1000, .measured_ns = 100 * MS, .ci_pct = 1.5},
        {.rounds = 3, .n = 1000, .measured_ns = 100 * MS, .ci_pct = 2.0},
    };
    struct budget_step steps[3];
    /* Every target: 1500 + 125 + 300 ms. Given 500 ms, the common level L
     * with 100 ((4 / L)^2 - 1) + 100 ((2 / L)^2 - 1) = 500 is about 1.69:
     * the 1.5% case is there already and stops, the others narrow. */
    uint64_t total = budget_plan(&r, cases, 3, 500 * MS, steps);
    assert_true(total <= 500 * MS);
    assert_true(total > 450 * MS);
    assert_true(steps[0].run);
    assert_false(steps[1].run);
    assert_true(steps[2].run);
    assert_true(steps[0].cost_ns > steps[2].cost_ns);
    /* Enough for every target: nothing stops. */
    total = budget_plan(&r, cases, 3, 2000 * MS, steps);
    assert_int_equal(total, (1500 + 125 + 300) * MS);
    for (size_t i = 0; i < 3; i++)
        assert_true(steps[i].run);
    /* Nothing left: past their floors, all stop. */
    total = budget_plan(&r, cases, 3, 0, steps);
    assert_int_equal(total, 0);
    for (size_t i = 0; i < 3; i++)
        assert_false(steps[i].run);
}

/* The floors come whatever the budget: with none left, cases that have not
 * had their floor of rounds still run, each round down to its floor of
 * samples (block 0), the samples shared among the rounds left. */
static void test_plan_keeps_the_floors(void **state)
{
    (void)state;
    struct budget_rules r = rules();
    struct budget_case cases[] = {
        {0},
        {.rounds = 1, .n = 4, .measured_ns = 40 * MS, .overhead_ns = 5 * MS, .ci_pct = 9.0},
        {.rounds = 3, .n = 3000, .measured_ns = 120 * MS, .ci_pct = 9.0},
    };
    struct budget_step steps[3];
    uint64_t total = budget_plan(&r, cases, 3, 0, steps);
    assert_true(steps[0].run);
    assert_int_equal(steps[0].block_ns, 0);
    assert_int_equal(steps[0].block_samples, 4);
    assert_true(steps[1].run);
    assert_int_equal(steps[1].block_ns, 0);
    assert_int_equal(steps[1].block_samples, 3); /* 6 missing over 2 rounds */
    assert_false(steps[2].run);
    /* The overheads are all that is left: 3 x 5 ms and 2 x 5 ms, plus the
     * 60 ms the second case's 6 missing samples take at 10 ms each. */
    assert_int_equal(total, (15 + 10 + 60) * MS);
    /* Half of what the floors want (45 ms of overhead, 40 ms a round for
     * 5 rounds): rounds sample (100 - 25) / 200 of 40 ms. */
    cases[1].n = 10;
    total = budget_plan(&r, cases, 3, 125 * MS, steps);
    assert_true(steps[0].run && steps[1].run && !steps[2].run);
    assert_int_equal(steps[0].block_ns, 40 * MS * 100 / 200);
    assert_int_equal(steps[1].block_ns, 40 * MS * 100 / 200);
    assert_true(total <= 125 * MS);
}

/* No target: the floors, and nothing more; a case the rule has not ended
 * but the model sees nothing left for (all its samples failed) gets one
 * more round, so that the rule decides. */
static void test_plan_without_target(void **state)
{
    (void)state;
    struct budget_rules r = rules();
    r.target_pct = 0;
    struct budget_case cases[] = {
        {.rounds = 2, .n = 10, .measured_ns = 80 * MS, .overhead_ns = 10 * MS, .ci_pct = 30},
        {.rounds = 3, .n = 0, .measured_ns = 120 * MS, .overhead_ns = 15 * MS},
    };
    struct budget_step steps[2];
    uint64_t total = budget_plan(&r, cases, 2, UINT64_MAX, steps);
    assert_true(steps[0].run);
    assert_int_equal(steps[0].block_ns, 40 * MS);
    assert_int_equal(steps[0].block_samples, 1);
    assert_true(steps[1].run);
    assert_int_equal(steps[1].block_ns, 40 * MS);
    assert_int_equal(total, (40 + 5 + 40 + 5) * MS);
}

/* The rules of a configuration: --min-time spread over the floor of
 * rounds lengthens a round beyond --round-time. */
static void test_rules_of_config(void **state)
{
    (void)state;
    struct run_config cfg = {.rounds = 5,
                             .min_time_ns = 5000 * MS,
                             .round_ns = 40 * MS,
                             .max_time_ns = 9000 * MS,
                             .ci_target_pct = 2,
                             .min_samples = 7};
    struct budget_rules r = budget_rules_of(&cfg, 3 * MS);
    assert_int_equal(r.round_ns, 1000 * MS);
    assert_int_equal(r.round_max_ns, BUDGET_ROUND_GROWTH * 1000 * MS);
    assert_int_equal(r.floor_rounds, 5);
    assert_int_equal(r.min_samples, 7);
    assert_int_equal(r.prior_overhead_ns, 3 * MS);
    cfg.min_time_ns = 0;
    cfg.rounds = 0;
    r = budget_rules_of(&cfg, 0);
    assert_int_equal(r.round_ns, 40 * MS);
    assert_int_equal(r.floor_rounds, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_order),
        cmocka_unit_test(test_rule_on_synthetic_rounds),
        cmocka_unit_test(test_plan_projects_the_target),
        cmocka_unit_test(test_plan_narrows_the_widest_first),
        cmocka_unit_test(test_plan_keeps_the_floors),
        cmocka_unit_test(test_plan_without_target),
        cmocka_unit_test(test_rules_of_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
