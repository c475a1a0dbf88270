/*
 * Faults met for real, through the runner and the real scenarios: a child
 * that crashes, hangs or exits non-zero (procbench-child's test modes,
 * exec'd by a script that PROCBENCH_CHILD points at). Every time, the case
 * fails with the reason (signal, status, timeout), the run goes on to the
 * next case, and nothing is left behind: no child of the test process,
 * which the runner made a subreaper, so any descendant still alive would
 * be one. Resource limits are test_resource_limits.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault_runs.h"

static void assert_nothing_left(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Points PROCBENCH_CHILD at a script that execs procbench-child with
 * mode, whatever arguments the scenario passes. */
static void use_faulty_child(const char *mode)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/faulty-child-%s.sh", TEST_OUT_DIR, mode);
    for (char *p = strrchr(path, '/'); *p; p++)
        if (*p == ' ')
            *p = '-';
    char quoted[8192];
    shell_quote(CHILD_PROGRAM, quoted, sizeof(quoted));
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nexec %s %s\n", quoted, mode);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
    use_child_at(path);
}

/* Every case of the run failed, its reason holding expect (any case). */
static void assert_all_failed_with(const struct run_results *r, const char *expect)
{
    assert_cmp(r->case_count, >, 0);
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        if (c->status != CASE_FAILED || strcasestr(c->reason, expect) == NULL)
            fail_msg("%s: status %d, reason '%s'; expected to fail with '%s'", c->def.name,
                     (int)c->status, c->reason, expect);
    }
}

/* ---- children that misbehave ----------------------------------------- */

/* Scenarios that exec the child program; each is run with target=static
 * where it has a target. */
static const char *const exec_filter =
    "^spawn\\.(fork_exec|vfork_exec|posix_spawn|clone_vfork|uv_spawn|shell)$";

static void test_child_crashes(void **state)
{
    (void)state;
    /* The shell's messages in English, whatever the user's locale. */
    setenv("LC_ALL", "C", 1);
    use_faulty_child("crash");
    struct run_results r;
    run_selection(&r, exec_filter, "target=static;rss=0", quick_config());
    /* spawn.shell's /bin/sh reports its child's death as status 128 + 11,
     * as a shell does, and says so on its stderr, which the reason quotes
     * (and procbench's stderr does not show); the others see the signal. */
    assert_int_equal(r.case_count, 6);
    for (size_t i = 0; i < r.case_count; i++) {
        const struct case_result *c = &r.cases[i];
        bool shell = strcmp(c->def.scenario->name, "spawn.shell") == 0;
        const char *expect = shell ? "status 139" : "signal 11";
        if (c->status != CASE_FAILED || strstr(c->reason, expect) == NULL ||
            (shell && strstr(c->reason, ": Segmentation fault") == NULL))
            fail_msg("%s: reason '%s', expected '%s'%s", c->def.name, c->reason, expect,
                     shell ? " and the shell's 'Segmentation fault'" : "");
    }
    assert_nothing_left();
    runner_free(&r);
    /* The output family reads the child's output: its crash is a failure
     * too, not a short read taken for the end. */
    run_selection(&r, "^output\\.(buffered|streamed|uv_stream)$", "bytes=1K;target=writer",
                  quick_config());
    assert_all_failed_with(&r, "signal 11");
    assert_nothing_left();
    runner_free(&r);
    use_real_child();
}

static void test_child_exits_nonzero(void **state)
{
    (void)state;
    use_faulty_child("exit 7");
    struct run_results r;
    run_selection(&r, exec_filter, "target=static;rss=0", quick_config());
    assert_int_equal(r.case_count, 6);
    assert_all_failed_with(&r, "status 7");
    assert_nothing_left();
    runner_free(&r);
    use_real_child();
}

/* A child that never exits: the sample waits for it until
 * --sample-timeout, then the round is killed with the child, the case
 * fails with the timeout, and the next case runs. */
static void test_child_hangs(void **state)
{
    (void)state;
    use_faulty_child("hang");
    struct run_config cfg = quick_config();
    cfg.sample_timeout_ns = 300 * MS;
    struct run_results r;
    run_selection(&r, "^spawn\\.(fork_exec|posix_spawn|shell)$", "target=static;rss=0", cfg);
    assert_int_equal(r.case_count, 3);
    assert_all_failed_with(&r, "sample timed out after 300 ms");
    assert_nothing_left();
    runner_free(&r);
    use_real_child();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_crashes),
        cmocka_unit_test(test_child_exits_nonzero),
        cmocka_unit_test(test_child_hangs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
