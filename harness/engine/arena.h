/*
 * Every histogram of the run lives in one MAP_SHARED region, sized from
 * the metrics the cases' scenarios declare: per case one slot for the
 * primary metric and one per declared metric, then the slots of the round
 * in progress (its primary metric and the most metrics any case declares).
 * Shared, because a round's process fills the round's slots and because
 * fork() copies no page tables of a shared mapping; one region, because
 * fork() duplicates every mapping: with one mapping per histogram, a run of
 * 429 cases made the round's process carry 1,700 of them, and fork_only
 * measured 2.0 ms instead of 0.25 ms. This way the process every fork() is
 * measured from is the same size whatever the run holds.
 */
#ifndef PROCBENCH_ARENA_H
#define PROCBENCH_ARENA_H

#include "round.h"

/* Maps the arena into r->histogram_arena (r->histogram_arena_bytes; the
 * runner unmaps it) and places every case's histograms in it; the round's
 * slots start at *round_slots. Returns 0 or -ENOMEM. */
int arena_allocate(struct run_results *r, char **round_slots);

/* Places the round's histograms (st->round_hist, st->round_metric[]) in
 * the arena's last slots, from round_slots on. Returns 0 or -errno. */
int arena_place_round(struct run_state *st, char *round_slots);

#endif
