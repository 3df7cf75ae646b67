/*
 * check_schedule.c: when feeds are polled, whatever the servers say.
 *
 * `feedwatch run` against tests/httpd.c with feeds polled every second:
 * Retry-After, Cache-Control max-age, <ttl> and sy:updatePeriod can only
 * delay a poll, and never by more than a day, however large, negative or
 * malformed (and <ttl> still holds when the feed answers 304); a 301/308 is followed at once and made permanent after three
 * polls, a 302 never; a feed's state belongs to its URL (a new URL in the
 * config starts afresh, after a move or a 410, at start and on reload; a
 * state file of schema 1 is upgraded); a window overflow is told from a
 * one-item feed that merely changed.  A webhook's Retry-After cannot make
 * a loop of sends either.
 *
 * Where the test reads the next poll from `status --json`, the config has
 * jitter = 0%, so it is exact to the second.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "httpd.h"
#include "parser.h"
#include "store_sqlite.h"
#include "xmalloc.h"

#define WAIT	15.0
#define DAY	86400L

/*
 * Writes the config: every item alerts (topic "all" matches the word
 * "news", which every test item carries), 'daemon' added to [daemon] and
 * 'rest' after it.
 */
static void
rig_config(struct harness *r, const char *daemon, const char *rest)
{
	char	*sections;

	sections = xasprintf("%s\n[topic all]\nquery = news\n\n", rest);
	harness_config(r, daemon, sections);
	free(sections);
}

/* Appends a feed section to 'g'. */
static void
add_feed(struct harness *r, GString *g, const char *name, const char *path,
    const char *extra)
{
	char	*s = harness_feed_section(r, name, path, extra);

	g_string_append(g, s);
	free(s);
}

/* An RSS document: channel-level 'head' (may be ""), then the items. */
static char *
rss(const char *head, const char *const *guids)
{
	GString	*g = g_string_new(NULL);
	size_t	 i;

	g_string_append_printf(g, "<rss version=\"2.0\" xmlns:sy=\"http://"
	    "purl.org/rss/1.0/modules/syndication/\"><channel><title>t</title>"
	    "%s", head);
	for (i = 0; guids != NULL && guids[i] != NULL; i++)
		g_string_append_printf(g, "<item><title>news %s</title>"
		    "<guid>%s</guid><pubDate>Fri, 27 Nov 2026 09:00:00 GMT"
		    "</pubDate></item>", guids[i], guids[i]);
	g_string_append(g, "</channel></rss>");
	return g_string_free(g, FALSE);
}

/* Serves an RSS document at 'path' (with 'etag', or none). */
static void
serve(struct harness *r, const char *path, const char *head,
    const char *const *guids, const char *etag)
{
	char	*body = rss(head, guids);

	httpd_route(r->httpd, path, 200, "application/rss+xml", body,
	    strlen(body), etag);
	free(body);
}

/* Serves one item with guid 'guid' at 'path'. */
static void
serve1(struct harness *r, const char *path, const char *guid)
{
	const char	*guids[] = { guid, NULL };

	serve(r, path, "", guids, NULL);
}

/* Alert lines naming item 'guid'. */
static int
alerts_for(struct harness *r, const char *guid)
{
	char	*needle;
	int	 n;

	needle = xasprintf("\"id\":\"%s\"", guid);
	n = test_lines_with(r->alerts, needle);
	free(needle);
	return n;
}

/* Waits (bounded) until item 'guid' has alerted. */
static void
wait_alert(struct harness *r, const char *guid)
{
	int	 i;

	for (i = 0; i < WAIT * 20 && alerts_for(r, guid) == 0; i++)
		g_usleep(50000);
	ck_assert_msg(alerts_for(r, guid) > 0, "item '%s' never alerted",
	    guid);
}

/* Lines of the daemon's log holding both 'a' and 'b'. */
static int
log_lines(struct harness *r, const char *a, const char *b)
{
	gchar	**v;
	char	*text;
	size_t	 i;
	int	 n = 0;

	text = test_slurp(r->log);
	v = g_strsplit(text, "\n", -1);
	for (i = 0; v[i] != NULL; i++)
		if (strstr(v[i], a) != NULL && strstr(v[i], b) != NULL)
			n++;
	g_strfreev(v);
	g_free(text);
	return n;
}

