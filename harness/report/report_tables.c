/*
 * The Results section of a report (report_content.h): one table per family,
 * each case named by what varies within the family in this run. A
 * parameter every case of the family has and that varies gets a column of
 * its own; one only some scenarios have (an IPC transport's `type`, Node's
 * `stdio`) goes into the row's label, `socketpair{type=dgram}`, unless a
 * label would pass REPORT_LABEL_MAX characters; the parameters that do not
 * vary are said once above the table. The canonical names stay in
 * summary.csv and results.json.
 *
 * Columns: p50 with its 95% CI, p99, then each metric the family's cases
 * report (report_metrics.h), then the run's analysis figures. The Markdown
 * (compact) keeps p50, the CI as a +-percentage, p99, the metrics and the
 * throughput, and stops adding rows once the file reaches its budget; the
 * HTML has every column and row. Cases that were not measured say why
 * once under the table, grouped by reason. The family of the Node.js rows
 * is followed by their layers (report_layers.c).
 */
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
#include "report_content.h"
#include "base/format.h"
#include "report_metrics.h"
#include "report_row.h"

/* A figure of the run beyond the metrics: one an analysis added to a case
 * (declared by the run, harness/analysis/curves.h) or an observer did
 * (engine/mechanism.h), by its results.json key; a text figure is shown as
 * it is (escaped by the writer). */
struct figure {
    const char *key, *header;
    enum report_unit unit;
    const char *ci_prefix; /* show its interval: PREFIX_ci_low / _high */
    const char *per_name;  /* a slope's unit, after its duration */
    bool compact;          /* also in the Markdown */
    bool text;             /* a string, not a number */
};

/* The figures every run may have, around those of the run's analyses. */
static const struct figure figures_before[] = {
    {"bytes_per_s", "throughput", REPORT_UNIT_BYTES_PER_S, NULL, NULL, true, false},
    {"ops_per_s", "ops/s", REPORT_UNIT_COUNT_PER_S, NULL, NULL, false, false},
};
static const struct figure figures_after[] = {
    {"achieved_rate", "achieved ops/s (open loop)", REPORT_UNIT_COUNT_PER_S, NULL, NULL, true,
     false},
    {"backlog", "backlog", REPORT_UNIT_COUNT, NULL, NULL, true, true},
    {"mechanism", "mechanism (observed)", REPORT_UNIT_COUNT, NULL, NULL, true, true},
};
#define COUNT_OF(a)   (sizeof(a) / sizeof((a)[0]))
#define FIGURES_MAX   (COUNT_OF(figures_before) + RESULTS_READ_MAX_ANALYSES + COUNT_OF(figures_after))

/* The figures of a run, in the order of the table's columns: an analysis
 * is headed by its declared label; a ratio shows its interval; a slope
 * its unit. headers[] holds the headers made here. Returns the count. */
static size_t figures_of(const struct stored_run *run, struct figure *out,
                         char (*headers)[96])
{
    size_t n = 0;
    for (size_t k = 0; k < COUNT_OF(figures_before); k++)
        out[n++] = figures_before[k];
    for (size_t a = 0; a < run->analysis_count; a++) {
        const struct stored_analysis *an = &run->analyses[a];
        struct figure f = {.key = an->column, .header = headers[a]};
        snprintf(headers[a], sizeof(headers[a]), "%s", an->label);
        if (an->kind == ANALYSIS_SLOPE) {
            f.unit = REPORT_UNIT_NS;
            f.per_name = an->per_name;
        } else if (an->kind == ANALYSIS_RATIO) {
            f.unit = REPORT_UNIT_RATIO;
            f.ci_prefix = an->ci_prefix;
            if (an->ci_prefix != NULL)
                snprintf(headers[a], sizeof(headers[a]), "%s [95%% CI]", an->label);
        } else {
            f.unit = REPORT_UNIT_NS;
        }
        out[n++] = f;
    }
    for (size_t k = 0; k < COUNT_OF(figures_after); k++)
        out[n++] = figures_after[k];
    return n;
}

/* A figure of c worth a cell: text when not empty, signed numbers (slopes)
 * when finite, the others when above 0 (0 there means "does not
 * apply"). */
static bool figure_of(const struct stored_case *c, const struct figure *f, double *v)
{
    if (f->text) {
        const char *text = results_read_case_text(c, f->key);
        return text != NULL && text[0] != '\0';
    }
    if (!results_read_case_number(c, f->key, v) || !isfinite(*v))
        return false;
    return f->per_name != NULL || *v > 0;
}

