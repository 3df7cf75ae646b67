/*
 * check_push.c: WebSub push (daemon/push.h) against a hub that follows
 * the Recommendation, tests/hub.py, on 127.0.0.1: discovery (the feed's
 * links, a Link header first), subscription and verification of intent,
 * pushes signed with each method, unsigned, badly signed and to an
 * unknown callback, lease renewal, denial, a hub that is down, unsubscribe
 * on reload, kill -9 between a push and its record, the push interval,
 * a state of the schema before push upgraded, and a push through the poll
 * path's later steps (article fetch, mute, status).
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

struct hub {
	GPid		 pid;
	int		 port;
};

/* tests/hub.py with 'opt' ("--lease 4", "--deny" or NULL). */
static void
hub_start(struct hub *hub, const char *opt, const char *arg)
{
	char		*script, line[32];
	const char	*argv[6];
	GError		*err = NULL;
	gint		 out;
	FILE		*f;
	int		 n = 0;

	test_need("/usr/bin/python3", "python3");
	script = xasprintf("%s/tests/hub.py", test_env("FEEDWATCH_SRC"));
	argv[n++] = "/usr/bin/python3";
	argv[n++] = script;
	if (opt != NULL)
		argv[n++] = opt;
	if (arg != NULL)
		argv[n++] = arg;
	argv[n] = NULL;
	ck_assert_msg(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &hub->pid, NULL, &out, NULL,
	    &err), "cannot start hub.py: %s", err ? err->message : "?");
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL,
	    "hub.py printed no port");
	fclose(f);
	hub->port = atoi(line);
	ck_assert_int_gt(hub->port, 0);
	free(script);
}

static void
hub_stop(struct hub *hub)
{
	if (hub->pid == 0)
		return;
	kill(hub->pid, SIGTERM);
	waitpid(hub->pid, NULL, 0);
	g_spawn_close_pid(hub->pid);
}

/* The hub's view of topic 'topic' (a new reference), or NULL. */
static json_t *
hub_sub(const struct hub *hub, const char *topic)
{
	json_t	*all, *one;
	char	*url, *body;
	long	 code;

	url = xasprintf("http://127.0.0.1:%d/subs", hub->port);
	body = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	ck_assert_ptr_nonnull(all = json_loads(body, 0, NULL));
	if ((one = json_object_get(all, topic)) != NULL)
		json_incref(one);
	json_decref(all);
	g_free(body);
	free(url);
	return one;
}

static long
hub_count(const struct hub *hub, const char *topic, const char *what)
{
	json_t	*s = hub_sub(hub, topic);
	long	 n;

	if (s == NULL)
		return 0;
	n = json_is_true(json_object_get(s, what)) ? 1 :
	    (long)json_number_value(json_object_get(s, what));
	json_decref(s);
	return n;
}

/* Waits until the hub's 'what' of 'topic' reaches 'n'; its value. */
static long
hub_wait(const struct hub *hub, const char *topic, const char *what, long n)
{
	long	 v = 0;
	int	 i;

	for (i = 0; i < WAIT * 20 && (v = hub_count(hub, topic, what)) < n;
	    i++)
		g_usleep(50000);
	return v;
}

/*
 * Has the hub push 'body' for 'topic' with signature 'sig' (to
 * 'callback' if not NULL): the status the callback answered.
 */
static long
hub_push(const struct hub *hub, const struct harness *h, const char *topic,
    const char *sig, const char *body, const char *callback)
{
	char	*file, *etopic, *ecb = NULL, *url, *out;
	json_t	*codes;
	long	 code, st = -1;

	file = test_write(h->dir, "push.xml", body);
	etopic = g_uri_escape_string(topic, NULL, FALSE);
	if (callback != NULL)
		ecb = g_uri_escape_string(callback, NULL, FALSE);
	url = xasprintf("http://127.0.0.1:%d/push?topic=%s&sig=%s&file=%s%s%s",
	    hub->port, etopic, sig, file, ecb ? "&callback=" : "",
	    ecb ? ecb : "");
	out = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	ck_assert_ptr_nonnull(codes = json_loads(out, 0, NULL));
	if (json_array_size(codes) == 1)
		st = (long)json_integer_value(json_array_get(codes, 0));
	json_decref(codes);
	g_free(out);
	free(url);
	g_free(ecb);
	g_free(etopic);
	free(file);
	return st;
}

