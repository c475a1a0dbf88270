/*
 * `procbench compare` as a detector, on seeded synthetic round medians
 * shaped like the noise of the 2-vCPU VM it was built on, so that its
 * false-alarm rate and its power are properties of the statistics alone,
 * checked with exact counts that the seed reproduces on any machine, at
 * any load. (The same two rates measured with real runs on a real machine
 * are ci/detector's table: a benchmark, never a test.)
 *
 * The noise model, per comparison, follows what ci/regress does: PAIRS runs
 * of each side alternating base, new, new, base, ..., each run ROUNDS
 * rounds of two cases, the rounds of the two cases interleaved as the
 * runner interleaves them. Along that sequence of rounds the machine is in
 * a fast or a slow state, the slow one 20-30% slower (drawn per
 * comparison), switching after each round with a model's probability, so
 * that a state lasts a few rounds and rounds are not independent: every 2
 * rounds on average, every 5, and every 20 (about a whole run, where only
 * the alternation of runs keeps both sides alike). Each round's median
 * also gets a small lognormal jitter, a heavy right tail (Pareto, shape 2:
 * infinite variance) on one round in eight, and on one round in fifty an
 * outlier of 1.5-3x (another process took the CPU for the whole round).
 *
 * Asserted for each model, with compare's defaults (threshold 5%, alpha
 * 0.05), over COMPARISONS comparisons each:
 *   null   a build against itself: at most 5% call either case "regressed";
 *   power  the first case 10% slower on NEW: at least 95% call it
 *          "regressed" and the other case not;
 * and the exact counts the seed gives, so that any change of the detector's
 * statistics shows up as a changed count here, to be explained.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "analysis/compare.h"
#include "read/results_read.h"

#define PAIRS             10 /* runs per side: ci/regress's default -n */
#define ROUNDS            10 /* rounds per run: procbench run's default --rounds */
#define CASES             2
#define COMPARISONS       100 /* per model and kind: 300 null and 300 power in all */
#define SEED              0x5eed2026u

/* The state of checks.h's seeded generator, shared by the whole file. */
static uint64_t rng_state;

/* ---- the synthetic runs --------------------------------------------------- */

static const char *const case_names[CASES] = {"synthetic.slowed{placement=same}",
                                              "synthetic.steady{placement=same}"};
static const double case_base_ns[CASES] = {25000.0, 7000.0};

struct machine {
    bool slow;
    double slow_factor; /* 1.2 to 1.3 */
    double switch_p;    /* chance of changing state after a round */
};

/* The noise models, and the exact counts their seeds give. */
static const struct model {
    const char *name;
    double switch_p;
    size_t false_alarms; /* of COMPARISONS, same build */
    size_t found;        /* of COMPARISONS, 10% slower: flagged, alone */
} models[] = {
    {"state changes every 2 rounds", 0.5, 0, 99},
    {"state changes every 5 rounds", 0.2, 0, 100},
    {"state changes every 20 rounds", 0.05, 1, 97},
};

/* One round's median of a case whose true median is ns. */
static double round_median(struct machine *m, double ns)
{
    double v = ns * (m->slow ? m->slow_factor : 1.0) * exp(0.01 * seeded_normal(&rng_state));
    if (seeded_uniform(&rng_state) < 1.0 / 8.0)
        v *= 1.0 +
             0.02 * (pow(seeded_uniform(&rng_state), -1.0 / 2.0) - 1.0); /* Pareto tail, shape 2 */
    if (seeded_uniform(&rng_state) < 1.0 / 50.0)
        v *= 1.5 + 1.5 * seeded_uniform(&rng_state);
    if (seeded_uniform(&rng_state) < m->switch_p)
        m->slow = !m->slow;
    return v;
}

/* The storage of one side: PAIRS runs of CASES cases of ROUNDS rounds. */
struct side {
    struct stored_run run_storage[PAIRS];
    struct stored_run *runs[PAIRS];
    struct stored_case cases[PAIRS][CASES];
    const struct stored_case *by_name[PAIRS][CASES];
    double rounds[PAIRS][CASES][ROUNDS];
    struct stored_set set;
};

static const struct stored_pair machine_env[] = {
    {"hostname", "synthetic"}, {"cpu_model", "model"}, {"kernel", "6.x"}};

static void side_init(struct side *s)
{
    memset(s, 0, sizeof(*s));
    for (size_t r = 0; r < PAIRS; r++) {
        struct stored_run *run = &s->run_storage[r];
        for (size_t e = 0; e < sizeof(machine_env) / sizeof(machine_env[0]); e++)
            run->env[e] = machine_env[e];
        run->env_count = sizeof(machine_env) / sizeof(machine_env[0]);
        run->cases = s->cases[r];
        run->case_count = CASES;
        run->by_name = s->by_name[r];
        for (size_t c = 0; c < CASES; c++) {
            struct stored_case *sc = &s->cases[r][c];
            sc->scenario = "synthetic";
            sc->name = case_names[c];
            sc->placement = "same";
            sc->status = "ok";
            sc->reason = "";
            sc->has_rounds = true;
            sc->round_p50_ns = s->rounds[r][c];
            sc->round_count = ROUNDS;
            s->by_name[r][c] = sc; /* case_names[] is in name order */
        }
        s->runs[r] = run;
    }
    s->set.path = "synthetic";
    s->set.runs = s->runs;
    s->set.count = PAIRS;
}

