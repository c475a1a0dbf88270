/*
 * Tests of harness/base/params.c: value lists as a user types them, for each kind
 * of parameter, against the exact values and canonical spellings they must
 * give, and refused lists against the exact one-line message the user will
 * read, which must name the parameter and the offending value.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"

#include "base/params.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KIB          1024ull
#define MIB          (1024ull * KIB)
#define GIB          (1024ull * MIB)

static const struct param_spec specs[] = {
    {.name = "target",
     .kind = PARAM_WORD,
     .defaults = "static",
     .choices = "static,dynamic",
     .help = "which child binary"},
    {.name = "rss", .kind = PARAM_SIZE, .defaults = "0", .min = 0, .max = 8 * GIB, .help = "RSS"},
    {.name = "n", .kind = PARAM_COUNT, .defaults = "1", .min = 1, .max = 64, .help = "count"},
    {.name = "many", .kind = PARAM_COUNT, .defaults = "1", .min = 0, .max = 1000, .help = "x"},
    {.name = "long",
     .kind = PARAM_WORD,
     .defaults = "a",
     .choices = "a,abcdefghijklmnopqrstuvwxyz0123456789",
     .help = "a choice too long for param_value.text"},
    {.name = "env",
     .kind = PARAM_COUNT,
     .defaults = "inherit",
     .min = 0,
     .max = 4096,
     .help = "a count or a word",
     .word = "inherit"},
    {.name = NULL},
};

#define TARGET (&specs[0])
#define RSS    (&specs[1])
#define N      (&specs[2])
#define MANY   (&specs[3])
#define LONG   (&specs[4])
#define ENV    (&specs[5])

struct good {
    const struct param_spec *spec;
    const char *list;
    size_t count;
    const char *texts[4];
    uint64_t numbers[4];
};

static void test_parse_good(void **state)
{
    static const struct good cases[] = {
        {TARGET, "static", 1, {"static"}, {0}},
        {TARGET, "dynamic", 1, {"dynamic"}, {1}},
        {TARGET, "dynamic,static", 2, {"dynamic", "static"}, {1, 0}},
        {RSS, "0", 1, {"0"}, {0}},
        {RSS, "0,4K,1M,8G", 4, {"0", "4K", "1M", "8G"}, {0, 4 * KIB, MIB, 8 * GIB}},
        {RSS, "1024,1000", 2, {"1K", "1000"}, {KIB, 1000}},
        {RSS, "4KiB,2GiB", 2, {"4K", "2G"}, {4 * KIB, 2 * GIB}},
        {RSS, "8589934592", 1, {"8G"}, {8 * GIB}},
        {RSS, "1536K", 1, {"1536K"}, {1536 * KIB}},
        {N, "1", 1, {"1"}, {1}},
        {N, "64,1,007", 3, {"64", "1", "7"}, {64, 1, 7}},
        {ENV, "inherit", 1, {"inherit"}, {PARAM_VALUE_WORD}},
        {ENV, "0,inherit,4096", 3, {"0", "inherit", "4096"}, {0, PARAM_VALUE_WORD, 4096}},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct good *c = &cases[i];
        struct param_value out[PARAMS_MAX_VALUES];
        size_t count = 99;
        char err[256] = "";
        int rc = params_parse_list(c->spec, c->list, out, &count, err, sizeof(err));
        if (rc != 0 || count != c->count)
            print_message("%s='%s': %s\n", c->spec->name, c->list, err);
        assert_int_equal(rc, 0);
        assert_int_equal(count, c->count);
        for (size_t v = 0; v < c->count; v++) {
            assert_string_equal(out[v].text, c->texts[v]);
            assert_int_equal(out[v].number, c->numbers[v]);
        }
    }
}

struct bad {
    const struct param_spec *spec;
    const char *list;
    const char *err; /* the whole message */
};

