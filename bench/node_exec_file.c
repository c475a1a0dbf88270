/*
 * node.execFile: Node's child_process.execFile() of the static child, from
 * the call to its callback (which Node calls on the child's 'close': exit
 * seen, its stdout and stderr pipes drained into buffers), timed in Node.
 * stdout and stderr are always pipes, buffered up to maxBuffer (Node's
 * default, 1 MiB; the child writes nothing, which is checked). `shell=true`
 * passes execFile's own shell option: the quoted path runs through
 * /bin/sh -c, which is what exec() does, so node.execFile{shell=true}
 * against {shell=false} is the shell's cost without exec()'s own layer.
 */
#include "node_common.h"

static const struct param_spec node_exec_file_params[] = {
    NODE_PARAM_TARGET,
    {
        .name = "shell",
        .kind = PARAM_WORD,
        .defaults = "false",
        .choices = "false,true",
        .help = "true: execFile's shell option, /bin/sh -c with the child's path quoted",
    },
    NODE_PARAM_HEAP,
    {.name = NULL},
};

static const char *node_exec_file_unavailable(const struct param_value *params, char *why,
                                              size_t why_len)
{
    return node_heap_unavailable(node_exec_file_params, params, why, why_len);
}

static int node_exec_file_setup(struct case_ctx *ctx, char *failure, size_t failure_len)
{
    return node_setup(ctx, "node.execFile", node_exec_file_params, failure, failure_len);
}

const struct scenario node_exec_file = {
    .name = "node.execFile",
    .summary = "Node child_process.execFile() of the static child, to its callback",
    .params = node_exec_file_params,
    NODE_SCENARIO_COMMON,
    .metrics = node_metrics,
    .case_unavailable = node_exec_file_unavailable,
    .setup = node_exec_file_setup,
};
