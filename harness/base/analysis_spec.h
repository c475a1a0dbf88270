/*
 * The declaration of a figure computed after a run from a case and the
 * cases around it (a slope against a parameter, a ratio to a reference
 * scenario, the break-even of a cheaper alternative): a family lists the
 * ones its rows get in its descriptors, and analysis/curves.c computes them
 * for any family without knowing it. Each becomes summary columns (its own,
 * and PREFIX_ci_low / PREFIX_ci_high for an interval). Here, below bench/
 * and the harness, because both speak it.
 */
#ifndef PROCBENCH_ANALYSIS_SPEC_H
#define PROCBENCH_ANALYSIS_SPEC_H

#include <stddef.h>

enum analysis_kind {
    /* The p50 latency against a numeric parameter, in ns per `per` of it,
     * over the group of cases of the same scenario and placement that
     * differ only in that parameter: Theil-Sen's slope with Sen's 95%
     * interval over every round median of the group. */
    ANALYSIS_SLOPE,
    /* The case's p50 over that of the `partner` scenario's case with the
     * same placement and, for each parameter of the partner, the case's
     * value (or the partner's first default when the case has no such
     * parameter), with a 95% interval. Not on the partner's own rows. */
    ANALYSIS_RATIO,
    /* The task length below which the `partner` scenario (matched as for
     * a ratio) saves at least `saving` of a task's total time: with S the
     * case's p50 and D the partner's, (S - D) / saving - S, 0 when it never
     * saves that much. A point estimate. Not on the partner's own rows. */
    ANALYSIS_BREAK_EVEN,
};

/* Most analyses one scenario may declare. */
#define ANALYSES_MAX 4

struct analysis_spec {
    enum analysis_kind kind;
    /* The value's column in every output ("vs_posix_spawn"): [a-z][a-z0-9_]*. */
    const char *column;
    /* SLOPE, RATIO: the prefix of the interval's columns, PREFIX_ci_low and
     * PREFIX_ci_high ("rss_slope"); NULL: no interval columns. */
    const char *ci_prefix;
    /* A few words for the console and tables: "ratio to <the partner>". */
    const char *label;
    const char *param;    /* SLOPE: the parameter ("rss"), a SIZE or COUNT one */
    double per;           /* SLOPE: the unit of the slope, in the parameter's units (2^30) */
    const char *per_name; /* SLOPE: that unit's name ("GiB") */
    const char *partner;  /* RATIO, BREAK_EVEN: the scenario compared with */
    double saving;        /* BREAK_EVEN: the fraction of a task's time (0.10) */
};

/* "slope", "ratio", "break_even": the kind as results.json writes it. */
const char *analysis_kind_name(enum analysis_kind kind);

/* The kind called name. Returns 0, or -EINVAL for another word. */
int analysis_kind_parse(const char *name, enum analysis_kind *out);

/* The entries of a list terminated by { .column = NULL }; 0 for NULL. */
size_t analysis_count(const struct analysis_spec *list);

/* Checks a declaration list: at most max entries, each of a known kind
 * with a valid, distinct column name, a label, and what its kind needs (a
 * param and a per above 0 for a slope, a partner for the others, a saving
 * in (0, 1) for a break-even). Returns 0, or -EINVAL with the first
 * problem, naming the column, in why. */
int analysis_check_list(const struct analysis_spec *list, size_t max, char *why, size_t why_len);

#endif
