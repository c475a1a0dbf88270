/*
 * Untrusted JSON files (untrusted.h): the whole-file read with its checks,
 * UTF-8 validation, the parse, and the typed getters, each of which names
 * the member and the problem in a one-line message.
 */
#include "untrusted.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/reason.h"
#include "base/utf8.h"

/* One line, "FILE: problem", control characters made '?'. */
int untrusted_fail(const struct reader *rd, int rc, const char *fmt, ...)
{
    char problem[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    reason_format(rd->err, rd->err_len, "%s: %s", rd->file, problem);
    return rc;
}

const char *untrusted_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "something else";
}

/* Offset of the first byte that is not part of valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF refused), or len if all is. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    uint32_t cp;
    for (size_t n; i < len; i += n) {
        if ((n = utf8_next(s, len, i, &cp)) == 0)
            return i;
    }
    return len;
}

/* Reads the whole regular file at path into *buf (NUL-terminated). */
static int read_file(const struct reader *rd, size_t max_bytes, const char *what, char **buf,
                     size_t *len)
{
    int fd = open(rd->file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return untrusted_fail(rd, -e, "cannot open: %s", strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return untrusted_fail(rd, -e, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return untrusted_fail(rd, -EINVAL, "not a regular file");
    }
    if (st.st_size == 0) {
        close(fd);
        return untrusted_fail(rd, -EINVAL, "empty file");
    }
    if ((uint64_t)st.st_size > max_bytes) {
        close(fd);
        return untrusted_fail(rd, -EFBIG, "%jd bytes, more than the %zu MiB %s may have",
                              (intmax_t)st.st_size, max_bytes >> 20, what);
    }
    size_t size = (size_t)st.st_size;
    char *data = malloc(size + 1);
    if (data == NULL) {
        close(fd);
        return untrusted_fail(rd, -ENOMEM, "out of memory reading %zu bytes", size);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(data);
            close(fd);
            return untrusted_fail(rd, -e, "read failed: %s", n < 0 ? strerror(e) : "file shrank");
        }
        got += (size_t)n;
    }
    close(fd);
    data[size] = '\0';
    *buf = data;
    *len = size;
    return 0;
}

/* ---- typed getters: each names the member on failure ----------------- */

int untrusted_get_member(const struct reader *rd, const json_t *object, const char *where,
                         const char *key, json_t **out)
{
    *out = json_object_get(object, key);
    if (*out == NULL)
        return untrusted_fail(rd, -EINVAL, "%s%s%s: missing", where, where[0] ? "." : "", key);
    return 0;
}

/* A string of at most UNTRUSTED_MAX_TEXT bytes with no control
 * characters: the only kind that may reach a message or a table. */
int untrusted_check_text(const struct reader *rd, const json_t *v, const char *where,
                         const char *key)
{
    const char *sep = where[0] ? "." : "";
    if (!json_is_string(v))
        return untrusted_fail(rd, -EINVAL, "%s%s%s: expected a string, got %s", where, sep, key,
                              untrusted_type_name(v));
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len > UNTRUSTED_MAX_TEXT)
        return untrusted_fail(rd, -EINVAL, "%s%s%s: a string of %zu bytes, more than %d", where,
                              sep, key, len, UNTRUSTED_MAX_TEXT);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return untrusted_fail(rd, -EINVAL, "%s%s%s: holds a control character (byte %zu)",
                                  where, sep, key, i);
    }
    return 0;
}

int untrusted_get_text(const struct reader *rd, const json_t *object, const char *where,
                       const char *key, const char **out)
{
    json_t *v;
    int rc = untrusted_get_member(rd, object, where, key, &v);
    if (rc == 0)
        rc = untrusted_check_text(rd, v, where, key);
    if (rc == 0)
        *out = json_string_value(v);
    return rc;
}

/* A JSON integer within [0, max]. */
int untrusted_check_uint(const struct reader *rd, const json_t *v, const char *where,
                         const char *key, uint64_t max, uint64_t *out)
{
    const char *sep = where[0] ? "." : "";
    if (!json_is_integer(v))
        return untrusted_fail(rd, -EINVAL, "%s%s%s: expected an integer, got %s", where, sep, key,
                              untrusted_type_name(v));
    json_int_t i = json_integer_value(v);
    if (i < 0 || (uint64_t)i > max)
        return untrusted_fail(rd, -EINVAL,
                              "%s%s%s: %" JSON_INTEGER_FORMAT " is out of range (0 to %" PRIu64 ")",
                              where, sep, key, i, max);
    *out = (uint64_t)i;
    return 0;
}

