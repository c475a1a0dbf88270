/*
 * The metrics of a run and how their values read (report_metrics.h). The
 * declarations are read from the parsed results.json with the same care as
 * results_read: names of [a-z0-9_] only (they become column names and file
 * names), text without control characters, anything else passed over.
 */
#include "report_metrics.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/units.h"

static bool plain_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* The title of a metric no declaration names: the three procbench
 * reported before metrics were declared, else its name in words. */
static void legacy_title(const char *name, char *buf, size_t len)
{
    static const char *const known[][2] = {
        {"return", "call returns"}, {"first_byte", "first byte"}, {"rss_growth", "RSS growth"}};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(name, known[i][0]) == 0) {
            snprintf(buf, len, "%s", known[i][1]);
            return;
        }
    }
    snprintf(buf, len, "%s", name);
    for (char *p = buf; *p; p++)
        *p = *p == '_' ? ' ' : *p;
}

/* The unit of a metric no declaration names: the three procbench reported
 * before metrics were declared, then sizes by the words in their names. */
static enum report_unit guess_unit(const char *name)
{
    if (strcmp(name, "rss_growth") == 0 || strstr(name, "bytes") != NULL ||
        strstr(name, "mem") != NULL || strstr(name, "rss") != NULL)
        return REPORT_UNIT_BYTES;
    return REPORT_UNIT_NS;
}

static bool parse_unit(const char *text, enum report_unit *out)
{
    static const struct {
        const char *word;
        enum report_unit unit;
    } units[] = {
        {"ns", REPORT_UNIT_NS},           {"bytes", REPORT_UNIT_BYTES},
        {"bytes/s", REPORT_UNIT_BYTES_PER_S}, {"count", REPORT_UNIT_COUNT},
        {"1/s", REPORT_UNIT_COUNT_PER_S}, {"ratio", REPORT_UNIT_RATIO},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(text, units[i].word) == 0) {
            *out = units[i].unit;
            return true;
        }
    }
    return false;
}

static struct report_metric *add(struct report_metrics *out, const char *name)
{
    if (out->count == REPORT_METRICS_MAX || !plain_name(name, sizeof(out->list[0].name)) ||
        report_metrics_find(out, name) != NULL)
        return NULL;
    struct report_metric *m = &out->list[out->count++];
    memset(m, 0, sizeof(*m));
    snprintf(m->name, sizeof(m->name), "%s", name);
    legacy_title(name, m->title, sizeof(m->title));
    m->unit = guess_unit(name);
    return m;
}

/* A string member without control characters, or NULL. */
static const char *text_member(const json_t *object, const char *key)
{
    const json_t *v = json_object_get(object, key);
    if (!json_is_string(v) || json_string_length(v) > RESULTS_READ_MAX_TEXT)
        return NULL;
    const char *s = json_string_value(v);
    for (size_t i = 0; i < json_string_length(v); i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return NULL;
    }
    return s;
}

void report_metrics_of(const struct stored_run *run, struct report_metrics *out)
{
    memset(out, 0, sizeof(*out));
    const json_t *declared = json_is_object((const json_t *)run->json)
                                 ? json_object_get((const json_t *)run->json, "metrics")
                                 : NULL;
    size_t i;
    const json_t *d;
    if (json_is_array(declared)) {
        json_array_foreach (declared, i, d) {
            const char *name = json_is_object(d) ? text_member(d, "name") : NULL;
            const char *unit = name ? text_member(d, "unit") : NULL;
            const char *meaning = name ? text_member(d, "meaning") : NULL;
            struct report_metric *m = name ? add(out, name) : NULL;
            if (m == NULL)
                continue;
            if (unit != NULL && !parse_unit(unit, &m->unit))
                m->unit = REPORT_UNIT_COUNT;
            if (meaning != NULL)
                snprintf(m->meaning, sizeof(m->meaning), "%s", meaning);
        }
    }
    /* What the cases hold: NAME_histogram beside the time's "histogram". */
    for (size_t c = 0; c < run->case_count; c++) {
        const json_t *object = run->cases[c].json;
        const char *key;
        const json_t *value;
        if (!json_is_object(object))
            continue;
        json_object_foreach ((json_t *)object, key, value) {
            size_t n = strlen(key);
            static const char suffix[] = "_histogram";
            if (n <= sizeof(suffix) - 1 || strcmp(key + n - (sizeof(suffix) - 1), suffix) != 0 ||
                !json_is_object(value))
                continue;
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(n - (sizeof(suffix) - 1)), key);
            add(out, name);
        }
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
    char key[80];
    snprintf(key, sizeof(key), "%s_p50", m->name);
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

void report_format_bytes(double bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    if (!isfinite(bytes)) {
        snprintf(buf, len, "-");
        return;
    }
    double v = fabs(bytes);
    while (v >= 1024 && u < 4)
        v /= 1024, u++;
    snprintf(buf, len, u == 0 ? "%s%.0f %s" : "%s%.3g %s", bytes < 0 ? "-" : "", v, unit[u]);
}

void report_format_signed_ns(double ns, char *buf, size_t len)
{
    char text[32];
    if (!isfinite(ns)) {
        snprintf(buf, len, "-");
        return;
    }
    units_format_duration((uint64_t)llround(fabs(ns)), text, sizeof(text));
    snprintf(buf, len, "%s%s", ns < 0 && llround(fabs(ns)) != 0 ? "-" : "", text);
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
        report_format_signed_ns(v, buf, len);
        return;
    case REPORT_UNIT_BYTES:
        report_format_bytes(v, buf, len);
        return;
    case REPORT_UNIT_BYTES_PER_S:
        report_format_bytes(v, text, sizeof(text));
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
    case REPORT_UNIT_NS_PER_GIB:
        report_format_signed_ns(v, text, sizeof(text));
        snprintf(buf, len, "%s/GiB", text);
        return;
    case REPORT_UNIT_COUNT:
        break;
    }
    snprintf(buf, len, "%.4g", v);
}
