/*
 * A log-linear latency histogram in the manner of HdrHistogram: values from 0
 * to a highest trackable value are kept in buckets whose width is at most
 * 10^-digits of the value, so any percentile read back is within that relative
 * error of the exact one. Memory is fixed at creation; recording is O(1) and
 * allocation-free, so it can run between samples without disturbing them.
 * Debian ships no C HdrHistogram, hence this one.
 */
#ifndef PROCBENCH_HISTOGRAM_H
#define PROCBENCH_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One hour in nanoseconds: the highest value the harness asks histograms to
 * track. */
#define HISTOGRAM_ONE_HOUR_NS (3600ull * 1000000000ull)

struct histogram;

/* Creates an empty histogram tracking 0..highest_trackable (>= 2) with
 * significant_digits (1..5) of precision. Returns 0 and sets *out, -EINVAL for
 * bad arguments, -ENOMEM. Free with histogram_destroy(). */
int histogram_create(uint64_t highest_trackable, int significant_digits, struct histogram **out);

/* The same, in an anonymous MAP_SHARED mapping: a child created with fork()
 * afterwards records into the very histogram its parent reads, and fork()
 * copies none of its pages or page tables. */
int histogram_create_shared(uint64_t highest_trackable, int significant_digits,
                            struct histogram **out);

/* Bytes one histogram of this range and precision needs in memory the
 * caller provides (a multiple of 64), or 0 for bad arguments. */
size_t histogram_footprint(uint64_t highest_trackable, int significant_digits);

/* Makes an empty histogram in mem, which must be zero-filled, 64-byte
 * aligned and at least histogram_footprint() long; the caller owns and frees
 * mem, so many histograms can share one mapping (one MAP_SHARED region
 * costs fork() one VMA; a thousand cost it a thousand). Returns 0 or
 * -EINVAL. histogram_destroy() on it does nothing. */
int histogram_init_in(void *mem, size_t len, uint64_t highest_trackable, int significant_digits,
                      struct histogram **out);

/* Frees h (either kind); NULL is accepted. */
void histogram_destroy(struct histogram *h);

/* Forgets every recorded value, keeping the configuration. */
void histogram_reset(struct histogram *h);

/* Records value count times. Returns 0, or -ERANGE (and records nothing) when
 * value exceeds the highest trackable value. */
int histogram_record_n(struct histogram *h, uint64_t value, uint64_t count);

/* Records value once; see histogram_record_n(). */
int histogram_record(struct histogram *h, uint64_t value);

/* Adds every count of src into dst. Returns 0, or -EINVAL when the two were
 * created with different ranges or precision. */
int histogram_merge(struct histogram *dst, const struct histogram *src);

/* Number of recorded values. */
uint64_t histogram_count(const struct histogram *h);

/* Exact smallest and largest recorded value; 0 when empty. */
uint64_t histogram_min(const struct histogram *h);
uint64_t histogram_max(const struct histogram *h);

/* Value of the rank-th smallest recorded value (1-based; ranks beyond the
 * count give the maximum), reported as the highest value equivalent to it,
 * clamped to [min, max]. 0 when empty. */
uint64_t histogram_value_at_rank(const struct histogram *h, uint64_t rank);

/* Nearest-rank percentile: the value at rank ceil(percentile/100 * count),
 * at least rank 1. percentile is clamped to [0, 100]. 0 when empty. */
uint64_t histogram_value_at_percentile(const struct histogram *h, double percentile);

/* Bounds of the bucket holding value: every value in
 * [lowest_equivalent, highest_equivalent] is counted as the same. */
uint64_t histogram_lowest_equivalent(const struct histogram *h, uint64_t value);
uint64_t histogram_highest_equivalent(const struct histogram *h, uint64_t value);

/* The configuration, for writers and merges. */
uint64_t histogram_highest_trackable(const struct histogram *h);
int histogram_significant_digits(const struct histogram *h);
size_t histogram_bucket_count(const struct histogram *h);     /* power-of-two ranges */
size_t histogram_sub_bucket_count(const struct histogram *h); /* linear steps per range */

/* Walks the non-empty buckets in ascending order. */
struct histogram_iter {
    const struct histogram *h;
    size_t index;        /* internal: next counts[] slot to look at */
    uint64_t value;      /* highest equivalent value of the bucket, clamped to max */
    uint64_t lowest;     /* lowest equivalent value of the bucket, clamped to min */
    uint64_t count;      /* values in this bucket */
    uint64_t cumulative; /* values in this and every earlier bucket */
};

void histogram_iter_init(struct histogram_iter *it, const struct histogram *h);

/* Advances to the next non-empty bucket; false when there is none. */
bool histogram_iter_next(struct histogram_iter *it);

#endif
