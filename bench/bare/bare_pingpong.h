/*
 * What the hand-written ping-pong loops of this directory share
 * (bare_pipe_pingpong.c, bare_socketpair_pingpong.c, bare_futex_pingpong.c):
 * the command line, pinning, the forked peer, the timed loop and the printed
 * percentiles, so that each loop's file holds only its exchange. Like
 * bare_posix_spawn.c it includes no project header: these loops are the
 * harness-free reference that ci/overhead compares procbench's ipc.* rows
 * (mode=pingpong, size=1, placement=same) with.
 *
 *   bare_<exchange>_pingpong N [CPU]
 *
 * CPU pins this process before it forks its peer, which inherits the pin,
 * as placement=same does. After a warm-up, N round trips of one byte are
 * timed one by one, a clock read on each side of each, as a procbench
 * sample is; the peer answers with the byte it got, and the parent checks
 * it. Prints one line: median_ns=... p90_ns=... n=...
 */
#ifndef BARE_PINGPONG_H
#define BARE_PINGPONG_H

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BARE_WARMUP_ROUND_TRIPS 1000

/* One exchange: its functions return 0, or -1 after printing why. */
struct bare_exchange {
    const char *name;                 /* the program's name, for messages */
    int (*open)(void);                /* before fork(): make the channel */
    void (*peer)(void);               /* the peer: answer until the channel ends */
    int (*round_trip)(unsigned char); /* send the byte, wait for it to come back */
    void (*close)(void);              /* end the channel, so that the peer returns */
};

static uint64_t bare_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bare_compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Parses argv into *n and *cpu (-1: not pinned), or prints the usage. */
static int bare_arguments(const struct bare_exchange *x, int argc, char **argv, unsigned long *n,
                          long *cpu)
{
    char *end = NULL;
    *cpu = -1;
    if (argc == 2 || argc == 3)
        *n = strtoul(argv[1], &end, 10);
    if (end == NULL || *end != '\0' || *n == 0 || *n > 100000000ul) {
        fprintf(stderr, "usage: %s N [CPU]   (N round trips, 1 to 10^8)\n", x->name);
        return -1;
    }
    if (argc == 3) {
        *cpu = strtol(argv[2], &end, 10);
        if (*end != '\0' || *cpu < 0 || *cpu >= CPU_SETSIZE) {
            fprintf(stderr, "%s: CPU must be a CPU number, not '%s'\n", x->name, argv[2]);
            return -1;
        }
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)*cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set) != 0) {
            fprintf(stderr, "%s: cannot pin to CPU %ld: %s\n", x->name, *cpu, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Warm-up, then n timed round trips into ns[]. */
static int bare_measure(const struct bare_exchange *x, unsigned long n, uint64_t *ns)
{
    unsigned char byte = 0;
    for (int i = 0; i < BARE_WARMUP_ROUND_TRIPS; i++) {
        if (x->round_trip(++byte) != 0)
            return -1;
    }
    for (unsigned long i = 0; i < n; i++) {
        uint64_t t0 = bare_now_ns();
        int err = x->round_trip(++byte);
        ns[i] = bare_now_ns() - t0;
        if (err != 0)
            return -1;
    }
    return 0;
}

static int bare_main(const struct bare_exchange *x, int argc, char **argv)
{
    unsigned long n;
    long cpu;
    if (bare_arguments(x, argc, argv, &n, &cpu) != 0)
        return 2;
    uint64_t *ns = malloc(n * sizeof(*ns));
    if (ns == NULL || x->open() != 0) {
        fprintf(stderr, "%s: setup failed\n", x->name);
        return 1;
    }
    pid_t peer = fork();
    if (peer < 0) {
        fprintf(stderr, "%s: fork failed: %s\n", x->name, strerror(errno));
        return 1;
    }
    if (peer == 0) {
        x->peer();
        _exit(0);
    }
    int err = bare_measure(x, n, ns);
    x->close();
    int status = 0;
    while (waitpid(peer, &status, 0) < 0 && errno == EINTR)
        ;
    if (err != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: the exchange failed (peer wait status 0x%x)\n", x->name, status);
        return 1;
    }
    qsort(ns, n, sizeof(*ns), bare_compare);
    /* Nearest rank, as bare_posix_spawn. */
    printf("median_ns=%llu p90_ns=%llu n=%lu\n", (unsigned long long)ns[(n + 1) / 2 - 1],
           (unsigned long long)ns[(n * 90 + 99) / 100 - 1], n);
    free(ns);
    return 0;
}

#endif
