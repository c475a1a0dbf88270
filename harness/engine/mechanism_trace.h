/*
 * Which system calls really created a case's children (issue 18): the
 * tasks a traced process and its descendants create, with the call and its
 * flags, and what each new process exec'd, as a ptrace() tracer sees them
 * (mechanism_trace.c), and the one line the outputs show of them
 * (mechanism_text.c). Runtimes fall back silently (libuv forked on Linux up
 * to 1.52 and uses posix_spawn after; a CPython bug lost vfork), so the
 * mechanism column is observed, never assumed. mechanism.c runs the
 * observation of a case.
 */
#ifndef PROCBENCH_MECHANISM_TRACE_H
#define PROCBENCH_MECHANISM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* When a task was created, relative to the observed sample: the traced
 * process marks the sample's start and end by writing to a descriptor the
 * tracer knows. */
enum mechanism_phase {
    MECHANISM_SETUP,
    MECHANISM_SAMPLE,
    MECHANISM_TEARDOWN,
};

/* Successful execs kept per process (a shell that execs its command has
 * two); later ones are counted in exec_more. */
#define MECHANISM_EXECS_MAX 4

struct mechanism_exec {
    unsigned failed_before; /* execve() calls that failed before this one (a PATH search) */
    char name[48];          /* the program's file name, of /proc/PID/exe */
};

/* One task created while the traced process ran. */
struct mechanism_task {
    pid_t tid;
    int parent; /* index of the record of the process that created it; -1: the traced one */
    enum mechanism_phase phase;
    bool thread;    /* CLONE_THREAD: a thread, not a process */
    char call[160]; /* "clone(CLONE_VM|CLONE_VFORK|SIGCHLD)", "vfork()", "clone3(...)" */
    struct mechanism_exec execs[MECHANISM_EXECS_MAX];
    unsigned exec_count;   /* kept in execs */
    unsigned exec_more;    /* successful execs beyond MECHANISM_EXECS_MAX */
    unsigned failed_after; /* failed execve() calls after the last success (or with none) */
};

/* "NAME(FLAGS)": the CLONE_* names of flags in increasing bit order, then
 * the exit signal's name (SIGCHLD) as strace shows clone's low byte; an
 * unnamed bit as hex; "NAME()" with has_flags false (fork, vfork). */
void mechanism_format_call(const char *name, bool has_flags, uint64_t flags, uint64_t exit_signal,
                           char *buf, size_t len);

/* The line the outputs show for tasks[0..count), created by a traced
 * process (see the README's "mechanism"): the processes created during
 * the sample, each as "CALL + execve(NAME)" (with "N failed execve + "
 * before an exec a PATH search reached), in order of creation, one created
 * by another of them as "in it: ...", consecutive equal ones as "N x ...";
 * with none, the threads created in the sample as "thread: CALL"; with
 * neither, "none in the sample", and the processes its setup created after
 * "; setup: ". Cut with "..." to len. */
void mechanism_render(const struct mechanism_task *tasks, size_t count, char *out, size_t len);

/* What mechanism_follow() saw. */
struct mechanism_trace {
    struct mechanism_task *tasks;
    size_t count, capacity;
    enum mechanism_phase phase; /* at the end: MECHANISM_TEARDOWN once the sample ended */
};

/* Follows tracee, a child of the caller that has called
 * ptrace(PTRACE_TRACEME) and stopped itself, and every task it and its
 * descendants create, until all have exited, recording in *out what was
 * created and exec'd. The tracee's writes to marker_fd mark the phases:
 * the first starts the sample, the second ends it. If the caller dies, the
 * tracees are killed (PTRACE_O_EXITKILL). Returns 0, or -errno with why
 * (ptrace refused, PTRACE_GET_SYSCALL_INFO unknown to this kernel), the
 * tracees then killed. Free out with mechanism_trace_free(). */
int mechanism_follow(pid_t tracee, int marker_fd, struct mechanism_trace *out, char *why,
                     size_t why_len);

void mechanism_trace_free(struct mechanism_trace *t);

#endif
