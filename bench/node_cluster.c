/*
 * node.cluster: the cluster module, whose workers "share the same server
 * port". `op=start`: cluster.fork() of a worker that listens on 127.0.0.1
 * (port 0, shared through the primary), from the call to the worker's
 * 'listening' event (return_ns: until fork() returned); the worker is then
 * disconnected and must exit 0 before the next sample, untimed.
 * `op=spread`: `workers` workers listening on one loopback port, started
 * once per round, and a client process (forked by the driver) that makes
 * `connections` short connections one after the other, each answered by a
 * worker with its id and closed. A sample is the client's time for all of
 * them, reported as `connections` operations (the figure per operation is
 * the mean time of one connection), and `spread_milli`: the connections of the
 * busiest worker over those of the idlest (a worker that got none counts as
 * half of one) times 1000, every id checked against the round's workers and the total
 * against `connections`. `sched`: rr (Node's default on Linux: the primary
 * accepts and hands the connections round) or none (each worker accepts on
 * the shared socket and the kernel chooses). Loopback only; op=start
 * ignores workers and connections.
 */
#include "node_common.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct param_spec node_cluster_params[] = {
    {
        .name = "op",
        .kind = PARAM_WORD,
        .defaults = "start,spread",
        .choices = "start,spread",
        .help = "start: cluster.fork() to 'listening'; spread: connections spread over workers",
    },
    {
        .name = "workers",
        .kind = PARAM_COUNT,
        .defaults = "2",
        .min = 1,
        .max = 64,
        .help = "op=spread: workers listening on one loopback port",
    },
    {
        .name = "connections",
        .kind = PARAM_COUNT,
        .defaults = "64",
        .min = 1,
        .max = 100000,
        .help = "op=spread: short connections per sample, one after the other",
    },
    {
        .name = "sched",
        .kind = PARAM_WORD,
        .defaults = "rr",
        .choices = "rr,none",
        .help = "cluster.schedulingPolicy: rr (the primary hands connections round) or none",
    },
    {.name = NULL},
};

/* node_metrics, then how evenly op=spread's connections went round. */
static const struct metric_spec node_cluster_metrics[] = {
    NODE_METRICS_COMMON,
    {
        .name = "spread_milli",
        .unit = METRIC_COUNT,
        .label = "spread (x1000)",
        .meaning = "op=spread: connections of the busiest worker over those of the idlest, times "
                   "1000 (1000: even; a worker with none counts as half of one)",
        .aggregate = METRIC_P50 | METRIC_MAX,
    },
    {.name = NULL},
};

static int node_cluster_unavailable(struct case_ctx *ctx)
{
    bool spread = params_is(scenario_param(ctx, "op"), "spread");
    uint64_t workers = scenario_param(ctx, "workers")->number;
    char what[64];
    /* The workers and the client, or one worker. */
    snprintf(what, sizeof(what), "workers=%llu (and a client process)",
             (unsigned long long)workers);
    return node_memory_unavailable(ctx, spread ? workers + 1 : 1, NODE_PROCESS_BYTES_BOUND, what);
}

const struct scenario node_cluster = {
    .name = "node.cluster",
    .summary = "cluster: fork() to 'listening', or loopback connections spread over N workers",
    .params = node_cluster_params,
    NODE_SCENARIO_COMMON,
    .metrics = node_cluster_metrics,
    .case_unavailable = node_cluster_unavailable,
};
