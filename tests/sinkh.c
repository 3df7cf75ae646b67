/*
 * sinkh.c: the sink suites' harness: an event base, a curl multi handle
 * and a webhook receiver per test, alerts made by alert.c, and what
 * reads the messages a sink sent.
 */
#include "sinkh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <glib.h>
#include <netinet/in.h>

#include "alert.h"
#include "item.h"
#include "suites.h"
#include "xfer.h"
#include "xmalloc.h"

struct sinkh	*H;

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
dup_header(struct evkeyvalq *q, const char *name)
{
	const char	*v = evhttp_find_header(q, name);

	return v != NULL ? xstrdup(v) : NULL;
}

static void
on_http(struct evhttp_request *req, void *arg)
{
	struct sinkh		*h = arg;
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evbuffer		*body = evhttp_request_get_input_buffer(req);
	struct sinkh_req	*r;
	size_t			 len;
	int			 status = 200;
	const char		*methods[] = { "GET", "POST", "HEAD", "PUT" };
	int			 cmd = evhttp_request_get_command(req);

	if (strcmp(evhttp_request_get_uri(req), "/hang") == 0)
		return;		/* never answered: the sink's timeout ends it */
	ck_assert_uint_lt(h->nreqs, SINKH_MAX_REQS);
	r = &h->reqs[h->nreqs++];
	r->method = xstrdup(cmd == EVHTTP_REQ_POST ? methods[1] :
	    cmd == EVHTTP_REQ_PUT ? methods[3] : methods[0]);
	r->uri = xstrdup(evhttp_request_get_uri(req));
	r->ctype = dup_header(in, "Content-Type");
	r->key = dup_header(in, "Idempotency-Key");
	r->sig = dup_header(in, "X-Feedwatch-Signature");
	len = evbuffer_get_length(body);
	r->body = xmalloc(len + 1);
	evbuffer_remove(body, r->body, len);
	r->body[len] = '\0';
	if (h->next < h->nscript)
		status = h->script[h->next++];
	else if (h->nscript > 0)
		status = h->script[h->nscript - 1];
	if (h->retry_after != NULL && (status == 429 || status == 503))
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", h->retry_after);
	evhttp_send_reply(req, status, "Scripted", NULL);
}

static void
setup(void)
{
	struct evhttp_bound_socket	*sock;
	struct sockaddr_in		 sin;
	socklen_t			 sl = sizeof(sin);

	H = xcalloc(1, sizeof(*H));
	H->t0 = now();
	ck_assert_int_eq(xfer_global_init(), 0);
	ck_assert_ptr_nonnull(H->base = event_base_new());
	ck_assert_ptr_nonnull(H->m = xfer_multi_new(H->base));
	H->env.base = H->base;
	H->env.multi = H->m;
	H->env.user_agent = "feedwatch-test";
	ck_assert_ptr_nonnull(H->http = evhttp_new(H->base));
	evhttp_set_allowed_methods(H->http, EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_GET);
	evhttp_set_gencb(H->http, on_http, H);
	sock = evhttp_bind_socket_with_handle(H->http, "127.0.0.1", 0);
	ck_assert_ptr_nonnull(sock);
	ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(sock),
	    (struct sockaddr *)&sin, &sl), 0);
	H->port = ntohs(sin.sin_port);
	H->dir = test_tmpdir();
	H->conf.name = SINKH_W("test");
}

static void
teardown(void)
{
	size_t	 i;

	for (i = 0; i < H->nreqs; i++) {
		free(H->reqs[i].method);
		free(H->reqs[i].uri);
		free(H->reqs[i].ctype);
		free(H->reqs[i].key);
		free(H->reqs[i].sig);
		free(H->reqs[i].body);
	}
	for (i = 0; i < H->nalerts; i++)
		free(H->alerts[i]);
	free(H->alerts);
	free(H->conf.url);
	free(H->conf.smtp);
	free(H->conf.ca_file);
	evhttp_free(H->http);
	xfer_multi_free(H->m);
	event_base_free(H->base);
	test_rmtree(H->dir);
	free(H->dir);
	free(H);
	H = NULL;
}

TCase *
sinkh_tcase(Suite *s, const char *name, int secs)
{
	TCase	*tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, secs);
	suite_add_tcase(s, tc);
	return tc;
}

