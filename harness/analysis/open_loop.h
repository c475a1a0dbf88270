/*
 * The open-loop rows (spawn's `rate`, issue 18), after the run: a case
 * whose `rate` parameter is above 0 was offered that many operations per
 * second on a fixed schedule; its ops_per_s is what it achieved. When it
 * achieved less than OPEN_LOOP_KEEPS_UP of the offered rate, the
 * schedule ran ahead of it for the whole run: the backlog of due starts
 * grew without bound, every window longer, and its latencies are those of
 * a queue, cut off by --max-time, not a property of the spawn. Such a case
 * gets backlog "grows" (and a warning on the console); one that kept up
 * "keeps up"; a closed-loop case nothing.
 */
#ifndef PROCBENCH_OPEN_LOOP_H
#define PROCBENCH_OPEN_LOOP_H

#include "engine/results.h"

/* Achieved over offered below which the backlog grows: a queue that kept
 * up holds the offered rate but for the starts still due at the end (a
 * window's worth at most, of a run of many windows); 10% short is beyond
 * that and beyond the scheduler's jitter. */
#define OPEN_LOOP_KEEPS_UP 0.9

/* Fills achieved_rate and backlog of every case of r (NAN and "" for
 * closed-loop and unmeasured ones). */
void open_loop_compute(struct run_results *r);

#endif
