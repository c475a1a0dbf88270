/*
 * The check of a scenario's analysis declarations, which the runner applies
 * before measuring and the catalogue's tests apply to every scenario.
 */
#include "analysis_spec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "metric.h"

static const char *const kind_names[] = {
    [ANALYSIS_SLOPE] = "slope",
    [ANALYSIS_RATIO] = "ratio",
    [ANALYSIS_BREAK_EVEN] = "break_even",
};

const char *analysis_kind_name(enum analysis_kind kind)
{
    return (size_t)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

int analysis_kind_parse(const char *name, enum analysis_kind *out)
{
    for (size_t k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (enum analysis_kind)k;
            return 0;
        }
    }
    return -EINVAL;
}

size_t analysis_count(const struct analysis_spec *list)
{
    size_t n = 0;
    while (list != NULL && list[n].column != NULL)
        n++;
    return n;
}

static const char *problem_of(const struct analysis_spec *a)
{
    if (!metric_name_valid(a->column))
        return "not a valid column name ([a-z][a-z0-9_]*)";
    if (a->ci_prefix != NULL && !metric_name_valid(a->ci_prefix))
        return "not a valid interval prefix ([a-z][a-z0-9_]*)";
    if (a->label == NULL || a->label[0] == '\0')
        return "no label";
    switch (a->kind) {
    case ANALYSIS_SLOPE:
        if (a->param == NULL || a->param[0] == '\0')
            return "a slope needs the parameter it is against";
        if (!(a->per > 0) || a->per_name == NULL)
            return "a slope needs its unit (per > 0, per_name)";
        return NULL;
    case ANALYSIS_BREAK_EVEN:
    case ANALYSIS_RATIO:
        if (a->partner == NULL || a->partner[0] == '\0')
            return "needs the partner scenario it compares with";
        if (a->kind == ANALYSIS_BREAK_EVEN && !(a->saving > 0 && a->saving < 1))
            return "a break-even needs a saving between 0 and 1";
        return NULL;
    }
    return "unknown kind";
}

int analysis_check_list(const struct analysis_spec *list, size_t max, char *why, size_t why_len)
{
    size_t n = analysis_count(list);
    if (n > max) {
        snprintf(why, why_len, "%zu analyses declared, more than %zu", n, max);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *problem = problem_of(&list[i]);
        for (size_t j = 0; j < i && problem == NULL; j++) {
            if (strcmp(list[j].column, list[i].column) == 0)
                problem = "declared twice";
        }
        if (problem != NULL) {
            snprintf(why, why_len, "analysis '%s': %s", list[i].column, problem);
            return -EINVAL;
        }
    }
    return 0;
}
