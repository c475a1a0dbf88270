/*
 * The read-only model of a run read back (results_read.h): finding a case
 * or an environment value, and the accessors that fetch any other member on
 * demand, checking it at each call since the document is untrusted. The
 * reading itself: untrusted.c (the file), results_walk.c (the model),
 * results_folders.c (paths and sets of runs).
 */
#include "results_read.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "untrusted.h"

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

const char *results_read_case_text(const struct stored_case *c, const char *key)
{
    const json_t *v = json_is_object((const json_t *)c->json)
                          ? json_object_get((const json_t *)c->json, key)
                          : NULL;
    if (v == NULL || !json_is_string(v) || json_string_length(v) > RESULTS_READ_MAX_TEXT ||
        strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    for (const char *p = json_string_value(v); *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return NULL;
    }
    return json_string_value(v);
}

int results_read_case_each_number(const struct stored_case *c,
                                  int (*fn)(const char *key, double value, void *ctx), void *ctx)
{
    const char *key;
    json_t *value;
    json_t *object = (json_t *)c->json;
    if (!json_is_object(object))
        return 0;
    json_object_foreach(object, key, value)
    {
        size_t len = strlen(key);
        bool plain = len > 0 && len <= 64;
        for (size_t i = 0; plain && i < len; i++)
            plain = (unsigned char)key[i] >= 0x20 && key[i] != 0x7f;
        if (!plain || !json_is_number(value))
            continue;
        int rc = fn(key, json_number_value(value), ctx);
        if (rc != 0)
            return rc;
    }
    return 0;
}

bool results_read_case_is(const struct stored_case *c, const char *key, const char *value)
{
    const json_t *v = json_is_object((const json_t *)c->json)
                          ? json_object_get((const json_t *)c->json, key)
                          : NULL;
    return v != NULL && json_is_string(v) && strcmp(json_string_value(v), value) == 0;
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
            (uint64_t)json_integer_value(value) > UNTRUSTED_MAX_NS ||
            json_integer_value(samples) <= 0 ||
            (uint64_t)json_integer_value(samples) > UNTRUSTED_MAX_COUNT ||
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
