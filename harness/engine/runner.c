/*
 * The runner: the pass scheduler. A run is a series of passes; each pass
 * gives every unfinished case one round, in an order shuffled by the seed,
 * so slow drift of the machine hits every case alike (the cases that share
 * a holder, holder.h, take their rounds one after the other within the
 * pass, so that its state is made once). Before each pass the planner
 * (budget.h) says how long each case samples in its round and which ones
 * the --time-budget can no longer afford. Each round runs in a process of
 * its own (round.c), forked and watched by round_watch.c; its report and
 * histograms, in shared memory, are merged into the case here once the
 * process is reaped, and the stopping rule (budget.h) decides whether the
 * case has what it needs.
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

#include "arena.h"
#include "base/case_label.h"
#include "base/clock.h"
#include "base/grow.h"
#include "budget.h"
#include "histogram.h"
#include "holder.h"
#include "interrupt.h"
#include "mechanism.h"
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
        rc = arena_allocate(r, &round_slots);
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
    struct round_record *bigger =
        grow_for_one(r->rounds, &r->round_capacity, r->round_count, sizeof(*bigger), 64);
    if (bigger == NULL)
        return; /* the round still counts; only its line in rounds.csv is lost */
    r->rounds = bigger;
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

/* The case as the stopping rule and the planner see it. */
static struct budget_case budget_case_of(const struct case_result *c, const struct case_progress *cp)
{
    return (struct budget_case){
        .rounds = c->rounds,
        .n = histogram_count(c->hist),
        .measured_ns = c->measured_ns,
        .overhead_ns = cp->overhead_ns,
        .ci_pct = cp->ci_pct,
    };
}

/* Per-round overhead of the cases run so far, for those not run yet. */
#define PRIOR_OVERHEAD_NS (5u * 1000000u)

static struct budget_rules rules_of(const struct run_state *st)
{
    uint64_t rounds = 0, overhead = 0;
    for (size_t i = 0; i < st->r->case_count; i++) {
        rounds += st->r->cases[i].rounds;
        overhead += st->progress[i].overhead_ns;
    }
    return budget_rules_of(&st->r->config, rounds ? overhead / rounds : PRIOR_OVERHEAD_NS);
}

