/*
 * The answer of a claim in words, shared by the judges of every kind
 * (report_claims.c, report_claim_kinds.c): notes on the method, the answer
 * with the figures that carry it ("From a 1G parent, posix_spawn is 98x
 * faster than fork+exec [84x, 112x] (665 us against 65.2 ms)"), and the
 * cases it rests on named by what varies between them.
 */
#include "report_claim_words.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"
#include "report_model.h"

void report_claim_note(struct report_claim_result *res, const char *fmt, ...)
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

void report_claim_say(struct report_claim_result *res, const char *fmt, ...)
{
    size_t used = strlen(res->answer);
    va_list ap;
    va_start(ap, fmt);
    if (used + 1 < sizeof(res->answer))
        vsnprintf(res->answer + used, sizeof(res->answer) - used, fmt, ap);
    va_end(ap);
}

/* The claim's context with {sweep} replaced by the sweep's value in c (or
 * in other, when it spells the same value shorter: "1G", not "1073741824"). */
void report_claim_say_context(struct report_claim_result *res, const struct stored_case *c,
                              const struct stored_case *other)
{
    const char *ctx = res->claim->context, *at = strstr(ctx, "{sweep}");
    char value[CASE_LABEL_VALUE_MAX], shorter[CASE_LABEL_VALUE_MAX];
    if (at == NULL) {
        report_claim_say(res, "%s", ctx);
        return;
    }
    /* A case without the sweep (a run from before the parameter): no
     * context rather than a "?". */
    if (res->claim->sweep[0] == '\0' ||
        report_param_text(c, res->claim->sweep, value, sizeof(value)) == NULL)
        return;
    uint64_t bytes = 0, other_bytes = 0;
    if (other != NULL &&
        report_param_text(other, res->claim->sweep, shorter, sizeof(shorter)) != NULL &&
        strlen(shorter) < strlen(value) &&
        units_parse_size_bytes(value, &bytes, NULL) == 0 &&
        units_parse_size_bytes(shorter, &other_bytes, NULL) == 0 && bytes == other_bytes)
        snprintf(value, sizeof(value), "%s", shorter);
    report_claim_say(res, "%.*s%s%s", (int)(at - ctx), ctx, value, at + strlen("{sweep}"));
}

/* A factor as people say it: "98", "2.1", "1150", and "1.078" near 1,
 * where two digits would make an interval look like a point. */
void report_claim_factor_text(double v, char *buf, size_t len)
{
    snprintf(buf, len, v >= 1000 ? "%.0f" : v < 1.5 ? "%.3f" : "%.3g", v);
}

/* "is 98x faster than", "is 2.1x slower than" or "takes 1.02x the time
 * of", and the interval in the same direction. */
void report_claim_say_ratio(struct report_claim_result *res, double r, double lo, double hi)
{
    char a[32], b[32], c[32];
    bool interval = !isnan(lo) && !isnan(hi) && lo > 0 && hi > 0;
    const struct report_claim *cl = res->claim;
    if (r > 0 && ((interval && hi < 1) || (!interval && r < 1))) {
        report_claim_factor_text(1 / r, a, sizeof(a));
        report_claim_say(res, "%s is %sx faster than %s", cl->left_name, a, cl->right_name);
        if (interval) {
            report_claim_factor_text(1 / hi, b, sizeof(b));
            report_claim_factor_text(1 / lo, c, sizeof(c));
            report_claim_say(res, " [%sx, %sx]", b, c);
        }
    } else if ((interval && lo > 1) || (!interval && r > 1)) {
        report_claim_factor_text(r, a, sizeof(a));
        report_claim_say(res, "%s is %sx slower than %s", cl->left_name, a, cl->right_name);
        if (interval) {
            report_claim_factor_text(lo, b, sizeof(b));
            report_claim_factor_text(hi, c, sizeof(c));
            report_claim_say(res, " [%sx, %sx]", b, c);
        }
    } else {
        report_claim_factor_text(r, a, sizeof(a));
        report_claim_say(res, "%s takes %sx the time of %s", cl->left_name, a, cl->right_name);
        if (interval) {
            report_claim_factor_text(lo, b, sizeof(b));
            report_claim_factor_text(hi, c, sizeof(c));
            report_claim_say(res, " [%sx, %sx]", b, c);
        }
    }
}

void report_claim_say_medians(struct report_claim_result *res, const struct stored_case *l,
                              const struct stored_case *r)
{
    char a[32], b[32];
    units_format_duration(l->p50_ns, a, sizeof(a));
    units_format_duration(r->p50_ns, b, sizeof(b));
    report_claim_say(res, " (%s against %s)", a, b);
}

/* Names the pair: each side's scenario, then the parameters they share. */
void report_claim_set_cases(struct report_claim_result *res, const struct stored_case *l,
                            const struct stored_case *r)
{
    struct case_name a, b;
    report_case_name(l, &a);
    report_case_name(r, &b);
    const struct case_name *both[] = {&a, &b};
    struct case_vary v;
    case_vary_compute(both, 2, &v);
    char la[256], lb[256], common[384];
    case_label_format(&a, &v, NULL, false, la, sizeof(la));
    case_label_format(&b, &v, NULL, false, lb, sizeof(lb));
    case_vary_constants(&v, NULL, common, sizeof(common));
    size_t used = strlen(res->cases);
    if (l == r) /* two figures of one case */
        snprintf(res->cases + used, sizeof(res->cases) - used, "%s%s%s%s", used ? "; " : "", la,
                 common[0] ? " at " : "", common);
    else
        snprintf(res->cases + used, sizeof(res->cases) - used, "%s%s against %s%s%s",
                 used ? "; " : "", la, lb, common[0] ? " at " : "", common);
}
