/*
 * The runner: the pass scheduler. A run is a series of passes; each pass
 * gives every unfinished case one round, in an order shuffled by the seed,
 * so slow drift of the machine hits every case alike. Each round runs in a
 * process of its own (round.c), forked and watched by round_watch.c; its
 * report and histograms, in shared memory, are merged into the case here
 * once the process is reaped, and the case ends when it has its time,
 * samples and rounds, or a median precise enough for --ci-target.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/clock.h"
#include "histogram.h"
#include "interrupt.h"
#include "pinning.h"
#include "reaper.h"
#include "round.h"
#include "usage.h"

/* splitmix64: small, seedable, and good enough to shuffle a list. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Decides up front which cases cannot run here, so they are reported as
 * skipped with a reason rather than failed. */
static void check_runnable(struct case_result *c)
{
    const struct scenario *sc = c->def.scenario;
    char why[sizeof(c->reason)];
    struct case_ctx probe = {.scenario = sc, .params = c->def.params};
    if (metric_check_list(sc->metrics, SAMPLE_METRICS_MAX, why, sizeof(why)) != 0) {
        c->status = CASE_FAILED;
        CASE_REASON(c, "%s declares its metrics wrongly: %s", sc->name, why);
    } else if (analysis_check_list(sc->analyses, ANALYSES_MAX, why, sizeof(why)) != 0) {
        c->status = CASE_FAILED;
        CASE_REASON(c, "%s declares its analyses wrongly: %s", sc->name, why);
    } else if (sc->unavailable) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s", sc->unavailable);
    } else if (sc->case_unavailable && sc->case_unavailable(&probe) != 0) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s", probe.failure);
    } else if (!(sc->placements_supported & PLACEMENT_BIT(c->def.placement))) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s cannot honour this placement: it has no hook to pin its peer", sc->name);
    } else if (pinning_cpus(c->def.placement, &c->parent_cpu, &c->peer_cpu, why, sizeof(why)) !=
               0) {
        c->status = CASE_SKIPPED;
        CASE_REASON(c, "%s", why);
    }
}

/* Every histogram of the run lives in one MAP_SHARED region, sized from
 * the metrics the cases' scenarios declare: per case one slot for the
 * primary metric and one per declared metric, then the slots of the round
 * in progress (its primary metric and the most metrics any case declares).
 * Shared, because a round's process fills the round's slots and because
 * fork() copies no page tables of a shared mapping; one region, because
 * fork() duplicates every mapping: with one mapping per histogram, a run of
 * 429 cases made the round's process carry 1,700 of them, and fork_only
 * measured 2.0 ms instead of 0.25 ms. This way the process every fork() is
 * measured from is the same size whatever the run holds. */
static size_t slot_bytes(void)
{
    return histogram_footprint(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS);
}

static int place_histogram(char **next, struct histogram **out)
{
    int rc = histogram_init_in(*next, slot_bytes(), HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, out);
    *next += slot_bytes();
    return rc;
}

/* The arena, with every case's histograms placed in it; the round's slots
 * start at *round_slots. */
static int allocate_histogram_arena(struct run_results *r, char **round_slots)
{
    size_t slots = 0, most = 0;
    for (size_t i = 0; i < r->case_count; i++) {
        size_t declared = scenario_metric_count(r->cases[i].def.scenario);
        slots += 1 + declared;
        most = declared > most ? declared : most;
    }
    size_t bytes = slot_bytes() * (slots + 1 + most);
    void *arena = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED)
        return -ENOMEM;
    r->histogram_arena = arena;
    r->histogram_arena_bytes = bytes;
    char *next = arena;
    int rc = 0;
    for (size_t i = 0; i < r->case_count && rc == 0; i++) {
        struct case_result *c = &r->cases[i];
        rc = place_histogram(&next, &c->hist);
        size_t declared = scenario_metric_count(c->def.scenario);
        for (size_t m = 0; m < declared && rc == 0; m++)
            rc = place_histogram(&next, &c->metric[m].hist);
    }
    *round_slots = next;
    return rc;
}

