/*
 * The history store: every completed run, also kept in one SQLite database
 * in its results root (ROOT/history.db), so that the runs of a machine can
 * be read as series (`procbench history`, the report's trends). It is an
 * index over the run folders, never the only copy: what goes in is the
 * run's results.json as read back by read/ (the run just written, or an
 * old folder imported), so a run stored at the end of `procbench run` and
 * the same folder imported later are the same rows, and importing twice
 * adds nothing.
 *
 * Written through the SQLite library in WAL mode with a busy timeout, so
 * that runs finishing at once wait for each other instead of failing; each
 * run goes in as one transaction (all of it or nothing). The file carries
 * an application id and a schema version (PRAGMA application_id,
 * user_version); a file that is not a procbench store, is corrupt, is of
 * another version, is read-only or stays locked past the timeout is
 * refused with one line naming it. The tables are documented in README.md
 * ("The history store"), for the sqlite3 shell.
 *
 * A machine is the fingerprint "HOST, CPU MODEL, N CPUs, M GiB": series
 * never mix machines. The kernel and the libraries are left out on
 * purpose: their upgrades are among the changes a history is there to find.
 */
#ifndef PROCBENCH_STORE_H
#define PROCBENCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "read/results_read.h"

#define STORE_FILE "history.db"
/* Bump when a table changes meaning; a store of another version is refused. */
#define STORE_SCHEMA_VERSION 1
/* PRAGMA application_id of a procbench store: "pbH1". */
#define STORE_APPLICATION_ID 0x70624831
/* How long a writer waits for another's lock: a run is stored in
 * milliseconds, so this is only ever reached by a store held open by
 * something else. */
#define STORE_BUSY_TIMEOUT_MS 10000

struct store;

enum store_mode {
    STORE_READ,  /* the store must exist; nothing is written */
    STORE_WRITE, /* made (schema, WAL mode) when missing */
};

/* ROOT/history.db into out[len]. Returns 0 or -ENAMETOOLONG. */
int store_path(const char *root, char *out, size_t len);

/* Opens the store at path. Returns 0, or -errno with one line in err
 * naming path: -ENOENT missing (STORE_READ), -EBUSY locked past
 * busy_timeout_ms, -EROFS not writable (STORE_WRITE), -EINVAL not a
 * procbench store, corrupt or of another schema version, -ENOMEM, -EIO. */
int store_open(const char *path, enum store_mode mode, int busy_timeout_ms, struct store **out,
               char *err, size_t err_len);

/* Closes s (NULL is fine); the last connection to close removes the WAL
 * files. */
void store_close(struct store *s);

/* The path s was opened with. */
const char *store_file(const struct store *s);

/* The machine of a run: "HOST, CPU MODEL, N CPUs, M GiB" from its
 * environment (memory rounded to the nearest GiB, so that the few MiB a
 * new kernel reserves do not make a new machine; "unknown" for a field the
 * run did not record). */
void store_machine(const struct stored_run *run, char *buf, size_t len);

/* Adds run, read back from folder (a path; kept relative to the store's
 * folder when inside it), in one transaction. *added is false when the
 * store already holds it (same machine, same start time). Returns 0 or
 * -errno as store_open, with one line in err. */
int store_add_run(struct store *s, const struct stored_run *run, const char *folder, bool *added,
                  char *err, size_t err_len);

/* ---- reading series back (store_read.c) -------------------------------- */

/* One run of one case. */
struct store_point {
    int64_t run_id; /* runs.id */
    uint64_t started_unix_ns;
    char *folder;
    char *commit;
    uint64_t p50_ns, p50_ci_low_ns, p50_ci_high_ns;
    uint64_t *round_p50_ns; /* medians of its rounds, in order; may be none */
    size_t round_count;
};

/* The runs of one case on one machine, oldest first. */
struct store_series {
    char *machine;
    char *name;
    char *scenario;
    struct store_point *points;
    size_t count, capacity;
};

struct store_history {
    struct store_series *series; /* by machine, then case name */
    size_t count, capacity;
};

struct store_query {
    uint64_t since_unix_ns; /* runs started at or after it (0: all) */
    uint64_t until_unix_ns; /* runs started at or before it (0: all) */
    const char *machine;    /* only this machine (NULL: all) */
    /* which cases (NULL: all measured cases) */
    bool (*want)(const char *scenario, const char *name, void *ctx);
    void *ctx;
};

/* Reads the measured cases (status ok, with samples) of the runs q selects
 * into out (free with store_history_free). Every value is checked as
 * untrusted input (types, ranges, text without control characters and in
 * UTF-8); a bad one is an error naming its table and row. Returns 0 or
 * -errno with one line in err. */
int store_read_history(struct store *s, const struct store_query *q, struct store_history *out,
                       char *err, size_t err_len);

void store_history_free(struct store_history *h);

/* The number of runs in the store, into *runs. Returns 0 or -errno. */
int store_count_runs(struct store *s, uint64_t *runs, char *err, size_t err_len);

#endif
