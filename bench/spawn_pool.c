/*
 * spawn.pool: the pre-forked worker, the usual answer to "processes are
 * expensive to start". The worker (the static child in echo mode) is started
 * once per round; a sample hands it one job, an 8-byte sequence number down
 * one pipe, and waits for it to come back up another. Set beside the other
 * spawn rows, it shows what a dispatch to an existing process costs instead
 * of a new process per job.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "proc.h"
#include "spawn_common.h"

/* How long teardown waits for the worker to see EOF and exit before it
 * kills it: 1000 polls 1 ms apart. */
#define POOL_EXIT_POLLS 1000

struct pool_state {
    pid_t worker;
    int to_worker;   /* write end of the worker's stdin */
    int from_worker; /* read end of the worker's stdout */
    uint64_t sequence;
    /* SIGPIPE is ignored during a round, so that a dead worker is a failed
     * sample rather than a dead harness; this is what to restore. */
    struct sigaction old_sigpipe;
};

/* Starts the worker with fds 0 and 1 on the child ends of the pipes. */
static int pool_start_worker(const char *path, int worker_stdin, int worker_stdout, pid_t *pid)
{
    posix_spawn_file_actions_t actions;
    int err = posix_spawn_file_actions_init(&actions);
    if (err != 0)
        return -err;
    err = posix_spawn_file_actions_adddup2(&actions, worker_stdin, 0);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, worker_stdout, 1);
    if (err == 0) {
        char *argv[] = {(char *)path, "echo", NULL};
        err = posix_spawn(pid, path, &actions, NULL, argv, environ);
    }
    posix_spawn_file_actions_destroy(&actions);
    return -err;
}

/* Waits up to POOL_EXIT_POLLS ms for the worker to exit, kills it if it has
 * not, and reaps it. */
static void pool_stop_worker(pid_t pid)
{
    for (int i = 0; i < POOL_EXIT_POLLS; i++) {
        siginfo_t info = {0};
        /* WNOWAIT: look without reaping, so proc_reap() can reap below. */
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno != EINTR)
            break;
        if (info.si_pid == pid)
            break;
        struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};
        nanosleep(&ms, NULL);
        if (i == POOL_EXIT_POLLS - 1)
            kill(pid, SIGKILL);
    }
    struct sample ignored = {0};
    char why[SCENARIO_FAILURE_MAX];
    proc_reap(pid, &ignored, why);
}

/* One worker per spawner: with concurrency N, N requesters each hand
 * their job to a worker of their own, as N spawners each start a process. */
static int pool_init(struct case_ctx *ctx, size_t index, size_t count, void **state)
{
    const char *path;
    char why[160];
    int err = proc_child_path(&path, why, sizeof(why));
    if (err < 0) {
        scenario_fail(ctx, 0, "%s", why);
        return err;
    }
    struct pool_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    int down[2], up[2];
    if (pipe2(down, O_CLOEXEC) != 0) {
        err = -errno;
        scenario_fail(ctx, 0, "pipe2 failed: %s", strerror(-err));
        goto fail_free;
    }
    if (pipe2(up, O_CLOEXEC) != 0) {
        err = -errno;
        scenario_fail(ctx, 0, "pipe2 failed: %s", strerror(-err));
        goto fail_close_down;
    }
    err = pool_start_worker(path, down[0], up[1], &s->worker);
    if (err < 0) {
        scenario_fail(ctx, 0, "posix_spawn of %s failed: %s", path, strerror(-err));
        goto fail_close_up;
    }
    close(down[0]);
    close(up[1]);
    s->to_worker = down[1];
    s->from_worker = up[0];

    if (ctx->peer_cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(ctx->peer_cpu, &set);
        if (sched_setaffinity(s->worker, sizeof(set), &set) != 0) {
            err = -errno;
            scenario_fail(ctx, 0, "sched_setaffinity(worker, %d) failed: %s", ctx->peer_cpu,
                          strerror(-err));
            goto fail_stop_worker;
        }
    }

    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGPIPE, &ignore, &s->old_sigpipe) != 0) {
        err = -errno;
        scenario_fail(ctx, 0, "sigaction(SIGPIPE) failed: %s", strerror(-err));
        goto fail_stop_worker;
    }
    *state = s;
    /* The harness charges one peer's CPU to the case: with several workers
     * there is no single one to name, and peer_cpu_ns stays 0. */
    if (count == 1 && index == 0)
        ctx->peer_pid = s->worker;
    return 0;

fail_stop_worker:
    close(s->to_worker);
    pool_stop_worker(s->worker);
    close(s->from_worker);
    goto fail_free;
fail_close_up:
    close(up[0]);
    close(up[1]);
fail_close_down:
    close(down[0]);
    close(down[1]);
fail_free:
    free(s);
    return err;
}

static int pool_op(void *state, int peer_cpu, struct sample *out,
                   char failure[SCENARIO_FAILURE_MAX])
{
    (void)peer_cpu; /* the worker was pinned when it was started */
    struct pool_state *s = state;
    uint64_t sent = ++s->sequence;
    uint64_t echoed = 0;
    unsigned char *into = (unsigned char *)&echoed;
    size_t got = 0;

    uint64_t t0 = clock_now_ns();
    ssize_t n;
    do
        n = write(s->to_worker, &sent, sizeof(sent));
    while (n < 0 && errno == EINTR);
    uint64_t t1 = clock_now_ns();
    if (n != (ssize_t)sizeof(sent)) {
        /* 8 bytes to a pipe are written whole or not at all (PIPE_BUF). */
        int err = n < 0 ? errno : EIO;
        if (err == EPIPE)
            snprintf(failure, SCENARIO_FAILURE_MAX, "pool worker exited");
        else
            snprintf(failure, SCENARIO_FAILURE_MAX, "write failed: %s", strerror(err));
        return -err;
    }
    while (got < sizeof(echoed)) {
        n = read(s->from_worker, into + got, sizeof(echoed) - got);
        if (n > 0) {
            got += (size_t)n;
        } else if (n == 0) {
            snprintf(failure, SCENARIO_FAILURE_MAX, "pool worker exited");
            return -EPIPE;
        } else if (errno != EINTR) {
            int err = errno;
            snprintf(failure, SCENARIO_FAILURE_MAX, "read failed: %s", strerror(err));
            return -err;
        }
    }
    uint64_t t2 = clock_now_ns();

    if (echoed != sent) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "pool worker echoed %llu, expected %llu",
                 (unsigned long long)echoed, (unsigned long long)sent);
        return -EPROTO;
    }
    out->ns = t2 - t0;
    sample_report(out, SPAWN_METRIC_RETURN, t1 - t0);
    return 0;
}

/* Called for the spawners in reverse order, so that the SIGPIPE action
 * restored last is the one the first worker's init found. */
static void pool_fini(void *state)
{
    struct pool_state *s = state;
    close(s->to_worker); /* the worker reads EOF and exits */
    pool_stop_worker(s->worker);
    close(s->from_worker);
    sigaction(SIGPIPE, &s->old_sigpipe, NULL);
    free(s);
}

static const struct spawn_mechanism pool_mechanism = {
    .init = pool_init,
    .fini = pool_fini,
    .op = pool_op,
};

const struct scenario spawn_pool = {
    .name = "spawn.pool",
    .summary = "a job handed to a pre-started worker process: 8 bytes down a pipe and back",
    .params = spawn_state_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .family = &pool_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_STATE_HOLDS,
};
