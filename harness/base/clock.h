/*
 * The one clock procbench measures with: CLOCK_MONOTONIC in nanoseconds, read
 * through the vDSO. Scenarios call clock_now_ns() around their critical
 * section; the harness uses it for budgets. clock_calibrate() measures what a
 * read costs and the smallest step the clock shows, so that every run can
 * record them and flag cases too short to time one at a time.
 */
#ifndef PROCBENCH_CLOCK_H
#define PROCBENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic time in nanoseconds since an arbitrary origin. Inline so that the
 * only cost inside a timed section is the vDSO call itself. */
static inline uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct clock_calibration {
    uint64_t overhead_ns;   /* median cost of one clock_now_ns() call */
    uint64_t resolution_ns; /* smallest non-zero difference between two reads */
};

/* Measures the clock over a few milliseconds. Returns 0, or -errno when the
 * clock cannot be read. */
int clock_calibrate(struct clock_calibration *out);

#endif
