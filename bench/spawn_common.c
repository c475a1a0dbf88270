/*
 * The parts every spawn.* scenario would otherwise repeat: the parameters,
 * resolving `target` into a path and argv once per round, the parent's state
 * (ballast, idle threads, descriptors), what is passed to the program, and
 * the crowd of concurrent spawners or the open loop around the scenario's
 * own state, and the timed sample "create a child, note when the call
 * returned, reap it, read when the child started". Keeping the sample here also keeps
 * the timed section identical across mechanisms, so that the only difference
 * between two spawn rows is the create call.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "metrics.h"
#include "parent_state.h"
#include "proc.h"
#include "spawn_common.h"
#include "spawn_crowd.h"
#include "spawn_exec.h"
#include "spawn_open_loop.h"

const struct metric_spec spawn_metrics[] = {
    [SPAWN_METRIC_RETURN] = METRIC_RETURN,
    [SPAWN_METRIC_FIRST_INSTRUCTION] = METRIC_FIRST_INSTRUCTION,
    {.name = NULL},
};

/* posix_spawn is the reference row: the mechanism whose cost should not
 * grow with the parent, which every other row is a multiple of. The pool
 * is the alternative to spawning per task. */
const struct analysis_spec spawn_analyses[] = {
    [SPAWN_ANALYSIS_RSS_SLOPE] = {.kind = ANALYSIS_SLOPE,
                                  .column = "rss_slope_ns_per_gib",
                                  .ci_prefix = "rss_slope",
                                  .label = "p50 slope per GiB of parent rss",
                                  .param = "rss",
                                  .per = 1073741824.0,
                                  .per_name = "GiB"},
    [SPAWN_ANALYSIS_VS_POSIX_SPAWN] = {.kind = ANALYSIS_RATIO,
                                       .column = "vs_posix_spawn",
                                       .ci_prefix = "vs_posix_spawn",
                                       .label = "ratio to spawn.posix_spawn",
                                       .partner = "spawn.posix_spawn"},
    [SPAWN_ANALYSIS_POOL_BREAK_EVEN] = {.kind = ANALYSIS_BREAK_EVEN,
                                        .column = "pool_break_even_ns",
                                        .label = "task length below which spawn.pool saves >10%",
                                        .partner = "spawn.pool",
                                        .saving = 0.10},
    {.column = NULL},
};

#define SPAWN_TARGET_SPEC(quick_list)                                                              \
    {                                                                                              \
        .name = "target", .kind = PARAM_WORD, .defaults = "static,dynamic",                        \
        .quick = quick_list, .choices = "static,dynamic",                                          \
        .help = "program exec'd: procbench-child (linked -static) or /bin/true (dynamic)",         \
    }

const struct param_spec spawn_target_params[] = {
    SPAWN_TARGET_SPEC("static"),
    PARENT_STATE_PARAM_SPECS,
    SPAWN_OPEN_LOOP_PARAM_SPEC,
    SPAWN_EXEC_PARAM_SPECS,
    {.name = NULL},
};

/* The same, but --quick keeps both targets: spawn.fork_exec's pair is the
 * one that says what the dynamic loader costs (and ci/expectations has a
 * rule on it, which a --quick run must be able to judge). */
const struct param_spec spawn_target_both_params[] = {
    SPAWN_TARGET_SPEC("static,dynamic"),
    PARENT_STATE_PARAM_SPECS,
    SPAWN_OPEN_LOOP_PARAM_SPEC,
    SPAWN_EXEC_PARAM_SPECS,
    {.name = NULL},
};

const struct param_spec spawn_state_params[] = {
    PARENT_STATE_PARAM_SPECS,
    SPAWN_OPEN_LOOP_PARAM_SPEC,
    {.name = NULL},
};

int spawn_case_unavailable(struct case_ctx *ctx)
{
    struct parent_state_config cfg;
    struct spawn_exec_config exec;
    char why[SCENARIO_FAILURE_MAX];
    spawn_exec_config_read(ctx->scenario->params, ctx->params, &exec);
    if (spawn_exec_unavailable(&exec, why, sizeof(why)) != NULL)
        return scenario_fail(ctx, -EINVAL, "%s", why);
    parent_state_config_read(ctx->scenario->params, ctx->params, &cfg);
    if (parent_state_unavailable(&cfg, why, sizeof(why)) == NULL)
        return 0;
    return scenario_fail(ctx, -ENOMEM, "%s", why);
}

