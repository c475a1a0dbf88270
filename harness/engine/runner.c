/*
 * The runner. A run is a series of passes; each pass gives every unfinished
 * case one round, in an order shuffled by the seed. A round runs in a process
 * of its own, fork()ed from the harness: it sets the case up (untimed),
 * warms it, takes a block of samples, tears it down, checks that nothing was
 * left behind, and exits. Whatever a scenario does to its process (libuv's
 * signal pipe and fork handler, gigabytes of ballast, a crash) therefore
 * ends with its round and cannot change the rows measured after it. The
 * round's process records into histograms and a report in shared memory,
 * which the harness merges into the case once the process is reaped.
 * Only the scenario's own critical section is timed; everything the harness
 * does (recording, rusage, progress) happens between samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cputime.h"
#include "histogram.h"
#include "interrupt.h"
#include "mechanism.h"
#include "pinning.h"
#include "reaper.h"
#include "base/reason.h"
#include "runner.h"
#include "base/units.h"

/* A case whose samples fail this many times in a row is broken, not noisy. */
#define CONSECUTIVE_FAILURE_LIMIT 3
#define PROGRESS_INTERVAL_NS      (100u * 1000000u)
/* Below this many clock reads' worth, a single sample is mostly clock. */
#define CLOCK_FLOOR_FACTOR 100
#define HISTOGRAM_DIGITS   3
/* A batch is for operations shorter than the clock can time, not a way to
 * hide slow ones: beyond this, something else is wrong. */
#define MAX_BATCH 100000
/* How often the harness looks at a round's heartbeat while --sample-timeout
 * is on: a hung sample is killed within this much of its limit. */
#define WATCH_INTERVAL_MS 100

/* Per-case bookkeeping the outputs do not need. */
struct case_progress {
    bool done;
    uint64_t ops; /* operations attempted in timed blocks, failed ones included */
    struct usage_per_op self_sum, children_sum;
    double peer_cpu_ns_sum;
    uint64_t bytes, bytes_ns;   /* payload, and the time of the samples that moved it */
    uint64_t wall_ops, wall_ns; /* operations of the timed samples that succeeded, and their time */
};

/* The optional metrics a sample may report beside its time, each with a
 * histogram of its own per case. */
enum secondary {
    SECONDARY_RETURN,     /* sample.return_ns */
    SECONDARY_FIRST_BYTE, /* sample.first_byte_ns */
    SECONDARY_RSS_GROWTH, /* sample.rss_growth_bytes */
    SECONDARY_COUNT,
};

static struct histogram **secondary_hist(struct case_result *c, enum secondary k)
{
    switch (k) {
    case SECONDARY_RETURN:
        return &c->return_hist;
    case SECONDARY_FIRST_BYTE:
        return &c->first_byte_hist;
    default:
        return &c->rss_growth_hist;
    }
}

static struct stats *secondary_stats(struct case_result *c, enum secondary k)
{
    switch (k) {
    case SECONDARY_RETURN:
        return &c->return_stats;
    case SECONDARY_FIRST_BYTE:
        return &c->first_byte_stats;
    default:
        return &c->rss_growth_stats;
    }
}

/* What one round produced, written by the round's process into memory shared
 * with the harness. */
struct round_report {
    struct moments moments;
    uint64_t attempted;            /* timed samples attempted */
    uint64_t ops;                  /* operations in them, failed samples included */
    uint64_t ops_per_sample;       /* largest number of operations in one sample */
    uint64_t failures;             /* failed samples, warm-up included */
    uint64_t consecutive_failures; /* at the end of the round */
    uint64_t measured_ns;          /* wall time of the timed block */
    long child_maxrss_kb;
    struct usage_per_op self_sum, children_sum;
    double peer_cpu_ns;         /* the long-lived peer's CPU over the timed block */
    uint64_t bytes, bytes_ns;   /* payload moved, and the time of those samples */
    uint64_t wall_ops, wall_ns; /* successful timed samples: operations, wall time */
    bool completed;             /* the round reached its end */
    bool setup_failed;          /* reason says why; nothing was measured */
    bool leaked;                /* teardown left something; reason says what */
    char reason[192];           /* the first failure of the round */
    /* Written by the round's process with __atomic stores and read by the
     * harness while the round runs: bumped after every sample and at every
     * change of phase, and the phase (enum round_phase) a timeout stopped. */
    uint64_t heartbeat;
    int phase;
};

