/*
 * store_sqlite.c: the SQLite backend of the state store (store_sqlite.h).
 *
 * Statements are prepared once per connection and cached by their SQL
 * text's address (every SQL string here is a static constant), so the hot
 * path (one item insert per item) costs a bind and a step.
 *
 * Pruning must not make an item that is still in its feed look new: an
 * item is dropped only when it has not been seen for 'keep' AND was
 * missing from the feed's last successful parse (last_seen older than the
 * feed's last_parsed).  A feed that answers 304 for a month keeps its
 * items.
 */
#include "store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>

#include "item.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define STORE_SCHEMA_VERSION	2
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
	"UPDATE feed SET gone = 0, next_due = 0 WHERE gone = 1;"
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

/* mkdir -p for the database's directory (0700: see store_sqlite.h). */
static int
make_parent(const char *path)
{
	char	*dir, *p, c;
	int	 rc = 0;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		goto out;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			log_warn("state directory '%s'", dir);
			rc = -1;
			goto out;
		}
		if ((*p = c) == '\0')
			break;
	}
 out:
	free(dir);
	return rc;
}

/*
 * Creates a missing database file owner-only before SQLite does: SQLite
 * would make it 0644 less the umask, and gives its -wal and -shm files
 * the database's mode.  No SQLite connection of this process has the
 * file open yet, so this close() drops no SQLite lock (a close of any
 * descriptor of a file drops the process's POSIX locks on it).
 */
static int
create_db(const struct store_sqlite *st)
{
	int	 fd;

	if (access(st->path, F_OK) == 0)
		return 0;
	if ((fd = open(st->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("state '%s'", st->path);
		return -1;
	}
	close(fd);
	return 0;
}

/* This process's command line, "feedwatch run -c FILE", for the lock. */
static void
self_command(char *buf, size_t len)
{
	char	 args[256];
	ssize_t	 n = -1, i, skip;
	int	 fd;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, args, sizeof(args) - 1);
		close(fd);
	}
	args[n > 0 ? n : 0] = '\0';
	/* argv[0] is a path: its name is enough */
	skip = (ssize_t)strlen(args) + 1;
	for (i = skip; i < n - 1; i++)
		if (args[i] == '\0')
			args[i] = ' ';
	snprintf(buf, len, "%s%s%s", program_invocation_short_name,
	    skip < n ? " " : "", skip < n ? args + skip : "");
}

/* Says who holds the lock, from what the holder wrote into it. */
static void
lock_holder(const struct store_sqlite *st, int fd, const char *lock)
{
	char		 buf[512], when[64], *cmd, *p;
	long		 pid;
	long long	 start;
	ssize_t		 n;
	int		 off = 0;
	time_t		 t;
	struct tm	 tm;

	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) < 0)
		n = 0;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %lld %n", &pid, &start, &off) != 2) {
		log_warnx("state '%s': in use by another process, which holds "
		    "'%s'; only one feedwatch may write a state at a time",
		    st->path, lock);
		return;
	}
	cmd = buf + off;
	cmd[strcspn(cmd, "\n")] = '\0';
	for (p = cmd; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	t = (time_t)start;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", start);
	log_warnx("state '%s': in use by '%s' (pid %ld) since %s; only one "
	    "feedwatch may write a state at a time: stop that one first "
	    "('status' and 'check --dry-run' work beside it)", st->path, cmd,
	    pid, when);
}

/*
 * Takes the writer's lock on 'real' (the database's resolved path): an
 * exclusive flock(2) on REAL.lock, a file of its own, so that SQLite's
 * POSIX locks on the database are never touched.  A flock belongs to
 * the open file, so the kernel drops it when the holder dies, whatever
 * the lock file still says.  0: held; 1: another process holds it
 * (said); -1: error (logged).
 */
