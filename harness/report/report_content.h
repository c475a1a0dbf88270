/*
 * What a report says, in order: environment (with warnings), method, one
 * table per family (one column group per run when there are several, with
 * the ratio of each to the first), the plots, the claims, and how to
 * reproduce the run. Written once through a report_writer, so that
 * report.md and report.html say the same.
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
    const struct report_run *runs;
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

/* argv as one line a shell would take back: arguments holding anything but
 * [A-Za-z0-9-_./=:,+@%] single-quoted. Truncated to len. */
void report_shell_join(const char *const *argv, size_t count, char *buf, size_t len);

#endif
