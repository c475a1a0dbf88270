/*
 * Inside the store: the connection both halves (store.c writes, store_read.c
 * reads) share, and the error wording they share. Not for use outside
 * store/.
 */
#ifndef PROCBENCH_STORE_DB_H
#define PROCBENCH_STORE_DB_H

#include <sqlite3.h>
#include <stddef.h>

struct store {
    sqlite3 *db;
    char *path;
};

/* -errno for an SQLite result code: SQLITE_BUSY/LOCKED -EBUSY,
 * SQLITE_READONLY -EROFS, SQLITE_NOTADB/CORRUPT -EINVAL, SQLITE_NOMEM
 * -ENOMEM, SQLITE_CANTOPEN -ENOENT... else -EIO. */
int store_db_errno(int sqlite_rc);

/* One line into err: "PATH: WHAT: SQLite's message", with words for a
 * lock held past the timeout. Returns store_db_errno(sqlite_rc). */
int store_db_fail(const struct store *s, int sqlite_rc, const char *what, char *err,
                  size_t err_len);

#endif
