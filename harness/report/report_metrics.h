/*
 * The metrics of a run, for the report's columns, plots and answers, and how
 * a value of each reads to a person. Beside a case's time (p50, p99, ...), a
 * scenario reports metrics of its own (the time until the create call
 * returned, until the first byte, the parent's RSS growth, an event-loop
 * stall...), each as NAME_p50 / NAME_p99 and a NAME_histogram in
 * results.json, declared in its "metrics" (read/results_read.h reads them,
 * and gives a file older than declarations the three it always carried).
 * The report knows no metric by name: what it shows of one comes from its
 * declaration.
 */
#ifndef PROCBENCH_REPORT_METRICS_H
#define PROCBENCH_REPORT_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "read/results_read.h"

#define REPORT_METRICS_MAX 32

enum report_unit {
    REPORT_UNIT_NS,          /* a duration in nanoseconds */
    REPORT_UNIT_BYTES,       /* a size */
    REPORT_UNIT_BYTES_PER_S, /* a throughput */
    REPORT_UNIT_COUNT,       /* a plain number */
    REPORT_UNIT_COUNT_PER_S, /* operations per second */
    REPORT_UNIT_RATIO,       /* one case over another */
};

struct report_metric {
    char name[64];     /* "first_byte": its columns are first_byte_p50, _p99 */
    char title[80];    /* "first byte": its label, for headers and axes */
    char meaning[256]; /* one line */
    char stat[8];      /* the statistic the report shows: "p50", else the first declared */
    enum report_unit unit;
};

struct report_metrics {
    struct report_metric list[REPORT_METRICS_MAX];
    size_t count;
};

/* The metrics run declares, in its order. */
void report_metrics_of(const struct stored_run *run, struct report_metrics *out);

/* The metric called name, or NULL. */
const struct report_metric *report_metrics_find(const struct report_metrics *m, const char *name);

/* NAME_<stat> of c (the median, unless the metric has none), when c
 * reports metric m: a number above 0, or 0 for a size that c holds a
 * histogram of (a growth of nothing is a result). */
bool report_metric_p50(const struct stored_case *c, const struct report_metric *m, double *out);

/* v in unit, as a person reads it (base/format.h for durations and sizes):
 * "712 us", "64 MiB", "1.05 GiB/s", "28.1k/s", "x1.28", "-12.0 us";
 * "-" when not finite. */
void report_format_value(enum report_unit unit, double v, char *buf, size_t len);

#endif
