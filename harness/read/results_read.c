/*
 * Reads results.json files back (see results_read.h). The file is read whole
 * (after checking its size), checked for NUL bytes and UTF-8 here, so that
 * the message can say so plainly instead of jansson's "unable to decode
 * byte", then parsed by jansson with duplicate keys refused, and walked with
 * a check before every value taken. Strings in the model point into the
 * parsed tree, which lives as long as the run.
 */
#include "results_read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/reason.h"
#include "engine/results.h"

/* The longest a valid duration can be: the histograms stop at one hour. */
#define MAX_NS UINT64_C(3600000000000)
/* Counts beyond 2^53 cannot have come from a run (nor survive a double). */
#define MAX_COUNT (UINT64_C(1) << 53)

/* Where the walk is, for messages: the file and a JSON path such as
 * "cases[3].per_round[2].p50". */
struct reader {
    const char *file;
    char *err;
    size_t err_len;
};

static int fail(const struct reader *rd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One line, "FILE: problem", control characters made '?'. */
static int fail(const struct reader *rd, int rc, const char *fmt, ...)
{
    char problem[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    reason_format(rd->err, rd->err_len, "%s: %s", rd->file, problem);
    return rc;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

/* Offset of the first byte that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF refused), or len if all is. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t need;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (len - i <= need)
            return i;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += need + 1;
    }
    return len;
}

/* Reads the whole regular file at path into *buf (NUL-terminated). */
static int read_file(const struct reader *rd, const char *path, char **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return fail(rd, -e, "cannot open: %s", strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(rd, -e, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(rd, -EINVAL, "not a regular file");
    }
    if (st.st_size == 0) {
        close(fd);
        return fail(rd, -EINVAL, "empty file");
    }
    if ((uint64_t)st.st_size > RESULTS_READ_MAX_BYTES) {
        close(fd);
        return fail(rd, -EFBIG, "%jd bytes, more than the %u MiB a results.json may have",
                    (intmax_t)st.st_size, RESULTS_READ_MAX_BYTES >> 20);
    }
    size_t size = (size_t)st.st_size;
    char *data = malloc(size + 1);
    if (data == NULL) {
        close(fd);
        return fail(rd, -ENOMEM, "out of memory reading %zu bytes", size);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(data);
            close(fd);
            return fail(rd, -e, "read failed: %s", n < 0 ? strerror(e) : "file shrank");
        }
        got += (size_t)n;
    }
    close(fd);
    data[size] = '\0';
    *buf = data;
    *len = size;
    return 0;
}

/* ---- typed getters: each names the member on failure ----------------- */

static int get_member(const struct reader *rd, const json_t *object, const char *where,
                      const char *key, json_t **out)
{
    *out = json_object_get(object, key);
    if (*out == NULL)
        return fail(rd, -EINVAL, "%s%s%s: missing", where, where[0] ? "." : "", key);
    return 0;
}

/* A string of at most RESULTS_READ_MAX_TEXT bytes with no control
 * characters: the only kind that may reach a message or a table. */
static int check_text(const struct reader *rd, const json_t *v, const char *where, const char *key)
{
    const char *sep = where[0] ? "." : "";
    if (!json_is_string(v))
        return fail(rd, -EINVAL, "%s%s%s: expected a string, got %s", where, sep, key,
                    type_name(v));
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len > RESULTS_READ_MAX_TEXT)
        return fail(rd, -EINVAL, "%s%s%s: a string of %zu bytes, more than %d", where, sep, key,
                    len, RESULTS_READ_MAX_TEXT);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return fail(rd, -EINVAL, "%s%s%s: holds a control character (byte %zu)", where, sep,
                        key, i);
    }
    return 0;
}

static int get_text(const struct reader *rd, const json_t *object, const char *where,
                    const char *key, const char **out)
{
    json_t *v;
    int rc = get_member(rd, object, where, key, &v);
    if (rc == 0)
        rc = check_text(rd, v, where, key);
    if (rc == 0)
        *out = json_string_value(v);
    return rc;
}

/* A JSON integer within [0, max]. */
static int check_uint(const struct reader *rd, const json_t *v, const char *where, const char *key,
                      uint64_t max, uint64_t *out)
{
    const char *sep = where[0] ? "." : "";
    if (!json_is_integer(v))
        return fail(rd, -EINVAL, "%s%s%s: expected an integer, got %s", where, sep, key,
                    type_name(v));
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i > max)
        return fail(rd, -EINVAL,
                    "%s%s%s: %" JSON_INTEGER_FORMAT " is out of range (0 to %" PRIu64 ")", where,
                    sep, key, i, max);
    *out = (uint64_t)i;
    return 0;
}