static int
lock_take(struct store_sqlite *st, const char *real)
{
	char	*lock, cmd[256], line[512];
	int	 fd, n, rc = -1;

	lock = xasprintf("%s.lock", real);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		log_warn("state '%s': lock file '%s'", st->path, lock);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK) {
			lock_holder(st, fd, lock);
			rc = 1;
		} else
			log_warn("state '%s': lock '%s'", st->path, lock);
		goto out;
	}
	self_command(cmd, sizeof(cmd));
	n = snprintf(line, sizeof(line), "%ld %lld %s\n", (long)getpid(),
	    (long long)time(NULL), cmd);
	/* Only for the next one's message: the lock holds without it. */
	if (ftruncate(fd, 0) == -1 || pwrite(fd, line, n, 0) != n)
		log_warn("state '%s': cannot note this process in '%s'",
		    st->path, lock);
	st->lockfd = fd;
	fd = -1;
	rc = 0;
 out:
	if (fd != -1)
		close(fd);
	free(lock);
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

	if (make_parent(st->path) == -1 || create_db(st) == -1)
		goto out;
	if ((real = realpath(st->path, NULL)) == NULL) {
		log_warn("state '%s'", st->path);
		goto out;
	}
	if ((rc = lock_take(st, real)) != 0)
		goto out;
	/* by its real path: the file locked is the file written */
	if (connect_db(st, real, SQLITE_OPEN_READWRITE) != SQLITE_OK)
		rc = fail(st, "open");
 out:
	free(real);
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
	st->dry = mode == STORE_DRY;
	switch (mode) {
	case STORE_READ:
		if (open_read(st) == -1 || read_version(st, &version) !=
		    SQLITE_OK)
			goto fail;
		if (version > 0 && version < STORE_SCHEMA_VERSION) {
			log_warnx("state '%s': written by an older feedwatch "
			    "(schema %d); run 'feedwatch run' or 'feedwatch "
			    "check' once to upgrade it", path, version);
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
	if (read_version(st, &version) != SQLITE_OK) {
		fail(st, "read the schema version");
		goto fail;
	}
	if (version > STORE_SCHEMA_VERSION) {
		log_warnx("state '%s': schema version %d is newer than this "
		    "feedwatch understands (%d); upgrade feedwatch", path,
		    version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (exec(st, "BEGIN IMMEDIATE") == -1)
		goto fail;
	if (migrate(st, version) == -1) {
		exec(st, "ROLLBACK");
		goto fail;
	}
	if (exec(st, "COMMIT") == -1)
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
static int
batch(struct store_sqlite *st)
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

/*
 * Every statement below is its SQL, the values bound to its parameters
 * (struct sq_arg, one per parameter, in order) and, for a query, where
 * each column of a row goes (struct sq_out, one per column, in order).
 * Both counts are checked against the statement: a mismatch is a bug.
 */
struct sq_arg {
	enum { SQ_NULL, SQ_TEXT, SQ_INT } type;
	const char	*text;
	int64_t		 i;
};

/* Where a column goes: exactly one of these is set. */
struct sq_out {
	char		**text;		/* a string the record owns */
	int		 *i;
	long		 *l;
	time_t		 *time;
	int64_t		 *i64;
};

/* Reads one row of a query; non-zero stops the query there. */
typedef int sq_row_cb(sqlite3_stmt *s, void *arg);

#define SQ_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Text, bound as a copy; a NULL pointer binds SQL's NULL. */
static struct sq_arg
sq_text(const char *v)
{
	struct sq_arg	 a = { v != NULL ? SQ_TEXT : SQ_NULL, v, 0 };

	return a;
}

static struct sq_arg
sq_int(int64_t v)
{
	struct sq_arg	 a = { SQ_INT, NULL, v };

	return a;
}

static struct sq_arg
sq_null(void)
{
	struct sq_arg	 a = { SQ_NULL, NULL, 0 };

	return a;
}

static int
bind(sqlite3_stmt *s, const struct sq_arg *arg, size_t narg)
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
		case SQ_NULL:
			rc = sqlite3_bind_null(s, (int)i + 1);
			break;
		}
	return rc;
}

/* Reads the row 's' is on into 'out'. */
static void
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
		else
			fatalx("%s: nowhere for column %d of '%s'", __func__,
			    c, sqlite3_sql(s));
	}
}

/*
 * Runs the statement of 'sql' with 'arg' bound, calling 'row' (unless
 * NULL) with each row it returns, until 'row' says stop.  1 if it
 * returned a row, 0 if none, -1 after saying "state 'PATH': WHAT: why".
 */
