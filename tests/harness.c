/* harness.c: the rig of the suites that run feedwatch against live feeds. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "httpd.h"
#include "suites.h"
#include "xmalloc.h"

/* The bound of each wait: generous, so a slow machine is only slower. */
#define HARNESS_WAIT	15.0

void
harness_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	h->httpd = httpd_start();
	h->dir = test_tmpdir();
	h->state = xasprintf("%s/state.db", h->dir);
	h->interval = "1s";
	h->alerts = xasprintf("%s/alerts.jsonl", h->dir);
	h->log = xasprintf("%s/daemon.log", h->dir);
	h->items = g_string_new("");
}

void
harness_release(struct harness *h)
{
	httpd_stop(h->httpd);
	test_rmtree(h->dir);
	g_string_free(h->items, TRUE);
	free(h->dir);
	free(h->conf);
	free(h->state);
	free(h->alerts);
	free(h->log);
}

char *
harness_item(const char *guid, const char *title, const char *link)
{
	return xasprintf("<item><title>%s</title><guid>%s</guid>"
	    "<link>%s</link><pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate>"
	    "</item>", title, guid, link);
}

void
harness_publish(struct harness *h, const char *path, const char *items)
{
	char	*body, etag[32];

	body = xasprintf("<rss version=\"2.0\"><channel><title>%s</title>"
	    "<link>https://example.org/</link>%s</channel></rss>", path, items);
	snprintf(etag, sizeof(etag), "\"v%d\"", ++h->version);
	httpd_route(h->httpd, path, 200, "application/rss+xml", body,
	    strlen(body), etag);
	free(body);
}

void
harness_add(struct harness *h, const char *guid, const char *title)
{
	char	*link, *item;

	link = xasprintf("https://live.example.org/%s", guid);
	item = harness_item(guid, title, link);
	g_string_prepend(h->items, item);
	free(item);
	free(link);
	harness_publish(h, "/live.xml", h->items->str);
}

char *
harness_config_text(const struct harness *h, const char *state,
    const char *daemon, const char *sections)
{
	return xasprintf("[daemon]\nstate = %s\ninterval = %s\njitter = 0%%\n"
	    "backfill = 36500d\n%s\n[sink log]\ntype = file\npath = %s\n\n%s",
	    state, h->interval, daemon, h->alerts, sections);
}

void
harness_config(struct harness *h, const char *daemon, const char *sections)
{
	char	*text;

	text = harness_config_text(h, h->state, daemon, sections);
	free(h->conf);
	h->conf = test_write(h->dir, "feedwatch.conf", text);
	free(text);
}

char *
harness_feed_section(const struct harness *h, const char *name,
    const char *path, const char *extra)
{
	char	*url, *s;

	url = httpd_url(h->httpd, path);
	s = xasprintf("[feed %s]\nurl = %s\n%s\n", name, url, extra);
	free(url);
	return s;
}

char *
harness_live_sections(const struct harness *h, const char *extra)
{
	char	*feed, *s;

	feed = harness_feed_section(h, "live", "/live.xml", "");
	s = xasprintf("%s[topic lavrov]\nquery = Lavrov\n\n%s", feed, extra);
	free(feed);
	return s;
}

void
harness_live(struct harness *h)
{
	char	*sections;

	harness_add(h, "a1", "Lavrov meets Pompeo");
	harness_add(h, "a2", "Markets rise");
	sections = harness_live_sections(h, "");
	harness_config(h, "", sections);
	free(sections);
}

void
harness_wire(struct harness *h, const char *daemon,
    const char *const *policy, const char *sinks)
{
	static const char *const none[HARNESS_WIRE_TOPICS] = { "", "", "" };
	char	*path, *feed, *section, *sections;

	if (policy == NULL)
		policy = none;
	path = xasprintf("%s/tests/data/outbox/wire.xml",
	    test_env("FEEDWATCH_SRC"));
	feed = test_slurp(path);
	httpd_route(h->httpd, "/wire.xml", 200, "application/rss+xml", feed,
	    strlen(feed), "\"wire-1\"");
	section = harness_feed_section(h, "wire", "/wire.xml", "");
	sections = xasprintf("%s[topic crimea]\nquery = Crimea OR Krym\n%s\n"
	    "[topic lavrov]\nquery = Lavrov\n%s\n[topic ukraine]\n"
	    "query = Ukraine OR Ukrainian OR Kyiv\n%s\n%s", section, policy[0],
	    policy[1], policy[2], sinks);
	harness_config(h, daemon, sections);
	free(sections);
	free(section);
	g_free(feed);
	free(path);
}

void
harness_run(struct harness *h)
{
	const char	*args[] = { "run", "-v", "-c", h->conf, NULL };

	h->pid = test_spawn(args, h->log);
}

void
harness_stop(struct harness *h)
{
	char	*log;

	ck_assert_int_eq(kill(h->pid, SIGTERM), 0);
	if (test_wait(h->pid, HARNESS_WAIT) != 0) {
		log = test_slurp(h->log);
		ck_abort_msg("feedwatch run did not exit 0 on SIGTERM: %s",
		    log);
	}
}

void
harness_wait_hits(struct harness *h, const char *path, unsigned int n)
{
	unsigned int	 got;

	got = httpd_wait_hits(h->httpd, path, n, HARNESS_WAIT);
	ck_assert_msg(got >= n, "%s: %u requests, want %u", path, got, n);
}

void
harness_alerted_exactly(const struct harness *h, const char *const *ids)
{
	char	*text, *needle;
	size_t	 i;

	text = test_slurp(h->alerts);
	for (i = 0; ids[i] != NULL; i++) {
		needle = xasprintf("\"id\":\"%s\"", ids[i]);
		ck_assert_msg(test_count_lines(text, needle) == 1,
		    "item %s alerted %d times: %s", ids[i],
		    test_count_lines(text, needle), text);
		free(needle);
	}
	ck_assert_msg(test_count_lines(text, "\"alert_id\":") == (int)i,
	    "%d alerts for %zu items: %s", test_count_lines(text,
	    "\"alert_id\":"), i, text);
	g_free(text);
}

json_t *
harness_status(const struct harness *h)
{
	struct test_proc	 p;
	const char		*args[] = { "status", "--json", "-c", h->conf,
	    NULL };
	json_t			*o;

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "status: exit %d: %s", p.status, p.err);
	o = json_loads(p.out, 0, NULL);
	ck_assert_msg(o != NULL, "status printed no JSON: %s", p.out);
	test_proc_clear(&p);
	return o;
}

/* The object named 'name' in the array 'list' of 'status'. */
static json_t *
entry(json_t *status, const char *list, const char *name)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(status, list), i, e)
		if (strcmp(json_string_value(json_object_get(e, "name")),
		    name) == 0)
			return e;
	ck_abort_msg("no '%s' in the %s of status", name, list);
	return NULL;
}

json_t *
harness_feed(json_t *status, const char *name)
{
	return entry(status, "feeds", name);
}

json_t *
harness_sink(json_t *status, const char *name)
{
	return entry(status, "sinks", name);
}
