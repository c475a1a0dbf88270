/*
 * Judges of the claims that rest on no pair of cases (report_claim_kinds.c);
 * report_claims.c sends each claim of such a kind here.
 */
#ifndef PROCBENCH_REPORT_CLAIM_KINDS_H
#define PROCBENCH_REPORT_CLAIM_KINDS_H

#include "read/results_read.h"
#include "report_claims.h"

/* MECHANISM: holds when some case of a scenario named claim->left... has an
 * observed mechanism holding the text claim->right, does not hold when
 * every observed one lacks it, not measured (with why in res->note) when
 * none was observed. Fills res's verdict, cases (the quoted case's
 * canonical name), note, answer and command; res is zeroed before. */
void report_claim_judge_mechanism(const struct stored_run *run, const struct report_claim *claim,
                                  struct report_claim_result *res);

#endif
