/*
 * spawn.posix_spawn: glibc's posix_spawn(), which creates the child with
 * clone(CLONE_VM | CLONE_VFORK) on its own small stack, so the call returns
 * only after the child has exec'd (and reports an exec failure as its return
 * value). Like vfork, its cost should not grow with the parent's RSS.
 */
#include <spawn.h>
#include <sys/types.h>

#include "proc.h"
#include "spawn_common.h"

static int posix_spawn_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return spawn_target_setup(ctx, "spawn.posix_spawn", failure, failure_len);
}

static int posix_spawn_create(struct case_ctx *ctx, pid_t *pid)
{
    const struct spawn_target *t = ctx->state;
    return -posix_spawn(pid, t->path, NULL, NULL, t->argv, environ);
}

static int posix_spawn_sample(struct case_ctx *ctx, struct sample *out)
{
    return spawn_sample_create_reap(ctx, out, "spawn.posix_spawn", "posix_spawn",
                                    posix_spawn_create);
}

const struct scenario spawn_posix_spawn = {
    .name = "spawn.posix_spawn",
    .summary = "posix_spawn() (glibc: clone(CLONE_VM|CLONE_VFORK) + execve); reaped with wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    /* No CROSS: posix_spawn offers no hook between clone and exec where the
     * child could pin itself, and pinning it from the parent afterwards
     * would time a migration of the exec'd program, not the same operation
     * the other rows time. */
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),
    .setup = posix_spawn_setup,
    .sample = posix_spawn_sample,
    .teardown = spawn_target_teardown,
};
