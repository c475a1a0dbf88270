/*
 * node.children: memory per child at scale. A sample starts `count` idle
 * programs (bench/child/procbench-idle.js) at once with `api`: fork()
 * (Node processes with an IPC channel), spawn() of node (Node processes
 * without one) or worker_threads Workers; the time is until the last of
 * them said it is ready. Then, untimed, `mem_per_child` in bytes: for
 * processes the sum of their PSS (/proc/PID/smaps_rollup: each page shared
 * by k processes counts 1/k, so the node binary's text is shared out, not
 * counted `count` times) over count; for workers the growth of the
 * driver's own PSS over the sample (gc() before both readings) over count.
 * Then every one is told to stop and must exit 0 before the sample
 * answers. A count whose children would not fit in MemAvailable (64 MiB a
 * process, 32 MiB a worker, bounds well above what an idle one holds) is
 * skipped with the reason. Default count=4 keeps the default suite short;
 * the sweep is `--param count=1,4,16,64`.
 */
#include "node_common.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct param_spec node_children_params[] = {
    {
        .name = "api",
        .kind = PARAM_WORD,
        .defaults = "fork,spawn,worker",
        .choices = "fork,spawn,worker",
        .help = "fork: Node processes with IPC; spawn: node without IPC; worker: worker_threads",
    },
    {
        .name = "count",
        .kind = PARAM_COUNT,
        .defaults = "4",
        .min = 1,
        .max = 256,
        .help = "children (or workers) started at once and held; skipped if they do not fit",
    },
    {.name = NULL},
};

/* node_metrics, then the memory per child. */
static const struct metric_spec node_children_metrics[] = {
    NODE_METRICS_COMMON,
    {
        .name = "mem_per_child",
        .unit = METRIC_BYTES,
        .label = "memory per child",
        .meaning = "summed PSS of the children over count (workers: growth of the parent's PSS "
                   "over count), once all are ready",
        .aggregate = METRIC_P50 | METRIC_P99,
    },
    {.name = NULL},
};

static int node_children_unavailable(struct case_ctx *ctx)
{
    bool worker = params_is(scenario_param(ctx, "api"), "worker");
    uint64_t count = scenario_param(ctx, "count")->number;
    char what[64];
    snprintf(what, sizeof(what), "count=%llu %s", (unsigned long long)count,
             worker ? "workers" : "Node processes");
    return node_memory_unavailable(
        ctx, count, worker ? NODE_WORKER_BYTES_BOUND : NODE_PROCESS_BYTES_BOUND, what);
}

const struct scenario node_children = {
    .name = "node.children",
    .summary = "N idle children (fork, spawn) or workers held: time until ready, memory per child",
    .params = node_children_params,
    NODE_SCENARIO_COMMON,
    .metrics = node_children_metrics,
    .case_unavailable = node_children_unavailable,
};
