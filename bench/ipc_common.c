/*
 * The machinery every ipc.* scenario shares (see ipc_common.h): the mode and
 * size parameters, the message format and its checks, the peer process, the
 * timed pingpong and stream samples, and a teardown that leaves nothing
 * behind. A transport adds only the code of its channel.
 *
 * The peer is fork()ed from the round's process rather than exec'd, so that
 * it shares the transport's code and needs no protocol to learn the case.
 * It reports what it finds wrong on a page of shared memory, not through the
 * transport, so that a report arrives the same way whatever the transport
 * and even when the transport is the thing that broke.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "ipc_common.h"
#include "proc.h"
#include "base/reason.h"

#define BURST_BYTES        (4u * 1024u * 1024u)
#define BURST_MIN_MESSAGES 2u
#define BURST_MAX_MESSAGES 512u
/* How long teardown lets the peer see the end of the channel and exit
 * before it kills it; and how long a failed sample waits for a peer that
 * has gone to finish exiting, so that the reason can say how it ended. */
#define PEER_EXIT_TIMEOUT_MS 2000
#define PEER_GONE_WAIT_MS    100
#define REPORT_PAGE_BYTES    4096u

const struct param_spec ipc_params[] = {
    IPC_PARAM_MODE,
    IPC_PARAM_SIZE,
    {.name = NULL},
};

enum ipc_mode {
    IPC_PINGPONG = 0, /* index in the choices of IPC_PARAM_MODE */
    IPC_STREAM = 1,
};

enum report_state {
    REPORT_EMPTY,
    REPORT_WRITING,
    REPORT_READY,
};

/* What the peer found wrong, in shared memory. The peer fills it only when
 * empty and the parent empties it once read, so one reason is in flight at
 * a time and none is torn. */
struct peer_report {
    _Atomic int state;
    char reason[SCENARIO_FAILURE_MAX];
};

struct ipc_state {
    const struct ipc_transport *t;
    const char *name; /* the scenario's: prefixes the peer's reports */
    char *failure;    /* the reason of the sample in progress (its ctx->failure) */
    struct ipc_channel ch;
    enum ipc_mode mode;
    size_t size;
    uint64_t burst;       /* stream: messages per burst */
    unsigned char *tx;    /* the message the parent sends (body filled once) */
    unsigned char *rx;    /* parent: the last echo of a sample; peer: what arrived */
    unsigned char *first; /* parent: the first echo of a sample */
    uint64_t body_sum;    /* checksum of the body of every message */
    uint64_t seq;         /* number of the next message the parent sends */
    struct peer_report *report;
    pid_t parent, peer;
    int peer_cpu;
    bool corrupt; /* test knob PROCBENCH_TEST_CORRUPT */
    /* After a transport failure the channel's state is unknown (a message
     * half sent, the peer gone): every later sample fails with this. */
    char broken[SCENARIO_FAILURE_MAX];
    struct sigaction old_sigpipe, old_sigchld;
};

/* Set by the SIGCHLD handler; the round's process has one peer at a time. */
static volatile sig_atomic_t peer_exited;
static struct ipc_state *volatile watched;

bool ipc_peer_exited(void)
{
    return peer_exited != 0;
}

uint64_t ipc_burst_messages(size_t size)
{
    uint64_t n = BURST_BYTES / size;
    if (n < BURST_MIN_MESSAGES)
        return BURST_MIN_MESSAGES;
    return n > BURST_MAX_MESSAGES ? BURST_MAX_MESSAGES : n;
}

/* --- Messages --------------------------------------------------------- */

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void store64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, sizeof(v));
}

/* Fletcher's checksum over 64-bit words (mod 2^64): the first sum catches a
 * changed byte, the second, weighted by position, a moved one. Two adds per
 * 8 bytes, so that checking a 1 MiB message costs tens of microseconds
 * where FNV-1a, a byte at a time, would cost a millisecond. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t a = 1, b = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        a += load64(p + i);
        b += a;
    }
    for (; i < n; i++) {
        a += p[i];
        b += a;
    }
    return a ^ (b << 32 | b >> 32);
}

/* Messages shorter than IPC_FRAMED_MIN_BYTES: byte i of message seq. 131 is
 * odd, so 256 consecutive one-byte messages all differ. */
