/*
 * The plots of a report: for one run, the data of every plot as a small CSV
 * of numbers (plots/data/NAME.csv), its strings as gnuplot literals in
 * plots/data/NAME.settings.gp, and, when gnuplot is there, NAME.svg (and
 * NAME.png on request) drawn by the scripts of the repository's plots/
 * folder. Which plots: a percentile spectrum and bars of p50/p99 per family,
 * spawn latency against parent RSS (cases with an `rss` parameter), the
 * three clocks of a spawn (cases with first_instruction_p50), latency
 * against the offered rate (cases with `rate` above 0), IPC
 * round trip and throughput against message size per placement, buffered
 * against streamed output against its size, and round medians against time
 * (drift). A plot without data is not made.
 */
#ifndef PROCBENCH_REPORT_PLOTS_H
#define PROCBENCH_REPORT_PLOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "report_model.h"

/* Series in one plot at most: beyond, a plot is unreadable. */
#define REPORT_PLOT_MAX_SERIES 16
#define REPORT_PLOT_MAX_BARS   40

struct report_plot {
    char name[96]; /* file stem, e.g. "02-bars-spawn": NAME.svg, data/NAME.csv */
    char title[256];
    char caption[512];
};

struct report_plots {
    struct report_plot *list;
    size_t count;
    bool drawn; /* gnuplot drew every plot of list */
};

/* Writes the data of every plot of r under plots_dir/data/ and, when
 * gnuplot is not NULL, runs it with the scripts of scripts_dir to draw
 * plots_dir/NAME.svg (and .png when png). Returns 0, or -errno with one
 * line in err (a file that cannot be written, gnuplot failing). Free out
 * with report_plots_free. */
int report_plots_make(const struct report_run *r, const char *plots_dir, const char *scripts_dir,
                      const char *gnuplot, bool png, struct report_plots *out, char *err,
                      size_t err_len);

void report_plots_free(struct report_plots *plots);

#endif
