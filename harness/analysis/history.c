/*
 * history_analyse(): see history.h for the method. This file turns a
 * stored series into the values the change-point search and the rank
 * estimates take (logarithms, so that shifts are ratios), and applies the
 * threshold by merging segments.
 */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "changepoint.h"
#include "ranktest.h"

/* FNV-1a: the seed of a series' shuffles, from its machine and name. */
static uint64_t fnv1a(uint64_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

/* Log round medians of runs [from, to) into out (sized by count_values);
 * a run without rounds counts with its median. */
static size_t gather(const struct store_series *s, size_t from, size_t to, double *out)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        const struct store_point *p = &s->points[i];
        if (p->round_count == 0)
            out[n++] = log((double)p->p50_ns);
        for (size_t k = 0; k < p->round_count; k++)
            out[n++] = log((double)p->round_p50_ns[k]);
    }
    return n;
}

static size_t count_values(const struct store_series *s, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        n += s->points[i].round_count ? s->points[i].round_count : 1;
    return n;
}

/* The ratio of runs [at, to) over runs [from, at), with its interval. */
static int estimate(const struct store_series *s, size_t from, size_t at, size_t to,
                    struct history_change *c)
{
    size_t nx = count_values(s, from, at), ny = count_values(s, at, to);
    double *x = malloc(nx * sizeof(*x)), *y = malloc(ny * sizeof(*y));
    int rc = -ENOMEM;
    struct ranktest_shift shift;
    if (x != NULL && y != NULL) {
        nx = gather(s, from, at, x);
        ny = gather(s, at, to, y);
        rc = ranktest_hl_shift(x, nx, y, ny, HISTORY_ALPHA, &shift);
    }
    if (rc == -E2BIG) {
        /* Too many rounds for every pairwise difference: the runs'
         * medians alone. */
        nx = at - from;
        ny = to - at;
        for (size_t i = 0; i < nx; i++)
            x[i] = log((double)s->points[from + i].p50_ns);
        for (size_t i = 0; i < ny; i++)
            y[i] = log((double)s->points[at + i].p50_ns);
        rc = ranktest_hl_shift(x, nx, y, ny, HISTORY_ALPHA, &shift);
    }
    if (rc == 0) {
        c->run = at + 1;
        c->ratio = exp(shift.estimate);
        c->ratio_low = exp(shift.low);
        c->ratio_high = exp(shift.high);
    }
    free(x);
    free(y);
    return rc;
}

/* Ratios of every change against its neighbouring segments. */
static int estimate_all(const struct store_series *s, struct history_change *changes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t from = i == 0 ? 0 : changes[i - 1].run - 1;
        size_t to = i + 1 == count ? s->count : changes[i + 1].run - 1;
        int rc = estimate(s, from, changes[i].run - 1, to, &changes[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int history_analyse(const struct store_series *series, const struct history_options *opt,
                    struct history_result *out)
{
    memset(out, 0, sizeof(*out));
    out->series = series;
    size_t n = series->count;
    if (n < 2)
        return 0;
    if (n > CHANGEPOINT_MAX_VALUES)
        return -EINVAL;
    double *x = malloc(n * sizeof(*x));
    struct changepoint *points = malloc(n * sizeof(*points));
    out->changes = calloc(n, sizeof(*out->changes));
    int rc = -ENOMEM;
    size_t count = 0;
    if (x == NULL || points == NULL || out->changes == NULL)
        goto out;
    for (size_t i = 0; i < n; i++)
        x[i] = log((double)series->points[i].p50_ns);
    struct changepoint_options copt = {
        .alpha = HISTORY_ALPHA,
        .permutations = n <= HISTORY_SHORT_RUNS ? HISTORY_SHORT_PERMUTATIONS : HISTORY_PERMUTATIONS,
        .min_size = 1,
        .seed = fnv1a(fnv1a(0xcbf29ce484222325ull, series->machine), series->name),
    };
    rc = changepoint_edivisive(x, n, &copt, points, n, &count);
    if (rc != 0)
        goto out;
    for (size_t i = 0; i < count; i++) {
        out->changes[i].run = points[i].at + 1;
        out->changes[i].p = points[i].p;
    }
    double limit = log(1.0 + opt->threshold);
    for (;;) {
        rc = estimate_all(series, out->changes, count);
        if (rc != 0)
            goto out;
        size_t smallest = count;
        for (size_t i = 0; i < count; i++) {
            double size = fabs(log(out->changes[i].ratio));
            if (size <= limit &&
                (smallest == count || size < fabs(log(out->changes[smallest].ratio))))
                smallest = i;
        }
        if (smallest == count)
            break;
        memmove(&out->changes[smallest], &out->changes[smallest + 1],
                (count - smallest - 1) * sizeof(*out->changes));
        count--;
    }
    out->change_count = count;
out:
    free(x);
    free(points);
    if (rc != 0)
        history_result_free(out);
    return rc;
}

void history_result_free(struct history_result *r)
{
    free(r->changes);
    r->changes = NULL;
    r->change_count = 0;
}

int history_gate(const struct store_series *series, const struct history_options *opt,
                 const struct history_result *full, bool *fires,
                 const struct history_change **change)
{
    *fires = false;
    *change = NULL;
    if (full->change_count == 0 || series->count < 2)
        return 0;
    const struct history_change *last = &full->changes[full->change_count - 1];
    if (!(last->ratio > 1.0 + opt->threshold))
        return 0;
    struct store_series before = *series;
    before.count--;
    struct history_result earlier;
    int rc = history_analyse(&before, opt, &earlier);
    if (rc != 0)
        return rc;
    bool seen = false;
    for (size_t i = 0; i < earlier.change_count; i++)
        seen = seen || (earlier.changes[i].run == last->run && earlier.changes[i].ratio > 1.0);
    history_result_free(&earlier);
    *fires = !seen;
    *change = last;
    return 0;
}
