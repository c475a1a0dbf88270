/*
 * Which plots a report gets and what goes into each (report_plots.h). The
 * declared plots come from bench/report_plots.def; everything else here is
 * generic: a family is the part of a scenario's name up to its first '.',
 * a series is named by what varies among the cases of its plot
 * (base/case_label.h), and what does not vary is said in the caption.
 */
#include "report_plots.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/check.h"
#include "base/reason.h"
#include "report_metrics.h"
#include "report_plot_draw.h"
#include "report_plots_maker.h"

enum spec_kind { LINES, STACK };

static const struct spec {
    const char *id;
    enum spec_kind kind;
    const char *scenarios, *question, *metric, *x, *panels, *where, *caption;
} specs[] = {
#define PLOT(id_, kind_, scenarios_, question_, metric_, x_, panels_, where_, caption_)            \
    {#id_, kind_, scenarios_, question_, metric_, x_, panels_, where_, caption_},
#include "report_plots.def"
#undef PLOT
};
#define SPEC_COUNT (sizeof(specs) / sizeof(specs[0]))

bool report_plots_usable(const struct stored_case *c)
{
    return strcmp(c->status, "ok") == 0 && c->n > 0 && c->p50_ns > 0;
}

bool report_plots_in_family(const struct stored_case *c, const char *family)
{
    char f[64];
    report_family(c, f, sizeof(f));
    return strcmp(f, family) == 0;
}

/* scenarios: a comma list of families (each ending in '.') and scenarios. */
static bool selected(const struct stored_case *c, const char *scenarios)
{
    const char *p = scenarios;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        bool family = n > 0 && p[n - 1] == '.';
        if (family ? strncmp(c->scenario, p, n) == 0
                   : strlen(c->scenario) == n && strncmp(c->scenario, p, n) == 0)
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

/* Every item of where holds for c: key=value (c has key, of that value),
 * key!=value (c lacks key or has another value), key?=value (c lacks key
 * or has that value: "rate?=0", a closed loop, also in a run from before
 * the parameter). Values compare as sizes where both are sizes. */
static bool where_holds(const struct stored_case *c, const char *where)
{
    const char *p = where;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        char item[128];
        snprintf(item, sizeof(item), "%.*s", (int)n, p);
        char *eq = strchr(item, '=');
        if (eq != NULL) {
            char op = eq > item && (eq[-1] == '!' || eq[-1] == '?') ? eq[-1] : '=';
            eq[op == '=' ? 0 : -1] = '\0';
            const char *v = report_param(c, item);
            bool same = v != NULL && check_same_value(v, eq + 1);
            if (op == '=' ? !same : op == '!' ? same : v != NULL && !same)
                return false;
        }
        p += n + (p[n] == ',');
    }
    return true;
}

/* A number parameter of c: a size ("64M") or a count. */
static bool param_number(const struct stored_case *c, const char *key, double *out)
{
    uint64_t v;
    if (!report_param_size(c, key, &v))
        return false;
    *out = (double)v;
    return true;
}

/* The value of a metric of c: the time's median with its interval, the
 * throughput, or a declared metric. */
bool report_plots_metric_value(const struct maker *m, const struct stored_case *c,
                               const char *metric, struct plot_point *p, enum report_unit *unit)
{
    p->lo = p->hi = p->extra = NAN;
    if (strcmp(metric, "time") == 0) {
        p->y = (double)c->p50_ns;
        p->lo = (double)c->p50_ci_low_ns;
        p->hi = (double)c->p50_ci_high_ns;
        results_read_case_number(c, "p99", &p->extra);
        *unit = REPORT_UNIT_NS;
        return true;
    }
    if (strcmp(metric, "bytes_per_s") == 0) {
        *unit = REPORT_UNIT_BYTES_PER_S;
        return results_read_case_number(c, "bytes_per_s", &p->y) && p->y > 0;
    }
    const struct report_metric *d = report_metrics_find(&m->metrics, metric);
    if (d == NULL || !report_metric_p50(c, d, &p->y))
        return false;
    *unit = d->unit;
    return true;
}

static bool metric_drawn(const struct maker *m, size_t metric, const char *family);

static void mark_metric(struct maker *m, const char *metric, const char *family)
{
    for (size_t i = 0; i < m->metrics.count; i++) {
        if (strcmp(m->metrics.list[i].name, metric) != 0 || m->metric_drawn_count[i] == 8 ||
            metric_drawn(m, i, family))
            continue;
        snprintf(m->metric_drawn[i][m->metric_drawn_count[i]++], 64, "%s", family);
    }
}

static bool metric_drawn(const struct maker *m, size_t metric, const char *family)
{
    for (size_t k = 0; k < m->metric_drawn_count[metric]; k++) {
        if (strcmp(m->metric_drawn[metric][k], family) == 0)
            return true;
    }
    return false;
}

int report_plots_naming(struct naming *nm, const struct stored_case *const *cases, size_t n)
{
    nm->names = calloc(n + 1, sizeof(*nm->names));
    const struct case_name **ptrs = calloc(n + 1, sizeof(*ptrs));
    if (nm->names == NULL || ptrs == NULL) {
        free(ptrs);
        return -ENOMEM;
    }
    nm->one_family = true;
    for (size_t i = 0; i < n; i++) {
        report_case_name(cases[i], &nm->names[i]);
        ptrs[i] = &nm->names[i];
        nm->one_family =
            nm->one_family && case_name_same_family(cases[i]->scenario, cases[0]->scenario);
    }
    case_vary_compute(ptrs, n, &nm->vary);
    free(ptrs);
    return 0;
}

void report_plots_caption(struct plot_figure *f, const struct naming *nm, const char *const *skip)
{
    char constants[768];
    case_vary_constants(&nm->vary, skip, constants, sizeof(constants));
    if (constants[0] == '\0')
        return;
    size_t used = strlen(f->caption);
    snprintf(f->caption + used, sizeof(f->caption) - used, " Same for every case: %s.", constants);
}

/* ---- declared plots -------------------------------------------------------- */

static int make_lines(struct maker *m, const struct spec *s)
{
    const struct stored_run *run = m->r->run;
    /* "time+p99": the median with its interval, and the p99 dashed. */
    char metric[64];
    snprintf(metric, sizeof(metric), "%.*s", (int)strcspn(s->metric, "+"), s->metric);
    bool tails = strcmp(s->metric + strlen(metric), "+p99") == 0 && strcmp(metric, "time") == 0;
    const struct stored_case **cases = calloc(run->case_count + 1, sizeof(*cases));
    size_t *index = calloc(run->case_count + 1, sizeof(*index));
    struct plot_figure f;
    struct naming nm = {.names = NULL};
    int rc = 0;
    memset(&f, 0, sizeof(f));
    if (cases == NULL || index == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    size_t n = 0;
    double first_x = NAN;
    bool varies = false;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        struct plot_point p;
        enum report_unit unit;
        double x;
        if (!report_plots_usable(c) || !selected(c, s->scenarios) || !where_holds(c, s->where) ||
            !param_number(c, s->x, &x) || !report_plots_metric_value(m, c, metric, &p, &unit))
            continue;
        f.yunit = unit;
        varies = varies || (n > 0 && x != first_x);
        first_x = n == 0 ? x : first_x;
        index[n] = i;
        cases[n++] = c;
    }
    if (n == 0 || !varies)
        goto out; /* one value of x: a curve of one point says nothing */
    rc = report_plots_naming(&nm, cases, n);
    if (rc != 0)
        goto out;

    /* Panels: the values of `panels`, in the order met. */
    f.kind = PLOT_LINES;
    f.xkind = PLOT_X_SIZE;
    f.tails = tails;
    snprintf(f.title, sizeof(f.title), "%s", s->question);
    snprintf(f.caption, sizeof(f.caption), "%s", s->caption);
    snprintf(f.xlabel, sizeof(f.xlabel), "%s", s->x);
    const struct report_metric *d = report_metrics_find(&m->metrics, metric);
    snprintf(f.ylabel, sizeof(f.ylabel), "%s",
             strcmp(metric, "time") == 0          ? (tails ? "median (p99 dashed)" : "median")
             : strcmp(metric, "bytes_per_s") == 0 ? "throughput"
             : d != NULL                          ? d->title
                                                  : metric);
    bool panels = s->panels[0] != '\0' && case_vary_varies(&nm.vary, s->panels);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char value[CASE_LABEL_VALUE_MAX] = "", label[256];
        size_t panel = 0;
        if (panels && report_param_text(cases[i], s->panels, value, sizeof(value)) != NULL) {
            while (panel < f.panels &&
                   strcmp(f.panel_titles[panel] + strlen(s->panels) + 1, value) != 0)
                panel++;
            if (panel == f.panels && f.panels < PLOT_MAX_PANELS)
                snprintf(f.panel_titles[f.panels++], sizeof(f.panel_titles[0]), "%s=%s", s->panels,
                         value);
            if (panel == PLOT_MAX_PANELS)
                continue;
        }
        const char *skip[] = {s->x, panels ? s->panels : NULL, NULL};
        case_label_format(&nm.names[i], &nm.vary, skip, nm.one_family, label, sizeof(label));
        struct plot_point p;
        enum report_unit unit;
        report_plots_metric_value(m, cases[i], metric, &p, &unit);
        /* A LINES point's extra is a ring (a change found there): the
         * time's p99 goes to the tail, drawn only when asked for. */
        p.tail = p.extra;
        p.extra = NAN;
        param_number(cases[i], s->x, &p.x);
        char typed[CASE_LABEL_VALUE_MAX];
        if (report_param_text(cases[i], s->x, typed, sizeof(typed)) != NULL)
            plot_figure_typed_x(&f, p.x, typed);
        struct plot_series *series = plot_series_get(&f, label, panel);
        if (series == NULL)
            continue;
        rc = plot_series_add(series, &p);
        m->shown[index[i]] = true;
    }
    const char *skip[] = {s->x, panels ? s->panels : NULL, NULL};
    report_plots_caption(&f, &nm, skip);
    if (rc == 0)
        rc = plot_figure_emit(&m->target, &f, s->id);
    /* The metric is drawn for every family the curve's cases belong to. */
    for (size_t i = 0; rc == 0 && f.count > 0 && i < n; i++) {
        char family[64];
        report_family(cases[i], family, sizeof(family));
        if (i == 0 || !report_plots_in_family(cases[i - 1], family))
            mark_metric(m, metric, family);
    }
out:
    plot_figure_free(&f);
    free(nm.names);
    free(cases);
    free(index);
    return rc;
}

