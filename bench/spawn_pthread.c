/*
 * spawn.pthread: the threads baseline. pthread_create() of a function that
 * returns at once, then pthread_join(): what starting a unit of concurrent
 * work costs when no new address space is needed. glibc caches the stacks of
 * joined threads, so after the first sample no stack is mapped.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "spawn_common.h"

struct thread_state {
    pthread_attr_t attr; /* carries the peer CPU for placement=cross */
};

static void thread_fini(void *state)
{
    struct thread_state *s = state;
    pthread_attr_destroy(&s->attr);
    free(s);
}

static int thread_init(struct case_ctx *ctx, size_t index, size_t count, void **state)
{
    (void)index;
    (void)count;
    struct thread_state *s = malloc(sizeof(*s));
    if (s == NULL) {
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    int err = pthread_attr_init(&s->attr);
    if (err != 0) {
        scenario_fail(ctx, 0, "pthread_attr_init failed: %s", strerror(err));
        goto fail_free;
    }
    if (ctx->peer_cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(ctx->peer_cpu, &set);
        err = pthread_attr_setaffinity_np(&s->attr, sizeof(set), &set);
        if (err != 0) {
            scenario_fail(ctx, 0, "pthread_attr_setaffinity_np(%d) failed: %s", ctx->peer_cpu,
                          strerror(err));
            goto fail_destroy;
        }
    }
    *state = s;
    return 0;

fail_destroy:
    pthread_attr_destroy(&s->attr);
fail_free:
    free(s);
    return -err;
}

/* Returns its argument, so that the join can check the thread really ran. */
static void *thread_body(void *arg)
{
    return arg;
}

static int thread_op(void *state, int peer_cpu, struct sample *out,
                     char failure[SCENARIO_FAILURE_MAX])
{
    (void)peer_cpu; /* in the attributes already */
    struct thread_state *s = state;
    pthread_t thread;
    void *result = NULL;

    uint64_t t0 = clock_now_ns();
    int err = pthread_create(&thread, &s->attr, thread_body, s);
    uint64_t t1 = clock_now_ns();
    if (err != 0) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "pthread_create failed: %s", strerror(err));
        return -err;
    }
    err = pthread_join(thread, &result);
    uint64_t t2 = clock_now_ns();
    if (err != 0) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "pthread_join failed: %s", strerror(err));
        return -err;
    }
    if (result != s) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "thread returned %p, expected %p", result,
                 (void *)s);
        return -EPROTO;
    }
    out->ns = t2 - t0;
    sample_report(out, SPAWN_METRIC_RETURN, t1 - t0);
    return 0;
}

static const struct spawn_mechanism thread_mechanism = {
    .init = thread_init,
    .fini = thread_fini,
    .op = thread_op,
};

const struct scenario spawn_pthread = {
    .name = "spawn.pthread",
    .summary = "pthread_create() of a thread that returns at once, then pthread_join()",
    .params = spawn_state_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .family = &thread_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_STATE_HOLDS,
};