static void format_figure(const struct stored_case *c, const struct figure *f, char *buf,
                          size_t len)
{
    double v, lo, hi;
    char key[96];
    if (!figure_of(c, f, &v)) {
        snprintf(buf, len, "-");
        return;
    }
    if (f->text) {
        snprintf(buf, len, "%s", results_read_case_text(c, f->key));
        return;
    }
    report_format_value(f->unit, v, buf, len);
    size_t used = strlen(buf);
    if (f->per_name != NULL)
        snprintf(buf + used, len - used, "/%s", f->per_name);
    if (f->ci_prefix == NULL)
        return;
    snprintf(key, sizeof(key), "%s_ci_low", f->ci_prefix);
    bool has_lo = results_read_case_number(c, key, &lo);
    snprintf(key, sizeof(key), "%s_ci_high", f->ci_prefix);
    if (has_lo && results_read_case_number(c, key, &hi)) {
        used = strlen(buf);
        snprintf(buf + used, len - used, " [%.3g, %.3g]", lo, hi);
    }
}

static bool measured(const struct stored_case *c)
{
    return strcmp(c->status, "ok") == 0 && c->n > 0;
}

/* "1.23 ms", its CI as "[1.20 ms, 1.30 ms] ±4.1%" or as "±4.1%" (compact),
 * and ", target not reached" where the case stopped short of the run's
 * --ci-target. The percentage is the one the run judged (p50_ci_pct), else
 * (results written before it) the interval's wider side over p50, in the
 * compact table alone. */
static void p50_cells(struct report_row *row, const struct stored_case *c, bool compact)
{
    char a[32], b[32], d[32], pct_text[24] = "";
    if (!measured(c)) {
        report_row_cell(row, "%s", c->status);
        report_row_cell(row, "-");
        return;
    }
    units_format_duration(c->p50_ns, a, sizeof(a));
    report_row_cell(row, "%s", a);
    double p = (double)c->p50_ns, pct = NAN;
    if (!results_read_case_number(c, "p50_ci_pct", &pct) && compact && p > 0)
        pct = 100 * fmax(p - (double)c->p50_ci_low_ns, (double)c->p50_ci_high_ns - p) / p;
    if (pct < 0.1)
        snprintf(pct_text, sizeof(pct_text), "<0.1%%");
    else if (isfinite(pct))
        snprintf(pct_text, sizeof(pct_text), "±%.*f%%", pct < 10 ? 1 : 0, pct);
    const char *missed =
        results_read_case_is(c, "ci_target_met", "no") ? ", target not reached" : "";
    if (compact) {
        report_row_cell(row, "%s%s", pct_text[0] ? pct_text : "-", missed);
        return;
    }
    units_format_duration(c->p50_ci_low_ns, b, sizeof(b));
    units_format_duration(c->p50_ci_high_ns, d, sizeof(d));
    report_row_cell(row, "[%s, %s]%s%s%s", b, d, pct_text[0] ? " " : "", pct_text, missed);
}

/* ---- a family's layout ------------------------------------------------------ */

struct family {
    char name[64];
    const struct stored_case **cases; /* union over the runs, first met first */
    struct case_name *names;
    size_t count;
    struct case_vary vary;
    const char *label_keys[CASE_LABEL_MAX_KEYS + 1]; /* varying, in the label */
    const char *column_keys[CASE_LABEL_MAX_KEYS];    /* varying, as columns */
    size_t column_count;
};

static bool in_family(const struct stored_case *c, const char *family)
{
    char f[64];
    report_family(c, f, sizeof(f));
    return strcmp(f, family) == 0;
}

/* The labels of f's cases: scenario and the label keys. */
static void label_of(const struct family *f, size_t i, char *buf, size_t len)
{
    /* case_label_format names the varying keys not skipped: skip the
     * column keys. */
    const char *skip[CASE_LABEL_MAX_KEYS + 1];
    for (size_t k = 0; k < f->column_count; k++)
        skip[k] = f->column_keys[k];
    skip[f->column_count] = NULL;
    int n = case_label_format(&f->names[i], &f->vary, skip, true, buf, len);
    if (n > REPORT_LABEL_MAX && len > REPORT_LABEL_MAX)
        snprintf(buf + REPORT_LABEL_MAX - 3, len - (REPORT_LABEL_MAX - 3), "...");
}

