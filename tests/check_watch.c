/*
 * check_watch.c: the README's claims about delivery and state, each run
 * end to end: `feedwatch run` and `feedwatch check` against feeds served
 * by tests/httpd.c on 127.0.0.1.
 *
 *   - feed health: one feed-health alert when a feed has failed for
 *     dead-after, one more when it recovers, none without health-sinks;
 *   - cross-feed dedup by title: five words or more, folded;
 *   - keep: items gone from their feed are pruned, items still in it are
 *     not (and do not alert again), and backtest no longer shows them;
 *   - quiet hours: held, then one digest when the window ends (the daemon
 *     runs in a time zone whose offset puts the end seconds away);
 *     priority = high goes through.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "httpd.h"
#include "xmalloc.h"

#define WAIT	15.0

struct fx {
	struct httpd	*httpd;
	char		*dir;
	char		*conf;
	char		*alerts;	/* the file sink 'log' */
	char		*log;		/* the daemon's stderr */
	int		 version;	/* of the feeds, for their ETags */
};

static void
fx_start(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->httpd = httpd_start();
	fx->dir = test_tmpdir();
	fx->alerts = xasprintf("%s/alerts.jsonl", fx->dir);
	fx->log = xasprintf("%s/daemon.log", fx->dir);
}

static void
fx_stop(struct fx *fx)
{
	httpd_stop(fx->httpd);
	test_rmtree(fx->dir);
	free(fx->dir);
	free(fx->conf);
	free(fx->alerts);
	free(fx->log);
}

/*
 * The config: polls every second, items of any date alert, the file sink
 * 'log'; 'daemon' goes into [daemon], 'sections' (feeds, topics, more
 * sinks) after the rest.
 */
static void
fx_config(struct fx *fx, const char *daemon, const char *sections)
{
	char	*text;

	text = xasprintf("[daemon]\nstate = %s/state.db\ninterval = 1s\n"
	    "jitter = 0%%\nbackfill = 36500d\n%s\n[sink log]\ntype = file\n"
	    "path = %s\n\n%s", fx->dir, daemon, fx->alerts, sections);
	free(fx->conf);
	fx->conf = test_write(fx->dir, "feedwatch.conf", text);
	free(text);
}

static char *
fx_url(struct fx *fx, const char *path)
{
	return httpd_url(fx->httpd, path);
}

/* Serves an RSS feed of 'items' at 'path', with a new ETag. */
static void
fx_publish(struct fx *fx, const char *path, const char *items)
{
	char	*body, etag[32];

	body = xasprintf("<rss version=\"2.0\"><channel><title>%s</title>"
	    "<link>https://example.org/</link>%s</channel></rss>", path, items);
	snprintf(etag, sizeof(etag), "\"v%d\"", ++fx->version);
	httpd_route(fx->httpd, path, 200, "application/rss+xml", body,
	    strlen(body), etag);
	free(body);
}

/* One RSS item (malloc'd). */
static char *
item(const char *guid, const char *title, const char *link)
{
	return xasprintf("<item><title>%s</title><guid>%s</guid>"
	    "<link>%s</link><pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate>"
	    "</item>", title, guid, link);
}

/* `feedwatch ARGS -c CONF`; its exit status, stdout in 'out' if wanted. */
static int
fx_run(struct fx *fx, const char *cmd, const char *arg1, const char *arg2,
    char **out)
{
	struct test_proc	 p;
	const char		*args[] = { cmd, "-c", fx->conf, arg1, arg2,
	    NULL };
	int			 status;

	test_run(&p, args);
	status = p.status;
	if (out != NULL)
		*out = g_strdup(p.out);
	test_proc_clear(&p);
	return status;
}

static pid_t
daemon_start(struct fx *fx)
{
	const char	*args[] = { "run", "-v", "-c", fx->conf, NULL };

	return test_spawn(args, fx->log);
}

