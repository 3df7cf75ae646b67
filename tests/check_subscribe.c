/*
 * check_subscribe.c: `feedwatch add`, `feedwatch remove` and `opml
 * export` as a user coming from another reader meets them.
 *
 * add runs against a real HTTP server on 127.0.0.1 serving pages written
 * like real ones (tests/data/pages/): a WordPress head with several
 * alternates, a home page with only <a> links to feeds, relative hrefs
 * under a <base>, a redirect, a page with no feed, a feed itself, and a
 * page whose links reach for other schemes, the config's lines and the
 * terminal.  remove takes one section out and leaves every other byte.
 * export gives titles, htmlUrl and nested folders, which our import,
 * newsboat's and miniflux's rules (its reader/opml: an outline's title,
 * else its text; htmlUrl; the innermost folder's title as category) read
 * back as the same feeds and tags.
 */
#include "suites.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gprintf.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <sqlite3.h>

#include "confwrite.h"
#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

/* Runs `feedwatch CMD ARGS... -c CONF`; the arguments end with NULL. */
static void
fw(struct test_proc *p, const char *conf, const char *cmd, ...)
{
	const char	*args[16];
	va_list		 ap;
	size_t		 n = 0;

	args[n++] = cmd;
	va_start(ap, cmd);
	while ((args[n] = va_arg(ap, const char *)) != NULL)
		ck_assert_uint_lt(++n, 13);
	va_end(ap);
	args[n++] = "-c";
	args[n++] = conf;
	args[n] = NULL;
	test_run(p, args);
}

/* 's' with every 'from' replaced by 'to' (g_free). */
static char *
replace(const char *s, const char *from, const char *to)
{
	gchar	**parts, *r;

	parts = g_strsplit(s, from, -1);
	r = g_strjoinv(to, parts);
	g_strfreev(parts);
	return r;
}

/*
 * Serves tests/data/pages/NAME at 'path', its @ORIGIN@ and @HOSTPORT@
 * made this server's.
 */
static void
serve_page(struct harness *h, const char *path, const char *name,
    const char *content_type)
{
	char	*file, *raw, *origin, *hostport, *a, *b;

	file = xasprintf("%s/tests/data/pages/%s", test_env("FEEDWATCH_SRC"),
	    name);
	raw = test_slurp(file);
	origin = httpd_url(h->httpd, "");
	hostport = xasprintf("127.0.0.1:%d", httpd_port(h->httpd));
	a = replace(raw, "@ORIGIN@", origin);
	b = replace(a, "@HOSTPORT@", hostport);
	httpd_route(h->httpd, path, 200, content_type, b, strlen(b), NULL);
	g_free(b);
	g_free(a);
	free(hostport);
	free(origin);
	g_free(raw);
	free(file);
}

static void
serve(struct harness *h, const char *path, const char *type,
    const char *body)
{
	httpd_route(h->httpd, path, 200, type, body, strlen(body), NULL);
}

enum kind {
	RSS,
	ATOM,
	JSONFEED
};

/* A feed titled 'title' whose site is 'link', with one item. */
static void
serve_feed(struct harness *h, enum kind kind, const char *path,
    const char *title, const char *link)
{
	const char	*type = "application/rss+xml; charset=UTF-8";
	char		*body;

	if (kind == RSS)
		body = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<rss version=\"2.0\"><channel><title>%s</title>"
		    "<link>%s</link><description>News</description><item>"
		    "<title>Ferry crossing resumes</title><guid "
		    "isPermaLink=\"false\">%s-1</guid><pubDate>Fri, 27 Nov "
		    "2026 09:00:00 GMT</pubDate></item></channel></rss>\n",
		    title, link, path);
	else if (kind == ATOM) {
		type = "application/atom+xml";
		body = xasprintf("<?xml version=\"1.0\"?>\n<feed xmlns=\""
		    "http://www.w3.org/2005/Atom\"><title>%s</title><link "
		    "rel=\"self\" href=\"%s.self\"/><link rel=\"alternate\" "
		    "type=\"text/html\" href=\"%s\"/><id>urn:x:%s</id>"
		    "<updated>2026-11-27T09:00:00Z</updated><entry><title>"
		    "Lavrov speaks</title><id>urn:x:%s:1</id><updated>"
		    "2026-11-27T09:00:00Z</updated></entry></feed>\n", title,
		    link, link, path, path);
	} else {
		type = "application/feed+json";
		body = xasprintf("{\"version\": \"https://jsonfeed.org/"
		    "version/1.1\", \"title\": \"%s\", \"home_page_url\": "
		    "\"%s\", \"items\": [{\"id\": \"1\", \"content_text\": "
		    "\"Kerch ferry\"}]}", title, link);
	}
	serve(h, path, type, body);
	free(body);
}

