/*
 * Drawing one plot of a report: a figure is gathered as series of points
 * (in base units: nanoseconds, bytes, bytes per second), then written as a
 * small CSV of numbers (plots/data/NAME.csv) and a settings file of gnuplot
 * assignments (plots/data/NAME.settings.gp: every string a gnuplot_quote()
 * literal), and drawn by one script of the repository's plots/ folder.
 *
 * What makes a plot readable is decided here, once for every kind: axes in
 * human units with their ticks written out ("100 us", "1 ms", sizes as
 * typed: "64K", "1G"), never two units on one axis, a shared y range
 * across small multiples, a legend in a strip of its own beside the plot
 * (it never covers data), one palette of 16 colours with a colour per
 * series identity across the whole report and never two series of one plot
 * in the same colour, and an SVG sized to what it holds.
 */
#ifndef PROCBENCH_REPORT_PLOT_DRAW_H
#define PROCBENCH_REPORT_PLOT_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "report_metrics.h"
#include "report_plots.h"

#define PLOT_PALETTE    16 /* colours: also the most series one plot holds */
#define PLOT_MAX_PANELS 6
#define PLOT_MAX_TICS   24
#define PLOT_MAX_BARS   60

enum plot_kind {
    PLOT_LINES,    /* y against x, a line per series, a panel per value of a parameter */
    PLOT_BARS,     /* a horizontal bar per case: p50, its CI, p99 */
    PLOT_STACK,    /* a horizontal bar per case, cut into the parts of its clocks */
    PLOT_SPECTRUM, /* latency against percentile, a line per series */
    PLOT_DRIFT     /* round medians over the case's median against time */
};

enum plot_x {
    PLOT_X_SIZE,       /* a size parameter: ticks at its values, as typed */
    PLOT_X_COUNT,      /* a count parameter */
    PLOT_X_PERCENTILE, /* 1/(1-p) */
    PLOT_X_SECONDS,    /* time since the run started */
    PLOT_X_RUN,        /* runs in order: 1, 2, 3... */
    PLOT_X_VALUE       /* bars and stacks: the value axis is x */
};

struct plot_point {
    double x;
    double y, lo, hi; /* lo, hi: NAN when there is no interval */
    double extra;     /* bars: p99; stacks: the part (0, 1, 2...); lines: a ring here
                       * when finite (a change found there), else NAN */
    double tail;      /* lines of a figure with tails: the p99, dashed; else unused */
};

struct plot_series {
    char *title;
    size_t panel;
    struct plot_point *points;
    size_t count, capacity;
    int color; /* index in the palette, set when drawn */
};

/* A colour per series identity, kept across the plots of one report. */
struct plot_palette {
    char *keys[256];
    int colors[256];
    size_t count;
};

struct plot_figure {
    enum plot_kind kind;
    char title[256];
    char caption[1024];
    char xlabel[96];
    char ylabel[96];
    enum plot_x xkind;
    enum report_unit yunit; /* of the values; PLOT_BARS/STACK: of the x axis */
    bool tails;             /* PLOT_LINES: each point's tail (p99) too, dashed */
    size_t panels;
    char panel_titles[PLOT_MAX_PANELS][96];
    struct plot_series series[PLOT_MAX_BARS];
    size_t count;
    size_t dropped; /* series that did not fit */
    /* PLOT_STACK: what each part is, in order */
    char part_titles[4][96];
    size_t parts;
    /* typed spelling of x values met (sizes): "64K" for 65536 */
    double typed_x[PLOT_MAX_TICS];
    char typed_label[PLOT_MAX_TICS][24];
    size_t typed_count;
};

/* The series called title in panel, made if new; NULL when the figure is
 * full (counted in dropped) or out of memory. */
struct plot_series *plot_series_get(struct plot_figure *f, const char *title, size_t panel);

/* Adds a point; -ENOMEM. */
int plot_series_add(struct plot_series *s, const struct plot_point *p);

/* Remembers that x is typed `label` (for the x ticks). */
void plot_figure_typed_x(struct plot_figure *f, double x, const char *label);

void plot_figure_free(struct plot_figure *f);

/* Where and how figures are drawn: the report's plots/ folder, the scripts,
 * gnuplot (NULL: data only), PNGs too, and what was drawn so far. */
struct plot_target {
    const char *dir, *scripts, *gnuplot;
    bool png;
    struct report_plots *out;
    size_t numbered_before; /* plots of the report before out's first (file numbers) */
    struct plot_palette palette;
    char *err;
    size_t err_len;
};

/* Registers f in target->out as NN-TOKEN, writes its data and settings,
 * and draws it when gnuplot is there. A figure without points is not
 * made. Returns 0, or -errno with one line in target->err. */
int plot_figure_emit(struct plot_target *t, struct plot_figure *f, const char *token);

void plot_palette_free(struct plot_palette *p);

#endif
