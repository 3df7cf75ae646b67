/*
 * store.c: the SQLite state store.
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
#include "store.h"

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
#include "xmalloc.h"

#define STORE_SCHEMA_VERSION	2
#define STORE_MAX_STMTS		48

struct store {
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
fail(struct store *st, const char *what)
{
	log_warnx("state '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

/* The cached statement for 'sql', reset and unbound; NULL after logging. */
static sqlite3_stmt *
stmt(struct store *st, const char *sql)
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

static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char	*v = sqlite3_column_text(s, i);

	return v != NULL ? xstrdup((const char *)v) : NULL;
}

/* Runs a statement that returns no rows. */
static int
step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int	 rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return fail(st, what);
	return 0;
}

static int
exec(struct store *st, const char *sql)
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
migrate(struct store *st, int version)
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

/* mkdir -p for the database's directory (0700: see store.h). */
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
create_db(const struct store *st)
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
lock_holder(const struct store *st, int fd, const char *lock)
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
lock_take(struct store *st, const char *real)
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
connect_db(struct store *st, const char *name, int flags)
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
disconnect_db(struct store *st)
{
	sqlite3_close(st->db);
	st->db = NULL;
}

/* PRAGMA user_version; SQLite's result code. */
static int
read_version(struct store *st, int *version)
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
open_read(struct store *st)
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
open_copy(struct store *st, int empty)
{
	struct store	 src;
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
open_dry(struct store *st)
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
open_write(struct store *st)
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

struct store *
store_open(const char *path, enum store_mode mode)
{
	struct store	*st;
	int		 rc, version = 0;

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
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	if (store_flush(st) == -1)
		log_warnx("state '%s': the last writes were lost", st->path);
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

const char *
store_path(const struct store *st)
{
	return st->path;
}

char *
store_default_path(void)
{
	const char	*e;

	if ((e = getenv("STATE_DIRECTORY")) != NULL && *e != '\0') {
		/* systemd may pass several, colon-separated: use the first. */
		return xasprintf("%.*s/state.db", (int)strcspn(e, ":"), e);
	}
	if ((e = getenv("XDG_STATE_HOME")) != NULL && *e != '\0')
		return xasprintf("%s/feedwatch/state.db", e);
	if ((e = getenv("HOME")) != NULL && *e != '\0')
		return xasprintf("%s/.local/state/feedwatch/state.db", e);
	return xstrdup("feedwatch-state.db");
}

/* Opens the group transaction before a write; IMMEDIATE takes the lock now. */
static int
batch(struct store *st)
{
	if (st->batch)
		return 0;
	if (exec(st, "BEGIN IMMEDIATE") == -1)
		return -1;
	st->batch = 1;
	return 0;
}

int
store_flush(struct store *st)
{
	if (st->dry) {
		store_abort(st);
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

void
store_abort(struct store *st)
{
	if (!st->batch)
		return;
	st->batch = 0;
	/* some errors (SQLITE_FULL, I/O) have rolled back already */
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK");
}

static const char sql_feed_get[] =
    "SELECT etag, last_modified, moved_to, http_status, error, last_poll,"
    " last_ok, failing_since, next_due, failures, gone, health_alerted,"
    " missed, last_parsed, url, redirect_to, redirects, ttl FROM feed"
    " WHERE name = ?";

int
store_feed_get(struct store *st, const char *feed, struct feed_state *fs)
{
	sqlite3_stmt	*s;
	int		 rc;

	memset(fs, 0, sizeof(*fs));
	if ((s = stmt(st, sql_feed_get)) == NULL ||
	    bind_text(s, 1, feed) != SQLITE_OK)
		return fail(st, "read feed state");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fs->etag = col_text(s, 0);
		fs->last_modified = col_text(s, 1);
		fs->moved_to = col_text(s, 2);
		fs->http_status = sqlite3_column_int64(s, 3);
		fs->error = col_text(s, 4);
		fs->last_poll = sqlite3_column_int64(s, 5);
		fs->last_ok = sqlite3_column_int64(s, 6);
		fs->failing_since = sqlite3_column_int64(s, 7);
		fs->next_due = sqlite3_column_int64(s, 8);
		fs->failures = sqlite3_column_int(s, 9);
		fs->gone = sqlite3_column_int(s, 10);
		fs->health_alerted = sqlite3_column_int(s, 11);
		fs->missed = sqlite3_column_int64(s, 12);
		fs->last_parsed = sqlite3_column_int64(s, 13);
		fs->url = col_text(s, 14);
		fs->redirect_to = col_text(s, 15);
		fs->redirects = sqlite3_column_int(s, 16);
		fs->ttl = sqlite3_column_int64(s, 17);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "read feed state");
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

int
store_feed_put(struct store *st, const char *feed,
    const struct feed_state *fs)
{
	sqlite3_stmt	*s;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql_feed_put)) == NULL)
		return -1;
	if (bind_text(s, 1, feed) != SQLITE_OK ||
	    bind_text(s, 2, fs->etag) != SQLITE_OK ||
	    bind_text(s, 3, fs->last_modified) != SQLITE_OK ||
	    bind_text(s, 4, fs->moved_to) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, fs->http_status) != SQLITE_OK ||
	    bind_text(s, 6, fs->error) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, fs->last_poll) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 8, fs->last_ok) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, fs->failing_since) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 10, fs->next_due) != SQLITE_OK ||
	    sqlite3_bind_int(s, 11, fs->failures) != SQLITE_OK ||
	    sqlite3_bind_int(s, 12, fs->gone) != SQLITE_OK ||
	    sqlite3_bind_int(s, 13, fs->health_alerted) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 14, fs->missed) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 15, fs->last_parsed) != SQLITE_OK ||
	    bind_text(s, 16, fs->url) != SQLITE_OK ||
	    bind_text(s, 17, fs->redirect_to) != SQLITE_OK ||
	    sqlite3_bind_int(s, 18, fs->redirects) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 19, fs->ttl) != SQLITE_OK)
		return fail(st, "bind feed state");
	return step_done(st, s, "write feed state");
}

