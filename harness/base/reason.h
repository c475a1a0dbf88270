/*
 * One-line reasons. Every error procbench reports is a single line naming
 * the input, and inputs are untrusted: a filter, a path or a parameter value
 * can hold a newline. reason_format() is snprintf() that turns control
 * characters into '?', so whatever the input, the message stays one line.
 */
#ifndef PROCBENCH_REASON_H
#define PROCBENCH_REASON_H

#include <stddef.h>

/* Formats into buf[len] (truncating) and replaces every control character
 * with '?'. buf may be NULL when len is 0. */
void reason_format(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
