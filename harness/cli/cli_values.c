/*
 * The values of the command line's options, each parsed strictly and, when
 * wrong, refused with one line naming the option and the value: durations
 * and counts within their ranges, a percentage, a significance level, an
 * output format for the command, a UTC date.
 */
#include "cli_values.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/reason.h"
#include "base/units.h"

/* Budgets beyond a day per case are a typo, not a plan. */
#define MAX_DURATION_NS (24ull * 3600ull * 1000000000ull)

int cli_value_duration(const char *option, const char *text, uint64_t *out, char *err,
                       size_t err_len)
{
    const char *why = NULL;
    if (units_parse_duration_ns(text, out, &why) != 0) {
        reason_format(err, err_len, "%s '%s': %s", option, text, why);
        return -EINVAL;
    }
    if (*out > MAX_DURATION_NS) {
        reason_format(err, err_len, "%s '%s': longer than 24 hours", option, text);
        return -EINVAL;
    }
    return 0;
}

int cli_value_count(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                    char *err, size_t err_len)
{
    const char *why = NULL;
    int rc = units_parse_count(text, min, max, out, &why);
    if (rc == -ERANGE) {
        reason_format(err, err_len, "%s '%s': %s (%" PRIu64 " to %" PRIu64 ")", option, text, why,
                      min, max);
        return -EINVAL;
    }
    if (rc != 0) {
        reason_format(err, err_len, "%s '%s': %s", option, text, why);
        return -EINVAL;
    }
    return 0;
}

/* A plain decimal: digits with at most one '.', nothing else. strtod()
 * alone would also take hex ("0x5"), exponents, "inf" and "nan". */
static bool is_plain_decimal(const char *text, size_t len)
{
    size_t digits = 0, dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] >= '0' && text[i] <= '9')
            digits++;
        else if (text[i] == '.')
            dots++;
        else
            return false;
    }
    return digits > 0 && dots <= 1;
}

int cli_value_percent(const char *option, const char *text, double *out, char *err, size_t err_len)
{
    char *end = NULL;
    size_t len = strlen(text);
    if (len > 0 && text[len - 1] == '%')
        len--;
    errno = 0;
    double v = is_plain_decimal(text, len) ? strtod(text, &end) : NAN;
    if (end && *end == '%')
        end++;
    if (errno != 0 || !end || *end != '\0' || !isfinite(v) || v < 0 || v > 100) {
        reason_format(err, err_len, "%s '%s': expected a percentage from 0 to 100", option, text);
        return -EINVAL;
    }
    *out = v;
    return 0;
}

/* A significance level: a plain decimal above 0 and at most 0.5. */
int cli_value_output_path(const char *option, const char *text, char *err, size_t err_len)
{
    if (text[0] == '\0') {
        reason_format(err, err_len, "%s: empty path", option);
        return -EINVAL;
    }
    for (size_t i = 0; text[i] != '\0'; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) {
            reason_format(err, err_len,
                          "%s '%s': holds a control character (byte %zu), which would split the "
                          "messages that name it",
                          option, text, i);
            return -EINVAL;
        }
    }
    return 0;
}

int cli_value_alpha(const char *text, double *out, char *err, size_t err_len)
{
    char *end = NULL;
    errno = 0;
    double v = is_plain_decimal(text, strlen(text)) ? strtod(text, &end) : NAN;
    if (errno != 0 || !end || *end != '\0' || !isfinite(v) || v <= 0 || v > 0.5) {
        reason_format(err, err_len, "--alpha '%s': expected a number above 0 and at most 0.5",
                      text);
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int cli_value_format(enum cli_command command, const char *text, enum cli_format *out, char *err,
                     size_t err_len)
{
    if (command == CLI_HISTORY) {
        static const struct {
            const char *name;
            enum cli_format format;
        } formats[] = {{"text", CLI_FORMAT_TEXT},
                       {"md", CLI_FORMAT_MD},
                       {"csv", CLI_FORMAT_CSV},
                       {"json", CLI_FORMAT_JSON}};
        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
            if (strcmp(text, formats[i].name) == 0) {
                *out = formats[i].format;
                return 0;
            }
        }
        reason_format(err, err_len, "--format '%s': history prints text, md, csv or json", text);
        return -EINVAL;
    }
    if (command == CLI_EXPORT) {
        if (strcmp(text, "gbench") == 0) {
            *out = CLI_FORMAT_GBENCH;
            return 0;
        }
        reason_format(err, err_len, "--format '%s': export writes gbench only", text);
        return -EINVAL;
    }
    if (strcmp(text, "text") == 0) {
        *out = CLI_FORMAT_TEXT;
        return 0;
    }
    if (strcmp(text, "md") == 0) {
        *out = CLI_FORMAT_MD;
        return 0;
    }
    if (strcmp(text, "gbench") == 0)
        reason_format(err, err_len,
                      "--format 'gbench': Google Benchmark JSON is written by `procbench export "
                      "RESULTS`; this command prints text or md");
    else
        reason_format(err, err_len, "--format '%s': expected text or md", text);
    return -EINVAL;
}

/* --since: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", UTC; a date that does
 * not exist (February 30th) is refused, not normalised. */
int cli_value_since(const char *text, uint64_t *out, char *err, size_t err_len)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = -1;
    size_t len = strlen(text);
    bool plain = len == 10 || len == 20;
    for (size_t i = 0; plain && i < len; i++) {
        char c = text[i];
        if (i == 4 || i == 7)
            plain = c == '-';
        else if (i == 10)
            plain = c == 'T';
        else if (i == 13 || i == 16)
            plain = c == ':';
        else if (i == 19)
            plain = c == 'Z';
        else
            plain = c >= '0' && c <= '9';
    }
    if (plain && len == 10)
        sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &used);
    else if (plain)
        sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &used);
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = used == (int)len && y >= 1970 ? timegm(&tm) : (time_t)-1;
    struct tm back;
    if (t == (time_t)-1 || gmtime_r(&t, &back) == NULL || back.tm_year != y - 1900 ||
        back.tm_mon != mo - 1 || back.tm_mday != d || back.tm_hour != h || back.tm_min != mi ||
        back.tm_sec != sec) {
        reason_format(err, err_len,
                      "--since '%s': expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", text);
        return -EINVAL;
    }
    *out = (uint64_t)t * 1000000000u;
    return 0;
}