/* The parts of each case's clocks: every metric of spec->metric and the
 * case's median, sorted, each part ending at one of them. */
static int make_stack(struct maker *m, const struct spec *s)
{
    const struct stored_run *run = m->r->run;
    const struct report_metric *clocks[4];
    size_t k = 0;
    const char *p = s->metric;
    while (*p != '\0' && k < 3) {
        size_t len = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)len, p);
        clocks[k] = report_metrics_find(&m->metrics, name);
        if (clocks[k] == NULL)
            return 0; /* a clock this run does not have: no plot */
        k++;
        p += len + (p[len] == ',');
    }
    const struct stored_case **cases = calloc(run->case_count + 1, sizeof(*cases));
    struct naming nm = {.names = NULL};
    struct plot_figure f;
    int rc = 0;
    memset(&f, 0, sizeof(f));
    if (cases == NULL)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < run->case_count && n < PLOT_MAX_BARS; i++) {
        const struct stored_case *c = &run->cases[i];
        double v;
        bool all = report_plots_usable(c) && selected(c, s->scenarios) && where_holds(c, s->where);
        for (size_t j = 0; all && j < k; j++)
            all = report_metric_p50(c, clocks[j], &v);
        if (all)
            cases[n++] = c;
    }
    if (n > 0)
        rc = report_plots_naming(&nm, cases, n);
    f.kind = PLOT_STACK;
    f.xkind = PLOT_X_VALUE;
    f.yunit = REPORT_UNIT_NS;
    snprintf(f.title, sizeof(f.title), "%s", s->question);
    snprintf(f.caption, sizeof(f.caption), "%s", s->caption);
    for (size_t j = 0; j < k; j++)
        snprintf(f.part_titles[j], sizeof(f.part_titles[0]), "until %s", clocks[j]->title);
    snprintf(f.part_titles[k], sizeof(f.part_titles[0]), "until the end (the case's median)");
    f.parts = k + 1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        double at[4];
        size_t part[4];
        for (size_t j = 0; j < k; j++)
            report_metric_p50(cases[i], clocks[j], &at[j]), part[j] = j;
        at[k] = (double)cases[i]->p50_ns, part[k] = k;
        /* Clocks stop in an order of their own per mechanism: sort them. */
        for (size_t a = 1; a <= k; a++) {
            for (size_t b = a; b > 0 && at[b - 1] > at[b]; b--) {
                double t = at[b];
                at[b] = at[b - 1], at[b - 1] = t;
                size_t u = part[b];
                part[b] = part[b - 1], part[b - 1] = u;
            }
        }
        char label[256];
        case_label_format(&nm.names[i], &nm.vary, NULL, nm.one_family, label, sizeof(label));
        struct plot_series *series = plot_series_get(&f, label, 0);
        double from = 0;
        for (size_t j = 0; series != NULL && j <= k && rc == 0; j++) {
            struct plot_point pt = {
                .x = (double)i, .y = at[j], .lo = from, .hi = NAN, .extra = (double)part[j]};
            rc = plot_series_add(series, &pt);
            from = at[j];
        }
    }
    if (n > 0)
        report_plots_caption(&f, &nm, NULL);
    if (rc == 0)
        rc = plot_figure_emit(&m->target, &f, s->id);
    if (rc == 0 && n > 0) {
        char family[64];
        report_family(cases[0], family, sizeof(family));
        for (size_t j = 0; j < k; j++)
            mark_metric(m, clocks[j]->name, family);
    }
    plot_figure_free(&f);
    free(nm.names);
    free(cases);
    return rc;
}

