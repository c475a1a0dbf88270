/*
 * The stopping rule and the planner of budget.h. The one model behind both:
 * a case's interval narrows as one over the square root of its samples
 * (the binomial interval of a median does, for a fixed distribution), its
 * samples come at the rate seen so far, and each round costs its overhead
 * (the round's process, setup, warm-up, teardown) besides its sampling.
 * Projections are only as good as that model; the runner plans again
 * before every pass with what the last one measured.
 */
#include "budget.h"

#include <math.h>

struct budget_rules budget_rules_of(const struct run_config *config, uint64_t prior_overhead_ns)
{
    uint64_t floor = config->rounds ? config->rounds : 1;
    uint64_t round_ns = config->round_ns;
    /* A --min-time spread over the floor of rounds, as before rounds had a
     * time of their own: --min-time 5s --rounds 5 samples 1 s a round. */
    if (config->min_time_ns / floor > round_ns)
        round_ns = config->min_time_ns / floor;
    return (struct budget_rules){
        .target_pct = config->ci_target_pct,
        .floor_rounds = floor,
        .min_samples = config->min_samples,
        .min_time_ns = config->min_time_ns,
        .max_time_ns = config->max_time_ns,
        .round_ns = round_ns,
        .round_max_ns = round_ns * BUDGET_ROUND_GROWTH,
        .prior_overhead_ns = prior_overhead_ns,
    };
}

static bool target_met(const struct budget_rules *rules, const struct budget_case *c)
{
    return c->n >= BUDGET_CI_MIN_SAMPLES && c->ci_pct <= rules->target_pct;
}

enum case_end budget_verdict(const struct budget_rules *rules, const struct budget_case *c)
{
    if (c->rounds < rules->floor_rounds)
        return CASE_END_NONE;
    bool floors = c->n >= rules->min_samples && c->measured_ns >= rules->min_time_ns;
    if (floors && rules->target_pct <= 0)
        return CASE_END_FLOORS;
    if (floors && target_met(rules, c))
        return CASE_END_TARGET;
    if (c->measured_ns >= rules->max_time_ns)
        return CASE_END_MAX_TIME;
    return CASE_END_NONE;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* A double of nanoseconds as a count, saturating rather than overflowing. */
static uint64_t ns_of(double ns)
{
    if (!(ns > 0))
        return 0;
    if (ns >= 1.8e19)
        return UINT64_MAX / 4;
    return (uint64_t)ns;
}

/* What a case still needs, as project() sees it. */
struct projection {
    uint64_t sample_ns; /* sampling time still to come */
    uint64_t timed_ns;  /* the part of it that is not for --min-samples: those the
                         * rounds ask for by count (budget_step.block_samples) */
    uint64_t rounds;    /* rounds still to come */
    uint64_t cost_ns;   /* wall time: sampling plus the rounds' overhead */
    uint64_t floor_rounds_left;
};

static uint64_t overhead_per_round(const struct budget_rules *rules, const struct budget_case *c)
{
    return c->rounds > 0 ? c->overhead_ns / c->rounds : rules->prior_overhead_ns;
}

/* What case c would take to bring its interval to level (percent; at or
 * above BUDGET_NO_CI_PCT: its floors only), its floor rounds sampling
 * floor_block_ns each, within its ceiling. */
static struct projection project(const struct budget_rules *rules, const struct budget_case *c,
                                 double level, uint64_t floor_block_ns)
{
    struct projection p = {0};
    uint64_t ceiling =
        c->measured_ns < rules->max_time_ns ? rules->max_time_ns - c->measured_ns : 0;
    double ns_per_sample = c->n > 0 ? (double)c->measured_ns / (double)c->n : 0;
    p.floor_rounds_left = c->rounds < rules->floor_rounds ? rules->floor_rounds - c->rounds : 0;

    /* The floors: rounds, time and samples. */
    uint64_t need = p.floor_rounds_left * floor_block_ns;
    need = max_u64(need,
                   rules->min_time_ns > c->measured_ns ? rules->min_time_ns - c->measured_ns : 0);
    uint64_t samples_ns = 0;
    if (c->n < rules->min_samples)
        samples_ns = ns_of((double)(rules->min_samples - c->n) * ns_per_sample);

    /* The target, unless the interval is already within level. */
    bool wants_target = rules->target_pct > 0 && level < BUDGET_NO_CI_PCT && !target_met(rules, c);
    if (wants_target && c->ci_pct > level) {
        if (c->n >= BUDGET_CI_MIN_SAMPLES && c->ci_pct < BUDGET_NO_CI_PCT) {
            double ratio = c->ci_pct / level;
            need = max_u64(need, ns_of((double)c->measured_ns * (ratio * ratio - 1.0)));
        } else if (c->rounds > 0) {
            /* No interval yet: at least the samples that give one. */
            need = max_u64(need,
                           max_u64(rules->round_ns,
                                   ns_of((double)(BUDGET_CI_MIN_SAMPLES - c->n) * ns_per_sample)));
        }
    }
    p.timed_ns = min_u64(need, ceiling);
    need = min_u64(max_u64(need, samples_ns), ceiling);
    p.sample_ns = need;
    /* Without a round time (0: rounds are counted in samples), one round
     * takes whatever is needed. */
    uint64_t longest = rules->round_max_ns > 0 ? rules->round_max_ns : UINT64_MAX / 2;
    p.rounds = max_u64(p.floor_rounds_left, need / longest + (need % longest != 0));
    p.cost_ns = need + p.rounds * overhead_per_round(rules, c);
    return p;
}

/* Fills a step from its projection. */
static struct budget_step step_of(const struct budget_rules *rules, const struct budget_case *c,
                                  const struct projection *p, uint64_t floor_block_ns)
{
    struct budget_step s = {.run = p->rounds > 0, .cost_ns = p->cost_ns};
    if (!s.run)
        return s;
    uint64_t lower = p->floor_rounds_left > 0 ? floor_block_ns : rules->round_ns;
    uint64_t block = p->timed_ns / p->rounds;
    block = block < lower ? lower : block;
    block =
        block > rules->round_max_ns && rules->round_max_ns >= lower ? rules->round_max_ns : block;
    uint64_t ceiling =
        c->measured_ns < rules->max_time_ns ? rules->max_time_ns - c->measured_ns : 0;
    s.block_ns = min_u64(block, ceiling);
    /* The samples still missing, shared among the rounds still to come. */
    uint64_t missing = c->n < rules->min_samples ? rules->min_samples - c->n : 0;
    s.block_samples = (missing + p->rounds - 1) / p->rounds;
    if (s.block_samples == 0)
        s.block_samples = 1;
    return s;
}

/* Projected wall time of all cases at level. */
static uint64_t total_cost(const struct budget_rules *rules, const struct budget_case *cases,
                           size_t count, double level, uint64_t floor_block_ns)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t cost = project(rules, &cases[i], level, floor_block_ns).cost_ns;
        sum = sum > UINT64_MAX - cost ? UINT64_MAX : sum + cost;
    }
    return sum;
}

