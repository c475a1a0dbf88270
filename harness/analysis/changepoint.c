/*
 * E-divisive means (changepoint.h). The statistic of every split of a
 * segment comes from three running sums: the sum of |a - b| over pairs
 * inside the first k values (forward pass), inside the last m - k values
 * (backward pass), and over the whole segment; the pairs across the split
 * are the whole minus both. Adding a value v to a set S adds
 * sum over S of |v - s| = v (#below) - (sum below) + (sum above) - v (#above),
 * which two Fenwick trees indexed by v's rank in the segment give in
 * O(log m).
 */
#include "changepoint.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Working memory for the best split of segments of up to capacity values. */
struct scratch {
    size_t capacity;
    struct ranked {
        double value;
        size_t index;
    } * order;
    size_t *rank;
    double *tree_count, *tree_sum; /* Fenwick trees, 1-based */
    double *within_first;          /* [k]: pairs inside values 0..k-1 */
    double *within_last;           /* [k]: pairs inside values k..m-1 */
};

static void scratch_free(struct scratch *s)
{
    free(s->order);
    free(s->rank);
    free(s->tree_count);
    free(s->tree_sum);
    free(s->within_first);
    free(s->within_last);
    memset(s, 0, sizeof(*s));
}

static int scratch_init(struct scratch *s, size_t capacity)
{
    memset(s, 0, sizeof(*s));
    s->capacity = capacity;
    s->order = malloc(capacity * sizeof(*s->order));
    s->rank = malloc(capacity * sizeof(*s->rank));
    s->tree_count = malloc((capacity + 1) * sizeof(double));
    s->tree_sum = malloc((capacity + 1) * sizeof(double));
    s->within_first = malloc((capacity + 1) * sizeof(double));
    s->within_last = malloc((capacity + 1) * sizeof(double));
    if (!s->order || !s->rank || !s->tree_count || !s->tree_sum || !s->within_first ||
        !s->within_last) {
        scratch_free(s);
        return -ENOMEM;
    }
    return 0;
}

static int by_value(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->value != y->value)
        return (x->value > y->value) - (x->value < y->value);
    return (x->index > y->index) - (x->index < y->index);
}

static void tree_add(double *tree, size_t size, size_t position, double amount)
{
    for (size_t i = position + 1; i <= size; i += i & (~i + 1))
        tree[i] += amount;
}

/* Sum of the entries at positions 0..position-1. */
static double tree_prefix(const double *tree, size_t position)
{
    double sum = 0;
    for (size_t i = position; i > 0; i -= i & (~i + 1))
        sum += tree[i];
    return sum;
}

/* Fills within[k] for k = 0..m: forward, the sum of |a - b| over the pairs
 * among values 0..k-1; backward, among values k..m-1. */
static void within_sums(struct scratch *s, const double *v, size_t m, bool forward, double *within)
{
    memset(s->tree_count, 0, (m + 1) * sizeof(double));
    memset(s->tree_sum, 0, (m + 1) * sizeof(double));
    double total = 0;
    if (forward) {
        within[0] = 0;
        for (size_t k = 0; k < m; k++) {
            size_t r = s->rank[k];
            double below = tree_prefix(s->tree_count, r), below_sum = tree_prefix(s->tree_sum, r);
            double above = (double)k - below, above_sum = total - below_sum;
            within[k + 1] = within[k] + v[k] * below - below_sum + above_sum - v[k] * above;
            tree_add(s->tree_count, m, r, 1);
            tree_add(s->tree_sum, m, r, v[k]);
            total += v[k];
        }
    } else {
        within[m] = 0;
        for (size_t k = m; k-- > 0;) {
            size_t r = s->rank[k];
            double seen = (double)(m - 1 - k);
            double below = tree_prefix(s->tree_count, r), below_sum = tree_prefix(s->tree_sum, r);
            double above = seen - below, above_sum = total - below_sum;
            within[k] = within[k + 1] + v[k] * below - below_sum + above_sum - v[k] * above;
            tree_add(s->tree_count, m, r, 1);
            tree_add(s->tree_sum, m, r, v[k]);
            total += v[k];
        }
    }
}

/* Best Q over the splits of v[m] with min_size values a side; false when
 * the segment is too short to split. */
static bool best_split(struct scratch *s, const double *v, size_t m, size_t min_size, double *q,
                       size_t *at)
{
    if (m < 2 * min_size || m < 2)
        return false;
    for (size_t i = 0; i < m; i++) {
        s->order[i].value = v[i];
        s->order[i].index = i;
    }
    qsort(s->order, m, sizeof(*s->order), by_value);
    for (size_t i = 0; i < m; i++)
        s->rank[s->order[i].index] = i;
    within_sums(s, v, m, true, s->within_first);
    within_sums(s, v, m, false, s->within_last);
    double whole = s->within_first[m];
    bool found = false;
    for (size_t tau = min_size; tau + min_size <= m; tau++) {
        double p = (double)tau, r = (double)(m - tau);
        double first = s->within_first[tau], last = s->within_last[tau];
        double across = whole - first - last;
        double e = 2.0 * across / (p * r);
        if (tau >= 2)
            e -= first / (p * (p - 1) / 2);
        if (m - tau >= 2)
            e -= last / (r * (r - 1) / 2);
        double value = p * r / (p + r) * e;
        if (!found || value > *q) {
            *q = value;
            *at = tau;
            found = true;
        }
    }
    return found;
}

