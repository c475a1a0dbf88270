/*
 * Does fork() cost the same from memory a process inherited as from memory
 * it wrote itself? Without procbench, and on the same physical pages: one
 * process writes MIB mebibytes of private anonymous memory (2 MiB-aligned,
 * with MADV_POPULATE_WRITE, as bench/ballast.c does), then PAIRS times, in
 * alternating order, measures its own forks ("own": as a round that wrote
 * its ballast, --no-hold) and those of a child it forks ("inherited": as a
 * round forked from procbench's holder). Each measurement forks children
 * one after the other, each _exit()ing at once and reaped before the next:
 * 300 ms of forks to settle, then the median fork-to-reap time of the next
 * second (at most 400 forks).
 *
 * Comparing two processes that each wrote their own memory instead would
 * compare two sets of pages: how scattered they lie in physical memory
 * moves a 1 GiB fork's cost by a third here (README, Held ballast), which
 * is why this keeps the pages and changes only who wrote them. It prints
 * the share of the pages whose frame follows the previous page's (from
 * /proc/self/pagemap; frames read as 0 without CAP_SYS_ADMIN, then
 * "unknown"). With "scattered" it writes the pages one by one in a
 * shuffled order instead, so that each page's frame comes from anywhere
 * among those handed out: the same memory, scattered on purpose. Pin it to
 * see one CPU:
 *
 *   taskset -c 1 build/bare/bare_fork_held 1024 6
 *   taskset -c 1 build/bare/bare_fork_held 1024 6 scattered
 *
 * Prints a line per pair, "own MS inherited MS ratio R", then the median
 * ratio inherited/own. ci/ballast-equivalence asks the same of procbench.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bare_fork.h"

#define HUGE_PAGE   (2u << 20)
#define SETTLE_MS   300.0
#define MEASURE_MS  1000.0
#define MAX_SAMPLES 400
#define MAX_PAIRS   100
#define PFN_MASK    ((UINT64_C(1) << 55) - 1)
#define PRESENT     (UINT64_C(1) << 63)

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

/* bytes of written private memory, starting on a 2 MiB boundary; its
 * pages written in a shuffled order when scattered. */
static char *write_memory(size_t bytes, bool scattered)
{
    char *raw = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        die("mmap");
    char *at = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (!scattered) {
        if (madvise(at, bytes, MADV_POPULATE_WRITE) != 0)
            die("madvise(MADV_POPULATE_WRITE)");
        return at;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = bytes / page;
    size_t *order = malloc(pages * sizeof(*order));
    if (order == NULL)
        die("malloc");
    uint64_t state = 88172645463325252u; /* a fixed seed: the same shuffle each run */
    for (size_t i = 0; i < pages; i++)
        order[i] = i;
    for (size_t i = pages; i > 1; i--) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        size_t j = (size_t)(state % i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < pages; i++)
        at[order[i] * page] = 1;
    free(order);
    return at;
}

/* The percentage of [at, at + bytes)'s pages whose frame number is the
 * previous page's plus one; -1 when the frames cannot be read. */
static double frames_in_sequence_pct(const char *at, size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = bytes / page, in_sequence = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    uint64_t previous = 0, entry = 0;
    bool known = true;
    for (size_t i = 0; i < pages && known; i++, previous = entry) {
        off_t where = (off_t)(((uintptr_t)at / page + i) * sizeof(entry));
        known = pread(fd, &entry, sizeof(entry), where) == (ssize_t)sizeof(entry) &&
                (entry & PRESENT) && (entry & PFN_MASK) != 0;
        in_sequence += i > 0 && known && (entry & PFN_MASK) == (previous & PFN_MASK) + 1;
    }
    close(fd);
    return known && pages > 1 ? 100.0 * (double)in_sequence / (double)(pages - 1) : -1;
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

/* settled_fork_ms() of a child of this process, which inherits its memory. */
static double inherited_fork_ms(void)
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
        ms = settled_fork_ms();
        _exit(write(pipe_fds[1], &ms, sizeof(ms)) == (ssize_t)sizeof(ms) ? 0 : 1);
    }
    close(pipe_fds[1]);
    ssize_t got = read(pipe_fds[0], &ms, sizeof(ms));
    close(pipe_fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || got != (ssize_t)sizeof(ms) || status != 0) {
        fprintf(stderr, "bare_fork_held: the inheriting process failed\n");
        exit(1);
    }
    return ms;
}

int main(int argc, char **argv)
{
    bool scattered = argc == 4 && strcmp(argv[3], "scattered") == 0;
    if (argc != 3 && !scattered) {
        fprintf(stderr, "usage: bare_fork_held MIB PAIRS [scattered]\n");
        return 2;
    }
    size_t bytes = (size_t)bare_count("bare_fork_held", argv[1], "MIB", 1L << 20) << 20;
    long pairs = bare_count("bare_fork_held", argv[2], "PAIRS", MAX_PAIRS);
    const char *at = write_memory(bytes, scattered);
    double in_sequence = frames_in_sequence_pct(at, bytes);
    if (in_sequence < 0)
        printf("pages whose frame follows the previous one's: unknown\n");
    else
        printf("pages whose frame follows the previous one's: %.1f%%\n", in_sequence);
    double ratios[MAX_PAIRS];
    for (long i = 0; i < pairs; i++) {
        double own = 0, inherited = 0;
        for (int side = 0; side < 2; side++) {
            if (side == i % 2)
                inherited = inherited_fork_ms();
            else
                own = settled_fork_ms();
        }
        ratios[i] = inherited / own;
        printf("own %.3f inherited %.3f ratio %.3f\n", own, inherited, ratios[i]);
        fflush(stdout);
    }
    printf("median ratio inherited/own %.3f\n", median(ratios, (size_t)pairs));
    return 0;
}
