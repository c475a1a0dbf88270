/*
 * Parsing and formatting of durations, sizes and counts as people type and
 * read them. The parsers accept exactly one spelling per value family and
 * refuse everything else with a short static reason: strtoull() is avoided
 * because it skips leading spaces, accepts signs (a "-1" becomes 2^64 - 1)
 * and, with base 0, octal and hex, all of which turn a typo into a silently
 * different benchmark. Syntax is checked before arithmetic, so a malformed
 * huge number reports what is wrong with its spelling rather than "too large".
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

/* The pieces of "<digits>[.<digits>]<suffix>"; fraction is NULL without a
 * point. */
struct number_text {
    const char *digits;
    size_t digits_len;
    const char *fraction;
    size_t fraction_len;
    const char *suffix;
};

static int fail(const char **why, const char *reason, int err)
{
    if (why)
        *why = reason;
    return err;
}

/* Splits text and rejects what no quantity may contain. allow_fraction is
 * false for sizes and counts, which are whole numbers. */
static int split_number(const char *text, int allow_fraction, struct number_text *n,
                        const char **why)
{
    if (text == NULL || text[0] == '\0')
        return fail(why, "empty", -EINVAL);
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p))
            return fail(why, "contains spaces", -EINVAL);
    }
    if (text[0] == '-')
        return fail(why, "negative", -EINVAL);
    if (text[0] == '+')
        return fail(why, "no sign allowed", -EINVAL);
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        return fail(why, "decimal digits only", -EINVAL);

    const char *p = text;
    n->digits = p;
    while (isdigit((unsigned char)*p))
        p++;
    n->digits_len = (size_t)(p - n->digits);
    if (n->digits_len == 0)
        return fail(why, "not a number", -EINVAL);

    n->fraction = NULL;
    n->fraction_len = 0;
    if (*p == '.') {
        if (!allow_fraction)
            return fail(why, "not a whole number", -EINVAL);
        n->fraction = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        n->fraction_len = (size_t)(p - n->fraction);
        if (n->fraction_len == 0)
            return fail(why, "not a number", -EINVAL);
    }
    n->suffix = p;
    return 0;
}

/* Whole decimal digits times scale, refusing anything beyond UINT64_MAX. */
static int digits_times(const char *digits, size_t len, uint64_t scale, uint64_t *out,
                        const char **why)
{
    uint64_t v = 0;

    for (size_t i = 0; i < len; i++) {
        uint64_t d = (uint64_t)(digits[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return fail(why, "too large", -ERANGE);
        v = v * 10 + d;
    }
    if (scale != 0 && v > UINT64_MAX / scale)
        return fail(why, "too large", -ERANGE);
    *out = v * scale;
    return 0;
}

int units_parse_duration_ns(const char *text, uint64_t *out_ns, const char **why)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
    struct number_text n;
    uint64_t scale = 0, whole, fraction = 0;
    int rc;

    if ((rc = split_number(text, 1, &n, why)) != 0)
        return rc;
    if (n.suffix[0] == '\0')
        return fail(why, "needs a unit: ns, us, ms or s", -EINVAL);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(n.suffix, units[i].name) == 0)
            scale = units[i].ns;
    }
    if (scale == 0)
        return fail(why, "unknown unit", -EINVAL);

    /* Each fraction digit is worth a tenth of the previous one; scale is a
     * power of ten, so the digit's weight stays exact until it drops below
     * 1 ns, after which only zeros keep the result whole. */
    uint64_t weight = scale;
    for (size_t i = 0; i < n.fraction_len; i++) {
        uint64_t d = (uint64_t)(n.fraction[i] - '0');
        if (weight < 10) {
            if (d != 0)
                return fail(why, "finer than 1 ns", -EINVAL);
            continue;
        }
        weight /= 10;
        fraction += d * weight;
    }
    if ((rc = digits_times(n.digits, n.digits_len, scale, &whole, why)) != 0)
        return rc;
    if (whole > UINT64_MAX - fraction)
        return fail(why, "too large", -ERANGE);
    *out_ns = whole + fraction;
    return 0;
}