static unsigned char pattern_byte(uint64_t seq, size_t i)
{
    return (unsigned char)(seq * 131u + i * 7u + 1u);
}

/* Fills the body of s->tx with printable pseudo-random bytes (printable so
 * that JSON framing escapes only the numbers) and records its checksum. */
static void message_init(struct ipc_state *s)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (s->size < IPC_FRAMED_MIN_BYTES)
        return;
    uint64_t x = clock_now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ull;
    for (size_t i = 16; i < s->size - 8; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s->tx[i] = (unsigned char)alphabet[x >> 58];
    }
    s->body_sum = checksum(s->tx + 16, s->size - IPC_FRAMED_MIN_BYTES);
}

/* Makes m message number seq: 24 bytes written, whatever the size. */
static void message_stamp(const struct ipc_state *s, unsigned char *m, uint64_t seq)
{
    if (s->size < IPC_FRAMED_MIN_BYTES) {
        for (size_t i = 0; i < s->size; i++)
            m[i] = pattern_byte(seq, i);
        return;
    }
    store64(m, seq);
    store64(m + 8, s->body_sum);
    store64(m + s->size - 8, seq);
}

/* Damages a byte that message_check(full) reads: the test knob, and the
 * poison a receiver puts in its buffer so that a transport which claims
 * bytes it did not deliver leaves a visible mark. */
static void message_flip(const struct ipc_state *s, unsigned char *m, unsigned char bits)
{
    m[s->size / 2] ^= bits;
}

/* 0 when m is message seq, intact; otherwise -EBADMSG and what is wrong in
 * why, worded to follow "message N came back" or "arrived at the peer".
 * Numbers are always checked; the body's checksum only when full. */
static int message_check(const struct ipc_state *s, const unsigned char *m, uint64_t seq, bool full,
                         char *why, size_t why_len)
{
    if (s->size < IPC_FRAMED_MIN_BYTES) {
        for (size_t i = 0; i < s->size; i++) {
            if (m[i] != pattern_byte(seq, i)) {
                snprintf(why, why_len, "corrupted or out of order (byte %zu is 0x%02x, not 0x%02x)",
                         i, m[i], pattern_byte(seq, i));
                return -EBADMSG;
            }
        }
        return 0;
    }
    uint64_t head = load64(m), tail = load64(m + s->size - 8);
    if (head != seq) {
        snprintf(why, why_len, "out of order (numbered %llu)", (unsigned long long)head);
        return -EBADMSG;
    }
    if (tail != seq) {
        snprintf(why, why_len, "corrupted (its last 8 bytes number it %llu)",
                 (unsigned long long)tail);
        return -EBADMSG;
    }
    if (!full)
        return 0;
    uint64_t stored = load64(m + 8);
    uint64_t sum = checksum(m + 16, s->size - IPC_FRAMED_MIN_BYTES);
    if (stored != s->body_sum || sum != s->body_sum) {
        snprintf(why, why_len, "corrupted (checksum 0x%016llx, header 0x%016llx, sent 0x%016llx)",
                 (unsigned long long)sum, (unsigned long long)stored,
                 (unsigned long long)s->body_sum);
        return -EBADMSG;
    }
    return 0;
}

/* --- Descriptors -------------------------------------------------------- */

void ipc_channel_set_oneway(struct ipc_channel *ch, int down_rx, int down_tx, int up_rx, int up_tx)
{
    ch->fd[IPC_PARENT][IPC_TX] = down_tx;
    ch->fd[IPC_PEER][IPC_RX] = down_rx;
    ch->fd[IPC_PEER][IPC_TX] = up_tx;
    ch->fd[IPC_PARENT][IPC_RX] = up_rx;
}

