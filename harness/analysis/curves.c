/*
 * The analyses scenarios declare (base/analysis_spec.h): the slope of
 * latency against a parameter (Theil-Sen with Sen's interval), the ratio to
 * a partner scenario at the same parameters, and the break-even task length
 * of a partner. Definitions and their reasons are in curves.h; this file
 * finds the groups and the matching cases and does the arithmetic, for any
 * family. Only cases that were measured (status ok, with rounds)
 * contribute; everything else stays NAN, which the writers show as an
 * empty cell or null.
 */
#include "curves.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "round_ratio.h"

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* z with P(Z > z) = q for the standard normal, 0 < q < 0.5, by bisection. */
static double normal_upper_quantile(double q)
{
    double lo = 0.0, hi = 40.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(mid / sqrt(2.0)) > q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* The sums over groups of tied values that Var(S) needs: t(t-1)(2t+5),
 * t(t-1)(t-2) and t(t-1), for the n values of v (sorted in place). */
struct tie_sums {
    double a, b, c;
};

static struct tie_sums tie_sums(double *v, size_t n)
{
    struct tie_sums s = {0, 0, 0};
    qsort(v, n, sizeof(*v), compare_double);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] == v[i])
            j++;
        double t = (double)(j - i);
        s.a += t * (t - 1) * (2 * t + 5);
        s.b += t * (t - 1) * (t - 2);
        s.c += t * (t - 1);
        i = j;
    }
    return s;
}

/* Variance of Kendall's S under independence with ties in both variables
 * (Kendall, Rank Correlation Methods, 1970, eq. 4.3); scratch holds n. */
static double kendall_s_variance_in(const double *x, const double *y, size_t n, double *scratch)
{
    double nn = (double)n;
    memcpy(scratch, x, n * sizeof(*x));
    struct tie_sums tx = tie_sums(scratch, n);
    memcpy(scratch, y, n * sizeof(*y));
    struct tie_sums ty = tie_sums(scratch, n);
    double v = (nn * (nn - 1) * (2 * nn + 5) - tx.a - ty.a) / 18.0;
    if (n > 2)
        v += tx.b * ty.b / (9.0 * nn * (nn - 1) * (nn - 2));
    if (n > 1)
        v += tx.c * ty.c / (2.0 * nn * (nn - 1));
    return v;
}

double curves_kendall_s_variance(const double *x, const double *y, size_t n)
{
    double *scratch = malloc((n + 1) * sizeof(*scratch));
    if (scratch == NULL)
        return NAN;
    double v = kendall_s_variance_in(x, y, n, scratch);
    free(scratch);
    return v;
}

int curves_theil_sen(const double *x, const double *y, size_t n, double alpha,
                     struct curves_estimate *out)
{
    out->value = out->low = out->high = NAN;
    if (n > CURVES_MAX_POINTS)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return -EINVAL;
    }
    if (n < 2)
        return 0;
    double *slopes = malloc(n * (n - 1) / 2 * sizeof(*slopes));
    double *scratch = malloc(n * sizeof(*scratch));
    if (slopes == NULL || scratch == NULL) {
        free(slopes);
        free(scratch);
        return -ENOMEM;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (x[i] != x[j])
                slopes[count++] = (y[j] - y[i]) / (x[j] - x[i]);
        }
    }
    if (count > 0) {
        qsort(slopes, count, sizeof(*slopes), compare_double);
        out->value =
            count % 2 ? slopes[count / 2] : 0.5 * (slopes[count / 2 - 1] + slopes[count / 2]);
        double c = normal_upper_quantile(alpha / 2) * sqrt(kendall_s_variance_in(x, y, n, scratch));
        double m1 = floor(((double)count - c) / 2.0);      /* 1-based rank of the low end */
        double m2 = ceil(((double)count + c) / 2.0) + 1.0; /* 1-based rank of the high end */
        if (m1 >= 1.0 && m2 <= (double)count) {
            out->low = slopes[(size_t)m1 - 1];
            out->high = slopes[(size_t)m2 - 1];
        }
    }
    free(slopes);
    free(scratch);
    return 0;
}

