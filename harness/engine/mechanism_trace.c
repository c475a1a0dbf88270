/*
 * The tracer of mechanism_trace.h: ptrace() with syscall stops (no
 * seccomp filter) over a process and every task it and its descendants
 * create (PTRACE_O_TRACEFORK, _TRACEVFORK, _TRACECLONE, _TRACEEXEC).
 * PTRACE_GET_SYSCALL_INFO (Linux 5.3) gives each call's number and
 * arguments at its entry and its result at its exit, with no register
 * layout to know. A creating call (clone, clone3, fork, vfork) is noted at
 * its entry (clone3's flags read from the caller's struct clone_args);
 * the new task is recorded at the PTRACE_EVENT_FORK/VFORK/CLONE stop that
 * follows, with the new tid; an exec at PTRACE_EVENT_EXEC (the program's
 * name from /proc/PID/exe), a failed execve()/execveat() at its exit.
 */
#include "mechanism_trace.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/grow.h"

/* Tasks followed at once; a Node.js process has a dozen threads. */
#define TASKS_MAX 4096

/* What the tracer knows of one task it follows. */
struct followed {
    pid_t tid;
    pid_t tgid;     /* its process */
    int record;     /* its process's record in the trace, -1: the traced process */
    bool started;   /* its first stop (the SIGSTOP of a new tracee) was seen */
    bool linked;    /* its creator's event was seen (or it is the traced process) */
    bool parked;    /* left in its first stop until its creator's event links it */
    bool in_create; /* stopped inside a creating call noted below */
    char call[160];
    bool call_thread; /* the call has CLONE_THREAD */
    bool in_exec;     /* inside execve()/execveat() */
};

struct tracer {
    struct mechanism_trace *out;
    struct followed tasks[TASKS_MAX];
    size_t count;
    int marker_fd;
    pid_t traced;
    unsigned markers; /* writes to marker_fd seen */
    uint32_t arch;    /* of the traced process's first call; others are not read */
    bool arch_known;
};

static struct followed *find(struct tracer *tr, pid_t tid)
{
    for (size_t i = 0; i < tr->count; i++) {
        if (tr->tasks[i].tid == tid)
            return &tr->tasks[i];
    }
    return NULL;
}

static struct followed *add(struct tracer *tr, pid_t tid)
{
    struct followed *f = find(tr, tid);
    if (f != NULL)
        return f;
    if (tr->count == TASKS_MAX)
        return NULL;
    f = &tr->tasks[tr->count++];
    memset(f, 0, sizeof(*f));
    f->tid = tid;
    f->tgid = tid;
    f->record = -1;
    return f;
}

static void forget(struct tracer *tr, pid_t tid)
{
    struct followed *f = find(tr, tid);
    if (f != NULL)
        *f = tr->tasks[--tr->count];
}

