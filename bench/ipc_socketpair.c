/*
 * ipc.socketpair: a connected pair of AF_UNIX sockets, as Node.js gives a
 * forked child for its IPC channel, in the three types a socketpair can be.
 * A stream socket carries bytes; seqpacket and dgram carry messages, and a
 * message can be no larger than the socket's send buffer (about 208 KiB by
 * default), so messages go in pieces of IPC_SOCKETPAIR_PIECE_BYTES, each one
 * datagram that must arrive whole (see ipc_fd_recv()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "ipc_common.h"

#define IPC_SOCKETPAIR_PIECE_BYTES (64u * 1024u)

enum socketpair_type {
    TYPE_STREAM, /* index in the choices of the type parameter */
    TYPE_SEQPACKET,
    TYPE_DGRAM,
};

static const struct param_spec socketpair_params[] = {
    {
        .name = "type",
        .kind = PARAM_WORD,
        .defaults = "stream,seqpacket,dgram",
        .quick = "stream",
        .choices = "stream,seqpacket,dgram",
        .help = "socket type: SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM (messages over 64 KiB "
                "in 64 KiB datagrams)",
    },
    IPC_PARAM_MODE,
    IPC_PARAM_SIZE,
    {.name = NULL},
};

static int socketpair_open(struct ipc_channel *ch, char *why, size_t why_len)
{
    static const int types[] = {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM};
    enum socketpair_type type = (enum socketpair_type)scenario_param(ch->ctx, "type")->number;
    int sv[2];
    if (socketpair(AF_UNIX, types[type] | SOCK_CLOEXEC, 0, sv) != 0) {
        int err = -errno;
        snprintf(why, why_len, "socketpair failed: %s", strerror(-err));
        return err;
    }
    ipc_channel_set_duplex(ch, sv[0], sv[1]);
    if (type == TYPE_STREAM)
        return 0;
    ch->chunk_bytes = IPC_SOCKETPAIR_PIECE_BYTES;
    /* A datagram socket never sees its peer's end: the parent's calls time
     * out now and then so that it can notice a peer that has exited. */
    struct timeval second = {.tv_sec = 1};
    if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &second, sizeof(second)) != 0 ||
        setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &second, sizeof(second)) != 0) {
        int err = -errno;
        snprintf(why, why_len, "setsockopt(SO_RCVTIMEO) failed: %s", strerror(-err));
        return err;
    }
    return 0;
}

static const struct ipc_transport socketpair_transport = {
    .open = socketpair_open,
    .send = ipc_fd_send,
    .recv = ipc_fd_recv,
    .parent_stop = ipc_fd_parent_stop,
};

const struct scenario ipc_socketpair = {
    .name = "ipc.socketpair",
    .summary = "an AF_UNIX socketpair (stream, seqpacket, dgram) to a forked peer",
    .params = socketpair_params,
    .family = &socketpair_transport,
    IPC_SCENARIO_FIELDS,
};
