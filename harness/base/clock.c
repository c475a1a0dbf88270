/*
 * Calibration of the measuring clock: what one clock_now_ns() costs and the
 * smallest step it shows. Every run records both, because a sample shorter
 * than a few reads, or than a few steps, is dominated by the clock rather than
 * by the operation timed. The measurement takes about a millisecond with a
 * vDSO clock and is cut short when reads are slow (a clocksource without vDSO
 * support, such as hpet or xen, costs microseconds per read).
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

/* Reads per batch: enough that the two reads bracketing a batch and the
 * integer division are negligible, few enough that a batch rarely straddles a
 * timer interrupt, which the median then discards. */
#define BATCH_READS 1000u
#define BATCHES     50u
/* Always keep this many batches so the median means something, even when a
 * slow clock exhausts the time budget. */
#define MIN_BATCHES 11u
#define BUDGET_NS   5000000u /* 5 ms */
/* Consecutive reads scanned for the smallest step. */
#define STEP_READS 4000u

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Median cost of one read, from the elapsed time of BATCH_READS back-to-back
 * reads. Sub-nanosecond costs are rounded to the nearest whole one, and never
 * to 0, since a read cannot be free. */
static uint64_t measure_overhead_ns(void)
{
    uint64_t elapsed[BATCHES];
    size_t done = 0;
    uint64_t budget_start = clock_now_ns();

    while (done < BATCHES) {
        /* BATCH_READS + 1 reads span BATCH_READS intervals. */
        uint64_t first = clock_now_ns(), last = first;
        for (unsigned i = 0; i < BATCH_READS; i++)
            last = clock_now_ns();
        elapsed[done++] = last - first;
        if (done >= MIN_BATCHES && last - budget_start > BUDGET_NS)
            break;
    }
    qsort(elapsed, done, sizeof(elapsed[0]), compare_u64);
    uint64_t per_read = (elapsed[done / 2] + BATCH_READS / 2) / BATCH_READS;
    return per_read ? per_read : 1;
}

/* Smallest non-zero difference between consecutive reads: the finest step a
 * caller can see, which is bounded below by the cost of a read as well as by
 * the clock's tick. */
static uint64_t measure_resolution_ns(void)
{
    uint64_t smallest = 0, prev = clock_now_ns();

    for (unsigned i = 0; i < STEP_READS; i++) {
        uint64_t now = clock_now_ns();
        uint64_t step = now - prev;
        if (step != 0 && (smallest == 0 || step < smallest))
            smallest = step;
        prev = now;
    }

    /* A coarse clock may not tick at all during the scan: then the kernel's
     * claim is all there is. And no observed step can be finer than the tick
     * the kernel reports. */
    struct timespec res;
    if (clock_getres(CLOCK_MONOTONIC, &res) == 0) {
        uint64_t claimed = (uint64_t)res.tv_sec * 1000000000u + (uint64_t)res.tv_nsec;
        if (claimed > smallest)
            smallest = claimed;
    }
    return smallest;
}

int clock_calibrate(struct clock_calibration *out)
{
    struct timespec ts;

    /* clock_now_ns() ignores errors to stay inline and cheap; check once
     * here that the clock can be read at all. */
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return -errno;

    out->overhead_ns = measure_overhead_ns();
    out->resolution_ns = measure_resolution_ns();
    return 0;
}
