/*
 * Where the two ends of a measurement run: the names both a scenario (which
 * placements it can honour) and the harness (which CPUs it pins) speak. The
 * pinning itself is the engine's (engine/pinning.h). On a VM a cross-CPU
 * wake-up can cost 5-10x a same-CPU one, so the placement is part of every
 * result.
 */
#ifndef PROCBENCH_PLACEMENT_H
#define PROCBENCH_PLACEMENT_H

enum placement {
    PLACEMENT_SAME,  /* parent and peer pinned to one CPU */
    PLACEMENT_CROSS, /* parent pinned to one CPU, peer to another */
    PLACEMENT_FREE,  /* neither pinned: the scheduler decides */
};

#define PLACEMENT_COUNT 3

/* Bit for enum placement p in scenario.placements_supported. */
#define PLACEMENT_BIT(p) (1u << (p))
#define PLACEMENTS_ALL                                                                             \
    (PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_CROSS) | PLACEMENT_BIT(PLACEMENT_FREE))

/* "same", "cross", "free" (as typed on the command line and written in
 * every output); "unknown" for a value outside the enum. */
const char *placement_name(enum placement placement);

#endif
