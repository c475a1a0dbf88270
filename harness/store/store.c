/*
 * The history store's file and what is written into it (store.h): opening
 * or creating history.db (WAL mode, busy timeout, schema), refusing a file
 * that is not a procbench store of this version, and adding one run in one
 * transaction. The schema below is the one README.md documents; change
 * both together, and bump STORE_SCHEMA_VERSION when a table changes
 * meaning.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_db.h"
#include "base/reason.h"

static const char schema_sql[] =
    "CREATE TABLE machines ("
    " id INTEGER PRIMARY KEY,"
    " fingerprint TEXT NOT NULL UNIQUE,"
    " hostname TEXT NOT NULL,"
    " cpu_model TEXT NOT NULL,"
    " cpu_count TEXT NOT NULL,"
    " mem_gib TEXT NOT NULL);"
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY,"
    " machine_id INTEGER NOT NULL REFERENCES machines(id),"
    " started_unix_ns INTEGER NOT NULL,"
    " started_utc TEXT NOT NULL,"
    " folder TEXT NOT NULL,"
    " git_commit TEXT NOT NULL,"
    " procbench_version TEXT NOT NULL,"
    " kernel TEXT NOT NULL,"
    " seed INTEGER,"
    " argv TEXT,"
    " quick INTEGER NOT NULL,"
    " rounds INTEGER NOT NULL,"
    " duration_ns INTEGER,"
    " UNIQUE (machine_id, started_unix_ns));"
    "CREATE TABLE environment ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " key TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (run_id, key)) WITHOUT ROWID;"
    "CREATE TABLE cases ("
    " id INTEGER PRIMARY KEY,"
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL,"
    " scenario TEXT NOT NULL,"
    " placement TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " n INTEGER NOT NULL,"
    " p50_ns INTEGER NOT NULL,"
    " p50_ci_low_ns INTEGER NOT NULL,"
    " p50_ci_high_ns INTEGER NOT NULL,"
    " UNIQUE (run_id, name));"
    "CREATE INDEX cases_by_name ON cases (name);"
    "CREATE TABLE params ("
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " name TEXT NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (case_id, name)) WITHOUT ROWID;"
    "CREATE TABLE metrics ("
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " name TEXT NOT NULL,"
    " value REAL NOT NULL,"
    " PRIMARY KEY (case_id, name)) WITHOUT ROWID;"
    "CREATE TABLE rounds ("
    " case_id INTEGER NOT NULL REFERENCES cases(id),"
    " position INTEGER NOT NULL,"
    " p50_ns INTEGER NOT NULL,"
    " PRIMARY KEY (case_id, position)) WITHOUT ROWID;"
    "CREATE VIEW series AS"
    " SELECT m.fingerprint AS machine, c.name AS case_name, r.started_utc, r.git_commit,"
    " c.p50_ns, c.p50_ci_low_ns, c.p50_ci_high_ns, r.folder, r.id AS run_id"
    " FROM cases c JOIN runs r ON r.id = c.run_id JOIN machines m ON m.id = r.machine_id"
    " WHERE c.status = 'ok' AND c.n > 0"
    " ORDER BY m.fingerprint, c.name, r.started_unix_ns;";

int store_db_errno(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
    case SQLITE_MISMATCH:
    case SQLITE_CONSTRAINT:
        return -EINVAL;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_CANTOPEN:
        return -ENOENT;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    }
    return -EIO;
}

int store_db_fail(const struct store *s, int sqlite_rc, const char *what, char *err, size_t err_len)
{
    int rc = store_db_errno(sqlite_rc);
    const char *message = s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(sqlite_rc);
    if (rc == -EBUSY)
        reason_format(err, err_len, "%s: %s: locked by another process for more than %d ms (%s)",
                      s->path, what, STORE_BUSY_TIMEOUT_MS, message);
    else if (rc == -EROFS)
        reason_format(err, err_len, "%s: %s: read-only (%s)", s->path, what, message);
    else
        reason_format(err, err_len, "%s: %s: %s", s->path, what, message);
    return rc;
}

int store_path(const char *root, char *out, size_t len)
{
    if ((size_t)snprintf(out, len, "%s/%s", root, STORE_FILE) >= len)
        return -ENAMETOOLONG;
    return 0;
}

const char *store_file(const struct store *s)
{
    return s->path;
}

void store_close(struct store *s)
{
    if (s == NULL)
        return;
    /* sqlite3_close_v2 cannot fail on a connection without statements
     * left open; every statement here is finalized where it is made. */
    sqlite3_close_v2(s->db);
    free(s->path);
    free(s);
}

