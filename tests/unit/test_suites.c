/*
 * What the suites hold, without running them: `procbench run --quick` and
 * the default suite each expand to cases of every family, every claim of
 * the report finds its two cases among them (so no claim is "not measured"
 * for want of a case; the mechanism claim its node.* rows, given the line
 * an observer records), the memory claims at an output large enough to
 * judge, and every rule of ci/expectations matches exactly one case (so
 * `procbench check` can judge a --quick run, as the CI example does). The cases get synthetic
 * samples and rounds, go through the real writer and reader, and the report's own claim matching
 * judges them. The quick suite is also checked to be smaller: trimmed sweeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/check.h"
#include "analysis/curves.h"
#include "engine/cases.h"
#include "engine/histogram.h"
#include "engine/sysinfo.h"
#include "output/writers.h"
#include "read/results_read.h"
#include "report/report_claims.h"

#define ROUNDS 3

/* Writes a run of defs, each case measured with a few synthetic rounds
 * (values that differ by case, so that ratios exist), into dir. */
static void write_synthetic_run(const struct case_def *defs, size_t count, const char *dir)
{
    static struct run_results r;
    memset(&r, 0, sizeof(r));
    r.cases = calloc(count, sizeof(*r.cases));
    r.rounds = calloc(count * ROUNDS, sizeof(*r.rounds));
    assert_non_null(r.cases);
    assert_non_null(r.rounds);
    r.case_count = r.cases_selected = count;
    r.config = (struct run_config){.rounds = ROUNDS, .ci_target_pct = 3, .quick = true, .seed = 1};
    sysinfo_collect(&r.env);
    for (size_t i = 0; i < count; i++) {
        struct case_result *c = &r.cases[i];
        c->def = defs[i];
        c->status = CASE_OK;
        c->parent_cpu = c->peer_cpu = -1;
        assert_int_equal(histogram_create(3600ull * 1000000000ull, 3, &c->hist), 0);
        size_t metrics = scenario_metric_count(c->def.scenario);
        for (size_t m = 0; m < metrics; m++)
            assert_int_equal(histogram_create(3600ull * 1000000000ull, 3, &c->metric[m].hist), 0);
        uint64_t base = 1000 + 37 * (uint64_t)i;
        for (uint32_t k = 0; k < ROUNDS; k++) {
            for (uint64_t v = 0; v < 20; v++) {
                assert_int_equal(histogram_record(c->hist, base + v + k), 0);
                moments_add(&c->moments, (double)(base + v + k));
            }
            r.rounds[r.round_count++] = (struct round_record){
                .case_index = i,
                .round = k,
                .sequence = (uint32_t)r.round_count,
                .n = 20,
                .min_ns = base + k,
                .p50_ns = base + 10 + k,
                .max_ns = base + 19 + k,
                .mean_ns = (double)(base + 10 + k),
            };
        }
        for (size_t m = 0; m < metrics; m++) {
            if (strcmp(c->def.scenario->metrics[m].name, "rss_growth") == 0)
                assert_int_equal(histogram_record(c->metric[m].hist, 1u << 20), 0);
        }
        c->rounds = ROUNDS;
        c->end = CASE_END_TARGET;
        assert_int_equal(stats_compute(c->hist, &c->moments, &c->stats), 0);
        for (size_t m = 0; m < metrics; m++)
            assert_int_equal(stats_compute(c->metric[m].hist, NULL, &c->metric[m].stats), 0);
        c->p50_ci_pct = stats_median_ci_percent(&c->stats);
        c->ops_per_s = NAN;
        c->achieved_rate = NAN;
        /* What the observer of a real run records (engine/mechanism.h),
         * so that the MECHANISM claim has its column to judge. */
        if (c->def.scenario->mechanism_observed)
            snprintf(c->mechanism, sizeof(c->mechanism), "%s",
                     "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(procbench-child)");
    }
    assert_int_equal(curves_compute(&r), 0);
    assert_int_equal(write_results_json(&r, dir), 0);
    for (size_t i = 0; i < count; i++) {
        histogram_destroy(r.cases[i].hist);
        for (size_t m = 0; m < scenario_metric_count(r.cases[i].def.scenario); m++)
            histogram_destroy(r.cases[i].metric[m].hist);
    }
    free(r.cases);
    free(r.rounds);
}

/* Expands the whole catalogue, quick or not, into *defs; returns the count
 * and checks that every family has cases. */
