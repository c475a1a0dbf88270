/*
 * What the spawn.* scenarios share: their parameters (`target` where they
 * exec one, the parent-state ones of parent_state.h, `rate`, and what is
 * passed to the program: spawn_exec.h), the state that holds the resolved
 * program, its argv and environment, the timed create -> reap operation,
 * and one setup/sample/teardown for all of them that builds the parent's
 * state, one mechanism state per concurrent spawner, and the crowd of
 * spawners or the open loop. Each scenario file then holds only its create
 * call.
 */
#ifndef PROCBENCH_SPAWN_COMMON_H
#define PROCBENCH_SPAWN_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/params.h"
#include "scenario.h"

/* target=static|dynamic, then the parent-state parameters, rate, and what
 * is passed (env, args, path_depth: spawn_exec.h). Terminated by
 * { .name = NULL }. For the scenarios that exec a target. */
extern const struct param_spec spawn_target_params[];

/* spawn_target_params with --quick keeping both targets (spawn.fork_exec):
 * the same parameters in the same order, so that every spawn_target_*
 * function below reads its cases too. */
extern const struct param_spec spawn_target_both_params[];

/* What every spawn.* scenario reports beside its time, by index into
 * spawn_metrics (its descriptor's .metrics). */
enum spawn_metric {
    SPAWN_METRIC_RETURN,            /* create call -> call returned */
    SPAWN_METRIC_FIRST_INSTRUCTION, /* create call -> the static child's first instruction */
};
extern const struct metric_spec spawn_metrics[];

/* The figures every spawn.* row gets after the run (analysis/curves.h), by
 * index into spawn_analyses (its descriptor's .analyses). */
enum spawn_analysis {
    SPAWN_ANALYSIS_RSS_SLOPE,      /* rss_slope_ns_per_gib: p50 against the parent's rss */
    SPAWN_ANALYSIS_VS_POSIX_SPAWN, /* vs_posix_spawn: p50 over spawn.posix_spawn's */
    SPAWN_ANALYSIS_POOL_BREAK_EVEN /* pool_break_even_ns: where spawn.pool stops paying */
};
extern const struct analysis_spec spawn_analyses[];

/* The parent-state parameters and rate alone, for the scenarios without a
 * target (fork_only, pthread, pool). */
extern const struct param_spec spawn_state_params[];

/* case_unavailable() of every spawn.* scenario: the checks of
 * spawn_exec_unavailable() (-EINVAL) and parent_state_unavailable()
 * (-ENOMEM), with the reason when they fail. */
int spawn_case_unavailable(struct case_ctx *ctx);

/* scenario.hold_key, .hold and .unhold for the same two kinds: a touched
 * ballast in one mapping is made once, in a holder, and inherited by every
 * round (parent_state_hold_key()). SPAWN_TARGET_HOLDS / SPAWN_STATE_HOLDS
 * are the three designated initialisers of a descriptor. */
const char *spawn_target_hold_key(const struct param_value *params, char *key, size_t key_len);
const char *spawn_state_hold_key(const struct param_value *params, char *key, size_t key_len);
int spawn_target_hold(const struct param_value *params, void **held, char *failure,
                      size_t failure_len);
int spawn_state_hold(const struct param_value *params, void **held, char *failure,
                     size_t failure_len);
void spawn_unhold(void *held);
#define SPAWN_TARGET_HOLDS                                                                         \
    .hold_key = spawn_target_hold_key, .hold = spawn_target_hold, .unhold = spawn_unhold
#define SPAWN_STATE_HOLDS                                                                          \
    .hold_key = spawn_state_hold_key, .hold = spawn_state_hold, .unhold = spawn_unhold

/* The state of an exec'ing scenario, resolved in setup (untimed), one per
 * spawner. */
struct spawn_target {
    const char *path; /* the program's absolute path; owned by proc.c (static) */
    const char *file; /* what to exec: path, or its last component for a PATH search */
    bool search;      /* path_depth > 0: execvpe() / posix_spawnp() of file */
    char **argv;      /* { file, [--entry-fd=N], padding..., NULL } */
    char **envp;      /* the environment to pass; NULL: environ at the time */
    /* The static child reports its first instruction (--entry-fd): the
     * read end (non-blocking, close-on-exec) and the write end, which
     * every child inherits; -1 when the target does not report. */
    int report_fd, child_report_fd;
    char entry_arg[32]; /* "--entry-fd=N" */
};

/* Resolves the case's `target` parameter into t, with the case's env, args
 * and path_depth; for target=static also the report pipe. Called from a
 * mechanism's init, during spawn_case_setup(), whose case it reads.
 * Returns 0, or -errno with the reason in ctx->failure and nothing to
 * release. */
int spawn_target_init(struct spawn_target *t, struct case_ctx *ctx);

/* Releases what spawn_target_init() made (t itself is the caller's). */
void spawn_target_fini(struct spawn_target *t);

