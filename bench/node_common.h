/*
 * What the node.* scenarios share: the long-lived Node.js process that runs
 * bench/child/procbench-driver.js for one round, and the protocol spoken
 * with it. Each node.* file holds only its parameters and its descriptor;
 * the operation itself is performed, timed and checked by the driver, in
 * Node, and this module starts the driver, asks it for samples, checks
 * every answer and stops it.
 *
 * The driver. setup() starts `node --expose-gc DRIVER SCENARIO child=PATH
 * NAME=VALUE...` (one NAME=VALUE per parameter of the case) with
 * descriptor 3 on a pipe of requests, 4 on a pipe of answers, stdin on
 * /dev/null, and stdout and stderr in an unlinked in-memory file (memfd),
 * then waits for "READY". Node's start-up is therefore outside every
 * sample. ctx->peer_pid is node, so its CPU is charged to the case.
 *
 * A sample writes "S SEQ" and waits for "R SEQ NS RETURN_NS FIRST_BYTE_NS
 * RSS_GROWTH_BYTES BYTES [NAME=VALUE...]" (a figure not reported is 0, RSS
 * not measured "-"; then, each at most once, loop_delay=NS,
 * mem_per_child=BYTES, spread=MILLI, ops=N) or "F SEQ REASON". Every
 * answer is checked: its length and characters, its fields, the sequence
 * number, each figure's range. A
 * failed operation ("F") fails the sample and the driver goes on; a broken
 * answer, a driver that exits or one that stays silent for longer than the
 * time limit (60 s) breaks the driver: it is killed and reaped, and this
 * and every later sample of the round fail with the reason, which holds
 * node's exit status and the first informative line of its stderr.
 *
 * The parent's heap (`heap`, `heap_kind`, NODE_PARAM_HEAP): the driver
 * builds it before READY and checks it through VmRSS; a `js` heap gets
 * `--max-old-space-size` raised to fit (node_setup adds it to node's
 * command line), and a heap that would not fit in MemAvailable is skipped
 * by node_heap_unavailable() before the round starts.
 *
 * teardown() closes the requests pipe (the driver's order to stop: it ends
 * its peer process or worker and exits), waits up to 10 s for node to exit,
 * kills it otherwise, reaps it and closes everything.
 *
 * Test knobs (tests only, read at setup; nothing else sets them):
 * PROCBENCH_TEST_NODE_DRIVER is passed to the driver in its environment and
 * makes it misbehave (see the driver's header); PROCBENCH_TEST_NODE_TIMEOUT_MS
 * replaces the 60 s limit of a sample's answer, so that a test can wait for
 * a silent driver (the start, READY, keeps the 60 s: node starting on a
 * loaded machine must not fail a test that is about something else).
 */
#ifndef PROCBENCH_NODE_COMMON_H
#define PROCBENCH_NODE_COMMON_H

#include <stddef.h>

#include "base/params.h"
#include "metrics.h"
#include "node_locate.h"
#include "scenario.h"

/* How long the harness waits for one answer of the driver (READY included)
 * before it kills it. Generous: a 64 MiB buffered output on a loaded VM takes
 * well under a second; a driver silent for a minute is stuck. */
#define NODE_ANSWER_TIMEOUT_MS 60000u

/* The `target` parameter of node.spawn, node.execFile and node.exec: the
 * static child (default) or /bin/true, as spawn.* run them. */
#define NODE_PARAM_TARGET                                                                          \
    {                                                                                              \
        .name = "target", .kind = PARAM_WORD, .defaults = "static", .choices = "static,dynamic",   \
        .help = "static: procbench-child, which exits at once; dynamic: /bin/true (adds ld.so)",   \
    }

/* The parent's heap of the rows that start children (node.spawn,
 * node.execFile, node.exec, node.fork and the sync rows): its size and its
 * kind. Default 0: a cheap default suite; the sweep is asked for.
 * NODE_PARAM_HEAP_SWEPT(defaults) is the same with a list of sizes of its
 * own, for node.spawn, whose claim "spawning does not block the event loop"
 * needs a heap beside heap=0 in both suites. */
