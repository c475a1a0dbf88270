/*
 * `procbench list`: the scenarios a run could measure, with their parameters,
 * defaults and placements, filtered like `run`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"

static const char *kind_name(enum param_kind kind)
{
    switch (kind) {
    case PARAM_WORD:
        return "one of";
    case PARAM_SIZE:
        return "size";
    case PARAM_COUNT:
        return "count";
    }
    return "?";
}

static void print_scenario(const struct scenario *sc)
{
    printf("%-20s %s\n", sc->name, sc->summary);
    if (sc->unavailable)
        printf("%-20s   unavailable: %s\n", "", sc->unavailable);
    for (const struct param_spec *p = sc->params; p && p->name; p++) {
        printf("%-20s   %s=%s  (%s %s) %s\n", "", p->name, p->defaults, kind_name(p->kind),
               p->kind == PARAM_WORD ? p->choices : "", p->help ? p->help : "");
    }
    printf("%-20s   placement=%s\n", "", sc->default_placements);
}

enum outcome command_list(const struct cli_options *opts)
{
    struct case_selection sel = {.filters = opts->filters, .filter_count = opts->filter_count};
    bool *matched = calloc(scenario_catalogue_count + 1, sizeof(*matched));
    char err[256];
    if (!matched)
        return OUTCOME_FAILED;
    if (cases_filter_scenarios(&sel, matched, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        free(matched);
        return OUTCOME_BAD_INPUT;
    }
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        if (matched[i])
            print_scenario(scenario_catalogue[i]);
    }
    free(matched);
    return OUTCOME_OK;
}