/* An RSS document of 'items' naming 'hub' and 'self' (either NULL). */
static char *
rss(const char *hub, const char *self, const char *items)
{
	return xasprintf("<?xml version=\"1.0\"?>\n<rss version=\"2.0\" "
	    "xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>"
	    "<title>Pushed News</title><link>https://example.org/</link>"
	    "%s%s%s%s%s%s%s</channel></rss>\n",
	    hub ? "<atom:link rel=\"hub\" href=\"" : "", hub ? hub : "",
	    hub ? "\"/>" : "",
	    self ? "<atom:link rel=\"self\" href=\"" : "", self ? self : "",
	    self ? "\"/>" : "", items);
}

struct rig {
	struct harness	 h;
	struct hub	 hub;
	int		 port;		/* the daemon's listener */
	char		*hub_url;	/* the hub, as the feed names it */
	char		*topic;		/* /pushed.xml's URL, its self */
	char		*items;		/* of /pushed.xml, newest first */
	int		 version;
};

/* Serves /pushed.xml: rig->items under a new ETag, naming 'hub'. */
static void
rig_serve(struct rig *r, const char *hub)
{
	char	*body, etag[32];

	body = rss(hub, r->topic, r->items);
	snprintf(etag, sizeof(etag), "\"p%d\"", ++r->version);
	httpd_route(r->h.httpd, "/pushed.xml", 200, "application/rss+xml",
	    body, strlen(body), etag);
	free(body);
}

/*
 * A hub (with 'opt' and 'arg'), the daemon's listener on a free port
 * with push-url /push/ on it, /pushed.xml naming the hub with item p1
 * (Lavrov), and a config for it: polls every 'interval' (NULL: 1s), the
 * 'daemon' lines, feed 'pushed', topic 'lavrov'.
 */
static void
rig_init(struct rig *r, const char *opt, const char *arg,
    const char *interval, const char *daemon)
{
	char	*lines, *sections, *feed;

	memset(r, 0, sizeof(*r));
	harness_init(&r->h);
	if (interval != NULL)
		r->h.interval = interval;
	hub_start(&r->hub, opt, arg);
	r->port = test_free_port();
	r->hub_url = xasprintf("http://127.0.0.1:%d/", r->hub.port);
	r->topic = httpd_url(r->h.httpd, "/pushed.xml");
	r->items = harness_item("p1", "Lavrov lands in Ankara",
	    "https://example.org/p1");
	rig_serve(r, r->hub_url);
	lines = xasprintf("listen = 127.0.0.1:%d\npush-url = "
	    "http://127.0.0.1:%d/push/\n%s", r->port, r->port,
	    daemon ? daemon : "");
	feed = harness_feed_section(&r->h, "pushed", "/pushed.xml", "");
	sections = xasprintf("%s\n[topic lavrov]\nquery = Lavrov\n", feed);
	harness_config(&r->h, lines, sections);
	free(sections);
	free(feed);
	free(lines);
}

static void
rig_release(struct rig *r)
{
	hub_stop(&r->hub);
	free(r->hub_url);
	free(r->topic);
	free(r->items);
	harness_release(&r->h);
}

/* Adds an item on top of /pushed.xml; the one-item document to push. */
static char *
rig_item(struct rig *r, const char *guid, const char *title)
{
	char	*item, *items, *doc, *link;

	link = xasprintf("https://example.org/%s", guid);
	item = harness_item(guid, title, link);
	free(link);
	items = xasprintf("%s%s", item, r->items);
	free(r->items);
	r->items = items;
	doc = rss(NULL, NULL, item);
	free(item);
	return doc;
}

static void
wait_verified(struct rig *r)
{
	char	*log;

	if (hub_wait(&r->hub, r->topic, "active", 1) == 1)
		return;
	log = test_slurp(r->h.log);
	ck_abort_msg("not subscribed; log: %s", log);
}

