/*
 * The histogram arena: every histogram of the run in one MAP_SHARED region
 * (arena.h says why), carved into slots of one histogram each.
 */
#include <errno.h>
#include <sys/mman.h>

#include "arena.h"
#include "histogram.h"

/* Bytes of one slot: one histogram of an hour at 3 digits. */
static size_t slot_bytes(void)
{
    return histogram_footprint(HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS);
}

static int place_histogram(char **next, struct histogram **out)
{
    int rc = histogram_init_in(*next, slot_bytes(), HISTOGRAM_ONE_HOUR_NS, HISTOGRAM_DIGITS, out);
    *next += slot_bytes();
    return rc;
}

int arena_allocate(struct run_results *r, char **round_slots)
{
    size_t slots = 0, most = 0;
    for (size_t i = 0; i < r->case_count; i++) {
        size_t declared = scenario_metric_count(r->cases[i].def.scenario);
        slots += 1 + declared;
        most = declared > most ? declared : most;
    }
    size_t bytes = slot_bytes() * (slots + 1 + most);
    void *arena = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (arena == MAP_FAILED)
        return -ENOMEM;
    r->histogram_arena = arena;
    r->histogram_arena_bytes = bytes;
    char *next = arena;
    int rc = 0;
    for (size_t i = 0; i < r->case_count && rc == 0; i++) {
        struct case_result *c = &r->cases[i];
        rc = place_histogram(&next, &c->hist);
        size_t declared = scenario_metric_count(c->def.scenario);
        for (size_t m = 0; m < declared && rc == 0; m++)
            rc = place_histogram(&next, &c->metric[m].hist);
    }
    *round_slots = next;
    return rc;
}

int arena_place_round(struct run_state *st, char *round_slots)
{
    size_t end = st->r->histogram_arena_bytes;
    char *next = round_slots;
    int rc = place_histogram(&next, &st->round_hist);
    size_t left = (size_t)((char *)st->r->histogram_arena + end - next) / slot_bytes();
    st->round_metric_count = left < SAMPLE_METRICS_MAX ? left : SAMPLE_METRICS_MAX;
    for (size_t m = 0; m < st->round_metric_count && rc == 0; m++)
        rc = place_histogram(&next, &st->round_metric[m]);
    return rc;
}
