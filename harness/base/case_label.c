/*
 * Case names taken apart, and labels made of what varies (case_label.h).
 */
#include "case_label.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy_part(char *dst, size_t dst_len, const char *src, size_t n)
{
    if (n == 0 || n >= dst_len)
        return -EINVAL;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

size_t case_name_family_len(const char *name)
{
    return strcspn(name, ".");
}

bool case_name_same_family(const char *a, const char *b)
{
    size_t n = case_name_family_len(a);
    return case_name_family_len(b) == n && strncmp(a, b, n) == 0;
}

int case_name_parse(const char *name, struct case_name *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = strcspn(name, "{}=,");
    if (copy_part(out->scenario, sizeof(out->scenario), name, n) != 0)
        return -EINVAL;
    const char *p = name + n;
    if (*p == '\0')
        return 0;
    if (*p != '{' || p[1] == '}')
        return -EINVAL;
    for (p++;;) {
        size_t k = strcspn(p, "{}=,");
        if (p[k] != '=' || out->count == CASE_LABEL_MAX_PARAMS ||
            copy_part(out->params[out->count].key, CASE_LABEL_KEY_MAX, p, k) != 0)
            return -EINVAL;
        p += k + 1;
        size_t v = strcspn(p, "{}=,");
        if ((p[v] != ',' && p[v] != '}') ||
            copy_part(out->params[out->count].value, CASE_LABEL_VALUE_MAX, p, v) != 0)
            return -EINVAL;
        out->count++;
        p += v;
        if (*p == '}')
            return p[1] == '\0' ? 0 : -EINVAL;
        p++;
    }
}

const char *case_name_get(const struct case_name *c, const char *key)
{
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->params[i].key, key) == 0)
            return c->params[i].value;
    }
    return NULL;
}

int case_name_set(struct case_name *c, const char *key, const char *value)
{
    if (strlen(key) >= CASE_LABEL_KEY_MAX || strlen(value) >= CASE_LABEL_VALUE_MAX)
        return -ENOSPC;
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->params[i].key, key) == 0) {
            snprintf(c->params[i].value, CASE_LABEL_VALUE_MAX, "%s", value);
            return 0;
        }
    }
    if (c->count == CASE_LABEL_MAX_PARAMS)
        return -ENOSPC;
    snprintf(c->params[c->count].key, CASE_LABEL_KEY_MAX, "%s", key);
    snprintf(c->params[c->count].value, CASE_LABEL_VALUE_MAX, "%s", value);
    c->count++;
    return 0;
}

void case_vary_init(struct case_vary *v)
{
    memset(v, 0, sizeof(*v));
}

void case_vary_add(struct case_vary *v, const struct case_name *c)
{
    v->cases++;
    if (v->cases == 1 || strcmp(v->last_scenario, c->scenario) != 0)
        v->scenarios++;
    snprintf(v->last_scenario, sizeof(v->last_scenario), "%s", c->scenario);
    for (size_t p = 0; p < c->count; p++) {
        size_t k = 0;
        while (k < v->count && strcmp(v->keys[k].key, c->params[p].key) != 0)
            k++;
        if (k == v->count) {
            /* Keys beyond the table are not kept: case_vary_varies() says
             * they vary, so no label loses them. */
            if (v->count == CASE_LABEL_MAX_KEYS)
                continue;
            snprintf(v->keys[k].key, CASE_LABEL_KEY_MAX, "%s", c->params[p].key);
            snprintf(v->keys[k].value, CASE_LABEL_VALUE_MAX, "%s", c->params[p].value);
            v->count++;
        } else if (strcmp(v->keys[k].value, c->params[p].value) != 0) {
            v->keys[k].varies = true;
        }
        v->keys[k].count++;
    }
    for (size_t k = 0; k < v->count; k++)
        v->keys[k].everywhere = v->keys[k].count == v->cases;
}

void case_vary_compute(const struct case_name *const *cases, size_t n, struct case_vary *out)
{
    case_vary_init(out);
    for (size_t i = 0; i < n; i++)
        case_vary_add(out, cases[i]);
    /* Distinct scenarios over the whole set, not changes from case to case. */
    out->scenarios = 0;
    for (size_t i = 0; i < n; i++) {
        bool new_scenario = true;
        for (size_t k = 0; k < i && new_scenario; k++)
            new_scenario = strcmp(cases[k]->scenario, cases[i]->scenario) != 0;
        out->scenarios += new_scenario;
    }
}

bool case_vary_varies(const struct case_vary *v, const char *key)
{
    for (size_t k = 0; k < v->count; k++) {
        if (strcmp(v->keys[k].key, key) == 0)
            return v->keys[k].varies;
    }
    return true;
}

static bool skipped(const char *key, const char *const *skip)
{
    for (size_t i = 0; skip != NULL && skip[i] != NULL; i++) {
        if (strcmp(skip[i], key) == 0)
            return true;
    }
    return false;
}

/* Appends text, counting what it would have needed beyond len. */
static void append(char *buf, size_t len, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (*used < len) {
        size_t room = len - *used - 1;
        size_t copy = n < room ? n : room;
        memcpy(buf + *used, text, copy);
        buf[*used + copy] = '\0';
    }
    *used += n;
}

int case_label_format(const struct case_name *c, const struct case_vary *v, const char *const *skip,
                      bool drop_family, char *buf, size_t len)
{
    const char *name = c->scenario;
    if (drop_family && strchr(name, '.') != NULL)
        name = strchr(name, '.') + 1;
    size_t used = 0, shown = 0;
    if (len > 0)
        buf[0] = '\0';
    append(buf, len, &used, name);
    for (size_t i = 0; i < c->count; i++) {
        if (skipped(c->params[i].key, skip) || !case_vary_varies(v, c->params[i].key))
            continue;
        append(buf, len, &used, shown++ ? "," : "{");
        append(buf, len, &used, c->params[i].key);
        append(buf, len, &used, "=");
        append(buf, len, &used, c->params[i].value);
    }
    if (shown > 0)
        append(buf, len, &used, "}");
    return (int)used;
}

int case_vary_constants(const struct case_vary *v, const char *const *skip, char *buf, size_t len)
{
    size_t used = 0, shown = 0;
    if (len > 0)
        buf[0] = '\0';
    for (size_t k = 0; k < v->count; k++) {
        if (v->keys[k].varies || skipped(v->keys[k].key, skip))
            continue;
        append(buf, len, &used, shown++ ? ", " : "");
        append(buf, len, &used, v->keys[k].key);
        append(buf, len, &used, "=");
        append(buf, len, &used, v->keys[k].value);
        if (!v->keys[k].everywhere)
            append(buf, len, &used, " (where it applies)");
    }
    return (int)used;
}