static int family_load(struct family *f, const struct report_content *c, const char *family)
{
    size_t total = 0;
    memset(f, 0, sizeof(*f));
    snprintf(f->name, sizeof(f->name), "%s", family);
    for (size_t i = 0; i < c->run_count; i++)
        total += c->runs[i].run->case_count;
    f->cases = calloc(total + 1, sizeof(*f->cases));
    f->names = calloc(total + 1, sizeof(*f->names));
    if (f->cases == NULL || f->names == NULL)
        return -1;
    for (size_t i = 0; i < c->run_count; i++) {
        const struct stored_run *run = c->runs[i].run;
        for (size_t k = 0; k < run->case_count; k++) {
            const struct stored_case *sc = &run->cases[k];
            bool earlier = false;
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = results_read_find_case(c->runs[j].run, sc->name) != NULL;
            if (!in_family(sc, family) || earlier)
                continue;
            report_case_name(sc, &f->names[f->count]);
            f->cases[f->count++] = sc;
        }
    }
    const struct case_name **ptrs = calloc(f->count + 1, sizeof(*ptrs));
    if (ptrs == NULL)
        return -1;
    for (size_t i = 0; i < f->count; i++)
        ptrs[i] = &f->names[i];
    case_vary_compute(ptrs, f->count, &f->vary);
    free(ptrs);

    /* Keys every case has become columns; the others go into labels, unless
     * a label grows past the limit. */
    size_t labels = 0;
    for (size_t k = 0; k < f->vary.count; k++) {
        if (!f->vary.keys[k].varies)
            continue;
        if (f->vary.keys[k].everywhere)
            f->column_keys[f->column_count++] = f->vary.keys[k].key;
        else
            f->label_keys[labels++] = f->vary.keys[k].key;
    }
    const char *skip[CASE_LABEL_MAX_KEYS + 1];
    for (size_t k = 0; k < f->column_count; k++)
        skip[k] = f->column_keys[k];
    skip[f->column_count] = NULL;
    bool too_long = false;
    for (size_t i = 0; i < f->count && !too_long; i++) {
        char label[8];
        too_long = case_label_format(&f->names[i], &f->vary, skip, true, label, sizeof(label)) >
                   REPORT_LABEL_MAX;
    }
    if (too_long) {
        for (size_t k = 0; k < labels; k++)
            f->column_keys[f->column_count++] = f->label_keys[k];
    }
    return 0;
}

static void family_free(struct family *f)
{
    free(f->cases);
    free(f->names);
}

/* ---- writing a family --------------------------------------------------------- */

/* "All rows: ballast=anon, ...; not measured: ..." above the table. */
static void write_constants(struct report_writer *w, const struct family *f)
{
    char constants[1024], text[1200];
    case_vary_constants(&f->vary, NULL, constants, sizeof(constants));
    if (constants[0] == '\0')
        return;
    snprintf(text, sizeof(text), "%s in every row: %s.", f->count > 1 ? "The same" : "Parameters",
             constants);
    w->ops->paragraph(w, text);
}

/* Reasons of the cases not measured, grouped: one line per reason. */
static void write_reasons(struct report_writer *w, const struct family *f)
{
    bool *done = calloc(f->count + 1, sizeof(*done));
    if (done == NULL)
        return;
    for (size_t i = 0; i < f->count; i++) {
        const struct stored_case *c = f->cases[i];
        if (done[i] || measured(c))
            continue;
        char text[2048], label[256];
        const char *reason = c->reason[0] ? c->reason : "no reason recorded";
        label_of(f, i, label, sizeof(label));
        size_t used = (size_t)snprintf(text, sizeof(text), "%s%s%s: %s", REPORT_STRONG, c->status,
                                       REPORT_STRONG, label);
        size_t more = 0;
        for (size_t k = i + 1; k < f->count; k++) {
            const struct stored_case *o = f->cases[k];
            const char *r = o->reason[0] ? o->reason : "no reason recorded";
            if (done[k] || measured(o) || strcmp(o->status, c->status) != 0 || strcmp(r, reason))
                continue;
            done[k] = true;
            label_of(f, k, label, sizeof(label));
            if (used + strlen(label) + 40 < sizeof(text) && more < 12)
                used += (size_t)snprintf(text + used, sizeof(text) - used, ", %s", label);
            more++;
        }
        if (more >= 12 && used < sizeof(text))
            used += (size_t)snprintf(text + used, sizeof(text) - used, " and %zu more", more - 12);
        if (used < sizeof(text))
            snprintf(text + used, sizeof(text) - used, " (%s)", reason);
        w->ops->bullet(w, text);
    }
    free(done);
}

/* Headers and alignment of the label and parameter columns. */
static size_t lead_headers(const struct family *f, const char **headers, char *align)
{
    size_t n = 0;
    headers[n] = f->name;
    align[n++] = 'l';
    for (size_t k = 0; k < f->column_count; k++) {
        headers[n] = f->column_keys[k];
        align[n++] = 'l';
    }
    return n;
}

