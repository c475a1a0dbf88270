/*
 * Holders: a process that makes a scenario's held state once (its hold(),
 * e.g. gigabytes of touched ballast) and then forks the process of each
 * round that needs it, so that every such round starts with the state
 * already there, as fork() passes it on, instead of spending seconds making
 * it again (see scenario.hold). One holder is alive at a time: the runner
 * brings the cases that share one together within a pass, and stops it at
 * the end of each pass (runner.c says why). A holder is a child of the
 * harness in a process group of its own, dies with the harness
 * (PR_SET_PDEATHSIG, and the end of its socket), and is stopped when the
 * runner ends, however it ends. Internal to the engine.
 */
#ifndef PROCBENCH_HOLDER_H
#define PROCBENCH_HOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "round.h"

/* Makes st->holder the holder of case index's hold key, stopping another
 * one and starting this one (the case's scenario's hold() in a new process)
 * if needed. The start waits for hold() to finish, at most
 * --sample-timeout. Returns 0; -EINTR when SIGINT or SIGTERM came meanwhile;
 * or another -errno with st->report's reason set (hold() failed, timed out,
 * or the holder died). */
int holder_ensure(struct run_state *st, size_t index);

/* Has st->holder fork the process of a round of case index (which runs
 * round_process()). Returns its pid, or -errno with st->report's reason
 * set. */
pid_t holder_fork_round(struct run_state *st, size_t index);

/* The descriptor that becomes readable once a round forked by h ends. */
int holder_fd(const struct holder *h);

/* Whether the round h forked last has ended, waiting for it if block: 1
 * with its wait status in *status, 0 not yet, -EPIPE when the holder is
 * gone (it died or was killed: the round with it). */
int holder_round_ended(struct holder *h, int *status, bool block);

/* Stops and reaps st->holder, if any; st->holder is NULL afterwards. */
void holder_stop(struct run_state *st);

/* In a round's process forked by a holder: what its hold() made; NULL in
 * any other process. */
void *holder_held(void);

#endif
