/*
 * Running gnuplot for the report: found once (PROCBENCH_GNUPLOT, else
 * `gnuplot` on PATH), then started with posix_spawn for each plot with an
 * argv of file names and `-e` assignments only, never through a shell, in
 * the folder the plots go to, stdin from /dev/null and its output into a
 * log file. Strings inside the -e assignments and the settings files are
 * made by gnuplot_quote(); see gnuplot_quote.h for why that is safe.
 *
 * Each gnuplot runs in a process group of its own, killed whole when it
 * ends, hangs, or the report is interrupted: gnuplot can start programs
 * (its `system`, a pipe to a viewer, a wrapper script's jobs), and none may
 * outlive the report. Its own group also keeps a terminal's Ctrl-C from
 * reaching it directly: procbench decides what is killed, and cleans up.
 */
#ifndef PROCBENCH_REPORT_GNUPLOT_H
#define PROCBENCH_REPORT_GNUPLOT_H

#include <limits.h>
#include <stddef.h>

#include <signal.h>

/* How long one gnuplot may take before it is killed (the test-only
 * PROCBENCH_TEST_GNUPLOT_TIMEOUT_MS may shorten it). */
#define REPORT_GNUPLOT_TIMEOUT_S 60

/* The gnuplot to run into path[len]: $PROCBENCH_GNUPLOT when set (it must
 * be an executable regular file), else the first executable `gnuplot` on
 * $PATH. Returns 0, or -ENOENT when there is none. */
int report_gnuplot_find(char *path, size_t len);

/* From now on, report_gnuplot_run() stops a gnuplot (and returns -EINTR)
 * as soon as *flag is non-zero: a signal handler's record. NULL: never. */
void report_gnuplot_stop_when(const volatile sig_atomic_t *flag);

/* Runs `gnuplot ARGS...` (args: count strings, passed as they are) with cwd
 * as its working folder, its stdout and stderr appended to log_path.
 * Returns 0 when it exited with status 0; otherwise -EIO, -ETIMEDOUT,
 * -EINTR (stopped, see report_gnuplot_stop_when) or -errno when it could
 * not be started, with the reason in why: its exit status and the first
 * line of what it printed. The child is always reaped and its process
 * group killed. */
int report_gnuplot_run(const char *gnuplot, const char *cwd, const char *const *args, size_t count,
                       const char *log_path, char *why, size_t why_len);

#endif
