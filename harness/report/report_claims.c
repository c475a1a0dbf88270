/*
 * Judging the claims of bench/report_claims.def on one run (the rules are
 * in report_claims.h): one judge per kind of claim, on the pair of cases
 * report_claim_pairs.c finds, and the answer in words.
 */
#include "report_claims.h"
#include "report_claim_kinds.h"
#include "report_claim_pairs.h"
#include "report_claim_words.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "analysis/check_command.h"
#include "base/units.h"
#include "base/format.h"
#include "report_metrics.h"
#include "report_model.h"

#define LESS      REPORT_CLAIM_LESS
#define MORE      REPORT_CLAIM_MORE
#define SAME      REPORT_CLAIM_SAME
#define GROWS     REPORT_CLAIM_GROWS
#define MEMORY    REPORT_CLAIM_MEMORY
#define FIGURE    REPORT_CLAIM_FIGURE
#define MECHANISM REPORT_CLAIM_MECHANISM
#define BELOW     REPORT_CLAIM_BELOW

const struct report_claim report_claims[] = {
#define CLAIM(id_, kind_, question_, left_, left_name_, right_, right_name_, factor_, prefer_,     \
              sweep_, sweep_min_, context_, judge_, advice_holds_, advice_fails_)                  \
    {.id = #id_,                                                                                   \
     .kind = kind_,                                                                                \
     .question = question_,                                                                        \
     .left = left_,                                                                                \
     .left_name = left_name_,                                                                      \
     .right = right_,                                                                              \
     .right_name = right_name_,                                                                    \
     .factor = factor_,                                                                            \
     .prefer = prefer_,                                                                            \
     .sweep = sweep_,                                                                              \
     .sweep_min = sweep_min_,                                                                      \
     .context = context_,                                                                          \
     .judge = judge_,                                                                              \
     .advice_holds = advice_holds_,                                                                \
     .advice_fails = advice_fails_},
#include "report_claims.def"
#undef CLAIM
};
const size_t report_claim_count = sizeof(report_claims) / sizeof(report_claims[0]);

const char *report_verdict_name(enum report_verdict verdict)
{
    switch (verdict) {
    case REPORT_HOLDS:
        return "holds";
    case REPORT_DOES_NOT_HOLD:
        return "does not hold";
    case REPORT_INCONCLUSIVE:
        return "inconclusive";
    case REPORT_NOT_MEASURED:
        return "not measured";
    case REPORT_MEASURED:
        return "measured";
    }
    return "?";
}

/* ---- judging --------------------------------------------------------------- */

static int judge_ratio(const struct report_claim *claim, const struct pair *p,
                       struct report_claim_result *res)
{
    struct check_rule rule = {.op = claim->kind == MORE ? CHECK_GREATER : CHECK_LESS,
                              .factor = claim->kind == SAME ? 1.0 : claim->factor};
    struct check_outcome o;
    int rc = check_judge(&rule, p->left, p->right, true, &o);
    if (rc != 0)
        return rc;
    res->ratio = o.ratio;
    res->low = o.low;
    res->high = o.high;
    if (o.method[0] != '\0')
        report_claim_note(res, "interval from %s", o.method);
    if (claim->kind != SAME) {
        res->verdict = o.verdict == CHECK_HOLDS   ? REPORT_HOLDS
                       : o.verdict == CHECK_FAILS ? REPORT_DOES_NOT_HOLD
                                                  : REPORT_INCONCLUSIVE;
    } else if (isnan(o.low)) {
        res->verdict = REPORT_INCONCLUSIVE;
    } else if (o.low >= 1.0 - claim->factor && o.high <= 1.0 + claim->factor) {
        res->verdict = REPORT_HOLDS;
    } else if (o.high < 1.0 - claim->factor || o.low > 1.0 + claim->factor) {
        res->verdict = REPORT_DOES_NOT_HOLD;
    } else {
        res->verdict = REPORT_INCONCLUSIVE;
    }
    if (o.reason[0] != '\0' && res->verdict == REPORT_INCONCLUSIVE) {
        report_claim_note(res, "%s", o.reason);
        snprintf(res->why, sizeof(res->why), "%s", o.reason);
    }
    if (claim->kind == SAME && res->verdict == REPORT_INCONCLUSIVE)
        snprintf(res->why, sizeof(res->why), "the interval reaches past 1 +- %.0f%%",
                 100 * claim->factor);
    /* "and by how much CPU": the CPU per operation of both ends. */
    if (!isnan(p->left->cpu_ns) && !isnan(p->right->cpu_ns) && p->right->cpu_ns > 0) {
        char a[32], b[32];
        units_format_duration((uint64_t)p->left->cpu_ns, a, sizeof(a));
        units_format_duration((uint64_t)p->right->cpu_ns, b, sizeof(b));
        report_claim_note(res, "CPU per operation %s against %s: ratio %.3f", a, b,
                          p->left->cpu_ns / p->right->cpu_ns);
    }
    if (!isnan(o.ratio)) {
        report_claim_say_context(res, p->left, p->right);
        report_claim_say_ratio(res, o.ratio, o.low, o.high);
        report_claim_say_medians(res, p->left, p->right);
    }
    return 0;
}

