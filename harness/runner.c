/*
 * The runner. A run is a series of passes; each pass gives every unfinished
 * case one round, in an order shuffled by the seed. A round sets the case up
 * (untimed), warms it, takes a block of samples, and tears it down, so that
 * no case holds children, descriptors or memory while another one runs.
 * Only the scenario's own critical section is timed; everything the harness
 * does (recording, rusage, progress) happens between samples.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "histogram.h"
#include "placement.h"
#include "runner.h"

/* A case whose samples fail this many times in a row is broken, not noisy. */
#define CONSECUTIVE_FAILURE_LIMIT 3
#define PROGRESS_INTERVAL_NS (100u * 1000000u)
/* Below this many clock reads' worth, a single sample is mostly clock. */
#define CLOCK_FLOOR_FACTOR 100
#define HISTOGRAM_DIGITS 3

/* Per-case bookkeeping the outputs do not need. */
struct case_progress {
    bool done;
    uint64_t consecutive_failures;
    uint64_t ops; /* samples attempted in timed blocks, failed ones included */
    struct usage_per_op self_sum, children_sum;
};

struct run_state {
    struct run_results *r;
    const struct runner_observer *obs;
    struct case_progress *progress;
    struct histogram *round_hist;
    uint64_t run_start_ns;
    uint64_t last_progress_ns;
    uint64_t rounds_done;
};

static void set_reason(struct case_result *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(struct case_result *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
    va_end(ap);
}

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
    if (sc->unavailable) {
        c->status = CASE_SKIPPED;
        set_reason(c, "%s", sc->unavailable);
    } else if (!(sc->placements_supported & PLACEMENT_BIT(c->def.placement))) {
        c->status = CASE_SKIPPED;
        set_reason(c, "%s cannot honour this placement: it has no hook to pin its peer",
                   sc->name);
    } else if (placement_cpus(c->def.placement, &c->parent_cpu, &c->peer_cpu, why,
                              sizeof(why)) != 0) {
        c->status = CASE_SKIPPED;
        set_reason(c, "%s", why);
    }
}

/* Runs every scenario's process_init once per process; see scenario.h. */
static int init_process_state(void)
{
    static int done;
    if (done)
        return 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *sc = scenario_catalogue[i];
        int rc = sc->process_init ? sc->process_init() : 0;
        if (rc != 0)
            return rc;
    }
    done = 1;
    return 0;
}

int runner_init(struct run_results *r, const struct case_def *defs, size_t count)
{
    r->cases = calloc(count ? count : 1, sizeof(*r->cases));
    if (!r->cases)
        return -ENOMEM;
    r->case_count = count;
    int rc = placement_init();
    if (rc == 0)
        rc = init_process_state();
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < count; i++) {
        struct case_result *c = &r->cases[i];
        c->def = defs[i];
        c->status = CASE_OK;
        c->parent_cpu = -1;
        c->peer_cpu = -1;
        if (histogram_create(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, &c->hist) != 0 ||
            histogram_create(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, &c->return_hist) != 0)
            return -ENOMEM;
        check_runnable(c);
    }
    return 0;
}

