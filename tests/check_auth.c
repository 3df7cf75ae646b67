/*
 * check_auth.c: feeds behind a login, with headers, cookies, a user
 * agent and a proxy of their own.
 *
 * feedwatch polls real servers on 127.0.0.1 (tests/httpd.c, which
 * records every request's headers, asks for logins, and is a proxy for
 * requests with an absolute target), and the tests read what reached
 * each server: the secrets go where the config sends them and nowhere
 * else, not after a redirect to another host, and never into anything
 * feedwatch prints or writes.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

/* Secrets every test spells alike, so that any output can be searched. */
#define PASSWORD	"pw-Secret-1"
#define HEADER_SECRET	"hdr,Secret-2, x"
#define COOKIE_SECRET	"cookie-Secret-3"
#define PROXY_SECRET	"proxy-Secret-4"

#define TOPIC		"[topic lavrov]\nquery = Lavrov\n\n"

/* Serves at 'path' of 's' an RSS feed with one item about Lavrov. */
static void
publish(struct httpd *s, const char *path)
{
	char	*link, *item, *body;

	/* A link of its own: one story per feed, never folded into another. */
	link = xasprintf("https://example.org%s", path);
	item = harness_item(path, "Lavrov speaks", link);
	body = xasprintf("<rss version=\"2.0\"><channel><title>%s</title>"
	    "%s</channel></rss>", path, item);
	httpd_route(s, path, 200, "application/rss+xml", body, strlen(body),
	    NULL);
	free(body);
	free(item);
	free(link);
}

/* `feedwatch check -c CONF`, one poll of every feed: its exit status. */
static int
check_once(const struct harness *h)
{
	struct test_proc	 p;
	const char		*args[] = { "check", "-c", h->conf, NULL };
	int			 status;

	test_run(&p, args);
	status = p.status;
	test_proc_clear(&p);
	return status;
}

/* The "error" of feed 'name' in `status --json` ("" for none), malloc'd. */
static char *
feed_error(const struct harness *h, const char *name)
{
	json_t		*st, *e;
	char		*s;

	st = harness_status(h);
	e = json_object_get(harness_feed(st, name), "error");
	s = xstrdup(json_is_string(e) ? json_string_value(e) : "");
	json_decref(st);
	return s;
}

/* A Netscape cookie file for 127.0.0.1 only: session=COOKIE_SECRET. */
static void
write_cookies(const struct harness *h)
{
	free(test_write(h->dir, "cookies.txt", "# Netscape HTTP Cookie File\n"
	    "127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t" COOKIE_SECRET "\n"));
}

/* Basic auth: 401 without a login, 200 with username and password-file. */
START_TEST(test_login)
{
	struct harness	 h;
	char		*sections, *anon, *priv, *wrong, *reqs, *err, *b64;

	harness_init(&h);
	publish(h.httpd, "/private.xml");
	httpd_route_login(h.httpd, "/private.xml", "reader", PASSWORD);
	free(test_write(h.dir, "reader.pass", PASSWORD "\n"));
	anon = harness_feed_section(&h, "anon", "/private.xml", "");
	/* A relative password-file is found beside the config. */
	priv = harness_feed_section(&h, "private", "/private.xml",
	    "username = reader\npassword-file = reader.pass");
	wrong = harness_feed_section(&h, "wrong", "/private.xml",
	    "username = reader\npassword = not-it");
	sections = xasprintf("%s%s%s" TOPIC, anon, priv, wrong);
	harness_config(&h, "", sections);

	ck_assert_int_eq(check_once(&h), 1);
	ck_assert_int_ge(test_lines_with(h.alerts, "Lavrov speaks"), 1);
	err = feed_error(&h, "private");
	ck_assert_msg(*err == '\0', "private: %s", err);
	free(err);
	err = feed_error(&h, "anon");
	ck_assert_msg(strstr(err, "http status 401: the feed wants a login") !=
	    NULL, "anon: %s", err);
	free(err);
	err = feed_error(&h, "wrong");
	ck_assert_msg(strstr(err, "401: the server refused the username") !=
	    NULL, "wrong: %s", err);
	free(err);
	/* The password went as Basic, once the server asked for it. */
	b64 = g_base64_encode((const guchar *)"reader:" PASSWORD,
	    strlen("reader:" PASSWORD));
	reqs = httpd_requests(h.httpd, "/private.xml");
	ck_assert_msg(strstr(reqs, b64) != NULL, "no login sent: %s", reqs);
	free(reqs);
	g_free(b64);
	free(sections);
	free(anon);
	free(priv);
	free(wrong);
	harness_release(&h);
}
END_TEST