/* 'text' holds the line(s) of 'fmt'. */
static void
assert_has(const char *text, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
assert_has(const char *text, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	ck_assert_int_ge(g_vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	ck_assert_msg(strstr(text, s) != NULL, "'%s' not in '%s'", s, text);
	g_free(s);
}

/* The config, which must load. */
static void
config_ok(const char *conf)
{
	struct test_proc	 p;
	const char		*args[] = { "config", "check", "-c", conf,
	    NULL };

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "config check: %d: %s", p.status, p.err);
	test_proc_clear(&p);
}

/* The config's text is 'want'. */
static void
config_is(const char *conf, const char *want)
{
	char	*text;

	text = test_slurp(conf);
	ck_assert_str_eq(text, want);
	g_free(text);
}

/* A config for add: the harness's, with a user agent to recognise. */
static char *
add_config(struct harness *h)
{
	harness_config(h, "user-agent = feedwatch-test/1 (add)\n", "");
	return test_slurp(h->conf);
}

/*
 * A WordPress site: its feed, then the one picked with tags, then all
 * (two there already, one not a feed), then the site again.  Only what
 * is added is fetched, with the config's user agent.
 */
START_TEST(test_add_wordpress)
{
	struct harness		 h;
	struct test_proc	 p;
	char			*site, *feed, *comments, *before, *want, *line;
	char			*text;

	harness_init(&h);
	before = add_config(&h);
	site = httpd_url(h.httpd, "/");
	feed = httpd_url(h.httpd, "/feed/");
	comments = httpd_url(h.httpd, "/comments/feed/");
	serve_page(&h, "/", "wordpress.html", "text/html; charset=UTF-8");
	serve_feed(&h, RSS, "/feed/", "Kyiv Dispatch", site);
	serve_feed(&h, RSS, "/comments/feed/", "Comments for Kyiv Dispatch",
	    site);
	serve(&h, "/wp-json/wp/v2/pages/2", "application/json",
	    "{\"id\":2,\"title\":{\"rendered\":\"Home\"}}");
	httpd_record(h.httpd, "/", "User-Agent");
	httpd_record(h.httpd, "/feed/", "User-Agent");

	fw(&p, h.conf, "add", site, NULL);
	ck_assert_msg(p.status == 0, "add: %d: %s", p.status, p.err);
	line = xasprintf("%s is a web page that links to 3 feeds:\n"
	    "  1. RSS       Kyiv Dispatch » Feed  %s\n"
	    "  2. RSS       Kyiv Dispatch » Comments Feed  %s\n"
	    "  3. JSON      %swp-json/wp/v2/pages/2\n"
	    "%s: added [feed kyiv-dispatch] %s\n", site, feed, comments,
	    site, h.conf, feed);
	ck_assert_str_eq(p.out, line);
	free(line);
	test_proc_clear(&p);
	want = xasprintf("%s\n# added from %s\n\n[feed kyiv-dispatch]\n"
	    "url = %s\n", before, site, feed);
	config_is(h.conf, want);
	config_ok(h.conf);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/comments/feed/"), 0);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/wp-json/wp/v2/pages/2"), 0);
	text = httpd_log(h.httpd, "/");
	ck_assert_str_eq(text, "200 feedwatch-test/1 (add)\n");
	free(text);
	text = httpd_log(h.httpd, "/feed/");
	ck_assert_str_eq(text, "200 feedwatch-test/1 (add)\n");
	free(text);

	fw(&p, h.conf, "add", "--tags", "news, Ukraine", site, "--pick", "2",
	    NULL);
	ck_assert_msg(p.status == 0, "add --pick 2: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	line = xasprintf("%s\n# added from %s\n\n"
	    "[feed comments-for-kyiv-dispatch]\nurl = %s\n"
	    "tags = news, Ukraine\n", want, site, comments);
	free(want);
	want = line;
	config_is(h.conf, want);

	/* Two there already, one that is not a feed: said, and exit 1. */
	fw(&p, h.conf, "add", "--all", site, NULL);
	ck_assert_msg(p.status == 1, "add --all: %d: %s", p.status, p.err);
	ck_assert_int_eq(test_count_lines(p.out, "already"), 2);
	ck_assert_msg(strstr(p.err, "link 3, '") != NULL &&
	    strstr(p.err, "parse error: not a feed: JSON without a JSON Feed "
	    "version and items; not added") != NULL, "%s", p.err);
	test_proc_clear(&p);
	config_is(h.conf, want);

	fw(&p, h.conf, "add", site, NULL);
	ck_assert_msg(p.status == 0, "add again: %d: %s", p.status, p.err);
	line = xasprintf("%s: feed 'kyiv-dispatch' has %s already\n", h.conf,
	    feed);
	ck_assert_ptr_nonnull(strstr(p.out, line));
	free(line);
	test_proc_clear(&p);
	fw(&p, h.conf, "add", "--pick", "4", site, NULL);
	ck_assert_int_eq(p.status, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--pick 4: '"));
	test_proc_clear(&p);
	config_is(h.conf, want);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/feed/"), 1);

	free(want);
	free(before);
	free(comments);
	free(feed);
	free(site);
	harness_release(&h);
}
END_TEST

/*
 * A home page that announces no feed but links to some: the guesses,
 * said to be guesses, tried in order until one is a feed (a dead one is
 * passed over); --all adds every one that is a feed.
 */
