/*
 * Expectations on ratios between cases of one run, for `procbench check`:
 *
 *     # a thread is far cheaper to start than a process
 *     family.thread{placement=same} < 0.5 * family.process{placement=same}
 *
 * (ci/expectations holds the real rules.)
 *
 * One rule a line: PATTERN (< or >) [FACTOR *] PATTERN, '#' starts a
 * comment. A pattern is a scenario name with optional {key=value,...}; it
 * matches the case of that scenario whose parameters (placement counting as
 * one) include every key=value given, sizes compared as sizes (4K = 4096),
 * and must match exactly one case of the run to be judged (`procbench
 * check` reports a rule whose side matches none or several as not judged,
 * with the command that would make its cases: check_command.h).
 *
 * A rule is judged on the ratio LEFT / RIGHT of the two cases' medians and
 * its 95% confidence interval: `<` holds when the whole interval is below
 * FACTOR, fails when the whole interval is above it, and is inconclusive
 * otherwise (or when a case failed or was skipped). The ratio and its
 * interval are round_ratio.h's: from the two cases' rounds paired by pass
 * (signed-rank, from six pairs), or, with fewer (the --quick default of 3
 * gives none), the conservative ratio of the two medians' own 95%
 * intervals, [low_L / high_R, high_L / low_R].
 */
#ifndef PROCBENCH_CHECK_H
#define PROCBENCH_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "read/results_read.h"

#define CHECK_MAX_LINE      1024  /* bytes in one line of a rules file */
#define CHECK_MAX_RULES     10000 /* rules in one file */
#define CHECK_MAX_FILE_SIZE (1u << 20)

struct check_pattern {
    char scenario[128];
    struct {
        char key[64];
        char value[128];
    } params[RESULTS_READ_MAX_PARAMS];
    size_t param_count;
};

enum check_op { CHECK_LESS, CHECK_GREATER };

struct check_rule {
    unsigned line;             /* 1-based line in its file */
    char text[CHECK_MAX_LINE]; /* the rule as written, comment and outer spaces removed */
    struct check_pattern left, right;
    enum check_op op;
    double factor; /* > 0; 1 when not written */
};

enum check_verdict { CHECK_HOLDS, CHECK_FAILS, CHECK_INCONCLUSIVE };

struct check_outcome {
    enum check_verdict verdict;
    double ratio, low, high; /* LEFT / RIGHT and its interval; NAN when unknown */
    const char *method;      /* round_ratio.h's: "paired rounds", "rounds" or "median CIs";
                              * "" when not judged */
    char reason[224];        /* why inconclusive; "" otherwise */
};

/* Parses one line (without its newline). Returns 0 with *out filled,
 * -ENODATA for a blank or comment-only line, or -EINVAL with a short
 * reason in why. */
int check_parse_line(const char *line, unsigned line_no, struct check_rule *out, char *why,
                     size_t why_len);

/* Reads and parses every rule of the file at path into a new array (free
 * with free()). Returns 0, or -errno with one line in err naming the file
 * and, for a bad rule, its line. A file with no rule is an error. */
int check_load_rules(const char *path, struct check_rule **rules, size_t *count, char *err,
                     size_t err_len);

/* The one case of run that pattern matches. Returns 0, or -ENOENT (none)
 * / -EEXIST (several) with a reason in why. */
int check_match(const struct stored_run *run, const struct check_pattern *pattern,
                const struct stored_case **out, char *why, size_t why_len);

/* Judges rule on the matched cases left and right, of one run (same_run:
 * their rounds are paired by pass) or of two (round_ratio.h). Returns 0 or
 * -ENOMEM. */
int check_judge(const struct check_rule *rule, const struct stored_case *left,
                const struct stored_case *right, bool same_run, struct check_outcome *out);

/* True when two parameter values are equal as text, or as sizes ("4K" and
 * "4096"): how patterns match cases. */
bool check_same_value(const char *a, const char *b);

/* "holds", "fails", "inconclusive". */
const char *check_verdict_name(enum check_verdict verdict);

#endif
