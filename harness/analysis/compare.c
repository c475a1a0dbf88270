/*
 * compare_sets(): see compare.h for the method and the verdict rule. This
 * file gathers each case's round medians from both sides, tests them with
 * ranktest.c, adjusts the p-values with Holm, and words a reason for every
 * verdict that is not a clear regression or improvement.
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ranktest.h"
#include "base/reason.h"

/* What a machine is: runs that differ in any of these are not compared
 * unless the user insists. */
static const char *const machine_keys[] = {"hostname", "cpu_model", "kernel"};

const char *compare_verdict_name(enum compare_verdict verdict)
{
    switch (verdict) {
    case COMPARE_REGRESSED:
        return "regressed";
    case COMPARE_IMPROVED:
        return "improved";
    case COMPARE_UNCHANGED:
        return "unchanged";
    case COMPARE_INCONCLUSIVE:
        return "inconclusive";
    case COMPARE_ONLY_BASE:
        return "only in BASE";
    case COMPARE_ONLY_NEW:
        return "only in NEW";
    }
    return "?";
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[n] (n >= 1); sorts v. */
static double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Finds the first run of the two sets whose machine differs from the first
 * run of base, and words it. */
static void check_machines(const struct stored_set *base, const struct stored_set *cand, char *why,
                           size_t len)
{
    const struct stored_run *first = base->runs[0];
    const struct stored_set *sets[] = {base, cand};
    const char *names[] = {"BASE", "NEW"};
    why[0] = '\0';
    for (size_t k = 0; k < sizeof(machine_keys) / sizeof(machine_keys[0]); k++) {
        const char *want = results_read_env(first, machine_keys[k]);
        for (size_t s = 0; s < 2; s++) {
            for (size_t i = 0; i < sets[s]->count; i++) {
                const char *got = results_read_env(sets[s]->runs[i], machine_keys[k]);
                if (strcmp(want, got) != 0) {
                    reason_format(why, len, "%s '%s' in BASE, '%s' in %s", machine_keys[k], want,
                                  got, names[s]);
                    return;
                }
            }
        }
    }
}

/* The cases of both sets, each name once, in the order of first appearance
 * (BASE's runs first). */
struct name_entry {
    const char *name;
    size_t order;
};

static int compare_entry_names(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return (x->order > y->order) - (x->order < y->order);
}

static int compare_entry_order(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    return (x->order > y->order) - (x->order < y->order);
}

static int collect_names(const struct stored_set *base, const struct stored_set *cand,
                         struct name_entry **out, size_t *count)
{
    size_t total = 0, n = 0;
    const struct stored_set *sets[] = {base, cand};
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < sets[s]->count; i++)
            total += sets[s]->runs[i]->case_count;
    }
    struct name_entry *entries = malloc((total ? total : 1) * sizeof(*entries));
    if (entries == NULL)
        return -ENOMEM;
    for (size_t s = 0; s < 2; s++) {
        for (size_t i = 0; i < sets[s]->count; i++) {
            const struct stored_run *run = sets[s]->runs[i];
            for (size_t k = 0; k < run->case_count; k++) {
                entries[n].name = run->cases[k].name;
                entries[n].order = n;
                n++;
            }
        }
    }
    qsort(entries, n, sizeof(*entries), compare_entry_names);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++) {
        if (unique == 0 || strcmp(entries[unique - 1].name, entries[i].name) != 0)
            entries[unique++] = entries[i];
    }
    qsort(entries, unique, sizeof(*entries), compare_entry_order);
    *out = entries;
    *count = unique;
    return 0;
}

/* Why a side's copies of the case cannot be used, or NULL when they can. */
static const char *unusable(const struct stored_set *set, const char *name, const char *side,
                            char *why, size_t len)
{
    for (size_t i = 0; i < set->count; i++) {
        const struct stored_case *c = results_read_find_case(set->runs[i], name);
        if (c == NULL)
            continue;
        if (strcmp(c->status, "ok") != 0) {
            reason_format(why, len, "%s in %s%s%s", c->status, side, c->reason[0] ? ": " : "",
                          c->reason);
            return why;
        }
        if (!c->has_rounds) {
            reason_format(why, len, "%s has no round medians (results.json of an older procbench)",
                          side);
            return why;
        }
    }
    return NULL;
}

