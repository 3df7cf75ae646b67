/*
 * store_sqlite.c: the SQLite backend of the state store (store_sqlite.h):
 * the connection in its three modes, the schema and its migrations, the
 * group of writes, and running statements for the table modules
 * (store_sqlite_feed.c, store_sqlite_outbox.c).
 *
 * Statements are prepared once per connection and cached by their SQL
 * text's address (every SQL string is a static constant), so the hot
 * path (one item insert per item) costs a bind and a step.
 */
#include "store_sqlite.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_file.h"
#include "store_sqlite_feed.h"
#include "store_sqlite_outbox.h"
#include "store_sqlite_push.h"
#include "xmalloc.h"

#define STORE_MAX_STMTS		48

struct store_sqlite {
	sqlite3		*db;
	char		*path;
	int		 lockfd;	/* the writer's lock, or -1 */
	int		 dry;		/* never commits */
	int		 batch;		/* a write transaction is open */
	struct {
		const char	*sql;
		sqlite3_stmt	*st;
	}		 stmts[STORE_MAX_STMTS];
	size_t		 nstmts;
};

/* Version 1; the versions after it are the steps of migrations[]. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS feed ("
    " name TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, moved_to TEXT,"
    " http_status INTEGER NOT NULL DEFAULT 0, error TEXT,"
    " last_poll INTEGER NOT NULL DEFAULT 0, last_ok INTEGER NOT NULL DEFAULT 0,"
    " last_parsed INTEGER NOT NULL DEFAULT 0,"
    " failing_since INTEGER NOT NULL DEFAULT 0,"
    " next_due INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,"
    " gone INTEGER NOT NULL DEFAULT 0, health_alerted INTEGER NOT NULL DEFAULT 0,"
    " missed INTEGER NOT NULL DEFAULT 0) STRICT;"
    "CREATE TABLE IF NOT EXISTS item ("
    " feed TEXT NOT NULL, key TEXT NOT NULL, first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL, id TEXT NOT NULL, feed_url TEXT,"
    " feed_title TEXT, title TEXT, link TEXT, author TEXT, categories TEXT,"
    " summary TEXT, published INTEGER, updated INTEGER,"
    " PRIMARY KEY (feed, key)) STRICT, WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS item_first_seen ON item(first_seen);"
    "CREATE TABLE IF NOT EXISTS story ("
    " topic TEXT NOT NULL, key TEXT NOT NULL, alert_id TEXT NOT NULL,"
    " created INTEGER NOT NULL, PRIMARY KEY (topic, key))"
    " STRICT, WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS also_in ("
    " alert_id TEXT NOT NULL, feed TEXT NOT NULL, created INTEGER NOT NULL,"
    " PRIMARY KEY (alert_id, feed)) STRICT, WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS sent ("
    " sink TEXT NOT NULL, topic TEXT NOT NULL, at INTEGER NOT NULL) STRICT;"
    "CREATE INDEX IF NOT EXISTS sent_at ON sent(sink, topic, at);"
    "CREATE TABLE IF NOT EXISTS outbox ("
    " id INTEGER PRIMARY KEY, sink TEXT NOT NULL, topic TEXT NOT NULL,"
    " fold INTEGER NOT NULL DEFAULT 0, alert_id TEXT NOT NULL,"
    " payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, next_at INTEGER NOT NULL,"
    " delivered_at INTEGER, failed_at INTEGER, last_error TEXT,"
    " UNIQUE (sink, alert_id)) STRICT;"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(sink, next_at)"
    " WHERE delivered_at IS NULL AND failed_at IS NULL;";

/*
 * migrations[v] takes the schema from version v to v + 1; 0 is a new file.
 * A new store runs them all, so every step is exercised by every test.
 */
