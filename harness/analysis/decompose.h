/*
 * Where the time of a Node.js child_process call goes, layer by layer, from
 * a results file read back: per Node API (spawn, execFile, exec, fork, the
 * sync ones) and placement, the Node row, the libuv row beneath it and the system-call row
 * beneath that, and the differences of their medians with 95% intervals:
 * "Node layer" = Node - libuv, "libuv layer" = libuv - system calls, and
 * "above the system calls" = Node - system calls.
 *
 * The rows, and why those, are the node family's table,
 * bench/node_layers.def: per API a Node row, a libuv row (or none) and a
 * system-call row.
 *
 * Matching a row: the scenario, the placement, and the table's plain value
 * of every parameter the case has (DECOMPOSE_PLAIN: a parameter the case
 * does not have matches; other parameters are not looked at). When several
 * cases match, the first by name is used. A case that failed or was
 * skipped is "not measured", with its status.
 */
#ifndef PROCBENCH_DECOMPOSE_H
#define PROCBENCH_DECOMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "read/results_read.h"

/* Two-sided level of the intervals. */
#define DECOMPOSE_ALPHA 0.05

/* A difference of two rows' medians, upper - lower, in ns. */
struct decompose_diff {
    bool known;             /* both rows measured */
    double estimate_ns;     /* Hodges-Lehmann on round medians, or the medians' difference */
    double low_ns, high_ns; /* its 95% interval */
    const char *method;     /* "rounds" or "median CIs" (too few rounds), "" when unknown */
};

/* One layer's row: the case used, or NULL with why it is missing. */
struct decompose_cell {
    const struct stored_case *c; /* NULL: not measured */
    const char *scenario;        /* what was looked for; NULL: no such layer for this API */
    const char *missing;         /* when c is NULL: "not measured", "failed", "skipped" */
};

struct decompose_row {
    const char *api;       /* as the table names it: "spawn", "execFile"... */
    const char *placement; /* "same", "cross", "free" */
    struct decompose_cell node, libuv, syscall;
    struct decompose_diff node_layer;  /* node - libuv */
    struct decompose_diff libuv_layer; /* libuv - syscall */
    struct decompose_diff above;       /* node - syscall */
};

/* Fills rows[0..*count) with one row per API and placement for which the
 * run holds the API's Node case (in any state), in the table's API order
 * then placement order (same, cross, free). The rows point into
 * run, which must outlive them. Returns 0, -ENOSPC when max is too small
 * (rows then holds the first max), or -ENOMEM. */
int decompose_node(const struct stored_run *run, struct decompose_row *rows, size_t max,
                   size_t *count);

/* The table's columns, their headers, and what a reader must know. */
#define DECOMPOSE_COLUMNS  8
#define DECOMPOSE_CELL_MAX 128
extern const char *const decompose_headers[DECOMPOSE_COLUMNS];
extern const char decompose_legend[];
extern const char decompose_legend_fallback[]; /* explains an interval marked "*" */

/* Writes row r as plain-text table cells (medians and differences with
 * their intervals, "not measured" or "-" where a layer is missing), for
 * renderings other than decompose_write_md's (the report's HTML). Returns
 * true when one of its intervals is the conservative fallback, marked "*". */
bool decompose_format_row(const struct decompose_row *r,
                          char cells[DECOMPOSE_COLUMNS][DECOMPOSE_CELL_MAX]);

/* Writes the decomposition of run as a Markdown table with a line on how to
 * read it; a missing row reads "not measured" (or its status), and a run
 * with none of the table's Node rows gets one line saying so. Returns 0, -ENOMEM, or -EIO
 * when writing failed. */
int decompose_write_md(FILE *out, const struct stored_run *run);

#endif
