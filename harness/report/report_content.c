/*
 * The content of a report (report_content.h): turns the runs, claims and
 * plots into headings, paragraphs and tables for either writer. Numbers are
 * formatted here, for people: durations with a unit and three significant
 * digits, sizes in KiB/MiB/GiB, ratios with three.
 */
#include "report_content.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/decompose.h"
#include "base/units.h"

#define CELL        720
#define MAX_COLUMNS 48

/* A row of cells being built. */
struct row {
    char cells[MAX_COLUMNS][CELL];
    const char *ptrs[MAX_COLUMNS];
    size_t count;
};

static void cell(struct row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cell(struct row *r, const char *fmt, ...)
{
    if (r->count == MAX_COLUMNS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->cells[r->count], CELL, fmt, ap);
    va_end(ap);
    r->ptrs[r->count] = r->cells[r->count];
    r->count++;
}

static void fmt_duration(double ns, char *buf, size_t len)
{
    if (!isfinite(ns) || ns < 0)
        snprintf(buf, len, "-");
    else
        units_format_duration((uint64_t)llround(ns), buf, len);
}

static void fmt_bytes(double bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    if (!isfinite(bytes)) {
        snprintf(buf, len, "-");
        return;
    }
    while (bytes >= 1024 && u < 4)
        bytes /= 1024, u++;
    snprintf(buf, len, u == 0 ? "%.0f %s" : "%.3g %s", bytes, unit[u]);
}

static void fmt_ratio(double ratio, double low, double high, char *r, char *ci, size_t len)
{
    if (isnan(ratio))
        snprintf(r, len, "-");
    else
        snprintf(r, len, "%.3f", ratio);
    if (isnan(low) || isnan(high))
        snprintf(ci, len, "-");
    else
        snprintf(ci, len, "[%.3f, %.3f]", low, high);
}

static const char *env_or(const struct stored_run *run, const char *key, const char *fallback)
{
    const char *v = results_read_env(run, key);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

/* ---- environment and warnings -------------------------------------------- */

static void write_environment(struct report_writer *w, const struct report_content *c)
{
    static const char *const keys[] = {"hostname",
                                       "kernel",
                                       "cpu_model",
                                       "cpu_count_online",
                                       "virtualization",
                                       "governor",
                                       "thp_enabled",
                                       "thp_defrag",
                                       "clock_source",
                                       "mem_total_bytes",
                                       "glibc_version",
                                       "libuv_version",
                                       "compiler",
                                       "build_type",
                                       "git_commit",
                                       "loadavg_1m_start",
                                       "loadavg_1m_end",
                                       "steal_pct",
                                       NULL};
    const char *headers[MAX_COLUMNS] = {"key"};
    char names[MAX_COLUMNS][32];
    char align[MAX_COLUMNS + 1] = "l";
    size_t runs = c->run_count < MAX_COLUMNS - 1 ? c->run_count : MAX_COLUMNS - 1;
    for (size_t i = 0; i < runs; i++) {
        snprintf(names[i], sizeof(names[i]), c->run_count > 1 ? "run %zu" : "value", i + 1);
        headers[i + 1] = names[i];
        align[i + 1] = 'l';
    }
    w->ops->heading(w, 2, "Environment");
    w->ops->table_begin(w, runs + 1, headers, align);
    for (size_t k = 0; keys[k] != NULL; k++) {
        struct row row = {0};
        cell(&row, "%s", keys[k]);
        for (size_t i = 0; i < runs; i++)
            cell(&row, "%s", env_or(c->runs[i].run, keys[k], "-"));
        w->ops->table_row(w, row.ptrs);
    }
    w->ops->table_end(w);

    for (size_t i = 0; i < c->run_count; i++) {
        const struct stored_run *run = c->runs[i].run;
        char text[512], title[64];
        if (c->run_count > 1) {
            snprintf(title, sizeof(title), "Warnings, run %zu", i + 1);
            w->ops->heading(w, 3, title);
        } else {
            w->ops->heading(w, 3, "Warnings");
        }
        size_t warned = 0;
        const char *virt = env_or(run, "virtualization", "none");
        long cpus = strtol(env_or(run, "cpu_count_online", "0"), NULL, 10);
        bool vm = strcmp(virt, "none") != 0 && strcmp(virt, "-") != 0;
        if (vm) {
            snprintf(text, sizeof(text),
                     "Virtual machine (%s): wake-ups across CPUs and the host's other work make "
                     "timings noisier than on bare metal; compare runs of the same machine only.",
                     virt);
            w->ops->bullet(w, text), warned++;
        }
        const char *governor = env_or(run, "governor", "unknown");
        if (strcmp(governor, "performance") != 0) {
            if (strcmp(governor, "unavailable") == 0)
                snprintf(text, sizeof(text),
                         "No CPU frequency governor is exposed (governor: unavailable): the "
                         "clock speed is not under control here.");
            else
                snprintf(text, sizeof(text),
                         "CPU frequency governor is '%s', not performance: the clock speed can "
                         "change during the run.",
                         governor);
            w->ops->bullet(w, text), warned++;
        }
        snprintf(text, sizeof(text),
                 "Transparent huge pages: enabled=%s, defrag=%s. fork() of a large parent copies "
                 "its page tables; with THP 'always' they are smaller, so spawn-against-RSS "
                 "figures depend on this mode.",
                 env_or(run, "thp_enabled", "?"), env_or(run, "thp_defrag", "?"));
        w->ops->bullet(w, text), warned++;
        double load_start = atof(env_or(run, "loadavg_1m_start", "0"));
        double load_end = atof(env_or(run, "loadavg_1m_end", "0"));
        double load = load_start > load_end ? load_start : load_end;
        if (cpus > 0 && load > 0.5 * (double)cpus) {
            snprintf(text, sizeof(text),
                     "Load average %.2f (start %.2f, end %.2f) on %ld CPUs: other work ran "
                     "during the run.",
                     load, load_start, load_end, cpus);
            w->ops->bullet(w, text), warned++;
        }
        double steal = atof(env_or(run, "steal_pct", "0"));
        if (steal > 1.0) {
            snprintf(text, sizeof(text),
                     "Steal time %.2f%%: the hypervisor ran other guests on these CPUs.", steal);
            w->ops->bullet(w, text), warned++;
        }
        bool free_placement = false, cross = false;
        size_t failed = 0, skipped = 0;
        for (size_t k = 0; k < run->case_count; k++) {
            free_placement = free_placement || strcmp(run->cases[k].placement, "free") == 0;
            cross = cross || strcmp(run->cases[k].placement, "cross") == 0;
            failed += strcmp(run->cases[k].status, "failed") == 0;
            skipped += strcmp(run->cases[k].status, "skipped") == 0;
        }
        if (free_placement || cross) {
            snprintf(text, sizeof(text),
                     "Placement: same = parent and peer on one CPU, cross = on two, free = where "
                     "the scheduler puts them.%s",
                     vm && cpus > 0 && cpus <= 4
                         ? " On this small VM free placement is bimodal (the peer lands on the "
                           "same CPU or the other, run by run): quote same and cross."
                         : "");
            w->ops->bullet(w, text), warned++;
        }
        if (failed > 0 || skipped > 0) {
            snprintf(text, sizeof(text),
                     "%zu cases failed and %zu were skipped (their rows say why).", failed,
                     skipped);
            w->ops->bullet(w, text), warned++;
        }
        if (warned == 0)
            w->ops->paragraph(w, "None.");
    }
}

/* ---- method ---------------------------------------------------------------- */

static void write_method(struct report_writer *w, const struct report_content *c)
{
    w->ops->heading(w, 2, "Method");
    for (size_t i = 0; i < c->run_count; i++) {
        const struct report_run *r = &c->runs[i];
        const struct stored_run *run = r->run;
        char text[600], a[32], b[32], d[32], e[32];
        uint64_t samples = 0;
        size_t measured = 0;
        for (size_t k = 0; k < run->case_count; k++) {
            samples += run->cases[k].n;
            measured += strcmp(run->cases[k].status, "ok") == 0;
        }
        uint64_t seed = 0;
        bool has_seed = results_read_integer(run, "config", "seed", &seed);
        char seed_text[32];
        snprintf(seed_text, sizeof(seed_text), has_seed ? "%" PRIu64 : "?", seed);
        double warmup = NAN, min_time = NAN, max_time = NAN, duration = NAN;
        results_read_number(run, "config", "warmup_ns", &warmup);
        results_read_number(run, "config", "min_time_ns", &min_time);
        results_read_number(run, "config", "max_time_ns", &max_time);
        results_read_number(run, NULL, "duration_ns", &duration);
        fmt_duration(warmup, a, sizeof(a));
        fmt_duration(min_time, b, sizeof(b));
        fmt_duration(max_time, d, sizeof(d));
        fmt_duration(duration, e, sizeof(e));
        if (c->run_count > 1) {
            snprintf(text, sizeof(text), "Run %zu: %s", i + 1, run->path);
            w->ops->heading(w, 3, text);
        }
        snprintf(text, sizeof(text),
                 "%zu cases (%zu measured), %" PRIu64 " samples in all, in at least %" PRIu64
                 " interleaved rounds per case, seed %s, %s budgets (warm-up %s, at least %s, "
                 "at most %s per case); the run took %s.",
                 run->case_count, measured, samples, run->config_rounds, seed_text,
                 run->quick ? "--quick" : "default", a, b, d, e);
        w->ops->bullet(w, text);
        snprintf(text, sizeof(text),
                 "Clock: %s, overhead %s ns a read, resolution %s ns; a histogram record "
                 "costs %s ns.",
                 env_or(run, "clock_source", "?"), env_or(run, "clock_overhead_ns", "?"),
                 env_or(run, "clock_resolution_ns", "?"), env_or(run, "histogram_record_ns", "?"));
        w->ops->bullet(w, text);
        w->ops->bullet(w, "p50 is the median of all samples; its 95% confidence interval comes "
                          "from order statistics, with its half-width in percent of p50 and "
                          "\"target not reached\" where it stopped short of the run's "
                          "--ci-target; p99 from the same histogram (3 significant "
                          "digits). CPU is per operation, both ends (rusage of the parent and "
                          "reaped children, and a long-lived peer's schedstat).");
        if (c->run_count > 1)
            continue;
        snprintf(text, sizeof(text), "Drift data: %s.",
                 r->rounds_note[0] ? r->rounds_note : "rounds.csv read");
        w->ops->bullet(w, text);
    }
    if (c->run_count > 1)
        w->ops->paragraph(w, "Ratios are run N / run 1 for the same case: the Hodges-Lehmann "
                             "estimate on the two cases' round medians with its 95% interval, "
                             "or the ratio of the medians' own intervals when rounds are too "
                             "few (as `procbench check` judges a rule).");
}

/* ---- the tables ------------------------------------------------------------ */

/* Optional columns: shown for a family when a case of it has a value above 0. */
struct extra_column {
    char key[64], header[80];
    char kind; /* 'd' duration ns, 'b' bytes, 'r' bytes per second, 'n' number, 'x' ratio,
                * 't' text (shown when not empty) */
};

static const struct extra_column fixed_extras[] = {
    {"bytes_per_s", "throughput", 'r'},
    {"ops_per_s", "ops/s", 'n'},
    {"rss_slope_ns_per_gib", "per GiB of RSS", 'd'},
    {"vs_posix_spawn", "vs posix_spawn", 'x'},
    {"achieved_rate", "achieved ops/s (open loop)", 'n'},
    {"backlog", "backlog", 't'},
    {"mechanism", "mechanism (observed)", 't'},
};
#define FIXED_EXTRA_COUNT (sizeof(fixed_extras) / sizeof(fixed_extras[0]))
#define EXTRA_MAX         (RESULTS_READ_MAX_METRICS + FIXED_EXTRA_COUNT)

/* The optional columns of run's tables: the median (else the first
 * statistic) of each metric the run declares, then fixed_extras. */
static size_t table_extras(const struct stored_run *run, struct extra_column *out)
{
    size_t n = 0;
    for (size_t m = 0; m < run->metric_count; m++) {
        const struct stored_metric *metric = &run->metrics[m];
        enum metric_stat stat = METRIC_P50;
        for (size_t k = 0; !(metric->aggregate & stat) && k < METRIC_STAT_COUNT; k++)
            stat = metric_stat_at(k);
        struct extra_column *x = &out[n++];
        snprintf(x->key, sizeof(x->key), "%s_%s", metric->name, metric_stat_name(stat));
        snprintf(x->header, sizeof(x->header), "%s (%s)", metric->label, metric_stat_name(stat));
        x->kind = metric->unit == METRIC_NS ? 'd' : metric->unit == METRIC_BYTES ? 'b' : 'n';
    }
    for (size_t f = 0; f < FIXED_EXTRA_COUNT; f++)
        out[n++] = fixed_extras[f];
    return n;
}

/* Whether case sc has a value for column x: a number above 0, or text. */
static bool has_extra(const struct extra_column *x, const struct stored_case *sc)
{
    double v;
    if (x->kind == 't') {
        const char *text = results_read_case_text(sc, x->key);
        return text != NULL && text[0] != '\0';
    }
    return results_read_case_number(sc, x->key, &v) && v > 0;
}

static void format_extra(const struct extra_column *x, const struct stored_case *sc, char *buf,
                         size_t len)
{
    double v;
    if (x->kind == 't') {
        const char *text = results_read_case_text(sc, x->key);
        snprintf(buf, len, "%s", text != NULL && text[0] != '\0' ? text : "-");
        return;
    }
    /* A measured growth of 0 bytes is a result (streaming); elsewhere 0
     * means the figure does not apply. */
    if (!results_read_case_number(sc, x->key, &v) || v < 0 || (v == 0 && x->kind != 'b')) {
        snprintf(buf, len, "-");
        return;
    }
    char tmp[48];
    switch (x->kind) {
    case 'd':
        fmt_duration(v, buf, len);
        break;
    case 'b':
        fmt_bytes(v, buf, len);
        break;
    case 'r':
        fmt_bytes(v, tmp, sizeof(tmp));
        snprintf(buf, len, "%s/s", tmp);
        break;
    case 'x': {
        double lo, hi;
        char key[sizeof(x->key) + 16];
        snprintf(key, sizeof(key), "%.*s_ci_low", (int)sizeof(x->key) - 1, x->key);
        bool has_lo = results_read_case_number(sc, key, &lo);
        snprintf(key, sizeof(key), "%.*s_ci_high", (int)sizeof(x->key) - 1, x->key);
        if (has_lo && results_read_case_number(sc, key, &hi))
            snprintf(buf, len, "%.3f [%.3f, %.3f]", v, lo, hi);
        else
            snprintf(buf, len, "%.3f", v);
        break;
    }
    default:
        snprintf(buf, len, "%.4g", v);
    }
}

static bool in_family(const struct stored_case *sc, const char *family)
{
    char f[64];
    report_family(sc, f, sizeof(f));
    return strcmp(f, family) == 0;
}

static void p50_cells(struct row *row, const struct stored_case *sc)
{
    char a[32], b[32], d[32];
    if (strcmp(sc->status, "ok") != 0 || sc->n == 0) {
        cell(row, "%s", sc->status);
        cell(row, "%s", sc->reason[0] ? sc->reason : "-");
        return;
    }
    fmt_duration((double)sc->p50_ns, a, sizeof(a));
    fmt_duration((double)sc->p50_ci_low_ns, b, sizeof(b));
    fmt_duration((double)sc->p50_ci_high_ns, d, sizeof(d));
    cell(row, "%s", a);
    /* The achieved precision, and whether it fell short of the run's
     * --ci-target (results written before either leave them out). */
    double pct;
    char precision[48] = "";
    if (results_read_case_number(sc, "p50_ci_pct", &pct))
        snprintf(precision, sizeof(precision), " +-%.1f%%%s", pct,
                 results_read_case_is(sc, "ci_target_met", "no") ? ", target not reached" : "");
    cell(row, "[%s, %s]%s", b, d, precision);
}

static void write_family_single(struct report_writer *w, const struct stored_run *run,
                                const char *family)
{
    struct extra_column extras[EXTRA_MAX];
    size_t extra_count = table_extras(run, extras);
    bool shown[EXTRA_MAX] = {false};
    for (size_t k = 0; k < run->case_count; k++) {
        for (size_t x = 0; x < extra_count; x++)
            shown[x] = shown[x] ||
                       (in_family(&run->cases[k], family) && has_extra(&extras[x], &run->cases[k]));
    }
    const char *headers[MAX_COLUMNS] = {"case", "p50", "95% CI of p50", "p99", "CPU/op", "n"};
    char align[MAX_COLUMNS + 1] = "lrrrrr";
    size_t columns = 6;
    for (size_t x = 0; x < extra_count && columns < MAX_COLUMNS; x++) {
        if (shown[x]) {
            headers[columns] = extras[x].header;
            align[columns++] = 'r';
        }
    }
    w->ops->table_begin(w, columns, headers, align);
    for (size_t k = 0; k < run->case_count; k++) {
        const struct stored_case *sc = &run->cases[k];
        if (!in_family(sc, family))
            continue;
        struct row row = {0};
        char a[32], b[32];
        double p99 = NAN;
        cell(&row, "%s", sc->name);
        p50_cells(&row, sc);
        results_read_case_number(sc, "p99", &p99);
        fmt_duration(strcmp(sc->status, "ok") == 0 ? p99 : NAN, a, sizeof(a));
        fmt_duration(strcmp(sc->status, "ok") == 0 ? sc->cpu_ns : NAN, b, sizeof(b));
        cell(&row, "%s", a);
        cell(&row, "%s", b);
        cell(&row, "%" PRIu64, sc->n);
        for (size_t x = 0, shown_count = 6; x < extra_count && shown_count < columns; x++) {
            if (!shown[x])
                continue;
            shown_count++;
            char v[CELL];
            format_extra(&extras[x], sc, v, sizeof(v));
            cell(&row, "%s", v);
        }
        w->ops->table_row(w, row.ptrs);
    }
    w->ops->table_end(w);
}

/* Several runs: the cases of the family in any run, in the order first met;
 * per run its p50 [CI], and from the second on the ratio to the first. */
static void write_family_several(struct report_writer *w, const struct report_content *c,
                                 const char *family)
{
    const char *headers[MAX_COLUMNS] = {"case"};
    char names[MAX_COLUMNS][48];
    char align[MAX_COLUMNS + 1] = "l";
    size_t columns = 1;
    size_t runs = c->run_count;
    if (runs > (MAX_COLUMNS - 1) / 3)
        runs = (MAX_COLUMNS - 1) / 3;
    for (size_t i = 0; i < runs; i++) {
        snprintf(names[columns], sizeof(names[0]), "run %zu p50", i + 1);
        headers[columns] = names[columns], align[columns++] = 'r';
        snprintf(names[columns], sizeof(names[0]), "run %zu 95%% CI", i + 1);
        headers[columns] = names[columns], align[columns++] = 'r';
        if (i > 0) {
            snprintf(names[columns], sizeof(names[0]), "run %zu / run 1 [95%% CI]", i + 1);
            headers[columns] = names[columns], align[columns++] = 'r';
        }
    }
    w->ops->table_begin(w, columns, headers, align);
    for (size_t i = 0; i < runs; i++) {
        const struct stored_run *run = c->runs[i].run;
        for (size_t k = 0; k < run->case_count; k++) {
            const struct stored_case *sc = &run->cases[k];
            bool earlier = false;
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = results_read_find_case(c->runs[j].run, sc->name) != NULL;
            if (!in_family(sc, family) || earlier)
                continue;
            struct row row = {0};
            const struct stored_case *first = results_read_find_case(c->runs[0].run, sc->name);
            cell(&row, "%s", sc->name);
            for (size_t j = 0; j < runs; j++) {
                const struct stored_case *x = results_read_find_case(c->runs[j].run, sc->name);
                if (x == NULL) {
                    cell(&row, "not run");
                    cell(&row, "-");
                } else {
                    p50_cells(&row, x);
                }
                if (j == 0)
                    continue;
                struct check_rule rule = {.op = CHECK_LESS, .factor = 1.0};
                struct check_outcome o;
                if (x == NULL || first == NULL || check_judge(&rule, x, first, &o) != 0 ||
                    isnan(o.ratio)) {
                    cell(&row, "-");
                } else if (isnan(o.low)) {
                    cell(&row, "%.3f", o.ratio);
                } else {
                    cell(&row, "%.3f [%.3f, %.3f]", o.ratio, o.low, o.high);
                }
            }
            w->ops->table_row(w, row.ptrs);
        }
    }
    w->ops->table_end(w);
}

/* Where a Node.js call's time goes: the Node, libuv and system-call rows
 * and the layers between them (harness/decompose.h), of the first run. */
static void write_decomposition(struct report_writer *w, const struct stored_run *run)
{
    struct decompose_row rows[32];
    size_t count;
    if (decompose_node(run, rows, sizeof(rows) / sizeof(rows[0]), &count) != 0 || count == 0)
        return;
    w->ops->heading(w, 4, "Where the time of a Node.js call goes");
    w->ops->table_begin(w, DECOMPOSE_COLUMNS, decompose_headers, "llrrrrrr");
    bool fallback = false;
    for (size_t i = 0; i < count; i++) {
        char cells[DECOMPOSE_COLUMNS][DECOMPOSE_CELL_MAX];
        const char *ptrs[DECOMPOSE_COLUMNS];
        fallback |= decompose_format_row(&rows[i], cells);
        for (size_t k = 0; k < DECOMPOSE_COLUMNS; k++)
            ptrs[k] = cells[k];
        w->ops->table_row(w, ptrs);
    }
    w->ops->table_end(w);
    char legend[1024];
    snprintf(legend, sizeof(legend), "%s%s%s", decompose_legend, fallback ? " *: " : "",
             fallback ? decompose_legend_fallback : "");
    w->ops->paragraph(w, legend);
}

static void write_results(struct report_writer *w, const struct report_content *c)
{
    char families[64][64];
    size_t count = 0;
    for (size_t i = 0; i < c->run_count; i++) {
        const struct stored_run *run = c->runs[i].run;
        for (size_t k = 0; k < run->case_count && count < 64; k++) {
            char f[64];
            bool known = false;
            report_family(&run->cases[k], f, sizeof(f));
            for (size_t j = 0; j < count; j++)
                known = known || strcmp(families[j], f) == 0;
            if (!known)
                snprintf(families[count++], sizeof(families[0]), "%s", f);
        }
    }
    w->ops->heading(w, 2, "Results");
    w->ops->paragraph(w, "Times are per operation: p50 is the median sample, shown with its "
                         "95% confidence interval; p99 the 99th percentile; CPU/op the CPU "
                         "time of both ends per operation; n the samples.");
    for (size_t f = 0; f < count; f++) {
        char title[96];
        snprintf(title, sizeof(title), "%s", families[f]);
        w->ops->heading(w, 3, title);
        if (c->run_count == 1)
            write_family_single(w, c->runs[0].run, families[f]);
        else
            write_family_several(w, c, families[f]);
        if (strcmp(families[f], "node") == 0) {
            write_decomposition(w, c->runs[0].run);
        }
    }
}

/* ---- plots, claims, reproduction -------------------------------------------- */

static void write_plots(struct report_writer *w, const struct report_content *c)
{
    w->ops->heading(w, 2, "Plots");
    if (c->plots_note[0] != '\0') {
        w->ops->paragraph(w, c->plots_note);
        return;
    }
    if (c->run_count > 1)
        w->ops->paragraph(w, "Plots of run 1.");
    for (size_t i = 0; i < c->plots->count; i++) {
        const struct report_plot *p = &c->plots->list[i];
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.svg", c->plots_dir, p->name);
        w->ops->heading(w, 3, p->title);
        w->ops->plot(w, p->name, path, p->title, p->caption);
    }
}

static void write_claims(struct report_writer *w, const struct report_content *c)
{
    w->ops->heading(w, 2, "Claims");
    w->ops->paragraph(
        w, "Folklore checked against this machine's numbers. A ratio of times is judged as "
           "`procbench check` judges a rule: on its 95% confidence interval (Hodges-Lehmann on "
           "the round medians of the two cases, or the ratio of the medians' own intervals when "
           "the rounds are too few): holds when the whole interval is on the claim's side, does "
           "not hold when it is wholly on the other, inconclusive otherwise. 'As cheap' means "
           "the interval lies within 1 +- 10%. Claims whose cases were not run are not "
           "measured.");
    static const char *const headers[] = {"claim",     "verdict", "ratio", "95% CI",
                                          "criterion", "cases",   "note"};
    for (size_t i = 0; i < c->run_count; i++) {
        if (c->run_count > 1) {
            char title[32];
            snprintf(title, sizeof(title), "Run %zu", i + 1);
            w->ops->heading(w, 3, title);
        }
        w->ops->table_begin(w, 7, headers, "llrrlll");
        for (size_t k = 0; k < report_claim_count; k++) {
            const struct report_claim_result *res = &c->claims[i * report_claim_count + k];
            struct row row = {0};
            char ratio[CELL], ci[CELL];
            fmt_ratio(res->ratio, res->low, res->high, ratio, ci, sizeof(ratio));
            cell(&row, "%s", res->claim->folklore);
            cell(&row, "%s", report_verdict_name(res->verdict));
            cell(&row, "%s", ratio);
            cell(&row, "%s", ci);
            cell(&row, "%s", res->criterion);
            cell(&row, "%s", res->cases[0] ? res->cases : "-");
            cell(&row, "%s", res->note[0] ? res->note : "-");
            w->ops->table_row(w, row.ptrs);
        }
        w->ops->table_end(w);
    }
}

/* argv as a shell would need it typed: arguments with anything but safe
 * characters single-quoted. */
void report_shell_join(const char *const *argv, size_t count, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count && used + 4 < len; i++) {
        const char *a = argv[i];
        bool plain = a[0] != '\0' && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                                               "XYZ0123456789-_./=:,+@%") == strlen(a);
        if (i > 0)
            buf[used++] = ' ';
        if (!plain)
            buf[used++] = '\'';
        for (const char *p = a; *p && used + 6 < len; p++) {
            if (*p == '\'' && !plain) {
                memcpy(buf + used, "'\\''", 4);
                used += 4;
            } else {
                buf[used++] = *p;
            }
        }
        if (!plain)
            buf[used++] = '\'';
        buf[used] = '\0';
    }
}

