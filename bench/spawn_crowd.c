/*
 * The crowd of spawners behind `concurrency` (see spawn_crowd.h). The
 * spawners wait on a generation counter under one mutex; a sample bumps it
 * and broadcasts, runs spawner 0 in the calling thread (so that concurrency
 * 1 and the first spawner of N take the same path, without a hand-off), and
 * waits until the count of pending spawners drops to zero. Each spawner
 * times its own operation, so the wake-up of a parked thread (tens of
 * microseconds across CPUs on a VM) lengthens the sample's wall time, which
 * is what spawns per second must pay, but not any operation's latency.
 */
#include "spawn_crowd.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

struct spawn_crowd {
    size_t count;
    int (*op)(void *arg, size_t index, struct sample *out, char failure[SCENARIO_FAILURE_MAX]);
    void *arg;
    pthread_t *threads; /* count - 1 of them: spawners 1 .. count-1 */
    size_t started;
    struct sample *results;                 /* one per spawner */
    char (*failures)[SCENARIO_FAILURE_MAX]; /* one per spawner */
    int *rcs;
    uint64_t *latency_ns;
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    uint64_t generation; /* bumped to release the spawners */
    size_t pending;      /* spawners 1.. still working in this generation */
    bool stop;
};

struct spawner_arg {
    struct spawn_crowd *crowd;
    size_t index;
};

static void *spawner_thread(void *p)
{
    struct spawner_arg *a = p;
    struct spawn_crowd *c = a->crowd;
    size_t index = a->index;
    free(a);
    /* 0, not c->generation: a sample may already have released the crowd
     * before this thread first takes the lock, and must not be missed. */
    uint64_t seen = 0;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->stop && c->generation == seen)
            pthread_cond_wait(&c->go, &c->lock);
        if (c->stop)
            break;
        seen = c->generation;
        pthread_mutex_unlock(&c->lock);
        memset(&c->results[index], 0, sizeof(c->results[index]));
        c->failures[index][0] = '\0';
        c->rcs[index] = c->op(c->arg, index, &c->results[index], c->failures[index]);
        pthread_mutex_lock(&c->lock);
        if (--c->pending == 0)
            pthread_cond_signal(&c->done);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

int spawn_crowd_start(size_t count,
                      int (*op)(void *arg, size_t index, struct sample *out,
                                char failure[SCENARIO_FAILURE_MAX]),
                      void *arg, struct spawn_crowd **out)
{
    *out = NULL;
    if (count < 2)
        return -EINVAL;
    struct spawn_crowd *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return -ENOMEM;
    c->count = count;
    c->op = op;
    c->arg = arg;
    c->threads = calloc(count - 1, sizeof(*c->threads));
    c->results = calloc(count, sizeof(*c->results));
    c->failures = calloc(count, sizeof(*c->failures));
    c->rcs = calloc(count, sizeof(*c->rcs));
    c->latency_ns = calloc(count, sizeof(*c->latency_ns));
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->go, NULL);
    pthread_cond_init(&c->done, NULL);
    if (c->threads == NULL || c->results == NULL || c->failures == NULL || c->rcs == NULL ||
        c->latency_ns == NULL) {
        spawn_crowd_stop(c);
        return -ENOMEM;
    }
    for (size_t i = 1; i < count; i++) {
        struct spawner_arg *a = malloc(sizeof(*a));
        int err = a == NULL ? ENOMEM : 0;
        if (a != NULL) {
            *a = (struct spawner_arg){.crowd = c, .index = i};
            err = pthread_create(&c->threads[c->started], NULL, spawner_thread, a);
            if (err != 0)
                free(a);
        }
        if (err != 0) {
            spawn_crowd_stop(c);
            return -err;
        }
        c->started++;
    }
    *out = c;
    return 0;
}

int spawn_crowd_sample(struct spawn_crowd *c, struct sample *out,
                       char failure[SCENARIO_FAILURE_MAX])
{
    pthread_mutex_lock(&c->lock);
    c->pending = c->count - 1;
    uint64_t t0 = clock_now_ns();
    c->generation++;
    pthread_cond_broadcast(&c->go);
    pthread_mutex_unlock(&c->lock);

    memset(&c->results[0], 0, sizeof(c->results[0]));
    c->failures[0][0] = '\0';
    c->rcs[0] = c->op(c->arg, 0, &c->results[0], c->failures[0]);

    pthread_mutex_lock(&c->lock);
    while (c->pending > 0)
        pthread_cond_wait(&c->done, &c->lock);
    uint64_t t1 = clock_now_ns();
    pthread_mutex_unlock(&c->lock);

    int rc = 0;
    uint64_t metric_sum[SAMPLE_METRICS_MAX] = {0}, metric_n[SAMPLE_METRICS_MAX] = {0};
    for (size_t i = 0; i < c->count; i++) {
        const struct sample *r = &c->results[i];
        if (c->rcs[i] != 0 && rc == 0) {
            rc = c->rcs[i];
            memcpy(failure, c->failures[i], SCENARIO_FAILURE_MAX);
        }
        c->latency_ns[i] = r->ns;
        for (unsigned m = 0; m < SAMPLE_METRICS_MAX; m++) {
            if (sample_reported(r, m)) {
                metric_sum[m] += r->metric[m];
                metric_n[m]++;
            }
        }
        if (r->child_maxrss_kb > out->child_maxrss_kb)
            out->child_maxrss_kb = r->child_maxrss_kb;
    }
    if (rc != 0)
        return rc;
    out->ns = t1 - t0;
    out->ops = c->count;
    out->op_latency_ns = c->latency_ns;
    out->op_latency_count = c->count;
    for (unsigned m = 0; m < SAMPLE_METRICS_MAX; m++) {
        if (metric_n[m] > 0)
            sample_report(out, m, (metric_sum[m] + metric_n[m] / 2) / metric_n[m]);
    }
    return 0;
}

void spawn_crowd_stop(struct spawn_crowd *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = true;
    pthread_cond_broadcast(&c->go);
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < c->started; i++)
        pthread_join(c->threads[i], NULL);
    pthread_cond_destroy(&c->done);
    pthread_cond_destroy(&c->go);
    pthread_mutex_destroy(&c->lock);
    free(c->threads);
    free(c->results);
    free(c->failures);
    free(c->rcs);
    free(c->latency_ns);
    free(c);
}
