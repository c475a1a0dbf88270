/*
 * Files that appear whole or not at all: written under a temporary name made
 * by mkstemp() in the destination folder, then renamed over the final name.
 * A reader (or a run that was interrupted) never sees half a file.
 */
#ifndef PROCBENCH_ATOMIC_FILE_H
#define PROCBENCH_ATOMIC_FILE_H

#include <limits.h>
#include <stdio.h>

struct atomic_file {
    FILE *fp;                  /* write here between open and commit */
    char tmp_path[PATH_MAX];   /* dir/.name.XXXXXX */
    char final_path[PATH_MAX]; /* dir/name */
};

/* Creates dir/.name.XXXXXX (mode 0644) and opens it for writing. Returns 0 or
 * -errno. */
int atomic_file_open(struct atomic_file *af, const char *dir, const char *name);

/* Flushes, closes and renames the file to its final name. On any error the
 * temporary file is removed. Returns 0 or -errno. */
int atomic_file_commit(struct atomic_file *af);

/* Closes and removes the temporary file; nothing appears. */
void atomic_file_abort(struct atomic_file *af);

#endif
