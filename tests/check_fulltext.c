/*
 * check_fulltext.c: full text where the feed is thin ([feed] content =
 * full or auto), end to end.
 *
 * The feeds are wire-style teasers (a headline and "Read the full story")
 * linking to the article pages of tests/data/articles/, served by
 * tests/httpd.c with their navigation, ads, cookie banners, related links
 * and comments around the article; tests/hostile.c adds pages that hang
 * or redirect to file:.  feedwatch must alert on a word of the article
 * alone, with matched_in ["body"], never on one of the page's
 * boilerplate, and never later than it would without fetching for an
 * item its feed text matched.  Fetches share the per-host cap with polls,
 * fail one by one without retries, and survive kill -9.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "hostile.h"
#include "httpd.h"
#include "xmalloc.h"

#define WAIT	15.0

/* What a wire teaser's feed says of its story. */
#define TEASER	"Read the full story on our website."

/* An RSS item whose text is a teaser, linking to 'link' (malloc'd). */
static char *
teaser(const char *guid, const char *title, const char *link)
{
	return xasprintf("<item><title>%s</title><guid>%s</guid>"
	    "<link>%s</link><description>" TEASER "</description>"
	    "<pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>", title,
	    guid, link);
}

/* Appends to 'items' the teaser of an article at 'path' of h's server. */
static void
add_teaser(struct harness *h, GString *items, const char *guid,
    const char *title, const char *path)
{
	char	*url, *item;

	url = httpd_url(h->httpd, path);
	item = teaser(guid, title, url);
	g_string_append(items, item);
	free(item);
	free(url);
}

/* tests/data/articles/NAME.html (g_free). */
static char *
page(const char *name, gsize *len)
{
	char	*path, *text;

	path = xasprintf("%s/tests/data/articles/%s.html",
	    test_env("FEEDWATCH_SRC"), name);
	ck_assert_msg(g_file_get_contents(path, &text, len, NULL),
	    "cannot read %s", path);
	free(path);
	return text;
}

/* Serves the fixture page NAME at 'path' as HTML. */
static void
serve_page(struct harness *h, const char *path, const char *name)
{
	char	*text;
	gsize	 len;

	text = page(name, &len);
	httpd_route(h->httpd, path, 200, "text/html; charset=utf-8", text, len,
	    NULL);
	g_free(text);
}

/* Alerts of topic 'topic' in the alert file. */
static int
alerts_of(const struct harness *h, const char *topic)
{
	char	*needle;
	int	 n;

	needle = xasprintf("\"topic\":\"%s\"", topic);
	n = test_lines_with(h->alerts, needle);
	free(needle);
	return n;
}

/* Waits until topic 'topic' has 'n' alerts; returns how many it has. */
static int
wait_alerts(const struct harness *h, const char *topic, int n, double secs)
{
	char	*needle;
	int	 got;

	needle = xasprintf("\"topic\":\"%s\"", topic);
	got = test_wait_lines(h->alerts, needle, n, secs);
	free(needle);
	return got;
}

/* The matched_in of the alert of 'topic' for item 'id', joined by ','. */
static char *
matched_in(const struct harness *h, const char *topic, const char *id)
{
	gchar		**lines;
	char		*text;
	GString		*g = g_string_new(NULL);
	json_t		*a, *v;
	size_t		 i, j;

	text = test_slurp(h->alerts);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		if ((a = json_loads(lines[i], 0, NULL)) == NULL)
			continue;
		if (strcmp(json_string_value(json_object_get(a, "topic")),
		    topic) == 0 && strcmp(json_string_value(json_object_get(a,
		    "id")), id) == 0 && g->len == 0)
			json_array_foreach(json_object_get(a, "matched_in"), j,
			    v)
				g_string_append_printf(g, "%s%s", j ? "," : "",
				    json_string_value(v));
		json_decref(a);
	}
	g_strfreev(lines);
	free(text);
	return g_string_free(g, FALSE);
}

