/*
 * The parts every spawn.* scenario would otherwise repeat: the parameters,
 * resolving `target` into a path and argv once per round, the parent's state
 * (ballast, idle threads, descriptors) and the crowd of concurrent spawners
 * around the scenario's own state, and the timed sample "create a child,
 * note when the call returned, reap it". Keeping the sample here also keeps
 * the timed section identical across mechanisms, so that the only difference
 * between two spawn rows is the create call.
 */
#include <errno.h>
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

const struct metric_spec spawn_metrics[] = {
    [SPAWN_METRIC_RETURN] = METRIC_RETURN,
    {.name = NULL},
};

const struct param_spec spawn_target_params[] = {
    {
        .name = "target",
        .kind = PARAM_WORD,
        .defaults = "static,dynamic",
        .choices = "static,dynamic",
        .help = "program exec'd: procbench-child (linked -static) or /bin/true (dynamic)",
    },
    PARENT_STATE_PARAM_SPECS,
    {.name = NULL},
};

const struct param_spec spawn_state_params[] = {
    PARENT_STATE_PARAM_SPECS,
    {.name = NULL},
};

const char *spawn_target_case_unavailable(const struct param_value *params, char *why,
                                          size_t why_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_target_params, params, &cfg);
    return parent_state_unavailable(&cfg, why, why_len);
}

const char *spawn_state_case_unavailable(const struct param_value *params, char *why,
                                         size_t why_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_state_params, params, &cfg);
    return parent_state_unavailable(&cfg, why, why_len);
}

int spawn_target_init(struct spawn_target *t, const char *scenario, const struct case_ctx *ctx,
                      char *failure, size_t failure_len)
{
    memset(t, 0, sizeof(*t));
    t->scenario = scenario;
    if (ctx->params == NULL) {
        snprintf(failure, failure_len, "%s: no value for parameter target", scenario);
        return -EINVAL;
    }
    char why[160];
    int err = proc_target_path(&ctx->params[0], &t->path, why, sizeof(why));
    if (err < 0) {
        snprintf(failure, failure_len, "%s: %s", scenario, why);
        return err;
    }
    /* exec*() take char *const argv[] but never write through it. */
    t->argv[0] = (char *)t->path;
    t->argv[1] = NULL;
    return 0;
}

int spawn_target_state_init(struct case_ctx *ctx, const char *scenario, size_t index, size_t count,
                            void **state, char *failure, size_t failure_len)
{
    (void)index;
    (void)count;
    struct spawn_target *t = malloc(sizeof(*t));
    if (t == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", scenario);
        return -ENOMEM;
    }
    int err = spawn_target_init(t, scenario, ctx, failure, failure_len);
    if (err < 0) {
        free(t);
        return err;
    }
    *state = t;
    return 0;
}

/* What spawn_case_setup() builds into ctx->state. */
struct spawn_case {
    const struct spawn_mechanism *m;
    struct parent_state parent;
    size_t spawners;
    void **states; /* one per spawner */
    size_t states_made;
    int peer_cpu;
    struct spawn_crowd *crowd; /* NULL when spawners == 1 */
};

/* The crowd's operation: spawner index's op on its own state. */
static int crowd_op(void *arg, size_t index, struct sample *out)
{
    struct spawn_case *sc = arg;
    return sc->m->op(sc->states[index], sc->peer_cpu, out);
}

static void release(struct spawn_case *sc)
{
    spawn_crowd_stop(sc->crowd);
    for (size_t i = sc->states_made; i-- > 0;) {
        if (sc->m->fini != NULL)
            sc->m->fini(sc->states[i]);
    }
    free(sc->states);
    parent_state_teardown(&sc->parent);
    free(sc);
}

int spawn_case_setup(struct case_ctx *ctx, const struct spawn_mechanism *m, char *failure,
                     size_t failure_len)
{
    ctx->state = NULL;
    struct parent_state_config cfg;
    parent_state_config_read(m->params, ctx->params, &cfg);
    struct spawn_case *sc = calloc(1, sizeof(*sc));
    if (sc == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", m->scenario);
        return -ENOMEM;
    }
    sc->m = m;
    sc->peer_cpu = ctx->peer_cpu;
    sc->spawners = (size_t)cfg.concurrency;
    int err = parent_state_setup(&sc->parent, &cfg, m->scenario, failure, failure_len);
    if (err != 0) {
        free(sc);
        return err;
    }
    sc->states = calloc(sc->spawners, sizeof(*sc->states));
    if (sc->states == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", m->scenario);
        release(sc);
        return -ENOMEM;
    }
    for (; sc->states_made < sc->spawners; sc->states_made++) {
        if (m->init == NULL)
            continue;
        err = m->init(ctx, m->scenario, sc->states_made, sc->spawners, &sc->states[sc->states_made],
                      failure, failure_len);
        if (err != 0) {
            release(sc);
            return err;
        }
    }
    if (sc->spawners > 1) {
        err = spawn_crowd_start(sc->spawners, crowd_op, sc, &sc->crowd);
        if (err != 0) {
            snprintf(failure, failure_len, "%s: starting %zu spawner threads failed: %s",
                     m->scenario, sc->spawners - 1, strerror(-err));
            release(sc);
            return err;
        }
    }
    ctx->state = sc;
    return 0;
}

int spawn_case_sample(struct case_ctx *ctx, struct sample *out)
{
    struct spawn_case *sc = ctx->state;
    if (sc->crowd != NULL)
        return spawn_crowd_sample(sc->crowd, out);
    return sc->m->op(sc->states[0], sc->peer_cpu, out);
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
    execve(t->path, t->argv, environ);
    _exit(127);
}

int spawn_sample_create_reap(void *state, int peer_cpu, struct sample *out, const char *scenario,
                             const char *call, int (*create)(void *state, int peer_cpu, pid_t *pid))
{
    pid_t pid = -1;
    uint64_t t0 = clock_now_ns();
    int err = create(state, peer_cpu, &pid);
    uint64_t t1 = clock_now_ns();
    if (err < 0) {
        snprintf(out->failure, sizeof(out->failure), "%s: %s failed: %s", scenario, call,
                 strerror(-err));
        return err;
    }
    err = proc_reap(pid, out);
    uint64_t t2 = clock_now_ns();
    if (err < 0) {
        char why[sizeof(out->failure)];
        memcpy(why, out->failure, sizeof(why));
        snprintf(out->failure, sizeof(out->failure), "%s: child %.100s", scenario, why);
        return err;
    }
    out->ns = t2 - t0;
    sample_report(out, SPAWN_METRIC_RETURN, t1 - t0);
    return 0;
}
