/*
 * The names of the run data model's enumerations, as every output writes
 * them and every reader expects them.
 */
#include "results.h"

const char *case_status_name(enum case_status status)
{
    switch (status) {
    case CASE_OK:
        return "ok";
    case CASE_FAILED:
        return "failed";
    case CASE_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

const char *case_end_name(enum case_end end)
{
    switch (end) {
    case CASE_END_TARGET:
        return "target";
    case CASE_END_FLOORS:
        return "floors";
    case CASE_END_MAX_TIME:
        return "max-time";
    case CASE_END_BUDGET:
        return "time-budget";
    case CASE_END_INTERRUPTED:
        return "interrupted";
    case CASE_END_NONE:
        break;
    }
    return "";
}

const char *case_ci_target_met_name(const struct case_result *c)
{
    if (!c->ci_target_set || c->status != CASE_OK || c->end == CASE_END_NONE)
        return "";
    return c->ci_target_met ? "yes" : "no";
}
