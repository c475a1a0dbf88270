/*
 * The arguments, environment and PATH search of the exec'ing spawn rows
 * (spawn_exec.h). Everything is made in setup, untimed; a sample only
 * passes pointers. The directories of a PATH search are real, empty
 * directories of a temporary one, so that each failed exec of the search
 * walks a path of the usual depth and meets a missing entry, as a PATH
 * through /usr/local/sbin, /usr/local/bin, ... does before the right one.
 */
#include "spawn_exec.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

/* The temporary directory of a search: SPAWN_EXEC_DIR_PREFIX, the pid of
 * the round's process, a mkdtemp() suffix. */
#define SPAWN_EXEC_DIR_PREFIX "procbench-path-"

/* An execve() refuses one string longer than this (MAX_ARG_STRLEN, 32
 * pages): PATH is one. */
#define PATH_VALUE_MAX (128u * 1024u - 1u)

void spawn_exec_config_read(const struct param_spec *specs, const struct param_value *values,
                            struct spawn_exec_config *out)
{
    *out = (struct spawn_exec_config){.env = PARAM_VALUE_WORD, .args = 0, .path_depth = 0};
    for (size_t i = 0; specs != NULL && specs[i].name != NULL; i++) {
        if (strcmp(specs[i].name, "env") == 0)
            out->env = values[i].number;
        else if (strcmp(specs[i].name, "args") == 0)
            out->args = values[i].number;
        else if (strcmp(specs[i].name, "path_depth") == 0)
            out->path_depth = values[i].number;
    }
}

const char *spawn_exec_unavailable(const struct spawn_exec_config *cfg, char *why, size_t why_len)
{
    if (cfg->env == 0 && cfg->path_depth > 0) {
        snprintf(why, why_len,
                 "env=0 with path_depth=%llu: a PATH search needs PATH among the variables "
                 "(env=N passes PATH and N-1 others)",
                 (unsigned long long)cfg->path_depth);
        return why;
    }
    return NULL;
}

/* The directory name of search directory i (1-based) under root. */
static void search_dir(char *buf, size_t len, const char *root, uint64_t i)
{
    snprintf(buf, len, "%s/%llu", root, (unsigned long long)i);
}

/* Removes the first made directories of x's root, then the root. */
static void remove_search_dirs(struct spawn_exec *x, uint64_t made)
{
    if (x->search_root == NULL)
        return;
    size_t len = strlen(x->search_root) + 24;
    char *dir = malloc(len);
    for (uint64_t i = 1; dir != NULL && i <= made; i++) {
        search_dir(dir, len, x->search_root, i);
        rmdir(dir);
    }
    free(dir);
    rmdir(x->search_root);
    free(x->search_root);
    x->search_root = NULL;
}

/* Removes what a round killed before its teardown (--sample-timeout, an
 * interrupt: SIGKILL) left in tmp: the directories named for a process that
 * no longer exists. Only rmdir(): a directory that is not empty, or not
 * ours, stays. */
static void sweep_stale(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int pid = 0, end = 0;
        if (sscanf(e->d_name, SPAWN_EXEC_DIR_PREFIX "%d-%*6[A-Za-z0-9]%n", &pid, &end) != 1 ||
            e->d_name[end] != '\0' || pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        char root[4096], dir[4200];
        snprintf(root, sizeof(root), "%s/%s", tmp, e->d_name);
        for (unsigned i = 1; i < SPAWN_EXEC_PATH_DEPTH_MAX; i++) {
            snprintf(dir, sizeof(dir), "%s/%u", root, i);
            if (rmdir(dir) != 0 && errno == ENOENT)
                break;
        }
        rmdir(root);
    }
    closedir(d);
}

/* Makes the path_depth - 1 empty directories and search_path: them, then
 * program_dir. */
static int make_search_path(struct spawn_exec *x, const char *program_dir, char *failure,
                            size_t failure_len)
{
    uint64_t empty = x->cfg.path_depth - 1;
    if (strchr(program_dir, ':') != NULL) {
        snprintf(failure, failure_len,
                 "the program's directory %s holds a ':' and cannot be a PATH entry", program_dir);
        return -EINVAL;
    }
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] != '/')
        tmp = "/tmp";
    size_t root_len = strlen(tmp) + 48;
    /* Every entry is root/N: at most root_len + 6 bytes and a ':'. */
    size_t path_len = (size_t)empty * (root_len + 7) + strlen(program_dir) + 1;
    if (path_len > PATH_VALUE_MAX) {
        snprintf(failure, failure_len,
                 "a PATH of %llu directories under %s would pass execve()'s %u-byte limit on "
                 "one string",
                 (unsigned long long)x->cfg.path_depth, tmp, PATH_VALUE_MAX);
        return -E2BIG;
    }
    x->search_path = malloc(path_len);
    char *root = malloc(root_len);
    if (x->search_path == NULL || root == NULL) {
        free(root);
        snprintf(failure, failure_len, "out of memory");
        return -ENOMEM;
    }
    sweep_stale(tmp);
    snprintf(root, root_len, "%s/" SPAWN_EXEC_DIR_PREFIX "%d-XXXXXX", tmp, (int)getpid());
    if (empty > 0 && mkdtemp(root) == NULL) {
        int err = errno;
        snprintf(failure, failure_len, "mkdtemp(%s) failed: %s", root, strerror(err));
        free(root);
        return -err;
    }
    if (empty == 0) {
        free(root);
        snprintf(x->search_path, path_len, "%s", program_dir);
        return 0;
    }
    x->search_root = root;
    size_t used = 0;
    char dir[4200];
    for (uint64_t i = 1; i <= empty; i++) {
        search_dir(dir, sizeof(dir), root, i);
        if (mkdir(dir, 0700) != 0) {
            int err = errno;
            snprintf(failure, failure_len, "mkdir(%s) failed: %s", dir, strerror(err));
            remove_search_dirs(x, i - 1);
            return -err;
        }
        used += (size_t)snprintf(x->search_path + used, path_len - used, "%s:", dir);
    }
    snprintf(x->search_path + used, path_len - used, "%s", program_dir);
    return 0;
}

