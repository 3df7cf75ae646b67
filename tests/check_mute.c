/*
 * check_mute.c: looking back and turning things off (issue 16).
 *
 * `feedwatch alerts` after a daemon run whose sinks deliver, hang and
 * fail (each alert once, newest first, per sink its fate, --since,
 * --topic, --json); `enabled = no` on a feed (never requested, also
 * after a reload that enables it) and on a topic (never alerts); `mute`
 * and `unmute` beside a running daemon, which honours them without a
 * reload, and a mute for a while that ends by itself; `status` saying
 * whether a daemon holds the state (also after kill -9), with file feeds
 * shown as such; `status` over 1,000 feeds, totals first; and the state
 * of the last schema, upgraded.  All against the test HTTP server on
 * 127.0.0.1, with the feedwatch binary.
 */
#include "suites.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

#define WAIT	15.0
#define MUTE_SCHEMA	6	/* the schema that brought the mute table */

/* `feedwatch ARGS... -c CONF` into 'p'; the arguments end with NULL. */
static void
fw(struct test_proc *p, const struct harness *h, ...)
{
	const char	*args[16];
	va_list		 ap;
	size_t		 n = 0;

	va_start(ap, h);
	while ((args[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	args[n++] = "-c";
	args[n++] = h->conf;
	args[n] = NULL;
	test_run(p, args);
}

/* The line of 'out' holding 'needle', parsed as JSON (NULL: none). */
static json_t *
json_line(const char *out, const char *needle)
{
	const char	*p, *end;
	json_t		*o;

	if ((p = strstr(out, needle)) == NULL)
		return NULL;
	while (p > out && p[-1] != '\n')
		p--;
	end = strchr(p, '\n');
	o = json_loadb(p, end != NULL ? (size_t)(end - p) : strlen(p), 0,
	    NULL);
	ck_assert_msg(o != NULL, "not a JSON line: %s", p);
	return o;
}

/* Of an `alerts --json` object, sink 'name' of its "sinks". */
static json_t *
sink_of(json_t *alert, const char *name)
{
	json_t	*s;
	size_t	 i;

	json_array_foreach(json_object_get(alert, "sinks"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "sink")),
		    name) == 0)
			return s;
	ck_abort_msg("no sink '%s' in %s", name, json_dumps(alert, 0));
	return NULL;
}

static const char *
str_of(json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The text of 'out' on the line that starts with 'start' (malloc'd). */
static char *
line_of(const char *out, const char *start)
{
	const char	*p = out;
	size_t		 n = strlen(start);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, start, n) == 0)
			return xstrndup(p, strcspn(p, "\n"));
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	ck_abort_msg("no line starting '%s' in: %s", start, out);
	return NULL;
}

/*
 * A column of the status table's row for feed 'name': 'off' characters
 * in, 'width' long, blanks trimmed (malloc'd).  The table is
 * "%-20s %-10s %-6s %6ld %-10s %-10s %s": FEED, LAST POLL, STATUS, ITEMS,
 * NEXT POLL, INTERVAL, ERROR.
 */
static char *
column(const char *out, const char *name, size_t off, size_t width)
{
	char	*row, *start, *s;

	row = line_of(out, name);
	ck_assert_msg(strlen(row) > off, "short row: '%s'", row);
	start = row + off;
	s = g_strstrip(g_strndup(start, width));
	free(row);
	row = xstrdup(s);
	g_free(s);
	return row;
}

/* Lines of 'out' that start with 'start'. */
static int
rows(const char *out, const char *start)
{
	const char	*p;
	int		 n = 0;

	for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		n += strncmp(p, start, strlen(start)) == 0;
	}
	return n;
}

#define COL_STATUS	32, 6
#define COL_NEXT	46, 10

