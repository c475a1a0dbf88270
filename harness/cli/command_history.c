/*
 * `procbench history [ROOT]`: opens ROOT's history store (results/history.db
 * unless ROOT names another root or the store file itself) read-only, reads
 * the series of the cases --filter and --since select, one per case and
 * machine, finds their change points (analysis/history.h), and prints
 * them as text, Markdown, CSV or JSON. With --fail-on-change it is a CI
 * gate: exit 1 when the newest run of a series reveals a slowdown beyond
 * --threshold (history_gate()). Text from the store was checked when read (UTF-8, no
 * control characters); each format escapes what it must.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "commands.h"
#include "analysis/history.h"
#include "base/reason.h"
#include "base/format.h"
#include "store/store.h"

struct selection {
    regex_t filters[CLI_MAX_REPEATS];
    size_t count;
};

/* A case is selected when a filter matches its scenario or its full name,
 * so that `--filter '^spawn\.pool$'`, as given to run, works here too. */
static bool wanted(const char *scenario, const char *name, void *ctx)
{
    const struct selection *sel = ctx;
    if (sel->count == 0)
        return true;
    for (size_t i = 0; i < sel->count; i++) {
        if (regexec(&sel->filters[i], scenario, 0, NULL, 0) == 0 ||
            regexec(&sel->filters[i], name, 0, NULL, 0) == 0)
            return true;
    }
    return false;
}

static void utc(uint64_t unix_ns, char *buf, size_t len)
{
    time_t t = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "?");
}

/* "x1.234 (1.200 to 1.270)", or "x1.234 (no interval)". */
static void change_text(const struct history_change *c, char *buf, size_t len)
{
    if (c->ratio_low > 0 && isfinite(c->ratio_high))
        snprintf(buf, len, "x%.3f (%.3f to %.3f)", c->ratio, c->ratio_low, c->ratio_high);
    else
        snprintf(buf, len, "x%.3f (too few rounds for an interval)", c->ratio);
}

/* The change that starts at run (1-based), or NULL. */
static const struct history_change *change_at(const struct history_result *r, size_t run)
{
    for (size_t i = 0; i < r->change_count; i++) {
        if (r->changes[i].run == run)
            return &r->changes[i];
    }
    return NULL;
}

static size_t machines_of(const struct store_history *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->count; i++)
        n += i == 0 || strcmp(h->series[i].machine, h->series[i - 1].machine) != 0;
    return n;
}

static void put_method(FILE *fp, const struct cli_options *opts)
{
    fprintf(fp,
            "E-divisive means on the log medians of the runs (permutation test, %d permutations, "
            "%d up to %d runs, alpha %.2g); ratio after/before by Hodges-Lehmann on the round "
            "medians of the "
            "neighbouring segments, with its 95%% interval; changes within %.3g%% not reported",
            HISTORY_PERMUTATIONS, HISTORY_SHORT_PERMUTATIONS, HISTORY_SHORT_RUNS, HISTORY_ALPHA,
            opts->threshold_pct);
}

static size_t total_changes(const struct history_result *results, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += results[i].change_count;
    return n;
}

static void print_text(FILE *fp, const char *path, const struct store_history *h,
                       const struct history_result *results, const struct cli_options *opts)
{
    fprintf(fp, "History: %s: %zu %s on %zu %s, %zu %s found\n", path, h->count,
            h->count == 1 ? "case" : "cases", machines_of(h),
            machines_of(h) == 1 ? "machine" : "machines", total_changes(results, h->count),
            total_changes(results, h->count) == 1 ? "change" : "changes");
    put_method(fp, opts);
    fputs("\n", fp);
    for (size_t i = 0; i < h->count; i++) {
        const struct store_series *s = &h->series[i];
        const struct history_result *r = &results[i];
        fprintf(fp, "\n%s\n  machine: %s; %zu %s, %zu %s\n", s->name, s->machine, s->count,
                s->count == 1 ? "run" : "runs", r->change_count,
                r->change_count == 1 ? "change" : "changes");
        fprintf(fp, "  %4s  %-20s  %-18s %10s  %-21s  %s\n", "run", "started (UTC)", "commit",
                "median", "95% interval", "change");
        for (size_t k = 0; k < s->count; k++) {
            const struct store_point *p = &s->points[k];
            char when[32], median[24], low[24], high[24], interval[64], change[96] = "";
            utc(p->started_unix_ns, when, sizeof(when));
            format_duration((double)p->p50_ns, median, sizeof(median));
            format_duration((double)p->p50_ci_low_ns, low, sizeof(low));
            format_duration((double)p->p50_ci_high_ns, high, sizeof(high));
            snprintf(interval, sizeof(interval), "%s - %s", low, high);
            const struct history_change *c = change_at(r, k + 1);
            if (c != NULL)
                change_text(c, change, sizeof(change));
            fprintf(fp, "  %4zu  %-20s  %-18.18s %10s  %-21s  %s\n", k + 1, when, p->commit, median,
                    interval, change);
        }
    }
}

