/*
 * The results folder of a run: results/<UTC time>-<host>/ (or under the
 * --out-dir root), created fresh for every run, and the `latest` link in the
 * root that points at the newest complete one.
 */
#ifndef PROCBENCH_OUTDIR_H
#define PROCBENCH_OUTDIR_H

#include <stddef.h>
#include <stdint.h>

/* Creates root (one level, if missing) and a new folder in it named
 * YYYYMMDDTHHMMSSZ-<host> from unix_ns (UTC), with -2, -3... appended when
 * that name is taken, plus its hist/ subfolder. Characters of host outside
 * [A-Za-z0-9._-] become '_'. Writes the folder's path to out. Returns 0 or
 * -errno with a one-line reason in err. */
int outdir_create(const char *root, uint64_t unix_ns, const char *host, char *out, size_t out_len,
                  char *err, size_t err_len);

/* Makes root/latest a symbolic link to run_dir's last path component,
 * replacing any previous link atomically. Returns 0 or -errno. */
int outdir_point_latest(const char *root, const char *run_dir);

/* Removes a run folder made by outdir_create() with every file in it and in
 * its hist/ (nothing else is expected there), for a run whose results could
 * not all be written: no folder with half a run is left behind. */
void outdir_remove(const char *run_dir);

#endif
