/*
 * What a person sees while a run goes on: a header with the machine and the
 * seed, one table row per case as it finishes, and on a terminal a progress
 * line on stderr, redrawn between samples (never inside a timed section).
 */
#ifndef PROCBENCH_CONSOLE_H
#define PROCBENCH_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/runner.h"

struct console {
    FILE *out;     /* the table: stdout */
    bool quiet;    /* -q: nothing but the results folder at the end */
    bool progress; /* stderr is a terminal and not quiet */
    int name_width;
    /* The run's cases: a row names its case by what varies within its
     * family (base/case_label.h), the rest is said once in the header. */
    const struct run_results *run;
};

/* Prints the header (machine, clock, seed, warnings) and the table heading. */
void console_begin(struct console *con, const struct run_results *r, bool quiet);

/* runner_observer callbacks; ctx is the struct console. */
void console_progress(const struct runner_progress *p, void *ctx);
void console_case_done(const struct case_result *c, void *ctx);

/* Prints the closing lines: counts of failed/skipped cases and the folder
 * (with -q, the folder alone). */
void console_end(struct console *con, const struct run_results *r, const char *dir);

#endif