static void
daemon_stop(struct fx *fx, pid_t pid)
{
	char	*log;

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	if (test_wait(pid, WAIT) != 0) {
		log = test_slurp(fx->log);
		ck_abort_msg("feedwatch run did not exit 0 on SIGTERM: %s",
		    log);
	}
}

/* Waits (bounded) until 'path' was requested 'n' times. */
static void
wait_hits(struct fx *fx, const char *path, unsigned n)
{
	int	 i;

	for (i = 0; i < 300 && httpd_hits(fx->httpd, path) < n; i++)
		g_usleep(50000);
	ck_assert_msg(httpd_hits(fx->httpd, path) >= n, "%s polled %u times, "
	    "not %u", path, httpd_hits(fx->httpd, path), n);
}

/*
 * A feed failing for longer than dead-after raises one feed-health alert,
 * to the health sinks only, however many polls fail; a restart does not
 * raise it again; recovery raises one more.
 */
START_TEST(test_feed_health)
{
	struct fx	 fx;
	char		*health, *url, *good, *sections, *a1, *log;
	pid_t		 pid;

	fx_start(&fx);
	health = xasprintf("%s/health.jsonl", fx.dir);
	a1 = item("g1", "Lavrov arrives", "https://example.org/g1");
	fx_publish(&fx, "/good.xml", a1);
	httpd_route(fx.httpd, "/bad.xml", 500, "text/plain", "down", 4, NULL);
	url = fx_url(&fx, "/bad.xml");
	good = fx_url(&fx, "/good.xml");
	sections = xasprintf("[sink health]\ntype = file\npath = %s\n\n"
	    "[feed good]\nurl = %s\n\n[feed bad]\nurl = %s\n\n"
	    "[topic lavrov]\nquery = Lavrov\nsinks = log\n", health, good, url);
	fx_config(&fx, "dead-after = 1s\nhealth-sinks = health\n", sections);

	/* Polls at 0, 1 and 3 s (backing off): failing 1 s by the second. */
	pid = daemon_start(&fx);
	wait_hits(&fx, "/bad.xml", 3);
	g_usleep(300000);
	daemon_stop(&fx, pid);
	log = test_slurp(fx.log);
	ck_assert_msg(test_lines_with(health, "") == 1, "%d health alerts; log: %s",
	    test_lines_with(health, ""), log);
	g_free(log);
	ck_assert_int_eq(test_lines_with(health, "\"topic\":\"feed-health\""), 1);
	ck_assert_int_eq(test_lines_with(health, "\"feed\":\"bad\""), 1);
	ck_assert_int_eq(test_lines_with(health, "\"matched\":[\"failing\"]"), 1);
	ck_assert_int_eq(test_lines_with(health, "http status 500"), 1);
	/* the topic's sink has its alert and no feed-health one */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 1);
	ck_assert_int_eq(test_lines_with(fx.alerts, "feed-health"), 0);

	/* Another process, still failing: nothing new. */
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 1);
	ck_assert_int_eq(test_lines_with(health, ""), 1);

	/* Back: one recovery alert, then nothing. */
	fx_publish(&fx, "/bad.xml", a1);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(health, ""), 2);
	ck_assert_int_eq(test_lines_with(health, "\"matched\":[\"recovered\"]"), 1);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(health, ""), 2);
	ck_assert_int_eq(test_lines_with(fx.alerts, "feed-health"), 0);
	free(a1);
	free(sections);
	free(good);
	free(url);
	free(health);
	fx_stop(&fx);
}
END_TEST

/* Without health-sinks a dead feed and its recovery alert nowhere. */
START_TEST(test_feed_health_no_sinks)
{
	struct fx	 fx;
	char		*url, *sections, *a1;

	fx_start(&fx);
	httpd_route(fx.httpd, "/bad.xml", 500, "text/plain", "down", 4, NULL);
	url = fx_url(&fx, "/bad.xml");
	sections = xasprintf("[feed bad]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\n", url);
	fx_config(&fx, "dead-after = 1s\n", sections);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 1);
	g_usleep(1100000);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 1);
	a1 = item("g1", "Lavrov arrives", "https://example.org/g1");
	fx_publish(&fx, "/bad.xml", a1);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	/* the item's alert, and nothing about the feed's health */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 1);
	ck_assert_int_eq(test_lines_with(fx.alerts, "\"topic\":\"lavrov\""), 1);
	free(a1);
	free(sections);
	free(url);
	fx_stop(&fx);
}
END_TEST