double curves_break_even_ns(double spawn_ns, double pool_ns, double saving)
{
    if (!(spawn_ns > 0) || !(pool_ns > 0) || !(saving > 0))
        return NAN;
    double t = (spawn_ns - pool_ns) / saving - spawn_ns;
    return t > 0 ? t : 0;
}

/* ---- finding groups and partners ------------------------------------- */

/* Index of the parameter called name in def, or -1. */
static int param_index(const struct case_def *def, const char *name)
{
    const struct param_spec *specs = def->scenario ? def->scenario->params : NULL;
    for (size_t p = 0; specs != NULL && p < def->param_count && specs[p].name != NULL; p++) {
        if (strcmp(specs[p].name, name) == 0)
            return (int)p;
    }
    return -1;
}

static bool measured(const struct case_result *c)
{
    return c->status == CASE_OK && c->stats.n > 0;
}

/* a and b are the same scenario and placement and differ at most in the
 * parameter called param. */
static bool same_group(const struct case_def *a, const struct case_def *b, const char *param)
{
    if (a->scenario != b->scenario || a->placement != b->placement ||
        a->param_count != b->param_count)
        return false;
    for (size_t p = 0; p < a->param_count; p++) {
        if (strcmp(a->scenario->params[p].name, param) != 0 &&
            strcmp(a->params[p].text, b->params[p].text) != 0)
            return false;
    }
    return true;
}

/* partner has, for each of its parameters, the value def has for it, or
 * its first default when def has no such parameter; and the same
 * placement. */
static bool matches_partner(const struct case_def *def, const struct case_def *partner)
{
    if (partner->placement != def->placement)
        return false;
    const struct param_spec *specs = partner->scenario->params;
    for (size_t p = 0; specs != NULL && p < partner->param_count && specs[p].name != NULL; p++) {
        int k = param_index(def, specs[p].name);
        if (k >= 0) {
            if (strcmp(def->params[k].text, partner->params[p].text) != 0)
                return false;
            continue;
        }
        const char *d = specs[p].defaults ? specs[p].defaults : "";
        size_t len = strcspn(d, ",");
        if (strlen(partner->params[p].text) != len || strncmp(partner->params[p].text, d, len))
            return false;
    }
    return true;
}

/* The measured case of scenario partner that matches def, or NULL. */
static const struct case_result *find_partner(const struct run_results *r,
                                              const struct case_def *def, const char *partner)
{
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        if (c->def.scenario != NULL && strcmp(c->def.scenario->name, partner) == 0 &&
            matches_partner(def, &c->def))
            return measured(c) ? c : NULL;
    }
    return NULL;
}

/* The round medians of case index into a new array (free with free()),
 * followed, from index r->round_count on, by each one's round number. */
static double *round_medians(const struct run_results *r, size_t index, size_t *count)
{
    *count = 0;
    double *v = malloc((2 * r->round_count + 1) * sizeof(*v));
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < r->round_count && r->rounds != NULL; i++) {
        if (r->rounds[i].case_index == index && r->rounds[i].n > 0) {
            v[r->round_count + *count] = (double)r->rounds[i].round;
            v[(*count)++] = (double)r->rounds[i].p50_ns;
        }
    }
    return v;
}

/* The slope of analysis a over the group of case index; every member of
 * the group gets it, and is marked done for a. */
