/*
 * Tests of harness/base/units.c: the exact value of every accepted spelling, the
 * error code and reason of every refused one, and the formatters against
 * exact strings and as round trips through the parsers. Refused inputs also
 * check that nothing was written to the output, since callers rely on their
 * default surviving a bad value.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/units.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL     0x5a5a5a5a5a5a5a5au
#define KIB          1024ull
#define MIB          (1024ull * KIB)
#define GIB          (1024ull * MIB)
#define TIB          (1024ull * GIB)

struct good {
    const char *text;
    uint64_t value;
};

struct bad {
    const char *text;
    int rc;
    const char *why;
};

/* The reason must be short, static and one line: it is embedded in a
 * one-line error by the caller. */
static void check_bad(const struct bad *b, int rc, uint64_t out, const char *why)
{
    if (rc != b->rc || why == NULL || strcmp(why, b->why) != 0 || out != SENTINEL)
        print_message("input '%s'\n", b->text);
    assert_int_equal(rc, b->rc);
    assert_non_null(why);
    assert_string_equal(why, b->why);
    assert_null(strchr(why, '\n'));
    assert_int_equal(out, SENTINEL);
}

static void test_duration_good(void **state)
{
    static const struct good cases[] = {
        {"40ns", 40},
        {"0ns", 0},
        {"750us", 750000},
        {"200ms", 200000000},
        {"1s", 1000000000},
        {"1.5s", 1500000000},
        {"0.5ms", 500000},
        {"0.001us", 1},
        {"0.000000001s", 1},
        {"1.000000001s", 1000000001},
        {"2.500000000000s", 2500000000},
        {"1.0ns", 1},
        {"007ms", 7000000},
        {"18446744073709551615ns", UINT64_MAX},
        {"18446744073s", 18446744073000000000u},
        {"18446744073.709551615s", UINT64_MAX},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t out = SENTINEL;
        const char *why = NULL;
        int rc = units_parse_duration_ns(cases[i].text, &out, &why);
        if (rc != 0 || out != cases[i].value)
            print_message("input '%s'\n", cases[i].text);
        assert_int_equal(rc, 0);
        assert_int_equal(out, cases[i].value);
    }
}

static void test_duration_bad(void **state)
{
    static const struct bad cases[] = {
        {"", -EINVAL, "empty"},
        {"5", -EINVAL, "needs a unit: ns, us, ms or s"},
        {"1.5", -EINVAL, "needs a unit: ns, us, ms or s"},
        {"-5s", -EINVAL, "negative"},
        {"+5s", -EINVAL, "no sign allowed"},
        {" 5s", -EINVAL, "contains spaces"},
        {"5s ", -EINVAL, "contains spaces"},
        {"5 s", -EINVAL, "contains spaces"},
        {"5s\n", -EINVAL, "contains spaces"},
        {"5m", -EINVAL, "unknown unit"},
        {"5sec", -EINVAL, "unknown unit"},
        {"5S", -EINVAL, "unknown unit"},
        {"5Ms", -EINVAL, "unknown unit"},
        {"1e3ns", -EINVAL, "unknown unit"},
        {"5ss", -EINVAL, "unknown unit"},
        {"ms", -EINVAL, "not a number"},
        {"s", -EINVAL, "not a number"},
        {".5s", -EINVAL, "not a number"},
        {"1.s", -EINVAL, "not a number"},
        {"1..5s", -EINVAL, "not a number"},
        {"0x10ns", -EINVAL, "decimal digits only"},
        {"1.5ns", -EINVAL, "finer than 1 ns"},
        {"0.0000000001s", -EINVAL, "finer than 1 ns"},
        {"0.0001us", -EINVAL, "finer than 1 ns"},
        {"99999999999s", -ERANGE, "too large"},
        {"18446744074s", -ERANGE, "too large"},
        {"18446744073709551616ns", -ERANGE, "too large"},
        {"18446744073.709551616s", -ERANGE, "too large"},
        {"99999999999999999999999999ms", -ERANGE, "too large"},
        /* Spelling is judged before size. */
        {"99999999999999999999999999X", -EINVAL, "unknown unit"},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t out = SENTINEL;
        const char *why = NULL;
        int rc = units_parse_duration_ns(cases[i].text, &out, &why);
        check_bad(&cases[i], rc, out, why);
    }
}

