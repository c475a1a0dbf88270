/*
 * node.fork: Node's child_process.fork() of an empty script
 * (bench/child/procbench-empty.js): a new Node process with its IPC
 * channel, from the call to the child's 'close' event, timed in Node. Most
 * of it is the new Node's own start-up and exit; the child gets no
 * execArgv, so it is a plain node whatever the driver was started with.
 * With a `heap` in the driver, the fork that starts the child copies its
 * page tables (libuv forks on Linux).
 */
#include "node_common.h"

static const struct param_spec node_fork_params[] = {
    NODE_PARAM_HEAP,
    {.name = NULL},
};

static const char *node_fork_unavailable(const struct param_value *params, char *why,
                                         size_t why_len)
{
    return node_heap_unavailable(node_fork_params, params, why, why_len);
}

static int node_fork_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return node_setup(ctx, "node.fork", node_fork_params, failure, failure_len);
}

const struct scenario node_fork = {
    .name = "node.fork",
    .summary = "Node child_process.fork() of an empty script (a new Node with IPC), to 'close'",
    .params = node_fork_params,
    NODE_SCENARIO_COMMON,
    .metrics = node_metrics,
    .case_unavailable = node_fork_unavailable,
    .setup = node_fork_setup,
};