/* The run's declared slope against param, with an interval, or NULL. */
static const struct stored_analysis *slope_against(const struct stored_run *run,
                                                   const char *param)
{
    for (size_t a = 0; a < run->analysis_count; a++) {
        const struct stored_analysis *an = &run->analyses[a];
        if (an->kind == ANALYSIS_SLOPE && an->ci_prefix != NULL && strcmp(an->param, param) == 0)
            return an;
    }
    return NULL;
}

static bool slope_of(const struct stored_analysis *an, const struct stored_case *c, double *slope,
                     double *low, double *high)
{
    char low_key[96], high_key[96];
    snprintf(low_key, sizeof(low_key), "%s_ci_low", an->ci_prefix);
    snprintf(high_key, sizeof(high_key), "%s_ci_high", an->ci_prefix);
    return results_read_case_number(c, an->column, slope) &&
           results_read_case_number(c, low_key, low) &&
           results_read_case_number(c, high_key, high) && *low <= *slope && *slope <= *high;
}

/* Every parameter but key equal in a and b (placement included). */
static bool same_but(const struct stored_case *a, const struct stored_case *b, const char *key)
{
    if (strcmp(a->placement, b->placement) != 0 || a->param_count != b->param_count)
        return false;
    for (size_t i = 0; i < a->param_count; i++) {
        if (strcmp(a->params[i].key, key) == 0)
            continue;
        const char *other = report_param(b, a->params[i].key);
        if (other == NULL || !check_same_value(other, a->params[i].value))
            return false;
    }
    return true;
}

