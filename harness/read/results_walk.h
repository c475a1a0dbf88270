/*
 * The typed walk of a results.json into the model of results_read.h.
 * Internal to read/: results_folders.c loads the file (untrusted.h) and
 * walks it.
 */
#ifndef PROCBENCH_RESULTS_WALK_H
#define PROCBENCH_RESULTS_WALK_H

#include "results_read.h"
#include "untrusted.h"

/* Fills run (whose json, the document root, the caller has set) from
 * root, checking every value. Returns 0, or -errno with one line naming
 * the member and the problem. */
int results_walk(const struct reader *rd, json_t *root, struct stored_run *run);

#endif
