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

const struct scenario node_fork = {
    .name = "node.fork",
    .summary = "Node child_process.fork() of an empty script (a new Node with IPC), to 'close'",
    .params = node_fork_params,
    NODE_HEAP_SCENARIO_FIELDS,
};