/* Runs sql (no rows wanted). */
static int exec(struct store *s, const char *sql, const char *what, char *err, size_t err_len)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_db_fail(s, rc, what, err, err_len);
}

/* The single integer a PRAGMA returns. */
static int pragma_int(struct store *s, const char *sql, int64_t *out, char *err, size_t err_len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store_db_fail(s, rc, "reading its header", err, err_len);
}

/* WAL lets readers go on while a run is written, and writers queue on the
 * busy timeout. Switching a new file to WAL takes an exclusive lock that
 * the busy handler does not wait for: retried here, within the timeout. */
static int set_wal(struct store *s, int busy_timeout_ms, char *err, size_t err_len)
{
    int rc = SQLITE_OK;
    for (int waited = 0;; waited += 10) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        bool wal = rc == SQLITE_ROW &&
                   sqlite3_strnicmp((const char *)sqlite3_column_text(st, 0), "wal", 3) == 0;
        sqlite3_finalize(st);
        if (wal)
            return 0;
        if (rc == SQLITE_ROW) {
            reason_format(err, err_len, "%s: cannot be put in WAL mode", s->path);
            return -EIO;
        }
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        if (waited >= busy_timeout_ms)
            break;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return store_db_fail(s, rc, "setting WAL mode", err, err_len);
}

/* A fresh file gets the schema; an existing one must be a procbench store
 * of this version. Under BEGIN IMMEDIATE, so that two first runs at once
 * make the schema once. */
static int check_or_create_schema(struct store *s, bool create, char *err, size_t err_len)
{
    int64_t app = 0, version = 0, tables = 0;
    int rc = pragma_int(s, "PRAGMA application_id", &app, err, err_len);
    if (rc == 0)
        rc = pragma_int(s, "PRAGMA user_version", &version, err, err_len);
    if (rc == 0)
        rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables, err, err_len);
    if (rc != 0)
        return rc;
    if (app == STORE_APPLICATION_ID && version == STORE_SCHEMA_VERSION)
        return 0;
    if (app == 0 && version == 0 && tables == 0 && create) {
        rc = exec(s, "BEGIN IMMEDIATE", "making its tables", err, err_len);
        if (rc != 0)
            return rc;
        /* Another first run may have made them meanwhile. */
        rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables, err, err_len);
        if (rc == 0 && tables == 0) {
            char sql[sizeof(schema_sql) + 128];
            snprintf(sql, sizeof(sql), "%sPRAGMA application_id = %d; PRAGMA user_version = %d;",
                     schema_sql, STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
            rc = exec(s, sql, "making its tables", err, err_len);
        }
        if (rc == 0)
            rc = exec(s, "COMMIT", "making its tables", err, err_len);
        if (rc != 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        return check_or_create_schema(s, false, err, err_len);
    }
    if (app != STORE_APPLICATION_ID) {
        reason_format(err, err_len, "%s: an SQLite database, but not a procbench history store",
                      s->path);
        return -EINVAL;
    }
    reason_format(err, err_len,
                  "%s: a history store of schema version %" PRId64
                  ": this procbench reads version %d",
                  s->path, version, STORE_SCHEMA_VERSION);
    return -EINVAL;
}