static char *
metrics(const struct rig *r)
{
	char	*url, *body;
	long	 code;

	url = xasprintf("http://127.0.0.1:%d/metrics", r->port);
	body = test_http_get(url, &code);
	ck_assert_int_eq(code, 200);
	free(url);
	return body;
}

static int
no_item(const struct feed_item *it, void *arg)
{
	return 0;
}

/* The parser reports a feed's hub and self, Atom's and atom:link in RSS. */
START_TEST(test_discovery)
{
	static const struct {
		const char	*file, *hub, *self;
	} cases[] = {
		{ "atom.xml", "https://pubsubhubbub.appspot.com/",
		    "https://blog.example.org/feed/atom/" },
		{ "rss.xml", "https://websub.example.net/hub",
		    "https://news.example.com/world/rss.xml" },
		{ "none.xml", NULL, NULL },
	};
	struct feed_parser	*p;
	char			*path, *doc;
	size_t			 i;

	feed_parser_global_init();
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		path = xasprintf("%s/tests/data/websub/%s",
		    test_env("FEEDWATCH_SRC"), cases[i].file);
		doc = test_slurp(path);
		p = feed_parser_new("https://example.org/", NULL, no_item, NULL);
		ck_assert_int_eq(feed_parser_push(p, doc, strlen(doc)), 0);
		ck_assert_msg(feed_parser_finish(p) == 0, "%s: %s",
		    cases[i].file, feed_parser_error(p));
		ck_assert_pstr_eq(feed_parser_hub(p), cases[i].hub);
		ck_assert_pstr_eq(feed_parser_self(p), cases[i].self);
		feed_parser_free(p);
		g_free(doc);
		free(path);
	}
}
END_TEST

/*
 * Subscribed with a secret and an unguessable callback; pushes signed
 * with each method alert at once, without a poll; unsigned, badly signed
 * and unknown-callback pushes are acknowledged and dropped, and counted;
 * verification of intent is refused for what the daemon did not ask.
 */
