/*
 * check_e2e.c: the whole path, as a user runs it.
 *
 * A real HTTP server on 127.0.0.1 serves feeds; the feedwatch binary
 * fetches, parses and matches them and prints alerts, which the tests read
 * back as JSON.
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <jansson.h>
#include <unistd.h>

#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

static const char world_rss[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<rss version=\"2.0\"><channel><title>World &amp; Co</title>\n"
    "<link>https://news.example.org/</link>\n"
    "<item><title>Pompeo to Lavrov: US does not recognize annexation of "
    "Crimea</title><link>https://news.example.org/world/pompeo-lavrov"
    "</link>\n"
    "<guid isPermaLink=\"false\">w-1</guid>\n"
    "<pubDate>Tue, 14 May 2019 18:30:00 +0000</pubDate>\n"
    "<description>&lt;p&gt;US Secretary of State Mike Pompeo met Russian "
    "Foreign Minister Sergey &lt;b&gt;Lavrov&lt;/b&gt; in Sochi.&lt;/p&gt;"
    "</description></item>\n"
    "<item><title>Rates steady</title><link>/world/rates</link>"
    "<guid>w-2</guid><description>Central banks held rates.</description>"
    "</item>\n"
    "<item><title>Lavrovsky Ballet opens season</title>"
    "<link>/culture/ballet</link><guid>w-3</guid><description>A name that "
    "contains a watched word is not the word.</description></item>\n"
    "</channel></rss>\n";

static const char europe_atom[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Europe</title>\n"
    "<id>tag:e</id><updated>2019-05-15T09:00:00Z</updated>\n"
    "<entry><title>Ferries to Crimea resume</title><id>tag:e,1</id>\n"
    "<link href=\"https://e.example.org/1\"/>\n"
    "<updated>2019-05-15T08:55:00Z</updated>\n"
    "<summary>Ferries sailed again after the storm.</summary></entry>\n"
    "<entry><title>Alpine tunnel reopens</title><id>tag:e,2</id>\n"
    "<link href=\"https://e.example.org/2\"/>\n"
    "<updated>2019-05-14T16:10:00Z</updated>\n"
    "<summary>Freight trains returned.</summary></entry>\n"
    "</feed>\n";

/*
 * The feeds world and europe, and a config for them whose sinks are
 * 'sinks', config text where @DIR@ stands for the harness's directory.
 */
static void
fixture_start(struct harness *fx, const char *sinks)
{
	char	*world, *europe, *text, **parts, *sinks_text;

	harness_init(fx);
	httpd_route(fx->httpd, "/world.xml", 200, "application/rss+xml",
	    world_rss, sizeof(world_rss) - 1, NULL);
	httpd_route(fx->httpd, "/europe.atom", 200, "application/atom+xml",
	    europe_atom, sizeof(europe_atom) - 1, NULL);
	parts = g_strsplit(sinks, "@DIR@", -1);
	sinks_text = g_strjoinv(fx->dir, parts);
	g_strfreev(parts);
	world = httpd_url(fx->httpd, "/world.xml");
	europe = httpd_url(fx->httpd, "/europe.atom");
	text = xasprintf("[daemon]\nstate = %s\nbackfill = 36500d\n\n"
	    "[feed world]\nurl = %s\n\n[feed europe]\nurl = %s\n"
	    "tags = eu\n\n"
	    "[topic crimea]\nquery = Crimea OR \"Donbas ceasefire\"\n\n"
	    "[topic lavrov]\nquery = Lavrov\n\n%s", fx->state, world, europe,
	    sinks_text);
	fx->conf = test_write(fx->dir, "feedwatch.conf", text);
	g_free(sinks_text);
	free(text);
	free(world);
	free(europe);
}

/* The alert lines of 'out', as a JSON array; fails on a line that is not JSON. */
static json_t *
alerts_of(const char *out)
{
	json_t		*arr = json_array(), *o;
	json_error_t	 jerr;
	const char	*eol;

	for (; *out != '\0'; out = *eol ? eol + 1 : eol) {
		eol = strchrnul(out, '\n');
		if (eol == out)
			continue;
		o = json_loadb(out, eol - out, 0, &jerr);
		ck_assert_msg(o != NULL, "not JSON: %.*s (%s)", (int)(eol - out),
		    out, jerr.text);
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Runs feedwatch with 'args', which must exit 0; the alerts it printed. */
static json_t *
run_alerts(struct test_proc *p, const char *const *args)
{
	test_run(p, args);
	ck_assert_msg(p->status == 0, "exit %d: %s", p->status, p->err);
	return alerts_of(p->out);
}

/* The alert for (topic, feed, item id), or NULL. */
static json_t *
find_alert(json_t *alerts, const char *topic, const char *feed,
    const char *id)
{
	size_t	 i;
	json_t	*a;

	json_array_foreach(alerts, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "topic")),
		    topic) == 0 && strcmp(json_string_value(json_object_get(a,
		    "feed")), feed) == 0 && strcmp(json_string_value(
		    json_object_get(a, "id")), id) == 0)
			return a;
	}
	return NULL;
}

static int
has_word(json_t *a, const char *word)
{
	size_t	 i;
	json_t	*w;

	json_array_foreach(json_object_get(a, "matched"), i, w)
		if (strcmp(json_string_value(w), word) == 0)
			return 1;
	return 0;
}