static void print_md(FILE *fp, const char *path, const struct store_history *h,
                     const struct history_result *results, const struct cli_options *opts)
{
    size_t changes = total_changes(results, h->count);
    fprintf(fp, "### procbench history: %s%zu %s%s in %zu %s on %zu %s\n\n", changes ? "**" : "",
            changes, changes == 1 ? "change" : "changes", changes ? "**" : "", h->count,
            h->count == 1 ? "case" : "cases", machines_of(h),
            machines_of(h) == 1 ? "machine" : "machines");
    fputs("Store ", fp);
    format_md_text(fp, path);
    fputs(". ", fp);
    put_method(fp, opts);
    fputs(".\n\n", fp);
    if (changes > 0) {
        fputs("| case | machine | run | started (UTC) | commit | after/before | interval |\n"
              "| --- | --- | ---: | --- | --- | ---: | --- |\n",
              fp);
        for (size_t i = 0; i < h->count; i++) {
            const struct store_series *s = &h->series[i];
            for (size_t k = 0; k < results[i].change_count; k++) {
                const struct history_change *c = &results[i].changes[k];
                const struct store_point *p = &s->points[c->run - 1];
                char when[32];
                utc(p->started_unix_ns, when, sizeof(when));
                fputs("| ", fp);
                format_md_text(fp, s->name);
                fputs(" | ", fp);
                format_md_text(fp, s->machine);
                fprintf(fp, " | %zu | %s | ", c->run, when);
                format_md_text(fp, p->commit);
                if (c->ratio_low > 0 && isfinite(c->ratio_high))
                    fprintf(fp, " | %.3f | %.3f to %.3f |\n", c->ratio, c->ratio_low,
                            c->ratio_high);
                else
                    fprintf(fp, " | %.3f | none |\n", c->ratio);
            }
        }
        fputc('\n', fp);
    }
    for (size_t i = 0; i < h->count; i++) {
        const struct store_series *s = &h->series[i];
        fputs("#### ", fp);
        format_md_text(fp, s->name);
        fputs("\n\nMachine ", fp);
        format_md_text(fp, s->machine);
        fputs(".\n\n| run | started (UTC) | commit | median | 95% interval | change |\n"
              "| ---: | --- | --- | ---: | --- | --- |\n",
              fp);
        for (size_t k = 0; k < s->count; k++) {
            const struct store_point *p = &s->points[k];
            char when[32], median[24], low[24], high[24], change[96] = "";
            utc(p->started_unix_ns, when, sizeof(when));
            format_duration((double)p->p50_ns, median, sizeof(median));
            format_duration((double)p->p50_ci_low_ns, low, sizeof(low));
            format_duration((double)p->p50_ci_high_ns, high, sizeof(high));
            const struct history_change *c = change_at(&results[i], k + 1);
            if (c != NULL)
                change_text(c, change, sizeof(change));
            fprintf(fp, "| %zu | %s | ", k + 1, when);
            format_md_text(fp, p->commit);
            fprintf(fp, " | %s | %s to %s | %s%s%s |\n", median, low, high, c ? "**" : "", change,
                    c ? "**" : "");
        }
        fputc('\n', fp);
    }
}

/* An RFC 4180 field: quoted when it holds a comma, a quote or a space at
 * either end; a leading = + - @ is kept as text by a quote too (CSV
 * injection into spreadsheets). */
