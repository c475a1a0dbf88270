/*
 * The achieved rate and the backlog verdict of the open-loop cases
 * (open_loop.h). A case is open-loop when its scenario has a `rate`
 * parameter with a value above 0; its offered rate is that value.
 */
#include "open_loop.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void open_loop_compute(struct run_results *r)
{
    for (size_t i = 0; i < r->case_count; i++) {
        struct case_result *c = &r->cases[i];
        c->achieved_rate = NAN;
        c->backlog[0] = '\0';
        const struct param_spec *specs = c->def.scenario ? c->def.scenario->params : NULL;
        uint64_t offered = 0;
        for (size_t p = 0; specs != NULL && p < c->def.param_count && specs[p].name; p++) {
            if (strcmp(specs[p].name, "rate") == 0 && specs[p].kind == PARAM_COUNT)
                offered = c->def.params[p].number;
        }
        if (offered == 0 || c->status != CASE_OK || c->stats.n == 0 || !isfinite(c->ops_per_s))
            continue;
        c->achieved_rate = c->ops_per_s;
        snprintf(c->backlog, sizeof(c->backlog), "%s",
                 c->ops_per_s < OPEN_LOOP_KEEPS_UP * (double)offered ? "grows" : "keeps up");
    }
}
