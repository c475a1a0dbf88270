/*
 * Unit tests of harness/base/regex_cost.c: which filters are refused
 * before regcomp() and why. Every refused pattern here costs glibc's
 * regcomp() far more than the filters procbench's users write, every
 * accepted one is such a filter or at the edge of a limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "base/regex_cost.h"

static void assert_accepted(const char *pattern)
{
    char why[128] = "";
    if (regex_cost_check(pattern, why, sizeof(why)) != 0)
        fail_msg("'%s' refused: %s", pattern, why);
}

static void assert_refused(const char *pattern, const char *because)
{
    char why[128] = "";
    int rc = regex_cost_check(pattern, why, sizeof(why));
    if (rc != -E2BIG || strstr(why, because) == NULL)
        fail_msg("'%s': %d '%s', expected -E2BIG and '%s'", pattern, rc, why, because);
}

static void test_filters_people_write(void **state)
{
    (void)state;
    assert_accepted("");
    assert_accepted("^spawn\\.");
    assert_accepted("posix_spawn|fork_exec");
    assert_accepted("^(spawn\\.(fork_exec|vfork_exec|posix_spawn|clone_vfork|uv_spawn|shell|"
                    "fork_only|pthread|pool)|ipc\\.pipe)$");
    assert_accepted("^ipc\\.[a-z_]+$");
    assert_accepted("[[:alpha:]]{2,4}\\.[]a-z]*");
    assert_accepted("x{3}y{2,}z{0,5}");
}

static void test_edges(void **state)
{
    (void)state;
    assert_accepted("a{255}");
    assert_accepted("a{1,255}");
    assert_refused("a{256}", "repetition count 256 is more than 255");
    assert_refused("a{1,32767}", "repetition count 32767 is more than 255");
    assert_refused("a{99999999999999999999}", "is more than 255");
    /* (a{1,63}){1,63}: (63 + 1) * 63 = 4032 atoms; one more level is not. */
    assert_accepted("(a{1,63}){1,63}");
    assert_refused("(a{1,64}){1,64}", "more than 4096 atoms");
    assert_refused("((a{1,20}){1,20}){1,20}", "more than 4096 atoms");
    /* Sequences add up, alternations too. */
    assert_refused("a{200}b{200}c{200}d{200}e{200}f{200}g{200}h{200}i{200}j{200}k{200}l{200}"
                   "m{200}n{200}o{200}p{200}q{200}r{200}s{200}t{200}u{200}",
                   "more than 4096 atoms");
    /* Unbounded repetitions are loops, not copies. */
    assert_accepted("(a*b+c?)*(d+)+");
    char long_pattern[600];
    memset(long_pattern, 'a', sizeof(long_pattern) - 1);
    long_pattern[sizeof(long_pattern) - 1] = '\0';
    assert_refused(long_pattern, "599 bytes, more than 512");
}

static void test_back_references(void **state)
{
    (void)state;
    assert_refused("(spawn)\\1", "back-reference \\1");
    assert_accepted("spawn\\.");
    assert_accepted("a\\{b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters_people_write),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_back_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
