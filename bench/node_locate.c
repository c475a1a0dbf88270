/*
 * Where node and the node.* driver are, and what node says it is. node comes
 * from PROCBENCH_NODE or PATH, as a shell would find it; the driver script
 * from PROCBENCH_NODE_DRIVER or beside the static child, where CMake copies it. The
 * version query runs `node -p` once, with stdin and stderr on /dev/null and
 * a time limit, so that a broken node cannot hang or clutter a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "node_locate.h"
#include "proc.h"

#define DRIVER_NAME      "procbench-driver.js"
#define QUERY_TIMEOUT_NS (10ull * 1000000000ull)

/* A regular file this process may execute. */
static int executable_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    return access(path, X_OK) == 0 ? 0 : -errno;
}

int node_locate(char *path, size_t path_len, char *why, size_t why_len)
{
    const char *from_env = getenv("PROCBENCH_NODE");
    if (from_env != NULL && from_env[0] != '\0') {
        int err = executable_file(from_env);
        if (err < 0) {
            snprintf(why, why_len,
                     "node not found: PROCBENCH_NODE=%s is not an executable file (%s)", from_env,
                     strerror(-err));
            return -ENOENT;
        }
        if ((size_t)snprintf(path, path_len, "%s", from_env) >= path_len) {
            snprintf(why, why_len, "PROCBENCH_NODE is longer than %zu bytes", path_len - 1);
            return -ENAMETOOLONG;
        }
        return 0;
    }
    const char *search = getenv("PATH");
    if (search == NULL || search[0] == '\0')
        search = "/usr/local/bin:/usr/bin:/bin";
    for (const char *dir = search; *dir != '\0';) {
        size_t len = strcspn(dir, ":");
        /* An empty entry is the current directory, as for a shell. */
        int n = len == 0 ? snprintf(path, path_len, "./node")
                         : snprintf(path, path_len, "%.*s/node", (int)len, dir);
        if (n > 0 && (size_t)n < path_len && executable_file(path) == 0) {
            if (path[0] != '/') {
                char here[PATH_MAX];
                if (realpath(path, here) != NULL && strlen(here) < path_len)
                    strcpy(path, here);
            }
            return 0;
        }
        dir += len;
        if (*dir == ':')
            dir++;
    }
    path[0] = '\0';
    snprintf(why, why_len, "node not found on PATH (install Node.js or set PROCBENCH_NODE)");
    return -ENOENT;
}

int node_driver_script(char *path, size_t path_len, char *why, size_t why_len)
{
    const char *from_env = getenv("PROCBENCH_NODE_DRIVER");
    if (from_env != NULL && from_env[0] != '\0') {
        if ((size_t)snprintf(path, path_len, "%s", from_env) >= path_len) {
            snprintf(why, why_len, "PROCBENCH_NODE_DRIVER is longer than %zu bytes", path_len - 1);
            return -ENAMETOOLONG;
        }
    } else {
        /* Beside the static child, which CMake puts in the same folder and
         * PROCBENCH_CHILD may move (the tests do). */
        const char *child;
        int err = proc_child_path(&child, why, why_len);
        if (err < 0)
            return err;
        const char *slash = strrchr(child, '/');
        int dir_len = slash != NULL ? (int)(slash - child) : 1;
        if ((size_t)snprintf(path, path_len, "%.*s/%s", dir_len, slash != NULL ? child : ".",
                             DRIVER_NAME) >= path_len) {
            snprintf(why, why_len, "path of the node driver is longer than %zu bytes",
                     path_len - 1);
            return -ENAMETOOLONG;
        }
    }
    if (access(path, R_OK) != 0) {
        int err = errno;
        snprintf(why, why_len,
                 "node driver not found at %s (%s): build procbench or set PROCBENCH_NODE_DRIVER",
                 path, strerror(err));
        return -err;
    }
    return 0;
}

/* Starts node -p EXPRESSION with stdout on a pipe; stdin and stderr on
 * /dev/null. Returns the read end, or -errno. */
static int start_query(const char *node, pid_t *pid)
{
    static const char expression[] = "process.version + ' ' + process.versions.uv";
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    posix_spawn_file_actions_t actions;
    int err = posix_spawn_file_actions_init(&actions);
    if (err == 0) {
        err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        if (err == 0)
            err = posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        if (err == 0)
            err = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (err == 0) {
            char *argv[] = {(char *)node, (char *)"-p", (char *)expression, NULL};
            err = posix_spawn(pid, node, &actions, NULL, argv, environ);
        }
        posix_spawn_file_actions_destroy(&actions);
    }
    close(fds[1]);
    if (err != 0) {
        close(fds[0]);
        return -err;
    }
    return fds[0];
}

/* Reads what the query prints, up to len - 1 bytes, within the time limit.
 * Returns 0 or -ETIMEDOUT / -errno. */
static int read_query(int fd, char *text, size_t len)
{
    size_t used = 0;
    uint64_t deadline = clock_now_ns() + QUERY_TIMEOUT_NS;
    for (;;) {
        uint64_t now = clock_now_ns();
        if (now >= deadline)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return -errno;
        if (ready == 0)
            continue;
        ssize_t n = read(fd, text + used, len - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0 || (used += (size_t)n) == len - 1)
            break;
    }
    text[used] = '\0';
    return 0;
}

int node_query_versions(char *version, size_t version_len, char *uv_version, size_t uv_len,
                        char *path, size_t path_len, char *why, size_t why_len)
{
    snprintf(version, version_len, "not installed");
    snprintf(uv_version, uv_len, "not installed");
    int err = node_locate(path, path_len, why, why_len);
    if (err < 0) {
        snprintf(path, path_len, "not installed");
        return err;
    }
    snprintf(version, version_len, "unknown");
    snprintf(uv_version, uv_len, "unknown");
    pid_t pid;
    int fd = start_query(path, &pid);
    if (fd < 0) {
        snprintf(why, why_len, "posix_spawn of %s failed: %s", path, strerror(-fd));
        return fd;
    }
    char text[128];
    err = read_query(fd, text, sizeof(text));
    close(fd);
    if (err == -ETIMEDOUT)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (err < 0) {
        snprintf(why, why_len, "%s -p: %s", path,
                 err == -ETIMEDOUT ? "no answer within 10 s" : strerror(-err));
        return err;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(why, why_len, "%s -p failed (wait status 0x%x)", path, status);
        return -ECHILD;
    }
    /* Expected: "v20.20.2 1.46.0\n"; anything else is not trusted. */
    char v[64], uv[64];
    if (sscanf(text, "%63s %63s", v, uv) != 2 || strspn(v, "v0123456789.") != strlen(v) ||
        strspn(uv, "0123456789.") != strlen(uv)) {
        snprintf(why, why_len, "%s -p printed something other than two versions", path);
        return -EPROTO;
    }
    snprintf(version, version_len, "%s", v);
    snprintf(uv_version, uv_len, "%s", uv);
    return 0;
}

static void node_env_collect(char values[][ENV_PROBE_VALUE_MAX])
{
    char why[160];
    /* Whatever goes wrong, the values say "not installed" or "unknown". */
    node_query_versions(values[0], ENV_PROBE_VALUE_MAX, values[1], ENV_PROBE_VALUE_MAX, values[2],
                        ENV_PROBE_VALUE_MAX, why, sizeof(why));
}

const struct env_probe node_env_probe = {
    .keys = {"node_version", "node_uv_version", "node_path"},
    .not_asked = {"not asked: no node.* case", "not asked", "not asked"},
    .collect = node_env_collect,
};
