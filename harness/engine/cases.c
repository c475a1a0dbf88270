/*
 * Case selection and expansion: turns filters, --param lists and placements
 * into the list of cases the runner measures. Validation happens here, before
 * anything runs, so that a typo costs one line of error and no partial run.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "base/grow.h"
#include "base/reason.h"
#include "base/regex_cost.h"
#include "base/placement.h"

#define MAX_PLACEMENTS 3

int cases_parse_placement(const char *word, enum placement *out)
{
    static const enum placement all[] = {PLACEMENT_SAME, PLACEMENT_CROSS, PLACEMENT_FREE};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(word, placement_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -EINVAL;
}

int cases_filter_scenarios(const struct case_selection *sel, bool matched[], char *err,
                           size_t err_len)
{
    for (size_t s = 0; s < scenario_catalogue_count; s++)
        matched[s] = sel->filter_count == 0;

    for (size_t f = 0; f < sel->filter_count; f++) {
        regex_t re;
        char cost[128];
        if (regex_cost_check(sel->filters[f], cost, sizeof(cost)) != 0) {
            /* Shown whole up to 80 bytes: a long one would push the reason
             * out of the message. */
            bool cut = strlen(sel->filters[f]) > 80;
            reason_format(err, err_len, "--filter '%.*s%s': too costly a regex: %s",
                          cut ? 60 : 80, sel->filters[f], cut ? "..." : "", cost);
            return -E2BIG;
        }
        int rc = regcomp(&re, sel->filters[f], REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &re, why, sizeof(why));
            reason_format(err, err_len, "--filter '%s': %s", sel->filters[f], why);
            return -EINVAL;
        }
        bool any = false;
        for (size_t s = 0; s < scenario_catalogue_count; s++) {
            if (regexec(&re, scenario_catalogue[s]->name, 0, NULL, 0) == 0) {
                matched[s] = true;
                any = true;
            }
        }
        regfree(&re);
        if (!any) {
            reason_format(err, err_len, "--filter '%s' matches no scenario (see `procbench list`)",
                          sel->filters[f]);
            return -EINVAL;
        }
    }
    return 0;
}

/* Splits a comma list of placements into out; returns the count or -EINVAL. */
static int parse_placement_list(const char *list, const char *what, enum placement out[], char *err,
                                size_t err_len)
{
    char buf[64];
    if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf) || buf[0] == '\0') {
        reason_format(err, err_len, "%s '%s': expected a list of same, cross, free", what, list);
        return -EINVAL;
    }
    int count = 0;
    char *save = NULL;
    for (char *word = strtok_r(buf, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
        enum placement p;
        if (cases_parse_placement(word, &p) != 0) {
            reason_format(err, err_len, "%s: '%s' is not one of same, cross, free", what, word);
            return -EINVAL;
        }
        for (int i = 0; i < count; i++) {
            if (out[i] == p) {
                reason_format(err, err_len, "%s: '%s' is given twice", what, word);
                return -EINVAL;
            }
        }
        if (count == MAX_PLACEMENTS)
            break;
        out[count++] = p;
    }
    /* strtok_r skips empty items, so "same,,cross" or "same," would pass
     * silently; refuse them as the parameter lists do. */
    size_t len = strlen(list);
    if (strstr(list, ",,") || list[0] == ',' || list[len - 1] == ',') {
        reason_format(err, err_len, "%s '%s': empty item in the list", what, list);
        return -EINVAL;
    }
    return count;
}

void cases_format_name(struct case_def *def)
{
    size_t used = (size_t)snprintf(def->name, sizeof(def->name), "%s{", def->scenario->name);
    for (size_t i = 0; i < def->param_count && used < sizeof(def->name); i++) {
        used += (size_t)snprintf(def->name + used, sizeof(def->name) - used, "%s=%s,",
                                 def->scenario->params[i].name, def->params[i].text);
    }
    if (used < sizeof(def->name))
        snprintf(def->name + used, sizeof(def->name) - used, "placement=%s}",
                 placement_name(def->placement));
}

/* The values of every parameter of one scenario: its defaults, or the user's
 * --param list where one names the parameter. */
struct value_lists {
    struct param_value values[PARAMS_MAX_PER_SCENARIO][PARAMS_MAX_VALUES];
    size_t counts[PARAMS_MAX_PER_SCENARIO];
    size_t param_count;
};