static int
sq_read(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg, sq_row_cb *row, void *rowarg)
{
	sqlite3_stmt	*s;
	int		 rc, any = 0;

	if ((s = stmt(st, sql)) == NULL)
		return -1;
	if (bind(s, arg, narg) != SQLITE_OK)
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

/* sq_read() in the group of writes, which it opens if need be. */
static int
sq_write(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg)
{
	if (batch(st) == -1)
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

/* sq_read() of one row, into 'out'; untouched if there is none. */
static int
sq_get(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg, const struct sq_out *out,
    size_t nout)
{
	struct sq_outv	 outv = { out, nout };

	return sq_read(st, sql, what, arg, narg, row_out, &outv);
}

/*
 * A query's rows as an array of records: sq_read() with row_append()
 * reads each row through 'out' into 'rec', then appends a copy to 'v'
 * (which owns the strings read).
 */
struct sq_rows {
	const struct sq_out	*out;
	size_t			 nout;
	const void		*rec;
	size_t			 size;
	void			*v;
	size_t			 n;
};

static int
row_append(sqlite3_stmt *s, void *arg)
{
	struct sq_rows	*rows = arg;

	sq_row(s, rows->out, rows->nout);
	rows->v = xreallocarray(rows->v, rows->n + 1, rows->size);
	memcpy((char *)rows->v + rows->n++ * rows->size, rows->rec,
	    rows->size);
	return 0;
}

/* The first column of every row; never NULL (on error, what was read). */
static char **
sq_strv(struct store_sqlite *st, const char *sql, const char *what,
    const struct sq_arg *arg, size_t narg)
{
	char			*text, **v;
	const struct sq_out	 out[] = { { .text = &text } };
	struct sq_rows		 rows = {
		out, SQ_NELEM(out), &text, sizeof(text), NULL, 0
	};

	sq_read(st, sql, what, arg, narg, row_append, &rows);
	v = xreallocarray(rows.v, rows.n + 1, sizeof(*v));
	v[rows.n] = NULL;
	return v;
}

static const char sql_feed_get[] =
    "SELECT etag, last_modified, moved_to, http_status, error, last_poll,"
    " last_ok, failing_since, next_due, failures, gone, health_alerted,"
    " missed, last_parsed, url, redirect_to, redirects, ttl FROM feed"
    " WHERE name = ?";

static int
sq_feed_get(void *be, const char *feed, struct feed_state *fs)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };
	const struct sq_out	 out[] = {
		{ .text = &fs->etag }, { .text = &fs->last_modified },
		{ .text = &fs->moved_to }, { .l = &fs->http_status },
		{ .text = &fs->error }, { .time = &fs->last_poll },
		{ .time = &fs->last_ok }, { .time = &fs->failing_since },
		{ .time = &fs->next_due }, { .i = &fs->failures },
		{ .i = &fs->gone }, { .i = &fs->health_alerted },
		{ .l = &fs->missed }, { .time = &fs->last_parsed },
		{ .text = &fs->url }, { .text = &fs->redirect_to },
		{ .i = &fs->redirects }, { .l = &fs->ttl },
	};

	memset(fs, 0, sizeof(*fs));
	return sq_get(be, sql_feed_get, "read feed state", arg, SQ_NELEM(arg),
	    out, SQ_NELEM(out)) == -1 ? -1 : 0;
}

static const char sql_feed_put[] =
    "INSERT INTO feed (name, etag, last_modified, moved_to, http_status,"
    " error, last_poll, last_ok, failing_since, next_due, failures, gone,"
    " health_alerted, missed, last_parsed, url, redirect_to, redirects,"
    " ttl) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,"
    " ?16,?17,?18,?19) ON CONFLICT (name) DO UPDATE SET"
    " etag=?2, last_modified=?3, moved_to=?4, http_status=?5, error=?6,"
    " last_poll=?7, last_ok=?8, failing_since=?9, next_due=?10,"
    " failures=?11, gone=?12, health_alerted=?13, missed=?14,"
    " last_parsed=?15, url=?16, redirect_to=?17, redirects=?18, ttl=?19";

