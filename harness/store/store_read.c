/*
 * Reading series back from the history store (store.h): the measured cases
 * of the selected runs, grouped by machine and case, oldest run first, each
 * with the medians of its rounds. A store is a file anyone could have
 * written, so it is read like a results.json: every column's type and
 * range is checked, text must be UTF-8 without control characters, and the
 * first bad value is one line naming its table, row and column.
 */
#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_db.h"
#include "base/grow.h"
#include "base/reason.h"
#include "base/utf8.h"

/* The longest a valid duration can be: the histograms stop at one hour. */
#define MAX_NS INT64_C(3600000000000)
/* Rows read at most: a store of many years of daily full runs is far below. */
#define MAX_POINTS 2000000
#define MAX_TEXT   1024

struct reading {
    struct store *s;
    char *err;
    size_t err_len;
};

static int bad(const struct reading *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(const struct reading *rd, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    reason_format(rd->err, rd->err_len, "%s: %s", rd->s->path, what);
    return -EINVAL;
}

/* True when s[len] is UTF-8 (no overlong forms, surrogates or code points
 * past U+10FFFF) without control characters. */
static bool plain_text(const unsigned char *s, size_t len)
{
    uint32_t cp;
    for (size_t i = 0, n; i < len; i += n) {
        n = utf8_next(s, len, i, &cp);
        /* C0 and C1 controls, DEL and NEL. */
        if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return false;
    }
    return true;
}

/* Column col of the row as text, checked; a new copy in *out. */
static int get_text(const struct reading *rd, sqlite3_stmt *st, int col, const char *what,
                    int64_t row, char **out)
{
    if (sqlite3_column_type(st, col) != SQLITE_TEXT)
        return bad(rd, "%s of row %" PRId64 ": not text", what, row);
    const unsigned char *text = sqlite3_column_text(st, col);
    int len = sqlite3_column_bytes(st, col);
    if (text == NULL)
        return -ENOMEM;
    if (len > MAX_TEXT || strlen((const char *)text) != (size_t)len ||
        !plain_text(text, (size_t)len))
        return bad(rd, "%s of row %" PRId64 ": longer than %d bytes, or not plain UTF-8 text", what,
                   row, MAX_TEXT);
    *out = strdup((const char *)text);
    return *out != NULL ? 0 : -ENOMEM;
}

/* Column col as an integer within [min, max]. */
static int get_int(const struct reading *rd, sqlite3_stmt *st, int col, const char *what,
                   int64_t row, int64_t min, int64_t max, int64_t *out)
{
    if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
        return bad(rd, "%s of row %" PRId64 ": not an integer", what, row);
    *out = sqlite3_column_int64(st, col);
    if (*out < min || *out > max)
        return bad(
            rd, "%s of row %" PRId64 ": %" PRId64 " is out of range (%" PRId64 " to %" PRId64 ")",
            what, row, *out, min, max);
    return 0;
}

static void point_free(struct store_point *p)
{
    free(p->folder);
    free(p->commit);
    free(p->round_p50_ns);
}

void store_history_free(struct store_history *h)
{
    for (size_t i = 0; i < h->count; i++) {
        struct store_series *s = &h->series[i];
        for (size_t k = 0; k < s->count; k++)
            point_free(&s->points[k]);
        free(s->points);
        free(s->machine);
        free(s->name);
        free(s->scenario);
    }
    free(h->series);
    memset(h, 0, sizeof(*h));
}

static int read_rounds(const struct reading *rd, sqlite3_stmt *st, int64_t case_id,
                       struct store_point *p)
{
    size_t capacity = 0;
    int rc = sqlite3_reset(st);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 1, case_id);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        int64_t p50;
        if (p->round_count == RESULTS_READ_MAX_ROUNDS)
            return bad(rd, "rounds of cases row %" PRId64 ": more than %d", case_id,
                       RESULTS_READ_MAX_ROUNDS);
        int e = get_int(rd, st, 0, "rounds.p50_ns of the case", case_id, 1, MAX_NS, &p50);
        if (e != 0)
            return e;
        if (p->round_count == capacity) {
            capacity = capacity ? 2 * capacity : 16;
            uint64_t *bigger = realloc(p->round_p50_ns, capacity * sizeof(*bigger));
            if (bigger == NULL)
                return -ENOMEM;
            p->round_p50_ns = bigger;
        }
        p->round_p50_ns[p->round_count++] = (uint64_t)p50;
    }
    return rc == SQLITE_DONE ? 0 : store_db_fail(rd->s, rc, "reading rounds", rd->err, rd->err_len);
}

/* The series for (machine, name): the last one when it matches, else a
 * new one. */
static struct store_series *series_for(struct store_history *h, const char *machine,
                                       const char *name, const char *scenario)
{
    if (h->count > 0) {
        struct store_series *last = &h->series[h->count - 1];
        if (strcmp(last->machine, machine) == 0 && strcmp(last->name, name) == 0)
            return last;
    }
    struct store_series *bigger =
        grow_for_one(h->series, &h->capacity, h->count, sizeof(*bigger), 16);
    if (bigger == NULL)
        return NULL;
    h->series = bigger;
    struct store_series *s = &h->series[h->count];
    memset(s, 0, sizeof(*s));
    s->machine = strdup(machine);
    s->name = strdup(name);
    s->scenario = strdup(scenario);
    h->count++;
    if (s->machine == NULL || s->name == NULL || s->scenario == NULL)
        return NULL;
    return s;
}