void ipc_channel_set_duplex(struct ipc_channel *ch, int parent_fd, int peer_fd)
{
    ch->fd[IPC_PARENT][IPC_RX] = ch->fd[IPC_PARENT][IPC_TX] = parent_fd;
    ch->fd[IPC_PEER][IPC_RX] = ch->fd[IPC_PEER][IPC_TX] = peer_fd;
}

static bool side_uses(const struct ipc_channel *ch, enum ipc_side side, int fd)
{
    return ch->fd[side][IPC_RX] == fd || ch->fd[side][IPC_TX] == fd;
}

/* After fork(): closes side's descriptors that the other side does not use
 * too, and forgets all of side's slots. */
static void channel_drop_side(struct ipc_channel *ch, enum ipc_side side)
{
    for (int d = IPC_RX; d <= IPC_TX; d++) {
        int fd = ch->fd[side][d];
        ch->fd[side][d] = -1;
        if (fd >= 0 && !side_uses(ch, side, fd) && !side_uses(ch, IPC_OTHER(side), fd))
            close(fd);
    }
}

static void channel_close_all(struct ipc_channel *ch)
{
    channel_drop_side(ch, IPC_PEER);
    channel_drop_side(ch, IPC_PARENT);
}

static int fd_errno(void)
{
    /* A TCP peer that died resets the connection instead of closing it. */
    return errno == ECONNRESET || errno == ECONNREFUSED ? -EPIPE : -errno;
}

int ipc_write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fd_errno();
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_exact(int fd, unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n == 0) {
            return -EPIPE;
        } else if (errno != EINTR) {
            return fd_errno();
        }
    }
    return 0;
}

/* A datagram call interrupted (SIGCHLD) or timed out (SO_RCVTIMEO,
 * SO_SNDTIMEO): no end of file ever reaches a datagram socket, so this is
 * where the parent notices that its peer has gone. */
static int datagram_retry(void)
{
    if (errno != EINTR && errno != EAGAIN)
        return fd_errno();
    return ipc_peer_exited() ? -EPIPE : 0;
}

static int datagram_send(struct ipc_channel *ch, int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        size_t piece = len < ch->chunk_bytes ? len : ch->chunk_bytes;
        ssize_t n = send(fd, p, piece, 0);
        if (n < 0) {
            int err = datagram_retry();
            if (err < 0)
                return err;
            continue;
        }
        if ((size_t)n != piece) {
            snprintf(ch->detail, sizeof(ch->detail), "sent %zd bytes of a %zu-byte datagram", n,
                     piece);
            return -EIO;
        }
        p += piece;
        len -= piece;
    }
    return 0;
}

static int datagram_recv(struct ipc_channel *ch, int fd, unsigned char *p, size_t len)
{
    while (len > 0) {
        size_t piece = len < ch->chunk_bytes ? len : ch->chunk_bytes;
        /* MSG_TRUNC: the datagram's real length, so a longer one is seen. */
        ssize_t n = recv(fd, p, piece, MSG_TRUNC);
        if (n < 0) {
            int err = datagram_retry();
            if (err < 0)
                return err;
            continue;
        }
        if (n == 0)
            return -EPIPE; /* the empty datagram of ipc_fd_parent_stop() */
        if ((size_t)n != piece) {
            snprintf(ch->detail, sizeof(ch->detail), "a %zd-byte datagram where %zu were due", n,
                     piece);
            return -EPROTO;
        }
        p += piece;
        len -= piece;
    }
    return 0;
}

int ipc_fd_send(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len)
{
    int fd = ch->fd[side][IPC_TX];
    if (ch->chunk_bytes > 0)
        return datagram_send(ch, fd, buf, len);
    return ipc_write_all(fd, buf, len);
}

int ipc_fd_recv(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len)
{
    int fd = ch->fd[side][IPC_RX];
    if (ch->chunk_bytes > 0)
        return datagram_recv(ch, fd, buf, len);
    return read_exact(fd, buf, len);
}