START_TEST(test_add_guesses)
{
	struct harness		 h;
	struct test_proc	 p;
	char			*root, *page, *rss, *atom, *text, *want;

	harness_init(&h);
	free(add_config(&h));
	root = httpd_url(h.httpd, "/");
	page = httpd_url(h.httpd, "/home/");
	rss = httpd_url(h.httpd, "/notes/rss.xml");
	atom = httpd_url(h.httpd, "/home/atom/");
	serve_page(&h, "/home/", "links-only.html", "text/html");
	serve_feed(&h, RSS, "/notes/rss.xml", "Bodo's notes", page);
	serve_feed(&h, ATOM, "/home/atom/", "Bodo's notes (Atom)", page);

	fw(&p, h.conf, "add", page, NULL);
	ck_assert_msg(p.status == 0, "add: %d: %s", p.status, p.err);
	want = xasprintf("%s is a web page that announces no feed; these "
	    "links look like feeds (guesses):\n"
	    "  1. guess     the old news feed  %sold/news.rss\n"
	    "  2. guess     Notes, as RSS  %s\n"
	    "  3. guess     the notes, in Atom  %s\n"
	    "  4. guess     Sitemap  %ssitemap.xml?x=1#top\n"
	    "%s: added [feed bodo-s-notes] %s\n", page, root, rss, atom,
	    root, h.conf, rss);
	ck_assert_str_eq(p.out, want);
	free(want);
	ck_assert_msg(strstr(p.err, "link 1, '") != NULL &&
	    strstr(p.err, "http status 404; not added") != NULL, "%s", p.err);
	test_proc_clear(&p);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/home/atom/"), 0);

	fw(&p, h.conf, "add", "--all", page, NULL);
	ck_assert_msg(p.status == 1, "add --all: %d: %s", p.status, p.err);
	ck_assert_int_eq(test_count_lines(p.err, "not added"), 2);
	test_proc_clear(&p);
	text = test_slurp(h.conf);
	assert_has(text, "\n[feed bodo-s-notes-atom]\nurl = %s\n", atom);
	ck_assert_int_eq(test_count_lines(text, "[feed "), 2);
	g_free(text);
	config_ok(h.conf);

	free(atom);
	free(rss);
	free(page);
	free(root);
	harness_release(&h);
}
END_TEST

/*
 * Relative hrefs: against the page's <base> (even links above it),
 * against the URL a redirect ended at, a scheme-relative one; white
 * space around an href and the case of rel and type do not matter.
 * A feed that moved for good is added where it went; a feed given
 * itself is added as it is, once fetched, named as asked.
 */
