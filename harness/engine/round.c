/*
 * A round, in a process of its own forked from the harness (round_watch.c):
 * it pins itself, sets the case up (untimed), warms it, takes a block of
 * samples, tears it down, checks that nothing was left behind, and exits.
 * Whatever a scenario does to its process (libuv's signal pipe and fork
 * handler, gigabytes of ballast, a crash) therefore ends with its round and
 * cannot change the rows measured after it. Only the scenario's own critical
 * section is timed; recording, rusage and progress happen between samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/clock.h"
#include "cputime.h"
#include "histogram.h"
#include "holder.h"
#include "interrupt.h"
#include "pinning.h"
#include "reaper.h"
#include "round.h"
#include "usage.h"

/* A batch is for operations shorter than the clock can time, not a way to
 * hide slow ones: beyond this, something else is wrong. */
#define MAX_BATCH 100000

static void report_progress(struct run_state *st, const struct case_result *c,
                            uint64_t round_samples, uint64_t now)
{
    if (!st->obs || !st->obs->progress || now - st->last_progress_ns < PROGRESS_INTERVAL_NS)
        return;
    st->last_progress_ns = now;
    /* From the plan, not from st: a round forked from a holder sees st as
     * it was when the holder started. */
    const struct round_plan *plan = &st->report->plan;
    uint64_t elapsed = now - st->run_start_ns;
    uint64_t into_round = elapsed > plan->started_ns ? elapsed - plan->started_ns : 0;
    struct runner_progress p = {
        .current = c,
        .rounds_done = plan->rounds_done,
        .round_samples = round_samples,
        .elapsed_ns = elapsed,
        .cases_done = plan->cases_done,
        .cases_total = plan->cases_total,
        .remaining_ns = plan->remaining_ns > into_round ? plan->remaining_ns - into_round
                        : plan->remaining_ns > 0     ? 1
                                                     : 0,
        .budget_ns = plan->budget_ns,
    };
    st->obs->progress(&p, st->obs->ctx);
}

/* TEST ONLY: what the run's test hook (runner.h) adds to each operation of
 * scenario sc; 0 in a real run, which has no hook. */
static uint64_t test_slowdown_ns(const struct runner_test_hook *hook, const struct scenario *sc)
{
    if (hook == NULL || hook->slow_scenario == NULL || strcmp(hook->slow_scenario, sc->name) != 0)
        return 0;
    return hook->slowdown_ns;
}

/* Records a timed sample's primary metric: its time per operation, or,
 * when its operations ran concurrently and each reported its own latency,
 * those latencies (the distribution of interest; the wall time shared out
 * among them would be none of them). Returns false, with the failure
 * filed, when a value is beyond the histogram's hour. */
static bool record_primary(struct run_state *st, const struct sample *s, uint64_t ops)
{
    struct round_report *rep = st->report;
    uint64_t per_op = s->ns / ops;
    bool each = s->op_latency_ns != NULL && s->op_latency_count > 0;
    size_t count = each ? s->op_latency_count : 1;
    for (size_t i = 0; i < count; i++) {
        if (histogram_record(st->round_hist, each ? s->op_latency_ns[i] : per_op) != 0) {
            rep->failures++;
            ROUND_REASON(rep, "a sample took %" PRIu64 " ns, beyond the histogram's one hour",
                         s->ns);
            return false;
        }
        moments_add(&rep->moments,
                    each ? (double)s->op_latency_ns[i] : (double)s->ns / (double)ops);
    }
    return true;
}

/* Runs one sample and files its outcome in the report. Returns its time per
 * operation, or 0 when it failed. */
