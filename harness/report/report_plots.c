/*
 * Making the plots of a report (report_plots.h). Each plot is gathered as
 * series of points (x and up to five values), written as numbers only, and
 * drawn by its script; every string reaching gnuplot is a gnuplot_quote()
 * literal in the settings file or the -e argument.
 */
#include "report_plots.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gnuplot_quote.h"
#include "base/reason.h"
#include "report_gnuplot.h"

#define VALUES 5

struct point {
    double x;
    double v[VALUES];
};

struct series {
    char *title;
    struct point *points;
    size_t count, capacity;
};

/* One plot being gathered. */
struct plot {
    struct series series[REPORT_PLOT_MAX_SERIES];
    size_t count;
    size_t dropped; /* series that did not fit */
};

struct maker {
    const struct report_run *r;
    const char *dir, *scripts, *gnuplot;
    bool png;
    struct report_plots *out;
    char *err;
    size_t err_len;
};

static void plot_free(struct plot *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->series[i].title);
        free(p->series[i].points);
    }
    memset(p, 0, sizeof(*p));
}

/* The series called title, made if new; NULL when full (counted) or out
 * of memory. */
static struct series *series_get(struct plot *p, const char *title)
{
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->series[i].title, title) == 0)
            return &p->series[i];
    }
    if (p->count == REPORT_PLOT_MAX_SERIES) {
        p->dropped++;
        return NULL;
    }
    struct series *s = &p->series[p->count];
    s->title = strdup(title);
    if (s->title == NULL)
        return NULL;
    p->count++;
    return s;
}

static int series_add(struct series *s, double x, const double *v)
{
    if (s->count == s->capacity) {
        size_t grown = s->capacity ? 2 * s->capacity : 16;
        struct point *bigger = realloc(s->points, grown * sizeof(*bigger));
        if (bigger == NULL)
            return -ENOMEM;
        s->points = bigger;
        s->capacity = grown;
    }
    s->points[s->count].x = x;
    memcpy(s->points[s->count].v, v, sizeof(s->points[0].v));
    s->count++;
    return 0;
}

static int by_x(const void *a, const void *b)
{
    double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;
    return (x > y) - (x < y);
}

/* A value for the data file: NaN (gnuplot skips it) when not finite. */
static void put_value(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.6g", v);
    else
        fputs(",NaN", fp);
}

static int write_quoted(FILE *fp, const char *prefix, const char *text, const char *suffix)
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

/* Registers a plot: a name "NN-kind-token" (token made of [a-z0-9_] only,
 * so file names never need quoting beyond gnuplot's own). */
