/*
 * check_daemon.c: `feedwatch run` against a real HTTP server whose feeds
 * change between polls: new items alert once, unchanged feeds get 304,
 * kill -9 and restart neither duplicate nor lose an alert, SIGHUP adds a
 * feed and a topic, a failing feed backs off while the others keep their
 * schedule, SIGTERM exits 0.  Signals at bad moments (SIGHUP during a
 * slow delivery, during polls, several in a row, then SIGTERM) lose,
 * repeat and strand nothing, and /metrics counts each event once.
 *
 * Polls run every second here; waits are bounded and generous, so a slow
 * machine only makes the tests slower.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <glib.h>
#include <jansson.h>
#include <zlib.h>

#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

#define WAIT	15.0

static const char feed_tail[] = "</channel></rss>";

/* A harness with the live feed (harness_live()). */
static void
live_start(struct harness *l)
{
	harness_init(l);
	harness_live(l);
}

/* The live feed's config: 'daemon' goes into [daemon], 'extra' after it. */
static void
live_config(struct harness *l, const char *daemon, const char *extra)
{
	char	*sections;

	sections = harness_live_sections(l, extra);
	harness_config(l, daemon, sections);
	free(sections);
}

/* Distinct alert_ids in the alert file. */
static int
distinct_alerts(struct harness *l)
{
	GHashTable	*ids;
	gchar		**lines;
	char		*text, *p;
	size_t		 i;
	int		 n;

	if (access(l->alerts, F_OK) == -1)
		return 0;
	ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	text = test_slurp(l->alerts);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		if ((p = strstr(lines[i], "\"alert_id\":\"")) != NULL)
			g_hash_table_add(ids, g_strndup(p + 12, 32));
	n = (int)g_hash_table_size(ids);
	g_strfreev(lines);
	g_free(text);
	g_hash_table_destroy(ids);
	return n;
}

START_TEST(test_run_alerts_once)
{
	struct harness	 l;

	live_start(&l);
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 1, WAIT), 1);
	/* Several polls later: still one alert, and the server said 304. */
	while (httpd_not_modified(l.httpd, "/live.xml") < 2)
		g_usleep(100000);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 2, 0), 1);
	harness_add(&l, "a3", "Lavrov in Ankara");
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 2, WAIT), 2);
	ck_assert_int_eq(test_lines_with(l.alerts, "\"id\":\"a3\""), 1);
	g_usleep(2500000);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 3, 0), 2);
	harness_stop(&l);
	harness_release(&l);
}
END_TEST

/* kill -9, a new item while down, restart: it alerts once, nothing else again. */
START_TEST(test_run_kill9_restart)
{
	struct harness	 l;
	int		 i;

	live_start(&l);
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 1, WAIT), 1);
	harness_add(&l, "b1", "Lavrov speaks");
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 2, WAIT), 2);
	ck_assert_int_eq(kill(l.pid, SIGKILL), 0);
	ck_assert_int_eq(test_wait(l.pid, WAIT), 128 + SIGKILL);
	harness_add(&l, "b2", "Lavrov again");
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 3, WAIT), 3);
	/*
	 * A burst of kills mid-stream loses nothing.  A kill between a sink's
	 * write and its record may send that alert again, with the same
	 * alert_id (at least once, as for a webhook's Idempotency-Key); no
	 * item ever alerts under a second id.
	 */
	for (i = 0; i < 3; i++) {
		char guid[8], title[32];

		snprintf(guid, sizeof(guid), "c%d", i);
		snprintf(title, sizeof(title), "Lavrov note %d", i);
		harness_add(&l, guid, title);
		g_usleep(300000 * i);
		kill(l.pid, SIGKILL);
		test_wait(l.pid, WAIT);
		harness_run(&l);
	}
	for (i = 0; i < 300 && distinct_alerts(&l) < 6; i++)
		g_usleep(50000);
	g_usleep(2500000);
	ck_assert_int_eq(distinct_alerts(&l), 6);
	ck_assert_int_ge(test_lines_with(l.alerts, "\"id\":\"c2\""), 1);
	ck_assert_int_eq(test_lines_with(l.alerts, "\"id\":\"b2\""), 1);
	harness_stop(&l);
	harness_release(&l);
}
END_TEST

/* SIGHUP: a new feed and a new topic take effect without a restart. */
START_TEST(test_run_reload)
{
	struct harness	 l;
	char		*feed, *extra;

	live_start(&l);
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 1, WAIT), 1);
	harness_publish(&l, "/other.xml", "<item><title>Crimea ferry news</title>"
	    "<guid>o1</guid><pubDate>Fri, 27 Nov 2026 08:00:00 GMT</pubDate>"
	    "</item>");
	feed = harness_feed_section(&l, "other", "/other.xml", "");
	extra = xasprintf("%s[topic crimea]\nquery = Crimea\n", feed);
	live_config(&l, "", extra);
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 2, WAIT), 2);
	ck_assert_int_eq(test_lines_with(l.alerts, "\"topic\":\"crimea\""), 1);
	ck_assert_int_eq(test_lines_with(l.alerts, "\"id\":\"o1\""), 1);
	/* A broken config on reload keeps the running one. */
	free(test_write(l.dir, "feedwatch.conf", "[daemon]\nbogus = 1\n"));
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	harness_add(&l, "d1", "Lavrov after a bad reload");
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 3, WAIT), 3);
	harness_stop(&l);
	free(extra);
	free(feed);
	harness_release(&l);
}
END_TEST

