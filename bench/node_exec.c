/*
 * node.exec: Node's child_process.exec() of the static child, whose path
 * (single-quoted, as spawn.shell quotes it) is the command: Node runs
 * `/bin/sh -c COMMAND` through execFile, so this is node.execFile plus a
 * shell. Timed in Node from the call to its callback.
 */
#include "node_common.h"

static const struct param_spec node_exec_params[] = {
    NODE_PARAM_TARGET,
    NODE_PARAM_HEAP,
    {.name = NULL},
};

static const char *node_exec_unavailable(const struct param_value *params, char *why,
                                         size_t why_len)
{
    return node_heap_unavailable(node_exec_params, params, why, why_len);
}

static int node_exec_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return node_setup(ctx, "node.exec", node_exec_params, failure, failure_len);
}

const struct scenario node_exec = {
    .name = "node.exec",
    .summary = "Node child_process.exec() (/bin/sh -c) of the static child, to its callback",
    .params = node_exec_params,
    NODE_SCENARIO_COMMON,
    .metrics = node_metrics,
    .case_unavailable = node_exec_unavailable,
    .setup = node_exec_setup,
};
