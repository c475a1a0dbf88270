/*
 * The words of a claim's result (report_claim_words.c): what the judges of
 * report_claims.c and report_claim_kinds.c write into a struct
 * report_claim_result besides the verdict.
 */
#ifndef PROCBENCH_REPORT_CLAIM_WORDS_H
#define PROCBENCH_REPORT_CLAIM_WORDS_H

#include <stddef.h>

#include "read/results_read.h"
#include "report_claims.h"

/* Appends "; " and the formatted text to res->note (cut at its size). */
void report_claim_note(struct report_claim_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends the formatted text to res->answer (cut at its size). */
void report_claim_say(struct report_claim_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends the claim's context with {sweep} replaced by the sweep's value in
 * c (or in other, when that spells the same value shorter; other may be
 * NULL). */
void report_claim_say_context(struct report_claim_result *res, const struct stored_case *c,
                              const struct stored_case *other);

/* A factor as people say it into buf: "98", "2.1", "1150", "1.078". */
void report_claim_factor_text(double v, char *buf, size_t len);

/* Appends "LEFT is 98x faster than RIGHT [84x, 112x]" (or slower, or
 * "takes 1.02x the time of") for ratio r and its interval [lo, hi] (NAN:
 * none), in the direction the interval lies. */
void report_claim_say_ratio(struct report_claim_result *res, double r, double lo, double hi);

/* Appends " (665 us against 65.2 ms)": the two cases' medians. */
void report_claim_say_medians(struct report_claim_result *res, const struct stored_case *l,
                              const struct stored_case *r);

/* Appends to res->cases the pair l, r: each side's scenario and what
 * differs, then the parameters they share (one case when l == r). */
void report_claim_set_cases(struct report_claim_result *res, const struct stored_case *l,
                            const struct stored_case *r);

#endif
