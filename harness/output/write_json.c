/*
 * results.json: everything a program needs to compare or re-plot a run
 * without re-running it: the environment, the configuration, the command
 * line, the declarations of the metrics its scenarios report (metrics), and
 * every case with its parameters, its summary_columns.def statistics, its
 * histogram buckets (one per declared metric too) and the medians of its
 * rounds (per_round, what `procbench compare` tests). The layout carries a schema_version
 * (RESULTS_SCHEMA_VERSION); fields are only ever added within one version, so
 * readers must ignore fields they do not know, and a field that changes
 * meaning bumps the version.
 *
 * Numbers keep their type: counts and nanoseconds are JSON integers, per-
 * operation rates are reals, an unpinned CPU is null. The tree is built with
 * jansson and laid out by dump() below: keys in the order they are set
 * (jansson keeps insertion order), two-space indent, one histogram bucket a
 * line, so the file is stable from run to run and diffs line by line.
 */
#include "writers.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "engine/histogram.h"
#include "engine/runner.h"

/* Scalars are encoded by jansson; 15 significant digits print a ratio such
 * as 0.1 as "0.1" instead of 17 digits' "0.10000000000000001", and are more
 * than any per-operation count measured here can claim. */
#define SCALAR_FLAGS (JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

/* Building the tree: set() and push() take ownership of value even when they
 * fail (jansson's _new functions do), and remember the first failure in
 * *err, so a builder runs straight through and is checked once. A NULL value
 * (an allocation that failed) is a failure too. */
static void set(json_t *object, const char *key, json_t *value, int *err)
{
    if (json_object_set_new(object, key, value) != 0 && *err == 0)
        *err = -ENOMEM;
}

static void push(json_t *array, json_t *value, int *err)
{
    if (json_array_append_new(array, value) != 0 && *err == 0)
        *err = -ENOMEM;
}

/* A string that jansson accepts: it refuses text that is not UTF-8 (a host
 * name or a reason could hold any byte), so bytes outside ASCII become '?'
 * when, and only when, the text as a whole is not valid UTF-8. */
static json_t *text(const char *s)
{
    json_t *value;
    char *copy;

    if (s == NULL)
        return json_null();
    value = json_string(s);
    if (value != NULL)
        return value;
    copy = strdup(s);
    if (copy == NULL)
        return NULL;
    for (char *p = copy; *p != '\0'; p++) {
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    }
    value = json_string(copy);
    free(copy);
    return value;
}

/* jansson's integers are long long. No nanosecond count comes near 2^63
 * (292 years), but a corrupt value must not turn negative: it is written
 * as a real, which keeps its magnitude. */
static json_t *jv_U64(uint64_t value)
{
    if (value > (uint64_t)LLONG_MAX)
        return json_real((double)value);
    return json_integer((json_int_t)value);
}

static json_t *jv_NS(double value)
{
    if (!isfinite(value) || fabs(value) >= 9.0e18)
        return json_null();
    return json_integer((json_int_t)llround(value));
}

static json_t *jv_F2(double value)
{
    if (!isfinite(value))
        return json_null();
    return json_real(value);
}

/* Rounded to four decimals, as the CSV writes it, so that the two files
 * agree and the JSON does not claim 15 digits a ratio of medians has not. */
static json_t *jv_RATIO(double value)
{
    if (!isfinite(value))
        return json_null();
    return json_real(round(value * 1e4) / 1e4);
}

static json_t *jv_CPU(int cpu)
{
    if (cpu < 0)
        return json_null();
    return json_integer(cpu);
}

static json_t *jv_TEXT(const char *s)
{
    return text(s);
}

/* {"significant_digits", "highest_trackable", "buckets": [[value, count]...]}
 * with value the highest value the bucket stands for, clamped to the
 * recorded maximum, so the last bucket's value is the exact max. */
