/*
 * node.spawnSync, node.execSync, node.execFileSync: the synchronous half of
 * child_process ("both synchronously and asynchronously"), each of the
 * static child (or /bin/true), timed in Node from the call to its return.
 * A synchronous call runs the child on a loop of its own and returns once
 * the child has exited and its output is collected, so the driver's event
 * loop stands still for the whole call: its duration is at once the
 * latency (ns), the time until the call returned (return_ns) and the stall
 * (loop_delay, read independently by the driver's probe, whose first
 * callback is due from the sample's start). The report's claims check that
 * the stall covers the call.
 *
 * spawnSync: Node's default stdio (three pipes), status and signal checked,
 * stdout and stderr empty. execSync: the quoted path through /bin/sh -c, as
 * node.exec. execFileSync: no shell, as node.execFile. Both with
 * stdio 'pipe'; they throw on a failed child, which fails the sample with
 * its status or signal, and stdout must be empty.
 */
#include "node_common.h"

static const struct param_spec node_sync_params[] = {
    NODE_PARAM_TARGET,
    NODE_PARAM_HEAP,
    {.name = NULL},
};

const struct scenario node_spawn_sync = {
    .name = "node.spawnSync",
    .summary = "Node child_process.spawnSync() of the static child: blocks the loop to its exit",
    .params = node_sync_params,
    NODE_HEAP_SCENARIO_FIELDS,
};

const struct scenario node_exec_sync = {
    .name = "node.execSync",
    .summary = "Node child_process.execSync() (/bin/sh -c) of the static child, blocking",
    .params = node_sync_params,
    NODE_HEAP_SCENARIO_FIELDS,
};

const struct scenario node_exec_file_sync = {
    .name = "node.execFileSync",
    .summary = "Node child_process.execFileSync() of the static child, blocking",
    .params = node_sync_params,
    NODE_HEAP_SCENARIO_FIELDS,
};