static struct report_plot *add_plot(struct maker *m, const char *kind, const char *token,
                                    const char *title, const char *caption)
{
    struct report_plot *bigger = realloc(m->out->list, (m->out->count + 1) * sizeof(*m->out->list));
    if (bigger == NULL)
        return NULL;
    m->out->list = bigger;
    struct report_plot *plot = &m->out->list[m->out->count];
    memset(plot, 0, sizeof(*plot));
    size_t n = (size_t)snprintf(plot->name, sizeof(plot->name), "%02zu-%s%s", m->out->count + 1,
                                kind, token[0] ? "-" : "");
    for (const char *c = token; *c && n + 1 < sizeof(plot->name) && n < 60; c++) {
        char ch = *c;
        plot->name[n++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '_';
    }
    plot->name[n] = '\0';
    snprintf(plot->title, sizeof(plot->title), "%s", title);
    snprintf(plot->caption, sizeof(plot->caption), "%s", caption);
    m->out->count++;
    return plot;
}

static int write_settings_titles(FILE *fp, char *const *titles, size_t n)
{
    fprintf(fp, "n = %zu\narray titles[%zu]\n", n, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        char prefix[48];
        snprintf(prefix, sizeof(prefix), "titles[%zu] = ", i + 1);
        int rc = write_quoted(fp, prefix, titles[i], "\n");
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Writes data/NAME.csv (its columns as a comment; one block per series,
 * each sorted by x) and data/NAME.settings.gp, then draws it. The titles
 * are the series' unless point_titles is given (bars: one per point of a
 * single series). */
static int emit(struct maker *m, const char *kind, const char *token, const char *title,
                const char *caption, struct plot *p, const char *script, const char *columns,
                int values, char *const *point_titles, const char *extra_settings)
{
    char path[4096], why[512];
    if (p->count == 0)
        return 0;
    char full_caption[512];
    if (p->dropped > 0)
        snprintf(full_caption, sizeof(full_caption), "%s (the first %d series; %zu more left out)",
                 caption, REPORT_PLOT_MAX_SERIES, p->dropped);
    else
        snprintf(full_caption, sizeof(full_caption), "%s", caption);
    struct report_plot *plot = add_plot(m, kind, token, title, full_caption);
    if (plot == NULL)
        return -ENOMEM;

    snprintf(path, sizeof(path), "%s/data/%s.csv", m->dir, plot->name);
    FILE *fp = fopen(path, "we");
    if (fp == NULL) {
        int e = errno;
        reason_format(m->err, m->err_len, "%s: cannot create: %s", path, strerror(e));
        return -e;
    }
    fprintf(fp, "# %s\n", columns);
    for (size_t i = 0; i < p->count; i++) {
        struct series *s = &p->series[i];
        if (point_titles == NULL)
            qsort(s->points, s->count, sizeof(*s->points), by_x);
        if (i > 0)
            fputs("\n\n", fp);
        for (size_t k = 0; k < s->count; k++) {
            fprintf(fp, "%.6g", s->points[k].x);
            for (int v = 0; v < values; v++)
                put_value(fp, s->points[k].v[v]);
            fputc('\n', fp);
        }
    }
    int rc = ferror(fp) ? -EIO : 0;
    if (fclose(fp) != 0 || rc != 0) {
        reason_format(m->err, m->err_len, "%s: write failed", path);
        return -EIO;
    }

    snprintf(path, sizeof(path), "%s/data/%s.settings.gp", m->dir, plot->name);
    fp = fopen(path, "we");
    if (fp == NULL) {
        int e = errno;
        reason_format(m->err, m->err_len, "%s: cannot create: %s", path, strerror(e));
        return -e;
    }
    char datafile[256];
    snprintf(datafile, sizeof(datafile), "data/%s.csv", plot->name);
    fprintf(fp,
            "# Written by procbench report for %s.gp: every string is a single-quoted literal.\n",
            script);
    rc = write_quoted(fp, "plottitle = ", title, "\n");
    if (rc == 0)
        rc = write_quoted(fp, "datafile = ", datafile, "\n");
    if (rc == 0 && point_titles != NULL) {
        rc = write_settings_titles(fp, point_titles, p->series[0].count);
    } else if (rc == 0) {
        char *titles[REPORT_PLOT_MAX_SERIES];
        for (size_t i = 0; i < p->count; i++)
            titles[i] = p->series[i].title;
        rc = write_settings_titles(fp, titles, p->count);
    }
    if (extra_settings != NULL)
        fputs(extra_settings, fp);
    if (ferror(fp))
        rc = -EIO;
    if (fclose(fp) != 0 || rc != 0) {
        reason_format(m->err, m->err_len, "%s: write failed", path);
        return rc != 0 ? rc : -EIO;
    }
    if (m->gnuplot == NULL)
        return 0;

    char settings[256], script_path[4096], log[4096];
    snprintf(settings, sizeof(settings), "data/%s.settings.gp", plot->name);
    snprintf(script_path, sizeof(script_path), "%s/%s.gp", m->scripts, script);
    snprintf(log, sizeof(log), "%s/data/gnuplot.log", m->dir);
    for (int format = 0; format < (m->png ? 2 : 1); format++) {
        const char *ext = format == 0 ? "svg" : "png";
        char outfile[160], quoted[340], assign[400];
        snprintf(outfile, sizeof(outfile), "%s.%s", plot->name, ext);
        if (gnuplot_quote(outfile, quoted, sizeof(quoted)) < 0)
            return -ENAMETOOLONG;
        snprintf(assign, sizeof(assign), "fmt = '%s'; outfile = %s", ext, quoted);
        const char *args[] = {settings, "-e", assign, script_path};
        rc = report_gnuplot_run(m->gnuplot, m->dir, args, 4, log, why, sizeof(why));
        if (rc != 0) {
            reason_format(m->err, m->err_len, "plot %s (%s.gp): %s", plot->name, script, why);
            return rc;
        }
    }
    return 0;
}

/* ---- the plots ------------------------------------------------------------ */

static bool usable(const struct stored_case *c)
{
    return strcmp(c->status, "ok") == 0 && c->n > 0 && c->p50_ns > 0;
}

static bool in_family(const struct stored_case *c, const char *family)
{
    char f[64];
    report_family(c, f, sizeof(f));
    return strcmp(f, family) == 0;
}

static int make_spectrum(struct maker *m, const char *family)
{
    const struct stored_run *run = m->r->run;
    struct plot p = {0};
    int rc = 0;
    const char *seen[REPORT_PLOT_MAX_SERIES];
    size_t seen_count = 0;
    for (size_t i = 0; rc == 0 && i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        bool again = false;
        for (size_t k = 0; k < seen_count; k++)
            again = again || strcmp(seen[k], c->scenario) == 0;
        if (!in_family(c, family) || !usable(c) || again)
            continue;
        struct stored_bucket *buckets;
        size_t count;
        rc = results_read_case_histogram(c, "histogram", &buckets, &count);
        if (rc == -ENOENT) {
            rc = 0;
            continue;
        }
        if (rc != 0) {
            reason_format(m->err, m->err_len,
                          "%s: case '%s': histogram is not [value, count] pairs", run->path,
                          c->name);
            break;
        }
        struct series *s = series_get(&p, c->name);
        if (s != NULL && seen_count < REPORT_PLOT_MAX_SERIES)
            seen[seen_count++] = c->scenario;
        double total = 0, below = 0;
        for (size_t k = 0; k < count; k++)
            total += (double)buckets[k].count;
        for (size_t k = 0; s != NULL && rc == 0 && k < count; k++) {
            double v[VALUES] = {(double)buckets[k].value_ns / 1000.0};
            rc = series_add(s, 1.0 / (1.0 - below / total), v);
            below += (double)buckets[k].count;
        }
        free(buckets);
    }
    char title[128];
    snprintf(title, sizeof(title), "%s: percentile spectrum", family);
    if (rc == 0)
        rc = emit(m, "spectrum", family, title,
                  "Latency against percentile (x: 1/(1-p), log scale); one case per scenario, the "
                  "first of each in the run",
                  &p, "spectrum", "inv_tail,value_us", 1, NULL, NULL);
    plot_free(&p);
    return rc;
}

static int make_bars(struct maker *m, const char *family, const char *scenario)
{
    const struct stored_run *run = m->r->run;
    struct plot p = {0};
    char *titles[REPORT_PLOT_MAX_BARS];
    size_t n = 0, left_out = 0;
    int rc = 0;
    struct series *s = series_get(&p, "p50");
    if (s == NULL)
        return -ENOMEM;
    for (size_t i = 0; rc == 0 && i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        if (!in_family(c, family) || !usable(c) ||
            (scenario != NULL && strcmp(c->scenario, scenario) != 0))
            continue;
        if (n == REPORT_PLOT_MAX_BARS) {
            left_out++;
            continue;
        }
        /* Tic labels are formats to gnuplot (the tic's value fills a %):
         * a '%' of the name is written twice to stay a '%'. */
        char label[512], escaped[1024];
        report_label(c, NULL, true, label, sizeof(label));
        size_t e = 0;
        for (const char *q = label; *q && e + 2 < sizeof(escaped); q++) {
            if (*q == '%')
                escaped[e++] = '%';
            escaped[e++] = *q;
        }
        escaped[e] = '\0';
        titles[n] = strdup(escaped);
        if (titles[n] == NULL) {
            rc = -ENOMEM;
            break;
        }
        double p99 = NAN;
        results_read_case_number(c, "p99", &p99);
        double v[VALUES] = {(double)c->p50_ns / 1000, (double)c->p50_ci_low_ns / 1000,
                            (double)c->p50_ci_high_ns / 1000, p99 / 1000};
        rc = series_add(s, (double)n, v);
        n++;
    }
    char title[256], caption[256], token[160];
    snprintf(title, sizeof(title), "%s: p50 with its 95%% CI, and p99",
             scenario ? scenario : family);
    if (left_out > 0)
        snprintf(caption, sizeof(caption),
                 "Median per case (bar), its 95%% confidence interval, p99 (dot); the first %d "
                 "cases, %zu more in the table",
                 REPORT_PLOT_MAX_BARS, left_out);
    else
        snprintf(caption, sizeof(caption),
                 "Median per case (bar), its 95%% confidence interval, p99 (dot)");
    snprintf(token, sizeof(token), "%s", scenario ? scenario : family);
    if (rc == 0 && n > 0)
        rc = emit(m, "bars", token, title, caption, &p, "bars",
                  "index,p50_us,p50_ci_low_us,p50_ci_high_us,p99_us", 4, titles, NULL);
    for (size_t i = 0; i < n; i++)
        free(titles[i]);
    plot_free(&p);
    return rc;
}

/* Spawn latency against the parent's RSS: every case with an rss size. */
static int make_rss(struct maker *m)
{
    const struct stored_run *run = m->r->run;
    static const char *const skip[] = {"rss", NULL};
    struct plot p = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        uint64_t rss;
        if (!usable(c) || !report_param_size(c, "rss", &rss))
            continue;
        char label[512];
        report_label(c, skip, false, label, sizeof(label));
        struct series *s = series_get(&p, label);
        double v[VALUES] = {(double)c->p50_ns / 1000, (double)c->p50_ci_low_ns / 1000,
                            (double)c->p50_ci_high_ns / 1000};
        if (s != NULL)
            rc = series_add(s, (double)rss / (1024.0 * 1024 * 1024), v);
    }
    if (rc == 0)
        rc = emit(m, "rss", "", "Spawn latency against parent RSS",
                  "p50 from the create call to the reaped exit, with its 95% CI, against the "
                  "parent's resident memory; one line per mechanism and parameters",
                  &p, "rss", "rss_gib,p50_us,p50_ci_low_us,p50_ci_high_us", 3, NULL, NULL);
    plot_free(&p);
    return rc;
}

/* The keys of params (and placement) whose value is the same in every one
 * of cases[0..n): a label need not repeat them. At most max, NULL-ended. */
static void constant_keys(const struct stored_case *const *cases, size_t n, const char **out,
                          size_t max)
{
    size_t k = 0;
    if (n == 0 || max == 0) {
        if (max > 0)
            out[0] = NULL;
        return;
    }
    for (size_t p = 0; p <= cases[0]->param_count && k + 1 < max; p++) {
        const char *key = p < cases[0]->param_count ? cases[0]->params[p].key : "placement";
        const char *value = report_param(cases[0], key);
        bool same = value != NULL;
        for (size_t i = 1; i < n && same; i++) {
            const char *other = report_param(cases[i], key);
            same = other != NULL && strcmp(other, value) == 0;
        }
        if (same)
            out[k++] = key;
    }
    out[k] = NULL;
}

/* The three clocks of a spawn (issue 18), stacked: how long the create
 * call held the parent (return_p50), then until the child's first
 * instruction (first_instruction_p50, when later), then until it was
 * reaped (p50). Medians of three distributions: the parts are a picture of
 * where a typical spawn's time goes, not one spawn's timeline. */
static int make_clocks(struct maker *m)
{
    const struct stored_run *run = m->r->run;
    const struct stored_case *cases[REPORT_PLOT_MAX_BARS];
    size_t n = 0, left_out = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        double ret, first;
        uint64_t rate = 0;
        /* Open-loop latencies run from the schedule, not the create call. */
        if (!usable(c) || !results_read_case_number(c, "return_p50", &ret) ||
            !results_read_case_number(c, "first_instruction_p50", &first) ||
            (report_param_size(c, "rate", &rate) && rate > 0))
            continue;
        if (n == REPORT_PLOT_MAX_BARS)
            left_out++;
        else
            cases[n++] = c;
    }
    if (n == 0)
        return 0;
    const char *skip[RESULTS_READ_MAX_PARAMS + 2];
    constant_keys(cases, n, skip, sizeof(skip) / sizeof(skip[0]));
    struct plot p = {0};
    char *titles[REPORT_PLOT_MAX_BARS];
    size_t made = 0;
    int rc = 0;
    struct series *s = series_get(&p, "clocks");
    if (s == NULL)
        return -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        double ret = 0, first = 0;
        results_read_case_number(cases[i], "return_p50", &ret);
        results_read_case_number(cases[i], "first_instruction_p50", &first);
        double total = (double)cases[i]->p50_ns, later = first > ret ? first : ret;
        char label[512], escaped[1024];
        report_label(cases[i], skip, false, label, sizeof(label));
        /* A tic label is a gnuplot format: '%' doubled (as in make_bars). */
        size_t e = 0;
        for (const char *q = label; *q && e + 2 < sizeof(escaped); q++) {
            if (*q == '%')
                escaped[e++] = '%';
            escaped[e++] = *q;
        }
        escaped[e] = '\0';
        titles[made] = strdup(escaped);
        if (titles[made] == NULL) {
            rc = -ENOMEM;
            break;
        }
        made++;
        double v[VALUES] = {ret / 1000, (first > ret ? first - ret : 0) / 1000,
                            (total > later ? total - later : 0) / 1000};
        rc = series_add(s, (double)i, v);
    }
    char caption[512];
    snprintf(caption, sizeof(caption),
             "Medians of three clocks per spawn: the create call holding the parent "
             "(return_p50), until the child's first instruction when that came later "
             "(first_instruction_p50), until the child was reaped (p50); parameters common to "
             "every bar left out of the labels%s",
             left_out > 0 ? "; more cases in the table" : "");
    if (rc == 0)
        rc = emit(m, "clocks", "", "Spawn: the parent blocked, the child running, the child reaped",
                  caption, &p, "clocks",
                  "index,blocked_us,until_first_instruction_us,until_reaped_us", 3, titles, NULL);
    for (size_t i = 0; i < made; i++)
        free(titles[i]);
    plot_free(&p);
    return rc;
}