static int
sq_feed_put(void *be, const char *feed,
    const struct feed_state *fs)
{
	const struct sq_arg	 arg[] = {
		sq_text(feed), sq_text(fs->etag), sq_text(fs->last_modified),
		sq_text(fs->moved_to), sq_int(fs->http_status),
		sq_text(fs->error), sq_int(fs->last_poll), sq_int(fs->last_ok),
		sq_int(fs->failing_since), sq_int(fs->next_due),
		sq_int(fs->failures), sq_int(fs->gone),
		sq_int(fs->health_alerted), sq_int(fs->missed),
		sq_int(fs->last_parsed), sq_text(fs->url),
		sq_text(fs->redirect_to), sq_int(fs->redirects),
		sq_int(fs->ttl),
	};

	return sq_write(be, sql_feed_put, "write feed state", arg,
	    SQ_NELEM(arg));
}

static const char sql_feed_due[] =
    "INSERT INTO feed (name, next_due) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET next_due = ?2";

static int
sq_feed_set_due(void *be, const char *feed, time_t due)
{
	const struct sq_arg	 arg[] = { sq_text(feed), sq_int(due) };

	return sq_write(be, sql_feed_due, "write feed state", arg,
	    SQ_NELEM(arg));
}

static const char sql_feed_names[] = "SELECT name FROM feed ORDER BY name";

static char **
sq_feed_names(void *be)
{
	return sq_strv(be, sql_feed_names, "read feeds", NULL, 0);
}

static const char sql_has_items[] =
    "SELECT 1 FROM item WHERE feed = ? LIMIT 1";

static int
sq_feed_has_items(void *be, const char *feed)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };

	return sq_read(be, sql_has_items, "read items", arg, SQ_NELEM(arg),
	    NULL, NULL);
}

static const char sql_feed_items[] =
    "SELECT count(*) FROM item WHERE feed = ?";

static long
sq_feed_items(void *be, const char *feed)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };
	long			 n = 0;
	const struct sq_out	 out[] = { { .l = &n } };

	if (sq_get(be, sql_feed_items, "count items", arg, SQ_NELEM(arg),
	    out, SQ_NELEM(out)) == -1)
		return -1;
	return n;
}