static int judge_grows(const struct stored_run *run, const struct report_claim *claim,
                       const struct pair *pairs, size_t count, struct report_claim_result *res)
{
    const struct pair *top = &pairs[0], *bottom = NULL;
    uint64_t top_v, v, bottom_v = UINT64_MAX;
    char top_text[CASE_LABEL_VALUE_MAX] = "?", bottom_text[CASE_LABEL_VALUE_MAX] = "?";
    if (!report_param_size(top->left, claim->sweep, &top_v)) {
        res->verdict = REPORT_NOT_MEASURED;
        report_claim_note(res, "no case has a %s parameter", claim->sweep);
        return 0;
    }
    report_param_text(top->left, claim->sweep, top_text, sizeof(top_text));
    double ls, ll, lh, rs, rl, rh;
    const struct stored_analysis *slope = slope_against(run, claim->sweep);
    if (slope != NULL && slope_of(slope, top->left, &ls, &ll, &lh) &&
        slope_of(slope, top->right, &rs, &rl, &rh)) {
        /* Slopes in ns per unit of the sweep with their intervals: the gap
         * grows when the left slope lies wholly above the right one. */
        res->ratio = rs > 0 ? ls / rs : NAN;
        res->low = rh > 0 && rl > 0 ? ll / rh : NAN;
        res->high = rl > 0 ? lh / rl : NAN;
        res->verdict = ll > rh   ? REPORT_HOLDS
                       : lh < rl ? REPORT_DOES_NOT_HOLD
                                 : REPORT_INCONCLUSIVE;
        if (res->verdict == REPORT_INCONCLUSIVE)
            snprintf(res->why, sizeof(res->why), "the slopes' intervals overlap");
        snprintf(res->criterion, sizeof(res->criterion),
                 "slope per %s of %s above that of %s (ratio of slopes)", slope->per_name,
                 top->left->scenario, top->right->scenario);
        char t[6][32];
        const double slope_ns[6] = {ls, ll, lh, rs, rl, rh};
        for (size_t k = 0; k < 6; k++)
            format_signed_duration(slope_ns[k], t[k], sizeof(t[k]));
        report_claim_note(res, "slopes %s [%s, %s] and %s [%s, %s] per %s", t[0], t[1], t[2], t[3],
                          t[4], t[5], slope->per_name);
        report_claim_set_cases(res, top->left, top->right);
        report_claim_say_context(res, top->left, top->right);
        report_claim_say(res, "%s's time grows by %s per %s of %s [%s, %s], %s's by %s [%s, %s]",
                         claim->left_name, t[0], slope->per_name, claim->sweep, t[1], t[2],
                         claim->right_name, t[3], t[4], t[5]);
        return 0;
    }
    for (size_t i = 1; i < count; i++) {
        if (report_param_size(pairs[i].left, claim->sweep, &v) && v < bottom_v &&
            same_but(pairs[i].left, top->left, claim->sweep) &&
            same_but(pairs[i].right, top->right, claim->sweep)) {
            bottom = &pairs[i];
            bottom_v = v;
        }
    }
    if (bottom == NULL || bottom_v >= top_v) {
        res->verdict = REPORT_NOT_MEASURED;
        report_claim_note(res, "needs two values of %s (and no slopes were recorded)",
                          claim->sweep);
        return 0;
    }
    report_param_text(bottom->left, claim->sweep, bottom_text, sizeof(bottom_text));
    struct check_rule rule = {.op = CHECK_LESS, .factor = 1.0};
    struct check_outcome hi, lo;
    int rc = check_judge(&rule, top->left, top->right, true, &hi);
    if (rc == 0)
        rc = check_judge(&rule, bottom->left, bottom->right, true, &lo);
    if (rc != 0)
        return rc;
    snprintf(res->criterion, sizeof(res->criterion),
             "ratio %s / %s at %s=%s above the ratio at %s=%s", top->left->scenario,
             top->right->scenario, claim->sweep, top_text, claim->sweep, bottom_text);
    report_claim_set_cases(res, top->left, top->right);
    report_claim_set_cases(res, bottom->left, bottom->right);
    if (isnan(hi.low) || isnan(lo.low)) {
        res->verdict = REPORT_INCONCLUSIVE;
        report_claim_note(res, "%s", hi.reason[0] ? hi.reason : lo.reason);
        snprintf(res->why, sizeof(res->why), "%s", hi.reason[0] ? hi.reason : lo.reason);
        return 0;
    }
    res->ratio = hi.ratio / lo.ratio;
    res->low = hi.low / lo.high;
    res->high = hi.high / lo.low;
    res->verdict = hi.low > lo.high   ? REPORT_HOLDS
                   : hi.high < lo.low ? REPORT_DOES_NOT_HOLD
                                      : REPORT_INCONCLUSIVE;
    if (res->verdict == REPORT_INCONCLUSIVE)
        snprintf(res->why, sizeof(res->why), "the two ratios' intervals overlap");
    report_claim_note(res, "ratio %.3g [%.3g, %.3g] at %s, %.3g [%.3g, %.3g] at %s", hi.ratio,
                      hi.low, hi.high, top_text, lo.ratio, lo.low, lo.high, bottom_text);
    char a[32], b[32];
    report_claim_factor_text(hi.ratio, a, sizeof(a));
    report_claim_factor_text(lo.ratio, b, sizeof(b));
    report_claim_say(res, "%s takes %sx the time of %s at %s=%s, %sx at %s=%s", claim->left_name, a,
                     claim->right_name, claim->sweep, top_text, b, claim->sweep, bottom_text);
    return 0;
}

/* MEMORY: the sides' declared metric (lmetric, rmetric: a growth of the
 * parent's memory, in bytes) against the `sweep` bytes of pair p. */
