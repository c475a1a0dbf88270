/*
 * Unit tests of harness/analysis/history.c on seeded synthetic series as
 * the store returns them (runs with their medians and round medians): the
 * issue's check in miniature (4 runs, then 4 three times slower: one
 * change, at run 5, ratio about 3), changes within the threshold dropped
 * and their segments merged, runs without round medians, the CI gate
 * (fires once, at the run that makes a slowdown visible, never for a
 * speed-up), and the false alarms over series of 8 runs without a step,
 * counted exactly for the seeds used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "analysis/history.h"

#define MAX_RUNS   128
#define MAX_ROUNDS 10

/* A series in static storage: runs of `rounds` rounds each. */
struct fixture {
    struct store_series series;
    struct store_point points[MAX_RUNS];
    uint64_t rounds[MAX_RUNS][MAX_ROUNDS];
    char machine[32], name[32], scenario[32];
};

/* Run i's level is level[i] (ns); the run's state moves it by run_sd
 * (log), each round by round_sd around that. rounds 0: no round medians
 * (a results.json written before procbench kept them). */
static void make(struct fixture *f, const double *level, size_t runs, size_t rounds, double run_sd,
                 double round_sd, uint64_t *rng)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->machine, sizeof(f->machine), "host, cpu, 2 CPUs, 8 GiB");
    snprintf(f->name, sizeof(f->name), "spawn.pool{placement=same}");
    snprintf(f->scenario, sizeof(f->scenario), "spawn.pool");
    f->series.machine = f->machine;
    f->series.name = f->name;
    f->series.scenario = f->scenario;
    f->series.points = f->points;
    f->series.count = runs;
    for (size_t i = 0; i < runs; i++) {
        struct store_point *p = &f->points[i];
        double run_level = log(level[i]) + run_sd * seeded_normal(rng);
        double v[MAX_ROUNDS];
        for (size_t k = 0; k < rounds; k++) {
            v[k] = exp(run_level + round_sd * seeded_normal(rng));
            f->rounds[i][k] = (uint64_t)llround(v[k]);
        }
        p->run_id = (int64_t)i + 1;
        p->started_unix_ns = (uint64_t)(i + 1) * 1000000000u;
        p->round_p50_ns = rounds ? f->rounds[i] : NULL;
        p->round_count = rounds;
        p->p50_ns = (uint64_t)llround(exp(run_level));
        p->p50_ci_low_ns = p->p50_ns - p->p50_ns / 50;
        p->p50_ci_high_ns = p->p50_ns + p->p50_ns / 50;
    }
}

static void describe(const struct history_result *r, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < r->change_count; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), " run %zu x%.3f [%.3f, %.3f] p %.4f",
                 r->changes[i].run, r->changes[i].ratio, r->changes[i].ratio_low,
                 r->changes[i].ratio_high, r->changes[i].p);
}

static void expect_runs(const struct history_result *r, const size_t *want, size_t count)
{
    char got[512];
    describe(r, got, sizeof(got));
    if (r->change_count != count)
        fail_msg("changes:%s; expected %zu", got, count);
    for (size_t i = 0; i < count; i++) {
        if (r->changes[i].run != want[i])
            fail_msg("changes:%s; expected change %zu at run %zu", got, i, want[i]);
    }
}

static const struct history_options five_percent = {.threshold = 0.05};

/* The check, synthetic: 8 runs of 3 rounds, the last 4 three
 * times slower, run-to-run noise 5%, rounds 3%: one change, at run 5,
 * its ratio near 3 inside its interval. */
static void test_three_times_slower_at_five(void **state)
{
    (void)state;
    static struct fixture f;
    uint64_t rng = 19;
    double level[8];
    for (size_t i = 0; i < 8; i++)
        level[i] = i >= 4 ? 30000 : 10000;
    for (int trial = 0; trial < 50; trial++) {
        make(&f, level, 8, 3, 0.05, 0.03, &rng);
        struct history_result r;
        assert_int_equal(history_analyse(&f.series, &five_percent, &r), 0);
        expect_runs(&r, (const size_t[]){5}, 1);
        const struct history_change *c = &r.changes[0];
        assert_true(c->ratio > 2.5 && c->ratio < 3.6);
        assert_true(c->ratio_low <= c->ratio && c->ratio <= c->ratio_high);
        assert_true(c->ratio_low > 2.0 && c->ratio_high < 4.5);
        history_result_free(&r);
    }
}

/* A 3% step with very little noise is real, but within a 5% threshold:
 * not reported; with 1% it is. Beside a 50% step, the small one is
 * dropped and the big one measured against the merged segment. */
static void test_threshold(void **state)
{
    (void)state;
    static struct fixture f;
    uint64_t rng = 23;
    double level[40];
    for (size_t i = 0; i < 20; i++)
        level[i] = i >= 10 ? 10300 : 10000;
    make(&f, level, 20, 5, 0.002, 0.001, &rng);
    struct history_result r;
    assert_int_equal(history_analyse(&f.series, &five_percent, &r), 0);
    expect_runs(&r, NULL, 0);
    history_result_free(&r);
    struct history_options one_percent = {.threshold = 0.01};
    assert_int_equal(history_analyse(&f.series, &one_percent, &r), 0);
    expect_runs(&r, (const size_t[]){11}, 1);
    assert_true(fabs(r.changes[0].ratio - 1.03) < 0.005);
    history_result_free(&r);

    for (size_t i = 0; i < 30; i++)
        level[i] = i >= 20 ? 15450 : i >= 10 ? 10300 : 10000;
    make(&f, level, 30, 5, 0.002, 0.001, &rng);
    assert_int_equal(history_analyse(&f.series, &one_percent, &r), 0);
    expect_runs(&r, (const size_t[]){11, 21}, 2);
    assert_true(fabs(r.changes[1].ratio - 1.5) < 0.01);
    history_result_free(&r);
    assert_int_equal(history_analyse(&f.series, &five_percent, &r), 0);
    expect_runs(&r, (const size_t[]){21}, 1);
    /* Against runs 1-20 (their median straddles both levels), not 11-20. */
    assert_true(r.changes[0].ratio > 1.5 && r.changes[0].ratio < 1.56);
    history_result_free(&r);
}