#define NODE_HEAP_MAX   ((uint64_t)1 << 40) /* 1 TiB: then MemAvailable decides */
#define NODE_PARAM_HEAP NODE_PARAM_HEAP_SWEPT("0")
#define NODE_PARAM_HEAP_SWEPT(sizes)                                                               \
    {                                                                                              \
        .name = "heap",                                                                            \
        .kind = PARAM_SIZE,                                                                        \
        .defaults = sizes,                                                                         \
        .min = 0,                                                                                  \
        .max = NODE_HEAP_MAX,                                                                      \
        .help = "memory the driver holds before sampling, built untimed and checked in VmRSS; "    \
                "skipped if it does not fit in MemAvailable",                                      \
    },                                                                                             \
    {                                                                                              \
        .name = "heap_kind", .kind = PARAM_WORD, .defaults = "arraybuffer",                        \
        .choices = "js,arraybuffer,wasm",                                                          \
        .help = "js: arrays of numbers on V8's heap (--max-old-space-size raised); arraybuffer: "  \
                "ArrayBuffer backing stores; wasm: WebAssembly.Memory; every page written",        \
    }

/* What the node.* scenarios report beside their time, by index into their
 * metrics list. Every node.* list begins with these four, in this order
 * (NODE_METRICS_COMMON; node_metrics is that list alone), and a row that
 * reports more (node.children, node.cluster) declares its own after them,
 * from NODE_METRIC_OWN on. The driver answers each sample with the first
 * three in their places (0, or '-' for the RSS, where it has none) and the
 * others as NAME=VALUE fields, NAME the metric's name, when it has them. */
enum node_metric {
    NODE_METRIC_RETURN,     /* the child_process call -> it returned */
    NODE_METRIC_FIRST_BYTE, /* start -> first byte of output in Node */
    NODE_METRIC_RSS_GROWTH, /* the Node process's peak RSS growth */
    NODE_METRIC_LOOP_DELAY, /* the longest stall of the driver's event loop */
    NODE_METRIC_OWN,        /* the first of a row's own metrics */
};
extern const struct metric_spec node_metrics[];

/* The event-loop stall, read by the driver's probe (see the driver's
 * header): a setImmediate() due at the sample's start, then 1 ms timers;
 * the largest lag of a probe callback behind its due time. node.ipc and
 * node.worker op=roundtrip do not probe (their samples are microseconds,
 * which a timer would disturb) and leave it empty. */
#define NODE_METRIC_LOOP_DELAY_SPEC                                                                \
    {                                                                                              \
        .name = "loop_delay", .unit = METRIC_NS, .label = "loop stall",                            \
        .meaning = "longest time the driver's event loop could not run a callback during the "     \
                   "sample (setImmediate at the start, then 1 ms timers; resolution 1 ms)",        \
        .aggregate = METRIC_P50 | METRIC_P99,                                                      \
    }
#define NODE_METRICS_COMMON                                                                        \
    METRIC_RETURN, METRIC_FIRST_BYTE, METRIC_RSS_GROWTH, NODE_METRIC_LOOP_DELAY_SPEC

/* The descriptor fields every node.* scenario shares: same and free
 * placements (Node offers no hook between fork and exec in which a child
 * could pin itself, so there is no cross), the mechanism column (what
 * node's own children are created with), the node probe of the run's
 * environment, and the generic process_init, setup, sample and teardown.
 * A node.* file declares its scenario as { .name, .summary, .params,
 * NODE_SCENARIO_FIELDS } (the skip when node is missing, node_metrics), or
 * NODE_HEAP_SCENARIO_FIELDS for a row with NODE_PARAM_HEAP (the skip also
 * when the heap does not fit), or NODE_SCENARIO_COMMON with its own
 * case_unavailable (which must call node_case_unavailable or
 * node_memory_unavailable) and metrics (which begin with
 * NODE_METRICS_COMMON). */
#define NODE_SCENARIO_COMMON                                                                       \
    .default_placements = "same",                                                                  \
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),         \
    .mechanism_observed = true, .env_probe = &node_env_probe, .process_init = node_process_init,   \
    .setup = node_setup, .sample = node_sample, .teardown = node_teardown
