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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

#define WAIT	15.0

/* `feedwatch ARGS -c CONF`; its exit status, stdout in 'out' if wanted. */
static int
fx_run(struct harness *fx, const char *cmd, const char *arg1,
    const char *arg2, char **out)
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

/*
 * A feed failing for longer than dead-after raises one feed-health alert,
 * to the health sinks only, however many polls fail; a restart does not
 * raise it again; recovery raises one more.
 */
START_TEST(test_feed_health)
{
	struct harness	 fx;
	char		*health, *url, *good, *sections, *a1, *log;

	harness_init(&fx);
	health = xasprintf("%s/health.jsonl", fx.dir);
	a1 = harness_item("g1", "Lavrov arrives", "https://example.org/g1");
	harness_publish(&fx, "/good.xml", a1);
	httpd_route(fx.httpd, "/bad.xml", 500, "text/plain", "down", 4, NULL);
	url = httpd_url(fx.httpd, "/bad.xml");
	good = httpd_url(fx.httpd, "/good.xml");
	sections = xasprintf("[sink health]\ntype = file\npath = %s\n\n"
	    "[feed good]\nurl = %s\n\n[feed bad]\nurl = %s\n\n"
	    "[topic lavrov]\nquery = Lavrov\nsinks = log\n", health, good, url);
	harness_config(&fx, "dead-after = 1s\nhealth-sinks = health\n",
	    sections);

	/* Polls at 0, 1 and 3 s (backing off): failing 1 s by the second. */
	harness_run(&fx);
	harness_wait_hits(&fx, "/bad.xml", 3);
	g_usleep(300000);
	harness_stop(&fx);
	log = test_slurp(fx.log);
	ck_assert_msg(test_lines_with(health, "") == 1, "%d health alerts; "
	    "log: %s", test_lines_with(health, ""), log);
	g_free(log);
	ck_assert_int_eq(test_lines_with(health, "\"topic\":\"feed-health\""),
	    1);
	ck_assert_int_eq(test_lines_with(health, "\"feed\":\"bad\""), 1);
	ck_assert_int_eq(test_lines_with(health, "\"matched\":[\"failing\"]"),
	    1);
	ck_assert_int_eq(test_lines_with(health, "http status 500"), 1);
	/* the topic's sink has its alert and no feed-health one */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 1);
	ck_assert_int_eq(test_lines_with(fx.alerts, "feed-health"), 0);

	/* Another process, still failing: nothing new. */
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 1);
	ck_assert_int_eq(test_lines_with(health, ""), 1);

	/* Back: one recovery alert, then nothing. */
	harness_publish(&fx, "/bad.xml", a1);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(health, ""), 2);
	ck_assert_int_eq(test_lines_with(health,
	    "\"matched\":[\"recovered\"]"), 1);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(health, ""), 2);
	ck_assert_int_eq(test_lines_with(fx.alerts, "feed-health"), 0);
	free(a1);
	free(sections);
	free(good);
	free(url);
	free(health);
	harness_release(&fx);
}
END_TEST

