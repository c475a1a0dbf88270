/*
 * The data model of a run: the cases that were selected, what the runner
 * measured for each (histograms, moments, rusage, rounds), and the run's
 * environment and configuration. The runner fills it; the writers and the
 * console read it and never measure anything themselves.
 */
#ifndef PROCBENCH_RESULTS_H
#define PROCBENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "stats.h"
#include "sysinfo.h"

struct histogram;
struct runner_test_hook;

/* Version of the results.json layout, which the writers write and the
 * readers check; bump when a field changes meaning. */
#define RESULTS_SCHEMA_VERSION 1

/* The header line of rounds.csv, which its writer writes and its readers
 * check. */
#define RESULTS_ROUNDS_CSV_HEADER                                                                  \
    "case,round,sequence,start_ns,elapsed_ns,n,failures,min,p50,max,mean"

/* Longest canonical case name: "family.name{p1=v1,...,placement=same}". */
#define CASE_NAME_MAX 256

/* One case: a scenario with one value per parameter and one placement. */
struct case_def {
    const struct scenario *scenario;
    struct param_value params[PARAMS_MAX_PER_SCENARIO]; /* one per parameter, in spec order */
    size_t param_count;
    enum placement placement;
    char name[CASE_NAME_MAX]; /* canonical: scenario{p1=v1,...,placement=x} */
};

/* Resource use per operation, from getrusage() deltas over the timed rounds
 * (the parent) and over reaped children. */
struct usage_per_op {
    double user_ns, sys_ns; /* CPU time */
    double minflt, majflt;  /* page faults */
    double nvcsw, nivcsw;   /* voluntary / involuntary context switches */
};

enum case_status {
    CASE_OK,      /* measured */
    CASE_FAILED,  /* setup or samples failed; reason says why */
    CASE_SKIPPED, /* unavailable here (reason says why); not an error */
};

/* "ok", "failed", "skipped": as written in every output. */
const char *case_status_name(enum case_status status);

/* Why a measured case stopped taking rounds (harness/engine/budget.h). */
enum case_end {
    CASE_END_NONE,        /* not measured (failed, skipped), or still running */
    CASE_END_TARGET,      /* its median's interval reached --ci-target */
    CASE_END_FLOORS,      /* no --ci-target: it had its rounds, samples and --min-time */
    CASE_END_MAX_TIME,    /* its --max-time ran out before the target */
    CASE_END_BUDGET,      /* the run's --time-budget ran out before the target */
    CASE_END_INTERRUPTED, /* the run was interrupted: it has its floor of rounds, not all */
};

/* "target", "floors", "max-time", "time-budget", "interrupted"; "" for
 * CASE_END_NONE: as written in the stopped_by column. */
const char *case_end_name(enum case_end end);

/* One round: a block of consecutive samples of one case. */
struct round_record {
    size_t case_index;   /* into run_results.cases */
    uint32_t round;      /* 0-based, per case */
    uint32_t sequence;   /* 0-based position among all rounds of the run */
    uint64_t start_ns;   /* since the run started */
    uint64_t elapsed_ns; /* wall time of the round, setup and teardown included */
    uint64_t n, failures;
    uint64_t min_ns, p50_ns, max_ns;
    double mean_ns;
};

/* A declared analysis of one case; NAN where unknown or not applicable. */
struct case_analysis {
    double value;
    double low, high; /* its 95% interval, for kinds that have one */
};

/* A declared metric of one case: one value per sample that reported it. */
struct case_metric {
    struct histogram *hist; /* empty when no sample reported it */
    struct stats stats;     /* filled when the case ends; n == 0: none */
};

struct case_result {
    struct case_def def;
    enum case_status status;
    char reason[192];       /* why failed or skipped; first sample failure otherwise */
    int parent_cpu;         /* -1: not pinned */
    int peer_cpu;           /* -1: not pinned (inherits parent's mask, or free) */
    struct histogram *hist; /* primary metric, ns per operation */
    struct moments moments; /* exact mean/variance of the primary metric */
    struct stats stats;     /* filled when the case ends */
    /* The scenario's declared metrics, by index into def.scenario->metrics
     * (the first scenario_metric_count() entries). */
    struct case_metric metric[SAMPLE_METRICS_MAX];
    uint64_t failures;            /* failed samples */
    uint64_t rounds;              /* rounds run */
    uint64_t measured_ns;         /* wall time inside rounds (setup excluded) */
    uint64_t ops_per_sample;      /* largest batch used (1: no batching) */
    uint64_t bytes_per_s;         /* payload over the time of the samples that moved it */
    struct usage_per_op self;     /* the round's process, per operation */
    struct usage_per_op children; /* children reaped during the timed blocks, per operation */
    double peer_cpu_ns;           /* a long-lived peer's CPU time, per operation */
    double cpu_ns;                /* all of the above: CPU per operation, both ends */
    long child_maxrss_kb;         /* largest peak RSS reported by wait4 */
    bool below_clock_floor;       /* a sample's p50 under 100x the clock overhead */
    double ops_per_s;             /* operations over the summed wall time of the timed samples
                                   * that succeeded (spawns/s for spawn.*); NAN: none */
    /* The scenario's declared analyses, by index into
     * def.scenario->analyses: filled by curves_compute() after the run
     * (analysis/curves.h). */
    struct case_analysis analysis[ANALYSES_MAX];
    /* The system calls that created the children of one observed sample
     * (harness/engine/mechanism.h), "unobserved: why", or "" when the
     * scenario is not observed. */
    char mechanism[256];
    /* Open-loop cases (a `rate` above 0; harness/analysis/open_loop.h):
     * the operations per second achieved, and "grows" when the backlog grew
     * without bound, "keeps up" otherwise; NAN and "" for the others. */
    double achieved_rate;
    char backlog[16];
    /* How precise the median is, and why the case stopped (budget.h). */
    enum case_end end;
    double p50_ci_pct;   /* half-width of the median's 95% CI, percent of it; NAN unknown */
    bool ci_target_set;  /* the run had a --ci-target */
    bool ci_target_met;  /* ... and p50_ci_pct is within it */
};