void ipc_fd_parent_stop(struct ipc_channel *ch)
{
    ssize_t ignored = send(ch->fd[IPC_PARENT][IPC_TX], "", 0, 0);
    (void)ignored;
}

/* --- The peer ----------------------------------------------------------- */

static void peer_report(struct ipc_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void peer_report(struct ipc_state *s, const char *fmt, ...)
{
    int expected = REPORT_EMPTY;
    if (!atomic_compare_exchange_strong(&s->report->state, &expected, REPORT_WRITING))
        return; /* the parent has not read the last one yet */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->report->reason, sizeof(s->report->reason), fmt, ap);
    va_end(ap);
    atomic_store_explicit(&s->report->state, REPORT_READY, memory_order_release);
}

/* The peer's exit status after send or receive returned err: the parent
 * closing the channel (-EPIPE) is the normal end. */
static int peer_end(struct ipc_state *s, uint64_t seq, const char *call, int err)
{
    if (err == -EPIPE)
        return 0;
    peer_report(s, "%s: the peer's %s of message %llu failed: %s%s%s", s->name, call,
                (unsigned long long)seq, strerror(-err), s->ch.detail[0] ? ": " : "", s->ch.detail);
    return 1;
}

static void peer_check(struct ipc_state *s, uint64_t seq, bool full)
{
    char why[112];
    if (message_check(s, s->rx, seq, full, why, sizeof(why)) != 0)
        peer_report(s, "%s: message %llu arrived at the peer %s", s->name, (unsigned long long)seq,
                    why);
}

/* pingpong: sends back every message, after checking its number. */
static int peer_echo(struct ipc_state *s)
{
    for (uint64_t seq = 0;; seq++) {
        int err = s->t->recv(&s->ch, IPC_PEER, s->rx, s->size);
        if (err < 0)
            return peer_end(s, seq, "receive", err);
        peer_check(s, seq, false);
        if (s->corrupt)
            message_flip(s, s->rx, 0x01);
        err = s->t->send(&s->ch, IPC_PEER, s->rx, s->size);
        if (err < 0)
            return peer_end(s, seq, "send", err);
    }
}

/* stream: takes bursts of messages, checks every number and the first and
 * last message of a burst in full, and acknowledges each burst with the
 * number of its last message. */
static int peer_sink(struct ipc_state *s)
{
    for (uint64_t seq = 0;; seq++) {
        uint64_t pos = seq % s->burst;
        bool last = pos == s->burst - 1, full = pos == 0 || last;
        if (full)
            message_flip(s, s->rx, 0xff);
        int err = s->t->recv(&s->ch, IPC_PEER, s->rx, s->size);
        if (err < 0)
            return peer_end(s, seq, "receive", err);
        if (s->corrupt && last)
            message_flip(s, s->rx, 0x01);
        peer_check(s, seq, full);
        if (last) {
            uint64_t ack = seq;
            err = s->t->send(&s->ch, IPC_PEER, &ack, sizeof(ack));
            if (err < 0)
                return peer_end(s, seq, "acknowledgement", err);
        }
    }
}

static _Noreturn void peer_main(struct ipc_state *s)
{
    /* Dies with the round's process, so that a crashed round leaves no
     * peer behind; and checks that it did not die already. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != s->parent)
        _exit(1);
    int err = proc_pin_self(s->peer_cpu);
    if (err < 0) {
        peer_report(s, "%s: the peer cannot pin itself to CPU %d: %s", s->name, s->peer_cpu,
                    strerror(-err));
        _exit(1);
    }
    channel_drop_side(&s->ch, IPC_PARENT);
    _exit(s->mode == IPC_PINGPONG ? peer_echo(s) : peer_sink(s));
}

/* Waits up to timeout_ms for the peer to exit, without reaping it; true
 * when it has, with how in *info. */
static bool peer_wait_exit(pid_t pid, int timeout_ms, siginfo_t *info)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        while (poll(&p, 1, timeout_ms) < 0 && errno == EINTR)
            ;
        close(pidfd);
    }
    memset(info, 0, sizeof(*info));
    return waitid(P_PID, (id_t)pid, info, WEXITED | WNOHANG | WNOWAIT) == 0 && info->si_pid == pid;
}

