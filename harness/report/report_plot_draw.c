/*
 * Drawing one plot (report_plot_draw.h): colours, axes and ticks, sizes,
 * then the data file, the settings file and the gnuplot run.
 */
#include "report_plot_draw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/reason.h"
#include "base/units.h"
#include "gnuplot_quote.h"
#include "report_gnuplot.h"
#include "report_plot_axes.h"

/* Longest series title a legend shows: beyond it the strip would push the
 * plot off the page, so a title is cut (with "..."). */
#define LEGEND_TITLE_MAX 56
/* Pixels a character of the plots' font takes, on average (sans, 11). */
#define CHAR_PX 6.8

/* ---- gathering -------------------------------------------------------------- */

static size_t series_limit(const struct plot_figure *f)
{
    return f->kind == PLOT_BARS || f->kind == PLOT_STACK ? PLOT_MAX_BARS : PLOT_PALETTE;
}

struct plot_series *plot_series_get(struct plot_figure *f, const char *title, size_t panel)
{
    for (size_t i = 0; i < f->count; i++) {
        if (f->series[i].panel == panel && strcmp(f->series[i].title, title) == 0)
            return &f->series[i];
    }
    /* A new title counts against the limit once, whatever its panels. */
    size_t titles = 0;
    bool known = false;
    for (size_t i = 0; i < f->count; i++) {
        bool first = true;
        for (size_t k = 0; k < i && first; k++)
            first = strcmp(f->series[k].title, f->series[i].title) != 0;
        titles += first;
        known = known || strcmp(f->series[i].title, title) == 0;
    }
    if ((!known && titles >= series_limit(f)) ||
        f->count == sizeof(f->series) / sizeof(f->series[0])) {
        f->dropped++;
        return NULL;
    }
    struct plot_series *s = &f->series[f->count];
    memset(s, 0, sizeof(*s));
    s->title = strdup(title);
    if (s->title == NULL)
        return NULL;
    s->panel = panel;
    f->count++;
    return s;
}

int plot_series_add(struct plot_series *s, const struct plot_point *p)
{
    struct plot_point *bigger = grow_for_one(s->points, &s->capacity, s->count, sizeof(*bigger), 8);
    if (bigger == NULL)
        return -ENOMEM;
    s->points = bigger;
    s->points[s->count++] = *p;
    return 0;
}

void plot_figure_typed_x(struct plot_figure *f, double x, const char *label)
{
    for (size_t i = 0; i < f->typed_count; i++) {
        if (f->typed_x[i] == x)
            return;
    }
    if (f->typed_count == PLOT_MAX_TICS)
        return;
    f->typed_x[f->typed_count] = x;
    snprintf(f->typed_label[f->typed_count++], sizeof(f->typed_label[0]), "%s", label);
}

void plot_figure_free(struct plot_figure *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->series[i].title);
        free(f->series[i].points);
    }
    f->count = 0;
}

void plot_palette_free(struct plot_palette *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->keys[i]);
    p->count = 0;
}

/* ---- colours ------------------------------------------------------------------ */

/* A title keeps the colour it first got in the report when it is free in
 * this figure; a new title takes the first colour free in the figure. */
