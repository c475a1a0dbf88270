/*
 * The holder process and the harness's side of it (holder.h). They talk
 * over a SOCK_SEQPACKET socketpair, one message per datagram: the holder
 * says READY (hold() done, or why it failed); the harness asks FORK for a
 * case, the holder answers FORKED with the round's pid and, once it has
 * reaped that round, ENDED with its wait status. Closing the harness's end
 * stops the holder. The round is the holder's child, not the harness's, so
 * its end comes as a message rather than from waitpid(); its own children,
 * if it leaves any, are orphaned to the harness (the subreaper) as before.
 */
#include "holder.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/units.h"
#include "interrupt.h"
#include "reaper.h"

enum holder_message { HOLD_READY, HOLD_FORK, HOLD_FORKED, HOLD_ENDED };

struct holder_msg {
    int32_t kind;  /* enum holder_message */
    int32_t index; /* FORK: the case */
    int64_t value; /* READY: 0 or -errno; FORKED: pid or -errno; ENDED: wait status */
    char reason[160];
};

struct holder {
    pid_t pid;
    int fd; /* the harness's end of the socket */
    char key[sizeof(((struct case_progress *)0)->hold_key)];
};

/* Set in a holder process; round processes forked from it inherit it. */
static void *held_state;

/* The one holder alive (st->holder points here): static rather than
 * allocated, so that the holder and the rounds forked from it, which
 * _exit() with a copy of it, hold no heap block valgrind would call lost. */
static struct holder the_holder;

void *holder_held(void)
{
    return held_state;
}

int holder_fd(const struct holder *h)
{
    return h->fd;
}

static int send_msg(int fd, const struct holder_msg *m)
{
    return send(fd, m, sizeof(*m), MSG_NOSIGNAL) == (ssize_t)sizeof(*m) ? 0 : -EPIPE;
}

/* One message; -EPIPE at the end of the socket or on a short one, -EAGAIN
 * when none is there and !block. */
static int recv_msg(int fd, struct holder_msg *m, bool block)
{
    for (;;) {
        ssize_t n = recv(fd, m, sizeof(*m), block ? 0 : MSG_DONTWAIT);
        if (n == (ssize_t)sizeof(*m))
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return -EAGAIN;
        return -EPIPE;
    }
}

/* The holder: makes the state, then forks rounds on request until its
 * socket ends. */
static _Noreturn void holder_main(struct run_state *st, size_t index, int fd, pid_t harness)
{
    /* A group of its own, so that a Ctrl-C at the terminal reaches only the
     * harness, which stops everything in order; and it dies with the
     * harness whatever kills that. */
    setpgid(0, 0);
    interrupt_reset_in_child();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != harness)
        _exit(0);
    st->harness_pid = getpid(); /* the rounds' parent from now on (round_process) */
    const struct scenario *sc = st->r->cases[index].def.scenario;
    struct holder_msg m = {.kind = HOLD_READY};
    void *held = NULL;
    int rc = sc->hold(st->r->cases[index].def.params, &held, m.reason, sizeof(m.reason));
    m.value = rc;
    if (send_msg(fd, &m) != 0 || rc != 0)
        _exit(0);
    held_state = held;
    for (;;) {
        if (recv_msg(fd, &m, true) != 0 || m.kind != HOLD_FORK)
            break;
        size_t round_index = (size_t)m.index;
        pid_t pid = fork();
        if (pid == 0) {
            close(fd);
            round_process(st, round_index);
        }
        m = (struct holder_msg){.kind = HOLD_FORKED, .value = pid < 0 ? -errno : pid};
        if (send_msg(fd, &m) != 0 && pid < 0)
            break;
        if (pid < 0)
            continue;
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        m = (struct holder_msg){.kind = HOLD_ENDED, .value = status};
        if (send_msg(fd, &m) != 0)
            break;
    }
    held_state = NULL;
    if (sc->unhold)
        sc->unhold(held);
    _exit(0);
}