static int record_task(struct mechanism_trace *t, struct mechanism_task **out)
{
    struct mechanism_task *bigger =
        grow_for_one(t->tasks, &t->capacity, t->count, sizeof(*bigger), 32);
    if (bigger == NULL)
        return -ENOMEM;
    t->tasks = bigger;
    *out = &t->tasks[t->count++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

/* Notes a creating call at its entry: its name and flags. */
static void note_create(struct tracer *tr, struct followed *f,
                        const struct __ptrace_syscall_info *info)
{
    uint64_t nr = info->entry.nr;
    f->in_create = true;
    f->call_thread = false;
#ifdef SYS_clone3
    if (nr == SYS_clone3) {
        /* struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, ... */
        uint64_t args[5] = {0};
        struct iovec local = {.iov_base = args, .iov_len = sizeof(args)};
        struct iovec remote = {.iov_base = (void *)(uintptr_t)info->entry.args[0],
                               .iov_len = sizeof(args)};
        if (process_vm_readv(f->tid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(args)) {
            snprintf(f->call, sizeof(f->call), "clone3(?)");
            return;
        }
        mechanism_format_call("clone3", true, args[0], args[4], f->call, sizeof(f->call));
        f->call_thread = (args[0] & 0x00010000u) != 0;
        return;
    }
#endif
    if (nr == SYS_clone) {
        /* flags is the first argument on every architecture; its low byte
         * is the exit signal. */
        uint64_t flags = info->entry.args[0];
        mechanism_format_call("clone", true, flags & ~(uint64_t)0xff, flags & 0xff, f->call,
                              sizeof(f->call));
        f->call_thread = (flags & 0x00010000u) != 0;
        return;
    }
    (void)tr;
#ifdef SYS_vfork
    if (nr == SYS_vfork) {
        mechanism_format_call("vfork", false, 0, 0, f->call, sizeof(f->call));
        return;
    }
#endif
#ifdef SYS_fork
    if (nr == SYS_fork) {
        mechanism_format_call("fork", false, 0, 0, f->call, sizeof(f->call));
        return;
    }
#endif
    f->in_create = false;
}

static bool creating(uint64_t nr)
{
#ifdef SYS_clone3
    if (nr == SYS_clone3)
        return true;
#endif
#ifdef SYS_vfork
    if (nr == SYS_vfork)
        return true;
#endif
#ifdef SYS_fork
    if (nr == SYS_fork)
        return true;
#endif
    return nr == SYS_clone;
}

static bool exec_call(uint64_t nr)
{
#ifdef SYS_execveat
    if (nr == SYS_execveat)
        return true;
#endif
    return nr == SYS_execve;
}

/* The record of f's process, or NULL for the traced process itself. */
static struct mechanism_task *process_record(struct tracer *tr, const struct followed *f)
{
    return f->record >= 0 ? &tr->out->tasks[f->record] : NULL;
}

/* A syscall stop: entry or exit, from PTRACE_GET_SYSCALL_INFO. */
static int syscall_stop(struct tracer *tr, struct followed *f, char *why, size_t why_len)
{
    struct __ptrace_syscall_info info;
    memset(&info, 0, sizeof(info));
    long got = ptrace(PTRACE_GET_SYSCALL_INFO, f->tid, (void *)sizeof(info), &info);
    if (got < 0) {
        int err = errno;
        snprintf(why, why_len, "ptrace(PTRACE_GET_SYSCALL_INFO) failed: %s%s", strerror(err),
                 err == EIO ? " (it needs Linux 5.3)" : "");
        return -err;
    }
    if (!tr->arch_known && info.op != PTRACE_SYSCALL_INFO_NONE) {
        tr->arch = info.arch;
        tr->arch_known = true;
    }
    if (info.arch != tr->arch)
        return 0; /* a compat call: other numbers; none of ours make one */
    if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
        uint64_t nr = info.entry.nr;
        if (nr == SYS_write && f->tid == tr->traced && (int)info.entry.args[0] == tr->marker_fd) {
            tr->markers++;
            tr->out->phase = tr->markers == 1 ? MECHANISM_SAMPLE : MECHANISM_TEARDOWN;
        } else if (creating(nr)) {
            note_create(tr, f, &info);
        } else if (exec_call(nr)) {
            f->in_exec = true;
        }
    } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
        f->in_create = false;
        if (f->in_exec && info.exit.is_error) {
            struct mechanism_task *p = process_record(tr, f);
            if (p != NULL)
                p->failed_after++;
        }
        f->in_exec = false;
    }
    return 0;
}

/* PTRACE_EVENT_FORK/VFORK/CLONE in the creator f: the new task. */
static int created(struct tracer *tr, struct followed *f)
{
    unsigned long msg = 0;
    if (ptrace(PTRACE_GETEVENTMSG, f->tid, NULL, &msg) != 0)
        return 0;
    pid_t tid = (pid_t)msg;
    struct followed *child = add(tr, tid);
    if (child == NULL)
        return -ENOSPC;
    struct mechanism_task *rec;
    int rc = record_task(tr->out, &rec);
    if (rc != 0)
        return rc;
    rec->tid = tid;
    rec->parent = f->record;
    rec->phase = tr->out->phase;
    rec->thread = f->call_thread;
    snprintf(rec->call, sizeof(rec->call), "%s", f->in_create ? f->call : "?");
    child->tgid = rec->thread ? f->tgid : tid;
    /* A thread belongs to its creator's process record; a process has its
     * own. */
    child->record = rec->thread ? f->record : (int)(tr->out->count - 1);
    child->linked = true;
    if (child->parked) {
        child->parked = false;
        ptrace(PTRACE_SYSCALL, tid, NULL, NULL);
    }
    return 0;
}

/* PTRACE_EVENT_EXEC in f: what its process now runs. */
static void exec_done(struct tracer *tr, struct followed *f)
{
    struct mechanism_task *p = process_record(tr, f);
    if (p == NULL)
        return;
    char link[64], target[4096];
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)f->tid);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    const char *name = "?";
    if (n > 0) {
        target[n] = '\0';
        const char *slash = strrchr(target, '/');
        name = slash != NULL ? slash + 1 : target;
    }
    if (p->exec_count < MECHANISM_EXECS_MAX) {
        struct mechanism_exec *e = &p->execs[p->exec_count++];
        e->failed_before = p->failed_after;
        snprintf(e->name, sizeof(e->name), "%.47s", name);
    } else {
        p->exec_more++;
    }
    p->failed_after = 0;
    /* The execve() now returns 0: not a failure. */
    f->in_exec = false;
}

