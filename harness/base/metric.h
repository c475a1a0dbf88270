/*
 * The declaration of a metric a scenario reports beside its time (the time
 * until the create call returned, until the first byte of output, the growth
 * of the parent's RSS...): what a scenario's descriptor lists, what the
 * engine keeps one histogram of per case, and what every output expands into
 * its columns (summary.csv's NAME_p50, results.json's NAME_histogram, the
 * console, the report). Here, below both bench/ and the harness, because
 * both speak it; the values themselves travel in struct sample
 * (bench/scenario.h).
 */
#ifndef PROCBENCH_METRIC_H
#define PROCBENCH_METRIC_H

#include <stdbool.h>
#include <stddef.h>

enum metric_unit {
    METRIC_NS,    /* a duration, integer nanoseconds */
    METRIC_BYTES, /* a size, integer bytes */
    METRIC_COUNT, /* a plain count */
};

/* The statistics of a metric's distribution over a case's samples that its
 * summary may report, each as a column NAME_<stat> ("first_byte_p99"). A
 * declaration picks some; they are always written in this order. */
enum metric_stat {
    METRIC_P50 = 1u << 0,
    METRIC_P90 = 1u << 1,
    METRIC_P99 = 1u << 2,
    METRIC_MAX = 1u << 3,
};
#define METRIC_STAT_COUNT 4

/* Longest metric name: its columns ("NAME_p50") and JSON keys
 * ("NAME_histogram") must fit the fixed buffers the writers use. */
#define METRIC_NAME_MAX 32

struct metric_spec {
    /* [a-z][a-z0-9_]*, at most METRIC_NAME_MAX bytes: the prefix of its
     * columns and JSON keys. One name means one thing: scenarios that
     * declare the same name declare the same unit and aggregate. */
    const char *name;
    enum metric_unit unit;
    /* A few words for table headings and the console: "first byte". */
    const char *label;
    /* One line: what one sample's value is, from when to when. */
    const char *meaning;
    /* How a case aggregates its samples' values: one value per sample that
     * reported it goes into the case's histogram of this metric, and the
     * summary reports these statistics of it (METRIC_P50 | METRIC_P99). At
     * least one. */
    unsigned aggregate;
};

/* The k-th statistic in column order (k < METRIC_STAT_COUNT). */
enum metric_stat metric_stat_at(size_t k);

/* "p50", "p90", "p99", "max": the column suffix; "?" for anything else. */
const char *metric_stat_name(enum metric_stat stat);

/* The statistic called name, as metric_stat_name() spells it. Returns 0
 * with *out set, or -EINVAL. */
int metric_stat_parse(const char *name, enum metric_stat *out);

/* "ns", "bytes", "count"; "?" for anything else. */
const char *metric_unit_name(enum metric_unit unit);

/* The unit called name, as metric_unit_name() spells it. Returns 0 with
 * *out set, or -EINVAL. */
int metric_unit_parse(const char *name, enum metric_unit *out);

/* True when name is a valid metric name (see struct metric_spec). */
bool metric_name_valid(const char *name);

/* The entries of a list terminated by { .name = NULL }; 0 for NULL. */
size_t metric_count(const struct metric_spec *list);

/* Checks a declaration list: at most max entries, each with a valid name
 * (distinct within the list), a known unit, a label, a meaning and a
 * non-empty aggregate of known statistics. Returns 0, or -EINVAL with the
 * first problem, naming the metric, in why. */
int metric_check_list(const struct metric_spec *list, size_t max, char *why, size_t why_len);

#endif