static void lead_cells(struct report_row *row, const struct family *f, size_t i)
{
    char label[256];
    label_of(f, i, label, sizeof(label));
    report_row_cell(row, "%s", label);
    for (size_t k = 0; k < f->column_count; k++) {
        const char *v = case_name_get(&f->names[i], f->column_keys[k]);
        report_row_cell(row, "%s", v ? v : "-");
    }
}

/* True when the compact file is full: the rest of the rows are counted. */
static bool over_budget(struct report_writer *w)
{
    return w->compact && w->budget > 0 && report_writer_size(w) > w->budget;
}

static void write_left_out(struct report_writer *w, size_t left_out)
{
    char text[256];
    if (left_out == 0)
        return;
    snprintf(text, sizeof(text),
             "%zu more rows left out here to keep this file short: every row is in report.html "
             "and summary.csv.",
             left_out);
    w->ops->paragraph(w, text);
}

static void write_single(struct report_writer *w, const struct report_content *c,
                         const struct family *f)
{
    struct report_metrics metrics;
    report_metrics_of(c->runs[0].run, &metrics);
    struct figure figures[FIGURES_MAX];
    char figure_headers[RESULTS_READ_MAX_ANALYSES][96];
    size_t figure_count = figures_of(c->runs[0].run, figures, figure_headers);
    bool metric_shown[REPORT_METRICS_MAX] = {false}, figure_shown[FIGURES_MAX] = {false};
    for (size_t i = 0; i < f->count; i++) {
        double v;
        for (size_t m = 0; m < metrics.count; m++)
            metric_shown[m] |= report_metric_p50(f->cases[i], &metrics.list[m], &v);
        for (size_t x = 0; x < figure_count; x++)
            figure_shown[x] |=
                (!w->compact || figures[x].compact) && figure_of(f->cases[i], &figures[x], &v);
    }
    const char *headers[REPORT_ROW_COLUMNS];
    char align[REPORT_ROW_COLUMNS + 1] = "", names[REPORT_METRICS_MAX][96];
    size_t n = lead_headers(f, headers, align);
    static const char *const fixed[] = {"p50", "95% CI", "p99", "CPU/op", "n"};
    for (size_t k = 0; k < (w->compact ? 3u : 5u) && n < REPORT_ROW_COLUMNS; k++)
        headers[n] = fixed[k], align[n++] = 'r';
    for (size_t m = 0; m < metrics.count && n < REPORT_ROW_COLUMNS; m++) {
        if (!metric_shown[m])
            continue;
        snprintf(names[m], sizeof(names[m]), strcmp(metrics.list[m].stat, "p50") ? "%s (%s)" : "%s",
                 metrics.list[m].title, metrics.list[m].stat);
        headers[n] = names[m], align[n++] = 'r';
    }
    for (size_t x = 0; x < figure_count && n < REPORT_ROW_COLUMNS; x++) {
        if (figure_shown[x])
            headers[n] = figures[x].header, align[n++] = figures[x].text ? 'l' : 'r';
    }
    w->ops->table_begin(w, n, headers, align);
    size_t left_out = 0;
    for (size_t i = 0; i < f->count; i++) {
        const struct stored_case *sc = f->cases[i];
        if (over_budget(w)) {
            left_out++;
            continue;
        }
        struct report_row row = {.count = 0};
        char a[48];
        double v = NAN;
        lead_cells(&row, f, i);
        p50_cells(&row, sc, w->compact);
        results_read_case_number(sc, "p99", &v);
        report_format_value(REPORT_UNIT_NS, measured(sc) ? v : NAN, a, sizeof(a));
        report_row_cell(&row, "%s", a);
        if (!w->compact) {
            report_format_value(REPORT_UNIT_NS, measured(sc) ? sc->cpu_ns : NAN, a, sizeof(a));
            report_row_cell(&row, "%s", a);
            report_row_cell(&row, "%" PRIu64, sc->n);
        }
        for (size_t m = 0; m < metrics.count; m++) {
            if (!metric_shown[m])
                continue;
            bool has = measured(sc) && report_metric_p50(sc, &metrics.list[m], &v);
            report_format_value(metrics.list[m].unit, has ? v : NAN, a, sizeof(a));
            report_row_cell(&row, "%s", a);
        }
        for (size_t x = 0; x < figure_count; x++) {
            if (!figure_shown[x])
                continue;
            char fig[REPORT_ROW_CELL];
            format_figure(sc, &figures[x], fig, sizeof(fig));
            report_row_cell(&row, "%s", fig);
        }
        w->ops->table_row(w, row.ptrs);
    }
    w->ops->table_end(w);
    write_left_out(w, left_out);
}

