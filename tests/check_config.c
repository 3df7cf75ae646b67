/*
 * check_config.c: the config file, through `feedwatch config check`.
 *
 * Every bad config must exit 2 with "FILE:LINE: message" naming the right
 * line; the SPEC's own example must load.
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "xmalloc.h"

struct bad_case {
	const char	*conf;
	int		 line;		/* where the error must point */
	const char	*msg;		/* part of the message */
};

#define FEED	"[feed a]\nurl = https://example.org/rss\n"
#define TOPIC	"[topic t]\nquery = Crimea\n"
#define SINK	"[sink s]\ntype = stdout\n"

static const struct bad_case bad_cases[] = {
	{ "[daemon]\nintervall = 5m\n", 2, "unknown key 'intervall'" },
	{ FEED "[feeds b]\nurl = https://x.org/\n", 3, "unknown section [feeds b]" },
	{ "[daemon]\ninterval = 5 minutes\n", 2, "not a duration" },
	{ "[daemon]\ninterval = 300\n", 2, "not a duration" },
	{ "[daemon]\ninterval = automatic\n", 2, "not a duration" },
	{ "[daemon]\ninterval = 0s\n", 2, "more than 0, or auto" },
	{ "[daemon]\nmin-interval = 0s\n", 2, "min-interval: must be more" },
	{ "[daemon]\nmin-interval = 1h\nmax-interval = 30m\n", 3,
	  "max-interval (1800s) is shorter than min-interval (3600s)" },
	{ "[daemon]\nmin-interval = 8h\n", 2,
	  "max-interval (21600s) is shorter than min-interval (28800s)" },
	{ FEED "interval = sometimes\n", 3, "not a duration" },
	{ "[daemon]\nmax-size = lots\n", 2, "not a size" },
	{ "[daemon]\njitter = 150%\n", 2, "percentage" },
	{ "[daemon]\nconcurrency = 0\n", 2, "positive whole number" },
	{ "[daemon]\nlisten = 9464\n", 2, "HOST:PORT" },
	{ "[daemon]\npush-url = https://example.org/fw/\n", 2, "set listen too" },
	{ "[daemon]\nlisten = 127.0.0.1:1\npush-url = ftp://example.org/\n", 3, "not an http or https URL" },
	{ "[daemon]\nlisten = 127.0.0.1:1\npush-url = https://x.org/?a=b\n", 3, "without a query" },
	{ "[daemon]\npush-interval = 0\n", 2, "push-interval: must be more than 0" },
	{ "[daemon]\npush-interval = often\n", 2, "not a duration" },
	{ "[daemon]\ninterval = 5m\n\n# x\ninterval = 6m\n", 5, "appears again" },
	{ FEED "\n" FEED, 4, "section [feed a] appears again" },
	{ "[daemon]\njust some words\n", 2, "expected 'key = value'" },
	{ "interval = 5m\n", 1, "outside any section" },
	{ "[daemon\ninterval = 5m\n", 1, "lacks its ']'" },
	{ "[feed a]\ninterval = 5m\n", 1, "no url" },
	{ "[feed a]\nurl = gopher://example.org/\n", 2, "not an http, https or file URL" },
	{ "[feed bad name!]\nurl = https://x.org/\n", 1, "a name has letters" },
	{ FEED TOPIC "sinks = nowhere\n", 5, "topic 't': key 'sinks': sink 'nowhere' is not defined" },
	{ FEED TOPIC "sinks =\n" SINK, 5, "topic 't': key 'sinks': no sink named" },
	{ FEED TOPIC "sinks = , \n" SINK, 5, "key 'sinks': no sink named" },
	{ FEED TOPIC "feeds =\n", 5, "topic 't': key 'feeds': no feed named" },
	{ FEED TOPIC "feeds = a, tag:missing\n", 5, "no feed or tag 'tag:missing'" },
	{ FEED TOPIC "priority = urgent\n", 5, "priority 'urgent'" },
	{ FEED TOPIC "rate = 30 per hour\n", 5, "COUNT/UNIT" },
	{ FEED TOPIC "quiet = 22-7\n", 5, "HH:MM-HH:MM" },
	{ FEED TOPIC "stem = klingon\n", 5, "no Snowball stemmer for 'klingon'" },
	{ FEED TOPIC "translit = maybe\n", 5, "translit 'maybe'" },
	{ FEED TOPIC "enabled = maybe\n", 5, "topic 't': enabled 'maybe' is not yes or no" },
	{ FEED "enabled = off-ish\n", 3, "feed 'a': enabled 'off-ish' is not yes or no" },
	/* a disabled topic's query is checked all the same */
	{ FEED "[topic t]\nenabled = no\nquery = (Crimea\n", 5, "topic 't': query: column 8: expected ')'" },
	{ FEED "[topic t]\nenabled = no\nquery = @nosuch\n", 5, "topic 't': query: unknown alias '@nosuch'" },
	{ FEED "[topic t]\nsinks = s\n" SINK, 3, "topic 't': no query" },
	{ FEED "[topic crimea]\nquery = (Crimea OR Lavrov\n", 4, "topic 'crimea': query: column 18: expected ')'" },
	{ FEED "[topic t]\nquery = @nosuch\n", 4, "topic 't': query: unknown alias '@nosuch'" },
	{ FEED "[topic t]\nsinks = s\nquery = Crimea OR OR Lavrov\n" SINK, 5, "topic 't': query: column 11: expected a term after 'OR'" },
	{ FEED "[topic t]\nquery = AND Crimea\n", 4, "topic 't': query: column 1: expected a term before 'AND'" },
	{ FEED "[topic t]\nquery = title: Crimea\n", 4, "topic 't': query: column 7: expected a term after 'title:', without a space" },
	{ FEED "[topic t]\nquery = Crimea~9\n", 4, "topic 't': query: column 8: expected a distance from 0 to 2" },
	{ FEED "[topic t]\nquery = /(/\n", 4, "topic 't': query: column 3: bad regex: missing closing parenthesis" },
	{ FEED "[alias a]\nterms = Crimea, OR x\n", 4, "alias 'a': term 2 'OR x': column 1: expected a term before 'OR'" },
	{ "[sink s]\ntype = pigeon\n", 2, "unknown type 'pigeon'" },
	{ "[sink s]\ntype = webhook\n", 1, "needs 'url" },
	{ "[sink s]\ntype = webhook\nurl = https://h.example/\nformat = irc\n", 4, "format 'irc'" },
	{ "[sink s]\ntype = stdout\nurl = https://x.org/\n", 3, "unknown key 'url'" },
	{ "[sink s]\ntype = email\nsmtp = smtp://h:25\nfrom = a@b\n", 1, "needs 'to" },
	{ "[sink s]\ntype = email\nsmtp = smtp://h:25\nfrom = a@b\nto = c@d\n"
	  "password-file = /nonexistent/pass\n", 6, "/nonexistent/pass" },
	{ "[sink s]\ntype = exec\ncommand = /bin/echo 'unterminated\n", 3, "command" },
	{ "[sink s]\ntype = desktop\nurgency = loud\n", 3, "urgency 'loud'" },
	{ "[sink s]\ntype = stdout\nformat = slack\n", 3, "format 'slack' is not json or text" },
	{ "[sink s]\ntype = file\npath = a.txt\nformat = html\n", 4, "format 'html' is not json or text" },
	{ "[daemon]\nhealth-sinks = pager\n", 2, "sink 'pager' is not defined" },
	{ "[feed a]\nurl[de] = https://x.org/\n", 2, "localized keys" },
	/* content = full: the article of each new item */
	{ "[daemon]\ncontent = article\n", 2, "content 'article' is not "
	  "summary, full" },
	{ FEED "content = Full\n", 3, "feed 'a': content 'Full' is not "
	  "summary, full" },
	{ FEED "content = auto\ncontent-min = 0\n", 4, "content-min: '0' "
	  "is not a positive whole number" },
	{ "[daemon]\ncontent-min = 300 chars\n", 2, "content-min: '300 "
	  "chars'" },
	/* durations: too long, or too long for a long, name their line */
	{ "[daemon]\ninterval = 99999999999999999999s\n", 2, "interval: "
	  "'99999999999999999999s' is longer than 100 years (36500d)" },
	{ "[daemon]\ninterval = 5m\nkeep = 9223372036854775807s\n", 3,
	  "keep: '9223372036854775807s' is longer than 100 years" },
	{ "[daemon]\ndead-after = 106751991167301d\n", 2, "than 100 years" },
	{ "[daemon]\nbackfill = 36501d\n", 2, "longer than 100 years" },
	{ FEED "interval = 153722867280912931m\n", 3, "longer than 100 years" },
	{ FEED TOPIC "digest = 2562047788015216h\n", 5, "than 100 years" },
	{ "[sink s]\ntype = exec\ncommand = /bin/true\ntimeout = 876001h\n", 4,
	  "longer than 100 years" },
	/* a feed's login, headers, cookies and proxy */
	{ FEED "header-X Bad = 1\n", 3,
	  "feed 'a': header-X Bad: a header name has only letters" },
	{ FEED "header-Host = example.org\n", 3,
	  "header-Host: feedwatch sets this header itself" },
	{ FEED "header-user-agent = x\n", 3,
	  "header-user-agent: set user-agent instead" },
	{ FEED "header-X-Key =\n", 3, "header-X-Key: the header has no value" },
	{ FEED "header-X-Key = a\001b\n", 3,
	  "header-X-Key: the value holds a control character" },
	{ FEED "header-X-Key = a\nheader-x-key = b\n", 4,
	  "header-x-key: the header is given twice" },
	{ FEED "username = u\nheader-Authorization = Bearer x\n", 4,
	  "give username or an Authorization header, not both" },
	{ FEED "cookie-file = feedwatch.conf\nheader-Cookie = a=b\n", 4,
	  "give cookie-file or a Cookie header, not both" },
	{ "[feed a]\nurl = file:///dev/null\nheader-X-Key = v\n", 3,
	  "only an http or https feed sends headers" },
	{ FEED "password = x\n", 3, "feed 'a': a password needs a username" },
	{ FEED "username = u\npassword = x\npassword-file = /etc/hostname\n", 5,
	  "give password or password-file, not both" },
	{ FEED "username = u\npassword-file = /nonexistent/pw\n", 4,
	  "feed 'a': password-file '/nonexistent/pw'" },
	{ "[feed a]\nurl = file:///dev/null\nusername = u\n", 3,
	  "username: only an http or https feed logs in" },
	{ "[feed a]\nurl = https://u:p@example.org/\nusername = u\n", 3,
	  "its url has a user already" },
	{ FEED "cookie-file = /nonexistent/cookies.txt\n", 3,
	  "feed 'a': cookie-file '/nonexistent/cookies.txt'" },
	{ FEED "cookie-file = /tmp\n", 3,
	  "cookie-file '/tmp' is not a file (give a file of cookies" },
	{ "[feed a]\nurl = file:///dev/null\ncookie-file = feedwatch.conf\n", 3,
	  "only an http or https feed sends cookies" },
	{ FEED "proxy = ftp://proxy.example:21\n", 3, "feed 'a': proxy "
	  "'ftp://proxy.example:21' is not an http, https, socks4, socks4a, "
	  "socks5 or socks5h URL" },
	{ FEED "proxy = http://\n", 3, "has no host" },
	{ FEED "proxy = http://proxy.example:3128/x\n", 3, "has a path" },
	{ FEED "proxy = http://proxy.example\n", 3, "has no port" },
	{ FEED "proxy = proxy.example:3128\n", 3, "or none" },
	{ "[daemon]\nproxy = http://proxy.example:99999\n", 2,
	  "proxy 'http://proxy.example:99999' is not a URL" },
};

