/*
 * The axes of a plot (report_plot_draw.h): their range, their scale (log
 * where the values spread over orders of magnitude, from 0 for sizes) and
 * their ticks, each written out in human units ("100 us", "64 MiB", sizes
 * of a parameter as they were typed: "64K", "1G"), so that no gnuplot
 * number format reaches a reader.
 */
#ifndef PROCBENCH_REPORT_PLOT_AXES_H
#define PROCBENCH_REPORT_PLOT_AXES_H

#include "report_plot_draw.h"

struct axis {
    int log; /* 0 linear, else the base */
    double min, max;
    size_t tics;
    double pos[PLOT_MAX_TICS];
    char label[PLOT_MAX_TICS][32];
};

/* The x axis of f over the data's [lo, hi]: percentiles, seconds, or a
 * parameter (log 2 with a tick at each typed value when they spread over a
 * factor of 4 and none is 0, else linear in steps of a power of two);
 * nothing for PLOT_X_VALUE (bars, stacks). */
void plot_axis_x(struct axis *a, const struct plot_figure *f, double lo, double hi);

/* The value axis of f over [lo, hi], in f->yunit: drift's ratios on a log
 * 2 scale around 1, sizes and stacks from 0, others log 10 when they spread
 * over a factor of 8, else linear from 0. */
void plot_axis_y(struct axis *a, const struct plot_figure *f, double lo, double hi);

#endif
