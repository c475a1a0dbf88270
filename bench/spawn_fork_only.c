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

static int fork_only_create(void *state, int peer_cpu, pid_t *pid)
{
    (void)state;
    pid_t child = fork();
    if (child == 0) {
        proc_pin_self(peer_cpu);
        _exit(0);
    }
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int fork_only_op(void *state, int peer_cpu, struct sample *out,
                        char failure[SCENARIO_FAILURE_MAX])
{
    return spawn_sample_create_reap(state, NULL, peer_cpu, out, failure, "fork", fork_only_create);
}

static const struct spawn_mechanism fork_only_mechanism = {
    .op = fork_only_op,
};

const struct scenario spawn_fork_only = {
    .name = "spawn.fork_only",
    .summary = "fork() and a child that _exit()s at once, no exec; reaped with wait4()",
    .params = spawn_state_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .family = &fork_only_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_STATE_HOLDS,
};
