/*
 * The claims of the report that rest on no pair of cases (report_claims.h):
 * MECHANISM, judged on the mechanism column (the system calls that created
 * a case's children, observed under ptrace: engine/mechanism.h) of every
 * case of the scenarios whose name starts with the claim's left side.
 */
#include "report_claim_kinds.h"

#include <stdio.h>
#include <string.h>

#include "report_claim_words.h"

/* A mechanism that says what the row measures: not empty, not a sample
 * that created nothing (its "setup:" part holds the harness's own spawn of
 * the driver, not what the row measures), not "unobserved: why". */
static bool observed(const char *m)
{
    return m != NULL && m[0] != '\0' && strncmp(m, "none in the sample", 18) != 0 &&
           strncmp(m, "unobserved", 10) != 0;
}

void report_claim_judge_mechanism(const struct stored_run *run, const struct report_claim *claim,
                                  struct report_claim_result *res)
{
    const struct stored_case *holding = NULL, *lacking = NULL;
    const char *unobserved = NULL;
    size_t cases = 0, seen = 0, with = 0;
    size_t prefix = strlen(claim->left);
    /* The command that would measure it: the scenarios of the prefix. */
    snprintf(res->command, sizeof(res->command), "procbench run --filter '^");
    for (const char *p = claim->left; *p; p++) {
        size_t used = strlen(res->command);
        snprintf(res->command + used, sizeof(res->command) - used, "%s%c", *p == '.' ? "\\" : "",
                 *p);
    }
    size_t used = strlen(res->command);
    snprintf(res->command + used, sizeof(res->command) - used, "'");
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        if (strncmp(c->scenario, claim->left, prefix) != 0)
            continue;
        cases++;
        const char *m = results_read_case_text(c, "mechanism");
        if (m != NULL && strncmp(m, "unobserved", 10) == 0 && unobserved == NULL)
            unobserved = m;
        if (!observed(m))
            continue;
        seen++;
        if (strstr(m, claim->right) != NULL) {
            with++;
            holding = holding != NULL ? holding : c;
        } else {
            lacking = lacking != NULL ? lacking : c;
        }
    }
    if (seen == 0) {
        res->verdict = REPORT_NOT_MEASURED;
        snprintf(res->note, sizeof(res->note), "%s",
                 cases == 0           ? "no case of the left side was run"
                 : unobserved != NULL ? unobserved
                                      : "no mechanism was recorded (a run older than the column)");
        return;
    }
    const struct stored_case *quoted = holding != NULL ? holding : lacking;
    const char *m = results_read_case_text(quoted, "mechanism");
    res->verdict = with > 0 ? REPORT_HOLDS : REPORT_DOES_NOT_HOLD;
    snprintf(res->cases, sizeof(res->cases), "%s", quoted->name);
    report_claim_note(res, "%zu of %zu observed cases; %s: %s", with, seen, quoted->name, m);
    report_claim_say_context(res, quoted, NULL);
    report_claim_say(res, "%s created its child with %s", claim->left_name, m);
    if (with == 0)
        report_claim_say(res, ": not %s, in none of %zu observed cases", claim->right_name, seen);
    else if (with < seen)
        report_claim_say(res, " (%s in %zu of %zu observed cases)", claim->right_name, with, seen);
}
