/*
 * The typed walk of a results.json (results_walk.h): from a parsed,
 * untrusted document to the read-only model of results_read.h, with a
 * check before every value taken (schema_version, tool, environment,
 * config, metric declarations, and per case its names, parameters,
 * figures and rounds). Strings in the model point into the document.
 */
#include "results_walk.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/results.h"

static int read_header(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *version = json_object_get(root, "schema_version");
    if (version == NULL)
        return untrusted_fail(rd, -EINVAL, "no schema_version: not a procbench results.json");
    if (!json_is_integer(version))
        return untrusted_fail(rd, -EINVAL, "schema_version: expected an integer, got %s",
                              untrusted_type_name(version));
    if (json_integer_value(version) != RESULTS_SCHEMA_VERSION)
        return untrusted_fail(
            rd, -EINVAL, "schema_version %" JSON_INTEGER_FORMAT ": this procbench reads version %d",
            json_integer_value(version), RESULTS_SCHEMA_VERSION);
    json_t *tool;
    const char *name;
    int rc = untrusted_get_object(rd, root, "", "tool", &tool);
    if (rc == 0)
        rc = untrusted_get_text(rd, tool, "tool", "name", &name);
    if (rc != 0)
        return rc;
    if (strcmp(name, "procbench") != 0)
        return untrusted_fail(rd, -EINVAL, "tool.name '%s': not written by procbench", name);
    return untrusted_get_uint(rd, root, "", "started_unix_ns", UINT64_MAX >> 1,
                              &run->started_unix_ns);
}

static int read_environment(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *env, *value;
    const char *key;
    int rc = untrusted_get_object(rd, root, "", "environment", &env);
    if (rc != 0)
        return rc;
    if (json_object_size(env) > RESULTS_READ_MAX_ENV)
        return untrusted_fail(rd, -EINVAL, "environment: %zu entries, more than %d",
                              json_object_size(env), RESULTS_READ_MAX_ENV);
    json_object_foreach(env, key, value)
    {
        rc = untrusted_check_text(rd, value, "environment", key);
        if (rc == 0 && strlen(key) > 64)
            rc = untrusted_fail(rd, -EINVAL, "environment: a key of %zu bytes", strlen(key));
        if (rc != 0)
            return rc;
        run->env[run->env_count].key = key;
        run->env[run->env_count].value = json_string_value(value);
        run->env_count++;
    }
    /* The identity of the machine: compare refuses runs where these differ. */
    static const char *const required[] = {"hostname", "kernel", "cpu_model"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        if (results_read_env(run, required[i]) == NULL)
            return untrusted_fail(rd, -EINVAL, "environment.%s: missing", required[i]);
    }
    return 0;
}

static int read_config(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *config, *quick;
    int rc = untrusted_get_object(rd, root, "", "config", &config);
    if (rc == 0)
        rc = untrusted_get_uint(rd, config, "config", "rounds", UNTRUSTED_MAX_COUNT,
                                &run->config_rounds);
    if (rc != 0)
        return rc;
    quick = json_object_get(config, "quick");
    if (quick != NULL && !json_is_boolean(quick))
        return untrusted_fail(rd, -EINVAL, "config.quick: expected a boolean, got %s",
                              untrusted_type_name(quick));
    run->quick = quick != NULL && json_is_true(quick);
    return 0;
}

/* What a results.json written before its metrics were declared carries. */
static const struct stored_metric legacy_metrics[] = {
    {"return", "returns after", "from the create call until it returned to the caller", METRIC_NS,
     METRIC_P50 | METRIC_P99},
    {"first_byte", "first byte",
     "from the start of the sample until the parent held the child's first byte", METRIC_NS,
     METRIC_P50 | METRIC_P99},
    {"rss_growth", "RSS growth", "growth of the parent's peak RSS over the sample", METRIC_BYTES,
     METRIC_P50 | METRIC_MAX},
};