/*
 * `config check` of a file of the 'len' bytes of 'text', as 'p'; the
 * file's name (malloc'd, the file gone).
 */
static char *
check_text(struct test_proc *p, const char *text, size_t len)
{
	const char	*args[] = { "config", "check", "-c", NULL, NULL };
	char		*dir, *path;

	dir = test_tmpdir();
	path = xasprintf("%s/feedwatch.conf", dir);
	ck_assert(g_file_set_contents(path, text, len, NULL));
	args[3] = path;
	test_run(p, args);
	test_rmtree(dir);
	free(dir);
	return path;
}

START_TEST(test_bad_config)
{
	const struct bad_case	*c = &bad_cases[_i];
	struct test_proc	 p;
	char			*path, *want;

	path = check_text(&p, c->conf, strlen(c->conf));
	ck_assert_msg(p.status == 2, "case %d: exit %d, want 2; stderr: %s",
	    _i, p.status, p.err);
	if (c->line > 0)
		want = xasprintf("%s:%d: ", path, c->line);
	else
		want = xasprintf("%s:", path);
	ck_assert_msg(strstr(p.err, want) != NULL, "case %d: no '%s' in: %s",
	    _i, want, p.err);
	ck_assert_msg(strstr(p.err, c->msg) != NULL,
	    "case %d: no '%s' in: %s", _i, c->msg, p.err);
	free(want);
	test_proc_clear(&p);
	free(path);
}
END_TEST