int report_plots_make(const struct report_run *r, const char *plots_dir, const char *scripts_dir,
                      const char *gnuplot, bool png, struct report_plots *out, char *err,
                      size_t err_len)
{
    memset(out, 0, sizeof(*out));
    struct maker *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        reason_format(err, err_len, "out of memory");
        return -ENOMEM;
    }
    m->r = r;
    m->target = (struct plot_target){.dir = plots_dir,
                                     .scripts = scripts_dir,
                                     .gnuplot = gnuplot,
                                     .png = png,
                                     .out = out,
                                     .err = err,
                                     .err_len = err_len};
    report_metrics_of(r->run, &m->metrics);
    m->shown = calloc(r->run->case_count + 1, sizeof(*m->shown));
    char data[4096];
    snprintf(data, sizeof(data), "%s/data", plots_dir);
    int rc = m->shown == NULL ? -ENOMEM : 0;
    if (rc == 0 && mkdir(data, 0755) != 0 && errno != EEXIST) {
        rc = -errno;
        reason_format(err, err_len, "%s: mkdir failed: %s", data, strerror(-rc));
    }
    for (size_t i = 0; rc == 0 && i < SPEC_COUNT; i++)
        rc = specs[i].kind == LINES ? make_lines(m, &specs[i]) : make_stack(m, &specs[i]);

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
    for (size_t f = 0; rc == 0 && f < family_count; f++) {
        rc = report_plots_bars(m, families[f], NULL);
        for (size_t k = 0; rc == 0 && k < m->metrics.count; k++) {
            if (!metric_drawn(m, k, families[f]))
                rc = report_plots_bars(m, families[f], &m->metrics.list[k]);
        }
        if (rc == 0)
            rc = report_plots_spectrum(m, families[f]);
    }
    if (rc == 0)
        rc = report_plots_drift(m);
    if (rc == -ENOMEM && err[0] == '\0')
        reason_format(err, err_len, "out of memory drawing the plots");
    out->drawn = rc == 0 && gnuplot != NULL;
    plot_palette_free(&m->target.palette);
    free(m->shown);
    free(m);
    return rc;
}

void report_plots_free(struct report_plots *plots)
{
    free(plots->list);
    memset(plots, 0, sizeof(*plots));
}