START_TEST(test_check_alerts_over_http)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*alerts, *a;
	const char		*args[] = { "check", "-c", NULL, NULL };

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	args[2] = fx.conf;
	alerts = run_alerts(&p, args);
	/* Exactly these three: the ballet item must not match Lavrov. */
	ck_assert_msg(json_array_size(alerts) == 3, "alerts: %s", p.out);
	ck_assert_ptr_nonnull(a = find_alert(alerts, "crimea", "world", "w-1"));
	ck_assert(has_word(a, "crimea"));
	ck_assert_str_eq(json_string_value(json_object_get(a, "link")),
	    "https://news.example.org/world/pompeo-lavrov");
	ck_assert_str_eq(json_string_value(json_object_get(a, "published")),
	    "2019-05-14T18:30:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(a, "feed_title")),
	    "World & Co");
	ck_assert_int_eq(strlen(json_string_value(json_object_get(a,
	    "alert_id"))), 32);
	ck_assert_ptr_nonnull(a = find_alert(alerts, "lavrov", "world", "w-1"));
	ck_assert(has_word(a, "lavrov"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(a,
	    "snippet")), "Lavrov"));
	ck_assert_ptr_nonnull(find_alert(alerts, "crimea", "europe",
	    "tag:e,1"));
	ck_assert_int_eq(httpd_hits(fx.httpd, "/world.xml"), 1);
	ck_assert_int_eq(httpd_hits(fx.httpd, "/europe.atom"), 1);
	json_decref(alerts);
	test_proc_clear(&p);
	harness_release(&fx);
}
END_TEST

/* The same item and topic always give the same alert_id. */
START_TEST(test_alert_id_stable)
{
	struct harness		 fx;
	struct test_proc	 p1, p2;
	json_t			*a1, *a2;
	const char		*args[] = { "check", "--dry-run", "-c", NULL,
	    NULL };

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	args[3] = fx.conf;
	test_run(&p1, args);
	test_run(&p2, args);
	a1 = alerts_of(p1.out);
	a2 = alerts_of(p2.out);
	ck_assert_str_eq(json_string_value(json_object_get(find_alert(a1,
	    "lavrov", "world", "w-1"), "alert_id")), json_string_value(
	    json_object_get(find_alert(a2, "lavrov", "world", "w-1"),
	    "alert_id")));
	ck_assert_str_ne(json_string_value(json_object_get(find_alert(a1,
	    "lavrov", "world", "w-1"), "alert_id")), json_string_value(
	    json_object_get(find_alert(a1, "crimea", "world", "w-1"),
	    "alert_id")));
	json_decref(a1);
	json_decref(a2);
	test_proc_clear(&p1);
	test_proc_clear(&p2);
	harness_release(&fx);
}
END_TEST

START_TEST(test_file_sink_and_dry_run)
{
	struct harness		 fx;
	struct test_proc	 p;
	char			*path, *text;
	json_t			*alerts;
	const char		*args[] = { "check", "-c", NULL, NULL, NULL };

	fixture_start(&fx, "[sink log]\ntype = file\npath = @DIR@/alerts.jsonl\n");
	path = xasprintf("%s/alerts.jsonl", fx.dir);

	/* --dry-run prints on stdout and sends nothing. */
	args[2] = fx.conf;
	args[3] = "--dry-run";
	alerts = run_alerts(&p, args);
	ck_assert_int_eq(json_array_size(alerts), 3);
	json_decref(alerts);
	ck_assert(access(path, F_OK) == -1);
	test_proc_clear(&p);

	/* The real pass writes the file; a second pass finds nothing new. */
	args[3] = NULL;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_str_eq(p.out, "");
	test_proc_clear(&p);
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
	text = test_slurp(path);
	alerts = alerts_of(text);
	ck_assert_int_eq(json_array_size(alerts), 3);
	json_decref(alerts);
	free(text);
	free(path);
	harness_release(&fx);
}
END_TEST

/* A failing feed is reported by name and URL; the others still alert. */
START_TEST(test_failing_feed)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*alerts;
	const char		*args[] = { "check", "-c", NULL, NULL };

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	httpd_route(fx.httpd, "/europe.atom", 404, "text/html", "gone", 4,
	    NULL);
	args[2] = fx.conf;
	test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_ptr_nonnull(strstr(p.err, "feed 'europe'"));
	ck_assert_ptr_nonnull(strstr(p.err, "/europe.atom"));
	ck_assert_ptr_nonnull(strstr(p.err, "404"));
	alerts = alerts_of(p.out);
	ck_assert_int_eq(json_array_size(alerts), 2);
	json_decref(alerts);
	test_proc_clear(&p);

	/* status names the failing feed and its reason. */
	{
		const char	*st[] = { "status", "--json", "-c", fx.conf,
		    NULL };
		json_t		*o, *feeds, *f;
		size_t		 i;
		int		 seen = 0;

		test_run(&p, st);
		ck_assert_msg(p.status == 0, "status exit %d: %s", p.status,
		    p.err);
		ck_assert_ptr_nonnull(o = json_loads(p.out, 0, NULL));
		feeds = json_object_get(o, "feeds");
		json_array_foreach(feeds, i, f) {
			const char *name = json_string_value(
			    json_object_get(f, "name"));

			if (strcmp(name, "europe") == 0) {
				ck_assert_int_eq(json_integer_value(
				    json_object_get(f, "http_status")), 404);
				ck_assert_ptr_nonnull(strstr(json_string_value(
				    json_object_get(f, "error")), "404"));
				seen++;
			} else if (strcmp(name, "world") == 0) {
				ck_assert_int_eq(json_integer_value(
				    json_object_get(f, "items")), 3);
				ck_assert(json_is_null(json_object_get(f,
				    "error")));
				seen++;
			}
		}
		ck_assert_int_eq(seen, 2);
		json_decref(o);
		test_proc_clear(&p);
	}
	harness_release(&fx);
}
END_TEST

