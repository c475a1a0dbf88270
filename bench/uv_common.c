/*
 * Helpers for the libuv scenarios (spawn.uv_spawn, output.uv_stream), kept
 * in one place so that every libuv row pays for libuv's global state the
 * same way and reports a child's end in the same words as the rows that
 * reap with wait4().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "uv_common.h"

/* libuv's first loop opens a process-wide signal pipe and registers a
 * pthread_atfork() handler that re-creates that pipe in every fork() child
 * (measured here: +30-60 us on a bare fork). Neither is ever undone, so it
 * happens in process_init: in the round's own process, which ends with the
 * round, so no other scenario's fork pays for it; and before the harness
 * counts descriptors, so the pipe is not taken for a leak. */
int uv_common_process_init(void)
{
    uv_loop_t loop;
    int err = uv_loop_init(&loop);
    if (err < 0)
        return err;
    return uv_loop_close(&loop);
}

static void close_handle(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

void uv_common_loop_close(uv_loop_t *loop)
{
    uv_walk(loop, close_handle, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
}

int uv_common_exit_reason(int64_t exit_status, int term_signal, char *why, size_t why_len)
{
    if (term_signal != 0) {
        const char *abbrev = sigabbrev_np(term_signal);
        snprintf(why, why_len, "killed by signal %d (SIG%s)", term_signal,
                 abbrev != NULL ? abbrev : "?");
        return -ECHILD;
    }
    if (exit_status != 0) {
        snprintf(why, why_len, "exited with status %lld", (long long)exit_status);
        return -ECHILD;
    }
    if (why_len > 0)
        why[0] = '\0';
    return 0;
}