static json_t *histogram_json(const struct histogram *h, int *err)
{
    struct histogram_iter it;
    json_t *object, *buckets;

    if (h == NULL)
        return json_null();
    object = json_object();
    buckets = json_array();
    if (object == NULL || buckets == NULL) {
        json_decref(object);
        json_decref(buckets);
        *err = -ENOMEM;
        return NULL;
    }
    set(object, "significant_digits", json_integer(histogram_significant_digits(h)), err);
    set(object, "highest_trackable", jv_U64(histogram_highest_trackable(h)), err);
    histogram_iter_init(&it, h);
    while (histogram_iter_next(&it)) {
        json_t *pair = json_array();

        push(pair, jv_U64(it.value), err);
        push(pair, jv_U64(it.count), err);
        push(buckets, pair, err);
    }
    set(object, "buckets", buckets, err);
    return object;
}

/* A declared metric's histogram, or null when no sample reported it. */
static json_t *optional_histogram_json(const struct histogram *h, int *err)
{
    if (h == NULL || histogram_count(h) == 0)
        return json_null();
    return histogram_json(h, err);
}

static json_t *params_json(const struct case_def *def, int *err)
{
    json_t *object = json_object();

    if (def->scenario == NULL || def->scenario->params == NULL)
        return object;
    for (size_t p = 0; p < def->param_count && def->scenario->params[p].name != NULL; p++) {
        const struct param_spec *spec = &def->scenario->params[p];

        if (params_value_is_text(spec, &def->params[p]))
            set(object, spec->name, text(def->params[p].text), err);
        else
            set(object, spec->name, jv_U64(def->params[p].number), err);
    }
    return object;
}

/* The case's rounds, in the order they ran: the medians `procbench
 * compare` tests. Named per_round because "rounds" is already the count
 * of them among the summary columns. */
static json_t *rounds_json(const struct run_results *r, size_t index, int *err)
{
    json_t *array = json_array();

    for (size_t i = 0; i < r->round_count && r->rounds != NULL; i++) {
        const struct round_record *rr = &r->rounds[i];
        json_t *object;

        if (rr->case_index != index)
            continue;
        object = json_object();
        set(object, "round", json_integer(rr->round), err);
        set(object, "sequence", json_integer(rr->sequence), err);
        set(object, "n", jv_U64(rr->n), err);
        set(object, "p50", jv_U64(rr->p50_ns), err);
        set(object, "mean", jv_NS(rr->mean_ns), err);
        push(array, object, err);
    }
    return array;
}

/* The metrics of the run: their declarations, and where each case's
 * values of them go. */
struct declared_columns {
    const struct metric_spec *spec[RUN_METRICS_MAX];
    size_t count;
    const struct analysis_spec *analysis[RUN_ANALYSES_MAX];
    size_t analysis_count;
};

/* The analysis columns of the run, as the CSV writes them; null where
 * unknown or where the case's scenario does not declare the analysis. */
static void analysis_columns_json(json_t *object, const struct case_result *c,
                                  const struct declared_columns *metrics, int *err)
{
    for (size_t a = 0; a < metrics->analysis_count; a++) {
        const struct analysis_spec *spec = metrics->analysis[a];
        const struct case_analysis *ca = results_case_analysis(c, spec->column);
        json_t *(*jv)(double) = spec->kind == ANALYSIS_RATIO ? jv_RATIO : jv_NS;
        char key[METRIC_NAME_MAX + 16];
        set(object, spec->column, jv(ca != NULL ? ca->value : NAN), err);
        if (spec->ci_prefix == NULL)
            continue;
        snprintf(key, sizeof(key), "%s_ci_low", spec->ci_prefix);
        set(object, key, jv(ca != NULL ? ca->low : NAN), err);
        snprintf(key, sizeof(key), "%s_ci_high", spec->ci_prefix);
        set(object, key, jv(ca != NULL ? ca->high : NAN), err);
    }
}

/* NAME_<stat> of every metric of the run: null where the case's scenario
 * does not declare it or no sample reported it. */
