/*
 * The open loop behind spawn's `rate` (issue 18): spawns started on a fixed
 * schedule, rate per second, by `concurrency` spawners, whatever the
 * earlier ones are doing, as requests arrive at a server that spawns per
 * request. Every spawn's latency runs from the time the schedule meant it
 * to start, not from when a spawner got round to it, so that a machine past
 * its capacity shows its queue instead of hiding it (coordinated omission).
 *
 * The schedule starts at a round's first sample and runs on across its
 * samples: intended start k is T0 + k / rate. A sample is a window of
 * about SPAWN_OPEN_LOOP_WINDOW_NS (at least two periods): each spawner
 * takes the next due start, sleeps until it if it lies ahead, runs it, and
 * goes on while the window lasts; starts it did not reach stay due, and
 * are late, in the next sample. Past capacity the backlog of due starts
 * grows with every window, and the operations per second of the samples
 * (the achieved rate) stay below the offered one.
 */
#ifndef PROCBENCH_SPAWN_OPEN_LOOP_H
#define PROCBENCH_SPAWN_OPEN_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

/* The `rate` parameter: spawns per second offered, 0 = closed loop. */
#define SPAWN_OPEN_LOOP_RATE_MAX 10000000u
/* clang-format off */
#define SPAWN_OPEN_LOOP_PARAM_SPEC                                                                 \
    {                                                                                              \
        .name = "rate", .kind = PARAM_COUNT, .defaults = "0", .min = 0,                            \
        .max = SPAWN_OPEN_LOOP_RATE_MAX,                                                           \
        .help = "0: closed loop; N: open loop, N spawns/s on a fixed schedule, latency from the "  \
                "intended start",                                                                  \
    }
/* clang-format on */

/* The window one sample covers, at the least: long against a spawn, short
 * against --max-time, so that a case past capacity stops on time. */
#define SPAWN_OPEN_LOOP_WINDOW_NS (20u * 1000000u)

struct spawn_open_loop;

/* Prepares the schedule for rate starts per second shared by spawners
 * spawners (1 or more; with more, a crowd of parked threads as
 * spawn_crowd.h), each running op(arg, index, out, failure) for one start:
 * op times its operation into out->ns and may report metrics
 * (sample_report()), set child_maxrss_kb, and on failure (-errno) write
 * why into failure. Returns 0, or -errno with *out NULL. */
int spawn_open_loop_start(uint64_t rate, size_t spawners,
                          int (*op)(void *arg, size_t index, struct sample *out,
                                    char failure[SCENARIO_FAILURE_MAX]),
                          void *arg, struct spawn_open_loop **out);

/* One window of the schedule (the first call starts it). out->ns is the
 * wall time of the window, out->ops the starts completed in it (at least
 * one), out->op_latency_ns[i] each one's time from its intended start to
 * its end (the array is the open loop's, valid until the next call), each
 * metric the mean of the operations that reported it, and child_maxrss_kb
 * their largest. Returns 0, or the first failing
 * operation's -errno with its failure copied into failure. */
int spawn_open_loop_sample(struct spawn_open_loop *ol, struct sample *out,
                           char failure[SCENARIO_FAILURE_MAX]);

/* Stops the spawners and frees ol; ol may be NULL. */
void spawn_open_loop_stop(struct spawn_open_loop *ol);

/* Intended start k of a schedule of rate per second, from its start:
 * k * 1e9 / rate ns, exact (no drift however long it runs). */
uint64_t spawn_open_loop_offset_ns(uint64_t k, uint64_t rate);

#endif
