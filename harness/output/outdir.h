/*
 * The results folder of a run: results/<UTC time>-<host>/ (or under the
 * --out-dir root), created fresh for every run, and the `latest` link in the
 * root that points at the newest complete one.
 *
 * While a run writes its folder, the folder holds a RUNNING file naming the
 * process (liveness.h): a folder without results.json and with RUNNING is
 * a run still going if that process lives, and a run that was killed
 * (SIGKILL, a crash, the machine's power) if not. The next run into the
 * same root marks such a folder PARTIAL and removes its temporary files;
 * readers leave folders with RUNNING out of a set of runs.
 */
#ifndef PROCBENCH_OUTDIR_H
#define PROCBENCH_OUTDIR_H

#include <stddef.h>
#include <stdint.h>

#define OUTDIR_RUNNING_FILE "RUNNING"

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

/* Writes run_dir/RUNNING naming the calling process. Returns 0 or -errno. */
int outdir_mark_running(const char *run_dir);

/* Removes run_dir/RUNNING: the run's files are all written. */
void outdir_unmark_running(const char *run_dir);

/* Looks through root for run folders whose RUNNING names a process that is
 * gone, marks each PARTIAL (saying so, and that a later run found it),
 * removes its temporary files and its RUNNING, and prints one line about
 * each on stderr; removes `latest` links in the making (.latest.tmpPID.N)
 * whose process is gone. Returns how many folders it marked. */
int outdir_mark_abandoned(const char *root);

/* Removes a run folder made by outdir_create() with every file in it and in
 * its hist/ (nothing else is expected there), for a run whose results could
 * not all be written: no folder with half a run is left behind. */
void outdir_remove(const char *run_dir);

#endif