/* Categories joined by U+001F, which normalized text never holds. */
static char *
join_categories(const struct feed_item *it)
{
	size_t	 i, len = 1;
	char	*s;

	if (it->ncategories == 0)
		return NULL;
	for (i = 0; i < it->ncategories; i++)
		len += strlen(it->categories[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < it->ncategories; i++) {
		if (i > 0)
			strcat(s, "\x1f");
		strcat(s, it->categories[i]);
	}
	return s;
}

/* The reverse of join_categories(): NULL and 0 for none. */
static char **
split_categories(const char *cats, size_t *ncat)
{
	const char	*p = cats, *q;
	char		**catv = NULL;

	*ncat = 0;
	if (cats == NULL)
		return NULL;
	for (;;) {
		q = strchrnul(p, '\x1f');
		catv = xreallocarray(catv, *ncat + 1, sizeof(*catv));
		catv[(*ncat)++] = xstrndup(p, q - p);
		if (*q == '\0')
			break;
		p = q + 1;
	}
	return catv;
}

/* An item's date: SQL's NULL for none. */
static struct sq_arg
sq_date(time_t t)
{
	return t != FEED_ITEM_NO_DATE ? sq_int(t) : sq_null();
}

/*
 * OR IGNORE, not ON CONFLICT DO NOTHING: with RETURNING, the latter makes
 * SQLite copy every page the insert touches into a statement journal
 * first (64 KiB a page, twice per item: 17 GB of temporary writes for a
 * first poll of 10,000 feeds).  What OR IGNORE may also skip, a NULL in a
 * NOT NULL column, is never bound here.
 */
static const char sql_item_insert[] =
    "INSERT OR IGNORE INTO item (feed, key, first_seen, last_seen, id,"
    " feed_url, feed_title, title, link, author, categories, summary,"
    " published, updated) VALUES (?1,?2,?3,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
    " ?12,?13) RETURNING 1";
static const char sql_item_touch[] =
    "UPDATE item SET last_seen = ?3 WHERE feed = ?1 AND key = ?2";

static int
sq_item_add(void *be, const char *feed, const char *key,
    const struct feed_item *it, time_t now)
{
	char			*cats = join_categories(it);
	const struct sq_arg	 add[] = {
		sq_text(feed), sq_text(key), sq_int(now), sq_text(it->id),
		sq_text(it->feed), sq_text(it->feed_title),
		sq_text(it->title), sq_text(it->link), sq_text(it->author),
		sq_text(cats), sq_text(it->summary), sq_date(it->published),
		sq_date(it->updated),
	};
	const struct sq_arg	 touch[] = {
		sq_text(feed), sq_text(key), sq_int(now)
	};
	int			 rc;

	rc = sq_write(be, sql_item_insert, "record item", add, SQ_NELEM(add));
	free(cats);
	if (rc != 0)
		return rc;
	return sq_write(be, sql_item_touch, "touch item", touch,
	    SQ_NELEM(touch));
}

static const char sql_story_get[] =
    "SELECT alert_id FROM story WHERE topic = ? AND key = ?";
static const char sql_story_put[] =
    "INSERT INTO story (topic, key, alert_id, created) VALUES (?,?,?,?)"
    " ON CONFLICT DO NOTHING";
static const char sql_also_in_add[] =
    "INSERT INTO also_in (alert_id, feed, created) VALUES (?,?,?)"
    " ON CONFLICT DO NOTHING";

static int
sq_story_claim(void *be, const char *topic,
    const char *const *keys, size_t nkeys, const char *feed,
    const char *alert_id, time_t now)
{
	char	*owner = NULL;
	size_t	 i;
	int	 rc;

	if (batch(be) == -1)
		return -1;
	for (i = 0; i < nkeys && owner == NULL; i++) {
		const struct sq_arg get[] = {
			sq_text(topic), sq_text(keys[i])
		};
		const struct sq_out out[] = { { .text = &owner } };

		if (keys[i] != NULL && sq_get(be, sql_story_get, "read story",
		    get, SQ_NELEM(get), out, SQ_NELEM(out)) == -1)
			return -1;
	}
	if (owner != NULL) {
		const struct sq_arg also[] = {
			sq_text(owner), sq_text(feed), sq_int(now)
		};

		/*
		 * The same alert again (the same feed re-listing it) is no
		 * news.
		 */
		rc = 0;
		if (strcmp(owner, alert_id) != 0)
			rc = sq_write(be, sql_also_in_add, "record also_in",
			    also, SQ_NELEM(also));
		free(owner);
		return rc;
	}
	for (i = 0; i < nkeys; i++) {
		const struct sq_arg put[] = {
			sq_text(topic), sq_text(keys[i]), sq_text(alert_id),
			sq_int(now)
		};

		if (keys[i] != NULL && sq_write(be, sql_story_put,
		    "record story", put, SQ_NELEM(put)) == -1)
			return -1;
	}
	return 1;
}

static const char sql_also_in[] =
    "SELECT feed FROM also_in WHERE alert_id = ? ORDER BY created, feed";

static char **
sq_story_also_in(void *be, const char *alert_id)
{
	const struct sq_arg	 arg[] = { sq_text(alert_id) };

	return sq_strv(be, sql_also_in, "read also_in", arg, SQ_NELEM(arg));
}

static const char sql_outbox_add[] =
    "INSERT INTO outbox (sink, topic, alert_id, payload, created, next_at)"
    " VALUES (?1,?2,?3,?4,?5,?5) ON CONFLICT DO NOTHING";

static int
sq_outbox_add(void *be, const char *sink, const char *topic,
    const char *alert_id, const char *payload, time_t now)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_text(topic), sq_text(alert_id),
		sq_text(payload), sq_int(now)
	};

	return sq_write(be, sql_outbox_add, "queue alert", arg,
	    SQ_NELEM(arg));
}

static const char sql_outbox_defer[] =
    "UPDATE outbox SET next_at = ?2, fold = max(fold, ?3) WHERE id = ?1";

static int
sq_outbox_defer(void *be, int64_t id, time_t next_at, int fold)
{
	const struct sq_arg	 arg[] = {
		sq_int(id), sq_int(next_at), sq_int(fold)
	};

	return sq_write(be, sql_outbox_defer, "hold alert", arg,
	    SQ_NELEM(arg));
}

static const char sql_send_log[] =
    "INSERT INTO sent (sink, topic, at) VALUES (?, ?, ?)";

