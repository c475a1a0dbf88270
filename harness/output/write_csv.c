/*
 * summary.csv and rounds.csv: the tables that gnuplot, pandas and
 * spreadsheets read. RFC 4180 quoting, no preamble, one header row. The
 * statistics columns come from summary_columns.def, the list the JSON writer
 * expands too, and the metric columns from the scenarios' declarations, so
 * the two files cannot drift apart.
 *
 * Lines end with "\n", not the CRLF that RFC 4180 names: every consumer here
 * (gnuplot, Python's csv module, pandas, LibreOffice, Excel) reads LF, and
 * CRLF would leave a stray '\r' in the last field for awk, cut and gnuplot.
 */
#include "writers.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "base/format.h"

/* Writes "param_" and a parameter's name as one field. */
static void write_param_header(FILE *fp, const char *name)
{
    char field[128];
    snprintf(field, sizeof(field), "param_%s", name);
    format_csv_field(fp, field);
}

/* One writer per kind of summary_columns.def; the X-macro pastes the kind
 * onto put_, so a column with an unknown kind does not compile. */

static void put_U64(FILE *fp, uint64_t value)
{
    fprintf(fp, "%" PRIu64, value);
}

/* Non-finite values (a statistic of nothing) are written as an empty field
 * rather than "nan", which half the readers would take for a string. */
static void put_NS(FILE *fp, double value)
{
    if (isfinite(value) && fabs(value) < 9.0e18)
        fprintf(fp, "%lld", llround(value));
}

static void put_F2(FILE *fp, double value)
{
    if (!isfinite(value))
        return;
    /* A tiny negative from floating-point cancellation would print "-0.00". */
    if (value < 0 && value > -0.005)
        value = 0;
    fprintf(fp, "%.2f", value);
}

static void put_RATIO(FILE *fp, double value)
{
    if (isfinite(value))
        fprintf(fp, "%.4f", value);
}

static void put_CPU(FILE *fp, int cpu)
{
    if (cpu < 0)
        fputs("any", fp);
    else
        fprintf(fp, "%d", cpu);
}

static void put_TEXT(FILE *fp, const char *text)
{
    format_csv_field(fp, text);
}

/* The distinct parameter names of every case's scenario, in first-seen
 * order; cases come in catalogue order, so this is catalogue order too. The
 * strings belong to the scenarios' param_spec tables. */
struct param_columns {
    const char **names;
    size_t count;
};

static int param_columns_collect(const struct run_results *r, struct param_columns *cols)
{
    size_t capacity = 0;

    cols->names = NULL;
    cols->count = 0;
    for (size_t i = 0; i < r->case_count; i++)
        capacity += r->cases[i].def.param_count;
    if (capacity == 0)
        return 0;
    cols->names = calloc(capacity, sizeof(*cols->names));
    if (cols->names == NULL)
        return -ENOMEM;

    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_def *def = &r->cases[i].def;

        if (def->scenario == NULL || def->scenario->params == NULL)
            continue;
        for (size_t p = 0; p < def->param_count && def->scenario->params[p].name != NULL; p++) {
            const char *name = def->scenario->params[p].name;
            size_t k = 0;

            while (k < cols->count && strcmp(cols->names[k], name) != 0)
                k++;
            if (k == cols->count)
                cols->names[cols->count++] = name;
        }
    }
    return 0;
}

/* The value of parameter name in def, as its column shows it: words as
 * typed, sizes and counts as plain integers (4096, not "4K") so that plots
 * and spreadsheets can sort and scale them. Nothing when the case's scenario
 * has no such parameter. */
static void put_param(FILE *fp, const struct case_def *def, const char *name)
{
    if (def->scenario == NULL || def->scenario->params == NULL)
        return;
    for (size_t p = 0; p < def->param_count && def->scenario->params[p].name != NULL; p++) {
        const struct param_spec *spec = &def->scenario->params[p];

        if (strcmp(spec->name, name) != 0)
            continue;
        if (params_value_is_text(spec, &def->params[p]))
            format_csv_field(fp, def->params[p].text);
        else
            put_U64(fp, def->params[p].number);
        return;
    }
}

/* The metrics and analyses of the run, whose columns summary_columns.def
 * places. */
struct declared_columns {
    const struct metric_spec *spec[RUN_METRICS_MAX];
    size_t count;
    const struct analysis_spec *analysis[RUN_ANALYSES_MAX];
    size_t analysis_count;
};

static void put_metric_headers(FILE *fp, const struct declared_columns *metrics)
{
    for (size_t m = 0; m < metrics->count; m++) {
        for (size_t k = 0; k < METRIC_STAT_COUNT; k++) {
            enum metric_stat stat = metric_stat_at(k);
            if (!(metrics->spec[m]->aggregate & stat))
                continue;
            fputc(',', fp);
            fprintf(fp, "%s_%s", metrics->spec[m]->name, metric_stat_name(stat));
        }
    }
}

/* A case's metric columns: empty where its scenario does not declare the
 * metric or no sample reported it. */
static void put_metric_values(FILE *fp, const struct case_result *c,
                              const struct declared_columns *metrics)
{
    for (size_t m = 0; m < metrics->count; m++) {
        const struct case_metric *cm = results_case_metric(c, metrics->spec[m]->name);
        for (size_t k = 0; k < METRIC_STAT_COUNT; k++) {
            enum metric_stat stat = metric_stat_at(k);
            if (!(metrics->spec[m]->aggregate & stat))
                continue;
            fputc(',', fp);
            if (cm != NULL && cm->stats.n > 0)
                put_U64(fp, results_stat_value(&cm->stats, stat));
        }
    }
}

