/*
 * Parsing and formatting of the quantities people type and read: durations
 * (ns, us, ms, s), sizes (bytes, K, M, G, T: powers of 1024) and counts. Parsers
 * are strict: a whole-string match, no negative values, overflow refused, and
 * on failure a short reason that callers put in their one-line error.
 */
#ifndef PROCBENCH_UNITS_H
#define PROCBENCH_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "200ms", "1.5s", "750us", "40ns". The unit is required. Returns 0, or
 * -EINVAL / -ERANGE with *why set to a static reason. */
int units_parse_duration_ns(const char *text, uint64_t *out_ns, const char **why);

/* "64", "4K", "1M", "2G" (also "4KiB"): whole numbers of bytes, 1024-based.
 * Returns 0, or -EINVAL / -ERANGE with *why set. */
int units_parse_size_bytes(const char *text, uint64_t *out_bytes, const char **why);

/* A decimal integer within [min, max]. Returns 0, or -EINVAL / -ERANGE with
 * *why set. */
int units_parse_count(const char *text, uint64_t min, uint64_t max, uint64_t *out,
                      const char **why);

/* Shortest exact spelling of a size: 1073741824 -> "1G", 4096 -> "4K",
 * 1000 -> "1000". Returns the length written (snprintf semantics). */
int units_format_size(uint64_t bytes, char *buf, size_t len);

/* A duration for people, three significant digits with a unit:
 * 712345 -> "712 us", 1234567890 -> "1.23 s". Returns snprintf's result. */
int units_format_duration(uint64_t ns, char *buf, size_t len);

#endif