static int judge_memory(const struct stored_run *run, const struct report_claim *claim,
                        const struct pair *p, const char *lmetric, const char *rmetric,
                        struct report_claim_result *res)
{
    uint64_t bytes;
    double held_l, held_r;
    struct report_metrics metrics;
    report_metrics_of(run, &metrics);
    const struct report_metric *ml = lmetric ? report_metrics_find(&metrics, lmetric) : NULL;
    const struct report_metric *mr = rmetric ? report_metrics_find(&metrics, rmetric) : NULL;
    if (!report_param_size(p->left, claim->sweep, &bytes)) {
        res->verdict = REPORT_NOT_MEASURED;
        report_claim_note(res, "no %s parameter", claim->sweep);
        return 0;
    }
    if (strcmp(p->left->status, "ok") != 0 || strcmp(p->right->status, "ok") != 0) {
        res->verdict = REPORT_INCONCLUSIVE;
        report_claim_note(res, "a case %s",
                          strcmp(p->left->status, "ok") ? p->left->status : p->right->status);
        snprintf(res->why, sizeof(res->why), "%.200s", res->note);
        return 0;
    }
    if (ml == NULL || mr == NULL || !report_metric_p50(p->left, ml, &held_l) ||
        !report_metric_p50(p->right, mr, &held_r)) {
        const char *missing = ml == NULL ? lmetric : mr == NULL ? rmetric : ml->name;
        res->verdict = REPORT_NOT_MEASURED;
        report_claim_note(res, "%s not recorded", missing ? missing : "@metric");
        return 0;
    }
    char size[CASE_LABEL_VALUE_MAX] = "?", a[32], b[32];
    report_param_text(p->left, claim->sweep, size, sizeof(size));
    snprintf(res->criterion, sizeof(res->criterion),
             "%s at %s=%s: %s >= half of it, %s < a quarter", ml->title, claim->sweep, size,
             p->left->scenario, p->right->scenario);
    res->ratio = held_r > 0 ? held_l / held_r : NAN;
    report_claim_note(res, "%s %.0f KiB and %.0f KiB for %s of output (medians of samples; no "
                           "interval)",
                      ml->title, held_l / 1024, held_r / 1024, size);
    bool all = held_l >= 0.5 * (double)bytes, chunk = held_r < 0.25 * (double)bytes;
    res->verdict = all && chunk ? REPORT_HOLDS : REPORT_DOES_NOT_HOLD;
    format_size(held_l, a, sizeof(a));
    format_size(held_r, b, sizeof(b));
    report_claim_say_context(res, p->left, p->right);
    report_claim_say(res, "%s grew the parent's memory by %s, %s by %s", claim->left_name, a,
                     claim->right_name, b);
    return 0;
}

/* FIGURE: the metric of the left cases at the largest and the smallest
 * value of the sweep (pairs hold the left cases, best first). */
static int judge_figure(const struct stored_run *run, const struct report_claim *claim,
                        const struct stored_case *const *cases, size_t count,
                        struct report_claim_result *res)
{
    struct report_metrics metrics;
    report_metrics_of(run, &metrics);
    const struct report_metric *m = report_metrics_find(&metrics, claim->right);
    const struct stored_case *top = NULL, *bottom = NULL;
    double top_v = NAN, bottom_v = NAN;
    uint64_t top_s = 0, bottom_s = UINT64_MAX, s;
    const struct stored_case *first = NULL;
    for (size_t i = 0; m != NULL && i < count; i++) {
        double v;
        if (!report_metric_p50(cases[i], m, &v) || !report_param_size(cases[i], claim->sweep, &s))
            continue;
        if (first == NULL)
            first = cases[i];
        else if (!same_but(cases[i], first, claim->sweep))
            continue;
        if (top == NULL || s > top_s)
            top = cases[i], top_v = v, top_s = s;
        if (bottom == NULL || s < bottom_s)
            bottom = cases[i], bottom_v = v, bottom_s = s;
    }
    if (top == NULL || bottom == NULL || bottom_s >= top_s) {
        res->verdict = REPORT_NOT_MEASURED;
        report_claim_note(res, m == NULL ? "the run has no %s metric" : "needs two values of %s",
                          m == NULL ? claim->right : claim->sweep);
        return 0;
    }
    char a[48], b[48], hi[CASE_LABEL_VALUE_MAX] = "?", lo[CASE_LABEL_VALUE_MAX] = "?";
    report_format_value(m->unit, top_v, a, sizeof(a));
    report_format_value(m->unit, bottom_v, b, sizeof(b));
    report_param_text(top, claim->sweep, hi, sizeof(hi));
    report_param_text(bottom, claim->sweep, lo, sizeof(lo));
    res->verdict = REPORT_MEASURED;
    snprintf(res->criterion, sizeof(res->criterion),
             "%s (p50) of %s at the largest and smallest %s", m->name, claim->left, claim->sweep);
    report_claim_set_cases(res, top, bottom);
    report_claim_say_context(res, top, NULL);
    report_claim_say(res, "%s: %s %s; at %s=%s, %s", claim->left_name, m->title, a, claim->sweep,
                     lo, b);
    return 0;
}