/* The open loop (spawn's rate, issue 18): p50 and p99 against the offered
 * rate, one line per case but for its rate; the knee is where the p99
 * leaves the p50. */
static int make_rate(struct maker *m)
{
    const struct stored_run *run = m->r->run;
    const struct stored_case **cases = calloc(run->case_count + 1, sizeof(*cases));
    if (cases == NULL)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        uint64_t rate;
        if (usable(&run->cases[i]) && report_param_size(&run->cases[i], "rate", &rate) && rate > 0)
            cases[n++] = &run->cases[i];
    }
    /* Labels without the rate, and without what every line shares. */
    const char *skip[RESULTS_READ_MAX_PARAMS + 3];
    constant_keys(cases, n, skip, sizeof(skip) / sizeof(skip[0]) - 1);
    size_t k = 0;
    while (skip[k] != NULL)
        k++;
    skip[k] = "rate";
    skip[k + 1] = NULL;
    struct plot p = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct stored_case *c = cases[i];
        uint64_t rate = 0;
        report_param_size(c, "rate", &rate);
        double p99 = NAN, achieved = NAN;
        results_read_case_number(c, "p99", &p99);
        results_read_case_number(c, "achieved_rate", &achieved);
        char label[512];
        report_label(c, skip, false, label, sizeof(label));
        struct series *s = series_get(&p, label);
        double v[VALUES] = {(double)c->p50_ns / 1000, p99 / 1000, achieved};
        if (s != NULL)
            rc = series_add(s, (double)rate, v);
    }
    free(cases);
    if (rc == 0)
        rc = emit(m, "rate", "", "Open loop: spawn latency against the offered rate",
                  "p50 (solid) and p99 (dashed) from each spawn's intended start to its reaped "
                  "exit, against the spawns per second offered on a fixed schedule; past the "
                  "machine's capacity the backlog grows and the p99 leaves the p50 (the backlog "
                  "column says where); parameters common to every line left out of the labels",
                  &p, "rate", "offered_per_s,p50_us,p99_us,achieved_per_s", 3, NULL, NULL);
    plot_free(&p);
    return rc;
}