void runner_free(struct run_results *r)
{
    for (size_t i = 0; i < r->case_count; i++) {
        histogram_destroy(r->cases[i].hist);
        histogram_destroy(r->cases[i].return_hist);
    }
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

/* Runs one sample and files its outcome. Returns the scenario's result. */
static int take_sample(struct run_state *st, struct case_result *c, struct case_progress *cp,
                       struct case_ctx *ctx, bool timed)
{
    struct sample s;
    memset(&s, 0, sizeof(s));
    int rc = c->def.scenario->sample(ctx, &s);
    if (rc != 0) {
        c->failures++;
        cp->consecutive_failures++;
        if (c->reason[0] == '\0')
            set_reason(c, "%s", s.failure[0] ? s.failure : strerror(-rc));
        return rc;
    }
    cp->consecutive_failures = 0;
    if (s.child_maxrss_kb > c->child_maxrss_kb)
        c->child_maxrss_kb = s.child_maxrss_kb;
    if (!timed)
        return 0;
    if (histogram_record(st->round_hist, s.ns) != 0) {
        c->failures++;
        set_reason(c, "a sample took %" PRIu64 " ns, beyond the histogram's one hour", s.ns);
        return -ERANGE;
    }
    moments_add(&c->moments, (double)s.ns);
    if (s.return_ns > 0)
        histogram_record(c->return_hist, s.return_ns);
    return 0;
}

static bool failing(const struct case_progress *cp)
{
    return cp->consecutive_failures >= CONSECUTIVE_FAILURE_LIMIT;
}

/* Warm-up: discarded samples for this round's share of --warmup, at least
 * one, so caches, page tables and the peer are hot when timing starts. */
static void warm_up(struct run_state *st, struct case_result *c, struct case_progress *cp,
                    struct case_ctx *ctx)
{
    uint64_t budget = st->r->config.warmup_ns / st->r->config.rounds;
    uint64_t start = clock_now_ns();
    do {
        take_sample(st, c, cp, ctx, false);
    } while (!failing(cp) && clock_now_ns() - start < budget);
}

/* The timed block of a round. Returns the number of samples attempted. */
static uint64_t sample_block(struct run_state *st, struct case_result *c, struct case_progress *cp,
                             struct case_ctx *ctx)
{
    const struct run_config *cfg = &st->r->config;
    uint64_t want_samples = (cfg->min_samples + cfg->rounds - 1) / cfg->rounds;
    uint64_t want_ns = cfg->min_time_ns / cfg->rounds;
    uint64_t start = clock_now_ns(), now = start, attempted = 0;
    while (!failing(cp)) {
        take_sample(st, c, cp, ctx, true);
        attempted++;
        now = clock_now_ns();
        uint64_t elapsed = now - start;
        if (c->measured_ns + elapsed >= cfg->max_time_ns)
            break;
        if (histogram_count(st->round_hist) >= want_samples && elapsed >= want_ns)
            break;
        report_progress(st, c, histogram_count(st->round_hist), now);
    }
    c->measured_ns += now - start;
    return attempted;
}

static void record_round(struct run_state *st, size_t index, uint64_t start_ns, uint64_t end_ns,
                         uint64_t failures)
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
    stats_compute(st->round_hist, NULL, &s);
    r->rounds[r->round_count++] = (struct round_record){
        .case_index = index,
        .round = (uint32_t)r->cases[index].rounds,
        .sequence = (uint32_t)st->rounds_done,
        .start_ns = start_ns - st->run_start_ns,
        .elapsed_ns = end_ns - start_ns,
        .n = s.n,
        .failures = failures,
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

static void run_round(struct run_state *st, size_t index)
{
    struct case_result *c = &st->r->cases[index];
    struct case_progress *cp = &st->progress[index];
    const struct scenario *sc = c->def.scenario;
    uint64_t start = clock_now_ns();

    int rc = placement_apply(c->def.placement);
    if (rc != 0) {
        c->status = CASE_FAILED;
        set_reason(c, "placement %s: sched_setaffinity failed: %s",
                   c->def.placement == PLACEMENT_FREE ? "free" : "pinned", strerror(-rc));
        cp->done = true;
        return;
    }
    struct case_ctx ctx = {
        .params = c->def.params,
        .peer_cpu = c->def.placement == PLACEMENT_CROSS ? c->peer_cpu : -1,
        .state = NULL,
    };
    char why[sizeof(c->reason) - 8] = "";
    rc = sc->setup ? sc->setup(&ctx, why, sizeof(why)) : 0;
    if (rc != 0) {
        c->status = CASE_FAILED;
        set_reason(c, "setup: %s", why[0] ? why : strerror(-rc));
        cp->done = true;
        placement_restore();
        return;
    }

    histogram_reset(st->round_hist);
    uint64_t failures_before = c->failures;
    warm_up(st, c, cp, &ctx);
    struct rusage self_before, self_after, children_before, children_after;
    getrusage(RUSAGE_SELF, &self_before);
    getrusage(RUSAGE_CHILDREN, &children_before);
    uint64_t attempted = failing(cp) ? 0 : sample_block(st, c, cp, &ctx);
    getrusage(RUSAGE_SELF, &self_after);
    /* Children are counted after teardown: a long-lived peer (a pool worker)
     * is only reaped there, and only then does its CPU time show. */
    if (sc->teardown)
        sc->teardown(&ctx);
    getrusage(RUSAGE_CHILDREN, &children_after);
    placement_restore();

    add_usage(&cp->self_sum, &self_before, &self_after);
    add_usage(&cp->children_sum, &children_before, &children_after);
    cp->ops += attempted;
    histogram_merge(c->hist, st->round_hist);
    record_round(st, index, start, clock_now_ns(), c->failures - failures_before);
    c->rounds++;
    st->rounds_done++;

    if (failing(cp)) {
        c->status = CASE_FAILED;
        char first[sizeof(c->reason)];
        snprintf(first, sizeof(first), "%s", c->reason);
        set_reason(c, "%d samples in a row failed: %s", CONSECUTIVE_FAILURE_LIMIT, first);
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
    stats_compute(c->return_hist, NULL, &c->return_stats);
    c->self = divide_usage(&cp->self_sum, cp->ops);
    c->children = divide_usage(&cp->children_sum, cp->ops);
    c->below_clock_floor =
        c->stats.n > 0 && c->stats.p50_ns < CLOCK_FLOOR_FACTOR * st->r->env.clock_overhead_ns;
    if (c->status == CASE_OK && c->stats.n == 0) {
        c->status = CASE_FAILED;
        if (c->reason[0] == '\0')
            set_reason(c, "no sample succeeded");
    } else if (c->status == CASE_OK && c->failures > 0) {
        char first[sizeof(c->reason)];
        snprintf(first, sizeof(first), "%s", c->reason);
        set_reason(c, "%" PRIu64 " samples failed; first: %s", c->failures, first);
    }
    if (st->obs && st->obs->case_done)
        st->obs->case_done(c, st->obs->ctx);
}

int runner_run(struct run_results *r, const struct runner_observer *obs)
{
    struct run_state st = {.r = r, .obs = obs};
    st.progress = calloc(r->case_count ? r->case_count : 1, sizeof(*st.progress));
    size_t *order = calloc(r->case_count ? r->case_count : 1, sizeof(*order));
    int rc = histogram_create(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, &st.round_hist);
    if (!st.progress || !order || rc != 0) {
        free(st.progress);
        free(order);
        return -ENOMEM;
    }
    st.run_start_ns = clock_now_ns();
    uint64_t random_state = r->config.seed;

    for (size_t i = 0; i < r->case_count; i++) {
        if (r->cases[i].status != CASE_OK) {
            st.progress[i].done = true;
            finish_case(&st, i);
        }
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
        for (size_t k = 0; k < pending; k++) {
            run_round(&st, order[k]);
            if (st.progress[order[k]].done)
                finish_case(&st, order[k]);
        }
    }
    r->duration_ns = clock_now_ns() - st.run_start_ns;
    histogram_destroy(st.round_hist);
    free(st.progress);
    free(order);
    return 0;
}
