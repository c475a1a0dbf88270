/*
 * The open loop of spawn_open_loop.h. The due starts are one counter,
 * taken with a compare-and-swap so that a spawner takes a start only when
 * it falls inside the window; the spawners are those of a crowd
 * (spawn_crowd.h), whose one operation per sample is here a whole window of
 * starts. Each spawner keeps its latencies in an array of its own, joined
 * into one when the window ends.
 */
#include "spawn_open_loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/grow.h"
#include "spawn_crowd.h"

/* What one spawner did in a window. */
struct spawner_window {
    uint64_t *latency_ns;
    size_t count, capacity;
    uint64_t metric_sum[SAMPLE_METRICS_MAX], metric_n[SAMPLE_METRICS_MAX];
    long child_maxrss_kb;
};

struct spawn_open_loop {
    uint64_t rate;
    size_t spawners;
    int (*op)(void *arg, size_t index, struct sample *out, char failure[SCENARIO_FAILURE_MAX]);
    void *arg;
    struct spawn_crowd *crowd; /* NULL with one spawner */
    bool started;
    uint64_t t0;         /* the schedule's start */
    uint64_t next;       /* the next start not taken; shared by the spawners */
    uint64_t window_end; /* of the current sample */
    uint64_t window_ns;
    struct spawner_window *windows; /* one per spawner */
    uint64_t *latency_ns;           /* all of them, for the sample */
    size_t latency_capacity;
};

uint64_t spawn_open_loop_offset_ns(uint64_t k, uint64_t rate)
{
    /* k * 1e9 / rate without overflowing 64 bits for any k a run reaches. */
    return k / rate * 1000000000u + k % rate * 1000000000u / rate;
}