/* IPC against message size, one plot per placement. */
static int make_ipc(struct maker *m)
{
    const struct stored_run *run = m->r->run;
    static const char *const skip[] = {"size", "mode", "placement", NULL};
    static const char *const placements[] = {"same", "cross", "free"};
    int rc = 0;
    for (size_t pl = 0; rc == 0 && pl < 3; pl++) {
        struct plot p = {0};
        int has_rtt = 0, has_tput = 0;
        for (size_t i = 0; rc == 0 && i < run->case_count; i++) {
            const struct stored_case *c = &run->cases[i];
            uint64_t size;
            if (!in_family(c, "ipc") || !usable(c) || strcmp(c->placement, placements[pl]) != 0 ||
                !report_param_size(c, "size", &size))
                continue;
            const char *mode = report_param(c, "mode");
            char label[512];
            report_label(c, skip, false, label, sizeof(label));
            struct series *s = series_get(&p, label);
            double v[VALUES] = {NAN, NAN, NAN, NAN};
            double bps;
            if (mode == NULL || strcmp(mode, "pingpong") == 0) {
                v[0] = (double)c->p50_ns / 1000, v[1] = (double)c->p50_ci_low_ns / 1000;
                v[2] = (double)c->p50_ci_high_ns / 1000;
                has_rtt = 1;
            } else if (strcmp(mode, "stream") == 0 &&
                       results_read_case_number(c, "bytes_per_s", &bps) && bps > 0) {
                v[3] = bps / (1024.0 * 1024);
                has_tput = 1;
            } else {
                continue;
            }
            if (s != NULL)
                rc = series_add(s, (double)size, v);
        }
        char title[128], caption[256], extra[64];
        snprintf(title, sizeof(title), "IPC against message size, placement=%s", placements[pl]);
        snprintf(caption, sizeof(caption),
                 "Round trip p50 with its 95%% CI (mode=pingpong) and stream throughput "
                 "(mode=stream) against message size, parent and peer placed %s",
                 placements[pl]);
        snprintf(extra, sizeof(extra), "has_rtt = %d\nhas_tput = %d\n", has_rtt, has_tput);
        if (rc == 0)
            rc = emit(m, "ipc", placements[pl], title, caption, &p, "ipc",
                      "size_bytes,rtt_p50_us,rtt_ci_low_us,rtt_ci_high_us,mib_per_s", 4, NULL,
                      extra);
        plot_free(&p);
    }
    return rc;
}

