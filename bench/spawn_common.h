/*
 * What the spawn.* scenarios share: the `target` parameter, the state that
 * holds the resolved program and its argv, and the timed create -> reap
 * sample, so that each scenario file holds only its create call.
 */
#ifndef PROCBENCH_SPAWN_COMMON_H
#define PROCBENCH_SPAWN_COMMON_H

#include <stddef.h>
#include <sys/types.h>

#include "params.h"
#include "scenario.h"

/* The single parameter of the exec'ing scenarios: target=static|dynamic.
 * Terminated by { .name = NULL }. */
extern const struct param_spec spawn_target_params[];

/* The state of an exec'ing scenario, resolved in setup (untimed). */
struct spawn_target {
    const char *scenario; /* "spawn.fork_exec": prefixes every message */
    const char *path;     /* the program to exec; owned by proc.c (static) */
    char *argv[4];        /* { path, NULL } unless the scenario rewrites it */
};

/* Resolves ctx->params[0] (a target value) into t: path and argv {path, NULL}.
 * Returns 0, or -errno with "<scenario>: <reason>" in failure. */
int spawn_target_init(struct spawn_target *t, const char *scenario, const struct case_ctx *ctx,
                      char *failure, size_t failure_len);

/* setup() for scenarios whose whole state is a struct spawn_target: allocates
 * it into ctx->state and resolves it. Returns 0, or -errno with a reason and
 * nothing allocated. */
int spawn_target_setup(struct case_ctx *ctx, const char *scenario, char *failure,
                       size_t failure_len);

/* teardown() matching spawn_target_setup(): frees ctx->state. */
void spawn_target_teardown(struct case_ctx *ctx);

/* The child's side of fork/vfork/clone + exec: pins itself to cpu (when
 * >= 0), execve()s t's program, and _exit(127)s if that fails. Only system
 * calls: safe after vfork() and clone(CLONE_VM). */
_Noreturn void spawn_child_exec(const struct spawn_target *t, int cpu);

/* Creates a child with create(ctx, &pid) (0 or -errno; the child has
 * started, and with CLONE_VFORK semantics already exec'd, when it returns)
 * and reaps it with proc_reap(). out->ns is create call -> child reaped,
 * out->return_ns create call -> call returned. On failure out->failure reads
 * "<scenario>: <call> failed: <why>" or "<scenario>: child exited with
 * status N". Returns 0 or -errno. */
int spawn_sample_create_reap(struct case_ctx *ctx, struct sample *out, const char *scenario,
                             const char *call, int (*create)(struct case_ctx *ctx, pid_t *pid));

#endif
