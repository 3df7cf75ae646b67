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
 * One writer per state: STORE_WRITE creates the directory and the file
 * owner-only and takes the lock file beside it (store_file.h), before
 * SQLite opens the file by its resolved path, so that the file locked is
 * the file written; SQLite gives its -wal and -shm files the database's
 * mode.  Readers take no lock: WAL lets them read beside the writer.
 *
 * STORE_CONTROL opens the file by its name, without the lock file, to
 * write a control row in a transaction of its own: SQLite's write lock,
 * which the writer holds for one group of writes (a fraction of a
 * second), makes it wait its turn.
 *
 * STORE_READ reads a store in a directory it cannot write, with no -wal
 * beside it (so no writer), as immutable.  STORE_DRY takes no lock and
 * works on the state file itself when it can, rolling back each group; a
 * state it cannot write, or of an older schema, is copied into memory
 * first (and upgraded there), and no state at all is an empty one in
 * memory.  STORE_SCRATCH is a new store in memory.  The schema version is
 * PRAGMA user_version: schema 1 (the last release's) is upgraded by
 * STORE_WRITE.
 */
#ifndef FEEDWATCH_STORE_SQLITE_H
#define FEEDWATCH_STORE_SQLITE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct sqlite3_stmt;
struct store_ops;
struct store_sqlite;

/* The schema this feedwatch writes: PRAGMA user_version. */
#define STORE_SCHEMA_VERSION	8

/* The backend, for store_open(): takes any path. */
extern const struct store_ops store_sqlite_ops;

/*
 * For the table modules (store_sqlite_feed.c, store_sqlite_outbox.c),
 * whose functions are the ops of store.h's functions of the same name
 * (store_feed_get is sq_feed_get) and take the backend's handle as
 * 'void *be': running a statement, sq_* for short.
 *
 * A statement is its SQL, a static string (its statement is prepared
 * once and kept, found by the string's address); the values bound to
 * its parameters, one struct sq_arg each, in order (a numbered ?3 used
 * twice counts once); and for a query, where each column of a row goes,
 * one struct sq_out each, in order.  Both counts are checked against the
 * statement: a list that does not match its SQL is a bug (fatalx), so it
 * shows on the statement's first run.
 */
struct sq_arg {
	enum { SQ_NULL, SQ_TEXT, SQ_INT, SQ_BLOB, SQ_REAL } type;
	const void	*text;		/* or the blob */
	int64_t		 i;
	size_t		 len;		/* of the blob */
	double		 d;
};

/* Text, bound as a copy; a NULL pointer binds SQL's NULL. */
struct sq_arg	 sq_text(const char *v);
struct sq_arg	 sq_int(int64_t v);
struct sq_arg	 sq_real(double v);
struct sq_arg	 sq_null(void);
/* 'len' bytes, bound as a copy. */
struct sq_arg	 sq_blob(const void *v, size_t len);

/*
 * Where a column goes: exactly one of these is set, by a designated
 * initializer ({ .time = &fs->last_poll }), so that the compiler checks
 * the type.  A text column becomes a string the record owns (NULL for
 * SQL's NULL).
 */
struct sq_out {
	char		**text;
	int		 *i;
	long		 *l;
	time_t		 *time;
	int64_t		 *i64;
	double		 *d;
};

#define SQ_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Reads one row of a query; non-zero stops the query there. */
typedef int sq_row_cb(struct sqlite3_stmt *s, void *arg);

/* In a sq_row_cb: reads the row 's' is on through 'out'. */
void		 sq_row(struct sqlite3_stmt *s, const struct sq_out *out,
		    size_t nout);

/*
 * Runs the statement of 'sql' with 'arg' bound, calling 'row' (unless
 * NULL) with each row it returns, until 'row' says stop.  1 if it
 * returned a row, 0 if none, -1 after saying "state 'PATH': WHAT: why".
 */
int		 sq_read(struct store_sqlite *st, const char *sql,
		    const char *what, const struct sq_arg *arg, size_t narg,
		    sq_row_cb *row, void *rowarg);
/* sq_read() in the group of writes, which it opens if need be. */
int		 sq_write(struct store_sqlite *st, const char *sql,
		    const char *what, const struct sq_arg *arg, size_t narg);
/* Opens the group of writes if none is open: for a read before writes. */
int		 sq_batch(struct store_sqlite *st);
/* sq_read() of one row, into 'out'; untouched if there is none. */
int		 sq_get(struct store_sqlite *st, const char *sql,
		    const char *what, const struct sq_arg *arg, size_t narg,
		    const struct sq_out *out, size_t nout);
/* The first column of every row; never NULL (on error, what was read). */
char		**sq_strv(struct store_sqlite *st, const char *sql,
		    const char *what, const struct sq_arg *arg, size_t narg);

/*
 * A query's rows as an array of records: sq_read() with sq_row_append
 * reads each row through 'out' into 'rec', then appends a copy to 'v',
 * which owns the strings read.
 */
struct sq_rows {
	const struct sq_out	*out;
	size_t			 nout;
	const void		*rec;
	size_t			 size;
	void			*v;
	size_t			 n;
};
int		 sq_row_append(struct sqlite3_stmt *s, void *arg);

#endif
