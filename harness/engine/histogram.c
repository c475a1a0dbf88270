/*
 * This file holds the log-linear latency histogram declared in histogram.h.
 * Values are split into power-of-two ranges ("buckets"); each range is cut
 * into the same number of equal linear steps ("sub-buckets"), so a step is
 * always a fixed, small fraction of the values it holds. With S sub-buckets
 * (S the smallest power of two >= 2 * 10^digits), bucket 0 covers [0, S) in
 * steps of 1 and bucket b >= 1 covers [S/2 * 2^b, S * 2^b) in steps of 2^b:
 * a step is then at most 1/(S/2) <= 10^-digits of any value it holds. The
 * lower half of every bucket b >= 1 would repeat values bucket b - 1 already
 * covers, so only upper halves are stored, which makes the counts one flat
 * array indexed by b * S/2 + (value >> b). Recording is a shift, a
 * count-leading-zeros and an add; nothing is allocated after creation.
 */
#include "histogram.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct histogram {
    uint64_t highest_trackable;
    int significant_digits;
    /* log2 of the sub-bucket count: the number of value bits that bucket 0
     * resolves exactly. */
    unsigned sub_bucket_bits;
    size_t sub_bucket_count;
    size_t sub_bucket_half_count;
    size_t bucket_count;
    size_t counts_len;
    size_t alloc_bytes; /* mapped for it by create; 0: the caller's memory */
    uint64_t total_count;
    /* UINT64_MAX and 0 while empty, so the first record sets both without a
     * branch on the count. */
    uint64_t min;
    uint64_t max;
    uint64_t counts[];
};

/* The bucket (power-of-two range) holding value. OR-ing in the sub-bucket
 * mask makes every value below the sub-bucket count land in bucket 0 and keeps
 * the argument of clzll non-zero, whose result is undefined for 0. */
static unsigned bucket_of(const struct histogram *h, uint64_t value)
{
    uint64_t bits = value | (uint64_t)(h->sub_bucket_count - 1);
    return (unsigned)(64 - __builtin_clzll(bits)) - h->sub_bucket_bits;
}

static size_t index_of(const struct histogram *h, uint64_t value)
{
    unsigned b = bucket_of(h, value);
    return (size_t)b * h->sub_bucket_half_count + (size_t)(value >> b);
}

/* Inverse of index_of(): the bucket and lowest value of a counts[] slot. */
static unsigned bucket_of_index(const struct histogram *h, size_t index)
{
    if (index < h->sub_bucket_count)
        return 0;
    return (unsigned)(index / h->sub_bucket_half_count - 1);
}

static uint64_t lowest_of_index(const struct histogram *h, size_t index)
{
    unsigned b = bucket_of_index(h, index);
    return (uint64_t)(index - (size_t)b * h->sub_bucket_half_count) << b;
}

/* Highest value of a slot, written as lowest + (width - 1) so that the top
 * slot of a histogram reaching UINT64_MAX does not overflow. */
static uint64_t highest_of_index(const struct histogram *h, size_t index)
{
    unsigned b = bucket_of_index(h, index);
    return lowest_of_index(h, index) + ((UINT64_C(1) << b) - 1);
}

static uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return v;
}

/* Zeroed memory for a histogram, always from mmap(): pages never written
 * cost nothing, and destroy gives them back at once instead of leaving them
 * in malloc's heap, where they would add to the harness's resident size and
 * so to the cost of every fork() measured from it. shared makes it
 * MAP_SHARED: a fork()ed child then writes the very pages its parent reads,
 * and fork() copies none of its page tables. */
static void *allocate(size_t bytes, bool shared)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The shape of a histogram for a range and a precision. */
struct layout {
    unsigned sub_bucket_bits;
    size_t sub_bucket_count;
    size_t bucket_count;
    size_t counts_len;
    size_t bytes; /* of the struct and its counts */
};

