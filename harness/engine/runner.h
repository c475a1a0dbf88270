/*
 * The runner: measures every case of a run (runner.c schedules the passes,
 * round.c is a round's process, round_watch.c forks and watches it, holder.c
 * keeps state that outlives rounds). For each case it runs rounds (setup,
 * warm-up, a block of timed samples, teardown) until its median is precise
 * enough for --ci-target after its floors of rounds, samples and time, or
 * its --max-time runs out, or the run's --time-budget does (budget.h plans
 * each pass); rounds of all cases are interleaved in an order shuffled by
 * the run's seed, so slow drift of the machine hits every case alike
 * instead of whichever ran last.
 */
#ifndef PROCBENCH_RUNNER_H
#define PROCBENCH_RUNNER_H

#include "results.h"

/* What the console is told while the run goes on. */
struct runner_progress {
    const struct case_result *current; /* the case whose round is running */
    uint64_t rounds_done;              /* across all cases */
    uint64_t round_samples;            /* samples so far in this round */
    uint64_t elapsed_ns;               /* since the run started */
    uint64_t cases_done, cases_total;  /* cases that ended, of all */
    uint64_t remaining_ns;             /* projected time left (budget.h); 0 not known yet */
    uint64_t budget_ns;                /* --time-budget; 0 none */
};

struct runner_observer {
    /* At the start of every round, then between samples at most every
     * 100 ms; never inside a timed section. */
    void (*progress)(const struct runner_progress *p, void *ctx);
    /* Once per case, when it has all its samples (or failed, or was skipped). */
    void (*case_done)(const struct case_result *c, void *ctx);
    void *ctx;
};

/* TEST ONLY. What a test makes the runner do beside measuring, given in
 * r->config.test_hook (NULL in a real run): the tests of `procbench
 * compare` inject a regression of known size this way
 * (ci/detector, through cli/test_hook.h). */
struct runner_test_hook {
    const char *slow_scenario; /* the scenario slowed down; NULL: none */
    uint64_t slowdown_ns;      /* added to each of its operations, after they were timed */
};

/* Prepares r->cases[i] for every def in defs (copying them) with empty
 * histograms, records the CPUs placements may use, and marks the cases this
 * machine cannot run as skipped, with the reason. (A scenario's
 * process_init runs later, in each round's own process.) Returns 0 or
 * -errno. r->config must already be set. */
int runner_init(struct run_results *r, const struct case_def *defs, size_t count);

/* Measures every case of r, filling statistics, usage and rounds; obs may be
 * NULL. Each step of a round (setup, a sample, teardown) longer than
 * r->config.sample_timeout_ns (0: no limit) kills the round's process group
 * and fails the case. When a SIGINT or SIGTERM is recorded (interrupt.h),
 * the running round is killed, r->interrupted_signal is set, and r->cases and
 * r->rounds keep only the cases that had finished or had at least their
 * floor of rounds (--rounds; those end CASE_END_INTERRUPTED), in their
 * order (r->cases_selected says how many there were). Returns 0 when the run completed or was interrupted
 * (individual cases may still have failed: see their status), -ENOMEM
 * otherwise. */
int runner_run(struct run_results *r, const struct runner_observer *obs);

/* One line for an interrupted run: "interrupted by SIGINT after 3 of 10
 * cases finished", and when some unfinished cases had their floor of rounds
 * and were kept: ", 2 more kept with fewer rounds than planned". */
void runner_partial_reason(const struct run_results *r, char *buf, size_t len);

/* Frees what runner_init() and runner_run() allocated. */
void runner_free(struct run_results *r);

#endif
