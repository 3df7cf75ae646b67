/*
 * check_store.c: one state, one writer; the state's files owner-only.
 *
 * The feedwatch binary runs against a feed served by the test HTTP server
 * on 127.0.0.1, with its alerts in a file sink.  A second writer on the
 * same state (`run` or `check`, by any path to it) is refused at once
 * with a message naming the holder; `check --dry-run`, `status` and
 * `backtest` work beside the daemon; after kill -9 the next start takes
 * over at once; and across it all every item alerts exactly once.  The
 * state's files, and a file sink's, are not readable by group or others
 * under umask 022; `status` and a dry run read a state in a directory
 * they cannot write; a dry run writes nothing.
 */
#include "suites.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <glib.h>

#include "harness.h"
#include "xmalloc.h"

#define WAIT		15.0
#define REFUSED_WAIT	5.0	/* a refused writer exits at once */

/* A config DIR/NAME for the live feed and the state 'state'. */
static char *
config_for(struct harness *f, const char *name, const char *state)
{
	char	*sections, *text, *path;

	sections = harness_live_sections(f, "");
	text = harness_config_text(f, state, "", sections);
	path = test_write(f->dir, name, text);
	free(text);
	free(sections);
	return path;
}

/* The live feed, its state 'state' in the directory (NULL: state.db). */
static void
fx_start(struct harness *f, const char *state)
{
	harness_init(f);
	if (state != NULL) {
		free(f->state);
		f->state = xasprintf("%s/%s", f->dir, state);
	}
	harness_live(f);
}

/* Starts the daemon and waits for its first alert. */
static void
run_first(struct harness *f)
{
	harness_run(f);
	ck_assert_int_eq(test_wait_lines(f->alerts, "", 1, WAIT), 1);
}

/*
 * Runs feedwatch for up to 'secs' (then kills it: -1) in 'cwd' (NULL:
 * here), as 'pw' (NULL: as is); its exit status, its output.
 */
static int
run_for(double secs, const char *cwd, const struct passwd *pw,
    const char *const *args, char **out)
{
	char	*dir, *log;
	pid_t	 pid;
	int	 rc;

	dir = test_tmpdir();
	log = xasprintf("%s/out", dir);
	pid = test_spawn_as(args, log, cwd, pw);
	if ((rc = test_wait(pid, secs)) == -1) {
		kill(pid, SIGKILL);
		test_wait(pid, WAIT);
	}
	*out = access(log, F_OK) == 0 ? test_slurp(log) : g_strdup("");
	test_rmtree(dir);
	free(dir);
	free(log);
	return rc;
}

/*
 * Once 'ids' have alerted, and 1.5 s more for any second alert to come,
 * stops the daemon: the alert file holds exactly those, each once.
 */
static void
stop_exactly(struct harness *f, const char *const *ids)
{
	int	 n;

	for (n = 0; ids[n] != NULL; n++)
		;
	ck_assert_int_eq(test_wait_lines(f->alerts, "", n, WAIT), n);
	g_usleep(1500000);
	harness_stop(f);
	harness_alerted_exactly(f, ids);
}

/*
 * A second writer on the state: refused at once, exit 1, with a message
 * naming the state and the holder's pid.
 */
static void
assert_refused(const char *cwd, const char *const *args, const char *state,
    pid_t holder)
{
	char	*out, *pid;
	int	 rc;

	rc = run_for(REFUSED_WAIT, cwd, NULL, args, &out);
	ck_assert_msg(rc == 1, "'%s' beside 'run' on %s: exit %d, not 1 "
	    "at once: %s", args[0], state, rc, out);
	pid = xasprintf("(pid %ld)", (long)holder);
	ck_assert_msg(strstr(out, state) != NULL && strstr(out, pid) != NULL &&
	    strstr(out, "feedwatch run") != NULL, "the refusal names neither "
	    "the state '%s' nor the holder %s: %s", state, pid, out);
	free(pid);
	g_free(out);
}

/*
 * A second `run`, and a `check`, are refused; a dry run, status and
 * backtest work beside the daemon.
 */