const char *spawn_target_hold_key(const struct param_value *params, char *key, size_t key_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_target_params, params, &cfg);
    return parent_state_hold_key(&cfg, key, key_len);
}

const char *spawn_state_hold_key(const struct param_value *params, char *key, size_t key_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_state_params, params, &cfg);
    return parent_state_hold_key(&cfg, key, key_len);
}

int spawn_target_hold(const struct param_value *params, void **held, char *failure,
                      size_t failure_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_target_params, params, &cfg);
    return parent_state_hold(&cfg, (struct ballast **)held, failure, failure_len);
}

int spawn_state_hold(const struct param_value *params, void **held, char *failure,
                     size_t failure_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_state_params, params, &cfg);
    return parent_state_hold(&cfg, (struct ballast **)held, failure, failure_len);
}

void spawn_unhold(void *held)
{
    parent_state_unhold(held);
}

/* What spawn_case_setup() builds into ctx->state. */
struct spawn_case {
    const struct spawn_mechanism *m;
    struct parent_state parent;
    struct spawn_exec exec; /* exec'ing scenarios only; zero otherwise */
    size_t spawners;
    void **states; /* one per spawner */
    size_t states_made;
    int peer_cpu;
    struct spawn_crowd *crowd;         /* closed loop with spawners > 1; else NULL */
    struct spawn_open_loop *open_loop; /* rate > 0; else NULL */
};

/* The pipe on which the static child reports its first instruction: the
 * write end stays open across exec (the child names it in --entry-fd),
 * the read end does not, and never blocks. */
static int open_report_pipe(struct spawn_target *t, struct case_ctx *ctx)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return scenario_fail(ctx, -errno, "the report pipe failed: %s", strerror(errno));
    if (fcntl(fds[1], F_SETFD, 0) != 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return scenario_fail(ctx, -err, "the report pipe failed: %s", strerror(err));
    }
    t->report_fd = fds[0];
    t->child_report_fd = fds[1];
    snprintf(t->entry_arg, sizeof(t->entry_arg), "--entry-fd=%d", fds[1]);
    return 0;
}

int spawn_target_init(struct spawn_target *t, struct case_ctx *ctx)
{
    memset(t, 0, sizeof(*t));
    t->report_fd = t->child_report_fd = -1;
    const struct param_value *target = scenario_param(ctx, "target");
    if (target == NULL)
        return scenario_fail(ctx, -EINVAL, "no value for parameter target");
    if (ctx->state == NULL)
        return scenario_fail(ctx, -EINVAL, "spawn_target_init outside spawn_case_setup");
    const struct spawn_exec *x = &((const struct spawn_case *)ctx->state)->exec;
    char why[160];
    int err = proc_target_path(target, &t->path, why, sizeof(why));
    if (err < 0)
        return scenario_fail(ctx, err, "%s", why);
    t->search = x->cfg.path_depth > 0;
    t->file = t->search ? strrchr(t->path, '/') + 1 : t->path;
    t->envp = x->envp;
    bool reports = params_is(target, "static");
    if (reports && (err = open_report_pipe(t, ctx)) != 0)
        return err;
    size_t argc = 1 + (reports ? 1 : 0) + (size_t)x->cfg.args;
    t->argv = calloc(argc + 1, sizeof(*t->argv));
    if (t->argv == NULL) {
        spawn_target_fini(t);
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    }
    /* exec*() take char *const argv[] but never write through it. */
    size_t n = 0;
    t->argv[n++] = (char *)t->file;
    if (reports)
        t->argv[n++] = t->entry_arg;
    while (n < argc)
        t->argv[n++] = x->padding;
    t->argv[n] = NULL;
    return 0;
}