/* What the round's process is doing, for the reason of a timeout. */
enum round_phase { PHASE_SETUP, PHASE_SAMPLES, PHASE_TEARDOWN };

static void set_phase(struct round_report *rep, enum round_phase phase)
{
    __atomic_store_n(&rep->phase, (int)phase, __ATOMIC_RELAXED);
    __atomic_add_fetch(&rep->heartbeat, 1, __ATOMIC_RELAXED);
}

struct run_state {
    struct run_results *r;
    const struct runner_observer *obs;
    struct case_progress *progress;
    /* Shared with each round's process: */
    struct round_report *report;
    struct histogram *round_hist; /* the primary metric, per operation */
    struct histogram *round_secondary[SECONDARY_COUNT];
    uint64_t run_start_ns;
    uint64_t last_progress_ns;
    uint64_t rounds_done;
    uint64_t test_slowdown_ns; /* TEST ONLY, for the round's scenario: see test_slowdown_ns() */
    bool interrupted;          /* a SIGINT or SIGTERM stopped the run */
    /* The order of a pass. Here rather than a local of runner_run, so that
     * a round's process, which _exit()s holding a copy, still points at it
     * (valgrind would call it lost). */
    size_t *order;
};

/* Reasons are formatted by reason_format(), so that whatever a scenario or
 * an input put in them, they stay one line. */
#define CASE_REASON(c, ...)    reason_format((c)->reason, sizeof((c)->reason), __VA_ARGS__)
#define ROUND_REASON(rep, ...) reason_format((rep)->reason, sizeof((rep)->reason), __VA_ARGS__)

/* splitmix64: small, seedable, and good enough to shuffle a list. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double timeval_ns(struct timeval tv)
{
    return (double)tv.tv_sec * 1e9 + (double)tv.tv_usec * 1e3;
}

/* Adds after - before to sum. */
static void add_usage(struct usage_per_op *sum, const struct rusage *before,
                      const struct rusage *after)
{
    sum->user_ns += timeval_ns(after->ru_utime) - timeval_ns(before->ru_utime);
    sum->sys_ns += timeval_ns(after->ru_stime) - timeval_ns(before->ru_stime);
    sum->minflt += (double)(after->ru_minflt - before->ru_minflt);
    sum->majflt += (double)(after->ru_majflt - before->ru_majflt);
    sum->nvcsw += (double)(after->ru_nvcsw - before->ru_nvcsw);
    sum->nivcsw += (double)(after->ru_nivcsw - before->ru_nivcsw);
}

static void add_usage_sum(struct usage_per_op *sum, const struct usage_per_op *more)
{
    sum->user_ns += more->user_ns;
    sum->sys_ns += more->sys_ns;
    sum->minflt += more->minflt;
    sum->majflt += more->majflt;
    sum->nvcsw += more->nvcsw;
    sum->nivcsw += more->nivcsw;
}

static struct usage_per_op divide_usage(const struct usage_per_op *sum, uint64_t ops)
{
    struct usage_per_op u = {0};
    if (ops == 0)
        return u;
    double d = (double)ops;
    u.user_ns = sum->user_ns / d;
    u.sys_ns = sum->sys_ns / d;
    u.minflt = sum->minflt / d;
    u.majflt = sum->majflt / d;
    u.nvcsw = sum->nvcsw / d;
    u.nivcsw = sum->nivcsw / d;
    return u;
}

/* Decides up front which cases cannot run here, so they are reported as
 * skipped with a reason rather than failed. */
static void check_runnable(struct case_result *c)
{
    const struct scenario *sc = c->def.scenario;
    char why[sizeof(c->reason)];
    const char *case_why = NULL;
    if (sc->unavailable) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s", sc->unavailable);
    } else if (sc->case_unavailable &&
               (case_why = sc->case_unavailable(c->def.params, why, sizeof(why))) != NULL) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s", case_why);
    } else if (!(sc->placements_supported & PLACEMENT_BIT(c->def.placement))) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s cannot honour this placement: it has no hook to pin its peer", sc->name);
    } else if (pinning_cpus(c->def.placement, &c->parent_cpu, &c->peer_cpu, why, sizeof(why)) !=
               0) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s", why);
    }
}