START_TEST(test_one_writer)
{
	struct harness	 f;
	const char	*run[] = { "run", "-c", NULL, NULL };
	const char	*check[] = { "check", "-c", NULL, NULL };
	const char	*dry[] = { "check", "--dry-run", "-c", NULL, NULL };
	const char	*status[] = { "status", "-c", NULL, NULL };
	const char	*backtest[] = { "backtest", "-c", NULL, "lavrov",
	    NULL };
	const char	*ids[] = { "a1", "a3", NULL };
	char		*out;
	int		 rc;

	fx_start(&f, NULL);
	run[2] = check[2] = dry[3] = status[2] = backtest[2] = f.conf;
	run_first(&f);
	assert_refused(NULL, run, f.state, f.pid);
	assert_refused(NULL, check, f.state, f.pid);
	/* Beside it: a dry run (with a new item), status and backtest. */
	harness_add(&f, "a3", "Lavrov in Ankara");
	rc = run_for(WAIT, NULL, NULL, dry, &out);
	ck_assert_msg(rc == 0 && strstr(out, "in use") == NULL,
	    "check --dry-run beside run: exit %d: %s", rc, out);
	g_free(out);
	rc = run_for(WAIT, NULL, NULL, status, &out);
	ck_assert_msg(rc == 0 && strstr(out, "live ") != NULL,
	    "status beside run: exit %d: %s", rc, out);
	g_free(out);
	rc = run_for(WAIT, NULL, NULL, backtest, &out);
	ck_assert_msg(rc == 0 && strstr(out, "\"id\":\"a1\"") != NULL,
	    "backtest beside run: exit %d: %s", rc, out);
	g_free(out);
	stop_exactly(&f, ids);
	harness_release(&f);
}
END_TEST

/*
 * kill -9 leaves the lock file behind, naming a dead pid: the next start
 * takes over at once, a second writer is told the new holder, and every
 * item alerts exactly once across the whole sequence.
 */
START_TEST(test_kill9_takeover)
{
	struct harness	 f;
	const char	*check[] = { "check", "-c", NULL, NULL };
	const char	*ids[] = { "a1", "b1", "b2", NULL };

	fx_start(&f, NULL);
	check[2] = f.conf;
	run_first(&f);
	/* let the delivery be recorded: a kill before would resend it */
	g_usleep(1000000);
	ck_assert_int_eq(kill(f.pid, SIGKILL), 0);
	ck_assert_int_eq(test_wait(f.pid, WAIT), 128 + SIGKILL);
	harness_add(&f, "b1", "Lavrov speaks");
	harness_run(&f);
	ck_assert_int_eq(test_wait_lines(f.alerts, "", 2, WAIT), 2);
	ck_assert_int_eq(test_wait(f.pid, 0.1), -1);
	/* The new holder is the one named, not the dead one. */
	assert_refused(NULL, check, f.state, f.pid);
	harness_add(&f, "b2", "Lavrov again");
	stop_exactly(&f, ids);
	harness_release(&f);
}
END_TEST

/* A symlink to the state, to its directory, or a relative path: one lock. */
START_TEST(test_same_state_other_paths)
{
	struct harness	 f;
	const char	*run[] = { "run", "-c", NULL, NULL };
	const char	*ids[] = { "a1", NULL };
	char		*link, *alias, *conf, *path;

	fx_start(&f, "real/state.db");
	run_first(&f);

	link = xasprintf("%s/link", f.dir);
	ck_assert_int_eq(symlink("real", link), 0);
	path = xasprintf("%s/state.db", link);
	run[2] = conf = config_for(&f, "dir-link.conf", path);
	assert_refused(NULL, run, path, f.pid);
	free(conf);
	free(path);

	alias = xasprintf("%s/alias.db", f.dir);
	ck_assert_int_eq(symlink("real/state.db", alias), 0);
	run[2] = conf = config_for(&f, "file-link.conf", alias);
	assert_refused(NULL, run, alias, f.pid);
	free(conf);
	path = xasprintf("%s.lock", alias);
	ck_assert_msg(access(path, F_OK) == -1, "a second lock beside the "
	    "symlink");
	free(path);

	run[2] = conf = config_for(&f, "relative.conf", "real/state.db");
	assert_refused(f.dir, run, "real/state.db", f.pid);
	free(conf);

	harness_stop(&f);
	harness_alerted_exactly(&f, ids);
	free(alias);
	free(link);
	harness_release(&f);
}
END_TEST

static void
assert_private(const char *path)
{
	struct stat	 sb;

	ck_assert_msg(stat(path, &sb) == 0, "%s: %s", path, strerror(errno));
	ck_assert_msg((sb.st_mode & 077) == 0, "%s has mode %04o under umask "
	    "022", path, (unsigned int)(sb.st_mode & 07777));
}

