/*
 * The names of metric units and statistics, as written in results.json and
 * the summary's column suffixes, and the check of a scenario's metric
 * declarations that the catalogue's tests run over every scenario.
 */
#include "metric.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
    enum metric_stat stat;
    const char *name;
} stats[METRIC_STAT_COUNT] = {
    {METRIC_P50, "p50"},
    {METRIC_P90, "p90"},
    {METRIC_P99, "p99"},
    {METRIC_MAX, "max"},
};

static const char *const units[] = {
    [METRIC_NS] = "ns",
    [METRIC_BYTES] = "bytes",
    [METRIC_COUNT] = "count",
};
#define UNIT_COUNT (sizeof(units) / sizeof(units[0]))

enum metric_stat metric_stat_at(size_t k)
{
    return k < METRIC_STAT_COUNT ? stats[k].stat : 0;
}

const char *metric_stat_name(enum metric_stat stat)
{
    for (size_t k = 0; k < METRIC_STAT_COUNT; k++) {
        if (stats[k].stat == stat)
            return stats[k].name;
    }
    return "?";
}

int metric_stat_parse(const char *name, enum metric_stat *out)
{
    for (size_t k = 0; k < METRIC_STAT_COUNT; k++) {
        if (strcmp(stats[k].name, name) == 0) {
            *out = stats[k].stat;
            return 0;
        }
    }
    return -EINVAL;
}

const char *metric_unit_name(enum metric_unit unit)
{
    return (size_t)unit < UNIT_COUNT ? units[unit] : "?";
}

int metric_unit_parse(const char *name, enum metric_unit *out)
{
    for (size_t u = 0; u < UNIT_COUNT; u++) {
        if (strcmp(units[u], name) == 0) {
            *out = (enum metric_unit)u;
            return 0;
        }
    }
    return -EINVAL;
}

bool metric_name_valid(const char *name)
{
    size_t len = name != NULL ? strlen(name) : 0;
    if (len == 0 || len > METRIC_NAME_MAX || name[0] < 'a' || name[0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
    }
    return true;
}

size_t metric_count(const struct metric_spec *list)
{
    size_t n = 0;
    while (list != NULL && list[n].name != NULL)
        n++;
    return n;
}

int metric_check_list(const struct metric_spec *list, size_t max, char *why, size_t why_len)
{
    unsigned known = 0;
    for (size_t k = 0; k < METRIC_STAT_COUNT; k++)
        known |= stats[k].stat;
    size_t n = metric_count(list);
    if (n > max) {
        snprintf(why, why_len, "%zu metrics declared, more than %zu", n, max);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct metric_spec *m = &list[i];
        const char *problem = NULL;
        if (!metric_name_valid(m->name))
            problem = "not a valid name ([a-z][a-z0-9_]*, at most 32 bytes)";
        else if ((size_t)m->unit >= UNIT_COUNT)
            problem = "unknown unit";
        else if (m->label == NULL || m->label[0] == '\0')
            problem = "no label";
        else if (m->meaning == NULL || m->meaning[0] == '\0')
            problem = "no meaning";
        else if (m->aggregate == 0 || (m->aggregate & ~known) != 0)
            problem = "aggregate must pick one or more of METRIC_P50, _P90, _P99, _MAX";
        for (size_t j = 0; j < i && problem == NULL; j++) {
            if (strcmp(list[j].name, m->name) == 0)
                problem = "declared twice";
        }
        if (problem != NULL) {
            snprintf(why, why_len, "metric '%s': %s", m->name ? m->name : "(null)", problem);
            return -EINVAL;
        }
    }
    return 0;
}
