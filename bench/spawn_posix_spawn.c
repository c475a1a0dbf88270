/*
 * spawn.posix_spawn: glibc's posix_spawn(), which creates the child with
 * clone(CLONE_VM | CLONE_VFORK) on its own small stack, so the call returns
 * only after the child has exec'd (and reports an exec failure as its return
 * value). Like vfork, its cost should not grow with the parent's RSS.
 */
#include <spawn.h>
#include <stdlib.h>
#include <sys/types.h>

#include "proc.h"
#include "spawn_common.h"

static int posix_spawn_create(void *state, int peer_cpu, pid_t *pid)
{
    (void)peer_cpu; /* no CROSS placement: see the descriptor */
    const struct spawn_target *t = state;
    char **envp = t->envp != NULL ? t->envp : environ;
    if (t->search)
        return -posix_spawnp(pid, t->file, NULL, NULL, t->argv, envp);
    return -posix_spawn(pid, t->path, NULL, NULL, t->argv, envp);
}

static int posix_spawn_op(void *state, int peer_cpu, struct sample *out,
                          char failure[SCENARIO_FAILURE_MAX])
{
    return spawn_sample_create_reap(state, state, peer_cpu, out, failure, "posix_spawn",
                                    posix_spawn_create);
}

static const struct spawn_mechanism posix_spawn_mechanism = {
    .init = spawn_target_state_init,
    .fini = spawn_target_state_fini,
    .op = posix_spawn_op,
};

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
    .family = &posix_spawn_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_TARGET_HOLDS,
};
