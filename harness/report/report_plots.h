/*
 * The plots of a report, one per question: those the families declare in
 * bench/report_plots.def (a metric against a parameter, with small
 * multiples; the parts of a spawn's clocks), then for every family a bar
 * per case its curves do not show, a bar chart of each metric no curve
 * shows, and the percentile spectrum, and last the drift of the rounds
 * over the run. This file decides what goes into each; report_plot_draw.c
 * how it is drawn. For each plot: plots/data/NAME.csv (numbers only),
 * plots/data/NAME.settings.gp (its strings as gnuplot literals) and, when
 * gnuplot is there, NAME.svg (and NAME.png on request). A plot without
 * data is not made.
 */
#ifndef PROCBENCH_REPORT_PLOTS_H
#define PROCBENCH_REPORT_PLOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "report_model.h"

struct report_plot {
    char name[96]; /* file stem, e.g. "02-spawn_rss": NAME.svg, data/NAME.csv */
    char title[256];
    char caption[1200];
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