/* Every case's histograms live in one MAP_SHARED region. Shared, although
 * only the harness writes them, because fork() copies no page tables of a
 * shared mapping; one region, because fork() duplicates every mapping: with
 * one mapping per histogram, a run of 429 cases made the round's process
 * carry 1,700 of them, and fork_only measured 2.0 ms instead of 0.25 ms.
 * This way the process every fork() is measured from is the same size
 * whatever the run holds. */
static int allocate_histogram_arena(struct run_results *r)
{
    size_t each = histogram_footprint(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS);
    size_t bytes = each * (1 + SECONDARY_COUNT) * (r->case_count ? r->case_count : 1);
    void *arena = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED)
        return -ENOMEM;
    r->histogram_arena = arena;
    r->histogram_arena_bytes = bytes;
    return 0;
}

/* Makes case i's histograms in its slice of the arena. */
static int place_histograms(struct run_results *r, size_t i)
{
    size_t each = histogram_footprint(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS);
    char *slice = (char *)r->histogram_arena + i * (1 + SECONDARY_COUNT) * each;
    struct case_result *c = &r->cases[i];
    int rc = histogram_init_in(slice, each, HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, &c->hist);
    for (int k = 0; k < SECONDARY_COUNT && rc == 0; k++)
        rc = histogram_init_in(slice + (size_t)(k + 1) * each, each, HISTOGRAM_ONE_HOUR_NS,
                               HISTOGRAM_DIGITS, secondary_hist(c, (enum secondary)k));
    return rc;
}

int runner_init(struct run_results *r, const struct case_def *defs, size_t count)
{
    r->cases = calloc(count ? count : 1, sizeof(*r->cases));
    if (!r->cases)
        return -ENOMEM;
    r->case_count = count;
    int rc = pinning_init();
    if (rc == 0)
        rc = allocate_histogram_arena(r);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < count; i++) {
        struct case_result *c = &r->cases[i];
        c->def = defs[i];
        c->status = CASE_OK;
        c->parent_cpu = -1;
        c->peer_cpu = -1;
        if (place_histograms(r, i) != 0)
            return -ENOMEM;
        check_runnable(c);
    }
    return 0;
}

void runner_free(struct run_results *r)
{
    if (r->histogram_arena)
        munmap(r->histogram_arena, r->histogram_arena_bytes);
    r->histogram_arena = NULL;
    free(r->cases);
    free(r->rounds);
    r->cases = NULL;
    r->rounds = NULL;
    r->case_count = r->round_count = r->round_capacity = 0;
}

static void report_progress(struct run_state *st, const struct case_result *c,
                            uint64_t round_samples, uint64_t now)
{
    if (!st->obs || !st->obs->progress || now - st->last_progress_ns < PROGRESS_INTERVAL_NS)
        return;
    st->last_progress_ns = now;
    struct runner_progress p = {
        .current = c,
        .rounds_done = st->rounds_done,
        .rounds_expected = st->r->case_count * st->r->config.rounds,
        .round_samples = round_samples,
        .elapsed_ns = now - st->run_start_ns,
    };
    st->obs->progress(&p, st->obs->ctx);
}

/* --- In the round's process ------------------------------------------- */

/* TEST ONLY. PROCBENCH_TEST_SLOWDOWN="SCENARIO:NS" adds NS nanoseconds to
 * every operation of SCENARIO, after it was timed, so that the tests of
 * `procbench compare` can inject a regression of known size
 * (tests/compare_detector.sh). Anything malformed is ignored; nothing else
 * reads this variable, and a real run must never set it. */
static uint64_t test_slowdown_ns(const struct scenario *sc)
{
    const char *knob = getenv("PROCBENCH_TEST_SLOWDOWN");
    const char *colon = knob != NULL ? strrchr(knob, ':') : NULL;
    char *end = NULL;
    if (colon == NULL || (size_t)(colon - knob) != strlen(sc->name) ||
        strncmp(knob, sc->name, strlen(sc->name)) != 0 || colon[1] < '0' || colon[1] > '9')
        return 0;
    unsigned long long ns = strtoull(colon + 1, &end, 10);
    return *end == '\0' && ns < 1000000000ull ? (uint64_t)ns : 0;
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
            ROUND_REASON(rep, "%s", s.failure[0] ? s.failure : strerror(-rc));
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
    /* A value beyond the histogram's range (an hour, or 3.6 TB of RSS) is
     * dropped; the primary metric above already failed such a sample. */
    if (s.return_ns > 0)
        histogram_record(st->round_secondary[SECONDARY_RETURN], s.return_ns);
    if (s.first_byte_ns > 0)
        histogram_record(st->round_secondary[SECONDARY_FIRST_BYTE], s.first_byte_ns);
    if (s.rss_growth_reported)
        histogram_record(st->round_secondary[SECONDARY_RSS_GROWTH], s.rss_growth_bytes);
    return per_op > 0 ? per_op : 1;
}

