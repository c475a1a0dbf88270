/*
 * What the spawn.* scenarios share: their parameters (`target` where they
 * exec one, and the parent-state ones of parent_state.h), the state that
 * holds the resolved program and its argv, the timed create -> reap
 * operation, and one setup/sample/teardown for all of them that builds the
 * parent's state, one mechanism state per concurrent spawner, and the crowd
 * of spawners. Each scenario file then holds only its create call.
 */
#ifndef PROCBENCH_SPAWN_COMMON_H
#define PROCBENCH_SPAWN_COMMON_H

#include <stddef.h>
#include <sys/types.h>

#include "base/params.h"
#include "scenario.h"

/* target=static|dynamic, then the parent-state parameters. Terminated by
 * { .name = NULL }. For the scenarios that exec a target. */
extern const struct param_spec spawn_target_params[];

/* What every spawn.* scenario reports beside its time, by index into
 * spawn_metrics (its descriptor's .metrics). */
enum spawn_metric {
    SPAWN_METRIC_RETURN, /* create call -> call returned */
};
extern const struct metric_spec spawn_metrics[];

/* The parent-state parameters alone, for the scenarios without a target
 * (fork_only, pthread, pool). */
extern const struct param_spec spawn_state_params[];

/* scenario.case_unavailable for scenarios whose params are
 * spawn_target_params / spawn_state_params: the parent-state checks of
 * parent_state_unavailable(). */
const char *spawn_target_case_unavailable(const struct param_value *params, char *why,
                                          size_t why_len);
const char *spawn_state_case_unavailable(const struct param_value *params, char *why,
                                         size_t why_len);

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

/* How one spawn mechanism plugs into spawn_case_setup(). */
struct spawn_mechanism {
    const char *scenario;            /* "spawn.fork_exec" */
    const struct param_spec *params; /* the scenario's own spec table */
    /* Optional: makes the state of spawner index of count (one per
     * concurrent spawner) into *state; NULL leaves every state NULL. May
     * set ctx->peer_pid. Returns 0, or -errno with a reason in failure and
     * nothing allocated. */
    int (*init)(struct case_ctx *ctx, const char *scenario, size_t index, size_t count,
                void **state, char *failure, size_t failure_len);
    /* Releases what init made (called in reverse order of the spawners). */
    void (*fini)(void *state);
    /* One timed operation of one spawner: out->ns (and where it applies
     * SPAWN_METRIC_RETURN, child_maxrss_kb); on failure -errno with out->failure.
     * peer_cpu is where a child should pin itself, or -1. Called from the
     * spawner's own thread when concurrency > 1. */
    int (*op)(void *state, int peer_cpu, struct sample *out);
};

/* init for mechanisms whose whole state is a struct spawn_target. */
int spawn_target_state_init(struct case_ctx *ctx, const char *scenario, size_t index, size_t count,
                            void **state, char *failure, size_t failure_len);

/* setup() of a spawn scenario: the parent state of the case's parameters,
 * one mechanism state per spawner (concurrency of them), and the parked
 * crowd of spawners when there is more than one. Returns 0, or -errno with
 * a reason and nothing left behind (ctx->state NULL). */
int spawn_case_setup(struct case_ctx *ctx, const struct spawn_mechanism *m, char *failure,
                     size_t failure_len);

/* sample() of a spawn scenario: one operation of each spawner. */
int spawn_case_sample(struct case_ctx *ctx, struct sample *out);

/* teardown() matching spawn_case_setup(). */
void spawn_case_teardown(struct case_ctx *ctx);

/* The child's side of fork/vfork/clone + exec: pins itself to cpu (when
 * >= 0), execve()s t's program, and _exit(127)s if that fails. Only system
 * calls: safe after vfork() and clone(CLONE_VM). */
_Noreturn void spawn_child_exec(const struct spawn_target *t, int cpu);

/* Creates a child with create(state, peer_cpu, &pid) (0 or -errno; the
 * child has started, and with CLONE_VFORK semantics already exec'd, when it
 * returns) and reaps it with proc_reap(). out->ns is create call -> child
 * reaped, SPAWN_METRIC_RETURN create call -> call returned. On failure
 * out->failure reads "<scenario>: <call> failed: <why>" or "<scenario>:
 * child exited with status N". Returns 0 or -errno. */
int spawn_sample_create_reap(void *state, int peer_cpu, struct sample *out, const char *scenario,
                             const char *call,
                             int (*create)(void *state, int peer_cpu, pid_t *pid));

#endif