/* The alert line of 'text' for item 'guid', or NULL. */
static const char *
alert_of(const char *text, const char *guid)
{
	char		*needle = xasprintf("\"id\":\"%s\"", guid);
	const char	*p = strstr(text, needle), *bol;

	free(needle);
	if (p == NULL)
		return NULL;
	for (bol = p; bol > text && bol[-1] != '\n'; bol--)
		;
	return bol;
}

/* 1 if the alert line at 'line' has 'needle' before its end. */
static int
line_has(const char *line, const char *needle)
{
	const char	*eol = strchrnul(line, '\n'), *p = strstr(line, needle);

	return p != NULL && p < eol;
}

/*
 * One story in two feeds under different links and one title of five
 * words or more, written with other case, accents and punctuation:
 * one alert per topic, the other feed in also_in.  Shorter titles and
 * different titles do not fold.
 */
START_TEST(test_title_dedup)
{
	struct fx	 fx;
	char		*ua, *ub, *sections, *text, *x[3], *y[3], *items;
	const char	*la, *lb, *other;
	int		 i;

	fx_start(&fx);
	x[0] = item("a1", "Pompeo tells Lavrov that Crimea is Ukraine's",
	    "https://a.example/news/1");
	x[1] = item("a2", "Crimea bridge reopens", "https://a.example/2");
	x[2] = item("a3", "Ferry to Crimea resumes after the storm",
	    "https://a.example/3");
	y[0] = item("b1", "POMP\xc3\x89O TELLS LAVR\xc3\x93V THAT "
	    "\xe2\x80\x9c" "CRIMEA IS UKRAINE\xe2\x80\x99S\xe2\x80\x9d",
	    "https://b.example/story?id=77");
	y[1] = item("b2", "crimea bridge reopens", "https://b.example/2");
	y[2] = item("b3", "Ferry to Crimea halted after the storm",
	    "https://b.example/3");
	items = xasprintf("%s%s%s", x[0], x[1], x[2]);
	fx_publish(&fx, "/a.xml", items);
	free(items);
	items = xasprintf("%s%s%s", y[0], y[1], y[2]);
	fx_publish(&fx, "/b.xml", items);
	free(items);
	ua = fx_url(&fx, "/a.xml");
	ub = fx_url(&fx, "/b.xml");
	sections = xasprintf("[feed a]\nurl = %s\n\n[feed b]\nurl = %s\n\n"
	    "[topic crimea]\nquery = Crimea\n\n[topic lavrov]\n"
	    "query = Lavrov\n", ua, ub);
	fx_config(&fx, "", sections);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	text = test_slurp(fx.alerts);
	/* crimea: a2, b2, a3, b3 and the story once; lavrov: the story once */
	ck_assert_msg(test_count_lines(text, "\"topic\":\"crimea\"") == 5 &&
	    test_count_lines(text, "\"topic\":\"lavrov\"") == 1, "alerts: %s",
	    text);
	for (i = 0; i < 3; i++) {
		char a[4], b[4];

		snprintf(a, sizeof(a), "a%d", i + 1);
		snprintf(b, sizeof(b), "b%d", i + 1);
		la = alert_of(text, a);
		lb = alert_of(text, b);
		if (i > 0) {
			ck_assert_msg(la != NULL && lb != NULL, "%s and %s "
			    "should both alert: %s", a, b, text);
			ck_assert(line_has(la, "\"also_in\":[]"));
			ck_assert(line_has(lb, "\"also_in\":[]"));
			continue;
		}
		/* whichever feed came first alerts, naming the other */
		ck_assert_msg((la == NULL) != (lb == NULL), "the story alerted "
		    "%s: %s", la ? "twice" : "never", text);
		other = la != NULL ? "\"also_in\":[\"b\"]" :
		    "\"also_in\":[\"a\"]";
		ck_assert_int_eq(test_count_lines(text, other), 2);
	}
	/* Polled again: nothing new. */
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 6);
	g_free(text);
	for (i = 0; i < 3; i++) {
		free(x[i]);
		free(y[i]);
	}
	free(sections);
	free(ua);
	free(ub);
	fx_stop(&fx);
}
END_TEST

