/*
 * The content of a report (report_content.h): its sections in order, but
 * for the family tables (report_tables.c). Numbers are formatted for
 * people (report_metrics.h): durations with a unit and three significant
 * digits, sizes in KiB/MiB/GiB, parameters as they were typed.
 */
#include "report_content.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/units.h"
#include "base/format.h"
#include "report_metrics.h"
#include "report_row.h"

static const char *env_or(const struct stored_run *run, const char *key, const char *fallback)
{
    const char *v = results_read_env(run, key);
    return v != NULL && v[0] != '\0' ? v : fallback;
}

/* ---- the title and its line of context ------------------------------------ */

/* "2026-11-22 22:40 UTC", or "" when the run has no start time. */
static void start_time(const struct stored_run *run, char *buf, size_t len)
{
    time_t t = (time_t)(run->started_unix_ns / 1000000000u);
    struct tm tm;
    buf[0] = '\0';
    if (run->started_unix_ns > 0 && gmtime_r(&t, &tm) != NULL)
        strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* What made this run noisy, for the line under the title ("" if nothing). */
static void noise(const struct stored_run *run, char *buf, size_t len)
{
    const char *virt = env_or(run, "virtualization", "none");
    long cpus = strtol(env_or(run, "cpu_count_online", "0"), NULL, 10);
    double load =
        fmax(atof(env_or(run, "loadavg_1m_start", "0")), atof(env_or(run, "loadavg_1m_end", "0")));
    size_t used = 0;
    buf[0] = '\0';
    if (strcmp(virt, "none") != 0 && strcmp(virt, "-") != 0)
        used += (size_t)snprintf(buf, len, "a virtual machine (%s)", virt);
    if (cpus > 0 && load > 0.5 * (double)cpus && used < len)
        snprintf(buf + used, len - used, "%sload average %.2f on %ld CPUs", used ? ", " : "", load,
                 cpus);
}

static void run_summary(const struct stored_run *run, char *buf, size_t len)
{
    char when[64], took[32] = "?", why[256];
    double duration = NAN;
    size_t measured = 0;
    for (size_t k = 0; k < run->case_count; k++)
        measured += strcmp(run->cases[k].status, "ok") == 0;
    start_time(run, when, sizeof(when));
    if (results_read_number(run, NULL, "duration_ns", &duration))
        report_format_value(REPORT_UNIT_NS, duration, took, sizeof(took));
    noise(run, why, sizeof(why));
    snprintf(buf, len,
             "%s: %s, %s CPUs (%s); %s%s%zu cases (%zu measured) in %s, %s budgets, %" PRIu64
             " rounds a case.%s%s%s",
             env_or(run, "hostname", "?"), env_or(run, "kernel", "?"),
             env_or(run, "cpu_count_online", "?"), env_or(run, "cpu_model", "?"), when,
             when[0] ? ", " : "", run->case_count, measured, took,
             run->quick ? REPORT_CODE "--quick" REPORT_CODE : "default", run->config_rounds,
             why[0] ? " Noisy: " : "", why, why[0] ? " (see Environment)." : "");
}

/* ---- answers ----------------------------------------------------------------- */

static const char *plain_verdict(enum report_verdict v)
{
    switch (v) {
    case REPORT_HOLDS:
        return "Yes.";
    case REPORT_DOES_NOT_HOLD:
        return "No.";
    case REPORT_INCONCLUSIVE:
        return "Cannot tell.";
    case REPORT_NOT_MEASURED:
        return "Not measured.";
    case REPORT_MEASURED:
        return "";
    }
    return "?";
}

static bool answered(enum report_verdict v)
{
    return v == REPORT_HOLDS || v == REPORT_DOES_NOT_HOLD || v == REPORT_MEASURED;
}

static void write_answers(struct report_writer *w, const struct report_content *c)
{
    const struct report_claim_result *res = c->claims; /* of the first run */
    char text[2048];
    size_t shown = 0, advice = 0, open = 0;
    w->ops->heading(w, 2, "Answers");
    if (c->run_count > 1) {
        snprintf(text, sizeof(text),
                 "From %s; the other runs' verdicts are under Claims in detail.", c->runs[0].label);
        w->ops->paragraph(w, text);
    }
    for (size_t k = 0; k < report_claim_count; k++) {
        if (!answered(res[k].verdict))
            continue;
        snprintf(text, sizeof(text), "%s " REPORT_STRONG "%s" REPORT_STRONG " %s.",
                 res[k].claim->question, plain_verdict(res[k].verdict), res[k].answer);
        w->ops->bullet(w, text);
        shown++;
    }
    if (shown == 0)
        w->ops->paragraph(w, "This run answers none of the report's questions: the cases they "
                             "rest on were not run, or not long enough. What to run is below.");
    for (size_t k = 0; k < report_claim_count; k++) {
        const char *a = res[k].verdict == REPORT_HOLDS           ? res[k].claim->advice_holds
                        : res[k].verdict == REPORT_DOES_NOT_HOLD ? res[k].claim->advice_fails
                                                                 : "";
        if (a[0] == '\0')
            continue;
        if (advice++ == 0)
            w->ops->heading(w, 3, "What it means for a choice");
        w->ops->bullet(w, a);
    }
    for (size_t k = 0; k < report_claim_count; k++) {
        if (answered(res[k].verdict))
            continue;
        if (open++ == 0)
            w->ops->heading(w, 3, "What this run could not answer");
        if (res[k].verdict == REPORT_INCONCLUSIVE)
            snprintf(text, sizeof(text),
                     "%s " REPORT_STRONG "Cannot tell" REPORT_STRONG ": %s%s%s. More rounds "
                     "narrow it: " REPORT_CODE "%s --rounds 20" REPORT_CODE,
                     res[k].claim->question, res[k].answer[0] ? res[k].answer : "",
                     res[k].answer[0] && res[k].why[0] ? "; " : "", res[k].why[0] ? res[k].why : "",
                     res[k].command);
        else
            snprintf(text, sizeof(text),
                     "%s " REPORT_STRONG "Not measured" REPORT_STRONG
                     " (%s). To answer it: " REPORT_CODE "%s" REPORT_CODE,
                     res[k].claim->question, res[k].note[0] ? res[k].note : "no cases",
                     res[k].command);
        w->ops->bullet(w, text);
    }
}

/* ---- environment and warnings -------------------------------------------- */

/* The environment as a person reads it: a name, and one or two keys. */
static const struct env_row {
    const char *label, *key, *key2;
    char kind; /* 't' text, 'b' bytes, 'l' load (start -> end), 'p' percent, 'c' CPUs */
} env_rows[] = {
    {"host", "hostname", NULL, 't'},
    {"system", "kernel", NULL, 't'},
    {"CPU", "cpu_model", NULL, 't'},
    {"CPUs online / allowed", "cpu_count_online", "cpu_count_allowed", 'c'},
    {"memory", "mem_total_bytes", NULL, 'b'},
    {"virtualization", "virtualization", NULL, 't'},
    {"CPU frequency governor", "governor", NULL, 't'},
    {"transparent huge pages (enabled / defrag)", "thp_enabled", "thp_defrag", 'c'},
    {"clock", "clock_source", NULL, 't'},
    {"C library", "glibc_version", NULL, 't'},
    {"libuv (procbench's)", "libuv_version", NULL, 't'},
    {"Node.js (its libuv)", "node_version", "node_uv_version", 'c'},
    {"compiler (build)", "compiler", "build_type", 'c'},
    {"procbench commit", "git_commit", NULL, 't'},
    {"load average (start, end)", "loadavg_1m_start", "loadavg_1m_end", 'l'},
    {"steal time", "steal_pct", NULL, 'p'},
    {"free memory in blocks of 2 MiB or more (%, start, end)", "free_2mib_blocks_pct_start",
     "free_2mib_blocks_pct_end", 'l'},
};

/* One environment cell; false when the run recorded nothing for it. */
static bool env_value(const struct stored_run *run, const struct env_row *row, char *buf,
                      size_t len)
{
    const char *a = results_read_env(run, row->key);
    const char *b = row->key2 ? results_read_env(run, row->key2) : NULL;
    if (a == NULL || a[0] == '\0') {
        snprintf(buf, len, "-");
        return false;
    }
    switch (row->kind) {
    case 'b':
        format_size(atof(a), buf, len);
        break;
    case 'l':
        snprintf(buf, len, "%s, %s", a, b && b[0] ? b : "?");
        break;
    case 'p':
        snprintf(buf, len, "%s%%", a);
        break;
    case 'c':
        snprintf(buf, len, b && b[0] ? "%s (%s)" : "%s", a, b);
        break;
    default:
        snprintf(buf, len, "%s", a);
    }
    return true;
}

static void write_environment(struct report_writer *w, const struct report_content *c)
{
    const char *headers[REPORT_ROW_COLUMNS] = {"", NULL};
    char align[REPORT_ROW_COLUMNS + 1] = "l";
    size_t runs = c->run_count < REPORT_ROW_COLUMNS - 1 ? c->run_count : REPORT_ROW_COLUMNS - 1;
    for (size_t i = 0; i < runs; i++) {
        headers[i + 1] = c->run_count > 1 ? c->runs[i].label : "this run";
        align[i + 1] = 'l';
    }
    w->ops->heading(w, 2, "Environment");
    w->ops->table_begin(w, runs + 1, headers, align);
    for (size_t k = 0; k < sizeof(env_rows) / sizeof(env_rows[0]); k++) {
        struct report_row row = {.count = 0};
        bool any = false;
        report_row_cell(&row, "%s", env_rows[k].label);
        for (size_t i = 0; i < runs; i++) {
            char value[512];
            any |= env_value(c->runs[i].run, &env_rows[k], value, sizeof(value));
            report_row_cell(&row, "%s", value);
        }
        if (any)
            w->ops->table_row(w, row.ptrs);
    }
    w->ops->table_end(w);

    for (size_t i = 0; i < c->run_count; i++) {
        const struct stored_run *run = c->runs[i].run;
        char text[512], title[96];
        if (c->run_count > 1) {
            snprintf(title, sizeof(title), "Warnings, %s", c->runs[i].label);
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
        report_format_value(REPORT_UNIT_NS, warmup, a, sizeof(a));
        report_format_value(REPORT_UNIT_NS, min_time, b, sizeof(b));
        report_format_value(REPORT_UNIT_NS, max_time, d, sizeof(d));
        report_format_value(REPORT_UNIT_NS, duration, e, sizeof(e));
        if (c->run_count > 1) {
            snprintf(text, sizeof(text), "%s: %s", r->label, run->path);
            w->ops->heading(w, 3, text);
        }
        snprintf(text, sizeof(text),
                 "%zu cases (%zu measured), %" PRIu64 " samples in all, in at least %" PRIu64
                 " interleaved rounds per case, seed %s, %s budgets (warm-up %s, at least %s, "
                 "at most %s per case); the run took %s.",
                 run->case_count, measured, samples, run->config_rounds, seed_text,
                 run->quick ? REPORT_CODE "--quick" REPORT_CODE : "default", a, b, d, e);
        w->ops->bullet(w, text);
        snprintf(text, sizeof(text),
                 "Clock: %s, overhead %s ns a read, resolution %s ns; a histogram record "
                 "costs %s ns.",
                 env_or(run, "clock_source", "?"), env_or(run, "clock_overhead_ns", "?"),
                 env_or(run, "clock_resolution_ns", "?"), env_or(run, "histogram_record_ns", "?"));
        w->ops->bullet(w, text);
        w->ops->bullet(w, "p50 is the median of all samples; its 95% confidence interval comes "
                          "from order statistics, with its half-width in percent of p50 and "
                          "\"target not reached\" where it stopped short of the run's " REPORT_CODE
                          "--ci-target" REPORT_CODE "; p99 from the same histogram (3 significant "
                          "digits). CPU is per operation, both ends (rusage of the parent and "
                          "reaped children, and a long-lived peer's schedstat).");
        if (c->run_count > 1)
            continue;
        snprintf(text, sizeof(text), "Drift data: %s.",
                 r->rounds_note[0] ? r->rounds_note : "rounds.csv read");
        w->ops->bullet(w, text);
    }
    if (c->run_count > 1)
        w->ops->paragraph(w, "Ratios are a run over the first for the same case: the "
                             "Hodges-Lehmann estimate on the two cases' round medians with its "
                             "95% interval, or the ratio of the medians' own intervals when "
                             "rounds are too few (two runs share no passes, so their rounds "
                             "are not paired).");
}

/* ---- plots, claims, reproduction -------------------------------------------- */

static void write_plots(struct report_writer *w, const struct report_content *c)
{
    w->ops->heading(w, 2, "Plots");
    if (c->plots_note[0] != '\0') {
        w->ops->paragraph(w, c->plots_note);
        return;
    }
    if (c->run_count > 1) {
        char text[160];
        snprintf(text, sizeof(text), "Plots of %s.", c->runs[0].label);
        w->ops->paragraph(w, text);
    }
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
    w->ops->heading(w, 2, "Claims in detail");
    w->ops->paragraph(
        w, "Each answer above is a claim judged as " REPORT_CODE "procbench check" REPORT_CODE
           " judges a rule: on the 95% confidence interval of the ratio of two cases' times "
           "(their rounds paired by pass: Hodges-Lehmann on the pairs' log ratios with the "
           "signed-rank interval, or the ratio of the medians' own intervals when the pairs "
           "are too few). It holds when the whole interval is on the claim's "
           "side, does not hold when it is wholly on the other, and is inconclusive otherwise; "
           "'as cheap' means within 1 +- 10%. Claims whose cases were not run are not measured. "
           "The questions are declared in bench/report_claims.def.");
    if (w->compact) {
        w->ops->paragraph(w, "The table of verdicts, ratios, criteria and cases is in "
                             "report.html.");
        return;
    }
    static const char *const headers[] = {"claim",     "verdict", "ratio", "95% CI",
                                          "criterion", "cases",   "note"};
    for (size_t i = 0; i < c->run_count; i++) {
        if (c->run_count > 1)
            w->ops->heading(w, 3, c->runs[i].label);
        w->ops->table_begin(w, 7, headers, "llrrlll");
        for (size_t k = 0; k < report_claim_count; k++) {
            const struct report_claim_result *res = &c->claims[i * report_claim_count + k];
            struct report_row row = {.count = 0};
            report_row_cell(&row, "%s", res->claim->question);
            report_row_cell(&row, "%s", report_verdict_name(res->verdict));
            if (isnan(res->ratio))
                report_row_cell(&row, "-");
            else
                report_row_cell(&row, "%.3g", res->ratio);
            if (isnan(res->low) || isnan(res->high))
                report_row_cell(&row, "-");
            else
                report_row_cell(&row, "[%.3g, %.3g]", res->low, res->high);
            report_row_cell(&row, "%s", res->criterion);
            report_row_cell(&row, "%s", res->cases[0] ? res->cases : "-");
            report_row_cell(&row, "%s", res->note[0] ? res->note : "-");
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
        if (c->run_count > 1)
            w->ops->heading(w, 3, c->runs[i].label);
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
    char title[256], context[4096];
    const struct stored_run *first = c->runs[0].run;
    if (c->run_count == 1) {
        snprintf(title, sizeof(title), "procbench report: %s", env_or(first, "hostname", "?"));
        run_summary(first, context, sizeof(context));
    } else {
        size_t used = 0;
        snprintf(title, sizeof(title), "procbench report: %zu runs", c->run_count);
        context[0] = '\0';
        for (size_t i = 0; i < c->run_count && used < sizeof(context); i++) {
            char one[1024];
            run_summary(c->runs[i].run, one, sizeof(one));
            used +=
                (size_t)snprintf(context + used, sizeof(context) - used, "%s%s (%s, commit %s) %s",
                                 i ? " " : "", c->runs[i].label, c->runs[i].run->path,
                                 env_or(c->runs[i].run, "git_commit", "?"), one);
        }
    }
    w->ops->begin(w, title, context);
    write_answers(w, c);
    report_tables_write(w, c);
    write_plots(w, c);
    if (c->history != NULL)
        report_history_write(w, c->history, c->plots_dir);
    write_claims(w, c);
    write_environment(w, c);
    write_method(w, c);
    write_reproduction(w, c);
    w->ops->end(w);
    return w->error;
}