static const char *const migrations[] = {
	schema,
	/*
	 * 1 to 2: a feed's state names the URL it was learned for, a
	 * redirect is remembered only once several polls saw it, and the
	 * feed's own <ttl> outlives the body it came in (a 304 has none).
	 * State of version 1 does not say its URL: a move it remembered
	 * must be seen again, and a feed it holds gone (410) is asked once
	 * more, in case its URL changed since.
	 */
	"ALTER TABLE feed ADD COLUMN url TEXT;"
	"ALTER TABLE feed ADD COLUMN redirect_to TEXT;"
	"ALTER TABLE feed ADD COLUMN redirects INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feed ADD COLUMN ttl INTEGER NOT NULL DEFAULT 0;"
	"UPDATE feed SET redirect_to = moved_to, redirects = 1,"
	" moved_to = NULL WHERE moved_to IS NOT NULL;"
	"UPDATE feed SET gone = 0, next_due = 0 WHERE gone = 1;",
	/*
	 * 2 to 3, OPML export: the feed's own title and its site's
	 * address (htmlUrl), as its last parse gave them.
	 */
	"ALTER TABLE feed ADD COLUMN title TEXT;"
	"ALTER TABLE feed ADD COLUMN link TEXT;",
	/*
	 * 3 to 4, full text ([feed] content = full): the article fetches
	 * that polls queued and no outcome has recorded yet, so that a
	 * crash between the two loses none.
	 */
	"CREATE TABLE IF NOT EXISTS article ("
	" feed TEXT NOT NULL, key TEXT NOT NULL, created INTEGER NOT NULL,"
	" PRIMARY KEY (feed, key)) STRICT, WITHOUT ROWID;",
	/*
	 * 4 to 5, same-story folding: the signature of each story a topic
	 * claimed within [daemon] same-story (story_sig), with the feed of
	 * the copy, and its LSH band keys (story_band), which find it again.
	 * A band row names its signature by id, so that its key is all it
	 * repeats.
	 */
	"CREATE TABLE IF NOT EXISTS story_sig ("
	" id INTEGER PRIMARY KEY, topic TEXT NOT NULL, alert_id TEXT NOT NULL,"
	" feed TEXT NOT NULL, sig BLOB NOT NULL, created INTEGER NOT NULL)"
	" STRICT;"
	"CREATE INDEX IF NOT EXISTS story_sig_created ON story_sig(created);"
	"CREATE TABLE IF NOT EXISTS story_band ("
	" band INTEGER NOT NULL, sig INTEGER NOT NULL, PRIMARY KEY (band, sig))"
	" STRICT, WITHOUT ROWID;",
	/*
	 * 5 to 6 (mute): the topics `feedwatch mute` silenced, until when
	 * (0: until unmuted).  Written beside the daemon, read by it.
	 */
	"CREATE TABLE IF NOT EXISTS mute (topic TEXT PRIMARY KEY,"
	" until INTEGER NOT NULL, since INTEGER NOT NULL) STRICT, WITHOUT ROWID;",
	/*
	 * 6 to 7, interval = auto: what was learned of each feed's pace
	 * (struct feed_pace), so that a restart keeps it.
	 */
	"CREATE TABLE IF NOT EXISTS feed_pace (feed TEXT PRIMARY KEY,"
	" rate REAL NOT NULL, at INTEGER NOT NULL, interval INTEGER NOT NULL)"
	" STRICT, WITHOUT ROWID;",
	/* 7 to 8, WebSub push (push.h): a feed's subscription. */
	"CREATE TABLE IF NOT EXISTS sub ("
	" feed TEXT PRIMARY KEY, hub TEXT NOT NULL, topic TEXT NOT NULL,"
	" id TEXT NOT NULL UNIQUE, secret TEXT NOT NULL,"
	" state INTEGER NOT NULL, lease_end INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0) STRICT;",
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
    STORE_SCHEMA_VERSION, "a migration per schema version");

static int
fail(struct store_sqlite *st, const char *what)
{
	log_warnx("state '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

/* The cached statement for 'sql', reset and unbound; NULL after logging. */
static sqlite3_stmt *
stmt(struct store_sqlite *st, const char *sql)
{
	size_t		 i;
	sqlite3_stmt	*s;

	for (i = 0; i < st->nstmts; i++)
		if (st->stmts[i].sql == sql) {
			sqlite3_reset(st->stmts[i].st);
			sqlite3_clear_bindings(st->stmts[i].st);
			return st->stmts[i].st;
		}
	if (st->nstmts == STORE_MAX_STMTS)
		fatalx("%s: statement cache full", __func__);
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		fail(st, "prepare");
		return NULL;
	}
	st->stmts[st->nstmts].sql = sql;
	st->stmts[st->nstmts++].st = s;
	return s;
}

static char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*v = sqlite3_column_text(s, i);

	return v != NULL ? xstrdup((const char *)v) : NULL;
}

