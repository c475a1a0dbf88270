/*
 * What the ipc.* scenarios share, so that each transport file holds only the
 * code of its channel. A transport (struct ipc_transport) knows how to open a
 * two-way channel before fork() and how each side sends and receives exactly
 * n bytes on it. Everything else is here and identical for every transport:
 * the parameters (mode, size), the peer process (forked from the round's
 * process, pinned, echoing in pingpong mode and sinking in stream mode), the
 * timed samples, the sequence numbers and checksums that make a transport
 * which drops or corrupts data fail loudly, and the teardown that reaps the
 * peer and closes everything, also after a failed sample.
 *
 * Messages. Every message of `size` bytes carries its sequence number: a
 * message of at least IPC_FRAMED_MIN_BYTES has the number in its first and
 * last 8 bytes and a checksum of the bytes between in the next 8; a shorter
 * one is a pattern derived from the number, every byte of which is checked.
 *
 * Samples. pingpong: one message there and back per operation; the parent
 * checks the first and last echo of a sample in full, after the timed
 * section; the peer checks each number. stream: a sample is a burst of
 * ipc_burst_messages(size) messages, after which the peer answers with an
 * 8-byte acknowledgement; the peer checks every number and the first and
 * last message of each burst in full. A stream sample reports its burst as
 * its operations (sample.ops), so times and CPU are per message.
 */
#ifndef PROCBENCH_IPC_COMMON_H
#define PROCBENCH_IPC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/params.h"
#include "scenario.h"

/* Which process of the pair: the round's process, or the forked peer. */
enum ipc_side {
    IPC_PARENT = 0,
    IPC_PEER = 1,
};

/* Index into ipc_channel.fd[side]. */
enum ipc_direction {
    IPC_RX = 0,
    IPC_TX = 1,
};

#define IPC_OTHER(side) ((enum ipc_side)(1 - (side)))

/* Largest message size, and the size below which a message is a pattern
 * rather than numbers and a checksum. */
#define IPC_SIZE_MAX_BYTES   (1024u * 1024u)
#define IPC_FRAMED_MIN_BYTES 24u

/* One channel between the parent and its peer, as a transport opened it. */
struct ipc_channel {
    /* fd[side][IPC_RX or IPC_TX], -1 when unused. RX and TX may be one
     * descriptor (a socket), and a descriptor may appear on both sides (an
     * eventfd each process writes to wake the other): after fork() each side
     * closes only the other side's descriptors it does not use itself. */
    int fd[2][2];
    /* A MAP_SHARED|MAP_ANONYMOUS region mapped by open(), or NULL. */
    void *shared;
    size_t shared_bytes;
    /* The transport's own heap state, freed by transport->release(). */
    void *priv;
    /* Datagram transports: largest piece one send carries; a message is sent
     * as pieces of this size, and the last one shorter. 0: a byte stream. */
    size_t chunk_bytes;
    /* The case's message size, and the case, whose parameters a transport
     * reads with scenario_param(ch->ctx, name). */
    size_t message_bytes;
    const struct case_ctx *ctx;
    /* A transport may say here what exactly went wrong when send() or recv()
     * fails; it is appended to the sample's failure. */
    char detail[96];
};

/* What an ipc.* scenario's descriptor points .family at. Its scenario's
 * params must hold "mode" and "size" (IPC_PARAM_MODE, IPC_PARAM_SIZE). */
struct ipc_transport {
    /* Before fork(): creates the channel, filling ch->fd, ch->shared,
     * ch->priv. Returns 0, or -errno with a reason (without the scenario
     * name) in why; the caller then closes and unmaps whatever open() stored
     * in ch and calls release(), so open() only undoes what ch does not
     * hold (a listening socket, a name in the file system). */
    int (*open)(struct ipc_channel *ch, char *why, size_t why_len);
    /* Sends or receives exactly len bytes as side, across partial transfers.
     * Returns 0; -EPIPE when the other side has gone (end of file, closed,
     * exited); or another -errno, with ch->detail set when useful. */
    int (*send)(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len);
    int (*recv)(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len);
    /* Optional. In the parent after fork(): a loop to start (libuv). */
    int (*parent_start)(struct ipc_channel *ch, char *why, size_t why_len);
    /* Optional. In the parent's teardown, before its descriptors are
     * closed: tell the peer to end when closing is not enough (shared
     * memory, message queues, datagrams), or stop a loop. */
    void (*parent_stop)(struct ipc_channel *ch);
    /* Optional. Called from the parent's SIGCHLD handler when the peer has
     * exited: wakes the parent if it is blocked where no end of file can
     * reach it. Must be async-signal-safe. */
    void (*wake_parent)(struct ipc_channel *ch);
    /* Optional. Frees ch->priv and whatever else open() made that is not a
     * descriptor or the shared region. */
    void (*release)(struct ipc_channel *ch);
};