START_TEST(test_subscribe_push)
{
	static const char *const sigs[] = { "sha1", "sha256", "sha384",
	    "sha512" };
	static const struct {
		const char	*guid, *title, *sig;
		int		 unknown;	/* to another callback */
	} drops[] = {
		{ "u1", "Lavrov unsigned", "none", 0 },
		{ "b1", "Lavrov badly signed", "bad", 0 },
		{ "k1", "Lavrov unknown callback", "sha256", 1 },
	};
	struct rig	 r;
	json_t		*s;
	char		*doc, *cb, *m, *url, *body, guid[16], title[64];
	const char	*callback;
	long		 code;
	size_t		 i, n429;

	rig_init(&r, NULL, NULL, "1h", NULL);
	harness_run(&r.h);
	wait_verified(&r);
	ck_assert_int_eq(test_wait_lines(r.h.alerts, "Ankara", 1, WAIT), 1);
	s = hub_sub(&r.hub, r.topic);
	callback = json_string_value(json_object_get(s, "callback"));
	cb = xasprintf("http://127.0.0.1:%d/push/", r.port);
	ck_assert_msg(g_str_has_prefix(callback, cb) &&
	    strlen(callback) == strlen(cb) + 32, "callback %s", callback);
	ck_assert_int_eq(json_integer_value(json_object_get(s,
	    "secret_bytes")), 64);

	/* each method, a new item each: alerted without a poll */
	for (i = 0; i < G_N_ELEMENTS(sigs); i++) {
		snprintf(guid, sizeof(guid), "s%zu", i);
		snprintf(title, sizeof(title), "Lavrov pushed %s", sigs[i]);
		doc = rig_item(&r, guid, title);
		ck_assert_int_eq(hub_push(&r.hub, &r.h, r.topic, sigs[i], doc,
		    NULL), 200);
		ck_assert_msg(test_wait_lines(r.h.alerts, title, 1, WAIT) == 1,
		    "no alert for '%s'; log: %s", title, test_slurp(r.h.log));
		free(doc);
	}
	/* the same push again alerts nothing more */
	doc = rig_item(&r, "s1", "Lavrov pushed sha256");
	ck_assert_int_eq(hub_push(&r.hub, &r.h, r.topic, "sha256", doc, NULL),
	    200);
	free(doc);
	/* acknowledged, dropped */
	url = xasprintf("%s%032d", cb, 7);
	for (i = 0; i < G_N_ELEMENTS(drops); i++) {
		doc = rig_item(&r, drops[i].guid, drops[i].title);
		ck_assert_int_eq(hub_push(&r.hub, &r.h, r.topic, drops[i].sig,
		    doc, drops[i].unknown ? url : NULL), 200);
		free(doc);
	}
	free(url);
	g_usleep(500000);
	ck_assert_int_eq(test_lines_with(r.h.alerts, "sha256"), 1);
	ck_assert_int_eq(test_lines_with(r.h.alerts, "unsigned"), 0);
	ck_assert_int_eq(test_lines_with(r.h.alerts, "badly"), 0);
	ck_assert_int_eq(test_lines_with(r.h.alerts, "unknown callback"), 0);
	m = metrics(&r);
	ck_assert_msg(strstr(m, "feedwatch_pushes_total{result=\"accepted\"} "
	    "5\n") != NULL && strstr(m, "{result=\"no signature\"} 1\n") !=
	    NULL && strstr(m, "{result=\"bad signature\"} 1\n") != NULL &&
	    strstr(m, "{result=\"unknown callback\"} 1\n") != NULL,
	    "metrics: %s", m);
	g_free(m);

	/* verification of intent: only what the daemon asked for */
	url = xasprintf("%s?hub.mode=subscribe&hub.topic=%s&hub.challenge=x"
	    "&hub.lease_seconds=9", callback, "http://elsewhere.example/");
	body = test_http_get(url, &code);
	ck_assert_int_eq(code, 404);
	g_free(body);
	free(url);
	url = xasprintf("%s?hub.mode=unsubscribe&hub.topic=%s&hub.challenge=x",
	    callback, r.topic);
	body = test_http_get(url, &code);
	ck_assert_int_eq(code, 404);
	g_free(body);
	free(url);
	url = xasprintf("%s%032d?hub.mode=subscribe&hub.topic=%s"
	    "&hub.challenge=x", cb, 7, r.topic);
	body = test_http_get(url, &code);
	ck_assert_int_eq(code, 404);
	g_free(body);
	free(url);

	/* a burst past 10 for one subscription: 429 */
	doc = rig_item(&r, "r1", "Lavrov again and again");
	for (i = 0, n429 = 0; i < 15; i++)
		n429 += hub_push(&r.hub, &r.h, r.topic, "sha256", doc,
		    NULL) == 429;
	ck_assert_int_ge(n429, 1);
	ck_assert_int_eq(test_wait_lines(r.h.alerts, "again and again", 1,
	    WAIT), 1);
	free(doc);

	/* pushed: one poll at start, none since (interval 1h) */
	ck_assert_uint_eq(httpd_hits(r.h.httpd, "/pushed.xml"), 1);
	json_decref(s);
	free(cb);
	harness_stop(&r.h);
	rig_release(&r);
}
END_TEST

/* Lines of the daemon's log holding 'needle'. */
static int
log_has(const struct rig *r, const char *needle)
{
	return test_wait_lines(r->h.log, needle, 1, WAIT);
}

/*
 * A Link header names the hub and self before the feed's own links; a
 * hub granting short leases is renewed before each ends; when the hub
 * goes away the lease lapses and polling comes back.
 */
