/*
 * Metric declarations that more than one family reports under one name, so
 * that a name means one thing in every row (the catalogue's tests check
 * that scenarios declaring one name declare it alike). A family lists them
 * in its own metrics table with the ones only it reports; a metric of one
 * scenario is declared in that scenario's file. See struct metric_spec
 * (base/metric.h) for the fields and README.md, "Adding a scenario".
 */
#ifndef PROCBENCH_BENCH_METRICS_H
#define PROCBENCH_BENCH_METRICS_H

#include "base/metric.h"

/* spawn.*, node.*: how long the caller was held by the call that creates
 * the child, which for vfork-like mechanisms includes the child's exec. */
#define METRIC_RETURN                                                                              \
    {                                                                                              \
        .name = "return", .unit = METRIC_NS, .label = "returns after",                             \
        .meaning = "from the create call until it returned to the caller",                         \
        .aggregate = METRIC_P50 | METRIC_P99,                                                      \
    }

/* spawn.* with the static child (and node rows whose driver can tell):
 * the second of the three clocks of a spawn, between "the call returned"
 * and "the child was reaped" (issue 18). The static child reads the clock
 * at its ELF entry point and hands the time back on a descriptor. */
#define METRIC_FIRST_INSTRUCTION                                                                   \
    {                                                                                              \
        .name = "first_instruction", .unit = METRIC_NS, .label = "first instruction",              \
        .meaning = "from the create call until the child ran the first instruction of its own "    \
                   "program",                                                                      \
        .aggregate = METRIC_P50 | METRIC_P99,                                                      \
    }

/* output.*, node.output: the latency a streaming consumer sees. */
#define METRIC_FIRST_BYTE                                                                          \
    {                                                                                              \
        .name = "first_byte", .unit = METRIC_NS, .label = "first byte",                            \
        .meaning = "from the start of the sample until the parent held the child's first byte",    \
        .aggregate = METRIC_P50 | METRIC_P99,                                                      \
    }

/* output.*, node.output: the memory a buffered consumer pays; its max is
 * the worst a parent must provision. */
#define METRIC_RSS_GROWTH                                                                          \
    {                                                                                              \
        .name = "rss_growth", .unit = METRIC_BYTES, .label = "RSS growth",                         \
        .meaning = "growth of the parent's peak RSS over the sample",                              \
        .aggregate = METRIC_P50 | METRIC_MAX,                                                      \
    }

#endif
