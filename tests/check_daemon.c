/*
 * check_daemon.c: `feedwatch run` against a real HTTP server whose feeds
 * change between polls: new items alert once, unchanged feeds get 304,
 * kill -9 and restart neither duplicate nor lose an alert, SIGHUP adds a
 * feed and a topic, a failing feed backs off while the others keep their
 * schedule, SIGTERM exits 0.
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

#include <glib.h>

#include "httpd.h"
#include "xmalloc.h"

#define WAIT	15.0

static const char feed_head[] =
    "<rss version=\"2.0\"><channel><title>Live</title>"
    "<link>https://live.example.org/</link>";
static const char feed_tail[] = "</channel></rss>";

struct live {
	struct httpd	*httpd;
	char		*dir;
	char		*conf;
	char		*alerts;
	char		*log;
	GString		*items;		/* the feed's items, newest first */
	int		 version;
};

static void
live_publish(struct live *l, const char *path, const char *items)
{
	char	*body, etag[32];

	body = xasprintf("%s%s%s", feed_head, items, feed_tail);
	snprintf(etag, sizeof(etag), "\"v%d\"", ++l->version);
	httpd_route(l->httpd, path, 200, "application/rss+xml", body,
	    strlen(body), etag);
	free(body);
}

/* Adds an item at the top of /live.xml, as a news site does. */
static void
live_add(struct live *l, const char *guid, const char *title)
{
	char	*item;

	item = xasprintf("<item><title>%s</title><guid>%s</guid>"
	    "<link>https://live.example.org/%s</link>"
	    "<pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>", title,
	    guid, guid);
	g_string_prepend(l->items, item);
	free(item);
	live_publish(l, "/live.xml", l->items->str);
}

static void
live_config(struct live *l, const char *extra)
{
	char	*url, *text;

	url = httpd_url(l->httpd, "/live.xml");
	text = xasprintf("[daemon]\nstate = %s/state.db\ninterval = 1s\n"
	    "jitter = 0%%\nbackfill = 36500d\n\n[feed live]\nurl = %s\n\n"
	    "[topic lavrov]\nquery = Lavrov\n\n[sink log]\ntype = file\n"
	    "path = %s\n\n%s", l->dir, url, l->alerts, extra);
	free(l->conf);
	l->conf = test_write(l->dir, "feedwatch.conf", text);
	free(text);
	free(url);
}

static void
live_start(struct live *l)
{
	memset(l, 0, sizeof(*l));
	l->httpd = httpd_start();
	l->dir = test_tmpdir();
	l->alerts = xasprintf("%s/alerts.jsonl", l->dir);
	l->log = xasprintf("%s/daemon.log", l->dir);
	l->items = g_string_new("");
	live_add(l, "a1", "Lavrov meets Pompeo");
	live_add(l, "a2", "Markets rise");
	live_config(l, "");
}

static void
live_stop(struct live *l)
{
	httpd_stop(l->httpd);
	test_rmtree(l->dir);
	g_string_free(l->items, TRUE);
	free(l->dir);
	free(l->conf);
	free(l->alerts);
	free(l->log);
}

static pid_t
daemon_start(struct live *l)
{
	const char	*args[] = { "run", "-v", "-c", l->conf, NULL };

	return test_spawn(args, l->log);
}

static void
daemon_stop(struct live *l, pid_t pid)
{
	char	*log;

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	if (test_wait(pid, WAIT) != 0) {
		log = test_slurp(l->log);
		ck_abort_msg("feedwatch run did not exit 0 on SIGTERM: %s", log);
	}
}

/* Every alert line of the file holds 'needle' this many times in all. */
static int
alerts_with(struct live *l, const char *needle)
{
	char	*text;
	int	 n;

	if (access(l->alerts, F_OK) == -1)
		return 0;
	text = test_slurp(l->alerts);
	n = test_count_lines(text, needle);
	g_free(text);
	return n;
}

START_TEST(test_run_alerts_once)
{
	struct live	 l;
	pid_t		 pid;

	live_start(&l);
	pid = daemon_start(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, 1, WAIT), 1);
	/* Several polls later: still one alert, and the server said 304. */
	while (httpd_not_modified(l.httpd, "/live.xml") < 2)
		g_usleep(100000);
	ck_assert_int_eq(test_wait_lines(l.alerts, 2, 0), 1);
	live_add(&l, "a3", "Lavrov in Ankara");
	ck_assert_int_eq(test_wait_lines(l.alerts, 2, WAIT), 2);
	ck_assert_int_eq(alerts_with(&l, "\"id\":\"a3\""), 1);
	g_usleep(2500000);
	ck_assert_int_eq(test_wait_lines(l.alerts, 3, 0), 2);
	daemon_stop(&l, pid);
	live_stop(&l);
}
END_TEST