START_TEST(test_lease_renewal)
{
	struct rig	 r;
	char		*link, *dead;
	unsigned int	 hits;

	rig_init(&r, "--lease", "4", NULL, NULL);
	dead = xasprintf("http://127.0.0.1:%d/", test_free_port());
	link = xasprintf("<%s>; rel=\"hub\", <%s>; rel=\"self\"", r.hub_url,
	    r.topic);
	httpd_route_header(r.h.httpd, "/pushed.xml", "Link", link);
	rig_serve(&r, dead);
	harness_run(&r.h);
	wait_verified(&r);
	/* renewed twice: at 80% of each 4 s lease */
	ck_assert_int_ge(hub_wait(&r.hub, r.topic, "verifications", 3), 3);
	ck_assert_int_ge(hub_count(&r.hub, r.topic, "subscribes"), 3);
	ck_assert_int_eq(hub_count(&r.hub, r.topic, "active"), 1);
	/* polled at most until each lease ends, not every second */
	hits = httpd_hits(r.h.httpd, "/pushed.xml");
	ck_assert_msg(hits <= 6, "%u polls in about 8 s", hits);
	/* the hub goes: the lease lapses, polls come back every second */
	hub_stop(&r.hub);
	r.hub.pid = 0;
	harness_wait_hits(&r.h, "/pushed.xml", hits + 4);
	ck_assert_int_ge(log_has(&r, "subscription request failed"), 1);
	harness_stop(&r.h);
	free(dead);
	free(link);
	rig_release(&r);
}
END_TEST

/* A hub that denies: logged, asked again later, polling goes on. */
START_TEST(test_denied)
{
	struct rig	 r;
	json_t		*st, *push;

	rig_init(&r, "--deny", NULL, NULL, NULL);
	harness_run(&r.h);
	ck_assert_int_eq(hub_wait(&r.hub, r.topic, "denials", 1), 1);
	ck_assert_int_ge(log_has(&r, "denied the subscription; asked again "
	    "in 60s"), 1);
	harness_wait_hits(&r.h, "/pushed.xml", 4);
	ck_assert_int_eq(hub_count(&r.hub, r.topic, "active"), 0);
	st = harness_status(&r.h);
	push = json_object_get(harness_feed(st, "pushed"), "push");
	ck_assert_str_eq(json_string_value(json_object_get(push, "state")),
	    "denied");
	json_decref(st);
	harness_stop(&r.h);
	rig_release(&r);
}
END_TEST

/* A hub that is down: the feed is polled as usual and alerts. */
START_TEST(test_hub_down)
{
	struct rig	 r;
	char		*dead, *doc;

	rig_init(&r, NULL, NULL, NULL, NULL);
	dead = xasprintf("http://127.0.0.1:%d/hub", test_free_port());
	rig_serve(&r, dead);
	harness_run(&r.h);
	ck_assert_int_ge(log_has(&r, "subscription request failed"), 1);
	doc = rig_item(&r, "d1", "Lavrov polled anyway");
	rig_serve(&r, dead);
	ck_assert_int_eq(test_wait_lines(r.h.alerts, "polled anyway", 1,
	    WAIT), 1);
	harness_wait_hits(&r.h, "/pushed.xml", 4);
	harness_stop(&r.h);
	free(doc);
	free(dead);
	rig_release(&r);
}
END_TEST

