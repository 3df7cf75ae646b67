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
 *     priority = high goes through;
 *   - one message per story (the wire feed of harness_wire(), whose first
 *     story three topics match): one chat message, exec run, naming the
 *     three, and an alert per topic for machines; a topic held by quiet
 *     hours goes later on its own; kill -9 mid-send re-sends the same
 *     messages and nothing else; a digest lists a story once.
 */
#include "suites.h"

#include <signal.h>
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

/* The first line of 'text' that has 'needle', or NULL. */
static const char *
line_with(const char *text, const char *needle)
{
	const char	*p = strstr(text, needle), *bol;

	if (p == NULL)
		return NULL;
	for (bol = p; bol > text && bol[-1] != '\n'; bol--)
		;
	return bol;
}

/* The alert line of 'text' for item 'guid', or NULL. */
static const char *
alert_of(const char *text, const char *guid)
{
	char		*needle = xasprintf("\"id\":\"%s\"", guid);
	const char	*line = line_with(text, needle);

	free(needle);
	return line;
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
 * Starts the daemon in a time zone where it is now 03:59:52, so that
 * quiet = 03:00-04:00 ends 8 s from now; returns that end.
 */
static time_t
run_before_four(struct harness *fx)
{
	time_t	 start = time(NULL);
	char	*tz = tz_at(start, 4 * 3600 - 8);
	char	*saved_tz = g_strdup(getenv("TZ"));

	setenv("TZ", tz, 1);
	harness_run(fx);
	if (saved_tz != NULL)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	g_free(saved_tz);
	free(tz);
	return start + 8;
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
	char		*url, *sections, *sends, *items, *it[4], *text;
	time_t		 end;
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
	end = run_before_four(&fx);
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
	free(sections);
	free(url);
	free(sends);
	harness_release(&fx);
}
END_TEST

/* The story of the wire feed that the three topics match. */
#define STORY		"wire-20190514-0042"
#define STORY_TITLE	"Pompeo to Lavrov"
#define MIDDOT		"\xc2\xb7"

/*
 * A Slack webhook receiver at /chat on fx's server, which logs each
 * request's key and body, and its [sink chat] section (malloc'd).
 */
static char *
chat_sink(struct harness *fx)
{
	char	*url, *s;

	httpd_route(fx->httpd, "/chat", 200, "text/plain", "ok", 2, NULL);
	httpd_record(fx->httpd, "/chat", "Idempotency-Key");
	url = httpd_url(fx->httpd, "/chat");
	s = xasprintf("[sink chat]\ntype = webhook\nformat = slack\n"
	    "url = %s\n", url);
	free(url);
	return s;
}

/* The chat message 'n' (from 1) of fx's receiver (malloc'd). */
static char *
chat_body(struct harness *fx, int n)
{
	char		*bodies = httpd_bodies(fx->httpd, "/chat"), *s;
	const char	*p = bodies;

	while (p != NULL && --n > 0)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	ck_assert_msg(p != NULL && *p != '\0', "no chat message %d", n);
	s = xstrndup(p, strchrnul(p, '\n') - p);
	free(bodies);
	return s;
}

/*
 * One story that three topics match, through `feedwatch check`: one
 * message per sink that names the three (a Slack webhook, under a key of
 * its own; an exec run, with FEEDWATCH_TOPICS), while machines still get
 * an alert per topic: a JSON line each in the file sink, a request each
 * of the json webhook with its alert_id as the key.  The other two
 * stories are a message each.
 */
START_TEST(test_one_message)
{
	struct harness	 fx;
	char		*chat, *url, *sinks, *runs, *log, *bodies, *hook, *text;
	char		*want;
	const char	*p;
	gchar		**keys;
	int		 i, n = 0;

	harness_init(&fx);
	chat = chat_sink(&fx);
	httpd_route(fx.httpd, "/hook", 200, "text/plain", "ok", 2, NULL);
	httpd_record(fx.httpd, "/hook", "Idempotency-Key");
	url = httpd_url(fx.httpd, "/hook");
	runs = xasprintf("%s/runs", fx.dir);
	sinks = xasprintf("%s\n[sink hook]\ntype = webhook\nurl = %s\n\n"
	    "[sink run]\ntype = exec\ncommand = /bin/sh -c 'echo "
	    "\"$FEEDWATCH_COUNT $FEEDWATCH_TOPICS\" >> %s'\n", chat, url, runs);
	harness_wire(&fx, "", NULL, sinks);
	ck_assert_int_eq(fx_run(&fx, "check", NULL, NULL, NULL), 0);

	/* the file: a line per alert, three of them the story's */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 5);
	ck_assert_int_eq(test_lines_with(fx.alerts, "\"id\":\"" STORY "\""),
	    3);
	/* chat: a message per story, the story's naming its three topics */
	log = httpd_log(fx.httpd, "/chat");
	bodies = httpd_bodies(fx.httpd, "/chat");
	ck_assert_msg(test_count_lines(log, "") == 3 &&
	    test_count_lines(bodies, STORY_TITLE) == 1, "chat: %s", bodies);
	ck_assert_msg(line_has(line_with(bodies, STORY_TITLE), MIDDOT
	    " crimea, lavrov, ukraine: "), "chat: %s", bodies);
	/* its key is no alert's; the other two are their alert's */
	text = test_slurp(fx.alerts);
	keys = g_strsplit(log, "\n", -1);
	for (i = 0; i < 3; i++)
		n += strstr(text, keys[i] + strlen("200 ")) != NULL;
	ck_assert_int_eq(n, 2);
	/* the json webhook: a request per alert, its alert_id the key */
	hook = httpd_log(fx.httpd, "/hook");
	ck_assert_int_eq(test_count_lines(hook, ""), 5);
	for (p = text; (p = strstr(p, "\"alert_id\":\"")) != NULL; p++) {
		want = xasprintf("200 %.32s\n", p + strlen("\"alert_id\":\""));
		ck_assert_msg(strstr(hook, want) != NULL, "hook: %s", hook);
		free(want);
	}
	g_free(text);
	/* exec: a run per story */
	text = test_slurp(runs);
	ck_assert_msg(test_count_lines(text, "") == 3 &&
	    test_count_lines(text, "3 crimea,lavrov,ukraine") == 1 &&
	    test_count_lines(text, "1 crimea") == 1 &&
	    test_count_lines(text, "1 lavrov") == 1, "runs: %s", text);
	g_free(text);
	g_strfreev(keys);
	free(hook);
	free(bodies);
	free(log);
	free(sinks);
	free(runs);
	free(url);
	free(chat);
	harness_release(&fx);
}
END_TEST

