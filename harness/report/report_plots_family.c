/*
 * The plots every family gets (report_plots_maker.h): a horizontal bar per
 * case that no curve shows, a bar chart of each metric no curve shows, the
 * percentile spectrum, and, once per report, the drift of the rounds.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/reason.h"
#include "report_plots_maker.h"

/* A horizontal bar per case of family not shown in a curve: the time (p50,
 * CI, p99), or a metric's median. Split into several plots past
 * PLOT_MAX_BARS. */
int report_plots_bars(struct maker *m, const char *family, const struct report_metric *metric)
{
    const struct stored_run *run = m->r->run;
    const struct stored_case **cases = calloc(run->case_count + 1, sizeof(*cases));
    struct naming nm = {.names = NULL};
    int rc = 0;
    if (cases == NULL)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        struct plot_point p;
        enum report_unit unit;
        if (!report_plots_usable(c) || !report_plots_in_family(c, family) ||
            !report_plots_metric_value(m, c, metric ? metric->name : "time", &p, &unit))
            continue;
        if (metric == NULL && m->shown[i])
            continue;
        cases[n++] = c;
    }
    if (n > 0)
        rc = report_plots_naming(&nm, cases, n);
    size_t parts = (n + PLOT_MAX_BARS - 1) / PLOT_MAX_BARS;
    for (size_t part = 0; part < parts && rc == 0; part++) {
        struct plot_figure f;
        memset(&f, 0, sizeof(f));
        f.kind = PLOT_BARS;
        f.xkind = PLOT_X_VALUE;
        f.yunit = metric ? metric->unit : REPORT_UNIT_NS;
        char of[48] = "";
        if (parts > 1)
            snprintf(of, sizeof(of), " (%zu of %zu)", part + 1, parts);
        if (metric == NULL) {
            snprintf(f.title, sizeof(f.title), "What does each %s case cost?%s", family, of);
            snprintf(f.caption, sizeof(f.caption),
                     "Median time per operation (bar) with its 95%% confidence interval "
                     "(whisker) and the 99th percentile (dot), on a log scale%s.",
                     parts > 1 || n < run->case_count ? ", for the cases no curve above shows"
                                                      : "");
        } else {
            snprintf(f.title, sizeof(f.title), "%s: %s, the median of each case%s", family,
                     metric->title, of);
            snprintf(f.caption, sizeof(f.caption), "The median of %s (%s) per case%s%s.",
                     metric->title, metric->name, metric->meaning[0] ? ": " : "", metric->meaning);
        }
        for (size_t i = part * PLOT_MAX_BARS; i < n && i < (part + 1) * PLOT_MAX_BARS; i++) {
            char label[256];
            case_label_format(&nm.names[i], &nm.vary, NULL, true, label, sizeof(label));
            struct plot_point p;
            enum report_unit unit;
            report_plots_metric_value(m, cases[i], metric ? metric->name : "time", &p, &unit);
            p.x = (double)(i - part * PLOT_MAX_BARS);
            struct plot_series *s = plot_series_get(&f, label, 0);
            if (s != NULL)
                rc = plot_series_add(s, &p);
        }
        report_plots_caption(&f, &nm, NULL);
        char token[128];
        int used = snprintf(token, sizeof(token), "%s_%s", family, metric ? metric->name : "cases");
        if (parts > 1 && used > 0 && (size_t)used < sizeof(token))
            snprintf(token + used, sizeof(token) - (size_t)used, "_%zu", part + 1);
        if (rc == 0)
            rc = plot_figure_emit(&m->target, &f, token);
        plot_figure_free(&f);
    }
    free(nm.names);
    free(cases);
    return rc;
}

/* Latency against percentile: per scenario of the family, its case with
 * the most samples. */
