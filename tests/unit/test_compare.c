/*
 * Unit tests of harness/analysis/compare.c: verdicts on runs written by hand, whose
 * round medians are chosen so that the answer is known: a 20% slowdown is
 * regressed, a 20% speed-up improved, identical tight rounds unchanged, a
 * significant 2% shift unchanged (below the threshold), 3 rounds against 3
 * inconclusive with the reason, failed and missing cases reported, runs of
 * different machines refused, and the rounds of a set of runs pooled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/compare.h"
#include "read/results_read.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/test_compare", TEST_OUT_DIR);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

struct fake_case {
    const char *name;
    const char *status;
    double scale;  /* round medians are base[i] * scale */
    size_t rounds; /* how many of base[] */
};

/* Twelve round medians around 10 us with a 3% spread, as a quiet machine
 * gives. */
static const double base_rounds[] = {10000, 10100, 9950, 10200, 10050, 9900,
                                     10150, 10000, 9980, 10120, 10030, 9970};

/* Writes a results.json with the cases at path. */
static void write_run(const char *path, const char *host, uint64_t start,
                      const struct fake_case *cases, size_t count)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"},\n"
            " \"environment\": {\"hostname\": \"%s\", \"kernel\": \"k\", \"cpu_model\": \"c\"},\n"
            " \"config\": {\"rounds\": 10}, \"started_unix_ns\": %llu, \"cases\": [\n",
            host, (unsigned long long)start);
    for (size_t i = 0; i < count; i++) {
        const struct fake_case *c = &cases[i];
        fprintf(fp,
                "%s{\"scenario\": \"t\", \"case\": \"%s\", \"params\": {}, \"placement\": \"same\","
                " \"status\": \"%s\", \"reason\": \"%s\", \"n\": %zu, \"p50\": 10000,"
                " \"p50_ci_low\": 9000, \"p50_ci_high\": 11000, \"per_round\": [",
                i ? ",\n" : "", c->name, c->status, strcmp(c->status, "ok") ? "setup: boom" : "",
                10 * c->rounds);
        for (size_t r = 0; r < c->rounds; r++)
            fprintf(fp, "%s{\"round\": %zu, \"n\": 10, \"p50\": %.0f}", r ? ", " : "", r,
                    base_rounds[r] * c->scale);
        fputs("]}", fp);
    }
    fputs("]}\n", fp);
    assert_int_equal(fclose(fp), 0);
}

