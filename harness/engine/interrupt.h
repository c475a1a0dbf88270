/*
 * SIGINT and SIGTERM during a run. The handler only records which signal
 * came; the runner looks at the record between rounds and while it waits
 * for a round's process, kills that round, and returns, so that the cases
 * already finished are written and the exit code says "interrupted".
 */
#ifndef PROCBENCH_INTERRUPT_H
#define PROCBENCH_INTERRUPT_H

#include <signal.h>

/* Installs the recording handler for SIGINT and SIGTERM (no SA_RESTART, so
 * a blocking call returns EINTR) and clears any earlier record. Returns 0
 * or -errno. */
int interrupt_install(void);

/* Puts back the default action of SIGINT and SIGTERM, e.g. in a forked
 * round's process, which the harness stops with SIGKILL anyway. */
void interrupt_reset_in_child(void);

/* The first of SIGINT or SIGTERM received since interrupt_install(), or 0.
 * Async-signal-safe to read; never cleared by a later signal. */
int interrupt_signal(void);

/* The signals interrupt_install() handles, for sigprocmask()/ppoll(). */
void interrupt_signals(sigset_t *set);

#endif
