/*
 * The questions a report answers: each claim of bench/report_claims.def
 * (declared by the families, known here by no name) judged on one run.
 * The cases a claim rests on are a pair, one case matching each pattern,
 * with the same placement and the same value of every parameter both have
 * (keys a pattern fixes excepted); among several pairs the one matching
 * most `prefer` values wins, then the largest value of `sweep`, then the
 * first in the run's order. No pair, or a sweep below `sweep_min`: "not
 * measured", never a guess, with the command that would measure it.
 *
 * Ratios of times are judged as `procbench check` judges a rule
 * (check_judge: the Hodges-Lehmann interval of the two cases' round
 * medians, or the conservative ratio of their medians' intervals when the
 * rounds are too few), so that a claim and the same rule in an
 * expectations file always agree. MEMORY claims compare the growth of the
 * parent's memory their sides name (`@metric`; the median of exact
 * per-sample measurements, with no interval) to the bytes the child wrote.
 *
 * A side may name one of the case's declared metrics instead of its time:
 * `scenario{key=value}@metric`. Such a ratio is judged on the two
 * figures' medians and the conservative ratio of their own 95% intervals
 * (analysis/metric_median.h); the two sides may then be one case (its
 * stall against its time). BELOW claims have one side: the figure's median
 * interval against `factor`, in the figure's unit. MECHANISM claims rest
 * on no pair: on the observed mechanism column of every case of the left
 * scenarios (report_claim_kinds.h).
 *
 * Each judged claim also gets its answer in plain words with the figures
 * that carry it ("From a 1G parent, posix_spawn is 98x faster than
 * fork+exec [84x, 112x] (665 us against 65.2 ms)").
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
    REPORT_CLAIM_FIGURE,
    REPORT_CLAIM_BELOW,
    REPORT_CLAIM_MECHANISM
};

/* One line of bench/report_claims.def (its opening comment says what each
 * field means). */
struct report_claim {
    const char *id;
    enum report_claim_kind kind;
    const char *question;
    const char *left, *left_name;   /* a pattern (and @metric), and what the answer calls it */
    const char *right, *right_name; /* FIGURE: right is the metric's name;
                                     * MECHANISM: left a scenario name prefix, right the
                                     * text sought */
    double factor;
    const char *prefer;    /* "key=value,..." */
    const char *sweep;     /* a size parameter, or "" */
    const char *sweep_min; /* a size, or "" */
    const char *context;   /* the answer's opening, {sweep} replaced */
    const char *judge;     /* "key=values;..." for the command that would judge it */
    const char *advice_holds, *advice_fails;
};

enum report_verdict {
    REPORT_HOLDS,
    REPORT_DOES_NOT_HOLD,
    REPORT_INCONCLUSIVE,
    REPORT_NOT_MEASURED,
    REPORT_MEASURED /* a FIGURE: no verdict, a figure */
};

struct report_claim_result {
    const struct report_claim *claim;
    enum report_verdict verdict;
    char criterion[160];     /* how it was judged: "posix_spawn / fork_exec < 1" */
    double ratio, low, high; /* NAN when there is none */
    char cases[640];         /* the case names it rests on */
    char note[320];          /* method, extra figures, or why not judged */
    char why[224];           /* inconclusive: why, in a few words; else "" */
    char answer[512];        /* the answer with its figures; "" when not judged */
    char command[512];       /* the procbench run that would judge it */
};

/* The claims of bench/report_claims.def, in order. */
extern const struct report_claim report_claims[];
extern const size_t report_claim_count;

/* Judges every claim on run into results[report_claim_count]. Returns 0 or
 * -ENOMEM. */
int report_claims_judge(const struct stored_run *run, struct report_claim_result *results);

/* Judges one claim (of the table or not) on run into *res. Returns 0 or
 * -ENOMEM. */
int report_claim_judge(const struct stored_run *run, const struct report_claim *claim,
                       struct report_claim_result *res);

/* "holds", "does not hold", "inconclusive", "not measured", "measured". */
const char *report_verdict_name(enum report_verdict verdict);

#endif