static void assign_colors(struct plot_palette *pal, struct plot_figure *f)
{
    bool used[PLOT_PALETTE] = {false};
    /* First the titles that have a colour already, then the new ones. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < f->count; i++) {
            struct plot_series *s = &f->series[i];
            if (pass == 0)
                s->color = -1;
            if (s->color >= 0)
                continue;
            for (size_t k = 0; k < i; k++) {
                if (strcmp(f->series[k].title, s->title) == 0 && f->series[k].color >= 0)
                    s->color = f->series[k].color;
            }
            if (s->color >= 0)
                continue;
            size_t key = 0;
            while (key < pal->count && strcmp(pal->keys[key], s->title) != 0)
                key++;
            if (key < pal->count && pal->colors[key] >= 0 && !used[pal->colors[key]]) {
                s->color = pal->colors[key];
            } else if (pass == 1) {
                int free_color = 0;
                while (free_color < PLOT_PALETTE - 1 && used[free_color])
                    free_color++;
                s->color = free_color;
                if (key == pal->count && pal->count < sizeof(pal->keys) / sizeof(pal->keys[0])) {
                    pal->keys[key] = strdup(s->title);
                    if (pal->keys[key] != NULL)
                        pal->colors[pal->count++] = free_color;
                }
            }
            if (s->color >= 0)
                used[s->color] = true;
        }
    }
}

/* ---- writing ------------------------------------------------------------------ */

static int put_quoted(FILE *fp, const char *prefix, const char *text, const char *suffix)
{
    size_t size = gnuplot_quote_size(text);
    char *q = malloc(size);
    if (q == NULL)
        return -ENOMEM;
    int rc = gnuplot_quote(text, q, size);
    if (rc >= 0)
        fprintf(fp, "%s%s%s", prefix, q, suffix);
    free(q);
    return rc < 0 ? rc : 0;
}

/* A text that gnuplot reads as a format (tick labels): '%' doubled. */
static int put_format(FILE *fp, const char *prefix, const char *text, const char *suffix)
{
    char doubled[256];
    size_t n = 0;
    for (const char *p = text; *p && n + 3 < sizeof(doubled); p++) {
        if (*p == '%')
            doubled[n++] = '%';
        doubled[n++] = *p;
    }
    doubled[n] = '\0';
    return put_quoted(fp, prefix, doubled, suffix);
}

static void put_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.6g", v);
    else
        fputs(",NaN", fp);
}

static int by_x(const void *a, const void *b)
{
    double x = ((const struct plot_point *)a)->x, y = ((const struct plot_point *)b)->x;
    return (x > y) - (x < y);
}

/* A title as the legend shows it: cut past LEGEND_TITLE_MAX. */
static void legend_title(const char *title, char *buf, size_t len)
{
    if (strlen(title) <= LEGEND_TITLE_MAX)
        snprintf(buf, len, "%s", title);
    else
        snprintf(buf, len, "%.*s...", LEGEND_TITLE_MAX - 3, title);
}

/* The distinct titles, in first-met order: the legend's entries. */
static size_t distinct_titles(const struct plot_figure *f, size_t *index)
{
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++) {
        bool again = false;
        for (size_t k = 0; k < n && !again; k++)
            again = strcmp(f->series[index[k]].title, f->series[i].title) == 0;
        if (!again)
            index[n++] = i;
    }
    return n;
}

static int write_data(const struct plot_figure *f, const char *path, const size_t *legend,
                      size_t entries)
{
    FILE *fp = fopen(path, "we");
    if (fp == NULL)
        return -errno;
    switch (f->kind) {
    case PLOT_BARS:
        fputs("# index,value,ci_low,ci_high,p99 (one row per case, base units)\n", fp);
        break;
    case PLOT_STACK:
        fputs("# index,from,to,part (one row per part of a case, base units)\n", fp);
        break;
    default:
        fputs("# x,y,ci_low,ci_high,mark,tail: one block per panel and series (panel-major, "
              "base units; mark: a ring there when not NaN; tail: the p99, dashed)\n",
              fp);
    }
    if (f->kind == PLOT_BARS || f->kind == PLOT_STACK) {
        for (size_t i = 0; i < f->count; i++) {
            for (size_t k = 0; k < f->series[i].count; k++) {
                const struct plot_point *p = &f->series[i].points[k];
                fprintf(fp, "%zu", i);
                put_number(fp, f->kind == PLOT_STACK ? p->lo : p->y);
                put_number(fp, f->kind == PLOT_STACK ? p->y : p->lo);
                if (f->kind == PLOT_BARS)
                    put_number(fp, p->hi);
                put_number(fp, p->extra);
                fputc('\n', fp);
            }
        }
    } else {
        size_t panels = f->panels ? f->panels : 1;
        for (size_t p = 0; p < panels; p++) {
            for (size_t e = 0; e < entries; e++) {
                const struct plot_series *s = NULL;
                for (size_t i = 0; i < f->count && s == NULL; i++) {
                    if (f->series[i].panel == p &&
                        strcmp(f->series[i].title, f->series[legend[e]].title) == 0)
                        s = &f->series[i];
                }
                if (p + e > 0)
                    fputs("\n\n", fp);
                if (s == NULL || s->count == 0) {
                    fputs("0,NaN,NaN,NaN,NaN,NaN\n", fp); /* an empty block: nothing drawn */
                    continue;
                }
                for (size_t k = 0; k < s->count; k++) {
                    fprintf(fp, "%.6g", s->points[k].x);
                    put_number(fp, s->points[k].y);
                    put_number(fp, s->points[k].lo);
                    put_number(fp, s->points[k].hi);
                    put_number(fp, f->kind == PLOT_LINES ? s->points[k].extra : NAN);
                    put_number(fp, f->kind == PLOT_LINES && f->tails ? s->points[k].tail : NAN);
                    fputc('\n', fp);
                }
            }
        }
    }
    int rc = ferror(fp) ? -EIO : 0;
    if (fclose(fp) != 0 && rc == 0)
        rc = -EIO;
    return rc;
}