void
feed_state_clear(struct feed_state *fs)
{
	free(fs->url);
	free(fs->etag);
	free(fs->last_modified);
	free(fs->moved_to);
	free(fs->redirect_to);
	free(fs->error);
	memset(fs, 0, sizeof(*fs));
}

int
feed_state_rebind(struct feed_state *fs, const char *url)
{
	int	 other = fs->url != NULL;

	if (other && strcmp(fs->url, url) == 0)
		return 0;
	free(fs->url);
	fs->url = xstrdup(url);
	if (!other)
		return 0;
	free(fs->etag);
	free(fs->last_modified);
	free(fs->moved_to);
	free(fs->redirect_to);
	free(fs->error);
	fs->etag = fs->last_modified = fs->moved_to = fs->redirect_to = NULL;
	fs->error = NULL;
	fs->redirects = 0;
	fs->gone = 0;
	fs->failures = 0;
	fs->http_status = 0;
	fs->last_parsed = 0;
	fs->next_due = 0;
	fs->ttl = 0;
	return 1;
}

static const char sql_feed_due[] =
    "INSERT INTO feed (name, next_due) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET next_due = ?2";

int
store_feed_set_due(struct store *st, const char *feed, time_t due)
{
	sqlite3_stmt	*s;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql_feed_due)) == NULL)
		return -1;
	if (bind_text(s, 1, feed) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, due) != SQLITE_OK)
		return fail(st, "bind feed state");
	return step_done(st, s, "write feed state");
}

static const char sql_feed_names[] = "SELECT name FROM feed ORDER BY name";

char **
store_feed_names(struct store *st)
{
	sqlite3_stmt	*s;
	char		**v;
	size_t		  n = 0;

	v = xcalloc(1, sizeof(*v));
	if ((s = stmt(st, sql_feed_names)) == NULL)
		return v;
	while (sqlite3_step(s) == SQLITE_ROW) {
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = col_text(s, 0);
		v[n] = NULL;
	}
	sqlite3_reset(s);
	return v;
}