/* Not a feed at all: a clear error, no alert, exit 1. */
START_TEST(test_not_a_feed)
{
	struct harness		 fx;
	struct test_proc	 p;
	static const char	 page[] = "<html><body><p>Crimea</p></body></html>";
	const char		*args[] = { "check", "-c", NULL, "--feed",
	    "europe", NULL };

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	httpd_route(fx.httpd, "/europe.atom", 200, "text/html", page,
	    sizeof(page) - 1, NULL);
	args[2] = fx.conf;
	test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	ck_assert_ptr_nonnull(strstr(p.err, "feed 'europe'"));
	ck_assert_str_eq(p.out, "");
	/* --feed polls only the named feed. */
	ck_assert_int_eq(httpd_hits(fx.httpd, "/world.xml"), 0);
	test_proc_clear(&p);
	harness_release(&fx);
}
END_TEST

/* A feed URL far longer than an INI line of 200 bytes. */
START_TEST(test_long_feed_url)
{
	struct harness		 fx;
	struct test_proc	 p;
	char			*url, *text, *conf, q[901];
	json_t			*alerts;
	const char		*args[] = { "check", "-c", NULL, NULL };

	fixture_start(&fx, "");
	memset(q, 'x', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	url = xasprintf("http://127.0.0.1:%d/world.xml?q=%s",
	    httpd_port(fx.httpd), q);
	text = xasprintf("[daemon]\nstate = %s/long.db\nbackfill = 36500d\n"
	    "[feed long]\nurl = %s\n[topic lavrov]\n"
	    "query = Lavrov\n[sink out]\ntype = stdout\n", fx.dir, url);
	conf = test_write(fx.dir, "long.conf", text);
	args[2] = conf;
	alerts = run_alerts(&p, args);
	ck_assert_int_eq(json_array_size(alerts), 1);
	json_decref(alerts);
	test_proc_clear(&p);
	free(conf);
	free(text);
	free(url);
	harness_release(&fx);
}
END_TEST

/* The charset of the HTTP Content-Type decodes a body that declares none. */
START_TEST(test_http_charset)
{
	struct harness		 fx;
	struct test_proc	 p;
	/* "Лавров" in windows-1251 */
	static const char	 body[] = "<rss version=\"2.0\"><channel>"
	    "<title>ru</title><item><title>\xcb\xe0\xe2\xf0\xee\xe2 "
	    "\xe2 \xd1\xee\xf7\xe8</title><guid>r1</guid></item>"
	    "</channel></rss>";
	const char		*args[] = { "parse", NULL, NULL };
	char			*url;

	fixture_start(&fx, "");
	httpd_route(fx.httpd, "/ru.xml", 200,
	    "application/rss+xml; charset=windows-1251", body,
	    sizeof(body) - 1, NULL);
	url = httpd_url(fx.httpd, "/ru.xml");
	args[1] = url;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_msg(strstr(p.out, "\"title\":\"\xd0\x9b\xd0\xb0"
	    "\xd0\xb2\xd1\x80\xd0\xbe\xd0\xb2 \xd0\xb2 ") != NULL,
	    "got: %s", p.out);
	test_proc_clear(&p);
	free(url);
	harness_release(&fx);
}
END_TEST

/* `feedwatch match` over a feed file: the demo article's topics. */
START_TEST(test_match_command)
{
	struct test_proc	 p;
	char			*src;
	json_t			*alerts;
	const char		*args[] = { "match", "-q", "Lavrov", "-q",
	    "\"Donbas region\"", NULL, NULL };

	src = xasprintf("%s/examples/feeds/world-news.xml",
	    test_env("FEEDWATCH_SRC"));
	args[5] = src;
	alerts = run_alerts(&p, args);
	/* The article matches both; the ballet and rates items neither. */
	ck_assert_int_eq(json_array_size(alerts), 2);
	json_decref(alerts);
	test_proc_clear(&p);
	free(src);
}
END_TEST

/* The README's demo: the example article alerts for Crimea and Lavrov. */
START_TEST(test_demo_config)
{
	struct test_proc	 p;
	char			*conf, *dir;
	json_t			*alerts, *a;
	size_t			 i;
	int			 crimea = 0, lavrov = 0;
	const char		*args[] = { "check", "-c", NULL, NULL };

	conf = xasprintf("%s/examples/feedwatch.conf",
	    test_env("FEEDWATCH_SRC"));
	args[2] = conf;
	/* As the demo does: state in a fresh directory. */
	dir = test_tmpdir();
	setenv("STATE_DIRECTORY", dir, 1);
	alerts = run_alerts(&p, args);
	json_array_foreach(alerts, i, a) {
		const char *title = json_string_value(json_object_get(a,
		    "title"));

		if (strstr(title, "Pompeo to Lavrov") == NULL)
			continue;
		if (strcmp(json_string_value(json_object_get(a, "topic")),
		    "crimea") == 0)
			crimea++;
		else
			lavrov++;
	}
	ck_assert_int_eq(crimea, 1);
	ck_assert_int_eq(lavrov, 1);
	json_decref(alerts);
	test_proc_clear(&p);
	test_rmtree(dir);
	free(dir);
	free(conf);
}
END_TEST

/* New items alert once; an unchanged feed is asked with its ETag and answers 304. */
START_TEST(test_alerts_once)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*alerts;
	char			*more, *at;
	const char		*args[] = { "check", "-c", NULL, NULL };

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	httpd_route(fx.httpd, "/world.xml", 200, "application/rss+xml",
	    world_rss, sizeof(world_rss) - 1, "\"v1\"");
	args[2] = fx.conf;
	alerts = run_alerts(&p, args);
	ck_assert_int_eq(json_array_size(alerts), 3);
	json_decref(alerts);
	test_proc_clear(&p);

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_str_eq(p.out, "");
	ck_assert_int_eq(httpd_not_modified(fx.httpd, "/world.xml"), 1);
	test_proc_clear(&p);

	/* One new item: exactly one new alert. */
	at = strstr(world_rss, "<item>");
	more = xasprintf("%.*s<item><title>Lavrov to visit Ankara</title>"
	    "<guid>w-4</guid><link>/world/ankara</link></item>%s",
	    (int)(at - world_rss), world_rss, at);
	httpd_route(fx.httpd, "/world.xml", 200, "application/rss+xml", more,
	    strlen(more), "\"v2\"");
	alerts = run_alerts(&p, args);
	ck_assert_msg(json_array_size(alerts) == 1, "alerts: %s", p.out);
	ck_assert_ptr_nonnull(find_alert(alerts, "lavrov", "world", "w-4"));
	json_decref(alerts);
	test_proc_clear(&p);
	free(more);
	harness_release(&fx);
}
END_TEST