START_TEST(test_add_relative)
{
	struct harness		 h;
	struct test_proc	 p;
	char			*page, *text;
	size_t			 i;
	static const char *const planet[] = { "/planet/2026/atom.xml",
	    "/planet/feed.json", "/planet/rss20.xml" };

	harness_init(&h);
	free(add_config(&h));
	serve_page(&h, "/p/index.html", "base.html", "text/html");
	serve_feed(&h, ATOM, "/planet/2026/atom.xml", "Planet Example",
	    "/planet/");
	serve_feed(&h, JSONFEED, "/planet/feed.json", "Planet Example (JSON)",
	    "https://planet.example.org/");
	serve_feed(&h, RSS, "/planet/rss20.xml", "Planet Example RSS",
	    "https://planet.example.org/");
	page = httpd_url(h.httpd, "/p/index.html");
	fw(&p, h.conf, "add", "--all", page, NULL);
	ck_assert_msg(p.status == 0, "add --all: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	free(page);
	text = test_slurp(h.conf);
	for (i = 0; i < 3; i++)
		assert_has(text, "url = http://127.0.0.1:%d%s\n",
		    httpd_port(h.httpd), planet[i]);
	g_free(text);

	/* A redirect: relative links resolve where it ended. */
	serve_page(&h, "/station/2026/index.html", "relative.html",
	    "text/html");
	httpd_route(h.httpd, "/radio", 302, "text/html", "", 0, NULL);
	httpd_route_header(h.httpd, "/radio", "Location",
	    "/station/2026/index.html");
	serve_feed(&h, RSS, "/station/2026/news.rss", "Station news",
	    "https://station.example.org/");
	page = httpd_url(h.httpd, "/radio");
	fw(&p, h.conf, "add", "--name", "radio", page, NULL);
	ck_assert_msg(p.status == 0, "add: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	free(page);

	/* A feed that moved for good, and one given as it is. */
	httpd_route(h.httpd, "/moved.xml", 301, "text/html", "", 0, NULL);
	httpd_route_header(h.httpd, "/moved.xml", "Location",
	    "/feeds/moved.xml");
	serve_feed(&h, RSS, "/feeds/moved.xml", "Moved News", "/");
	page = httpd_url(h.httpd, "/moved.xml");
	fw(&p, h.conf, "add", page, NULL);
	ck_assert_msg(p.status == 0, "add: %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "moved permanently to "));
	test_proc_clear(&p);
	free(page);
	serve_feed(&h, ATOM, "/lavrov.atom", "Lavrov watch", "/");
	page = httpd_url(h.httpd, "/lavrov.atom");
	fw(&p, h.conf, "add", page, "--tags", "russia,diplomacy", NULL);
	ck_assert_msg(p.status == 0, "add: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	ck_assert_uint_eq(httpd_hits(h.httpd, "/lavrov.atom"), 1);

	text = test_slurp(h.conf);
	assert_has(text, "[feed radio]\nurl = http://127.0.0.1:%d/station/"
	    "2026/news.rss\n", httpd_port(h.httpd));
	assert_has(text, "[feed moved-news]\nurl = http://127.0.0.1:%d/feeds/"
	    "moved.xml\n", httpd_port(h.httpd));
	assert_has(text, "[feed lavrov-watch]\nurl = %s\ntags = russia, "
	    "diplomacy\n", page);
	g_free(text);
	config_ok(h.conf);
	free(page);
	harness_release(&h);
}
END_TEST

/*
 * What cannot be added says why, names the URL (its password starred)
 * and leaves the config as it was: a page with no feed, a 404, a closed
 * port, a URL that is not http(s), a name or tags the config cannot take.
 */
START_TEST(test_add_errors)
{
	struct harness		 h;
	struct test_proc	 p;
	char			*before, *url, *closed;

	harness_init(&h);
	harness_config(&h, "", "[feed taken]\nurl = https://t.example.org/\n");
	before = test_slurp(h.conf);
	serve_page(&h, "/none.html", "none.html", "text/html");
	url = httpd_url(h.httpd, "/none.html");
	fw(&p, h.conf, "add", url, NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "none.html' is not a feed (not a feed: an "
	    "HTML page) and links to none: no <link rel=\"alternate\"> to "
	    "RSS, Atom or JSON Feed") != NULL, "%s", p.err);
	ck_assert_str_eq(p.out, "");
	test_proc_clear(&p);
	free(url);

	url = xasprintf("http://bob:s3cret@127.0.0.1:%d/missing.xml",
	    httpd_port(h.httpd));
	fw(&p, h.conf, "add", url, NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "'http://***@127.0.0.1:") != NULL &&
	    strstr(p.err, "/missing.xml': http error: http status 404; check "
	    "the address") != NULL, "%s", p.err);
	ck_assert_ptr_null(strstr(p.err, "s3cret"));
	test_proc_clear(&p);
	free(url);

	closed = xasprintf("http://127.0.0.1:%d/feed", test_free_port());
	fw(&p, h.conf, "add", closed, NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_ptr_nonnull(strstr(p.err, "network error"));
	test_proc_clear(&p);

	fw(&p, h.conf, "add", "file:///etc/passwd", NULL);
	ck_assert_int_eq(p.status, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "is not an http or https URL"));
	test_proc_clear(&p);
	fw(&p, h.conf, "add", "--name", "taken", closed, NULL);
	ck_assert_int_eq(p.status, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--name taken: "));
	test_proc_clear(&p);
	fw(&p, h.conf, "add", "--name", "a]\n[sink x", closed, NULL);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	fw(&p, h.conf, "add", "--tags", "ok, bad\ttag", closed, NULL);
	ck_assert_int_eq(p.status, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "tag 2"));
	test_proc_clear(&p);
	fw(&p, h.conf, "add", "--pick", "1", "--all", closed, NULL);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	fw(&p, h.conf, "add", "--pick", "0", closed, NULL);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	config_is(h.conf, before);

	free(closed);
	free(before);
	harness_release(&h);
}
END_TEST

/*
 * A page whose links are a script, a local file, data, another scheme
 * and the config's own lines, and whose feed's title would drive the
 * terminal: none of them is fetched or written, each is named, and
 * nothing reaches the terminal but text.
 */
START_TEST(test_add_refuses)
{
	struct harness		 h;
	struct test_proc	 p;
	char			*page, *text;

	harness_init(&h);
	free(add_config(&h));
	serve_page(&h, "/", "evil.html", "text/html");
	serve_feed(&h, RSS, "/real.xml", "Real feed",
	    "https://real.example.org/");
	page = httpd_url(h.httpd, "/");
	fw(&p, h.conf, "add", page, NULL);
	ck_assert_msg(p.status == 0, "add: %d: %s", p.status, p.err);
	ck_assert_int_eq(test_count_lines(p.err, "is not an http or https "
	    "URL; skipped"), 4);
	ck_assert_ptr_nonnull(strstr(p.err, "link 'javascript:fetch("));
	ck_assert_ptr_nonnull(strstr(p.err, "link 'file:///etc/passwd'"));
	ck_assert_ptr_nonnull(strstr(p.err, "link 'data:application/atom"));
	ck_assert_ptr_nonnull(strstr(p.err, "link 'ftp://ftp.example.org/"));
	ck_assert_msg(strchr(p.out, '\033') == NULL &&
	    strchr(p.out, '\a') == NULL, "%s", p.out);
	ck_assert_ptr_nonnull(strstr(p.out, "[2J]0;pwnedReal feed  "));
	test_proc_clear(&p);
	text = test_slurp(h.conf);
	assert_has(text, "url = %sreal.xml\n", page);
	ck_assert_ptr_null(strstr(text, "[sink x"));
	ck_assert_ptr_null(strstr(text, "type = exec"));
	ck_assert_int_eq(test_count_lines(text, "[feed "), 1);
	g_free(text);
	config_ok(h.conf);
	free(page);
	harness_release(&h);
}
END_TEST

/* The config writer's cut, line by line. */
START_TEST(test_text_without)
{
	static const struct {
		const char	*text;
		const char	*section;
		const char	*want;
		int		 from, to;
	} cases[] = {
		/* the comment above and the keys commented out below */
		{ "[daemon]\nx = 1\n\n# about a\n[feed a]\nurl = u\n"
		  "# tags = t\n\n# about b\n[feed b]\nurl = v\n", "feed a",
		  "[daemon]\nx = 1\n\n# about b\n[feed b]\nurl = v\n", 4, 8 },
		/* a comment set apart speaks of more than the section */
		{ "# imported\n\n[feed a]\nurl = u\n\n# imported\n\n"
		  "[feed b]\nurl = v\n", "feed a",
		  "# imported\n\n# imported\n\n[feed b]\nurl = v\n", 3, 5 },
		/* the last: the blank lines above it go too */
		{ "[feed a]\nurl = u\n\n\n[feed b]\n  url = v  \n# end",
		  "feed b", "[feed a]\nurl = u\n", 3, 7 },
		/* spaces around the header, CRLF, no key */
		{ "[feed a]\r\n\r\n  [feed b]  \r\n\r\n[topic t]\r\nq = x\r\n",
		  "feed b", "[feed a]\r\n\r\n[topic t]\r\nq = x\r\n", 3, 4 },
		/* only the section named */
		{ "[feed ab]\nurl = u\n[feed a]\nurl = v\n", "feed a",
		  "[feed ab]\nurl = u\n", 3, 4 },
	};
	char	*r;
	size_t	 i;
	int	 from, to;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = config_text_without(cases[i].text, cases[i].section, &from,
		    &to);
		ck_assert_msg(r != NULL, "case %zu", i);
		ck_assert_msg(strcmp(r, cases[i].want) == 0, "case %zu: '%s'",
		    i, r);
		ck_assert_msg(from == cases[i].from && to == cases[i].to,
		    "case %zu: lines %d-%d", i, from, to);
		free(r);
	}
	ck_assert_ptr_null(config_text_without("[feed a]\n# [feed b]\n",
	    "feed b", &from, &to));
}
END_TEST

/*
 * remove: a section the topics need stays, naming the topic's line; one
 * they do not goes with its comments, every other byte and the file's
 * mode kept; a feed of [daemon] opml is sent to its file.
 */
START_TEST(test_remove)
{
	static const char head[] = "# feedwatch\n[daemon]\nstate = %s\n\n";
	static const char bbc[] = "# World news, by region\n[feed bbc]\n"
	    "url = https://bbc.example.org/rss\ntags = news\n"
	    "# interval = 5m\n\n";
	static const char lwn[] = "# imported from subs.opml\n\n[feed lwn]\n"
	    "url = https://lwn.example.org/rss\ntags = news, linux\n\n";
	static const char slow[] = "# this one is slow\n[feed slow]\n"
	    "url = https://slow.example.org/rss\n";
	static const char topics[] = "[topic linux]\nquery = kernel\n"
	    "feeds = tag:linux\n\n[topic world]\nquery = Crimea\n"
	    "feeds = %s\n";
	struct test_proc	 p;
	struct stat		 sb;
	char			*dir, *conf, *text, *want, *h, *t;

	dir = test_tmpdir();
	h = xasprintf(head, "state.db");
	t = xasprintf(topics, "bbc, tag:news");
	text = xasprintf("%s%s%s%s%s", h, bbc, lwn, slow, t);
	conf = test_write(dir, "feedwatch.conf", text);

	fw(&p, conf, "remove", "lwn", NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "feedwatch.conf:20: topic 'linux' takes "
	    "its feeds from 'tag:linux', a tag only feed 'lwn' has") != NULL,
	    "%s", p.err);
	test_proc_clear(&p);
	fw(&p, conf, "remove", "bbc", NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "feedwatch.conf:24: topic 'world' names "
	    "feed 'bbc' in its feeds") != NULL, "%s", p.err);
	test_proc_clear(&p);
	config_is(conf, text);
	fw(&p, conf, "remove", "nosuch", NULL);
	ck_assert_int_eq(p.status, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "no feed 'nosuch' in "));
	test_proc_clear(&p);

	fw(&p, conf, "remove", "slow", NULL);
	ck_assert_msg(p.status == 0, "remove: %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "removed [feed slow] (lines "
	    "17-19)"));
	test_proc_clear(&p);
	want = xasprintf("%s%s%s%s", h, bbc, lwn, t);
	config_is(conf, want);
	free(want);
	config_ok(conf);

	/* The topic takes the news tag only: bbc may go. */
	free(t);
	t = xasprintf(topics, "tag:news");
	free(text);
	text = xasprintf("%s%s%s%s", h, bbc, lwn, t);
	g_free(test_write(dir, "feedwatch.conf", text));
	ck_assert_int_eq(chmod(conf, 0640), 0);
	fw(&p, conf, "remove", "bbc", NULL);
	ck_assert_msg(p.status == 0, "remove: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	want = xasprintf("%s%s%s", h, lwn, t);
	config_is(conf, want);
	free(want);
	ck_assert_int_eq(stat(conf, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0640);
	config_ok(conf);

	/* A feed of [daemon] opml is not the config's to remove. */
	free(test_write(dir, "subs.opml", "<?xml version=\"1.0\"?><opml "
	    "version=\"2.0\"><body><outline text=\"Far\" "
	    "xmlUrl=\"https://far.example.org/\"/></body></opml>"));
	free(text);
	text = xasprintf("[daemon]\nopml = subs.opml\nstate = state.db\n");
	g_free(test_write(dir, "feedwatch.conf", text));
	fw(&p, conf, "remove", "far", NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.err, "feed 'far' comes from the OPML file of ")
	    != NULL && strstr(p.err, "feedwatch.conf:2 ([daemon] opml)") !=
	    NULL, "%s", p.err);
	test_proc_clear(&p);
	config_is(conf, text);

	free(text);
	free(t);
	free(h);
	free(conf);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* The string an XPath expression gives on 'doc' (xmlFree), or NULL. */
static char *
xpath(xmlDoc *doc, const char *fmt, ...)
{
	xmlXPathContext	*ctx;
	xmlXPathObject	*o;
	va_list		 ap;
	char		*expr;
	xmlChar		*s = NULL;

	va_start(ap, fmt);
	ck_assert_int_ge(g_vasprintf(&expr, fmt, ap), 0);
	va_end(ap);
	ck_assert_ptr_nonnull(ctx = xmlXPathNewContext(doc));
	ck_assert_ptr_nonnull(o = xmlXPathEvalExpression(BAD_CAST expr, ctx));
	if (o->type != XPATH_NODESET ||
	    (o->nodesetval != NULL && o->nodesetval->nodeNr > 0))
		s = xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	g_free(expr);
	return (char *)s;
}

/* The outline of 'url' has 'attr' = 'want' (NULL: it has none). */
static void
outline_has(xmlDoc *doc, const char *url, const char *attr, const char *want)
{
	char	*got;

	got = xpath(doc, "//outline[@xmlUrl='%s']/@%s", url, attr);
	if (want == NULL)
		ck_assert_msg(got == NULL, "%s of %s: %s", attr, url, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
		    "%s of %s: %s, not %s", attr, url, got ? got : "none",
		    want);
	xmlFree(got);
}

/*
 * Three feeds polled (RSS, Atom, JSON Feed) and one never reached, in
 * nested folders, one folder and none: the export, as our import and
 * miniflux's rules read it.
 */
struct export_rig {
	struct harness	 h;
	char		*bbc, *lwn, *df, *dead;
};

static void
export_rig(struct export_rig *r)
{
	struct test_proc	 p;
	char			*sections;

	harness_init(&r->h);
	serve_feed(&r->h, RSS, "/bbc.xml", "BBC News - World",
	    "https://www.bbc.example/news/world");
	serve_feed(&r->h, ATOM, "/lwn.atom", "LWN.net",
	    "https://lwn.example.net/");
	serve_feed(&r->h, JSONFEED, "/df.json", "Daring Fireball",
	    "https://df.example/");
	r->bbc = httpd_url(r->h.httpd, "/bbc.xml");
	r->lwn = httpd_url(r->h.httpd, "/lwn.atom");
	r->df = httpd_url(r->h.httpd, "/df.json");
	r->dead = httpd_url(r->h.httpd, "/dead.xml");
	sections = xasprintf("[feed bbc]\nurl = %s\ntags = News, Europe\n\n"
	    "[feed lwn]\nurl = %s\ntags = Tech\n\n[feed df]\nurl = %s\n\n"
	    "[feed dead]\nurl = %s\ntags = News\n", r->bbc, r->lwn, r->df,
	    r->dead);
	harness_config(&r->h, "", sections);
	free(sections);
	fw(&p, r->h.conf, "check", NULL);
	ck_assert_msg(p.status == 1 && test_count_lines(p.err, "dead") == 1,
	    "check: %d: %s", p.status, p.err);
	test_proc_clear(&p);
}

static void
export_rig_release(struct export_rig *r)
{
	free(r->bbc);
	free(r->lwn);
	free(r->df);
	free(r->dead);
	harness_release(&r->h);
}

/* `opml export` into DIR/NAME; returns the path. */
static char *
export(const struct export_rig *r, const char *name)
{
	struct test_proc	 p;
	char			*path;

	fw(&p, r->h.conf, "opml", "export", NULL);
	ck_assert_msg(p.status == 0, "export: %d: %s", p.status, p.err);
	path = test_write(r->h.dir, name, p.out);
	test_proc_clear(&p);
	return path;
}

START_TEST(test_export)
{
	struct export_rig	 r;
	struct test_proc	 p;
	xmlDoc			*doc;
	char			*path, *text, *conf, *s;

	export_rig(&r);
	path = export(&r, "subs.opml");
	ck_assert_ptr_nonnull(doc = xmlReadFile(path, NULL, XML_PARSE_NONET));
	/* Titles and sites, as the feeds give them; else the name. */
	outline_has(doc, r.bbc, "title", "BBC News - World");
	outline_has(doc, r.bbc, "text", "BBC News - World");
	outline_has(doc, r.bbc, "htmlUrl",
	    "https://www.bbc.example/news/world");
	outline_has(doc, r.lwn, "title", "LWN.net");
	outline_has(doc, r.lwn, "htmlUrl", "https://lwn.example.net/");
	outline_has(doc, r.df, "title", "Daring Fireball");
	outline_has(doc, r.df, "htmlUrl", "https://df.example/");
	outline_has(doc, r.dead, "title", "dead");
	outline_has(doc, r.dead, "htmlUrl", NULL);
	/* Folders nest; miniflux files a feed under its innermost one. */
	s = xpath(doc, "/opml/body/outline[@title='News']/outline"
	    "[@title='Europe']/outline[@xmlUrl='%s']/../@title", r.bbc);
	ck_assert_msg(s != NULL && strcmp(s, "Europe") == 0, "bbc in %s", s);
	xmlFree(s);
	s = xpath(doc, "/opml/body/outline[@title='News']/outline"
	    "[@xmlUrl='%s']/@text", r.dead);
	ck_assert_msg(s != NULL && strcmp(s, "dead") == 0, "dead: %s", s);
	xmlFree(s);
	s = xpath(doc, "count(/opml/body/outline[@title='News'])");
	ck_assert_str_eq(s, "1");
	xmlFree(s);
	s = xpath(doc, "/opml/body/outline[@title='Tech']/outline/@xmlUrl");
	ck_assert_msg(s != NULL && strcmp(s, r.lwn) == 0, "lwn: %s", s);
	xmlFree(s);
	s = xpath(doc, "/opml/body/outline[@xmlUrl='%s']/@type", r.df);
	ck_assert_msg(s != NULL && strcmp(s, "rss") == 0, "df: %s", s);
	xmlFree(s);
	xmlFreeDoc(doc);

	/* Our import reads back the same feeds with the same tags. */
	conf = test_write(r.h.dir, "new.conf", "");
	fw(&p, conf, "opml", "import", path, NULL);
	ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	text = test_slurp(conf);
	assert_has(text, "[feed bbc-news-world]\nurl = %s\ntags = News, "
	    "Europe\n\n[feed dead]\nurl = %s\ntags = News\n\n[feed lwn-net]\n"
	    "url = %s\ntags = Tech\n\n[feed daring-fireball]\nurl = %s\n",
	    r.bbc, r.dead, r.lwn, r.df);
	g_free(text);

	/* A feed given another URL: its old title is not the new one's. */
	text = test_slurp(r.h.conf);
	s = replace(text, "/bbc.xml", "/bbc2.xml");
	g_free(test_write(r.h.dir, "feedwatch.conf", s));
	g_free(s);
	g_free(text);
	fw(&p, r.h.conf, "opml", "export", NULL);
	ck_assert_msg(p.status == 0, "export: %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "text=\"bbc\" title=\"bbc\""));
	test_proc_clear(&p);

	free(conf);
	free(path);
	export_rig_release(&r);
}
END_TEST