void
store_strv_free(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static const char sql_has_items[] =
    "SELECT 1 FROM item WHERE feed = ? LIMIT 1";

int
store_feed_has_items(struct store *st, const char *feed)
{
	sqlite3_stmt	*s;
	int		 rc;

	if ((s = stmt(st, sql_has_items)) == NULL ||
	    bind_text(s, 1, feed) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, "read items");
	return rc == SQLITE_ROW;
}

static const char sql_feed_items[] =
    "SELECT count(*) FROM item WHERE feed = ?";

long
store_feed_items(struct store *st, const char *feed)
{
	sqlite3_stmt	*s;
	long		 n = -1;

	if ((s = stmt(st, sql_feed_items)) == NULL ||
	    bind_text(s, 1, feed) != SQLITE_OK)
		return fail(st, "count items");
	if (sqlite3_step(s) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n == -1 ? fail(st, "count items") : n;
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

int
store_item_add(struct store *st, const char *feed, const char *key,
    const struct feed_item *it, time_t now)
{
	sqlite3_stmt	*s;
	char		*cats;
	int		 rc;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql_item_insert)) == NULL)
		return -1;
	cats = join_categories(it);
	rc = bind_text(s, 1, feed) | bind_text(s, 2, key) |
	    sqlite3_bind_int64(s, 3, now) | bind_text(s, 4, it->id) |
	    bind_text(s, 5, it->feed) | bind_text(s, 6, it->feed_title) |
	    bind_text(s, 7, it->title) | bind_text(s, 8, it->link) |
	    bind_text(s, 9, it->author) | bind_text(s, 10, cats) |
	    bind_text(s, 11, it->summary);
	if (it->published != FEED_ITEM_NO_DATE)
		rc |= sqlite3_bind_int64(s, 12, it->published);
	if (it->updated != FEED_ITEM_NO_DATE)
		rc |= sqlite3_bind_int64(s, 13, it->updated);
	free(cats);
	if (rc != SQLITE_OK)
		return fail(st, "bind item");
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return fail(st, "record item");
	if ((s = stmt(st, sql_item_touch)) == NULL)
		return -1;
	if (bind_text(s, 1, feed) != SQLITE_OK ||
	    bind_text(s, 2, key) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, now) != SQLITE_OK)
		return fail(st, "bind item");
	return step_done(st, s, "touch item") == -1 ? -1 : 0;
}

static const char sql_story_get[] =
    "SELECT alert_id FROM story WHERE topic = ? AND key = ?";
static const char sql_story_put[] =
    "INSERT INTO story (topic, key, alert_id, created) VALUES (?,?,?,?)"
    " ON CONFLICT DO NOTHING";
static const char sql_also_in_add[] =
    "INSERT INTO also_in (alert_id, feed, created) VALUES (?,?,?)"
    " ON CONFLICT DO NOTHING";

