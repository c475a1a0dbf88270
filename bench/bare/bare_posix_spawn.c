/*
 * A reference loop for spawn.posix_spawn written without the harness: no
 * project header, no parameters, no rounds, just clock -> posix_spawn ->
 * waitpid -> clock, N times. Comparing its median with the harness's shows
 * what the harness adds to a sample (it should be next to nothing).
 *
 *   bare_posix_spawn PATH N [CPU]
 *
 * CPU pins this process (and so its children) to one CPU, as placement=same
 * does; without it nothing is pinned. Prints one line:
 * median_ns=... p90_ns=... n=...
 */
#include <errno.h>
#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define WARMUP_SPAWNS 50

extern char **environ;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* One spawn and reap; returns its duration in ns, or 0 after printing why. */
static uint64_t spawn_once(const char *path)
{
    char *argv[] = {(char *)path, NULL};
    pid_t pid;
    int status;
    uint64_t t0 = now_ns();
    int err = posix_spawn(&pid, path, NULL, NULL, argv, environ);
    if (err != 0) {
        fprintf(stderr, "bare_posix_spawn: posix_spawn %s failed: %s\n", path, strerror(err));
        return 0;
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "bare_posix_spawn: waitpid failed: %s\n", strerror(errno));
            return 0;
        }
    }
    uint64_t t1 = now_ns();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bare_posix_spawn: %s ended with wait status 0x%x\n", path, status);
        return 0;
    }
    return t1 - t0;
}

/* Nearest-rank percentile of sorted[0..n). */
static uint64_t percentile(const uint64_t *sorted, size_t n, unsigned pct)
{
    size_t rank = (n * pct + 99) / 100;
    return sorted[rank > 0 ? rank - 1 : 0];
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: bare_posix_spawn PATH N [CPU]\n");
        return 2;
    }
    char *end;
    unsigned long n = strtoul(argv[2], &end, 10);
    if (*end != '\0' || n == 0 || n > 100000000ul) {
        fprintf(stderr, "bare_posix_spawn: N must be a count from 1 to 10^8, not '%s'\n", argv[2]);
        return 2;
    }
    if (argc == 4) {
        long cpu = strtol(argv[3], &end, 10);
        if (*end != '\0' || cpu < 0 || cpu >= CPU_SETSIZE) {
            fprintf(stderr, "bare_posix_spawn: CPU must be a CPU number, not '%s'\n", argv[3]);
            return 2;
        }
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)cpu, &set);
        if (sched_setaffinity(0, sizeof(set), &set) != 0) {
            fprintf(stderr, "bare_posix_spawn: cannot pin to CPU %ld: %s\n", cpu, strerror(errno));
            return 1;
        }
    }

    uint64_t *ns = malloc(n * sizeof(*ns));
    if (ns == NULL) {
        fprintf(stderr, "bare_posix_spawn: out of memory\n");
        return 1;
    }
    for (int i = 0; i < WARMUP_SPAWNS; i++) {
        if (spawn_once(argv[1]) == 0)
            return 1;
    }
    for (unsigned long i = 0; i < n; i++) {
        ns[i] = spawn_once(argv[1]);
        if (ns[i] == 0)
            return 1;
    }
    qsort(ns, n, sizeof(*ns), compare_u64);
    printf("median_ns=%llu p90_ns=%llu n=%lu\n", (unsigned long long)percentile(ns, n, 50),
           (unsigned long long)percentile(ns, n, 90), n);
    free(ns);
    return 0;
}