static void put_analysis_headers(FILE *fp, const struct declared_columns *metrics)
{
    for (size_t a = 0; a < metrics->analysis_count; a++) {
        const struct analysis_spec *spec = metrics->analysis[a];
        fputc(',', fp);
        fputs(spec->column, fp);
        if (spec->ci_prefix != NULL)
            fprintf(fp, ",%s_ci_low,%s_ci_high", spec->ci_prefix, spec->ci_prefix);
    }
}

/* A case's analysis columns: empty where unknown or not declared. */
static void put_analysis_values(FILE *fp, const struct case_result *c,
                                const struct declared_columns *metrics)
{
    for (size_t a = 0; a < metrics->analysis_count; a++) {
        const struct analysis_spec *spec = metrics->analysis[a];
        const struct case_analysis *ca = results_case_analysis(c, spec->column);
        void (*put)(FILE *, double) = spec->kind == ANALYSIS_RATIO ? put_RATIO : put_NS;
        fputc(',', fp);
        if (ca != NULL)
            put(fp, ca->value);
        if (spec->ci_prefix == NULL)
            continue;
        fputc(',', fp);
        if (ca != NULL)
            put(fp, ca->low);
        fputc(',', fp);
        if (ca != NULL)
            put(fp, ca->high);
    }
}

static void write_summary_header(FILE *fp, const struct param_columns *cols,
                                 const struct declared_columns *metrics)
{
    fputs("scenario,case", fp);
    for (size_t k = 0; k < cols->count; k++) {
        fputc(',', fp);
        write_param_header(fp, cols->names[k]);
    }
    fputs(",placement", fp);
#define SUMMARY_COLUMN(header, kind, expr)                                                         \
    fputc(',', fp);                                                                                \
    format_csv_field(fp, header);
#define SUMMARY_METRIC_COLUMNS   put_metric_headers(fp, metrics);
#define SUMMARY_ANALYSIS_COLUMNS put_analysis_headers(fp, metrics);
#include "summary_columns.def"
#undef SUMMARY_COLUMN
#undef SUMMARY_METRIC_COLUMNS
#undef SUMMARY_ANALYSIS_COLUMNS
    fputc('\n', fp);
}

static void write_summary_row(FILE *fp, const struct case_result *c,
                              const struct param_columns *cols,
                              const struct declared_columns *metrics)
{
    format_csv_field(fp, c->def.scenario != NULL ? c->def.scenario->name : "");
    fputc(',', fp);
    format_csv_field(fp, c->def.name);
    for (size_t k = 0; k < cols->count; k++) {
        fputc(',', fp);
        put_param(fp, &c->def, cols->names[k]);
    }
    fputc(',', fp);
    fputs(placement_name(c->def.placement), fp);
#define SUMMARY_COLUMN(header, kind, expr)                                                         \
    fputc(',', fp);                                                                                \
    put_##kind(fp, (expr));
#define SUMMARY_METRIC_COLUMNS   put_metric_values(fp, c, metrics);
#define SUMMARY_ANALYSIS_COLUMNS put_analysis_values(fp, c, metrics);
#include "summary_columns.def"
#undef SUMMARY_COLUMN
#undef SUMMARY_METRIC_COLUMNS
#undef SUMMARY_ANALYSIS_COLUMNS
    fputc('\n', fp);
}

int write_summary_csv(const struct run_results *r, const char *dir)
{
    struct param_columns cols;
    struct declared_columns metrics;
    struct atomic_file af;
    int rc;

    metrics.count = results_metrics(r, metrics.spec, RUN_METRICS_MAX);
    metrics.analysis_count = results_analyses(r, metrics.analysis, RUN_ANALYSES_MAX);
    rc = param_columns_collect(r, &cols);
    if (rc != 0)
        return rc;
    rc = atomic_file_open(&af, dir, "summary.csv");
    if (rc != 0)
        goto out_free;

    write_summary_header(af.fp, &cols, &metrics);
    for (size_t i = 0; i < r->case_count; i++)
        write_summary_row(af.fp, &r->cases[i], &cols, &metrics);
    /* Write errors stick to the stream; commit checks ferror() once. */
    rc = atomic_file_commit(&af);

out_free:
    free(cols.names);
    return rc;
}

int write_rounds_csv(const struct run_results *r, const char *dir)
{
    struct atomic_file af;
    int rc;

    rc = atomic_file_open(&af, dir, "rounds.csv");
    if (rc != 0)
        return rc;

    fputs(RESULTS_ROUNDS_CSV_HEADER "\n", af.fp);
    for (size_t i = 0; i < r->round_count; i++) {
        const struct round_record *rr = &r->rounds[i];

        /* A round that names no case is a runner bug; writing it would
         * give plots a row they cannot place. */
        if (rr->case_index >= r->case_count) {
            atomic_file_abort(&af);
            return -EINVAL;
        }
        format_csv_field(af.fp, r->cases[rr->case_index].def.name);
        fprintf(af.fp,
                ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu64 ",%" PRIu64 ",",
                rr->round, rr->sequence, rr->start_ns, rr->elapsed_ns, rr->n, rr->failures,
                rr->min_ns, rr->p50_ns, rr->max_ns);
        put_NS(af.fp, rr->mean_ns);
        fputc('\n', af.fp);
    }
    return atomic_file_commit(&af);
}