static int read_metric(const struct reader *rd, json_t *entry, const char *where,
                       struct stored_metric *m)
{
    const char *unit, *stat;
    json_t *summary, *name_value;
    size_t k;
    if (!json_is_object(entry))
        return untrusted_fail(rd, -EINVAL, "%s: expected an object, got %s", where,
                              untrusted_type_name(entry));
    int rc = untrusted_get_text(rd, entry, where, "name", &m->name);
    if (rc == 0)
        rc = untrusted_get_text(rd, entry, where, "unit", &unit);
    if (rc == 0)
        rc = untrusted_get_text(rd, entry, where, "label", &m->label);
    if (rc == 0)
        rc = untrusted_get_text(rd, entry, where, "meaning", &m->meaning);
    if (rc == 0)
        rc = untrusted_get_array(rd, entry, where, "summary", METRIC_STAT_COUNT, &summary);
    if (rc != 0)
        return rc;
    if (!metric_name_valid(m->name))
        return untrusted_fail(rd, -EINVAL, "%s.name '%s': not a metric name ([a-z][a-z0-9_]*)",
                              where, m->name);
    if (metric_unit_parse(unit, &m->unit) != 0)
        return untrusted_fail(rd, -EINVAL, "%s.unit '%s': expected ns, bytes or count", where,
                              unit);
    m->aggregate = 0;
    json_array_foreach(summary, k, name_value)
    {
        enum metric_stat s;
        char here[64];
        snprintf(here, sizeof(here), "summary[%zu]", k);
        rc = untrusted_check_text(rd, name_value, where, here);
        if (rc != 0)
            return rc;
        stat = json_string_value(name_value);
        if (metric_stat_parse(stat, &s) != 0)
            return untrusted_fail(rd, -EINVAL, "%s.%s '%s': expected p50, p90, p99 or max", where,
                                  here, stat);
        m->aggregate |= (unsigned)s;
    }
    if (m->aggregate == 0)
        return untrusted_fail(rd, -EINVAL, "%s.summary: empty", where);
    return 0;
}

static int read_metrics(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *metrics, *entry;
    size_t i;
    if (json_object_get(root, "metrics") == NULL) {
        run->metric_count = sizeof(legacy_metrics) / sizeof(legacy_metrics[0]);
        memcpy(run->metrics, legacy_metrics, sizeof(legacy_metrics));
        return 0;
    }
    int rc = untrusted_get_array(rd, root, "", "metrics", RESULTS_READ_MAX_METRICS, &metrics);
    if (rc != 0)
        return rc;
    json_array_foreach(metrics, i, entry)
    {
        char where[32];
        snprintf(where, sizeof(where), "metrics[%zu]", i);
        rc = read_metric(rd, entry, where, &run->metrics[i]);
        for (size_t j = 0; rc == 0 && j < i; j++) {
            if (strcmp(run->metrics[j].name, run->metrics[i].name) == 0)
                rc = untrusted_fail(rd, -EINVAL, "%s.name '%s': declared twice", where,
                                    run->metrics[i].name);
        }
        if (rc != 0)
            return rc;
        run->metric_count++;
    }
    return 0;
}

_Static_assert(RESULTS_READ_MAX_ANALYSES >= RUN_ANALYSES_MAX,
               "a run must be able to read back every analysis it declares");

/* Files written before analyses were declared carry these three columns;
 * their labels are the column names, which is all such a file says. */
static const struct stored_analysis legacy_analyses[] = {
    {"rss_slope_ns_per_gib", ANALYSIS_SLOPE, "rss_slope_ns_per_gib", "rss_slope", "rss", "GiB"},
    {"vs_posix_spawn", ANALYSIS_RATIO, "vs_posix_spawn", "vs_posix_spawn", NULL, NULL},
    {"pool_break_even_ns", ANALYSIS_BREAK_EVEN, "pool_break_even_ns", NULL, NULL, NULL},
};

/* key's text, or NULL when the member is missing or null. */
static int optional_text(const struct reader *rd, json_t *object, const char *where,
                         const char *key, const char **out)
{
    json_t *value = json_object_get(object, key);
    *out = NULL;
    return value == NULL || json_is_null(value) ? 0
                                                : untrusted_get_text(rd, object, where, key, out);
}