/*
 * A miniflux export (one folder a category, its feeds inside) imported
 * gives each feed its category as tag; exported again, each feed is in
 * that folder alone, under the title miniflux's import reads first.
 */
START_TEST(test_import_miniflux)
{
	static const struct {
		const char	*name, *url, *category;
	} feeds[] = {
		{ "lwn-net", "https://lwn.net/headlines/rss", "All" },
		{ "bbc-news-europe",
		  "https://feeds.bbci.co.uk/news/world/europe/rss.xml",
		  "Europe" },
		{ "meduza-the-real-russia-today",
		  "https://meduza.io/rss/en/all", "Europe" },
	};
	struct harness		 h;
	struct test_proc	 p;
	xmlDoc			*doc;
	char			*opml, *text, *s;
	size_t			 i;

	harness_init(&h);
	harness_config(&h, "", "");
	opml = xasprintf("%s/tests/data/opml/miniflux.opml",
	    test_env("FEEDWATCH_SRC"));
	fw(&p, h.conf, "opml", "import", opml, NULL);
	ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	text = test_slurp(h.conf);
	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++)
		assert_has(text, "[feed %s]\nurl = %s\ntags = %s\n",
		    feeds[i].name, feeds[i].url, feeds[i].category);
	g_free(text);

	fw(&p, h.conf, "opml", "export", NULL);
	ck_assert_msg(p.status == 0, "export: %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(doc = xmlReadMemory(p.out, (int)strlen(p.out),
	    "export.opml", NULL, XML_PARSE_NONET));
	test_proc_clear(&p);
	for (i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
		outline_has(doc, feeds[i].url, "title", feeds[i].name);
		s = xpath(doc, "/opml/body/outline[outline[@xmlUrl='%s']]"
		    "/@text", feeds[i].url);
		ck_assert_msg(s != NULL && strcmp(s, feeds[i].category) == 0,
		    "%s in %s", feeds[i].url, s);
		xmlFree(s);
	}
	s = xpath(doc, "count(/opml/body/outline[@text='Europe'])");
	ck_assert_str_eq(s, "1");
	xmlFree(s);
	xmlFreeDoc(doc);
	free(opml);
	harness_release(&h);
}
END_TEST