int
store_story_claim(struct store *st, const char *topic,
    const char *const *keys, size_t nkeys, const char *feed,
    const char *alert_id, time_t now)
{
	sqlite3_stmt	*s;
	char		*owner = NULL;
	size_t		 i;
	int		 rc;

	if (batch(st) == -1)
		return -1;
	for (i = 0; i < nkeys && owner == NULL; i++) {
		if (keys[i] == NULL)
			continue;
		if ((s = stmt(st, sql_story_get)) == NULL)
			return -1;
		if (bind_text(s, 1, topic) != SQLITE_OK ||
		    bind_text(s, 2, keys[i]) != SQLITE_OK)
			return fail(st, "bind story");
		if ((rc = sqlite3_step(s)) == SQLITE_ROW)
			owner = col_text(s, 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return fail(st, "read story");
	}
	if (owner != NULL) {
		/* The same alert again (the same feed re-listing it) is no news. */
		rc = 0;
		if (strcmp(owner, alert_id) != 0) {
			if ((s = stmt(st, sql_also_in_add)) == NULL ||
			    bind_text(s, 1, owner) != SQLITE_OK ||
			    bind_text(s, 2, feed) != SQLITE_OK ||
			    sqlite3_bind_int64(s, 3, now) != SQLITE_OK ||
			    step_done(st, s, "record also_in") == -1)
				rc = -1;
		}
		free(owner);
		return rc;
	}
	for (i = 0; i < nkeys; i++) {
		if (keys[i] == NULL)
			continue;
		if ((s = stmt(st, sql_story_put)) == NULL)
			return -1;
		if (bind_text(s, 1, topic) != SQLITE_OK ||
		    bind_text(s, 2, keys[i]) != SQLITE_OK ||
		    bind_text(s, 3, alert_id) != SQLITE_OK ||
		    sqlite3_bind_int64(s, 4, now) != SQLITE_OK)
			return fail(st, "bind story");
		if (step_done(st, s, "record story") == -1)
			return -1;
	}
	return 1;
}

static const char sql_also_in[] =
    "SELECT feed FROM also_in WHERE alert_id = ? ORDER BY created, feed";

char **
store_story_also_in(struct store *st, const char *alert_id)
{
	sqlite3_stmt	*s;
	char		**v;
	size_t		  n = 0;

	v = xcalloc(1, sizeof(*v));
	if ((s = stmt(st, sql_also_in)) == NULL ||
	    bind_text(s, 1, alert_id) != SQLITE_OK)
		return v;
	while (sqlite3_step(s) == SQLITE_ROW) {
		v = xreallocarray(v, n + 2, sizeof(*v));
		v[n++] = col_text(s, 0);
		v[n] = NULL;
	}
	sqlite3_reset(s);
	return v;
}

static const char sql_outbox_add[] =
    "INSERT INTO outbox (sink, topic, alert_id, payload, created, next_at)"
    " VALUES (?1,?2,?3,?4,?5,?5) ON CONFLICT DO NOTHING";

int
store_outbox_add(struct store *st, const char *sink, const char *topic,
    const char *alert_id, const char *payload, time_t now)
{
	sqlite3_stmt	*s;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql_outbox_add)) == NULL)
		return -1;
	if (bind_text(s, 1, sink) != SQLITE_OK ||
	    bind_text(s, 2, topic) != SQLITE_OK ||
	    bind_text(s, 3, alert_id) != SQLITE_OK ||
	    bind_text(s, 4, payload) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, now) != SQLITE_OK)
		return fail(st, "bind outbox");
	return step_done(st, s, "queue alert");
}

static const char sql_outbox_defer[] =
    "UPDATE outbox SET next_at = ?2, fold = max(fold, ?3) WHERE id = ?1";

int
store_outbox_defer(struct store *st, int64_t id, time_t next_at, int fold)
{
	sqlite3_stmt	*s;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql_outbox_defer)) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, next_at) != SQLITE_OK ||
	    sqlite3_bind_int(s, 3, fold) != SQLITE_OK)
		return fail(st, "bind outbox");
	return step_done(st, s, "hold alert");
}

static const char sql_send_log[] =
    "INSERT INTO sent (sink, topic, at) VALUES (?, ?, ?)";

int
store_send_log(struct store *st, const char *sink, const char *topic,
    time_t now)
{
	sqlite3_stmt	*s;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql_send_log)) == NULL)
		return -1;
	if (bind_text(s, 1, sink) != SQLITE_OK ||
	    bind_text(s, 2, topic) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, now) != SQLITE_OK)
		return fail(st, "bind sent");
	return step_done(st, s, "record a send");
}

static const char sql_send_count[] =
    "SELECT count(*), min(at) FROM sent WHERE sink = ? AND topic = ?"
    " AND at >= ?";