static int
count_subs(const char *state)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	int		 n;

	ck_assert_int_eq(sqlite3_open(state, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM sub",
	    -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* A feed removed from the config (SIGHUP) is unsubscribed, verified. */
START_TEST(test_unsubscribe_on_reload)
{
	struct rig	 r;
	char		*lines;

	rig_init(&r, NULL, NULL, NULL, NULL);
	harness_run(&r.h);
	wait_verified(&r);
	lines = xasprintf("listen = 127.0.0.1:%d\npush-url = "
	    "http://127.0.0.1:%d/push/\n", r.port, r.port);
	harness_config(&r.h, lines, "");
	kill(r.h.pid, SIGHUP);
	ck_assert_int_eq(hub_wait(&r.hub, r.topic, "unsubscribes", 1), 1);
	ck_assert_int_ge(log_has(&r, "feed 'pushed': unsubscribed"), 1);
	ck_assert_int_eq(hub_count(&r.hub, r.topic, "active"), 0);
	harness_stop(&r.h);
	ck_assert_int_eq(count_subs(r.h.state), 0);
	free(lines);
	rig_release(&r);
}
END_TEST

/*
 * push-url removed (SIGHUP): every feed is unsubscribed, and polled at
 * its interval again at once, not after push-interval.
 */
START_TEST(test_push_url_removed)
{
	struct rig	 r;
	char		*lines, *feed;
	unsigned int	 hits;

	rig_init(&r, NULL, NULL, NULL, NULL);
	harness_run(&r.h);
	wait_verified(&r);
	/* the poll after the verification sets the next one 6h off */
	harness_wait_hits(&r.h, "/pushed.xml", 2);
	g_usleep(2500000);
	hits = httpd_hits(r.h.httpd, "/pushed.xml");
	ck_assert_msg(hits <= 3, "pushed, yet polled %u times", hits);
	lines = xasprintf("listen = 127.0.0.1:%d\n", r.port);
	feed = harness_feed_section(&r.h, "pushed", "/pushed.xml", "");
	harness_config(&r.h, lines, feed);
	kill(r.h.pid, SIGHUP);
	ck_assert_int_eq(hub_wait(&r.hub, r.topic, "unsubscribes", 1), 1);
	ck_assert_int_ge(log_has(&r, "feed 'pushed': unsubscribed"), 1);
	hits = httpd_hits(r.h.httpd, "/pushed.xml");
	harness_wait_hits(&r.h, "/pushed.xml", hits + 2);
	ck_assert_int_eq(hub_count(&r.hub, r.topic, "subscribes"), 1);
	harness_stop(&r.h);
	ck_assert_int_eq(count_subs(r.h.state), 0);
	free(feed);
	free(lines);
	rig_release(&r);
}
END_TEST

/*
 * kill -9 right after a push: the item alerts once, from the push (if
 * its group was committed) or from the next poll.
 */
START_TEST(test_kill9_push)
{
	struct rig	 r;
	char		*doc, *log;

	rig_init(&r, NULL, NULL, NULL, "push-interval = 2s\n");
	harness_run(&r.h);
	wait_verified(&r);
	doc = rig_item(&r, "k9", "Lavrov survives a crash");
	rig_serve(&r, r.hub_url);
	ck_assert_int_eq(hub_push(&r.hub, &r.h, r.topic, "sha256", doc, NULL),
	    200);
	kill(r.h.pid, SIGKILL);
	ck_assert_int_eq(test_wait(r.h.pid, 5), 128 + SIGKILL);
	harness_run(&r.h);
	ck_assert_int_eq(test_wait_lines(r.h.alerts, "survives a crash", 1,
	    WAIT), 1);
	/* a poll or two more (every 2 s): still once */
	harness_wait_hits(&r.h, "/pushed.xml",
	    httpd_hits(r.h.httpd, "/pushed.xml") + 2);
	log = test_slurp(r.h.log);
	ck_assert_msg(test_lines_with(r.h.alerts, "survives a crash") == 1,
	    "log: %s", log);
	g_free(log);
	harness_stop(&r.h);
	free(doc);
	rig_release(&r);
}
END_TEST

/*
 * A push goes the poll path's whole way: for a content = full feed the
 * article of a pushed item is fetched and matched (an alert from its body
 * alone); a muted topic does not alert for a pushed item; the text status
 * shows the feed's hub and subscription state.
 */
START_TEST(test_push_poll_path)
{
	struct rig	 r;
	struct test_proc p;
	const char	*mute[] = { "mute", "lavrov", "-c", NULL, NULL };
	const char	*status[] = { "status", "-c", NULL, NULL };
	gchar		**parts;
	char		*text, *page, *link, *doc, *row;
	json_t		*a;
	gsize		 len;

	rig_init(&r, NULL, NULL, "1h", "content = full\n");
	mute[3] = status[2] = r.h.conf;
	/* the article of a pushed teaser names Lavrov in its body only */
	page = xasprintf("%s/tests/data/articles/port-comments.html",
	    test_env("FEEDWATCH_SRC"));
	ck_assert(g_file_get_contents(page, &text, &len, NULL));
	free(page);
	parts = g_strsplit(text, "Chornomorsk", -1);
	g_free(text);
	text = g_strjoinv("Lavrov", parts);
	g_strfreev(parts);
	httpd_route(r.h.httpd, "/p1.html", 200, "text/html", "<p>Lavrov",
	    9, NULL);
	httpd_route(r.h.httpd, "/s1.html", 200, "text/html; charset=utf-8",
	    text, strlen(text), NULL);
	g_free(text);
	/* every link on 127.0.0.1: the articles are fetched */
	free(r.items);
	link = httpd_url(r.h.httpd, "/p1.html");
	r.items = harness_item("p1", "Lavrov lands in Ankara", link);
	free(link);
	rig_serve(&r, r.hub_url);
	harness_run(&r.h);
	wait_verified(&r);
	ck_assert_int_eq(test_wait_lines(r.h.alerts, "Ankara", 1, WAIT), 1);

	link = httpd_url(r.h.httpd, "/s1.html");
	free(r.items);
	r.items = harness_item("s1", "Night loading is back", link);
	doc = rss(NULL, NULL, r.items);
	free(link);
	ck_assert_int_eq(hub_push(&r.hub, &r.h, r.topic, "sha256", doc, NULL),
	    200);
	free(doc);
	ck_assert_msg(test_wait_lines(r.h.alerts, "Night loading", 1, WAIT) ==
	    1, "no alert from the pushed item's article; log: %s",
	    test_slurp(r.h.log));
	text = test_slurp(r.h.alerts);
	ck_assert_ptr_nonnull(row = strstr(text, "Night loading"));
	while (row > text && row[-1] != '\n')
		row--;
	ck_assert_ptr_nonnull(a = json_loadb(row, strcspn(row, "\n"), 0,
	    NULL));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a,
	    "matched_in"), 0)), "body");
	json_decref(a);
	g_free(text);
	ck_assert_uint_eq(httpd_hits(r.h.httpd, "/s1.html"), 1);

	test_run(&p, mute);
	ck_assert_int_eq(p.status, 0);
	test_proc_clear(&p);
	/* the daemon reads the mutes again within STORE_MUTES_TTL */
	g_usleep(1500000);
	doc = rig_item(&r, "m1", "Lavrov muted meanwhile");
	ck_assert_int_eq(hub_push(&r.hub, &r.h, r.topic, "sha256", doc, NULL),
	    200);
	free(doc);
	ck_assert_int_ge(log_has(&r, "matches topic 'lavrov', which is "
	    "muted"), 1);
	ck_assert_int_eq(test_lines_with(r.h.alerts, "muted meanwhile"), 0);

	test_run(&p, status);
	ck_assert_int_eq(p.status, 0);
	row = xasprintf("\n%-20s %-13s ", "pushed", "verified");
	ck_assert_msg(strstr(p.out, "pushed: 1 feed (1 verified)") != NULL &&
	    strstr(p.out, row) != NULL && strstr(p.out, r.hub_url) != NULL,
	    "status: %s", p.out);
	free(row);
	test_proc_clear(&p);
	harness_stop(&r.h);
	rig_release(&r);
}
END_TEST

