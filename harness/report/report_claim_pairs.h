/*
 * The cases a claim of the report rests on (report_claims.h says the
 * rule): a pair, one case matching each pattern, with the same placement
 * and the same value of every parameter both have (keys a pattern fixes
 * excepted), best first; or, for a claim of one side, one case.
 */
#ifndef PROCBENCH_REPORT_CLAIM_PAIRS_H
#define PROCBENCH_REPORT_CLAIM_PAIRS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/check.h"
#include "report_claims.h"

struct pair {
    const struct stored_case *left, *right;
};

/* c is of p's scenario and has every key=value p gives (sizes as sizes). */
bool report_claim_matches(const struct stored_case *c, const struct check_pattern *p);

/* Every pair of run for rule's two patterns, best first: most of the
 * claim's `prefer` values, then the largest value of its sweep, then run
 * order. A case pairs with itself only when same_case_ok (two different
 * figures of one case: its stall against its time). Returns 0 with *out a
 * new array (free with free()) of *count pairs, or -ENOMEM. */
int report_claim_pairs(const struct stored_run *run, const struct report_claim *claim,
                       const struct check_rule *rule, bool same_case_ok, struct pair **out,
                       size_t *count);

/* The one case a claim of one side (BELOW) rests on: of those matching
 * pattern, the one with most `prefer` values, then the largest value of
 * the sweep, then the first in the run. NULL when none matches. */
const struct stored_case *report_claim_best_single(const struct stored_run *run,
                                                   const struct report_claim *claim,
                                                   const struct check_pattern *pattern);

#endif
