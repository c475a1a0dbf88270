/*
 * Finding procbench's own files (locate.h): the folder of the running binary
 * from /proc/self/exe, then either the build tree's places or the installed
 * ones, relative to that folder. CMake passes three facts at compile time:
 * the source tree (for the build tree's plots/ and ci/expectations) and the
 * libexec and data folders of an installation, relative to its bin folder
 * ("../libexec/procbench" and "../share/procbench" in the GNU layout).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "locate.h"
#include "reason.h"

#if !defined(PROCBENCH_SOURCE_DIR) || !defined(PROCBENCH_INSTALL_LIBEXEC_REL) ||                   \
    !defined(PROCBENCH_INSTALL_DATA_REL)
#error "CMake defines PROCBENCH_SOURCE_DIR and PROCBENCH_INSTALL_{LIBEXEC,DATA}_REL"
#endif

#define CHILD_NAME  "procbench-child"
#define DRIVER_NAME "procbench-driver.js"

static const struct {
    const char *key;
    const char *variable;
} items[LOCATE_ITEM_COUNT] = {
    [LOCATE_CHILD] = {"child", "PROCBENCH_CHILD"},
    [LOCATE_NODE_DRIVER] = {"node_driver", "PROCBENCH_NODE_DRIVER"},
    [LOCATE_PLOTS_DIR] = {"plots_dir", "PROCBENCH_PLOTS_DIR"},
    [LOCATE_EXPECTATIONS] = {"expectations", NULL},
};

const char *locate_item_key(enum locate_item item)
{
    return items[item].key;
}

const char *locate_item_variable(enum locate_item item)
{
    return items[item].variable;
}

const char *locate_origin_name(enum locate_origin origin)
{
    switch (origin) {
    case LOCATE_FROM_ENVIRONMENT:
        return "environment";
    case LOCATE_FROM_BUILD_TREE:
        return "build tree";
    case LOCATE_FROM_INSTALL:
        return "installed";
    }
    return "?";
}

/* snprintf that reports truncation as -ENAMETOOLONG with a reason. */
static int join(char *path, size_t len, const char *what, char *why, size_t why_len,
                const char *first, const char *second)
{
    if ((size_t)snprintf(path, len, "%s/%s", first, second) >= len) {
        path[0] = '\0';
        reason_format(why, why_len, "path of the %s is longer than %zu bytes", what, len - 1);
        return -ENAMETOOLONG;
    }
    return 0;
}

/* dir/rel with its ".." resolved away, so that what `procbench env` prints
 * and errors name read as plain paths: the whole path when it exists, else
 * its folder (a missing file is still named where it should be). */
static int join_resolved(char *path, size_t len, const char *what, char *why, size_t why_len,
                         const char *dir, const char *rel)
{
    char joined[PATH_MAX], resolved[PATH_MAX + 1];
    int err = join(joined, sizeof(joined), what, why, why_len, dir, rel);
    if (err < 0)
        return err;
    const char *best = joined;
    char *slash = strrchr(joined, '/');
    if (realpath(joined, resolved) != NULL) {
        best = resolved;
    } else if (slash != NULL && slash != joined) {
        *slash = '\0';
        char folder[PATH_MAX];
        bool found = realpath(joined, folder) != NULL;
        *slash = '/';
        if (found &&
            (size_t)snprintf(resolved, sizeof(resolved), "%s%s", folder, slash) < sizeof(resolved))
            best = resolved;
    }
    if (strlen(best) >= len) {
        reason_format(why, why_len, "path of the %s is longer than %zu bytes", what, len - 1);
        return -ENAMETOOLONG;
    }
    strcpy(path, best);
    return 0;
}

int locate_layout(enum locate_origin *layout, char *dir, size_t len, char *why, size_t why_len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0) {
        int err = errno;
        reason_format(why, why_len, "readlink(/proc/self/exe) failed: %s", strerror(err));
        return -err;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0';
    if (strlen(exe) >= len) {
        reason_format(why, why_len, "the folder of the procbench binary is longer than %zu bytes",
                      len - 1);
        return -ENAMETOOLONG;
    }
    strcpy(dir, exe);

    /* The libexec folder of an installation, relative to the binary's
     * folder: there, the binary is installed. A build tree has none (its
     * exec targets are in bench/child/ below the binary). */
    char probe[PATH_MAX];
    struct stat st;
    bool installed = join(probe, sizeof(probe), "libexec folder", why, why_len, exe,
                          PROCBENCH_INSTALL_LIBEXEC_REL) == 0 &&
                     stat(probe, &st) == 0 && S_ISDIR(st.st_mode);
    *layout = installed ? LOCATE_FROM_INSTALL : LOCATE_FROM_BUILD_TREE;
    return 0;
}

/* The path of item from the layout alone, environment aside. */
static int from_layout(enum locate_item item, enum locate_origin layout, const char *dir,
                       char *path, size_t len, char *why, size_t why_len)
{
    bool installed = layout == LOCATE_FROM_INSTALL;
    switch (item) {
    case LOCATE_CHILD:
        if (installed)
            return join_resolved(path, len, "static child", why, why_len, dir,
                                 PROCBENCH_INSTALL_LIBEXEC_REL "/" CHILD_NAME);
        return join(path, len, "static child", why, why_len, dir, "bench/child/" CHILD_NAME);
    case LOCATE_PLOTS_DIR:
        if (installed)
            return join_resolved(path, len, "plots folder", why, why_len, dir,
                                 PROCBENCH_INSTALL_DATA_REL "/plots");
        return join(path, len, "plots folder", why, why_len, PROCBENCH_SOURCE_DIR, "plots");
    case LOCATE_EXPECTATIONS:
        if (installed)
            return join_resolved(path, len, "expectations", why, why_len, dir,
                                 PROCBENCH_INSTALL_DATA_REL "/expectations");
        return join(path, len, "expectations", why, why_len, PROCBENCH_SOURCE_DIR,
                    "ci/expectations");
    case LOCATE_NODE_DRIVER:
        break;
    }
    return -EINVAL;
}

int locate_path(enum locate_item item, char *path, size_t len, enum locate_origin *origin,
                char *why, size_t why_len)
{
    enum locate_origin ignored;
    if (origin == NULL)
        origin = &ignored;
    const char *variable = items[item].variable;
    const char *from_env = variable != NULL ? getenv(variable) : NULL;
    if (from_env != NULL && from_env[0] != '\0') {
        if (strlen(from_env) >= len) {
            reason_format(why, why_len, "%s is longer than %zu bytes", variable, len - 1);
            return -ENAMETOOLONG;
        }
        strcpy(path, from_env);
        *origin = LOCATE_FROM_ENVIRONMENT;
        return 0;
    }

    /* The driver sits beside the child, wherever that is: CMake copies it
     * there in a build tree, installs it there, and a test that points
     * PROCBENCH_CHILD elsewhere moves both. */
    if (item == LOCATE_NODE_DRIVER) {
        char child[PATH_MAX];
        int err = locate_path(LOCATE_CHILD, child, sizeof(child), origin, why, why_len);
        if (err < 0)
            return err;
        const char *folder = ".";
        char *slash = strrchr(child, '/');
        if (slash != NULL) {
            *slash = '\0';
            folder = child;
        }
        return join(path, len, "node driver", why, why_len, folder, DRIVER_NAME);
    }

    char dir[PATH_MAX];
    int err = locate_layout(origin, dir, sizeof(dir), why, why_len);
    if (err < 0)
        return err;
    return from_layout(item, *origin, dir, path, len, why, why_len);
}
