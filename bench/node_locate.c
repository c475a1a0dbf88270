/*
 * Where node and the node.* driver are, and what node says it is. node comes
 * from PROCBENCH_NODE or PATH, as a shell would find it; the driver script
 * from PROCBENCH_NODE_DRIVER or beside the static child (base/locate.h). The
 * version query runs `node -p` once, with stdin and stderr on /dev/null and
 * a time limit, so that a broken node cannot hang or clutter a run; in a
 * process group of its own, killed whole once the answer is in, so that
 * whatever it started (a wrapper script's background jobs) goes with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/locate.h"
#include "base/reason.h"
#include "node_locate.h"

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
    enum locate_origin origin;
    int err = locate_path(LOCATE_NODE_DRIVER, path, path_len, &origin, why, why_len);
    if (err < 0)
        return err;
    if (access(path, R_OK) != 0) {
        err = errno;
        /* Short, as a reason has 160 bytes for the path too. */
        const char *remedy = origin == LOCATE_FROM_INSTALL ? "reinstall procbench"
                             : origin == LOCATE_FROM_BUILD_TREE
                                 ? "build procbench or set PROCBENCH_NODE_DRIVER"
                                 : "check PROCBENCH_NODE_DRIVER (or PROCBENCH_CHILD)";
        reason_format(why, why_len, "node driver not found at %s (%s): %s", path, strerror(err),
                      remedy);
        return -err;
    }
    return 0;
}

/* Starts node -p EXPRESSION with stdout on a pipe; stdin and stderr on
 * /dev/null; in a new process group whose id is *pid. Returns the read
 * end, or -errno. */
static int start_query(const char *node, pid_t *pid)
{
    static const char expression[] = "process.version + ' ' + process.versions.uv";
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int err = posix_spawnattr_init(&attr);
    if (err != 0) {
        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    err = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    if (err == 0)
        err = posix_spawnattr_setpgroup(&attr, 0);
    if (err == 0)
        err = posix_spawn_file_actions_init(&actions);
    if (err == 0) {
        err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        if (err == 0)
            err = posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        if (err == 0)
            err = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (err == 0) {
            char *argv[] = {(char *)node, (char *)"-p", (char *)expression, NULL};
            err = posix_spawn(pid, node, &actions, &attr, argv, environ);
        }
        posix_spawn_file_actions_destroy(&actions);
    }
    posix_spawnattr_destroy(&attr);
    close(fds[1]);
    if (err != 0) {
        close(fds[0]);
        return -err;
    }
    return fds[0];
}

/* Reads what the query prints, up to its first newline, the end of its
 * output or len - 1 bytes, before deadline (clock_now_ns() time). Not to
 * the end alone: a process node started may hold the pipe open for ever.
 * Returns 0 or -ETIMEDOUT / -errno. */
static int read_query(int fd, uint64_t deadline, char *text, size_t len)
{
    size_t used = 0;
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
        if (n == 0)
            break;
        bool line_done = memchr(text + used, '\n', (size_t)n) != NULL;
        used += (size_t)n;
        if (line_done || used == len - 1)
            break;
    }
    text[used] = '\0';
    return 0;
}

/* Ends the query: gives node until deadline to exit by itself (the exit
 * status tells whether it answered well), then kills its whole process
 * group, which is still ours to name while node is unreaped, and reaps
 * node. Returns node's wait status, and whether it exited in time. */
static int end_query(pid_t pid, uint64_t deadline, bool *in_time)
{
    siginfo_t info;
    *in_time = false;
    for (;;) {
        memset(&info, 0, sizeof(info));
        int rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
        if (rc == 0 && info.si_pid == pid) {
            *in_time = true;
            break;
        }
        if (rc != 0 && errno != EINTR)
            break;
        if (clock_now_ns() >= deadline)
            break;
        struct timespec step = {0, 1000000};
        nanosleep(&step, NULL);
    }
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
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
    uint64_t deadline = clock_now_ns() + QUERY_TIMEOUT_NS;
    err = read_query(fd, deadline, text, sizeof(text));
    close(fd);
    bool in_time;
    int status = end_query(pid, err == 0 ? deadline : 0, &in_time);
    if (err == 0 && !in_time)
        err = -ETIMEDOUT;
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