static void read_set(const char *path, struct stored_set *set)
{
    char err[512];
    if (results_read_set(path, set, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static const struct compare_row *row_of(const struct compare_report *rep, const char *name)
{
    for (size_t i = 0; i < rep->row_count; i++) {
        if (strcmp(rep->rows[i].name, name) == 0)
            return &rep->rows[i];
    }
    fail_msg("no row %s", name);
    return NULL;
}

static void compare_files(const struct fake_case *base, size_t nb, const struct fake_case *cand,
                          size_t nc, const char *new_host, const struct compare_options *opt,
                          struct compare_report *rep, struct stored_set sets[2])
{
    char a[PATH_MAX + 16], b[PATH_MAX + 16], err[256];
    snprintf(a, sizeof(a), "%s/base.json", dir);
    snprintf(b, sizeof(b), "%s/new.json", dir);
    write_run(a, "host", 1, base, nb);
    write_run(b, new_host, 2, cand, nc);
    read_set(a, &sets[0]);
    read_set(b, &sets[1]);
    assert_int_equal(compare_sets(&sets[0], &sets[1], opt, rep, err, sizeof(err)), 0);
}

static const struct compare_options defaults = {.threshold = 0.05, .alpha = 0.05};

static void test_verdicts(void **state)
{
    const struct fake_case base[] = {
        {"slower", "ok", 1.0, 10},    {"faster", "ok", 1.0, 10}, {"same", "ok", 1.0, 10},
        {"small", "ok", 1.0, 12},     {"three", "ok", 1.0, 3},   {"broken", "ok", 1.0, 10},
        {"only-base", "ok", 1.0, 10},
    };
    const struct fake_case cand[] = {
        {"slower", "ok", 1.2, 10},   {"faster", "ok", 0.8, 10}, {"same", "ok", 1.0, 10},
        {"small", "ok", 1.02, 12},   {"three", "ok", 1.5, 3},   {"broken", "failed", 1.0, 10},
        {"only-new", "ok", 1.0, 10},
    };
    struct compare_report rep;
    struct stored_set sets[2];
    (void)state;
    compare_files(base, 7, cand, 7, "host", &defaults, &rep, sets);
    assert_string_equal(rep.refusal, "");
    assert_int_equal(rep.row_count, 8);
    /* Cases in BASE's order, then those only in NEW. */
    assert_string_equal(rep.rows[0].name, "slower");
    assert_string_equal(rep.rows[7].name, "only-new");

    const struct compare_row *r = row_of(&rep, "slower");
    assert_int_equal(r->verdict, COMPARE_REGRESSED);
    assert_cmp(fabs(r->ratio - 1.2), <, 0.01);
    assert_cmp(r->ratio_low, >, 1.1);
    assert_cmp(r->ratio_high, <, 1.3);
    assert_cmp(r->p_adjusted, <, 0.001);
    assert_int_equal(r->base_count, 10);

    assert_int_equal(row_of(&rep, "faster")->verdict, COMPARE_IMPROVED);

    r = row_of(&rep, "same");
    assert_int_equal(r->verdict, COMPARE_UNCHANGED);
    assert_cmp(fabs(r->ratio - 1.0), <, 1e-9);
    assert_cmp(r->p, >, 0.9);

    /* 2% slower with a 3% spread: maybe significant, but within 5%, and so
     * is its interval. */
    r = row_of(&rep, "small");
    assert_int_equal(r->verdict, COMPARE_UNCHANGED);
    assert_cmp(fabs(r->ratio - 1.02), <, 0.01);

    /* 3 vs 3: 1.5x slower, yet p can never go below 0.1. */
    r = row_of(&rep, "three");
    assert_int_equal(r->verdict, COMPARE_INCONCLUSIVE);
    assert_cmp(fabs(r->p - 0.1), <, 1e-9);
    assert_contains(r->reason, "3 vs 3 rounds: the smallest two-sided p-value possible is "
                               "0.1, never below alpha 0.05");

    r = row_of(&rep, "broken");
    assert_int_equal(r->verdict, COMPARE_INCONCLUSIVE);
    assert_string_equal(r->reason, "failed in NEW: setup: boom");
    assert_true(isnan(r->p));

    assert_int_equal(row_of(&rep, "only-base")->verdict, COMPARE_ONLY_BASE);
    assert_int_equal(row_of(&rep, "only-new")->verdict, COMPARE_ONLY_NEW);
    assert_int_equal(rep.counts[COMPARE_REGRESSED], 1);
    assert_int_equal(rep.counts[COMPARE_INCONCLUSIVE], 2);
    /* Holm's family: the five cases that were tested. */
    assert_int_equal(rep.tested, 5);
    compare_report_free(&rep);
    results_read_free_set(&sets[0]);
    results_read_free_set(&sets[1]);
}

/* The threshold decides: at 25%, a significant 20% slowdown is no
 * regression, and with its interval (about 1.18 to 1.22) inside
 * [1/1.25, 1.25] it is unchanged. */
static void test_threshold(void **state)
{
    const struct fake_case base[] = {{"slower", "ok", 1.0, 10}};
    const struct fake_case cand[] = {{"slower", "ok", 1.2, 10}};
    struct compare_options wide = {.threshold = 0.25, .alpha = 0.05};
    struct compare_report rep;
    struct stored_set sets[2];
    (void)state;
    compare_files(base, 1, cand, 1, "host", &wide, &rep, sets);
    assert_int_equal(rep.rows[0].verdict, COMPARE_UNCHANGED);
    compare_report_free(&rep);
    results_read_free_set(&sets[0]);
    results_read_free_set(&sets[1]);
}

/* Another hostname: every case inconclusive, and the refusal says why;
 * allowed, the comparison goes ahead. */
static void test_different_machines(void **state)
{
    const struct fake_case base[] = {{"slower", "ok", 1.0, 10}};
    const struct fake_case cand[] = {{"slower", "ok", 1.2, 10}};
    struct compare_options allow = defaults;
    struct compare_report rep;
    struct stored_set sets[2];
    (void)state;
    compare_files(base, 1, cand, 1, "elsewhere", &defaults, &rep, sets);
    assert_string_equal(rep.refusal, "hostname 'host' in BASE, 'elsewhere' in NEW");
    assert_int_equal(rep.rows[0].verdict, COMPARE_INCONCLUSIVE);
    assert_string_equal(rep.rows[0].reason, "runs from different machines");
    assert_int_equal(rep.counts[COMPARE_REGRESSED], 0);
    compare_report_free(&rep);
    results_read_free_set(&sets[0]);
    results_read_free_set(&sets[1]);

    allow.allow_different_machines = true;
    compare_files(base, 1, cand, 1, "elsewhere", &allow, &rep, sets);
    assert_string_equal(rep.refusal, "");
    assert_int_equal(rep.rows[0].verdict, COMPARE_REGRESSED);
    compare_report_free(&rep);
    results_read_free_set(&sets[0]);
    results_read_free_set(&sets[1]);
}

/* Sets of runs: the rounds of every run of a side are pooled, so three runs
 * of 3 rounds (9 values a side) can show what one run of 3 cannot. */
static void test_sets_pool_rounds(void **state)
{
    const struct fake_case base[] = {{"slower", "ok", 1.0, 3}};
    const struct fake_case cand[] = {{"slower", "ok", 1.2, 3}};
    char side[PATH_MAX + 16], run[PATH_MAX + 32], file[PATH_MAX + 64], err[256];
    struct stored_set sets[2];
    struct compare_report rep;
    (void)state;
    for (int s = 0; s < 2; s++) {
        snprintf(side, sizeof(side), "%s/set-%d", dir, s);
        mkdir(side, 0755);
        for (int i = 0; i < 3; i++) {
            snprintf(run, sizeof(run), "%s/run-%d", side, i);
            mkdir(run, 0755);
            snprintf(file, sizeof(file), "%s/results.json", run);
            write_run(file, "host", (uint64_t)(10 * i + s), s ? cand : base, 1);
        }
        read_set(side, &sets[s]);
        assert_int_equal(sets[s].count, 3);
    }
    assert_int_equal(compare_sets(&sets[0], &sets[1], &defaults, &rep, err, sizeof(err)), 0);
    assert_int_equal(rep.base_runs, 3);
    assert_int_equal(rep.rows[0].base_count, 9);
    assert_int_equal(rep.rows[0].new_count, 9);
    assert_int_equal(rep.rows[0].verdict, COMPARE_REGRESSED);
    compare_report_free(&rep);
    results_read_free_set(&sets[0]);
    results_read_free_set(&sets[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_different_machines),
        cmocka_unit_test(test_sets_pool_rounds),
    };
    return cmocka_run_group_tests(tests, make_dir, NULL);
}
