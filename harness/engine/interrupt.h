/*
 * SIGINT, SIGTERM and SIGHUP during a run (or a report). The handler only
 * records which signal came; the runner looks at the record between rounds
 * and while it waits for a round's process, kills that round, and returns,
 * so that the cases already finished are written and the exit code says
 * "interrupted". SIGUSR1 and SIGPIPE are caught and do nothing.
 */
#ifndef PROCBENCH_INTERRUPT_H
#define PROCBENCH_INTERRUPT_H

#include <signal.h>

/* Installs the recording handler for SIGINT, SIGTERM and SIGHUP (no
 * SA_RESTART, so a blocking call returns EINTR), a handler doing nothing
 * for SIGUSR1 and SIGPIPE, and clears any earlier record. Returns 0 or
 * -errno. */
int interrupt_install(void);

/* Puts back the default action of every signal interrupt_install()
 * handles, e.g. in a forked round's process, which the harness stops with
 * SIGKILL anyway. */
void interrupt_reset_in_child(void);

/* The first of SIGINT, SIGTERM or SIGHUP received since
 * interrupt_install(), or 0. Async-signal-safe to read; never cleared by a
 * later signal. */
int interrupt_signal(void);

/* The record itself, for a loop that must stop as soon as it is set
 * without knowing of this module (report_gnuplot_stop_when()). */
const volatile sig_atomic_t *interrupt_record(void);

/* The signals that stop a run, for sigprocmask()/ppoll(). */
void interrupt_signals(sigset_t *set);

/* "SIGINT", "SIGTERM", "SIGHUP", or "a signal". */
const char *interrupt_name(int sig);

#endif