static void metric_columns_json(json_t *object, const struct case_result *c,
                                const struct declared_columns *metrics, int *err)
{
    for (size_t m = 0; m < metrics->count; m++) {
        const struct case_metric *cm = results_case_metric(c, metrics->spec[m]->name);
        for (size_t k = 0; k < METRIC_STAT_COUNT; k++) {
            enum metric_stat stat = metric_stat_at(k);
            char key[METRIC_NAME_MAX + 8];
            if (!(metrics->spec[m]->aggregate & stat))
                continue;
            snprintf(key, sizeof(key), "%s_%s", metrics->spec[m]->name, metric_stat_name(stat));
            set(object, key,
                cm != NULL && cm->stats.n > 0 ? jv_U64(results_stat_value(&cm->stats, stat))
                                              : json_null(),
                err);
        }
    }
}

/* NAME_histogram of every metric of the run, null as above. */
static void metric_histograms_json(json_t *object, const struct case_result *c,
                                   const struct declared_columns *metrics, int *err)
{
    for (size_t m = 0; m < metrics->count; m++) {
        const struct case_metric *cm = results_case_metric(c, metrics->spec[m]->name);
        char key[METRIC_NAME_MAX + 16];
        snprintf(key, sizeof(key), "%s_histogram", metrics->spec[m]->name);
        set(object, key, optional_histogram_json(cm != NULL ? cm->hist : NULL, err), err);
    }
}

/* "metrics": the declaration of each metric the cases carry, so that a
 * reader knows their units and meaning without this build's catalogue. */
static json_t *metrics_json(const struct declared_columns *metrics, int *err)
{
    json_t *array = json_array();
    for (size_t m = 0; m < metrics->count; m++) {
        const struct metric_spec *spec = metrics->spec[m];
        json_t *object = json_object(), *stats = json_array();
        set(object, "name", text(spec->name), err);
        set(object, "unit", text(metric_unit_name(spec->unit)), err);
        set(object, "label", text(spec->label), err);
        set(object, "meaning", text(spec->meaning), err);
        for (size_t k = 0; k < METRIC_STAT_COUNT; k++) {
            if (spec->aggregate & metric_stat_at(k))
                push(stats, text(metric_stat_name(metric_stat_at(k))), err);
        }
        set(object, "summary", stats, err);
        push(array, object, err);
    }
    return array;
}

/* "analyses": the declaration of each analysis column the cases carry
 * (base/analysis_spec.h), so that a reader knows what each figure is and
 * how to show it without this build's catalogue. */
static json_t *analyses_json(const struct declared_columns *metrics, int *err)
{
    json_t *array = json_array();
    for (size_t a = 0; a < metrics->analysis_count; a++) {
        const struct analysis_spec *spec = metrics->analysis[a];
        json_t *object = json_object();
        set(object, "column", text(spec->column), err);
        set(object, "kind", text(analysis_kind_name(spec->kind)), err);
        set(object, "label", text(spec->label), err);
        set(object, "ci_prefix", text(spec->ci_prefix), err);
        set(object, "param", text(spec->kind == ANALYSIS_SLOPE ? spec->param : NULL), err);
        set(object, "per_name", text(spec->kind == ANALYSIS_SLOPE ? spec->per_name : NULL), err);
        set(object, "partner", text(spec->partner), err);
        push(array, object, err);
    }
    return array;
}

static json_t *case_json(const struct run_results *r, size_t index,
                         const struct declared_columns *metrics, int *err)
{
    const struct case_result *c = &r->cases[index];
    json_t *object = json_object();

    set(object, "scenario", text(c->def.scenario != NULL ? c->def.scenario->name : NULL), err);
    set(object, "case", text(c->def.name), err);
    set(object, "params", params_json(&c->def, err), err);
    set(object, "placement", text(placement_name(c->def.placement)), err);
#define SUMMARY_COLUMN(header, kind, expr) set(object, header, jv_##kind(expr), err);
#define SUMMARY_METRIC_COLUMNS             metric_columns_json(object, c, metrics, err);
#define SUMMARY_ANALYSIS_COLUMNS           analysis_columns_json(object, c, metrics, err);
#include "summary_columns.def"
#undef SUMMARY_COLUMN
#undef SUMMARY_METRIC_COLUMNS
#undef SUMMARY_ANALYSIS_COLUMNS
    set(object, "histogram", histogram_json(c->hist, err), err);
    metric_histograms_json(object, c, metrics, err);
    set(object, "per_round", rounds_json(r, index, err), err);
    return object;
}