int report_plots_spectrum(struct maker *m, const char *family)
{
    const struct stored_run *run = m->r->run;
    const struct stored_case *chosen[PLOT_PALETTE];
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        if (!report_plots_usable(c) || !report_plots_in_family(c, family))
            continue;
        size_t k = 0;
        while (k < n && strcmp(chosen[k]->scenario, c->scenario) != 0)
            k++;
        if (k == n && n < PLOT_PALETTE)
            chosen[n++] = c;
        else if (k < n && c->n > chosen[k]->n)
            chosen[k] = c;
    }
    if (n == 0)
        return 0;
    struct naming nm = {.names = NULL};
    struct plot_figure f;
    memset(&f, 0, sizeof(f));
    rc = report_plots_naming(&nm, chosen, n);
    f.kind = PLOT_SPECTRUM;
    f.xkind = PLOT_X_PERCENTILE;
    f.yunit = REPORT_UNIT_NS;
    snprintf(f.title, sizeof(f.title), "How long is the tail of each %s scenario?", family);
    snprintf(f.caption, sizeof(f.caption),
             "Time per operation against percentile (log scales: the median, p90, p99 and p99.9 "
             "evenly spaced); per scenario its case with the most samples.");
    snprintf(f.xlabel, sizeof(f.xlabel), "percentile");
    snprintf(f.ylabel, sizeof(f.ylabel), "time per operation");
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct stored_bucket *buckets;
        size_t count;
        rc = results_read_case_histogram(chosen[i], "histogram", &buckets, &count);
        if (rc == -ENOENT) {
            rc = 0;
            continue;
        }
        if (rc != 0) {
            reason_format(m->target.err, m->target.err_len,
                          "%s: case '%s': histogram is not [value, count] pairs", run->path,
                          chosen[i]->name);
            break;
        }
        char label[256];
        case_label_format(&nm.names[i], &nm.vary, NULL, true, label, sizeof(label));
        struct plot_series *s = plot_series_get(&f, label, 0);
        double total = 0, below = 0;
        for (size_t k = 0; k < count; k++)
            total += (double)buckets[k].count;
        for (size_t k = 0; s != NULL && rc == 0 && k < count; k++) {
            struct plot_point p = {.x = 1.0 / (1.0 - below / total),
                                   .y = (double)buckets[k].value_ns,
                                   .lo = NAN,
                                   .hi = NAN,
                                   .extra = NAN};
            rc = plot_series_add(s, &p);
            below += (double)buckets[k].count;
        }
        free(buckets);
    }
    report_plots_caption(&f, &nm, NULL);
    char token[96];
    snprintf(token, sizeof(token), "%s_spectrum", family);
    if (rc == 0)
        rc = plot_figure_emit(&m->target, &f, token);
    plot_figure_free(&f);
    free(nm.names);
    return rc;
}

/* Drift: every round's median over its case's median, against time. */
int report_plots_drift(struct maker *m)
{
    const struct report_run *r = m->r;
    struct plot_figure f;
    int rc = 0;
    memset(&f, 0, sizeof(f));
    f.kind = PLOT_DRIFT;
    f.xkind = PLOT_X_SECONDS;
    f.yunit = REPORT_UNIT_RATIO;
    snprintf(f.title, sizeof(f.title), "Did the machine drift during the run?");
    snprintf(f.caption, sizeof(f.caption),
             "Each round's median over its case's median, against the time the round started "
             "(rounds.csv). Rounds of all cases are interleaved, so a slow period shows as "
             "points above 1 across families at that time.");
    snprintf(f.xlabel, sizeof(f.xlabel), "time since the run started");
    snprintf(f.ylabel, sizeof(f.ylabel), "round median / case median");
    for (size_t i = 0; rc == 0 && i < r->round_count; i++) {
        const struct report_round *round = &r->rounds[i];
        char family[64];
        if (!report_plots_usable(round->c))
            continue;
        report_family(round->c, family, sizeof(family));
        struct plot_series *s = plot_series_get(&f, family, 0);
        struct plot_point p = {.x = (double)round->start_ns / 1e9,
                               .y = (double)round->p50_ns / (double)round->c->p50_ns,
                               .lo = NAN,
                               .hi = NAN,
                               .extra = NAN};
        if (s != NULL)
            rc = plot_series_add(s, &p);
    }
    if (rc == 0)
        rc = plot_figure_emit(&m->target, &f, "drift");
    plot_figure_free(&f);
    return rc;
}