/* The same story in two feeds alerts once per topic, naming the other feed. */
START_TEST(test_cross_feed_dedup)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*alerts, *a, *also;
	size_t			 i, n = 0;
	static const char	 copy[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Wire</title>"
	    "<entry><title>Lavrov meets Pompeo</title><id>tag:wire,1</id>"
	    "<link href=\"http://www.news.example.org/world/pompeo-lavrov/"
	    "?utm_source=wire\"/><updated>2019-05-14T19:00:00Z</updated>"
	    "<summary>The ministers met in Sochi.</summary></entry></feed>";

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	httpd_route(fx.httpd, "/europe.atom", 200, "application/atom+xml",
	    copy, sizeof(copy) - 1, NULL);
	{
		const char *args[] = { "check", "-c", fx.conf, NULL };

		alerts = run_alerts(&p, args);
	}
	json_array_foreach(alerts, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "topic")),
		    "lavrov") != 0)
			continue;
		n++;
		also = json_object_get(a, "also_in");
		ck_assert_int_eq(json_array_size(also), 1);
		ck_assert_str_eq(json_string_value(json_array_get(also, 0)),
		    strcmp(json_string_value(json_object_get(a, "feed")),
		    "world") == 0 ? "europe" : "world");
	}
	ck_assert_msg(n == 1, "lavrov alerts: %zu in %s", n, p.out);
	json_decref(alerts);
	test_proc_clear(&p);
	harness_release(&fx);
}
END_TEST

/* A new feed's first poll alerts only within backfill; later items alert. */
START_TEST(test_backfill)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*alerts;
	char			*text, *conf, *url, *more, *at;
	const char		*args[] = { "check", "-c", NULL, NULL };

	fixture_start(&fx, "");
	url = httpd_url(fx.httpd, "/world.xml");
	text = xasprintf("[daemon]\nstate = %s/bf.db\nbackfill = 24h\n"
	    "[feed world]\nurl = %s\n[topic lavrov]\nquery = Lavrov\n"
	    "[sink out]\ntype = stdout\n", fx.dir, url);
	conf = test_write(fx.dir, "bf.conf", text);
	args[2] = conf;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_str_eq(p.out, "");
	test_proc_clear(&p);
	at = strstr(world_rss, "<item>");
	more = xasprintf("%.*s<item><title>Lavrov speaks</title>"
	    "<guid>w-9</guid><pubDate>Mon, 01 Jan 2018 00:00:00 GMT</pubDate>"
	    "</item>%s", (int)(at - world_rss), world_rss, at);
	httpd_route(fx.httpd, "/world.xml", 200, "application/rss+xml", more,
	    strlen(more), NULL);
	alerts = run_alerts(&p, args);
	ck_assert_int_eq(json_array_size(alerts), 1);
	ck_assert_ptr_nonnull(find_alert(alerts, "lavrov", "world", "w-9"));
	json_decref(alerts);
	test_proc_clear(&p);
	free(more);
	free(conf);
	free(text);
	free(url);
	harness_release(&fx);
}
END_TEST

/* OPML: import appends feeds (once), export lists them, [daemon] opml loads them. */
START_TEST(test_opml)
{
	struct test_proc	 p;
	char			*dir, *opml, *conf, *text, *conf2;
	const char		*imp[] = { "opml", "import", NULL, "-c", NULL,
	    NULL };
	const char		*exp[] = { "opml", "export", "-c", NULL, NULL };
	const char		*chk[] = { "config", "check", "-c", NULL, NULL };

	dir = test_tmpdir();
	opml = test_write(dir, "subs.opml", "<?xml version=\"1.0\"?>\n"
	    "<opml version=\"2.0\"><head><title>s</title></head><body>"
	    "<outline text=\"News\"><outline text=\"BBC World\" "
	    "type=\"rss\" xmlUrl=\"https://feeds.example.org/bbc/world.xml?"
	    "edition=int&amp;x=1\"/><outline text=\"Le Monde\" "
	    "xmlUrl=\"https://lemonde.example.org/rss\" "
	    "category=\"/Europe/France\"/></outline>"
	    "<outline text=\"no url\"/></body></opml>\n");
	conf = test_write(dir, "feedwatch.conf", "[feed existing]\n"
	    "url = https://lemonde.example.org/rss\n");
	imp[2] = opml;
	imp[4] = conf;
	test_run(&p, imp);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "added 1 feeds"));
	test_proc_clear(&p);
	text = test_slurp(conf);
	ck_assert_ptr_nonnull(strstr(text, "[feed bbc-world]\n"
	    "url = https://feeds.example.org/bbc/world.xml?edition=int&x=1\n"
	    "tags = News\n"));
	g_free(text);
	/* Again: nothing to add, the config is unchanged. */
	test_run(&p, imp);
	ck_assert_int_eq(p.status, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "there already"));
	test_proc_clear(&p);

	exp[3] = conf;
	test_run(&p, exp);
	ck_assert_int_eq(p.status, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "xmlUrl=\"https://feeds.example."
	    "org/bbc/world.xml?edition=int&amp;x=1\""));
	ck_assert_ptr_nonnull(strstr(p.out, "<opml version=\"2.0\">"));
	test_proc_clear(&p);

	/* [daemon] opml: the file's feeds join the config's. */
	conf2 = test_write(dir, "second.conf", "[daemon]\nopml = subs.opml\n"
	    "[topic t]\nquery = x\nfeeds = tag:France, tag:News\n");
	chk[3] = conf2;
	test_run(&p, chk);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "(2 feeds, 1 topics"));
	test_proc_clear(&p);
	free(conf2);
	free(conf);
	free(opml);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* backtest replays what the store kept, against a topic or a query. */