static bool failing(const struct round_report *rep)
{
    return rep->consecutive_failures >= CONSECUTIVE_FAILURE_LIMIT;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Warm-up: discarded samples for this round's share of --warmup, at least
 * one, so caches, page tables and the peer are hot when timing starts.
 * Returns the median time per operation of the last warm-up samples (0 if
 * all failed). */
static uint64_t warm_up(struct run_state *st, const struct scenario *sc, struct case_ctx *ctx)
{
    enum { KEPT = 63 };
    uint64_t kept[KEPT];
    size_t n = 0;
    uint64_t budget = st->r->config.warmup_ns / st->r->config.rounds;
    uint64_t start = clock_now_ns();
    do {
        uint64_t per_op = take_sample(st, sc, ctx, false);
        if (per_op > 0)
            kept[n++ % KEPT] = per_op;
    } while (!failing(st->report) && clock_now_ns() - start < budget);
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

/* The timed block of a round. */
static void sample_block(struct run_state *st, const struct case_result *c, struct case_ctx *ctx)
{
    const struct run_config *cfg = &st->r->config;
    struct round_report *rep = st->report;
    uint64_t want_samples = (cfg->min_samples + cfg->rounds - 1) / cfg->rounds;
    uint64_t want_ns = cfg->min_time_ns / cfg->rounds;
    uint64_t start = clock_now_ns(), now = start;
    while (!failing(rep)) {
        take_sample(st, c->def.scenario, ctx, true);
        rep->attempted++;
        now = clock_now_ns();
        uint64_t elapsed = now - start;
        if (c->measured_ns + elapsed >= cfg->max_time_ns)
            break;
        if (histogram_count(st->round_hist) >= want_samples && elapsed >= want_ns)
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

/* The whole life of a round, in its own process; ends with _exit(). */
static _Noreturn void round_process(struct run_state *st, size_t index)
{
    const struct case_result *c = &st->r->cases[index];
    const struct scenario *sc = c->def.scenario;
    struct round_report *rep = st->report;

    /* Its own process group, so that a timeout or an interrupt kills the
     * round and everything it started with one kill(); and the default
     * action for SIGINT and SIGTERM, which only the harness handles. */
    setpgid(0, 0);
    interrupt_reset_in_child();
    st->test_slowdown_ns = test_slowdown_ns(sc); /* read once, not per sample */
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
        .params = c->def.params,
        .peer_cpu = c->def.placement == PLACEMENT_CROSS ? c->peer_cpu : -1,
        .ops_per_sample = 1,
        .peer_pid = 0,
        .state = NULL,
    };
    char why[sizeof(rep->reason) - 8] = "";
    rc = sc->setup ? sc->setup(&ctx, why, sizeof(why)) : 0;
    if (rc != 0) {
        rep->setup_failed = true;
        ROUND_REASON(rep, "setup: %s", why[0] ? why : strerror(-rc));
        check_left_behind(rep, fds_before);
        _exit(0);
    }

    set_phase(rep, PHASE_SAMPLES);
    uint64_t warm_median = warm_up(st, sc, &ctx);
    ctx.ops_per_sample = choose_batch(sc, warm_median, st->r->env.clock_overhead_ns);
    rep->ops_per_sample = ctx.ops_per_sample;
    struct rusage self_before, self_after, children_before, children_after;
    uint64_t peer_before = 0, peer_after = 0;
    bool peer_known = ctx.peer_pid > 0 && cputime_of(ctx.peer_pid, &peer_before) == 0;
    getrusage(RUSAGE_SELF, &self_before);
    getrusage(RUSAGE_CHILDREN, &children_before);
    if (!failing(rep))
        sample_block(st, c, &ctx);
    getrusage(RUSAGE_SELF, &self_after);
    /* Children reaped inside the block count here; a long-lived peer is
     * reaped only in teardown, and is counted through its own CPU time
     * over exactly the block instead. */
    getrusage(RUSAGE_CHILDREN, &children_after);
    if (peer_known && cputime_of(ctx.peer_pid, &peer_after) == 0)
        rep->peer_cpu_ns = (double)(peer_after - peer_before);
    set_phase(rep, PHASE_TEARDOWN);
    if (sc->teardown)
        sc->teardown(&ctx);
    add_usage(&rep->self_sum, &self_before, &self_after);
    add_usage(&rep->children_sum, &children_before, &children_after);
    check_left_behind(rep, fds_before);
    rep->completed = true;
    _exit(0);
}

/* --- In the harness --------------------------------------------------- */

static void record_round(struct run_state *st, size_t index, uint64_t start_ns, uint64_t end_ns)
{
    struct run_results *r = st->r;
    if (r->round_count == r->round_capacity) {
        size_t grown = r->round_capacity ? r->round_capacity * 2 : 64;
        struct round_record *bigger = realloc(r->rounds, grown * sizeof(*bigger));
        if (!bigger)
            return; /* the round still counts; only its line in rounds.csv is lost */
        r->rounds = bigger;
        r->round_capacity = grown;
    }
    struct stats s;
    stats_compute(st->round_hist, &st->report->moments, &s);
    r->rounds[r->round_count++] = (struct round_record){
        .case_index = index,
        .round = (uint32_t)r->cases[index].rounds,
        .sequence = (uint32_t)st->rounds_done,
        .start_ns = start_ns - st->run_start_ns,
        .elapsed_ns = end_ns - start_ns,
        .n = s.n,
        .failures = st->report->failures,
        .min_ns = s.min_ns,
        .p50_ns = s.p50_ns,
        .max_ns = s.max_ns,
        .mean_ns = s.mean_ns,
    };
}

static bool case_finished(const struct run_config *cfg, struct case_result *c)
{
    uint64_t n = histogram_count(c->hist);
    if (c->measured_ns >= cfg->max_time_ns)
        return true;
    if (c->rounds >= cfg->rounds && c->measured_ns >= cfg->min_time_ns && n >= cfg->min_samples)
        return true;
    /* Time-to-answer: stop as soon as the median is known well enough, but
     * only after a few rounds, so one lucky block cannot end a case. */
    uint64_t min_rounds = cfg->rounds < 3 ? cfg->rounds : 3;
    if (cfg->ci_target_pct > 0 && c->rounds >= min_rounds && n >= 6) {
        struct stats s;
        stats_compute(c->hist, &c->moments, &s);
        return stats_median_ci_percent(&s) <= cfg->ci_target_pct;
    }
    return false;
}

/* Why the round's process ended without finishing its round. */
static void describe_abnormal_end(char *buf, size_t len, int status)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "the round's process was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "the round's process exited with status %d before the round ended",
                 WEXITSTATUS(status));
}

static const char *phase_name(int phase)
{
    switch (phase) {
    case PHASE_SAMPLES:
        return "sample";
    case PHASE_TEARDOWN:
        return "teardown";
    default:
        return "setup";
    }
}

enum round_end { ROUND_EXITED, ROUND_TIMED_OUT, ROUND_INTERRUPTED };

/* pidfd_open(2), through syscall(): -1 with ENOSYS before Linux 5.3 (and
 * under valgrind 3.19, which does not know it: asked once, not per round). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    static bool unsupported;
    if (unsupported) {
        errno = ENOSYS;
        return -1;
    }
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    unsupported = fd < 0 && errno == ENOSYS;
    return fd;
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/* Kills the round's process group (the round's process and whatever it
 * started that did not leave the group; the rest is found by
 * reaper_collect() once orphaned) and reaps the round's process. */
static void kill_round(pid_t pid, int *status)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL); /* in case it had not reached its setpgid() yet */
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