/*
 * ukraine in quiet hours that end 8 s after the start, crimea and lavrov
 * not: the story goes at once naming crimea and lavrov, and only when the
 * window ends in a message of its own for ukraine.
 */
START_TEST(test_one_message_quiet)
{
	static const char *const policy[HARNESS_WIRE_TOPICS] = {
		"", "", "quiet = 03:00-04:00\n"
	};
	struct harness	 fx;
	char		*chat, *body;
	time_t		 end;

	harness_init(&fx);
	chat = chat_sink(&fx);
	harness_wire(&fx, "", policy, chat);
	end = run_before_four(&fx);
	/* a message per story at once; the story's without ukraine */
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 3, WAIT), 3);
	body = httpd_bodies(fx.httpd, "/chat");
	ck_assert_msg(line_has(line_with(body, STORY_TITLE), MIDDOT
	    " crimea, lavrov: "), "chat: %s", body);
	free(body);
	while (time(NULL) < end - 2)
		g_usleep(100000);
	ck_assert_uint_eq(httpd_hits(fx.httpd, "/chat"), 3);
	ck_assert_msg(time(NULL) < end, "the test fell behind the window");
	/* after 04:00, the story for ukraine alone */
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 4, WAIT), 4);
	ck_assert_msg(time(NULL) >= end, "ukraine's came before the window "
	    "ended");
	body = chat_body(&fx, 4);
	ck_assert_msg(strstr(body, STORY_TITLE) != NULL &&
	    strstr(body, MIDDOT " ukraine: ") != NULL, "chat: %s", body);
	free(body);
	g_usleep(1500000);
	ck_assert_uint_eq(httpd_hits(fx.httpd, "/chat"), 4);
	harness_stop(&fx);
	free(chat);
	harness_release(&fx);
}
END_TEST

/*
 * Fails unless the chat receiver saw six requests, the last three the
 * first three again: the same keys (whatever the status answered) and the
 * same bodies.
 */
static void
assert_sent_again(struct harness *fx)
{
	char		*log = httpd_log(fx->httpd, "/chat");
	char		*bodies = httpd_bodies(fx->httpd, "/chat");
	const char	*key;
	gchar		**lines;
	int		 i;

	ck_assert_msg(test_count_lines(log, "") == 6, "chat: %s", log);
	lines = g_strsplit(log, "\n", -1);
	for (i = 0; i < 3; i++) {
		key = strchr(lines[i], ' ');
		ck_assert_msg(key != NULL && test_count_lines(log, key) == 2,
		    "chat: %s", log);
	}
	g_strfreev(lines);
	lines = g_strsplit(bodies, "\n", -1);
	for (i = 0; i < 3; i++)
		ck_assert_msg(test_count_lines(bodies, lines[i]) == 2,
		    "chat: %s", bodies);
	g_strfreev(lines);
	free(bodies);
	free(log);
}

