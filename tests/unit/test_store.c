/*
 * Unit tests of harness/store/: runs written as results.json files, read
 * back by read/ and added to a history store, then read as series: the
 * schema's header (application id, version), idempotent adds, one series
 * per machine, eight writers at once on a fresh store (all land), a store
 * locked past the timeout, a corrupt file, another SQLite database, another
 * schema version, a folder or a link where the store should be, and rows
 * edited by hand to hold what no run writes (each refused with one line
 * naming the table and column).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

static char base[2048];

static void reset_dir(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", base, name);
    char command[8192];
    snprintf(command, sizeof(command), "rm -rf '%s' && mkdir -p '%s'", out, out);
    assert_int_equal(system(command), 0);
}

/* A results folder dir/name holding a results.json of one case whose
 * three rounds have medians p50 - 10, p50, p50 + 10. */
static void write_run(const char *dir, const char *name, const char *host, uint64_t started,
                      uint64_t p50, char *folder, size_t len)
{
    snprintf(folder, len, "%s/%s", dir, name);
    assert_int_equal(mkdir(folder, 0755), 0);
    char path[8192];
    snprintf(path, sizeof(path), "%s/results.json", folder);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"},\n"
            " \"environment\": {\"hostname\": \"%s\", \"kernel\": \"Linux 6.1 x86_64\",\n"
            "   \"cpu_model\": \"Test CPU\", \"cpu_count_online\": \"2\",\n"
            "   \"mem_total_bytes\": \"25276182528\", \"git_commit\": \"abc123\"},\n"
            " \"config\": {\"rounds\": 3, \"quick\": true, \"seed\": 42},\n"
            " \"argv\": [\"procbench\", \"run\", \"--quick\"],\n"
            " \"started_unix_ns\": %" PRIu64 ", \"duration_ns\": 5000,\n"
            " \"cases\": [{\"scenario\": \"spawn.pool\", \"case\": "
            "\"spawn.pool{rss=0,placement=same}\",\n"
            "   \"placement\": \"same\", \"status\": \"ok\", \"params\": {\"rss\": 0},\n"
            "   \"n\": 30, \"p50\": %" PRIu64 ", \"p50_ci_low\": %" PRIu64
            ", \"p50_ci_high\": %" PRIu64 ",\n"
            "   \"p99\": %" PRIu64 ", \"ops_per_s\": 1.5,\n"
            "   \"per_round\": [{\"round\": 0, \"n\": 10, \"p50\": %" PRIu64 "},\n"
            "                 {\"round\": 1, \"n\": 10, \"p50\": %" PRIu64 "},\n"
            "                 {\"round\": 2, \"n\": 10, \"p50\": %" PRIu64 "}]}]}\n",
            host, started, p50, p50 - 5, p50 + 5, 2 * p50, p50 - 10, p50, p50 + 10);
    assert_int_equal(fclose(fp), 0);
}

/* Reads folder back and adds it; returns store_add_run's result. */
static int add(struct store *s, const char *folder, bool *added, char *err, size_t len)
{
    struct stored_run *run = NULL;
    assert_int_equal(results_read_run(folder, &run, err, len), 0);
    int rc = store_add_run(s, run, folder, added, err, len);
    results_read_free_run(run);
    return rc;
}

