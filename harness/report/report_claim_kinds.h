/*
 * Judges of the claims other than a ratio of two cases' times, to which
 * report_claims.c sends them: MECHANISM, which rests on no pair
 * (report_claim_kinds.c), and the claims on a case's metrics rather than
 * its time, `pattern@metric` sides and BELOW (report_claim_metrics.c).
 */
#ifndef PROCBENCH_REPORT_CLAIM_KINDS_H
#define PROCBENCH_REPORT_CLAIM_KINDS_H

#include <stddef.h>

#include "read/results_read.h"
#include "report_claim_pairs.h"
#include "report_claims.h"

/* MECHANISM: holds when some case of a scenario named claim->left... has an
 * observed mechanism holding the text claim->right, does not hold when
 * every observed one lacks it, not measured (with why in res->note) when
 * none was observed. Fills res's verdict, cases (the quoted case's
 * canonical name), note, answer and command; res is zeroed before. */
void report_claim_judge_mechanism(const struct stored_run *run, const struct report_claim *claim,
                                  struct report_claim_result *res);

/* Splits "pattern@metric": the pattern into buf[len], and returns the
 * metric (a pointer into text), or NULL when text names none (the time). */
const char *report_claim_split_metric(const char *text, char *buf, size_t len);

/* LESS, MORE or SAME on figures of pair p of which at least one is a metric
 * (lmetric, rmetric; NULL: the case's time): the ratio of the medians and
 * the conservative ratio of their intervals, against claim->factor. Fills
 * res's verdict, ratio, interval, note, why and answer ("LEFT_NAME 65.0 ms
 * [...] against 700 us [...] RIGHT_NAME: 92.9x [...]"). Returns 0 or
 * -ENOMEM. */
int report_claim_judge_metric_ratio(const struct stored_run *run, const struct report_claim *claim,
                                    const struct pair *p, const char *lmetric, const char *rmetric,
                                    struct report_claim_result *res);

/* BELOW: the median interval of metric of case c (NULL: its time) against
 * claim->factor in the metric's unit: holds when wholly under it. Fills
 * res as above, and its criterion. Returns 0 or -ENOMEM. */
int report_claim_judge_below(const struct stored_run *run, const struct report_claim *claim,
                             const struct stored_case *c, const char *metric,
                             struct report_claim_result *res);

#endif