static int get_uint(const struct reader *rd, const json_t *object, const char *where,
                    const char *key, uint64_t max, uint64_t *out)
{
    json_t *v;
    int rc = get_member(rd, object, where, key, &v);
    return rc != 0 ? rc : check_uint(rd, v, where, key, max, out);
}

static int get_object(const struct reader *rd, const json_t *object, const char *where,
                      const char *key, json_t **out)
{
    int rc = get_member(rd, object, where, key, out);
    if (rc == 0 && !json_is_object(*out))
        rc = fail(rd, -EINVAL, "%s%s%s: expected an object, got %s", where, where[0] ? "." : "",
                  key, type_name(*out));
    return rc;
}

static int get_array(const struct reader *rd, const json_t *object, const char *where,
                     const char *key, size_t max, json_t **out)
{
    int rc = get_member(rd, object, where, key, out);
    if (rc != 0)
        return rc;
    const char *sep = where[0] ? "." : "";
    if (!json_is_array(*out))
        return fail(rd, -EINVAL, "%s%s%s: expected an array, got %s", where, sep, key,
                    type_name(*out));
    if (json_array_size(*out) > max)
        return fail(rd, -EINVAL, "%s%s%s: %zu entries, more than %zu", where, sep, key,
                    json_array_size(*out), max);
    return 0;
}

/* ---- the document ------------------------------------------------------ */

static int read_header(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *version = json_object_get(root, "schema_version");
    if (version == NULL)
        return fail(rd, -EINVAL, "no schema_version: not a procbench results.json");
    if (!json_is_integer(version))
        return fail(rd, -EINVAL, "schema_version: expected an integer, got %s", type_name(version));
    if (json_integer_value(version) != RESULTS_SCHEMA_VERSION)
        return fail(rd, -EINVAL,
                    "schema_version %" JSON_INTEGER_FORMAT ": this procbench reads version %d",
                    json_integer_value(version), RESULTS_SCHEMA_VERSION);
    json_t *tool;
    const char *name;
    int rc = get_object(rd, root, "", "tool", &tool);
    if (rc == 0)
        rc = get_text(rd, tool, "tool", "name", &name);
    if (rc != 0)
        return rc;
    if (strcmp(name, "procbench") != 0)
        return fail(rd, -EINVAL, "tool.name '%s': not written by procbench", name);
    return get_uint(rd, root, "", "started_unix_ns", UINT64_MAX >> 1, &run->started_unix_ns);
}

static int read_environment(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *env, *value;
    const char *key;
    int rc = get_object(rd, root, "", "environment", &env);
    if (rc != 0)
        return rc;
    if (json_object_size(env) > RESULTS_READ_MAX_ENV)
        return fail(rd, -EINVAL, "environment: %zu entries, more than %d", json_object_size(env),
                    RESULTS_READ_MAX_ENV);
    json_object_foreach(env, key, value)
    {
        rc = check_text(rd, value, "environment", key);
        if (rc == 0 && strlen(key) > 64)
            rc = fail(rd, -EINVAL, "environment: a key of %zu bytes", strlen(key));
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
            return fail(rd, -EINVAL, "environment.%s: missing", required[i]);
    }
    return 0;
}