/* Waits for the round's process to exit without spinning: ppoll() on a
 * pidfd, which becomes readable when the process exits, with SIGINT and
 * SIGTERM unblocked only inside ppoll() so that none can slip in between
 * looking at the interrupt record and going to sleep. With
 * --sample-timeout, it wakes every WATCH_INTERVAL_MS to look at the
 * round's heartbeat, and kills the round once the heartbeat has stood
 * still for longer than the limit. Without a pidfd (kernels before 5.3)
 * it looks every 10 ms instead. */
static enum round_end wait_round_process(struct run_state *st, pid_t pid, int *status)
{
    const uint64_t timeout_ns = st->r->config.sample_timeout_ns;
    sigset_t handled, unblocked;
    interrupt_signals(&handled);
    sigprocmask(SIG_BLOCK, &handled, &unblocked);
    int pidfd = open_pidfd(pid);
    struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
    uint64_t seen = __atomic_load_n(&st->report->heartbeat, __ATOMIC_RELAXED);
    uint64_t seen_at = clock_now_ns();
    enum round_end end = ROUND_EXITED;
    for (;;) {
        pid_t got = waitpid(pid, status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR))
            break;
        uint64_t now = clock_now_ns();
        uint64_t beat = __atomic_load_n(&st->report->heartbeat, __ATOMIC_RELAXED);
        if (beat != seen) {
            seen = beat;
            seen_at = now;
        }
        if (interrupt_signal() != 0)
            end = ROUND_INTERRUPTED;
        else if (timeout_ns > 0 && now - seen_at > timeout_ns)
            end = ROUND_TIMED_OUT;
        if (end != ROUND_EXITED) {
            kill_round(pid, status);
            break;
        }
        long wait_ms = pidfd < 0 ? 10 : timeout_ns > 0 ? WATCH_INTERVAL_MS : -1;
        struct timespec ts = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000L};
        ppoll(pidfd < 0 ? NULL : &pfd, pidfd < 0 ? 0 : 1, wait_ms < 0 ? NULL : &ts, &unblocked);
    }
    if (pidfd >= 0)
        close(pidfd);
    sigprocmask(SIG_SETMASK, &unblocked, NULL);
    return end;
}

