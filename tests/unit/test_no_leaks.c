/*
 * After a run of every scenario in the catalogue, in every placement (the
 * spawn.* ones with every parent-state parameter set), no
 * case failed (the runner fails a case whose teardown leaves a child or a
 * descriptor in the round's process), and the harness process itself has no
 * child left (reaped or not) and exactly the descriptors it had before.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "checks.h"

#include "engine/cases.h"
#include "engine/runner.h"

static void test_catalogue_leaves_nothing(void **state)
{
    (void)state;
    setenv("PROCBENCH_CHILD", CHILD_PROGRAM, 1);
    /* One value of each parent-state parameter, and none of them neutral,
     * so that the spawn.* rounds also map a ballast in two mappings, open
     * descriptors, start an idle thread and a second spawner, and must take
     * all of it down again; still one case per scenario and placement. */
    static const struct param_override parent_state[] = {
        {"rss", "1M"},
        {"mappings", "2"},
        {"threads", "1"},
        {"fds", "3"},
        {"concurrency", "2"},
        /* node.children holds one child (or worker) and node.cluster
         * spreads 8 connections: each a Node to start, hold and reap, at
         * the least cost (a test of the whole catalogue grows with it). */
        {"count", "1"},
        {"connections", "8"},
        /* The node.* rows that start children hold a small heap, built and
         * let go with the driver (node.spawn's default 256M, in every
         * placement, would cost the most of all). */
        {"heap", "16M"},
    };
    struct case_selection sel = {.placements = "same,cross,free",
                                 .overrides = parent_state,
                                 .override_count = sizeof(parent_state) / sizeof(parent_state[0])};
    struct case_def *defs = NULL;
    size_t count = 0;
    char err[256] = "";
    assert_int_equal(cases_expand(&sel, &defs, &count, err, sizeof(err)), 0);
    assert_cmp(count, >=, scenario_catalogue_count);

    struct run_results r;
    memset(&r, 0, sizeof(r));
    r.config = (struct run_config){
        .warmup_ns = 0,
        .min_time_ns = 0,
        .max_time_ns = 1000000000u,
        .min_samples = 4,
        .rounds = 2,
        .seed = 3,
    };
    int fds_before = count_fds();
    assert_int_equal(runner_init(&r, defs, count), 0);
    assert_int_equal(runner_run(&r, NULL), 0);

    size_t measured = 0;
    for (size_t i = 0; i < r.case_count; i++) {
        const struct case_result *c = &r.cases[i];
        if (c->status == CASE_FAILED)
            fail_msg("%s failed: %s", c->def.name, c->reason);
        measured += c->status == CASE_OK;
    }
    assert_cmp(measured, >, 0);

    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    assert_int_equal(count_fds(), fds_before);
    runner_free(&r);
    free(defs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
