/*
 * The console table and progress line. Numbers are printed with three
 * significant digits and a unit (base/format.h); the CSV and JSON keep
 * integer nanoseconds. The header says how long the run will take at most
 * and how to get a quicker answer; the progress line, cases done and the
 * time left; the end, which cases ran out of time before their precision
 * target. A row names its case by what varies within its family in this
 * run (spawn's rows by rss, say), and the parameters every case of a
 * family shares are said once under the header; the canonical names stay
 * in the CSV and JSON.
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "base/case_label.h"
#include "base/format.h"
#include "writers.h"

/* Whether case i of r is the first of its family in r. */
static bool first_of_family(const struct run_results *r, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        if (case_name_same_family(r->cases[k].def.name, r->cases[i].def.name))
            return false;
    }
    return true;
}

/* What varies among the cases of the run in the family of name. */
static void family_vary(const struct run_results *r, const char *name, struct case_vary *v)
{
    case_vary_init(v);
    for (size_t i = 0; i < r->case_count; i++) {
        const char *other = r->cases[i].def.name;
        struct case_name c;
        if (case_name_same_family(other, name) && case_name_parse(other, &c) == 0)
            case_vary_add(v, &c);
    }
}

/* A case as the console names it: its scenario and what varies in its
 * family ("family.op{rss=64M}"); the canonical name if it does not
 * parse. */
static void case_label(const struct console *con, const struct case_def *def, char *buf, size_t len)
{
    struct case_name c;
    struct case_vary v;
    if (con->run == NULL || case_name_parse(def->name, &c) != 0) {
        snprintf(buf, len, "%s", def->name);
        return;
    }
    family_vary(con->run, def->name, &v);
    case_label_format(&c, &v, NULL, false, buf, len);
}

/* Under the header: per family, the parameters every case shares. */
static void print_constants(struct console *con, const struct run_results *r)
{
    for (size_t i = 0; i < r->case_count; i++) {
        const char *name = r->cases[i].def.name;
        if (!first_of_family(r, i))
            continue;
        struct case_vary v;
        char constants[1024];
        family_vary(r, name, &v);
        case_vary_constants(&v, NULL, constants, sizeof(constants));
        if (constants[0] != '\0')
            fprintf(con->out, "%.*s.* cases, all: %s\n", (int)case_name_family_len(name), name, constants);
    }
}

/* Clears the progress line so that a table row does not land inside it.
 * The line is drawn by the rounds' processes, so whether one is on screen
 * is not known here: clear whenever progress is shown at all. */
static void clear_progress(struct console *con)
{
    if (con->progress)
        fputs("\r\033[K", stderr);
}

/* A wall-clock span for people: "42 s", "3 min 10 s", "1 h 05 min". */
static void format_span(uint64_t ns, char *buf, size_t len)
{
    uint64_t s = (ns + 500000000u) / 1000000000u;
    if (s < 60)
        snprintf(buf, len, "%" PRIu64 " s", s);
    else if (s < 3600)
        snprintf(buf, len, "%" PRIu64 " min %02" PRIu64 " s", s / 60, s % 60);
    else
        snprintf(buf, len, "%" PRIu64 " h %02" PRIu64 " min", s / 3600, s / 60 % 60);
}

/* How long the run will take and how precise, before it starts, with the
 * way to a quicker answer (or to the full one). */
static void print_plan(FILE *out, const struct run_results *r)
{
    const struct run_config *c = &r->config;
    char budget[32], max_time[32];
    format_span(c->time_budget_ns, budget, sizeof(budget));
    format_duration((double)c->max_time_ns, max_time, sizeof(max_time));
    if (c->time_budget_ns > 0)
        fprintf(out, "planned to end within %s (--time-budget)", budget);
    else
        fprintf(out, "no time budget: up to %s of sampling a case (--max-time)", max_time);
    if (c->ci_target_pct > 0)
        fprintf(out, "; each median to +-%g%% (--ci-target), or flagged\n", c->ci_target_pct);
    else
        fprintf(out, "; no precision target (--ci-target 0)\n");
    if (!c->quick)
        fprintf(out,
                "a quicker answer: procbench run --quick (every family, trimmed sweeps, +-3%%, "
                "under a minute)\n");
    else
        fprintf(out, "quick: trimmed sweeps; the full matrix: procbench run without --quick\n");
}