/* RSS <ttl> (minutes) is a floor on the poll interval; so is max-age. */
START_TEST(test_run_ttl)
{
	struct harness	 l;
	char		*extra;
	static const char ttl_feed[] = "<rss version=\"2.0\"><channel>"
	    "<title>t</title><ttl>1</ttl><item><title>x</title><guid>t1</guid>"
	    "</item></channel></rss>";

	live_start(&l);
	httpd_route(l.httpd, "/ttl.xml", 200, "application/rss+xml", ttl_feed,
	    sizeof(ttl_feed) - 1, NULL);
	extra = harness_feed_section(&l, "ttl", "/ttl.xml", "");
	live_config(&l, "", extra);
	harness_run(&l);
	g_usleep(4500000);
	ck_assert_uint_ge(httpd_hits(l.httpd, "/live.xml"), 3);
	ck_assert_uint_eq(httpd_hits(l.httpd, "/ttl.xml"), 1);
	harness_stop(&l);
	free(extra);
	harness_release(&l);
}
END_TEST

/* A failing feed backs off; the healthy one keeps its 1 s schedule. */
START_TEST(test_run_backoff)
{
	struct harness	 l;
	char		*extra;
	unsigned int	 good, bad;

	live_start(&l);
	httpd_route(l.httpd, "/broken.xml", 500, "text/plain", "oops", 4,
	    NULL);
	extra = harness_feed_section(&l, "broken", "/broken.xml", "");
	live_config(&l, "", extra);
	harness_run(&l);
	g_usleep(6500000);
	good = httpd_hits(l.httpd, "/live.xml");
	bad = httpd_hits(l.httpd, "/broken.xml");
	/* 1 s apart: about 6 polls; backing off 1, 2, 4 s: at most 4. */
	ck_assert_msg(good >= 5, "healthy feed polled %u times", good);
	ck_assert_msg(bad >= 2 && bad <= 4, "failing feed polled %u times",
	    bad);
	harness_stop(&l);
	free(extra);
	harness_release(&l);
}
END_TEST

/* The README's demo: the example alerts at once, then live ones. */
START_TEST(test_demo)
{
	char		*dir, *log, *text = NULL;
	const char	*args[] = { "demo", NULL };
	pid_t		 pid;
	int		 i, live = 0, article = 0;

	dir = test_tmpdir();
	log = xasprintf("%s/demo.log", dir);
	setenv("FEEDWATCH_DEMO_PERIOD", "1", 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	pid = test_spawn(args, log);
	for (i = 0; i < 300 && (live < 3 || article < 2); i++) {
		g_usleep(100000);
		g_free(text);
		text = test_slurp(log);
		live = test_count_lines(text, "\"feed\":\"live-wire\"");
		article = test_count_lines(text, "Pompeo to Lavrov");
	}
	ck_assert_msg(article == 2 && live >= 3, "article alerts %d, live %d: "
	    "%s", article, live, text);
	ck_assert_int_eq(test_count_lines(text, "\"feed\":\"europe\""), 1);
	ck_assert_int_eq(kill(pid, SIGINT), 0);
	ck_assert_int_eq(test_wait(pid, WAIT), 0);
	g_free(text);
	free(log);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * 200 Lavrov items on top of the live feed, with text enough that their
 * records (3 MiB) outgrow a state capped at 2 MiB.
 */
static void
add_big_items(struct harness *l)
{
	char	*item, title[64], guid[16], body[16384];
	int	 i;

	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	for (i = 0; i < 200; i++) {
		snprintf(guid, sizeof(guid), "f%d", i);
		snprintf(title, sizeof(title), "Lavrov statement number %d", i);
		item = xasprintf("<item><title>%s</title><guid>%s</guid>"
		    "<description>%s</description><pubDate>Fri, 27 Nov 2026 "
		    "09:00:00 GMT</pubDate></item>", title, guid, body);
		g_string_prepend(l->items, item);
		free(item);
	}
	harness_publish(l, "/live.xml", l->items->str);
}

/*
 * A full disk: the state store cannot grow, so polls cannot be recorded.
 * The daemon says so, keeps running, marks nothing seen; once the disk has
 * room (a restart without the cap) every item alerts, exactly once.
 */
START_TEST(test_run_disk_full)
{
	struct harness	 l;
	pid_t		 pid;
	char		*log;

	live_start(&l);
	add_big_items(&l);
	{
		const char *args[] = { "run", "-c", l.conf, NULL };

		/* Room for the schema (its 64 KiB pages), not for the items. */
		pid = test_spawn_fsize(args, l.log, 2 * 1024 * 1024);
	}
	g_usleep(4000000);
	ck_assert_msg(kill(pid, 0) == 0, "feedwatch run died on a full disk");
	log = test_slurp(l.log);
	ck_assert_msg(strstr(log, "could not be recorded") != NULL, "log: %s",
	    log);
	g_free(log);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	test_wait(pid, WAIT);
	/* Nothing was half-recorded: every item alerts once now. */
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 201, 30), 201);
	g_usleep(1500000);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 202, 0), 201);
	harness_stop(&l);
	harness_release(&l);
}
END_TEST

/* A corrupt state file: a clear error naming it, exit 1, no damage done. */
START_TEST(test_run_corrupt_state)
{
	struct harness		 l;
	struct test_proc	 p;
	char			*db, junk[4096];
	const char		*args[] = { "check", "-c", NULL, NULL };
	size_t			 i;

	live_start(&l);
	for (i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)('a' + i % 26);
	junk[sizeof(junk) - 1] = '\0';
	db = test_write(l.dir, "state.db", junk);
	args[2] = l.conf;
	test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_ptr_nonnull(strstr(p.err, db));
	ck_assert_ptr_nonnull(strstr(p.err, "not a database"));
	test_proc_clear(&p);
	/* Moved aside, a new store starts. */
	ck_assert_int_eq(unlink(db), 0);
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
	free(db);
	harness_release(&l);
}
END_TEST

/* Distinct keys answered 'status' in an httpd log, and how many lines did. */
static int
keys_with(const char *log, const char *status, int *lines)
{
	GHashTable	*seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	gchar		**v;
	size_t		 i, n = strlen(status);
	int		 keys;

	*lines = 0;
	v = g_strsplit(log, "\n", -1);
	for (i = 0; v[i] != NULL; i++)
		if (strncmp(v[i], status, n) == 0 && v[i][n] == ' ') {
			(*lines)++;
			g_hash_table_add(seen, g_strdup(v[i] + n + 1));
		}
	keys = (int)g_hash_table_size(seen);
	g_strfreev(v);
	g_hash_table_destroy(seen);
	return keys;
}

