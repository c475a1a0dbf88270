/*
 * What an exec'ing spawn row passes to its program (issue 18): the
 * environment (`env`: the harness's own, or N variables of a fixed size),
 * padding arguments (`args`: N of a fixed size), and how the program is
 * found (`path_depth`: 0 an absolute path; N a PATH search through N
 * directories, N-1 empty ones made for the round and then the program's
 * own, as execvp() and posix_spawnp() search). Set up once per round and
 * shared by the round's spawners; each spawner's argv is built by
 * spawn_common.c from it.
 */
#ifndef PROCBENCH_SPAWN_EXEC_H
#define PROCBENCH_SPAWN_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/params.h"

/* Limits of the parameters. */
#define SPAWN_EXEC_ENV_MAX        4096
#define SPAWN_EXEC_ARGS_MAX       4096
#define SPAWN_EXEC_PATH_DEPTH_MAX 1024
/* Bytes of each padding argument and of each environment variable made for
 * env=N, the terminating NUL included: every one costs the same to copy. */
#define SPAWN_EXEC_STRING_BYTES 32

/* The three parameter specs, as initialisers (see PARENT_STATE_PARAM_SPECS
 * for why a macro). One default each, so that the default suite does not
 * grow: the sweeps are asked for with --param. */
/* clang-format off */
#define SPAWN_EXEC_PARAM_SPECS                                                                     \
    {                                                                                              \
        .name = "env", .kind = PARAM_COUNT, .defaults = "inherit", .min = 0,                       \
        .max = SPAWN_EXEC_ENV_MAX, .word = "inherit",                                              \
        .help = "environment passed: the harness's own (inherit) or this many 32-byte variables",  \
    },                                                                                             \
    {                                                                                              \
        .name = "args", .kind = PARAM_COUNT, .defaults = "0", .min = 0,                            \
        .max = SPAWN_EXEC_ARGS_MAX,                                                                \
        .help = "extra 32-byte arguments passed to the program",                                   \
    },                                                                                             \
    {                                                                                              \
        .name = "path_depth", .kind = PARAM_COUNT, .defaults = "0", .min = 0,                      \
        .max = SPAWN_EXEC_PATH_DEPTH_MAX,                                                          \
        .help = "0: exec by absolute path; N: PATH search through N directories (execvp style)",   \
    }
/* clang-format on */

/* The values of the three parameters for one case. */
struct spawn_exec_config {
    uint64_t env; /* PARAM_VALUE_WORD: the harness's own environment */
    uint64_t args;
    uint64_t path_depth;
};

/* Reads the config from a case's values (values[i] belongs to specs[i]),
 * by name; a parameter the specs lack keeps its default (inherit, 0, 0). */
void spawn_exec_config_read(const struct param_spec *specs, const struct param_value *values,
                            struct spawn_exec_config *out);

/* NULL when cfg can be run, otherwise why not, in why: a PATH search
 * needs PATH among the variables, so env=0 with path_depth > 0 cannot be. */
const char *spawn_exec_unavailable(const struct spawn_exec_config *cfg, char *why, size_t why_len);

/* What spawn_exec_setup() made. */
struct spawn_exec {
    struct spawn_exec_config cfg;
    char **envp;        /* the variables made for env=N; NULL: pass environ as it is then */
    char *env_storage;  /* the variables made for env=N; NULL for inherit */
    char *padding;      /* one padding argument, pointed to args times */
    char *search_root;  /* the temporary directory holding the empty ones; NULL if none */
    char *search_path;  /* the PATH searched; NULL when path_depth is 0 */
    char *saved_path;   /* PATH before setup, to restore; NULL when it was unset */
    bool path_replaced; /* PATH of this process was set to search_path */
};

/* Untimed, in a round's setup: makes the variables and the padding, and for
 * path_depth N > 0 the N-1 empty directories (in $TMPDIR, else /tmp, in a
 * directory procbench-path-PID-XXXXXX; any such directory of a process that
 * no longer exists, left by a round killed before its teardown, is removed
 * first) and a PATH of them followed by program_dir, which becomes this process's
 * PATH (glibc's execvpe() and posix_spawnp() search the caller's) and,
 * with env=N, the first of the N variables. Returns 0, or -errno with why
 * in failure and nothing left behind. */
int spawn_exec_setup(struct spawn_exec *x, const struct spawn_exec_config *cfg,
                     const char *program_dir, char *failure, size_t failure_len);

/* Removes the directories, restores PATH, frees everything. x may be all
 * zero (nothing set up). */
void spawn_exec_teardown(struct spawn_exec *x);

#endif