static size_t expand_suite(bool quick, struct case_def **defs)
{
    struct case_selection sel = {.quick = quick};
    size_t count = 0;
    char err[256] = "";
    assert_int_equal(cases_expand(&sel, defs, &count, err, sizeof(err)), 0);
    static const char *const families[] = {"spawn.", "ipc.", "output.", "node."};
    for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        size_t in_family = 0;
        for (size_t i = 0; i < count; i++)
            in_family += strncmp((*defs)[i].name, families[f], strlen(families[f])) == 0;
        if (in_family == 0)
            fail_msg("%s suite: no case of the %s family", quick ? "quick" : "default",
                     families[f]);
    }
    /* Every scenario of the catalogue is in the suite. */
    for (size_t s = 0; s < scenario_catalogue_count; s++) {
        bool found = false;
        for (size_t i = 0; i < count && !found; i++)
            found = (*defs)[i].scenario == scenario_catalogue[s];
        if (!found)
            fail_msg("%s suite: no case of %s", quick ? "quick" : "default",
                     scenario_catalogue[s]->name);
    }
    return count;
}

static void check_claims_measurable(bool quick)
{
    struct case_def *defs = NULL;
    size_t count = expand_suite(quick, &defs);
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/test_suites-%s", TEST_OUT_DIR, quick ? "quick" : "default");
    assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
    write_synthetic_run(defs, count, dir);
    free(defs);

    struct stored_run *run = NULL;
    char err[512] = "";
    if (results_read_run(dir, &run, err, sizeof(err)) != 0)
        fail_msg("reading back %s: %s", dir, err);
    struct report_claim_result *results = calloc(report_claim_count, sizeof(*results));
    assert_non_null(results);
    assert_int_equal(report_claims_judge(run, results), 0);
    for (size_t i = 0; i < report_claim_count; i++) {
        if (results[i].verdict == REPORT_NOT_MEASURED)
            fail_msg("%s suite: claim %s is not measured: %s", quick ? "quick" : "default",
                     report_claims[i].id, results[i].note);
        if (strstr(results[i].note, "too small") != NULL)
            fail_msg("%s suite: claim %s: %s", quick ? "quick" : "default", report_claims[i].id,
                     results[i].note);
    }
    free(results);

    /* ci/expectations, which names cases of `run --filter '^spawn\.'`,
     * default or --quick. */
    struct check_rule *rules = NULL;
    size_t rule_count = 0;
    if (check_load_rules(GOLDEN_DIR "/../../ci/expectations", &rules, &rule_count, err,
                         sizeof(err)) != 0)
        fail_msg("%s", err);
    for (size_t i = 0; i < rule_count; i++) {
        const struct stored_case *left, *right;
        char why[256] = "";
        if (check_match(run, &rules[i].left, &left, why, sizeof(why)) != 0 ||
            check_match(run, &rules[i].right, &right, why, sizeof(why)) != 0)
            fail_msg("%s suite: ci/expectations rule %zu: %s", quick ? "quick" : "default", i + 1,
                     why);
    }
    free(rules);
    results_read_free_run(run);
}

static void test_quick_suite_measures_every_claim(void **state)
{
    (void)state;
    check_claims_measurable(true);
}

static void test_default_suite_measures_every_claim(void **state)
{
    (void)state;
    check_claims_measurable(false);
}

/* --quick trims: fewer cases, the rss sweep at its ends, one size of
 * message; an explicit --param still wins over the quick list. */
static void test_quick_trims_sweeps(void **state)
{
    (void)state;
    struct case_def *quick = NULL, *full = NULL;
    size_t quick_count = expand_suite(true, &quick);
    size_t full_count = expand_suite(false, &full);
    assert_true(quick_count * 4 < full_count);
    bool has_big = false;
    for (size_t i = 0; i < quick_count; i++) {
        if (strncmp(quick[i].name, "spawn.posix_spawn{", 18) == 0) {
            assert_non_null(strstr(quick[i].name, "target=static"));
            has_big = has_big || strstr(quick[i].name, "rss=1G") != NULL;
            assert_null(strstr(quick[i].name, "rss=256M"));
        }
        if (strncmp(quick[i].name, "ipc.", 4) == 0) {
            assert_non_null(strstr(quick[i].name, "size=64,"));
            assert_null(strstr(quick[i].name, "placement=free"));
        }
    }
    assert_true(has_big);
    free(quick);
    free(full);

    static const struct param_override sizes[] = {{"size", "4K"}};
    const char *filters[] = {"^ipc\\.pipe$"};
    struct case_selection sel = {.quick = true,
                                 .filters = filters,
                                 .filter_count = 1,
                                 .overrides = sizes,
                                 .override_count = 1,
                                 .placements = "free"};
    size_t count = 0;
    char err[256] = "";
    assert_int_equal(cases_expand(&sel, &quick, &count, err, sizeof(err)), 0);
    assert_int_equal(count, 2); /* pingpong and stream */
    assert_string_equal(quick[0].name, "ipc.pipe{mode=pingpong,size=4K,placement=free}");
    free(quick);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quick_suite_measures_every_claim),
        cmocka_unit_test(test_default_suite_measures_every_claim),
        cmocka_unit_test(test_quick_trims_sweeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