/* Forks the round's process and waits for it. Whatever went wrong (no
 * process could be made, it crashed, it left processes behind) is in the
 * report as setup_failed or leaked, with the reason. */
static void run_round_process(struct run_state *st, size_t index)
{
    histogram_reset(st->round_hist);
    for (int k = 0; k < SECONDARY_COUNT; k++)
        histogram_reset(st->round_secondary[k]);
    memset(st->report, 0, sizeof(*st->report));
    /* Flushed so that buffered console output is not written twice. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        /* Marked as a failed setup: a round that never ran must end its
         * case, or a fork() that keeps failing (EAGAIN under RLIMIT_NPROC)
         * would have the runner retry the case for ever. */
        ROUND_REASON(st->report, "fork of the round's process failed: %s", strerror(errno));
        st->report->setup_failed = true;
        return;
    }
    if (pid == 0)
        round_process(st, index);
    /* Also here, so that the group exists before any kill(-pid) below
     * whichever process runs first; EACCES/ESRCH only mean it is done. */
    setpgid(pid, pid);
    int status = 0;
    enum round_end end = wait_round_process(st, pid, &status);
    int strays = reaper_collect();
    struct round_report *rep = st->report;
    if (end == ROUND_INTERRUPTED) {
        st->interrupted = true;
        return;
    }
    if (end == ROUND_TIMED_OUT) {
        char limit[32], first[sizeof(rep->reason)];
        units_format_duration(st->r->config.sample_timeout_ns, limit, sizeof(limit));
        snprintf(first, sizeof(first), "%s", rep->reason);
        ROUND_REASON(rep,
                     "%s timed out after %s (the round's process and its children were killed)%s%s",
                     phase_name(__atomic_load_n(&rep->phase, __ATOMIC_RELAXED)), limit,
                     first[0] ? "; first failure: " : "", first);
        rep->setup_failed = true;
        return;
    }
    if (!rep->completed && !rep->setup_failed) {
        char why[96];
        describe_abnormal_end(why, sizeof(why), status);
        char first[sizeof(rep->reason)];
        snprintf(first, sizeof(first), "%s", rep->reason);
        ROUND_REASON(rep, "%s%s%s", why, first[0] ? "; first failure: " : "", first);
        rep->setup_failed = true;
    }
    if (strays > 0) {
        rep->leaked = true;
        ROUND_REASON(rep, "%d process(es) outlived the round (killed)", strays);
    }
}

