/*
 * Turns the comma-separated values a user types for one scenario parameter
 * into validated values with a canonical spelling, so that "1024" and "1K"
 * name the same case and are refused together as duplicates. Every refusal
 * is one line naming the parameter and the offending value, because it ends
 * up verbatim on the terminal and in CI logs; this file never prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "params.h"
#include "reason.h"
#include "units.h"

/* Longest single value accepted as typed; canonical spellings are shorter
 * still (text[32]), but "0000004096" is a fine way to write 4K. */
#define VALUE_MAX 64

/* Copies n bytes of s for quoting in a message, with control characters
 * replaced so that a stray newline in the user's input cannot split the
 * one-line error, and an ellipsis when it does not fit. */
static void printable(char *dst, size_t dst_len, const char *s, size_t n)
{
    size_t i = 0;

    for (; i < n && i + 1 < dst_len; i++)
        dst[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    dst[i] = '\0';
    if (i < n && dst_len > 4)
        memcpy(dst + dst_len - 4, "...", 4);
}

/* The choices list as "a, b, c" for messages. */
static void choices_text(const char *choices, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (const char *p = choices ? choices : ""; *p && used + 1 < len; p++) {
        if (*p == ',') {
            if (used + 2 < len) {
                buf[used++] = ',';
                buf[used++] = ' ';
            }
        } else {
            buf[used++] = *p;
        }
    }
    buf[used] = '\0';
}

/* Index of word among the comma-separated choices, or -1. */
static long choice_index(const char *choices, const char *word)
{
    size_t word_len = strlen(word);
    long index = 0;

    if (choices == NULL)
        return -1;
    for (const char *p = choices;; index++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == word_len && strncmp(p, word, len) == 0)
            return index;
        if (end == NULL)
            return -1;
        p = end + 1;
    }
}

static void format_bound(const struct param_spec *spec, uint64_t v, char *buf, size_t len)
{
    if (spec->kind == PARAM_SIZE)
        units_format_size(v, buf, len);
    else
        snprintf(buf, len, "%" PRIu64, v);
}

/* Validates one value (NUL-terminated, already known to be non-empty) and
 * fills *out. On failure writes the reason and returns -EINVAL. */
static int parse_value(const struct param_spec *spec, const char *value, struct param_value *out,
                       char *err, size_t err_len)
{
    char shown[VALUE_MAX + 8], lo[24], hi[24];
    const char *why = NULL;
    uint64_t number = 0;
    int rc, written;

    printable(shown, sizeof(shown), value, strlen(value));
    switch (spec->kind) {
    case PARAM_WORD: {
        long index = choice_index(spec->choices, value);
        if (index < 0) {
            char choices[160];
            choices_text(spec->choices, choices, sizeof(choices));
            reason_format(err, err_len, "parameter %s: '%s' is not one of %s", spec->name, shown,
                          choices);
            return -EINVAL;
        }
        number = (uint64_t)index;
        written = snprintf(out->text, sizeof(out->text), "%s", value);
        break;
    }
    case PARAM_SIZE:
    case PARAM_COUNT:
        if (spec->word != NULL && strcmp(value, spec->word) == 0) {
            number = PARAM_VALUE_WORD;
            written = snprintf(out->text, sizeof(out->text), "%s", value);
            break;
        }
        if (spec->kind == PARAM_SIZE)
            rc = units_parse_size_bytes(value, &number, &why);
        else
            rc = units_parse_count(value, 0, UINT64_MAX, &number, &why);
        /* A number too large for 64 bits is out of the spec's range too,
         * and saying so with the range is the more useful of the two. */
        if (rc != 0 && rc != -ERANGE) {
            reason_format(err, err_len, "parameter %s: '%s' is not a %s%s%s (%s)", spec->name,
                          shown, spec->kind == PARAM_SIZE ? "size" : "count",
                          spec->word != NULL ? " or " : "", spec->word != NULL ? spec->word : "",
                          why);
            return -EINVAL;
        }
        if (rc == -ERANGE || number < spec->min || number > spec->max) {
            format_bound(spec, spec->min, lo, sizeof(lo));
            format_bound(spec, spec->max, hi, sizeof(hi));
            reason_format(err, err_len, "parameter %s: '%s' is out of range %s..%s", spec->name,
                          shown, lo, hi);
            return -EINVAL;
        }
        if (spec->kind == PARAM_SIZE)
            written = units_format_size(number, out->text, sizeof(out->text));
        else
            written = snprintf(out->text, sizeof(out->text), "%" PRIu64, number);
        break;
    default:
        reason_format(err, err_len, "parameter %s: unknown kind %d", spec->name, (int)spec->kind);
        return -EINVAL;
    }
    if (written < 0 || (size_t)written >= sizeof(out->text)) {
        reason_format(err, err_len, "parameter %s: '%s' is too long (at most %zu characters)",
                      spec->name, shown, sizeof(out->text) - 1);
        return -EINVAL;
    }
    out->number = number;
    return 0;
}

int params_parse_list(const struct param_spec *spec, const char *list,
                      struct param_value out[PARAMS_MAX_VALUES], size_t *count, char *err,
                      size_t err_len)
{
    char value[VALUE_MAX + 1], shown[VALUE_MAX + 8];
    size_t n = 0;

    *count = 0;
    if (list == NULL || list[0] == '\0') {
        reason_format(err, err_len, "parameter %s: no value given", spec->name);
        return -EINVAL;
    }
    for (const char *p = list;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        printable(shown, sizeof(shown), p, len);
        if (len == 0) {
            printable(shown, sizeof(shown), list, strlen(list));
            reason_format(err, err_len, "parameter %s: empty value in '%s'", spec->name, shown);
            return -EINVAL;
        }
        if (n == PARAMS_MAX_VALUES) {
            reason_format(err, err_len, "parameter %s: '%s' is one value too many (at most %d)",
                          spec->name, shown, PARAMS_MAX_VALUES);
            return -EINVAL;
        }
        if (len > VALUE_MAX) {
            reason_format(err, err_len, "parameter %s: '%s' is too long", spec->name, shown);
            return -EINVAL;
        }
        memcpy(value, p, len);
        value[len] = '\0';
        if (parse_value(spec, value, &out[n], err, err_len) != 0)
            return -EINVAL;
        /* Same kind, same number: the same case, whatever the spelling. */
        for (size_t i = 0; i < n; i++) {
            if (out[i].number == out[n].number) {
                if (strcmp(value, out[i].text) == 0)
                    reason_format(err, err_len, "parameter %s: '%s' is given twice", spec->name,
                                  shown);
                else
                    reason_format(err, err_len, "parameter %s: '%s' repeats an earlier value (%s)",
                                  spec->name, shown, out[i].text);
                return -EINVAL;
            }
        }
        n++;
        if (end == NULL)
            break;
        p = end + 1;
    }
    *count = n;
    return 0;
}

size_t params_count(const struct param_spec *specs)
{
    size_t n = 0;

    while (specs && specs[n].name)
        n++;
    return n;
}

const struct param_spec *params_find(const struct param_spec *specs, const char *name)
{
    for (size_t i = 0; specs && specs[i].name; i++) {
        if (strcmp(specs[i].name, name) == 0)
            return &specs[i];
    }
    return NULL;
}

int params_is(const struct param_value *value, const char *choice)
{
    return strcmp(value->text, choice) == 0;
}

int params_value_is_text(const struct param_spec *spec, const struct param_value *value)
{
    return spec->kind == PARAM_WORD || (spec->word != NULL && value->number == PARAM_VALUE_WORD);
}
