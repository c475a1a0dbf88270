/*
 * What the two fork loops (bare_fork_settle.c, bare_fork_held.c) share: a
 * millisecond clock and a checked count from the command line. Like every
 * bare loop, nothing of procbench's.
 */
#ifndef BARE_FORK_H
#define BARE_FORK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double bare_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* text as a count from 1 to max; else one line naming it, exit 2. */
static long bare_count(const char *program, const char *text, const char *name, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 1 || v > max) {
        fprintf(stderr, "%s: %s '%s' is not a count from 1 to %ld\n", program, name, text, max);
        exit(2);
    }
    return v;
}

#endif
