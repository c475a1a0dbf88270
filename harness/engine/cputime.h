/*
 * CPU time of another process, to the nanosecond: what a long-lived peer
 * (a worker, an echo child) spent while the harness timed a block. rusage
 * only counts a child once it is reaped, and /proc/PID/stat counts in clock
 * ticks (10 ms here); /proc/PID/schedstat has the scheduler's exact sum.
 */
#ifndef PROCBENCH_CPUTIME_H
#define PROCBENCH_CPUTIME_H

#include <stdint.h>
#include <sys/types.h>

/* Nanoseconds pid's main thread has run so far. Returns 0, or -errno
 * (-ENOENT once the process is gone). */
int cputime_of(pid_t pid, uint64_t *ns);

#endif