/* Under umask 022 the state, its files and the alerts stay owner-only. */
START_TEST(test_private_files)
{
	struct harness	 f;
	struct stat	 sb;
	char		*path, *kept, *text;
	const char	*suffix[] = { "", "-wal", "-shm", ".lock" };
	size_t		 i;

	umask(022);
	fx_start(&f, "new/sub/state.db");
	/* a second file sink, whose file exists: it keeps its mode */
	kept = test_write(f.dir, "kept.jsonl", "");
	ck_assert_int_eq(chmod(kept, 0640), 0);
	text = test_slurp(f.conf);
	path = xasprintf("%s\n[sink kept]\ntype = file\npath = %s\n", text,
	    kept);
	free(test_write(f.dir, "feedwatch.conf", path));
	g_free(text);
	free(path);
	run_first(&f);
	/* -wal and -shm exist while the daemon runs */
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		path = xasprintf("%s%s", f.state, suffix[i]);
		assert_private(path);
		free(path);
	}
	path = xasprintf("%s/new", f.dir);
	assert_private(path);
	free(path);
	path = xasprintf("%s/new/sub", f.dir);
	assert_private(path);
	free(path);
	assert_private(f.alerts);
	ck_assert_int_eq(test_wait_lines(kept, "", 1, WAIT), 1);
	ck_assert_int_eq(stat(kept, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0640);
	harness_stop(&f);
	free(kept);
	harness_release(&f);
}
END_TEST

/*
 * `status` and `check --dry-run` read a state in a directory they cannot
 * write (no -wal or -shm beside it: the daemon is stopped).  As root,
 * they run as nobody, on a state nobody owns.
 */
START_TEST(test_read_only_state_dir)
{
	struct harness	 f;
	const char	*check[] = { "check", "-c", NULL, NULL };
	const char	*status[] = { "status", "-c", NULL, NULL };
	const char	*dry[] = { "check", "--dry-run", "-c", NULL, NULL };
	const char	*ids[] = { "a1", "b1", NULL };
	char		*out, *sdir, *path;
	struct passwd	*pw = NULL;
	int		 rc;

	if (geteuid() == 0)
		ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	fx_start(&f, "state/state.db");
	check[2] = status[2] = dry[3] = f.conf;
	rc = run_for(WAIT, NULL, NULL, check, &out);
	ck_assert_msg(rc == 0, "check: exit %d: %s", rc, out);
	g_free(out);
	sdir = xasprintf("%s/state", f.dir);
	path = xasprintf("%s-wal", f.state);
	ck_assert_msg(access(path, F_OK) == -1, "a -wal left by a clean exit");
	free(path);
	if (pw != NULL)
		ck_assert(chown(f.dir, pw->pw_uid, pw->pw_gid) == 0 &&
		    chown(f.conf, pw->pw_uid, pw->pw_gid) == 0 &&
		    chown(f.state, pw->pw_uid, pw->pw_gid) == 0 &&
		    chown(sdir, pw->pw_uid, pw->pw_gid) == 0);
	ck_assert_int_eq(chmod(sdir, 0500), 0);
	harness_add(&f, "b1", "Lavrov on the record");
	rc = run_for(WAIT, NULL, pw, status, &out);
	ck_assert_msg(rc == 0 && strstr(out, "live ") != NULL,
	    "status on a read-only state directory: exit %d: %s", rc, out);
	g_free(out);
	rc = run_for(WAIT, NULL, pw, dry, &out);
	ck_assert_msg(rc == 0 && strstr(out, "\"id\":\"b1\"") != NULL,
	    "check --dry-run on a read-only state directory: exit %d: %s", rc,
	    out);
	g_free(out);
	/* Writable again, and the owner's: b1 alerts, once. */
	ck_assert_int_eq(chmod(sdir, 0700), 0);
	if (pw != NULL)
		ck_assert(chown(f.state, 0, 0) == 0 && chown(sdir, 0, 0) == 0);
	rc = run_for(WAIT, NULL, NULL, check, &out);
	ck_assert_msg(rc == 0, "check: exit %d: %s", rc, out);
	g_free(out);
	harness_alerted_exactly(&f, ids);
	free(sdir);
	harness_release(&f);
}
END_TEST

/*
 * `check --dry-run` prints what would alert and writes nothing: the
 * database file is untouched, and the next real pass alerts the item.
 * With no state yet it creates none; an old state it does not upgrade.
 */
