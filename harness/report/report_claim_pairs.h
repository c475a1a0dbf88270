/*
 * The cases a claim of the report rests on (report_claims.h says the
 * rule): a pair, one case matching each pattern, with the same placement
 * and the same value of every parameter both have (keys a pattern fixes
 * excepted), best first.
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
 * order. Returns 0 with *out a new array (free with free()) of *count
 * pairs, or -ENOMEM. */
int report_claim_pairs(const struct stored_run *run, const struct report_claim *claim,
                       const struct check_rule *rule, struct pair **out, size_t *count);

#endif
