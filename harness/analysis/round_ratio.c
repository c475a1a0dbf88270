/* The ratio of two cases from their rounds, paired within a run (round_ratio.h). */
#include "round_ratio.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ranktest.h"

static double number_of(const struct ratio_side *s, size_t k)
{
    return s->round_number ? s->round_number[k] : (double)k;
}

/* The paired estimate from the rounds of the same number on both sides: 0
 * with out->value and out->low/high set: from six pairs the signed-rank
 * interval (method set), with fewer the range of the pairs' ratios
 * (method ""); 1 when no pair or a round median is not positive (no log),
 * -E2BIG or -ENOMEM. */
static int from_pairs(const struct ratio_side *a, const struct ratio_side *b,
                      struct round_ratio *out)
{
    double *d = malloc((a->rounds < b->rounds ? a->rounds : b->rounds) * sizeof(*d) + 1);
    if (d == NULL)
        return -ENOMEM;
    size_t pairs = 0;
    for (size_t i = 0, j = 0; i < a->rounds && j < b->rounds;) {
        double na = number_of(a, i), nb = number_of(b, j);
        if (na != nb) {
            i += na < nb;
            j += nb < na;
            continue;
        }
        if (!(a->round_p50[i] > 0) || !(b->round_p50[j] > 0)) {
            free(d);
            return 1;
        }
        d[pairs++] = log(a->round_p50[i++]) - log(b->round_p50[j++]);
    }
    if (pairs == 0) {
        free(d);
        return 1;
    }
    double least = d[0], most = d[0];
    for (size_t k = 1; k < pairs; k++) {
        least = fmin(least, d[k]);
        most = fmax(most, d[k]);
    }
    struct ranktest_shift shift;
    int rc = ranktest_signed_hl(d, pairs, ROUND_RATIO_ALPHA, &shift);
    free(d);
    if (rc != 0)
        return rc;
    out->value = exp(shift.estimate);
    bool interval = isfinite(shift.low) && isfinite(shift.high);
    out->low = exp(interval ? shift.low : least);
    out->high = exp(interval ? shift.high : most);
    out->method = interval ? "paired rounds" : "";
    return 0;
}

/* The unpaired estimate from every round of each side: 0, with out->value,
 * low and high set when the rounds are enough for an interval (else the
 * medians give the value too); 1 when a round median is not positive,
 * -E2BIG or -ENOMEM. */
static int from_rounds(const struct ratio_side *a, const struct ratio_side *b,
                       struct round_ratio *out)
{
    double *x = malloc(b->rounds * sizeof(*x)), *y = malloc(a->rounds * sizeof(*y));
    int rc = x == NULL || y == NULL ? -ENOMEM : 0;
    for (size_t k = 0; rc == 0 && k < b->rounds; k++) {
        rc = b->round_p50[k] > 0 ? 0 : 1;
        x[k] = rc == 0 ? log(b->round_p50[k]) : 0;
    }
    for (size_t k = 0; rc == 0 && k < a->rounds; k++) {
        rc = a->round_p50[k] > 0 ? 0 : 1;
        y[k] = rc == 0 ? log(a->round_p50[k]) : 0;
    }
    struct ranktest_shift shift;
    if (rc == 0)
        rc = ranktest_hl_shift(x, b->rounds, y, a->rounds, ROUND_RATIO_ALPHA, &shift);
    free(x);
    free(y);
    if (rc != 0)
        return rc;
    if (isfinite(shift.low) && isfinite(shift.high)) {
        out->value = exp(shift.estimate);
        out->low = exp(shift.low);
        out->high = exp(shift.high);
        out->method = "rounds";
    }
    return 0;
}

int round_ratio(const struct ratio_side *a, const struct ratio_side *b, bool same_run,
                struct round_ratio *out)
{
    *out = (struct round_ratio){NAN, NAN, NAN, ""};
    int rc = a->rounds == 0 || b->rounds == 0 ? 1
             : same_run                       ? from_pairs(a, b, out)
                                              : from_rounds(a, b, out);
    if (rc < 0 && rc != -E2BIG)
        return rc;
    if (out->method[0] != '\0')
        return 0;
    /* What the pairs span, if they gave an estimate without an interval. */
    double least = isfinite(out->low) ? out->low : out->value;
    double most = isfinite(out->high) ? out->high : out->value;
    out->low = out->high = NAN;
    if (!(a->p50 > 0) || !(b->p50 > 0))
        return 0;
    if (!isfinite(out->value))
        out->value = least = most = a->p50 / b->p50;
    if (a->p50_low > 0 && b->p50_low > 0) {
        out->low = fmin(a->p50_low / b->p50_high, least);
        out->high = fmax(a->p50_high / b->p50_low, most);
        out->method = "median CIs";
    }
    return 0;
}