/* Buffered against streamed output (and Node's node.output), against size. */
static int make_output(struct maker *m)
{
    const struct stored_run *run = m->r->run;
    static const char *const skip[] = {"bytes", NULL};
    struct plot p = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        uint64_t bytes;
        if (!usable(c) || !report_param_size(c, "bytes", &bytes) ||
            !(in_family(c, "output") || strcmp(c->scenario, "node.output") == 0))
            continue;
        double first = NAN, growth = NAN;
        results_read_case_number(c, "first_byte_p50", &first);
        results_read_case_number(c, "rss_growth_p50", &growth);
        char label[512];
        report_label(c, skip, false, label, sizeof(label));
        struct series *s = series_get(&p, label);
        double v[VALUES] = {(double)c->p50_ns / 1e6, first > 0 ? first / 1000 : NAN,
                            growth / (1024.0 * 1024)};
        if (s != NULL)
            rc = series_add(s, (double)bytes, v);
    }
    if (rc == 0)
        rc = emit(m, "output", "", "Buffered against streamed child output",
                  "Against the child's output size: time from spawn to exit with all output "
                  "read, time to the first byte, and the parent's peak RSS growth (medians)",
                  &p, "output", "bytes,p50_ms,first_byte_p50_us,rss_growth_p50_mib", 3, NULL, NULL);
    plot_free(&p);
    return rc;
}

