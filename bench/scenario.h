/*
 * The contract between a scenario and the harness. A scenario knows how to
 * perform and time one operation; the harness owns everything else: warm-up,
 * sample counts, rounds and their interleaving, CPU placement, rusage,
 * histograms, statistics and every output. A scenario never prints, parses
 * argv, exits, or reads a clock outside its own critical section.
 *
 * Life of a round, in a process of its own forked from the harness:
 * process_init() and setup() (untimed: start peers, allocate), then sample()
 * as many times as the harness wants, then teardown() (untimed: reap every
 * child, close every descriptor, remove every named object), which is called
 * after a successful setup() even when samples failed. The harness then
 * checks that no child and no descriptor is left, and fails the case if any
 * is.
 *
 * One failure convention for every hook: it returns 0, or -errno with one
 * line saying why in ctx->failure, written with scenario_fail(), which puts
 * the scenario's name first ("ipc.pipe: pipe2 failed: EMFILE"). The harness
 * clears ctx->failure before each call.
 */
#ifndef PROCBENCH_SCENARIO_H
#define PROCBENCH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/analysis_spec.h"
#include "base/metric.h"
#include "base/params.h"
#include "base/placement.h"

/* Most metrics one scenario may declare (scenario.metrics). */
#define SAMPLE_METRICS_MAX 8

/* Size of a failure reason, its terminating NUL included. */
#define SCENARIO_FAILURE_MAX 160

struct case_ctx {
    /* The case's scenario: its name, parameters and family data. */
    const struct scenario *scenario;
    /* One value per entry of scenario.params, in the same order: read them
     * by name with scenario_param(). */
    const struct param_value *params;
    /* The CPU the peer (child, worker, thread) must run on, or -1 when it
     * should simply inherit the parent's affinity, which the harness has
     * already set for the chosen placement. */
    int peer_cpu;
    /* Operations each sample performs inside its timed section: 1, unless
     * the scenario is batchable and one operation is too short to time
     * alone (under 100 clock reads), in which case the harness asks for
     * enough of them and divides. Set before every sample() call. */
    uint64_t ops_per_sample;
    /* Set by setup() when the scenario keeps a long-lived peer process (a
     * worker, an echo child): the harness charges that process's CPU time
     * over the timed block to the case. 0: no such peer. */
    pid_t peer_pid;
    /* The scenario's own state: set by setup(), released by teardown(). */
    void *state;
    /* Why the last hook failed: one line, from scenario_fail(). */
    char failure[SCENARIO_FAILURE_MAX];
    /* What hold() made, when this round's process was forked from a holder
     * of it (see scenario.hold); NULL when setup() must make everything
     * itself (no hold_key, or --no-hold). */
    void *held;
};

/* What one sample reports. The harness zeroes it before each call. */
struct sample {
    uint64_t ns;    /* the timed section: all of its operations */
    uint64_t ops;   /* operations in the timed section when the scenario decides
                     * them (a stream's burst of messages); 0: ctx->ops_per_sample */
    uint64_t bytes; /* payload the timed section moved, for throughput; 0: none */
    /* The scenario's declared metrics (scenario.metrics), by their index
     * in that list: set them with sample_report(). A metric a sample does
     * not report is left out of its distribution; 0 is a value like any. */
    uint64_t metric[SAMPLE_METRICS_MAX];
    uint32_t metric_reported; /* bit i: metric[i] holds a value */
    long child_maxrss_kb;     /* peak RSS of the child, from wait4(); 0: not known */
    /* Optional: the latency of each of the sample's operations when they ran
     * concurrently (spawn.* with concurrency > 1), so that ns / ops is not
     * the latency of any of them. Owned by the scenario's state, valid until
     * its next sample(). When set, the harness records these in the case's
     * histogram instead of ns / ops; ns stays the wall time of the sample. */
    const uint64_t *op_latency_ns;
    size_t op_latency_count;
};

/* Facts about this machine that some scenarios depend on (the version of a
 * program they run), recorded in the run's environment. A scenario that
 * needs one points its descriptor's env_probe at it; the harness asks each
 * probe at most once per run, and only when a selected case's scenario
 * points at it (asking may start a process); otherwise its keys get their
 * not_asked values, so that every run records the same keys. */
#define ENV_PROBE_KEYS_MAX  4
#define ENV_PROBE_VALUE_MAX 128
struct env_probe {
    const char *keys[ENV_PROBE_KEYS_MAX];      /* [a-z0-9_]; NULL after the last */
    const char *not_asked[ENV_PROBE_KEYS_MAX]; /* each key's value when not asked */
    /* Writes the value of keys[k] into values[k] for each key; what cannot
     * be learnt says why ("not installed", "unknown"), never guessed. */
    void (*collect)(char values[][ENV_PROBE_VALUE_MAX]);
};

