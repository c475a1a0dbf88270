/*
 * `procbench check RESULTS [--rules FILE]`: reads the expectations (every
 * rule parsed before anything is judged), reads one run, finds the one case
 * each side of each rule names, judges every rule (check.h) and prints one
 * line per rule. A bad rule is an input error naming the rules file and
 * line. A rule whose side matches no case of this run, or several, is "not
 * judged": its line says why and the command that would make its cases,
 * so that checking the project's expectations is safe after any run, a
 * narrow one included. A rule that fails is the outcome a CI job gates on.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "analysis/check.h"
#include "analysis/check_command.h"
#include "commands.h"
#include "base/locate.h"
#include "base/reason.h"
#include "read/results_read.h"

static void format_interval(const struct check_outcome *o, char *buf, size_t len)
{
    if (isnan(o->low))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "[%#.3g, %#.3g]", o->low, o->high);
}

enum outcome command_check(const struct cli_options *opts)
{
    struct check_rule *rules = NULL;
    struct stored_run *run = NULL;
    size_t count = 0, counts[CHECK_INCONCLUSIVE + 1] = {0}, not_judged = 0;
    const struct stored_case **matched = NULL;
    char err[1024], why[512];
    enum outcome outcome = OUTCOME_BAD_INPUT;

    /* Without --rules: the expectations beside the source tree a build
     * tree's binary came from, or installed with the binary. */
    char located[PATH_MAX];
    const char *rules_path = opts->rules_path;
    if (rules_path == NULL) {
        if (locate_path(LOCATE_EXPECTATIONS, located, sizeof(located), NULL, err, sizeof(err)) !=
            0) {
            fprintf(stderr, "procbench: %s\n", err);
            return OUTCOME_BAD_INPUT;
        }
        rules_path = located;
    }
    if (check_load_rules(rules_path, &rules, &count, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        return OUTCOME_BAD_INPUT;
    }
    if (results_read_run(opts->inputs[0], &run, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    matched = calloc(2 * count, sizeof(*matched));
    if (matched == NULL) {
        fprintf(stderr, "procbench: out of memory\n");
        outcome = OUTCOME_FAILED;
        goto out;
    }
    printf("%-12s %8s %16s  %-13s %s\n", "verdict", "ratio", "95% interval", "from", "rule");
    for (size_t i = 0; i < count; i++) {
        struct check_outcome o;
        char ratio[24], interval[48];
        const struct check_pattern *sides[] = {&rules[i].left, &rules[i].right};
        bool judged = true;
        for (size_t s = 0; s < 2 && judged; s++)
            judged = check_match(run, sides[s], &matched[2 * i + s], why, sizeof(why)) == 0;
        if (!judged) {
            char command[1024];
            check_command_format(sides, 2, NULL, NULL, command, sizeof(command));
            printf("%-12s %8s %16s  %-10s %s (line %u): %s; to judge it: %s\n", "not judged", "-",
                   "-", "-", rules[i].text, rules[i].line, why, command);
            not_judged++;
            continue;
        }
        if (check_judge(&rules[i], matched[2 * i], matched[2 * i + 1], true, &o) != 0) {
            fprintf(stderr, "procbench: out of memory\n");
            outcome = OUTCOME_FAILED;
            goto out;
        }
        counts[o.verdict]++;
        if (isnan(o.ratio))
            snprintf(ratio, sizeof(ratio), "-");
        else
            snprintf(ratio, sizeof(ratio), "%#.3g", o.ratio);
        format_interval(&o, interval, sizeof(interval));
        /* The rule text was parsed from a strict grammar: it holds no
         * control character. */
        printf("%-12s %8s %16s  %-13s %s (line %u)%s%s\n", check_verdict_name(o.verdict), ratio,
               interval, o.method[0] ? o.method : "-", rules[i].text, rules[i].line,
               o.reason[0] ? ": " : "", o.reason);
    }
    printf("\n%zu rules: %zu hold, %zu fail, %zu inconclusive", count, counts[CHECK_HOLDS],
           counts[CHECK_FAILS], counts[CHECK_INCONCLUSIVE]);
    if (not_judged > 0)
        printf(", %zu not judged (this run lacks their cases)", not_judged);
    printf("\n");
    /* A CI log shows stderr first: say there which rules file went partly
     * unjudged, so that a narrow run is not mistaken for a full check. */
    if (not_judged > 0)
        fprintf(stderr, "procbench: %s: %zu of %zu rules not judged: %s has no case for them\n",
                rules_path, not_judged, count, run->path);
    outcome = counts[CHECK_FAILS] > 0 ? OUTCOME_REGRESSED : OUTCOME_OK;
out:
    free(matched);
    free(rules);
    results_read_free_run(run);
    return outcome;
}
