/*
 * A channel in shared memory for ipc.shm and ipc.eventfd: two byte rings
 * (one each way) in a MAP_SHARED|MAP_ANONYMOUS region mapped before fork(),
 * so that no name exists that could outlive a run. A message is copied into
 * the ring and out of it, as a pipe copies into and out of the kernel, so
 * the rows compare the hand-off and not the copies. What differs between the
 * rows is only how a side that finds its ring empty (or full) waits for the
 * other to move: enum ipc_ring_wait.
 */
#ifndef PROCBENCH_IPC_RING_H
#define PROCBENCH_IPC_RING_H

#include <stddef.h>

#include "ipc_common.h"

enum ipc_ring_wait {
    IPC_RING_SPIN,    /* poll the index, with a sched_yield() every 32 polls */
    IPC_RING_FUTEX,   /* futex wait / wake on a word of the region */
    IPC_RING_SEM,     /* a process-shared POSIX sem_t in the region */
    IPC_RING_EVENTFD, /* read() / write() of an eventfd per process */
};

/* Bytes of each ring. Messages larger than this go through in pieces, the
 * sender filling while the receiver empties, as through a pipe. */
#define IPC_RING_BYTES (256u * 1024u)

/* open() of a ring transport: maps the region and prepares the waits
 * (semaphores, eventfds). Returns 0 or -errno with a reason in why. */
int ipc_ring_open(struct ipc_channel *ch, enum ipc_ring_wait wait, char *why, size_t why_len);

/* The rest of a ring transport's operations (see struct ipc_transport). */
int ipc_ring_send(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len);
int ipc_ring_recv(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len);
void ipc_ring_parent_stop(struct ipc_channel *ch);
void ipc_ring_wake_parent(struct ipc_channel *ch);
void ipc_ring_release(struct ipc_channel *ch);

#endif