/* Adds the round's report into its case. */
static void merge_round(struct run_state *st, size_t index)
{
    struct case_result *c = &st->r->cases[index];
    struct case_progress *cp = &st->progress[index];
    const struct round_report *rep = st->report;
    histogram_merge(c->hist, st->round_hist);
    for (int k = 0; k < SECONDARY_COUNT; k++)
        histogram_merge(*secondary_hist(c, (enum secondary)k), st->round_secondary[k]);
    moments_merge(&c->moments, &rep->moments);
    if (rep->ops_per_sample > c->ops_per_sample)
        c->ops_per_sample = rep->ops_per_sample;
    cp->peer_cpu_ns_sum += rep->peer_cpu_ns;
    cp->bytes += rep->bytes;
    cp->bytes_ns += rep->bytes_ns;
    cp->wall_ops += rep->wall_ops;
    cp->wall_ns += rep->wall_ns;
    c->failures += rep->failures;
    c->measured_ns += rep->measured_ns;
    if (rep->child_maxrss_kb > c->child_maxrss_kb)
        c->child_maxrss_kb = rep->child_maxrss_kb;
    cp->ops += rep->ops;
    add_usage_sum(&cp->self_sum, &rep->self_sum);
    add_usage_sum(&cp->children_sum, &rep->children_sum);
    if (c->reason[0] == '\0' && rep->reason[0] != '\0')
        CASE_REASON(c, "%s", rep->reason);
}

static void run_round(struct run_state *st, size_t index)
{
    struct case_result *c = &st->r->cases[index];
    struct case_progress *cp = &st->progress[index];
    uint64_t start = clock_now_ns();
    run_round_process(st, index);
    if (st->interrupted)
        return; /* the case stays unfinished, and is left out */
    const struct round_report *rep = st->report;

    if (rep->setup_failed || rep->leaked) {
        /* A round that could not run, or that left something behind, makes
         * the case's numbers untrustworthy: the case fails with the reason. */
        c->status = CASE_FAILED;
        CASE_REASON(c, "%s", rep->reason);
        cp->done = true;
        return;
    }
    merge_round(st, index);
    record_round(st, index, start, clock_now_ns());
    c->rounds++;
    st->rounds_done++;

    if (failing(rep)) {
        c->status = CASE_FAILED;
        CASE_REASON(c, "%d samples in a row failed: %s", CONSECUTIVE_FAILURE_LIMIT, rep->reason);
        cp->done = true;
    } else {
        cp->done = case_finished(&st->r->config, c);
    }
}

static void finish_case(struct run_state *st, size_t index)
{
    struct case_result *c = &st->r->cases[index];
    struct case_progress *cp = &st->progress[index];
    stats_compute(c->hist, &c->moments, &c->stats);
    for (int k = 0; k < SECONDARY_COUNT; k++)
        stats_compute(*secondary_hist(c, (enum secondary)k), NULL,
                      secondary_stats(c, (enum secondary)k));
    c->self = divide_usage(&cp->self_sum, cp->ops);
    c->children = divide_usage(&cp->children_sum, cp->ops);
    c->peer_cpu_ns = cp->ops ? cp->peer_cpu_ns_sum / (double)cp->ops : 0;
    c->cpu_ns = c->self.user_ns + c->self.sys_ns + c->children.user_ns + c->children.sys_ns +
                c->peer_cpu_ns;
    c->bytes_per_s =
        cp->bytes_ns ? (uint64_t)((double)cp->bytes * 1e9 / (double)cp->bytes_ns + 0.5) : 0;
    c->ops_per_s = cp->wall_ns ? (double)cp->wall_ops * 1e9 / (double)cp->wall_ns : NAN;
    /* What the clock timed is a whole sample: its operations together. */
    uint64_t sample_p50 = c->stats.p50_ns * (c->ops_per_sample ? c->ops_per_sample : 1);
    c->below_clock_floor =
        c->stats.n > 0 && sample_p50 < CLOCK_FLOOR_FACTOR * st->r->env.clock_overhead_ns;
    if (c->status == CASE_OK && c->stats.n == 0) {
        c->status = CASE_FAILED;
        if (c->reason[0] == '\0')
            CASE_REASON(c, "no sample succeeded");
    } else if (c->status == CASE_OK && c->failures > 0) {
        char first[sizeof(c->reason)];
        snprintf(first, sizeof(first), "%s", c->reason);
        CASE_REASON(c, "%" PRIu64 " samples failed; first: %s", c->failures, first);
    }
    if (st->obs && st->obs->case_done)
        st->obs->case_done(c, st->obs->ctx);
}