static uint64_t take_sample(struct run_state *st, const struct scenario *sc, struct case_ctx *ctx,
                            bool timed)
{
    struct round_report *rep = st->report;
    struct sample s;
    memset(&s, 0, sizeof(s));
    ctx->failure[0] = '\0';
    int rc = sc->sample(ctx, &s);
    /* Outside the timed section: tells the harness's watch that the round
     * is alive (see wait_round_process). */
    __atomic_add_fetch(&rep->heartbeat, 1, __ATOMIC_RELAXED);
    uint64_t ops = s.ops ? s.ops : ctx->ops_per_sample;
    if (timed)
        rep->ops += ops;
    if (rc != 0) {
        rep->failures++;
        rep->consecutive_failures++;
        if (rep->reason[0] == '\0')
            ROUND_REASON(rep, "%s", ctx->failure[0] ? ctx->failure : strerror(-rc));
        return 0;
    }
    rep->consecutive_failures = 0;
    s.ns += st->test_slowdown_ns * ops; /* TEST ONLY: see test_slowdown_ns() */
    if (s.child_maxrss_kb > rep->child_maxrss_kb)
        rep->child_maxrss_kb = s.child_maxrss_kb;
    uint64_t per_op = s.ns / ops;
    if (!timed)
        return per_op > 0 ? per_op : 1;
    if (!record_primary(st, &s, ops))
        return 0;
    rep->wall_ops += ops;
    rep->wall_ns += s.ns;
    if (ops > rep->ops_per_sample)
        rep->ops_per_sample = ops;
    if (s.bytes > 0) {
        rep->bytes += s.bytes;
        rep->bytes_ns += s.ns;
    }
    /* Each declared metric the sample reported, in its own histogram. A
     * value beyond the histogram's range (an hour, or 3.6 TB) is dropped:
     * no sample that long got here, and no parent grows that much. */
    size_t declared = scenario_metric_count(sc);
    for (size_t m = 0; m < declared && m < st->round_metric_count; m++) {
        if (sample_reported(&s, (unsigned)m))
            histogram_record(st->round_metric[m], s.metric[m]);
    }
    return per_op > 0 ? per_op : 1;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Warm-up: discarded samples for this round's share of --warmup, at least
 * two, so caches, page tables and the peer are hot when timing starts; and
 * beyond that share for as long as each sample is still a new fastest by
 * more than WARMUP_SETTLED_PCT (the second sample says whether the first
 * was still settling). A process that has just written a big ballast or
 * heap forks two to three times slower at first and takes five to ten
 * forks to settle (README, Method), which a round of a few samples would
 * otherwise measure. Noise ends the wait early (a sample that is no new
 * fastest); the case's ceiling (--max-time) bounds it. Returns the median
 * time per operation of the last warm-up samples (0 if all failed). */
#define WARMUP_SETTLED_PCT 2
static uint64_t warm_up(struct run_state *st, const struct scenario *sc, struct case_ctx *ctx)
{
    enum { KEPT = 63 };
    uint64_t kept[KEPT];
    size_t n = 0;
    const struct round_plan *plan = &st->report->plan;
    uint64_t start = clock_now_ns(), fastest = 0;
    for (;;) {
        uint64_t per_op = take_sample(st, sc, ctx, false);
        bool settling = false;
        if (per_op > 0) {
            kept[n++ % KEPT] = per_op;
            settling = fastest > 0 && per_op * 100 < fastest * (100 - WARMUP_SETTLED_PCT);
            if (fastest == 0 || per_op < fastest)
                fastest = per_op;
        }
        uint64_t elapsed = clock_now_ns() - start;
        if (round_failing(st->report) || elapsed >= plan->ceiling_ns)
            break;
        if (elapsed >= plan->warmup_ns && n >= 2 && !settling)
            break;
    }
    if (n == 0)
        return 0;
    n = n < KEPT ? n : KEPT;
    qsort(kept, n, sizeof(kept[0]), compare_u64);
    return kept[n / 2];
}

/* Operations per sample for the timed block: one, unless one operation is
 * so short that a clock read is a visible part of it; then enough of them
 * to span CLOCK_FLOOR_FACTOR reads, as lmbench and Google Benchmark do. */
static uint64_t choose_batch(const struct scenario *sc, uint64_t warm_median_ns,
                             uint64_t clock_overhead_ns)
{
    uint64_t floor_ns = CLOCK_FLOOR_FACTOR * (clock_overhead_ns ? clock_overhead_ns : 1);
    if (!sc->batchable || warm_median_ns == 0 || warm_median_ns >= floor_ns)
        return 1;
    uint64_t ops = (floor_ns + warm_median_ns - 1) / warm_median_ns;
    return ops < MAX_BATCH ? ops : MAX_BATCH;
}

/* The timed block of a round: as long and as many samples as the plan
 * asks, cut short by the case's ceiling, and at least one sample. */
static void sample_block(struct run_state *st, const struct case_result *c, struct case_ctx *ctx)
{
    const struct round_plan *plan = &st->report->plan;
    struct round_report *rep = st->report;
    uint64_t start = clock_now_ns(), now = start;
    while (!round_failing(rep)) {
        take_sample(st, c->def.scenario, ctx, true);
        rep->attempted++;
        now = clock_now_ns();
        uint64_t elapsed = now - start;
        if (elapsed >= plan->ceiling_ns)
            break;
        if (histogram_count(st->round_hist) >= plan->block_samples && elapsed >= plan->block_ns)
            break;
        report_progress(st, c, histogram_count(st->round_hist), now);
    }
    rep->measured_ns = now - start;
}

/* After teardown: the round's process must be as it was before setup. What
 * is found is removed and reported, so a leaking scenario fails loudly
 * instead of poisoning the rounds after it. */
static void check_left_behind(struct round_report *rep, int fds_before)
{
    int children = reaper_collect();
    int fds_after = reaper_count_fds();
    if (children == 0 && fds_after <= fds_before)
        return;
    rep->leaked = true;
    char first[sizeof(rep->reason)];
    snprintf(first, sizeof(first), "%s", rep->reason);
    ROUND_REASON(rep, "teardown left %d child process(es) and %d descriptor(s) behind%s%s",
                 children, fds_after > fds_before ? fds_after - fds_before : 0,
                 first[0] ? "; first failure: " : "", first);
}

_Noreturn void round_process(struct run_state *st, size_t index)
{
    const struct case_result *c = &st->r->cases[index];
    const struct scenario *sc = c->def.scenario;
    struct round_report *rep = st->report;

    /* Its own process group, so that a timeout or an interrupt kills the
     * round and everything it started with one kill(); the default action
     * for the signals only the harness handles; and death with the
     * harness: a harness killed by SIGKILL cannot kill its round, so the
     * kernel does (the round's peers then see their channel close). */
    setpgid(0, 0);
    interrupt_reset_in_child();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != st->harness_pid)
        _exit(0); /* the harness died before the line above */
    st->test_slowdown_ns = test_slowdown_ns(st->r->config.test_hook, sc);
    int rc = pinning_apply(c->def.placement);
    if (rc == 0 && sc->process_init)
        rc = sc->process_init();
    if (rc != 0) {
        rep->setup_failed = true;
        ROUND_REASON(rep, "%s failed: %s",
                     sc->process_init ? "placement or process_init"
                                      : "placement (sched_setaffinity)",
                     strerror(-rc));
        _exit(0);
    }
    int fds_before = reaper_count_fds();
    struct case_ctx ctx = {
        .scenario = sc,
        .params = c->def.params,
        .peer_cpu = c->def.placement == PLACEMENT_CROSS ? c->peer_cpu : -1,
        .ops_per_sample = 1,
        .peer_pid = 0,
        .state = NULL,
        .held = holder_held(),
    };
    rc = sc->setup ? sc->setup(&ctx) : 0;
    if (rc != 0) {
        rep->setup_failed = true;
        ROUND_REASON(rep, "setup: %s", ctx.failure[0] ? ctx.failure : strerror(-rc));
        check_left_behind(rep, fds_before);
        _exit(0);
    }

    round_set_phase(rep, PHASE_SAMPLES);
    uint64_t warm_median = warm_up(st, sc, &ctx);
    ctx.ops_per_sample = choose_batch(sc, warm_median, st->r->env.clock_overhead_ns);
    rep->ops_per_sample = ctx.ops_per_sample;
    struct rusage self_before, self_after, children_before, children_after;
    uint64_t peer_before = 0, peer_after = 0;
    bool peer_known = ctx.peer_pid > 0 && cputime_of(ctx.peer_pid, &peer_before) == 0;
    getrusage(RUSAGE_SELF, &self_before);
    getrusage(RUSAGE_CHILDREN, &children_before);
    if (!round_failing(rep))
        sample_block(st, c, &ctx);
    getrusage(RUSAGE_SELF, &self_after);
    /* Children reaped inside the block count here; a long-lived peer is
     * reaped only in teardown, and is counted through its own CPU time
     * over exactly the block instead. */
    getrusage(RUSAGE_CHILDREN, &children_after);
    if (peer_known && cputime_of(ctx.peer_pid, &peer_after) == 0)
        rep->peer_cpu_ns = (double)(peer_after - peer_before);
    round_set_phase(rep, PHASE_TEARDOWN);
    if (sc->teardown)
        sc->teardown(&ctx);
    usage_add_delta(&rep->self_sum, &self_before, &self_after);
    usage_add_delta(&rep->children_sum, &children_before, &children_after);
    check_left_behind(rep, fds_before);
    rep->completed = true;
    _exit(0);
}