/* Lines of the daemon's log (or of 's') holding both 'a' and 'b'. */
static int
lines_with2(const char *s, const char *a, const char *b)
{
	gchar	**lines;
	size_t	 i;
	int	 n = 0;

	lines = g_strsplit(s, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		if (strstr(lines[i], a) != NULL && strstr(lines[i], b) != NULL)
			n++;
	g_strfreev(lines);
	return n;
}

/* `feedwatch check` on h's config, which must exit 'status'. */
static void
check_once(struct harness *h, struct test_proc *p, int status)
{
	const char	*args[] = { "check", "-v", "-c", h->conf, NULL };

	test_run(p, args);
	ck_assert_msg(p->status == status, "check: exit %d, want %d: %s",
	    p->status, status, p->err);
}

/*
 * The setup of one story: feed 'wire' (content = full) at /wire.xml with
 * the teaser 'guid' titled 'title', its article port-comments.html at
 * 'path' answering 'delay' ms late, and the topics 'topics' (sections).
 */
static void
one_story(struct harness *h, const char *path, int delay, const char *guid,
    const char *title, const char *topics)
{
	GString		*items = g_string_new(NULL);
	char		*feed, *sections;

	serve_page(h, path, "port-comments");
	if (delay > 0)
		httpd_route_delay(h->httpd, path, delay);
	add_teaser(h, items, guid, title, path);
	harness_publish(h, "/wire.xml", items->str);
	feed = harness_feed_section(h, "wire", "/wire.xml",
	    "content = full\n");
	sections = xasprintf("%s%s", feed, topics);
	harness_config(h, "", sections);
	free(sections);
	free(feed);
	g_string_free(items, TRUE);
}

/*
 * The words of the article count, the page's boilerplate does not: a
 * topic whose word is only in the article body alerts, with matched_in
 * ["body"]; words only in the navigation, ads, cookie banner, related
 * links or comments of the same pages alert nothing.  Each article is
 * fetched once, by the feed that wants it and no other.
 */
START_TEST(test_body_only)
{
	struct harness	 h;
	GString		*wire = g_string_new(NULL), *plain = g_string_new(NULL);
	char		*sections, *feed1, *feed2, *m;

	harness_init(&h);
	serve_page(&h, "/port.html", "port-comments");
	serve_page(&h, "/sochi.html", "news-megamenu");
	serve_page(&h, "/plain-port.html", "port-comments");
	add_teaser(&h, wire, "w1", "Night loading is back", "/port.html");
	add_teaser(&h, wire, "w2", "Talks in Sochi", "/sochi.html");
	harness_publish(&h, "/wire.xml", wire->str);
	add_teaser(&h, plain, "p1", "Night loading is back at last",
	    "/plain-port.html");
	harness_publish(&h, "/plain.xml", plain->str);
	feed1 = harness_feed_section(&h, "wire", "/wire.xml",
	    "content = full\n");
	feed2 = harness_feed_section(&h, "plain", "/plain.xml", "");
	sections = xasprintf("%s%s"
	    "[topic port]\nquery = Chornomorsk\n\n"
	    "[topic annex]\nquery = \"attempted annexation\"\n\n"
	    "[topic junk]\nquery = Bitcoin OR referendum OR lighthouse OR "
	    "cookies OR Izmail OR Aurora OR Kerch OR \"Accept all\" OR "
	    "Subscribe\n\n", feed1, feed2);
	harness_config(&h, "", sections);
	harness_run(&h);
	ck_assert_int_eq(wait_alerts(&h, "port", 1, WAIT), 1);
	ck_assert_int_eq(wait_alerts(&h, "annex", 1, WAIT), 1);
	/* more polls: the same items fetch nothing again */
	harness_wait_hits(&h, "/wire.xml", 4);
	harness_stop(&h);
	ck_assert_int_eq(alerts_of(&h, "junk"), 0);
	ck_assert_int_eq(alerts_of(&h, "port"), 1);
	m = matched_in(&h, "port", "w1");
	ck_assert_str_eq(m, "body");
	free(m);
	m = matched_in(&h, "annex", "w2");
	ck_assert_str_eq(m, "body");
	free(m);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/port.html"), 1);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/sochi.html"), 1);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/plain-port.html"), 0);
	free(sections);
	free(feed1);
	free(feed2);
	g_string_free(wire, TRUE);
	g_string_free(plain, TRUE);
	harness_release(&h);
}
END_TEST

/*
 * An item that matched on its teaser alerts at once: its article takes
 * 3 s to come, and the alert is out before it.  The article then adds
 * the topics only it made true, and not the teaser's again.
 */
START_TEST(test_teaser_first)
{
	struct harness	 h;
	char		*m;

	harness_init(&h);
	one_story(&h, "/slow.html", 3000, "t1", "Grain terminal works through "
	    "the night", "[topic grain]\nquery = grain\n\n"
	    "[topic kovalchuk]\nquery = Kovalchuk\n\n");
	harness_run(&h);
	harness_wait_hits(&h, "/slow.html", 1);
	/* the page answers 3 s after this: the teaser's alert is out first */
	ck_assert_msg(wait_alerts(&h, "grain", 1, 2.0) == 1, "the teaser's "
	    "alert waited for its article");
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 0);
	ck_assert_int_eq(wait_alerts(&h, "kovalchuk", 1, WAIT), 1);
	g_usleep(1500000);
	harness_stop(&h);
	ck_assert_int_eq(alerts_of(&h, "grain"), 1);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 1);
	m = matched_in(&h, "grain", "t1");
	ck_assert_str_eq(m, "title");
	free(m);
	m = matched_in(&h, "kovalchuk", "t1");
	ck_assert_str_eq(m, "body");
	free(m);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/slow.html"), 1);
	harness_release(&h);
}
END_TEST

