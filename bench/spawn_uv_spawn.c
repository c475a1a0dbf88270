/*
 * spawn.uv_spawn: starting a program through libuv, the layer Node.js
 * child_process sits on. libuv 1.44 forks on Linux, waits on a close-on-exec
 * pipe until the child has exec'd, and learns of the exit through its SIGCHLD
 * handler, which wakes the loop and calls waitpid(). The sample therefore
 * ends in the exit callback, not at a wait4() of ours, and since libuv reaps
 * with waitpid() the child's peak RSS stays unknown (0). stdio is three
 * inherited descriptors, as for the other mechanisms. With concurrency > 1
 * each spawner has a loop of its own, and libuv's SIGCHLD handler wakes
 * every loop, each reaping only its own children.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/clock.h"
#include "spawn_common.h"
#include "uv_common.h"

struct uvspawn_state {
    struct spawn_target target;
    uv_loop_t loop;
    uv_process_t process;
    uv_stdio_container_t stdio[3];
    uv_process_options_t options;
    /* Written by the exit callback. */
    int exited;
    uint64_t exit_ns;
    int64_t exit_status;
    int term_signal;
};

static void uvspawn_exited(uv_process_t *process, int64_t exit_status, int term_signal)
{
    struct uvspawn_state *s = process->data;
    s->exit_ns = clock_now_ns();
    s->exited = 1;
    s->exit_status = exit_status;
    s->term_signal = term_signal;
}

/* One loop per spawner: a libuv loop belongs to one thread at a time. */
static int uvspawn_init(struct case_ctx *ctx, size_t index, size_t count, void **state)
{
    (void)index;
    (void)count;
    struct uvspawn_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    int err = spawn_target_init(&s->target, ctx);
    if (err < 0)
        goto fail_free;
    err = uv_loop_init(&s->loop);
    if (err < 0) {
        scenario_fail(ctx, 0, "uv_loop_init failed: %s", uv_strerror(err));
        spawn_target_fini(&s->target);
        goto fail_free;
    }
    for (int fd = 0; fd < 3; fd++) {
        s->stdio[fd].flags = UV_INHERIT_FD;
        s->stdio[fd].data.fd = fd;
    }
    /* libuv's child execvp()s file: a bare name is searched in PATH, as
     * path_depth wants, an absolute path is not. */
    s->options.file = s->target.file;
    s->options.args = s->target.argv;
    s->options.env = s->target.envp; /* NULL: libuv passes environ, as the others do */
    s->options.stdio = s->stdio;
    s->options.stdio_count = 3;
    s->options.exit_cb = uvspawn_exited;
    *state = s;
    return 0;

fail_free:
    free(s);
    return err;
}

/* Closes the process handle and runs the loop until the close is done, so
 * that the next sample can reuse it. Untimed. */
static void uvspawn_close_process(struct uvspawn_state *s)
{
    uv_close((uv_handle_t *)&s->process, NULL);
    uv_run(&s->loop, UV_RUN_DEFAULT);
}

static int uvspawn_op(void *state, int peer_cpu, struct sample *out,
                      char failure[SCENARIO_FAILURE_MAX])
{
    (void)peer_cpu; /* no CROSS placement: see the descriptor */
    struct uvspawn_state *s = state;
    s->exited = 0;
    s->process.data = s;
    spawn_target_drain(&s->target);

    uint64_t t0 = clock_now_ns();
    int err = uv_spawn(&s->loop, &s->process, &s->options);
    uint64_t t1 = clock_now_ns();
    if (err < 0) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "uv_spawn failed: %s", uv_strerror(err));
        uvspawn_close_process(s);
        return err;
    }
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uvspawn_close_process(s);

    if (!s->exited) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "loop stopped before the child exited");
        return -ECHILD;
    }
    char why[96];
    err = uv_common_exit_reason(s->exit_status, s->term_signal, why, sizeof(why));
    if (err < 0) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "child %s", why);
        return err;
    }
    err = spawn_target_first_instruction(&s->target, t0, s->exit_ns, out, failure);
    if (err < 0)
        return err;
    out->ns = s->exit_ns - t0;
    sample_report(out, SPAWN_METRIC_RETURN, t1 - t0);
    return 0;
}

static void uvspawn_fini(void *state)
{
    struct uvspawn_state *s = state;
    /* Every sample closes its handle; this only guards the loop close. */
    uv_common_loop_close(&s->loop);
    spawn_target_fini(&s->target);
    free(s);
}

static const struct spawn_mechanism uvspawn_mechanism = {
    .init = uvspawn_init,
    .fini = uvspawn_fini,
    .op = uvspawn_op,
};

const struct scenario spawn_uv_spawn = {
    .name = "spawn.uv_spawn",
    .summary = "libuv uv_spawn() (what Node's child_process uses), exit seen by the loop's "
               "SIGCHLD handler",
    .params = spawn_target_params,
    .default_placements = "same",
    /* No CROSS: libuv runs its own code between fork and exec and offers no
     * hook in which the child could pin itself. */
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),
    .process_init = uv_common_process_init,
    .family = &uvspawn_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_TARGET_HOLDS,
};
