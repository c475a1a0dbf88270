/*
 * Helpers for the scenarios that create processes: finding the exec targets
 * (the static child where base/locate.h says, or /bin/true), reaping a
 * child with wait4() so that its peak RSS is known and its exit status becomes
 * a readable reason, and pinning a child to a CPU between fork and exec with
 * nothing but a system call, so that it is safe after vfork() or clone().
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/locate.h"
#include "base/reason.h"
#include "proc.h"
#include "scenario.h"

/* The harness is single-threaded when it resolves targets (in setup), so a
 * plain static cache is enough. Empty means "not resolved yet". */
static char child_path[PATH_MAX];

int proc_child_path(const char **out, char *failure, size_t failure_len)
{
    if (child_path[0] == '\0') {
        enum locate_origin origin;
        int err = locate_path(LOCATE_CHILD, child_path, sizeof(child_path), &origin, failure,
                              failure_len);
        if (err < 0) {
            child_path[0] = '\0';
            return err;
        }
        if (access(child_path, X_OK) != 0) {
            err = errno;
            /* What to do about it depends on where it was looked for, and
             * on whether it is missing or there but not to be executed by us
             * (its mode, a folder above it we cannot enter); short, as a
             * reason has 160 bytes for the path too. */
            const char *remedy = origin == LOCATE_FROM_INSTALL ? "reinstall procbench"
                                 : origin == LOCATE_FROM_BUILD_TREE
                                     ? "build the procbench-child target or set PROCBENCH_CHILD"
                                     : "check PROCBENCH_CHILD";
            if (err == ENOENT || err == ENOTDIR)
                reason_format(failure, failure_len, "static child not found at %s (%s): %s",
                              child_path, strerror(err), remedy);
            else
                reason_format(failure, failure_len,
                              "%s: %s: the static child at %s cannot be executed (check its "
                              "mode and the folders above it, or set PROCBENCH_CHILD)",
                              strrchr(child_path, '/') ? strrchr(child_path, '/') + 1 : child_path,
                              strerror(err), child_path);
            /* Not cached: a later call may find it once it has been built. */
            child_path[0] = '\0';
            return -err;
        }
    }
    *out = child_path;
    return 0;
}

void proc_child_path_reset(void)
{
    child_path[0] = '\0';
}

int proc_target_path(const struct param_value *target, const char **out, char *failure,
                     size_t failure_len)
{
    if (strcmp(target->text, "static") == 0)
        return proc_child_path(out, failure, failure_len);
    if (strcmp(target->text, "dynamic") == 0) {
        static const char dynamic_path[] = "/bin/true";
        if (access(dynamic_path, X_OK) != 0) {
            int err = errno;
            snprintf(failure, failure_len, "dynamic target %s cannot be executed: %s", dynamic_path,
                     strerror(err));
            return -err;
        }
        *out = dynamic_path;
        return 0;
    }
    snprintf(failure, failure_len, "unknown target '%s' (expected static or dynamic)",
             target->text);
    return -EINVAL;
}

int proc_reap(pid_t pid, struct sample *out, char failure[SCENARIO_FAILURE_MAX])
{
    int status;
    struct rusage ru;
    pid_t got;
    do
        got = wait4(pid, &status, 0, &ru);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        int err = errno;
        snprintf(failure, SCENARIO_FAILURE_MAX, "wait4 failed: %s", strerror(err));
        return -err;
    }

    out->child_maxrss_kb = ru.ru_maxrss;
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 0)
            return 0;
        snprintf(failure, SCENARIO_FAILURE_MAX, "exited with status %d", WEXITSTATUS(status));
        return -ECHILD;
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(failure, SCENARIO_FAILURE_MAX, "killed by signal %d (SIG%s)", sig,
                 abbrev != NULL ? abbrev : "?");
        return -ECHILD;
    }
    snprintf(failure, SCENARIO_FAILURE_MAX, "ended with wait status 0x%x", status);
    return -ECHILD;
}

int proc_pin_self(int cpu)
{
    if (cpu < 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    /* Not sched_setaffinity(): the raw call touches no libc state beyond
     * errno, which is what a vfork()ed or clone(CLONE_VM) child may do. */
    if (syscall(SYS_sched_setaffinity, 0, sizeof(set), &set) != 0)
        return -errno;
    return 0;
}