/* The sweep of the best pair is below what the claim needs. */
static bool below_sweep_min(const struct report_claim *claim, const struct pair *best,
                            struct report_claim_result *res)
{
    uint64_t min, have;
    const char *why;
    if (claim->sweep[0] == '\0' || claim->sweep_min[0] == '\0' ||
        units_parse_size_bytes(claim->sweep_min, &min, &why) != 0)
        return false;
    if (report_param_size(best->left, claim->sweep, &have) && have >= min)
        return false;
    char text[CASE_LABEL_VALUE_MAX] = "none";
    report_param_text(best->left, claim->sweep, text, sizeof(text));
    snprintf(res->note, sizeof(res->note), "needs %s of at least %s; this run's largest is %s",
             claim->sweep, claim->sweep_min, text);
    return true;
}

/* An answer starts with a capital, whatever its first word. */
static void capitalise(char *answer)
{
    if (answer[0] >= 'a' && answer[0] <= 'z')
        answer[0] = (char)(answer[0] - 'a' + 'A');
}

static void set_criterion(const struct report_claim *claim, struct report_claim_result *res)
{
    if (claim->kind == GROWS)
        snprintf(res->criterion, sizeof(res->criterion), "%s / %s grows with %s", claim->left,
                 claim->right, claim->sweep);
    else if (claim->kind == MEMORY)
        snprintf(res->criterion, sizeof(res->criterion), "%s >= half the %s, %s < a quarter",
                 claim->left, claim->sweep, claim->right);
    else if (claim->kind == SAME)
        snprintf(res->criterion, sizeof(res->criterion), "%s / %s within [%.2f, %.2f]", claim->left,
                 claim->right, 1 - claim->factor, 1 + claim->factor);
    else if (claim->kind == FIGURE)
        snprintf(res->criterion, sizeof(res->criterion), "%s of %s against %s", claim->right,
                 claim->left, claim->sweep);
    else if (claim->kind == BELOW)
        snprintf(res->criterion, sizeof(res->criterion), "%s below %g", claim->left, claim->factor);
    else if (claim->kind == MECHANISM)
        snprintf(res->criterion, sizeof(res->criterion), "the mechanism of a %s* case holds %s",
                 claim->left, claim->right);
    else
        snprintf(res->criterion, sizeof(res->criterion), "%s / %s %s %g", claim->left, claim->right,
                 claim->kind == LESS ? "<" : ">", claim->factor);
}

