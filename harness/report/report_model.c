/*
 * Loading a results folder for the report (report_model.h): results.json by
 * results_read, rounds.csv by the strict reader below.
 */
#include "report_model.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/reason.h"
#include "engine/results.h"
#include "read/small_file.h"
#include "base/units.h"

#define ROUNDS_HEADER  RESULTS_ROUNDS_CSV_HEADER
#define ROUNDS_NUMBERS 10 /* the columns after `case` */

/* The first field of a rounds.csv line: quoted ("" for a quote) or bare.
 * Copies it into name[len]; returns the position after its comma, or NULL. */
static const char *scan_name(const char *p, char *name, size_t len)
{
    size_t n = 0;
    if (*p == '"') {
        for (p++;; p++) {
            if (*p == '\0' || *p == '\n')
                return NULL;
            if (*p == '"') {
                if (p[1] != '"')
                    break;
                p++;
            }
            if (n + 1 >= len)
                return NULL;
            name[n++] = *p;
        }
        p++;
    } else {
        while (*p != ',' && *p != '\0' && *p != '\n' && *p != '"') {
            if (n + 1 >= len)
                return NULL;
            name[n++] = *p++;
        }
    }
    name[n] = '\0';
    return *p == ',' ? p + 1 : NULL;
}

/* ROUNDS_NUMBERS unsigned decimal integers separated by commas, up to the end
 * of the line. Returns the position after the line, or NULL. */
static const char *scan_numbers(const char *p, uint64_t *values)
{
    for (int i = 0; i < ROUNDS_NUMBERS; i++) {
        uint64_t v = 0;
        const char *start = p;
        while (*p >= '0' && *p <= '9') {
            if (v > (UINT64_MAX - 9) / 10 || p - start > 19)
                return NULL;
            v = v * 10 + (uint64_t)(*p++ - '0');
        }
        if (p == start)
            return NULL;
        values[i] = v;
        if (i + 1 < ROUNDS_NUMBERS) {
            if (*p != ',')
                return NULL;
            p++;
        }
    }
    if (*p == '\r')
        p++;
    if (*p == '\n')
        return p + 1;
    return *p == '\0' ? p : NULL;
}

