/*
 * Reading a JSON file that procbench wrote, or that someone says it wrote:
 * every byte is untrusted. The file is read whole (a regular file, not
 * empty, within a size limit), checked for NUL bytes and UTF-8 here, so
 * that a message can say so plainly instead of jansson's "unable to decode
 * byte", and parsed by jansson with duplicate keys refused. The typed
 * getters then take one value at a time, each checked (type, length,
 * control characters, range) and named in its message. Every message is
 * one line, "FILE: problem". Internal to read/.
 */
#ifndef PROCBENCH_UNTRUSTED_H
#define PROCBENCH_UNTRUSTED_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "results_read.h"

/* The longest a valid duration can be: the histograms stop at one hour. */
#define UNTRUSTED_MAX_NS UINT64_C(3600000000000)
/* Counts beyond 2^53 cannot have come from a run (nor survive a double). */
#define UNTRUSTED_MAX_COUNT (UINT64_C(1) << 53)
/* Bytes of any string kept: as results_read.h promises its callers. */
#define UNTRUSTED_MAX_TEXT RESULTS_READ_MAX_TEXT

/* Where the walk is, for messages: the file, and where its one-line error
 * goes. */
struct reader {
    const char *file;
    char *err;
    size_t err_len;
};

/* Writes "FILE: <fmt...>" into rd->err as one line and returns rc. */
int untrusted_fail(const struct reader *rd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "an object", "a string", "an integer"...: v's JSON type, for messages. */
const char *untrusted_type_name(const json_t *v);

/* What a file may hold before it is parsed: its size, and (found by a scan
 * of the text, because jansson's tree costs some 50 bytes a value) its
 * values and how deep arrays and objects nest. */
struct untrusted_limits {
    size_t max_bytes;
    size_t max_values;
    unsigned max_depth;
};

/* Reads rd->file (a regular file within limits; what names what it should
 * be, "a results.json") and parses it into *root, which must be a JSON
 * object (json_decref() it); *values is an upper bound of the values it
 * holds. Returns 0, or -errno with the message. */
int untrusted_load(const struct reader *rd, const struct untrusted_limits *limits, const char *what,
                   json_t **root, size_t *values);

/* The typed getters: the member key of object (where names object in
 * messages: "cases[3]"), checked. 0, or -EINVAL with the message. */
int untrusted_get_member(const struct reader *rd, const json_t *object, const char *where,
                         const char *key, json_t **out);
/* A string of at most UNTRUSTED_MAX_TEXT bytes with no control character:
 * the only kind that may reach a message or a table. */
int untrusted_check_text(const struct reader *rd, const json_t *v, const char *where,
                         const char *key);
int untrusted_get_text(const struct reader *rd, const json_t *object, const char *where,
                       const char *key, const char **out);
/* A JSON integer within [0, max]. */
int untrusted_check_uint(const struct reader *rd, const json_t *v, const char *where,
                         const char *key, uint64_t max, uint64_t *out);
int untrusted_get_uint(const struct reader *rd, const json_t *object, const char *where,
                       const char *key, uint64_t max, uint64_t *out);
int untrusted_get_object(const struct reader *rd, const json_t *object, const char *where,
                         const char *key, json_t **out);
/* An array of at most max entries. */
int untrusted_get_array(const struct reader *rd, const json_t *object, const char *where,
                        const char *key, size_t max, json_t **out);

#endif
