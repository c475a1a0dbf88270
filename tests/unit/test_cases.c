/*
 * Case selection and expansion: filters, --param lists, placements and the
 * canonical case names that key every output.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"

#include "engine/cases.h"

static size_t expand(const struct case_selection *sel, struct case_def **defs, int expect_rc,
                     char *err, size_t err_len)
{
    size_t count = 0;
    err[0] = '\0';
    int rc = cases_expand(sel, defs, &count, err, err_len);
    assert_int_equal(rc, expect_rc);
    if (rc != 0) {
        assert_non_null(err[0] ? err : NULL);
        assert_null(strchr(err, '\n'));
    }
    return count;
}

static void test_defaults_and_names(void **state)
{
    (void)state;
    const char *filters[] = {"^spawn\\.fork_exec$"};
    struct case_selection sel = {.filters = filters, .filter_count = 1};
    struct case_def *defs = NULL;
    char err[256];
    size_t n = expand(&sel, &defs, 0, err, sizeof(err));
    /* target defaults to static,dynamic, rss to four sizes (the last
     * parameter but one varies fastest of the two); placement to same. */
    assert_int_equal(n, 8);
    assert_string_equal(defs[0].name, "spawn.fork_exec{target=static,rss=0,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=same}");
    assert_string_equal(defs[3].name, "spawn.fork_exec{target=static,rss=1G,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=same}");
    assert_string_equal(defs[4].name, "spawn.fork_exec{target=dynamic,rss=0,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=same}");
    free(defs);
    /* --quick: the ends of the rss sweep; both targets for fork_exec (the
     * loader's cost), static alone for the others. */
    sel.quick = true;
    n = expand(&sel, &defs, 0, err, sizeof(err));
    assert_int_equal(n, 4);
    assert_string_equal(defs[1].name, "spawn.fork_exec{target=static,rss=1G,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=same}");
    assert_string_equal(defs[2].name, "spawn.fork_exec{target=dynamic,rss=0,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=same}");
    free(defs);
    filters[0] = "^spawn\\.posix_spawn$";
    n = expand(&sel, &defs, 0, err, sizeof(err));
    assert_int_equal(n, 2);
    assert_string_equal(defs[1].name, "spawn.posix_spawn{target=static,rss=1G,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=same}");
    free(defs);
}

static void test_params_and_placements_multiply(void **state)
{
    (void)state;
    const char *filters[] = {"^spawn\\.(fork_exec|pthread)$"};
    struct param_override overrides[] = {{"target", "dynamic"}, {"rss", "1G"}};
    struct case_selection sel = {.filters = filters,
                                 .filter_count = 1,
                                 .overrides = overrides,
                                 .override_count = 2,
                                 .placements = "free,cross"};
    struct case_def *defs = NULL;
    char err[256];
    size_t n = expand(&sel, &defs, 0, err, sizeof(err));
    assert_int_equal(n, 4);
    assert_string_equal(defs[0].name, "spawn.fork_exec{target=dynamic,rss=1G,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=free}");
    assert_string_equal(defs[1].name, "spawn.fork_exec{target=dynamic,rss=1G,ballast=anon,"
                                      "mappings=1,threads=0,fds=0,concurrency=1,rate=0,env=inherit,"
                                      "args=0,path_depth=0,placement=cross}");
    assert_string_equal(defs[2].name, "spawn.pthread{rss=1G,ballast=anon,mappings=1,threads=0,"
                                      "fds=0,concurrency=1,rate=0,placement=free}");
    assert_string_equal(defs[3].name, "spawn.pthread{rss=1G,ballast=anon,mappings=1,threads=0,"
                                      "fds=0,concurrency=1,rate=0,placement=cross}");
    free(defs);
}

static void test_all_when_no_filter(void **state)
{
    (void)state;
    struct case_selection sel = {0};
    struct case_def *defs = NULL;
    char err[256];
    size_t n = expand(&sel, &defs, 0, err, sizeof(err));
    assert_cmp(n, >=, scenario_catalogue_count);
    free(defs);
}

static void test_bad_selections(void **state)
{
    (void)state;
    static const struct {
        const char *filter;
        const char *param_name, *param_values;
        const char *placements;
        const char *expect;
    } bad[] = {
        {"nomatch", NULL, NULL, NULL, "--filter 'nomatch' matches no scenario"},
        {"(", NULL, NULL, NULL, "--filter '('"},
        {"^spawn\\.", "nosuch", "1", NULL, "--param nosuch: no selected scenario"},
        {"^spawn\\.pthread$", "target", "static", NULL, "--param target: no selected scenario"},
        {"^spawn\\.fork_exec$", "target", "x", NULL, "target"},
        {"^spawn\\.fork_exec$", NULL, NULL, "sideways", "'sideways' is not one of"},
        {"^spawn\\.fork_exec$", NULL, NULL, "same,", "empty item"},
        {"^spawn\\.fork_exec$", NULL, NULL, "", "expected a list"},
        {"^spawn\\.pool$", "concurrency", "0", NULL, "parameter concurrency"},
        {"^spawn\\.pool$", "concurrency", "257", NULL, "parameter concurrency"},
        {"^spawn\\.fork_only$", "ballast", "huge", NULL, "parameter ballast: 'huge'"},
        {"^spawn\\.fork_only$", "rss", "2T", NULL, "parameter rss"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *filters[] = {bad[i].filter};
        struct param_override override = {bad[i].param_name, bad[i].param_values};
        struct case_selection sel = {.filters = filters,
                                     .filter_count = 1,
                                     .overrides = &override,
                                     .override_count = bad[i].param_name ? 1 : 0,
                                     .placements = bad[i].placements};
        struct case_def *defs = NULL;
        char err[256];
        expand(&sel, &defs, -EINVAL, err, sizeof(err));
        if (!strstr(err, bad[i].expect))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err, bad[i].expect);
    }
}

static void test_placement_words(void **state)
{
    (void)state;
    enum placement p;
    assert_int_equal(cases_parse_placement("same", &p), 0);
    assert_int_equal(p, PLACEMENT_SAME);
    assert_int_equal(cases_parse_placement("cross", &p), 0);
    assert_int_equal(p, PLACEMENT_CROSS);
    assert_int_equal(cases_parse_placement("free", &p), 0);
    assert_int_equal(p, PLACEMENT_FREE);
    assert_int_equal(cases_parse_placement("Same", &p), -EINVAL);
}

/* The name a descriptor gives its scenario is the one its catalogue line
 * gives (which CMake reads to make the smoke tests). */
static void test_catalogue_names(void **state)
{
    (void)state;
    static const char *const names[] = {
#define SCENARIO(symbol, name) name,
#include "scenarios.def"
#undef SCENARIO
    };
    assert_int_equal(scenario_catalogue_count, sizeof(names) / sizeof(names[0]));
    for (size_t i = 0; i < scenario_catalogue_count; i++)
        assert_string_equal(scenario_catalogue[i]->name, names[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_names),
        cmocka_unit_test(test_params_and_placements_multiply),
        cmocka_unit_test(test_all_when_no_filter),
        cmocka_unit_test(test_bad_selections),
        cmocka_unit_test(test_placement_words),
        cmocka_unit_test(test_catalogue_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