static int read_config(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *config, *quick;
    int rc = get_object(rd, root, "", "config", &config);
    if (rc == 0)
        rc = get_uint(rd, config, "config", "rounds", MAX_COUNT, &run->config_rounds);
    if (rc != 0)
        return rc;
    quick = json_object_get(config, "quick");
    if (quick != NULL && !json_is_boolean(quick))
        return fail(rd, -EINVAL, "config.quick: expected a boolean, got %s", type_name(quick));
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
        return fail(rd, -EINVAL, "%s: expected an object, got %s", where, type_name(entry));
    int rc = get_text(rd, entry, where, "name", &m->name);
    if (rc == 0)
        rc = get_text(rd, entry, where, "unit", &unit);
    if (rc == 0)
        rc = get_text(rd, entry, where, "label", &m->label);
    if (rc == 0)
        rc = get_text(rd, entry, where, "meaning", &m->meaning);
    if (rc == 0)
        rc = get_array(rd, entry, where, "summary", METRIC_STAT_COUNT, &summary);
    if (rc != 0)
        return rc;
    if (!metric_name_valid(m->name))
        return fail(rd, -EINVAL, "%s.name '%s': not a metric name ([a-z][a-z0-9_]*)", where,
                    m->name);
    if (metric_unit_parse(unit, &m->unit) != 0)
        return fail(rd, -EINVAL, "%s.unit '%s': expected ns, bytes or count", where, unit);
    m->aggregate = 0;
    json_array_foreach(summary, k, name_value)
    {
        enum metric_stat s;
        char here[64];
        snprintf(here, sizeof(here), "summary[%zu]", k);
        rc = check_text(rd, name_value, where, here);
        if (rc != 0)
            return rc;
        stat = json_string_value(name_value);
        if (metric_stat_parse(stat, &s) != 0)
            return fail(rd, -EINVAL, "%s.%s '%s': expected p50, p90, p99 or max", where, here,
                        stat);
        m->aggregate |= (unsigned)s;
    }
    if (m->aggregate == 0)
        return fail(rd, -EINVAL, "%s.summary: empty", where);
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
    int rc = get_array(rd, root, "", "metrics", RESULTS_READ_MAX_METRICS, &metrics);
    if (rc != 0)
        return rc;
    json_array_foreach(metrics, i, entry)
    {
        char where[32];
        snprintf(where, sizeof(where), "metrics[%zu]", i);
        rc = read_metric(rd, entry, where, &run->metrics[i]);
        for (size_t j = 0; rc == 0 && j < i; j++) {
            if (strcmp(run->metrics[j].name, run->metrics[i].name) == 0)
                rc = fail(rd, -EINVAL, "%s.name '%s': declared twice", where, run->metrics[i].name);
        }
        if (rc != 0)
            return rc;
        run->metric_count++;
    }
    return 0;
}

static int read_params(const struct reader *rd, json_t *object, const char *where,
                       struct stored_case *c)
{
    json_t *params, *value;
    const char *key;
    int rc = get_object(rd, object, where, "params", &params);
    if (rc != 0)
        return rc;
    if (json_object_size(params) > RESULTS_READ_MAX_PARAMS)
        return fail(rd, -EINVAL, "%s.params: %zu entries, more than %d", where,
                    json_object_size(params), RESULTS_READ_MAX_PARAMS);
    json_object_foreach(params, key, value)
    {
        char here[96];
        snprintf(here, sizeof(here), "%s.params", where);
        if (strlen(key) == 0 || strlen(key) > 64 || strpbrk(key, "{}=, ") != NULL)
            return fail(rd, -EINVAL, "%s: a parameter name that is empty, long or holds {}=, ",
                        here);
        for (const char *p = key; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return fail(rd, -EINVAL, "%s: a parameter name holds a control character", here);
        }
        size_t i = c->param_count;
        if (json_is_integer(value)) {
            uint64_t number;
            rc = check_uint(rd, value, here, key, UINT64_MAX >> 1, &number);
            if (rc != 0)
                return rc;
            snprintf(c->param_numbers[i], sizeof(c->param_numbers[i]), "%" PRIu64, number);
            c->params[i].value = c->param_numbers[i];
        } else {
            rc = check_text(rd, value, here, key);
            if (rc != 0)
                return rc;
            c->params[i].value = json_string_value(value);
        }
        c->params[i].key = key;
        c->param_count++;
    }
    return 0;
}