/* Gathers the log round medians of every copy of the case on one side. */
static size_t gather(const struct stored_set *set, const char *name, double *out)
{
    size_t n = 0;
    for (size_t i = 0; i < set->count; i++) {
        const struct stored_case *c = results_read_find_case(set->runs[i], name);
        if (c == NULL)
            continue;
        for (size_t k = 0; k < c->round_count; k++)
            out[n++] = log(c->round_p50_ns[k]);
    }
    return n;
}

static size_t count_rounds(const struct stored_set *set, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < set->count; i++) {
        const struct stored_case *c = results_read_find_case(set->runs[i], name);
        if (c != NULL)
            n += c->round_count;
    }
    return n;
}

/* Tests one usable case; fills the row's estimate, interval and raw p. */
static int test_case(const struct stored_set *base, const struct stored_set *cand,
                     const struct compare_options *opt, struct compare_row *row, double *min_p)
{
    size_t nb = count_rounds(base, row->name), nn = count_rounds(cand, row->name);
    double *x = malloc((nb + 1) * sizeof(*x)), *y = malloc((nn + 1) * sizeof(*y));
    double *scratch = malloc((nb + nn + 1) * sizeof(*scratch));
    int rc = 0;
    struct ranktest_result test = {0};
    struct ranktest_shift shift = {0};
    if (x == NULL || y == NULL || scratch == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    size_t n1 = gather(base, row->name, x), n2 = gather(cand, row->name, y);
    row->base_count = n1;
    row->new_count = n2;
    if (n1 == 0 || n2 == 0) {
        reason_format(row->reason, sizeof(row->reason), "no round with samples in %s",
                      n1 == 0 ? "BASE" : "NEW");
        goto out;
    }
    memcpy(scratch, x, n1 * sizeof(*x));
    row->base_ns = exp(median_of(scratch, n1));
    memcpy(scratch, y, n2 * sizeof(*y));
    row->new_ns = exp(median_of(scratch, n2));
    rc = ranktest_mwu(x, n1, y, n2, &test);
    if (rc == 0)
        rc = ranktest_hl_shift(x, n1, y, n2, opt->alpha, &shift);
    if (rc == -E2BIG) {
        reason_format(row->reason, sizeof(row->reason),
                      "too many rounds (%zu and %zu) for the shift estimate", n1, n2);
        rc = 0;
        goto out;
    }
    if (rc != 0)
        goto out;
    row->p = test.p;
    *min_p = test.min_p;
    row->ratio = exp(shift.estimate);
    row->ratio_low = exp(shift.low);
    row->ratio_high = exp(shift.high);
out:
    free(x);
    free(y);
    free(scratch);
    return rc;
}

/* Applies the verdict rule of compare.h to a tested row. */
static void judge(struct compare_row *row, double min_p, size_t tested,
                  const struct compare_options *opt)
{
    double hi = 1.0 + opt->threshold, lo = 1.0 / hi;
    double pct = 100.0 * opt->threshold;
    bool significant = row->p_adjusted < opt->alpha;
    bool bounded = isfinite(row->ratio_high) && row->ratio_low > 0.0;
    if (significant && row->ratio > hi) {
        row->verdict = COMPARE_REGRESSED;
    } else if (significant && row->ratio < lo) {
        row->verdict = COMPARE_IMPROVED;
    } else if (bounded && row->ratio_low >= lo && row->ratio_high <= hi) {
        row->verdict = COMPARE_UNCHANGED;
        reason_format(row->reason, sizeof(row->reason), "interval within +-%.3g%%", pct);
    } else if (min_p >= opt->alpha) {
        row->verdict = COMPARE_INCONCLUSIVE;
        reason_format(row->reason, sizeof(row->reason),
                      "%zu vs %zu rounds: the smallest two-sided p-value possible is %.3g, "
                      "never below alpha %.3g; run more rounds",
                      row->base_count, row->new_count, min_p, opt->alpha);
    } else if (!significant && min_p * (double)tested >= opt->alpha) {
        row->verdict = COMPARE_INCONCLUSIVE;
        reason_format(row->reason, sizeof(row->reason),
                      "not significant after Holm over %zu cases, which %zu vs %zu rounds "
                      "(smallest p %.3g) can barely reach; run more rounds",
                      tested, row->base_count, row->new_count, min_p);
    } else if (significant) {
        row->verdict = COMPARE_INCONCLUSIVE;
        reason_format(row->reason, sizeof(row->reason),
                      "significant, but the shift %+.1f%% is within +-%.3g%% and its interval "
                      "is not",
                      100.0 * (row->ratio - 1.0), pct);
    } else {
        row->verdict = COMPARE_INCONCLUSIVE;
        reason_format(row->reason, sizeof(row->reason),
                      "not significant, and the interval reaches beyond +-%.3g%%", pct);
    }
}

int compare_sets(const struct stored_set *base, const struct stored_set *cand,
                 const struct compare_options *opt, struct compare_report *report, char *err,
                 size_t err_len)
{
    memset(report, 0, sizeof(*report));
    report->base_runs = base->count;
    report->new_runs = cand->count;
    if (!opt->allow_different_machines)
        check_machines(base, cand, report->refusal, sizeof(report->refusal));

    struct name_entry *names = NULL;
    double *min_p = NULL, *raw = NULL, *adjusted = NULL;
    size_t *tested_rows = NULL, count = 0;
    int rc = -ENOMEM;
    reason_format(err, err_len, "out of memory");
    if (collect_names(base, cand, &names, &count) != 0)
        goto out;
    report->rows = calloc(count ? count : 1, sizeof(*report->rows));
    min_p = calloc(count ? count : 1, sizeof(*min_p));
    raw = calloc(count ? count : 1, sizeof(*raw));
    adjusted = calloc(count ? count : 1, sizeof(*adjusted));
    tested_rows = calloc(count ? count : 1, sizeof(*tested_rows));
    if (report->rows == NULL || min_p == NULL || raw == NULL || adjusted == NULL ||
        tested_rows == NULL)
        goto out;
    report->row_count = count;

    for (size_t i = 0; i < count; i++) {
        struct compare_row *row = &report->rows[i];
        char why[sizeof(row->reason)];
        bool in_base = false, in_new = false;
        row->name = names[i].name;
        row->base_ns = row->new_ns = row->ratio = row->p = row->p_adjusted = NAN;
        row->ratio_low = 0.0;
        row->ratio_high = INFINITY;
        row->verdict = COMPARE_INCONCLUSIVE;
        for (size_t r = 0; r < base->count && !in_base; r++)
            in_base = results_read_find_case(base->runs[r], row->name) != NULL;
        for (size_t r = 0; r < cand->count && !in_new; r++)
            in_new = results_read_find_case(cand->runs[r], row->name) != NULL;
        if (!in_base || !in_new) {
            row->verdict = in_base ? COMPARE_ONLY_BASE : COMPARE_ONLY_NEW;
            continue;
        }
        if (report->refusal[0] != '\0') {
            reason_format(row->reason, sizeof(row->reason), "runs from different machines");
            continue;
        }
        if (unusable(base, row->name, "BASE", why, sizeof(why)) != NULL ||
            unusable(cand, row->name, "NEW", why, sizeof(why)) != NULL) {
            reason_format(row->reason, sizeof(row->reason), "%s", why);
            continue;
        }
        rc = test_case(base, cand, opt, row, &min_p[i]);
        if (rc != 0) {
            reason_format(err, err_len, "comparing %s: %s", row->name, strerror(-rc));
            goto out;
        }
        if (!isnan(row->p)) {
            tested_rows[report->tested] = i;
            raw[report->tested] = row->p;
            report->tested++;
        }
    }
    rc = ranktest_holm(raw, report->tested, adjusted);
    if (rc != 0) {
        reason_format(err, err_len, "out of memory");
        goto out;
    }
    err[0] = '\0';
    for (size_t k = 0; k < report->tested; k++) {
        struct compare_row *row = &report->rows[tested_rows[k]];
        row->p_adjusted = adjusted[k];
        judge(row, min_p[tested_rows[k]], report->tested, opt);
    }
    for (size_t i = 0; i < count; i++)
        report->counts[report->rows[i].verdict]++;
    rc = 0;
out:
    free(names);
    free(min_p);
    free(raw);
    free(adjusted);
    free(tested_rows);
    if (rc != 0)
        compare_report_free(report);
    return rc;
}

void compare_report_free(struct compare_report *report)
{
    free(report->rows);
    report->rows = NULL;
    report->row_count = 0;
}
