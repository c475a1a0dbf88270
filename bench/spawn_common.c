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
#include <spawn.h>
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

const struct param_spec spawn_target_params[] = {
    {
        .name = "target",
        .kind = PARAM_WORD,
        .defaults = "static,dynamic",
        .choices = "static,dynamic",
        .help = "program exec'd: procbench-child (linked -static) or /bin/true (dynamic)",
    },
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

const char *spawn_target_case_unavailable(const struct param_value *params, char *why,
                                          size_t why_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_target_params, params, &cfg);
    struct spawn_exec_config exec;
    spawn_exec_config_read(spawn_target_params, params, &exec);
    const char *no = spawn_exec_unavailable(&exec, why, why_len);
    return no != NULL ? no : parent_state_unavailable(&cfg, why, why_len);
}

const char *spawn_state_case_unavailable(const struct param_value *params, char *why,
                                         size_t why_len)
{
    struct parent_state_config cfg;
    parent_state_config_read(spawn_state_params, params, &cfg);
    return parent_state_unavailable(&cfg, why, why_len);
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
static int open_report_pipe(struct spawn_target *t, char *failure, size_t failure_len)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0 || fcntl(fds[1], F_SETFD, 0) != 0) {
        int err = errno;
        snprintf(failure, failure_len, "%s: the report pipe failed: %s", t->scenario,
                 strerror(err));
        return -err;
    }
    t->report_fd = fds[0];
    t->child_report_fd = fds[1];
    snprintf(t->entry_arg, sizeof(t->entry_arg), "--entry-fd=%d", fds[1]);
    return 0;
}

int spawn_target_init(struct spawn_target *t, const char *scenario, const struct case_ctx *ctx,
                      char *failure, size_t failure_len)
{
    memset(t, 0, sizeof(*t));
    t->scenario = scenario;
    t->report_fd = t->child_report_fd = -1;
    if (ctx->params == NULL || ctx->state == NULL) {
        snprintf(failure, failure_len, "%s: no value for parameter target", scenario);
        return -EINVAL;
    }
    const struct spawn_exec *x = &((const struct spawn_case *)ctx->state)->exec;
    char why[160];
    int err = proc_target_path(&ctx->params[0], &t->path, why, sizeof(why));
    if (err < 0) {
        snprintf(failure, failure_len, "%s: %s", scenario, why);
        return err;
    }
    t->search = x->cfg.path_depth > 0;
    t->file = t->search ? strrchr(t->path, '/') + 1 : t->path;
    t->envp = x->envp;
    bool reports = params_is(&ctx->params[0], "static");
    if (reports && (err = open_report_pipe(t, failure, failure_len)) != 0)
        return err;
    size_t argc = 1 + (reports ? 1 : 0) + (size_t)x->cfg.args;
    t->argv = calloc(argc + 1, sizeof(*t->argv));
    if (t->argv == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", scenario);
        spawn_target_fini(t);
        return -ENOMEM;
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
                                   struct sample *out)
{
    if (t == NULL || t->report_fd < 0)
        return 0;
    char buf[16];
    ssize_t n = read(t->report_fd, buf, sizeof(buf));
    uint64_t entry;
    if (n != (ssize_t)sizeof(entry)) {
        snprintf(out->failure, sizeof(out->failure),
                 "%s: the child did not report its first instruction (%zd bytes on --entry-fd; "
                 "is PROCBENCH_CHILD procbench-child?)",
                 t->scenario, n);
        return -EPROTO;
    }
    memcpy(&entry, buf, sizeof(entry));
    /* One clock for all processes: a time outside the spawn is a broken
     * report, not a measurement. */
    if (entry < t0 || entry > reaped_ns) {
        snprintf(out->failure, sizeof(out->failure),
                 "%s: the child reported its first instruction %s the spawn (%llu ns, spawn %llu "
                 "to %llu)",
                 t->scenario, entry < t0 ? "before" : "after", (unsigned long long)entry,
                 (unsigned long long)t0, (unsigned long long)reaped_ns);
        return -ERANGE;
    }
    sample_report(out, SPAWN_METRIC_FIRST_INSTRUCTION, entry - t0);
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

void spawn_target_state_fini(void *state)
{
    spawn_target_fini(state);
    free(state);
}

/* The crowd's operation: spawner index's op on its own state. */
static int crowd_op(void *arg, size_t index, struct sample *out)
{
    struct spawn_case *sc = arg;
    return sc->m->op(sc->states[index], sc->peer_cpu, out);
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
    if (params_find(m->params, "path_depth") != NULL) {
        struct spawn_exec_config exec;
        spawn_exec_config_read(m->params, ctx->params, &exec);
        /* The directory of the program: the last entry of a PATH search. */
        const char *path = NULL;
        char dir[PATH_MAX] = "";
        if (exec.path_depth > 0) {
            char why[160];
            err = proc_target_path(&ctx->params[0], &path, why, sizeof(why));
            if (err != 0) {
                snprintf(failure, failure_len, "%s: %s", m->scenario, why);
                release(sc);
                return err;
            }
            snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
        }
        err = spawn_exec_setup(&sc->exec, &exec, dir, m->scenario, failure, failure_len);
        if (err != 0) {
            release(sc);
            return err;
        }
    }
    sc->states = calloc(sc->spawners, sizeof(*sc->states));
    if (sc->states == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", m->scenario);
        release(sc);
        return -ENOMEM;
    }
    /* The mechanisms' init read the case (spawn_target_init) through
     * ctx->state while they run. */
    ctx->state = sc;
    for (; sc->states_made < sc->spawners; sc->states_made++) {
        if (m->init == NULL)
            continue;
        err = m->init(ctx, m->scenario, sc->states_made, sc->spawners, &sc->states[sc->states_made],
                      failure, failure_len);
        if (err != 0) {
            ctx->state = NULL;
            release(sc);
            return err;
        }
    }
    ctx->state = NULL;
    const struct param_spec *rate = params_find(m->params, "rate");
    if (rate != NULL && ctx->params[rate - m->params].number > 0) {
        err = spawn_open_loop_start(ctx->params[rate - m->params].number, sc->spawners, crowd_op,
                                    sc, &sc->open_loop);
        if (err != 0) {
            snprintf(failure, failure_len, "%s: starting the open loop (%zu spawners) failed: %s",
                     m->scenario, sc->spawners, strerror(-err));
            release(sc);
            return err;
        }
    } else if (sc->spawners > 1) {
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
    if (sc->open_loop != NULL)
        return spawn_open_loop_sample(sc->open_loop, out);
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
    char **envp = t->envp != NULL ? t->envp : environ;
    if (t->search)
        execvpe(t->file, t->argv, envp);
    else
        execve(t->path, t->argv, envp);
    _exit(127);
}

int spawn_sample_create_reap(void *state, const struct spawn_target *t, int peer_cpu,
                             struct sample *out, const char *scenario, const char *call,
                             int (*create)(void *state, int peer_cpu, pid_t *pid))
{
    pid_t pid = -1;
    spawn_target_drain(t);
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
    err = spawn_target_first_instruction(t, t0, t2, out);
    if (err < 0)
        return err;
    out->ns = t2 - t0;
    sample_report(out, SPAWN_METRIC_RETURN, t1 - t0);
    return 0;
}