/* One run of a side: its rounds, the cases' rounds interleaved. */
static void fill_run(struct side *s, size_t run, struct machine *m, const double *scale)
{
    for (size_t k = 0; k < ROUNDS; k++)
        for (size_t c = 0; c < CASES; c++)
            s->rounds[run][c][k] = round_median(m, case_base_ns[c] * scale[c]);
}

/* What ci/regress would have measured: base, new, new, base, ... with the
 * machine's state carried from each run into the next. */
static void simulate(struct side *base, struct side *cand, double switch_p, double slowdown)
{
    struct machine m = {.slow = seeded_uniform(&rng_state) < 0.5,
                        .slow_factor = 1.2 + 0.1 * seeded_uniform(&rng_state),
                        .switch_p = switch_p};
    const double same[CASES] = {1.0, 1.0}, slowed[CASES] = {1.0 + slowdown, 1.0};
    for (size_t i = 0; i < PAIRS; i++) {
        bool base_first = i % 2 == 0;
        fill_run(base_first ? base : cand, i, &m, base_first ? same : slowed);
        fill_run(base_first ? cand : base, i, &m, base_first ? slowed : same);
    }
}

struct tally {
    size_t slowed_regressed, steady_regressed, any_regressed, flagged_alone;
};

static void compare_many(size_t comparisons, double switch_p, double slowdown, struct tally *t)
{
    static struct side base, cand;
    side_init(&base);
    side_init(&cand);
    const struct compare_options opt = {.threshold = 0.05, .alpha = 0.05};
    memset(t, 0, sizeof(*t));
    for (size_t n = 0; n < comparisons; n++) {
        simulate(&base, &cand, switch_p, slowdown);
        struct compare_report report;
        char err[256];
        if (compare_sets(&base.set, &cand.set, &opt, &report, err, sizeof(err)) != 0)
            fail_msg("compare_sets: %s", err);
        assert_int_equal(report.row_count, CASES);
        bool slowed = report.rows[0].verdict == COMPARE_REGRESSED;
        bool steady = report.rows[1].verdict == COMPARE_REGRESSED;
        assert_string_equal(report.rows[0].name, case_names[0]);
        t->slowed_regressed += slowed;
        t->steady_regressed += steady;
        t->any_regressed += slowed || steady;
        t->flagged_alone += slowed && !steady;
        compare_report_free(&report);
    }
}

static void test_false_alarms(void **state)
{
    (void)state;
    size_t total = 0, wrong = 0;
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        const struct model *m = &models[i];
        rng_state = SEED + 2 * i;
        struct tally t;
        compare_many(COMPARISONS, m->switch_p, 0.0, &t);
        print_message("%s, same build: %zu of %d comparisons called a case regressed "
                      "(%zu + %zu)\n",
                      m->name, t.any_regressed, COMPARISONS, t.slowed_regressed,
                      t.steady_regressed);
        if (t.any_regressed * 20 > COMPARISONS)
            fail_msg("%s: %zu false alarms in %d comparisons, more than 5%%", m->name,
                     t.any_regressed, COMPARISONS);
        wrong += t.any_regressed != m->false_alarms;
        total += t.any_regressed;
    }
    print_message("same build: %zu of %zu comparisons called a case regressed\n", total,
                  COMPARISONS * sizeof(models) / sizeof(models[0]));
    /* Reproducible: the seed gives these counts on any machine. */
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]) && wrong; i++)
        print_error("expected for '%s': %zu\n", models[i].name, models[i].false_alarms);
    assert_int_equal(wrong, 0);
}

static void test_power(void **state)
{
    (void)state;
    size_t wrong = 0;
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
        const struct model *m = &models[i];
        rng_state = SEED + 2 * i + 1;
        struct tally t;
        compare_many(COMPARISONS, m->switch_p, 0.10, &t);
        print_message("%s, 10%% slower: flagged alone in %zu of %d comparisons (%zu regressed, "
                      "%zu false alarms on the steady case)\n",
                      m->name, t.flagged_alone, COMPARISONS, t.slowed_regressed,
                      t.steady_regressed);
        if (t.flagged_alone * 100 < COMPARISONS * 95)
            fail_msg("%s: a 10%% slowdown flagged alone in %zu of %d comparisons, fewer than "
                     "95%%",
                     m->name, t.flagged_alone, COMPARISONS);
        wrong += t.flagged_alone != m->found;
    }
    for (size_t i = 0; i < sizeof(models) / sizeof(models[0]) && wrong; i++)
        print_error("expected for '%s': %zu\n", models[i].name, models[i].found);
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_false_alarms),
        cmocka_unit_test(test_power),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