static void write_reproduction(struct report_writer *w, const struct report_content *c)
{
    w->ops->heading(w, 2, "Reproduction");
    for (size_t i = 0; i < c->run_count; i++) {
        const struct stored_run *run = c->runs[i].run;
        char text[600];
        if (c->run_count > 1) {
            snprintf(text, sizeof(text), "Run %zu", i + 1);
            w->ops->heading(w, 3, text);
        }
        snprintf(text, sizeof(text), "Results: %s", run->path);
        w->ops->paragraph(w, text);
        const char **argv = NULL;
        size_t argc = 0;
        if (results_read_argv(run, &argv, &argc) == 0 && argc > 0) {
            char *line = malloc(64 * 1024);
            if (line != NULL) {
                report_shell_join(argv, argc, line, 64 * 1024);
                w->ops->code(w, line);
                free(line);
            }
        } else {
            w->ops->paragraph(w, "The run recorded no argv.");
        }
        free(argv);
        snprintf(text, sizeof(text),
                 "Commit %s, procbench %s (%s build), %s, glibc %s, libuv %s, kernel %s.",
                 env_or(run, "git_commit", "?"), env_or(run, "procbench_version", "?"),
                 env_or(run, "build_type", "?"), env_or(run, "compiler", "?"),
                 env_or(run, "glibc_version", "?"), env_or(run, "libuv_version", "?"),
                 env_or(run, "kernel", "?"));
        w->ops->paragraph(w, text);
    }
    w->ops->paragraph(w, "This report:");
    w->ops->code(w, c->command);
}

int report_content_write(struct report_writer *w, const struct report_content *c)
{
    char title[256];
    const struct stored_run *first = c->runs[0].run;
    if (c->run_count == 1)
        snprintf(title, sizeof(title), "procbench report: %s, %s", env_or(first, "hostname", "?"),
                 env_or(first, "kernel", "?"));
    else
        snprintf(title, sizeof(title), "procbench report: %zu runs", c->run_count);
    w->ops->begin(w, title);
    if (c->run_count > 1) {
        for (size_t i = 0; i < c->run_count; i++) {
            char text[600];
            snprintf(text, sizeof(text), "Run %zu: %s (%s, %s)", i + 1, c->runs[i].run->path,
                     env_or(c->runs[i].run, "hostname", "?"),
                     env_or(c->runs[i].run, "git_commit", "?"));
            w->ops->bullet(w, text);
        }
    }
    write_environment(w, c);
    write_method(w, c);
    write_results(w, c);
    write_plots(w, c);
    if (c->history != NULL)
        report_history_write(w, c->history, c->plots_dir);
    write_claims(w, c);
    write_reproduction(w, c);
    w->ops->end(w);
    return w->error;
}