static void put_csv(FILE *fp, const char *text)
{
    bool quote = strpbrk(text, ",\"") != NULL || strchr("=+-@ ", text[0]) != NULL;
    if (text[0] == '\0')
        quote = false;
    if (!quote) {
        fputs(text, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

static void put_csv_number(FILE *fp, double v)
{
    if (isfinite(v) && v > 0)
        fprintf(fp, ",%.6g", v);
    else
        fputs(",", fp);
}

static void print_csv(FILE *fp, const struct store_history *h, const struct history_result *results)
{
    fputs("machine,case,run,started_utc,commit,folder,p50_ns,p50_ci_low_ns,p50_ci_high_ns,"
          "change_ratio,change_ci_low,change_ci_high\n",
          fp);
    for (size_t i = 0; i < h->count; i++) {
        const struct store_series *s = &h->series[i];
        for (size_t k = 0; k < s->count; k++) {
            const struct store_point *p = &s->points[k];
            char when[32];
            utc(p->started_unix_ns, when, sizeof(when));
            put_csv(fp, s->machine);
            fputc(',', fp);
            put_csv(fp, s->name);
            fprintf(fp, ",%zu,%s,", k + 1, when);
            put_csv(fp, p->commit);
            fputc(',', fp);
            put_csv(fp, p->folder);
            fprintf(fp, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, p->p50_ns, p->p50_ci_low_ns,
                    p->p50_ci_high_ns);
            const struct history_change *c = change_at(&results[i], k + 1);
            if (c != NULL) {
                put_csv_number(fp, c->ratio);
                put_csv_number(fp, c->ratio_low);
                put_csv_number(fp, c->ratio_high);
            } else {
                fputs(",,,", fp);
            }
            fputc('\n', fp);
        }
    }
}

/* A ratio bound for JSON: null when unbounded. */
static json_t *bound(double v)
{
    return v > 0 && isfinite(v) ? json_real(v) : json_null();
}

/* {"cases": [{"case", "machine", "runs": [...], "changes": [{"run",
 * "ratio", "ci": [lo, hi]}]}]}: the shape issue 19 set, which scripts
 * read; fields are only ever added to the runs' objects. */
static int print_json(FILE *fp, const struct store_history *h, const struct history_result *results)
{
    json_t *root = json_object(), *cases = json_array();
    int bad = root == NULL || cases == NULL || json_object_set_new(root, "cases", cases) != 0;
    for (size_t i = 0; !bad && i < h->count; i++) {
        const struct store_series *s = &h->series[i];
        json_t *entry = json_object(), *runs = json_array(), *changes = json_array();
        bad = entry == NULL || runs == NULL || changes == NULL;
        bad = bad || json_array_append_new(cases, entry) != 0;
        bad = bad || json_object_set_new(entry, "case", json_string(s->name)) != 0;
        bad = bad || json_object_set_new(entry, "machine", json_string(s->machine)) != 0;
        bad = bad || json_object_set_new(entry, "runs", runs) != 0;
        bad = bad || json_object_set_new(entry, "changes", changes) != 0;
        for (size_t k = 0; !bad && k < s->count; k++) {
            const struct store_point *p = &s->points[k];
            char when[32];
            utc(p->started_unix_ns, when, sizeof(when));
            json_t *run = json_pack("{s:I, s:s, s:s, s:s, s:I, s:[I, I]}", "run", (json_int_t)k + 1,
                                    "started", when, "commit", p->commit, "folder", p->folder,
                                    "median_ns", (json_int_t)p->p50_ns, "ci_ns",
                                    (json_int_t)p->p50_ci_low_ns, (json_int_t)p->p50_ci_high_ns);
            bad = run == NULL || json_array_append_new(runs, run) != 0;
        }
        for (size_t k = 0; !bad && k < results[i].change_count; k++) {
            const struct history_change *c = &results[i].changes[k];
            json_t *change = json_pack("{s:I, s:f, s:[o, o]}", "run", (json_int_t)c->run, "ratio",
                                       c->ratio, "ci", bound(c->ratio_low), bound(c->ratio_high));
            bad = change == NULL || json_array_append_new(changes, change) != 0;
        }
    }
    if (!bad)
        bad = json_dumpf(root, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0;
    json_decref(root);
    if (!bad)
        fputc('\n', fp);
    return bad ? -ENOMEM : 0;
}

/* ROOT as given: the store file itself, or the root holding history.db. */
static int locate(const char *root, char *path, size_t len)
{
    struct stat st;
    if (stat(root, &st) == 0 && S_ISREG(st.st_mode)) {
        snprintf(path, len, "%s", root);
        return 0;
    }
    return store_path(root, path, len);
}

enum outcome command_history(const struct cli_options *opts)
{
    const char *root = opts->input_count > 0 ? opts->inputs[0] : "results";
    struct selection sel = {.count = 0};
    struct store *store = NULL;
    struct store_history h = {0};
    struct history_result *results = NULL;
    char path[PATH_MAX], err[1024];
    enum outcome outcome = OUTCOME_BAD_INPUT;

    for (size_t i = 0; i < opts->filter_count; i++) {
        int rc = regcomp(&sel.filters[i], opts->filters[i], REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[160];
            regerror(rc, &sel.filters[i], why, sizeof(why));
            reason_format(err, sizeof(err), "--filter '%s': %s", opts->filters[i], why);
            fprintf(stderr, "procbench: %s\n", err);
            goto out;
        }
        sel.count++;
    }
    if (locate(root, path, sizeof(path)) != 0) {
        reason_format(err, sizeof(err), "%s: path too long", root);
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    if (store_open(path, STORE_READ, STORE_BUSY_TIMEOUT_MS, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    struct store_query q = {.since_unix_ns = opts->since_unix_ns, .want = wanted, .ctx = &sel};
    int rc = store_read_history(store, &q, &h, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        outcome = rc == -ENOMEM ? OUTCOME_FAILED : OUTCOME_BAD_INPUT;
        goto out;
    }
    if (h.count == 0) {
        char what[256] = "";
        if (opts->filter_count > 0)
            reason_format(what, sizeof(what), " matching --filter '%s'%s", opts->filters[0],
                          opts->filter_count > 1 ? " (or another --filter)" : "");
        if (opts->since_text != NULL)
            reason_format(what + strlen(what), sizeof(what) - strlen(what), " in a run since %s",
                          opts->since_text);
        reason_format(err, sizeof(err), "%s: no measured case%s", path, what);
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    outcome = OUTCOME_FAILED;
    results = calloc(h.count, sizeof(*results));
    if (results == NULL) {
        fprintf(stderr, "procbench: out of memory\n");
        goto out;
    }
    struct history_options hopt = {.threshold = opts->threshold_pct / 100.0};
    for (size_t i = 0; i < h.count; i++) {
        rc = history_analyse(&h.series[i], &hopt, &results[i]);
        if (rc != 0) {
            fprintf(stderr, "procbench: %s on %s: %s\n", h.series[i].name, h.series[i].machine,
                    rc == -EINVAL ? "too many runs to analyse" : "out of memory");
            goto out;
        }
    }
    switch (opts->format) {
    case CLI_FORMAT_MD:
        print_md(stdout, path, &h, results, opts);
        break;
    case CLI_FORMAT_CSV:
        print_csv(stdout, &h, results);
        break;
    case CLI_FORMAT_JSON:
        if (print_json(stdout, &h, results) != 0) {
            fprintf(stderr, "procbench: out of memory writing JSON\n");
            goto out;
        }
        break;
    default:
        print_text(stdout, path, &h, results, opts);
        break;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "procbench: writing to stdout failed\n");
        goto out;
    }
    outcome = OUTCOME_OK;
    for (size_t i = 0; opts->fail_on_change && i < h.count; i++) {
        bool fires = false;
        const struct history_change *c = NULL;
        if (history_gate(&h.series[i], &hopt, &results[i], &fires, &c) != 0) {
            fprintf(stderr, "procbench: out of memory\n");
            outcome = OUTCOME_FAILED;
            goto out;
        }
        if (!fires)
            continue;
        fprintf(stderr,
                "procbench: %s on %s: a slowdown x%.3f from run %zu of %zu, beyond the %.3g%% "
                "threshold, found with the newest run\n",
                h.series[i].name, h.series[i].machine, c->ratio, c->run, h.series[i].count,
                opts->threshold_pct);
        if (outcome == OUTCOME_OK)
            outcome = OUTCOME_REGRESSED;
    }
out:
    for (size_t i = 0; results != NULL && i < h.count; i++)
        history_result_free(&results[i]);
    free(results);
    store_history_free(&h);
    store_close(store);
    for (size_t i = 0; i < sel.count; i++)
        regfree(&sel.filters[i]);
    return outcome;
}