START_TEST(test_backtest)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*alerts;
	const char		*chk[] = { "check", "-c", NULL, NULL };
	const char		*bt_topic[] = { "backtest", "-c", NULL, "lavrov",
	    NULL };
	const char		*bt_query[] = { "backtest", "-c", NULL, "-q",
	    "Ferries OR Freight", NULL };

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	chk[2] = bt_topic[2] = bt_query[2] = fx.conf;
	test_run(&p, chk);
	ck_assert_int_eq(p.status, 0);
	test_proc_clear(&p);
	alerts = run_alerts(&p, bt_topic);
	ck_assert_int_eq(json_array_size(alerts), 1);
	ck_assert_ptr_nonnull(find_alert(alerts, "lavrov", "world", "w-1"));
	json_decref(alerts);
	test_proc_clear(&p);
	alerts = run_alerts(&p, bt_query);
	ck_assert_int_eq(json_array_size(alerts), 2);
	json_decref(alerts);
	test_proc_clear(&p);
	harness_release(&fx);
}
END_TEST

/*
 * match over item JSON on stdin reads title and summary as the parser
 * reads a feed's, HTML reduced to text: a tag name is not a word, an
 * entity is the letter it stands for.
 */
START_TEST(test_match_stdin_html)
{
	struct test_proc	 p;
	json_t			*alerts, *a;
	char			*dir, *input;
	const char		*args[] = { "match", "-q", "Crimea", "-q", "p",
	    "-q", "café", "-q", "div", "-q", "mdash", NULL };

	dir = test_tmpdir();
	input = test_write(dir, "items.jsonl",
	    "{\"id\":\"h1\",\"feed\":\"wire\",\"title\":\"<b>Crimea</b> bridge "
	    "reopens\",\"summary\":\"<p>Traffic resumed at dawn.</p>\"}\n"
	    "{\"id\":\"h2\",\"feed\":\"wire\",\"title\":\"Caf&eacute; owners "
	    "protest\",\"summary\":\"Prices rose &mdash; again.\"}\n"
	    "{\"id\":\"h3\",\"feed\":\"wire\",\"title\":\"Harbour news\","
	    "\"summary\":\"<div class=\\\"p\\\">Nothing to see</div>\"}\n");
	test_run_input(&p, args, input);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	alerts = alerts_of(p.out);
	ck_assert_msg(json_array_size(alerts) == 2, "alerts: %s", p.out);
	ck_assert_ptr_nonnull(a = find_alert(alerts, "Crimea", "wire", "h1"));
	ck_assert_str_eq(json_string_value(json_object_get(a, "title")),
	    "Crimea bridge reopens");
	ck_assert_ptr_nonnull(a = find_alert(alerts, "café", "wire", "h2"));
	ck_assert_str_eq(json_string_value(json_object_get(a, "title")),
	    "Café owners protest");
	json_decref(alerts);
	test_proc_clear(&p);
	free(input);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * backtest folds the same story as the daemon does (the poll path's
 * story claim): copies in another feed, by link or by headline, give one
 * alert per topic, the daemon's, with the other feed in also_in.
 */
START_TEST(test_backtest_folds_stories)
{
	struct harness		 fx;
	struct test_proc	 p;
	json_t			*sent, *alerts, *a, *also;
	const char		*chk[] = { "check", "-c", NULL, "--feed", NULL,
	    NULL };
	const char		*bt[] = { "backtest", "-c", NULL, "lavrov",
	    NULL };
	const char		*btq[] = { "backtest", "-c", NULL, "-q",
	    "Crimea", NULL };
	static const char	 copies[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Wire</title>"
	    "<entry><title>Lavrov meets Pompeo</title><id>tag:wire,1</id>"
	    "<link href=\"http://www.news.example.org/world/pompeo-lavrov/"
	    "?utm_source=wire\"/><updated>2019-05-14T19:00:00Z</updated>"
	    "</entry><entry><title>Pompeo to Lavrov: US does not recognize "
	    "annexation of Crimea</title><id>tag:wire,2</id><link href=\""
	    "https://wire.example.net/2019/05/14/sochi\"/><updated>2019-05-14"
	    "T19:05:00Z</updated></entry>"
	    "<entry><title>Ferries to Crimea resume</title><id>tag:wire,3"
	    "</id><link href=\"https://wire.example.net/ferries\"/><updated>"
	    "2019-05-15T08:55:00Z</updated></entry></feed>";

	fixture_start(&fx, "[sink out]\ntype = stdout\n");
	httpd_route(fx.httpd, "/europe.atom", 200, "application/atom+xml",
	    copies, sizeof(copies) - 1, NULL);
	chk[2] = bt[2] = btq[2] = fx.conf;
	/* a second apart: the replay's order (first seen) is the daemon's */
	chk[4] = "world";
	sent = run_alerts(&p, chk);
	test_proc_clear(&p);
	g_usleep(1100000);
	chk[4] = "europe";
	json_decref(run_alerts(&p, chk));
	test_proc_clear(&p);

	alerts = run_alerts(&p, bt);
	ck_assert_msg(json_array_size(alerts) == 1, "alerts: %s", p.out);
	a = json_array_get(alerts, 0);
	ck_assert_str_eq(json_string_value(json_object_get(a, "alert_id")),
	    json_string_value(json_object_get(find_alert(sent, "lavrov",
	    "world", "w-1"), "alert_id")));
	also = json_object_get(a, "also_in");
	ck_assert_int_eq(json_array_size(also), 1);
	ck_assert_str_eq(json_string_value(json_array_get(also, 0)), "europe");
	json_decref(alerts);
	test_proc_clear(&p);

	/* a query folds as a topic does; another story alerts on its own */
	alerts = run_alerts(&p, btq);
	ck_assert_msg(json_array_size(alerts) == 2, "alerts: %s", p.out);
	ck_assert_ptr_nonnull(a = find_alert(alerts, "Crimea", "world",
	    "w-1"));
	ck_assert_int_eq(json_array_size(json_object_get(a, "also_in")), 1);
	ck_assert_ptr_nonnull(a = find_alert(alerts, "Crimea", "europe",
	    "tag:wire,3"));
	ck_assert_int_eq(json_array_size(json_object_get(a, "also_in")), 0);
	json_decref(alerts);
	test_proc_clear(&p);
	json_decref(sent);
	harness_release(&fx);
}
END_TEST

/* A feed of 'n' Lavrov stories and a config whose topic has 'policy'. */
static char *
policy_config(struct harness *fx, int n, const char *policy)
{
	GString		*feed = g_string_new("<rss version=\"2.0\"><channel>"
	    "<title>p</title>");
	char		*url, *text, *conf;
	int		 i;

	for (i = 0; i < n; i++)
		g_string_append_printf(feed, "<item><title>Lavrov story %d"
		    "</title><guid>p-%d</guid><link>https://p.example.org/%d"
		    "</link></item>", i, i, i);
	g_string_append(feed, "</channel></rss>");
	httpd_route(fx->httpd, "/p.xml", 200, "application/rss+xml",
	    feed->str, feed->len, NULL);
	url = httpd_url(fx->httpd, "/p.xml");
	/* The exec sink logs one line per message: topics and alert count. */
	text = xasprintf("[daemon]\nstate = %s/p.db\nbackfill = 0\n"
	    "[feed p]\nurl = %s\n[topic lavrov]\nquery = Lavrov\n%s\n"
	    "[topic crimea]\nquery = story\npriority = high\n%s\n"
	    "[sink hook]\ntype = exec\ncommand = /bin/sh -c 'echo "
	    "\"$FEEDWATCH_TOPICS $FEEDWATCH_COUNT\" >> %s/sent'\n", fx->dir,
	    url, policy, policy, fx->dir);
	conf = test_write(fx->dir, "p.conf", text);
	free(text);
	free(url);
	g_string_free(feed, TRUE);
	return conf;
}

static char *
sent_log(struct harness *fx)
{
	char	*path, *text;

	path = xasprintf("%s/sent", fx->dir);
	text = access(path, F_OK) == 0 ? test_slurp(path) : g_strdup("");
	free(path);
	return text;
}

static void
check_pass(const char *conf)
{
	struct test_proc	 p;
	const char		*args[] = { "check", "-c", conf, NULL };

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
}

/*
 * The policy's config (returned) over 'first' stories, read once so that
 * they are old (the first poll of a feed only alerts within backfill),
 * then 'then' stories, read again.
 */
static char *
policy_start(struct harness *fx, int first, int then, const char *policy)
{
	char	*conf;

	harness_init(fx);
	conf = policy_config(fx, first, policy);
	check_pass(conf);
	free(policy_config(fx, then, policy));
	check_pass(conf);
	return conf;
}

/* A pass 'us' microseconds later sends 'line' once: the digest. */
static void
pass_later(struct harness *fx, const char *conf, gulong us, const char *line)
{
	char	*sent;

	g_usleep(us);
	check_pass(conf);
	sent = sent_log(fx);
	ck_assert_msg(test_count_lines(sent, line) == 1, "sent: %s", sent);
	g_free(sent);
}

/* digest: the window's alerts go out as one message when it closes. */
START_TEST(test_policy_digest)
{
	struct harness	 fx;
	char		*conf, *sent;

	conf = policy_start(&fx, 3, 5, "digest = 2s");
	sent = sent_log(&fx);
	/* crimea is priority high: no batching; lavrov waits for its window. */
	ck_assert_int_eq(test_count_lines(sent, "crimea 1"), 2);
	ck_assert_int_eq(test_count_lines(sent, "lavrov"), 0);
	g_free(sent);
	pass_later(&fx, conf, 2200000, "lavrov 2");
	free(conf);
	harness_release(&fx);
}
END_TEST

/*
 * rate: what the cap allows goes out at once, in its item's one message
 * with the other topic's alert; the rest in one digest later.
 */
START_TEST(test_policy_rate)
{
	struct harness	 fx;
	char		*conf, *sent;

	conf = policy_start(&fx, 1, 5, "rate = 1/s");
	sent = sent_log(&fx);
	ck_assert_msg(test_count_lines(sent, "lavrov,crimea 2") == 1,
	    "sent: %s", sent);
	ck_assert_int_eq(test_count_lines(sent, "lavrov"), 1);
	ck_assert_int_eq(test_count_lines(sent, "crimea 1"), 3);
	g_free(sent);
	pass_later(&fx, conf, 1500000, "lavrov 3");
	free(conf);
	harness_release(&fx);
}
END_TEST

/* quiet hours hold normal alerts; priority = high passes through. */
START_TEST(test_policy_quiet)
{
	struct harness	 fx;
	char		*conf, *sent, quiet[64];
	time_t		 now = time(NULL);
	struct tm	 a, b;
	time_t		 t0 = now - 60, t1 = now + 3600;

	localtime_r(&t0, &a);
	localtime_r(&t1, &b);
	snprintf(quiet, sizeof(quiet), "quiet = %02d:%02d-%02d:%02d", a.tm_hour,
	    a.tm_min, b.tm_hour, b.tm_min);
	conf = policy_start(&fx, 1, 3, quiet);
	sent = sent_log(&fx);
	ck_assert_int_eq(test_count_lines(sent, "crimea 1"), 2);
	ck_assert_msg(test_count_lines(sent, "lavrov") == 0, "sent: %s", sent);
	g_free(sent);
	free(conf);
	harness_release(&fx);
}
END_TEST

/* Under systemd (JOURNAL_STREAM set) every log line carries its priority. */
START_TEST(test_journal_priorities)
{
	struct harness		 fx;
	struct test_proc	 p;
	const char		*args[] = { "check", "-v", "-c", NULL, NULL };
	gchar			**lines;
	size_t			 i, n = 0;

	fixture_start(&fx, "[sink out]\ntype = file\npath = @DIR@/a.jsonl\n");
	httpd_route(fx.httpd, "/europe.atom", 503, "text/plain", "busy", 4,
	    NULL);
	setenv("JOURNAL_STREAM", "8:1234", 1);
	args[3] = fx.conf;
	test_run(&p, args);
	ck_assert_int_eq(p.status, 1);
	/* The failed feed is a warning (4); routine progress is debug (7). */
	ck_assert_ptr_nonnull(strstr(p.err, "<4>feed 'europe'"));
	ck_assert_ptr_nonnull(strstr(p.err, "<7>"));
	lines = g_strsplit(p.err, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		if (*lines[i] != '\0') {
			ck_assert_msg(lines[i][0] == '<' && lines[i][2] == '>',
			    "no priority: %s", lines[i]);
			n++;
		}
	ck_assert_uint_gt(n, 1);
	g_strfreev(lines);
	test_proc_clear(&p);
	/* Without it, the default level says nothing per routine poll. */
	unsetenv("JOURNAL_STREAM");
	httpd_route(fx.httpd, "/europe.atom", 200, "application/atom+xml",
	    europe_atom, sizeof(europe_atom) - 1, NULL);
	args[1] = "-q";
	test_run(&p, args);
	ck_assert_int_eq(p.status, 0);
	ck_assert_str_eq(p.err, "");
	test_proc_clear(&p);
	harness_release(&fx);
}
END_TEST

START_TEST(test_usage_errors)
{
	struct test_proc	 p;
	const char		*nocmd[] = { "frobnicate", NULL };
	const char		*badopt[] = { "check", "--bogus", NULL };
	const char		*help[] = { "--help", NULL };
	const char		*version[] = { "--version", NULL };

	test_run(&p, nocmd);
	ck_assert_int_eq(p.status, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "frobnicate"));
	test_proc_clear(&p);
	test_run(&p, badopt);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	test_run(&p, help);
	ck_assert_int_eq(p.status, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "check"));
	test_proc_clear(&p);
	test_run(&p, version);
	ck_assert_int_eq(p.status, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "feedwatch "));
	test_proc_clear(&p);
}
END_TEST