int mechanism_follow(pid_t tracee, int marker_fd, struct mechanism_trace *out, char *why,
                     size_t why_len)
{
    memset(out, 0, sizeof(*out));
    out->phase = MECHANISM_SETUP;
    struct tracer *tr = calloc(1, sizeof(*tr));
    if (tr == NULL) {
        snprintf(why, why_len, "out of memory");
        kill(tracee, SIGKILL);
        return -ENOMEM;
    }
    tr->out = out;
    tr->marker_fd = marker_fd;
    tr->traced = tracee;
    int rc = 0, status;
    /* The tracee's own SIGSTOP, after its PTRACE_TRACEME. */
    if (waitpid(tracee, &status, __WALL) != tracee || !WIFSTOPPED(status)) {
        snprintf(why, why_len, "the traced process did not stop for the tracer (status 0x%x)",
                 status);
        free(tr);
        return -ECHILD;
    }
    long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                   PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SETOPTIONS, tracee, NULL, (void *)options) != 0 ||
        ptrace(PTRACE_SYSCALL, tracee, NULL, NULL) != 0) {
        rc = -errno;
        snprintf(why, why_len, "ptrace(PTRACE_SETOPTIONS) failed: %s", strerror(-rc));
        kill(tracee, SIGKILL);
        goto drain;
    }
    struct followed *first = add(tr, tracee);
    first->started = true;
    first->linked = true;

    for (;;) {
        pid_t tid = waitpid(-1, &status, __WALL);
        if (tid < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: every tracee is gone */
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            forget(tr, tid);
            continue;
        }
        if (!WIFSTOPPED(status))
            continue;
        struct followed *f = add(tr, tid);
        int sig = WSTOPSIG(status);
        int event = status >> 16;
        int deliver = 0;
        if (f == NULL) {
            rc = -ENOSPC;
            snprintf(why, why_len, "more than %d tasks at once", TASKS_MAX);
        } else if (sig == (SIGTRAP | 0x80)) {
            int err = syscall_stop(tr, f, why, why_len);
            if (err != 0 && rc == 0)
                rc = err;
        } else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                   event == PTRACE_EVENT_CLONE) {
            int err = created(tr, f);
            if (err != 0 && rc == 0) {
                rc = err;
                snprintf(why, why_len, "recording a new task failed: %s", strerror(-err));
            }
        } else if (event == PTRACE_EVENT_EXEC) {
            exec_done(tr, f);
        } else if (sig == SIGSTOP && !f->started) {
            /* A new tracee's first stop: swallowed. waitpid() may report it
             * before its creator's FORK/VFORK/CLONE event; resumed now, it
             * could exec before created() knew whose it is, and the exec
             * would be lost (a vfork()ing shell's child did). So it waits
             * in this stop until created() resumes it. */
            if (!f->linked) {
                f->started = true;
                f->parked = true;
                continue;
            }
        } else if (event == 0) {
            deliver = sig; /* a real signal: passed on */
        }
        if (f != NULL)
            f->started = true;
        if (rc != 0) {
            /* Give up: the tracees die with the tracer's refusal. */
            for (size_t i = 0; i < tr->count; i++)
                kill(tr->tasks[i].tid, SIGKILL);
            goto drain;
        }
        ptrace(PTRACE_SYSCALL, tid, NULL, (void *)(long)deliver);
    }
    free(tr);
    return 0;

drain:
    kill(tracee, SIGKILL);
    while (waitpid(-1, &status, __WALL) >= 0 || errno == EINTR)
        ;
    free(tr);
    return rc;
}

void mechanism_trace_free(struct mechanism_trace *t)
{
    free(t->tasks);
    memset(t, 0, sizeof(*t));
}