static void test_parse_bad(void **state)
{
    static const struct bad cases[] = {
        /* The list itself */
        {TARGET, "", "parameter target: no value given"},
        {TARGET, ",", "parameter target: empty value in ','"},
        {TARGET, "static,", "parameter target: empty value in 'static,'"},
        {TARGET, ",static", "parameter target: empty value in ',static'"},
        {TARGET, "static,,dynamic", "parameter target: empty value in 'static,,dynamic'"},
        {TARGET, "static,static", "parameter target: 'static' is given twice"},
        {RSS, "4K,1M,4K", "parameter rss: '4K' is given twice"},
        {RSS, "1K,1024", "parameter rss: '1024' repeats an earlier value (1K)"},
        {N, "8,08", "parameter n: '08' repeats an earlier value (8)"},
        /* Words */
        {TARGET, "foo", "parameter target: 'foo' is not one of static, dynamic"},
        {TARGET, "Static", "parameter target: 'Static' is not one of static, dynamic"},
        {TARGET, "stat", "parameter target: 'stat' is not one of static, dynamic"},
        {TARGET, "static,dynamic,", "parameter target: empty value in 'static,dynamic,'"},
        {TARGET, " static", "parameter target: ' static' is not one of static, dynamic"},
        {TARGET, "static ", "parameter target: 'static ' is not one of static, dynamic"},
        {TARGET, "st\natic", "parameter target: 'st?atic' is not one of static, dynamic"},
        {LONG, "abcdefghijklmnopqrstuvwxyz0123456789",
         "parameter long: 'abcdefghijklmnopqrstuvwxyz0123456789' is too long (at most 31 "
         "characters)"},
        /* Sizes */
        {RSS, "5X", "parameter rss: '5X' is not a size (unknown unit)"},
        {RSS, "4k", "parameter rss: '4k' is not a size (unknown unit)"},
        {RSS, "K", "parameter rss: 'K' is not a size (not a number)"},
        {RSS, "1.5K", "parameter rss: '1.5K' is not a size (not a whole number)"},
        {RSS, "-1", "parameter rss: '-1' is not a size (negative)"},
        {RSS, "+1", "parameter rss: '+1' is not a size (no sign allowed)"},
        {RSS, "0x10", "parameter rss: '0x10' is not a size (decimal digits only)"},
        {RSS, " 4K", "parameter rss: ' 4K' is not a size (contains spaces)"},
        {RSS, "4K ", "parameter rss: '4K ' is not a size (contains spaces)"},
        {RSS, "4K, 1M", "parameter rss: ' 1M' is not a size (contains spaces)"},
        {RSS, "64T", "parameter rss: '64T' is out of range 0..8G"},
        {RSS, "8G,8193M", "parameter rss: '8193M' is out of range 0..8G"},
        {RSS, "18446744073709551616",
         "parameter rss: '18446744073709551616' is out of range 0..8G"},
        /* Counts */
        {N, "0", "parameter n: '0' is out of range 1..64"},
        {N, "65", "parameter n: '65' is out of range 1..64"},
        {N, "99999999999999999999999",
         "parameter n: '99999999999999999999999' is out of range 1..64"},
        {N, "-1", "parameter n: '-1' is not a count (negative)"},
        {N, "4K", "parameter n: '4K' is not a count (not a whole number)"},
        {N, "inherit", "parameter n: 'inherit' is not a count (not a number)"},
        {ENV, "inherit,inherit", "parameter env: 'inherit' is given twice"},
        {ENV, "Inherit", "parameter env: 'Inherit' is not a count or inherit (not a number)"},
        {ENV, "4097", "parameter env: '4097' is out of range 0..4096"},
        {N, "1.0", "parameter n: '1.0' is not a count (not a whole number)"},
        {N, "two", "parameter n: 'two' is not a count (not a number)"},
        {N, "1,2,x", "parameter n: 'x' is not a count (not a number)"},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct bad *c = &cases[i];
        struct param_value out[PARAMS_MAX_VALUES];
        size_t count = 99;
        char err[256] = "";
        int rc = params_parse_list(c->spec, c->list, out, &count, err, sizeof(err));
        assert_int_equal(rc, -EINVAL);
        assert_int_equal(count, 0);
        assert_string_equal(err, c->err);
        /* The rules the table's messages follow, checked apart so that a new
         * row cannot quietly break them. */
        assert_null(strchr(err, '\n'));
        assert_memory_equal(err, "parameter ", 10);
        assert_contains(err, c->spec->name);
    }
}

/* Exactly PARAMS_MAX_VALUES distinct values pass; one more is refused and
 * named. */