static void print_warnings(FILE *out, const struct run_results *r)
{
    const struct run_env *e = &r->env;
    if (strncmp(e->virtualization, "none", 4) != 0 && strcmp(e->virtualization, "unknown") != 0)
        fprintf(out,
                "warning: virtual machine (%s): cross-CPU wake-ups and steal time add "
                "noise; compare runs from one machine only\n",
                e->virtualization);
    if (strcmp(e->governor, "performance") != 0 && strcmp(e->governor, "unavailable") != 0)
        fprintf(out, "warning: CPU frequency governor is '%s', not 'performance'\n", e->governor);
    if (e->loadavg_1m_start > 0.5 * e->cpu_count_online)
        fprintf(out, "warning: load average %.2f at start: other work is running\n",
                e->loadavg_1m_start);
}

void console_begin(struct console *con, const struct run_results *r, bool quiet)
{
    memset(con, 0, sizeof(*con));
    con->out = stdout;
    con->quiet = quiet;
    con->progress = !quiet && isatty(STDERR_FILENO);
    con->run = r;
    con->name_width = 24;
    if (quiet)
        return;
    /* The widest label: the variation of each family, computed once. */
    for (size_t i = 0; i < r->case_count; i++) {
        const char *name = r->cases[i].def.name;
        if (!first_of_family(r, i))
            continue;
        struct case_vary v;
        family_vary(r, name, &v);
        for (size_t k = i; k < r->case_count; k++) {
            struct case_name c;
            const char *other = r->cases[k].def.name;
            char label[CASE_NAME_MAX];
            int len = (int)strlen(other);
            if (!case_name_same_family(other, name))
                continue;
            if (case_name_parse(other, &c) == 0)
                len = case_label_format(&c, &v, NULL, false, label, sizeof(label));
            if (len > con->name_width)
                con->name_width = len;
        }
    }
    const struct run_env *e = &r->env;
    fprintf(con->out, "procbench %s (%s) on %s: %s, %d CPUs, %s\n", e->procbench_version,
            e->git_commit, e->hostname, e->kernel, e->cpu_count_online, e->cpu_model);
    fprintf(con->out,
            "clock overhead %" PRIu64 " ns, resolution %" PRIu64 " ns; %zu cases, seed %" PRIu64
            "%s\n",
            e->clock_overhead_ns, e->clock_resolution_ns, r->case_count, r->config.seed,
            r->config.quick ? ", quick" : "");
    print_plan(con->out, r);
    print_warnings(con->out, r);
    print_constants(con, r);
    fprintf(con->out, "\n%-*s %8s %10s %9s %10s  %s\n", con->name_width, "case", "n", "p50",
            "p50 ci", "p99", "cpus");
    fflush(con->out);
}

void console_progress(const struct runner_progress *p, void *ctx)
{
    struct console *con = ctx;
    if (!con->progress)
        return;
    char elapsed[32], left[48] = "", label[CASE_NAME_MAX];
    format_span(p->elapsed_ns, elapsed, sizeof(elapsed));
    if (p->remaining_ns > 0) {
        char span[32];
        format_span(p->remaining_ns, span, sizeof(span));
        snprintf(left, sizeof(left), ", ~%s left", span);
    } else if (p->budget_ns > 0) {
        char span[32];
        format_span(p->budget_ns, span, sizeof(span));
        snprintf(left, sizeof(left), " of at most %s", span);
    }
    case_label(con, &p->current->def, label, sizeof(label));
    fprintf(stderr, "\r\033[K[%" PRIu64 "/%" PRIu64 " cases, %s%s] %s: %" PRIu64 " samples",
            p->cases_done, p->cases_total, elapsed, left, label, p->round_samples);
    fflush(stderr);
}

static void format_cpus(const struct case_result *c, char *buf, size_t len)
{
    if (c->parent_cpu < 0)
        snprintf(buf, len, "free");
    else
        snprintf(buf, len, "%d/%d", c->parent_cpu, c->peer_cpu);
}

/* A metric's value in its unit, for people. */
static void format_metric(const struct metric_spec *m, uint64_t value, char *buf, size_t len)
{
    if (m->unit == METRIC_NS)
        format_duration((double)value, buf, len);
    else if (m->unit == METRIC_BYTES)
        format_size((double)value, buf, len);
    else
        snprintf(buf, len, "%" PRIu64, value);
}

/* What only some cases have: throughput, the medians of the metrics their
 * scenario declares, batching. */