static void test_size_good(void **state)
{
    static const struct good cases[] = {
        {"0", 0},
        {"64", 64},
        {"1000", 1000},
        {"4K", 4 * KIB},
        {"4KiB", 4 * KIB},
        {"1M", MIB},
        {"1MiB", MIB},
        {"2G", 2 * GIB},
        {"2GiB", 2 * GIB},
        {"8G", 8 * GIB},
        {"1T", TIB},
        {"1TiB", TIB},
        {"0K", 0},
        {"0004K", 4 * KIB},
        {"18446744073709551615", UINT64_MAX},
        {"16777215T", 16777215 * TIB},
        {"17179869183G", 17179869183 * GIB},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t out = SENTINEL;
        const char *why = NULL;
        int rc = units_parse_size_bytes(cases[i].text, &out, &why);
        if (rc != 0 || out != cases[i].value)
            print_message("input '%s'\n", cases[i].text);
        assert_int_equal(rc, 0);
        assert_int_equal(out, cases[i].value);
    }
}

static void test_size_bad(void **state)
{
    static const struct bad cases[] = {
        {"", -EINVAL, "empty"},
        {"-1", -EINVAL, "negative"},
        {"-4K", -EINVAL, "negative"},
        {"+1", -EINVAL, "no sign allowed"},
        {" 4K", -EINVAL, "contains spaces"},
        {"4K ", -EINVAL, "contains spaces"},
        {"4 K", -EINVAL, "contains spaces"},
        {"1.5K", -EINVAL, "not a whole number"},
        {"1.0", -EINVAL, "not a whole number"},
        {"10X", -EINVAL, "unknown unit"},
        {"4k", -EINVAL, "unknown unit"},
        {"4KB", -EINVAL, "unknown unit"},
        {"4Ki", -EINVAL, "unknown unit"},
        {"4B", -EINVAL, "unknown unit"},
        {"4KK", -EINVAL, "unknown unit"},
        {"1e3", -EINVAL, "unknown unit"},
        {"K", -EINVAL, "not a number"},
        {"KiB", -EINVAL, "not a number"},
        {"0x10", -EINVAL, "decimal digits only"},
        {"18446744073709551616", -ERANGE, "too large"},
        {"16777216T", -ERANGE, "too large"},
        {"17179869184G", -ERANGE, "too large"},
        {"99999999999999999999999K", -ERANGE, "too large"},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t out = SENTINEL;
        const char *why = NULL;
        int rc = units_parse_size_bytes(cases[i].text, &out, &why);
        check_bad(&cases[i], rc, out, why);
    }
}

static void test_count_good(void **state)
{
    static const struct {
        const char *text;
        uint64_t min, max, value;
    } cases[] = {
        {"0", 0, 10, 0},
        {"1", 1, 1, 1},
        {"10", 0, 10, 10},
        {"064", 0, 100, 64},
        {"18446744073709551615", 0, UINT64_MAX, UINT64_MAX},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t out = SENTINEL;
        const char *why = NULL;
        int rc = units_parse_count(cases[i].text, cases[i].min, cases[i].max, &out, &why);
        if (rc != 0 || out != cases[i].value)
            print_message("input '%s'\n", cases[i].text);
        assert_int_equal(rc, 0);
        assert_int_equal(out, cases[i].value);
    }
}

static void test_count_bad(void **state)
{
    static const struct bad cases[] = {
        {"", -EINVAL, "empty"},
        {"-1", -EINVAL, "negative"},
        {"+1", -EINVAL, "no sign allowed"},
        {" 1", -EINVAL, "contains spaces"},
        {"1 ", -EINVAL, "contains spaces"},
        {"1K", -EINVAL, "not a whole number"},
        {"1.0", -EINVAL, "not a whole number"},
        {"1s", -EINVAL, "not a whole number"},
        {"0x1", -EINVAL, "decimal digits only"},
        {"abc", -EINVAL, "not a number"},
        {"0", -ERANGE, "out of range"},   /* below min 1 */
        {"101", -ERANGE, "out of range"}, /* above max 100 */
        {"18446744073709551616", -ERANGE, "too large"},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t out = SENTINEL;
        const char *why = NULL;
        int rc = units_parse_count(cases[i].text, 1, 100, &out, &why);
        check_bad(&cases[i], rc, out, why);
    }
}

/* A NULL why is allowed for callers that only want the code. */
static void test_why_optional(void **state)
{
    uint64_t out = SENTINEL;
    (void)state;

    assert_int_equal(units_parse_duration_ns("5", &out, NULL), -EINVAL);
    assert_int_equal(units_parse_size_bytes("5X", &out, NULL), -EINVAL);
    assert_int_equal(units_parse_count("5", 6, 7, &out, NULL), -ERANGE);
    assert_int_equal(out, SENTINEL);
}