/* One run names every problem, not only the first. */
START_TEST(test_every_error_reported)
{
	static const char	 text[] = "[daemon]\ninterval = soon\n"
	    "timeout = never\n[feed a]\n[topic t]\nquery = x\nsinks = none\n";
	struct test_proc	 p;
	char			*path;

	path = check_text(&p, text, sizeof(text) - 1);
	ck_assert_int_eq(p.status, 2);
	ck_assert_int_ge(test_count_lines(p.err, path), 4);
	ck_assert_ptr_nonnull(strstr(p.err, ":2: interval"));
	ck_assert_ptr_nonnull(strstr(p.err, ":3: timeout"));
	ck_assert_ptr_nonnull(strstr(p.err, ":4: feed 'a': no url"));
	test_proc_clear(&p);
	free(path);
}
END_TEST

/*
 * Errors come out in the order of their lines, whatever order they were
 * found in: here a topic's missing sink (checked once every sink is
 * read) stands above an unknown key, a bad feed and a bad daemon value.
 */
START_TEST(test_errors_in_line_order)
{
	static const char	 text[] = "[topic t]\nsinks = pager\n"
	    "query = x\nbogus = 1\n[feed a]\nurl = gopher://x/\n"
	    "[daemon]\ninterval = soon\n[sink s]\ntype = stdout\n";
	static const int	 lines[] = { 2, 4, 6, 8 };
	struct test_proc	 p;
	const char		*at;
	char			*path, *want;
	size_t			 i;

	path = check_text(&p, text, sizeof(text) - 1);
	ck_assert_int_eq(p.status, 2);
	ck_assert_int_eq(test_count_lines(p.err, path), 4);
	for (at = p.err, i = 0; i < 4; i++) {
		want = xasprintf("%s:%d: ", path, lines[i]);
		ck_assert_msg((at = strstr(at, want)) != NULL, "'%s' not in "
		    "order in: %s", want, p.err);
		free(want);
	}
	test_proc_clear(&p);
	free(path);
}
END_TEST