static int resolve_values(const struct scenario *sc, const struct case_selection *sel,
                          struct value_lists *lists, char *err, size_t err_len)
{
    lists->param_count = sc->params ? params_count(sc->params) : 0;
    if (lists->param_count > PARAMS_MAX_PER_SCENARIO) {
        reason_format(err, err_len, "%s: more than %d parameters", sc->name,
                      PARAMS_MAX_PER_SCENARIO);
        return -EINVAL;
    }
    for (size_t p = 0; p < lists->param_count; p++) {
        const struct param_spec *spec = &sc->params[p];
        const char *text = sel->quick && spec->quick ? spec->quick : spec->defaults;
        for (size_t o = 0; o < sel->override_count; o++) {
            if (strcmp(sel->overrides[o].name, spec->name) == 0)
                text = sel->overrides[o].values;
        }
        int rc = params_parse_list(spec, text, lists->values[p], &lists->counts[p], err, err_len);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Appends the cartesian product of lists x placements for sc to the array. */
static int append_cases(const struct scenario *sc, const struct value_lists *lists,
                        const enum placement placements[], int placement_count,
                        struct case_def **cases, size_t *count, size_t *capacity)
{
    size_t product = (size_t)placement_count;
    for (size_t p = 0; p < lists->param_count; p++)
        product *= lists->counts[p];

    for (size_t k = 0; k < product; k++) {
        struct case_def *bigger = grow_for_one(*cases, capacity, *count, sizeof(**cases), 16);
        if (bigger == NULL)
            return -ENOMEM;
        *cases = bigger;
        struct case_def *def = &(*cases)[(*count)++];
        memset(def, 0, sizeof(*def));
        def->scenario = sc;
        def->param_count = lists->param_count;
        /* Mixed-radix decomposition of k: the last parameter varies fastest,
         * placement slowest, so a listing reads like nested loops. */
        size_t rest = k;
        for (size_t p = lists->param_count; p-- > 0;) {
            def->params[p] = lists->values[p][rest % lists->counts[p]];
            rest /= lists->counts[p];
        }
        def->placement = placements[rest];
        cases_format_name(def);
    }
    return 0;
}

/* A --param that no selected scenario has is a typo, not a no-op. */
static int check_overrides(const struct case_selection *sel, const bool matched[], char *err,
                           size_t err_len)
{
    for (size_t o = 0; o < sel->override_count; o++) {
        bool known = false;
        for (size_t s = 0; s < scenario_catalogue_count && !known; s++) {
            const struct scenario *sc = scenario_catalogue[s];
            known = matched[s] && sc->params && params_find(sc->params, sel->overrides[o].name);
        }
        if (!known) {
            reason_format(err, err_len, "--param %s: no selected scenario has a parameter '%s'",
                          sel->overrides[o].name, sel->overrides[o].name);
            return -EINVAL;
        }
        for (size_t e = 0; e < o; e++) {
            if (strcmp(sel->overrides[e].name, sel->overrides[o].name) == 0) {
                reason_format(err, err_len, "--param %s: given twice", sel->overrides[o].name);
                return -EINVAL;
            }
        }
    }
    return 0;
}

static int expand_matched(const struct case_selection *sel, const bool matched[],
                          struct case_def **out, size_t *count, char *err, size_t err_len)
{
    int rc = 0;
    struct case_def *cases = NULL;
    size_t n = 0, capacity = 0;
    struct value_lists *lists = malloc(sizeof(*lists));
    if (!lists)
        return -ENOMEM;
    for (size_t s = 0; s < scenario_catalogue_count; s++) {
        if (!matched[s])
            continue;
        const struct scenario *sc = scenario_catalogue[s];
        enum placement placements[MAX_PLACEMENTS];
        const char *own = sel->quick && sc->quick_placements ? sc->quick_placements
                                                             : sc->default_placements;
        int placement_count =
            sel->placements
                ? parse_placement_list(sel->placements, "--placement", placements, err, err_len)
                : parse_placement_list(own, sc->name, placements, err, err_len);
        rc = placement_count < 0 ? placement_count : resolve_values(sc, sel, lists, err, err_len);
        if (rc == 0)
            rc = append_cases(sc, lists, placements, placement_count, &cases, &n, &capacity);
        if (rc != 0) {
            if (rc == -ENOMEM)
                reason_format(err, err_len, "out of memory expanding cases");
            free(lists);
            free(cases);
            return rc;
        }
    }
    free(lists);
    *out = cases;
    *count = n;
    return 0;
}

int cases_expand(const struct case_selection *sel, struct case_def **out, size_t *count, char *err,
                 size_t err_len)
{
    bool *matched = calloc(scenario_catalogue_count + 1, sizeof(*matched));
    if (!matched)
        return -ENOMEM;
    int rc = cases_filter_scenarios(sel, matched, err, err_len);
    if (rc == 0)
        rc = check_overrides(sel, matched, err, err_len);
    if (rc == 0)
        rc = expand_matched(sel, matched, out, count, err, err_len);
    free(matched);
    return rc;
}