int
store_send_count(struct store *st, const char *sink, const char *topic,
    time_t since, long *count, time_t *oldest)
{
	sqlite3_stmt	*s;
	int		 rc;

	*count = 0;
	*oldest = 0;
	if ((s = stmt(st, sql_send_count)) == NULL)
		return -1;
	if (bind_text(s, 1, sink) != SQLITE_OK ||
	    bind_text(s, 2, topic) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, since) != SQLITE_OK)
		return fail(st, "bind sent");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(s, 0);
		*oldest = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : fail(st, "read sent");
}

static const char sql_outbox_due[] =
    "SELECT id, sink, alert_id, payload, attempts, created, topic, fold"
    " FROM outbox"
    " WHERE sink = ? AND delivered_at IS NULL AND failed_at IS NULL"
    " AND next_at <= ? ORDER BY next_at, id LIMIT ?";

int
store_outbox_due(struct store *st, const char *sink, time_t now, size_t max,
    struct outbox_row **rows, size_t *nrows)
{
	sqlite3_stmt		*s;
	struct outbox_row	*r;
	int			 rc;

	*rows = NULL;
	*nrows = 0;
	if ((s = stmt(st, sql_outbox_due)) == NULL)
		return -1;
	if (bind_text(s, 1, sink) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)max) != SQLITE_OK)
		return fail(st, "bind outbox");
	*rows = xcalloc(max + 1, sizeof(**rows));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = &(*rows)[(*nrows)++];
		r->id = sqlite3_column_int64(s, 0);
		r->sink = col_text(s, 1);
		r->alert_id = col_text(s, 2);
		r->payload = col_text(s, 3);
		r->attempts = sqlite3_column_int(s, 4);
		r->created = sqlite3_column_int64(s, 5);
		r->topic = col_text(s, 6);
		r->fold = sqlite3_column_int(s, 7);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		outbox_rows_free(*rows, *nrows);
		*rows = NULL;
		*nrows = 0;
		return fail(st, "read outbox");
	}
	return 0;
}

void
outbox_row_clear(struct outbox_row *row)
{
	free(row->sink);
	free(row->topic);
	free(row->alert_id);
	free(row->payload);
	memset(row, 0, sizeof(*row));
}

void
outbox_rows_free(struct outbox_row *rows, size_t n)
{
	size_t	 i;

	for (i = 0; rows != NULL && i < n; i++)
		outbox_row_clear(&rows[i]);
	free(rows);
}

static const char sql_outbox_delivered[] =
    "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1,"
    " last_error = NULL WHERE id = ?1";
static const char sql_outbox_retry[] =
    "UPDATE outbox SET next_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";
static const char sql_outbox_failed[] =
    "UPDATE outbox SET failed_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";

static int
outbox_update(struct store *st, const char *sql, int64_t id, time_t t,
    const char *error)
{
	sqlite3_stmt	*s;

	if (batch(st) == -1)
		return -1;
	if ((s = stmt(st, sql)) == NULL)
		return -1;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, t) != SQLITE_OK ||
	    (sql != sql_outbox_delivered && bind_text(s, 3, error) !=
	    SQLITE_OK))
		return fail(st, "bind outbox");
	return step_done(st, s, "update outbox");
}

int
store_outbox_delivered(struct store *st, int64_t id, time_t now)
{
	return outbox_update(st, sql_outbox_delivered, id, now, NULL);
}

int
store_outbox_retry(struct store *st, int64_t id, time_t next_at,
    const char *error)
{
	return outbox_update(st, sql_outbox_retry, id, next_at, error);
}

int
store_outbox_failed(struct store *st, int64_t id, time_t now,
    const char *error)
{
	return outbox_update(st, sql_outbox_failed, id, now, error);
}

static const char sql_outbox_next[] =
    "SELECT min(next_at) FROM outbox"
    " WHERE delivered_at IS NULL AND failed_at IS NULL";

time_t
store_outbox_next(struct store *st)
{
	sqlite3_stmt	*s;
	time_t		 t = 0;

	if ((s = stmt(st, sql_outbox_next)) == NULL)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		t = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return t;
}