/*
 * Article fetches and feed polls to one host share its per-host slots:
 * three feeds and their nine articles, every answer 0.4 s late, never
 * more than per-host = 2 requests at once on the server (separate caps
 * would let a third poll run beside two fetches), and all done.
 */
START_TEST(test_per_host_shared)
{
	struct harness		 h;
	struct test_proc	 p;
	GString			*sections = g_string_new(NULL), *items;
	char			*feed, *path, *title, *guid, *fpath;
	int			 f, i;

	harness_init(&h);
	for (f = 0; f < 3; f++) {
		items = g_string_new(NULL);
		for (i = 0; i < 3; i++) {
			path = xasprintf("/f%d/story%d.html", f, i);
			guid = xasprintf("f%d-%d", f, i);
			title = xasprintf("Port story %d of feed %d", i, f);
			serve_page(&h, path, "port-comments");
			httpd_route_delay(h.httpd, path, 400);
			add_teaser(&h, items, guid, title, path);
			free(path);
			free(guid);
			free(title);
		}
		fpath = xasprintf("/f%d.xml", f);
		harness_publish(&h, fpath, items->str);
		httpd_route_delay(h.httpd, fpath, 400);
		path = xasprintf("f%d", f);
		feed = harness_feed_section(&h, path, fpath,
		    "content = full\n");
		g_string_append(sections, feed);
		free(feed);
		free(path);
		free(fpath);
		g_string_free(items, TRUE);
	}
	g_string_append(sections, "[topic kovalchuk]\nquery = Kovalchuk\n");
	harness_config(&h, "per-host = 2\nconcurrency = 64\n", sections->str);
	check_once(&h, &p, 0);
	test_proc_clear(&p);
	for (f = 0; f < 3; f++)
		for (i = 0; i < 3; i++) {
			path = xasprintf("/f%d/story%d.html", f, i);
			ck_assert_uint_eq(httpd_hits(h.httpd, path), 1);
			free(path);
		}
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 9);
	ck_assert_uint_eq(httpd_held_max(h.httpd), 2);
	g_string_free(sections, TRUE);
	harness_release(&h);
}
END_TEST

/* port-comments.html with some 4 MB of comments after its article. */
static char *
huge_page(size_t *len)
{
	GString	*g;
	char	*text, *at;
	gsize	 n;
	int	 i;

	text = page("port-comments", &n);
	at = strstr(text, "<section class=\"comments\"");
	ck_assert_ptr_nonnull(at);
	g = g_string_new_len(text, at - text);
	g_string_append(g, "<section class=\"comments\">");
	for (i = 0; i < 20000; i++)
		g_string_append_printf(g, "<div class=\"comment\"><p>Comment "
		    "%d: the port was always like this, and the night shift "
		    "will not change it; ask anyone who worked the cranes "
		    "there in the eighties what they think of it.</p></div>\n",
		    i);
	g_string_append(g, "</section>");
	g_string_append(g, at);
	g_free(text);
	*len = g->len;
	return g_string_free(g, FALSE);
}

/*
 * Pages that give no article: a 404 (its URL carrying a token, which no
 * message may show), a PDF, a server that never answers (timeout 2 s), a
 * redirect to file:, and a huge page (cut at max-size, its article taken
 * from what came).  Each failure is logged once, naming the page
 * (redacted) and why; its item alerts on its teaser all the same; a
 * second pass fetches none of them again.
 */