/* Runs newsboat with 'args' in the home 'home'; its stdout (g_free). */
static char *
newsboat(const char *home, const char *const *args)
{
	gchar	**env, *out = NULL, *err = NULL;
	gchar	 *argv[8];
	gint	  status;
	size_t	  i;

	argv[0] = (gchar *)"newsboat";
	for (i = 0; args[i] != NULL && i < 6; i++)
		argv[i + 1] = (gchar *)args[i];
	argv[i + 1] = NULL;
	env = g_environ_setenv(g_get_environ(), "HOME", home, TRUE);
	env = g_environ_unsetenv(env, "XDG_CONFIG_HOME");
	env = g_environ_unsetenv(env, "XDG_DATA_HOME");
	ck_assert(g_spawn_sync(home, argv, env, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out, &err, &status,
	    NULL));
	ck_assert_msg(g_spawn_check_wait_status(status, NULL),
	    "newsboat %s: %s", args[0], err);
	g_strfreev(env);
	g_free(err);
	return out;
}

/*
 * newsboat imports the export with the folders as its tags, reads the
 * feeds itself and exports the titles and sites ours gave (of the RSS
 * and Atom feeds: it reads no JSON Feed); our import of its export gives
 * the same feeds.
 */
START_TEST(test_export_newsboat)
{
	static const char *const reload[] = { "-x", "reload", NULL };
	static const char *const exp[] = { "-e", NULL };
	struct export_rig	 r;
	struct test_proc	 p;
	const char		*imp[] = { "-i", NULL, NULL };
	xmlDoc			*doc;
	char			*path, *home, *urls, *out, *s, *conf;

	test_need("newsboat", "newsboat");
	export_rig(&r);
	path = export(&r, "subs.opml");
	home = xasprintf("%s/home", r.h.dir);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	imp[1] = path;
	g_free(newsboat(home, imp));
	s = xasprintf("%s/.newsboat/urls", home);
	urls = test_slurp(s);
	free(s);
	s = xasprintf("%s \"News/Europe\"\n%s \"News\"\n%s \"Tech\"\n%s\n",
	    r.bbc, r.dead, r.lwn, r.df);
	ck_assert_str_eq(urls, s);
	free(s);
	g_free(urls);

	g_free(newsboat(home, reload));
	out = newsboat(home, exp);
	ck_assert_ptr_nonnull(doc = xmlReadMemory(out, (int)strlen(out),
	    "newsboat.opml", NULL, XML_PARSE_NONET));
	outline_has(doc, r.bbc, "title", "BBC News - World");
	outline_has(doc, r.bbc, "htmlUrl",
	    "https://www.bbc.example/news/world");
	outline_has(doc, r.lwn, "title", "LWN.net");
	outline_has(doc, r.lwn, "htmlUrl", "https://lwn.example.net/");
	/* Debian 12's newsboat (2.21) does not read JSON Feed. */
	outline_has(doc, r.df, "type", "rss");
	xmlFreeDoc(doc);

	s = test_write(r.h.dir, "newsboat.opml", out);
	conf = test_write(r.h.dir, "new.conf", "");
	fw(&p, conf, "opml", "import", s, NULL);
	ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "added 4 feeds"));
	test_proc_clear(&p);
	urls = test_slurp(conf);
	ck_assert_ptr_nonnull(strstr(urls, "[feed bbc-news-world]\n"));
	ck_assert_ptr_nonnull(strstr(urls, r.dead));
	g_free(urls);

	g_free(out);
	free(conf);
	free(s);
	free(home);
	free(path);
	export_rig_release(&r);
}
END_TEST

