/*
 * The values of the command line's options (cli_values.c). Each returns 0
 * with *out set, or -EINVAL with one line naming the option and the value
 * in err. Internal to cli/.
 */
#ifndef PROCBENCH_CLI_VALUES_H
#define PROCBENCH_CLI_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* A duration with its unit ("200ms"), at most 24 hours. */
int cli_value_duration(const char *option, const char *text, uint64_t *out, char *err,
                       size_t err_len);

/* A whole number in [min, max]. */
int cli_value_count(const char *option, const char *text, uint64_t min, uint64_t max, uint64_t *out,
                    char *err, size_t err_len);

/* A percentage from 0 to 100, with or without its '%'. */
int cli_value_percent(const char *option, const char *text, double *out, char *err, size_t err_len);

/* A folder procbench writes into and names in its messages and on stdout
 * ("results: DIR"): not empty, and without control characters, which would
 * split those one-line messages (a newline) or hide part of them. */
int cli_value_output_path(const char *option, const char *text, char *err, size_t err_len);

/* --alpha: a plain decimal above 0 and at most 0.5. */
int cli_value_alpha(const char *text, double *out, char *err, size_t err_len);

/* --format: one of the formats command writes. */
int cli_value_format(enum cli_command command, const char *text, enum cli_format *out, char *err,
                     size_t err_len);

/* --since: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ", UTC, as ns since the
 * epoch; a date that does not exist (February 30th) is refused. */
int cli_value_since(const char *text, uint64_t *out, char *err, size_t err_len);

#endif
