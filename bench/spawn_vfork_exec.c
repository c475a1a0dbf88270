/*
 * spawn.vfork_exec: vfork() shares the parent's memory instead of copying its
 * page tables and suspends the parent until the child execs, so its cost
 * should not grow with the parent's RSS. Between vfork() and execve() the
 * child may only make async-signal-safe calls and must not return from this
 * function: it pins itself with the raw system call, execs, or _exit()s.
 */
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "spawn_common.h"

static int vfork_exec_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return spawn_target_setup(ctx, "spawn.vfork_exec", failure, failure_len);
}

static int vfork_exec_create(struct case_ctx *ctx, pid_t *pid)
{
    pid_t child = vfork();
    if (child == 0)
        spawn_child_exec(ctx->state, ctx->peer_cpu);
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int vfork_exec_sample(struct case_ctx *ctx, struct sample *out)
{
    return spawn_sample_create_reap(ctx, out, "spawn.vfork_exec", "vfork", vfork_exec_create);
}

const struct scenario spawn_vfork_exec = {
    .name = "spawn.vfork_exec",
    .summary = "vfork() then execve() in the child (parent suspended until exec); reaped "
               "with wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .setup = vfork_exec_setup,
    .sample = vfork_exec_sample,
    .teardown = spawn_target_teardown,
};