/* Several runs: per run its p50 and CI, and from the second on the ratio to
 * the first with its 95% interval (as `procbench check` computes one). */
static void write_several(struct report_writer *w, const struct report_content *c,
                          const struct family *f)
{
    const char *headers[REPORT_ROW_COLUMNS];
    char align[REPORT_ROW_COLUMNS + 1] = "", names[REPORT_ROW_COLUMNS][160];
    size_t n = lead_headers(f, headers, align);
    size_t runs = c->run_count;
    if (runs > (REPORT_ROW_COLUMNS - n) / 3)
        runs = (REPORT_ROW_COLUMNS - n) / 3;
    for (size_t i = 0; i < runs; i++) {
        snprintf(names[n], sizeof(names[0]), "%s p50", c->runs[i].label);
        headers[n] = names[n], align[n++] = 'r';
        snprintf(names[n], sizeof(names[0]), "95%% CI");
        headers[n] = names[n], align[n++] = 'r';
        if (i > 0) {
            snprintf(names[n], sizeof(names[0]), "%s / %s [95%% CI]", c->runs[i].label,
                     c->runs[0].label);
            headers[n] = names[n], align[n++] = 'r';
        }
    }
    w->ops->table_begin(w, n, headers, align);
    size_t left_out = 0;
    for (size_t k = 0; k < f->count; k++) {
        if (over_budget(w)) {
            left_out++;
            continue;
        }
        struct report_row row = {.count = 0};
        lead_cells(&row, f, k);
        const char *name = f->cases[k]->name;
        const struct stored_case *first = results_read_find_case(c->runs[0].run, name);
        for (size_t j = 0; j < runs; j++) {
            const struct stored_case *x = results_read_find_case(c->runs[j].run, name);
            if (x == NULL) {
                report_row_cell(&row, "not run");
                report_row_cell(&row, "-");
            } else {
                p50_cells(&row, x, w->compact);
            }
            if (j == 0)
                continue;
            struct check_rule rule = {.op = CHECK_LESS, .factor = 1.0};
            struct check_outcome o;
            if (x == NULL || first == NULL || check_judge(&rule, x, first, false, &o) != 0 ||
                isnan(o.ratio))
                report_row_cell(&row, "-");
            else if (isnan(o.low))
                report_row_cell(&row, "%.3f", o.ratio);
            else
                report_row_cell(&row, "%.3f [%.3f, %.3f]", o.ratio, o.low, o.high);
        }
        w->ops->table_row(w, row.ptrs);
    }
    w->ops->table_end(w);
    write_left_out(w, left_out);
}

/* ---- the section -------------------------------------------------------------- */

void report_tables_write(struct report_writer *w, const struct report_content *c)
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
    struct decompose_row rows[32];
    size_t row_count = 0;
    if (decompose_node(c->runs[0].run, rows, sizeof(rows) / sizeof(rows[0]), &row_count) != 0)
        row_count = 0;
    char layers_family[64] = "";
    if (row_count > 0 && rows[0].node.scenario != NULL)
        snprintf(layers_family, sizeof(layers_family), "%.*s",
                 (int)case_name_family_len(rows[0].node.scenario), rows[0].node.scenario);

    w->ops->heading(w, 2, "Results");
    w->ops->paragraph(w, w->compact
                             ? "Times are per operation: p50 is the median sample, with the "
                               "half-width of its 95% confidence interval; p99 the 99th "
                               "percentile. Every column (CPU per operation, samples, the "
                               "intervals) is in report.html."
                             : "Times are per operation: p50 is the median sample, shown with "
                               "its 95% confidence interval; p99 the 99th percentile; CPU/op "
                               "the CPU time of both ends per operation; n the samples.");
    for (size_t k = 0; k < count; k++) {
        struct family f;
        w->ops->heading(w, 3, families[k]);
        if (family_load(&f, c, families[k]) != 0) {
            family_free(&f);
            w->ops->paragraph(w, "(out of memory)");
            continue;
        }
        write_constants(w, &f);
        if (c->run_count == 1)
            write_single(w, c, &f);
        else
            write_several(w, c, &f);
        write_reasons(w, &f);
        family_free(&f);
        if (row_count > 0 && strcmp(families[k], layers_family) == 0)
            report_layers_write(w, c->runs[0].run, rows, row_count);
    }
}
