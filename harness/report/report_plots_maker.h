/*
 * What the makers of a report's plots share (report_plots.c draws the
 * declared ones, report_plots_family.c those every family gets): the run,
 * its metrics, where figures go, which cases a curve already shows and
 * which metrics are drawn for which family, and how a set of cases is
 * named by what varies among them.
 */
#ifndef PROCBENCH_REPORT_PLOTS_MAKER_H
#define PROCBENCH_REPORT_PLOTS_MAKER_H

#include <stdbool.h>
#include <stddef.h>

#include "report_metrics.h"
#include "report_model.h"
#include "report_plot_draw.h"

struct maker {
    const struct report_run *r;
    struct report_metrics metrics;
    struct plot_target target;
    bool *shown; /* per case of the run: drawn in a curve */
    /* per declared metric: drawn for a family (by name) */
    char metric_drawn[REPORT_METRICS_MAX][8][64];
    size_t metric_drawn_count[REPORT_METRICS_MAX];
};

/* Names of the chosen cases by what varies among them, skipping `skip`;
 * the constant parameters go to the caption. */
struct naming {
    struct case_name *names;
    struct case_vary vary;
    bool one_family;
};

/* c was measured (status ok, samples, a median above 0). */
bool report_plots_usable(const struct stored_case *c);

/* c's scenario is of family (the part of its name up to the first '.'). */
bool report_plots_in_family(const struct stored_case *c, const char *family);

/* The value of a metric of c into *p (its y, and lo/hi for an interval,
 * extra for p99): "time" (the median with its interval), "bytes_per_s",
 * or a metric the run declares; *unit its unit. False when c has none. */
bool report_plots_metric_value(const struct maker *m, const struct stored_case *c,
                               const char *metric, struct plot_point *p, enum report_unit *unit);

/* Names cases[0..n) by what varies among them into *nm (free nm->names).
 * Returns 0 or -ENOMEM. */
int report_plots_naming(struct naming *nm, const struct stored_case *const *cases, size_t n);

/* Appends to f's caption what every case of nm shares, keys in skip aside. */
void report_plots_caption(struct plot_figure *f, const struct naming *nm, const char *const *skip);

/* The generic plots of a family (report_plots_family.c): bars of the time
 * (metric NULL) of the cases no curve shows, or of a metric; the
 * spectrum; and the drift of the run. Return 0 or -errno with m's err. */
int report_plots_bars(struct maker *m, const char *family, const struct report_metric *metric);
int report_plots_spectrum(struct maker *m, const char *family);
int report_plots_drift(struct maker *m);

#endif