static struct store_point *point_add(struct store_series *s)
{
    struct store_point *bigger =
        grow_for_one(s->points, &s->capacity, s->count, sizeof(*bigger), 16);
    if (bigger == NULL)
        return NULL;
    s->points = bigger;
    struct store_point *p = &s->points[s->count++];
    memset(p, 0, sizeof(*p));
    return p;
}

/* One row of the main query into h. */
static int take_row(const struct reading *rd, sqlite3_stmt *st, sqlite3_stmt *rounds,
                    const struct store_query *q, struct store_history *h)
{
    int64_t case_id = sqlite3_column_int64(st, 7);
    char *machine = NULL, *name = NULL, *scenario = NULL;
    int rc = get_text(rd, st, 0, "machines.fingerprint of the case", case_id, &machine);
    if (rc == 0)
        rc = get_text(rd, st, 1, "cases.name", case_id, &name);
    if (rc == 0)
        rc = get_text(rd, st, 2, "cases.scenario", case_id, &scenario);
    if (rc != 0 || (q->want != NULL && !q->want(scenario, name, q->ctx))) {
        free(machine);
        free(name);
        free(scenario);
        return rc;
    }
    struct store_series *s = series_for(h, machine, name, scenario);
    free(machine);
    free(name);
    free(scenario);
    struct store_point *p = s != NULL ? point_add(s) : NULL;
    if (p == NULL)
        return -ENOMEM;
    int64_t v[5];
    rc = get_int(rd, st, 3, "runs.id of the case", case_id, 1, INT64_MAX, &v[0]);
    if (rc == 0)
        rc = get_int(rd, st, 4, "runs.started_unix_ns of the case", case_id, 0, INT64_MAX, &v[1]);
    if (rc == 0)
        rc = get_text(rd, st, 5, "runs.folder of the case", case_id, &p->folder);
    if (rc == 0)
        rc = get_text(rd, st, 6, "runs.git_commit of the case", case_id, &p->commit);
    if (rc == 0)
        rc = get_int(rd, st, 8, "cases.p50_ns", case_id, 1, MAX_NS, &v[2]);
    if (rc == 0)
        rc = get_int(rd, st, 9, "cases.p50_ci_low_ns", case_id, 0, MAX_NS, &v[3]);
    if (rc == 0)
        rc = get_int(rd, st, 10, "cases.p50_ci_high_ns", case_id, 0, MAX_NS, &v[4]);
    if (rc != 0)
        return rc;
    if (v[3] > v[2] || v[2] > v[4])
        return bad(rd,
                   "cases row %" PRId64 ": p50 %" PRId64 " lies outside its interval [%" PRId64
                   ", %" PRId64 "]",
                   case_id, v[2], v[3], v[4]);
    p->run_id = v[0];
    p->started_unix_ns = (uint64_t)v[1];
    p->p50_ns = (uint64_t)v[2];
    p->p50_ci_low_ns = (uint64_t)v[3];
    p->p50_ci_high_ns = (uint64_t)v[4];
    return read_rounds(rd, rounds, case_id, p);
}

int store_read_history(struct store *s, const struct store_query *q, struct store_history *out,
                       char *err, size_t err_len)
{
    struct reading rd = {.s = s, .err = err, .err_len = err_len};
    sqlite3_stmt *st = NULL, *rounds = NULL;
    size_t points = 0;
    memset(out, 0, sizeof(*out));
    int rc = sqlite3_prepare_v2(
        s->db,
        "SELECT m.fingerprint, c.name, c.scenario, r.id, r.started_unix_ns, r.folder, "
        "r.git_commit, c.id, c.p50_ns, c.p50_ci_low_ns, c.p50_ci_high_ns "
        "FROM cases c JOIN runs r ON r.id = c.run_id JOIN machines m ON m.id = r.machine_id "
        "WHERE c.status = 'ok' AND c.n > 0 AND r.started_unix_ns >= ?1 "
        "AND (?2 = 0 OR r.started_unix_ns <= ?2) AND (?3 IS NULL OR m.fingerprint = ?3) "
        "ORDER BY m.fingerprint, c.name, r.started_unix_ns, r.id",
        -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT p50_ns FROM rounds WHERE case_id = ? ORDER BY position", -1,
                                &rounds, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(
            st, 1, (int64_t)(q->since_unix_ns > INT64_MAX ? INT64_MAX : q->since_unix_ns));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(
            st, 2, (int64_t)(q->until_unix_ns > INT64_MAX ? INT64_MAX : q->until_unix_ns));
    if (rc == SQLITE_OK)
        rc = q->machine != NULL ? sqlite3_bind_text(st, 3, q->machine, -1, SQLITE_TRANSIENT)
                                : sqlite3_bind_null(st, 3);
    int result = 0;
    if (rc != SQLITE_OK) {
        result = store_db_fail(s, rc, "reading", err, err_len);
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (++points > MAX_POINTS) {
            result =
                bad(&rd, "more than %d measured cases: not a store procbench wrote", MAX_POINTS);
            goto out;
        }
        result = take_row(&rd, st, rounds, q, out);
        if (result != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        result = store_db_fail(s, rc, "reading", err, err_len);
out:
    if (result == -ENOMEM)
        reason_format(err, err_len, "%s: out of memory", s->path);
    sqlite3_finalize(st);
    sqlite3_finalize(rounds);
    if (result != 0)
        store_history_free(out);
    return result;
}

int store_count_runs(struct store *s, uint64_t *runs, char *err, size_t err_len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM runs", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *runs = (uint64_t)sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store_db_fail(s, rc, "counting runs", err, err_len);
}