#define NODE_SCENARIO_FIELDS                                                                       \
    NODE_SCENARIO_COMMON, .case_unavailable = node_case_unavailable, .metrics = node_metrics
#define NODE_HEAP_SCENARIO_FIELDS                                                                  \
    NODE_SCENARIO_COMMON, .case_unavailable = node_heap_unavailable, .metrics = node_metrics

/* case_unavailable() of every node.* scenario: 0 when node can be found
 * (node_locate()), otherwise -ENOENT with the reason, which names node and
 * PROCBENCH_NODE, in ctx->failure. */
int node_case_unavailable(struct case_ctx *ctx);

/* case_unavailable() of a node.* scenario with NODE_PARAM_HEAP:
 * node_case_unavailable(), then 0 when the heap fits (the heap, 1.5 times
 * it for `js` whose collector needs room, node itself and the page tables
 * a fork copies, beside ballast_safety_margin() in MemAvailable), else
 * -ENOMEM with why not in ctx->failure. */
int node_heap_unavailable(struct case_ctx *ctx);

/* For a scenario's own case_unavailable(): node_case_unavailable(), then 0
 * when processes more Node processes (or threads) of bytes_each each fit in
 * MemAvailable beside ballast_safety_margin(); otherwise -ENOMEM with why
 * not, naming what ("count=64 Node processes"), in ctx->failure. */
int node_memory_unavailable(struct case_ctx *ctx, uint64_t processes, uint64_t bytes_each,
                            const char *what);

/* What one more Node costs at most, for node_memory_unavailable(): a
 * process (about 42 MiB resident for node 20 here, an idle one) and a
 * worker thread (about 8-10 MiB), with room to spare. */
#define NODE_PROCESS_BYTES_BOUND ((uint64_t)64 << 20)
#define NODE_WORKER_BYTES_BOUND  ((uint64_t)32 << 20)

/* process_init() of every node.* scenario: makes the round's process the
 * subreaper of its descendants (PR_SET_CHILD_SUBREAPER), so that what a
 * driver that died leaves behind (cluster workers, idle children) comes
 * back to it and teardown reaps it. Returns 0 or -errno. */
int node_process_init(void);

/* setup() of every node.* scenario: starts the driver with the scenario's
 * name and parameters (and --max-old-space-size for a js heap) and waits
 * for READY; sets ctx->state and ctx->peer_pid. Returns 0, or -errno with
 * the reason in ctx->failure and nothing left behind. */
int node_setup(struct case_ctx *ctx);

/* sample() of every node.* scenario: one request, one checked answer.
 * Returns 0 with out->ns (and the metrics, ops and bytes the driver
 * reports), or -errno with the reason in ctx->failure. */
int node_sample(struct case_ctx *ctx, struct sample *out);

/* teardown() of every node.* scenario: stops and reaps the driver, then
 * whatever it left (given 2 s to end, then killed), closes every
 * descriptor, restores SIGPIPE. */
void node_teardown(struct case_ctx *ctx);

/* Splits one answer line (without its newline) of the driver into out, for
 * sample number expected_seq of a scenario whose metrics list is metrics
 * (one that begins with NODE_METRICS_COMMON): the positional figures, then
 * each NAME=VALUE field into the metric of that name from
 * NODE_METRIC_LOOP_DELAY on, or into out->ops for "ops". Returns 0 for a
 * well-formed "R" answer; 1 for a well-formed "F" answer, with
 * "<scenario>: <its reason>" in failure; -EPROTO with the reason in why for
 * anything else (wrong sequence number, missing or extra fields, a figure
 * out of range, a character that does not belong). Exposed for the unit
 * tests. */
int node_parse_answer(const char *scenario, const struct metric_spec *metrics, const char *line,
                      unsigned long long expected_seq, struct sample *out,
                      char failure[SCENARIO_FAILURE_MAX], char *why, size_t why_len);

/* The most telling line of a driver's stderr text (len bytes, not
 * terminated): the first line that names an error ("Error: ...",
 * "procbench-driver: ..."), else the first non-empty one; whitespace runs
 * collapsed, written into out (empty when there is nothing). */
void node_stderr_line(const char *text, size_t len, char *out, size_t out_len);

#endif