static void format_extra(const struct case_result *c, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    if (c->bytes_per_s > 0)
        used +=
            (size_t)snprintf(buf + used, len - used, "  %.1f MB/s", (double)c->bytes_per_s / 1e6);
    size_t declared = scenario_metric_count(c->def.scenario);
    for (size_t m = 0; m < declared && used < len; m++) {
        const struct metric_spec *spec = &c->def.scenario->metrics[m];
        char value[32];
        if (c->metric[m].stats.n == 0)
            continue;
        format_metric(spec, c->metric[m].stats.p50_ns, value, sizeof(value));
        used += (size_t)snprintf(buf + used, len - used, "  %s %s", spec->label, value);
    }
    if (c->ops_per_sample > 1 && used < len)
        snprintf(buf + used, len - used, "  (%" PRIu64 " ops per sample)", c->ops_per_sample);
}

void console_case_done(const struct case_result *c, void *ctx)
{
    struct console *con = ctx;
    if (con->quiet)
        return;
    clear_progress(con);
    char label[CASE_NAME_MAX];
    case_label(con, &c->def, label, sizeof(label));
    if (c->status != CASE_OK) {
        fprintf(con->out, "%-*s %s: %s\n", con->name_width, label, case_status_name(c->status),
                c->reason);
        fflush(con->out);
        return;
    }
    char p50[24], p99[24], cpus[24], ci[24], extra[256];
    format_duration((double)c->stats.p50_ns, p50, sizeof(p50));
    format_duration((double)c->stats.p99_ns, p99, sizeof(p99));
    double ci_pct = stats_median_ci_percent(&c->stats);
    /* The histogram resolves 0.1% (3 significant digits): a narrower
     * interval is shown as that bound, not as a zero it cannot know. */
    if (ci_pct < 0.1)
        snprintf(ci, sizeof(ci), "<0.1%%");
    else
        snprintf(ci, sizeof(ci), "+-%.1f%%", ci_pct);
    format_cpus(c, cpus, sizeof(cpus));
    format_extra(c, extra, sizeof(extra));
    char missed[64] = "";
    if (c->ci_target_set && !c->ci_target_met)
        snprintf(missed, sizeof(missed), "  (target not reached: %s)", case_end_name(c->end));
    else if (c->end == CASE_END_INTERRUPTED)
        snprintf(missed, sizeof(missed), "  (interrupted: %" PRIu64 " rounds)", c->rounds);
    fprintf(con->out, "%-*s %8" PRIu64 " %10s %9s %10s  %s%s%s%s%s\n", con->name_width, label,
            c->stats.n, p50, ci, p99, cpus, extra, c->failures ? "  (some samples failed)" : "",
            c->below_clock_floor ? "  (under 100x clock overhead)" : "", missed);
    fflush(con->out);
}

/* One analysis of a case, as " x1.20 [1.10, 1.31]" or " +2.30 ms/GiB [...]". */
static void format_analysis(const struct analysis_spec *spec, const struct case_analysis *a,
                            char *buf, size_t len)
{
    char value[24], low[24], high[24];
    if (spec->kind == ANALYSIS_RATIO) {
        snprintf(buf, len, "  x%.2f [%.2f, %.2f]", a->value, a->low, a->high);
        return;
    }
    format_signed_duration(a->value, value, sizeof(value));
    if (spec->kind == ANALYSIS_BREAK_EVEN) {
        snprintf(buf, len, "  %s", value);
        return;
    }
    format_signed_duration(a->low, low, sizeof(low));
    format_signed_duration(a->high, high, sizeof(high));
    snprintf(buf, len, "  %s/%s [%s, %s]", value, spec->per_name, low, high);
}

/* The analyses the run's scenarios declare (analysis/curves.h), under the
 * table: a line for every case that has one of them, with its operations
 * per second. */
static void print_analyses(struct console *con, const struct run_results *r)
{
    const struct analysis_spec *specs[RUN_ANALYSES_MAX];
    size_t count = results_analyses(r, specs, RUN_ANALYSES_MAX);
    bool header = false;
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        char line[512] = "";
        size_t used = 0;
        for (size_t k = 0; k < count && used < sizeof(line); k++) {
            const struct case_analysis *a = results_case_analysis(c, specs[k]->column);
            char text[128] = "  -";
            if (a != NULL && isfinite(a->value))
                format_analysis(specs[k], a, text, sizeof(text));
            used += (size_t)snprintf(line + used, sizeof(line) - used, "%s", text);
        }
        bool any = false;
        for (size_t k = 0; k < count; k++) {
            const struct case_analysis *a = results_case_analysis(c, specs[k]->column);
            any = any || (a != NULL && isfinite(a->value));
        }
        if (!any)
            continue;
        if (!header) {
            fputs("\nanalyses:", con->out);
            for (size_t k = 0; k < count; k++)
                fprintf(con->out, "%s %s%s", k ? "," : "", specs[k]->label,
                        specs[k]->ci_prefix ? " [95% ci]" : "");
            fputs(", operations/s\n", con->out);
            header = true;
        }
        char rate[32] = "  -";
        if (isfinite(c->ops_per_s))
            snprintf(rate, sizeof(rate), "  %.0f/s", c->ops_per_s);
        char label[CASE_NAME_MAX];
        case_label(con, &c->def, label, sizeof(label));
        fprintf(con->out, "%-*s%s%s\n", con->name_width, label, line, rate);
    }
}