/* The commands `feedwatch --help` lists, in a NULL-terminated array. */
static gchar **
help_commands(void)
{
	struct test_proc	 p;
	const char		*args[] = { "--help", NULL };
	const char		*at, *eol;
	GPtrArray		*v = g_ptr_array_new();

	test_run(&p, args);
	ck_assert_ptr_nonnull(at = strstr(p.out, "\ncommands:\n"));
	for (at += 11; *at == ' '; at = eol + 1) {
		eol = strchrnul(at, '\n');
		at += strspn(at, " ");
		g_ptr_array_add(v, g_strndup(at, strcspn(at, " \n")));
	}
	g_ptr_array_add(v, NULL);
	test_proc_clear(&p);
	ck_assert_uint_gt(v->len, 10);
	return (gchar **)g_ptr_array_free(v, FALSE);
}

/*
 * One option parser: every command takes its options after its operands
 * too, and -v, --verbose, --quiet and -q (a query in match and backtest,
 * where --quiet is quiet) alike.
 */
START_TEST(test_options_anywhere)
{
	struct test_proc	 p;
	gchar			**cmds = help_commands();
	char			*want;
	size_t			 i, j;
	const char		*runs[3][5] = {
		{ NULL, "operand", "--help", NULL },
		{ NULL, "--verbose", "--quiet", "--help", NULL },
		{ NULL, "-v", "-q", "--help", NULL },
	};

	for (i = 0; cmds[i] != NULL; i++) {
		want = xasprintf("usage: feedwatch %s", cmds[i]);
		for (j = 0; j < 3; j++) {
			if (j == 2 && (strcmp(cmds[i], "match") == 0 ||
			    strcmp(cmds[i], "backtest") == 0))
				continue;
			runs[j][0] = cmds[i];
			test_run(&p, runs[j]);
			ck_assert_msg(p.status == 0 && strncmp(p.out, want,
			    strlen(want)) == 0, "feedwatch %s %s %s: exit %d: "
			    "%s%s", cmds[i], runs[j][1], runs[j][2], p.status,
			    p.out, p.err);
			test_proc_clear(&p);
		}
		free(want);
	}
	g_strfreev(cmds);
}
END_TEST