static const char sql_sink_counts[] =
    "SELECT sink,"
    " sum(delivered_at IS NULL AND failed_at IS NULL),"
    " sum(failed_at IS NOT NULL), sum(delivered_at IS NOT NULL),"
    " (SELECT last_error FROM outbox o2 WHERE o2.sink = outbox.sink"
    "  AND o2.last_error IS NOT NULL ORDER BY o2.id DESC LIMIT 1)"
    " FROM outbox GROUP BY sink ORDER BY sink";

int
store_sink_counts(struct store *st, struct sink_counts **out, size_t *n)
{
	sqlite3_stmt	*s;
	int		 rc;

	*out = NULL;
	*n = 0;
	if ((s = stmt(st, sql_sink_counts)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].sink = col_text(s, 0);
		(*out)[*n].pending = sqlite3_column_int64(s, 1);
		(*out)[*n].failed = sqlite3_column_int64(s, 2);
		(*out)[*n].delivered = sqlite3_column_int64(s, 3);
		(*out)[*n].last_error = col_text(s, 4);
		(*n)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "read outbox");
}

void
sink_counts_free(struct sink_counts *c, size_t n)
{
	size_t	 i;

	for (i = 0; c != NULL && i < n; i++) {
		free(c[i].sink);
		free(c[i].last_error);
	}
	free(c);
}

static const char sql_prune[] =
    "DELETE FROM item WHERE last_seen < ?1 AND last_seen <"
    " coalesce((SELECT last_parsed FROM feed WHERE feed.name = item.feed), 0);"
    "DELETE FROM story WHERE created < ?1;"
    "DELETE FROM also_in WHERE created < ?1;"
    "DELETE FROM sent WHERE at < ?1;"
    "DELETE FROM outbox WHERE (delivered_at IS NOT NULL OR failed_at IS NOT"
    " NULL) AND created < ?1";

int
store_prune(struct store *st, time_t before)
{
	sqlite3_stmt	*s;
	const char	*sql = sql_prune, *tail;
	int		 rc = 0;

	if (batch(st) == -1)
		return -1;
	/* Several statements: prepare each in turn (not cached; runs rarely). */
	while (rc == 0 && *sql != '\0') {
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, &tail) != SQLITE_OK)
			return fail(st, "prune");
		if (s == NULL)
			break;
		if (sqlite3_bind_int64(s, 1, before) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_DONE)
			rc = fail(st, "prune");
		sqlite3_finalize(s);
		sql = tail;
	}
	return rc;
}

static const char sql_items_since[] =
    "SELECT feed, id, feed_url, feed_title, title, link, author, categories,"
    " summary, published, updated FROM item WHERE first_seen >= ?"
    " ORDER BY first_seen, feed, key";

int
store_items_foreach(struct store *st, time_t since, store_item_cb *cb,
    void *arg)
{
	sqlite3_stmt		*s;
	struct feed_item	 it;
	const char		*cats;
	char			**catv;
	size_t			 ncat, i;
	int			 rc, stop = 0;

	if ((s = stmt(st, sql_items_since)) == NULL ||
	    sqlite3_bind_int64(s, 1, since) != SQLITE_OK)
		return -1;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
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
		catv = NULL;
		ncat = 0;
		if ((cats = (const char *)sqlite3_column_text(s, 7)) != NULL) {
			const char *p = cats, *q;

			for (;;) {
				q = strchrnul(p, '\x1f');
				catv = xreallocarray(catv, ncat + 1,
				    sizeof(*catv));
				catv[ncat++] = xstrndup(p, q - p);
				if (*q == '\0')
					break;
				p = q + 1;
			}
		}
		it.categories = (const char *const *)catv;
		it.ncategories = ncat;
		if (cb((const char *)sqlite3_column_text(s, 0), &it, arg) == -1)
			stop = 1;
		for (i = 0; i < ncat; i++)
			free(catv[i]);
		free(catv);
	}
	sqlite3_reset(s);
	if (!stop && rc != SQLITE_DONE)
		return fail(st, "read items");
	return 0;
}
