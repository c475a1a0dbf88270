/*
 * Checks the scenario tests share: what a process holds (descriptors,
 * mappings, children) before and after a scenario ran, and pointing the
 * scenarios at a given exec target. Include after <cmocka.h>.
 */
#ifndef PROCBENCH_TEST_SCENARIO_CHECKS_H
#define PROCBENCH_TEST_SCENARIO_CHECKS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "proc.h"
#include "engine/reaper.h"

/* Open descriptors, counted as the runner counts them after a round. */
static inline int count_fds(void)
{
    int count = reaper_count_fds();
    assert_true(count >= 0);
    return count;
}

/* Lines of /proc/self/maps: one per mapping. */
static inline int count_mappings(void)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    assert_non_null(maps);
    int count = 0, c;
    while ((c = getc(maps)) != EOF)
        count += c == '\n';
    fclose(maps);
    return count;
}

/* The calling process has no child at all, running or a zombie. */
static inline void assert_no_child_left(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Makes the scenarios exec path as their static child from now on. */
static inline void use_child_program(const char *path)
{
    assert_int_equal(setenv("PROCBENCH_CHILD", path, 1), 0);
    proc_child_path_reset();
}

#endif