/* Without health-sinks a dead feed and its recovery alert nowhere. */
START_TEST(test_feed_health_no_sinks)
{
	struct harness	 fx;
	char		*url, *sections, *a1;

	harness_init(&fx);
	httpd_route(fx.httpd, "/bad.xml", 500, "text/plain", "down", 4, NULL);
	url = httpd_url(fx.httpd, "/bad.xml");
	sections = xasprintf("[feed bad]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\n", url);
	harness_config(&fx, "dead-after = 1s\n", sections);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 1);
	g_usleep(1100000);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 1);
	a1 = harness_item("g1", "Lavrov arrives", "https://example.org/g1");
	harness_publish(&fx, "/bad.xml", a1);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	/* the item's alert, and nothing about the feed's health */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 1);
	ck_assert_int_eq(test_lines_with(fx.alerts, "\"topic\":\"lavrov\""), 1);
	free(a1);
	free(sections);
	free(url);
	harness_release(&fx);
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
	struct harness	 fx;
	char		*ua, *ub, *sections, *text, *x[3], *y[3], *items;
	const char	*la, *lb, *other;
	int		 i;

	harness_init(&fx);
	x[0] = harness_item("a1", "Pompeo tells Lavrov that Crimea is "
	    "Ukraine's", "https://a.example/news/1");
	x[1] = harness_item("a2", "Crimea bridge reopens",
	    "https://a.example/2");
	x[2] = harness_item("a3", "Ferry to Crimea resumes after the storm",
	    "https://a.example/3");
	y[0] = harness_item("b1", "POMP\xc3\x89O TELLS LAVR\xc3\x93V THAT "
	    "\xe2\x80\x9c" "CRIMEA IS UKRAINE\xe2\x80\x99S\xe2\x80\x9d",
	    "https://b.example/story?id=77");
	y[1] = harness_item("b2", "crimea bridge reopens",
	    "https://b.example/2");
	y[2] = harness_item("b3", "Ferry to Crimea halted after the storm",
	    "https://b.example/3");
	items = xasprintf("%s%s%s", x[0], x[1], x[2]);
	harness_publish(&fx, "/a.xml", items);
	free(items);
	items = xasprintf("%s%s%s", y[0], y[1], y[2]);
	harness_publish(&fx, "/b.xml", items);
	free(items);
	ua = httpd_url(fx.httpd, "/a.xml");
	ub = httpd_url(fx.httpd, "/b.xml");
	sections = xasprintf("[feed a]\nurl = %s\n\n[feed b]\nurl = %s\n\n"
	    "[topic crimea]\nquery = Crimea\n\n[topic lavrov]\n"
	    "query = Lavrov\n", ua, ub);
	harness_config(&fx, "", sections);
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
	harness_release(&fx);
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
	struct harness	 fx;
	char		*url, *sections, *k1, *k2, *items, *out = NULL;

	harness_init(&fx);
	k1 = harness_item("k1", "Lavrov one", "https://example.org/k1");
	k2 = harness_item("k2", "Lavrov two", "https://example.org/k2");
	items = xasprintf("%s%s", k2, k1);
	harness_publish(&fx, "/f.xml", items);
	url = httpd_url(fx.httpd, "/f.xml");
	sections = xasprintf("[feed f]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\n", url);
	harness_config(&fx, "keep = 1s\n", sections);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 2);
	/* k1 leaves the feed (a second later: the store counts seconds) */
	g_usleep(1100000);
	harness_publish(&fx, "/f.xml", k2);
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
	harness_publish(&fx, "/f.xml", k2);
	harness_run(&fx);
	harness_wait_hits(&fx, "/f.xml", 5);
	harness_stop(&fx);
	/* k2 did not alert again; k1 is gone from the store */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 2);
	ck_assert_int_eq(fx_run(&fx, "backtest", "-q", "Lavrov", &out), 0);
	ck_assert_msg(test_count_lines(out, "\"id\":\"k2\"") == 1 &&
	    test_count_lines(out, "\"id\":\"k1\"") == 0, "backtest: %s", out);
	g_free(out);

	/* k2 leaves too: pruned at the next start, once 'keep' has passed */
	g_usleep(1100000);
	harness_publish(&fx, "/f.xml", "");
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);
	g_usleep(2100000);
	harness_run(&fx);
	harness_wait_hits(&fx, "/f.xml", 7);
	harness_stop(&fx);
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
	harness_release(&fx);
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
	struct harness	 fx;
	char		*url, *sections, *sends, *tz, *items, *it[4], *text;
	char		*saved_tz;
	time_t		 start, end;
	int		 i;

	harness_init(&fx);
	sends = xasprintf("%s/sends", fx.dir);
	for (i = 0; i < 3; i++) {
		char guid[8], title[32], link[64];

		snprintf(guid, sizeof(guid), "q%d", i);
		snprintf(title, sizeof(title), "Lavrov note %d", i);
		snprintf(link, sizeof(link), "https://example.org/q%d", i);
		it[i] = harness_item(guid, title, link);
	}
	it[3] = harness_item("u1", "Urgent: Crimea", "https://example.org/u1");
	items = xasprintf("%s%s%s%s", it[0], it[1], it[2], it[3]);
	harness_publish(&fx, "/f.xml", items);
	url = httpd_url(fx.httpd, "/f.xml");
	sections = xasprintf("[feed f]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\nquiet = 03:00-04:00\nsinks = run\n\n"
	    "[topic urgent]\nquery = Crimea\nquiet = 03:00-04:00\n"
	    "priority = high\nsinks = run\n\n[sink run]\ntype = exec\n"
	    "command = /bin/sh -c 'echo \"$FEEDWATCH_TOPIC $FEEDWATCH_COUNT\" "
	    ">> %s'\n", url, sends);
	harness_config(&fx, "", sections);

	start = time(NULL);
	end = start + 8;
	tz = tz_at(start, 4 * 3600 - 8);
	saved_tz = g_strdup(getenv("TZ"));
	setenv("TZ", tz, 1);
	harness_run(&fx);
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
	harness_stop(&fx);
	for (i = 0; i < 4; i++)
		free(it[i]);
	free(items);
	free(tz);
	free(sections);
	free(url);
	free(sends);
	harness_release(&fx);
}
END_TEST

Suite *
watch_suite(void)
{
	const TTest	*tests[] = { test_feed_health,
	    test_feed_health_no_sinks, test_title_dedup, test_keep_prune,
	    test_quiet_hours, NULL };

	return test_tcase(suite_create("watch"), "claims", 60, tests);
}
