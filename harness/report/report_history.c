/*
 * The report's history section (report_history.h): the series of this
 * machine's runs read from the store next to the run folder, their change
 * points, a trend plot per family drawn by plots/trend.gp (numbers in the
 * data file, every string a gnuplot_quote() literal in the settings file),
 * and the table of changes.
 */
#include "report_history.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/reason.h"
#include "gnuplot_quote.h"
#include "report_gnuplot.h"

/* Cases of this run only: the trends are the run's own cases over time. */
static bool in_run(const char *scenario, const char *name, void *ctx)
{
    (void)scenario;
    return results_read_find_case(ctx, name) != NULL;
}

static void family_of(const char *name, char *buf, size_t len)
{
    size_t n = strcspn(name, ".{");
    snprintf(buf, len, "%.*s", (int)n, name);
}

static int write_quoted(FILE *fp, const char *prefix, const char *text)
{
    size_t size = gnuplot_quote_size(text);
    char *q = malloc(size);
    if (q == NULL)
        return -ENOMEM;
    int rc = gnuplot_quote(text, q, size);
    if (rc >= 0)
        fprintf(fp, "%s%s\n", prefix, q);
    free(q);
    return rc < 0 ? rc : 0;
}

static const struct history_change *change_at(const struct history_result *r, size_t run)
{
    for (size_t i = 0; i < r->change_count; i++) {
        if (r->changes[i].run == run)
            return &r->changes[i];
    }
    return NULL;
}

/* One family's trend: data, settings, and the drawing. */
static int make_trend(struct report_history *out, const char *family, const char *dir,
                      const char *scripts, const char *gnuplot, bool png, size_t number, char *err,
                      size_t err_len)
{
    size_t members[REPORT_PLOT_MAX_SERIES], count = 0, left_out = 0;
    for (size_t i = 0; i < out->h.count; i++) {
        char f[64];
        family_of(out->h.series[i].name, f, sizeof(f));
        if (strcmp(f, family) != 0 || out->h.series[i].count < 2)
            continue;
        if (count < REPORT_PLOT_MAX_SERIES)
            members[count++] = i;
        else
            left_out++;
    }
    if (count == 0)
        return 0;
    struct report_plot *bigger =
        realloc(out->plots.list, (out->plots.count + 1) * sizeof(*out->plots.list));
    if (bigger == NULL)
        return -ENOMEM;
    out->plots.list = bigger;
    struct report_plot *plot = &out->plots.list[out->plots.count++];
    memset(plot, 0, sizeof(*plot));
    /* The file name: digits, the kind, the family made of [a-z0-9_]. */
    int n = snprintf(plot->name, sizeof(plot->name), "%02zu-trend-", number);
    for (const char *c = family; *c && n < 60; c++, n++)
        plot->name[n] = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '_';
    plot->name[n] = '\0';
    snprintf(plot->title, sizeof(plot->title), "%s: medians over the runs of this machine", family);
    snprintf(plot->caption, sizeof(plot->caption),
             "Each case's median (95%% CI) in every run of this machine in the history store, "
             "oldest first, up to this run; a ring marks the run where a change starts%s",
             left_out > 0 ? " (the first 16 cases of the family)" : "");

    char path[PATH_MAX + 128];
    snprintf(path, sizeof(path), "%s/data/%s.csv", dir, plot->name);
    FILE *fp = fopen(path, "we");
    if (fp == NULL) {
        int e = errno;
        reason_format(err, err_len, "%s: cannot create: %s", path, strerror(e));
        return -e;
    }
    fputs("# run,p50_us,ci_low_us,ci_high_us,change_us\n", fp);
    for (size_t m = 0; m < count; m++) {
        const struct store_series *s = &out->h.series[members[m]];
        if (m > 0)
            fputs("\n\n", fp);
        for (size_t k = 0; k < s->count; k++) {
            const struct store_point *p = &s->points[k];
            double us = (double)p->p50_ns / 1000;
            fprintf(fp, "%zu,%.6g,%.6g,%.6g,", k + 1, us, (double)p->p50_ci_low_ns / 1000,
                    (double)p->p50_ci_high_ns / 1000);
            if (change_at(&out->results[members[m]], k + 1) != NULL)
                fprintf(fp, "%.6g\n", us);
            else
                fputs("NaN\n", fp);
        }
    }
    int rc = ferror(fp) ? -EIO : 0;
    if (fclose(fp) != 0 || rc != 0) {
        reason_format(err, err_len, "%s: write failed", path);
        return -EIO;
    }

    snprintf(path, sizeof(path), "%s/data/%s.settings.gp", dir, plot->name);
    fp = fopen(path, "we");
    if (fp == NULL) {
        int e = errno;
        reason_format(err, err_len, "%s: cannot create: %s", path, strerror(e));
        return -e;
    }
    char datafile[160];
    snprintf(datafile, sizeof(datafile), "data/%s.csv", plot->name);
    fputs("# Written by procbench report for trend.gp: every string is a single-quoted literal.\n",
          fp);
    rc = write_quoted(fp, "plottitle = ", plot->title);
    if (rc == 0)
        rc = write_quoted(fp, "datafile = ", datafile);
    fprintf(fp, "n = %zu\narray titles[%zu]\n", count, count);
    for (size_t m = 0; rc == 0 && m < count; m++) {
        /* The case without its family's prefix: the legend is narrow. */
        const char *name = out->h.series[members[m]].name;
        const char *dot = strchr(name, '.');
        char prefix[48];
        snprintf(prefix, sizeof(prefix), "titles[%zu] = ", m + 1);
        rc = write_quoted(fp, prefix, dot != NULL ? dot + 1 : name);
    }
    if (ferror(fp) && rc == 0)
        rc = -EIO;
    if (fclose(fp) != 0 || rc != 0) {
        reason_format(err, err_len, "%s: write failed", path);
        return rc != 0 ? rc : -EIO;
    }
    if (gnuplot == NULL)
        return 0;
    char settings[160], script[PATH_MAX], log[PATH_MAX + 32], why[512];
    snprintf(settings, sizeof(settings), "data/%s.settings.gp", plot->name);
    snprintf(script, sizeof(script), "%s/trend.gp", scripts);
    snprintf(log, sizeof(log), "%s/data/gnuplot.log", dir);
    for (int format = 0; format < (png ? 2 : 1); format++) {
        const char *ext = format == 0 ? "svg" : "png";
        char outfile[160], quoted[340], assign[400];
        snprintf(outfile, sizeof(outfile), "%s.%s", plot->name, ext);
        if (gnuplot_quote(outfile, quoted, sizeof(quoted)) < 0)
            return -ENAMETOOLONG;
        snprintf(assign, sizeof(assign), "fmt = '%s'; outfile = %s", ext, quoted);
        const char *args[] = {settings, "-e", assign, script};
        rc = report_gnuplot_run(gnuplot, dir, args, 4, log, why, sizeof(why));
        if (rc != 0) {
            reason_format(err, err_len, "plot %s (trend.gp): %s", plot->name, why);
            return rc;
        }
    }
    return 0;
}

