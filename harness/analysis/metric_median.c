/*
 * A case's figure read back as a median with its 95% interval (see
 * metric_median.h): for a declared metric, walked off its stored histogram's
 * buckets at the ranks the engine uses for the time's median.
 */
#include "metric_median.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/stats.h"

/* The value at 1-based rank of buckets holding n samples in all. */
static double value_at_rank(const struct stored_bucket *b, size_t count, uint64_t rank)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < count; i++) {
        seen += b[i].count;
        if (seen >= rank)
            return (double)b[i].value_ns;
    }
    return (double)b[count - 1].value_ns;
}

int metric_median_of(const struct stored_case *c, const char *metric, struct metric_median *out)
{
    if (metric == NULL) {
        if (c->n == 0)
            return -ENOENT;
        *out = (struct metric_median){.median = (double)c->p50_ns,
                                      .low = (double)c->p50_ci_low_ns,
                                      .high = (double)c->p50_ci_high_ns,
                                      .n = c->n};
        return 0;
    }
    char key[96];
    snprintf(key, sizeof(key), "%s_histogram", metric);
    struct stored_bucket *b = NULL;
    size_t count = 0;
    int rc = results_read_case_histogram(c, key, &b, &count);
    if (rc != 0)
        return rc;
    uint64_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += b[i].count;
    if (n == 0) {
        free(b);
        return -ENOENT;
    }
    uint64_t low_rank = 1, high_rank = n;
    if (n >= 6)
        stats_median_ci_ranks(n, &low_rank, &high_rank);
    out->n = n;
    out->low = value_at_rank(b, count, low_rank);
    out->high = value_at_rank(b, count, high_rank);
    snprintf(key, sizeof(key), "%s_p50", metric);
    double p50;
    out->median =
        results_read_case_number(c, key, &p50) ? p50 : value_at_rank(b, count, (n + 1) / 2);
    free(b);
    /* A summary median from another rounding than the buckets' must still
     * lie in its interval. */
    if (out->median < out->low)
        out->low = out->median;
    if (out->median > out->high)
        out->high = out->median;
    return 0;
}