/* Drift: every round's median over its case's median, against time. */
static int make_drift(struct maker *m, char families[][64], size_t family_count)
{
    const struct report_run *r = m->r;
    struct plot p = {0};
    int rc = 0;
    for (size_t f = 0; f < family_count; f++)
        series_get(&p, families[f]);
    for (size_t i = 0; rc == 0 && i < r->round_count; i++) {
        const struct report_round *round = &r->rounds[i];
        char family[64];
        if (!usable(round->c))
            continue;
        report_family(round->c, family, sizeof(family));
        struct series *s = series_get(&p, family);
        double v[VALUES] = {(double)round->p50_ns / (double)round->c->p50_ns};
        if (s != NULL)
            rc = series_add(s, (double)round->start_ns / 1e9, v);
    }
    /* Families without rounds would be empty blocks: keep those with points. */
    size_t kept = 0;
    for (size_t i = 0; i < p.count; i++) {
        if (p.series[i].count == 0) {
            free(p.series[i].title);
            free(p.series[i].points);
            continue;
        }
        p.series[kept++] = p.series[i];
    }
    p.count = kept;
    if (rc == 0)
        rc = emit(m, "drift", "", "Drift: round medians over time",
                  "Each round's median divided by its case's median, against the time the round "
                  "started (rounds.csv); rounds of all cases are interleaved, so a slow period "
                  "shows as points above 1 across cases",
                  &p, "drift", "start_s,round_p50_over_case_p50", 1, NULL, NULL);
    plot_free(&p);
    return rc;
}