/* Binary multiples, largest first so that units_format_size() finds the
 * shortest spelling. T is accepted as well as K, M and G so that an
 * over-large value reads as out of range rather than as a typo. */
static const struct {
    const char *name, *long_name;
    unsigned shift;
} size_units[] = {{"T", "TiB", 40}, {"G", "GiB", 30}, {"M", "MiB", 20}, {"K", "KiB", 10}};

#define SIZE_UNIT_COUNT (sizeof(size_units) / sizeof(size_units[0]))

int units_parse_size_bytes(const char *text, uint64_t *out_bytes, const char **why)
{
    struct number_text n;
    uint64_t scale = 0;
    int rc;

    if ((rc = split_number(text, 0, &n, why)) != 0)
        return rc;
    if (n.suffix[0] == '\0')
        scale = 1;
    for (size_t i = 0; i < SIZE_UNIT_COUNT; i++) {
        if (strcmp(n.suffix, size_units[i].name) == 0 ||
            strcmp(n.suffix, size_units[i].long_name) == 0)
            scale = (uint64_t)1 << size_units[i].shift;
    }
    if (scale == 0)
        return fail(why, "unknown unit", -EINVAL);
    return digits_times(n.digits, n.digits_len, scale, out_bytes, why);
}

int units_parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *out, const char **why)
{
    struct number_text n;
    uint64_t v;
    int rc;

    if ((rc = split_number(text, 0, &n, why)) != 0)
        return rc;
    if (n.suffix[0] != '\0')
        return fail(why, "not a whole number", -EINVAL);
    if ((rc = digits_times(n.digits, n.digits_len, 1, &v, why)) != 0)
        return rc;
    if (v < min || v > max)
        return fail(why, "out of range", -ERANGE);
    *out = v;
    return 0;
}

int units_format_size(uint64_t bytes, char *buf, size_t len)
{
    for (size_t i = 0; bytes != 0 && i < SIZE_UNIT_COUNT; i++) {
        uint64_t unit = (uint64_t)1 << size_units[i].shift;
        if (bytes % unit == 0)
            return snprintf(buf, len, "%" PRIu64 "%s", bytes / unit, size_units[i].name);
    }
    return snprintf(buf, len, "%" PRIu64, bytes);
}

int units_format_duration(uint64_t ns, char *buf, size_t len)
{
    static const char *const names[] = {"ns", "us", "ms", "s"};

    if (ns < 1000)
        return snprintf(buf, len, "%" PRIu64 " ns", ns);

    /* Round to three significant digits in integers, so that 999.5 us
     * becomes "1.00 ms" rather than printf's "1000 us". */
    unsigned exponent = 0; /* ns is in [10^exponent, 10^(exponent+1)) */
    uint64_t scale = 1;    /* 10^(exponent - 2) */
    for (uint64_t v = ns; v >= 10; v /= 10)
        exponent++;
    for (unsigned i = 2; i < exponent; i++)
        scale *= 10;
    uint64_t sig = ns / scale; /* the three leading digits, 100..999 */
    if (ns % scale >= scale / 2 + scale % 2)
        sig++;
    if (sig == 1000) {
        sig = 100;
        exponent++;
    }

    unsigned unit = exponent / 3 < 3 ? exponent / 3 : 3;
    unsigned integer_digits = exponent - 3 * unit + 1;
    if (integer_digits >= 3) {
        /* Only seconds past 999 get here: print them whole. */
        uint64_t whole = sig;
        for (unsigned i = 3; i < integer_digits; i++)
            whole *= 10;
        return snprintf(buf, len, "%" PRIu64 " %s", whole, names[unit]);
    }
    uint64_t divisor = integer_digits == 1 ? 100 : 10;
    return snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64 " %s", sig / divisor,
                    (int)(3 - integer_digits), sig % divisor, names[unit]);
}
