/*
 * Axes and their ticks (report_plot_axes.h).
 */
#include "report_plot_axes.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"

/* A tick label in unit: "100 us", "64 MiB", "2 GiB/s", "1k". */
static void tick_text(enum report_unit unit, double v, char *buf, size_t len)
{
    static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    static const char *const dur[] = {"ns", "us", "ms", "s"};
    int u = 0;
    double a = fabs(v);
    if (v == 0) {
        snprintf(buf, len, "0");
        return;
    }
    switch (unit) {
    case REPORT_UNIT_NS:
        while (a >= 1000 && u < 3)
            a /= 1000, u++;
        snprintf(buf, len, "%s%.3g %s", v < 0 ? "-" : "", a, dur[u]);
        return;
    case REPORT_UNIT_BYTES:
    case REPORT_UNIT_BYTES_PER_S:
        while (a >= 1024 && u < 4)
            a /= 1024, u++;
        snprintf(buf, len, "%.3g %s%s", a, bin[u], unit == REPORT_UNIT_BYTES_PER_S ? "/s" : "");
        return;
    case REPORT_UNIT_RATIO:
        snprintf(buf, len, "%.3g", v);
        return;
    case REPORT_UNIT_COUNT:
    case REPORT_UNIT_COUNT_PER_S:
        break;
    }
    if (a >= 1e6)
        snprintf(buf, len, "%.3gM", v / 1e6);
    else if (a >= 1e3)
        snprintf(buf, len, "%.3gk", v / 1e3);
    else
        snprintf(buf, len, "%.3g", v);
}

static bool binary(enum report_unit unit)
{
    return unit == REPORT_UNIT_BYTES || unit == REPORT_UNIT_BYTES_PER_S;
}

static void add_tic(struct axis *a, double v, const char *label)
{
    if (a->tics == PLOT_MAX_TICS)
        return;
    a->pos[a->tics] = v;
    snprintf(a->label[a->tics++], sizeof(a->label[0]), "%s", label);
}

/* The candidate ticks of a log axis: m times the powers of ten, or for
 * sizes 1, 10, 100 (m: 1, 2, 5) times each power of 1024. */
static double log_candidate(enum report_unit unit, int e, double m)
{
    if (binary(unit))
        return e < 0 ? NAN : m * pow(10, e % 3) * pow(1024, e / 3);
    return m * pow(10, e);
}

/* Log axis over [lo, hi] (> 0): ticks at the powers (and at 2 and 5 times
 * them when the powers are fewer than three), widened until two fit. */
static void log_axis(struct axis *a, enum report_unit unit, double lo, double hi)
{
    static const double mults[2][3] = {{1, NAN, NAN}, {1, 2, 5}};
    a->log = 10;
    a->min = lo / 1.25;
    a->max = hi * 1.25;
    for (int widen = 0; widen < 4; widen++) {
        for (int pass = 0; pass < 2; pass++) {
            a->tics = 0;
            for (int e = -3; e <= 15; e++) {
                for (int j = 0; j < 3; j++) {
                    double v = log_candidate(unit, e, mults[pass][j]);
                    if (!isfinite(v) || v < a->min || v > a->max)
                        continue;
                    char label[32];
                    tick_text(unit, v, label, sizeof(label));
                    add_tic(a, v, label);
                }
            }
            if (a->tics >= (pass == 0 ? 3u : 2u))
                return;
        }
        a->min /= 2;
        a->max *= 2;
    }
}

/* The nice step for a range: 1, 2 or 5 times a power of ten, in units of
 * scale (1024^k for sizes). */
static double nice_step(double span, double scale)
{
    double raw = span / scale / 5;
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    double step = m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10;
    return step * p * scale;
}

static void linear_axis(struct axis *a, enum report_unit unit, double lo, double hi, bool from_zero)
{
    a->log = 0;
    if (from_zero && lo > 0)
        lo = 0;
    if (hi <= lo)
        hi = lo + (lo != 0 ? fabs(lo) : 1);
    double scale = 1;
    if (binary(unit))
        while (hi / scale >= 1024)
            scale *= 1024;
    double step = nice_step(hi - lo, scale);
    a->min = floor(lo / step) * step;
    a->max = ceil(hi * 1.02 / step) * step;
    for (double v = a->min; v <= a->max + step / 2 && a->tics < PLOT_MAX_TICS; v += step) {
        char label[32];
        tick_text(unit, fabs(v) < step / 1e9 ? 0 : v, label, sizeof(label));
        add_tic(a, v, label);
    }
}

