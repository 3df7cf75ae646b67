/*
 * check_url.c: which URLs feedwatch takes as links, and how it shows one
 * that carries a secret.
 */
#include "suites.h"

#include <stdlib.h>

#include "url.h"

START_TEST(test_is_web)
{
	static const char *const good[] = {
		"http://example.org", "https://example.org/a?b=c#d",
		"HTTPS://Example.org:8443/", "http://user:pw@host/",
		"http://[::1]:8080/x", "https://xn--80ak6aa92e.com/",
	};
	static const char *const bad[] = {
		"javascript:alert(1)", "file:///etc/passwd", "data:text/html,x",
		"ftp://example.org/", "//example.org/", "/relative", "",
		"http://", "https:///path", "http://:80/", "http://user@/",
		"http://ex ample.org/", "http://example.org/\n[sink x]",
		"http://example.org/\"onclick", "http://example.org/<b>",
		"http://example.org/\x7f", "jav\tascript:x", "https:example.org",
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(url_is_web(good[i]), "'%s' refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!url_is_web(bad[i]), "'%s' taken", bad[i]);
	ck_assert(!url_is_web(NULL));
}
END_TEST

START_TEST(test_redact)
{
	static const char *const cases[][2] = {
		{ "https://user:s3cret@feeds.example.org/rss",
		  "https://***@feeds.example.org/rss" },
		{ "https://a@b@host/x?y@z", "https://***@host/x?y@z" },
		{ "https://host/feed?token=abc&page=2",
		  "https://host/feed?token=***&page=2" },
		{ "https://host/f?API_KEY=1;x=2&access_token=3#frag",
		  "https://host/f?API_KEY=***;x=2&access_token=***#frag" },
		{ "https://host/f?password=&q=crimea",
		  "https://host/f?password=***&q=crimea" },
		{ "https://host/path@not-userinfo", "https://host/path@not-userinfo" },
		{ "https://host/s?keyword=crimea&author=jd&apiKey=9&oauth=1",
		  "https://host/s?keyword=crimea&author=jd&apiKey=***&oauth=***" },
		{ "https://host/s?x.sig=1&client-secret=2&sessionid=3",
		  "https://host/s?x.sig=***&client-secret=***&sessionid=***" },
		{ "file:///home/u/feed.xml", "file:///home/u/feed.xml" },
		{ "not a url", "not a url" },
	};
	size_t	 i;
	char	*r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = url_redact(cases[i][0]);
		ck_assert_str_eq(r, cases[i][1]);
		free(r);
	}
	ck_assert_ptr_null(url_redact(NULL));
}
END_TEST

Suite *
url_suite(void)
{
	Suite	*s = suite_create("url");
	TCase	*tc = tcase_create("url");

	tcase_add_test(tc, test_is_web);
	tcase_add_test(tc, test_redact);
	suite_add_tcase(s, tc);
	return s;
}
