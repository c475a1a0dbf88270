/*
 * Finding and removing what a round left behind. Children are found by
 * scanning /proc for processes whose parent is us: waitpid() can reap a
 * zombie but cannot name a child that is still running, and only a name
 * can be killed.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reaper.h"

/* The child reaper_collect() leaves alone, and the process that said so (a
 * forked copy of that process has other children). */
static pid_t spared_pid;
static pid_t spared_by;

void reaper_spare(pid_t pid)
{
    spared_pid = pid;
    spared_by = pid > 0 ? getpid() : 0;
}

static pid_t spared(void)
{
    return spared_by == getpid() ? spared_pid : 0;
}

int reaper_become_subreaper(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

/* The parent pid from /proc/PID/stat, or -1. The command name in field 2
 * may hold spaces and parentheses, so parsing starts after the last ')'. */
static pid_t parent_of(const char *pid_text)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid_text);
    FILE *fp = fopen(path, "re");
    if (!fp)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    char *close_paren = strrchr(buf, ')');
    int ppid;
    char state;
    if (!close_paren || sscanf(close_paren + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    return (pid_t)ppid;
}

/* Sends SIGKILL to every running child but the spared one; returns how
 * many were signalled. */
static int kill_children(void)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    pid_t self = getpid(), keep = spared();
    int killed = 0;
    for (struct dirent *e; (e = readdir(proc));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid != keep && parent_of(e->d_name) == self && kill(pid, SIGKILL) == 0)
            killed++;
    }
    closedir(proc);
    return killed;
}

int reaper_collect(void)
{
    int collected = 0;
    /* Bounded: a child that resists SIGKILL (stuck in the kernel) is
     * reported by the caller's next look rather than hanging the run. */
    for (int attempt = 0; attempt < 2000; attempt++) {
        pid_t pid;
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
            if (pid == spared())
                reaper_spare(0); /* it died: its owner finds out from its socket */
            else
                collected++;
        }
        if (pid < 0 && errno == ECHILD)
            return collected;
        if (pid < 0 && errno == EINTR)
            continue;
        /* Children remain and none has exited yet: kill what is running,
         * give it a millisecond to die, and look again; if only the spared
         * one runs, that is all. */
        if (kill_children() == 0 && spared() > 0)
            return collected;
        usleep(1000);
    }
    return collected;
}

int reaper_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -errno;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}
