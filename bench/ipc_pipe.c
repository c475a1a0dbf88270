/*
 * ipc.pipe: two anonymous pipes, one each way, the oldest channel between a
 * parent and its child and what a shell pipeline or a child's stdio is made
 * of. The reference the other ipc.* rows are read against (lmbench lat_pipe,
 * bw_pipe; perf bench sched pipe).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc_common.h"

static int pipe_open(struct ipc_channel *ch, char *why, size_t why_len)
{
    int down[2], up[2];
    if (pipe2(down, O_CLOEXEC) != 0)
        goto fail;
    ipc_channel_set_oneway(ch, down[0], down[1], -1, -1);
    if (pipe2(up, O_CLOEXEC) != 0)
        goto fail;
    ipc_channel_set_oneway(ch, down[0], down[1], up[0], up[1]);
    return 0;

fail:;
    int err = -errno;
    snprintf(why, why_len, "pipe2 failed: %s", strerror(-err));
    return err;
}

static const struct ipc_transport pipe_transport = {
    .open = pipe_open,
    .send = ipc_fd_send,
    .recv = ipc_fd_recv,
};

const struct scenario ipc_pipe = {
    .name = "ipc.pipe",
    .summary = "two pipes between parent and a forked peer: round trip or stream",
    .params = ipc_params,
    .family = &pipe_transport,
    IPC_SCENARIO_FIELDS,
};
