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

const struct scenario node_exec = {
    .name = "node.exec",
    .summary = "Node child_process.exec() (/bin/sh -c) of the static child, to its callback",
    .params = node_exec_params,
    NODE_HEAP_SCENARIO_FIELDS,
};
