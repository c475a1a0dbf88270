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
 * RSS_GROWTH_BYTES BYTES" (a figure not reported is 0, RSS not measured
 * "-") or "F SEQ REASON". Every answer is checked: its length and
 * characters, its fields, the sequence number, each figure's range. A
 * failed operation ("F") fails the sample and the driver goes on; a broken
 * answer, a driver that exits or one that stays silent for longer than the
 * time limit (60 s) breaks the driver: it is killed and reaped, and this
 * and every later sample of the round fail with the reason, which holds
 * node's exit status and the first informative line of its stderr.
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

/* What the node.* scenarios report beside their time, by index into
 * node_metrics: the driver answers each sample with all three (0, or '-'
 * for the RSS, where a scenario has none). */
enum node_metric {
    NODE_METRIC_RETURN,     /* the child_process call -> it returned */
    NODE_METRIC_FIRST_BYTE, /* start -> first byte of output in Node */
    NODE_METRIC_RSS_GROWTH, /* the Node process's peak RSS growth */
};
extern const struct metric_spec node_metrics[];

/* The descriptor fields every node.* scenario shares: same and free
 * placements (Node offers no hook between fork and exec in which a child
 * could pin itself, so there is no cross), the mechanism column (what
 * node's own children are created with), the skip when node is missing,
 * and the generic setup, sample and teardown: a node.* file declares its
 * scenario as { .name, .summary, .params, NODE_SCENARIO_FIELDS }. */
#define NODE_SCENARIO_FIELDS                                                                       \
    .default_placements = "same",                                                                  \
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),         \
    .mechanism_observed = true, .case_unavailable = node_case_unavailable,                         \
    .metrics = node_metrics, .env_probe = &node_env_probe, .setup = node_setup,                    \
    .sample = node_sample, .teardown = node_teardown

/* case_unavailable() of every node.* scenario: 0 when node can be found
 * (node_locate()), otherwise -ENOENT with the reason, which names node and
 * PROCBENCH_NODE, in ctx->failure. */
int node_case_unavailable(struct case_ctx *ctx);

/* setup() of every node.* scenario: starts the driver with the scenario's
 * name and parameters and waits for READY; sets ctx->state and
 * ctx->peer_pid. Returns 0, or -errno with the reason in ctx->failure and
 * nothing left behind. */
int node_setup(struct case_ctx *ctx);

/* sample() of every node.* scenario: one request, one checked answer.
 * Returns 0 with out->ns (and the node_metrics and bytes the driver
 * reports), or -errno with the reason in ctx->failure. */
int node_sample(struct case_ctx *ctx, struct sample *out);

/* teardown() of every node.* scenario: stops and reaps the driver, closes
 * every descriptor, restores SIGPIPE. */
void node_teardown(struct case_ctx *ctx);

/* Splits one answer line (without its newline) of the driver into out, for
 * sample number expected_seq. Returns 0 for a well-formed "R" answer; 1 for
 * a well-formed "F" answer, with "<scenario>: <its reason>" in failure;
 * -EPROTO with the reason in why for anything else (wrong sequence number,
 * missing or extra fields, a figure out of range, a character that does not
 * belong). Exposed for the unit tests. */
int node_parse_answer(const char *scenario, const char *line, unsigned long long expected_seq,
                      struct sample *out, char failure[SCENARIO_FAILURE_MAX], char *why,
                      size_t why_len);

/* The most telling line of a driver's stderr text (len bytes, not
 * terminated): the first line that names an error ("Error: ...",
 * "procbench-driver: ..."), else the first non-empty one; whitespace runs
 * collapsed, written into out (empty when there is nothing). */
void node_stderr_line(const char *text, size_t len, char *out, size_t out_len);

#endif