/* splitmix64: small, seedable, and enough to shuffle a list. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Fisher-Yates. The modulo's bias is below m / 2^64: nothing here. */
static void shuffle(double *v, size_t m, uint64_t *state)
{
    for (size_t i = m; i > 1; i--) {
        size_t j = (size_t)(next_random(state) % i);
        double t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

/* The best split over every segment between consecutive bounds. */
static bool best_over_segments(struct scratch *s, const double *v, const size_t *bounds,
                               size_t segments, size_t min_size, double *q, size_t *at)
{
    bool found = false;
    for (size_t i = 0; i < segments; i++) {
        double sq;
        size_t sat;
        if (best_split(s, v + bounds[i], bounds[i + 1] - bounds[i], min_size, &sq, &sat) &&
            (!found || sq > *q)) {
            *q = sq;
            *at = bounds[i] + sat;
            found = true;
        }
    }
    return found;
}

int changepoint_best_split(const double *x, size_t n, size_t min_size, double *q, size_t *at)
{
    if (x == NULL || min_size == 0 || n > CHANGEPOINT_MAX_VALUES)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return -EINVAL;
    }
    if (n < 2 * min_size || n < 2)
        return -ERANGE;
    struct scratch s;
    if (scratch_init(&s, n) != 0)
        return -ENOMEM;
    best_split(&s, x, n, min_size, q, at);
    scratch_free(&s);
    return 0;
}

static int by_position(const void *a, const void *b)
{
    size_t x = ((const struct changepoint *)a)->at, y = ((const struct changepoint *)b)->at;
    return (x > y) - (x < y);
}

static void insert_bound(size_t *bounds, size_t *count, size_t at)
{
    size_t i = *count;
    while (i > 0 && bounds[i - 1] > at) {
        bounds[i] = bounds[i - 1];
        i--;
    }
    bounds[i] = at;
    (*count)++;
}

int changepoint_edivisive(const double *x, size_t n, const struct changepoint_options *opt,
                          struct changepoint *out, size_t capacity, size_t *count)
{
    *count = 0;
    if (x == NULL || opt == NULL || opt->permutations == 0 || opt->min_size == 0 ||
        !(opt->alpha > 0 && opt->alpha < 1) || n > CHANGEPOINT_MAX_VALUES)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return -EINVAL;
    }
    if (n < 2)
        return 0;
    struct scratch s;
    if (scratch_init(&s, n) != 0)
        return -ENOMEM;
    size_t *bounds = malloc((n + 2) * sizeof(*bounds));
    double *y = malloc(n * sizeof(*y));
    if (bounds == NULL || y == NULL) {
        free(bounds);
        free(y);
        scratch_free(&s);
        return -ENOMEM;
    }
    size_t bound_count = 2;
    bounds[0] = 0;
    bounds[1] = n;
    uint64_t state = opt->seed;
    /* Permutations that may reach Q before p exceeds alpha: c with
     * (1 + c) / (1 + R) <= alpha. */
    double allowed = opt->alpha * (1.0 + opt->permutations) - 1.0;
    while (*count < capacity) {
        double q;
        size_t at;
        if (!best_over_segments(&s, x, bounds, bound_count - 1, opt->min_size, &q, &at))
            break;
        unsigned reached = 0, done = 0;
        /* A permutation that reproduces the series reaches the same Q up
         * to rounding in another order of summation. */
        double bar = q - 1e-9 * fabs(q);
        for (; done < opt->permutations && reached <= allowed; done++) {
            memcpy(y, x, n * sizeof(*y));
            for (size_t i = 0; i + 1 < bound_count; i++)
                shuffle(y + bounds[i], bounds[i + 1] - bounds[i], &state);
            double pq;
            size_t pat;
            if (best_over_segments(&s, y, bounds, bound_count - 1, opt->min_size, &pq, &pat) &&
                pq >= bar)
                reached++;
        }
        double p = (1.0 + reached) / (1.0 + opt->permutations);
        if (reached > allowed)
            break;
        out[*count].at = at;
        out[*count].q = q;
        out[*count].p = p;
        (*count)++;
        insert_bound(bounds, &bound_count, at);
    }
    qsort(out, *count, sizeof(*out), by_position);
    free(bounds);
    free(y);
    scratch_free(&s);
    return 0;
}