void
sinkh_done(enum sink_result r, long retry_after, const char *error, void *arg)
{
	struct sinkh_outcome	*o = arg;

	ck_assert_msg(!o->done, "done called twice");
	o->done = 1;
	o->result = r;
	o->retry_after = retry_after;
	snprintf(o->error, sizeof(o->error), "%s", error ? error : "");
	o->at = now() - H->t0;
}

void
sinkh_tick(evutil_socket_t fd, short what, void *arg)
{
}

void
sinkh_wait(size_t n, double secs)
{
	struct event	*tick;
	struct timeval	 tv = { 0, 20000 };
	double		 end = now() + secs;
	size_t		 i;

	tick = event_new(H->base, -1, EV_PERSIST, sinkh_tick, NULL);
	event_add(tick, &tv);
	for (;;) {
		for (i = 0; i < n && H->out[i].done; i++)
			;
		if (i == n)
			break;
		ck_assert_msg(now() < end, "no outcome after %.1fs", secs);
		event_base_loop(H->base, EVLOOP_ONCE);
	}
	event_free(tick);
}

struct sink *
sinkh_sink(void)
{
	struct sink	*s;
	char		 err[256];

	s = sink_new(&H->conf, &H->env, err, sizeof(err));
	ck_assert_msg(s != NULL, "sink_new: %s", err);
	return s;
}

struct sinkh_outcome *
sinkh_send(struct sink *s, const char *const *alerts, size_t n, size_t slot)
{
	memset(&H->out[slot], 0, sizeof(H->out[slot]));
	ck_assert_int_eq(sink_send(s, alerts, n, sinkh_done, &H->out[slot]), 0);
	ck_assert_msg(!H->out[slot].done, "outcome inside sink_send");
	sinkh_wait(slot + 1, 15);
	return &H->out[slot];
}

struct sinkh_outcome *
sinkh_send1(struct sink *s, const char *a, size_t slot)
{
	return sinkh_send(s, &a, 1, slot);
}

char *
sinkh_url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", H->port, path);
}

/* Keeps 'a' until the test ends. */
static const char *
keep(char *a)
{
	H->alerts = xreallocarray(H->alerts, H->nalerts + 1,
	    sizeof(*H->alerts));
	H->alerts[H->nalerts++] = a;
	return a;
}

const char *
sinkh_alert_from(int i, const char *title, const char *feed_title,
    const char *snippet, const char *link)
{
	static const char *const matched[] = { "crimea", "lavrov" };
	static const char *const also[] = { "reuters-world" };
	struct feed_item	 it;
	struct alert		 a;
	char			*id, *dlink, *json;

	id = xasprintf("w-%d", i);
	dlink = xasprintf("https://news.example.org/world/%d?a=1&b=2", i);
	memset(&it, 0, sizeof(it));
	it.feed = "https://news.example.org/rss.xml";
	it.feed_title = feed_title;
	it.id = id;
	it.title = title;
	it.link = link != NULL ? link : dlink;
	it.published = 1557858600 + i;
	it.updated = FEED_ITEM_NO_DATE;
	memset(&a, 0, sizeof(a));
	a.topic = "crimea";
	a.query = "Crimea OR Lavrov";
	a.feed = "world";
	a.feed_title = it.feed_title;
	a.item = &it;
	a.matched = matched;
	a.nmatched = 2;
	a.snippet = snippet;
	a.also_in = also;
	a.nalso_in = 1;
	a.detected = 1764234000;
	alert_set_id(&a);
	ck_assert_ptr_nonnull(json = alert_to_json(&a));
	free(id);
	free(dlink);
	return keep(json);
}

const char *
sinkh_alert(int i, const char *title)
{
	return sinkh_alert_from(i, title, "World & Co", "\xe2\x80\xa6"
	    "annexation of <Crimea> & talks with Lavrov\xe2\x80\xa6", NULL);
}

json_t *
sinkh_json(const char *s)
{
	json_error_t	 e;
	json_t		*j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "bad JSON (%s): %s", e.text, s);
	return j;
}

const char *
sinkh_get(const json_t *o, const char *key)
{
	const char	*v;

	v = json_string_value(json_object_get(o, key));
	ck_assert_msg(v != NULL, "no string '%s'", key);
	return v;
}

