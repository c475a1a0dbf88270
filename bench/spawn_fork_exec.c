/*
 * spawn.fork_exec: the classic way to start a program. fork() copies the
 * parent's page tables (so its cost grows with the parent's RSS), the child
 * pins itself to the peer CPU when asked and execve()s the target, and the
 * parent reaps it with wait4().
 */
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "spawn_common.h"

static int fork_exec_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return spawn_target_setup(ctx, "spawn.fork_exec", failure, failure_len);
}

static int fork_exec_create(struct case_ctx *ctx, pid_t *pid)
{
    pid_t child = fork();
    if (child == 0)
        spawn_child_exec(ctx->state, ctx->peer_cpu);
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int fork_exec_sample(struct case_ctx *ctx, struct sample *out)
{
    return spawn_sample_create_reap(ctx, out, "spawn.fork_exec", "fork", fork_exec_create);
}

const struct scenario spawn_fork_exec = {
    .name = "spawn.fork_exec",
    .summary = "fork() then execve() in the child; reaped with wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .setup = fork_exec_setup,
    .sample = fork_exec_sample,
    .teardown = spawn_target_teardown,
};
