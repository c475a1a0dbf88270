/*
 * node.execFile: Node's child_process.execFile() of the static child, from
 * the call to its callback (which Node calls on the child's 'close': exit
 * seen, its stdout and stderr pipes drained into buffers), timed in Node.
 * stdout and stderr are always pipes, buffered up to maxBuffer (Node's
 * default, 1 MiB; the child writes nothing, which is checked). `shell=true`
 * passes execFile's own shell option: the quoted path runs through
 * /bin/sh -c, which is what exec() does, so node.execFile{shell=true}
 * against {shell=false} is the shell's cost without exec()'s own layer;
 * both are in the defaults, so that the report's claim on it is measured.
 */
#include "node_common.h"

static const struct param_spec node_exec_file_params[] = {
    NODE_PARAM_TARGET,
    {
        .name = "shell",
        .kind = PARAM_WORD,
        .defaults = "false,true",
        .choices = "false,true",
        .help = "true: execFile's shell option, /bin/sh -c with the child's path quoted",
    },
    NODE_PARAM_HEAP,
    {.name = NULL},
};

const struct scenario node_exec_file = {
    .name = "node.execFile",
    .summary = "Node child_process.execFile() of the static child, to its callback",
    .params = node_exec_file_params,
    NODE_HEAP_SCENARIO_FIELDS,
};