static void test_format_size(void **state)
{
    static const struct {
        uint64_t bytes;
        const char *text;
    } cases[] = {
        {0, "0"},
        {1, "1"},
        {1000, "1000"},
        {1023, "1023"},
        {1024, "1K"},
        {1025, "1025"},
        {1536, "1536"},
        {4096, "4K"},
        {1023 * KIB, "1023K"},
        {MIB, "1M"},
        {MIB + KIB, "1025K"},
        {GIB, "1G"},
        {3 * GIB, "3G"},
        {8 * GIB, "8G"},
        {TIB, "1T"},
        {1536 * GIB, "1536G"},
        {UINT64_MAX, "18446744073709551615"},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char buf[32];
        int n = units_format_size(cases[i].bytes, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
    }
}

/* format then parse gives back the value, across units and boundaries. */
static void test_size_round_trip(void **state)
{
    (void)state;

    for (unsigned shift = 0; shift < 64; shift++) {
        uint64_t base = (uint64_t)1 << shift;
        uint64_t values[] = {base - 1, base, base + 1, base * 3, base * 1000};
        for (size_t i = 0; i < ARRAY_LEN(values); i++) {
            char buf[32];
            uint64_t back = SENTINEL;
            const char *why = NULL;
            units_format_size(values[i], buf, sizeof(buf));
            int rc = units_parse_size_bytes(buf, &back, &why);
            if (rc != 0 || back != values[i])
                print_message("value %llu as '%s'\n", (unsigned long long)values[i], buf);
            assert_int_equal(rc, 0);
            assert_int_equal(back, values[i]);
        }
    }
}

static void test_format_duration(void **state)
{
    static const struct {
        uint64_t ns;
        const char *text;
    } cases[] = {
        {0, "0 ns"},
        {5, "5 ns"},
        {999, "999 ns"},
        {1000, "1.00 us"},
        {1004, "1.00 us"},
        {1005, "1.01 us"},
        {12345, "12.3 us"},
        {12350, "12.4 us"},
        {712345, "712 us"},
        {999499, "999 us"},
        {999500, "1.00 ms"},
        {1500000, "1.50 ms"},
        {99949999, "99.9 ms"},
        {99950000, "100 ms"},
        {1234567890, "1.23 s"},
        {59999999999, "60.0 s"},
        {3600000000000, "3600 s"},
        {1234567890123, "1230 s"},
        {UINT64_MAX, "18400000000 s"},
    };
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char buf[32];
        int n = units_format_duration(cases[i].ns, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].text);
        assert_int_equal(n, strlen(cases[i].text));
    }
}

/* snprintf semantics: a short buffer is truncated and terminated, and the
 * return value says how much room was needed. */
static void test_format_truncates(void **state)
{
    char buf[4];
    (void)state;

    assert_int_equal(units_format_duration(1234567890, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "1.2");
    assert_int_equal(units_format_size(123456, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "123");
}

/* Durations as printed (without the space) parse back to the rounded value
 * when they carry no more digits than a duration accepts. */
static void test_duration_round_trip(void **state)
{
    static const uint64_t values[] = {7, 999, 1000, 12300, 712000, 1500000, 1230000000};
    (void)state;

    for (size_t i = 0; i < ARRAY_LEN(values); i++) {
        char buf[32], joined[32];
        uint64_t back = SENTINEL;
        const char *why = NULL;
        units_format_duration(values[i], buf, sizeof(buf));
        char *space = strchr(buf, ' ');
        assert_non_null(space);
        memcpy(joined, buf, (size_t)(space - buf));
        strcpy(joined + (space - buf), space + 1);
        int rc = units_parse_duration_ns(joined, &back, &why);
        if (rc != 0 || back != values[i])
            print_message("value %llu as '%s'\n", (unsigned long long)values[i], joined);
        assert_int_equal(rc, 0);
        assert_int_equal(back, values[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_good),    cmocka_unit_test(test_duration_bad),
        cmocka_unit_test(test_size_good),        cmocka_unit_test(test_size_bad),
        cmocka_unit_test(test_count_good),       cmocka_unit_test(test_count_bad),
        cmocka_unit_test(test_why_optional),     cmocka_unit_test(test_format_size),
        cmocka_unit_test(test_size_round_trip),  cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_format_truncates), cmocka_unit_test(test_duration_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