START_TEST(test_bad_pages)
{
	struct harness		 h;
	struct hostile		*bad;
	struct test_proc	 p;
	GString			*items = g_string_new(NULL);
	char			*sections, *feed, *url, *item, *huge, *log;
	size_t			 len;
	int			 i;
	static const char *const hostile_paths[] = { "/hang", "/tofile" };

	harness_init(&h);
	bad = hostile_start("/nonexistent");
	httpd_route(h.httpd, "/gone.html", 404, "text/html", "<p>Not found",
	    12, NULL);
	httpd_route(h.httpd, "/report.pdf", 200, "application/pdf",
	    "%PDF-1.4 Kovalchuk", 18, NULL);
	huge = huge_page(&len);
	httpd_route(h.httpd, "/huge.html", 200, "text/html", huge, len, NULL);
	free(huge);
	add_teaser(&h, items, "b1", "Briefing one", "/gone.html?token=s3cret");
	add_teaser(&h, items, "b2", "Briefing two", "/report.pdf");
	add_teaser(&h, items, "b3", "Briefing three", "/huge.html");
	for (i = 0; i < 2; i++) {
		url = xasprintf("http://127.0.0.1:%d%s", hostile_port(bad),
		    hostile_paths[i]);
		item = teaser(i == 0 ? "b4" : "b5", i == 0 ? "Briefing four" :
		    "Briefing five", url);
		g_string_append(items, item);
		free(item);
		free(url);
	}
	harness_publish(&h, "/wire.xml", items->str);
	feed = harness_feed_section(&h, "wire", "/wire.xml",
	    "content = full\n");
	sections = xasprintf("%s[topic briefing]\nquery = briefing\n\n"
	    "[topic kovalchuk]\nquery = Kovalchuk\n\n", feed);
	harness_config(&h, "timeout = 2s\nmax-size = 1M\n", sections);
	check_once(&h, &p, 0);
	log = p.err;
	ck_assert_int_eq(alerts_of(&h, "briefing"), 5);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 1);
	ck_assert_ptr_null(strstr(log, "s3cret"));
	ck_assert_msg(lines_with2(log, "/gone.html?token=***: http error: "
	    "http status 404", "matched on the feed's text only") == 1, "%s",
	    log);
	ck_assert_msg(lines_with2(log, "/report.pdf: parse error: not a web "
	    "page (Content-Type application/pdf)", "feed 'wire'") == 1, "%s",
	    log);
	ck_assert_msg(lines_with2(log, "/hang: network error", "timed out") ==
	    1, "%s", log);
	ck_assert_msg(lines_with2(log, "/tofile: network error", "article") ==
	    1, "%s", log);
	ck_assert_msg(lines_with2(log, "/huge.html", "cut at the cap") == 1,
	    "%s", log);
	test_proc_clear(&p);
	/* a second pass: nothing is fetched again */
	check_once(&h, &p, 0);
	ck_assert_ptr_null(strstr(p.err, "article"));
	test_proc_clear(&p);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/gone.html"), 1);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/report.pdf"), 1);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/huge.html"), 1);
	ck_assert_uint_eq(hostile_hits(bad, "/hang"), 1);
	ck_assert_uint_eq(hostile_hits(bad, "/tofile"), 1);
	ck_assert_int_eq(alerts_of(&h, "briefing"), 5);
	hostile_stop(bad);
	free(sections);
	free(feed);
	g_string_free(items, TRUE);
	harness_release(&h);
}
END_TEST

/*
 * content = auto fetches only the thin items: a teaser's article, not
 * that of an item whose feed text is content-min characters or more,
 * nor one without a web link.
 */
START_TEST(test_auto)
{
	struct harness		 h;
	struct test_proc	 p;
	GString			*items = g_string_new(NULL);
	char			*sections, *feed, *url;

	harness_init(&h);
	serve_page(&h, "/thin.html", "port-comments");
	serve_page(&h, "/long.html", "port-comments");
	add_teaser(&h, items, "a1", "Night loading", "/thin.html");
	url = httpd_url(h.httpd, "/long.html");
	g_string_append_printf(items, "<item><title>Night loading, the whole "
	    "story</title><guid>a2</guid><link>%s</link><description>Night "
	    "loading has resumed at the grain terminal after three weeks in "
	    "which dredgers deepened the approach channel and the berths, "
	    "the port authority said on Thursday, ending a restriction that "
	    "had cut the terminal's daily throughput.</description><pubDate>"
	    "Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>", url);
	g_string_append(items, "<item><title>No link</title><guid>a3</guid>"
	    "<link>javascript:alert(1)</link><description>Short."
	    "</description><pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate>"
	    "</item>");
	harness_publish(&h, "/wire.xml", items->str);
	feed = harness_feed_section(&h, "wire", "/wire.xml", "");
	sections = xasprintf("%s[topic kovalchuk]\nquery = Kovalchuk\n\n",
	    feed);
	harness_config(&h, "content = auto\ncontent-min = 200\n", sections);
	check_once(&h, &p, 0);
	test_proc_clear(&p);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/thin.html"), 1);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/long.html"), 0);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 1);
	free(url);
	free(sections);
	free(feed);
	g_string_free(items, TRUE);
	harness_release(&h);
}
END_TEST

