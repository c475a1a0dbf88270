/*
 * What a report is made from: one results folder read back (results.json
 * through results_read, and the start times of its rounds from rounds.csv,
 * for the drift plot), and the small questions every part of the report
 * asks of a case: its family, a parameter's value, a label without some
 * parameters. rounds.csv is as untrusted as results.json and read as
 * strictly: an exact header, RFC 4180 quoting, integers only, and every
 * case it names present in results.json.
 */
#ifndef PROCBENCH_REPORT_MODEL_H
#define PROCBENCH_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/case_label.h"
#include "read/results_read.h"

#define REPORT_ROUNDS_MAX_BYTES (64u * 1024u * 1024u)

/* One round of one case, as rounds.csv records it. */
struct report_round {
    const struct stored_case *c;
    uint64_t start_ns; /* from the start of the run */
    uint64_t n;        /* samples; rounds without samples are not kept */
    uint64_t p50_ns;
};

struct report_run {
    struct stored_run *run;
    char *folder; /* the folder holding results.json */
    struct report_round *rounds;
    size_t round_count;
    char rounds_note[160]; /* why there are no rounds ("" when read) */
    char label[64];        /* how tables and headings name the run (report_run_labels) */
};

/* Reads the results folder (or results.json) at path into *out. Returns 0,
 * or -errno with one line in err naming the file and the problem. A missing
 * rounds.csv is not an error (rounds_note says so); a malformed one is. */
int report_model_load(const char *path, struct report_run *out, char *err, size_t err_len);

void report_model_free(struct report_run *r);

/* The value of parameter key of c ("placement" included), or NULL. */
const char *report_param(const struct stored_case *c, const char *key);

/* Parameter key of c as a size in bytes ("64M", "4096"); false when absent
 * or not a size. */
bool report_param_size(const struct stored_case *c, const char *key, uint64_t *out);

/* The family of c: its scenario up to the first '.' ("spawn"). */
void report_family(const struct stored_case *c, char *buf, size_t len);

/* c as a case_name (base/case_label.h): its scenario, its parameters and
 * its placement last, each value spelt as typed ("64M") when the canonical
 * name holds the same value, else as results.json has it (a number). */
void report_case_name(const struct stored_case *c, struct case_name *out);

/* The value of parameter key of c as typed ("64M"), or NULL when c has no
 * such parameter. buf holds it. */
const char *report_param_text(const struct stored_case *c, const char *key, char *buf, size_t len);

/* A short label of a run for tables and headings: the --label given, else
 * the name of its folder, made unique among the runs by the folders above
 * it ("20261122T224051Z-vm", "base/latest"). */
void report_run_labels(struct report_run *runs, size_t count, const char *const *given,
                       size_t given_count);

#endif