/* After the child is reaped: when t reports (target=static), reads the
 * time of the child's first instruction and reports it minus t0 (the
 * create call) as SPAWN_METRIC_FIRST_INSTRUCTION. Returns 0; -EPROTO when
 * the child did not report, -ERANGE when the time lies outside [t0,
 * reaped_ns], with why in failure. */
int spawn_target_first_instruction(const struct spawn_target *t, uint64_t t0, uint64_t reaped_ns,
                                   struct sample *out, char failure[SCENARIO_FAILURE_MAX]);

/* Before a create call: drops whatever an earlier child left in t's report
 * pipe (a sample that failed before reading it). Untimed. */
void spawn_target_drain(const struct spawn_target *t);

/* What a spawn.* scenario's descriptor points .family at: how its
 * mechanism plugs into spawn_case_setup() and spawn_case_sample(). */
struct spawn_mechanism {
    /* Optional: makes the state of spawner index of count (one per
     * concurrent spawner) into *state; NULL leaves every state NULL. May
     * set ctx->peer_pid. Returns 0, or -errno with the reason in
     * ctx->failure and nothing allocated. */
    int (*init)(struct case_ctx *ctx, size_t index, size_t count, void **state);
    /* Releases what init made (called in reverse order of the spawners). */
    void (*fini)(void *state);
    /* One timed operation of one spawner: out->ns (and where it applies
     * SPAWN_METRIC_RETURN, child_maxrss_kb); on failure -errno with why in
     * failure (without the scenario's name, which spawn_case_sample() puts
     * first). peer_cpu is where a child should pin itself, or -1. Called
     * from the spawner's own thread when concurrency > 1. */
    int (*op)(void *state, int peer_cpu, struct sample *out, char failure[SCENARIO_FAILURE_MAX]);
};

/* init and fini for mechanisms whose whole state is a struct spawn_target. */
int spawn_target_state_init(struct case_ctx *ctx, size_t index, size_t count, void **state);
void spawn_target_state_fini(void *state);

/* setup() of every spawn.* scenario: the parent state of the case's
 * parameters, what an exec'ing one passes (spawn_exec.h), one state of its
 * mechanism (ctx->scenario->family) per spawner (concurrency of them), and
 * the parked crowd of spawners when there is more than one, or with
 * rate > 0 the open loop (spawn_open_loop.h). Returns 0, or -errno with
 * the reason in ctx->failure and nothing left behind (ctx->state NULL). */
int spawn_case_setup(struct case_ctx *ctx);

/* sample() of every spawn.* scenario: one operation of each spawner; with
 * rate > 0, one window of the open loop's schedule. */
int spawn_case_sample(struct case_ctx *ctx, struct sample *out);

/* teardown() matching spawn_case_setup(). */
void spawn_case_teardown(struct case_ctx *ctx);

/* The child's side of fork/vfork/clone + exec: pins itself to cpu (when
 * >= 0), execve()s t's program (execvpe() for a PATH search), and
 * _exit(127)s if that fails. Only system calls (glibc's execvpe() uses the
 * stack and execve() alone): safe after vfork() and clone(CLONE_VM). */
_Noreturn void spawn_child_exec(const struct spawn_target *t, int cpu);

/* The descriptor fields every spawn.* scenario shares: with them, a
 * mechanism's file declares its scenario as
 *     const struct scenario spawn_fork_exec = {
 *         .name = "spawn.fork_exec", .summary = "...", .params = spawn_target_params,
 *         .family = &fork_exec_mechanism, .default_placements = "same",
 *         .placements_supported = PLACEMENTS_ALL, SPAWN_SCENARIO_FIELDS,
 *     };
 */
#define SPAWN_SCENARIO_FIELDS                                                                      \
    .mechanism_observed = true, .case_unavailable = spawn_case_unavailable,                        \
    .metrics = spawn_metrics, .analyses = spawn_analyses, .setup = spawn_case_setup,               \
    .sample = spawn_case_sample, .teardown = spawn_case_teardown

/* Creates a child with create(state, peer_cpu, &pid) (0 or -errno; the
 * child has started, and with CLONE_VFORK semantics already exec'd, when it
 * returns) and reaps it with proc_reap(). out->ns is create call -> child
 * reaped, SPAWN_METRIC_RETURN create call -> call returned, and when t
 * reports, SPAWN_METRIC_FIRST_INSTRUCTION create call -> the child's first
 * instruction (t: the target state, or NULL for a child that does not
 * exec). On failure failure reads "<call> failed: <why>" or "child exited
 * with status N". Returns 0 or -errno. */
int spawn_sample_create_reap(void *state, const struct spawn_target *t, int peer_cpu,
                             struct sample *out, char failure[SCENARIO_FAILURE_MAX],
                             const char *call,
                             int (*create)(void *state, int peer_cpu, pid_t *pid));

#endif