/* Waits (bounded) until 'h' has answered /hook with 'status' at least once. */
static void
wait_log(struct httpd *h, const char *status)
{
	char	*log;
	int	 i, lines = 0;

	for (i = 0; i < 400 && lines == 0; i++) {
		log = httpd_log(h, "/hook");
		keys_with(log, status, &lines);
		free(log);
		if (lines == 0)
			g_usleep(100000);
	}
	ck_assert_msg(lines > 0, "the webhook was never answered %s", status);
}

/*
 * A webhook that is down (refused), then killed with SIGKILL mid-outage,
 * then answers 500, then 429 with Retry-After, then recovers: every alert
 * arrives, once, and polling went on meanwhile.
 */
START_TEST(test_run_webhook_outage)
{
	struct harness	 l;
	struct httpd	*hook = NULL;
	char		*extra, *log, title[64], guid[16];
	int		 port = test_free_port(), i, lines, got = 0;
	unsigned int	 polled;

	live_start(&l);
	for (i = 0; i < 4; i++) {
		snprintf(guid, sizeof(guid), "w%d", i);
		snprintf(title, sizeof(title), "Lavrov briefing %d", i);
		harness_add(&l, guid, title);
	}
	/* Five Lavrov items: a1 and w0..w3.  The file sink still gets them. */
	extra = xasprintf("[sink hook]\ntype = webhook\n"
	    "url = http://127.0.0.1:%d/hook\n", port);
	/* retry = 1s: the test's outage lasts seconds, not minutes. */
	live_config(&l, "retry = 1s\n", extra);
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 5, WAIT), 5);
	g_usleep(1000000);
	polled = httpd_hits(l.httpd, "/live.xml");
	ck_assert_int_eq(kill(l.pid, SIGKILL), 0);
	test_wait(l.pid, WAIT);

	/* Each phase lasts until the daemon has met it (backoff spaces tries). */
	hook = httpd_start_port(port);
	httpd_route(hook, "/hook", 500, "text/plain", "down", 4, NULL);
	httpd_record(hook, "/hook", "Idempotency-Key");
	harness_run(&l);
	wait_log(hook, "500");
	httpd_route(hook, "/hook", 429, "text/plain", "slow down", 9, NULL);
	httpd_route_header(hook, "/hook", "Retry-After", "1");
	wait_log(hook, "429");
	httpd_route(hook, "/hook", 200, "application/json", "{}", 2, NULL);
	for (i = 0; i < 400 && got < 5; i++) {
		g_usleep(100000);
		log = httpd_log(hook, "/hook");
		got = keys_with(log, "200", &lines);
		free(log);
	}
	log = httpd_log(hook, "/hook");
	ck_assert_msg(keys_with(log, "500", &lines) >= 1, "log: %s", log);
	ck_assert_msg(keys_with(log, "429", &lines) >= 1, "log: %s", log);
	ck_assert_msg(keys_with(log, "200", &lines) == 5 && lines == 5,
	    "every alert once: %s", log);
	free(log);
	/* Polling never waited for the sink. */
	ck_assert_uint_gt(httpd_hits(l.httpd, "/live.xml"), polled);
	harness_stop(&l);
	httpd_stop(hook);
	free(extra);
	harness_release(&l);
}
END_TEST

/* The value of the sample line starting with 'series', or -1. */
static double
sample(const char *text, const char *series)
{
	const char	*p = text;
	size_t		 n = strlen(series);

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return atof(p + n + 1);
		p += n;
	}
	return -1;
}

/* /metrics and /healthz on [daemon] listen, after real polls. */
START_TEST(test_run_metrics)
{
	struct harness	 l;
	char		*url, *text, listen[64];
	long		 code;
	int		 port = test_free_port(), i;

	live_start(&l);
	snprintf(listen, sizeof(listen), "listen = 127.0.0.1:%d\n", port);
	live_config(&l, listen, "");
	harness_run(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, "", 1, WAIT), 1);
	url = xasprintf("http://127.0.0.1:%d/metrics", port);
	text = NULL;
	for (i = 0; i < 100; i++) {
		g_free(text);
		text = test_http_get(url, &code);
		if (code == 200 && sample(text, "feedwatch_alerts_delivered_total"
		    "{sink=\"log\"}") == 1)
			break;
		g_usleep(100000);
	}
	ck_assert_int_eq(code, 200);
	ck_assert_msg(sample(text, "feedwatch_polls_total{result=\"ok\"}") >= 1,
	    "%s", text);
	ck_assert(sample(text, "feedwatch_http_responses_total{code=\"200\"}")
	    >= 1);
	ck_assert(sample(text, "feedwatch_matches_total{topic=\"lavrov\"}")
	    == 1);
	ck_assert(sample(text, "feedwatch_alerts_delivered_total{sink=\"log\"}")
	    == 1);
	ck_assert(sample(text, "feedwatch_outbox_pending{sink=\"log\"}") == 0);
	ck_assert(sample(text, "feedwatch_items_parsed_total") >= 2);
	ck_assert(sample(text, "feedwatch_feeds") == 1);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE feedwatch_polls_total "
	    "counter"));
	g_free(text);
	free(url);
	url = xasprintf("http://127.0.0.1:%d/healthz", port);
	text = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	ck_assert_str_eq(text, "ok\n");
	g_free(text);
	free(url);
	harness_stop(&l);
	harness_release(&l);
}
END_TEST

