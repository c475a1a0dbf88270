/*
 * Held ballast in real runs (harness/engine/holder.c): spawn scenarios whose
 * ballast a holder keeps, forked into every round, leave no process (the
 * holder included) and no descriptor behind. Apart from test_no_leaks.c,
 * whose run of the whole catalogue takes most of its time limit.
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

/* Spawn scenarios with a ballast a holder keeps (one mapping): the
 * holder, its rounds and what they spawned are all gone after the run, and
 * no descriptor is left. */
static void test_held_ballast_leaves_nothing(void **state)
{
    (void)state;
    setenv("PROCBENCH_CHILD", CHILD_PROGRAM, 1);
    static const struct param_override parent_state[] = {
        {"rss", "1M"}, {"threads", "1"}, {"fds", "3"}, {"concurrency", "2"},
        {"ballast", "anon,dontfork"},
    };
    /* A fork, a vfork-like, a pool (a worker forked in setup) and a thread:
     * every way a round uses its parent's state. */
    const char *filters[] = {"^spawn\\.(fork_exec|posix_spawn|pool|pthread)$"};
    struct case_selection sel = {.filters = filters,
                                 .filter_count = 1,
                                 .placements = "same",
                                 .overrides = parent_state,
                                 .override_count = sizeof(parent_state) / sizeof(parent_state[0])};
    struct case_def *defs = NULL;
    size_t count = 0;
    char err[256] = "";
    assert_int_equal(cases_expand(&sel, &defs, &count, err, sizeof(err)), 0);

    struct run_results r;
    memset(&r, 0, sizeof(r));
    r.config = (struct run_config){
        .max_time_ns = 1000000000u,
        .min_samples = 4,
        .rounds = 2,
        .seed = 3,
        .hold = true,
    };
    int fds_before = count_fds();
    assert_int_equal(runner_init(&r, defs, count), 0);
    assert_int_equal(runner_run(&r, NULL), 0);
    for (size_t i = 0; i < r.case_count; i++) {
        const struct case_result *c = &r.cases[i];
        if (c->status == CASE_FAILED)
            fail_msg("%s failed: %s", c->def.name, c->reason);
    }
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
        cmocka_unit_test(test_held_ballast_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