static int plan(uint64_t highest_trackable, int significant_digits, struct layout *l)
{
    if (highest_trackable < 2 || significant_digits < 1 || significant_digits > 5)
        return -EINVAL;

    uint64_t needed = 2;
    for (int i = 0; i < significant_digits; i++)
        needed *= 10;
    unsigned sub_bucket_bits = 0;
    while ((UINT64_C(1) << sub_bucket_bits) < needed)
        sub_bucket_bits++;
    uint64_t sub_bucket_count = UINT64_C(1) << sub_bucket_bits;

    /* Add buckets until the top one reaches highest_trackable. A bucket whose
     * top would pass 2^64 reaches every uint64_t, so the loop stops there
     * rather than shift out of range. */
    size_t bucket_count = 1;
    uint64_t smallest_untrackable = sub_bucket_count;
    while (smallest_untrackable <= highest_trackable) {
        bucket_count++;
        if (smallest_untrackable > UINT64_MAX / 2)
            break;
        smallest_untrackable <<= 1;
    }

    l->sub_bucket_bits = sub_bucket_bits;
    l->sub_bucket_count = (size_t)sub_bucket_count;
    l->bucket_count = bucket_count;
    l->counts_len = (bucket_count + 1) * (l->sub_bucket_count / 2);
    l->bytes = sizeof(struct histogram) + l->counts_len * sizeof(uint64_t);
    return 0;
}

/* Fills the header of an empty histogram in zeroed memory. */
static struct histogram *init_at(void *mem, const struct layout *l, uint64_t highest_trackable,
                                 int significant_digits, size_t alloc_bytes)
{
    struct histogram *h = mem;
    h->alloc_bytes = alloc_bytes;
    h->highest_trackable = highest_trackable;
    h->significant_digits = significant_digits;
    h->sub_bucket_bits = l->sub_bucket_bits;
    h->sub_bucket_count = l->sub_bucket_count;
    h->sub_bucket_half_count = l->sub_bucket_count / 2;
    h->bucket_count = l->bucket_count;
    h->counts_len = l->counts_len;
    h->min = UINT64_MAX;
    h->max = 0;
    return h;
}

static int create(uint64_t highest_trackable, int significant_digits, bool shared,
                  struct histogram **out)
{
    struct layout l;
    if (out == NULL || plan(highest_trackable, significant_digits, &l) != 0)
        return -EINVAL;
    void *mem = allocate(l.bytes, shared);
    if (mem == NULL)
        return -ENOMEM;
    *out = init_at(mem, &l, highest_trackable, significant_digits, l.bytes);
    return 0;
}

size_t histogram_footprint(uint64_t highest_trackable, int significant_digits)
{
    struct layout l;
    if (plan(highest_trackable, significant_digits, &l) != 0)
        return 0;
    /* Rounded to a cache line, so that histograms laid end to end in one
     * region stay aligned and never share a line. */
    return (l.bytes + 63) & ~(size_t)63;
}

int histogram_init_in(void *mem, size_t len, uint64_t highest_trackable, int significant_digits,
                      struct histogram **out)
{
    struct layout l;
    if (mem == NULL || out == NULL || ((uintptr_t)mem & 63) != 0 ||
        plan(highest_trackable, significant_digits, &l) != 0 || len < l.bytes)
        return -EINVAL;
    *out = init_at(mem, &l, highest_trackable, significant_digits, 0);
    return 0;
}

int histogram_create(uint64_t highest_trackable, int significant_digits, struct histogram **out)
{
    return create(highest_trackable, significant_digits, false, out);
}

int histogram_create_shared(uint64_t highest_trackable, int significant_digits,
                            struct histogram **out)
{
    return create(highest_trackable, significant_digits, true, out);
}

void histogram_destroy(struct histogram *h)
{
    if (h != NULL && h->alloc_bytes > 0)
        munmap(h, h->alloc_bytes);
}

void histogram_reset(struct histogram *h)
{
    memset(h->counts, 0, h->counts_len * sizeof(h->counts[0]));
    h->total_count = 0;
    h->min = UINT64_MAX;
    h->max = 0;
}

int histogram_record_n(struct histogram *h, uint64_t value, uint64_t count)
{
    if (value > h->highest_trackable)
        return -ERANGE;
    /* Zero copies must not move min or max to a value that was never seen. */
    if (count == 0)
        return 0;
    h->counts[index_of(h, value)] += count;
    h->total_count += count;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
    return 0;
}

