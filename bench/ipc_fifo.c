/*
 * ipc.fifo: two named pipes (mkfifo), the channel between processes that do
 * not share a parent. Once open a FIFO is a pipe, so the row beside ipc.pipe
 * should differ only by noise; it is here to show that. The FIFOs live in a
 * mkdtemp() directory under $TMPDIR (or /tmp), and the names and the
 * directory are removed as soon as both ends are open, in setup, so nothing
 * in the file system outlives a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipc_common.h"

/* Makes the FIFO path and opens both its ends. Opening one end blocks until
 * the other is open, except a read end opened non-blocking; so the read end
 * is opened that way first, the write end then opens at once, and the read
 * end is made blocking again. */
static int fifo_ends(const char *path, int *rx, int *tx, char *why, size_t why_len)
{
    const char *call = "mkfifo";
    if (mkfifo(path, 0600) != 0)
        goto fail;
    call = "open";
    *rx = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (*rx < 0)
        goto fail;
    *tx = open(path, O_WRONLY | O_CLOEXEC);
    if (*tx < 0)
        goto fail;
    call = "fcntl";
    if (fcntl(*rx, F_SETFL, 0) != 0)
        goto fail;
    return 0;

fail:;
    int err = -errno;
    snprintf(why, why_len, "%s of %s failed: %s", call, path, strerror(-err));
    return err;
}

static int fifo_open(struct ipc_channel *ch, char *why, size_t why_len)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], down[PATH_MAX + 8], up[PATH_MAX + 8];
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if ((size_t)snprintf(dir, sizeof(dir), "%s/procbench-fifo-XXXXXX", tmp) >= sizeof(dir)) {
        snprintf(why, why_len, "TMPDIR is too long");
        return -ENAMETOOLONG;
    }
    if (mkdtemp(dir) == NULL) {
        int err = -errno;
        snprintf(why, why_len, "mkdtemp under %s failed: %s", tmp, strerror(-err));
        return err;
    }
    snprintf(down, sizeof(down), "%s/down", dir);
    snprintf(up, sizeof(up), "%s/up", dir);
    int fds[4] = {-1, -1, -1, -1};
    int err = fifo_ends(down, &fds[0], &fds[1], why, why_len);
    if (err == 0)
        err = fifo_ends(up, &fds[2], &fds[3], why, why_len);
    /* Whatever happened, the names go now; open ends keep working. */
    ipc_channel_set_oneway(ch, fds[0], fds[1], fds[2], fds[3]);
    unlink(down);
    unlink(up);
    rmdir(dir);
    return err;
}

static const struct ipc_transport fifo_transport = {
    .open = fifo_open,
    .send = ipc_fd_send,
    .recv = ipc_fd_recv,
};

const struct scenario ipc_fifo = {
    .name = "ipc.fifo",
    .summary = "two named pipes (mkfifo, names removed once open) to a forked peer",
    .params = ipc_params,
    .family = &fifo_transport,
    IPC_SCENARIO_FIELDS,
};