int report_plots_make(const struct report_run *r, const char *plots_dir, const char *scripts_dir,
                      const char *gnuplot, bool png, struct report_plots *out, char *err,
                      size_t err_len)
{
    memset(out, 0, sizeof(*out));
    struct maker m = {.r = r,
                      .dir = plots_dir,
                      .scripts = scripts_dir,
                      .gnuplot = gnuplot,
                      .png = png,
                      .out = out,
                      .err = err,
                      .err_len = err_len};
    char data[4096];
    snprintf(data, sizeof(data), "%s/data", plots_dir);
    if (mkdir(data, 0755) != 0 && errno != EEXIST) {
        int e = errno;
        reason_format(err, err_len, "%s: mkdir failed: %s", data, strerror(e));
        return -e;
    }
    /* Families in the order the run lists them. */
    char families[32][64];
    size_t family_count = 0;
    for (size_t i = 0; i < r->run->case_count && family_count < 32; i++) {
        char f[64];
        bool known = false;
        report_family(&r->run->cases[i], f, sizeof(f));
        for (size_t k = 0; k < family_count; k++)
            known = known || strcmp(families[k], f) == 0;
        if (!known)
            snprintf(families[family_count++], sizeof(families[0]), "%s", f);
    }
    int rc = 0;
    for (size_t f = 0; rc == 0 && f < family_count; f++) {
        size_t cases = 0;
        for (size_t i = 0; i < r->run->case_count; i++)
            cases += in_family(&r->run->cases[i], families[f]) && usable(&r->run->cases[i]);
        rc = make_spectrum(&m, families[f]);
        if (rc == 0 && cases <= REPORT_PLOT_MAX_BARS) {
            rc = make_bars(&m, families[f], NULL);
        } else {
            /* One chart per scenario, in run order. */
            for (size_t i = 0; rc == 0 && i < r->run->case_count; i++) {
                const struct stored_case *c = &r->run->cases[i];
                bool first = in_family(c, families[f]);
                for (size_t k = 0; first && k < i; k++)
                    first = strcmp(r->run->cases[k].scenario, c->scenario) != 0;
                if (first)
                    rc = make_bars(&m, families[f], c->scenario);
            }
        }
    }
    if (rc == 0)
        rc = make_rss(&m);
    if (rc == 0)
        rc = make_clocks(&m);
    if (rc == 0)
        rc = make_rate(&m);
    if (rc == 0)
        rc = make_ipc(&m);
    if (rc == 0)
        rc = make_output(&m);
    if (rc == 0)
        rc = make_drift(&m, families, family_count);
    out->drawn = rc == 0 && gnuplot != NULL;
    return rc;
}

void report_plots_free(struct report_plots *plots)
{
    free(plots->list);
    memset(plots, 0, sizeof(*plots));
}