void spawn_target_fini(struct spawn_target *t)
{
    if (t->report_fd >= 0)
        close(t->report_fd);
    if (t->child_report_fd >= 0)
        close(t->child_report_fd);
    t->report_fd = t->child_report_fd = -1;
    free(t->argv);
    t->argv = NULL;
}

void spawn_target_drain(const struct spawn_target *t)
{
    char buf[64];
    while (t != NULL && t->report_fd >= 0 && read(t->report_fd, buf, sizeof(buf)) > 0)
        ;
}

int spawn_target_first_instruction(const struct spawn_target *t, uint64_t t0, uint64_t reaped_ns,
                                   struct sample *out, char failure[SCENARIO_FAILURE_MAX])
{
    if (t == NULL || t->report_fd < 0)
        return 0;
    char buf[16];
    ssize_t n = read(t->report_fd, buf, sizeof(buf));
    uint64_t entry;
    if (n != (ssize_t)sizeof(entry)) {
        snprintf(failure, SCENARIO_FAILURE_MAX,
                 "the child did not report its first instruction (%zd bytes on --entry-fd; is "
                 "PROCBENCH_CHILD procbench-child?)",
                 n);
        return -EPROTO;
    }
    memcpy(&entry, buf, sizeof(entry));
    /* One clock for all processes: a time outside the spawn is a broken
     * report, not a measurement. */
    if (entry < t0 || entry > reaped_ns) {
        snprintf(failure, SCENARIO_FAILURE_MAX,
                 "the child reported its first instruction %s the spawn (%llu ns, spawn %llu to "
                 "%llu)",
                 entry < t0 ? "before" : "after", (unsigned long long)entry, (unsigned long long)t0,
                 (unsigned long long)reaped_ns);
        return -ERANGE;
    }
    sample_report(out, SPAWN_METRIC_FIRST_INSTRUCTION, entry - t0);
    return 0;
}

int spawn_target_state_init(struct case_ctx *ctx, size_t index, size_t count, void **state)
{
    (void)index;
    (void)count;
    struct spawn_target *t = malloc(sizeof(*t));
    if (t == NULL)
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    int err = spawn_target_init(t, ctx);
    if (err < 0) {
        free(t);
        return err;
    }
    *state = t;
    return 0;
}

void spawn_target_state_fini(void *state)
{
    spawn_target_fini(state);
    free(state);
}

/* The crowd's operation: spawner index's op on its own state. */
static int crowd_op(void *arg, size_t index, struct sample *out, char failure[SCENARIO_FAILURE_MAX])
{
    struct spawn_case *sc = arg;
    return sc->m->op(sc->states[index], sc->peer_cpu, out, failure);
}

static void release(struct spawn_case *sc)
{
    spawn_open_loop_stop(sc->open_loop);
    spawn_crowd_stop(sc->crowd);
    for (size_t i = sc->states_made; i-- > 0;) {
        if (sc->m->fini != NULL)
            sc->m->fini(sc->states[i]);
    }
    free(sc->states);
    spawn_exec_teardown(&sc->exec);
    parent_state_teardown(&sc->parent);
    free(sc);
}

