/*
 * The parts every spawn.* scenario would otherwise repeat: the `target`
 * parameter, resolving it into a path and argv once per round, and the timed
 * sample "create a child, note when the call returned, reap it". Keeping the
 * sample here also keeps the timed section identical across mechanisms, so
 * that the only difference between two spawn rows is the create call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "spawn_common.h"

const struct param_spec spawn_target_params[] = {
    {
        .name = "target",
        .kind = PARAM_WORD,
        .defaults = "static,dynamic",
        .choices = "static,dynamic",
        .help = "program exec'd: procbench-child (linked -static) or /bin/true (dynamic)",
    },
    {.name = NULL},
};

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

int spawn_target_setup(struct case_ctx *ctx, const char *scenario, char *failure,
                       size_t failure_len)
{
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
    ctx->state = t;
    return 0;
}

void spawn_target_teardown(struct case_ctx *ctx)
{
    free(ctx->state);
    ctx->state = NULL;
}

_Noreturn void spawn_child_exec(const struct spawn_target *t, int cpu)
{
    proc_pin_self(cpu);
    execve(t->path, t->argv, environ);
    _exit(127);
}

int spawn_sample_create_reap(struct case_ctx *ctx, struct sample *out, const char *scenario,
                             const char *call, int (*create)(struct case_ctx *ctx, pid_t *pid))
{
    pid_t pid = -1;
    uint64_t t0 = clock_now_ns();
    int err = create(ctx, &pid);
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
    out->return_ns = t1 - t0;
    return 0;
}