int untrusted_get_uint(const struct reader *rd, const json_t *object, const char *where,
                       const char *key, uint64_t max, uint64_t *out)
{
    json_t *v;
    int rc = untrusted_get_member(rd, object, where, key, &v);
    return rc != 0 ? rc : untrusted_check_uint(rd, v, where, key, max, out);
}

int untrusted_get_object(const struct reader *rd, const json_t *object, const char *where,
                         const char *key, json_t **out)
{
    int rc = untrusted_get_member(rd, object, where, key, out);
    if (rc == 0 && !json_is_object(*out))
        rc = untrusted_fail(rd, -EINVAL, "%s%s%s: expected an object, got %s", where,
                            where[0] ? "." : "", key, untrusted_type_name(*out));
    return rc;
}

int untrusted_get_array(const struct reader *rd, const json_t *object, const char *where,
                        const char *key, size_t max, json_t **out)
{
    int rc = untrusted_get_member(rd, object, where, key, out);
    if (rc != 0)
        return rc;
    const char *sep = where[0] ? "." : "";
    if (!json_is_array(*out))
        return untrusted_fail(rd, -EINVAL, "%s%s%s: expected an array, got %s", where, sep, key,
                              untrusted_type_name(*out));
    if (json_array_size(*out) > max)
        return untrusted_fail(rd, -EINVAL, "%s%s%s: %zu entries, more than %zu", where, sep, key,
                              json_array_size(*out), max);
    return 0;
}

/* Counts what parsing the text would build, before jansson builds it:
 * values (an upper bound: one per '[', '{' and ',' outside strings, plus
 * one) and nesting. Refuses past the limits; syntax is jansson's to judge
 * afterwards. A 190 MB file of one huge array used to cost 4 GB. */
static int check_shape(const struct reader *rd, const struct untrusted_limits *limits,
                       const char *what, const char *data, size_t len, size_t *values)
{
    size_t count = 1, depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > limits->max_depth)
                return untrusted_fail(rd, -E2BIG,
                                      "arrays and objects nested more than %u deep at offset %zu: "
                                      "not %s procbench wrote",
                                      limits->max_depth, i, what);
            count++;
            break;
        case ']':
        case '}':
            if (depth > 0)
                depth--;
            break;
        case ',':
            count++;
            break;
        default:
            continue;
        }
        if (count > limits->max_values)
            return untrusted_fail(rd, -E2BIG,
                                  "more than %zu values (at offset %zu): not %s procbench wrote",
                                  limits->max_values, i, what);
    }
    *values = count;
    return 0;
}

int untrusted_load(const struct reader *rd, const struct untrusted_limits *limits, const char *what,
                   json_t **root, size_t *values)
{
    char *data = NULL;
    size_t len = 0;
    *root = NULL;
    *values = 0;
    int rc = read_file(rd, limits->max_bytes, what, &data, &len);
    if (rc != 0)
        return rc;
    const char *nul = memchr(data, '\0', len);
    size_t bad = nul == NULL ? utf8_invalid_at((const unsigned char *)data, len) : len;
    json_error_t error;
    json_t *doc = NULL;
    if (nul != NULL)
        rc = untrusted_fail(rd, -EINVAL, "holds a NUL byte at offset %zu: a binary file, not JSON",
                            (size_t)(nul - data));
    else if (bad < len)
        rc = untrusted_fail(rd, -EINVAL, "not valid UTF-8 (byte 0x%02x at offset %zu)",
                            (unsigned char)data[bad], bad);
    else if ((rc = check_shape(rd, limits, what, data, len, values)) != 0)
        ;
    /* Any value is parsed, so that a lone string or number gets the same
     * message as an array: not an object. */
    else if ((doc = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error)) ==
             NULL)
        rc = untrusted_fail(rd, -EINVAL, "%s at line %d, column %d: %s",
                            json_error_code(&error) == json_error_premature_end_of_input
                                ? "ends early (truncated?)"
                                : "not valid JSON",
                            error.line, error.column, error.text);
    else if (!json_is_object(doc))
        rc = untrusted_fail(rd, -EINVAL, "expected a JSON object at the top, got %s",
                            untrusted_type_name(doc));
    free(data);
    if (rc != 0) {
        json_decref(doc);
        return rc;
    }
    *root = doc;
    return 0;
}
