/*
 * The claims section of a report: each claim of report_claims.def judged on
 * one run. The cases a claim rests on are a pair, one case matching each
 * pattern, with the same placement and the same value of every parameter
 * both have (keys a pattern fixes excepted); among several pairs the one
 * matching most `prefer` values wins, then the largest value of `sweep`,
 * then the first in the run's order. No pair: "not measured", never a
 * guess.
 *
 * Ratios of times are judged as `procbench check` judges a rule
 * (check_judge: the Hodges-Lehmann interval of the two cases' round
 * medians, or the conservative ratio of their medians' intervals when the
 * rounds are too few), so that a claim and the same rule in an
 * expectations file always agree. RSS growth has no interval (it is the
 * median of exact per-sample measurements): MEMORY claims compare it to the
 * bytes the child wrote. MECHANISM claims rest on no pair: on the observed
 * mechanism column of every case of the left scenarios.
 */
#ifndef PROCBENCH_REPORT_CLAIMS_H
#define PROCBENCH_REPORT_CLAIMS_H

#include <stddef.h>

#include "read/results_read.h"

enum report_claim_kind {
    REPORT_CLAIM_LESS,
    REPORT_CLAIM_MORE,
    REPORT_CLAIM_SAME,
    REPORT_CLAIM_GROWS,
    REPORT_CLAIM_MEMORY,
    REPORT_CLAIM_MECHANISM
};

struct report_claim {
    const char *id;
    enum report_claim_kind kind;
    const char *folklore;
    const char *left, *right; /* patterns */
    double factor;
    const char *prefer; /* "key=value,..." */
    const char *sweep;  /* a size parameter, or NULL */
};

enum report_verdict {
    REPORT_HOLDS,
    REPORT_DOES_NOT_HOLD,
    REPORT_INCONCLUSIVE,
    REPORT_NOT_MEASURED
};

struct report_claim_result {
    const struct report_claim *claim;
    enum report_verdict verdict;
    char criterion[160];     /* how it was judged: "posix_spawn / fork_exec < 1" */
    double ratio, low, high; /* NAN when there is none */
    char cases[640];         /* the case names it rests on */
    char note[320];          /* method, extra figures, or why not judged */
};

/* The claims of report_claims.def, in order. */
extern const struct report_claim report_claims[];
extern const size_t report_claim_count;

/* Judges every claim on run into results[report_claim_count]. Returns 0 or
 * -ENOMEM. */
int report_claims_judge(const struct stored_run *run, struct report_claim_result *results);

/* "holds", "does not hold", "inconclusive", "not measured". */
const char *report_verdict_name(enum report_verdict verdict);

#endif