static int put_axis(FILE *fp, const char *name, const struct axis *a)
{
    fprintf(fp, "%slog = %d\n%smin = %.6g\n%smax = %.6g\nn%st = %zu\narray %stp[%zu]\n", name,
            a->log, name, a->min, name, a->max, name, a->tics, name, a->tics ? a->tics : 1);
    fprintf(fp, "array %stl[%zu]\n", name, a->tics ? a->tics : 1);
    int rc = 0;
    for (size_t i = 0; i < a->tics && rc == 0; i++) {
        char prefix[48];
        fprintf(fp, "%stp[%zu] = %.6g\n", name, i + 1, a->pos[i]);
        snprintf(prefix, sizeof(prefix), "%stl[%zu] = ", name, i + 1);
        rc = put_format(fp, prefix, a->label[i], "\n");
    }
    return rc;
}

static const char *const script_of[] = {
    [PLOT_LINES] = "lines",    [PLOT_BARS] = "bars",   [PLOT_STACK] = "stack",
    [PLOT_SPECTRUM] = "lines", [PLOT_DRIFT] = "lines",
};

static const char *const style_of[] = {
    [PLOT_LINES] = "lines",    [PLOT_BARS] = "",        [PLOT_STACK] = "",
    [PLOT_SPECTRUM] = "steps", [PLOT_DRIFT] = "points",
};

