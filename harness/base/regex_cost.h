/*
 * What a POSIX extended regex given on the command line may cost before it
 * is compiled. glibc's regcomp() expands a bounded repetition into copies
 * of what it repeats: `--filter 'a{1,32767}'` took 17 s and 8.45 GB, and
 * nested repetitions multiply; a back-reference makes matching backtrack.
 * A filter names scenarios (names of a few dozen characters), so a small
 * budget refuses nothing useful.
 */
#ifndef PROCBENCH_REGEX_COST_H
#define PROCBENCH_REGEX_COST_H

#include <stddef.h>

#define REGEX_COST_MAX_BYTES  512  /* length of the pattern */
#define REGEX_COST_MAX_REPEAT 255  /* a bound of {m,n} (POSIX's RE_DUP_MAX minimum) */
#define REGEX_COST_MAX_ATOMS  4096 /* atoms once every repetition is expanded */

/* Returns 0 when pattern is within the limits above and has no
 * back-reference, else -E2BIG with the
 * reason (one line, without the pattern) in why. Patterns that are not
 * valid regexes are left to regcomp() to refuse. */
int regex_cost_check(const char *pattern, char *why, size_t why_len);

#endif