static void test_too_many(void **state)
{
    struct param_value out[PARAMS_MAX_VALUES];
    char list[PARAMS_MAX_VALUES * 4 + 8] = "", err[256] = "";
    size_t count = 0, used = 0;
    (void)state;

    for (int i = 1; i <= PARAMS_MAX_VALUES; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%d", i > 1 ? "," : "", i);
    assert_int_equal(params_parse_list(MANY, list, out, &count, err, sizeof(err)), 0);
    assert_int_equal(count, PARAMS_MAX_VALUES);
    assert_string_equal(out[PARAMS_MAX_VALUES - 1].text, "64");

    snprintf(list + used, sizeof(list) - used, ",65");
    assert_int_equal(params_parse_list(MANY, list, out, &count, err, sizeof(err)), -EINVAL);
    assert_int_equal(count, 0);
    assert_string_equal(err, "parameter many: '65' is one value too many (at most 64)");
}

/* A value longer than any spelling the parser keeps is refused and shown
 * cut short, still on one line. */
static void test_value_too_long(void **state)
{
    struct param_value out[PARAMS_MAX_VALUES];
    char list[200], err[256] = "";
    size_t count = 0;
    (void)state;

    memset(list, '1', sizeof(list) - 1);
    list[sizeof(list) - 1] = '\0';
    assert_int_equal(params_parse_list(N, list, out, &count, err, sizeof(err)), -EINVAL);
    assert_null(strchr(err, '\n'));
    assert_memory_equal(err, "parameter n: '1111", 18);
    assert_contains(err, "...' is too long");
}

/* A short err buffer is filled and terminated, never overrun. */
static void test_err_truncated(void **state)
{
    struct param_value out[PARAMS_MAX_VALUES];
    char err[16];
    size_t count = 0;
    (void)state;

    memset(err, 'x', sizeof(err));
    assert_int_equal(params_parse_list(TARGET, "foo", out, &count, err, 12), -EINVAL);
    assert_string_equal(err, "parameter t");
    assert_int_equal(err[12], 'x');
    /* And no buffer at all is accepted. */
    assert_int_equal(params_parse_list(TARGET, "foo", out, &count, NULL, 0), -EINVAL);
}

/* Every default in the table parses, as the harness will parse them. */
static void test_defaults_parse(void **state)
{
    (void)state;

    for (size_t i = 0; specs[i].name; i++) {
        struct param_value out[PARAMS_MAX_VALUES];
        size_t count = 0;
        char err[256] = "";
        int rc = params_parse_list(&specs[i], specs[i].defaults, out, &count, err, sizeof(err));
        if (rc != 0)
            print_message("%s\n", err);
        assert_int_equal(rc, 0);
        assert_int_equal(count, 1);
    }
}

static void test_count_find_is(void **state)
{
    struct param_value out[PARAMS_MAX_VALUES];
    size_t count = 0;
    char err[256] = "";
    static const struct param_spec none[] = {{.name = NULL}};
    (void)state;

    assert_int_equal(params_count(specs), 6);
    assert_int_equal(params_count(none), 0);
    assert_int_equal(params_count(NULL), 0);

    assert_ptr_equal(params_find(specs, "rss"), RSS);
    assert_ptr_equal(params_find(specs, "target"), TARGET);
    assert_null(params_find(specs, "rs"));
    assert_null(params_find(specs, "RSS"));
    assert_null(params_find(none, "rss"));
    assert_null(params_find(NULL, "rss"));

    assert_int_equal(params_parse_list(TARGET, "dynamic,static", out, &count, err, sizeof(err)), 0);
    assert_true(params_is(&out[0], "dynamic"));
    assert_false(params_is(&out[0], "static"));
    assert_false(params_is(&out[0], "dyn"));
    assert_true(params_is(&out[1], "static"));
    assert_true(params_value_is_text(TARGET, &out[0]));

    /* A count's word is written as text, its numbers as numbers. */
    assert_int_equal(params_parse_list(ENV, "inherit,0", out, &count, err, sizeof(err)), 0);
    assert_true(params_value_is_text(ENV, &out[0]));
    assert_false(params_value_is_text(ENV, &out[1]));
    assert_int_equal(params_parse_list(N, "64", out, &count, err, sizeof(err)), 0);
    assert_false(params_value_is_text(N, &out[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),    cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_too_many),      cmocka_unit_test(test_value_too_long),
        cmocka_unit_test(test_err_truncated), cmocka_unit_test(test_defaults_parse),
        cmocka_unit_test(test_count_find_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