/*
 * kill -9 while the three messages are in flight (the receiver answers
 * after 3 s), then a restart: the same messages again, under the same
 * keys and with the same bodies, and nothing else.
 */
START_TEST(test_one_message_kill9)
{
	struct harness	 fx;
	char		*chat;

	harness_init(&fx);
	chat = chat_sink(&fx);
	httpd_route_delay(fx.httpd, "/chat", 3000);
	harness_wire(&fx, "", NULL, chat);
	harness_run(&fx);
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 3, WAIT), 3);
	ck_assert_int_eq(kill(fx.pid, SIGKILL), 0);
	ck_assert_int_eq(test_wait(fx.pid, WAIT), 128 + SIGKILL);
	httpd_route_delay(fx.httpd, "/chat", 0);
	harness_run(&fx);
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 6, WAIT), 6);
	g_usleep(1500000);
	harness_stop(&fx);
	assert_sent_again(&fx);
	/* the file sink had its alerts before the kill: not again */
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 5);
	free(chat);
	harness_release(&fx);
}
END_TEST

/*
 * The receiver fails the three messages (503), then takes them: each is
 * tried again whole, the same key and body, and nothing else is sent.
 * The rows of a message share one retry time (retry = 4s, so up to 1 s
 * of jitter that must not split them).
 */
START_TEST(test_one_message_retry)
{
	struct harness	 fx;
	char		*chat;

	harness_init(&fx);
	chat = chat_sink(&fx);
	httpd_route(fx.httpd, "/chat", 503, "text/plain", "busy", 4, NULL);
	harness_wire(&fx, "retry = 4s\n", NULL, chat);
	harness_run(&fx);
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 3, WAIT), 3);
	httpd_route(fx.httpd, "/chat", 200, "text/plain", "ok", 2, NULL);
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 6, WAIT), 6);
	g_usleep(1500000);
	harness_stop(&fx);
	assert_sent_again(&fx);
	free(chat);
	harness_release(&fx);
}
END_TEST

/*
 * crimea and lavrov batched in digests of 3 s, ukraine not: the story
 * goes at once for ukraine; when the windows end, one digest lists the
 * three stories, each once, the first with both its topics.
 */
START_TEST(test_one_message_digest)
{
	static const char *const policy[HARNESS_WIRE_TOPICS] = {
		"digest = 3s\n", "digest = 3s\n", ""
	};
	struct harness	 fx;
	char		*chat, *body;

	harness_init(&fx);
	chat = chat_sink(&fx);
	harness_wire(&fx, "", policy, chat);
	harness_run(&fx);
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 1, WAIT), 1);
	body = chat_body(&fx, 1);
	ck_assert_msg(strstr(body, STORY_TITLE) != NULL && strstr(body, MIDDOT
	    " ukraine: ") != NULL, "chat: %s", body);
	free(body);
	ck_assert_uint_eq(httpd_wait_hits(fx.httpd, "/chat", 2, WAIT), 2);
	body = chat_body(&fx, 2);
	ck_assert_msg(strstr(body, "3 feedwatch alerts for 'crimea', "
	    "'lavrov'") != NULL, "chat: %s", body);
	ck_assert_msg(strstr(body, STORY_TITLE) == g_strrstr(body, STORY_TITLE),
	    "the story twice: %s", body);
	ck_assert_msg(strstr(body, MIDDOT " crimea, lavrov: ") != NULL,
	    "chat: %s", body);
	free(body);
	g_usleep(1500000);
	ck_assert_uint_eq(httpd_hits(fx.httpd, "/chat"), 2);
	harness_stop(&fx);
	free(chat);
	harness_release(&fx);
}
END_TEST

Suite *
watch_suite(void)
{
	const TTest	*tests[] = { test_feed_health,
	    test_feed_health_no_sinks, test_title_dedup, test_keep_prune,
	    test_quiet_hours, NULL };

	const TTest	*one[] = { test_one_message, test_one_message_quiet,
	    test_one_message_kill9, test_one_message_retry,
	    test_one_message_digest, NULL };
	Suite		*s = suite_create("watch");

	test_tcase(s, "claims", 60, tests);
	return test_tcase(s, "one message", 30, one);
}
