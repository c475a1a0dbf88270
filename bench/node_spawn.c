/*
 * node.spawn: Node's child_process.spawn() of the static child, from the
 * call to the child's 'close' event (its exit seen and every stdio stream of
 * it ended: the point at which Node is done with it), timed in Node. The
 * row to set beside spawn.uv_spawn (libuv, which spawn() sits on) and
 * spawn.fork_exec (what libuv does on Linux). `stdio=inherit` gives the
 * child the driver's descriptors, as spawn.uv_spawn does; `stdio=pipe` is
 * Node's default, three pipes whose ends Node must also close. The return metric is
 * the time until spawn() returned: libuv returns once the child has exec'd.
 */
#include "node_common.h"

static const struct param_spec node_spawn_params[] = {
    NODE_PARAM_TARGET,
    {
        .name = "stdio",
        .kind = PARAM_WORD,
        .defaults = "inherit,pipe",
        .choices = "inherit,pipe",
        .help = "inherit: the driver's fds 0-2 (as spawn.uv_spawn); pipe: Node's default, three "
                "pipes",
    },
    {.name = NULL},
};

const struct scenario node_spawn = {
    .name = "node.spawn",
    .summary = "Node child_process.spawn() of the static child, to its 'close' event",
    .params = node_spawn_params,
    NODE_SCENARIO_FIELDS,
};