static int
sq_send_log(void *be, const char *sink, const char *topic,
    time_t now)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_text(topic), sq_int(now)
	};

	return sq_write(be, sql_send_log, "record a send", arg,
	    SQ_NELEM(arg));
}

static const char sql_send_count[] =
    "SELECT count(*), min(at) FROM sent WHERE sink = ? AND topic = ?"
    " AND at >= ?";

static int
sq_send_count(void *be, const char *sink, const char *topic,
    time_t since, long *count, time_t *oldest)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_text(topic), sq_int(since)
	};
	const struct sq_out	 out[] = {
		{ .l = count }, { .time = oldest }
	};

	*count = 0;
	*oldest = 0;
	return sq_get(be, sql_send_count, "read sent", arg, SQ_NELEM(arg),
	    out, SQ_NELEM(out)) == -1 ? -1 : 0;
}

static const char sql_outbox_due[] =
    "SELECT id, sink, alert_id, payload, attempts, created, topic, fold"
    " FROM outbox"
    " WHERE sink = ? AND delivered_at IS NULL AND failed_at IS NULL"
    " AND next_at <= ? ORDER BY next_at, id LIMIT ?";

static int
sq_outbox_due(void *be, const char *sink, time_t now, size_t max,
    struct outbox_row **rows, size_t *nrows)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_int(now), sq_int((int64_t)max)
	};
	struct outbox_row	 r;
	const struct sq_out	 out[] = {
		{ .i64 = &r.id }, { .text = &r.sink }, { .text = &r.alert_id },
		{ .text = &r.payload }, { .i = &r.attempts },
		{ .time = &r.created }, { .text = &r.topic }, { .i = &r.fold }
	};
	struct sq_rows		 due = {
		out, SQ_NELEM(out), &r, sizeof(r), NULL, 0
	};

	memset(&r, 0, sizeof(r));
	*rows = NULL;
	*nrows = 0;
	if (sq_read(be, sql_outbox_due, "read outbox", arg, SQ_NELEM(arg),
	    row_append, &due) == -1) {
		outbox_rows_free(due.v, due.n);
		return -1;
	}
	*rows = due.v;
	*nrows = due.n;
	return 0;
}

static const char sql_outbox_delivered[] =
    "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";
static const char sql_outbox_retry[] =
    "UPDATE outbox SET next_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";
static const char sql_outbox_failed[] =
    "UPDATE outbox SET failed_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";

static int
outbox_update(void *be, const char *sql, int64_t id, time_t t,
    const char *error)
{
	const struct sq_arg	 arg[] = {
		sq_int(id), sq_int(t), sq_text(error)
	};

	return sq_write(be, sql, "update outbox", arg, SQ_NELEM(arg));
}

static int
sq_outbox_delivered(void *be, int64_t id, time_t now)
{
	return outbox_update(be, sql_outbox_delivered, id, now, NULL);
}

static int
sq_outbox_retry(void *be, int64_t id, time_t next_at,
    const char *error)
{
	return outbox_update(be, sql_outbox_retry, id, next_at, error);
}

static int
sq_outbox_failed(void *be, int64_t id, time_t now,
    const char *error)
{
	return outbox_update(be, sql_outbox_failed, id, now, error);
}

static const char sql_outbox_next[] =
    "SELECT min(next_at) FROM outbox"
    " WHERE delivered_at IS NULL AND failed_at IS NULL";

static time_t
sq_outbox_next(void *be)
{
	time_t			 t = 0;
	const struct sq_out	 out[] = { { .time = &t } };

	if (sq_get(be, sql_outbox_next, "read outbox", NULL, 0, out,
	    SQ_NELEM(out)) == -1)
		return 0;
	return t;
}

static const char sql_sink_counts[] =
    "SELECT sink,"
    " sum(delivered_at IS NULL AND failed_at IS NULL),"
    " sum(failed_at IS NOT NULL), sum(delivered_at IS NOT NULL),"
    " (SELECT last_error FROM outbox o2 WHERE o2.sink = outbox.sink"
    "  AND o2.last_error IS NOT NULL ORDER BY o2.id DESC LIMIT 1)"
    " FROM outbox GROUP BY sink ORDER BY sink";

