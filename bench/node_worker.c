/*
 * node.worker: the threads-side answer to child_process. `op=start`: a
 * worker_threads Worker on the empty script, from the constructor to its
 * 'exit' event (its 'online' must have come first; the return metric is the
 * constructor's return): the thread counterpart of node.fork. `op=roundtrip`:
 * a postMessage() to a worker started once per round and its echo back,
 * sequence-checked: the counterpart of node.ipc.
 */
#include "node_common.h"

static const struct param_spec node_worker_params[] = {
    {
        .name = "op",
        .kind = PARAM_WORD,
        .defaults = "start,roundtrip",
        .choices = "start,roundtrip",
        .help = "start: new Worker to its exit; roundtrip: postMessage there and back",
    },
    {.name = NULL},
};

const struct scenario node_worker = {
    .name = "node.worker",
    .summary = "worker_threads: a Worker's start to exit, or a postMessage round trip",
    .params = node_worker_params,
    NODE_SCENARIO_FIELDS,
};
