/*
 * What the runner (runner.c, in the harness's process), a round's process
 * (round.c) and the watch over it (round_watch.c) share: the report a round
 * writes into memory shared with the harness, the run's state, and the
 * limits that decide when a round or a case has failed. Internal to the
 * engine: nothing outside harness/engine/ includes it.
 */
#ifndef PROCBENCH_ROUND_H
#define PROCBENCH_ROUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/reason.h"
#include "runner.h"

struct holder;

/* A case whose samples fail this many times in a row is broken, not noisy. */
#define CONSECUTIVE_FAILURE_LIMIT 3
/* The console hears of a round at most this often. */
#define PROGRESS_INTERVAL_NS (100u * 1000000u)
/* Below this many clock reads' worth, a single sample is mostly clock. */
#define CLOCK_FLOOR_FACTOR 100
#define HISTOGRAM_DIGITS   3

/* Per-case bookkeeping the outputs do not need. */
struct case_progress {
    bool done;
    uint64_t ops; /* operations attempted in timed blocks, failed ones included */
    struct usage_per_op self_sum, children_sum;
    double peer_cpu_ns_sum;
    uint64_t bytes, bytes_ns;   /* payload, and the time of the samples that moved it */
    uint64_t wall_ops, wall_ns; /* operations of the timed samples that succeeded, and their time */
    uint64_t overhead_ns;       /* wall time of its rounds beside sampling (budget.h) */
    double ci_pct;              /* its median's interval after its last round, percent */
    char hold_key[96];          /* the scenario's hold_key(), "" when nothing is held */
    size_t group;               /* the first case it takes its rounds beside (runner.c) */
};

/* What the harness asks of a round, set before the round's process starts
 * and read by it from the shared report: everything that changes from round
 * to round comes this way, since a round forked from a holder (holder.h)
 * sees the harness's memory as it was when the holder started. */
struct round_plan {
    uint64_t warmup_ns;     /* warm-up: at least one sample */
    uint64_t block_ns;      /* sample at least this long ... */
    uint64_t block_samples; /* ... and at least this many samples ... */
    uint64_t ceiling_ns;    /* ... but stop past this (what --max-time leaves), after one sample */
    /* For the progress line, as of the round's start: */
    uint64_t rounds_done, cases_done, cases_total;
    uint64_t remaining_ns; /* projected time left in the run; 0 unknown */
    uint64_t budget_ns;    /* --time-budget; 0 none */
    uint64_t started_ns;   /* when the round started, since the run started */
};

/* What one round produced, written by the round's process into memory shared
 * with the harness. */
struct round_report {
    struct round_plan plan; /* written by the harness before the round starts */
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


struct run_state {
    struct run_results *r;
    const struct runner_observer *obs;
    struct case_progress *progress;
    /* Shared with each round's process: */
    struct round_report *report;
    struct histogram *round_hist; /* the primary metric, per operation */
    /* The round's declared metrics, by index into its scenario's metrics;
     * as many as the most any case of the run declares. */
    struct histogram *round_metric[SAMPLE_METRICS_MAX];
    size_t round_metric_count;
    uint64_t run_start_ns;
    uint64_t last_progress_ns;
    uint64_t rounds_done;
    struct round_plan plan;    /* the next round's; round_watch() hands it over in the report */
    struct holder *holder;     /* the holder process alive, or NULL (holder.h) */
    /* The parent of every round's process: the harness, or, in a holder's
     * copy of this state, the holder (which forks the rounds it holds for). */
    pid_t harness_pid;
    uint64_t test_slowdown_ns; /* TEST ONLY: the run's test hook, for the round's scenario */
    bool interrupted;          /* a SIGINT, SIGTERM or SIGHUP stopped the run */
    /* The order of a pass. Here rather than a local of runner_run, so that
     * a round's process, which _exit()s holding a copy, still points at it
     * (valgrind would call it lost). */
    size_t *order;
};

/* Reasons are formatted by reason_format(), so that whatever a scenario or
 * an input put in them, they stay one line. */
#define CASE_REASON(c, ...)    reason_format((c)->reason, sizeof((c)->reason), __VA_ARGS__)
#define ROUND_REASON(rep, ...) reason_format((rep)->reason, sizeof((rep)->reason), __VA_ARGS__)

/* Marks a change of phase, which is also a sign of life for the watch. */
static inline void round_set_phase(struct round_report *rep, enum round_phase phase)
{
    __atomic_store_n(&rep->phase, (int)phase, __ATOMIC_RELAXED);
    __atomic_add_fetch(&rep->heartbeat, 1, __ATOMIC_RELAXED);
}

/* Too many samples in a row have failed: the case is broken, not noisy. */
static inline bool round_failing(const struct round_report *rep)
{
    return rep->consecutive_failures >= CONSECUTIVE_FAILURE_LIMIT;
}

/* The whole life of round st->r->cases[index] in the calling process (a
 * child the watch forked): placement, setup, warm-up, the timed block,
 * teardown, the check that nothing was left behind. Fills st->report and
 * the round histograms, then _exit()s. */
_Noreturn void round_process(struct run_state *st, size_t index);

/* Forks the round's process for case index (or has the holder of its held
 * state fork it, starting that holder first if need be: holder.h), hands it
 * st->plan through the report, and waits for it, killing it on a
 * --sample-timeout or an interrupt. Whatever went wrong (no process could
 * be made, it crashed, timed out, left processes behind, its holder failed
 * or died) is in st->report as setup_failed or leaked, with the reason; an
 * interrupt sets st->interrupted. */
void round_watch(struct run_state *st, size_t index);

#endif
