/*
 * When a case has been measured enough, and how a run spends its time: the
 * stopping rule (a case ends once its median's 95% interval is within the
 * target, after its floors of rounds, samples and time; or at its ceiling
 * of measured time) and the planner that, before each pass, decides how
 * long each unfinished case samples in its next round, which cases a
 * --time-budget can no longer afford, and how long the rest of the run will
 * take. Pure functions of the numbers given: no clock, no process, so that
 * tests can drive them with synthetic rounds and check exact outcomes.
 */
#ifndef PROCBENCH_BUDGET_H
#define PROCBENCH_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* An interval that cannot be known yet (fewer than 6 samples, a median of
 * 0): at or above this, a case is as imprecise as it gets. */
#define BUDGET_NO_CI_PCT 1e9
/* Fewest samples whose median has an interval narrower than [min, max]. */
#define BUDGET_CI_MIN_SAMPLES 6
/* A round samples at most this many times --round-time, when a case needs
 * much more than its floor: longer rounds pay their setup less often. */
#define BUDGET_ROUND_GROWTH 5

/* The rules of a run, from its configuration (budget_rules_of()). */
struct budget_rules {
    double target_pct;          /* stop once the median's 95% CI half-width is within; 0: none */
    uint64_t floor_rounds;      /* rounds every case runs, whatever its precision (>= 1) */
    uint64_t min_samples;       /* samples every case takes */
    uint64_t min_time_ns;       /* measured time every case takes */
    uint64_t max_time_ns;       /* ceiling of measured time per case; reached, the case ends */
    uint64_t round_ns;          /* sampling time of a round */
    uint64_t round_max_ns;      /* longest sampling time of a round */
    uint64_t prior_overhead_ns; /* a round's cost beside sampling, for a case not run yet */
};

/* The rules of config (ci target, floors, ceiling, round time). prior is the
 * per-round overhead assumed for cases that have not run yet. */
struct budget_rules budget_rules_of(const struct run_config *config, uint64_t prior_overhead_ns);

/* What the planner knows of one case so far. */
struct budget_case {
    uint64_t rounds;      /* rounds run */
    uint64_t n;           /* samples taken */
    uint64_t measured_ns; /* sampling time, summed over its rounds */
    uint64_t overhead_ns; /* the rest of its rounds' wall time: setup, warm-up, teardown */
    double ci_pct;        /* its median's 95% CI half-width, percent; BUDGET_NO_CI_PCT unknown */
};

/* The stopping rule, after a round: CASE_END_NONE while the case must go
 * on; CASE_END_TARGET when its floors are met and its interval is within
 * the target; CASE_END_FLOORS when there is no target and its floors are
 * met; CASE_END_MAX_TIME when its measured time reached the ceiling first.
 * The floor of rounds comes before the ceiling: a case whose samples are
 * longer than the ceiling still gets its floor of rounds, of one sample. */
enum case_end budget_verdict(const struct budget_rules *rules, const struct budget_case *c);

/* The plan of one case for the coming pass. */
struct budget_step {
    bool run;               /* false: the time budget cannot afford it, end it now */
    uint64_t block_ns;      /* sample for at least this long in the round ... */
    uint64_t block_samples; /* ... and at least this many samples */
    uint64_t cost_ns;       /* projected wall time until the case ends */
};

/* Plans the next pass for cases[0..count), all unfinished. remaining_ns is
 * what is left of the run's time budget, UINT64_MAX without one. Each case
 * is projected to need the sampling time that brings its interval to the
 * target (an interval narrows as one over the square root of the samples,
 * and samples come at the rate seen so far), its floors, within its
 * ceiling, in rounds of round_ns to round_max_ns, each costing its overhead
 * besides. When that does not fit in remaining_ns, the widest intervals are
 * narrowed first: the planner finds the narrowest common level L above the
 * target to which every interval can be brought within the budget, and
 * cases already at L or narrower stop (run false) once past their floors.
 * When even the floors do not fit, their rounds sample for less (at least
 * one sample). Fills steps[0..count) and returns the projected wall time of
 * the rest of the run. */
uint64_t budget_plan(const struct budget_rules *rules, const struct budget_case *cases,
                     size_t count, uint64_t remaining_ns, struct budget_step *steps);

#endif