int report_history_make(const struct report_run *r, const char *plots_dir, const char *scripts_dir,
                        const char *gnuplot, bool png, size_t first_plot,
                        struct report_history *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    char real[PATH_MAX], store_file[PATH_MAX + 32], why[1024];
    if (realpath(r->folder, real) == NULL)
        return 0;
    snprintf(store_file, sizeof(store_file), "%s/%s", dirname(real), STORE_FILE);
    if (access(store_file, F_OK) != 0)
        return 0;
    struct store *s = NULL;
    if (store_open(store_file, STORE_READ, STORE_BUSY_TIMEOUT_MS, &s, why, sizeof(why)) != 0) {
        out->present = true;
        reason_format(out->note, sizeof(out->note), "The history store could not be read: %s", why);
        return 0;
    }
    char machine[1024];
    store_machine(r->run, machine, sizeof(machine));
    struct store_query q = {.until_unix_ns = r->run->started_unix_ns,
                            .machine = machine,
                            .want = in_run,
                            .ctx = r->run};
    int rc = store_read_history(s, &q, &out->h, why, sizeof(why));
    store_close(s);
    if (rc != 0) {
        out->present = true;
        reason_format(out->note, sizeof(out->note), "The history store could not be read: %s", why);
        return 0;
    }
    bool earlier = false;
    for (size_t i = 0; i < out->h.count; i++)
        earlier = earlier || out->h.series[i].count >= 2;
    if (!earlier)
        return 0;
    out->present = true;
    out->results = calloc(out->h.count, sizeof(*out->results));
    if (out->results == NULL)
        return -ENOMEM;
    struct history_options hopt = {.threshold = 0.05};
    for (size_t i = 0; i < out->h.count; i++) {
        rc = history_analyse(&out->h.series[i], &hopt, &out->results[i]);
        if (rc != 0) {
            reason_format(err, err_len, "history of %s: %s", out->h.series[i].name, strerror(-rc));
            return rc;
        }
    }
    /* Families in the order of the series (by name). */
    char done[32][64];
    size_t families = 0;
    for (size_t i = 0; rc == 0 && i < out->h.count && families < 32; i++) {
        char f[64];
        family_of(out->h.series[i].name, f, sizeof(f));
        bool seen = false;
        for (size_t k = 0; k < families; k++)
            seen = seen || strcmp(done[k], f) == 0;
        if (seen)
            continue;
        snprintf(done[families++], sizeof(done[0]), "%s", f);
        rc = make_trend(out, f, plots_dir, scripts_dir, gnuplot, png,
                        first_plot + out->plots.count + 1, err, err_len);
    }
    out->plots.drawn = rc == 0 && gnuplot != NULL;
    if (rc == 0 && gnuplot == NULL)
        snprintf(out->note, sizeof(out->note),
                 "No trend plots: gnuplot was not found. Their data is in plots/data/.");
    return rc;
}

