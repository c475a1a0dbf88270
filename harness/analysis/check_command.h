/*
 * The run that would judge a rule: when a run has no case for a pattern of
 * an expectation (or a claim of the report), the answer is not "exit 2" but
 * the command that would make those cases, e.g.
 *
 *     procbench run --filter '^spawn\.(pthread|fork_only)$' --param rss=0 --placement same
 *
 * made from the patterns themselves: their scenarios as one anchored
 * filter, every key=value they fix as a --param (placement as
 * --placement), values of one key from several patterns joined.
 */
#ifndef PROCBENCH_CHECK_COMMAND_H
#define PROCBENCH_CHECK_COMMAND_H

#include <stddef.h>

#include "check.h"

/* Writes the command into buf[len]. prefer ("key=value,key=value") adds
 * values the patterns leave open; judge ("key=v1,v2;key=v") then sets
 * values outright, over both (either may be NULL or ""). Returns 0, or
 * -ENOSPC when it does not fit (buf then holds a truncated line) or
 * -EINVAL when prefer or judge is not of that form. */
int check_command_format(const struct check_pattern *const *patterns, size_t count,
                         const char *prefer, const char *judge, char *buf, size_t len);

#endif