/* How the peer ended, for a failure: "the peer exited with status 1". */
static void peer_describe(const struct ipc_state *s, char *buf, size_t len)
{
    siginfo_t info;
    if (!peer_wait_exit(s->peer, PEER_GONE_WAIT_MS, &info)) {
        snprintf(buf, len, "the peer is still running");
    } else if (info.si_code == CLD_EXITED) {
        snprintf(buf, len, "the peer exited with status %d", info.si_status);
    } else {
        const char *abbrev = sigabbrev_np(info.si_status);
        snprintf(buf, len, "the peer was killed by signal %d (SIG%s)", info.si_status,
                 abbrev != NULL ? abbrev : "?");
    }
}

static void peer_stop(pid_t pid)
{
    siginfo_t info;
    if (!peer_wait_exit(pid, PEER_EXIT_TIMEOUT_MS, &info))
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* --- The parent --------------------------------------------------------- */

static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    peer_exited = 1;
    struct ipc_state *s = watched;
    if (s != NULL && s->t->wake_parent != NULL)
        s->t->wake_parent(&s->ch);
    errno = saved;
}

/* SIGPIPE ignored, so that a peer gone is a failed sample rather than a
 * dead round; SIGCHLD caught without SA_RESTART, so that a parent blocked
 * where no end of file arrives is interrupted when its peer exits. */
static int signals_install(struct ipc_state *s)
{
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    struct sigaction child = {.sa_handler = on_sigchld, .sa_flags = SA_NOCLDSTOP};
    sigemptyset(&ignore.sa_mask);
    sigemptyset(&child.sa_mask);
    if (sigaction(SIGPIPE, &ignore, &s->old_sigpipe) != 0)
        return -errno;
    if (sigaction(SIGCHLD, &child, &s->old_sigchld) != 0) {
        int err = -errno;
        sigaction(SIGPIPE, &s->old_sigpipe, NULL);
        return err;
    }
    peer_exited = 0;
    watched = s;
    return 0;
}

static void signals_restore(struct ipc_state *s)
{
    watched = NULL;
    sigaction(SIGCHLD, &s->old_sigchld, NULL);
    sigaction(SIGPIPE, &s->old_sigpipe, NULL);
}

/* Frees everything but the peer: descriptors, shared memory, buffers. */
static void state_free(struct ipc_state *s)
{
    channel_close_all(&s->ch);
    if (s->t->release != NULL)
        s->t->release(&s->ch);
    if (s->ch.shared != NULL)
        munmap(s->ch.shared, s->ch.shared_bytes);
    if (s->report != NULL)
        munmap(s->report, REPORT_PAGE_BYTES);
    free(s->tx);
    free(s->rx);
    free(s->first);
    free(s);
}

