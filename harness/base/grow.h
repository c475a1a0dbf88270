/*
 * Growing an array by doubling, for the lists the harness builds one item at
 * a time (cases, rounds, rules, points, traced tasks).
 */
#ifndef PROCBENCH_GROW_H
#define PROCBENCH_GROW_H

#include <stddef.h>

/* Room for one more item in items, an array of *capacity items of size
 * bytes with count of them in use: items itself when there is room, else
 * the array moved to twice the capacity (first items when it had none),
 * *capacity updated. NULL when memory or size_t runs out; items and
 * *capacity are then unchanged and still the caller's. */
void *grow_for_one(void *items, size_t *capacity, size_t count, size_t size, size_t first);

#endif