/* A state of the schema before push (6) is upgraded and subscribes. */
START_TEST(test_state_upgrade)
{
	struct rig	 r;
	sqlite3		*db;
	char		*upgraded;

	rig_init(&r, NULL, NULL, NULL, "push-interval = 1s\n");
	harness_run(&r.h);
	wait_verified(&r);
	harness_stop(&r.h);
	ck_assert_int_eq(sqlite3_open(r.h.state, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TABLE sub; PRAGMA "
	    "user_version = 6", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	/* discovery reads bodies: a 304 says nothing of hubs */
	rig_serve(&r, r.hub_url);
	harness_run(&r.h);
	upgraded = xasprintf("upgraded from schema 6 to %d",
	    STORE_SCHEMA_VERSION);
	ck_assert_int_ge(log_has(&r, upgraded), 1);
	free(upgraded);
	ck_assert_int_ge(hub_wait(&r.hub, r.topic, "verifications", 2), 2);
	harness_stop(&r.h);
	ck_assert_int_eq(count_subs(r.h.state), 1);
	rig_release(&r);
}
END_TEST

Suite *
push_suite(void)
{
	const TTest	*tests[] = { test_discovery, test_subscribe_push,
	    test_lease_renewal, test_denied, test_hub_down,
	    test_unsubscribe_on_reload, test_push_url_removed, test_kill9_push,
	    test_state_upgrade, test_push_poll_path,
	    NULL };

	return test_tcase(suite_create("push"), "push", 60, tests);
}
