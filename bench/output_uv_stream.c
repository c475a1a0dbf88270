/*
 * output.uv_stream: output.streamed through libuv, as Node.js spawn() gets
 * it: uv_spawn() with a UV_CREATE_PIPE stdout, uv_read_start() with an
 * allocation callback that hands out one fixed 64 KiB buffer (libuv's
 * suggested size, and what Node reads per 'data' event), and each chunk
 * used in the read callback. The sample ends when both EOF and the exit
 * callback (libuv's SIGCHLD handler, which reaps with waitpid()) have been
 * seen, so the child's peak RSS is unknown (0), as for spawn.uv_spawn.
 *
 * There is no pipe_size parameter: libuv 1.44's UV_CREATE_PIPE is an
 * AF_UNIX socketpair, not a pipe, made inside uv_spawn(), so F_SETPIPE_SZ
 * does not apply and there is no hook to size its buffers before the child
 * has its end.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "base/clock.h"
#include "output_common.h"
#include "uv_common.h"

#define UVSTREAM_CHUNK_BYTES (64u * 1024u)

struct uvstream_state {
    struct output_state output;
    uv_loop_t loop;
    uv_process_t process;
    uv_pipe_t pipe;
    uv_stdio_container_t stdio[3];
    uv_process_options_t options;
    /* One sample's, written by the callbacks: */
    struct output_run run;
    struct case_ctx *ctx; /* the sample's, for its failure */
    int error;            /* the sample's first failure (ctx->failure says it); 0: none */
    bool exited, eof;
    uint64_t exit_ns, eof_ns;
    int64_t exit_status;
    int term_signal;
};

static void uvstream_exited(uv_process_t *process, int64_t exit_status, int term_signal)
{
    struct uvstream_state *s = process->data;
    s->exit_ns = clock_now_ns();
    s->exited = true;
    s->exit_status = exit_status;
    s->term_signal = term_signal;
}

static int uvstream_setup(struct case_ctx *ctx)
{
    struct uvstream_state *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    int err = output_state_init(&s->output, ctx, UVSTREAM_CHUNK_BYTES);
    if (err < 0)
        goto fail_free;
    err = uv_loop_init(&s->loop);
    if (err < 0) {
        scenario_fail(ctx, err, "uv_loop_init failed: %s", uv_strerror(err));
        goto fail_release;
    }
    /* As Node sets up a 'pipe' stdout: the child writes, the parent reads. */
    s->stdio[0].flags = UV_INHERIT_FD;
    s->stdio[0].data.fd = 0;
    s->stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    s->stdio[1].data.stream = (uv_stream_t *)&s->pipe;
    s->stdio[2].flags = UV_INHERIT_FD;
    s->stdio[2].data.fd = 2;
    s->options.file = s->output.argv[0];
    s->options.args = s->output.argv;
    s->options.env = NULL; /* libuv then passes environ, as posix_spawn does */
    s->options.stdio = s->stdio;
    s->options.stdio_count = 3;
    s->options.exit_cb = uvstream_exited;
    ctx->state = s;
    return 0;

fail_release:
    output_state_release(&s->output);
fail_free:
    free(s);
    return err;
}

/* Records the sample's first failure and stops it: no more reads, and the
 * child killed, so that the loop ends once the exit callback has run. */
static void uvstream_stop(struct uvstream_state *s, int err)
{
    if (s->error == 0)
        s->error = err;
    uv_read_stop((uv_stream_t *)&s->pipe);
    if (!s->exited)
        uv_process_kill(&s->process, SIGKILL);
}

static void uvstream_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    struct uvstream_state *s = handle->data;
    (void)suggested;
    *buf = uv_buf_init((char *)s->output.chunk, UVSTREAM_CHUNK_BYTES);
}

static void uvstream_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct uvstream_state *s = stream->data;
    if (nread > 0) {
        output_run_received(&s->run, (size_t)nread);
        int err = output_run_use(&s->run, buf->base, (size_t)nread);
        if (err < 0)
            uvstream_stop(s, err);
    } else if (nread == UV_EOF) {
        s->eof_ns = clock_now_ns();
        s->eof = true;
    } else if (nread < 0) {
        if (s->error == 0)
            scenario_fail(s->ctx, (int)nread, "read from the child failed: %s",
                          uv_strerror((int)nread));
        uvstream_stop(s, (int)nread);
    }
}

/* Closes the sample's handles and runs the loop until they are closed, so
 * that the next sample can reuse them. Untimed. */
static void uvstream_close(struct uvstream_state *s)
{
    uv_close((uv_handle_t *)&s->process, NULL);
    uv_close((uv_handle_t *)&s->pipe, NULL);
    uv_run(&s->loop, UV_RUN_DEFAULT);
}

static int uvstream_sample(struct case_ctx *ctx, struct sample *out)
{
    struct uvstream_state *s = ctx->state;
    output_run_prepare(ctx, &s->output, &s->run);
    s->ctx = ctx;
    s->error = 0;
    s->exited = s->eof = false;
    s->exit_ns = s->eof_ns = 0;
    int err = uv_pipe_init(&s->loop, &s->pipe, 0);
    if (err < 0) {
        return scenario_fail(ctx, err, "uv_pipe_init failed: %s", uv_strerror(err));
    }
    s->pipe.data = s;
    s->process.data = s;

    s->run.start_ns = clock_now_ns();
    err = uv_spawn(&s->loop, &s->process, &s->options);
    if (err < 0) {
        scenario_fail(ctx, err, "uv_spawn of %s failed: %s", s->output.argv[0], uv_strerror(err));
        /* A process handle is initialised even when the spawn fails. */
        uvstream_close(s);
        return err;
    }
    err = uv_read_start((uv_stream_t *)&s->pipe, uvstream_alloc, uvstream_read);
    if (err < 0) {
        scenario_fail(ctx, err, "uv_read_start failed: %s", uv_strerror(err));
        uvstream_stop(s, err);
    }
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uint64_t end_ns = s->exit_ns > s->eof_ns ? s->exit_ns : s->eof_ns;
    uvstream_close(s);

    if (s->error != 0)
        return s->error;
    if (!s->exited || !s->eof) {
        return scenario_fail(ctx, -ECHILD, "loop stopped before the child's %s",
                             s->exited ? "EOF" : "exit");
    }
    uv_common_exit_reason(s->exit_status, s->term_signal, s->run.child_end,
                          sizeof(s->run.child_end));
    return output_run_end(&s->run, end_ns, out);
}

static void uvstream_teardown(struct case_ctx *ctx)
{
    struct uvstream_state *s = ctx->state;
    /* Every sample closes its handles; this only guards the loop close. */
    uv_common_loop_close(&s->loop);
    output_state_release(&s->output);
    free(s);
    ctx->state = NULL;
}

const struct scenario output_uv_stream = {
    .name = "output.uv_stream",
    .summary = "child stdout through libuv: uv_spawn UV_CREATE_PIPE, uv_read_start callbacks "
               "(what Node spawn runs on)",
    .params = output_uv_params,
    OUTPUT_SCENARIO_FIELDS,
    .process_init = uv_common_process_init,
    .setup = uvstream_setup,
    .sample = uvstream_sample,
    .teardown = uvstream_teardown,
};
