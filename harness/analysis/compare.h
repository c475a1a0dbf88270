/*
 * The verdicts of `procbench compare BASE NEW`: for every case present on
 * both sides, is NEW slower, faster, the same, or can these runs not tell?
 *
 * What is tested are the medians of rounds (a round is a block of samples
 * in a process of its own), on a log scale, so that shifts are ratios: the
 * Mann-Whitney U test on the round medians of each side (pooled over its
 * runs when a side is a set of runs), and the Hodges-Lehmann estimate of
 * log(NEW / BASE) with its distribution-free interval. p-values are
 * Holm-adjusted over the cases tested; intervals are at 1 - alpha,
 * unadjusted.
 *
 * Rounds, not runs, are the unit because on a shared VM the machine flips
 * between a fast and a slow state (20-30% apart) every few tens of
 * milliseconds, faster than a run: medians of whole runs carry that noise
 * in full, and so does a paired test on them (ci/regress alternates runs,
 * and a Wilcoxon signed-rank test on per-pair ratios was tried: it found 5
 * of 20 injected 10% slowdowns where this test found 20 of 20, with no
 * fewer false alarms). Rounds of one run are not independent (a state lasts
 * several rounds), which makes p-values somewhat optimistic; the threshold
 * is the guard, and alternating many short runs (ci/regress) exposes both
 * sides to the same mix of states.
 *
 * Verdicts, with t the threshold and r the estimated ratio NEW / BASE:
 *  regressed     adjusted p < alpha and r > 1 + t
 *  improved      adjusted p < alpha and r < 1 / (1 + t)
 *  unchanged     otherwise, when the interval lies within [1/(1+t), 1+t]
 *  inconclusive  otherwise (too few rounds, too noisy, or a case that
 *                failed, was skipped, or has no round medians)
 * A regression thus needs both significance and a shift beyond t; a shift
 * that is significant but within t is unchanged when its interval is too.
 */
#ifndef PROCBENCH_COMPARE_H
#define PROCBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "read/results_read.h"

enum compare_verdict {
    COMPARE_REGRESSED,
    COMPARE_IMPROVED,
    COMPARE_UNCHANGED,
    COMPARE_INCONCLUSIVE,
    COMPARE_ONLY_BASE, /* the case is missing from NEW */
    COMPARE_ONLY_NEW,  /* the case is missing from BASE */
};

struct compare_options {
    double threshold; /* relative, 0.05 for 5% */
    double alpha;     /* family-wise significance level, e.g. 0.05 */
    bool allow_different_machines;
};

struct compare_row {
    const char *name; /* points into the runs */
    enum compare_verdict verdict;
    double base_ns, new_ns;       /* median of the values tested; NAN when none */
    size_t base_count, new_count; /* round medians tested */
    double ratio;                 /* estimated NEW / BASE; NAN when not estimated */
    double ratio_low, ratio_high; /* its interval; 0 and INFINITY when unbounded */
    double p, p_adjusted;         /* two-sided; NAN when not tested */
    char reason[224];             /* why, for inconclusive and unchanged; else "" */
};

struct compare_report {
    struct compare_row *rows; /* cases in the order BASE (then NEW) lists them */
    size_t row_count;
    size_t base_runs, new_runs;
    size_t tested;     /* cases with a p-value: the size of Holm's family */
    char refusal[320]; /* why the runs cannot be compared (different machines); "" */
    size_t counts[COMPARE_ONLY_NEW + 1]; /* rows per verdict */
};

/* Compares every case of base and cand. Returns 0, or -ENOMEM with err set.
 * Refusing to compare different machines is not an error: every row is
 * then inconclusive and report->refusal says why. Free with
 * compare_report_free. */
int compare_sets(const struct stored_set *base, const struct stored_set *cand,
                 const struct compare_options *opt, struct compare_report *report, char *err,
                 size_t err_len);

void compare_report_free(struct compare_report *report);

/* "regressed", "improved", "unchanged", "inconclusive", "only in BASE",
 * "only in NEW". */
const char *compare_verdict_name(enum compare_verdict verdict);

#endif