struct scenario {
    const char *name;                /* "spawn.posix_spawn": the key in the CLI, CSV and JSON */
    const char *summary;             /* one line for `procbench list` */
    const struct param_spec *params; /* terminated by { .name = NULL }; may be NULL */
    const char *default_placements;  /* comma list used when --placement is not given */
    const char *quick_placements;    /* the same for --quick; NULL: default_placements */
    unsigned placements_supported;   /* PLACEMENT_BIT()s this scenario can honour */
    const char *unavailable;         /* NULL, or why this build cannot run it */
    bool batchable;                  /* sample() honours ctx->ops_per_sample > 1 */
    /* What a sample reports beside its time, terminated by { .name = NULL };
     * may be NULL. At most SAMPLE_METRICS_MAX. The harness keeps a
     * histogram of each per case and every output gets its columns
     * (README: "Adding a scenario"). */
    const struct metric_spec *metrics;
    /* The harness observes, in one untimed sample run under ptrace in
     * throwaway processes, which system calls create the children of the
     * sample (the `mechanism` column; harness/engine/mechanism.h). */
    bool mechanism_observed;
    /* Figures computed after the run from this scenario's cases and the
     * cases around them (base/analysis_spec.h), terminated by
     * { .column = NULL }; may be NULL. At most ANALYSES_MAX. */
    const struct analysis_spec *analyses;
    /* Optional: what the run's environment must record when this scenario
     * runs (see struct env_probe). */
    const struct env_probe *env_probe;
    /* The family's own description of this scenario (an ipc transport, a
     * spawn mechanism), which the family's shared hooks read through
     * ctx->scenario->family; NULL when the family needs none. */
    const void *family;
    /* Optional, untimed, called by the harness before the case's first round
     * with a ctx holding only scenario and params: 0 when this machine can
     * run the case, otherwise -errno (-ENOENT, -ENOMEM...) with why not in
     * ctx->failure; the case is then skipped, not failed: a program that is
     * not installed, a ballast that does not fit in available memory. */
    int (*case_unavailable)(struct case_ctx *ctx);
    /* Optional, untimed: called in each round's process before setup() and
     * before the harness counts its descriptors, for process-wide state that
     * cannot be undone (libuv's signal pipe and its fork handler). It dies
     * with the round's process. Returns 0 or -errno. */
    int (*process_init)(void);
    /* Untimed preparation of a round. Returns 0, or -errno with the reason
     * in ctx->failure and nothing left to tear down. */
    int (*setup)(struct case_ctx *ctx);
    /* One timed operation. Returns 0, or -errno with the reason in
     * ctx->failure. */
    int (*sample)(struct case_ctx *ctx, struct sample *out);
    /* Untimed clean-up of a round; must leave no child, fd or object behind. */
    void (*teardown)(struct case_ctx *ctx);
    /* Optional, untimed: state too costly to make in every round (gigabytes
     * of touched ballast take seconds to write) that the round can inherit
     * instead. hold_key() names the state a case needs, or returns NULL when
     * it needs none worth holding; cases with equal keys (of any scenario)
     * need the same state. hold() then makes it, once, in a process of its
     * own (the holder), and the rounds of those cases are forked from the
     * holder, finding it in ctx->held, as a fork() passes it on: private
     * memory is the same pages, copy-on-write, with page tables of the
     * round's own. Only state that fork() passes on unchanged may be held,
     * so that what a round measures is what it would measure had its setup
     * made the state itself (--no-hold runs it that way, and
     * ci/ballast-equivalence compares the two: README, "Held ballast").
     * Returns 0, or -errno with a reason in failure; unhold() releases it
     * in the holder. */
    const char *(*hold_key)(const struct param_value *params, char *key, size_t key_len);
    int (*hold)(const struct param_value *params, void **held, char *failure, size_t failure_len);
    void (*unhold)(void *held);
};

/* Reports value for metric index (into the scenario's metrics) of a
 * sample. */
static inline void sample_report(struct sample *out, unsigned metric, uint64_t value)
{
    out->metric[metric] = value;
    out->metric_reported |= UINT32_C(1) << metric;
}

/* True when the sample reported metric index. */
static inline bool sample_reported(const struct sample *s, unsigned metric)
{
    return (s->metric_reported >> metric) & 1u;
}

/* The number of metrics sc declares, at most SAMPLE_METRICS_MAX (the
 * harness fails the cases of a scenario that declares more). */
static inline size_t scenario_metric_count(const struct scenario *sc)
{
    size_t n = sc != NULL ? metric_count(sc->metrics) : 0;
    return n < SAMPLE_METRICS_MAX ? n : SAMPLE_METRICS_MAX;
}

/* The number of analyses sc declares, at most ANALYSES_MAX (the harness
 * fails the cases of a scenario that declares more). */
static inline size_t scenario_analysis_count(const struct scenario *sc)
{
    size_t n = sc != NULL ? analysis_count(sc->analyses) : 0;
    return n < ANALYSES_MAX ? n : ANALYSES_MAX;
}

/* The value of the case's parameter called name, or NULL when its scenario
 * has no such parameter. The one way a scenario reads its parameters. */
const struct param_value *scenario_param(const struct case_ctx *ctx, const char *name);

/* Writes "<scenario name>: <fmt...>" into ctx->failure, as one line (control
 * characters become '?'), and returns err: `return scenario_fail(ctx,
 * -errno, "pipe2 failed: %s", strerror(errno));`. */
int scenario_fail(struct case_ctx *ctx, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The catalogue, in display order (bench/scenarios.def). */
extern const struct scenario *const scenario_catalogue[];
extern const size_t scenario_catalogue_count;

/* The scenario called name, or NULL. */
const struct scenario *scenario_find(const char *name);

#endif