/* per_round: [{"round", "sequence", "n", "p50", "mean"}, ...]. Rounds
 * without samples (n = 0) are skipped: they have no median. */
static int read_rounds(const struct reader *rd, json_t *object, const char *where,
                       struct stored_case *c, double *storage, size_t *used)
{
    json_t *rounds = json_object_get(object, "per_round");
    if (rounds == NULL)
        return 0; /* written before procbench recorded rounds in results.json */
    json_t *entry;
    size_t i;
    int rc = get_array(rd, object, where, "per_round", RESULTS_READ_MAX_ROUNDS, &rounds);
    if (rc != 0)
        return rc;
    c->has_rounds = true;
    c->round_p50_ns = storage + *used;
    uint64_t previous = 0;
    json_array_foreach(rounds, i, entry)
    {
        char here[96];
        uint64_t round, n, p50;
        snprintf(here, sizeof(here), "%s.per_round[%zu]", where, i);
        if (!json_is_object(entry))
            return fail(rd, -EINVAL, "%s: expected an object, got %s", here, type_name(entry));
        rc = get_uint(rd, entry, here, "round", MAX_COUNT, &round);
        if (rc == 0)
            rc = get_uint(rd, entry, here, "n", MAX_COUNT, &n);
        if (rc == 0)
            rc = get_uint(rd, entry, here, "p50", MAX_NS, &p50);
        if (rc != 0)
            return rc;
        if (i > 0 && round <= previous)
            return fail(rd, -EINVAL, "%s.round: %" PRIu64 " does not follow %" PRIu64, here, round,
                        previous);
        previous = round;
        if (n == 0)
            continue;
        if (p50 == 0)
            return fail(rd, -EINVAL, "%s.p50: 0 ns for a round with samples", here);
        storage[(*used)++] = (double)p50;
        c->round_count++;
    }
    return 0;
}