/* The mechanism column (harness/engine/mechanism.h) under the table: a
 * line for every case that has one. */
static void print_mechanisms(struct console *con, const struct run_results *r)
{
    bool header = false;
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        if (c->mechanism[0] == '\0')
            continue;
        if (!header) {
            fprintf(con->out, "\nmechanism: the system calls that created the children of one "
                              "observed sample\n");
            header = true;
        }
        char label[CASE_NAME_MAX];
        case_label(con, &c->def, label, sizeof(label));
        fprintf(con->out, "%-*s  %s\n", con->name_width, label, c->mechanism);
    }
}

/* A warning for every open-loop case whose backlog grew without bound
 * (analysis/open_loop.h): its latencies are a queue's. */
static void print_backlog_warnings(struct console *con, const struct run_results *r)
{
    bool first = true;
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        if (strcmp(c->backlog, "grows") != 0)
            continue;
        const char *rate = NULL;
        for (size_t p = 0; p < c->def.param_count; p++) {
            if (strcmp(c->def.scenario->params[p].name, "rate") == 0)
                rate = c->def.params[p].text;
        }
        char label[CASE_NAME_MAX];
        case_label(con, &c->def, label, sizeof(label));
        fprintf(con->out,
                "%swarning: %s: offered %s/s, achieved %.0f/s: the backlog grew without bound; "
                "its latencies are those of a queue, cut off by --max-time\n",
                first ? "\n" : "", label, rate != NULL ? rate : "?", c->achieved_rate);
        first = false;
    }
}

/* The cases measured whose interval did not reach --ci-target: a line
 * each (the first ones), so that none goes unnoticed. */
#define MISSED_LISTED 30

static void print_missed_targets(struct console *con, const struct run_results *r)
{
    size_t missed = 0;
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        missed += c->status == CASE_OK && c->ci_target_set && !c->ci_target_met;
    }
    if (missed == 0)
        return;
    fprintf(con->out,
            "\nwarning: %zu of %zu cases stopped before their median was within +-%g%% "
            "(summary.csv: ci_target_met=no, and stopped_by says why: max-time, time-budget "
            "or interrupted):\n",
            missed, r->case_count, r->config.ci_target_pct);
    size_t listed = 0;
    for (size_t i = 0; i < r->case_count && listed < MISSED_LISTED; i++) {
        const struct case_result *c = &r->cases[i];
        if (c->status != CASE_OK || !c->ci_target_set || c->ci_target_met)
            continue;
        char ci[24];
        if (isfinite(c->p50_ci_pct))
            snprintf(ci, sizeof(ci), "+-%.1f%%", c->p50_ci_pct);
        else
            snprintf(ci, sizeof(ci), "unknown");
        fprintf(con->out, "  %-*s %9s  %s\n", con->name_width, c->def.name, ci,
                case_end_name(c->end));
        listed++;
    }
    if (missed > listed)
        fprintf(con->out, "  ... and %zu more\n", missed - listed);
}

void console_end(struct console *con, const struct run_results *r, const char *dir)
{
    clear_progress(con);
    if (!con->quiet) {
        print_missed_targets(con, r);
        print_analyses(con, r);
        print_mechanisms(con, r);
        print_backlog_warnings(con, r);
    }
    size_t failed = 0, skipped = 0;
    for (size_t i = 0; i < r->case_count; i++) {
        failed += r->cases[i].status == CASE_FAILED;
        skipped += r->cases[i].status == CASE_SKIPPED;
    }
    if (!con->quiet) {
        char took[32];
        format_duration((double)r->duration_ns, took, sizeof(took));
        fprintf(con->out, "\n%zu cases in %s: %zu measured, %zu failed, %zu skipped\n",
                r->case_count, took, r->case_count - failed - skipped, failed, skipped);
    }
    if (dir)
        fprintf(con->out, con->quiet ? "%s\n" : "results: %s\n", dir);
    fflush(con->out);
}
