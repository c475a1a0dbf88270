/*
 * The changes in a case's history (one case, one machine, its runs oldest
 * first, as the store holds them): where its median changed, by what ratio,
 * with what interval.
 *
 * Where: E-divisive means (changepoint.h) on the logarithms of the runs'
 * medians, one value per run, so that the permutation test shuffles runs,
 * the unit that is exchangeable when nothing changed (rounds of one run
 * share the machine's state of the moment and are not). Significance level
 * 0.05, 999 permutations (9999 up to 12 runs), segments of one run allowed (the newest run alone
 * can start a change: what a CI gate asks), shuffles seeded from the
 * machine and case names so that the same store always gives the same
 * answer.
 *
 * By what ratio: the Hodges-Lehmann estimate of the shift in log round
 * medians between the runs of the segment after the change and those of
 * the segment before it (up to the neighbouring change points), with its
 * distribution-free 95% interval: what `procbench compare BEFORE AFTER`
 * would say of those runs. A run without round medians (an old
 * results.json) counts with its median alone.
 *
 * A change whose ratio lies within [1/(1+t), 1+t], t the threshold, is
 * noise-sized and not reported: the smallest such is dropped, its two
 * segments merged, the ratios of its neighbours computed again, until every
 * change left is beyond the threshold.
 */
#ifndef PROCBENCH_HISTORY_H
#define PROCBENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define HISTORY_ALPHA        0.05
#define HISTORY_PERMUTATIONS 999
/* Short series get ten times more: there the p-value of a clear step sits
 * near alpha (4 runs against 4: 2/70 = 0.029), and with 999 permutations
 * the Monte Carlo error (+-0.005) could decide; 9999 cost little at that
 * length. */
#define HISTORY_SHORT_RUNS         12
#define HISTORY_SHORT_PERMUTATIONS 9999

struct history_options {
    double threshold; /* relative: 0.05 for 5%; changes within it are not reported */
};

struct history_change {
    size_t run;                   /* 1-based position of the first run after the change */
    double ratio;                 /* after / before */
    double ratio_low, ratio_high; /* 95% interval; 0 and INFINITY when unbounded */
    double p;                     /* permutation p-value of the split */
};

struct history_result {
    const struct store_series *series;
    struct history_change *changes; /* in run order */
    size_t change_count;
};

/* The changes of series. Returns 0, -EINVAL (a series of more than
 * CHANGEPOINT_MAX_VALUES runs) or -ENOMEM. Free with history_result_free. */
int history_analyse(const struct store_series *series, const struct history_options *opt,
                    struct history_result *out);

void history_result_free(struct history_result *r);

/* The CI gate (--fail-on-change): does the newest run reveal a slowdown?
 * True, with *change pointing into full (the analysis of the whole
 * series), when the newest segment starts with a slowdown beyond the
 * threshold that the analysis of the series without its newest run does
 * not find at the same run. So the gate fires once per slowdown, at the
 * first run that makes it visible: the newest run itself when it starts
 * the change and enough runs came before for one run to tell a change
 * from an outlier (about 40 at alpha 0.05: its p is at least 2/(runs)),
 * else the second or third slow run. Returns 0 or -ENOMEM. */
int history_gate(const struct store_series *series, const struct history_options *opt,
                 const struct history_result *full, bool *fires,
                 const struct history_change **change);

#endif