static int read_case(const struct reader *rd, json_t *object, size_t index, struct stored_case *c,
                     double *storage, size_t *used)
{
    char where[32];
    json_t *cpu;
    snprintf(where, sizeof(where), "cases[%zu]", index);
    if (!json_is_object(object))
        return fail(rd, -EINVAL, "%s: expected an object, got %s", where, type_name(object));
    c->cpu_ns = NAN;
    c->reason = "";
    c->json = object;
    int rc = get_text(rd, object, where, "scenario", &c->scenario);
    if (rc == 0)
        rc = get_text(rd, object, where, "case", &c->name);
    if (rc == 0)
        rc = get_text(rd, object, where, "placement", &c->placement);
    if (rc == 0)
        rc = get_text(rd, object, where, "status", &c->status);
    if (rc == 0 && json_object_get(object, "reason") != NULL)
        rc = get_text(rd, object, where, "reason", &c->reason);
    if (rc == 0)
        rc = read_params(rd, object, where, c);
    if (rc == 0)
        rc = get_uint(rd, object, where, "n", MAX_COUNT, &c->n);
    if (rc == 0)
        rc = get_uint(rd, object, where, "p50", MAX_NS, &c->p50_ns);
    if (rc == 0)
        rc = get_uint(rd, object, where, "p50_ci_low", MAX_NS, &c->p50_ci_low_ns);
    if (rc == 0)
        rc = get_uint(rd, object, where, "p50_ci_high", MAX_NS, &c->p50_ci_high_ns);
    if (rc != 0)
        return rc;
    if (c->name[0] == '\0' || c->scenario[0] == '\0')
        return fail(rd, -EINVAL, "%s: empty scenario or case name", where);
    if (strcmp(c->placement, "same") != 0 && strcmp(c->placement, "cross") != 0 &&
        strcmp(c->placement, "free") != 0)
        return fail(rd, -EINVAL, "%s.placement '%s': expected same, cross or free", where,
                    c->placement);
    if (strcmp(c->status, "ok") != 0 && strcmp(c->status, "failed") != 0 &&
        strcmp(c->status, "skipped") != 0)
        return fail(rd, -EINVAL, "%s.status '%s': expected ok, failed or skipped", where,
                    c->status);
    if (c->n > 0 && (c->p50_ci_low_ns > c->p50_ns || c->p50_ns > c->p50_ci_high_ns))
        return fail(rd, -EINVAL,
                    "%s: p50 %" PRIu64 " lies outside its interval [%" PRIu64 ", %" PRIu64 "]",
                    where, c->p50_ns, c->p50_ci_low_ns, c->p50_ci_high_ns);
    cpu = json_object_get(object, "cpu_ns");
    if (cpu != NULL && !json_is_null(cpu)) {
        uint64_t ns;
        rc = check_uint(rd, cpu, where, "cpu_ns", MAX_NS, &ns);
        if (rc != 0)
            return rc;
        c->cpu_ns = (double)ns;
    }
    return read_rounds(rd, object, where, c, storage, used);
}

static int compare_case_names(const void *a, const void *b)
{
    return strcmp((*(const struct stored_case *const *)a)->name,
                  (*(const struct stored_case *const *)b)->name);
}

static int read_cases(const struct reader *rd, json_t *root, struct stored_run *run)
{
    json_t *cases, *entry;
    size_t i, total_rounds = 0, used = 0;
    int rc = get_array(rd, root, "", "cases", RESULTS_READ_MAX_CASES, &cases);
    if (rc != 0)
        return rc;
    /* One block for every round median, sized by a first pass. */
    json_array_foreach(cases, i, entry)
    {
        json_t *rounds = json_object_get(entry, "per_round");
        if (json_is_array(rounds))
            total_rounds += json_array_size(rounds) < RESULTS_READ_MAX_ROUNDS
                                ? json_array_size(rounds)
                                : RESULTS_READ_MAX_ROUNDS;
    }
    run->cases = calloc(json_array_size(cases) ? json_array_size(cases) : 1, sizeof(*run->cases));
    run->rounds = malloc((total_rounds ? total_rounds : 1) * sizeof(*run->rounds));
    if (run->cases == NULL || run->rounds == NULL)
        return fail(rd, -ENOMEM, "out of memory for %zu cases", json_array_size(cases));
    json_array_foreach(cases, i, entry)
    {
        rc = read_case(rd, entry, i, &run->cases[i], run->rounds, &used);
        if (rc != 0)
            return rc;
        run->case_count++;
    }
    /* Sorted by name: finds duplicates now and cases fast later. */
    run->by_name = malloc((run->case_count ? run->case_count : 1) * sizeof(*run->by_name));
    if (run->by_name == NULL)
        return fail(rd, -ENOMEM, "out of memory");
    for (i = 0; i < run->case_count; i++)
        run->by_name[i] = &run->cases[i];
    qsort(run->by_name, run->case_count, sizeof(*run->by_name), compare_case_names);
    for (i = 1; i < run->case_count; i++) {
        if (strcmp(run->by_name[i]->name, run->by_name[i - 1]->name) == 0)
            return fail(rd, -EINVAL, "case '%s' appears twice", run->by_name[i]->name);
    }
    return 0;
}

