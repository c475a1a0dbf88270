/*
 * The report's history: when the history store of the run's results root
 * (the folder holding the run folder) holds earlier runs of the same
 * machine, a trend plot per family (every case's median over those runs,
 * up to this one, change points marked) and a table of the changes found
 * (analysis/history.h). Without a store, or without an earlier run of this
 * machine, the report has no history section; a store that cannot be read
 * costs the section a note, never the report.
 */
#ifndef PROCBENCH_REPORT_HISTORY_H
#define PROCBENCH_REPORT_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/history.h"
#include "report_model.h"
#include "report_plots.h"
#include "report_writer.h"
#include "store/store.h"

struct report_history {
    bool present;                   /* the section is written */
    struct store_history h;         /* this machine's series, up to the run */
    struct history_result *results; /* one per series */
    struct report_plots plots;      /* the trend plots (drawn: gnuplot drew them) */
    char note[512];                 /* why there are no trends, or ""; */
};

/* Gathers the history of r and draws its trends into plots_dir (data into
 * plots_dir/data, names continuing after first_plot plots) with the
 * scripts of scripts_dir when gnuplot is not NULL. Returns 0, or -errno
 * with one line in err when a file cannot be written or gnuplot fails; a
 * missing or unreadable store is not an error. Free with
 * report_history_free. */
int report_history_make(const struct report_run *r, const char *plots_dir, const char *scripts_dir,
                        const char *gnuplot, bool png, size_t first_plot,
                        struct report_history *out, char *err, size_t err_len);

void report_history_free(struct report_history *h);

/* The "History on this machine" section, when present. */
void report_history_write(struct report_writer *w, const struct report_history *h,
                          const char *plots_dir);

#endif
