/*
 * Judging the claims of report_claims.def on one run (the rules are in
 * report_claims.h): finding the pair of cases each claim rests on, then
 * one judge per kind of claim.
 */
#include "report_claims.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/check.h"
#include "report_model.h"
#include "base/units.h"

#define LESS      REPORT_CLAIM_LESS
#define MORE      REPORT_CLAIM_MORE
#define SAME      REPORT_CLAIM_SAME
#define GROWS     REPORT_CLAIM_GROWS
#define MEMORY    REPORT_CLAIM_MEMORY
#define MECHANISM REPORT_CLAIM_MECHANISM

const struct report_claim report_claims[] = {
#define CLAIM(id_, kind_, folklore_, left_, right_, factor_, prefer_, sweep_)                      \
    {.id = #id_,                                                                                   \
     .kind = kind_,                                                                                \
     .folklore = folklore_,                                                                        \
     .left = left_,                                                                                \
     .right = right_,                                                                              \
     .factor = factor_,                                                                            \
     .prefer = prefer_,                                                                            \
     .sweep = sweep_},
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
    }
    return "?";
}

/* A slope or difference in ns as people read it: "43.7 ms", "-12.3 us". */
static void format_signed_duration(double ns, char *buf, size_t len)
{
    char text[24];
    units_format_duration((uint64_t)llround(fabs(ns)), text, sizeof(text));
    snprintf(buf, len, "%s%s", ns < 0 && llround(fabs(ns)) != 0 ? "-" : "", text);
}

/* ---- finding the pair ---------------------------------------------------- */

static bool pattern_has_key(const struct check_pattern *p, const char *key)
{
    for (size_t i = 0; i < p->param_count; i++) {
        if (strcmp(p->params[i].key, key) == 0)
            return true;
    }
    return false;
}

static bool matches(const struct stored_case *c, const struct check_pattern *p)
{
    if (strcmp(c->scenario, p->scenario) != 0)
        return false;
    for (size_t i = 0; i < p->param_count; i++) {
        const char *value = report_param(c, p->params[i].key);
        if (value == NULL || !check_same_value(value, p->params[i].value))
            return false;
    }
    return true;
}

/* Same placement, and the same value for every parameter both have that
 * neither pattern fixes. */
static bool paired(const struct stored_case *l, const struct stored_case *r,
                   const struct check_rule *rule)
{
    if (strcmp(l->placement, r->placement) != 0)
        return false;
    for (size_t i = 0; i < l->param_count; i++) {
        const char *key = l->params[i].key;
        const char *other = report_param(r, key);
        if (other == NULL || pattern_has_key(&rule->left, key) ||
            pattern_has_key(&rule->right, key))
            continue;
        if (!check_same_value(l->params[i].value, other))
            return false;
    }
    return true;
}

/* How many "key=value" of prefer c satisfies (a parameter c lacks counts
 * neither way). */
static int preference_score(const struct stored_case *c, const char *prefer)
{
    int score = 0;
    const char *p = prefer ? prefer : "";
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        char item[128];
        snprintf(item, sizeof(item), "%.*s", (int)len, p);
        char *eq = strchr(item, '=');
        if (eq != NULL) {
            *eq = '\0';
            const char *value = report_param(c, item);
            if (value != NULL && check_same_value(value, eq + 1))
                score++;
        }
        p += len + (p[len] == ',');
    }
    return score;
}

struct pair {
    const struct stored_case *left, *right;
};

/* Every pair, best first: preference, then the sweep value (largest
 * first), then run order. Returns the count; *out is a new array. */
static int find_pairs(const struct stored_run *run, const struct report_claim *claim,
                      const struct check_rule *rule, struct pair **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t capacity = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *l = &run->cases[i];
        if (!matches(l, &rule->left))
            continue;
        for (size_t k = 0; k < run->case_count; k++) {
            const struct stored_case *r = &run->cases[k];
            if (r == l || !matches(r, &rule->right) || !paired(l, r, rule))
                continue;
            if (*count == capacity) {
                capacity = capacity ? 2 * capacity : 16;
                struct pair *bigger = realloc(*out, capacity * sizeof(*bigger));
                if (bigger == NULL) {
                    free(*out);
                    *out = NULL;
                    return -ENOMEM;
                }
                *out = bigger;
            }
            (*out)[(*count)++] = (struct pair){l, r};
        }
    }
    /* A stable selection sort: the lists are short. */
    for (size_t i = 0; i < *count; i++) {
        size_t best = i;
        for (size_t k = i + 1; k < *count; k++) {
            struct pair *a = &(*out)[k], *b = &(*out)[best];
            int sa = preference_score(a->left, claim->prefer) +
                     preference_score(a->right, claim->prefer);
            int sb = preference_score(b->left, claim->prefer) +
                     preference_score(b->right, claim->prefer);
            uint64_t va = 0, vb = 0;
            if (claim->sweep != NULL) {
                report_param_size(a->left, claim->sweep, &va);
                report_param_size(b->left, claim->sweep, &vb);
            }
            if (sa > sb || (sa == sb && va > vb))
                best = k;
        }
        if (best != i) {
            struct pair t = (*out)[best];
            memmove(&(*out)[i + 1], &(*out)[i], (best - i) * sizeof(t));
            (*out)[i] = t;
        }
    }
    return 0;
}