/*
 * kill -9 after the poll, while its article is on the way: the next
 * start fetches the article and alerts once; the teaser's alert is not
 * repeated.
 */
START_TEST(test_kill9_resume)
{
	struct harness	 h;
	char		*log;

	harness_init(&h);
	one_story(&h, "/story.html", 5000, "k1", "Grain terminal works at "
	    "night", "[topic grain]\nquery = grain\n\n"
	    "[topic kovalchuk]\nquery = Kovalchuk\n\n");
	harness_run(&h);
	harness_wait_hits(&h, "/story.html", 1);
	ck_assert_int_eq(wait_alerts(&h, "grain", 1, WAIT), 1);
	ck_assert_int_eq(kill(h.pid, SIGKILL), 0);
	ck_assert_int_eq(test_wait(h.pid, WAIT), 128 + SIGKILL);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 0);
	httpd_route_delay(h.httpd, "/story.html", 0);
	harness_run(&h);
	ck_assert_int_eq(wait_alerts(&h, "kovalchuk", 1, WAIT), 1);
	harness_wait_hits(&h, "/wire.xml", 4);
	harness_stop(&h);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 1);
	ck_assert_int_eq(alerts_of(&h, "grain"), 1);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/story.html"), 2);
	log = test_slurp(h.log);
	ck_assert_int_eq(lines_with2(log, "1 article fetches left pending "
	    "resumed", ""), 1);
	free(log);
	harness_release(&h);
}
END_TEST

/* Runs 'sql' on the state of 'h'. */
static void
state_sql(const struct harness *h, const char *sql)
{
	sqlite3	*db;
	char	*err = NULL;

	ck_assert_int_eq(sqlite3_open(h->state, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK,
	    "%s", err);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/*
 * A state of the previous schema (2, before pending articles were kept)
 * opens, is upgraded, and its feeds' new items get their articles.
 */
START_TEST(test_upgrade)
{
	struct harness		 h;
	struct test_proc	 p;
	GString			*items = g_string_new(NULL);
	char			*sections, *feed;

	harness_init(&h);
	serve_page(&h, "/story0.html", "port-comments");
	serve_page(&h, "/story.html", "port-comments");
	add_teaser(&h, items, "u0", "Night loading", "/story0.html");
	harness_publish(&h, "/wire.xml", items->str);
	add_teaser(&h, items, "u1", "Night loading again", "/story.html");
	feed = harness_feed_section(&h, "wire", "/wire.xml",
	    "content = full\n");
	sections = xasprintf("%s[topic kovalchuk]\nquery = Kovalchuk\n\n",
	    feed);
	harness_config(&h, "", sections);
	check_once(&h, &p, 0);
	test_proc_clear(&p);
	state_sql(&h, "DROP TABLE article; PRAGMA user_version = 3;");
	harness_publish(&h, "/wire.xml", items->str);
	check_once(&h, &p, 0);
	ck_assert_msg(strstr(p.err, "upgraded from schema 3 to ") != NULL,
	    "%s", p.err);
	test_proc_clear(&p);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 2);
	free(sections);
	free(feed);
	g_string_free(items, TRUE);
	harness_release(&h);
}
END_TEST

/*
 * `check --dry-run` fetches the articles too, prints what they would
 * alert, and keeps nothing: a second dry run prints it again.
 */
START_TEST(test_dry_run)
{
	struct harness		 h;
	struct test_proc	 p;
	const char		*args[] = { "check", "--dry-run", "-c", NULL,
	    NULL };
	int			 i;

	harness_init(&h);
	one_story(&h, "/story.html", 0, "d1", "Night loading",
	    "[topic kovalchuk]\nquery = Kovalchuk\n\n");
	args[3] = h.conf;
	for (i = 0; i < 2; i++) {
		test_run(&p, args);
		ck_assert_msg(p.status == 0, "%s", p.err);
		ck_assert_int_eq(test_count_lines(p.out, "\"matched_in\":"
		    "[\"body\"]"), 1);
		test_proc_clear(&p);
	}
	ck_assert_uint_eq(httpd_hits(h.httpd, "/story.html"), 2);
	ck_assert_int_eq(alerts_of(&h, "kovalchuk"), 0);
	harness_release(&h);
}
END_TEST

Suite *
fulltext_suite(void)
{
	const TTest	*tests[] = { test_body_only, test_teaser_first,
	    test_per_host_shared, test_bad_pages, test_auto, test_kill9_resume,
	    test_upgrade, test_dry_run, NULL };

	return test_tcase(suite_create("fulltext"), "fulltext", 40, tests);
}
