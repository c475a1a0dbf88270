/*
 * Finding Node.js and the node.* driver script, and asking node what it is:
 * the node.* scenarios need the first two to run at all (and are skipped
 * with a reason when node is missing), and the run's environment records
 * the third through node_env_probe, which every node.* descriptor points at.
 */
#ifndef PROCBENCH_NODE_LOCATE_H
#define PROCBENCH_NODE_LOCATE_H

#include <stddef.h>

#include "scenario.h"

/* The environment's node_version, node_uv_version and node_path: asked
 * (node_query_versions()) only in runs with a node.* case. */
extern const struct env_probe node_env_probe;

/* Absolute path of the node binary: the environment variable PROCBENCH_NODE
 * when set (it must name an executable file), otherwise the first "node" on
 * PATH. Looked up afresh at every call (cheap, and tests change the
 * environment). Returns 0, or -ENOENT (or -ENAMETOOLONG) with a reason that
 * names node and where it was looked for in why. */
int node_locate(char *path, size_t path_len, char *why, size_t why_len);

/* Absolute path of the driver script procbench-driver.js: the environment
 * variable PROCBENCH_NODE_DRIVER when set, otherwise in the folder of the
 * static child (where PROCBENCH_CHILD says, or the build tree's or the
 * installation's, base/locate.h), where CMake copies and installs it.
 * Returns 0, or -errno with a reason naming the path in why. */
int node_driver_script(char *path, size_t path_len, char *why, size_t why_len);

/* Runs `node -p` to learn its version ("v20.20.2") and the version of the
 * libuv bundled in it (process.versions.uv), waiting at most 10 s. path is
 * where node was found. Returns 0, or -errno with a reason in why: then
 * version and uv_version hold "not installed" when node is missing, else
 * "unknown". */
int node_query_versions(char *version, size_t version_len, char *uv_version, size_t uv_len,
                        char *path, size_t path_len, char *why, size_t why_len);

#endif
