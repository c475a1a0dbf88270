/*
 * From what the user typed to the list of cases to run: scenarios chosen by
 * --filter regular expressions, each expanded into the cartesian product of
 * its parameter values (defaults, or --param lists) and placements, each case
 * with its canonical name. Every mistake is reported as one line naming the
 * input: an unknown parameter, a bad value, a filter that matches nothing.
 */
#ifndef PROCBENCH_CASES_H
#define PROCBENCH_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* A --param NAME=V1,V2,... as typed. */
struct param_override {
    const char *name;
    const char *values;
};

struct case_selection {
    const char *const *filters; /* POSIX extended regexes, ORed; none selects all */
    size_t filter_count;
    const struct param_override *overrides;
    size_t override_count;
    const char *placements; /* comma list, or NULL for each scenario's default */
    bool quick; /* --quick: the scenarios' quick values and placements where they have them */
};

/* Compiles the filters and reports whether scenario name matches any (true
 * when there are none). Returns 0, or -EINVAL with the regex error in err. */
int cases_filter_scenarios(const struct case_selection *sel,
                           bool matched[/* scenario_catalogue_count */], char *err, size_t err_len);

/* Builds every case of the selection into a new array (free with free()).
 * Returns 0, or -EINVAL with a one-line reason in err: a filter that matches
 * nothing or does not compile, a parameter no selected scenario has, a bad
 * value, an unknown placement. */
int cases_expand(const struct case_selection *sel, struct case_def **out, size_t *count, char *err,
                 size_t err_len);

/* Writes def->name from its scenario, parameters and placement:
 * "family.name{target=static,placement=same}". */
void cases_format_name(struct case_def *def);

/* Parses "same", "cross" or "free". Returns 0 or -EINVAL. */
int cases_parse_placement(const char *word, enum placement *out);

#endif
