/*
 * Tests of harness/base/locate.c for a binary in a build tree (this test
 * runs from build/tests/, which has no libexec folder beside it): each file
 * where the build tree has it, each environment variable winning when set
 * and ignored when empty, the Node.js driver following PROCBENCH_CHILD, and
 * a variable too long for a path refused with its name. The installed
 * layout, which needs a binary in a prefix, is tests/install.sh's.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/locate.h"

/* The source tree: GOLDEN_DIR is SOURCE/tests/golden. */
static void source_dir(char *out, size_t len)
{
    snprintf(out, len, "%s", GOLDEN_DIR);
    char *tail = strstr(out, "/tests/golden");
    assert_non_null(tail);
    *tail = '\0';
}

static void exe_dir(char *out, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    assert_true(n > 0);
    out[n] = '\0';
    *strrchr(out, '/') = '\0';
}

static void clear_environment(void)
{
    for (int item = 0; item < LOCATE_ITEM_COUNT; item++) {
        const char *variable = locate_item_variable(item);
        if (variable != NULL)
            assert_int_equal(unsetenv(variable), 0);
    }
}

static void expect_path(enum locate_item item, const char *expected, enum locate_origin origin)
{
    char path[PATH_MAX], why[256] = "";
    enum locate_origin got = LOCATE_FROM_INSTALL; /* never the answer here */
    int rc = locate_path(item, path, sizeof(path), &got, why, sizeof(why));
    if (rc != 0)
        fail_msg("%s: rc %d (%s)", locate_item_key(item), rc, why);
    assert_string_equal(path, expected);
    assert_int_equal(got, origin);
}

static void test_build_tree(void **state)
{
    (void)state;
    clear_environment();
    char dir[PATH_MAX], src[PATH_MAX], expected[PATH_MAX + 64], layout_dir[PATH_MAX], why[256];
    exe_dir(dir, sizeof(dir));
    source_dir(src, sizeof(src));

    enum locate_origin layout;
    assert_int_equal(locate_layout(&layout, layout_dir, sizeof(layout_dir), why, sizeof(why)), 0);
    assert_int_equal(layout, LOCATE_FROM_BUILD_TREE);
    assert_string_equal(layout_dir, dir);

    snprintf(expected, sizeof(expected), "%s/bench/child/procbench-child", dir);
    expect_path(LOCATE_CHILD, expected, LOCATE_FROM_BUILD_TREE);
    snprintf(expected, sizeof(expected), "%s/bench/child/procbench-driver.js", dir);
    expect_path(LOCATE_NODE_DRIVER, expected, LOCATE_FROM_BUILD_TREE);
    snprintf(expected, sizeof(expected), "%s/plots", src);
    expect_path(LOCATE_PLOTS_DIR, expected, LOCATE_FROM_BUILD_TREE);
    snprintf(expected, sizeof(expected), "%s/ci/expectations", src);
    expect_path(LOCATE_EXPECTATIONS, expected, LOCATE_FROM_BUILD_TREE);
    /* Real files of this checkout, not names made up. */
    assert_int_equal(access(expected, R_OK), 0);
    snprintf(expected, sizeof(expected), "%s/plots/bars.gp", src);
    assert_int_equal(access(expected, R_OK), 0);
}

static void test_environment_wins(void **state)
{
    (void)state;
    clear_environment();
    assert_int_equal(setenv("PROCBENCH_PLOTS_DIR", "/somewhere/plots", 1), 0);
    expect_path(LOCATE_PLOTS_DIR, "/somewhere/plots", LOCATE_FROM_ENVIRONMENT);

    /* The driver follows the child, and its own variable beats both. */
    assert_int_equal(setenv("PROCBENCH_CHILD", "/a b/c/procbench-child", 1), 0);
    expect_path(LOCATE_CHILD, "/a b/c/procbench-child", LOCATE_FROM_ENVIRONMENT);
    expect_path(LOCATE_NODE_DRIVER, "/a b/c/procbench-driver.js", LOCATE_FROM_ENVIRONMENT);
    assert_int_equal(setenv("PROCBENCH_CHILD", "procbench-child", 1), 0);
    expect_path(LOCATE_NODE_DRIVER, "./procbench-driver.js", LOCATE_FROM_ENVIRONMENT);
    assert_int_equal(setenv("PROCBENCH_NODE_DRIVER", "/d/driver.js", 1), 0);
    expect_path(LOCATE_NODE_DRIVER, "/d/driver.js", LOCATE_FROM_ENVIRONMENT);

    /* Empty is unset: a script's unset variable must not point at "". */
    char dir[PATH_MAX], expected[PATH_MAX + 64];
    exe_dir(dir, sizeof(dir));
    assert_int_equal(setenv("PROCBENCH_CHILD", "", 1), 0);
    assert_int_equal(setenv("PROCBENCH_NODE_DRIVER", "", 1), 0);
    snprintf(expected, sizeof(expected), "%s/bench/child/procbench-driver.js", dir);
    expect_path(LOCATE_NODE_DRIVER, expected, LOCATE_FROM_BUILD_TREE);
    clear_environment();
}

static void test_too_long(void **state)
{
    (void)state;
    clear_environment();
    static char long_path[PATH_MAX + 100];
    memset(long_path, 'a', sizeof(long_path) - 1);
    long_path[0] = '/';
    assert_int_equal(setenv("PROCBENCH_CHILD", long_path, 1), 0);
    char path[PATH_MAX], why[256] = "";
    strcpy(path, "untouched");
    assert_int_equal(locate_path(LOCATE_CHILD, path, sizeof(path), NULL, why, sizeof(why)),
                     -ENAMETOOLONG);
    if (strstr(why, "PROCBENCH_CHILD is longer than") == NULL)
        fail_msg("reason \"%s\" should name PROCBENCH_CHILD", why);
    /* The driver, derived from it, fails the same way. */
    why[0] = '\0';
    assert_int_equal(locate_path(LOCATE_NODE_DRIVER, path, sizeof(path), NULL, why, sizeof(why)),
                     -ENAMETOOLONG);
    assert_non_null(strstr(why, "PROCBENCH_CHILD"));
    /* A short buffer: the build tree's path does not fit either. */
    clear_environment();
    char small[8];
    assert_int_equal(locate_path(LOCATE_PLOTS_DIR, small, sizeof(small), NULL, why, sizeof(why)),
                     -ENAMETOOLONG);
    if (strstr(why, "plots folder") == NULL)
        fail_msg("reason \"%s\" should name the plots folder", why);
}

static void test_names(void **state)
{
    (void)state;
    const char *keys[] = {"child", "node_driver", "plots_dir", "expectations"};
    const char *variables[] = {"PROCBENCH_CHILD", "PROCBENCH_NODE_DRIVER", "PROCBENCH_PLOTS_DIR",
                               NULL};
    for (int item = 0; item < LOCATE_ITEM_COUNT; item++) {
        assert_string_equal(locate_item_key(item), keys[item]);
        if (variables[item] == NULL)
            assert_null(locate_item_variable(item));
        else
            assert_string_equal(locate_item_variable(item), variables[item]);
    }
    assert_string_equal(locate_origin_name(LOCATE_FROM_ENVIRONMENT), "environment");
    assert_string_equal(locate_origin_name(LOCATE_FROM_BUILD_TREE), "build tree");
    assert_string_equal(locate_origin_name(LOCATE_FROM_INSTALL), "installed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_tree),
        cmocka_unit_test(test_environment_wins),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