struct env_ctx {
    json_t *object;
    int *err;
};

static void env_emit(const char *key, const char *value, void *ctx)
{
    struct env_ctx *env = ctx;

    set(env->object, key, text(value), env->err);
}

static json_t *config_json(const struct run_config *config, int *err)
{
    json_t *object = json_object();

    set(object, "warmup_ns", jv_U64(config->warmup_ns), err);
    set(object, "min_time_ns", jv_U64(config->min_time_ns), err);
    set(object, "max_time_ns", jv_U64(config->max_time_ns), err);
    set(object, "min_samples", jv_U64(config->min_samples), err);
    set(object, "rounds", jv_U64(config->rounds), err);
    set(object, "ci_target_pct", jv_F2(config->ci_target_pct), err);
    set(object, "round_ns", jv_U64(config->round_ns), err);
    set(object, "time_budget_ns", jv_U64(config->time_budget_ns), err);
    set(object, "hold", json_boolean(config->hold), err);
    /* The seed must survive exactly to repeat a run's order; the rare seed
     * above 2^63 that a JSON integer here cannot hold is written as a
     * decimal string rather than rounded. */
    if (config->seed > (uint64_t)LLONG_MAX) {
        char digits[24];

        snprintf(digits, sizeof(digits), "%" PRIu64, config->seed);
        set(object, "seed", text(digits), err);
    } else {
        set(object, "seed", json_integer((json_int_t)config->seed), err);
    }
    set(object, "quick", json_boolean(config->quick), err);
    set(object, "sample_timeout_ns", jv_U64(config->sample_timeout_ns), err);
    return object;
}

static json_t *results_json(const struct run_results *r, int *err)
{
    json_t *root = json_object(), *tool = json_object(), *environment = json_object();
    json_t *argv = json_array(), *cases = json_array();
    struct env_ctx env = {.object = environment, .err = err};

    set(root, "schema_version", json_integer(RESULTS_SCHEMA_VERSION), err);
    set(tool, "name", text("procbench"), err);
    set(tool, "version", text(r->env.procbench_version), err);
    set(root, "tool", tool, err);
    if (environment != NULL)
        sysinfo_each(&r->env, env_emit, &env);
    set(root, "environment", environment, err);
    set(root, "config", config_json(&r->config, err), err);
    for (int i = 0; i < r->argc && r->argv != NULL; i++)
        push(argv, text(r->argv[i]), err);
    set(root, "argv", argv, err);
    set(root, "started_unix_ns", jv_U64(r->started_unix_ns), err);
    set(root, "duration_ns", jv_U64(r->duration_ns), err);
    if (r->interrupted_signal != 0) {
        char why[160];

        runner_partial_reason(r, why, sizeof(why));
        set(root, "partial", json_true(), err);
        set(root, "partial_reason", text(why), err);
    }
    struct declared_columns metrics;
    metrics.count = results_metrics(r, metrics.spec, RUN_METRICS_MAX);
    metrics.analysis_count = results_analyses(r, metrics.analysis, RUN_ANALYSES_MAX);
    set(root, "metrics", metrics_json(&metrics, err), err);
    set(root, "analyses", analyses_json(&metrics, err), err);
    for (size_t i = 0; i < r->case_count; i++)
        push(cases, case_json(r, i, &metrics, err), err);
    set(root, "cases", cases, err);
    return root;
}

static bool is_container(const json_t *value)
{
    return json_is_object(value) || json_is_array(value);
}