int spawn_case_setup(struct case_ctx *ctx)
{
    const struct spawn_mechanism *m = ctx->scenario->family;
    ctx->state = NULL;
    struct parent_state_config cfg;
    parent_state_config_read(ctx->scenario->params, ctx->params, &cfg);
    struct spawn_case *sc = calloc(1, sizeof(*sc));
    if (sc == NULL)
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    sc->m = m;
    sc->peer_cpu = ctx->peer_cpu;
    sc->spawners = (size_t)cfg.concurrency;
    int err = parent_state_setup_from(&sc->parent, &cfg, ctx->held, ctx->scenario->name,
                                      ctx->failure, sizeof(ctx->failure));
    if (err != 0) {
        free(sc);
        return err;
    }
    if (params_find(ctx->scenario->params, "path_depth") != NULL) {
        struct spawn_exec_config exec;
        spawn_exec_config_read(ctx->scenario->params, ctx->params, &exec);
        /* The directory of the program: the last entry of a PATH search. */
        char dir[PATH_MAX] = "";
        const struct param_value *target = scenario_param(ctx, "target");
        if (exec.path_depth > 0 && target != NULL) {
            const char *path = NULL;
            char why[160];
            err = proc_target_path(target, &path, why, sizeof(why));
            if (err != 0) {
                release(sc);
                return scenario_fail(ctx, err, "%s", why);
            }
            snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
        }
        char why[SCENARIO_FAILURE_MAX];
        err = spawn_exec_setup(&sc->exec, &exec, dir, why, sizeof(why));
        if (err != 0) {
            release(sc);
            return scenario_fail(ctx, err, "%s", why);
        }
    }
    sc->states = calloc(sc->spawners, sizeof(*sc->states));
    if (sc->states == NULL) {
        release(sc);
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    }
    /* The mechanisms' init read the case (spawn_target_init) through
     * ctx->state while they run. */
    ctx->state = sc;
    for (; sc->states_made < sc->spawners; sc->states_made++) {
        if (m->init == NULL)
            continue;
        err = m->init(ctx, sc->states_made, sc->spawners, &sc->states[sc->states_made]);
        if (err != 0) {
            ctx->state = NULL;
            release(sc);
            return err;
        }
    }
    ctx->state = NULL;
    const struct param_value *rate = scenario_param(ctx, "rate");
    if (rate != NULL && rate->number > 0) {
        err = spawn_open_loop_start(rate->number, sc->spawners, crowd_op, sc, &sc->open_loop);
        if (err != 0) {
            release(sc);
            return scenario_fail(ctx, err, "starting the open loop (%zu spawners) failed: %s",
                                 sc->spawners, strerror(-err));
        }
    } else if (sc->spawners > 1) {
        err = spawn_crowd_start(sc->spawners, crowd_op, sc, &sc->crowd);
        if (err != 0) {
            release(sc);
            return scenario_fail(ctx, err, "starting %zu spawner threads failed: %s",
                                 sc->spawners - 1, strerror(-err));
        }
    }
    ctx->state = sc;
    return 0;
}

int spawn_case_sample(struct case_ctx *ctx, struct sample *out)
{
    struct spawn_case *sc = ctx->state;
    char why[SCENARIO_FAILURE_MAX] = "";
    int err = sc->open_loop != NULL ? spawn_open_loop_sample(sc->open_loop, out, why)
              : sc->crowd != NULL   ? spawn_crowd_sample(sc->crowd, out, why)
                                    : sc->m->op(sc->states[0], sc->peer_cpu, out, why);
    return err == 0 ? 0 : scenario_fail(ctx, err, "%s", why[0] ? why : strerror(-err));
}

void spawn_case_teardown(struct case_ctx *ctx)
{
    if (ctx->state != NULL)
        release(ctx->state);
    ctx->state = NULL;
}

_Noreturn void spawn_child_exec(const struct spawn_target *t, int cpu)
{
    proc_pin_self(cpu);
    char **envp = t->envp != NULL ? t->envp : environ;
    if (t->search)
        execvpe(t->file, t->argv, envp);
    else
        execve(t->path, t->argv, envp);
    _exit(127);
}

int spawn_sample_create_reap(void *state, const struct spawn_target *t, int peer_cpu,
                             struct sample *out, char failure[SCENARIO_FAILURE_MAX],
                             const char *call, int (*create)(void *state, int peer_cpu, pid_t *pid))
{
    pid_t pid = -1;
    spawn_target_drain(t);
    uint64_t t0 = clock_now_ns();
    int err = create(state, peer_cpu, &pid);
    uint64_t t1 = clock_now_ns();
    if (err < 0) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "%s failed: %s", call, strerror(-err));
        return err;
    }
    char why[SCENARIO_FAILURE_MAX];
    err = proc_reap(pid, out, why);
    uint64_t t2 = clock_now_ns();
    if (err < 0) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "child %.100s", why);
        return err;
    }
    err = spawn_target_first_instruction(t, t0, t2, out, failure);
    if (err < 0)
        return err;
    out->ns = t2 - t0;
    sample_report(out, SPAWN_METRIC_RETURN, t1 - t0);
    return 0;
}
