/*
 * TEST ONLY: the test hook of a run (engine/runner.h, struct
 * runner_test_hook) from the environment, so that the runner itself reads
 * no test knob. PROCBENCH_TEST_SLOWDOWN="SCENARIO:NS" adds NS nanoseconds
 * (under a second) to every operation of SCENARIO after it was timed;
 * ci/detector injects a regression of known size with it.
 * Anything malformed is ignored, and a real run must never set it.
 */
#ifndef PROCBENCH_TEST_HOOK_H
#define PROCBENCH_TEST_HOOK_H

#include <stdbool.h>

#include "engine/runner.h"

/* Fills *hook from PROCBENCH_TEST_SLOWDOWN and returns true when it is set
 * and well formed; otherwise returns false. hook->slow_scenario points into
 * the environment. */
bool test_hook_from_env(struct runner_test_hook *hook);

#endif