static int parse(const struct reader *rd, const char *data, size_t len, struct stored_run *run)
{
    if (memchr(data, '\0', len) != NULL)
        return fail(rd, -EINVAL, "holds a NUL byte at offset %zu: a binary file, not JSON",
                    (size_t)((const char *)memchr(data, '\0', len) - data));
    size_t bad = utf8_invalid_at((const unsigned char *)data, len);
    if (bad < len)
        return fail(rd, -EINVAL, "not valid UTF-8 (byte 0x%02x at offset %zu)",
                    (unsigned char)data[bad], bad);
    json_error_t error;
    /* Any value is parsed, so that a lone string or number gets the same
     * message as an array: not an object. */
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (root == NULL) {
        bool at_end = json_error_code(&error) == json_error_premature_end_of_input;
        return fail(rd, -EINVAL, "%s at line %d, column %d: %s",
                    at_end ? "ends early (truncated?)" : "not valid JSON", error.line, error.column,
                    error.text);
    }
    run->json = root;
    if (!json_is_object(root))
        return fail(rd, -EINVAL, "expected a JSON object at the top, got %s", type_name(root));
    int rc = read_header(rd, root, run);
    if (rc == 0)
        rc = read_environment(rd, root, run);
    if (rc == 0)
        rc = read_config(rd, root, run);
    if (rc == 0)
        rc = read_metrics(rd, root, run);
    if (rc == 0)
        rc = read_cases(rd, root, run);
    return rc;
}