static int read_analysis(const struct reader *rd, json_t *entry, const char *where,
                         struct stored_analysis *a)
{
    const char *kind;
    if (!json_is_object(entry))
        return untrusted_fail(rd, -EINVAL, "%s: expected an object, got %s", where,
                              untrusted_type_name(entry));
    int rc = untrusted_get_text(rd, entry, where, "column", &a->column);
    if (rc == 0)
        rc = untrusted_get_text(rd, entry, where, "kind", &kind);
    if (rc == 0)
        rc = untrusted_get_text(rd, entry, where, "label", &a->label);
    if (rc == 0)
        rc = optional_text(rd, entry, where, "ci_prefix", &a->ci_prefix);
    if (rc == 0)
        rc = optional_text(rd, entry, where, "param", &a->param);
    if (rc == 0)
        rc = optional_text(rd, entry, where, "per_name", &a->per_name);
    if (rc != 0)
        return rc;
    if (!metric_name_valid(a->column))
        return untrusted_fail(rd, -EINVAL, "%s.column '%s': not a column name ([a-z][a-z0-9_]*)",
                              where, a->column);
    if (a->ci_prefix != NULL && !metric_name_valid(a->ci_prefix))
        return untrusted_fail(rd, -EINVAL, "%s.ci_prefix '%s': not a column name ([a-z][a-z0-9_]*)",
                              where, a->ci_prefix);
    if (analysis_kind_parse(kind, &a->kind) != 0)
        return untrusted_fail(rd, -EINVAL, "%s.kind '%s': expected slope, ratio or break_even",
                              where, kind);
    if (a->kind == ANALYSIS_SLOPE && (a->param == NULL || a->per_name == NULL))
        return untrusted_fail(rd, -EINVAL, "%s: a slope needs its param and its unit (per_name)",
                              where);
    return 0;
}

static int read_analyses(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *analyses, *entry;
    size_t i;
    if (json_object_get(root, "analyses") == NULL) {
        run->analysis_count = sizeof(legacy_analyses) / sizeof(legacy_analyses[0]);
        memcpy(run->analyses, legacy_analyses, sizeof(legacy_analyses));
        return 0;
    }
    int rc =
        untrusted_get_array(rd, root, "", "analyses", RESULTS_READ_MAX_ANALYSES, &analyses);
    if (rc != 0)
        return rc;
    json_array_foreach(analyses, i, entry)
    {
        char where[32];
        snprintf(where, sizeof(where), "analyses[%zu]", i);
        rc = read_analysis(rd, entry, where, &run->analyses[i]);
        for (size_t j = 0; rc == 0 && j < i; j++) {
            if (strcmp(run->analyses[j].column, run->analyses[i].column) == 0)
                rc = untrusted_fail(rd, -EINVAL, "%s.column '%s': declared twice", where,
                                    run->analyses[i].column);
        }
        if (rc != 0)
            return rc;
        run->analysis_count++;
    }
    return 0;
}

static int read_params(const struct reader *rd, json_t *object, const char *where,
                       struct stored_case *c)
{
    json_t *params, *value;
    const char *key;
    int rc = untrusted_get_object(rd, object, where, "params", &params);
    if (rc != 0)
        return rc;
    if (json_object_size(params) > RESULTS_READ_MAX_PARAMS)
        return untrusted_fail(rd, -EINVAL, "%s.params: %zu entries, more than %d", where,
                              json_object_size(params), RESULTS_READ_MAX_PARAMS);
    json_object_foreach(params, key, value)
    {
        char here[96];
        snprintf(here, sizeof(here), "%s.params", where);
        if (strlen(key) == 0 || strlen(key) > 64 || strpbrk(key, "{}=, ") != NULL)
            return untrusted_fail(rd, -EINVAL,
                                  "%s: a parameter name that is empty, long or holds {}=, ", here);
        for (const char *p = key; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return untrusted_fail(rd, -EINVAL, "%s: a parameter name holds a control character",
                                      here);
        }
        size_t i = c->param_count;
        if (json_is_integer(value)) {
            uint64_t number;
            rc = untrusted_check_uint(rd, value, here, key, UINT64_MAX >> 1, &number);
            if (rc != 0)
                return rc;
            snprintf(c->param_numbers[i], sizeof(c->param_numbers[i]), "%" PRIu64, number);
            c->params[i].value = c->param_numbers[i];
        } else {
            rc = untrusted_check_text(rd, value, here, key);
            if (rc != 0)
                return rc;
            c->params[i].value = json_string_value(value);
        }
        c->params[i].key = key;
        c->param_count++;
    }
    return 0;
}