/* `test-sink NAME -c FILE` works as `backtest NAME -c FILE` does. */
START_TEST(test_test_sink_options_after)
{
	struct test_proc	 p;
	char			*dir, *conf, *text, *out;
	const char		*args[] = { "test-sink", "out", "-c", NULL,
	    "-q", NULL };

	dir = test_tmpdir();
	out = xasprintf("%s/out.jsonl", dir);
	text = xasprintf("[sink out]\ntype = file\npath = %s\n", out);
	conf = test_write(dir, "f.conf", text);
	args[3] = conf;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s%s", p.status, p.out, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "sink 'out' (file): delivered"));
	ck_assert_int_eq(test_lines_with(out, "feedwatch-test"), 1);
	test_proc_clear(&p);
	free(conf);
	free(text);
	free(out);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * match: -e QUERY (and -q QUERY, the SPEC's spelling), the exit status of
 * grep (0 matched, 1 nothing matched, 2 an error), a help that shows -q
 * once, as a query.
 */
START_TEST(test_match_exit_status)
{
	static const struct {
		const char	*opt, *query, *src;	/* src NULL: the feed */
		int		 status, alerts;
	} cases[] = {
		{ "-e", "Lavrov", NULL, 0, 1 },
		{ "-q", "Lavrov", NULL, 0, 1 },
		{ "--query", "Lavrov", NULL, 0, 1 },
		{ "-e", "Zanzibar", NULL, 1, 0 },
		{ "-e", "Lavrov", "/nonexistent/feed.xml", 2, 0 },
		{ "-e", "Lavrov", "tests/data", 2, 0 },
	};
	const char		*help[] = { "match", "--help", NULL };
	const char		*args[] = { "match", NULL, NULL, NULL,
	    "--quiet", NULL };
	struct test_proc	 p;
	char			*feed, *src;
	size_t			 i;

	feed = xasprintf("%s/examples/feeds/world-news.xml",
	    test_env("FEEDWATCH_SRC"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		src = cases[i].src == NULL ? xstrdup(feed) :
		    cases[i].src[0] == '/' ? xstrdup(cases[i].src) :
		    xasprintf("%s/%s", test_env("FEEDWATCH_SRC"), cases[i].src);
		args[1] = cases[i].opt;
		args[2] = cases[i].query;
		args[3] = src;
		test_run(&p, args);
		ck_assert_msg(p.status == cases[i].status, "case %zu: exit %d, "
		    "want %d: %s", i, p.status, cases[i].status, p.err);
		ck_assert_int_eq(test_count_lines(p.out, "\"alert_id\""),
		    cases[i].alerts);
		test_proc_clear(&p);
		free(src);
	}
	test_run(&p, help);
	ck_assert_int_eq(p.status, 0);
	ck_assert_msg(strstr(p.out, "-e, --query QUERY") != NULL &&
	    strstr(p.out, "--quiet") != NULL && strstr(p.out, "-v|-q") ==
	    NULL && strstr(p.out, "-v, -q") == NULL, "%s", p.out);
	test_proc_clear(&p);
	free(feed);
}
END_TEST

/*
 * check says which alerts it leaves pending, and exits 1, also on the
 * next pass, before their retry is due: nothing is sent then, yet they
 * are not delivered.
 */
START_TEST(test_check_pending)
{
	struct harness		 fx;
	struct test_proc	 p;
	const char		*args[] = { "check", "-c", NULL, NULL };
	int			 pass;

	fixture_start(&fx, "[sink hook]\ntype = exec\ncommand = /bin/sh -c "
	    "'echo busy; exit 75'\n");
	args[2] = fx.conf;
	for (pass = 0; pass < 2; pass++) {
		test_run(&p, args);
		ck_assert_msg(p.status == 1, "pass %d: exit %d: %s", pass,
		    p.status, p.err);
		ck_assert_msg(strstr(p.err, "feedwatch: 3 alerts are still "
		    "pending for sink 'hook': last error: ") != NULL &&
		    strstr(p.err, "busy") != NULL, "pass %d: %s", pass, p.err);
		test_proc_clear(&p);
	}
	harness_release(&fx);
}
END_TEST

Suite *
e2e_suite(void)
{
	const TTest	*tests[] = { test_check_alerts_over_http,
	    test_alert_id_stable, test_file_sink_and_dry_run,
	    test_failing_feed, test_not_a_feed, test_long_feed_url,
	    test_http_charset, test_match_command, test_demo_config,
	    test_usage_errors, test_journal_priorities, test_alerts_once,
	    test_cross_feed_dedup, test_backfill, test_opml, test_backtest,
	    test_match_stdin_html, test_backtest_folds_stories,
	    test_policy_digest, test_policy_rate, test_policy_quiet,
	    test_options_anywhere, test_test_sink_options_after,
	    test_match_exit_status, test_check_pending, NULL };

	return test_tcase(suite_create("e2e"), "e2e", 60, tests);
}
