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

static int fork_exec_op(void *state, int peer_cpu, struct sample *out)
{
    return spawn_sample_create_reap(state, peer_cpu, out, "spawn.fork_exec", "fork",
                                    fork_exec_create);
}

static const struct spawn_mechanism fork_exec_mechanism = {
    .scenario = "spawn.fork_exec",
    .params = spawn_target_params,
    .init = spawn_target_state_init,
    .fini = free,
    .op = fork_exec_op,
};

static int fork_exec_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return spawn_case_setup(ctx, &fork_exec_mechanism, failure, failure_len);
}

const struct scenario spawn_fork_exec = {
    .name = "spawn.fork_exec",
    .summary = "fork() then execve() in the child; reaped with wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .case_unavailable = spawn_target_case_unavailable,
    .setup = fork_exec_setup,
    .metrics = spawn_metrics,
    .sample = spawn_case_sample,
    .teardown = spawn_case_teardown,
};
