/*
 * The metrics of a run and how their values read (report_metrics.h).
 */
#include "report_metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/format.h"

void report_metrics_of(const struct stored_run *run, struct report_metrics *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < run->metric_count && out->count < REPORT_METRICS_MAX; i++) {
        const struct stored_metric *d = &run->metrics[i];
        struct report_metric *m = &out->list[out->count++];
        snprintf(m->name, sizeof(m->name), "%s", d->name);
        snprintf(m->title, sizeof(m->title), "%s", d->label ? d->label : d->name);
        snprintf(m->meaning, sizeof(m->meaning), "%s", d->meaning ? d->meaning : "");
        enum metric_stat stat = METRIC_P50;
        for (size_t k = 0; !(d->aggregate & stat) && k < METRIC_STAT_COUNT; k++)
            stat = metric_stat_at(k);
        snprintf(m->stat, sizeof(m->stat), "%s", metric_stat_name(stat));
        m->unit = d->unit == METRIC_NS      ? REPORT_UNIT_NS
                  : d->unit == METRIC_BYTES ? REPORT_UNIT_BYTES
                                            : REPORT_UNIT_COUNT;
    }
}

const struct report_metric *report_metrics_find(const struct report_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->count; i++) {
        if (strcmp(m->list[i].name, name) == 0)
            return &m->list[i];
    }
    return NULL;
}

bool report_metric_p50(const struct stored_case *c, const struct report_metric *m, double *out)
{
    char key[96];
    snprintf(key, sizeof(key), "%s_%s", m->name, m->stat);
    if (!results_read_case_number(c, key, out) || !isfinite(*out) || *out < 0)
        return false;
    if (*out > 0)
        return true;
    /* 0 is a measured growth of nothing for a size, when the case has the
     * metric's histogram at all; elsewhere it is "does not apply". */
    snprintf(key, sizeof(key), "%s_histogram", m->name);
    struct stored_bucket *b = NULL;
    size_t count = 0;
    bool has = m->unit == REPORT_UNIT_BYTES &&
               results_read_case_histogram(c, key, &b, &count) == 0 && count > 0;
    free(b);
    return has;
}

void report_format_value(enum report_unit unit, double v, char *buf, size_t len)
{
    char text[48];
    if (!isfinite(v)) {
        snprintf(buf, len, "-");
        return;
    }
    switch (unit) {
    case REPORT_UNIT_NS:
        format_signed_duration(v, buf, len);
        return;
    case REPORT_UNIT_BYTES:
        format_size(v, buf, len);
        return;
    case REPORT_UNIT_BYTES_PER_S:
        format_size(v, text, sizeof(text));
        snprintf(buf, len, "%s/s", text);
        return;
    case REPORT_UNIT_COUNT_PER_S:
        if (v >= 1e6)
            snprintf(buf, len, "%.3gM/s", v / 1e6);
        else if (v >= 1e4)
            snprintf(buf, len, "%.3gk/s", v / 1e3);
        else
            snprintf(buf, len, "%.0f/s", v);
        return;
    case REPORT_UNIT_RATIO:
        snprintf(buf, len, "x%.3g", v);
        return;
    case REPORT_UNIT_COUNT:
        break;
    }
    snprintf(buf, len, "%.4g", v);
}
