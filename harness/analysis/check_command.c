/*
 * The command that would judge a rule (check_command.h).
 */
#include "check_command.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_KEYS 32

struct assignment {
    char key[64];
    char values[256];  /* comma-separated */
    bool from_pattern; /* values accumulate; a prefer value is replaced */
};

struct plan {
    struct assignment keys[MAX_KEYS];
    size_t count;
};

static struct assignment *slot(struct plan *p, const char *key)
{
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->keys[i].key, key) == 0)
            return &p->keys[i];
    }
    if (p->count == MAX_KEYS || strlen(key) >= sizeof(p->keys[0].key))
        return NULL;
    struct assignment *a = &p->keys[p->count++];
    memset(a, 0, sizeof(*a));
    snprintf(a->key, sizeof(a->key), "%s", key);
    return a;
}

/* True when value is one of the comma-separated values (as sizes too). */
static bool holds(const char *values, const char *value)
{
    const char *p = values;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        char one[128];
        snprintf(one, sizeof(one), "%.*s", (int)n, p);
        if (check_same_value(one, value))
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

static int add_value(struct assignment *a, const char *value)
{
    if (holds(a->values, value))
        return 0;
    size_t used = strlen(a->values);
    int n = snprintf(a->values + used, sizeof(a->values) - used, "%s%s", used ? "," : "", value);
    return n < 0 || (size_t)n >= sizeof(a->values) - used ? -ENOSPC : 0;
}

/* Applies "key=value<sep>key=value" (a value may hold commas when sep is
 * ';'). replace: the values replace what is there. */
static int apply(struct plan *p, const char *list, char sep, bool replace)
{
    const char *s = list ? list : "";
    while (*s != '\0') {
        char item[320];
        size_t n = strcspn(s, sep == ';' ? ";" : ",");
        if (n >= sizeof(item))
            return -EINVAL;
        snprintf(item, sizeof(item), "%.*s", (int)n, s);
        s += n + (s[n] != '\0');
        char *eq = strchr(item, '=');
        if (eq == NULL || eq == item || eq[1] == '\0')
            return -EINVAL;
        *eq = '\0';
        struct assignment *a = slot(p, item);
        if (a == NULL)
            return -ENOSPC;
        if (replace || !a->from_pattern) {
            int n2 = snprintf(a->values, sizeof(a->values), "%s", eq + 1);
            if (n2 < 0 || (size_t)n2 >= sizeof(a->values))
                return -ENOSPC;
        }
    }
    return 0;
}

/* Appends text to buf, counting what did not fit. */
static void put(char *buf, size_t len, size_t *used, const char *text)
{
    size_t n = strlen(text);
    if (*used < len) {
        size_t room = len - *used - 1;
        memcpy(buf + *used, text, n < room ? n : room);
        buf[*used + (n < room ? n : room)] = '\0';
    }
    *used += n;
}

/* Appends word, single-quoted unless it holds only characters a shell
 * leaves alone. */
static void put_word(char *buf, size_t len, size_t *used, const char *word)
{
    bool plain = word[0] != '\0' &&
                 strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                              "-_./=:,+@%") == strlen(word);
    if (plain) {
        put(buf, len, used, word);
        return;
    }
    put(buf, len, used, "'");
    for (const char *c = word; *c; c++) {
        char one[2] = {*c, '\0'};
        put(buf, len, used, *c == '\'' ? "'\\''" : one);
    }
    put(buf, len, used, "'");
}

/* A scenario name as a literal in a POSIX extended regex. */
static void put_regex_literal(char *out, size_t len, size_t *used, const char *text)
{
    for (const char *c = text; *c; c++) {
        char one[3] = {'\\', *c, '\0'};
        put(out, len, used, strchr(".[]()*+?{}|^$\\", *c) ? one : one + 1);
    }
}

int check_command_format(const struct check_pattern *const *patterns, size_t count,
                         const char *prefer, const char *judge, char *buf, size_t len)
{
    struct plan plan = {.count = 0};
    int rc = apply(&plan, prefer, ',', false);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        for (size_t k = 0; rc == 0 && k < patterns[i]->param_count; k++) {
            struct assignment *a = slot(&plan, patterns[i]->params[k].key);
            if (a == NULL) {
                rc = -ENOSPC;
                break;
            }
            if (!a->from_pattern)
                a->values[0] = '\0';
            a->from_pattern = true;
            rc = add_value(a, patterns[i]->params[k].value);
        }
    }
    if (rc == 0)
        rc = apply(&plan, judge, ';', true);
    if (rc != 0)
        return rc;

    /* The filter: '^family\.(a|b)$' when the scenarios share a family. */
    char regex[1024] = "";
    size_t r = 0, family_len = 0;
    const char *first = count ? patterns[0]->scenario : "";
    const char *dot = strchr(first, '.');
    if (dot != NULL) {
        family_len = (size_t)(dot - first) + 1;
        for (size_t i = 1; i < count; i++) {
            if (strncmp(patterns[i]->scenario, first, family_len) != 0)
                family_len = 0;
        }
    }
    size_t distinct = 0;
    char family[128];
    snprintf(family, sizeof(family), "%.*s", (int)family_len, first);
    put(regex, sizeof(regex), &r, "^");
    put_regex_literal(regex, sizeof(regex), &r, family);
    for (size_t i = 0; i < count; i++) {
        bool again = false;
        for (size_t k = 0; k < i; k++)
            again = again || strcmp(patterns[k]->scenario, patterns[i]->scenario) == 0;
        distinct += !again;
    }
    put(regex, sizeof(regex), &r, distinct > 1 ? "(" : "");
    for (size_t i = 0, shown = 0; i < count; i++) {
        bool again = false;
        for (size_t k = 0; k < i; k++)
            again = again || strcmp(patterns[k]->scenario, patterns[i]->scenario) == 0;
        if (again)
            continue;
        put(regex, sizeof(regex), &r, shown++ ? "|" : "");
        put_regex_literal(regex, sizeof(regex), &r, patterns[i]->scenario + family_len);
    }
    put(regex, sizeof(regex), &r, distinct > 1 ? ")$" : "$");

    size_t used = 0;
    if (len > 0)
        buf[0] = '\0';
    put(buf, len, &used, "procbench run --filter ");
    put_word(buf, len, &used, regex);
    for (size_t i = 0; i < plan.count; i++) {
        if (strcmp(plan.keys[i].key, "placement") == 0)
            continue;
        char word[400];
        snprintf(word, sizeof(word), "%s=%s", plan.keys[i].key, plan.keys[i].values);
        put(buf, len, &used, " --param ");
        put_word(buf, len, &used, word);
    }
    for (size_t i = 0; i < plan.count; i++) {
        if (strcmp(plan.keys[i].key, "placement") != 0)
            continue;
        put(buf, len, &used, " --placement ");
        put_word(buf, len, &used, plan.keys[i].values);
    }
    return r >= sizeof(regex) || used >= len ? -ENOSPC : 0;
}