/* path, or path/results.json when path is a folder. *is_dir tells which. */
static int resolve(const char *path, char **file, bool *is_dir, char *err, size_t err_len)
{
    struct stat st;
    if (path[0] == '\0') {
        reason_format(err, err_len, "'': empty path");
        return -EINVAL;
    }
    if (stat(path, &st) != 0) {
        int e = errno;
        reason_format(err, err_len, "%s: %s", path, strerror(e));
        return -e;
    }
    *is_dir = S_ISDIR(st.st_mode);
    size_t len = strlen(path) + sizeof("/results.json");
    *file = malloc(len);
    if (*file == NULL) {
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    snprintf(*file, len, "%s%s", path, *is_dir ? "/results.json" : "");
    return 0;
}

static int read_resolved(char *file, struct stored_run **out, char *err, size_t err_len)
{
    struct stored_run *run = calloc(1, sizeof(*run));
    if (run == NULL) {
        reason_format(err, err_len, "%s: out of memory", file);
        free(file);
        return -ENOMEM;
    }
    run->path = file;
    struct reader rd = {.file = file, .err = err, .err_len = err_len};
    char *data = NULL;
    size_t len = 0;
    int rc = read_file(&rd, file, &data, &len);
    if (rc == 0)
        rc = parse(&rd, data, len, run);
    free(data);
    if (rc != 0) {
        results_read_free_run(run);
        return rc;
    }
    *out = run;
    return 0;
}

int results_read_run(const char *path, struct stored_run **out, char *err, size_t err_len)
{
    char *file = NULL;
    bool is_dir = false;
    *out = NULL;
    int rc = resolve(path, &file, &is_dir, err, err_len);
    if (rc != 0)
        return rc;
    if (is_dir && access(file, F_OK) != 0) {
        reason_format(err, err_len, "%s: a folder without results.json", path);
        free(file);
        return -ENOENT;
    }
    return read_resolved(file, out, err, err_len);
}

const char *results_read_env(const struct stored_run *run, const char *key)
{
    for (size_t i = 0; i < run->env_count; i++) {
        if (strcmp(run->env[i].key, key) == 0)
            return run->env[i].value;
    }
    return NULL;
}

const struct stored_case *results_read_find_case(const struct stored_run *run, const char *name)
{
    size_t lo = 0, hi = run->case_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int order = strcmp(run->by_name[mid]->name, name);
        if (order == 0)
            return run->by_name[mid];
        if (order < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- on-demand accessors: checked at each call, the tree is untrusted -- */

static bool number_member(const json_t *object, const char *key, double *out)
{
    const json_t *v = json_is_object(object) ? json_object_get(object, key) : NULL;
    /* jansson refuses NaN and infinities on input, so a number is finite. */
    if (v == NULL || !json_is_number(v))
        return false;
    *out = json_number_value(v);
    return true;
}

bool results_read_case_number(const struct stored_case *c, const char *key, double *out)
{
    return number_member(c->json, key, out);
}

bool results_read_number(const struct stored_run *run, const char *section, const char *key,
                         double *out)
{
    const json_t *object = run->json;
    if (section != NULL)
        object = json_object_get(object, section);
    return number_member(object, key, out);
}

bool results_read_integer(const struct stored_run *run, const char *section, const char *key,
                          uint64_t *out)
{
    const json_t *object = run->json;
    if (section != NULL)
        object = json_object_get(object, section);
    const json_t *v = json_is_object(object) ? json_object_get(object, key) : NULL;
    if (v == NULL || !json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

int results_read_case_histogram(const struct stored_case *c, const char *key,
                                struct stored_bucket **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    const json_t *h = json_object_get(c->json, key);
    if (h == NULL || json_is_null(h))
        return -ENOENT;
    const json_t *buckets = json_object_get(h, "buckets");
    if (!json_is_array(buckets) || json_array_size(buckets) > RESULTS_READ_MAX_BUCKETS)
        return -EINVAL;
    size_t n = json_array_size(buckets);
    struct stored_bucket *list = malloc((n ? n : 1) * sizeof(*list));
    if (list == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *pair = json_array_get(buckets, i);
        const json_t *value = json_array_get(pair, 0), *samples = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(value) ||
            !json_is_integer(samples) || json_integer_value(value) < 0 ||
            (uint64_t)json_integer_value(value) > MAX_NS || json_integer_value(samples) <= 0 ||
            (uint64_t)json_integer_value(samples) > MAX_COUNT ||
            (i > 0 && (uint64_t)json_integer_value(value) <= list[i - 1].value_ns)) {
            free(list);
            return -EINVAL;
        }
        list[i].value_ns = (uint64_t)json_integer_value(value);
        list[i].count = (uint64_t)json_integer_value(samples);
    }
    *out = list;
    *count = n;
    return 0;
}

int results_read_argv(const struct stored_run *run, const char ***out, size_t *count)
{
    *out = NULL;
    *count = 0;
    const json_t *argv = json_object_get(run->json, "argv");
    if (argv == NULL || json_is_null(argv))
        return -ENOENT;
    if (!json_is_array(argv) || json_array_size(argv) > 4096)
        return -EINVAL;
    size_t n = json_array_size(argv);
    const char **list = malloc((n ? n : 1) * sizeof(*list));
    if (list == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(argv, i);
        bool ok = json_is_string(v) && json_string_length(v) <= RESULTS_READ_MAX_TEXT &&
                  strlen(json_string_value(v)) == json_string_length(v);
        for (const char *p = ok ? json_string_value(v) : ""; ok && *p; p++)
            ok = (unsigned char)*p >= 0x20 && *p != 0x7f;
        if (!ok) {
            free(list);
            return -EINVAL;
        }
        list[i] = json_string_value(v);
    }
    *out = list;
    *count = n;
    return 0;
}

void results_read_free_run(struct stored_run *run)
{
    if (run == NULL)
        return;
    json_decref(run->json);
    free(run->cases);
    free(run->by_name);
    free(run->rounds);
    free(run->path);
    free(run);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_runs_by_start(const void *a, const void *b)
{
    const struct stored_run *x = *(struct stored_run *const *)a;
    const struct stored_run *y = *(struct stored_run *const *)b;
    if (x->started_unix_ns != y->started_unix_ns)
        return (x->started_unix_ns > y->started_unix_ns) -
               (x->started_unix_ns < y->started_unix_ns);
    return strcmp(x->path, y->path);
}

/* The names of path's subfolders (not links) that hold a results.json,
 * sorted. A folder marked PARTIAL (an interrupted run: its unfinished cases
 * are missing) is left out, so that pooling the runs of a folder never
 * mixes a half run into a baseline. */
static int list_run_folders(const char *path, char ***names, size_t *count, char *err,
                            size_t err_len)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        int e = errno;
        reason_format(err, err_len, "%s: %s", path, strerror(e));
        return -e;
    }
    size_t capacity = 0;
    struct dirent *entry;
    int rc = 0;
    *names = NULL;
    *count = 0;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char sub[PATH_MAX];
        struct stat st;
        if (snprintf(sub, sizeof(sub), "%s/%s/results.json", path, entry->d_name) >=
            (int)sizeof(sub))
            continue;
        char folder[PATH_MAX];
        snprintf(folder, sizeof(folder), "%s/%s", path, entry->d_name);
        if (lstat(folder, &st) != 0 || !S_ISDIR(st.st_mode) || access(sub, F_OK) != 0)
            continue;
        char partial[PATH_MAX];
        if (snprintf(partial, sizeof(partial), "%s/PARTIAL", folder) >= (int)sizeof(partial) ||
            access(partial, F_OK) == 0)
            continue;
        if (*count == RESULTS_READ_MAX_RUNS) {
            reason_format(err, err_len, "%s: more than %d results folders", path,
                          RESULTS_READ_MAX_RUNS);
            rc = -E2BIG;
            break;
        }
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            char **bigger = realloc(*names, capacity * sizeof(*bigger));
            if (bigger == NULL) {
                rc = -ENOMEM;
                break;
            }
            *names = bigger;
        }
        (*names)[*count] = strdup(folder);
        if ((*names)[*count] == NULL) {
            rc = -ENOMEM;
            break;
        }
        (*count)++;
    }
    closedir(dir);
    if (rc == -ENOMEM)
        reason_format(err, err_len, "%s: out of memory", path);
    if (rc == 0 && *count > 1)
        qsort(*names, *count, sizeof(**names), compare_names);
    return rc;
}

int results_read_set(const char *path, struct stored_set *out, char *err, size_t err_len)
{
    char *file = NULL;
    bool is_dir = false;
    memset(out, 0, sizeof(*out));
    int rc = resolve(path, &file, &is_dir, err, err_len);
    if (rc != 0)
        return rc;
    out->path = strdup(path);
    if (out->path == NULL) {
        free(file);
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    if (!is_dir || access(file, F_OK) == 0) {
        out->runs = calloc(1, sizeof(*out->runs));
        if (out->runs == NULL) {
            free(file);
            reason_format(err, err_len, "%s: out of memory", path);
            return -ENOMEM;
        }
        rc = read_resolved(file, &out->runs[0], err, err_len);
        if (rc == 0)
            out->count = 1;
        return rc;
    }
    free(file);
    char **names = NULL;
    size_t count = 0;
    rc = list_run_folders(path, &names, &count, err, err_len);
    if (rc == 0 && count == 0) {
        reason_format(err, err_len,
                      "%s: a folder without results.json, and no results folders in it", path);
        rc = -ENOENT;
    }
    if (rc == 0) {
        out->runs = calloc(count, sizeof(*out->runs));
        if (out->runs == NULL) {
            reason_format(err, err_len, "%s: out of memory", path);
            rc = -ENOMEM;
        }
    }
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rc = results_read_run(names[i], &out->runs[i], err, err_len);
        if (rc == 0)
            out->count++;
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    if (rc == 0)
        qsort(out->runs, out->count, sizeof(*out->runs), compare_runs_by_start);
    return rc;
}

void results_read_free_set(struct stored_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        results_read_free_run(set->runs[i]);
    free(set->runs);
    free(set->path);
    memset(set, 0, sizeof(*set));
}