/* An object of scalars only, such as one round of per_round. */
static bool is_flat_object(const json_t *value)
{
    const char *key;
    json_t *member;

    if (!json_is_object(value) || json_object_size(value) == 0)
        return false;
    json_object_foreach((json_t *)value, key, member)
    {
        if (is_container(member))
            return false;
    }
    return true;
}

/* A flat object as one line: {"round": 0, "sequence": 3, ...}. */
static int dump_inline_object(FILE *fp, json_t *value)
{
    const char *key;
    json_t *member;
    size_t i = 0;
    int rc = 0;

    fputc('{', fp);
    json_object_foreach(value, key, member)
    {
        json_t *name = json_string_nocheck(key);

        fputs(i++ > 0 ? ", " : "", fp);
        if (name == NULL || json_dumpf(name, fp, SCALAR_FLAGS) != 0)
            rc = -1;
        json_decref(name);
        fputs(": ", fp);
        if (json_dumpf(member, fp, SCALAR_FLAGS) != 0)
            rc = -1;
    }
    fputc('}', fp);
    return rc;
}

static void indent(FILE *fp, int depth)
{
    fprintf(fp, "\n%*s", 2 * depth, "");
}

/* Writes value as indented JSON, two spaces a level, one member per line,
 * except that an array holding no object or array (a bucket [value, count],
 * argv) stays on one line: json_dumpf(JSON_INDENT) would spread every bucket
 * over four lines, and a full run's results.json over millions of them. For
 * the same reason an element of an array that is an object of scalars only
 * (a round of per_round) is one line.
 * Returns 0 or -1 (jansson's convention), with errors also left in fp. */
static int dump(FILE *fp, json_t *value, int depth)
{
    int rc = 0;

    if (json_is_object(value)) {
        const char *key;
        json_t *member;
        size_t i = 0;

        if (json_object_size(value) == 0)
            return fputs("{}", fp) < 0 ? -1 : 0;
        fputc('{', fp);
        json_object_foreach(value, key, member)
        {
            json_t *name = json_string_nocheck(key);

            fputs(i++ > 0 ? "," : "", fp);
            indent(fp, depth + 1);
            if (name == NULL || json_dumpf(name, fp, SCALAR_FLAGS) != 0)
                rc = -1;
            json_decref(name);
            fputs(": ", fp);
            if (dump(fp, member, depth + 1) != 0)
                rc = -1;
        }
        indent(fp, depth);
        fputc('}', fp);
    } else if (json_is_array(value)) {
        bool flat = true;
        json_t *element;
        size_t i;

        json_array_foreach(value, i, element)
        {
            if (is_container(element))
                flat = false;
        }
        fputc('[', fp);
        json_array_foreach(value, i, element)
        {
            if (flat) {
                fputs(i > 0 ? ", " : "", fp);
            } else {
                fputs(i > 0 ? "," : "", fp);
                indent(fp, depth + 1);
            }
            if (is_flat_object(element)) {
                if (dump_inline_object(fp, element) != 0)
                    rc = -1;
            } else if (dump(fp, element, depth + 1) != 0) {
                rc = -1;
            }
        }
        if (!flat && json_array_size(value) > 0)
            indent(fp, depth);
        fputc(']', fp);
    } else {
        rc = json_dumpf(value, fp, SCALAR_FLAGS);
    }
    return rc;
}

int write_results_json(const struct run_results *r, const char *dir)
{
    struct atomic_file af;
    int err = 0, rc;
    json_t *root;

    root = results_json(r, &err);
    if (root == NULL || err != 0) {
        json_decref(root);
        return err != 0 ? err : -ENOMEM;
    }
    rc = atomic_file_open(&af, dir, "results.json");
    if (rc != 0) {
        json_decref(root);
        return rc;
    }
    rc = dump(af.fp, root, 0);
    json_decref(root);
    if (rc != 0) {
        atomic_file_abort(&af);
        return -EIO;
    }
    fputc('\n', af.fp);
    return atomic_file_commit(&af);
}