/* ---- judging --------------------------------------------------------------- */

static void set_ratio(struct report_claim_result *res, const struct check_outcome *o)
{
    res->ratio = o->ratio;
    res->low = o->low;
    res->high = o->high;
}

static void add_note(struct report_claim_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_note(struct report_claim_result *res, const char *fmt, ...)
{
    size_t used = strlen(res->note);
    if (used + 3 >= sizeof(res->note))
        return;
    if (used > 0) {
        strcpy(res->note + used, "; ");
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->note + used, sizeof(res->note) - used, fmt, ap);
    va_end(ap);
}

static int judge_ratio(const struct report_claim *claim, const struct pair *p,
                       struct report_claim_result *res)
{
    struct check_rule rule = {.op = claim->kind == MORE ? CHECK_GREATER : CHECK_LESS,
                              .factor = claim->kind == SAME ? 1.0 : claim->factor};
    struct check_outcome o;
    int rc = check_judge(&rule, p->left, p->right, &o);
    if (rc != 0)
        return rc;
    set_ratio(res, &o);
    if (o.method[0] != '\0')
        add_note(res, "interval from %s", o.method);
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
    if (o.reason[0] != '\0' && res->verdict == REPORT_INCONCLUSIVE)
        add_note(res, "%s", o.reason);
    /* "and by how much CPU": the CPU per operation of both ends. */
    if (!isnan(p->left->cpu_ns) && !isnan(p->right->cpu_ns) && p->right->cpu_ns > 0) {
        char a[32], b[32];
        units_format_duration((uint64_t)p->left->cpu_ns, a, sizeof(a));
        units_format_duration((uint64_t)p->right->cpu_ns, b, sizeof(b));
        add_note(res, "CPU per operation %s against %s: ratio %.3f", a, b,
                 p->left->cpu_ns / p->right->cpu_ns);
    }
    return 0;
}

static bool slope_of(const struct stored_case *c, double *slope, double *low, double *high)
{
    return results_read_case_number(c, "rss_slope_ns_per_gib", slope) &&
           results_read_case_number(c, "rss_slope_ci_low", low) &&
           results_read_case_number(c, "rss_slope_ci_high", high) && *low <= *slope &&
           *slope <= *high;
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

static int judge_grows(const struct report_claim *claim, const struct pair *pairs, size_t count,
                       struct report_claim_result *res)
{
    const struct pair *top = &pairs[0], *bottom = NULL;
    uint64_t top_v, v, bottom_v = UINT64_MAX;
    if (!report_param_size(top->left, claim->sweep, &top_v)) {
        res->verdict = REPORT_NOT_MEASURED;
        add_note(res, "no case has a %s parameter", claim->sweep);
        return 0;
    }
    double ls, ll, lh, rs, rl, rh;
    if (slope_of(top->left, &ls, &ll, &lh) && slope_of(top->right, &rs, &rl, &rh)) {
        /* Slopes in ns per GiB with their intervals: the gap grows when the
         * left slope lies wholly above the right one. */
        res->ratio = rs > 0 ? ls / rs : NAN;
        res->low = rh > 0 && rl > 0 ? ll / rh : NAN;
        res->high = rl > 0 ? lh / rl : NAN;
        res->verdict = ll > rh   ? REPORT_HOLDS
                       : lh < rl ? REPORT_DOES_NOT_HOLD
                                 : REPORT_INCONCLUSIVE;
        snprintf(res->criterion, sizeof(res->criterion),
                 "slope per GiB of %s above that of %s (ratio of slopes)", top->left->scenario,
                 top->right->scenario);
        char t[6][32];
        const double slope_ns[6] = {ls, ll, lh, rs, rl, rh};
        for (size_t k = 0; k < 6; k++)
            format_signed_duration(slope_ns[k], t[k], sizeof(t[k]));
        add_note(res, "slopes %s [%s, %s] and %s [%s, %s] per GiB", t[0], t[1], t[2], t[3], t[4],
                 t[5]);
        snprintf(res->cases, sizeof(res->cases), "%s, %s", top->left->name, top->right->name);
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
        add_note(res, "needs two values of %s (and no slopes were recorded)", claim->sweep);
        return 0;
    }
    struct check_rule rule = {.op = CHECK_LESS, .factor = 1.0};
    struct check_outcome hi, lo;
    int rc = check_judge(&rule, top->left, top->right, &hi);
    if (rc == 0)
        rc = check_judge(&rule, bottom->left, bottom->right, &lo);
    if (rc != 0)
        return rc;
    char a[32], b[32];
    units_format_size(top_v, a, sizeof(a));
    units_format_size(bottom_v, b, sizeof(b));
    snprintf(res->criterion, sizeof(res->criterion),
             "ratio %s / %s at %s=%s above the ratio at %s=%s", top->left->scenario,
             top->right->scenario, claim->sweep, a, claim->sweep, b);
    snprintf(res->cases, sizeof(res->cases), "%s, %s, %s, %s", top->left->name, top->right->name,
             bottom->left->name, bottom->right->name);
    if (isnan(hi.low) || isnan(lo.low)) {
        res->verdict = REPORT_INCONCLUSIVE;
        add_note(res, "%s", hi.reason[0] ? hi.reason : lo.reason);
        return 0;
    }
    res->ratio = hi.ratio / lo.ratio;
    res->low = hi.low / lo.high;
    res->high = hi.high / lo.low;
    res->verdict = hi.low > lo.high   ? REPORT_HOLDS
                   : hi.high < lo.low ? REPORT_DOES_NOT_HOLD
                                      : REPORT_INCONCLUSIVE;
    add_note(res, "ratio %.3g [%.3g, %.3g] at %s, %.3g [%.3g, %.3g] at %s", hi.ratio, hi.low,
             hi.high, a, lo.ratio, lo.low, lo.high, b);
    return 0;
}

static int judge_memory(const struct report_claim *claim, const struct pair *p,
                        struct report_claim_result *res)
{
    uint64_t bytes;
    double held_l, held_r;
    if (!report_param_size(p->left, claim->sweep, &bytes)) {
        res->verdict = REPORT_NOT_MEASURED;
        add_note(res, "no %s parameter", claim->sweep);
        return 0;
    }
    if (strcmp(p->left->status, "ok") != 0 || strcmp(p->right->status, "ok") != 0) {
        res->verdict = REPORT_INCONCLUSIVE;
        add_note(res, "a case %s",
                 strcmp(p->left->status, "ok") ? p->left->status : p->right->status);
        return 0;
    }
    if (!results_read_case_number(p->left, "rss_growth_p50", &held_l) ||
        !results_read_case_number(p->right, "rss_growth_p50", &held_r)) {
        res->verdict = REPORT_NOT_MEASURED;
        add_note(res, "rss_growth_p50 not recorded");
        return 0;
    }
    char size[32];
    units_format_size(bytes, size, sizeof(size));
    snprintf(res->criterion, sizeof(res->criterion),
             "RSS growth at %s=%s: %s >= half of it, %s < a quarter", claim->sweep, size,
             p->left->scenario, p->right->scenario);
    res->ratio = held_r > 0 ? held_l / held_r : NAN;
    add_note(res,
             "RSS grew %.0f KiB and %.0f KiB for %s of output (medians of samples; no "
             "interval)",
             held_l / 1024, held_r / 1024, size);
    bool all = held_l >= 0.5 * (double)bytes, chunk = held_r < 0.25 * (double)bytes;
    /* Below a few MiB, RSS moves by pages and allocator reuse: no verdict. */
    if (bytes < (4u << 20))
        res->verdict = REPORT_INCONCLUSIVE, add_note(res, "output too small to resolve in RSS");
    else
        res->verdict = all && chunk ? REPORT_HOLDS : REPORT_DOES_NOT_HOLD;
    return 0;
}

/* MECHANISM: on the mechanism column of every case of the scenarios whose
 * name starts with claim->left (the one that holds the text, else the first
 * observed one, is quoted). */
static void judge_mechanism(const struct stored_run *run, const struct report_claim *claim,
                            struct report_claim_result *res)
{
    const struct stored_case *holding = NULL, *lacking = NULL;
    const char *unobserved = NULL;
    size_t cases = 0, observed = 0, with = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        if (strncmp(c->scenario, claim->left, strlen(claim->left)) != 0)
            continue;
        cases++;
        const char *m = results_read_case_text(c, "mechanism");
        /* A sample that created nothing: its "setup:" part holds the
         * harness's own spawn of the driver, not what the row measures. */
        if (m == NULL || m[0] == '\0' || strncmp(m, "none in the sample", 18) == 0)
            continue;
        if (strncmp(m, "unobserved", 10) == 0) {
            unobserved = unobserved != NULL ? unobserved : m;
            continue;
        }
        observed++;
        if (strstr(m, claim->right) != NULL) {
            with++;
            holding = holding != NULL ? holding : c;
        } else {
            lacking = lacking != NULL ? lacking : c;
        }
    }
    if (observed == 0) {
        snprintf(res->note, sizeof(res->note), "%s",
                 cases == 0           ? "no case of the left side was run"
                 : unobserved != NULL ? unobserved
                                      : "no mechanism was recorded (a run older than the column)");
        return;
    }
    const struct stored_case *quoted = holding != NULL ? holding : lacking;
    res->verdict = with > 0 ? REPORT_HOLDS : REPORT_DOES_NOT_HOLD;
    snprintf(res->cases, sizeof(res->cases), "%s", quoted->name);
    snprintf(res->note, sizeof(res->note), "%zu of %zu observed cases; %s: %s", with, observed,
             quoted->name, results_read_case_text(quoted, "mechanism"));
}

static int judge_one(const struct stored_run *run, const struct report_claim *claim,
                     struct report_claim_result *res)
{
    char text[CHECK_MAX_LINE], why[256];
    struct check_rule rule;
    memset(res, 0, sizeof(*res));
    res->claim = claim;
    res->ratio = res->low = res->high = NAN;
    res->verdict = REPORT_NOT_MEASURED;
    if (claim->kind == MECHANISM) {
        snprintf(res->criterion, sizeof(res->criterion), "the mechanism of a %s* case holds %s",
                 claim->left, claim->right);
        judge_mechanism(run, claim, res);
        return 0;
    }
    if (claim->kind == GROWS)
        snprintf(res->criterion, sizeof(res->criterion), "%s / %s grows with %s", claim->left,
                 claim->right, claim->sweep);
    else if (claim->kind == MEMORY)
        snprintf(res->criterion, sizeof(res->criterion),
                 "RSS growth of %s >= half the %s, of %s < a quarter", claim->left, claim->sweep,
                 claim->right);
    else if (claim->kind == SAME)
        snprintf(res->criterion, sizeof(res->criterion), "%s / %s within [%.2f, %.2f]", claim->left,
                 claim->right, 1 - claim->factor, 1 + claim->factor);
    else
        snprintf(res->criterion, sizeof(res->criterion), "%s / %s %s %g", claim->left, claim->right,
                 claim->kind == LESS ? "<" : ">", claim->factor);
    snprintf(text, sizeof(text), "%s < %s", claim->left, claim->right);
    if (check_parse_line(text, 1, &rule, why, sizeof(why)) != 0) {
        snprintf(res->note, sizeof(res->note), "bad pattern in report_claims.def: %s", why);
        return 0;
    }
    struct pair *pairs;
    size_t count;
    if (find_pairs(run, claim, &rule, &pairs, &count) != 0)
        return -ENOMEM;
    if (count == 0) {
        bool any_left = false, any_right = false;
        for (size_t i = 0; i < run->case_count; i++) {
            any_left = any_left || matches(&run->cases[i], &rule.left);
            any_right = any_right || matches(&run->cases[i], &rule.right);
        }
        snprintf(res->note, sizeof(res->note), "%s",
                 !any_left    ? "no case of the left side was run"
                 : !any_right ? "no case of the right side was run"
                              : "no two cases with the same parameters");
        free(pairs);
        return 0;
    }
    snprintf(res->cases, sizeof(res->cases), "%s, %s", pairs[0].left->name, pairs[0].right->name);
    int rc = 0;
    switch (claim->kind) {
    case LESS:
    case MORE:
    case SAME:
        rc = judge_ratio(claim, &pairs[0], res);
        break;
    case GROWS:
        rc = judge_grows(claim, pairs, count, res);
        break;
    case MEMORY:
        rc = judge_memory(claim, &pairs[0], res);
        break;
    case MECHANISM:
        break;
    }
    free(pairs);
    if (res->verdict == REPORT_NOT_MEASURED)
        res->cases[0] = '\0';
    return rc;
}

int report_claims_judge(const struct stored_run *run, struct report_claim_result *results)
{
    for (size_t i = 0; i < report_claim_count; i++) {
        int rc = judge_one(run, &report_claims[i], &results[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}