/* env=N: N variables of SPAWN_EXEC_STRING_BYTES each, the first of them
 * PATH when a search needs it (that one as long as it is). */
static int make_environment(struct spawn_exec *x, char *failure, size_t failure_len)
{
    uint64_t n = x->cfg.env;
    x->envp = calloc(n + 1, sizeof(*x->envp));
    x->env_storage = malloc(n * SPAWN_EXEC_STRING_BYTES + 1);
    char *path_var = NULL;
    if (x->search_path != NULL && n > 0) {
        size_t len = strlen(x->search_path) + 6;
        path_var = malloc(len);
        if (path_var != NULL)
            snprintf(path_var, len, "PATH=%s", x->search_path);
    }
    if (x->envp == NULL || x->env_storage == NULL || (x->search_path != NULL && path_var == NULL)) {
        free(path_var);
        snprintf(failure, failure_len, "out of memory");
        return -ENOMEM;
    }
    uint64_t first = 0;
    if (path_var != NULL) {
        /* Owned through env_storage's first slot: see spawn_exec_teardown. */
        x->envp[first++] = path_var;
    }
    for (uint64_t i = first; i < n; i++) {
        char *var = x->env_storage + i * SPAWN_EXEC_STRING_BYTES;
        int len =
            snprintf(var, SPAWN_EXEC_STRING_BYTES, "PROCBENCH_ENV_%04llu=", (unsigned long long)i);
        memset(var + len, 'v', SPAWN_EXEC_STRING_BYTES - 1 - (size_t)len);
        var[SPAWN_EXEC_STRING_BYTES - 1] = '\0';
        x->envp[i] = var;
    }
    x->envp[n] = NULL;
    return 0;
}

int spawn_exec_setup(struct spawn_exec *x, const struct spawn_exec_config *cfg,
                     const char *program_dir, char *failure, size_t failure_len)
{
    memset(x, 0, sizeof(*x));
    x->cfg = *cfg;
    int err = 0;
    x->padding = malloc(SPAWN_EXEC_STRING_BYTES);
    if (x->padding == NULL) {
        snprintf(failure, failure_len, "out of memory");
        return -ENOMEM;
    }
    memset(x->padding, 'x', SPAWN_EXEC_STRING_BYTES - 1);
    x->padding[SPAWN_EXEC_STRING_BYTES - 1] = '\0';
    if (cfg->path_depth > 0) {
        err = make_search_path(x, program_dir, failure, failure_len);
        if (err != 0)
            goto fail;
        const char *old = getenv("PATH");
        if (old != NULL && (x->saved_path = strdup(old)) == NULL) {
            snprintf(failure, failure_len, "out of memory");
            err = -ENOMEM;
            goto fail;
        }
        if (setenv("PATH", x->search_path, 1) != 0) {
            err = -errno;
            snprintf(failure, failure_len, "setenv(PATH) failed: %s", strerror(-err));
            goto fail;
        }
        x->path_replaced = true;
    }
    if (cfg->env != PARAM_VALUE_WORD) {
        err = make_environment(x, failure, failure_len);
        if (err != 0)
            goto fail;
    }
    return 0;

fail:
    spawn_exec_teardown(x);
    return err;
}

void spawn_exec_teardown(struct spawn_exec *x)
{
    if (x->path_replaced) {
        if (x->saved_path != NULL)
            setenv("PATH", x->saved_path, 1);
        else
            unsetenv("PATH");
    }
    remove_search_dirs(x, x->cfg.path_depth > 0 ? x->cfg.path_depth - 1 : 0);
    /* With a search, envp[0] is PATH=..., allocated apart. */
    if (x->envp != NULL && x->search_path != NULL && x->cfg.env > 0)
        free(x->envp[0]);
    free(x->envp);
    free(x->env_storage);
    free(x->padding);
    free(x->search_path);
    free(x->saved_path);
    memset(x, 0, sizeof(*x));
}
