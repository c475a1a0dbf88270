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

static int streamed_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return output_setup(ctx, "output.streamed", output_streamed_params, OUTPUT_CHUNK_PIPE_CAPACITY,
                        failure, failure_len);
}

static int streamed_sample(struct case_ctx *ctx, struct sample *out)
{
    const struct output_state *s = ctx->state;
    struct output_run run;

    output_run_prepare(s, &run);
    int err = output_run_spawn(&run, out);
    if (err < 0)
        return err;
    for (;;) {
        ssize_t n = output_run_read(&run, s->chunk, s->chunk_bytes, out);
        if (n == 0)
            break;
        err = n < 0 ? (int)n : output_run_use(&run, s->chunk, (size_t)n, out);
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
    .default_placements = "same",
    /* No CROSS: posix_spawn offers no hook between clone and exec where the
     * child could pin itself (see spawn.posix_spawn). */
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),
    .setup = streamed_setup,
    .metrics = output_metrics,
    .sample = streamed_sample,
    .teardown = output_teardown,
};
