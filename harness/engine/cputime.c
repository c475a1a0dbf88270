/*
 * cputime_of(): the first field of /proc/PID/schedstat, time on CPU in ns.
 * Peers here are single-threaded, so the main thread is the whole process.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "cputime.h"

int cputime_of(pid_t pid, uint64_t *ns)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
    FILE *fp = fopen(path, "re");
    if (!fp)
        return -errno;
    int got = fscanf(fp, "%" SCNu64, ns);
    fclose(fp);
    return got == 1 ? 0 : -EIO;
}
