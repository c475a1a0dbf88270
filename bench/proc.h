/*
 * What the process-creating scenarios share: where the exec targets live,
 * reaping a child with its rusage and turning its status into a reason, and
 * pinning a freshly created child to a CPU before it execs.
 */
#ifndef PROCBENCH_PROC_H
#define PROCBENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "scenario.h"

#include "base/params.h"

struct sample;

/* Absolute path of the static child program: the environment variable
 * PROCBENCH_CHILD when set, else bench/child/procbench-child beside a
 * build tree's binary or libexec/procbench/procbench-child of an
 * installation (base/locate.h). Checks that it can be executed. Returns 0,
 * or -ENOENT (-errno) with a reason naming the path and the remedy. */
int proc_child_path(const char **out, char *failure, size_t failure_len);

/* Forgets the path proc_child_path() cached, so that the next call looks at
 * PROCBENCH_CHILD and the file system again. For tests that change the
 * environment; the harness never needs it. */
void proc_child_path_reset(void);

/* The program a `target` parameter names: "static" is the child program,
 * "dynamic" is /bin/true. Checks that it can be executed. Returns 0 or
 * -errno with a reason in failure. */
int proc_target_path(const struct param_value *target, const char **out, char *failure,
                     size_t failure_len);

/* Waits for pid with wait4(), storing its peak RSS in out->child_maxrss_kb.
 * Returns 0 when it exited with status 0; otherwise -ECHILD (or the wait
 * error) with the reason ("exited with status 127", "killed by signal 9")
 * in failure. */
int proc_reap(pid_t pid, struct sample *out, char failure[SCENARIO_FAILURE_MAX]);

/* Pins the calling thread to cpu with the raw system call, so it is safe
 * between vfork()/clone() and execve(). cpu < 0 does nothing. Returns 0 or
 * -errno. */
int proc_pin_self(int cpu);

/* The environment passed to every exec'd child: the harness's own. */
extern char **environ;

#endif