/* Allocates the state of a case and reads its parameters. */
static int state_create(struct case_ctx *ctx, const struct ipc_transport *t, char *why,
                        size_t why_len, struct ipc_state **out)
{
    const struct param_value *mode = scenario_param(ctx, "mode");
    const struct param_value *size = scenario_param(ctx, "size");
    if (mode == NULL || size == NULL || size->number < 1 || size->number > IPC_SIZE_MAX_BYTES) {
        snprintf(why, why_len, "no valid value for parameter mode or size");
        return -EINVAL;
    }
    struct ipc_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(why, why_len, "out of memory");
        return -ENOMEM;
    }
    s->t = t;
    s->name = ctx->scenario->name;
    s->mode = mode->number == IPC_STREAM ? IPC_STREAM : IPC_PINGPONG;
    s->size = (size_t)size->number;
    s->burst = ipc_burst_messages(s->size);
    s->peer_cpu = ctx->peer_cpu;
    const char *knob = getenv("PROCBENCH_TEST_CORRUPT");
    s->corrupt = knob != NULL && strcmp(knob, "1") == 0;
    for (int side = IPC_PARENT; side <= IPC_PEER; side++)
        s->ch.fd[side][IPC_RX] = s->ch.fd[side][IPC_TX] = -1;
    s->ch.message_bytes = s->size;
    s->ch.ctx = ctx;
    s->tx = calloc(1, s->size);
    s->rx = calloc(1, s->size);
    s->first = calloc(1, s->size);
    void *page =
        mmap(NULL, REPORT_PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    s->report = page == MAP_FAILED ? NULL : page;
    if (s->tx == NULL || s->rx == NULL || s->first == NULL || s->report == NULL) {
        state_free(s);
        snprintf(why, why_len, "out of memory");
        return -ENOMEM;
    }
    message_init(s);
    *out = s;
    return 0;
}

int ipc_setup(struct case_ctx *ctx)
{
    const struct ipc_transport *t = ctx->scenario->family;
    char why[128] = "";
    struct ipc_state *s = NULL;
    int err = state_create(ctx, t, why, sizeof(why), &s);
    if (err < 0)
        goto fail;
    err = t->open(&s->ch, why, sizeof(why));
    if (err < 0)
        goto fail_free;
    err = signals_install(s);
    if (err < 0) {
        snprintf(why, sizeof(why), "sigaction failed: %s", strerror(-err));
        goto fail_free;
    }
    s->parent = getpid();
    s->peer = fork();
    if (s->peer < 0) {
        err = -errno;
        snprintf(why, sizeof(why), "fork of the peer failed: %s", strerror(-err));
        goto fail_signals;
    }
    if (s->peer == 0)
        peer_main(s);
    channel_drop_side(&s->ch, IPC_PEER);
    if (t->parent_start != NULL) {
        err = t->parent_start(&s->ch, why, sizeof(why));
        if (err < 0)
            goto fail_peer;
    }
    ctx->state = s;
    ctx->peer_pid = s->peer; /* the harness charges its CPU to the case */
    return 0;

fail_peer:
    watched = NULL;
    if (t->parent_stop != NULL)
        t->parent_stop(&s->ch);
    channel_close_all(&s->ch);
    peer_stop(s->peer);
fail_signals:
    signals_restore(s);
fail_free:
    state_free(s);
fail:
    return scenario_fail(ctx, err, "%s", why);
}

/* A send or receive failed: the sample fails, and so will every later one,
 * since the channel is now in an unknown state. */
static int fail_transfer(struct ipc_state *s, uint64_t seq, const char *call, int err)
{
    char how[96];
    if (err == -EPIPE)
        peer_describe(s, how, sizeof(how));
    else
        snprintf(how, sizeof(how), "%s", strerror(-err));
    reason_format(s->failure, SCENARIO_FAILURE_MAX, "%s: message %llu: %s failed: %s%s%s", s->name,
                  (unsigned long long)seq, call, how, s->ch.detail[0] ? ": " : "", s->ch.detail);
    /* The peer's own account, when it has one, says more. */
    if (atomic_load_explicit(&s->report->state, memory_order_acquire) == REPORT_READY)
        reason_format(s->failure, SCENARIO_FAILURE_MAX, "%s", s->report->reason);
    snprintf(s->broken, sizeof(s->broken), "%s", s->failure);
    return err;
}

static int check_echo(struct ipc_state *s, const unsigned char *m, uint64_t seq)
{
    char why[112];
    int err = message_check(s, m, seq, true, why, sizeof(why));
    if (err < 0)
        reason_format(s->failure, SCENARIO_FAILURE_MAX, "%s: message %llu came back %s", s->name,
                      (unsigned long long)seq, why);
    return err;
}

