/*
 * CPU placement of parent and peer. The parent uses the highest-numbered CPU
 * it may run on and a cross-placed peer the next one down: on most machines
 * CPU 0 takes the most interrupts and housekeeping, so keeping the timed
 * parent off it when there is a choice removes one source of noise.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>

#include "pinning.h"

static cpu_set_t initial_mask;
static int initial_valid;

int pinning_init(void)
{
    CPU_ZERO(&initial_mask);
    if (sched_getaffinity(0, sizeof(initial_mask), &initial_mask) != 0)
        return -errno;
    initial_valid = 1;
    return 0;
}

int pinning_cpu_count(void)
{
    return initial_valid ? CPU_COUNT(&initial_mask) : 0;
}

/* The index-th highest CPU of the starting mask, or -1. */
static int nth_highest_cpu(int index)
{
    for (int cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--) {
        if (CPU_ISSET(cpu, &initial_mask) && index-- == 0)
            return cpu;
    }
    return -1;
}

int pinning_cpus(enum placement p, int *parent_cpu, int *peer_cpu, char *why, size_t why_len)
{
    *parent_cpu = -1;
    *peer_cpu = -1;
    switch (p) {
    case PLACEMENT_FREE:
        return 0;
    case PLACEMENT_SAME:
        *parent_cpu = nth_highest_cpu(0);
        *peer_cpu = *parent_cpu;
        return 0;
    case PLACEMENT_CROSS:
        if (pinning_cpu_count() < 2) {
            snprintf(why, why_len, "cross placement needs two CPUs; this process may use %d",
                     pinning_cpu_count());
            return -ENOTSUP;
        }
        *parent_cpu = nth_highest_cpu(0);
        *peer_cpu = nth_highest_cpu(1);
        return 0;
    }
    return -EINVAL;
}

int pinning_apply(enum placement p)
{
    int parent_cpu, peer_cpu;
    char why[96];
    int rc = pinning_cpus(p, &parent_cpu, &peer_cpu, why, sizeof(why));
    if (rc != 0)
        return rc;
    if (parent_cpu < 0) {
        pinning_restore();
        return 0;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(parent_cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        return -errno;
    return 0;
}

void pinning_restore(void)
{
    if (initial_valid)
        sched_setaffinity(0, sizeof(initial_mask), &initial_mask);
}