/*
 * keep: an item gone from its feed for longer than 'keep' is pruned (at
 * the daemon's start, and hourly); an item still in the feed's last good
 * body is kept however old, so it does not alert again, even while the
 * feed answers 304.  backtest shows what is kept, and only that.
 */
START_TEST(test_keep_prune)
{
	struct fx	 fx;
	char		*url, *sections, *k1, *k2, *items, *out = NULL;
	pid_t		 pid;

	fx_start(&fx);
	k1 = item("k1", "Lavrov one", "https://example.org/k1");
	k2 = item("k2", "Lavrov two", "https://example.org/k2");
	items = xasprintf("%s%s", k2, k1);
	fx_publish(&fx, "/f.xml", items);
	url = fx_url(&fx, "/f.xml");
	sections = xasprintf("[feed f]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\n", url);
	fx_config(&fx, "keep = 1s\n", sections);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 2);
	/* k1 leaves the feed (a second later: the store counts seconds) */
	g_usleep(1100000);
	fx_publish(&fx, "/f.xml", k2);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	/* then the feed does not change: 304 */
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_uint_eq(httpd_not_modified(fx.httpd, "/f.xml"), 1);
	ck_assert_int_eq(fx_run(&fx, "backtest", "-q", "Lavrov", &out), 0);
	ck_assert_int_eq(test_count_lines(out, "\"topic\":\"Lavrov\""), 2);
	g_free(out);

	/*
	 * 'keep' passes; the daemon prunes as it starts, then polls: the
	 * same body under a new ETag, so it reads k2 again (200).
	 */
	g_usleep(2100000);
	fx_publish(&fx, "/f.xml", k2);
	pid = daemon_start(&fx);
	wait_hits(&fx, "/f.xml", 5);
	daemon_stop(&fx, pid);
	/* k2 did not alert again; k1 is gone from the store */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 2);
	ck_assert_int_eq(fx_run(&fx, "backtest", "-q", "Lavrov", &out), 0);
	ck_assert_msg(test_count_lines(out, "\"id\":\"k2\"") == 1 &&
	    test_count_lines(out, "\"id\":\"k1\"") == 0, "backtest: %s", out);
	g_free(out);

	/* k2 leaves too: pruned at the next start, once 'keep' has passed */
	g_usleep(1100000);
	fx_publish(&fx, "/f.xml", "");
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	g_usleep(2100000);
	pid = daemon_start(&fx);
	wait_hits(&fx, "/f.xml", 7);
	daemon_stop(&fx, pid);
	ck_assert_int_eq(fx_run(&fx, "backtest", "-q", "Lavrov", &out), 0);
	ck_assert_msg(test_count_lines(out, "Lavrov") == 0, "backtest: %s",
	    out);
	g_free(out);
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 2);
	free(items);
	free(k1);
	free(k2);
	free(sections);
	free(url);
	fx_stop(&fx);
}
END_TEST

/*
 * A POSIX TZ whose local time is 'local' seconds after midnight at 'now':
 * "FWT-HH:MM:SS" (POSIX offsets count west, so east is negative; the
 * name needs three letters, else glibc ignores TZ and uses UTC).
 */