/* sd_notify on a socket of the test's own: READY, WATCHDOG, STOPPING. */
START_TEST(test_run_sd_notify)
{
	struct harness		 l;
	struct sockaddr_un	 sun;
	char			 buf[512], *path;
	GString			*got = g_string_new(NULL);
	ssize_t			 n;
	int			 fd, i, stopped = 0;

	live_start(&l);
	path = xasprintf("%s/notify.sock", l.dir);
	ck_assert_int_ne(fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0),
	    -1);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1);
	unsetenv("WATCHDOG_PID");
	harness_run(&l);
	for (i = 0; i < 200; i++) {
		while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			g_string_append(got, buf);
			g_string_append_c(got, '\n');
		}
		if (!stopped && strstr(got->str, "READY=1") != NULL &&
		    test_count_lines(got->str, "WATCHDOG=1") >= 3) {
			ck_assert_int_eq(kill(l.pid, SIGTERM), 0);
			stopped = 1;
		}
		if (stopped && strstr(got->str, "STOPPING=1") != NULL)
			break;
		g_usleep(50000);
	}
	ck_assert_msg(strstr(got->str, "READY=1") != NULL, "got: %s", got->str);
	ck_assert_ptr_nonnull(strstr(got->str, "STATUS=watching 1 feeds"));
	ck_assert_int_ge(test_count_lines(got->str, "WATCHDOG=1"), 3);
	ck_assert_msg(strstr(got->str, "STOPPING=1") != NULL, "got: %s",
	    got->str);
	ck_assert_int_eq(test_wait(l.pid, WAIT), 0);
	close(fd);
	g_string_free(got, TRUE);
	free(path);
	harness_release(&l);
}
END_TEST

/*
 * The units pass systemd-analyze verify, and the system unit's exposure
 * is 1.2 or lower.  Without systemd-analyze the test fails, naming its
 * package.
 */