static int
exec(struct store_sqlite *st, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("state '%s': %s", st->path, err ? err :
		    sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

static void
refuse_older(const struct store_sqlite *st, int version)
{
	log_warnx("state '%s': written by an older feedwatch (schema %d); run "
	    "'feedwatch run' or 'feedwatch check' once to upgrade it",
	    st->path, version);
}

/* From schema 'version' to STORE_SCHEMA_VERSION; in a transaction. */
static int
migrate(struct store_sqlite *st, int version)
{
	char	*sql;
	int	 v, rc;

	for (v = version; v < STORE_SCHEMA_VERSION; v++)
		if (exec(st, migrations[v]) == -1)
			return -1;
	sql = xasprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	rc = exec(st, sql);
	free(sql);
	if (rc == 0 && version > 0 && version < STORE_SCHEMA_VERSION)
		log_info("state '%s': upgraded from schema %d to %d", st->path,
		    version, STORE_SCHEMA_VERSION);
	return rc;
}

/* The connection, with what every one needs; SQLite's result code. */
static int
connect_db(struct store_sqlite *st, const char *name, int flags)
{
	int	 rc;

	if ((rc = sqlite3_open_v2(name, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL)) != SQLITE_OK)
		return rc;
	sqlite3_extended_result_codes(st->db, 1);
	/* Per connection: a reader waits for the daemon's short writes. */
	sqlite3_busy_timeout(st->db, 5000);
	return SQLITE_OK;
}

static void
disconnect_db(struct store_sqlite *st)
{
	sqlite3_close(st->db);
	st->db = NULL;
}

/* PRAGMA user_version; SQLite's result code. */
static int
read_version(struct store_sqlite *st, int *version)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL)) != SQLITE_OK)
		return rc;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * A reader of WAL needs the -shm file, which SQLite creates if it lacks.
 * In a directory this process cannot write (a backup, a state owned by
 * the daemon's user) it cannot; but with no -wal beside the database no
 * writer is running either (a writer keeps one), so the file is then
 * read as immutable, which needs no -shm.
 */
static int
open_read(struct store_sqlite *st)
{
	char	*real = NULL, *wal = NULL, *url = NULL, *uri = NULL;
	int	 rc, version;

	if (connect_db(st, st->path, SQLITE_OPEN_READONLY) != SQLITE_OK)
		return fail(st, "open");
	rc = read_version(st, &version);
	if ((rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_CANTOPEN)
		return rc == SQLITE_OK ? 0 : fail(st, "read");
	if ((real = realpath(st->path, NULL)) != NULL)
		wal = xasprintf("%s-wal", real);
	if (wal == NULL || access(wal, F_OK) == 0 ||
	    (url = g_filename_to_uri(real, NULL, NULL)) == NULL) {
		rc = fail(st, "read");
		goto out;
	}
	uri = xasprintf("%s?immutable=1", url);
	disconnect_db(st);
	if (connect_db(st, uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI) !=
	    SQLITE_OK || read_version(st, &version) != SQLITE_OK)
		rc = fail(st, "read");
	else
		rc = 0;
 out:
	free(real);
	free(wal);
	g_free(url);
	free(uri);
	return rc;
}

/* A store in memory: a copy of the state file, or with 'empty', empty. */
static int
open_copy(struct store_sqlite *st, int empty)
{
	struct store_sqlite	 src;
	sqlite3_backup	*b;
	int		 rc = -1;

	if (connect_db(st, ":memory:", SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE) != SQLITE_OK)
		return fail(st, "open a store in memory");
	if (empty)
		return 0;
	memset(&src, 0, sizeof(src));
	src.path = st->path;
	if (open_read(&src) == -1)
		goto out;
	if ((b = sqlite3_backup_init(st->db, "main", src.db, "main")) ==
	    NULL) {
		fail(st, "copy into memory");
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		rc = fail(st, "copy into memory");
		goto out;
	}
	log_debug("state '%s': the dry run works on a copy in memory",
	    st->path);
	rc = 0;
 out:
	sqlite3_close(src.db);
	return rc;
}

/*
 * A dry run uses the state itself when it can, in write transactions it
 * rolls back, so that a big state is not copied.  0: the state itself,
 * whose schema is this version's; 1: a store in memory, to set up.
 */
static int
open_dry(struct store_sqlite *st)
{
	int	 version = -1;

	if (access(st->path, F_OK) == -1)
		return open_copy(st, 1) == -1 ? -1 : 1;
	if (connect_db(st, st->path, SQLITE_OPEN_READWRITE) == SQLITE_OK &&
	    !sqlite3_db_readonly(st->db, "main") &&
	    read_version(st, &version) == SQLITE_OK &&
	    version == STORE_SCHEMA_VERSION)
		return 0;
	disconnect_db(st);
	return open_copy(st, 0) == -1 ? -1 : 1;
}

/* The writer: directory, file and lock first.  1: the lock is taken. */
static int
open_write(struct store_sqlite *st)
{
	char	*real = NULL;
	int	 rc = -1;

	if (store_file_create(st->path) == -1)
		goto out;
	if ((real = realpath(st->path, NULL)) == NULL) {
		log_warn("state '%s'", st->path);
		goto out;
	}
	if ((rc = store_file_lock(st->path, real, &st->lockfd)) != 0)
		goto out;
	/* by its real path: the file locked is the file written */
	if (connect_db(st, real, SQLITE_OPEN_READWRITE) != SQLITE_OK)
		rc = fail(st, "open");
 out:
	free(real);
	return rc;
}

/*
 * Control rows (mute) beside a writer: no lock file, but the state made
 * owner-only first if it lacks, as the writer would.
 */
static int
open_control(struct store_sqlite *st)
{
	if (store_file_create(st->path) == -1)
		return -1;
	if (connect_db(st, st->path, SQLITE_OPEN_READWRITE) != SQLITE_OK)
		return fail(st, "open");
	return 0;
}

/*
 * Brings the schema to this version.  The version is read inside the
 * transaction, so that of two processes opening a new state at once (a
 * mute beside a daemon starting) only the first creates it.  A control
 * store never upgrades an older schema: the writer it was made by may
 * be running.  0: done; 1: refused (said); -1: failed.
 */
static int
schema_setup(struct store_sqlite *st, enum store_mode mode)
{
	int	 version = 0, rc = -1;

	if (exec(st, "BEGIN IMMEDIATE") == -1)
		return -1;
	if (read_version(st, &version) != SQLITE_OK) {
		fail(st, "read the schema version");
		goto out;
	}
	if (version > STORE_SCHEMA_VERSION) {
		log_warnx("state '%s': schema version %d is newer than this "
		    "feedwatch understands (%d); upgrade feedwatch", st->path,
		    version, STORE_SCHEMA_VERSION);
		goto out;
	}
	if (mode == STORE_CONTROL && version > 0 &&
	    version < STORE_SCHEMA_VERSION) {
		refuse_older(st, version);
		rc = 1;
		goto out;
	}
	if (migrate(st, version) == -1)
		goto out;
	return exec(st, "COMMIT");
 out:
	exec(st, "ROLLBACK");
	return rc;
}

static void
sq_close(void *be)
{
	struct store_sqlite	*st = be;
	size_t			 i;

	for (i = 0; i < st->nstmts; i++)
		sqlite3_finalize(st->stmts[i].st);
	if (st->db != NULL && sqlite3_close_v2(st->db) != SQLITE_OK)
		log_warnx("state '%s': close: %s", st->path,
		    sqlite3_errmsg(st->db));
	/* after the database, so that the next writer finds it closed */
	if (st->lockfd != -1)
		close(st->lockfd);
	free(st->path);
	free(st);
}

static void *
sq_open(const char *path, enum store_mode mode)
{
	struct store_sqlite	*st;
	int			 rc, version = 0;

	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->lockfd = -1;
	st->dry = mode == STORE_DRY || mode == STORE_SCRATCH;
	switch (mode) {
	case STORE_READ:
		if (open_read(st) == -1 || read_version(st, &version) !=
		    SQLITE_OK)
			goto fail;
		if (version > 0 && version < STORE_SCHEMA_VERSION) {
			refuse_older(st, version);
			goto refused;
		}
		return st;
	case STORE_DRY:
		if ((rc = open_dry(st)) == -1)
			goto fail;
		if (rc == 0)
			return st;
		break;
	case STORE_WRITE:
		if ((rc = open_write(st)) == 1)
			goto refused;
		if (rc == -1)
			goto fail;
		break;
	case STORE_SCRATCH:
		if (open_copy(st, 1) == -1)
			goto fail;
		break;
	case STORE_CONTROL:
		if (open_control(st) == -1)
			goto fail;
		break;
	}
	/* FULL: a power loss must not undo a "delivered" or "seen" commit. */
	/*
	 * Large pages: item text is most of what is written, and each page is
	 * a write(2) into the WAL and another at the checkpoint.  page_size
	 * only takes effect on a new file (before WAL is set).
	 */
	if (exec(st, "PRAGMA page_size=65536; PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
	    "PRAGMA cache_size=-16384") == -1)
		goto fail;
	if ((rc = schema_setup(st, mode)) == 1)
		goto refused;
	if (rc == -1)
		goto fail;
	return st;
 fail:
	log_warnx("state '%s': cannot open the state store; check that its "
	    "directory is writable and that it is a feedwatch database (move "
	    "a damaged one aside and a new one starts)", path);
 refused:
	sq_close(st);
	return NULL;
}

/* Opens the group transaction before a write; IMMEDIATE takes the lock now. */
int
sq_batch(struct store_sqlite *st)
{
	if (st->batch)
		return 0;
	if (exec(st, "BEGIN IMMEDIATE") == -1)
		return -1;
	st->batch = 1;
	return 0;
}

static void
sq_abort(void *be)
{
	struct store_sqlite	*st = be;

	if (!st->batch)
		return;
	st->batch = 0;
	/* some errors (SQLITE_FULL, I/O) have rolled back already */
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK");
}

static int
sq_flush(void *be)
{
	struct store_sqlite	*st = be;

	if (st->dry) {
		sq_abort(st);
		return 0;
	}
	if (!st->batch)
		return 0;
	st->batch = 0;
	if (exec(st, "COMMIT") == -1) {
		if (!sqlite3_get_autocommit(st->db))
			exec(st, "ROLLBACK");
		return -1;
	}
	return 0;
}

struct sq_arg
sq_text(const char *v)
{
	struct sq_arg	 a = { v != NULL ? SQ_TEXT : SQ_NULL, v, 0, 0, 0 };

	return a;
}

struct sq_arg
sq_int(int64_t v)
{
	struct sq_arg	 a = { SQ_INT, NULL, v, 0, 0 };

	return a;
}

struct sq_arg
sq_real(double v)
{
	struct sq_arg	 a = { SQ_REAL, NULL, 0, 0, v };

	return a;
}

struct sq_arg
sq_null(void)
{
	struct sq_arg	 a = { SQ_NULL, NULL, 0, 0, 0 };

	return a;
}

struct sq_arg
sq_blob(const void *v, size_t len)
{
	struct sq_arg	 a = { SQ_BLOB, v, 0, len, 0 };

	return a;
}

static int
bind_args(sqlite3_stmt *s, const struct sq_arg *arg, size_t narg)
{
	size_t	 i;
	int	 rc = SQLITE_OK;

	/* a numbered parameter (?3) used twice counts once */
	if (narg != (size_t)sqlite3_bind_parameter_count(s))
		fatalx("%s: %zu values for '%s'", __func__, narg,
		    sqlite3_sql(s));
	for (i = 0; i < narg && rc == SQLITE_OK; i++)
		switch (arg[i].type) {
		case SQ_TEXT:
			rc = sqlite3_bind_text(s, (int)i + 1, arg[i].text, -1,
			    SQLITE_TRANSIENT);
			break;
		case SQ_INT:
			rc = sqlite3_bind_int64(s, (int)i + 1, arg[i].i);
			break;
		case SQ_REAL:
			rc = sqlite3_bind_double(s, (int)i + 1, arg[i].d);
			break;
		case SQ_NULL:
			rc = sqlite3_bind_null(s, (int)i + 1);
			break;
		case SQ_BLOB:
			rc = sqlite3_bind_blob64(s, (int)i + 1, arg[i].text,
			    arg[i].len, SQLITE_TRANSIENT);
			break;
		}
	return rc;
}

void
sq_row(sqlite3_stmt *s, const struct sq_out *out, size_t nout)
{
	const struct sq_out	*o;
	size_t			 i;
	int			 c;

	if (nout != (size_t)sqlite3_column_count(s))
		fatalx("%s: %zu places for '%s'", __func__, nout,
		    sqlite3_sql(s));
	for (i = 0; i < nout; i++) {
		c = (int)i;
		o = &out[i];
		if (o->text != NULL)
			*o->text = col_text(s, c);
		else if (o->i != NULL)
			*o->i = sqlite3_column_int(s, c);
		else if (o->l != NULL)
			*o->l = (long)sqlite3_column_int64(s, c);
		else if (o->time != NULL)
			*o->time = sqlite3_column_int64(s, c);
		else if (o->i64 != NULL)
			*o->i64 = sqlite3_column_int64(s, c);
		else if (o->d != NULL)
			*o->d = sqlite3_column_double(s, c);
		else
			fatalx("%s: nowhere for column %d of '%s'", __func__,
			    c, sqlite3_sql(s));
	}
}

int
sq_read(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg, sq_row_cb *row, void *rowarg)
{
	sqlite3_stmt	*s;
	int		 rc, any = 0;

	if ((s = stmt(st, sql)) == NULL)
		return -1;
	if (bind_args(s, arg, narg) != SQLITE_OK)
		return fail(st, what);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		any = 1;
		if (row != NULL && row(s, rowarg) != 0)
			break;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, what);
	return any;
}

int
sq_write(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg)
{
	if (sq_batch(st) == -1)
		return -1;
	return sq_read(st, sql, what, arg, narg, NULL, NULL);
}

struct sq_outv {
	const struct sq_out	*v;
	size_t			 n;
};

static int
row_out(sqlite3_stmt *s, void *arg)
{
	const struct sq_outv	*out = arg;

	sq_row(s, out->v, out->n);
	return 1;
}

int
sq_get(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg, const struct sq_out *out,
    size_t nout)
{
	struct sq_outv	 outv = { out, nout };

	return sq_read(st, sql, what, arg, narg, row_out, &outv);
}

int
sq_row_append(sqlite3_stmt *s, void *arg)
{
	struct sq_rows	*rows = arg;

	sq_row(s, rows->out, rows->nout);
	rows->v = xreallocarray(rows->v, rows->n + 1, rows->size);
	memcpy((char *)rows->v + rows->n++ * rows->size, rows->rec,
	    rows->size);
	return 0;
}

char **
sq_strv(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg)
{
	char			*text, **v;
	const struct sq_out	 out[] = { { .text = &text } };
	struct sq_rows		 rows = {
		out, SQ_NELEM(out), &text, sizeof(text), NULL, 0
	};

	sq_read(st, sql, what, arg, narg, sq_row_append, &rows);
	v = xreallocarray(rows.v, rows.n + 1, sizeof(*v));
	v[rows.n] = NULL;
	return v;
}

static int
sq_writer(void *be, struct store_writer *w)
{
	struct store_sqlite	*st = be;
	char			*real;
	int			 rc;

	if ((real = realpath(st->path, NULL)) == NULL) {
		log_warn("state '%s'", st->path);
		return -1;
	}
	rc = store_file_holder(st->path, real, w);
	free(real);
	return rc;
}

const struct store_ops store_sqlite_ops = {
	.open = sq_open,
	.close = sq_close,
	.flush = sq_flush,
	.abort = sq_abort,
	.feed_get = sq_feed_get,
	.feed_put = sq_feed_put,
	.feed_set_due = sq_feed_set_due,
	.feed_set_pace = sq_feed_set_pace,
	.feed_names = sq_feed_names,
	.feed_items = sq_feed_items,
	.feed_has_items = sq_feed_has_items,
	.item_add = sq_item_add,
	.story_claim = sq_story_claim,
	.story_also_in = sq_story_also_in,
	.outbox_add = sq_outbox_add,
	.outbox_defer = sq_outbox_defer,
	.send_log = sq_send_log,
	.send_count = sq_send_count,
	.outbox_due = sq_outbox_due,
	.outbox_delivered = sq_outbox_delivered,
	.outbox_retry = sq_outbox_retry,
	.outbox_failed = sq_outbox_failed,
	.outbox_next = sq_outbox_next,
	.sink_counts = sq_sink_counts,
	.prune = sq_prune,
	.items_foreach = sq_items_foreach,
	.sub_put = sq_sub_put,
	.sub_delete = sq_sub_delete,
	.subs = sq_subs,
	.article_add = sq_article_add,
	.article_done = sq_article_done,
	.articles_foreach = sq_articles_foreach,
	.outbox_foreach = sq_outbox_foreach,
	.mute = sq_mute,
	.unmute = sq_unmute,
	.mutes = sq_mutes,
	.writer = sq_writer,
};
