/*
 * Does fork() cost the same from memory a holder wrote as from memory the
 * process wrote itself? Without procbench: PAIRS times, in alternating
 * order, a "held" process (forked from a holder that wrote MIB mebibytes
 * of private anonymous memory once, as procbench's holder does) and a
 * "fresh" one (which writes its own MIB first, as a round with --no-hold
 * does) each fork children one after the other, each _exit()ing at once
 * and reaped before the next: 300 ms of forks to settle, then the median
 * fork-to-reap time of the next second (at most 400 forks). Memory is
 * written with MADV_POPULATE_WRITE into a 2 MiB-aligned mapping, as
 * bench/ballast.c does. Pin it to see one CPU:
 *
 *   taskset -c 1 build/bare/bare_fork_held 1024 6
 *
 * Prints a line per pair, "held MS fresh MS ratio R", then the median
 * ratio held/fresh. ci/ballast-equivalence asks the same of procbench.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bare_fork.h"

#define HUGE_PAGE    (2u << 20)
#define SETTLE_MS    300.0
#define MEASURE_MS   1000.0
#define MAX_SAMPLES  400
#define MAX_PAIRS    100

static void die(const char *what)
{
    fprintf(stderr, "bare_fork_held: %s failed: %s\n", what, strerror(errno));
    exit(1);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* bytes of written private memory, starting on a 2 MiB boundary. */
static void write_memory(size_t bytes)
{
    char *raw = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        die("mmap");
    char *at = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (madvise(at, bytes, MADV_POPULATE_WRITE) != 0)
        die("madvise(MADV_POPULATE_WRITE)");
}

/* The settled median fork-to-reap time of this process, in ms. */
static double settled_fork_ms(void)
{
    double samples[MAX_SAMPLES], start = bare_now_ms();
    size_t n = 0;
    for (;;) {
        double t0 = bare_now_ms();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0 || waitpid(pid, NULL, 0) != pid)
            die("fork");
        double spent = bare_now_ms() - t0;
        if (t0 - start < SETTLE_MS)
            continue;
        samples[n++] = spent;
        if (n == MAX_SAMPLES || t0 - start >= SETTLE_MS + MEASURE_MS)
            return median(samples, n);
    }
}

/* Runs measure in a child of the calling process and returns its figure. */
static double in_child(size_t bytes_to_write)
{
    int pipe_fds[2];
    double ms = 0;
    if (pipe(pipe_fds) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(pipe_fds[0]);
        if (bytes_to_write > 0)
            write_memory(bytes_to_write);
        ms = settled_fork_ms();
        _exit(write(pipe_fds[1], &ms, sizeof(ms)) == (ssize_t)sizeof(ms) ? 0 : 1);
    }
    close(pipe_fds[1]);
    ssize_t got = read(pipe_fds[0], &ms, sizeof(ms));
    close(pipe_fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || got != (ssize_t)sizeof(ms) || status != 0) {
        fprintf(stderr, "bare_fork_held: a measuring process failed\n");
        exit(1);
    }
    return ms;
}

/* The holder: writes its memory once, then for each byte read from
 * requests measures in a child of its own and writes the figure back. */
static void hold(size_t bytes, int requests, int replies)
{
    write_memory(bytes);
    char c;
    while (read(requests, &c, 1) == 1) {
        double ms = in_child(0);
        if (write(replies, &ms, sizeof(ms)) != (ssize_t)sizeof(ms))
            _exit(1);
    }
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bare_fork_held MIB PAIRS\n");
        return 2;
    }
    size_t bytes = (size_t)bare_count("bare_fork_held", argv[1], "MIB", 1L << 20) << 20;
    long pairs = bare_count("bare_fork_held", argv[2], "PAIRS", MAX_PAIRS);
    int requests[2], replies[2];
    if (pipe(requests) != 0 || pipe(replies) != 0)
        die("pipe");
    pid_t holder = fork();
    if (holder < 0)
        die("fork");
    if (holder == 0) {
        close(requests[1]);
        close(replies[0]);
        hold(bytes, requests[0], replies[1]);
    }
    close(requests[0]);
    close(replies[1]);
    double ratios[MAX_PAIRS];
    for (long i = 0; i < pairs; i++) {
        double held = 0, fresh = 0;
        for (int side = 0; side < 2; side++) {
            if (side == i % 2) {
                if (write(requests[1], "x", 1) != 1 ||
                    read(replies[0], &held, sizeof(held)) != (ssize_t)sizeof(held)) {
                    fprintf(stderr, "bare_fork_held: the holder failed\n");
                    return 1;
                }
            } else {
                fresh = in_child(bytes);
            }
        }
        ratios[i] = held / fresh;
        printf("held %.3f fresh %.3f ratio %.3f\n", held, fresh, ratios[i]);
        fflush(stdout);
    }
    close(requests[1]);
    if (waitpid(holder, NULL, 0) != holder)
        die("waitpid(holder)");
    printf("median ratio held/fresh %.3f\n", median(ratios, (size_t)pairs));
    return 0;
}