uint64_t budget_plan(const struct budget_rules *rules, const struct budget_case *cases,
                     size_t count, uint64_t remaining_ns, struct budget_step *steps)
{
    uint64_t floor_block = rules->round_ns;
    double level = rules->target_pct > 0 ? rules->target_pct : BUDGET_NO_CI_PCT;
    uint64_t total = total_cost(rules, cases, count, level, floor_block);
    bool trimmed = total > remaining_ns;
    if (trimmed) {
        /* Not everything fits: the narrowest level every interval can be
         * brought to. Costs fall as the level rises, so bisect (on a log
         * scale: levels span from a tenth of a percent to hundreds). */
        double widest = 0;
        for (size_t i = 0; i < count; i++) {
            if (cases[i].ci_pct < BUDGET_NO_CI_PCT && cases[i].ci_pct > widest)
                widest = cases[i].ci_pct;
        }
        double low = level, high = widest > level ? widest : level;
        if (total_cost(rules, cases, count, high, floor_block) > remaining_ns) {
            level = BUDGET_NO_CI_PCT; /* the floors alone, and maybe not even them */
        } else {
            for (int k = 0; k < 60; k++) {
                double mid = sqrt(low * high);
                if (total_cost(rules, cases, count, mid, floor_block) > remaining_ns)
                    low = mid;
                else
                    high = mid;
            }
            level = high;
        }
        total = total_cost(rules, cases, count, level, floor_block);
    }
    if (total > remaining_ns) {
        /* The floors alone overrun: their rounds sample for less, in
         * proportion, down to a single sample (block 0). */
        uint64_t overhead = 0, sampling = 0;
        for (size_t i = 0; i < count; i++) {
            struct projection p = project(rules, &cases[i], level, floor_block);
            overhead += p.rounds * overhead_per_round(rules, &cases[i]);
            sampling += p.floor_rounds_left * floor_block;
        }
        double share = remaining_ns > overhead && sampling > 0
                           ? (double)(remaining_ns - overhead) / (double)sampling
                           : 0.0;
        floor_block = share < 1.0 ? ns_of((double)floor_block * share) : floor_block;
        total = total_cost(rules, cases, count, level, floor_block);
    }
    for (size_t i = 0; i < count; i++) {
        struct projection p = project(rules, &cases[i], level, floor_block);
        if (p.rounds == 0 && !trimmed) {
            /* Unfinished by the stopping rule yet nothing left by the model
             * (all its samples failed, say): one more round decides. */
            p.rounds = 1;
            p.sample_ns = p.timed_ns = rules->round_ns;
            p.cost_ns = p.sample_ns + overhead_per_round(rules, &cases[i]);
            total += p.cost_ns;
        }
        steps[i] = step_of(rules, &cases[i], &p, floor_block);
    }
    return total;
}