void report_history_free(struct report_history *h)
{
    for (size_t i = 0; h->results != NULL && i < h->h.count; i++)
        history_result_free(&h->results[i]);
    free(h->results);
    store_history_free(&h->h);
    report_plots_free(&h->plots);
    memset(h, 0, sizeof(*h));
}

void report_history_write(struct report_writer *w, const struct report_history *h,
                          const char *plots_dir)
{
    if (!h->present)
        return;
    w->ops->heading(w, 2, "History on this machine");
    if (h->note[0] != '\0')
        w->ops->paragraph(w, h->note);
    if (h->results == NULL)
        return;
    size_t runs = 0, changes = 0;
    for (size_t i = 0; i < h->h.count; i++) {
        runs = h->h.series[i].count > runs ? h->h.series[i].count : runs;
        changes += h->results[i].change_count;
    }
    char text[1024];
    snprintf(text, sizeof(text),
             "The history store holds %zu runs of this machine (%s) up to this one. Change points "
             "by E-divisive means on the runs' log medians (permutation test, alpha %.2g); "
             "ratios after/before by Hodges-Lehmann on the round medians, with 95%% intervals; "
             "changes within 5%% are not reported. `procbench history` shows every series.",
             runs, h->h.count > 0 ? h->h.series[0].machine : "?", HISTORY_ALPHA);
    w->ops->paragraph(w, text);
    w->ops->heading(w, 3, "Changes found");
    if (changes == 0) {
        w->ops->paragraph(w, "None: no case changed beyond 5% over these runs.");
    } else {
        static const char *const headers[] = {"case",   "run",          "started (UTC)",
                                              "commit", "after/before", "95% interval"};
        w->ops->table_begin(w, 6, headers, "lrllrl");
        for (size_t i = 0; i < h->h.count; i++) {
            const struct store_series *s = &h->h.series[i];
            for (size_t k = 0; k < h->results[i].change_count; k++) {
                const struct history_change *c = &h->results[i].changes[k];
                const struct store_point *p = &s->points[c->run - 1];
                char run[48], when[32], ratio[32], interval[64];
                snprintf(run, sizeof(run), "%zu of %zu", c->run, s->count);
                time_t t = (time_t)(p->started_unix_ns / 1000000000u);
                struct tm tm;
                if (gmtime_r(&t, &tm) == NULL ||
                    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                    snprintf(when, sizeof(when), "?");
                snprintf(ratio, sizeof(ratio), "%.3f", c->ratio);
                if (c->ratio_low > 0 && isfinite(c->ratio_high))
                    snprintf(interval, sizeof(interval), "%.3f to %.3f", c->ratio_low,
                             c->ratio_high);
                else
                    snprintf(interval, sizeof(interval), "none (too few rounds)");
                const char *cells[] = {s->name, run, when, p->commit, ratio, interval};
                w->ops->table_row(w, cells);
            }
        }
        w->ops->table_end(w);
    }
    if (!h->plots.drawn)
        return;
    for (size_t i = 0; i < h->plots.count; i++) {
        const struct report_plot *p = &h->plots.list[i];
        char path[PATH_MAX + 128];
        snprintf(path, sizeof(path), "%s/%s.svg", plots_dir, p->name);
        w->ops->heading(w, 3, p->title);
        w->ops->plot(w, p->name, path, p->title, p->caption);
    }
}