/* Old results without round medians: each run counts with its median. */
static void test_runs_without_rounds(void **state)
{
    (void)state;
    static struct fixture f;
    uint64_t rng = 29;
    double level[12];
    for (size_t i = 0; i < 12; i++)
        level[i] = i >= 6 ? 20000 : 10000;
    make(&f, level, 12, 0, 0.03, 0, &rng);
    struct history_result r;
    assert_int_equal(history_analyse(&f.series, &five_percent, &r), 0);
    expect_runs(&r, (const size_t[]){7}, 1);
    assert_true(fabs(r.changes[0].ratio - 2.0) < 0.2);
    /* 6 medians against 6: an interval exists (2/C(12,6) is below 0.05). */
    assert_true(r.changes[0].ratio_low > 0 && isfinite(r.changes[0].ratio_high));
    history_result_free(&r);
}

/* Series of one run or none: nothing to find. */
static void test_short(void **state)
{
    (void)state;
    static struct fixture f;
    uint64_t rng = 31;
    double level[1] = {1000};
    make(&f, level, 1, 3, 0.05, 0.03, &rng);
    struct history_result r;
    assert_int_equal(history_analyse(&f.series, &five_percent, &r), 0);
    assert_int_equal(r.change_count, 0);
    bool fires = true;
    const struct history_change *c;
    assert_int_equal(history_gate(&f.series, &five_percent, &r, &fires, &c), 0);
    assert_false(fires);
    history_result_free(&r);
}

static bool gate(struct fixture *f, const double *level, size_t runs, uint64_t *rng, size_t *run)
{
    make(f, level, runs, 3, 0.02, 0.02, rng);
    struct history_result r;
    assert_int_equal(history_analyse(&f->series, &five_percent, &r), 0);
    bool fires = false;
    const struct history_change *c = NULL;
    assert_int_equal(history_gate(&f->series, &five_percent, &r, &fires, &c), 0);
    *run = c != NULL ? c->run : 0;
    history_result_free(&r);
    return fires;
}

/* The gate fires once, at the first run that shows a slowdown. */
static void test_gate(void **state)
{
    (void)state;
    static struct fixture f;
    static double level[MAX_RUNS];
    size_t run = 0;
    uint64_t rng = 37;
    /* 79 runs, then one twice as slow: that run alone starts the change. */
    for (size_t i = 0; i < 80; i++)
        level[i] = i == 79 ? 20000 : 10000;
    assert_true(gate(&f, level, 80, &rng, &run));
    assert_int_equal(run, 80);
    /* 10 runs, then slow ones: one alone cannot be told from an outlier
     * (p >= 2/11); the second shows the change, from run 11, and fires;
     * the third finds it again and does not. */
    for (size_t i = 0; i < 13; i++)
        level[i] = i >= 10 ? 20000 : 10000;
    assert_false(gate(&f, level, 11, &rng, &run));
    assert_true(gate(&f, level, 12, &rng, &run));
    assert_int_equal(run, 11);
    assert_false(gate(&f, level, 13, &rng, &run));
    assert_int_equal(run, 11);
    /* A speed-up never fires. */
    for (size_t i = 0; i < 12; i++)
        level[i] = i >= 10 ? 5000 : 10000;
    assert_false(gate(&f, level, 12, &rng, &run));
    assert_int_equal(run, 0);
}

/* The unslowed case of the check: 8 runs without a step (run
 * noise 5%, rounds 3%, one run in twenty 10-50% slow). How many of 1000
 * such series report a change at the default threshold? */
static void test_false_alarms_eight_runs(void **state)
{
    (void)state;
    static struct fixture f;
    uint64_t rng = 41;
    double level[8];
    size_t alarms = 0;
    for (int s = 0; s < 1000; s++) {
        for (size_t i = 0; i < 8; i++)
            level[i] =
                seeded_uniform(&rng) < 0.05 ? 10000 * (1.1 + 0.4 * seeded_uniform(&rng)) : 10000;
        make(&f, level, 8, 3, 0.05, 0.03, &rng);
        /* Another case name per series: another stream of shuffles. */
        snprintf(f.name, sizeof(f.name), "case%d", s);
        struct history_result r;
        assert_int_equal(history_analyse(&f.series, &five_percent, &r), 0);
        alarms += r.change_count > 0;
        history_result_free(&r);
    }
    print_message("series of 8 runs without a step: %zu of 1000 report a change\n", alarms);
    assert_true(alarms <= 71);
    assert_int_equal(alarms, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_times_slower_at_five),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_runs_without_rounds),
        cmocka_unit_test(test_short),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_false_alarms_eight_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
