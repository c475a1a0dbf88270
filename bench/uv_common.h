/*
 * What the scenarios built on libuv share: paying for libuv's process-wide
 * state once per round, closing a loop that may still hold handles, and
 * turning an exit callback's status into the same reason proc_reap() gives.
 */
#ifndef PROCBENCH_UV_COMMON_H
#define PROCBENCH_UV_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* A scenario's process_init for libuv: opens and closes one loop, so that
 * libuv's signal pipe and fork handler exist before the harness counts
 * descriptors and before anything is timed. Returns 0 or a libuv error
 * (a negative errno). */
int uv_common_process_init(void);

/* Closes every handle still open on loop, runs it until the closes are
 * done, and closes the loop. Untimed: for teardown. */
void uv_common_loop_close(uv_loop_t *loop);

/* The exit callback's (exit_status, term_signal) as proc_reap() would word
 * it: "exited with status 3", "killed by signal 9 (SIGKILL)". Returns 0
 * (and writes "") for a clean exit, -ECHILD otherwise. */
int uv_common_exit_reason(int64_t exit_status, int term_signal, char *why, size_t why_len);

#endif
