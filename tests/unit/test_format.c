/*
 * Tests of base/format.c: numbers for people (unknown values included) and
 * the escaping of hostile text for Markdown, HTML and CSV, each against the
 * exact expected bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/format.h"

static void test_durations(void **state)
{
    (void)state;
    char buf[32];
    format_duration(712345, buf, sizeof(buf));
    assert_string_equal(buf, "712 us");
    format_duration(0, buf, sizeof(buf));
    assert_string_equal(buf, "0 ns");
    format_duration(NAN, buf, sizeof(buf));
    assert_string_equal(buf, "-");
    format_duration(-5, buf, sizeof(buf));
    assert_string_equal(buf, "-");
    format_signed_duration(-12345, buf, sizeof(buf));
    assert_string_equal(buf, "-12.3 us");
    format_signed_duration(4560000, buf, sizeof(buf));
    assert_string_equal(buf, "4.56 ms");
    /* A negative that rounds to nothing has no sign. */
    format_signed_duration(-0.4, buf, sizeof(buf));
    assert_string_equal(buf, "0 ns");
    format_signed_duration(INFINITY, buf, sizeof(buf));
    assert_string_equal(buf, "?");
}

static void test_sizes(void **state)
{
    (void)state;
    char buf[32];
    static const struct {
        double bytes;
        const char *text;
    } cases[] = {
        {0, "0 B"},           {512, "512 B"},          {1023, "1023 B"}, {65536, "64 KiB"},
        {1572864, "1.5 MiB"}, {1610612736, "1.5 GiB"}, {-1, "-"},        {NAN, "-"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        format_size(cases[i].bytes, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].text);
    }
}

/* What an escaper wrote for text. */
static char *written(void (*escape)(FILE *, const char *), const char *text)
{
    static char out[256];
    FILE *fp = fmemopen(out, sizeof(out), "w");
    assert_non_null(fp);
    escape(fp, text);
    assert_int_equal(fclose(fp), 0);
    return out;
}

static void test_escaping(void **state)
{
    (void)state;
    const char *hostile = "a|b`c<d>&\"e'[f](g)\n$h";
    assert_string_equal(written(format_md_text, hostile),
                        "a\\|b\\`c\\<d\\>\\&\\\"e\\'\\[f\\]\\(g\\)?\\$h");
    assert_string_equal(written(format_md_code, hostile), "a\\|b'c<d>&\"e'[f](g) $h");
    assert_string_equal(written(format_html_text, "<a href=\"x\">&'\x01</a>"),
                        "&lt;a href=&quot;x&quot;&gt;&amp;&#39; &lt;/a&gt;");
    assert_string_equal(written(format_csv_field, "plain"), "plain");
    assert_string_equal(written(format_csv_field, "we\"ird,one"), "\"we\"\"ird,one\"");
    assert_string_equal(written(format_csv_field, "two\nlines"), "\"two\nlines\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