int report_claim_judge(const struct stored_run *run, const struct report_claim *claim,
                       struct report_claim_result *res)
{
    char text[CHECK_MAX_LINE], why[256];
    struct check_rule rule;
    memset(res, 0, sizeof(*res));
    res->claim = claim;
    res->ratio = res->low = res->high = NAN;
    res->verdict = REPORT_NOT_MEASURED;
    set_criterion(claim, res);
    if (claim->kind == MECHANISM) {
        report_claim_judge_mechanism(run, claim, res);
        capitalise(res->answer);
        return 0;
    }
    /* FIGURE and BELOW have one side: the left pattern against itself. A
     * side's "@metric" names the figure judged instead of the time. */
    bool one_side = claim->kind == FIGURE || claim->kind == BELOW;
    char left[CHECK_MAX_LINE / 2 - 4], right[CHECK_MAX_LINE / 2 - 4];
    const char *lmetric = report_claim_split_metric(claim->left, left, sizeof(left));
    const char *rmetric =
        report_claim_split_metric(one_side ? claim->left : claim->right, right, sizeof(right));
    snprintf(text, sizeof(text), "%s < %s", left, right);
    if (check_parse_line(text, 1, &rule, why, sizeof(why)) != 0) {
        snprintf(res->note, sizeof(res->note), "bad pattern in report_claims.def: %s", why);
        return 0;
    }
    const struct check_pattern *sides[] = {&rule.left, &rule.right};
    check_command_format(sides, one_side ? 1 : 2, claim->prefer, claim->judge, res->command,
                         sizeof(res->command));
    if (claim->kind == BELOW) {
        const struct stored_case *c = report_claim_best_single(run, claim, &rule.left);
        if (c == NULL) {
            snprintf(res->note, sizeof(res->note), "no case of it was run");
            return 0;
        }
        snprintf(res->cases, sizeof(res->cases), "%s", c->name);
        int rc = report_claim_judge_below(run, claim, c, lmetric, res);
        if (res->verdict == REPORT_NOT_MEASURED)
            res->cases[0] = '\0', res->answer[0] = '\0';
        capitalise(res->answer);
        return rc;
    }
    if (claim->kind == FIGURE) {
        const struct stored_case **cases = calloc(run->case_count + 1, sizeof(*cases));
        size_t count = 0;
        if (cases == NULL)
            return -ENOMEM;
        for (size_t i = 0; i < run->case_count; i++) {
            if (report_claim_matches(&run->cases[i], &rule.left) &&
                strcmp(run->cases[i].status, "ok") == 0)
                cases[count++] = &run->cases[i];
        }
        int rc = judge_figure(run, claim, cases, count, res);
        free(cases);
        return rc;
    }
    /* One case may stand on both sides when they are different figures of
     * it (a sync call's stall against its own time). */
    bool by_metric = lmetric != NULL || rmetric != NULL;
    bool same_case_ok = (lmetric == NULL) != (rmetric == NULL) ||
                        (lmetric != NULL && strcmp(lmetric, rmetric) != 0);
    struct pair *pairs;
    size_t count;
    if (report_claim_pairs(run, claim, &rule, same_case_ok, &pairs, &count) != 0)
        return -ENOMEM;
    if (count == 0) {
        bool any_left = false, any_right = false;
        for (size_t i = 0; i < run->case_count; i++) {
            any_left = any_left || report_claim_matches(&run->cases[i], &rule.left);
            any_right = any_right || report_claim_matches(&run->cases[i], &rule.right);
        }
        snprintf(res->note, sizeof(res->note), "%s",
                 !any_left    ? "no case of the left side was run"
                 : !any_right ? "no case of the right side was run"
                              : "no two cases with the same parameters");
        free(pairs);
        return 0;
    }
    if (below_sweep_min(claim, &pairs[0], res)) {
        free(pairs);
        return 0;
    }
    if (claim->kind != GROWS)
        report_claim_set_cases(res, pairs[0].left, pairs[0].right);
    int rc = 0;
    switch (claim->kind) {
    case LESS:
    case MORE:
    case SAME:
        rc = by_metric
                 ? report_claim_judge_metric_ratio(run, claim, &pairs[0], lmetric, rmetric, res)
                 : judge_ratio(claim, &pairs[0], res);
        break;
    case GROWS:
        rc = judge_grows(run, claim, pairs, count, res);
        break;
    case MEMORY:
        rc = judge_memory(run, claim, &pairs[0], lmetric, rmetric, res);
        break;
    case FIGURE:
    case BELOW:
    case MECHANISM:
        break;
    }
    free(pairs);
    if (res->verdict == REPORT_NOT_MEASURED)
        res->cases[0] = '\0', res->answer[0] = '\0';
    capitalise(res->answer);
    return rc;
}

int report_claims_judge(const struct stored_run *run, struct report_claim_result *results)
{
    for (size_t i = 0; i < report_claim_count; i++) {
        int rc = report_claim_judge(run, &report_claims[i], &results[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}
