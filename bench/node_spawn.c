/*
 * node.spawn: Node's child_process.spawn() of the static child, from the
 * call to the child's 'close' event (its exit seen and every stdio stream of
 * it ended: the point at which Node is done with it), timed in Node. The
 * row to set beside spawn.uv_spawn (libuv, which spawn() sits on) and
 * spawn.fork_exec (what libuv does on Linux). return_ns is the time until
 * spawn() returned: libuv returns once the child has exec'd, and until then
 * the event loop stands still, which loop_delay shows (it grows with the
 * parent's `heap`, since libuv forks).
 *
 * Options as parameters: `stdio=inherit` gives the child the driver's
 * descriptors, as spawn.uv_spawn does; `pipe` is Node's default, three
 * pipes whose ends Node must also close; `ignore`, /dev/null. `detached`
 * puts the child in a session of its own (setsid); it is still waited for
 * and its status checked, and the driver checks once per round, untimed,
 * that a child spawned with the case's options is in the session it should
 * be in. `shell` runs the target through /bin/sh -c (the path quoted, as
 * spawn.shell quotes it).
 *
 * The defaults carry the report's claims on this row in both suites: shell
 * both ways (a shell costs more), and a 256 MiB heap beside none (spawning
 * does not block the event loop, whatever the parent holds); --quick keeps
 * stdio=inherit alone, the decomposition's row. Larger heaps are asked for
 * (README, "Sweeps").
 */
#include "node_common.h"

static const struct param_spec node_spawn_params[] = {
    NODE_PARAM_TARGET,
    {
        .name = "stdio",
        .kind = PARAM_WORD,
        .defaults = "inherit,pipe",
        .quick = "inherit",
        .choices = "inherit,pipe,ignore",
        .help = "inherit: the driver's fds 0-2 (as spawn.uv_spawn); pipe: Node's default, three "
                "pipes; ignore: /dev/null",
    },
    {
        .name = "detached",
        .kind = PARAM_WORD,
        .defaults = "false",
        .choices = "false,true",
        .help = "true: the child in a session of its own (still waited for and checked)",
    },
    {
        .name = "shell",
        .kind = PARAM_WORD,
        .defaults = "false,true",
        .choices = "false,true",
        .help = "true: through /bin/sh -c, the child's path quoted",
    },
    NODE_PARAM_HEAP_SWEPT("0,256M"),
    {.name = NULL},
};

const struct scenario node_spawn = {
    .name = "node.spawn",
    .summary = "Node child_process.spawn() of the static child, to its 'close' event",
    .params = node_spawn_params,
    NODE_HEAP_SCENARIO_FIELDS,
};