/* Where read_rounds() puts the rounds of every case: medians at
 * p50[used...], their round numbers at number[used...]. */
struct round_storage {
    double *p50, *number;
    size_t used;
};

/* per_round: [{"round", "sequence", "n", "p50", "mean"}, ...]. Rounds
 * without samples (n = 0) are skipped: they have no median (which is why
 * each keeps its number: round_ratio.h pairs rounds by it). */
static int read_rounds(const struct reader *rd, json_t *object, const char *where,
                       struct stored_case *c, struct round_storage *rs)
{
    json_t *rounds = json_object_get(object, "per_round");
    if (rounds == NULL)
        return 0; /* written before procbench recorded rounds in results.json */
    json_t *entry;
    size_t i;
    int rc = untrusted_get_array(rd, object, where, "per_round", RESULTS_READ_MAX_ROUNDS, &rounds);
    if (rc != 0)
        return rc;
    c->has_rounds = true;
    c->round_p50_ns = rs->p50 + rs->used;
    c->round_number = rs->number + rs->used;
    uint64_t previous = 0;
    json_array_foreach(rounds, i, entry)
    {
        char here[96];
        uint64_t round, n, p50;
        snprintf(here, sizeof(here), "%s.per_round[%zu]", where, i);
        if (!json_is_object(entry))
            return untrusted_fail(rd, -EINVAL, "%s: expected an object, got %s", here,
                                  untrusted_type_name(entry));
        rc = untrusted_get_uint(rd, entry, here, "round", UNTRUSTED_MAX_COUNT, &round);
        if (rc == 0)
            rc = untrusted_get_uint(rd, entry, here, "n", UNTRUSTED_MAX_COUNT, &n);
        if (rc == 0)
            rc = untrusted_get_uint(rd, entry, here, "p50", UNTRUSTED_MAX_NS, &p50);
        if (rc != 0)
            return rc;
        if (i > 0 && round <= previous)
            return untrusted_fail(rd, -EINVAL, "%s.round: %" PRIu64 " does not follow %" PRIu64,
                                  here, round, previous);
        previous = round;
        if (n == 0)
            continue;
        if (p50 == 0)
            return untrusted_fail(rd, -EINVAL, "%s.p50: 0 ns for a round with samples", here);
        rs->p50[rs->used] = (double)p50;
        rs->number[rs->used++] = (double)round;
        c->round_count++;
    }
    return 0;
}

static int read_case(const struct reader *rd, json_t *object, size_t index, struct stored_case *c,
                     struct round_storage *rs)
{
    char where[32];
    json_t *cpu;
    snprintf(where, sizeof(where), "cases[%zu]", index);
    if (!json_is_object(object))
        return untrusted_fail(rd, -EINVAL, "%s: expected an object, got %s", where,
                              untrusted_type_name(object));
    c->cpu_ns = NAN;
    c->reason = "";
    c->json = object;
    int rc = untrusted_get_text(rd, object, where, "scenario", &c->scenario);
    if (rc == 0)
        rc = untrusted_get_text(rd, object, where, "case", &c->name);
    if (rc == 0)
        rc = untrusted_get_text(rd, object, where, "placement", &c->placement);
    if (rc == 0)
        rc = untrusted_get_text(rd, object, where, "status", &c->status);
    if (rc == 0 && json_object_get(object, "reason") != NULL)
        rc = untrusted_get_text(rd, object, where, "reason", &c->reason);
    if (rc == 0)
        rc = read_params(rd, object, where, c);
    if (rc == 0)
        rc = untrusted_get_uint(rd, object, where, "n", UNTRUSTED_MAX_COUNT, &c->n);
    if (rc == 0)
        rc = untrusted_get_uint(rd, object, where, "p50", UNTRUSTED_MAX_NS, &c->p50_ns);
    if (rc == 0)
        rc = untrusted_get_uint(rd, object, where, "p50_ci_low", UNTRUSTED_MAX_NS,
                                &c->p50_ci_low_ns);
    if (rc == 0)
        rc = untrusted_get_uint(rd, object, where, "p50_ci_high", UNTRUSTED_MAX_NS,
                                &c->p50_ci_high_ns);
    if (rc != 0)
        return rc;
    if (c->name[0] == '\0' || c->scenario[0] == '\0')
        return untrusted_fail(rd, -EINVAL, "%s: empty scenario or case name", where);
    if (strcmp(c->placement, "same") != 0 && strcmp(c->placement, "cross") != 0 &&
        strcmp(c->placement, "free") != 0)
        return untrusted_fail(rd, -EINVAL, "%s.placement '%s': expected same, cross or free", where,
                              c->placement);
    if (strcmp(c->status, "ok") != 0 && strcmp(c->status, "failed") != 0 &&
        strcmp(c->status, "skipped") != 0)
        return untrusted_fail(rd, -EINVAL, "%s.status '%s': expected ok, failed or skipped", where,
                              c->status);
    if (c->n > 0 && (c->p50_ci_low_ns > c->p50_ns || c->p50_ns > c->p50_ci_high_ns))
        return untrusted_fail(
            rd, -EINVAL, "%s: p50 %" PRIu64 " lies outside its interval [%" PRIu64 ", %" PRIu64 "]",
            where, c->p50_ns, c->p50_ci_low_ns, c->p50_ci_high_ns);
    cpu = json_object_get(object, "cpu_ns");
    if (cpu != NULL && !json_is_null(cpu)) {
        uint64_t ns;
        rc = untrusted_check_uint(rd, cpu, where, "cpu_ns", UNTRUSTED_MAX_NS, &ns);
        if (rc != 0)
            return rc;
        c->cpu_ns = (double)ns;
    }
    return read_rounds(rd, object, where, c, rs);
}