/* A NUL byte is found at its line. */
START_TEST(test_nul_byte_line)
{
	static const char	 text[] = "[daemon]\ninterval = 5m\nx\0y\n";
	struct test_proc	 p;
	char			*path, *want;

	path = check_text(&p, text, sizeof(text) - 1);
	ck_assert_int_eq(p.status, 2);
	want = xasprintf("%s:3: the config holds a NUL byte", path);
	ck_assert_msg(strstr(p.err, want) != NULL, "%s", p.err);
	free(want);
	test_proc_clear(&p);
	free(path);
}
END_TEST

/* SPEC section 2's example, as a user would paste it. */
static const char spec_example[] =
    "[daemon]\n"
    "state = %s/state.db\n"
    "# default poll interval per feed\n"
    "interval = 15m\n"
    "jitter = 10%%\n"
    "concurrency = 64\n"
    "per-host = 4\n"
    "timeout = 30s\n"
    "max-size = 16M\n"
    "backfill = 24h\n"
    "user-agent = feedwatch/VERSION (+https://project-url)\n"
    "listen = 127.0.0.1:9464\n"
    "\n"
    "[feed bbc-world]\n"
    "url = https://feeds.bbci.co.uk/news/world/rss.xml\n"
    "interval = 5m\n"
    "tags = news, europe\n"
    "\n"
    "[alias russia]\n"
    "terms = Russia, \"Russian Federation\", Kremlin, Moscow\n"
    "\n"
    "[topic crimea]\n"
    "query = Crimea OR (Lavrov AND Pompeo) OR \"Donbas ceasefire\"\n"
    "sinks = desktop, team-chat, ops-mail\n"
    "feeds = *\n"
    "digest = 0\n"
    "rate = 30/h\n"
    "quiet = 22:00-07:00\n"
    "priority = normal\n"
    "stem = english, russian\n"
    "translit = yes\n"
    "\n"
    "[sink desktop]\n"
    "type = desktop\n"
    "\n"
    "[sink team-chat]\n"
    "type = webhook\n"
    "url = https://hooks.slack.com/services/T000/B000/XXXX\n"
    "format = slack\n"
    "secret = s3cret\n"
    "\n"
    "[sink ops-mail]\n"
    "type = email\n"
    "smtp = smtps://mail.example.org:465\n"
    "username = feedwatch\n"
    "password-file = %s/smtp.pass\n"
    "from = feedwatch@example.org\n"
    "to = ops@example.org, analyst@example.org\n"
    "\n"
    "[sink log]\n"
    "type = stdout\n"
    "\n"
    "[sink script]\n"
    "type = exec\n"
    "command = /usr/local/bin/on-alert --flag\n";