static int write_settings(const struct plot_figure *f, const char *path, const char *datafile,
                          const size_t *legend, size_t entries)
{
    /* The ranges of the data. */
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    bool errors = false;
    size_t maxlen = 4;
    for (size_t i = 0; i < f->count; i++) {
        for (size_t k = 0; k < f->series[i].count; k++) {
            const struct plot_point *p = &f->series[i].points[k];
            const double ys[] = {p->y, p->lo, p->hi,
                                 f->kind == PLOT_BARS                ? p->extra
                                 : f->kind == PLOT_LINES && f->tails ? p->tail
                                                                     : NAN};
            for (size_t j = 0; j < 4; j++) {
                if (!isfinite(ys[j]) || (ys[j] <= 0 && f->kind != PLOT_STACK &&
                                         f->yunit != REPORT_UNIT_BYTES && f->kind != PLOT_DRIFT))
                    continue;
                ylo = fmin(ylo, ys[j]);
                yhi = fmax(yhi, ys[j]);
            }
            errors = errors || (isfinite(p->lo) && isfinite(p->hi));
            if (isfinite(p->x)) {
                xlo = fmin(xlo, p->x);
                xhi = fmax(xhi, p->x);
            }
        }
        size_t len = strlen(f->series[i].title);
        maxlen = len > maxlen ? len : maxlen;
    }
    if (!isfinite(ylo))
        ylo = 0, yhi = 1;
    if (!isfinite(xlo))
        xlo = 0, xhi = 1;
    maxlen = maxlen > LEGEND_TITLE_MAX ? LEGEND_TITLE_MAX : maxlen;

    struct axis x = {.log = 0}, y = {.log = 0};
    plot_axis_x(&x, f, xlo, xhi);
    plot_axis_y(&y, f, ylo, yhi);

    /* Sizes in pixels: what the content needs, and no more. */
    size_t panels = f->panels ? f->panels : 1;
    int width, height, left, right, strip = 0;
    if (f->kind == PLOT_BARS || f->kind == PLOT_STACK) {
        left = 24 + (int)(CHAR_PX * (double)maxlen);
        width = left + 620;
        right = width - 30;
        height = 90 + 22 * (int)f->count + 40;
    } else {
        left = 100;
        int panel = panels == 1 ? 600 : 320;
        strip = entries > 0 ? 70 + (int)(CHAR_PX * (double)maxlen) : 0;
        right = left + (int)panels * panel + ((int)panels - 1) * 24;
        width = right + 20 + strip;
        height = 400;
        int legend_h = 100 + 19 * (int)entries;
        if (legend_h > height)
            height = legend_h;
    }

    FILE *fp = fopen(path, "we");
    if (fp == NULL)
        return -errno;
    int rc = 0;
    fprintf(fp,
            "# Written by procbench report for %s.gp: every string is a single-quoted "
            "literal.\n",
            script_of[f->kind]);
    fprintf(fp, "W = %d\nH = %d\nleft = %d\nright = %d\nnp = %zu\nyerr = %d\n", width, height, left,
            right, panels, errors && f->kind == PLOT_LINES);
    bool p99 = false, marks = false;
    for (size_t i = 0; i < f->count; i++) {
        for (size_t k = 0; k < f->series[i].count; k++) {
            bool extra = isfinite(f->series[i].points[k].extra);
            p99 = p99 || (f->kind == PLOT_BARS && extra);
            marks = marks || (f->kind == PLOT_LINES && extra);
        }
    }
    fprintf(fp, "style = '%s'\nrefline = %d\nhas_ci = %d\nhas_p99 = %d\nmarks = %d\ntails = %d\n",
            style_of[f->kind], f->kind == PLOT_DRIFT, errors, p99, marks,
            f->kind == PLOT_LINES && f->tails);
    rc = put_quoted(fp, "plottitle = ", f->title, "\n");
    if (rc == 0)
        rc = put_quoted(fp, "datafile = ", datafile, "\n");
    if (rc == 0)
        rc = put_quoted(fp, "xlabel = ", f->xlabel, "\n");
    if (rc == 0)
        rc = put_quoted(fp, "ylabel = ", f->ylabel, "\n");
    /* Series (lines) or cases (bars, stacks): their titles and colours. */
    size_t n = f->kind == PLOT_BARS || f->kind == PLOT_STACK ? f->count : entries;
    fprintf(fp, "n = %zu\narray titles[%zu]\narray colors[%zu]\n", n, n ? n : 1, n ? n : 1);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct plot_series *s =
            f->kind == PLOT_BARS || f->kind == PLOT_STACK ? &f->series[i] : &f->series[legend[i]];
        char prefix[48], title[LEGEND_TITLE_MAX + 8];
        legend_title(s->title, title, sizeof(title));
        snprintf(prefix, sizeof(prefix), "titles[%zu] = ", i + 1);
        /* Bar labels are tick labels: formats to gnuplot. */
        rc = f->kind == PLOT_BARS || f->kind == PLOT_STACK ? put_format(fp, prefix, title, "\n")
                                                           : put_quoted(fp, prefix, title, "\n");
        fprintf(fp, "colors[%zu] = %d\n", i + 1, s->color + 1);
    }
    fprintf(fp, "array ptitles[%zu]\n", panels);
    for (size_t p = 0; p < panels && rc == 0; p++) {
        char prefix[48];
        snprintf(prefix, sizeof(prefix), "ptitles[%zu] = ", p + 1);
        rc = put_quoted(fp, prefix, f->panels ? f->panel_titles[p] : "", "\n");
    }
    fprintf(fp, "nparts = %zu\narray parts[%zu]\n", f->parts, f->parts ? f->parts : 1);
    for (size_t p = 0; p < f->parts && rc == 0; p++) {
        char prefix[48];
        snprintf(prefix, sizeof(prefix), "parts[%zu] = ", p + 1);
        rc = put_quoted(fp, prefix, f->part_titles[p], "\n");
    }
    if (rc == 0)
        rc = put_axis(fp, "x", f->kind == PLOT_BARS || f->kind == PLOT_STACK ? &y : &x);
    if (rc == 0)
        rc = put_axis(fp, "y", f->kind == PLOT_BARS || f->kind == PLOT_STACK ? &x : &y);
    if (ferror(fp) && rc == 0)
        rc = -EIO;
    if (fclose(fp) != 0 && rc == 0)
        rc = -EIO;
    return rc;
}