static int64_t query_int(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void raw_exec(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("%s: %s", sql, message);
    sqlite3_close(db);
}

static void expect_error(int got, int want, const char *err, const char *words)
{
    if (got != want || strstr(err, words) == NULL || strchr(err, '\n') != NULL)
        fail_msg("got %d (%s), want %d with '%s'", got, err, want, words);
}

static void test_add_and_read(void **state)
{
    (void)state;
    char dir[4096], db[8192], folder[8192], err[1024];
    reset_dir("add", dir, sizeof(dir));
    snprintf(db, sizeof(db), "%s/%s", dir, STORE_FILE);
    struct store *s = NULL;
    assert_int_equal(store_open(db, STORE_WRITE, 1000, &s, err, sizeof(err)), 0);
    static const uint64_t p50[] = {1000, 1100, 3000};
    bool added = false;
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof(name), "run%d", i);
        write_run(dir, name, "alpha", 1700000000000000000ull + (uint64_t)i * 1000000000u, p50[i],
                  folder, sizeof(folder));
        assert_int_equal(add(s, folder, &added, err, sizeof(err)), 0);
        assert_true(added);
        /* Twice: nothing more. */
        assert_int_equal(add(s, folder, &added, err, sizeof(err)), 0);
        assert_false(added);
    }
    uint64_t runs = 0;
    assert_int_equal(store_count_runs(s, &runs, err, sizeof(err)), 0);
    assert_int_equal(runs, 3);
    struct store_query q = {0};
    struct store_history h;
    assert_int_equal(store_read_history(s, &q, &h, err, sizeof(err)), 0);
    assert_int_equal(h.count, 1);
    assert_string_equal(h.series[0].machine, "alpha, Test CPU, 2 CPUs, 24 GiB");
    assert_string_equal(h.series[0].name, "spawn.pool{rss=0,placement=same}");
    assert_int_equal(h.series[0].count, 3);
    for (int i = 0; i < 3; i++) {
        const struct store_point *p = &h.series[0].points[i];
        char name[32];
        snprintf(name, sizeof(name), "run%d", i);
        assert_string_equal(p->folder, name); /* relative to the store's folder */
        assert_string_equal(p->commit, "abc123");
        assert_int_equal(p->p50_ns, p50[i]);
        assert_int_equal(p->p50_ci_low_ns, p50[i] - 5);
        assert_int_equal(p->round_count, 3);
        assert_int_equal(p->round_p50_ns[0], p50[i] - 10);
        assert_int_equal(p->round_p50_ns[2], p50[i] + 10);
    }
    store_history_free(&h);
    /* --since and a machine: the newest run alone, then none. */
    q.since_unix_ns = 1700000000000000000ull + 2000000000u;
    assert_int_equal(store_read_history(s, &q, &h, err, sizeof(err)), 0);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.series[0].count, 1);
    store_history_free(&h);
    q.machine = "beta, Test CPU, 2 CPUs, 24 GiB";
    assert_int_equal(store_read_history(s, &q, &h, err, sizeof(err)), 0);
    assert_int_equal(h.count, 0);
    store_history_free(&h);
    store_close(s);
    /* The last connection closed (a reader's, even): no WAL files left. */
    char wal[8300], shm[8300];
    snprintf(wal, sizeof(wal), "%s-wal", db);
    snprintf(shm, sizeof(shm), "%s-shm", db);
    assert_int_equal(store_open(db, STORE_READ, 100, &s, err, sizeof(err)), 0);
    assert_int_equal(store_read_history(s, &q, &h, err, sizeof(err)), 0);
    store_history_free(&h);
    store_close(s);
    assert_int_equal(access(wal, F_OK), -1);
    assert_int_equal(access(shm, F_OK), -1);
    /* What the sqlite3 shell sees. */
    assert_int_equal(query_int(db, "PRAGMA application_id"), STORE_APPLICATION_ID);
    assert_int_equal(query_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(query_int(db, "SELECT count(*) FROM rounds"), 9);
    assert_int_equal(query_int(db, "SELECT value FROM metrics WHERE name = 'p99' AND case_id = 1"),
                     2000);
    assert_int_equal(query_int(db, "SELECT count(*) FROM params WHERE name = 'rss'"), 3);
    assert_int_equal(query_int(db, "SELECT seed FROM runs WHERE id = 1"), 42);
    assert_int_equal(query_int(db, "SELECT json_array_length(argv) FROM runs WHERE id = 1"), 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM series"), 3);
}

/* The same case on two machines: two series, never one. */
static void test_two_machines(void **state)
{
    (void)state;
    char dir[4096], db[8192], folder[8192], err[1024];
    reset_dir("machines", dir, sizeof(dir));
    snprintf(db, sizeof(db), "%s/%s", dir, STORE_FILE);
    struct store *s = NULL;
    assert_int_equal(store_open(db, STORE_WRITE, 1000, &s, err, sizeof(err)), 0);
    bool added;
    write_run(dir, "a", "alpha", 1000000000, 1000, folder, sizeof(folder));
    assert_int_equal(add(s, folder, &added, err, sizeof(err)), 0);
    /* Same start time, another machine: another run. */
    write_run(dir, "b", "beta", 1000000000, 2000, folder, sizeof(folder));
    assert_int_equal(add(s, folder, &added, err, sizeof(err)), 0);
    assert_true(added);
    struct store_query q = {0};
    struct store_history h;
    assert_int_equal(store_read_history(s, &q, &h, err, sizeof(err)), 0);
    assert_int_equal(h.count, 2);
    assert_string_equal(h.series[0].machine, "alpha, Test CPU, 2 CPUs, 24 GiB");
    assert_string_equal(h.series[1].machine, "beta, Test CPU, 2 CPUs, 24 GiB");
    assert_int_equal(h.series[0].count, 1);
    assert_int_equal(h.series[1].count, 1);
    store_history_free(&h);
    store_close(s);
}

/* Eight processes open a store that does not exist yet and add a run
 * each at the same moment: WAL and the busy timeout make all land. */
static void test_concurrent_writers(void **state)
{
    (void)state;
    char dir[4096], db[8192];
    reset_dir("concurrent", dir, sizeof(dir));
    snprintf(db, sizeof(db), "%s/%s", dir, STORE_FILE);
    enum { WRITERS = 8 };
    char folders[WRITERS][8192];
    for (int i = 0; i < WRITERS; i++) {
        char name[32];
        snprintf(name, sizeof(name), "w%d", i);
        write_run(dir, name, "alpha", 1000000000ull * (uint64_t)(i + 1), 1000, folders[i],
                  sizeof(folders[i]));
    }
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t pids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char c, err[1024];
            close(gate[1]);
            /* Wait until the parent lets every writer go at once. */
            if (read(gate[0], &c, 1) != 0)
                _exit(3);
            struct store *s = NULL;
            struct stored_run *run = NULL;
            bool added = false;
            int rc = store_open(db, STORE_WRITE, STORE_BUSY_TIMEOUT_MS, &s, err, sizeof(err));
            if (rc == 0)
                rc = results_read_run(folders[i], &run, err, sizeof(err));
            if (rc == 0)
                rc = store_add_run(s, run, folders[i], &added, err, sizeof(err));
            if (rc != 0)
                fprintf(stderr, "writer %d: %s\n", i, err);
            results_read_free_run(run);
            store_close(s);
            _exit(rc == 0 && added ? 0 : 1);
        }
    }
    close(gate[0]);
    close(gate[1]);
    for (int i = 0; i < WRITERS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), WRITERS);
    assert_int_equal(query_int(db, "SELECT count(*) FROM rounds"), 3 * WRITERS);
}

