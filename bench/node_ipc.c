/*
 * node.ipc: one message there and back over the IPC channel of a process
 * forked by child_process.fork(), the peer started once per round. The
 * message is {seq, size, data} with data a string of `size` ASCII
 * characters (the static child's pattern, rotated by the sequence number);
 * the peer checks the sequence number and the length before it echoes, and
 * the driver compares the echo with what it sent, in full. Timed in Node
 * from send() to the 'message' event of the echo, with `json` (Node's
 * default) or `advanced` (the structured-clone serializer) on the channel.
 */
#include "ipc_common.h"
#include "node_common.h"

static const struct param_spec node_ipc_params[] = {
    {
        .name = "serialization",
        .kind = PARAM_WORD,
        .defaults = "json,advanced",
        .choices = "json,advanced",
        .help = "the fork() option: json (default, JSON lines) or advanced (v8 serializer)",
    },
    IPC_PARAM_SIZE,
    {.name = NULL},
};

const struct scenario node_ipc = {
    .name = "node.ipc",
    .summary = "a message there and back over the IPC channel of child_process.fork()",
    .params = node_ipc_params,
    NODE_SCENARIO_FIELDS,
};