/* Registers a plot: "NN-token" with token made of [a-z0-9_] only, so file
 * names never need quoting beyond gnuplot's own. */
static struct report_plot *add_plot(struct report_plots *out, size_t number, const char *token,
                                    const struct plot_figure *f)
{
    struct report_plot *bigger = realloc(out->list, (out->count + 1) * sizeof(*out->list));
    if (bigger == NULL)
        return NULL;
    out->list = bigger;
    struct report_plot *plot = &out->list[out->count];
    memset(plot, 0, sizeof(*plot));
    size_t n = (size_t)snprintf(plot->name, sizeof(plot->name), "%02zu-", number);
    for (const char *c = token; *c && n + 1 < sizeof(plot->name) && n < 60; c++) {
        char ch = *c;
        plot->name[n++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '_';
    }
    plot->name[n] = '\0';
    snprintf(plot->title, sizeof(plot->title), "%s", f->title);
    if (f->dropped > 0)
        snprintf(plot->caption, sizeof(plot->caption),
                 "%s (%zu more series left out: see the "
                 "tables)",
                 f->caption, f->dropped);
    else
        snprintf(plot->caption, sizeof(plot->caption), "%s", f->caption);
    out->count++;
    return plot;
}

int plot_figure_emit(struct plot_target *t, struct plot_figure *f, const char *token)
{
    size_t points = 0;
    for (size_t i = 0; i < f->count; i++)
        points += f->series[i].count;
    if (points == 0)
        return 0;
    if (f->kind != PLOT_BARS && f->kind != PLOT_STACK) {
        for (size_t i = 0; i < f->count; i++)
            qsort(f->series[i].points, f->series[i].count, sizeof(struct plot_point), by_x);
    }
    assign_colors(&t->palette, f);
    size_t legend[sizeof(f->series) / sizeof(f->series[0])];
    size_t entries = distinct_titles(f, legend);
    struct report_plot *plot = add_plot(t->out, t->numbered_before + t->out->count + 1, token, f);
    if (plot == NULL)
        return -ENOMEM;

    char path[4096], datafile[160], why[512];
    snprintf(datafile, sizeof(datafile), "data/%s.csv", plot->name);
    snprintf(path, sizeof(path), "%s/%s", t->dir, datafile);
    int rc = write_data(f, path, legend, entries);
    if (rc != 0) {
        reason_format(t->err, t->err_len, "%s: cannot write: %s", path, strerror(-rc));
        return rc;
    }
    snprintf(path, sizeof(path), "%s/data/%s.settings.gp", t->dir, plot->name);
    rc = write_settings(f, path, datafile, legend, entries);
    if (rc != 0) {
        reason_format(t->err, t->err_len, "%s: cannot write: %s", path, strerror(-rc));
        return rc;
    }
    if (t->gnuplot == NULL)
        return 0;

    char settings[256], script[4096], log[4096], quoted_dir[8192];
    snprintf(settings, sizeof(settings), "data/%s.settings.gp", plot->name);
    snprintf(script, sizeof(script), "%s/%s.gp", t->scripts, script_of[f->kind]);
    snprintf(log, sizeof(log), "%s/data/gnuplot.log", t->dir);
    if (gnuplot_quote(t->scripts, quoted_dir, sizeof(quoted_dir)) < 0)
        return -ENAMETOOLONG;
    for (int format = 0; format < (t->png ? 2 : 1); format++) {
        const char *ext = format == 0 ? "svg" : "png";
        char outfile[160], quoted[340], assign[8800];
        snprintf(outfile, sizeof(outfile), "%s.%s", plot->name, ext);
        if (gnuplot_quote(outfile, quoted, sizeof(quoted)) < 0)
            return -ENAMETOOLONG;
        snprintf(assign, sizeof(assign), "fmt = '%s'; outfile = %s; scriptdir = %s", ext, quoted,
                 quoted_dir);
        const char *args[] = {settings, "-e", assign, script};
        rc = report_gnuplot_run(t->gnuplot, t->dir, args, 4, log, why, sizeof(why));
        if (rc != 0) {
            reason_format(t->err, t->err_len, "plot %s (%s.gp): %s", plot->name, script_of[f->kind],
                          why);
            return rc;
        }
    }
    return 0;
}
