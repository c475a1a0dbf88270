/*
 * The checks the unit tests share, each of which prints both sides when it
 * fails: comparisons of numbers (assert_cmp), closeness of doubles, text
 * holding text; and for the scenario tests, what a process holds
 * (descriptors, mappings, children) before and after a scenario ran, and
 * pointing the scenarios at a given exec target. Include after <cmocka.h>.
 */
#ifndef PROCBENCH_TEST_CHECKS_H
#define PROCBENCH_TEST_CHECKS_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "proc.h"
#include "engine/reaper.h"

/* a op b, for numbers of any type (compared as long double, exact for
 * 64-bit integers): on failure, both expressions and both values.
 *     assert_cmp(out.ns, >, 0);  ->  "out.ns > 0: 0 > 0 is false" */
#define assert_cmp(a, op, b)                                                                       \
    do {                                                                                           \
        long double cmp_a_ = (long double)(a), cmp_b_ = (long double)(b);                          \
        if (!(cmp_a_ op cmp_b_))                                                                   \
            fail_msg("%s %s %s: %.21Lg %s %.21Lg is false", #a, #op, #b, cmp_a_, #op, cmp_b_);     \
    } while (0)

/* |got - want| <= tolerance, both printed when not. */
static inline void assert_near(double got, double want, double tolerance)
{
    if (!(fabs(got - want) <= tolerance))
        fail_msg("got %.17g, want %.17g (within %g)", got, want, tolerance);
}

/* text holds part; both printed when not. */
static inline void assert_contains(const char *text, const char *part)
{
    if (text == NULL || strstr(text, part) == NULL)
        fail_msg("'%s' does not contain '%s'", text ? text : "(null)", part);
}

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