/*
 * Headers of a feed's own, values with commas and all; a cookie from a
 * cookie file, which is never written; the feed's user agent, else the
 * daemon's.
 */
START_TEST(test_headers_cookie_agent)
{
	struct harness	 h;
	char		*own, *plain, *sections, *reqs, *cookies;

	harness_init(&h);
	publish(h.httpd, "/own.xml");
	publish(h.httpd, "/plain.xml");
	/* A cookie the server sets must not end up in the file. */
	httpd_route_header(h.httpd, "/own.xml", "Set-Cookie",
	    "fresh=1; Path=/");
	write_cookies(&h);
	own = harness_feed_section(&h, "own", "/own.xml",
	    "header-X-Api-Key = " HEADER_SECRET "\n"
	    "header-Authorization = Bearer a,b\n"
	    "cookie-file = cookies.txt\n"
	    "user-agent = FeedReader/2.0 (compatible; test)");
	plain = harness_feed_section(&h, "plain", "/plain.xml", "");
	sections = xasprintf("%s%s" TOPIC, own, plain);
	harness_config(&h, "user-agent = Daemon-UA/1\n", sections);

	ck_assert_int_eq(check_once(&h), 0);
	reqs = httpd_requests(h.httpd, "/own.xml");
	ck_assert_msg(strstr(reqs, "\nX-Api-Key: " HEADER_SECRET "\n") !=
	    NULL, "%s", reqs);
	ck_assert_msg(strstr(reqs, "\nAuthorization: Bearer a,b\n") != NULL,
	    "%s", reqs);
	ck_assert_msg(strstr(reqs, "\nCookie: session=" COOKIE_SECRET "\n") !=
	    NULL, "%s", reqs);
	ck_assert_msg(strstr(reqs, "\nUser-Agent: FeedReader/2.0 "
	    "(compatible; test)\n") != NULL, "%s", reqs);
	free(reqs);
	reqs = httpd_requests(h.httpd, "/plain.xml");
	ck_assert_msg(strstr(reqs, "\nUser-Agent: Daemon-UA/1\n") != NULL,
	    "%s", reqs);
	ck_assert_msg(strstr(reqs, "X-Api-Key") == NULL &&
	    strstr(reqs, "Cookie") == NULL &&
	    strstr(reqs, "Authorization") == NULL, "%s", reqs);
	free(reqs);
	cookies = xasprintf("%s/cookies.txt", h.dir);
	ck_assert_int_eq(test_lines_with(cookies, "fresh"), 0);
	ck_assert_int_eq(test_lines_with(cookies, COOKIE_SECRET), 1);
	free(cookies);
	free(sections);
	free(own);
	free(plain);
	harness_release(&h);
}
END_TEST

/*
 * A proxy: the [daemon] default with a login in its URL, a feed's own
 * with a wrong login, and 'none' for a feed fetched directly.  The feeds
 * behind it are on a host that does not exist: only the proxy can
 * answer for them.
 */