static char *
tz_at(time_t now, long local)
{
	long	 east = ((local - (long)(now % 86400)) % 86400 + 86400) % 86400;
	char	 sign = '-';

	if (east > 43200) {
		east = 86400 - east;
		sign = '+';
	}
	return xasprintf("FWT%c%02ld:%02ld:%02ld", sign, east / 3600,
	    east / 60 % 60, east % 60);
}

/*
 * quiet = 03:00-04:00 with local time 03:59:52: the topic's alerts are
 * held until 04:00 and then go out as one digest; a topic with
 * priority = high and the same window is sent at once.  The exec sink
 * logs each send: the topic and how many alerts it carried.
 */
START_TEST(test_quiet_hours)
{
	struct fx	 fx;
	char		*url, *sections, *sends, *tz, *items, *it[4], *text;
	char		*saved_tz;
	time_t		 start, end;
	pid_t		 pid;
	int		 i;

	fx_start(&fx);
	sends = xasprintf("%s/sends", fx.dir);
	for (i = 0; i < 3; i++) {
		char guid[8], title[32], link[64];

		snprintf(guid, sizeof(guid), "q%d", i);
		snprintf(title, sizeof(title), "Lavrov note %d", i);
		snprintf(link, sizeof(link), "https://example.org/q%d", i);
		it[i] = item(guid, title, link);
	}
	it[3] = item("u1", "Urgent: Crimea", "https://example.org/u1");
	items = xasprintf("%s%s%s%s", it[0], it[1], it[2], it[3]);
	fx_publish(&fx, "/f.xml", items);
	url = fx_url(&fx, "/f.xml");
	sections = xasprintf("[feed f]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\nquiet = 03:00-04:00\nsinks = run\n\n"
	    "[topic urgent]\nquery = Crimea\nquiet = 03:00-04:00\n"
	    "priority = high\nsinks = run\n\n[sink run]\ntype = exec\n"
	    "command = /bin/sh -c 'echo \"$FEEDWATCH_TOPIC $FEEDWATCH_COUNT\" "
	    ">> %s'\n", url, sends);
	fx_config(&fx, "", sections);

	start = time(NULL);
	end = start + 8;
	tz = tz_at(start, 4 * 3600 - 8);
	saved_tz = g_strdup(getenv("TZ"));
	setenv("TZ", tz, 1);
	pid = daemon_start(&fx);
	if (saved_tz != NULL)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	g_free(saved_tz);
	/* the urgent alert at once; the others held until 04:00 */
	ck_assert_int_eq(test_wait_lines(sends, "", 1, WAIT), 1);
	ck_assert_int_eq(test_lines_with(sends, "urgent 1"), 1);
	while (time(NULL) < end - 2)
		g_usleep(100000);
	ck_assert_int_eq(test_lines_with(sends, ""), 1);
	ck_assert_msg(time(NULL) < end, "the test fell behind the window");
	/* after 04:00: one digest of three */
	ck_assert_int_eq(test_wait_lines(sends, "", 2, WAIT), 2);
	ck_assert_msg(time(NULL) >= end, "the digest came before the window "
	    "ended");
	g_usleep(1500000);
	text = test_slurp(sends);
	ck_assert_msg(test_count_lines(text, "") == 2 &&
	    test_count_lines(text, "lavrov 3") == 1, "sends: %s", text);
	g_free(text);
	daemon_stop(&fx, pid);
	for (i = 0; i < 4; i++)
		free(it[i]);
	free(items);
	free(tz);
	free(sections);
	free(url);
	free(sends);
	fx_stop(&fx);
}
END_TEST

Suite *
watch_suite(void)
{
	Suite	*s = suite_create("watch");
	TCase	*tc = tcase_create("claims");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_feed_health);
	tcase_add_test(tc, test_feed_health_no_sinks);
	tcase_add_test(tc, test_title_dedup);
	tcase_add_test(tc, test_keep_prune);
	tcase_add_test(tc, test_quiet_hours);
	suite_add_tcase(s, tc);
	return s;
}