int histogram_record(struct histogram *h, uint64_t value)
{
    return histogram_record_n(h, value, 1);
}

int histogram_merge(struct histogram *dst, const struct histogram *src)
{
    if (dst->highest_trackable != src->highest_trackable ||
        dst->significant_digits != src->significant_digits)
        return -EINVAL;
    if (src->total_count == 0)
        return 0;
    /* Only the slots between src's extremes can be non-zero. */
    size_t last = index_of(src, src->max);
    for (size_t i = index_of(src, src->min); i <= last; i++)
        dst->counts[i] += src->counts[i];
    dst->total_count += src->total_count;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    return 0;
}

uint64_t histogram_count(const struct histogram *h)
{
    return h->total_count;
}

uint64_t histogram_min(const struct histogram *h)
{
    return h->total_count == 0 ? 0 : h->min;
}

uint64_t histogram_max(const struct histogram *h)
{
    return h->max;
}

uint64_t histogram_value_at_rank(const struct histogram *h, uint64_t rank)
{
    if (h->total_count == 0)
        return 0;
    if (rank < 1)
        rank = 1;
    if (rank > h->total_count)
        rank = h->total_count;
    uint64_t seen = 0;
    size_t last = index_of(h, h->max);
    for (size_t i = index_of(h, h->min); i <= last; i++) {
        seen += h->counts[i];
        if (seen >= rank)
            return clamp_u64(highest_of_index(h, i), h->min, h->max);
    }
    return h->max; /* unreachable while total_count matches the counts */
}

uint64_t histogram_value_at_percentile(const struct histogram *h, double percentile)
{
    if (h->total_count == 0)
        return 0;
    if (!(percentile > 0.0)) /* also catches NaN */
        percentile = 0.0;
    if (percentile > 100.0)
        percentile = 100.0;
    /* 99.9 has no exact binary form, so 99.9% of 1000 can come out as
     * 999.0000000000001 and ceil() would skip a whole rank. The percentile's
     * representation, the product and the quotient each err by at most half
     * an ulp, so a fractional part below 4 epsilons of the product is such an
     * error, not a real fraction of a rank. */
    double exact = percentile * (double)h->total_count / 100.0;
    double whole = floor(exact);
    uint64_t rank = (uint64_t)whole;
    if (exact - whole > exact * 4 * DBL_EPSILON)
        rank++;
    return histogram_value_at_rank(h, rank);
}

uint64_t histogram_lowest_equivalent(const struct histogram *h, uint64_t value)
{
    unsigned b = bucket_of(h, value);
    return (value >> b) << b;
}

uint64_t histogram_highest_equivalent(const struct histogram *h, uint64_t value)
{
    unsigned b = bucket_of(h, value);
    return ((value >> b) << b) + ((UINT64_C(1) << b) - 1);
}

uint64_t histogram_highest_trackable(const struct histogram *h)
{
    return h->highest_trackable;
}

int histogram_significant_digits(const struct histogram *h)
{
    return h->significant_digits;
}

size_t histogram_bucket_count(const struct histogram *h)
{
    return h->bucket_count;
}

size_t histogram_sub_bucket_count(const struct histogram *h)
{
    return h->sub_bucket_count;
}

void histogram_iter_init(struct histogram_iter *it, const struct histogram *h)
{
    memset(it, 0, sizeof(*it));
    it->h = h;
    it->index = h->total_count == 0 ? h->counts_len : index_of(h, h->min);
}

bool histogram_iter_next(struct histogram_iter *it)
{
    const struct histogram *h = it->h;
    /* Stopping once every value is accounted for spares a scan of the empty
     * slots above the maximum, most of the array for short runs. */
    if (it->cumulative >= h->total_count)
        return false;
    while (it->index < h->counts_len && h->counts[it->index] == 0)
        it->index++;
    if (it->index >= h->counts_len)
        return false;
    size_t i = it->index++;
    it->count = h->counts[i];
    it->cumulative += it->count;
    it->lowest = clamp_u64(lowest_of_index(h, i), h->min, UINT64_MAX);
    it->value = clamp_u64(highest_of_index(h, i), 0, h->max);
    return true;
}