/* Seconds from now to the feed's next poll (LONG_MIN without one). */
static long
next_poll_in(json_t *st, const char *name)
{
	const char	*v;
	struct tm	 tm;

	v = json_string_value(json_object_get(harness_feed(st, name),
	    "next_poll"));
	if (v == NULL)
		return LONG_MIN;
	memset(&tm, 0, sizeof(tm));
	ck_assert_msg(strptime(v, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL,
	    "feed '%s': next_poll '%s'", name, v);
	return (long)(timegm(&tm) - time(NULL));
}

static long
feed_int(json_t *st, const char *name, const char *key)
{
	return (long)json_integer_value(json_object_get(harness_feed(st, name),
	    key));
}

/* ------------------------------------------------------------------ */
/* Retry-After, max-age, <ttl>, sy: */

enum expect {
	CAP,		/* held back a day, no more */
	NONE,		/* no hint: the backoff of a 1 s interval */
	EXACT		/* the hint itself ('secs') */
};

static const struct retry_case {
	const char	*value;
	enum expect	 expect;
	long		 secs;
} retry_cases[] = {
	{ "9223372036854775807", CAP, 0 },
	{ "99999999999", CAP, 0 },
	{ "-5", NONE, 0 },
	{ "0", NONE, 0 },
	{ "soon, I promise", NONE, 0 },
	{ "Fri, 31 Dec 9999 23:59:59 GMT", CAP, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", NONE, 0 },
	{ "120", EXACT, 120 },
};

static const struct floor_case {
	const char	*name;
	const char	*header;	/* Cache-Control, or NULL */
	const char	*head;		/* channel-level elements */
	const char	*extra;		/* [feed] lines */
	enum expect	 expect;
	long		 secs;
} floor_cases[] = {
	{ "maxage", "max-age=3", "", "", EXACT, 3 },
	{ "maxage-huge", "public, max-age=99999999999999999999", "", "", CAP,
	  0 },
	{ "maxage-long", "max-age=86401", "", "", CAP, 0 },
	{ "smaxage", "s-maxage=600", "", "", NONE, 0 },
	{ "ttl", NULL, "<ttl>1</ttl>", "", EXACT, 60 },
	{ "ttl-huge", NULL, "<ttl>99999999999999999999</ttl>", "", CAP, 0 },
	{ "sy", NULL, "<sy:updatePeriod>hourly</sy:updatePeriod>"
	  "<sy:updateFrequency>2</sy:updateFrequency>", "", EXACT, 1800 },
	{ "sy-huge", NULL, "<sy:updatePeriod>yearly</sy:updatePeriod>", "",
	  CAP, 0 },
	/* a hint shorter than the interval changes nothing */
	{ "floor", "max-age=2", "", "interval = 1m\n", EXACT, 60 },
	/* an interval over a day is the user's: the cap does not cut it */
	{ "weekly", "max-age=99999", "", "interval = 7d\n", EXACT, 7 * DAY },
};

static void
check_expect(json_t *st, const char *name, enum expect e, long secs,
    unsigned int hits)
{
	long	 in = next_poll_in(st, name);

	switch (e) {
	case CAP:
		ck_assert_msg(in > DAY - 60 && in <= DAY, "feed '%s': next "
		    "poll in %lds, want a day", name, in);
		ck_assert_msg(hits == 1, "feed '%s': %u polls, want 1", name,
		    hits);
		break;
	case NONE:
		ck_assert_msg(in >= -1 && in <= 8, "feed '%s': next poll in "
		    "%lds, want a few seconds", name, in);
		ck_assert_msg(hits >= 2, "feed '%s': %u polls, want 2 or more",
		    name, hits);
		break;
	case EXACT:
		ck_assert_msg(in > secs - 10 && in <= secs, "feed '%s': next "
		    "poll in %lds, want %lds", name, in, secs);
		break;
	}
}

/*
 * One daemon, many feeds, each a server's hint: 503 and 429 with every
 * kind of Retry-After, then 200s with max-age, <ttl> and sy:.  Over 4.5
 * seconds none is hammered (a failing feed backs off 1, 2, 4 s: three
 * polls), none waits more than a day, and the plain feed keeps its
 * second.
 */
START_TEST(test_server_hints)
{
	struct harness	 r;
	GString		*feeds = g_string_new(NULL);
	json_t		*st;
	const char	*good[] = { "g1", NULL }, *guid[] = { NULL, NULL };
	char		 name[32], path[40];
	size_t		 i, c;
	unsigned int	 hits;

	harness_init(&r);
	serve(&r, "/good", "", good, NULL);
	add_feed(&r, feeds, "good", "/good", "");
	for (c = 0; c < 2; c++)
		for (i = 0; i < G_N_ELEMENTS(retry_cases); i++) {
			snprintf(name, sizeof(name), "ra%d-%zu", c ? 429 : 503,
			    i);
			snprintf(path, sizeof(path), "/%s", name);
			httpd_route(r.httpd, path, c ? 429 : 503, "text/plain",
			    "later", 5, NULL);
			httpd_route_header(r.httpd, path, "Retry-After",
			    retry_cases[i].value);
			add_feed(&r, feeds, name, path, "");
		}
	for (i = 0; i < G_N_ELEMENTS(floor_cases); i++) {
		snprintf(path, sizeof(path), "/%s", floor_cases[i].name);
		guid[0] = floor_cases[i].name;
		serve(&r, path, floor_cases[i].head, guid, NULL);
		if (floor_cases[i].header != NULL)
			httpd_route_header(r.httpd, path, "Cache-Control",
			    floor_cases[i].header);
		add_feed(&r, feeds, floor_cases[i].name, path,
		    floor_cases[i].extra);
	}
	rig_config(&r, "per-host = 64\n", feeds->str);
	harness_run(&r);
	g_usleep(4500000);
	st = harness_status(&r);
	for (c = 0; c < 2; c++)
		for (i = 0; i < G_N_ELEMENTS(retry_cases); i++) {
			snprintf(name, sizeof(name), "ra%d-%zu", c ? 429 : 503,
			    i);
			snprintf(path, sizeof(path), "/%s", name);
			hits = httpd_hits(r.httpd, path);
			ck_assert_msg(hits <= 4, "feed '%s' (Retry-After: %s): "
			    "%u requests in 4.5 s", name, retry_cases[i].value,
			    hits);
			check_expect(st, name, retry_cases[i].expect,
			    retry_cases[i].secs, hits);
		}
	for (i = 0; i < G_N_ELEMENTS(floor_cases); i++) {
		snprintf(path, sizeof(path), "/%s", floor_cases[i].name);
		check_expect(st, floor_cases[i].name, floor_cases[i].expect,
		    floor_cases[i].secs, httpd_hits(r.httpd, path));
	}
	/* max-age=3: polled at 0 and 3 s, not every second */
	ck_assert_uint_eq(httpd_hits(r.httpd, "/maxage"), 2);
	ck_assert_uint_ge(httpd_hits(r.httpd, "/good"), 3);
	json_decref(st);
	harness_stop(&r);
	g_string_free(feeds, TRUE);
	harness_release(&r);
}
END_TEST

/*
 * The feed's <ttl> holds on the polls answered 304, which carry no body
 * to read it from: read once (`check`), then polled by the daemon with
 * the validator, the feed waits its two minutes.
 */
START_TEST(test_ttl_after_304)
{
	struct harness		 r;
	struct test_proc	 p;
	json_t			*st;
	char			*feed;
	const char		*args[] = { "check", "-c", NULL, NULL };
	const char		*guids[] = { "k1", NULL };
	long			 in;

	harness_init(&r);
	serve(&r, "/kept", "<ttl>2</ttl>", guids, "\"v1\"");
	feed = harness_feed_section(&r, "kept", "/kept", "");
	rig_config(&r, "", feed);
	args[2] = r.conf;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "check: exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
	harness_run(&r);
	harness_wait_hits(&r, "/kept", 2);
	g_usleep(2000000);
	harness_stop(&r);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/kept"), 2);
	ck_assert_uint_eq(httpd_not_modified(r.httpd, "/kept"), 1);
	st = harness_status(&r);
	in = next_poll_in(st, "kept");
	ck_assert_msg(in > 110 && in <= 120, "next poll in %lds", in);
	json_decref(st);
	free(feed);
	harness_release(&r);
}
END_TEST

/* The parser's part: what <ttl> and sy: come to, in seconds. */
static const struct ttl_case {
	const char	*doc;
	long		 secs;
} ttl_cases[] = {
	{ "<rss version=\"2.0\"><channel><ttl>30</ttl></channel></rss>", 1800 },
	{ "<rss version=\"2.0\"><channel><ttl> 30\n</ttl></channel></rss>",
	  1800 },
	{ "<rss version=\"2.0\"><channel><ttl>0</ttl></channel></rss>", 0 },
	{ "<rss version=\"2.0\"><channel><ttl>-5</ttl></channel></rss>", 0 },
	{ "<rss version=\"2.0\"><channel><ttl>30m</ttl></channel></rss>", 0 },
	{ "<rss version=\"2.0\"><channel><ttl>99999999999999999999</ttl>"
	  "</channel></rss>", 7 * DAY },
	{ "<rss version=\"2.0\"><channel><ttl>99999</ttl></channel></rss>",
	  7 * DAY },
#define SY	"xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\""
	{ "<rss version=\"2.0\" " SY "><channel>"
	  "<sy:updatePeriod>hourly</sy:updatePeriod>"
	  "<sy:updateFrequency>2</sy:updateFrequency></channel></rss>", 1800 },
	{ "<rss version=\"2.0\" " SY "><channel><sy:updatePeriod> weekly "
	  "</sy:updatePeriod></channel></rss>", 7 * DAY },
	/* a frequency alone: per day */
	{ "<rss version=\"2.0\" " SY "><channel>"
	  "<sy:updateFrequency>24</sy:updateFrequency></channel></rss>",
	  3600 },
	{ "<rss version=\"2.0\" " SY "><channel>"
	  "<sy:updatePeriod>yearly</sy:updatePeriod></channel></rss>",
	  7 * DAY },
	{ "<rss version=\"2.0\" " SY "><channel>"
	  "<sy:updatePeriod>hourly</sy:updatePeriod>"
	  "<sy:updateFrequency>0</sy:updateFrequency></channel></rss>", 3600 },
	{ "<rss version=\"2.0\" " SY "><channel>"
	  "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>"
	  "99999999999999999999</sy:updateFrequency></channel></rss>", 0 },
	{ "<rss version=\"2.0\" " SY "><channel>"
	  "<sy:updatePeriod>fortnightly</sy:updatePeriod></channel></rss>", 0 },
	/* the longer of the two */
	{ "<rss version=\"2.0\" " SY "><channel><ttl>60</ttl>"
	  "<sy:updatePeriod>hourly</sy:updatePeriod>"
	  "<sy:updateFrequency>4</sy:updateFrequency></channel></rss>", 3600 },
	/* an item's sy: is not the feed's */
	{ "<rss version=\"2.0\" " SY "><channel><item><title>x</title>"
	  "<sy:updatePeriod>daily</sy:updatePeriod></item></channel></rss>",
	  0 },
	/* RSS 1.0, where the module comes from, and Atom */
	{ "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\""
	  " xmlns=\"http://purl.org/rss/1.0/\" " SY "><channel rdf:about="
	  "\"http://example.org/\"><title>t</title><sy:updatePeriod>daily"
	  "</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>"
	  "</channel><item rdf:about=\"http://example.org/1\"><title>x"
	  "</title></item></rdf:RDF>", 21600 },
	{ "<feed xmlns=\"http://www.w3.org/2005/Atom\" " SY "><title>t</title>"
	  "<sy:updatePeriod>hourly</sy:updatePeriod></feed>", 3600 },
	{ "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
	  "<ttl>30</ttl></feed>", 0 },
#undef SY
};

static int
ignore_item(const struct feed_item *it, void *arg)
{
	return 0;
}

START_TEST(test_parser_hints)
{
	const struct ttl_case	*c = &ttl_cases[_i];
	struct feed_parser	*p;

	feed_parser_global_init();
	p = feed_parser_new("http://example.org/feed", NULL, ignore_item, NULL);
	ck_assert_int_eq(feed_parser_push(p, c->doc, strlen(c->doc)), 0);
	ck_assert_int_eq(feed_parser_finish(p), 0);
	ck_assert_msg(feed_parser_ttl(p) == c->secs, "case %d: %ld s, want "
	    "%ld: %s", _i, feed_parser_ttl(p), c->secs, c->doc);
	feed_parser_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* redirects */

/* A route at 'path' answering 'code' with a Location of 'to'. */
static void
redirect(struct harness *r, const char *path, int code, const char *to)
{
	char	*url = httpd_url(r->httpd, to);

	httpd_route(r->httpd, path, code, "text/plain", "moved", 5, NULL);
	httpd_route_header(r->httpd, path, "Location", url);
	free(url);
}

/*
 * 301 and 308: the first poll already reads the new location (its item
 * alerts), three polls in a row make the move permanent (one log line,
 * URLs redacted), and from then on the old URL is left alone.  A 302 is
 * followed every time and never remembered.  A poll without the redirect
 * starts the count again.
 */
START_TEST(test_redirects)
{
	struct harness	 r;
	GString		*feeds = g_string_new(NULL);
	unsigned int	 t302;

	harness_init(&r);
	redirect(&r, "/a301", 301, "/t301?key=k3y");
	serve1(&r, "/t301", "r301");
	redirect(&r, "/a308", 308, "/t308");
	serve1(&r, "/t308", "r308");
	redirect(&r, "/a302", 302, "/t302");
	serve1(&r, "/t302", "r302");
	redirect(&r, "/aflip", 301, "/tflip");
	serve1(&r, "/tflip", "rflip");
	add_feed(&r, feeds, "p301", "/a301?token=s3cr3t", "");
	add_feed(&r, feeds, "p308", "/a308", "");
	add_feed(&r, feeds, "temp", "/a302", "");
	add_feed(&r, feeds, "flip", "/aflip", "");
	rig_config(&r, "", feeds->str);
	harness_run(&r);

	/* followed at once */
	wait_alert(&r, "r301");
	wait_alert(&r, "r308");
	/* flip: 301, 301, then the feed itself, then 301 three times */
	harness_wait_hits(&r, "/aflip", 2);
	serve1(&r, "/aflip", "rflip");
	harness_wait_hits(&r, "/aflip", 3);
	redirect(&r, "/aflip", 301, "/tflip");
	harness_wait_hits(&r, "/aflip", 6);
	harness_wait_hits(&r, "/tflip", 6);
	g_usleep(2500000);
	harness_stop(&r);

	ck_assert_uint_eq(httpd_hits(r.httpd, "/a301"), 3);
	ck_assert_uint_ge(httpd_hits(r.httpd, "/t301"), 5);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/a308"), 3);
	ck_assert_uint_ge(httpd_hits(r.httpd, "/t308"), 5);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/aflip"), 6);
	t302 = httpd_hits(r.httpd, "/t302");
	ck_assert_uint_ge(t302, 5);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/a302"), t302);
	ck_assert_int_eq(log_lines(&r, "feed 'p301'", "moved permanently"), 1);
	ck_assert_int_eq(log_lines(&r, "feed 'p308'", "moved permanently"), 1);
	ck_assert_int_eq(log_lines(&r, "feed 'flip'", "moved permanently"), 1);
	ck_assert_int_eq(log_lines(&r, "feed 'temp'", "moved"), 0);
	ck_assert_int_eq(log_lines(&r, "/a301?token=***", "/t301?key=***"), 1);
	ck_assert_int_eq(log_lines(&r, "moved permanently", "s3cr3t"), 0);
	ck_assert_int_eq(log_lines(&r, "moved permanently", "k3y"), 0);
	/* each item alerted once */
	ck_assert_int_eq(alerts_for(&r, "r301"), 1);
	ck_assert_int_eq(alerts_for(&r, "r308"), 1);
	ck_assert_int_eq(alerts_for(&r, "r302"), 1);
	ck_assert_int_eq(alerts_for(&r, "rflip"), 1);
	g_string_free(feeds, TRUE);
	harness_release(&r);
}
END_TEST

/*
 * A feed's state belongs to its URL.  A feed gone (410) and one moved
 * for good get new URLs in the config, on SIGHUP and at a restart: each
 * is polled at its new URL at once, without the old validators (the new
 * server has the same ETag, so a validator sent would hide the item), and
 * its items alert.
 */
START_TEST(test_url_change)
{
	struct harness	 r;
	GString		*feeds = g_string_new(NULL);
	json_t		*st;
	const char	*m2[] = { "m2a", NULL }, *m3[] = { "m3a", NULL };
	char		*log;
	unsigned int	 m2hits;

	harness_init(&r);
	httpd_route(r.httpd, "/g1", 410, "text/plain", "gone", 4, NULL);
	httpd_route(r.httpd, "/h1", 410, "text/plain", "gone", 4, NULL);
	serve1(&r, "/g2", "g2a");
	serve1(&r, "/h2", "h2a");
	redirect(&r, "/m1", 301, "/m2");
	serve(&r, "/m2", "", m2, "\"e1\"");
	serve(&r, "/m3", "", m3, "\"e1\"");
	httpd_record(r.httpd, "/m3", "If-None-Match");
	add_feed(&r, feeds, "g", "/g1", "");
	add_feed(&r, feeds, "h", "/h1", "");
	add_feed(&r, feeds, "m", "/m1", "");
	rig_config(&r, "", feeds->str);
	harness_run(&r);
	harness_wait_hits(&r, "/m1", 3);
	/* polled there directly, with 304s */
	harness_wait_hits(&r, "/m2", 5);
	st = harness_status(&r);
	ck_assert(json_is_true(json_object_get(harness_feed(st, "g"), "gone")));
	ck_assert(json_is_true(json_object_get(harness_feed(st, "h"), "gone")));
	json_decref(st);

	/* SIGHUP: 'g' gets a new URL */
	g_string_truncate(feeds, 0);
	add_feed(&r, feeds, "g", "/g2", "");
	add_feed(&r, feeds, "h", "/h1", "");
	add_feed(&r, feeds, "m", "/m1", "");
	rig_config(&r, "", feeds->str);
	ck_assert_int_eq(kill(r.pid, SIGHUP), 0);
	wait_alert(&r, "g2a");
	st = harness_status(&r);
	ck_assert(json_is_false(json_object_get(harness_feed(st, "g"),
	    "gone")));
	ck_assert_int_eq(feed_int(st, "g", "failures"), 0);
	json_decref(st);
	harness_stop(&r);

	/* a restart: 'h' (gone) and 'm' (moved to /m2) get new URLs */
	g_string_truncate(feeds, 0);
	add_feed(&r, feeds, "g", "/g2", "");
	add_feed(&r, feeds, "h", "/h2", "");
	add_feed(&r, feeds, "m", "/m3", "");
	rig_config(&r, "", feeds->str);
	m2hits = httpd_hits(r.httpd, "/m2");
	harness_run(&r);
	wait_alert(&r, "h2a");
	wait_alert(&r, "m3a");
	harness_stop(&r);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/m2"), m2hits);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/g1"), 1);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/h1"), 1);
	log = httpd_log(r.httpd, "/m3");
	ck_assert_msg(strncmp(log, "200 -\n", 6) == 0, "requests of /m3: %s",
	    log);
	free(log);
	ck_assert_int_eq(alerts_for(&r, "m2a"), 1);
	ck_assert_int_eq(log_lines(&r, "feed 'm'", "new url"), 1);
	g_string_free(feeds, TRUE);
	harness_release(&r);
}
END_TEST

/*
 * A state file of schema 1, as the last release wrote it (its schema,
 * verbatim), with a feed gone, a feed moved and a feed held back for
 * centuries by the old Retry-After arithmetic.
 */
static void
write_v1_state(const char *path, const char *moved_to)
{
	sqlite3	*db;
	char	*sql, *err = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sql = sqlite3_mprintf(
	    "PRAGMA page_size=65536; PRAGMA journal_mode=WAL;"
	    "CREATE TABLE IF NOT EXISTS feed ( name TEXT PRIMARY KEY, etag "
	    "TEXT, last_modified TEXT, moved_to TEXT, http_status INTEGER "
	    "NOT NULL DEFAULT 0, error TEXT, last_poll INTEGER NOT NULL "
	    "DEFAULT 0, last_ok INTEGER NOT NULL DEFAULT 0, last_parsed "
	    "INTEGER NOT NULL DEFAULT 0, failing_since INTEGER NOT NULL "
	    "DEFAULT 0, next_due INTEGER NOT NULL DEFAULT 0, failures "
	    "INTEGER NOT NULL DEFAULT 0, gone INTEGER NOT NULL DEFAULT 0, "
	    "health_alerted INTEGER NOT NULL DEFAULT 0, missed INTEGER NOT "
	    "NULL DEFAULT 0) STRICT;CREATE TABLE IF NOT EXISTS item ( feed "
	    "TEXT NOT NULL, key TEXT NOT NULL, first_seen INTEGER NOT NULL, "
	    "last_seen INTEGER NOT NULL, id TEXT NOT NULL, feed_url TEXT, "
	    "feed_title TEXT, title TEXT, link TEXT, author TEXT, "
	    "categories TEXT, summary TEXT, published INTEGER, updated "
	    "INTEGER, PRIMARY KEY (feed, key)) STRICT, WITHOUT ROWID;CREATE "
	    "INDEX IF NOT EXISTS item_first_seen ON item(first_seen);CREATE "
	    "TABLE IF NOT EXISTS story ( topic TEXT NOT NULL, key TEXT NOT "
	    "NULL, alert_id TEXT NOT NULL, created INTEGER NOT NULL, "
	    "PRIMARY KEY (topic, key)) STRICT, WITHOUT ROWID;CREATE TABLE "
	    "IF NOT EXISTS also_in ( alert_id TEXT NOT NULL, feed TEXT NOT "
	    "NULL, created INTEGER NOT NULL, PRIMARY KEY (alert_id, feed)) "
	    "STRICT, WITHOUT ROWID;CREATE TABLE IF NOT EXISTS sent ( sink "
	    "TEXT NOT NULL, topic TEXT NOT NULL, at INTEGER NOT NULL) "
	    "STRICT;CREATE INDEX IF NOT EXISTS sent_at ON sent(sink, topic, "
	    "at);CREATE TABLE IF NOT EXISTS outbox ( id INTEGER PRIMARY "
	    "KEY, sink TEXT NOT NULL, topic TEXT NOT NULL, fold INTEGER NOT "
	    "NULL DEFAULT 0, alert_id TEXT NOT NULL, payload TEXT NOT NULL, "
	    "attempts INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL, "
	    "next_at INTEGER NOT NULL, delivered_at INTEGER, failed_at "
	    "INTEGER, last_error TEXT, UNIQUE (sink, alert_id)) "
	    "STRICT;CREATE INDEX IF NOT EXISTS outbox_due ON outbox(sink, "
	    "next_at) WHERE delivered_at IS NULL AND failed_at IS NULL;"
	    "INSERT INTO feed (name, http_status, error, gone, failures)"
	    " VALUES ('gone', 410, 'http error: http status 410', 1, 1);"
	    "INSERT INTO feed (name, moved_to, etag) VALUES ('moved', %Q,"
	    " '\"old\"');"
	    /* what the old Retry-After: 99999999999 saved (year 5138) */
	    "INSERT INTO feed (name, next_due, failures)"
	    " VALUES ('late', 99999999999, 1);"
	    "PRAGMA user_version = 1;", moved_to);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s", err);
	sqlite3_free(sql);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

static int
user_version(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 v = -1;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
	    NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/*
 * The last release's state file opens and is upgraded: its gone feed is
 * asked again (its URL may have changed), its remembered move must be
 * seen again before it holds, and a next poll it saved centuries away
 * comes in to a day.
 */
START_TEST(test_state_upgrade)
{
	struct harness	 r;
	GString		*feeds = g_string_new(NULL);
	json_t		*st;
	char		*elsewhere, *upgraded;
	long		 in;

	harness_init(&r);
	elsewhere = httpd_url(r.httpd, "/elsewhere");
	write_v1_state(r.state, elsewhere);
	serve1(&r, "/up", "up1");
	serve1(&r, "/mv", "mv1");
	serve1(&r, "/elsewhere", "else1");
	serve1(&r, "/late", "late1");
	add_feed(&r, feeds, "gone", "/up", "");
	add_feed(&r, feeds, "moved", "/mv", "");
	add_feed(&r, feeds, "late", "/late", "");
	rig_config(&r, "", feeds->str);
	harness_run(&r);
	wait_alert(&r, "up1");
	wait_alert(&r, "mv1");
	harness_stop(&r);
	ck_assert_int_eq(user_version(r.state), STORE_SCHEMA_VERSION);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/elsewhere"), 0);
	ck_assert_uint_eq(httpd_hits(r.httpd, "/late"), 0);
	upgraded = xasprintf("upgraded from schema 1 to %d",
	    STORE_SCHEMA_VERSION);
	ck_assert_int_eq(log_lines(&r, upgraded, ""), 1);
	free(upgraded);
	st = harness_status(&r);
	ck_assert(json_is_false(json_object_get(harness_feed(st, "gone"),
	    "gone")));
	in = next_poll_in(st, "late");
	ck_assert_msg(in > 0 && in <= DAY, "next poll of 'late' in %lds", in);
	json_decref(st);
	free(elsewhere);
	g_string_free(feeds, TRUE);
	harness_release(&r);
}
END_TEST

/* Before the upgrade, status (read only) says what to do, not an SQL error. */
START_TEST(test_state_old_status)
{
	struct harness		 r;
	struct test_proc	 p;
	const char		*args[] = { "status", "-c", NULL, NULL };

	harness_init(&r);
	write_v1_state(r.state, "http://127.0.0.1:1/x");
	rig_config(&r, "", "");
	args[2] = r.conf;
	test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "older feedwatch (schema 1); run "
	    "'feedwatch run' or 'feedwatch check' once") != NULL, "%s", p.err);
	test_proc_clear(&p);
	ck_assert_int_eq(user_version(r.state), 1);
	harness_release(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* window overflow */

/*
 * A feed that lists one item, a new one at every poll, has a window of
 * one: each change replaces it whole, which says nothing about items
 * missed.  Every item alerts; nothing is flagged.
 */
START_TEST(test_overflow_one_item)
{
	struct harness	 r;
	json_t		*st;
	char		*feed, guid[16];
	unsigned int	 i;

	harness_init(&r);
	serve1(&r, "/one", "one0");
	feed = harness_feed_section(&r, "one", "/one", "");
	rig_config(&r, "", feed);
	harness_run(&r);
	for (i = 1; i <= 4; i++) {
		harness_wait_hits(&r, "/one", i);
		snprintf(guid, sizeof(guid), "one%u", i);
		serve1(&r, "/one", guid);
	}
	wait_alert(&r, "one4");
	harness_stop(&r);
	st = harness_status(&r);
	ck_assert_int_eq(feed_int(st, "one", "missed"), 0);
	ck_assert_int_eq(log_lines(&r, "overflowed", ""), 0);
	for (i = 0; i <= 4; i++) {
		snprintf(guid, sizeof(guid), "one%u", i);
		ck_assert_int_eq(alerts_for(&r, guid), 1);
	}
	json_decref(st);
	free(feed);
	harness_release(&r);
}
END_TEST

/*
 * Windows of 10 and 2 items read once (`check`), then polled by the
 * daemon after all their items were replaced: flagged (missed, the log,
 * half the 10m interval).  A 2-item window with one new item is not.
 */
START_TEST(test_overflow_window)
{
	struct harness		 r;
	struct test_proc	 p;
	GString			*feeds = g_string_new(NULL);
	json_t			*st;
	const char		*args[] = { "check", "-c", NULL, NULL };
	const char		*ten0[11], *ten1[11];
	const char		*pair0[] = { "p0", "p1", NULL };
	const char		*pair1[] = { "p2", "p3", NULL };
	const char		*two1[] = { "t2", "p1", NULL };
	char			 ids[2][10][8];
	int			 i;

	harness_init(&r);
	for (i = 0; i < 10; i++) {
		snprintf(ids[0][i], sizeof(ids[0][i]), "a%d", i);
		snprintf(ids[1][i], sizeof(ids[1][i]), "b%d", i);
		ten0[i] = ids[0][i];
		ten1[i] = ids[1][i];
	}
	ten0[10] = ten1[10] = NULL;
	serve(&r, "/ten", "", ten0, NULL);
	serve(&r, "/pair", "", pair0, NULL);
	serve(&r, "/two", "", pair0, NULL);
	add_feed(&r, feeds, "ten", "/ten", "");
	add_feed(&r, feeds, "pair", "/pair", "");
	add_feed(&r, feeds, "two", "/two", "");
	r.interval = "10m";
	rig_config(&r, "", feeds->str);
	args[2] = r.conf;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "check: exit %d: %s", p.status, p.err);
	test_proc_clear(&p);

	serve(&r, "/ten", "", ten1, NULL);
	serve(&r, "/pair", "", pair1, NULL);
	serve(&r, "/two", "", two1, NULL);
	harness_run(&r);
	wait_alert(&r, "b9");
	wait_alert(&r, "p3");
	wait_alert(&r, "t2");
	g_usleep(300000);
	harness_stop(&r);
	st = harness_status(&r);
	ck_assert_int_eq(feed_int(st, "ten", "missed"), 1);
	ck_assert_int_eq(feed_int(st, "pair", "missed"), 1);
	ck_assert_int_eq(feed_int(st, "two", "missed"), 0);
	ck_assert_int_eq(log_lines(&r, "feed 'ten'", "all 10 items are new"),
	    1);
	ck_assert_int_eq(log_lines(&r, "feed 'two'", "overflowed"), 0);
	ck_assert_msg(next_poll_in(st, "ten") > 290 &&
	    next_poll_in(st, "ten") <= 300, "ten: next poll in %lds",
	    next_poll_in(st, "ten"));
	ck_assert_msg(next_poll_in(st, "two") > 590 &&
	    next_poll_in(st, "two") <= 600, "two: next poll in %lds",
	    next_poll_in(st, "two"));
	json_decref(st);
	g_string_free(feeds, TRUE);
	harness_release(&r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the sinks' Retry-After */

/*
 * A webhook answering 429 with Retry-After: 0, or with a date in the
 * past, is retried on its backoff (retry = 1s: 1, 2, 4 s), not at once
 * in a loop.
 */
START_TEST(test_sink_retry_after)
{
	struct harness	 r;
	char		*hooks, *u0, *upast, *feed;
	unsigned int	 n0, npast;

	harness_init(&r);
	serve1(&r, "/news", "n1");
	httpd_route(r.httpd, "/hook0", 429, "text/plain", "slow down", 9, NULL);
	httpd_route_header(r.httpd, "/hook0", "Retry-After", "0");
	httpd_route(r.httpd, "/hookpast", 429, "text/plain", "slow down", 9,
	    NULL);
	httpd_route_header(r.httpd, "/hookpast", "Retry-After",
	    "Sun, 06 Nov 1994 08:49:37 GMT");
	u0 = httpd_url(r.httpd, "/hook0");
	upast = httpd_url(r.httpd, "/hookpast");
	feed = harness_feed_section(&r, "news", "/news", "");
	hooks = xasprintf("%s\n[sink hook0]\ntype = webhook\nurl = %s\n\n"
	    "[sink hookpast]\ntype = webhook\nurl = %s\n", feed, u0, upast);
	rig_config(&r, "retry = 1s\n", hooks);
	harness_run(&r);
	harness_wait_hits(&r, "/hook0", 1);
	g_usleep(3500000);
	n0 = httpd_hits(r.httpd, "/hook0");
	npast = httpd_hits(r.httpd, "/hookpast");
	harness_stop(&r);
	ck_assert_msg(n0 >= 2 && n0 <= 4, "Retry-After 0: %u sends", n0);
	ck_assert_msg(npast >= 2 && npast <= 4, "Retry-After past: %u sends",
	    npast);
	free(hooks);
	free(feed);
	free(u0);
	free(upast);
	harness_release(&r);
}
END_TEST

Suite *
schedule_suite(void)
{
	const TTest	*tests[] = { test_server_hints, test_ttl_after_304,
	    test_redirects, test_url_change, test_state_upgrade,
	    test_state_old_status, test_overflow_one_item,
	    test_overflow_window, test_sink_retry_after, NULL };
	Suite		*s = suite_create("schedule");
	TCase		*tp = tcase_create("hints");

	test_tcase(s, "schedule", 60, tests);
	tcase_set_timeout(tp, 10);
	tcase_add_loop_test(tp, test_parser_hints, 0,
	    (int)G_N_ELEMENTS(ttl_cases));
	suite_add_tcase(s, tp);
	return s;
}