/* Runs SQL on the state file (the daemon is stopped). */
static void
state_sql(const char *state, const char *sql)
{
	sqlite3	*db;
	char	*err = NULL;

	ck_assert_int_eq(sqlite3_open(state, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s: %s", sql, err);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* The schema version of the state file (the daemon is stopped). */
static int
schema_of(const char *state)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 v;

	ck_assert_int_eq(sqlite3_open(state, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	return v;
}

/*
 * The config of the live feed, with the topics lavrov and markets (to
 * the sink 'log' only), and the test's 'extra' sections.
 */
static void
config(struct harness *h, const char *daemon, const char *extra)
{
	char	*more, *sections;

	more = xasprintf("[topic markets]\nquery = Markets\nsinks = log\n\n%s",
	    extra);
	sections = harness_live_sections(h, more);
	harness_config(h, daemon, sections);
	free(sections);
	free(more);
}

/* The live feed, a1 "Lavrov meets Pompeo" and a2 "Markets rise", and config(). */
static void
rig(struct harness *h, const char *daemon, const char *extra)
{
	harness_add(h, "a1", "Lavrov meets Pompeo");
	harness_add(h, "a2", "Markets rise");
	config(h, daemon, extra);
}

/*
 * Four sinks on the topic lavrov: the file sink 'log' delivers, 'slow'
 * answers after 8 s, 'flaky' answers 500 (retried later), 'dead' 404
 * (failed for good).  `alerts` beside the daemon shows each alert once,
 * newest first, with each sink's fate; --topic and --since select.
 */
START_TEST(test_alerts_listing)
{
	struct harness		 h;
	struct test_proc	 p;
	json_t			*a1 = NULL, *s;
	char			*extra, *url;
	int			 i, ready = 0;

	harness_init(&h);
	httpd_route(h.httpd, "/slow", 200, "application/json", "{}", 2, NULL);
	httpd_route_delay(h.httpd, "/slow", 8000);
	httpd_route(h.httpd, "/flaky", 500, "text/plain", "maintenance", 11,
	    NULL);
	httpd_route(h.httpd, "/dead", 404, "text/plain", "no such hook", 12,
	    NULL);
	url = httpd_url(h.httpd, "/");
	extra = xasprintf("[sink slow]\ntype = webhook\nurl = %sslow\n\n"
	    "[sink flaky]\ntype = webhook\nurl = %sflaky\n\n[sink dead]\n"
	    "type = webhook\nurl = %sdead\n", url, url, url);
	rig(&h, "", extra);
	harness_run(&h);
	ck_assert_int_eq(test_wait_lines(h.alerts, "", 2, WAIT), 2);

	/* Beside the daemon, until the sinks that answer at once have. */
	for (i = 0; i < 100 && !ready; i++) {
		json_decref(a1);
		fw(&p, &h, "alerts", "--json", NULL);
		ck_assert_msg(p.status == 0, "alerts: exit %d: %s", p.status,
		    p.err);
		a1 = json_line(p.out, "\"id\":\"a1\"");
		ready = a1 != NULL && strcmp(str_of(sink_of(a1, "dead"),
		    "state"), "failed") == 0 && json_integer_value(
		    json_object_get(sink_of(a1, "flaky"), "attempts")) == 1;
		test_proc_clear(&p);
		if (!ready)
			g_usleep(100000);
	}
	ck_assert_msg(ready, "the sinks' outcomes never showed");
	ck_assert_str_eq(str_of(a1, "topic"), "lavrov");
	ck_assert_str_eq(str_of(a1, "title"), "Lavrov meets Pompeo");
	ck_assert(json_is_string(json_object_get(a1, "queued")));
	ck_assert_uint_eq(json_array_size(json_object_get(a1, "sinks")), 4);
	s = sink_of(a1, "log");
	ck_assert_str_eq(str_of(s, "state"), "delivered");
	ck_assert(json_is_string(json_object_get(s, "at")));
	s = sink_of(a1, "slow");
	ck_assert_str_eq(str_of(s, "state"), "pending");
	ck_assert_int_eq(json_integer_value(json_object_get(s, "attempts")),
	    0);
	s = sink_of(a1, "flaky");
	ck_assert_str_eq(str_of(s, "state"), "pending");
	ck_assert(json_is_string(json_object_get(s, "next_try")));
	ck_assert_msg(strstr(str_of(s, "error"), "http 500: maintenance") !=
	    NULL, "%s", str_of(s, "error"));
	s = sink_of(a1, "dead");
	ck_assert_str_eq(str_of(s, "state"), "failed");
	ck_assert_msg(strstr(str_of(s, "error"), "http 404") != NULL, "%s",
	    str_of(s, "error"));
	json_decref(a1);

	/* A later alert comes first; the text shows each sink's fate. */
	g_usleep(1100000);
	harness_add(&h, "a3", "Markets fall");
	ck_assert_int_eq(test_wait_lines(h.alerts, "", 3, WAIT), 3);
	fw(&p, &h, "alerts", NULL);
	ck_assert_int_eq(p.status, 0);
	ck_assert_msg(test_count_lines(p.out, "") == 3 &&
	    strstr(p.out, "Markets fall") != NULL &&
	    strstr(p.out, "Markets fall") < strstr(p.out, "Lavrov meets"),
	    "three alerts, the newest first: %s", p.out);
	ck_assert_msg(strstr(p.out, "  lavrov  live  Lavrov meets Pompeo  "
	    "[log: delivered ") != NULL && strstr(p.out, "; slow: pending") !=
	    NULL && strstr(p.out, "; flaky: pending, try 2 at ") != NULL &&
	    strstr(p.out, "http 500: maintenance") != NULL && strstr(p.out,
	    "; dead: failed ") != NULL, "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "alerts", "--topic", "markets", "--json", NULL);
	ck_assert_msg(p.status == 0 && test_count_lines(p.out,
	    "\"topic\":\"markets\"") == 2 && test_count_lines(p.out, "") == 2,
	    "%s", p.out);
	test_proc_clear(&p);
	harness_stop(&h);

	/* a2 three days old: --since leaves it out, the default keeps it. */
	state_sql(h.state, "UPDATE outbox SET created = created - 3 * 86400"
	    " WHERE payload LIKE '%\"id\":\"a2\"%'");
	fw(&p, &h, "alerts", "--since", "2d", "--json", NULL);
	ck_assert_msg(p.status == 0 && test_count_lines(p.out, "") == 2 &&
	    strstr(p.out, "\"id\":\"a2\"") == NULL, "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "alerts", NULL);
	ck_assert_msg(p.status == 0 && test_count_lines(p.out, "") == 3 &&
	    strstr(p.out, "Markets rise") > strstr(p.out, "Lavrov meets") &&
	    strstr(p.out, "slow: delivered") != NULL, "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "alerts", "--since", "1h", "--topic", "lavrov", NULL);
	ck_assert_msg(p.status == 0 && test_count_lines(p.out, "") == 1,
	    "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "alerts", "--since", "1h", "--topic", "none", NULL);
	ck_assert_msg(p.status == 0 && strncmp(p.out, "no alerts of topic "
	    "'none' since ", 28) == 0, "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "alerts", "--since", "soon", NULL);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	free(extra);
	free(url);
	harness_release(&h);
}
END_TEST

/*
 * enabled = no: the feed 'off' is never requested and the topic markets
 * never alerts, while the rest runs; `config check` and `status` say so;
 * a reload that enables 'off' polls it.
 */
START_TEST(test_enabled_no)
{
	struct harness		 h;
	struct test_proc	 p;
	char			*item, *off, *extra, *line, *col;
	const char		*ids[] = { "a1", "a2", "o1", NULL };

	harness_init(&h);
	item = harness_item("o1", "Lavrov in Sochi", "https://x.example/o1");
	harness_publish(&h, "/off.xml", item);
	off = harness_feed_section(&h, "off", "/off.xml", "enabled = no");
	extra = xasprintf("%s\n[topic calm]\nquery = Markets\nenabled = no\n",
	    off);
	rig(&h, "", extra);
	fw(&p, &h, "config", "check", NULL);
	ck_assert_msg(p.status == 0 && strstr(p.out, "feed 'off' is disabled "
	    "(enabled = no): not polled") != NULL && strstr(p.out, "topic "
	    "'calm' is disabled (enabled = no): never alerts") != NULL, "%s",
	    p.out);
	test_proc_clear(&p);
	fw(&p, &h, "check", "--feed", "off", NULL);
	ck_assert_msg(p.status == 2 && strstr(p.err, "feed 'off' is disabled")
	    != NULL, "%s", p.err);
	test_proc_clear(&p);

	harness_run(&h);
	harness_wait_hits(&h, "/live.xml", 3);
	ck_assert_int_eq(test_wait_lines(h.alerts, "", 2, WAIT), 2);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/off.xml"), 0);
	ck_assert_int_eq(test_lines_with(h.alerts, "\"topic\":\"calm\""), 0);
	fw(&p, &h, "status", NULL);
	ck_assert_int_eq(p.status, 0);
	line = line_of(p.out, "feeds: ");
	ck_assert_msg(strstr(line, "1 ok, 1 disabled") != NULL, "%s", line);
	free(line);
	line = line_of(p.out, "topics: ");
	ck_assert_msg(strstr(line, "'calm' disabled") != NULL, "%s", line);
	free(line);
	col = column(p.out, "off ", COL_NEXT);
	ck_assert_str_eq(col, "disabled");
	free(col);
	test_proc_clear(&p);

	/* Enabled by a reload: polled at once, its item alerts. */
	free(off);
	free(extra);
	off = harness_feed_section(&h, "off", "/off.xml", "enabled = yes");
	extra = xasprintf("%s\n[topic calm]\nquery = Markets\nenabled = no\n",
	    off);
	config(&h, "", extra);
	ck_assert_int_eq(kill(h.pid, SIGHUP), 0);
	harness_wait_hits(&h, "/off.xml", 1);
	ck_assert_int_eq(test_wait_lines(h.alerts, "\"id\":\"o1\"", 1, WAIT),
	    1);
	g_usleep(1500000);
	harness_stop(&h);
	harness_alerted_exactly(&h, ids);
	ck_assert_int_eq(test_lines_with(h.alerts, "\"topic\":\"calm\""), 0);
	free(item);
	free(off);
	free(extra);
	harness_release(&h);
}
END_TEST

/*
 * Adds item 'guid' on top of the live feed and waits until the daemon has
 * polled it and recorded the poll: the poll after the one that saw it.
 */
static void
publish_seen(struct harness *h, const char *guid, const char *title)
{
	unsigned int	 n = httpd_hits(h->httpd, "/live.xml");

	harness_add(h, guid, title);
	harness_wait_hits(h, "/live.xml", n + 2);
}

/* Waits past STORE_MUTES_TTL, for the daemon to have read the mutes. */
static void
mutes_read(void)
{
	g_usleep(1200000);
}

/*
 * `mute` and `unmute` beside the running daemon (it holds the writer's
 * lock): a muted topic's items do not alert, then or after the unmute;
 * a mute for a while ends by itself; `status` and `alerts` show mutes.
 */
START_TEST(test_mute_running)
{
	struct harness		 h;
	struct test_proc	 p;
	json_t			*st, *t;
	char			*line;
	size_t			 i;
	const char		*ids[] = { "a1", "a2", "a4", "a6", NULL };

	harness_init(&h);
	rig(&h, "", "");
	harness_run(&h);
	ck_assert_int_eq(test_wait_lines(h.alerts, "", 2, WAIT), 2);

	fw(&p, &h, "mute", "lavrov", NULL);
	ck_assert_msg(p.status == 0 && strstr(p.out, "topic 'lavrov': muted "
	    "until 'feedwatch unmute lavrov'") != NULL, "mute beside run: exit "
	    "%d: %s%s", p.status, p.out, p.err);
	test_proc_clear(&p);
	mutes_read();
	publish_seen(&h, "a3", "Lavrov in Ankara");
	fw(&p, &h, "status", NULL);
	line = line_of(p.out, "topics: ");
	ck_assert_msg(strstr(line, "'lavrov' muted until unmuted") != NULL,
	    "%s", line);
	free(line);
	test_proc_clear(&p);
	fw(&p, &h, "alerts", NULL);
	ck_assert_msg(strncmp(p.out, "muted: topic 'lavrov' until unmuted\n",
	    36) == 0, "%s", p.out);
	test_proc_clear(&p);
	st = harness_status(&h);
	json_array_foreach(json_object_get(st, "topics"), i, t)
		ck_assert(json_is_true(json_object_get(t, "muted")) ==
		    (strcmp(str_of(t, "name"), "lavrov") == 0));
	json_decref(st);

	/* Unmuted: the next item alerts, the one seen while muted never. */
	fw(&p, &h, "unmute", "lavrov", NULL);
	ck_assert_msg(p.status == 0 && strcmp(p.out, "topic 'lavrov': "
	    "unmuted\n") == 0, "%s%s", p.out, p.err);
	test_proc_clear(&p);
	mutes_read();
	harness_add(&h, "a4", "Lavrov in Geneva");
	ck_assert_int_eq(test_wait_lines(h.alerts, "\"id\":\"a4\"", 1, WAIT),
	    1);

	/* For a while: what comes meanwhile does not alert, then it ends. */
	fw(&p, &h, "mute", "lavrov", "for", "5s", NULL);
	ck_assert_msg(p.status == 0 && strstr(p.out, "muted for 5s, until ") !=
	    NULL, "%s%s", p.out, p.err);
	test_proc_clear(&p);
	mutes_read();
	publish_seen(&h, "a5", "Lavrov in Minsk");
	g_usleep(4000000);
	fw(&p, &h, "status", NULL);
	ck_assert_msg(strstr(p.out, "muted") == NULL, "%s", p.out);
	test_proc_clear(&p);
	harness_add(&h, "a6", "Lavrov in Baku");
	ck_assert_int_eq(test_wait_lines(h.alerts, "\"id\":\"a6\"", 1, WAIT),
	    1);
	g_usleep(1500000);
	harness_stop(&h);
	harness_alerted_exactly(&h, ids);
	harness_release(&h);
}
END_TEST

/*
 * `status` says whether a daemon holds the state, and shows next polls
 * only then: after kill -9 it says "not running", with no next poll in
 * the past.  A local file feed shows "file", not HTTP status 0.
 */
START_TEST(test_status_daemon)
{
	struct harness		 h;
	struct test_proc	 p;
	json_t			*st, *d;
	char			*local, *extra, *want, *col;

	harness_init(&h);
	local = xasprintf("[feed local]\nurl = %s/tests/data/feeds/rss2.xml\n",
	    test_env("FEEDWATCH_SRC"));
	extra = xasprintf("%s\n", local);
	rig(&h, "", extra);
	harness_run(&h);
	harness_wait_hits(&h, "/live.xml", 2);
	ck_assert_int_eq(test_wait_lines(h.alerts, "\"id\":\"a1\"", 1, WAIT),
	    1);

	fw(&p, &h, "status", NULL);
	ck_assert_int_eq(p.status, 0);
	want = xasprintf("daemon: running, pid %ld, since ", (long)h.pid);
	ck_assert_msg(strstr(p.out, want) != NULL, "%s", p.out);
	free(want);
	col = column(p.out, "local ", COL_STATUS);
	ck_assert_str_eq(col, "file");
	free(col);
	col = column(p.out, "live ", COL_STATUS);
	ck_assert_str_eq(col, "200");
	free(col);
	col = column(p.out, "live ", COL_NEXT);
	ck_assert_msg(strncmp(col, "in ", 3) == 0 || strcmp(col, "now") == 0,
	    "next poll '%s'", col);
	free(col);
	test_proc_clear(&p);
	st = harness_status(&h);
	d = json_object_get(st, "daemon");
	ck_assert(json_is_true(json_object_get(d, "running")));
	ck_assert_int_eq(json_integer_value(json_object_get(d, "pid")), h.pid);
	json_decref(st);

	ck_assert_int_eq(kill(h.pid, SIGKILL), 0);
	test_wait(h.pid, WAIT);
	g_usleep(2000000);
	fw(&p, &h, "status", NULL);
	ck_assert_int_eq(p.status, 0);
	ck_assert_msg(strstr(p.out, "daemon: not running (last poll ") != NULL,
	    "%s", p.out);
	col = column(p.out, "live ", COL_NEXT);
	ck_assert_str_eq(col, "-");
	free(col);
	test_proc_clear(&p);
	st = harness_status(&h);
	d = json_object_get(st, "daemon");
	ck_assert(json_is_false(json_object_get(d, "running")));
	ck_assert(json_is_null(json_object_get(d, "pid")));
	ck_assert(json_is_string(json_object_get(d, "last_poll")));
	json_decref(st);

	/* The next daemon takes over, and status names it. */
	harness_run(&h);
	harness_wait_hits(&h, "/live.xml", httpd_hits(h.httpd, "/live.xml") +
	    1);
	fw(&p, &h, "status", NULL);
	want = xasprintf("daemon: running, pid %ld, since ", (long)h.pid);
	ck_assert_msg(strstr(p.out, want) != NULL, "%s", p.out);
	free(want);
	test_proc_clear(&p);
	harness_stop(&h);
	free(local);
	free(extra);
	harness_release(&h);
}
END_TEST

/*
 * 1,000 feeds, three failing, one gone, two disabled: `status` starts
 * with the totals and lists only the feeds that need attention; --all
 * lists every one, --feed a pattern, --json everything.
 */
START_TEST(test_status_many)
{
	struct harness		 h;
	struct test_proc	 p;
	json_t			*st;
	GString			*feeds = g_string_new(NULL);
	char			*item, *url, *line;
	int			 i;

	harness_init(&h);
	item = harness_item("q1", "Quiet news", "https://x.example/q1");
	harness_publish(&h, "/ok.xml", item);
	httpd_route(h.httpd, "/gone.xml", 410, "text/plain", "gone", 4, NULL);
	url = httpd_url(h.httpd, "/");
	for (i = 0; i < 1000; i++)
		g_string_append_printf(feeds, "[feed f-%03d]\nurl = %s%s\n%s\n",
		    i, url, i >= 10 && i < 13 ? "missing.xml" : i == 20 ?
		    "gone.xml" : "ok.xml", i == 30 || i == 31 ?
		    "enabled = no\n" : "");
	harness_config(&h, "concurrency = 64\nper-host = 64\n", feeds->str);
	fw(&p, &h, "check", NULL);
	ck_assert_msg(p.status == 1, "check: exit %d: %s", p.status, p.err);
	test_proc_clear(&p);

	fw(&p, &h, "status", NULL);
	ck_assert_int_eq(p.status, 0);
	ck_assert_msg(test_count_lines(p.out, "") < 20, "%s", p.out);
	ck_assert_msg(strncmp(p.out, "state: ", 7) == 0, "%s", p.out);
	line = line_of(p.out, "feeds: ");
	ck_assert_str_eq(line, "feeds: 1000 (994 ok, 3 failing, 1 gone, "
	    "2 disabled), 994 items kept");
	free(line);
	ck_assert_ptr_nonnull(strstr(p.out, "\nf-010 "));
	ck_assert_ptr_nonnull(strstr(p.out, "\nf-012 "));
	ck_assert_ptr_nonnull(strstr(p.out, "\nf-020 "));
	ck_assert_ptr_null(strstr(p.out, "\nf-500 "));
	ck_assert_ptr_nonnull(strstr(p.out, "\n996 feeds not listed: --all "));
	ck_assert_msg(strstr(p.out, "daemon: not running") <
	    strstr(p.out, "FEED "), "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "status", "--all", NULL);
	ck_assert_int_eq(rows(p.out, "f-"), 1000);
	test_proc_clear(&p);
	fw(&p, &h, "status", "--feed", "f-01*", "--feed", "f-999", NULL);
	ck_assert_int_eq(p.status, 0);
	ck_assert_msg(rows(p.out, "f-01") == 10 && rows(p.out, "f-") == 11 &&
	    rows(p.out, "f-999 ") == 1 &&
	    strstr(p.out, "not listed") == NULL, "%s", p.out);
	test_proc_clear(&p);
	fw(&p, &h, "status", "--feed", "nosuch", NULL);
	ck_assert_msg(p.status == 1 && strstr(p.err, "no feed matches "
	    "--feed 'nosuch'") != NULL, "%s", p.err);
	test_proc_clear(&p);
	st = harness_status(&h);
	ck_assert_uint_eq(json_array_size(json_object_get(st, "feeds")), 1000);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(st,
	    "totals"), "failing")), 3);
	ck_assert_str_eq(str_of(harness_feed(st, "f-030"), "health"),
	    "disabled");
	json_decref(st);
	g_string_free(feeds, TRUE);
	free(item);
	free(url);
	harness_release(&h);
}
END_TEST

/*
 * The mute table's state: `mute` before any run makes the state, and
 * `check` honours it; a state of the schema before (without mutes) is
 * refused by `unmute` and upgraded by `check`; bad operands are usage
 * errors.
 */
START_TEST(test_mute_state)
{
	struct harness		 h;
	struct test_proc	 p;
	const char		*first[] = { "a2", NULL };
	const char		*ids[] = { "a2", "a3", NULL };
	char			*sql, *want;
	int			 v;

	harness_init(&h);
	rig(&h, "", "");
	fw(&p, &h, "mute", "lavrov", NULL);
	ck_assert_msg(p.status == 0, "mute with no state: %s", p.err);
	test_proc_clear(&p);
	fw(&p, &h, "check", NULL);
	ck_assert_int_eq(p.status, 0);
	test_proc_clear(&p);
	harness_alerted_exactly(&h, first);

	/*
	 * The schema before the mute table's; the later migrations create
	 * what they add only if it is missing.
	 */
	v = schema_of(h.state);
	sql = xasprintf("DROP TABLE mute; PRAGMA user_version = %d;",
	    MUTE_SCHEMA - 1);
	state_sql(h.state, sql);
	fw(&p, &h, "unmute", "lavrov", NULL);
	want = xasprintf("written by an older feedwatch (schema %d); run "
	    "'feedwatch run' or 'feedwatch check' once", MUTE_SCHEMA - 1);
	ck_assert_msg(p.status == 1 && strstr(p.err, want) != NULL, "%s",
	    p.err);
	test_proc_clear(&p);
	free(want);
	harness_add(&h, "a3", "Lavrov in Ankara");
	fw(&p, &h, "check", NULL);
	want = xasprintf("upgraded from schema %d to %d", MUTE_SCHEMA - 1, v);
	ck_assert_msg(p.status == 0 && strstr(p.err, want) != NULL, "%s",
	    p.err);
	test_proc_clear(&p);
	ck_assert_int_eq(schema_of(h.state), v);
	free(want);
	free(sql);
	harness_alerted_exactly(&h, ids);
	fw(&p, &h, "mute", "lavrov", "for", "1h", NULL);
	ck_assert_msg(p.status == 0 && strstr(p.out, "muted for 1h, until ") !=
	    NULL, "%s", p.err);
	test_proc_clear(&p);

	fw(&p, &h, "mute", "nosuch", NULL);
	ck_assert_msg(p.status == 2 && strstr(p.err, "no topic 'nosuch'") !=
	    NULL, "%s", p.err);
	test_proc_clear(&p);
	fw(&p, &h, "mute", "lavrov", "for", "soon", NULL);
	ck_assert_msg(p.status == 2 && strstr(p.err, "'soon' is not a "
	    "duration") != NULL, "%s", p.err);
	test_proc_clear(&p);
	fw(&p, &h, "mute", "lavrov", "2h", NULL);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	fw(&p, &h, "unmute", "markets", NULL);
	ck_assert_msg(p.status == 0 && strcmp(p.out, "topic 'markets': was not "
	    "muted\n") == 0, "%s", p.out);
	test_proc_clear(&p);
	harness_release(&h);
}
END_TEST

Suite *
mute_suite(void)
{
	const TTest	*listing[] = { test_alerts_listing, NULL };
	const TTest	*off[] = { test_enabled_no, test_mute_running,
	    test_mute_state, NULL };
	const TTest	*status[] = { test_status_daemon, test_status_many,
	    NULL };
	Suite		*s = suite_create("mute");

	test_tcase(s, "alerts", 60, listing);
	test_tcase(s, "off", 60, off);
	test_tcase(s, "status", 90, status);
	return s;
}