/* "yes" or "no" when the run had a --ci-target and the case was measured,
 * else "": the ci_target_met column. */
const char *case_ci_target_met_name(const struct case_result *c);

/* How the runner samples; filled from the command line. */
struct run_config {
    uint64_t warmup_ns;   /* per case, split across its rounds */
    uint64_t min_time_ns; /* per case, measured time */
    uint64_t max_time_ns; /* per case, hard cap on measured time */
    uint64_t min_samples; /* per case */
    uint64_t rounds;      /* minimum number of rounds per case */
    double ci_target_pct; /* stop once the median's 95% CI half-width is below; 0 = off */
    uint64_t round_ns;    /* sampling time of one round (more when min_time / rounds is more) */
    /* The whole run plans to end within this; 0 = no budget (budget.h). */
    uint64_t time_budget_ns;
    /* Cases whose scenario can hold state across rounds (a ballast) have it
     * made once, in a holder process their rounds are forked from
     * (holder.h); false (--no-hold): every round makes its own. */
    bool hold;
    uint64_t seed;        /* shuffles the interleaving of rounds */
    bool quick;           /* --quick was given (recorded; values above already reflect it) */
    /* A step of a round (setup, one sample, teardown) that takes longer
     * fails its case and is killed; 0 = no limit. */
    uint64_t sample_timeout_ns;
    /* Observe the mechanism of the scenarios that ask (mechanism.h): one
     * untimed sample per case under ptrace before the rounds. */
    bool observe_mechanism;
    /* TEST ONLY: what a test makes the runner do beside measuring
     * (runner.h); NULL in a real run. Not written in any output. */
    const struct runner_test_hook *test_hook;
};

struct run_results {
    struct run_config config;
    struct run_env env;
    struct case_result *cases;
    size_t case_count;
    struct round_record *rounds;
    size_t round_count, round_capacity;
    void *histogram_arena; /* one shared mapping holding every histogram of the run */
    size_t histogram_arena_bytes;
    void *round_histograms;   /* in the arena: the slots of the round in progress */
    uint64_t started_unix_ns; /* wall clock at start, for the folder name */
    uint64_t duration_ns;     /* whole run */
    int argc;
    char **argv;
    /* A run stopped by SIGINT or SIGTERM: the signal, else 0. Such a run
     * holds only the cases that had finished, of cases_selected. */
    int interrupted_signal;
    size_t cases_selected;
    size_t cases_kept_unfinished; /* of the cases kept, those that had not finished */
};

/* Most distinct metrics the cases of one run declare between them. */
#define RUN_METRICS_MAX 32

/* The distinct metrics (by name) that the scenarios of r's cases declare,
 * in the order cases and declarations first name them: the metric columns
 * of every output. Fills out[] with at most max pointers into the
 * scenarios' declarations; returns how many. */
size_t results_metrics(const struct run_results *r, const struct metric_spec **out, size_t max);

/* Case c's result for the metric called name, or NULL when c's scenario
 * declares no such metric. */
const struct case_metric *results_case_metric(const struct case_result *c, const char *name);

/* Most distinct analyses the cases of one run declare between them. */
#define RUN_ANALYSES_MAX 16

/* The distinct analyses (by column) the scenarios of r's cases declare, in
 * first-seen order, as results_metrics() does for metrics. */
size_t results_analyses(const struct run_results *r, const struct analysis_spec **out, size_t max);

/* Case c's value of the analysis whose column is column, or NULL when c's
 * scenario declares no such analysis. */
const struct case_analysis *results_case_analysis(const struct case_result *c, const char *column);

/* The statistic stat (one METRIC_ bit) of s. */
uint64_t results_stat_value(const struct stats *s, enum metric_stat stat);

#endif
