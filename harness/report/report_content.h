/*
 * What a report says, in the order a reader needs it: the title with one
 * line of context (machine, date, how long the run took, quick or not,
 * whether the machine was noisy); the answers to the questions the run can
 * answer, what they mean for a choice, and what to run for the ones it
 * cannot; one table per family, each case named by what varies
 * (report_tables.c); the plots; the claims in detail; and last the
 * environment, the method and how to reproduce the run. Written once
 * through a report_writer, so that report.md and report.html say the same
 * (the Markdown with fewer columns).
 */
#ifndef PROCBENCH_REPORT_CONTENT_H
#define PROCBENCH_REPORT_CONTENT_H

#include <stddef.h>

#include "report_claims.h"
#include "report_history.h"
#include "report_model.h"
#include "report_plots.h"
#include "report_writer.h"

struct report_content {
    const struct report_run *runs; /* each with its label (report_run_labels) */
    size_t run_count;
    const struct report_claim_result *claims; /* run_count * report_claim_count, by run */
    const struct report_plots *plots;         /* of runs[0] */
    const char *plots_dir;                    /* where plots/NAME.svg are now */
    const char *plots_note;                   /* "" or why the report has no drawn plots */
    const char *command;                      /* the report command, for reproduction */
    const struct report_history *history;     /* of runs[0]; NULL: none */
};

/* Writes the whole report through w. Returns 0 or w->error. */
int report_content_write(struct report_writer *w, const struct report_content *content);

/* The Results section: a table per family (report_tables.c). */
void report_tables_write(struct report_writer *w, const struct report_content *content);

/* The layers of the Node.js rows of run (report_layers.c): rows[0..count)
 * from decompose_node() as a table, with why a layer below zero can be. */
struct decompose_row;
void report_layers_write(struct report_writer *w, const struct stored_run *run,
                         const struct decompose_row *rows, size_t count);

/* argv as one line a shell would take back: arguments holding anything but
 * [A-Za-z0-9-_./=:,+@%] single-quoted. Truncated to len. */
void report_shell_join(const char *const *argv, size_t count, char *buf, size_t len);

/* Longest first-column cell of a table: a label beyond it moves its
 * parameters into columns of their own. */
#define REPORT_LABEL_MAX 48

#endif
