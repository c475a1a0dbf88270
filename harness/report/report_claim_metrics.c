/*
 * Claims on a case's metrics rather than its time (report_claims.h): a side
 * `pattern@metric` names one of the case's declared metrics, judged on the
 * two figures' medians with the conservative ratio of their own 95%
 * intervals (analysis/metric_median.h); BELOW holds one figure's median
 * interval against a bound in its unit.
 */
#include "report_claim_kinds.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/metric_median.h"
#include "report_claim_words.h"
#include "report_metrics.h"

const char *report_claim_split_metric(const char *text, char *buf, size_t len)
{
    const char *at = strchr(text, '@');
    size_t n = at != NULL ? (size_t)(at - text) : strlen(text);
    snprintf(buf, len, "%.*s", (int)n, text);
    return at != NULL ? at + 1 : NULL;
}

/* A figure of run for people, in its metric's unit (the time when metric is
 * NULL or not declared). */
static void figure_text(const struct stored_run *run, const char *metric, double v, char *buf,
                        size_t len)
{
    struct report_metrics metrics;
    report_metrics_of(run, &metrics);
    const struct report_metric *m = metric != NULL ? report_metrics_find(&metrics, metric) : NULL;
    report_format_value(m != NULL ? m->unit : REPORT_UNIT_NS, v, buf, len);
}

/* "1.30 ms [1.29 ms, 1.31 ms]": a median and its interval. */
static void median_text(const struct stored_run *run, const char *metric,
                        const struct metric_median *m, char *buf, size_t len)
{
    char a[48], b[48], c[48];
    figure_text(run, metric, m->median, a, sizeof(a));
    figure_text(run, metric, m->low, b, sizeof(b));
    figure_text(run, metric, m->high, c, sizeof(c));
    snprintf(buf, len, "%s [%s, %s]", a, b, c);
}

/* The median interval of one side into *m; else a verdict and a note
 * saying why there is none. Returns 0 with *m, 1 when res was settled, or
 * -ENOMEM. */
static int side_median(const struct stored_case *c, const char *metric, struct metric_median *m,
                       struct report_claim_result *res)
{
    if (strcmp(c->status, "ok") != 0) {
        res->verdict = REPORT_INCONCLUSIVE;
        report_claim_note(res, "%s %s", c->name, c->status);
        snprintf(res->why, sizeof(res->why), "a case %s", c->status);
        return 1;
    }
    int rc = metric_median_of(c, metric, m);
    if (rc == -ENOMEM)
        return rc;
    if (rc != 0) {
        res->verdict = REPORT_NOT_MEASURED;
        report_claim_note(res, "%s has no %s recorded", c->name, metric != NULL ? metric : "time");
        return 1;
    }
    return 0;
}

int report_claim_judge_metric_ratio(const struct stored_run *run, const struct report_claim *claim,
                                    const struct pair *p, const char *lmetric, const char *rmetric,
                                    struct report_claim_result *res)
{
    struct metric_median l, r;
    int rc = side_median(p->left, lmetric, &l, res);
    if (rc == 0)
        rc = side_median(p->right, rmetric, &r, res);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    char a[160], b[160];
    median_text(run, lmetric, &l, a, sizeof(a));
    median_text(run, rmetric, &r, b, sizeof(b));
    report_claim_note(res,
                      "%s %s against %s %s (medians; interval from the medians' own intervals)",
                      lmetric != NULL ? lmetric : "time", a, rmetric != NULL ? rmetric : "time", b);
    if (!(r.median > 0) || !(r.low > 0)) {
        res->verdict = REPORT_INCONCLUSIVE;
        report_claim_note(res, "the right side's figure reaches 0: no ratio");
        snprintf(res->why, sizeof(res->why), "the right side's figure reaches 0");
        return 0;
    }
    res->ratio = l.median / r.median;
    res->low = l.low / r.high;
    res->high = l.high / r.low;
    double f = claim->factor;
    if (claim->kind == REPORT_CLAIM_SAME)
        res->verdict = res->low >= 1.0 - f && res->high <= 1.0 + f ? REPORT_HOLDS
                       : res->high < 1.0 - f || res->low > 1.0 + f ? REPORT_DOES_NOT_HOLD
                                                                   : REPORT_INCONCLUSIVE;
    else if (claim->kind == REPORT_CLAIM_LESS)
        res->verdict = res->high < f  ? REPORT_HOLDS
                       : res->low > f ? REPORT_DOES_NOT_HOLD
                                      : REPORT_INCONCLUSIVE;
    else
        res->verdict = res->low > f    ? REPORT_HOLDS
                       : res->high < f ? REPORT_DOES_NOT_HOLD
                                       : REPORT_INCONCLUSIVE;
    if (res->verdict == REPORT_INCONCLUSIVE)
        snprintf(res->why, sizeof(res->why), "the ratio's interval [%.3g, %.3g] reaches %g",
                 res->low, res->high, claim->kind == REPORT_CLAIM_SAME ? 1.0 : f);
    char x[3][32];
    report_claim_factor_text(res->ratio, x[0], sizeof(x[0]));
    report_claim_factor_text(res->low, x[1], sizeof(x[1]));
    report_claim_factor_text(res->high, x[2], sizeof(x[2]));
    report_claim_say_context(res, p->left, p->right);
    report_claim_say(res, "%s %s against %s %s: %sx [%sx, %sx]", claim->left_name, a, b,
                     claim->right_name, x[0], x[1], x[2]);
    return 0;
}

int report_claim_judge_below(const struct stored_run *run, const struct report_claim *claim,
                             const struct stored_case *c, const char *metric,
                             struct report_claim_result *res)
{
    struct metric_median m;
    int rc = side_median(c, metric, &m, res);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    char v[160], bound[48];
    median_text(run, metric, &m, v, sizeof(v));
    figure_text(run, metric, claim->factor, bound, sizeof(bound));
    snprintf(res->criterion, sizeof(res->criterion), "median %s of %s below %s (ratio to it)",
             metric != NULL ? metric : "time", c->scenario, bound);
    report_claim_note(res, "%s %s over %llu samples", metric != NULL ? metric : "time", v,
                      (unsigned long long)m.n);
    res->ratio = m.median / claim->factor;
    res->low = m.low / claim->factor;
    res->high = m.high / claim->factor;
    res->verdict = res->high < 1.0  ? REPORT_HOLDS
                   : res->low > 1.0 ? REPORT_DOES_NOT_HOLD
                                    : REPORT_INCONCLUSIVE;
    if (res->verdict == REPORT_INCONCLUSIVE)
        snprintf(res->why, sizeof(res->why), "the median's interval reaches %s", bound);
    report_claim_say_context(res, c, NULL);
    report_claim_say(res, "%s %s, %s %s", claim->left_name, v,
                     res->verdict == REPORT_HOLDS           ? "under"
                     : res->verdict == REPORT_DOES_NOT_HOLD ? "over"
                                                            : "around",
                     bound);
    return 0;
}