static void sleep_until(uint64_t when_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(when_ns / 1000000000u),
                          .tv_nsec = (long)(when_ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Takes the next due start if it lies inside the window: its intended
 * time in *intended. False when the window is over. */
static bool take_start(struct spawn_open_loop *ol, uint64_t *intended)
{
    uint64_t k = __atomic_load_n(&ol->next, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t when = ol->t0 + spawn_open_loop_offset_ns(k, ol->rate);
        if (when >= ol->window_end || clock_now_ns() >= ol->window_end)
            return false;
        if (__atomic_compare_exchange_n(&ol->next, &k, k + 1, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
            *intended = when;
            return true;
        }
    }
}

static int record(struct spawner_window *w, uint64_t latency_ns, const struct sample *s)
{
    uint64_t *bigger = grow_for_one(w->latency_ns, &w->capacity, w->count, sizeof(*bigger), 64);
    if (bigger == NULL)
        return -ENOMEM;
    w->latency_ns = bigger;
    w->latency_ns[w->count++] = latency_ns;
    for (unsigned m = 0; m < SAMPLE_METRICS_MAX; m++) {
        if (sample_reported(s, m)) {
            w->metric_sum[m] += s->metric[m];
            w->metric_n[m]++;
        }
    }
    if (s->child_maxrss_kb > w->child_maxrss_kb)
        w->child_maxrss_kb = s->child_maxrss_kb;
    return 0;
}

/* Spawner index's window: the crowd's operation (or the caller's, alone).
 * Stops at the first failure, which becomes the window's. */
static int window_op(void *arg, size_t index, struct sample *out,
                     char failure[SCENARIO_FAILURE_MAX])
{
    struct spawn_open_loop *ol = arg;
    struct spawner_window *w = &ol->windows[index];
    uint64_t intended;
    while (take_start(ol, &intended)) {
        if (clock_now_ns() < intended)
            sleep_until(intended);
        struct sample s;
        memset(&s, 0, sizeof(s));
        uint64_t start = clock_now_ns();
        int rc = ol->op(ol->arg, index, &s, failure);
        if (rc != 0)
            return rc;
        /* The operation timed itself from its create call: add how late
         * it started. */
        if (record(w, start - intended + s.ns, &s) != 0) {
            snprintf(failure, SCENARIO_FAILURE_MAX, "open loop: out of memory");
            return -ENOMEM;
        }
    }
    out->ns = 1; /* the crowd wants a time; the window's is taken apart */
    return 0;
}

int spawn_open_loop_start(uint64_t rate, size_t spawners,
                          int (*op)(void *arg, size_t index, struct sample *out,
                                    char failure[SCENARIO_FAILURE_MAX]),
                          void *arg, struct spawn_open_loop **out)
{
    *out = NULL;
    if (rate == 0 || spawners == 0)
        return -EINVAL;
    struct spawn_open_loop *ol = calloc(1, sizeof(*ol));
    if (ol == NULL)
        return -ENOMEM;
    ol->rate = rate;
    ol->spawners = spawners;
    ol->op = op;
    ol->arg = arg;
    /* At least two periods, so that every window holds a start. */
    uint64_t period_ns = spawn_open_loop_offset_ns(1, rate) + 1;
    ol->window_ns =
        2 * period_ns > SPAWN_OPEN_LOOP_WINDOW_NS ? 2 * period_ns : SPAWN_OPEN_LOOP_WINDOW_NS;
    ol->windows = calloc(spawners, sizeof(*ol->windows));
    if (ol->windows == NULL) {
        free(ol);
        return -ENOMEM;
    }
    if (spawners > 1) {
        int err = spawn_crowd_start(spawners, window_op, ol, &ol->crowd);
        if (err != 0) {
            spawn_open_loop_stop(ol);
            return err;
        }
    }
    *out = ol;
    return 0;
}

int spawn_open_loop_sample(struct spawn_open_loop *ol, struct sample *out,
                           char failure[SCENARIO_FAILURE_MAX])
{
    for (size_t i = 0; i < ol->spawners; i++) {
        struct spawner_window *w = &ol->windows[i];
        uint64_t *keep = w->latency_ns;
        size_t capacity = w->capacity;
        memset(w, 0, sizeof(*w));
        w->latency_ns = keep;
        w->capacity = capacity;
    }
    uint64_t begin = clock_now_ns();
    if (!ol->started) {
        ol->t0 = begin;
        ol->started = true;
    }
    ol->window_end = begin + ol->window_ns;
    struct sample crowd_out;
    memset(&crowd_out, 0, sizeof(crowd_out));
    int rc = ol->crowd != NULL ? spawn_crowd_sample(ol->crowd, &crowd_out, failure)
                               : window_op(ol, 0, &crowd_out, failure);
    uint64_t end = clock_now_ns();
    if (rc != 0)
        return rc;
    size_t total = 0;
    uint64_t metric_sum[SAMPLE_METRICS_MAX] = {0}, metric_n[SAMPLE_METRICS_MAX] = {0};
    for (size_t i = 0; i < ol->spawners; i++) {
        total += ol->windows[i].count;
        for (unsigned m = 0; m < SAMPLE_METRICS_MAX; m++) {
            metric_sum[m] += ol->windows[i].metric_sum[m];
            metric_n[m] += ol->windows[i].metric_n[m];
        }
        if (ol->windows[i].child_maxrss_kb > out->child_maxrss_kb)
            out->child_maxrss_kb = ol->windows[i].child_maxrss_kb;
    }
    if (total == 0) {
        /* Cannot be while every window spans two periods; say so if it is. */
        snprintf(failure, SCENARIO_FAILURE_MAX, "open loop: a window without a start");
        return -EPROTO;
    }
    if (total > ol->latency_capacity) {
        uint64_t *bigger = realloc(ol->latency_ns, total * sizeof(*bigger));
        if (bigger == NULL)
            return -ENOMEM;
        ol->latency_ns = bigger;
        ol->latency_capacity = total;
    }
    size_t n = 0;
    for (size_t i = 0; i < ol->spawners; i++) {
        /* A spawner that took no start in the window has no array yet. */
        if (ol->windows[i].count == 0)
            continue;
        memcpy(ol->latency_ns + n, ol->windows[i].latency_ns,
               ol->windows[i].count * sizeof(*ol->latency_ns));
        n += ol->windows[i].count;
    }
    out->ns = end - begin;
    out->ops = total;
    out->op_latency_ns = ol->latency_ns;
    out->op_latency_count = total;
    for (unsigned m = 0; m < SAMPLE_METRICS_MAX; m++) {
        if (metric_n[m] > 0)
            sample_report(out, m, (metric_sum[m] + metric_n[m] / 2) / metric_n[m]);
    }
    return 0;
}

void spawn_open_loop_stop(struct spawn_open_loop *ol)
{
    if (ol == NULL)
        return;
    spawn_crowd_stop(ol->crowd);
    for (size_t i = 0; ol->windows != NULL && i < ol->spawners; i++)
        free(ol->windows[i].latency_ns);
    free(ol->windows);
    free(ol->latency_ns);
    free(ol);
}