void runner_partial_reason(const struct run_results *r, char *buf, size_t len)
{
    int sig = r->interrupted_signal;
    snprintf(buf, len, "interrupted by %s after %zu of %zu cases finished",
             sig == SIGINT    ? "SIGINT"
             : sig == SIGTERM ? "SIGTERM"
                              : "a signal",
             r->case_count, r->cases_selected);
}

/* After an interrupt: keeps in r only the cases that finished (in their
 * order) and their rounds, renumbering the rounds' case indices. */
static void keep_finished_cases(struct run_results *r, const struct case_progress *progress)
{
    size_t kept = 0;
    size_t *new_index = calloc(r->case_count ? r->case_count : 1, sizeof(*new_index));
    for (size_t i = 0; i < r->case_count; i++) {
        if (!progress[i].done)
            continue;
        if (new_index)
            new_index[i] = kept;
        r->cases[kept++] = r->cases[i];
    }
    size_t rounds_kept = 0;
    for (size_t k = 0; k < r->round_count && new_index; k++) {
        struct round_record rr = r->rounds[k];
        if (!progress[rr.case_index].done)
            continue;
        rr.case_index = new_index[rr.case_index];
        r->rounds[rounds_kept++] = rr;
    }
    r->round_count = rounds_kept;
    r->case_count = kept;
    free(new_index);
}

int runner_run(struct run_results *r, const struct runner_observer *obs)
{
    struct run_state st = {.r = r, .obs = obs};
    /* Orphans of a round's process come back to us, so none can outlive
     * the run unnoticed. */
    int rc = reaper_become_subreaper();
    if (rc != 0)
        return rc;
    st.progress = calloc(r->case_count ? r->case_count : 1, sizeof(*st.progress));
    size_t *order = st.order = calloc(r->case_count ? r->case_count : 1, sizeof(*order));
    void *report =
        mmap(NULL, sizeof(*st.report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    st.report = report == MAP_FAILED ? NULL : report;
    bool allocated =
        st.progress && order && st.report &&
        histogram_create_shared(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, &st.round_hist) == 0;
    for (int k = 0; k < SECONDARY_COUNT && allocated; k++)
        allocated = histogram_create_shared(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS,
                                            &st.round_secondary[k]) == 0;
    if (!allocated) {
        rc = -ENOMEM;
        goto out;
    }
    st.run_start_ns = clock_now_ns();
    uint64_t random_state = r->config.seed;

    for (size_t i = 0; i < r->case_count; i++) {
        if (r->cases[i].status != CASE_OK) {
            st.progress[i].done = true;
            finish_case(&st, i);
        }
    }
    /* Before any round: which calls create each observed case's children,
     * in an untimed sample of its own (mechanism.h). */
    for (size_t i = 0; i < r->case_count && r->config.observe_mechanism; i++) {
        struct case_result *c = &r->cases[i];
        if (c->status == CASE_OK && c->def.scenario->mechanism_observed && interrupt_signal() == 0)
            mechanism_observe(c, r->config.sample_timeout_ns);
    }
    for (;;) {
        size_t pending = 0;
        for (size_t i = 0; i < r->case_count; i++) {
            if (!st.progress[i].done)
                order[pending++] = i;
        }
        if (pending == 0)
            break;
        for (size_t i = pending; i > 1; i--) {
            size_t j = (size_t)(next_random(&random_state) % i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t k = 0; k < pending && !st.interrupted; k++) {
            st.interrupted = interrupt_signal() != 0;
            if (!st.interrupted)
                run_round(&st, order[k]);
            if (st.progress[order[k]].done)
                finish_case(&st, order[k]);
        }
        if (st.interrupted)
            break;
    }
    r->duration_ns = clock_now_ns() - st.run_start_ns;
    r->cases_selected = r->case_count;
    if (st.interrupted) {
        r->interrupted_signal = interrupt_signal();
        keep_finished_cases(r, st.progress);
    }
out:
    histogram_destroy(st.round_hist);
    for (int k = 0; k < SECONDARY_COUNT; k++)
        histogram_destroy(st.round_secondary[k]);
    if (st.report)
        munmap(st.report, sizeof(*st.report));
    free(st.progress);
    free(order);
    return rc;
}