START_TEST(test_spec_example_loads)
{
	struct test_proc	 p;
	char			*dir, *path, *text, *pw;
	const char		*args[] = { "config", "check", "-c", NULL, NULL };

	dir = test_tmpdir();
	pw = test_write(dir, "smtp.pass", "hunter2\n");
	text = xasprintf(spec_example, dir, dir);
	path = test_write(dir, "feedwatch.conf", text);
	args[3] = path;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "configuration OK (1 feeds, "
	    "1 topics, 5 sinks)"));
	test_proc_clear(&p);
	free(text);
	free(path);
	free(pw);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* The shipped example must stay valid. */
START_TEST(test_example_config_loads)
{
	struct test_proc	 p;
	char			*path;
	const char		*args[] = { "config", "check", "-c", NULL, NULL };

	path = xasprintf("%s/examples/feedwatch.conf", test_env("FEEDWATCH_SRC"));
	args[3] = path;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
	free(path);
}
END_TEST

/* A missing config is named, with where its name came from, no line. */
START_TEST(test_missing_config)
{
	struct test_proc	 p;
	const char		*args[] = { "config", "check", "-c",
	    "/nonexistent/feedwatch.conf", NULL };
	const char		*status[] = { "status", NULL };

	test_run(&p, args);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strcmp(p.err, "feedwatch: config '/nonexistent/"
	    "feedwatch.conf': no such file (given by -c)\n") == 0, "%s",
	    p.err);
	test_proc_clear(&p);
	setenv("FEEDWATCH_CONFIG", "/nonexistent/env.conf", 1);
	test_run(&p, status);
	ck_assert_int_eq(p.status, 2);
	ck_assert_msg(strcmp(p.err, "feedwatch: config '/nonexistent/"
	    "env.conf': no such file (given by $FEEDWATCH_CONFIG)\n") == 0,
	    "%s", p.err);
	test_proc_clear(&p);
	unsetenv("FEEDWATCH_CONFIG");
}
END_TEST

Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("config");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_bad_config, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_every_error_reported);
	tcase_add_test(tc, test_errors_in_line_order);
	tcase_add_test(tc, test_nul_byte_line);
	tcase_add_test(tc, test_spec_example_loads);
	tcase_add_test(tc, test_example_config_loads);
	tcase_add_test(tc, test_missing_config);
	suite_add_tcase(s, tc);
	return s;
}
