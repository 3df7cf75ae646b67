/*
 * store_sqlite.h: the state store's SQLite backend: one file in WAL mode,
 * so that `feedwatch status` reads while the daemon writes.  store.h is
 * the interface and says what every backend guarantees; this is how
 * SQLite keeps it.
 *
 * Groups are SQLite transactions: the first write of a group begins one
 * (BEGIN IMMEDIATE, which takes SQLite's write lock at once), store_flush
 * commits it with synchronous=FULL (a power loss cannot undo a commit).
 *
 * One writer per state.  A store opened for writing holds an exclusive
 * flock(2) on a lock file beside the database, named after its real path
 * (symlinks and relative paths resolved, so every way of naming the
 * state finds the same lock): PATH.lock.  It records the holder's pid,
 * start time and command line, which a second writer names when it
 * refuses.  The kernel drops the lock when the holder exits, even by
 * kill -9, so a lock file left behind never blocks.  Readers take no
 * lock: WAL lets them read beside the writer.
 *
 * Files are owner-only whatever the umask: a directory the store creates
 * is 0700, a new database 0600 (SQLite gives its -wal and -shm files the
 * database's mode), the lock file 0600.  Existing files keep their mode.
 *
 * STORE_READ reads a store in a directory it cannot write, with no -wal
 * beside it (so no writer), as immutable.  STORE_DRY takes no lock and
 * works on the state file itself when it can, rolling back each group; a
 * state it cannot write, or of an older schema, is copied into memory
 * first (and upgraded there), and no state at all is an empty one in
 * memory.  The schema version is PRAGMA user_version: schema 1 (the last
 * release's) is upgraded by STORE_WRITE.
 */
#ifndef FEEDWATCH_STORE_SQLITE_H
#define FEEDWATCH_STORE_SQLITE_H

struct store_ops;

/* The backend, for store_open(): takes any path. */
extern const struct store_ops store_sqlite_ops;

#endif