START_TEST(test_proxy)
{
	struct harness	 h;
	struct httpd	*proxy;
	char		*daemon, *direct, *sections, *reqs, *err;
	int		 port;

	harness_init(&h);
	proxy = httpd_start();
	port = httpd_port(proxy);
	publish(proxy, "/behind.xml");
	httpd_proxy_login(proxy, "pu", PROXY_SECRET "@:");
	publish(h.httpd, "/direct.xml");
	/* The userinfo is percent-encoded in the URL, decoded for curl. */
	daemon = xasprintf("proxy = http://pu:" PROXY_SECRET "%%40%%3A@"
	    "127.0.0.1:%d\n", port);
	direct = harness_feed_section(&h, "direct", "/direct.xml",
	    "proxy = none");
	sections = xasprintf("[feed behind]\n"
	    "url = http://feeds.example.invalid/behind.xml\n\n"
	    "[feed refused]\nurl = http://feeds.example.invalid/behind.xml"
	    "?refused\nproxy = http://pu:wrong@127.0.0.1:%d\n\n"
	    "%s" TOPIC, port, direct);
	harness_config(&h, daemon, sections);

	ck_assert_int_eq(check_once(&h), 1);
	err = feed_error(&h, "behind");
	ck_assert_msg(*err == '\0', "behind: %s", err);
	free(err);
	err = feed_error(&h, "refused");
	ck_assert_msg(strstr(err, "407: the proxy refused its user") != NULL,
	    "refused: %s", err);
	free(err);
	err = feed_error(&h, "direct");
	ck_assert_msg(*err == '\0', "direct: %s", err);
	free(err);
	reqs = httpd_requests(proxy, "/behind.xml");
	ck_assert_msg(strstr(reqs, "http://feeds.example.invalid/behind.xml\n")
	    != NULL && strstr(reqs, "Proxy-Authorization: Basic") != NULL,
	    "%s", reqs);
	free(reqs);
	/* 'none' went straight to the server, not through the proxy. */
	reqs = httpd_requests(h.httpd, "/direct.xml");
	ck_assert_msg(strncmp(reqs, "/direct.xml\n", 12) == 0 &&
	    strstr(reqs, "Proxy") == NULL, "%s", reqs);
	free(reqs);
	ck_assert_int_eq(httpd_hits(proxy, "/direct.xml"), 0);
	httpd_stop(proxy);
	free(sections);
	free(direct);
	free(daemon);
	harness_release(&h);
}
END_TEST

/*
 * A feed with a login, a header and a cookie redirected to another host
 * (localhost, another port): the other host gets none of them, and the
 * feed is still read there.  A redirect on the same host keeps them.
 * After three 301s the feed is polled at the other host directly, still
 * without them.
 */