static int read_rounds(struct report_run *r, char *err, size_t err_len)
{
    char path[PATH_MAX];
    char *data = NULL;
    size_t len = 0;
    if (snprintf(path, sizeof(path), "%s/rounds.csv", r->folder) >= (int)sizeof(path))
        return 0;
    int rc = small_file_read(path, REPORT_ROUNDS_MAX_BYTES, "a procbench rounds.csv", &data, &len,
                             err, err_len);
    if (rc == -ENOENT) {
        err[0] = '\0';
        snprintf(r->rounds_note, sizeof(r->rounds_note), "no rounds.csv beside results.json");
        return 0;
    }
    if (rc != 0)
        return rc;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    if (memchr(data, '\0', len) != NULL ||
        strncmp(data, ROUNDS_HEADER "\n", strlen(ROUNDS_HEADER) + 1) != 0) {
        reason_format(err, err_len, "%s: not a procbench rounds.csv (its first line is not \"%s\")",
                      path, ROUNDS_HEADER);
        free(data);
        return -EINVAL;
    }
    r->rounds = calloc(lines + 1, sizeof(*r->rounds));
    if (r->rounds == NULL) {
        free(data);
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    const char *p = data + strlen(ROUNDS_HEADER) + 1;
    unsigned line = 2;
    for (; *p != '\0'; line++) {
        char name[RESULTS_READ_MAX_TEXT + 1];
        uint64_t v[ROUNDS_NUMBERS];
        const char *rest = scan_name(p, name, sizeof(name));
        const char *next = rest ? scan_numbers(rest, v) : NULL;
        if (next == NULL) {
            reason_format(err, err_len, "%s:%u: expected a case name and %d integers", path, line,
                          ROUNDS_NUMBERS);
            free(data);
            return -EINVAL;
        }
        const struct stored_case *c = results_read_find_case(r->run, name);
        if (c == NULL) {
            reason_format(err, err_len, "%s:%u: case '%s' is not in %s", path, line, name,
                          r->run->path);
            free(data);
            return -EINVAL;
        }
        /* columns: round, sequence, start_ns, elapsed_ns, n, failures, min, p50, max, mean */
        if (v[4] > 0) {
            struct report_round *round = &r->rounds[r->round_count++];
            round->c = c;
            round->start_ns = v[2];
            round->n = v[4];
            round->p50_ns = v[7];
        }
        p = next;
    }
    free(data);
    return 0;
}

int report_model_load(const char *path, struct report_run *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    err[0] = '\0';
    int rc = results_read_run(path, &out->run, err, err_len);
    if (rc != 0)
        return rc;
    char *copy = strdup(out->run->path);
    if (copy == NULL) {
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    out->folder = strdup(dirname(copy));
    free(copy);
    if (out->folder == NULL) {
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    return read_rounds(out, err, err_len);
}

void report_model_free(struct report_run *r)
{
    results_read_free_run(r->run);
    free(r->folder);
    free(r->rounds);
    memset(r, 0, sizeof(*r));
}

const char *report_param(const struct stored_case *c, const char *key)
{
    if (strcmp(key, "placement") == 0)
        return c->placement;
    for (size_t i = 0; i < c->param_count; i++) {
        if (strcmp(c->params[i].key, key) == 0)
            return c->params[i].value;
    }
    return NULL;
}

bool report_param_size(const struct stored_case *c, const char *key, uint64_t *out)
{
    const char *value = report_param(c, key), *why;
    return value != NULL && units_parse_size_bytes(value, out, &why) == 0;
}

void report_family(const struct stored_case *c, char *buf, size_t len)
{
    snprintf(buf, len, "%.*s", (int)case_name_family_len(c->scenario), c->scenario);
}

/* Two spellings of one value: equal as text, or as sizes ("64M" and
 * "67108864"). */
static bool same_value(const char *a, const char *b)
{
    uint64_t x, y;
    const char *why;
    return strcmp(a, b) == 0 || (units_parse_size_bytes(a, &x, &why) == 0 &&
                                 units_parse_size_bytes(b, &y, &why) == 0 && x == y);
}

void report_case_name(const struct stored_case *c, struct case_name *out)
{
    struct case_name typed;
    bool parsed = case_name_parse(c->name, &typed) == 0 && strcmp(typed.scenario, c->scenario) == 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->scenario, sizeof(out->scenario), "%s", c->scenario);
    for (size_t i = 0; i <= c->param_count; i++) {
        const char *key = i < c->param_count ? c->params[i].key : "placement";
        const char *value = i < c->param_count ? c->params[i].value : c->placement;
        const char *spelt = parsed ? case_name_get(&typed, key) : NULL;
        if (spelt != NULL && same_value(spelt, value))
            value = spelt;
        /* A part too long for a label is cut there: labels are for people. */
        char cut[CASE_LABEL_VALUE_MAX];
        snprintf(cut, sizeof(cut), "%s", value);
        if (case_name_set(out, key, cut) != 0)
            break;
    }
}

const char *report_param_text(const struct stored_case *c, const char *key, char *buf, size_t len)
{
    struct case_name n;
    report_case_name(c, &n);
    const char *v = case_name_get(&n, key);
    if (v == NULL)
        return NULL;
    snprintf(buf, len, "%s", v);
    return buf;
}

/* The last `depth` components of path ("a/b/c", 2 -> "b/c"). */
static const char *tail(const char *path, int depth)
{
    const char *end = path + strlen(path);
    while (end > path && end[-1] == '/')
        end--;
    const char *p = end;
    for (int d = 0; d < depth && p > path; d++) {
        if (d > 0)
            p--;
        while (p > path && p[-1] != '/')
            p--;
    }
    return p;
}

void report_run_labels(struct report_run *runs, size_t count, const char *const *given,
                       size_t given_count)
{
    for (int depth = 1; depth <= 8; depth++) {
        for (size_t i = 0; i < count; i++) {
            const char *t = tail(runs[i].folder, depth);
            size_t n = strlen(t);
            while (n > 0 && t[n - 1] == '/')
                n--;
            if (n > sizeof(runs[i].label) - 1) /* keep the end: it differs */
                t += n - (sizeof(runs[i].label) - 1), n = sizeof(runs[i].label) - 1;
            snprintf(runs[i].label, sizeof(runs[i].label), "%.*s", (int)n, t);
        }
        bool unique = true;
        for (size_t i = 0; i < count && unique; i++) {
            for (size_t k = i + 1; k < count && unique; k++)
                unique = strcmp(runs[i].label, runs[k].label) != 0;
        }
        if (unique)
            break;
    }
    for (size_t i = 0; i < count && i < given_count; i++)
        snprintf(runs[i].label, sizeof(runs[i].label), "%s", given[i]);
}
