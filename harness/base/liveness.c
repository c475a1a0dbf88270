/*
 * liveness_*(): see liveness.h.
 */
#include "liveness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Field 22 of /proc/PID/stat, the start time. The command name (field 2)
 * may hold spaces and parentheses: counting starts after the last ')'. */
static int start_ticks_of(pid_t pid, unsigned long long *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "re");
    if (fp == NULL)
        return -errno;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    if (p == NULL)
        return -EINVAL;
    /* After ')': field 3 (state) is the first; 22 is the twentieth. */
    for (int field = 3; field < 22; field++) {
        p = strchr(p + 1, ' ');
        if (p == NULL)
            return -EINVAL;
    }
    char *end;
    errno = 0;
    *out = strtoull(p + 1, &end, 10);
    return errno != 0 || end == p + 1 ? -EINVAL : 0;
}

int liveness_self(struct liveness_id *out)
{
    out->pid = getpid();
    return start_ticks_of(out->pid, &out->start_ticks);
}

bool liveness_alive(const struct liveness_id *id)
{
    unsigned long long now;
    if (id->pid <= 0)
        return false;
    /* No /proc entry: gone. An entry we cannot read (another user's,
     * hidepid): alive if kill() says the pid exists, to be safe. */
    int rc = start_ticks_of(id->pid, &now);
    if (rc == -ENOENT || rc == -ESRCH)
        return false;
    if (rc != 0)
        return kill(id->pid, 0) == 0 || errno == EPERM;
    return now == id->start_ticks;
}

void liveness_format(const struct liveness_id *id, char *buf, size_t len)
{
    snprintf(buf, len, "%d.%llu", (int)id->pid, id->start_ticks);
}

size_t liveness_parse(const char *text, struct liveness_id *out)
{
    const char *p = text;
    unsigned long long pid = 0, start = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
        pid = pid * 10 + (unsigned)(*p - '0');
    if (digits == 0 || *p != '.' || pid == 0 || pid > 0x7fffffff)
        return 0;
    p++;
    digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
        start = start * 10 + (unsigned)(*p - '0');
    if (digits == 0)
        return 0;
    out->pid = (pid_t)pid;
    out->start_ticks = start;
    return (size_t)(p - text);
}