/* Ends case index, for why. */
static void end_case(struct run_state *st, size_t index, enum case_end why)
{
    st->r->cases[index].end = why;
    st->progress[index].done = true;
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
        return; /* the round does not count; the case may still be kept */
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
    uint64_t end = clock_now_ns();
    record_round(st, index, start, end);
    c->rounds++;
    st->rounds_done++;
    /* What the round cost beside its sampling, with the start of a holder
     * if it had to start one: a holder starts anew each pass, its cost paid
     * by whichever case of its group comes first. */
    uint64_t wall = end - start;
    cp->overhead_ns += wall > rep->measured_ns ? wall - rep->measured_ns : 0;
    struct stats s;
    stats_compute_median(c->hist, &s);
    cp->ci_pct = s.n >= BUDGET_CI_MIN_SAMPLES ? stats_median_ci_percent(&s) : BUDGET_NO_CI_PCT;

    if (round_failing(rep)) {
        c->status = CASE_FAILED;
        CASE_REASON(c, "%d samples in a row failed: %s", CONSECUTIVE_FAILURE_LIMIT, rep->reason);
        cp->done = true;
    } else {
        struct budget_rules rules = rules_of(st);
        struct budget_case bc = budget_case_of(c, cp);
        enum case_end verdict = budget_verdict(&rules, &bc);
        if (verdict != CASE_END_NONE)
            end_case(st, index, verdict);
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
    double ci = stats_median_ci_percent(&c->stats);
    c->p50_ci_pct = c->stats.n > 0 && ci < BUDGET_NO_CI_PCT ? ci : NAN;
    c->ci_target_set = st->r->config.ci_target_pct > 0;
    c->ci_target_met = c->ci_target_set && c->stats.n >= BUDGET_CI_MIN_SAMPLES &&
                       c->p50_ci_pct <= st->r->config.ci_target_pct;
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
    size_t kept = r->cases_kept_unfinished;
    int used = snprintf(buf, len, "interrupted by %s after %zu of %zu cases finished",
                        interrupt_name(sig), r->case_count - kept, r->cases_selected);
    if (kept > 0 && used > 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, ", %zu more kept with fewer rounds than planned",
                 kept);
}

/* After an interrupt: the cases that had not finished but had their floor
 * of rounds are finished as they are, marked CASE_END_INTERRUPTED: a case
 * with fewer rounds than the floor would look measured and is not. Then r
 * keeps only the finished cases (in their order) and their rounds,
 * renumbering the rounds' case indices. */
static void keep_finished_cases(struct run_state *st)
{
    struct run_results *r = st->r;
    struct case_progress *progress = st->progress;
    for (size_t i = 0; i < r->case_count; i++) {
        struct case_result *c = &r->cases[i];
        if (progress[i].done || c->status != CASE_OK || c->rounds == 0 ||
            c->rounds < r->config.rounds || histogram_count(c->hist) == 0)
            continue;
        end_case(st, i, CASE_END_INTERRUPTED);
        finish_case(st, i);
        r->cases_kept_unfinished++;
    }
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

/* Whether cases a and b take their rounds side by side in a pass: they
 * share a holder (so that it starts once a pass), or, holding nothing,
 * differ only by their scenario within one family (family.a{X} and
 * family.b{X}: two spawn mechanisms, two transports). A VM's state drifts
 * over seconds (here 20-30% between a fast and a slow state); rounds run
 * side by side share it, so it falls out of the ratios and claims that
 * compare such cases (analysis/round_ratio.h pairs their rounds by pass). */
static bool same_group(const struct run_state *st, size_t a, size_t b)
{
    const char *key_a = st->progress[a].hold_key, *key_b = st->progress[b].hold_key;
    if (key_a[0] != '\0' || key_b[0] != '\0')
        return strcmp(key_a, key_b) == 0;
    const char *name_a = st->r->cases[a].def.name, *name_b = st->r->cases[b].def.name;
    const char *params_a = strchr(name_a, '{'), *params_b = strchr(name_b, '{');
    return case_name_same_family(name_a, name_b) && params_a && params_b &&
           strcmp(params_a, params_b) == 0;
}

/* Gives each case the index of the first case of its group (same_group). */
static void find_groups(struct run_state *st)
{
    for (size_t i = 0; i < st->r->case_count; i++) {
        size_t first = 0;
        while (first < i && !same_group(st, first, i))
            first++;
        st->progress[i].group = first;
    }
}

/* Shuffles order[0..count) with the seed's generator, then brings the cases
 * of a group (same_group) together, at the place of the first of them.
 * Within a group, and among the groups, the shuffled order stays. */
static void order_pass(struct run_state *st, size_t *order, size_t count, uint64_t *random_state)
{
    for (size_t i = count; i > 1; i--) {
        size_t j = (size_t)(next_random(random_state) % i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    size_t *grouped = malloc((count ? count : 1) * sizeof(*grouped));
    bool *placed = calloc(count ? count : 1, sizeof(*placed));
    if (!grouped || !placed) {
        free(grouped);
        free(placed);
        return; /* shuffled but not grouped: holders restart more often */
    }
    size_t n = 0;
    for (size_t k = 0; k < count; k++) {
        if (placed[k])
            continue;
        size_t group = st->progress[order[k]].group;
        for (size_t m = k; m < count; m++) {
            if (!placed[m] && st->progress[order[m]].group == group) {
                grouped[n++] = order[m];
                placed[m] = true;
            }
        }
    }
    memcpy(order, grouped, count * sizeof(*order));
    free(grouped);
    free(placed);
}

/* Plans the pass over order[0..count) (budget.h): ends the cases the
 * budget cannot afford, fills steps[i] of the others, and returns the
 * projected time left in the run. */
static uint64_t plan_pass(struct run_state *st, const size_t *order, size_t count,
                          struct budget_step *steps, struct budget_case *scratch,
                          struct budget_step *scratch_steps)
{
    const struct run_config *cfg = &st->r->config;
    struct budget_rules rules = rules_of(st);
    for (size_t k = 0; k < count; k++)
        scratch[k] = budget_case_of(&st->r->cases[order[k]], &st->progress[order[k]]);
    uint64_t elapsed = clock_now_ns() - st->run_start_ns;
    uint64_t remaining = cfg->time_budget_ns == 0 ? UINT64_MAX
                         : cfg->time_budget_ns > elapsed ? cfg->time_budget_ns - elapsed
                                                         : 0;
    uint64_t projected = budget_plan(&rules, scratch, count, remaining, scratch_steps);
    for (size_t k = 0; k < count; k++) {
        steps[order[k]] = scratch_steps[k];
        if (!scratch_steps[k].run)
            end_case(st, order[k], CASE_END_BUDGET);
    }
    return projected;
}

/* The round plan of case index, and the progress figures with it. */
static void set_plan(struct run_state *st, size_t index, const struct budget_step *step,
                     uint64_t remaining_ns)
{
    const struct run_config *cfg = &st->r->config;
    const struct case_result *c = &st->r->cases[index];
    size_t done = 0;
    for (size_t i = 0; i < st->r->case_count; i++)
        done += st->progress[i].done;
    uint64_t floor = cfg->rounds ? cfg->rounds : 1;
    st->plan = (struct round_plan){
        .warmup_ns = cfg->warmup_ns / floor,
        .block_ns = step->block_ns,
        .block_samples = step->block_samples,
        .ceiling_ns = c->measured_ns < cfg->max_time_ns ? cfg->max_time_ns - c->measured_ns : 0,
        .rounds_done = st->rounds_done,
        .cases_done = done,
        .cases_total = st->r->case_count,
        .remaining_ns = remaining_ns,
        .budget_ns = cfg->time_budget_ns,
        .started_ns = clock_now_ns() - st->run_start_ns,
    };
    if (st->obs && st->obs->progress) {
        struct runner_progress p = {
            .current = c,
            .rounds_done = st->plan.rounds_done,
            .elapsed_ns = st->plan.started_ns,
            .cases_done = done,
            .cases_total = st->r->case_count,
            .remaining_ns = remaining_ns,
            .budget_ns = cfg->time_budget_ns,
        };
        st->obs->progress(&p, st->obs->ctx);
    }
}

/* Reads each case's hold key from its scenario (none with --no-hold). */
static void read_hold_keys(struct run_state *st)
{
    for (size_t i = 0; i < st->r->case_count; i++) {
        const struct case_result *c = &st->r->cases[i];
        const struct scenario *sc = c->def.scenario;
        char *key = st->progress[i].hold_key;
        key[0] = '\0';
        if (!st->r->config.hold || !sc->hold_key || !sc->hold || c->status != CASE_OK)
            continue;
        if (!sc->hold_key(c->def.params, key, sizeof(st->progress[i].hold_key)))
            key[0] = '\0';
    }
}

int runner_run(struct run_results *r, const struct runner_observer *obs)
{
    struct run_state st = {.r = r, .obs = obs, .harness_pid = getpid()};
    /* Orphans of a round's process come back to us, so none can outlive
     * the run unnoticed. */
    int rc = reaper_become_subreaper();
    if (rc != 0)
        return rc;
    size_t slots = r->case_count ? r->case_count : 1;
    st.progress = calloc(slots, sizeof(*st.progress));
    size_t *order = st.order = calloc(slots, sizeof(*order));
    struct budget_step *steps = calloc(slots, sizeof(*steps));
    struct budget_step *scratch_steps = calloc(slots, sizeof(*scratch_steps));
    struct budget_case *scratch = calloc(slots, sizeof(*scratch));
    void *report =
        mmap(NULL, sizeof(*st.report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    st.report = report == MAP_FAILED ? NULL : report;
    bool allocated = st.progress && order && steps && scratch_steps && scratch && st.report &&
                     r->round_histograms && arena_place_round(&st, r->round_histograms) == 0;
    if (!allocated) {
        rc = -ENOMEM;
        goto out;
    }
    st.run_start_ns = clock_now_ns();
    uint64_t random_state = r->config.seed;
    read_hold_keys(&st);
    find_groups(&st);

    for (size_t i = 0; i < r->case_count; i++) {
        st.progress[i].ci_pct = BUDGET_NO_CI_PCT;
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
        uint64_t projected = plan_pass(&st, order, pending, steps, scratch, scratch_steps);
        bool all_started = true;
        size_t running = 0;
        for (size_t k = 0; k < pending; k++) {
            if (st.progress[order[k]].done) {
                finish_case(&st, order[k]); /* the budget ended it */
                continue;
            }
            all_started = all_started && r->cases[order[k]].rounds > 0;
            order[running++] = order[k];
        }
        order_pass(&st, order, running, &random_state);
        uint64_t pass_start = clock_now_ns();
        for (size_t k = 0; k < running && !st.interrupted; k++) {
            size_t i = order[k];
            st.interrupted = interrupt_signal() != 0;
            if (st.interrupted)
                break;
            uint64_t now = clock_now_ns();
            uint64_t spent = now - pass_start;
            /* Over budget: what has its floor of rounds stops now. */
            if (r->config.time_budget_ns > 0 &&
                now - st.run_start_ns >= r->config.time_budget_ns &&
                r->cases[i].rounds >= (r->config.rounds ? r->config.rounds : 1)) {
                end_case(&st, i, CASE_END_BUDGET);
            } else {
                /* Not known until every case has had a round to go by. */
                uint64_t remaining = !all_started     ? 0
                                     : projected > spent ? projected - spent
                                                         : 1;
                set_plan(&st, i, &steps[i], remaining);
                run_round(&st, i);
            }
            if (st.progress[i].done)
                finish_case(&st, i);
        }
        /* A new holder every pass. Where a ballast's pages lie in physical
         * memory moves fork()'s cost by up to a third here (the kernel walks
         * their page structures; README, Held ballast), and each build
         * lands wherever the free memory is: a holder kept for the whole
         * run would give every round of its cases one such draw, a fresh
         * ballast draws anew each round. One a pass lets the rounds, and
         * so the case's interval, see how much it varies. */
        holder_stop(&st);
        if (st.interrupted)
            break;
    }
    r->duration_ns = clock_now_ns() - st.run_start_ns;
    r->cases_selected = r->case_count;
    if (st.interrupted) {
        r->interrupted_signal = interrupt_signal();
        keep_finished_cases(&st);
    }
out:
    holder_stop(&st);
    if (st.report)
        munmap(st.report, sizeof(*st.report));
    free(st.progress);
    free(order);
    free(steps);
    free(scratch_steps);
    free(scratch);
    return rc;
}
