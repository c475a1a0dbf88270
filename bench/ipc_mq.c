/*
 * ipc.mq: two POSIX message queues, one each way. A queue message can be no
 * larger than /proc/sys/fs/mqueue/msgsize_max (8 KiB by default) for a
 * process without CAP_SYS_RESOURCE, so larger messages go as pieces of that
 * size, each one queue message that must arrive whole; a queue holds at most
 * 10 of them (the default msg_max). The queue names are unique per run
 * (pid, counter, random), created O_EXCL with mode 0600 and unlinked in
 * setup as soon as both ends are open, so no queue outlives a crash. Closing
 * a queue tells the other end nothing: an empty message means "closed", and
 * the parent's calls time out now and then so that it notices a peer that
 * has exited (see ipc_peer_exited()).
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ipc_common.h"

#define MQ_DEFAULT_MSGSIZE_MAX 8192
#define MQ_MAXMSG              10

struct mq_channel {
    size_t piece;          /* bytes of a full piece: the queues' mq_msgsize */
    unsigned char *bounce; /* receives a piece shorter than piece bytes */
    /* Deadline of the timed calls, moved one second ahead only when it has
     * passed, so that the usual call reads no clock. */
    struct timespec deadline;
};

static long read_limit(const char *path, long fallback)
{
    FILE *fp = fopen(path, "re");
    long value = fallback;
    if (fp != NULL) {
        if (fscanf(fp, "%ld", &value) != 1 || value <= 0)
            value = fallback;
        fclose(fp);
    }
    return value;
}

/* Creates a queue, opens its other end and unlinks it: *tx and *rx. */
static int mq_ends(struct mq_attr *attr, int *rx, int *tx, char *why, size_t why_len)
{
    static unsigned counter;
    char name[64];
    for (int attempt = 0;; attempt++) {
        unsigned random_bits;
        if (getrandom(&random_bits, sizeof(random_bits), GRND_NONBLOCK) != sizeof(random_bits))
            random_bits = (unsigned)clock();
        snprintf(name, sizeof(name), "/procbench-%d-%u-%08x", (int)getpid(), counter++,
                 random_bits);
        *tx = mq_open(name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600, attr);
        if (*tx >= 0)
            break;
        if (errno != EEXIST || attempt == 8) {
            int err = -errno;
            snprintf(why, why_len, "mq_open(%s, O_CREAT) failed: %s", name, strerror(-err));
            return err;
        }
    }
    *rx = mq_open(name, O_RDONLY | O_CLOEXEC);
    int err = *rx < 0 ? -errno : 0;
    mq_unlink(name);
    if (err < 0)
        snprintf(why, why_len, "mq_open(%s) failed: %s", name, strerror(-err));
    return err;
}

static int mq_open_channel(struct ipc_channel *ch, char *why, size_t why_len)
{
    struct mq_channel *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        snprintf(why, why_len, "out of memory");
        return -ENOMEM;
    }
    ch->priv = m;
    size_t limit = (size_t)read_limit("/proc/sys/fs/mqueue/msgsize_max", MQ_DEFAULT_MSGSIZE_MAX);
    long max_messages = read_limit("/proc/sys/fs/mqueue/msg_max", MQ_MAXMSG);
    /* At least the 8 bytes of a stream acknowledgement. */
    m->piece = ch->message_bytes < limit ? ch->message_bytes : limit;
    if (m->piece < sizeof(uint64_t))
        m->piece = sizeof(uint64_t);
    m->bounce = malloc(m->piece);
    if (m->bounce == NULL) {
        snprintf(why, why_len, "out of memory");
        return -ENOMEM;
    }
    struct mq_attr attr = {
        .mq_maxmsg = max_messages < MQ_MAXMSG ? max_messages : MQ_MAXMSG,
        .mq_msgsize = (long)m->piece,
    };
    int fds[4] = {-1, -1, -1, -1};
    int err = mq_ends(&attr, &fds[0], &fds[1], why, why_len);
    if (err == 0)
        err = mq_ends(&attr, &fds[2], &fds[3], why, why_len);
    ipc_channel_set_oneway(ch, fds[0], fds[1], fds[2], fds[3]);
    return err;
}

/* After a timed call failed: 0 to call again, or -errno. */
static int mq_retry(struct mq_channel *m)
{
    int err = errno;
    if (err != EINTR && err != ETIMEDOUT)
        return -err;
    if (ipc_peer_exited())
        return -EPIPE;
    if (err == ETIMEDOUT) {
        clock_gettime(CLOCK_REALTIME, &m->deadline);
        m->deadline.tv_sec += 1;
    }
    return 0;
}

static int mq_send_bytes(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len)
{
    struct mq_channel *m = ch->priv;
    const char *p = buf;
    while (len > 0) {
        size_t piece = len < m->piece ? len : m->piece;
        if (mq_timedsend(ch->fd[side][IPC_TX], p, piece, 0, &m->deadline) != 0) {
            int err = mq_retry(m);
            if (err < 0)
                return err;
            continue;
        }
        p += piece;
        len -= piece;
    }
    return 0;
}

static int mq_recv_bytes(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len)
{
    struct mq_channel *m = ch->priv;
    char *p = buf;
    while (len > 0) {
        size_t piece = len < m->piece ? len : m->piece;
        /* The buffer of a receive must hold mq_msgsize bytes. */
        char *into = piece == m->piece ? p : (char *)m->bounce;
        ssize_t n = mq_timedreceive(ch->fd[side][IPC_RX], into, m->piece, NULL, &m->deadline);
        if (n < 0) {
            int err = mq_retry(m);
            if (err < 0)
                return err;
            continue;
        }
        if (n == 0)
            return -EPIPE; /* the empty message of mq_parent_stop() */
        if ((size_t)n != piece) {
            snprintf(ch->detail, sizeof(ch->detail), "a %zd-byte queue message where %zu were due",
                     n, piece);
            return -EPROTO;
        }
        if (into != p)
            memcpy(p, into, piece);
        p += piece;
        len -= piece;
    }
    return 0;
}

static void mq_parent_stop(struct ipc_channel *ch)
{
    struct mq_channel *m = ch->priv;
    clock_gettime(CLOCK_REALTIME, &m->deadline);
    m->deadline.tv_sec += 1;
    mq_timedsend(ch->fd[IPC_PARENT][IPC_TX], "", 0, 0, &m->deadline);
}

static void mq_release(struct ipc_channel *ch)
{
    struct mq_channel *m = ch->priv;
    if (m != NULL)
        free(m->bounce);
    free(m);
    ch->priv = NULL;
}

static const struct ipc_transport mq_transport = {
    .open = mq_open_channel,
    .send = mq_send_bytes,
    .recv = mq_recv_bytes,
    .parent_stop = mq_parent_stop,
    .release = mq_release,
};

const struct scenario ipc_mq = {
    .name = "ipc.mq",
    .summary = "two POSIX message queues (unlinked once open; 8 KiB pieces) to a forked peer",
    .params = ipc_params,
    .family = &mq_transport,
    IPC_SCENARIO_FIELDS,
};
