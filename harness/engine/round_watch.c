/*
 * The harness's side of a round: it forks the round's process (round.c),
 * in a process group of its own, or has the case's holder fork it
 * (holder.h), and waits for it without spinning; with --sample-timeout it
 * watches the round's heartbeat and kills the whole group when it stands
 * still too long, and on SIGINT/SIGTERM/SIGHUP it kills the round at once.
 * Whatever is left of the group is reaped here.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/units.h"
#include "histogram.h"
#include "holder.h"
#include "interrupt.h"
#include "reaper.h"
#include "round.h"

/* How often the harness looks at a round's heartbeat while --sample-timeout
 * is on: a hung sample is killed within this much of its limit. */
#define WATCH_INTERVAL_MS 100

/* Why the round's process ended without finishing its round. */
static void describe_abnormal_end(char *buf, size_t len, int status)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "the round's process was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "the round's process exited with status %d before the round ended",
                 WEXITSTATUS(status));
}

static const char *phase_name(int phase)
{
    switch (phase) {
    case PHASE_SAMPLES:
        return "sample";
    case PHASE_TEARDOWN:
        return "teardown";
    default:
        return "setup";
    }
}

enum round_end { ROUND_EXITED, ROUND_TIMED_OUT, ROUND_INTERRUPTED };

/* pidfd_open(2), through syscall(): -1 with ENOSYS before Linux 5.3 (and
 * under valgrind 3.19, which does not know it: asked once, not per round). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    static bool unsupported;
    if (unsupported) {
        errno = ENOSYS;
        return -1;
    }
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    unsupported = fd < 0 && errno == ENOSYS;
    return fd;
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* Whether the round's process has ended (waiting for it if block): our
 * own child through waitpid(), or the holder's through its message. Sets
 * *lost when the holder died with it. */
static bool round_ended(pid_t pid, struct holder *h, int *status, bool block, bool *lost)
{
    if (h) {
        int rc = holder_round_ended(h, status, block);
        *lost = rc < 0;
        return rc != 0;
    }
    for (;;) {
        pid_t got = waitpid(pid, status, block ? 0 : WNOHANG);
        if (got < 0 && errno == EINTR && block)
            continue;
        return got == pid || (got < 0 && errno != EINTR);
    }
}

/* Kills the round's process group (the round's process and whatever it
 * started that did not leave the group; the rest is found by
 * reaper_collect() once orphaned) and waits for the round's process. */
static void kill_round(pid_t pid, struct holder *h, int *status, bool *lost)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL); /* in case it had not reached its setpgid() yet */
    round_ended(pid, h, status, true, lost);
}

/* Waits for the round's process to exit without spinning: ppoll() on a
 * pidfd, which becomes readable when the process exits (or on the holder's
 * socket, for a round it forked), with SIGINT, SIGTERM and SIGHUP unblocked only
 * inside ppoll() so that none can slip in between looking at the interrupt
 * record and going to sleep. With --sample-timeout, it wakes every
 * WATCH_INTERVAL_MS to look at the round's heartbeat, and kills the round
 * once the heartbeat has stood still for longer than the limit. Without a
 * pidfd (kernels before 5.3) it looks every 10 ms instead. */
static enum round_end wait_round_process(struct run_state *st, pid_t pid, struct holder *h,
                                         int *status, bool *lost)
{
    const uint64_t timeout_ns = st->r->config.sample_timeout_ns;
    sigset_t handled, unblocked;
    interrupt_signals(&handled);
    sigprocmask(SIG_BLOCK, &handled, &unblocked);
    int pidfd = h ? -1 : open_pidfd(pid);
    int wait_fd = h ? holder_fd(h) : pidfd;
    struct pollfd pfd = {.fd = wait_fd, .events = POLLIN};
    uint64_t seen = __atomic_load_n(&st->report->heartbeat, __ATOMIC_RELAXED);
    uint64_t seen_at = clock_now_ns();
    enum round_end end = ROUND_EXITED;
    for (;;) {
        if (round_ended(pid, h, status, false, lost))
            break;
        uint64_t now = clock_now_ns();
        uint64_t beat = __atomic_load_n(&st->report->heartbeat, __ATOMIC_RELAXED);
        if (beat != seen) {
            seen = beat;
            seen_at = now;
        }
        if (interrupt_signal() != 0)
            end = ROUND_INTERRUPTED;
        else if (timeout_ns > 0 && now - seen_at > timeout_ns)
            end = ROUND_TIMED_OUT;
        if (end != ROUND_EXITED) {
            kill_round(pid, h, status, lost);
            break;
        }
        long wait_ms = wait_fd < 0 ? 10 : timeout_ns > 0 ? WATCH_INTERVAL_MS : -1;
        struct timespec ts = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000L};
        ppoll(wait_fd < 0 ? NULL : &pfd, wait_fd < 0 ? 0 : 1, wait_ms < 0 ? NULL : &ts, &unblocked);
    }
    if (pidfd >= 0)
        close(pidfd);
    sigprocmask(SIG_SETMASK, &unblocked, NULL);
    return end;
}

