/*
 * `procbench list`: the scenarios a run could measure, with their parameters,
 * defaults and placements, filtered like `run`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "base/units.h"

/* What values a parameter takes: its words, or its range with units. */
static void describe_values(const struct param_spec *p, char *buf, size_t len)
{
    char lo[24], hi[24];
    switch (p->kind) {
    case PARAM_WORD:
        snprintf(buf, len, "one of %s", p->choices);
        return;
    case PARAM_SIZE:
        units_format_size(p->min, lo, sizeof(lo));
        units_format_size(p->max, hi, sizeof(hi));
        snprintf(buf, len, "size %s..%s%s%s", lo, hi, p->word ? " or " : "",
                 p->word ? p->word : "");
        return;
    case PARAM_COUNT:
        snprintf(buf, len, "count %" PRIu64 "..%" PRIu64 "%s%s", p->min, p->max,
                 p->word ? " or " : "", p->word ? p->word : "");
        return;
    }
    snprintf(buf, len, "?");
}

static void print_scenario(const struct scenario *sc)
{
    printf("%-20s %s\n", sc->name, sc->summary);
    if (sc->unavailable)
        printf("%-20s   unavailable: %s\n", "", sc->unavailable);
    for (const struct param_spec *p = sc->params; p && p->name; p++) {
        char values[160];
        describe_values(p, values, sizeof(values));
        char quick[96] = "";
        if (p->quick)
            snprintf(quick, sizeof(quick), " (--quick: %s)", p->quick);
        printf("%-20s   %s=%s%s  (%s) %s\n", "", p->name, p->defaults, quick, values,
               p->help ? p->help : "");
    }
    printf("%-20s   placement=%s", "", sc->default_placements);
    if (sc->quick_placements)
        printf(" (--quick: %s)", sc->quick_placements);
    printf("\n");
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