/* Another connection holds the write lock: after the timeout, -EBUSY and
 * a line that says so; nothing was added. */
static void test_locked(void **state)
{
    (void)state;
    char dir[4096], db[8192], folder[8192], err[1024];
    reset_dir("locked", dir, sizeof(dir));
    snprintf(db, sizeof(db), "%s/%s", dir, STORE_FILE);
    struct store *s = NULL;
    assert_int_equal(store_open(db, STORE_WRITE, 1000, &s, err, sizeof(err)), 0);
    store_close(s);
    sqlite3 *holder = NULL;
    assert_int_equal(sqlite3_open(db, &holder), SQLITE_OK);
    assert_int_equal(sqlite3_exec(holder, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    write_run(dir, "r", "alpha", 1000000000, 1000, folder, sizeof(folder));
    bool added = true;
    int rc = store_open(db, STORE_WRITE, 200, &s, err, sizeof(err));
    if (rc == 0) {
        rc = add(s, folder, &added, err, sizeof(err));
        store_close(s);
    }
    expect_error(rc, -EBUSY, err, "locked by another process");
    assert_false(added);
    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 64; i++)
        fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* Files that are not this version's store: refused, each with its line. */
static void test_refused_files(void **state)
{
    (void)state;
    char dir[4096], db[8192], err[1024];
    struct store *s = NULL;
    reset_dir("refused", dir, sizeof(dir));
    snprintf(db, sizeof(db), "%s/corrupt.db", dir);
    write_file(db, "this is not an SQLite database at all, just text.\n");
    expect_error(store_open(db, STORE_WRITE, 100, &s, err, sizeof(err)), -EINVAL, err,
                 "not a database");
    expect_error(store_open(db, STORE_READ, 100, &s, err, sizeof(err)), -EINVAL, err,
                 "not a database");
    assert_null(s);

    snprintf(db, sizeof(db), "%s/other.db", dir);
    raw_exec(db, "CREATE TABLE t (x)");
    expect_error(store_open(db, STORE_WRITE, 100, &s, err, sizeof(err)), -EINVAL, err,
                 "not a procbench history store");

    snprintf(db, sizeof(db), "%s/newer.db", dir);
    assert_int_equal(store_open(db, STORE_WRITE, 100, &s, err, sizeof(err)), 0);
    store_close(s);
    raw_exec(db, "PRAGMA user_version = 99");
    expect_error(store_open(db, STORE_READ, 100, &s, err, sizeof(err)), -EINVAL, err,
                 "schema version 99");

    snprintf(db, sizeof(db), "%s/folder.db", dir);
    assert_int_equal(mkdir(db, 0755), 0);
    expect_error(store_open(db, STORE_WRITE, 100, &s, err, sizeof(err)), -EINVAL, err,
                 "not a regular file");
    char link[8300];
    snprintf(link, sizeof(link), "%s/link.db", dir);
    snprintf(db, sizeof(db), "%s/newer.db", dir);
    assert_int_equal(symlink(db, link), 0);
    expect_error(store_open(link, STORE_WRITE, 100, &s, err, sizeof(err)), -EINVAL, err,
                 "not a regular file");
    snprintf(db, sizeof(db), "%s/missing.db", dir);
    expect_error(store_open(db, STORE_READ, 100, &s, err, sizeof(err)), -ENOENT, err,
                 "no history store");
    assert_int_equal(access(db, F_OK), -1); /* reading made nothing */
}

/* A row edited to hold what no run writes: one line naming it. */
static void expect_refused_row(const char *db, const char *sql, const char *words)
{
    char err[1024];
    struct store *s = NULL;
    raw_exec(db, sql);
    assert_int_equal(store_open(db, STORE_READ, 100, &s, err, sizeof(err)), 0);
    struct store_query q = {0};
    struct store_history h;
    expect_error(store_read_history(s, &q, &h, err, sizeof(err)), -EINVAL, err, words);
    assert_int_equal(h.count, 0);
    store_close(s);
}

static void test_hostile_rows(void **state)
{
    (void)state;
    char dir[4096], db[8192], folder[8192], err[1024];
    reset_dir("hostile", dir, sizeof(dir));
    snprintf(db, sizeof(db), "%s/%s", dir, STORE_FILE);
    struct store *s = NULL;
    assert_int_equal(store_open(db, STORE_WRITE, 1000, &s, err, sizeof(err)), 0);
    write_run(dir, "r", "alpha", 1000000000, 1000, folder, sizeof(folder));
    bool added;
    assert_int_equal(add(s, folder, &added, err, sizeof(err)), 0);
    store_close(s);
    expect_refused_row(db, "UPDATE cases SET p50_ns = 'fast'",
                       "cases.p50_ns of row 1: not an integer");
    expect_refused_row(db, "UPDATE cases SET p50_ns = 0",
                       "cases.p50_ns of row 1: 0 is out of range");
    expect_refused_row(db, "UPDATE cases SET p50_ns = 5000", "lies outside its interval");
    expect_refused_row(db, "UPDATE cases SET p50_ns = 1000, name = 'a' || char(10) || 'b'",
                       "cases.name of row 1");
    expect_refused_row(db, "UPDATE cases SET name = 'ok'; UPDATE runs SET folder = x'ff'",
                       "runs.folder of the case of row 1");
    expect_refused_row(db, "UPDATE runs SET folder = 'r'; UPDATE rounds SET p50_ns = -3",
                       "rounds.p50_ns of the case of row 1");
}

int main(void)
{
    snprintf(base, sizeof(base), "%s/test_store", TEST_OUT_DIR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_read),       cmocka_unit_test(test_two_machines),
        cmocka_unit_test(test_concurrent_writers), cmocka_unit_test(test_locked),
        cmocka_unit_test(test_refused_files),      cmocka_unit_test(test_hostile_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