static int
sq_sink_counts(void *be, struct sink_counts **out, size_t *n)
{
	struct sink_counts	 c;
	const struct sq_out	 col[] = {
		{ .text = &c.sink }, { .l = &c.pending }, { .l = &c.failed },
		{ .l = &c.delivered }, { .text = &c.last_error }
	};
	struct sq_rows		 rows = {
		col, SQ_NELEM(col), &c, sizeof(c), NULL, 0
	};
	int			 rc;

	memset(&c, 0, sizeof(c));
	rc = sq_read(be, sql_sink_counts, "read outbox", NULL, 0, row_append,
	    &rows);
	*out = rows.v;
	*n = rows.n;
	return rc == -1 ? -1 : 0;
}

static const char *const sql_prune[] = {
	"DELETE FROM item WHERE last_seen < ?1 AND last_seen <"
	" coalesce((SELECT last_parsed FROM feed"
	" WHERE feed.name = item.feed), 0)",
	"DELETE FROM story WHERE created < ?1",
	"DELETE FROM also_in WHERE created < ?1",
	"DELETE FROM sent WHERE at < ?1",
	"DELETE FROM outbox WHERE (delivered_at IS NOT NULL OR failed_at IS"
	" NOT NULL) AND created < ?1",
};

static int
sq_prune(void *be, time_t before)
{
	const struct sq_arg	 arg[] = { sq_int(before) };
	size_t			 i;

	for (i = 0; i < sizeof(sql_prune) / sizeof(sql_prune[0]); i++)
		if (sq_write(be, sql_prune[i], "prune", arg,
		    SQ_NELEM(arg)) == -1)
			return -1;
	return 0;
}

static const char sql_items_since[] =
    "SELECT feed, id, feed_url, feed_title, title, link, author, categories,"
    " summary, published, updated FROM item WHERE first_seen >= ?"
    " ORDER BY first_seen, feed, key";

struct item_walk {
	store_item_cb	*cb;
	void		*arg;
};

/* Hands a row to the callback as an item borrowed from the statement. */
static int
row_item(sqlite3_stmt *s, void *arg)
{
	struct item_walk	*w = arg;
	struct feed_item	 it;
	char			**catv;
	size_t			 ncat, i;
	int			 rc;

	memset(&it, 0, sizeof(it));
	it.id = (const char *)sqlite3_column_text(s, 1);
	it.feed = (const char *)sqlite3_column_text(s, 2);
	it.feed_title = (const char *)sqlite3_column_text(s, 3);
	it.title = (const char *)sqlite3_column_text(s, 4);
	it.link = (const char *)sqlite3_column_text(s, 5);
	it.author = (const char *)sqlite3_column_text(s, 6);
	it.summary = (const char *)sqlite3_column_text(s, 8);
	it.published = sqlite3_column_type(s, 9) == SQLITE_NULL ?
	    FEED_ITEM_NO_DATE : sqlite3_column_int64(s, 9);
	it.updated = sqlite3_column_type(s, 10) == SQLITE_NULL ?
	    FEED_ITEM_NO_DATE : sqlite3_column_int64(s, 10);
	catv = split_categories((const char *)sqlite3_column_text(s, 7),
	    &ncat);
	it.categories = (const char *const *)catv;
	it.ncategories = ncat;
	rc = w->cb((const char *)sqlite3_column_text(s, 0), &it, w->arg);
	for (i = 0; i < ncat; i++)
		free(catv[i]);
	free(catv);
	return rc == -1;
}

static int
sq_items_foreach(void *be, time_t since, store_item_cb *cb,
    void *arg)
{
	const struct sq_arg	 sql_arg[] = { sq_int(since) };
	struct item_walk	 w = { cb, arg };

	return sq_read(be, sql_items_since, "read items", sql_arg,
	    SQ_NELEM(sql_arg), row_item, &w) == -1 ? -1 : 0;
}

const struct store_ops store_sqlite_ops = {
	.open = sq_open,
	.close = sq_close,
	.flush = sq_flush,
	.abort = sq_abort,
	.feed_get = sq_feed_get,
	.feed_put = sq_feed_put,
	.feed_set_due = sq_feed_set_due,
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
};
