/*
 * Unit tests of base/case_label.c: canonical names taken apart (and
 * malformed ones refused), what varies over a set of cases, the labels made
 * of it, and the line of constant parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/case_label.h"

static void test_parse(void **state)
{
    struct case_name c;
    (void)state;
    assert_int_equal(case_name_parse("spawn.fork_exec{target=static,rss=64M,placement=same}", &c),
                     0);
    assert_string_equal(c.scenario, "spawn.fork_exec");
    assert_int_equal(c.count, 3);
    assert_string_equal(c.params[1].key, "rss");
    assert_string_equal(c.params[1].value, "64M");
    assert_string_equal(case_name_get(&c, "placement"), "same");
    assert_null(case_name_get(&c, "threads"));
    assert_int_equal(case_name_parse("spawn.pool", &c), 0);
    assert_int_equal(c.count, 0);

    static const char *const bad[] = {
        "",      "{a=b}",   "x{}",       "x{a}",     "x{a=b", "x{a=b}y", "x{=b}",
        "x{a=}", "x{a=b,}", "x{a=b{c}}", "x{a=b=c}", "x}",    "x{a=b}}", "x,y",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (case_name_parse(bad[i], &c) != -EINVAL)
            fail_msg("'%s' was taken for a case name", bad[i]);
    }
    /* Too many parameters for the table. */
    char many[4096] = "x{";
    for (int i = 0; i <= CASE_LABEL_MAX_PARAMS; i++) {
        char one[32];
        snprintf(one, sizeof(one), "%sk%d=v", i ? "," : "", i);
        strcat(many, one);
    }
    strcat(many, "}");
    assert_int_equal(case_name_parse(many, &c), -EINVAL);
}

static void parse_all(const char *const *names, size_t n, struct case_name *out,
                      const struct case_name **ptrs)
{
    for (size_t i = 0; i < n; i++) {
        if (case_name_parse(names[i], &out[i]) != 0)
            fail_msg("cannot parse %s", names[i]);
        ptrs[i] = &out[i];
    }
}

static void test_vary_and_labels(void **state)
{
    static const char *const names[] = {
        "spawn.fork_exec{target=static,rss=0,ballast=anon,placement=same}",
        "spawn.fork_exec{target=static,rss=64M,ballast=anon,placement=same}",
        "spawn.posix_spawn{target=static,rss=0,ballast=anon,placement=same}",
        "spawn.posix_spawn{target=static,rss=64M,ballast=anon,placement=same}",
        "spawn.pool{rss=0,ballast=anon,placement=same}",
    };
    struct case_name c[5];
    const struct case_name *ptrs[5];
    struct case_vary v;
    char buf[256];
    (void)state;
    parse_all(names, 5, c, ptrs);
    case_vary_compute(ptrs, 5, &v);
    assert_int_equal(v.scenarios, 3);
    assert_true(case_vary_varies(&v, "rss"));
    assert_false(case_vary_varies(&v, "target")); /* static wherever it is */
    assert_false(case_vary_varies(&v, "placement"));
    assert_true(case_vary_varies(&v, "unknown")); /* never dropped from a label */

    assert_int_equal(case_label_format(&c[1], &v, NULL, false, buf, sizeof(buf)),
                     (int)strlen("spawn.fork_exec{rss=64M}"));
    assert_string_equal(buf, "spawn.fork_exec{rss=64M}");
    case_label_format(&c[1], &v, NULL, true, buf, sizeof(buf));
    assert_string_equal(buf, "fork_exec{rss=64M}");
    static const char *const skip[] = {"rss", NULL};
    case_label_format(&c[4], &v, skip, true, buf, sizeof(buf));
    assert_string_equal(buf, "pool");

    /* Truncation reports what it needed. */
    char small[8];
    assert_int_equal(case_label_format(&c[1], &v, NULL, false, small, sizeof(small)), 24);
    assert_string_equal(small, "spawn.f");

    case_vary_constants(&v, NULL, buf, sizeof(buf));
    assert_string_equal(buf, "target=static (where it applies), ballast=anon, placement=same");
    static const char *const skip2[] = {"placement", "target", NULL};
    case_vary_constants(&v, skip2, buf, sizeof(buf));
    assert_string_equal(buf, "ballast=anon");

    /* Two cases of one scenario always differ in a key both have: the
     * label names each apart. */
    for (size_t i = 0; i < 5; i++) {
        char a[128], b[128];
        for (size_t k = i + 1; k < 5; k++) {
            case_label_format(&c[i], &v, NULL, false, a, sizeof(a));
            case_label_format(&c[k], &v, NULL, false, b, sizeof(b));
            if (strcmp(a, b) == 0)
                fail_msg("%s and %s share the label %s", names[i], names[k], a);
        }
    }
}

static void test_set(void **state)
{
    struct case_name c;
    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(case_name_set(&c, "a", "1"), 0);
    assert_int_equal(case_name_set(&c, "a", "2"), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(case_name_get(&c, "a"), "2");
    char long_value[CASE_LABEL_VALUE_MAX + 1];
    memset(long_value, 'x', sizeof(long_value) - 1);
    long_value[sizeof(long_value) - 1] = '\0';
    assert_int_equal(case_name_set(&c, "b", long_value), -ENOSPC);
    for (int i = 1; i < CASE_LABEL_MAX_PARAMS; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(case_name_set(&c, key, "v"), 0);
    }
    assert_int_equal(case_name_set(&c, "full", "v"), -ENOSPC);
}

/* A family is the part of a name before its first '.'. */
static void test_family(void **state)
{
    (void)state;
    assert_int_equal(case_name_family_len("spawn.fork_exec{rss=1G}"), 5);
    assert_int_equal(case_name_family_len("nodot"), 5);
    assert_true(case_name_same_family("spawn.fork_exec{rss=1G}", "spawn.posix_spawn"));
    assert_false(case_name_same_family("spawn.fork_exec", "spawnx.fork_exec"));
    assert_false(case_name_same_family("ipc.pipe", "spawn.pipe"));
    assert_false(case_name_same_family("spawn.fork_exec", "spaw.n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_vary_and_labels),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