/* kill -9, a new item while down, restart: it alerts once, nothing else again. */
START_TEST(test_run_kill9_restart)
{
	struct live	 l;
	pid_t		 pid;
	int		 i;

	live_start(&l);
	pid = daemon_start(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, 1, WAIT), 1);
	live_add(&l, "b1", "Lavrov speaks");
	ck_assert_int_eq(test_wait_lines(l.alerts, 2, WAIT), 2);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(test_wait(pid, WAIT), 128 + SIGKILL);
	live_add(&l, "b2", "Lavrov again");
	pid = daemon_start(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, 3, WAIT), 3);
	/* A burst of kills mid-stream loses nothing and repeats nothing. */
	for (i = 0; i < 3; i++) {
		char guid[8], title[32];

		snprintf(guid, sizeof(guid), "c%d", i);
		snprintf(title, sizeof(title), "Lavrov note %d", i);
		live_add(&l, guid, title);
		g_usleep(300000 * i);
		kill(pid, SIGKILL);
		test_wait(pid, WAIT);
		pid = daemon_start(&l);
	}
	ck_assert_int_eq(test_wait_lines(l.alerts, 6, WAIT), 6);
	g_usleep(2500000);
	ck_assert_int_eq(test_wait_lines(l.alerts, 7, 0), 6);
	ck_assert_int_eq(alerts_with(&l, "\"id\":\"b2\""), 1);
	ck_assert_int_eq(alerts_with(&l, "\"id\":\"c2\""), 1);
	daemon_stop(&l, pid);
	live_stop(&l);
}
END_TEST

/* SIGHUP: a new feed and a new topic take effect without a restart. */
START_TEST(test_run_reload)
{
	struct live	 l;
	pid_t		 pid;
	char		*url, *extra;

	live_start(&l);
	pid = daemon_start(&l);
	ck_assert_int_eq(test_wait_lines(l.alerts, 1, WAIT), 1);
	live_publish(&l, "/other.xml", "<item><title>Crimea ferry news</title>"
	    "<guid>o1</guid><pubDate>Fri, 27 Nov 2026 08:00:00 GMT</pubDate>"
	    "</item>");
	url = httpd_url(l.httpd, "/other.xml");
	extra = xasprintf("[feed other]\nurl = %s\n\n[topic crimea]\n"
	    "query = Crimea\n", url);
	live_config(&l, extra);
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	ck_assert_int_eq(test_wait_lines(l.alerts, 2, WAIT), 2);
	ck_assert_int_eq(alerts_with(&l, "\"topic\":\"crimea\""), 1);
	ck_assert_int_eq(alerts_with(&l, "\"id\":\"o1\""), 1);
	/* A broken config on reload keeps the running one. */
	test_write(l.dir, "feedwatch.conf", "[daemon]\nbogus = 1\n");
	ck_assert_int_eq(kill(pid, SIGHUP), 0);
	live_add(&l, "d1", "Lavrov after a bad reload");
	ck_assert_int_eq(test_wait_lines(l.alerts, 3, WAIT), 3);
	daemon_stop(&l, pid);
	free(extra);
	free(url);
	live_stop(&l);
}
END_TEST

/* A failing feed backs off; the healthy one keeps its 1 s schedule. */
START_TEST(test_run_backoff)
{
	struct live	 l;
	pid_t		 pid;
	char		*url, *extra;
	unsigned int	 good, bad;

	live_start(&l);
	httpd_route(l.httpd, "/broken.xml", 500, "text/plain", "oops", 4,
	    NULL);
	url = httpd_url(l.httpd, "/broken.xml");
	extra = xasprintf("[feed broken]\nurl = %s\n", url);
	live_config(&l, extra);
	pid = daemon_start(&l);
	g_usleep(6500000);
	good = httpd_hits(l.httpd, "/live.xml");
	bad = httpd_hits(l.httpd, "/broken.xml");
	/* 1 s apart: about 6 polls; backing off 1, 2, 4 s: at most 4. */
	ck_assert_msg(good >= 5, "healthy feed polled %u times", good);
	ck_assert_msg(bad >= 2 && bad <= 4, "failing feed polled %u times",
	    bad);
	daemon_stop(&l, pid);
	free(extra);
	free(url);
	live_stop(&l);
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

Suite *
daemon_suite(void)
{
	Suite	*s = suite_create("daemon");
	TCase	*tc = tcase_create("daemon");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_run_alerts_once);
	tcase_add_test(tc, test_run_kill9_restart);
	tcase_add_test(tc, test_run_reload);
	tcase_add_test(tc, test_run_backoff);
	tcase_add_test(tc, test_demo);
	suite_add_tcase(s, tc);
	return s;
}
