/*
 * Where procbench's own files are: the static child and the Node.js driver
 * that the scenarios exec, the gnuplot scripts of `report`, the rules of
 * `check`. There are two layouts, told apart by where the running binary is
 * (/proc/self/exe), never by the current directory or a path fixed when it
 * was installed, so that an installed prefix can be moved as a whole:
 *
 *   build tree  BUILD/procbench, BUILD/bench/child/procbench-child and the
 *               driver beside it; plots/ and ci/expectations in the source
 *               tree it was built from
 *   installed   P/bin/procbench, P/libexec/procbench/ (child, driver),
 *               P/share/procbench/ (plots/, expectations); the GNU install
 *               directories CMake was configured with, taken relative to the
 *               binary's folder
 *
 * The binary is installed when that relative libexec folder exists beside
 * it. An environment variable, where a file has one, wins over both.
 */
#ifndef PROCBENCH_LOCATE_H
#define PROCBENCH_LOCATE_H

#include <stddef.h>

enum locate_item {
    LOCATE_CHILD,        /* the static child program; PROCBENCH_CHILD */
    LOCATE_NODE_DRIVER,  /* procbench-driver.js, beside the child; PROCBENCH_NODE_DRIVER */
    LOCATE_PLOTS_DIR,    /* the folder of the gnuplot scripts; PROCBENCH_PLOTS_DIR */
    LOCATE_EXPECTATIONS, /* the default rules file of `check` (--rules overrides) */
};
#define LOCATE_ITEM_COUNT 4

enum locate_origin {
    LOCATE_FROM_ENVIRONMENT, /* the item's environment variable */
    LOCATE_FROM_BUILD_TREE,
    LOCATE_FROM_INSTALL,
};

/* The path of item into path[len], and where the answer came from into
 * *origin (may be NULL). The path is not checked: callers say what is
 * missing in their own words. Returns 0, or -ENAMETOOLONG or the errno of
 * readlink(/proc/self/exe) with a one-line reason in why. */
int locate_path(enum locate_item item, char *path, size_t len, enum locate_origin *origin,
                char *why, size_t why_len);

/* The layout of the running binary (LOCATE_FROM_BUILD_TREE or
 * LOCATE_FROM_INSTALL) into *layout and its folder into dir[len]. Returns
 * 0, or -errno with a reason in why. */
int locate_layout(enum locate_origin *layout, char *dir, size_t len, char *why, size_t why_len);

/* A stable key for item, as `procbench env` prints it: "child",
 * "node_driver", "plots_dir", "expectations". */
const char *locate_item_key(enum locate_item item);

/* The environment variable that overrides item, or NULL when none does. */
const char *locate_item_variable(enum locate_item item);

/* "environment", "build tree" or "installed". */
const char *locate_origin_name(enum locate_origin origin);

#endif
