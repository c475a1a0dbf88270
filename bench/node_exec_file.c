/*
 * node.execFile: Node's child_process.execFile() of the static child, from
 * the call to its callback (which Node calls on the child's 'close': exit
 * seen, its stdout and stderr pipes drained into buffers), timed in Node.
 * No shell; stdout and stderr are always pipes, buffered up to maxBuffer
 * (Node's default, 1 MiB; the child writes nothing, which is checked).
 */
#include "node_common.h"

static const struct param_spec node_exec_file_params[] = {
    NODE_PARAM_TARGET,
    {.name = NULL},
};

const struct scenario node_exec_file = {
    .name = "node.execFile",
    .summary = "Node child_process.execFile() of the static child, to its callback",
    .params = node_exec_file_params,
    NODE_SCENARIO_FIELDS,
};