/* One round trip per operation; the first and last echo land in buffers of
 * their own, so both can be checked in full after the timed section. */
static int sample_pingpong(struct ipc_state *s, uint64_t ops, struct sample *out)
{
    const struct ipc_transport *t = s->t;
    uint64_t seq = s->seq;
    message_flip(s, s->first, 0xff);
    message_flip(s, s->rx, 0xff);

    uint64_t t0 = clock_now_ns();
    for (uint64_t i = 0; i < ops; i++) {
        message_stamp(s, s->tx, seq + i);
        int err = t->send(&s->ch, IPC_PARENT, s->tx, s->size);
        if (err < 0)
            return fail_transfer(s, seq + i, "send", err);
        err = t->recv(&s->ch, IPC_PARENT, i == 0 ? s->first : s->rx, s->size);
        if (err < 0)
            return fail_transfer(s, seq + i, "receive", err);
    }
    uint64_t t1 = clock_now_ns();

    s->seq = seq + ops;
    int err = check_echo(s, s->first, seq);
    if (err == 0 && ops > 1)
        err = check_echo(s, s->rx, seq + ops - 1);
    out->ns = t1 - t0;
    return err;
}

/* ops bursts, each acknowledged by the peer once it holds every message. */
static int sample_stream(struct ipc_state *s, uint64_t ops, struct sample *out)
{
    const struct ipc_transport *t = s->t;
    uint64_t t0 = clock_now_ns();
    for (uint64_t b = 0; b < ops; b++) {
        for (uint64_t i = 0; i < s->burst; i++) {
            message_stamp(s, s->tx, s->seq);
            int err = t->send(&s->ch, IPC_PARENT, s->tx, s->size);
            if (err < 0)
                return fail_transfer(s, s->seq, "send", err);
            s->seq++;
        }
        uint64_t ack;
        int err = t->recv(&s->ch, IPC_PARENT, &ack, sizeof(ack));
        if (err < 0)
            return fail_transfer(s, s->seq - 1, "acknowledgement", err);
        if (ack != s->seq - 1) {
            snprintf(s->ch.detail, sizeof(s->ch.detail), "the peer acknowledged message %llu",
                     (unsigned long long)ack);
            return fail_transfer(s, s->seq - 1, "acknowledgement", -EPROTO);
        }
    }
    uint64_t t1 = clock_now_ns();
    out->ns = t1 - t0;
    out->ops = ops * s->burst; /* so that times and CPU are per message */
    out->bytes = ops * s->burst * s->size;
    return 0;
}

int ipc_sample(struct case_ctx *ctx, struct sample *out)
{
    struct ipc_state *s = ctx->state;
    s->failure = ctx->failure;
    if (s->broken[0] != '\0') {
        reason_format(s->failure, SCENARIO_FAILURE_MAX, "%s", s->broken);
        return -EPIPE;
    }
    s->ch.detail[0] = '\0';
    uint64_t ops = ctx->ops_per_sample > 0 ? ctx->ops_per_sample : 1;
    int err = s->mode == IPC_PINGPONG ? sample_pingpong(s, ops, out) : sample_stream(s, ops, out);
    if (err == 0 && atomic_load_explicit(&s->report->state, memory_order_acquire) == REPORT_READY) {
        reason_format(s->failure, SCENARIO_FAILURE_MAX, "%s", s->report->reason);
        atomic_store_explicit(&s->report->state, REPORT_EMPTY, memory_order_release);
        err = -EBADMSG;
    }
    return err;
}

void ipc_teardown(struct case_ctx *ctx)
{
    struct ipc_state *s = ctx->state;
    /* From here the SIGCHLD handler must not touch the channel. */
    watched = NULL;
    if (s->t->parent_stop != NULL)
        s->t->parent_stop(&s->ch);
    channel_close_all(&s->ch);
    peer_stop(s->peer);
    signals_restore(s);
    state_free(s);
    ctx->state = NULL;
    ctx->peer_pid = 0;
}