/* The round's histograms in the arena's last slots. */
static int place_round_histograms(struct run_state *st, char *round_slots)
{
    size_t end = st->r->histogram_arena_bytes;
    char *next = round_slots;
    int rc = place_histogram(&next, &st->round_hist);
    size_t left = (size_t)((char *)st->r->histogram_arena + end - next) / slot_bytes();
    st->round_metric_count = left < SAMPLE_METRICS_MAX ? left : SAMPLE_METRICS_MAX;
    for (size_t m = 0; m < st->round_metric_count && rc == 0; m++)
        rc = place_histogram(&next, &st->round_metric[m]);
    return rc;
}

int runner_init(struct run_results *r, const struct case_def *defs, size_t count)
{
    r->cases = calloc(count ? count : 1, sizeof(*r->cases));
    if (!r->cases)
        return -ENOMEM;
    r->case_count = count;
    for (size_t i = 0; i < count; i++)
        r->cases[i].def = defs[i];
    char *round_slots = NULL;
    int rc = pinning_init();
    if (rc == 0)
        rc = allocate_histogram_arena(r, &round_slots);
    if (rc != 0)
        return rc;
    r->round_histograms = round_slots;
    for (size_t i = 0; i < count; i++) {
        struct case_result *c = &r->cases[i];
        c->status = CASE_OK;
        c->parent_cpu = -1;
        c->peer_cpu = -1;
        for (size_t a = 0; a < ANALYSES_MAX; a++)
            c->analysis[a] = (struct case_analysis){NAN, NAN, NAN};
        check_runnable(c);
    }
    return 0;
}

void runner_free(struct run_results *r)
{
    if (r->histogram_arena)
        munmap(r->histogram_arena, r->histogram_arena_bytes);
    r->histogram_arena = r->round_histograms = NULL;
    free(r->cases);
    free(r->rounds);
    r->cases = NULL;
    r->rounds = NULL;
    r->case_count = r->round_count = r->round_capacity = 0;
}

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

/* Adds the round's report into its case. */
static void merge_round(struct run_state *st, size_t index)
{
    struct case_result *c = &st->r->cases[index];
    struct case_progress *cp = &st->progress[index];
    const struct round_report *rep = st->report;
    histogram_merge(c->hist, st->round_hist);
    size_t declared = scenario_metric_count(c->def.scenario);
    for (size_t m = 0; m < declared && m < st->round_metric_count; m++)
        histogram_merge(c->metric[m].hist, st->round_metric[m]);
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
    usage_add(&cp->self_sum, &rep->self_sum);
    usage_add(&cp->children_sum, &rep->children_sum);
    if (c->reason[0] == '\0' && rep->reason[0] != '\0')
        CASE_REASON(c, "%s", rep->reason);
}

static void run_round(struct run_state *st, size_t index)
{
    struct case_result *c = &st->r->cases[index];
    struct case_progress *cp = &st->progress[index];
    uint64_t start = clock_now_ns();
    round_watch(st, index);
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

    if (round_failing(rep)) {
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
    size_t declared = scenario_metric_count(c->def.scenario);
    for (size_t m = 0; m < declared; m++)
        stats_compute(c->metric[m].hist, NULL, &c->metric[m].stats);
    c->self = usage_per_op(&cp->self_sum, cp->ops);
    c->children = usage_per_op(&cp->children_sum, cp->ops);
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
    snprintf(buf, len, "interrupted by %s after %zu of %zu cases finished", interrupt_name(sig),
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
    struct run_state st = {.r = r, .obs = obs, .harness_pid = getpid()};
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
    bool allocated = st.progress && order && st.report && r->round_histograms &&
                     place_round_histograms(&st, r->round_histograms) == 0;
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
    if (st.report)
        munmap(st.report, sizeof(*st.report));
    free(st.progress);
    free(order);
    return rc;
}