void plot_axis_x(struct axis *a, const struct plot_figure *f, double lo, double hi)
{
    if (f->xkind == PLOT_X_PERCENTILE) {
        static const double at[] = {1, 2, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
        static const char *const names[] = {"0%",     "50%",     "90%",      "99%",      "99.9%",
                                            "99.99%", "99.999%", "99.9999%", "99.99999%"};
        a->log = 10;
        a->min = 1;
        a->max = fmax(10, hi * 1.5);
        for (size_t i = 0; i < sizeof(at) / sizeof(at[0]) && at[i] <= a->max; i++)
            add_tic(a, at[i], names[i]);
        return;
    }
    if (f->xkind == PLOT_X_SECONDS) {
        linear_axis(a, REPORT_UNIT_COUNT, 0, hi, true);
        for (size_t i = 0; i < a->tics; i++)
            snprintf(a->label[i], sizeof(a->label[i]), "%g s", a->pos[i]);
        return;
    }
    if (f->xkind == PLOT_X_VALUE)
        return;
    if (f->xkind == PLOT_X_RUN) {
        /* Runs 1..hi, a tick on each (every k-th past a dozen). */
        size_t runs = hi >= 1 ? (size_t)hi : 1, every = (runs + 11) / 12;
        a->log = 0;
        a->min = 0.5;
        a->max = (double)runs + 0.5;
        for (size_t r = 1; r <= runs; r += every) {
            char label[16];
            snprintf(label, sizeof(label), "%zu", r);
            add_tic(a, (double)r, label);
        }
        return;
    }
    if (lo > 0 && hi / lo >= 4) {
        a->log = 2;
        a->min = lo / 1.4;
        a->max = hi * 1.4;
        /* The typed values, in order, thinned to at most 10. */
        double xs[PLOT_MAX_TICS];
        size_t n = 0;
        for (size_t i = 0; i < f->count; i++) {
            for (size_t k = 0; k < f->series[i].count; k++) {
                double x = f->series[i].points[k].x;
                bool seen = false;
                for (size_t j = 0; j < n; j++)
                    seen = seen || xs[j] == x;
                if (!seen && n < PLOT_MAX_TICS)
                    xs[n++] = x;
            }
        }
        for (size_t i = 1; i < n; i++) {
            for (size_t j = i; j > 0 && xs[j - 1] > xs[j]; j--) {
                double t = xs[j];
                xs[j] = xs[j - 1], xs[j - 1] = t;
            }
        }
        size_t every = (n + 9) / 10;
        for (size_t i = 0; i < n; i += every ? every : 1) {
            char label[32];
            snprintf(label, sizeof(label), "%g", xs[i]);
            for (size_t t = 0; t < f->typed_count; t++) {
                if (f->typed_x[t] == xs[i])
                    snprintf(label, sizeof(label), "%s", f->typed_label[t]);
            }
            add_tic(a, xs[i], label);
        }
        return;
    }
    linear_axis(a, REPORT_UNIT_COUNT, lo, hi, true);
    if (f->xkind == PLOT_X_SIZE) {
        /* Steps of a power of two, spelt as sizes are typed: 256M, 512M,
         * 768M, 1G. */
        double step = pow(2, ceil(log2(fmax(hi, 1) / 6)));
        a->tics = 0;
        a->min = 0;
        a->max = hi * 1.04;
        for (double v = 0; v <= a->max; v += step) {
            char label[32];
            units_format_size((uint64_t)llround(v), label, sizeof(label));
            add_tic(a, v, label);
        }
    }
}

void plot_axis_y(struct axis *a, const struct plot_figure *f, double lo, double hi)
{
    bool zero_based = f->yunit == REPORT_UNIT_BYTES || f->kind == PLOT_STACK;
    if (f->kind == PLOT_DRIFT) {
        a->log = 2;
        a->min = fmin(lo, 0.8) / 1.1;
        a->max = fmax(hi, 1.25) * 1.1;
        static const double at[] = {0.25, 0.5, 0.8, 1, 1.25, 2, 4, 8};
        for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
            char label[16];
            snprintf(label, sizeof(label), "%g", at[i]);
            if (at[i] >= a->min && at[i] <= a->max)
                add_tic(a, at[i], label);
        }
        return;
    }
    if (!zero_based && lo > 0 && hi / lo >= 8)
        log_axis(a, f->yunit, lo, hi);
    else
        linear_axis(a, f->yunit, lo, hi, true);
}
