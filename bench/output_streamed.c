/*
 * output.streamed: the parent reads the child's stdout into one fixed
 * buffer and uses each chunk as it arrives, as a Node.js spawn() 'data'
 * handler does; nothing outlives its chunk. The buffer is as large as the
 * pipe's capacity, the most one read() can return, and is allocated in
 * setup, so what a sample adds to the parent's RSS is what streaming
 * itself costs: next to nothing, whatever the output's size.
 */
#include <signal.h>

#include "base/clock.h"
#include "output_common.h"

static int streamed_setup(struct case_ctx *ctx)
{
    return output_setup(ctx, OUTPUT_CHUNK_PIPE_CAPACITY);
}

static int streamed_sample(struct case_ctx *ctx, struct sample *out)
{
    const struct output_state *s = ctx->state;
    struct output_run run;

    output_run_prepare(ctx, s, &run);
    int err = output_run_spawn(&run);
    if (err < 0)
        return err;
    for (;;) {
        ssize_t n = output_run_read(&run, s->chunk, s->chunk_bytes);
        if (n == 0)
            break;
        err = n < 0 ? (int)n : output_run_use(&run, s->chunk, (size_t)n);
        if (err < 0) {
            output_run_abort(&run, SIGKILL);
            return err;
        }
    }
    output_run_reap(&run);
    return output_run_end(&run, clock_now_ns(), out);
}

const struct scenario output_streamed = {
    .name = "output.streamed",
    .summary = "child stdout read into a fixed buffer, each chunk used as it arrives (Node spawn)",
    .params = output_streamed_params,
    OUTPUT_SCENARIO_FIELDS,
    .setup = streamed_setup,
    .sample = streamed_sample,
    .teardown = output_teardown,
};