int store_open(const char *path, enum store_mode mode, int busy_timeout_ms, struct store **out,
               char *err, size_t err_len)
{
    *out = NULL;
    struct stat st;
    /* sqlite3_open would block on a FIFO and cannot open a folder: say so
     * plainly. A symbolic link is refused (SQLITE_OPEN_NOFOLLOW) so that a
     * link planted in a shared results root cannot aim writes elsewhere. */
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        reason_format(err, err_len, "%s: not a regular file", path);
        return -EINVAL;
    }
    if (mode == STORE_READ && access(path, F_OK) != 0) {
        int e = errno;
        reason_format(err, err_len, "%s: no history store: %s", path, strerror(e));
        return -e;
    }
    struct store *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->path = strdup(path)) == NULL) {
        free(s);
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    /* Readers open read-write too (SQLite falls back to read-only when the
     * file is not writable) but never write: a read-only connection that
     * closes last leaves the -wal and -shm files behind, a read-write one
     * checkpoints and removes them. Without SQLITE_OPEN_CREATE nothing is
     * made. */
    int flags = SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_READWRITE |
                (mode == STORE_WRITE ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = store_db_fail(s, rc, "cannot open", err, err_len);
        store_close(s);
        return rc;
    }
    sqlite3_busy_timeout(s->db, busy_timeout_ms);
    /* Read-write was asked for but the file is not writable: SQLite
     * opened it read-only without a word. */
    if (mode == STORE_WRITE && sqlite3_db_readonly(s->db, "main") == 1) {
        reason_format(err, err_len, "%s: read-only", path);
        store_close(s);
        return -EROFS;
    }
    rc = exec(s, "PRAGMA foreign_keys = ON", "cannot configure", err, err_len);
    if (rc == 0 && mode == STORE_WRITE)
        rc = set_wal(s, busy_timeout_ms, err, err_len);
    if (rc == 0)
        rc = check_or_create_schema(s, mode == STORE_WRITE, err, err_len);
    if (rc != 0) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* ---- the machine ------------------------------------------------------- */

static const char *env_or_unknown(const struct stored_run *run, const char *key)
{
    const char *v = results_read_env(run, key);
    return v != NULL && v[0] != '\0' ? v : "unknown";
}

/* Total memory to the nearest GiB, as text; "unknown" when not recorded. */
static void mem_gib(const struct stored_run *run, char *buf, size_t len)
{
    const char *bytes = results_read_env(run, "mem_total_bytes");
    char *end = NULL;
    errno = 0;
    unsigned long long v = bytes != NULL ? strtoull(bytes, &end, 10) : 0;
    if (bytes == NULL || end == bytes || *end != '\0' || errno != 0 || v == 0)
        snprintf(buf, len, "unknown");
    else
        snprintf(buf, len, "%llu", (v + (1ull << 29)) >> 30);
}

void store_machine(const struct stored_run *run, char *buf, size_t len)
{
    char gib[32];
    mem_gib(run, gib, sizeof(gib));
    snprintf(buf, len, "%s, %s, %s CPUs, %s GiB", env_or_unknown(run, "hostname"),
             env_or_unknown(run, "cpu_model"), env_or_unknown(run, "cpu_count_online"), gib);
}

/* ---- adding a run ------------------------------------------------------ */

/* One statement: prepared, its values bound from a list of types ('t' text,
 * 'i' int64, 'd' double, 'n' null), stepped once. */
static int run_sql(struct store *s, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    va_list ap;
    va_start(ap, types);
    for (int i = 0; rc == SQLITE_OK && types[i]; i++) {
        switch (types[i]) {
        case 't':
            rc = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
            break;
        case 'i':
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
            break;
        case 'd':
            rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double));
            break;
        default:
            rc = sqlite3_bind_null(st, i + 1);
            break;
        }
    }
    va_end(ap);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* The folder as stored: relative to the store's folder when inside it
 * (so that a results root can move), else absolute, else as given. */
static void stored_folder(const struct store *s, const char *folder, char *out, size_t len)
{
    char real_folder[PATH_MAX], real_root[PATH_MAX], root[PATH_MAX];
    snprintf(out, len, "%s", folder);
    snprintf(root, sizeof(root), "%s", s->path);
    char *slash = strrchr(root, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(root, sizeof(root), ".");
    if (realpath(folder, real_folder) == NULL)
        return;
    snprintf(out, len, "%s", real_folder);
    if (realpath(root, real_root) == NULL)
        return;
    size_t n = strlen(real_root);
    if (strncmp(real_folder, real_root, n) == 0 && real_folder[n] == '/')
        snprintf(out, len, "%s", real_folder + n + 1);
}

static void utc_text(uint64_t unix_ns, char *buf, size_t len)
{
    time_t t = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "unknown");
}

/* argv as a JSON array of strings (json_each() reads it in SQL), or NULL
 * when the run recorded none. */
