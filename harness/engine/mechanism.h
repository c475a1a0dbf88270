/*
 * The mechanism column of a case (issue 18): which system calls created
 * its children, observed, never assumed. For a scenario that declares
 * .mechanism_observed, the harness runs one extra, untimed sample of the
 * case in throwaway processes before its rounds: an observer process
 * forks the case's own process, which asks to be traced, sets the case
 * up, takes one sample between two marks and tears down, while the
 * observer follows it and all it creates with ptrace() (mechanism_trace.h).
 * Where ptrace is refused (a container without it, kernel.yama.ptrace_scope
 * 3, a seccomp filter) the column says "unobserved: " and why.
 */
#ifndef PROCBENCH_MECHANISM_H
#define PROCBENCH_MECHANISM_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

/* Observes case c (its scenario, parameters, placement and peer CPU) and
 * writes the line into c->mechanism: the calls (mechanism_render()), with
 * " (the observed sample failed: ...)" when it did, or "unobserved: WHY".
 * timeout_ns (0: none) bounds the whole observation, which is then killed
 * with everything it started; an interrupt (interrupt.h) does the same.
 * Leaves no process behind (the harness is a subreaper: see reaper.h).
 * Untimed: nothing of it reaches the case's figures. */
void mechanism_observe(struct case_result *c, uint64_t timeout_ns);

#endif