static int compare_case_names(const void *a, const void *b)
{
    return strcmp((*(const struct stored_case *const *)a)->name,
                  (*(const struct stored_case *const *)b)->name);
}

static int read_cases(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *cases, *entry;
    size_t i, total_rounds = 0;
    int rc = untrusted_get_array(rd, root, "", "cases", RESULTS_READ_MAX_CASES, &cases);
    if (rc != 0)
        return rc;
    /* One block for every round median and number, sized by a first pass. */
    json_array_foreach(cases, i, entry)
    {
        json_t *rounds = json_object_get(entry, "per_round");
        if (json_is_array(rounds))
            total_rounds += json_array_size(rounds) < RESULTS_READ_MAX_ROUNDS
                                ? json_array_size(rounds)
                                : RESULTS_READ_MAX_ROUNDS;
    }
    run->cases = calloc(json_array_size(cases) ? json_array_size(cases) : 1, sizeof(*run->cases));
    run->rounds = malloc((2 * total_rounds + 1) * sizeof(*run->rounds));
    if (run->cases == NULL || run->rounds == NULL)
        return untrusted_fail(rd, -ENOMEM, "out of memory for %zu cases", json_array_size(cases));
    struct round_storage rs = {run->rounds, run->rounds + total_rounds, 0};
    json_array_foreach(cases, i, entry)
    {
        rc = read_case(rd, entry, i, &run->cases[i], &rs);
        if (rc != 0)
            return rc;
        run->case_count++;
    }
    /* Sorted by name: finds duplicates now and cases fast later. */
    run->by_name = malloc((run->case_count ? run->case_count : 1) * sizeof(*run->by_name));
    if (run->by_name == NULL)
        return untrusted_fail(rd, -ENOMEM, "out of memory");
    for (i = 0; i < run->case_count; i++)
        run->by_name[i] = &run->cases[i];
    qsort(run->by_name, run->case_count, sizeof(*run->by_name), compare_case_names);
    for (i = 1; i < run->case_count; i++) {
        if (strcmp(run->by_name[i]->name, run->by_name[i - 1]->name) == 0)
            return untrusted_fail(rd, -EINVAL, "case '%s' appears twice", run->by_name[i]->name);
    }
    return 0;
}

int results_walk(const struct reader *rd, json_t *root, struct stored_run *run)
{
    int rc = read_header(rd, root, run);
    if (rc == 0)
        rc = read_environment(rd, root, run);
    if (rc == 0)
        rc = read_config(rd, root, run);
    if (rc == 0)
        rc = read_metrics(rd, root, run);
    if (rc == 0)
        rc = read_analyses(rd, root, run);
    if (rc == 0)
        rc = read_cases(rd, root, run);
    return rc;
}