/* The parameters of a transport without a word of its own: mode, size. The
 * IPC_PARAM_* initialisers let the others put their word first. */
#define IPC_PARAM_MODE                                                                             \
    {                                                                                              \
        .name = "mode", .kind = PARAM_WORD, .defaults = "pingpong,stream",                         \
        .choices = "pingpong,stream",                                                              \
        .help = "pingpong: one message there and back (round trip); stream: bursts of "            \
                "messages to a sink (time per message, bytes/s)",                                  \
    }
#define IPC_PARAM_SIZE                                                                             \
    {                                                                                              \
        .name = "size", .kind = PARAM_SIZE, .defaults = "1,64,4K,64K,1M", .min = 1,                \
        .max = IPC_SIZE_MAX_BYTES, .help = "bytes per message", .quick = "64",                     \
    }
extern const struct param_spec ipc_params[];

/* The descriptor fields every ipc.* scenario shares: with them, a
 * transport's file declares its scenario as
 *     const struct scenario ipc_pipe = {
 *         .name = "ipc.pipe", .summary = "...", .params = ipc_params,
 *         .family = &pipe_transport, IPC_SCENARIO_FIELDS,
 *     };
 */
#define IPC_SCENARIO_FIELDS                                                                        \
    .default_placements = "same,cross,free", .quick_placements = "same,cross",                     \
    .placements_supported = PLACEMENTS_ALL, .batchable = true, .setup = ipc_setup,                 \
    .sample = ipc_sample, .teardown = ipc_teardown

/* Messages in one stream burst of size-byte messages: 4 MiB worth, at least
 * 2 and at most 512 (1 B, 64 B, 4 KiB: 512; 64 KiB: 64; 1 MiB: 4), so that a
 * burst lasts well over 100 us, holds more than a pipe buffer, and the two
 * messages of it checked in full are at most half of its bytes. */
uint64_t ipc_burst_messages(size_t size);

/* setup() of an ipc.* scenario: opens the channel of its transport
 * (ctx->scenario->family), forks the peer, and sets ctx->state and
 * ctx->peer_pid. Returns 0, or -errno with the reason in ctx->failure and
 * nothing left behind.
 * Test knob: when the environment variable PROCBENCH_TEST_CORRUPT is "1" at
 * setup, the peer flips one bit of every message it echoes (pingpong) or of
 * the last message of each burst before it checks it (stream), so that tests
 * can prove the checks catch a damaged message. Never set it otherwise. */
int ipc_setup(struct case_ctx *ctx);

/* sample() and teardown() of every ipc.* scenario. */
int ipc_sample(struct case_ctx *ctx, struct sample *out);
void ipc_teardown(struct case_ctx *ctx);

/* For transports: send()/recv() on descriptors, ch->fd[side][IPC_TX/RX]:
 * a byte stream (read/write until done) when ch->chunk_bytes is 0, else
 * datagrams of ch->chunk_bytes, each of which must arrive whole and at its
 * expected length. An empty datagram means "closed" (see
 * ipc_fd_parent_stop()). */
int ipc_fd_send(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len);
int ipc_fd_recv(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len);
/* parent_stop() for datagram channels, where closing one end does not end
 * the other: sends the empty datagram that means "closed". */
void ipc_fd_parent_stop(struct ipc_channel *ch);

/* Writes all of buf to fd across partial writes and EINTR. 0, -EPIPE when
 * the reader has gone, or -errno. */
int ipc_write_all(int fd, const void *buf, size_t len);

/* Stores one-way channels into ch: the parent writes down_tx, the peer
 * reads down_rx; the peer writes up_tx, the parent reads up_rx. */
void ipc_channel_set_oneway(struct ipc_channel *ch, int down_rx, int down_tx, int up_rx, int up_tx);
/* Stores a two-way descriptor for each side (a connected socket pair). */
void ipc_channel_set_duplex(struct ipc_channel *ch, int parent_fd, int peer_fd);

/* True in the parent once its peer has exited (set by the SIGCHLD handler
 * ipc_setup() installs): a transport blocked where no end of file arrives
 * checks it when its wait is interrupted or times out. */
bool ipc_peer_exited(void);

#endif