START_TEST(test_units)
{
	char		*dir, *bindir, *in, *text, *unit, *out = NULL, *err = NULL;
	const char	*units[] = { "feedwatch.service.in",
	    "user/feedwatch.service.in" };
	gchar		**parts;
	gint		 status;
	double		 exposure;
	size_t		 i;

	test_need("systemd-analyze", "systemd");
	dir = test_tmpdir();
	bindir = g_path_get_dirname(test_env("FEEDWATCH"));
	for (i = 0; i < 2; i++) {
		in = xasprintf("%s/systemd/%s", test_env("FEEDWATCH_SRC"),
		    units[i]);
		text = test_slurp(in);
		parts = g_strsplit(text, "@BINDIR@", -1);
		g_free(text);
		text = g_strjoinv(bindir, parts);
		g_strfreev(parts);
		/* The binary's name must be feedwatch, as ExecStart says. */
		unit = test_write(dir, "feedwatch.service", text);
		{
			const char *argv[] = { "systemd-analyze", "verify",
			    "--man=no", unit, NULL };

			ck_assert(g_spawn_sync(NULL, (gchar **)argv, NULL,
			    G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			    &status, NULL));
			ck_assert_msg(status == 0 && *err == '\0',
			    "%s: verify: %s%s", units[i], out, err);
			g_free(out);
			g_free(err);
		}
		if (i == 0) {
			const char *argv[] = { "systemd-analyze", "security",
			    "--offline=true", unit, NULL };
			const char *p;

			ck_assert(g_spawn_sync(NULL, (gchar **)argv, NULL,
			    G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			    &status, NULL));
			p = strstr(out, "Overall exposure level for "
			    "feedwatch.service: ");
			ck_assert_msg(p != NULL, "security: %s%s", out, err);
			exposure = atof(p + strlen("Overall exposure level for "
			    "feedwatch.service: "));
			ck_assert_msg(exposure <= 1.2, "exposure %.1f > 1.2",
			    exposure);
			g_free(out);
			g_free(err);
		}
		g_free(text);
		free(unit);
		free(in);
	}
	g_free(bindir);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- signals at bad moments ---- */

/* Requests /hook got so far; 'keys' gets how many distinct alerts. */
static int
hook_requests(struct httpd *hook, int *keys)
{
	char	*log;
	int	 lines;

	log = httpd_log(hook, "/hook");
	*keys = keys_with(log, "200", &lines);
	free(log);
	return lines;
}

/* Waits (bounded) until /hook has seen 'n' distinct alerts. */
static int
wait_hook(struct httpd *hook, int n, double secs)
{
	int	 keys = 0, i;

	for (i = 0; ; i++) {
		hook_requests(hook, &keys);
		if (keys >= n || i >= secs * 20)
			break;
		g_usleep(50000);
	}
	return keys;
}

/* The live config with 'hook' as [sink hook], beside the file sink. */
static void
hook_config(struct harness *l, struct httpd *hook, const char *daemon)
{
	char	*url, *extra;

	url = httpd_url(hook, "/hook");
	extra = xasprintf("[sink hook]\ntype = webhook\nurl = %s\n", url);
	live_config(l, daemon, extra);
	free(extra);
	free(url);
}

/* A webhook receiver that answers after 'delay_ms', and its config. */
static struct httpd *
hook_start(struct harness *l, int delay_ms, const char *daemon)
{
	struct httpd	*hook;

	hook = httpd_start();
	httpd_route(hook, "/hook", 200, "application/json", "{}", 2, NULL);
	httpd_route_delay(hook, "/hook", delay_ms);
	httpd_record(hook, "/hook", "Idempotency-Key");
	hook_config(l, hook, daemon);
	return hook;
}

/* Lavrov items l1..ln at the top of the live feed. */
static void
add_lavrov(struct harness *l, int from, int n)
{
	char	 guid[16], title[64];
	int	 i;

	for (i = from; i < from + n; i++) {
		snprintf(guid, sizeof(guid), "l%d", i);
		snprintf(title, sizeof(title), "Lavrov statement %d", i);
		harness_add(l, guid, title);
	}
}

/* From `status --json`: the count 'field' of sink 'sink'. */
static long
status_count(struct harness *l, const char *sink, const char *field)
{
	json_t	*st;
	long	 n;

	st = harness_status(l);
	n = (long)json_integer_value(json_object_get(harness_sink(st, sink),
	    field));
	json_decref(st);
	return n;
}

/* Sends SIGTERM; the exit status, and the seconds it took in 'secs'. */
static int
term_timed(pid_t pid, double *secs)
{
	gint64	 t0 = g_get_monotonic_time();
	int	 rc;

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	rc = test_wait(pid, WAIT);
	*secs = (g_get_monotonic_time() - t0) / 1e6;
	return rc;
}

/*
 * SIGHUP while a webhook takes 2 s to answer: the delivery finishes on the
 * old sink, the receiver gets the alert once, and SIGTERM afterwards is
 * prompt (the in-flight count went back to zero).
 */
START_TEST(test_reload_slow_delivery)
{
	struct harness	 l;
	struct httpd	*hook;
	double		 secs;
	int		 keys, lines;

	live_start(&l);
	hook = hook_start(&l, 2000, "");
	harness_run(&l);
	ck_assert_int_eq(wait_hook(hook, 1, WAIT), 1);
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	ck_assert_msg(test_wait_lines(l.log, "finished on the old sink", 1,
	    WAIT) == 1, "no delivery finished on the old sink");
	ck_assert_int_eq(test_wait_lines(l.log, "sink 'hook': alert", 1, 0), 1);
	/* Give a second send the time to show up. */
	g_usleep(1500000);
	lines = hook_requests(hook, &keys);
	ck_assert_msg(keys == 1 && lines == 1, "webhook got %d requests for %d "
	    "alerts", lines, keys);
	ck_assert_int_eq(term_timed(l.pid, &secs), 0);
	ck_assert_msg(secs < 1.5, "SIGTERM took %.2fs with nothing in flight",
	    secs);
	ck_assert_int_eq(status_count(&l, "hook", "delivered"), 1);
	ck_assert_int_eq(status_count(&l, "hook", "pending"), 0);
	httpd_stop(hook);
	harness_release(&l);
}
END_TEST

/*
 * Five SIGHUPs in a row, one of them with a broken config, while
 * deliveries (1 s each) and polls (0.3 s each) are in flight and a new
 * item arrives: every alert arrives once, the daemon lives on, and its
 * status and counters agree with the receiver.
 */
START_TEST(test_reload_storm)
{
	struct harness	 l;
	struct httpd	*hook;
	char		*url, *text;
	double		 secs, delivered;
	long		 code;
	int		 keys, lines, i, port = test_free_port();
	char		 listen[64];

	live_start(&l);
	add_lavrov(&l, 1, 5);
	snprintf(listen, sizeof(listen), "listen = 127.0.0.1:%d\n", port);
	hook = hook_start(&l, 1000, listen);
	httpd_route_delay(l.httpd, "/live.xml", 300);
	harness_run(&l);
	ck_assert_int_ge(wait_hook(hook, 1, WAIT), 1);
	for (i = 0; i < 5; i++) {
		if (i == 2) {
			/* Refused: the running config stays, sinks and all. */
			free(test_write(l.dir, "feedwatch.conf",
			    "[daemon]\nbogus = 1\n"));
			ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
			ck_assert_int_eq(test_wait_lines(l.log,
			    "failed; keeping", 1, WAIT), 1);
			hook_config(&l, hook, listen);
		}
		if (i == 3)
			add_lavrov(&l, 6, 1);
		ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
		g_usleep(150000);
	}
	/* a1 and l1..l6. */
	ck_assert_int_eq(wait_hook(hook, 7, 30), 7);
	g_usleep(1500000);
	lines = hook_requests(hook, &keys);
	ck_assert_msg(keys == 7 && lines == 7, "webhook got %d requests for %d "
	    "alerts", lines, keys);
	ck_assert_msg(kill(l.pid, 0) == 0, "the daemon died");
	ck_assert_int_eq(test_wait_lines(l.log, "reloaded:", 5, WAIT), 5);
	ck_assert_int_eq(status_count(&l, "hook", "delivered"), 7);
	ck_assert_int_eq(status_count(&l, "hook", "pending"), 0);
	ck_assert_int_eq(status_count(&l, "hook", "failed"), 0);
	ck_assert_int_eq(status_count(&l, "log", "delivered"), 7);
	url = xasprintf("http://127.0.0.1:%d/metrics", port);
	text = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	delivered = sample(text, "feedwatch_alerts_delivered_total"
	    "{sink=\"hook\"}");
	ck_assert_msg(delivered == 7, "delivered counter %g: %s", delivered,
	    text);
	g_free(text);
	free(url);
	ck_assert_int_eq(term_timed(l.pid, &secs), 0);
	ck_assert_msg(secs < 1.5, "SIGTERM took %.2fs", secs);
	httpd_stop(hook);
	harness_release(&l);
}
END_TEST

/*
 * SIGTERM right after a SIGHUP, while four deliveries (2 s each) are in
 * flight and two more wait: it exits 0 once the four end, the outbox has
 * them delivered and the other two pending, and the next start sends
 * those two.  Nothing arrives twice.
 */
START_TEST(test_reload_then_term)
{
	struct harness	 l;
	struct httpd	*hook;
	double		 secs;
	int		 keys, lines;

	live_start(&l);
	add_lavrov(&l, 1, 5);
	hook = hook_start(&l, 2000, "");
	harness_run(&l);
	ck_assert_int_eq(wait_hook(hook, 4, WAIT), 4);
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	ck_assert_int_eq(test_wait_lines(l.log, "reloaded:", 1, WAIT), 1);
	ck_assert_int_eq(term_timed(l.pid, &secs), 0);
	ck_assert_msg(secs < 3.5, "SIGTERM took %.2fs for 2 s deliveries",
	    secs);
	lines = hook_requests(hook, &keys);
	ck_assert_msg(keys == 4 && lines == 4, "webhook got %d requests for %d "
	    "alerts", lines, keys);
	ck_assert_int_eq(status_count(&l, "hook", "delivered"), 4);
	ck_assert_int_eq(status_count(&l, "hook", "pending"), 2);
	httpd_route_delay(hook, "/hook", 0);
	harness_run(&l);
	ck_assert_int_eq(wait_hook(hook, 6, WAIT), 6);
	g_usleep(1000000);
	lines = hook_requests(hook, &keys);
	ck_assert_msg(keys == 6 && lines == 6, "webhook got %d requests for %d "
	    "alerts", lines, keys);
	harness_stop(&l);
	ck_assert_int_eq(status_count(&l, "hook", "pending"), 0);
	httpd_stop(hook);
	harness_release(&l);
}
END_TEST

/*
 * A feed removed by a reload while its poll runs (3 s) is not polled
 * again; removed and added back while the poll runs, it stays one feed
 * with one poll at a time.  Its items are recorded once either way.
 */
START_TEST(test_reload_during_poll)
{
	struct harness	 l;
	char		*extra, *metrics, *text, listen[64];
	unsigned int	 hits;
	long		 code;
	int		 port = test_free_port();
	static const char slow[] = "<rss version=\"2.0\"><channel><title>s"
	    "</title><item><title>Lavrov on a slow line</title><guid>s1</guid>"
	    "<pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>"
	    "</channel></rss>";

	live_start(&l);
	httpd_route(l.httpd, "/slow.xml", 200, "application/rss+xml", slow,
	    sizeof(slow) - 1, NULL);
	httpd_route_delay(l.httpd, "/slow.xml", 3000);
	extra = harness_feed_section(&l, "slow", "/slow.xml", "");
	snprintf(listen, sizeof(listen), "listen = 127.0.0.1:%d\n", port);
	metrics = xasprintf("http://127.0.0.1:%d/metrics", port);
	live_config(&l, listen, extra);
	harness_run(&l);
	ck_assert_uint_eq(httpd_wait_hits(l.httpd, "/slow.xml", 1, WAIT), 1);
	/* Out, and back in, while the first poll runs. */
	live_config(&l, listen, "");
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	ck_assert_int_eq(test_wait_lines(l.log, "reloaded:", 1, WAIT), 1);
	live_config(&l, listen, extra);
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	ck_assert_int_eq(test_wait_lines(l.log, "reloaded:", 2, WAIT), 2);
	g_usleep(1000000);
	hits = httpd_hits(l.httpd, "/slow.xml");
	ck_assert_msg(hits == 1, "%u polls of one feed at once", hits);
	ck_assert_int_eq(test_wait_lines(l.log, "feed 'slow': 1 items", 1,
	    WAIT), 1);
	/* Its next poll comes on schedule; remove it while that one runs. */
	ck_assert_uint_eq(httpd_wait_hits(l.httpd, "/slow.xml", 2, WAIT), 2);
	live_config(&l, listen, "");
	ck_assert_int_eq(kill(l.pid, SIGHUP), 0);
	ck_assert_int_eq(test_wait_lines(l.log, "reloaded:", 3, WAIT), 3);
	text = test_http_get(metrics, &code);
	ck_assert_msg(code == 200 && sample(text, "feedwatch_feeds") == 1,
	    "a removed feed still counted: %s", text);
	g_free(text);
	ck_assert_int_eq(test_wait_lines(l.log, "feed 'slow': 1 items", 2,
	    WAIT), 2);
	g_usleep(2500000);
	ck_assert_uint_eq(httpd_hits(l.httpd, "/slow.xml"), 2);
	ck_assert_int_eq(test_lines_with(l.alerts, "\"id\":\"s1\""), 1);
	harness_stop(&l);
	free(metrics);
	free(extra);
	harness_release(&l);
}
END_TEST

/* 'text' gzip-compressed (malloc'd), its length in 'len'. */
static char *
gzip_text(const char *text, size_t *len)
{
	z_stream	 z;
	char		*out;
	size_t		 cap = strlen(text) + 64;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/*
 * The Prometheus text format, line by line: HELP and TYPE once per family
 * and before its samples, a family's lines together, names and label
 * values well formed (only \\, \" and \n escaped).  NULL, or what is wrong.
 */
static char *
exposition_error(const char *text)
{
	GRegex		*re;
	GMatchInfo	*mi = NULL;
	GHashTable	*seen;
	gchar		**lines, *kind, *name, *key, *err = NULL;
	char		 current[128] = "";
	size_t		 i;

	re = g_regex_new("^(?:# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+|"
	    "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{[a-zA-Z_][a-zA-Z0-9_]*=\""
	    "(?:\\\\[\\\\\"n]|[^\"\\\\])*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\""
	    "(?:\\\\[\\\\\"n]|[^\"\\\\])*\")*\\})? (?:-?[0-9]+(?:\\.[0-9]+)?"
	    "(?:e[+-]?[0-9]+)?|NaN|[+-]Inf))$", 0, 0, NULL);
	ck_assert_ptr_nonnull(re);
	/* "HELP f", "TYPE f", and "f" once f's lines have ended */
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL && lines[i + 1] != NULL && err == NULL;
	    i++) {
		if (!g_regex_match(re, lines[i], 0, &mi)) {
			err = g_strdup_printf("bad line '%s'", lines[i]);
			g_match_info_free(mi);
			break;
		}
		kind = g_match_info_fetch(mi, 1);
		name = g_match_info_fetch(mi, *kind != '\0' ? 2 : 3);
		if (strcmp(current, name) != 0) {
			g_hash_table_add(seen, g_strdup(current));
			if (g_hash_table_contains(seen, name))
				err = g_strdup_printf("'%s' split", name);
			snprintf(current, sizeof(current), "%s", name);
		}
		if (*kind != '\0') {
			key = g_strdup_printf("%s %s", kind, name);
			if (!g_hash_table_add(seen, key))
				err = g_strdup_printf("%s '%s' twice", kind,
				    name);
		} else {
			key = g_strdup_printf("TYPE %s", name);
			if (!g_hash_table_contains(seen, key))
				err = g_strdup_printf("'%s' has no TYPE", name);
			g_free(key);
		}
		g_free(kind);
		g_free(name);
		g_match_info_free(mi);
	}
	if (err == NULL && (i == 0 || lines[i] == NULL || *lines[i] != '\0'))
		err = g_strdup("no final newline");
	g_strfreev(lines);
	g_hash_table_destroy(seen);
	g_regex_unref(re);
	return err;
}

/* An RSS item for the metrics test. */
static void
rss_item(GString *s, const char *guid, const char *title)
{
	g_string_append_printf(s, "<item><title>%s</title><guid>%s</guid>"
	    "<link>https://m.example.org/%s</link><pubDate>Fri, 27 Nov 2026 "
	    "09:00:00 GMT</pubDate></item>", title, guid, guid);
}

/* What the test servers saw, for the metrics test. */
struct served {
	unsigned int	 plain, gz, etag, not_modified, err, html, hook, bad;
};

static void
served_get(struct httpd *h, struct served *v)
{
	v->plain = httpd_hits(h, "/plain.xml");
	v->gz = httpd_hits(h, "/gz.xml");
	v->etag = httpd_hits(h, "/etag.xml");
	v->not_modified = httpd_not_modified(h, "/etag.xml");
	v->err = httpd_hits(h, "/err.xml");
	v->html = httpd_hits(h, "/page.html");
	v->hook = httpd_hits(h, "/hook");
	v->bad = httpd_hits(h, "/bad");
}

static void
expect(GString *bad, const char *text, const char *series, double want)
{
	double	 got = sample(text, series);

	if (got != want)
		g_string_append_printf(bad, "%s is %g, want %g\n", series, got,
		    want);
}

/*
 * /metrics against what the servers served: every poll once under its
 * result, HTTP statuses as served, body bytes after gzip decoding, items
 * parsed and new, matches per topic, alerts delivered and failed per
 * sink, in the Prometheus text format.
 */
START_TEST(test_metrics_sums)
{
	struct harness	 l;
	struct served	 v, v2;
	GString		*plain, *gz, *etag, *bad = NULL;
	char		*conf, *url, *text = NULL, *zipped, *err;
	size_t		 zlen, i;
	long		 code;
	int		 port = test_free_port();
	static const char html[] = "<html><head><title>x</title></head>"
	    "<body><p>not a feed</p></body></html>";
	static const char head[] = "<rss version=\"2.0\"><channel><title>m"
	    "</title>";

	live_start(&l);
	plain = g_string_new(head);
	rss_item(plain, "p1", "Lavrov arrives in Geneva for talks");
	rss_item(plain, "p2", "Lavrov leaves Geneva after the talks");
	rss_item(plain, "p3", "Crimea bridge reopens to traffic");
	g_string_append(plain, feed_tail);
	gz = g_string_new(head);
	rss_item(gz, "g1", "Lavrov writes to the Security Council");
	rss_item(gz, "g2", "Weather turns cold in the north");
	g_string_append(gz, feed_tail);
	etag = g_string_new(head);
	rss_item(etag, "e1", "Lavrov and Wang meet in Beijing");
	rss_item(etag, "e2", "Markets close higher on Friday");
	g_string_append(etag, feed_tail);
	httpd_route(l.httpd, "/plain.xml", 200, "application/rss+xml",
	    plain->str, plain->len, NULL);
	zipped = gzip_text(gz->str, &zlen);
	httpd_route(l.httpd, "/gz.xml", 200, "application/rss+xml", zipped,
	    zlen, NULL);
	httpd_route_header(l.httpd, "/gz.xml", "Content-Encoding", "gzip");
	free(zipped);
	httpd_route(l.httpd, "/etag.xml", 200, "application/rss+xml",
	    etag->str, etag->len, "\"e\"");
	httpd_route(l.httpd, "/err.xml", 500, "text/plain", "oops", 4, NULL);
	httpd_route(l.httpd, "/page.html", 200, "text/html", html,
	    sizeof(html) - 1, NULL);
	httpd_route(l.httpd, "/hook", 200, "application/json", "{}", 2, NULL);
	httpd_route(l.httpd, "/bad", 400, "text/plain", "no", 2, NULL);
	url = httpd_url(l.httpd, "");
	conf = xasprintf("[daemon]\nstate = %s/state.db\ninterval = 1s\n"
	    "jitter = 0%%\nbackfill = 36500d\nlisten = 127.0.0.1:%d\n\n"
	    "[feed plain]\nurl = %s/plain.xml\n\n[feed gz]\nurl = %s/gz.xml\n\n"
	    "[feed etag]\nurl = %s/etag.xml\n\n[feed err]\nurl = %s/err.xml\n\n"
	    "[feed html]\nurl = %s/page.html\n\n[topic lavrov]\n"
	    "query = Lavrov\n\n[topic crimea]\nquery = Crimea\n\n"
	    "[sink hook]\ntype = webhook\nurl = %s/hook\n\n[sink bad]\n"
	    "type = webhook\nurl = %s/bad\n", l.dir, port, url, url, url, url,
	    url, url, url);
	free(l.conf);
	l.conf = test_write(l.dir, "feedwatch.conf", conf);
	free(conf);
	free(url);
	harness_run(&l);
	/* Several polls each, and the five alerts (4 lavrov, 1 crimea) sent. */
	ck_assert_uint_ge(httpd_wait_hits(l.httpd, "/plain.xml", 3, WAIT), 3);
	ck_assert_uint_ge(httpd_wait_hits(l.httpd, "/etag.xml", 3, WAIT), 3);
	ck_assert_uint_ge(httpd_wait_hits(l.httpd, "/hook", 5, WAIT), 5);
	ck_assert_uint_ge(httpd_wait_hits(l.httpd, "/bad", 5, WAIT), 5);
	/* Compare at a moment when no poll is in flight (bounded tries). */
	url = xasprintf("http://127.0.0.1:%d/metrics", port);
	for (i = 0; i < 100; i++) {
		served_get(l.httpd, &v);
		g_free(text);
		text = test_http_get(url, &code);
		served_get(l.httpd, &v2);
		if (code != 200 || memcmp(&v, &v2, sizeof(v)) != 0) {
			g_usleep(50000);
			continue;
		}
		if (bad != NULL)
			g_string_free(bad, TRUE);
		bad = g_string_new(NULL);
		expect(bad, text, "feedwatch_polls_total{result=\"ok\"}",
		    v.plain + v.gz + v.etag - v.not_modified);
		expect(bad, text, "feedwatch_polls_total{result=\"not "
		    "modified\"}", v.not_modified);
		expect(bad, text, "feedwatch_polls_total{result=\"http "
		    "error\"}", v.err);
		expect(bad, text, "feedwatch_polls_total{result=\"parse "
		    "error\"}", v.html);
		expect(bad, text, "feedwatch_polls_total{result=\"new\"}", -1);
		expect(bad, text, "feedwatch_http_responses_total"
		    "{code=\"200\"}", v.plain + v.gz + v.etag - v.not_modified +
		    v.html);
		expect(bad, text, "feedwatch_http_responses_total"
		    "{code=\"304\"}", v.not_modified);
		expect(bad, text, "feedwatch_http_responses_total"
		    "{code=\"500\"}", v.err);
		expect(bad, text, "feedwatch_bytes_total", (double)v.plain *
		    plain->len + (double)v.gz * gz->len + (double)(v.etag -
		    v.not_modified) * etag->len + v.err * 4.0 + v.html *
		    (sizeof(html) - 1.0));
		expect(bad, text, "feedwatch_items_parsed_total", 3.0 *
		    v.plain + 2.0 * v.gz + 2.0 * (v.etag - v.not_modified));
		expect(bad, text, "feedwatch_items_new_total", 7);
		expect(bad, text, "feedwatch_matches_total"
		    "{topic=\"lavrov\"}", 4);
		expect(bad, text, "feedwatch_matches_total"
		    "{topic=\"crimea\"}", 1);
		expect(bad, text, "feedwatch_alerts_delivered_total"
		    "{sink=\"hook\"}", v.hook);
		expect(bad, text, "feedwatch_alerts_failed_total{sink=\"bad\"}",
		    v.bad);
		expect(bad, text, "feedwatch_alerts_failed_total"
		    "{sink=\"hook\"}", -1);
		expect(bad, text, "feedwatch_alerts_delivered_total"
		    "{sink=\"bad\"}", -1);
		expect(bad, text, "feedwatch_outbox_pending{sink=\"hook\"}", 0);
		expect(bad, text, "feedwatch_outbox_failed{sink=\"bad\"}", 5);
		expect(bad, text, "feedwatch_feeds", 5);
		if (bad->len == 0)
			break;
		g_usleep(50000);
	}
	ck_assert_msg(bad != NULL && bad->len == 0, "%s\n%s", bad ? bad->str :
	    "never quiet", text);
	ck_assert_uint_eq(v.hook, 5);
	err = exposition_error(text);
	ck_assert_msg(err == NULL, "%s: %s", err, text);
	g_string_free(bad, TRUE);
	g_free(text);
	free(url);
	harness_stop(&l);
	g_string_free(plain, TRUE);
	g_string_free(gz, TRUE);
	g_string_free(etag, TRUE);
	harness_release(&l);
}
END_TEST

/*
 * A full disk: the store rolls each poll back and it is redone.  Items
 * and matches count when recorded, so they stay at zero; the polls count.
 */
START_TEST(test_metrics_disk_full)
{
	struct harness	 l;
	pid_t		 pid;
	char		*url, *text, listen[64];
	const char	*args[] = { "run", "-v", "-c", NULL, NULL };
	long		 code;
	int		 port = test_free_port();

	live_start(&l);
	add_big_items(&l);
	snprintf(listen, sizeof(listen), "listen = 127.0.0.1:%d\n", port);
	live_config(&l, listen, "");
	args[3] = l.conf;
	pid = test_spawn_fsize(args, l.log, 2 * 1024 * 1024);
	ck_assert_int_ge(test_wait_lines(l.log, "could not be recorded", 3,
	    WAIT), 3);
	url = xasprintf("http://127.0.0.1:%d/metrics", port);
	text = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	ck_assert_msg(sample(text, "feedwatch_polls_total{result=\"ok\"}") >= 2,
	    "%s", text);
	ck_assert_msg(sample(text, "feedwatch_items_new_total") == 0 &&
	    sample(text, "feedwatch_matches_total{topic=\"lavrov\"}") == -1,
	    "nothing was recorded, yet: %s", text);
	g_free(text);
	free(url);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	test_wait(pid, WAIT);
	harness_release(&l);
}
END_TEST

Suite *
daemon_suite(void)
{
	const TTest	*daemon[] = { test_run_alerts_once,
	    test_run_kill9_restart, test_run_reload, test_run_backoff,
	    test_run_ttl, test_demo, test_run_metrics, test_run_sd_notify,
	    test_units, test_run_disk_full, test_run_corrupt_state,
	    test_run_webhook_outage, NULL };
	const TTest	*reload[] = { test_reload_slow_delivery,
	    test_reload_storm, test_reload_then_term, test_reload_during_poll,
	    test_metrics_sums, test_metrics_disk_full, NULL };
	Suite		*s = suite_create("daemon");

	test_tcase(s, "daemon", 120, daemon);
	return test_tcase(s, "reload", 60, reload);
}
