/*
 * ipc.shm: shared memory, the channel with no system call in its data path,
 * with the three usual ways of waiting for the other side: spinning on the
 * index (fast across CPUs, and it burns a CPU: the cpu_ns column shows it),
 * a futex, or a process-shared POSIX semaphore. The rings are in
 * ipc_ring.c; this file only picks the wait.
 */
#include "ipc_common.h"
#include "ipc_ring.h"

static const struct param_spec shm_params[] = {
    {
        .name = "wait",
        .kind = PARAM_WORD,
        .defaults = "spin,futex,sem",
        .quick = "futex",
        .choices = "spin,futex,sem",
        .help = "how a side waits: spin (yielding the CPU every 32 polls), futex, or a POSIX sem_t "
                "in the shared region",
    },
    IPC_PARAM_MODE,
    IPC_PARAM_SIZE,
    {.name = NULL},
};

static int shm_open_channel(struct ipc_channel *ch, char *why, size_t why_len)
{
    /* The choices are in the order of enum ipc_ring_wait. */
    return ipc_ring_open(ch, (enum ipc_ring_wait)scenario_param(ch->ctx, "wait")->number, why,
                         why_len);
}

static const struct ipc_transport shm_transport = {
    .open = shm_open_channel,
    .send = ipc_ring_send,
    .recv = ipc_ring_recv,
    .parent_stop = ipc_ring_parent_stop,
    .wake_parent = ipc_ring_wake_parent,
    .release = ipc_ring_release,
};

const struct scenario ipc_shm = {
    .name = "ipc.shm",
    .summary = "rings in MAP_SHARED memory; a side waits by spinning, on a futex or on a sem_t",
    .params = shm_params,
    .family = &shm_transport,
    IPC_SCENARIO_FIELDS,
};