/* Kills the holder (and its group) and reaps it. */
static void kill_holder(struct holder *h)
{
    kill(-h->pid, SIGKILL);
    kill(h->pid, SIGKILL);
    while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

void holder_stop(struct run_state *st)
{
    struct holder *h = st->holder;
    if (h == NULL)
        return;
    /* The end of its socket tells it to release what it holds and exit. */
    close(h->fd);
    while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    reaper_spare(0);
    memset(h, 0, sizeof(*h));
    st->holder = NULL;
}

/* Waits for the holder's READY, with SIGINT/SIGTERM unblocked only inside
 * ppoll() (as the round's watch does) and --sample-timeout as the limit. */
static int wait_ready(struct run_state *st, struct holder *h, struct holder_msg *m)
{
    const uint64_t timeout_ns = st->r->config.sample_timeout_ns;
    sigset_t handled, unblocked;
    interrupt_signals(&handled);
    sigprocmask(SIG_BLOCK, &handled, &unblocked);
    uint64_t start = clock_now_ns();
    struct pollfd pfd = {.fd = h->fd, .events = POLLIN};
    int rc;
    for (;;) {
        rc = recv_msg(h->fd, m, false);
        if (rc != -EAGAIN)
            break;
        if (interrupt_signal() != 0) {
            rc = -EINTR;
            break;
        }
        uint64_t now = clock_now_ns();
        if (timeout_ns > 0 && now - start > timeout_ns) {
            rc = -ETIMEDOUT;
            break;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
        ppoll(&pfd, 1, &ts, &unblocked);
    }
    sigprocmask(SIG_SETMASK, &unblocked, NULL);
    return rc;
}

static int start_holder(struct run_state *st, size_t index)
{
    struct round_report *rep = st->report;
    struct holder *h = &the_holder;
    int sv[2];
    memset(h, 0, sizeof(*h));
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        int err = -errno;
        ROUND_REASON(rep, "holding state: socketpair failed: %s", strerror(-err));
        return err;
    }
    snprintf(h->key, sizeof(h->key), "%s", st->progress[index].hold_key);
    pid_t harness = getpid();
    fflush(NULL);
    h->pid = fork();
    if (h->pid < 0) {
        int err = -errno;
        ROUND_REASON(rep, "holding state: fork failed: %s", strerror(-err));
        close(sv[0]);
        close(sv[1]);
        memset(h, 0, sizeof(*h));
        return err;
    }
    if (h->pid == 0) {
        close(sv[0]);
        holder_main(st, index, sv[1], harness);
    }
    close(sv[1]);
    h->fd = sv[0];
    setpgid(h->pid, h->pid);
    reaper_spare(h->pid);
    struct holder_msg m;
    int rc = wait_ready(st, h, &m);
    if (rc == 0 && m.kind == HOLD_READY && m.value == 0) {
        st->holder = h;
        return 0;
    }
    if (rc == 0 && m.kind == HOLD_READY) {
        rc = m.value < 0 ? (int)m.value : -EIO;
        m.reason[sizeof(m.reason) - 1] = '\0';
        ROUND_REASON(rep, "setup: %s", m.reason[0] ? m.reason : strerror(-rc));
    } else if (rc == -ETIMEDOUT) {
        char limit[32];
        units_format_duration(st->r->config.sample_timeout_ns, limit, sizeof(limit));
        ROUND_REASON(
            rep, "setup timed out after %s (making the held state; its process was killed)", limit);
    } else if (rc != -EINTR) {
        rc = -EPIPE;
        ROUND_REASON(rep, "setup: the process holding the state died before it was ready");
    }
    reaper_spare(0);
    close(h->fd);
    kill_holder(h);
    memset(h, 0, sizeof(*h));
    return rc;
}

int holder_ensure(struct run_state *st, size_t index)
{
    const char *key = st->progress[index].hold_key;
    if (st->holder && strcmp(st->holder->key, key) == 0)
        return 0;
    holder_stop(st);
    return start_holder(st, index);
}

pid_t holder_fork_round(struct run_state *st, size_t index)
{
    struct holder *h = st->holder;
    struct holder_msg m = {.kind = HOLD_FORK, .index = (int32_t)index};
    int rc = send_msg(h->fd, &m);
    if (rc == 0)
        rc = recv_msg(h->fd, &m, true);
    if (rc == 0 && m.kind == HOLD_FORKED && m.value > 0)
        return (pid_t)m.value;
    if (rc == 0 && m.kind == HOLD_FORKED) {
        ROUND_REASON(st->report, "fork of the round's process (from the holder) failed: %s",
                     strerror(m.value < 0 ? (int)-m.value : EIO));
        return m.value < 0 ? (pid_t)m.value : -EIO;
    }
    ROUND_REASON(st->report, "the process holding the state died");
    holder_stop(st);
    return -EPIPE;
}

int holder_round_ended(struct holder *h, int *status, bool block)
{
    struct holder_msg m;
    int rc = recv_msg(h->fd, &m, block);
    if (rc == -EAGAIN)
        return 0;
    if (rc != 0 || m.kind != HOLD_ENDED)
        return -EPIPE;
    *status = (int)m.value;
    return 1;
}
