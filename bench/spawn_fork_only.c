/*
 * spawn.fork_only: fork() and a child that exits at once, without exec. Set
 * beside spawn.fork_exec it splits the cost of starting a program into the
 * copy of the parent (page tables, descriptors) and the exec of the target.
 * The child pins itself first when asked (a no-op unless placement=cross),
 * so that the cross row moves the child exactly as spawn.fork_exec does.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#include "proc.h"
#include "spawn_common.h"

static int fork_only_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    (void)failure;
    (void)failure_len;
    ctx->state = NULL;
    return 0;
}

static int fork_only_create(struct case_ctx *ctx, pid_t *pid)
{
    pid_t child = fork();
    if (child == 0) {
        proc_pin_self(ctx->peer_cpu);
        _exit(0);
    }
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int fork_only_sample(struct case_ctx *ctx, struct sample *out)
{
    return spawn_sample_create_reap(ctx, out, "spawn.fork_only", "fork", fork_only_create);
}

static void fork_only_teardown(struct case_ctx *ctx)
{
    (void)ctx;
}

const struct scenario spawn_fork_only = {
    .name = "spawn.fork_only",
    .summary = "fork() and a child that _exit()s at once, no exec; reaped with wait4()",
    .params = NULL,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .setup = fork_only_setup,
    .sample = fork_only_sample,
    .teardown = fork_only_teardown,
};