START_TEST(test_dry_run_writes_nothing)
{
	struct harness	 f;
	struct stat	 before, after;
	const char	*check[] = { "check", "-c", NULL, NULL };
	const char	*dry[] = { "check", "--dry-run", "-c", NULL, NULL };
	const char	*ids[] = { "a1", "b1", NULL };
	char		*out, *text, *conf, *none;
	int		 rc;

	fx_start(&f, NULL);
	check[2] = dry[3] = f.conf;
	rc = run_for(WAIT, NULL, NULL, check, &out);
	ck_assert_msg(rc == 0, "check: exit %d: %s", rc, out);
	g_free(out);
	text = test_slurp(f.state);
	ck_assert_int_eq(stat(f.state, &before), 0);
	harness_add(&f, "b1", "Lavrov on the record");
	rc = run_for(WAIT, NULL, NULL, dry, &out);
	ck_assert_msg(rc == 0 && test_count_lines(out, "\"id\":\"b1\"") == 1,
	    "check --dry-run: exit %d: %s", rc, out);
	g_free(out);
	ck_assert_int_eq(stat(f.state, &after), 0);
	ck_assert_msg(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
	    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec &&
	    before.st_size == after.st_size, "check --dry-run wrote the state");
	out = test_slurp(f.state);
	ck_assert(memcmp(out, text, (size_t)before.st_size) == 0);
	g_free(out);
	g_free(text);
	rc = run_for(WAIT, NULL, NULL, check, &out);
	ck_assert_msg(rc == 0, "check: exit %d: %s", rc, out);
	g_free(out);
	harness_alerted_exactly(&f, ids);

	/* No state yet: the dry run alerts from an empty one, makes none. */
	none = xasprintf("%s/none/state.db", f.dir);
	dry[3] = conf = config_for(&f, "none.conf", none);
	rc = run_for(WAIT, NULL, NULL, dry, &out);
	ck_assert_msg(rc == 0 && test_count_lines(out, "\"id\":\"b1\"") == 1,
	    "check --dry-run with no state: exit %d: %s", rc, out);
	g_free(out);
	free(none);
	none = xasprintf("%s/none", f.dir);
	ck_assert_msg(access(none, F_OK) == -1, "the dry run made '%s'", none);
	free(none);
	free(conf);

	/* A state of another schema version (here 0) is not upgraded. */
	none = test_write(f.dir, "empty.db", "");
	dry[3] = conf = config_for(&f, "empty.conf", none);
	rc = run_for(WAIT, NULL, NULL, dry, &out);
	ck_assert_msg(rc == 0 && test_count_lines(out, "\"id\":\"b1\"") == 1,
	    "check --dry-run on an empty state: exit %d: %s", rc, out);
	g_free(out);
	ck_assert_int_eq(stat(none, &after), 0);
	ck_assert_msg(after.st_size == 0, "the dry run wrote '%s'", none);
	free(none);
	free(conf);
	harness_release(&f);
}
END_TEST

/* The demo writes its own state, takes its own lock, and leaves nothing. */
START_TEST(test_demo_leaves_nothing)
{
	const char	*args[] = { "demo", NULL };
	char		*dir, *log, *text = NULL;
	GDir		*d;
	pid_t		 pid;
	int		 i;

	dir = test_tmpdir();
	log = xasprintf("%s.log", dir);
	setenv("TMPDIR", dir, 1);
	setenv("FEEDWATCH_DEMO_PERIOD", "1", 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	pid = test_spawn(args, log);
	for (i = 0; i < 150 && test_count_lines(text, "Pompeo to Lavrov") == 0;
	    i++) {
		g_usleep(100000);
		g_free(text);
		text = test_slurp(log);
	}
	ck_assert_msg(test_count_lines(text, "Pompeo to Lavrov") > 0,
	    "no demo alert: %s", text);
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	ck_assert_int_eq(test_wait(pid, WAIT), 0);
	ck_assert_ptr_nonnull(d = g_dir_open(dir, 0, NULL));
	ck_assert_msg(g_dir_read_name(d) == NULL, "the demo left files in %s",
	    dir);
	g_dir_close(d);
	g_free(text);
	unlink(log);
	free(log);
	test_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
store_suite(void)
{
	const TTest	*tests[] = { test_one_writer, test_kill9_takeover,
	    test_same_state_other_paths, test_private_files,
	    test_read_only_state_dir, test_dry_run_writes_nothing,
	    test_demo_leaves_nothing, NULL };

	return test_tcase(suite_create("store"), "store", 60, tests);
}