const char *const sinkh_links[SINKH_NLINKS] = {
	"javascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"file:///etc/passwd",
	SINKH_GOOD_LINK
};

/* 'alert' with the fields of 'set' (taken) instead of its own. */
static const char *
alert_with(const char *alert, json_t *set)
{
	json_t	*o = sinkh_json(alert);
	char	*s;

	ck_assert_ptr_nonnull(set);
	ck_assert_int_eq(json_object_update(o, set), 0);
	json_decref(set);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return keep(s);
}

const char *
sinkh_hostile(const char *text, const char *link)
{
	return alert_with(sinkh_alert_from(1, text, text, text, NULL),
	    json_pack("{s:s}", "link", link));
}

const char *
sinkh_alert_topic(int i, const char *topic)
{
	struct alert	 a;
	char		*seed = xasprintf("%s %d", topic, i);

	alert_set_id_from(&a, seed);
	free(seed);
	return alert_with(sinkh_alert(i, SINKH_TITLE), json_pack("{s:s, s:s, "
	    "s:[s]}", "alert_id", a.id, "topic", topic, "matched", topic));
}

const char *
sinkh_alert_priority(int i, const char *priority)
{
	return alert_with(sinkh_alert(i, SINKH_TITLE), json_pack("{s:s}",
	    "priority", priority));
}

void
sinkh_assert_no_bad_link(const char *s, const char *link)
{
	/* Its start: Slack or HTML escaping may change the rest. */
	char	*head = xstrndup(link, 15);

	if (strcmp(link, SINKH_GOOD_LINK) != 0)
		ck_assert_msg(strstr(s, head) == NULL, "'%s' in: %s", link, s);
	free(head);
}

/* What a reader sees of 's': escapes, entities and U+200B gone. */
static char *
seen(const char *s)
{
	static const char *const ent[][2] = {
		{ "&lt;", "<" }, { "&gt;", ">" }, { "&amp;", "&" },
		{ SINKH_ZWSP, "" }
	};
	GString	*g = g_string_new(NULL);
	size_t	 i;

	while (*s != '\0') {
		for (i = 0; i < sizeof(ent) / sizeof(ent[0]); i++)
			if (strncmp(s, ent[i][0], strlen(ent[i][0])) == 0)
				break;
		if (i < sizeof(ent) / sizeof(ent[0])) {
			g_string_append(g, ent[i][1]);
			s += strlen(ent[i][0]);
		} else if (*s == '\\' && g_ascii_ispunct(s[1])) {
			g_string_append_c(g, s[1]);
			s += 2;
		} else
			g_string_append_c(g, *s++);
	}
	return g_string_free(g, FALSE);
}

int
sinkh_hostile_count(const char *s)
{
	char		*u = seen(s);
	const char	*p = u;
	int		 n = 0;

	for (; (p = strstr(p, SINKH_HOSTILE)) != NULL; p++)
		n++;
	g_free(u);
	return n;
}

void
sinkh_certs(void)
{
	static const char script[] =
	    "set -e; cd \"$1\"; "
	    "key='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'; "
	    "openssl req -x509 $key -keyout ca.key -out ca.pem -days 2 "
	    "-subj /CN=feedwatch-test-ca; "
	    "openssl req -x509 $key -keyout other.key -out other.pem -days 2 "
	    "-subj /CN=feedwatch-other-ca; "
	    "openssl req $key -keyout server.key -out server.csr "
	    "-subj /CN=127.0.0.1; "
	    "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE"
	    "\\n' > server.ext; "
	    "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -days 2 -extfile server.ext -out server.pem";
	const char	*argv[] = { "/bin/sh", "-c", script, "sh", H->dir,
			    NULL };
	gchar		*openssl, *err = NULL;
	gint		 status;

	/* Missing, the TLS tests must fail, not pass untested. */
	openssl = g_find_program_in_path("openssl");
	ck_assert_msg(openssl != NULL, "the openssl command is missing "
	    "(scripts/install-deps.sh installs it)");
	g_free(openssl);
	ck_assert(g_spawn_sync(NULL, (gchar **)argv, NULL,
	    G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
	    NULL));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "openssl failed: %s", err);
	g_free(err);
}

char *
sinkh_path(const char *name)
{
	return xasprintf("%s/%s", H->dir, name);
}