/* Starts the round's process: forked here, or by the holder of the case's
 * held state (started first if need be). Returns its pid, or -errno with
 * the report's reason set (-EINTR: interrupted meanwhile). */
static pid_t start_round_process(struct run_state *st, size_t index, struct holder **h)
{
    *h = NULL;
    if (st->progress[index].hold_key[0] != '\0') {
        int rc = holder_ensure(st, index);
        if (rc != 0)
            return rc;
        *h = st->holder;
        return holder_fork_round(st, index);
    }
    /* Flushed so that buffered console output is not written twice. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int err = -errno;
        ROUND_REASON(st->report, "fork of the round's process failed: %s", strerror(-err));
        return err;
    }
    if (pid == 0)
        round_process(st, index);
    /* Also here, so that the group exists before any kill(-pid) below
     * whichever process runs first; EACCES/ESRCH only mean it is done. */
    setpgid(pid, pid);
    return pid;
}

void round_watch(struct run_state *st, size_t index)
{
    histogram_reset(st->round_hist);
    for (size_t m = 0; m < st->round_metric_count; m++)
        histogram_reset(st->round_metric[m]);
    memset(st->report, 0, sizeof(*st->report));
    st->report->plan = st->plan;
    struct holder *h = NULL;
    pid_t pid = start_round_process(st, index, &h);
    if (pid == -EINTR) {
        st->interrupted = true;
        return;
    }
    if (pid < 0) {
        /* Marked as a failed setup: a round that never ran must end its
         * case, or a fork() that keeps failing (EAGAIN under RLIMIT_NPROC)
         * would have the runner retry the case for ever. */
        st->report->setup_failed = true;
        return;
    }
    int status = 0;
    bool lost = false;
    enum round_end end = wait_round_process(st, pid, h, &status, &lost);
    if (lost)
        holder_stop(st);
    int strays = reaper_collect();
    struct round_report *rep = st->report;
    if (end == ROUND_INTERRUPTED) {
        st->interrupted = true;
        return;
    }
    if (end == ROUND_TIMED_OUT) {
        char limit[32], first[sizeof(rep->reason)];
        units_format_duration(st->r->config.sample_timeout_ns, limit, sizeof(limit));
        snprintf(first, sizeof(first), "%s", rep->reason);
        ROUND_REASON(rep,
                     "%s timed out after %s (the round's process and its children were killed)%s%s",
                     phase_name(__atomic_load_n(&rep->phase, __ATOMIC_RELAXED)), limit,
                     first[0] ? "; first failure: " : "", first);
        rep->setup_failed = true;
        return;
    }
    if (lost && !rep->completed) {
        char first[sizeof(rep->reason)];
        snprintf(first, sizeof(first), "%s", rep->reason);
        ROUND_REASON(rep, "the process holding the state died during the round%s%s",
                     first[0] ? "; first failure: " : "", first);
        rep->setup_failed = true;
    } else if (!rep->completed && !rep->setup_failed) {
        char why[96];
        describe_abnormal_end(why, sizeof(why), status);
        char first[sizeof(rep->reason)];
        snprintf(first, sizeof(first), "%s", rep->reason);
        ROUND_REASON(rep, "%s%s%s", why, first[0] ? "; first failure: " : "", first);
        rep->setup_failed = true;
    }
    if (strays > 0) {
        rep->leaked = true;
        ROUND_REASON(rep, "%d process(es) outlived the round (killed)", strays);
    }
}
