/*
 * ipc.eventfd: the payload in shared memory (the rings of ipc_ring.c), and
 * an eventfd per process to wake it, as event loops that poll descriptors
 * do it. Set beside ipc.shm wait=futex it shows what a descriptor-based
 * wake-up costs over a bare futex.
 */
#include "ipc_common.h"
#include "ipc_ring.h"

static int eventfd_open_channel(struct ipc_channel *ch, char *why, size_t why_len)
{
    return ipc_ring_open(ch, IPC_RING_EVENTFD, why, why_len);
}

static const struct ipc_transport eventfd_transport = {
    .open = eventfd_open_channel,
    .send = ipc_ring_send,
    .recv = ipc_ring_recv,
    .parent_stop = ipc_ring_parent_stop,
    .wake_parent = ipc_ring_wake_parent,
    .release = ipc_ring_release,
};

const struct scenario ipc_eventfd = {
    .name = "ipc.eventfd",
    .summary =
        "rings in MAP_SHARED memory; a side sleeps in read() of an eventfd, woken by write()",
    .params = ipc_params,
    .family = &eventfd_transport,
    IPC_SCENARIO_FIELDS,
};
