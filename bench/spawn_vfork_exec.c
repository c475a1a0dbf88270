/*
 * spawn.vfork_exec: vfork() shares the parent's memory instead of copying its
 * page tables and suspends the parent until the child execs, so its cost
 * should not grow with the parent's RSS. Between vfork() and execve() the
 * child may only make async-signal-safe calls and must not return from this
 * function: it pins itself with the raw system call, execs, or _exit()s.
 * With concurrency > 1 only the vfork()ing thread is suspended, not the
 * other spawners.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "spawn_common.h"

static int vfork_exec_create(void *state, int peer_cpu, pid_t *pid)
{
    pid_t child = vfork();
    if (child == 0)
        spawn_child_exec(state, peer_cpu);
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int vfork_exec_op(void *state, int peer_cpu, struct sample *out,
                         char failure[SCENARIO_FAILURE_MAX])
{
    return spawn_sample_create_reap(state, state, peer_cpu, out, failure, "vfork",
                                    vfork_exec_create);
}

static const struct spawn_mechanism vfork_exec_mechanism = {
    .init = spawn_target_state_init,
    .fini = spawn_target_state_fini,
    .op = vfork_exec_op,
};

const struct scenario spawn_vfork_exec = {
    .name = "spawn.vfork_exec",
    .summary = "vfork() then execve() in the child (parent suspended until exec); reaped "
               "with wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .family = &vfork_exec_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_TARGET_HOLDS,
};