static int fill_group_slope(struct run_results *r, size_t index, size_t a, bool *done)
{
    const struct case_def *def = &r->cases[index].def;
    const struct analysis_spec *spec = &def->scenario->analyses[a];
    int param = param_index(def, spec->param);
    if (param < 0)
        return 0; /* the scenario has no such parameter: nothing to slope against */
    double *x = malloc(CURVES_MAX_POINTS * sizeof(*x));
    double *y = malloc(CURVES_MAX_POINTS * sizeof(*y));
    int rc = x == NULL || y == NULL ? -ENOMEM : 0;
    size_t n = 0;
    bool too_many = false;
    for (size_t i = 0; rc == 0 && i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        if (!same_group(def, &c->def, spec->param))
            continue;
        done[i * ANALYSES_MAX + a] = true;
        if (!measured(c))
            continue;
        double units = (double)c->def.params[param].number / spec->per;
        for (size_t k = 0; k < r->round_count && r->rounds != NULL; k++) {
            if (r->rounds[k].case_index != i || r->rounds[k].n == 0)
                continue;
            if (n == CURVES_MAX_POINTS) {
                too_many = true;
                break;
            }
            x[n] = units;
            y[n] = (double)r->rounds[k].p50_ns;
            n++;
        }
    }
    struct curves_estimate slope = {NAN, NAN, NAN};
    if (rc == 0 && !too_many)
        rc = curves_theil_sen(x, y, n, CURVES_ALPHA, &slope);
    free(x);
    free(y);
    if (rc == -EINVAL)
        rc = 0; /* a value that cannot be fitted: the slope stays unknown */
    for (size_t i = 0; rc == 0 && i < r->case_count; i++) {
        struct case_result *c = &r->cases[i];
        if (same_group(def, &c->def, spec->param))
            c->analysis[a] = (struct case_analysis){slope.value, slope.low, slope.high};
    }
    return rc;
}

static int fill_ratio(struct run_results *r, size_t index, size_t a)
{
    struct case_result *c = &r->cases[index];
    const struct analysis_spec *spec = &c->def.scenario->analyses[a];
    const struct case_result *ref = find_partner(r, &c->def, spec->partner);
    if (ref == NULL || ref == c)
        return 0;
    size_t n = 0, ref_n = 0;
    double *mine = round_medians(r, index, &n);
    double *theirs = round_medians(r, (size_t)(ref - r->cases), &ref_n);
    int rc = -ENOMEM;
    struct round_ratio ratio;
    if (mine != NULL && theirs != NULL) {
        struct ratio_side side = {mine, mine + r->round_count, n, (double)c->stats.p50_ns,
                                  (double)c->stats.p50_ci_low_ns, (double)c->stats.p50_ci_high_ns};
        struct ratio_side ref_side = {theirs, theirs + r->round_count, ref_n,
                                      (double)ref->stats.p50_ns, (double)ref->stats.p50_ci_low_ns,
                                      (double)ref->stats.p50_ci_high_ns};
        rc = round_ratio(&side, &ref_side, true, &ratio);
    }
    free(mine);
    free(theirs);
    if (rc == 0)
        c->analysis[a] = (struct case_analysis){ratio.value, ratio.low, ratio.high};
    return rc;
}

static void fill_break_even(struct run_results *r, size_t index, size_t a)
{
    struct case_result *c = &r->cases[index];
    const struct analysis_spec *spec = &c->def.scenario->analyses[a];
    const struct case_result *partner = find_partner(r, &c->def, spec->partner);
    if (partner == NULL || partner == c)
        return;
    c->analysis[a].value =
        curves_break_even_ns((double)c->stats.p50_ns, (double)partner->stats.p50_ns, spec->saving);
}

int curves_compute(struct run_results *r)
{
    for (size_t i = 0; i < r->case_count; i++) {
        for (size_t a = 0; a < ANALYSES_MAX; a++)
            r->cases[i].analysis[a] = (struct case_analysis){NAN, NAN, NAN};
    }
    bool *done = calloc(r->case_count * ANALYSES_MAX + 1, sizeof(*done));
    if (done == NULL)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->case_count; i++) {
        const struct scenario *sc = r->cases[i].def.scenario;
        size_t declared = scenario_analysis_count(sc);
        for (size_t a = 0; rc == 0 && a < declared; a++) {
            const struct analysis_spec *spec = &sc->analyses[a];
            if (spec->kind == ANALYSIS_SLOPE && !done[i * ANALYSES_MAX + a])
                rc = fill_group_slope(r, i, a, done);
            /* A ratio or break-even of the partner with itself says nothing. */
            if (spec->kind == ANALYSIS_SLOPE || strcmp(sc->name, spec->partner) == 0 ||
                !measured(&r->cases[i]))
                continue;
            if (spec->kind == ANALYSIS_RATIO)
                rc = fill_ratio(r, i, a);
            else
                fill_break_even(r, i, a);
        }
    }
    free(done);
    return rc;
}