/*
 * A state of schema 2 (made from a new one by taking its columns out)
 * is upgraded by the next poll, which records the feeds' titles; before
 * that, export names the feeds and says why.
 */
START_TEST(test_state_upgrade_titles)
{
	struct export_rig	 r;
	struct test_proc	 p;
	sqlite3			*db;
	char			*err = NULL;

	export_rig(&r);
	ck_assert_int_eq(sqlite3_open(r.h.state, &db), SQLITE_OK);
	/* Schema 2, as later migrations (newest first) found it. */
	ck_assert_msg(sqlite3_exec(db, "DROP TABLE article;"
	    "ALTER TABLE feed DROP COLUMN title;"
	    "ALTER TABLE feed DROP COLUMN link; PRAGMA user_version = 2;",
	    NULL, NULL, &err) == SQLITE_OK, "%s", err);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	fw(&p, r.h.conf, "opml", "export", NULL);
	ck_assert_int_eq(p.status, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "text=\"bbc\""));
	ck_assert_ptr_nonnull(strstr(p.err, "older feedwatch (schema 2)"));
	test_proc_clear(&p);

	fw(&p, r.h.conf, "check", NULL);
	ck_assert_int_eq(p.status, 1);
	ck_assert_ptr_nonnull(strstr(p.err, "upgraded from schema 2 to "));
	test_proc_clear(&p);
	fw(&p, r.h.conf, "opml", "export", NULL);
	ck_assert_int_eq(p.status, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "text=\"BBC News - World\""));
	ck_assert_ptr_nonnull(strstr(p.out, "htmlUrl=\"https://lwn.example."
	    "net/\""));
	test_proc_clear(&p);
	export_rig_release(&r);
}
END_TEST

Suite *
subscribe_suite(void)
{
	const TTest	*tests[] = { test_add_wordpress, test_add_guesses,
	    test_add_relative, test_add_errors, test_add_refuses,
	    test_text_without, test_remove, test_export,
	    test_import_miniflux, test_export_newsboat,
	    test_state_upgrade_titles, NULL };

	return test_tcase(suite_create("subscribe"), "subscribe", 60, tests);
}
