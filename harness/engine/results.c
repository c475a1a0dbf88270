/*
 * Helpers of the run data model: the names of its enumerations, as every
 * output writes them and every reader expects them, and the run's declared
 * metrics, which every output expands into its columns.
 */
#include "results.h"

#include <string.h>

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

size_t results_metrics(const struct run_results *r, const struct metric_spec **out, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < r->case_count; i++) {
        const struct scenario *sc = r->cases[i].def.scenario;
        size_t declared = scenario_metric_count(sc);
        for (size_t m = 0; m < declared; m++) {
            size_t k = 0;
            while (k < count && strcmp(out[k]->name, sc->metrics[m].name) != 0)
                k++;
            if (k == count && count < max)
                out[count++] = &sc->metrics[m];
        }
    }
    return count;
}

const struct case_metric *results_case_metric(const struct case_result *c, const char *name)
{
    const struct scenario *sc = c->def.scenario;
    size_t declared = scenario_metric_count(sc);
    for (size_t m = 0; m < declared && m < SAMPLE_METRICS_MAX; m++) {
        if (strcmp(sc->metrics[m].name, name) == 0)
            return &c->metric[m];
    }
    return NULL;
}

size_t results_analyses(const struct run_results *r, const struct analysis_spec **out, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < r->case_count; i++) {
        const struct scenario *sc = r->cases[i].def.scenario;
        size_t declared = scenario_analysis_count(sc);
        for (size_t a = 0; a < declared; a++) {
            size_t k = 0;
            while (k < count && strcmp(out[k]->column, sc->analyses[a].column) != 0)
                k++;
            if (k == count && count < max)
                out[count++] = &sc->analyses[a];
        }
    }
    return count;
}

const struct case_analysis *results_case_analysis(const struct case_result *c, const char *column)
{
    const struct scenario *sc = c->def.scenario;
    size_t declared = scenario_analysis_count(sc);
    for (size_t a = 0; a < declared; a++) {
        if (strcmp(sc->analyses[a].column, column) == 0)
            return &c->analysis[a];
    }
    return NULL;
}

uint64_t results_stat_value(const struct stats *s, enum metric_stat stat)
{
    switch (stat) {
    case METRIC_P50:
        return s->p50_ns;
    case METRIC_P90:
        return s->p90_ns;
    case METRIC_P99:
        return s->p99_ns;
    case METRIC_MAX:
        return s->max_ns;
    }
    return 0;
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
