/*
 * How fork() settles after its process has written its memory, without
 * procbench: map MIB mebibytes of private anonymous memory, write every
 * page with one MADV_POPULATE_WRITE (timed), then fork COUNT children one
 * after the other, each _exit()ing at once and reaped before the next, and
 * print how long each fork() took to return. The first fork write-protects
 * every page table entry; the ones after it still cost more for a while,
 * which is why procbench's warm-up waits for its samples to stop getting
 * faster (harness/engine/round.c). Pin it to see one CPU:
 *
 *   taskset -c 1 build/bare/bare_fork_settle 1024 25
 *
 * Prints one line: populate=MS then the COUNT fork times in ms.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bare_fork.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bare_fork_settle MIB COUNT\n");
        return 2;
    }
    size_t bytes = (size_t)bare_count("bare_fork_settle", argv[1], "MIB", 1L << 20) << 20;
    long count = bare_count("bare_fork_settle", argv[2], "COUNT", 10000);
    char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        fprintf(stderr, "bare_fork_settle: mmap of %zu bytes failed: %s\n", bytes, strerror(errno));
        return 1;
    }
    double t0 = bare_now_ms();
    if (madvise(memory, bytes, MADV_POPULATE_WRITE) != 0) {
        fprintf(stderr, "bare_fork_settle: MADV_POPULATE_WRITE failed: %s\n", strerror(errno));
        return 1;
    }
    printf("populate=%.1f", bare_now_ms() - t0);
    for (long i = 0; i < count; i++) {
        t0 = bare_now_ms();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        double returned = bare_now_ms() - t0;
        if (pid < 0 || waitpid(pid, NULL, 0) != pid) {
            fprintf(stderr, "\nbare_fork_settle: fork %ld failed: %s\n", i + 1, strerror(errno));
            return 1;
        }
        printf(" %.2f", returned);
    }
    printf("\n");
    munmap(memory, bytes);
    return 0;
}
