/*
 * spawn.fork_exec: the classic way to start a program. fork() copies the
 * parent's page tables (so its cost grows with the parent's RSS), the child
 * pins itself to the peer CPU when asked and execve()s the target, and the
 * parent reaps it with wait4().
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "spawn_common.h"

static int fork_exec_create(void *state, int peer_cpu, pid_t *pid)
{
    pid_t child = fork();
    if (child == 0)
        spawn_child_exec(state, peer_cpu);
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int fork_exec_op(void *state, int peer_cpu, struct sample *out,
                        char failure[SCENARIO_FAILURE_MAX])
{
    return spawn_sample_create_reap(state, state, peer_cpu, out, failure, "fork", fork_exec_create);
}

static const struct spawn_mechanism fork_exec_mechanism = {
    .init = spawn_target_state_init,
    .fini = spawn_target_state_fini,
    .op = fork_exec_op,
};

const struct scenario spawn_fork_exec = {
    .name = "spawn.fork_exec",
    .summary = "fork() then execve() in the child; reaped with wait4()",
    .params = spawn_target_both_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .family = &fork_exec_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_TARGET_HOLDS,
};
