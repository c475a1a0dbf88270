/*
 * The report's history section (report_history.h): the series of this
 * machine's runs read from the store next to the run folder, their change
 * points, a trend plot per family drawn like the report's other plots
 * (report_plot_draw.h: human units, the one palette, a legend beside it),
 * and the table of changes, cases named by what varies among them.
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

#include "base/case_label.h"
#include "base/reason.h"
#include "report_plot_draw.h"

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

static const struct history_change *change_at(const struct history_result *r, size_t run)
{
    for (size_t i = 0; i < r->change_count; i++) {
        if (r->changes[i].run == run)
            return &r->changes[i];
    }
    return NULL;
}

/* The names of the series of h by what varies among them, their family
 * kept ("family.op{rss=64M}"): the table's first column. */
static void series_label(const struct store_history *h, size_t i, char *buf, size_t len)
{
    struct case_name c, other;
    struct case_vary v;
    if (case_name_parse(h->series[i].name, &c) != 0) {
        snprintf(buf, len, "%s", h->series[i].name);
        return;
    }
    case_vary_init(&v);
    for (size_t k = 0; k < h->count; k++) {
        if (case_name_parse(h->series[k].name, &other) == 0)
            case_vary_add(&v, &other);
    }
    case_label_format(&c, &v, NULL, false, buf, len);
}

/* One family's trend: each case's median with its interval over the runs,
 * a ring where a change starts, drawn like every other plot
 * (report_plot_draw.h). */
static int make_trend(struct report_history *out, struct plot_target *t, const char *family)
{
    struct plot_figure f;
    memset(&f, 0, sizeof(f));
    f.kind = PLOT_LINES;
    f.xkind = PLOT_X_RUN;
    f.yunit = REPORT_UNIT_NS;
    snprintf(f.title, sizeof(f.title), "%s: has this machine changed from run to run?", family);
    snprintf(f.xlabel, sizeof(f.xlabel), "run of this machine (oldest first)");
    snprintf(f.ylabel, sizeof(f.ylabel), "median");
    snprintf(f.caption, sizeof(f.caption),
             "Each case's median (95%% CI) in every run of this machine in the history store, "
             "oldest first, up to this run; a ring marks the run where a change starts.");
    /* The family's series, named by what varies among them. */
    size_t n = 0;
    const struct case_name **names = calloc(out->h.count + 1, sizeof(*names));
    struct case_name *parsed = calloc(out->h.count + 1, sizeof(*parsed));
    size_t *index = calloc(out->h.count + 1, sizeof(*index));
    int rc = names == NULL || parsed == NULL || index == NULL ? -ENOMEM : 0;
    for (size_t i = 0; rc == 0 && i < out->h.count; i++) {
        char fam[64];
        family_of(out->h.series[i].name, fam, sizeof(fam));
        if (strcmp(fam, family) != 0 || out->h.series[i].count < 2 ||
            case_name_parse(out->h.series[i].name, &parsed[n]) != 0)
            continue;
        names[n] = &parsed[n];
        index[n++] = i;
    }
    struct case_vary v;
    case_vary_compute(names, n, &v);
    for (size_t m = 0; rc == 0 && m < n; m++) {
        const struct store_series *s = &out->h.series[index[m]];
        char label[256];
        case_label_format(&parsed[m], &v, NULL, true, label, sizeof(label));
        struct plot_series *series = plot_series_get(&f, label, 0);
        for (size_t k = 0; series != NULL && rc == 0 && k < s->count; k++) {
            const struct store_point *p = &s->points[k];
            struct plot_point pt = {.x = (double)(k + 1),
                                    .y = (double)p->p50_ns,
                                    .lo = (double)p->p50_ci_low_ns,
                                    .hi = (double)p->p50_ci_high_ns,
                                    .extra = change_at(&out->results[index[m]], k + 1) != NULL
                                                 ? (double)p->p50_ns
                                                 : NAN};
            rc = plot_series_add(series, &pt);
        }
    }
    if (rc == 0 && n > 0) {
        char constants[640];
        case_vary_constants(&v, NULL, constants, sizeof(constants));
        if (constants[0] != '\0') {
            size_t used = strlen(f.caption);
            snprintf(f.caption + used, sizeof(f.caption) - used, " Same for every case: %s.",
                     constants);
        }
        char token[96];
        snprintf(token, sizeof(token), "%s_trend", family);
        rc = plot_figure_emit(t, &f, token);
    }
    plot_figure_free(&f);
    free(names);
    free(parsed);
    free(index);
    return rc;
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
    struct plot_target target = {.dir = plots_dir,
                                 .scripts = scripts_dir,
                                 .gnuplot = gnuplot,
                                 .png = png,
                                 .out = &out->plots,
                                 .numbered_before = first_plot,
                                 .err = err,
                                 .err_len = err_len};
    err[0] = '\0';
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
        rc = make_trend(out, &target, f);
    }
    plot_palette_free(&target.palette);
    if (rc == -ENOMEM && err[0] == '\0')
        reason_format(err, err_len, "out of memory drawing the trends");
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
             "changes within 5%% are not reported. " REPORT_CODE "procbench history" REPORT_CODE
             " shows every series.",
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
                char label[256];
                series_label(&h->h, i, label, sizeof(label));
                const char *cells[] = {label, run, when, p->commit, ratio, interval};
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