static char *argv_json(const struct stored_run *run)
{
    const char **argv = NULL;
    size_t count = 0;
    if (results_read_argv(run, &argv, &count) != 0)
        return NULL;
    json_t *array = json_array();
    for (size_t i = 0; array != NULL && i < count; i++) {
        if (json_array_append_new(array, json_string(argv[i])) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    free(argv);
    char *text = array != NULL ? json_dumps(array, JSON_COMPACT) : NULL;
    json_decref(array);
    return text;
}

struct case_rows {
    struct store *s;
    int64_t case_id;
};

static int add_metric(const char *key, double value, void *ctx)
{
    struct case_rows *rows = ctx;
    return run_sql(rows->s, "INSERT INTO metrics (case_id, name, value) VALUES (?, ?, ?)", "itd",
                   rows->case_id, key, value);
}

static int add_case(struct store *s, int64_t run_id, const struct stored_case *c)
{
    int rc = run_sql(s,
                     "INSERT INTO cases (run_id, name, scenario, placement, status, reason, n, "
                     "p50_ns, p50_ci_low_ns, p50_ci_high_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "itttttiiii", run_id, c->name, c->scenario, c->placement, c->status, c->reason,
                     (int64_t)c->n, (int64_t)c->p50_ns, (int64_t)c->p50_ci_low_ns,
                     (int64_t)c->p50_ci_high_ns);
    if (rc != SQLITE_OK)
        return rc;
    struct case_rows rows = {.s = s, .case_id = sqlite3_last_insert_rowid(s->db)};
    for (size_t i = 0; rc == SQLITE_OK && i < c->param_count; i++)
        rc = run_sql(s, "INSERT INTO params (case_id, name, value) VALUES (?, ?, ?)", "itt",
                     rows.case_id, c->params[i].key, c->params[i].value);
    if (rc == SQLITE_OK)
        rc = results_read_case_each_number(c, add_metric, &rows);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK && c->round_count > 0)
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO rounds (case_id, position, p50_ns) VALUES (?, ?, ?)",
                                -1, &st, NULL);
    for (size_t k = 0; rc == SQLITE_OK && k < c->round_count; k++) {
        sqlite3_reset(st);
        rc = sqlite3_bind_int64(st, 1, rows.case_id);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(st, 2, (int64_t)k);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(st, 3, (int64_t)llround(c->round_p50_ns[k]));
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The run's rows; SQLITE_DONE when the store already holds it. */
static int add_rows(struct store *s, const struct stored_run *run, const char *folder)
{
    char machine[1024], gib[32], started[32], where[PATH_MAX];
    store_machine(run, machine, sizeof(machine));
    mem_gib(run, gib, sizeof(gib));
    int rc =
        run_sql(s,
                "INSERT OR IGNORE INTO machines (fingerprint, hostname, cpu_model, cpu_count, "
                "mem_gib) VALUES (?, ?, ?, ?, ?)",
                "ttttt", machine, env_or_unknown(run, "hostname"), env_or_unknown(run, "cpu_model"),
                env_or_unknown(run, "cpu_count_online"), gib);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    int64_t machine_id = -1;
    rc = sqlite3_prepare_v2(s->db, "SELECT id FROM machines WHERE fingerprint = ?", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, machine, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        machine_id = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return rc;

    utc_text(run->started_unix_ns, started, sizeof(started));
    stored_folder(s, folder, where, sizeof(where));
    uint64_t seed = 0, duration = 0;
    bool has_seed = results_read_integer(run, "config", "seed", &seed) && seed <= INT64_MAX;
    bool has_duration =
        results_read_integer(run, NULL, "duration_ns", &duration) && duration <= INT64_MAX;
    char *argv = argv_json(run);
    /* Unbound parameters are NULL: seed, argv and duration when unknown. */
    rc = sqlite3_prepare_v2(s->db,
                            "INSERT OR IGNORE INTO runs (machine_id, started_unix_ns, started_utc, "
                            "folder, git_commit, procbench_version, kernel, seed, argv, quick, "
                            "rounds, duration_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, machine_id);
        sqlite3_bind_int64(st, 2, (int64_t)run->started_unix_ns);
        sqlite3_bind_text(st, 3, started, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, where, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, env_or_unknown(run, "git_commit"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, env_or_unknown(run, "procbench_version"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, env_or_unknown(run, "kernel"), -1, SQLITE_TRANSIENT);
        if (has_seed)
            sqlite3_bind_int64(st, 8, (int64_t)seed);
        if (argv != NULL)
            sqlite3_bind_text(st, 9, argv, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 10, run->quick ? 1 : 0);
        sqlite3_bind_int64(st, 11, (int64_t)run->config_rounds);
        if (has_duration)
            sqlite3_bind_int64(st, 12, (int64_t)duration);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    free(argv);
    if (rc != SQLITE_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return SQLITE_DONE; /* the same run, stored before */
    int64_t run_id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; rc == SQLITE_OK && i < run->env_count; i++)
        rc = run_sql(s, "INSERT INTO environment (run_id, key, value) VALUES (?, ?, ?)", "itt",
                     run_id, run->env[i].key, run->env[i].value);
    for (size_t i = 0; rc == SQLITE_OK && i < run->case_count; i++)
        rc = add_case(s, run_id, &run->cases[i]);
    return rc;
}

int store_add_run(struct store *s, const struct stored_run *run, const char *folder, bool *added,
                  char *err, size_t err_len)
{
    *added = false;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_db_fail(s, rc, "adding a run", err, err_len);
    rc = add_rows(s, run, folder);
    if (rc == SQLITE_OK || rc == SQLITE_DONE) {
        int commit = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if (commit == SQLITE_OK) {
            *added = rc == SQLITE_OK;
            return 0;
        }
        rc = commit;
    }
    int result = store_db_fail(s, rc, "adding a run", err, err_len);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return result;
}