START_TEST(test_redirect_elsewhere)
{
	struct harness	 h;
	struct httpd	*other;
	char		*to, *extra, *moved, *hop, *sections, *reqs, *err;
	unsigned int	 hits;
	int		 i;

	harness_init(&h);
	other = httpd_start();
	publish(other, "/new.xml");
	publish(h.httpd, "/target.xml");
	write_cookies(&h);
	to = xasprintf("http://localhost:%d/new.xml", httpd_port(other));
	httpd_route(h.httpd, "/old.xml", 301, "text/plain", "", 0, NULL);
	httpd_route_header(h.httpd, "/old.xml", "Location", to);
	httpd_route_login(h.httpd, "/old.xml", "reader", PASSWORD);
	httpd_route(h.httpd, "/hop.xml", 302, "text/plain", "", 0, NULL);
	httpd_route_header(h.httpd, "/hop.xml", "Location", "/target.xml");
	httpd_route_login(h.httpd, "/target.xml", "reader", PASSWORD);
	extra = xstrdup("username = reader\npassword = " PASSWORD "\n"
	    "header-X-Api-Key = " HEADER_SECRET "\ncookie-file = cookies.txt");
	moved = harness_feed_section(&h, "moved", "/old.xml", extra);
	hop = harness_feed_section(&h, "hop", "/hop.xml", extra);
	sections = xasprintf("%s%s" TOPIC, moved, hop);
	harness_config(&h, "", sections);

	ck_assert_int_eq(check_once(&h), 0);
	reqs = httpd_requests(h.httpd, "/old.xml");
	ck_assert_msg(strstr(reqs, "X-Api-Key: " HEADER_SECRET) != NULL &&
	    strstr(reqs, "Authorization: Basic") != NULL &&
	    strstr(reqs, COOKIE_SECRET) != NULL, "%s", reqs);
	free(reqs);
	reqs = httpd_requests(h.httpd, "/target.xml");
	ck_assert_msg(strstr(reqs, "X-Api-Key: " HEADER_SECRET) != NULL &&
	    strstr(reqs, "Authorization: Basic") != NULL, "%s", reqs);
	free(reqs);
	err = feed_error(&h, "hop");
	ck_assert_msg(*err == '\0', "hop: %s", err);
	free(err);
	err = feed_error(&h, "moved");
	ck_assert_msg(*err == '\0', "moved: %s", err);
	free(err);
	/* Three polls through the 301 make it remembered; the 4th goes direct. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(check_once(&h), 0);
	hits = httpd_hits(h.httpd, "/old.xml");
	ck_assert_int_eq(httpd_hits(other, "/new.xml"), 4);
	ck_assert_int_eq(check_once(&h), 0);
	ck_assert_int_eq(httpd_hits(h.httpd, "/old.xml"), hits);
	ck_assert_int_eq(httpd_hits(other, "/new.xml"), 5);
	reqs = httpd_requests(other, "/new.xml");
	ck_assert_msg(strstr(reqs, "X-Api-Key") == NULL &&
	    strstr(reqs, "Authorization") == NULL &&
	    strstr(reqs, "Cookie") == NULL, "the other host got: %s", reqs);
	free(reqs);
	httpd_stop(other);
	free(sections);
	free(hop);
	free(moved);
	free(extra);
	free(to);
	harness_release(&h);
}
END_TEST

/* Fails if 'text' (what 'what' printed or wrote) holds a secret. */
static void
assert_no_secret(const char *what, const char *text)
{
	static const char *const secrets[] = { PASSWORD, HEADER_SECRET,
	    "Secret-2", COOKIE_SECRET, PROXY_SECRET, "not-it" };
	char		*b64;
	size_t		 i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(strstr(text, secrets[i]) == NULL,
		    "%s shows '%s': %s", what, secrets[i], text);
	b64 = g_base64_encode((const guchar *)"reader:" PASSWORD,
	    strlen("reader:" PASSWORD));
	ck_assert_msg(strstr(text, b64) == NULL, "%s shows the login", what);
	g_free(b64);
}

/* Runs `feedwatch CMD [OPT] -c CONF` and checks all it printed. */
static void
run_clean(const struct harness *h, const char *cmd, const char *opt)
{
	struct test_proc	 p;
	const char		*args[] = { cmd, "-c", h->conf, opt, NULL };
	char			*what;

	test_run(&p, args);
	what = xasprintf("'feedwatch %s %s'", cmd, opt ? opt : "");
	assert_no_secret(what, p.out);
	assert_no_secret(what, p.err);
	free(what);
	test_proc_clear(&p);
}

/*
 * Every secret of a feed (password, header values, cookie, the proxy's
 * password) in use, some refused by their servers, with the daemon at
 * -vv: none reaches the log, the alerts, /metrics, status, config check,
 * opml export or a dry run.
 */
START_TEST(test_secrets_never_shown)
{
	struct harness	 h;
	struct httpd	*proxy;
	const char	*args[] = { "run", "-v", "-v", "-c", NULL, NULL };
	char		*daemon, *feeds, *url, *text;
	long		 code;
	int		 port, listen;
	pid_t		 pid;

	harness_init(&h);
	proxy = httpd_start();
	port = httpd_port(proxy);
	listen = test_free_port();
	publish(h.httpd, "/login.xml");
	publish(h.httpd, "/wrong.xml");
	publish(proxy, "/proxied.xml");
	httpd_route_login(h.httpd, "/login.xml", "reader", PASSWORD);
	httpd_route_login(h.httpd, "/wrong.xml", "reader", PASSWORD);
	httpd_proxy_login(proxy, "pu", PROXY_SECRET);
	write_cookies(&h);
	daemon = xasprintf("listen = 127.0.0.1:%d\ntimeout = 5s\n", listen);
	url = httpd_url(h.httpd, "");
	feeds = xasprintf("[feed login]\nurl = %s/login.xml\n"
	    "username = reader\npassword = " PASSWORD "\n"
	    "header-X-Api-Key = " HEADER_SECRET "\n"
	    "cookie-file = cookies.txt\n\n"
	    "[feed wrong]\nurl = %s/wrong.xml\nusername = reader\n"
	    "password = not-it\nheader-Authorization-Extra = " HEADER_SECRET
	    "\n\n"
	    "[feed proxied]\nurl = http://feeds.example.invalid/proxied.xml\n"
	    "proxy = http://pu:" PROXY_SECRET "@127.0.0.1:%d\n\n"
	    "[feed proxy-refused]\n"
	    "url = http://feeds.example.invalid/proxied.xml?x\n"
	    "proxy = http://pu:not-it@127.0.0.1:%d\n\n"
	    "[feed proxy-down]\nurl = http://feeds.example.invalid/down.xml\n"
	    "proxy = socks5h://pu:" PROXY_SECRET "@127.0.0.1:%d\n\n" TOPIC,
	    url, url, port, port, test_free_port());
	harness_config(&h, daemon, feeds);

	args[4] = h.conf;
	pid = test_spawn(args, h.log);
	harness_wait_hits(&h, "/wrong.xml", 4);
	ck_assert_int_ge(test_wait_lines(h.alerts, "Lavrov", 2, 15), 2);
	free(url);
	url = xasprintf("http://127.0.0.1:%d/metrics", listen);
	text = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	assert_no_secret("/metrics", text);
	g_free(text);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(test_wait(pid, 15), 0);
	text = test_slurp(h.log);
	ck_assert_msg(strstr(text, "feed 'wrong'") != NULL &&
	    strstr(text, "feed 'proxy-down'") != NULL &&
	    strstr(text, "feed 'proxy-refused'") != NULL, "%s", text);
	assert_no_secret("the daemon's log", text);
	free(text);
	text = test_slurp(h.alerts);
	assert_no_secret("the alerts", text);
	free(text);
	run_clean(&h, "status", NULL);
	run_clean(&h, "status", "--json");
	run_clean(&h, "config", "check");
	run_clean(&h, "opml", "export");
	run_clean(&h, "check", "--dry-run");
	run_clean(&h, "check", "-v");
	httpd_stop(proxy);
	free(url);
	free(feeds);
	free(daemon);
	harness_release(&h);
}
END_TEST

/* `feedwatch config check` on the config 'text', into 'p'. */
static void
config_check(const char *text, struct test_proc *p)
{
	const char	*args[] = { "config", "check", "-c", NULL, NULL };
	char		*dir, *path;

	dir = test_tmpdir();
	path = test_write(dir, "feedwatch.conf", text);
	args[3] = path;
	test_run(p, args);
	free(path);
	test_rmtree(dir);
	free(dir);
}

/* A config error about a feed's secret keys never quotes the secret. */
START_TEST(test_config_errors_hide_secrets)
{
	struct test_proc	 p;

	config_check("[daemon]\n"
	    "proxy = ftp://pu:" PROXY_SECRET "@proxy.example:21\n\n"
	    "[feed a]\nurl = https://example.org/a.xml\n"
	    "proxy = pu:" PROXY_SECRET "@proxy.example:3128\n"
	    "header-X-Key = " HEADER_SECRET "\x01\n"
	    "header-Host = " HEADER_SECRET "\n"
	    "password = " PASSWORD "\n\n"
	    "[feed b]\nurl = file:///dev/null\nusername = u\n"
	    "password = " PASSWORD "\nheader-X-Key = " HEADER_SECRET "\n"
	    "proxy = http://pu:" PROXY_SECRET "@proxy.example:3128/path\n", &p);
	ck_assert_int_eq(p.status, 2);
	/* Each key named at its line, no value shown. */
	ck_assert_int_ge(test_count_lines(p.err, "/feedwatch.conf:"), 8);
	assert_no_secret("config check", p.err);
	test_proc_clear(&p);
}
END_TEST

/* A login over plain http is the user's choice, but it is said once. */
START_TEST(test_http_login_warned)
{
	struct test_proc	 p;

	config_check("[feed clear]\nurl = http://example.org/a.xml\n"
	    "username = u\npassword = " PASSWORD "\n\n"
	    "[feed tls]\nurl = https://example.org/a.xml\nusername = u\n"
	    "password = " PASSWORD "\n", &p);
	ck_assert_msg(p.status == 0, "%s", p.err);
	ck_assert_msg(strstr(p.err, "/feedwatch.conf:1: feed 'clear': its "
	    "login goes over plain http") != NULL, "%s", p.err);
	ck_assert_int_eq(test_count_lines(p.err, "plain http"), 1);
	test_proc_clear(&p);
}
END_TEST

Suite *
auth_suite(void)
{
	const TTest	*tests[] = { test_login,
	    test_headers_cookie_agent, test_proxy, test_redirect_elsewhere,
	    test_secrets_never_shown, test_config_errors_hide_secrets,
	    test_http_login_warned, NULL };

	return test_tcase(suite_create("auth"), "auth", 60, tests);
}
