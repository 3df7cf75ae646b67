/*
 * check_webhook.c: the desktop, email, webhook and exec sinks against real
 * servers on 127.0.0.1.
 *
 * Each test drives sinks directly on an event base of its own with its own
 * curl multi handle.  Webhooks go to an evhttp receiver on that same base
 * (so a sink that blocked the loop would starve it and fail the test),
 * which records every request and answers from a script of statuses.
 * Email goes to Debian's aiosmtpd (tests/smtpd.py), which saves each
 * message parsed by Python's email package.  Desktop notifications go to
 * a fake org.freedesktop.Notifications (GDBus, a thread of its own) on a
 * private dbus-daemon.  exec runs small sh scripts.
 */
#include "suites.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <gio/gio.h>
#include <glib.h>
#include <jansson.h>
#include <netinet/in.h>

#include "alert.h"
#include "httpd.h"
#include "item.h"
#include "sink.h"
#include "xfer.h"
#include "xmalloc.h"

/* sink_conf has char * fields; -Wwrite-strings makes literals const. */
#define W(s)	((char *)(s))

#define MAX_REQS	16
#define MAX_SENDS	8

/* A request the webhook receiver saw. */
struct hreq {
	char	*method;
	char	*uri;
	char	*ctype;
	char	*key;
	char	*sig;
	char	*body;
};

struct outcome {
	int			 done;
	enum sink_result	 result;
	long			 retry_after;
	char			 error[512];
	double			 at;	/* seconds since the harness started */
};

struct harness {
	struct event_base	*base;
	struct xfer_multi	*m;
	struct sink_env		 env;
	struct evhttp		*http;
	int			 port;
	struct hreq		 reqs[MAX_REQS];
	size_t			 nreqs;
	int			 script[8];	/* statuses to answer, in order */
	size_t			 nscript, next;
	const char		*retry_after;
	struct outcome		 out[MAX_SENDS];
	double			 t0;
	struct sink_conf	 conf;
	char			*dir;
};

static struct harness	*H;

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
	struct harness		*h = arg;
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evbuffer		*body = evhttp_request_get_input_buffer(req);
	struct hreq		*r;
	size_t			 len;
	int			 status = 200;
	const char		*methods[] = { "GET", "POST", "HEAD", "PUT" };
	int			 cmd = evhttp_request_get_command(req);

	if (strcmp(evhttp_request_get_uri(req), "/hang") == 0)
		return;		/* never answered: the sink's timeout ends it */
	ck_assert_uint_lt(h->nreqs, MAX_REQS);
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
harness_setup(void)
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
	H->conf.name = W("test");
}

static void
harness_teardown(void)
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
	free(H->conf.ca_file);
	evhttp_free(H->http);
	xfer_multi_free(H->m);
	event_base_free(H->base);
	test_rmtree(H->dir);
	free(H->dir);
	free(H);
	H = NULL;
}

static void
on_done(enum sink_result r, long retry_after, const char *error, void *arg)
{
	struct outcome	*o = arg;

	ck_assert_msg(!o->done, "done called twice");
	o->done = 1;
	o->result = r;
	o->retry_after = retry_after;
	snprintf(o->error, sizeof(o->error), "%s", error ? error : "");
	o->at = now() - H->t0;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Runs the loop until outcomes 0..n-1 are in, or fails after 'secs'. */
static void
wait_for(size_t n, double secs)
{
	struct event	*tick;
	struct timeval	 tv = { 0, 20000 };
	double		 end = now() + secs;
	size_t		 i;

	tick = event_new(H->base, -1, EV_PERSIST, on_tick, NULL);
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

static struct sink *
make_sink(void)
{
	struct sink	*s;
	char		 err[256];

	s = sink_new(&H->conf, &H->env, err, sizeof(err));
	ck_assert_msg(s != NULL, "sink_new: %s", err);
	return s;
}

/* Sends 'n' alerts as outcome 'slot' and waits for it. */
static struct outcome *
send_wait(struct sink *s, const char *const *alerts, size_t n, size_t slot)
{
	memset(&H->out[slot], 0, sizeof(H->out[slot]));
	ck_assert_int_eq(sink_send(s, alerts, n, on_done, &H->out[slot]), 0);
	ck_assert_msg(!H->out[slot].done, "outcome inside sink_send");
	wait_for(slot + 1, 15);
	return &H->out[slot];
}

static char *
url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", H->port, path);
}

/*
 * A SPEC section 5 alert line made by alert.c; 'i' varies the item, and
 * 'link' NULL gives https://news.example.org/world/I?a=1&b=2.
 */
static char *
make_alert_from(int i, const char *title, const char *feed_title,
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
	return json;
}

static char *
make_alert(int i, const char *title)
{
	return make_alert_from(i, title, "World & Co", "\xe2\x80\xa6"
	    "annexation of <Crimea> & talks with Lavrov\xe2\x80\xa6", NULL);
}

#define TITLE	"Pompeo to Lavrov: \xc2\xabKrym\xc2\xbb <b>is</b> " \
		"Ukraine & \xd0\x9a\xd1\x80\xd1\x8b\xd0\xbc"

static json_t *
jparse(const char *s)
{
	json_error_t	 e;
	json_t		*j = json_loads(s, 0, &e);

	ck_assert_msg(j != NULL, "bad JSON (%s): %s", e.text, s);
	return j;
}

static const char *
jget(const json_t *o, const char *path)
{
	const char	*v;

	v = json_string_value(json_object_get(o, path));
	ck_assert_msg(v != NULL, "no string '%s'", path);
	return v;
}

/* H->dir/NAME's text (g_free it). */
static char *
slurp_in_dir(const char *name)
{
	char	*path = xasprintf("%s/%s", H->dir, name), *text;

	text = test_slurp(path);
	free(path);
	return text;
}

/* --- webhook ---------------------------------------------------------- */

START_TEST(webhook_json_signed)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *sig;
	const char	*alerts[] = { a };
	json_t		*al;
	struct hreq	*r;

	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	H->conf.secret = W("s3cret");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	r = &H->reqs[0];
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->uri, "/hook");
	ck_assert_str_eq(r->ctype, "application/json");
	/* The json format sends the alert object itself, byte for byte. */
	ck_assert_str_eq(r->body, a);
	al = jparse(a);
	ck_assert_str_eq(r->key, jget(al, "alert_id"));
	sig = g_compute_hmac_for_string(G_CHECKSUM_SHA256,
	    (const guchar *)"s3cret", 6, r->body, -1);
	ck_assert_ptr_nonnull(r->sig);
	ck_assert_str_eq(r->sig + strlen("sha256="), sig);
	ck_assert(strncmp(r->sig, "sha256=", 7) == 0);
	g_free(sig);
	json_decref(al);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

START_TEST(webhook_json_digest)
{
	struct sink	*s;
	char		*a[3];
	const char	*alerts[3];
	json_t		*b, *d;
	GChecksum	*ck;
	size_t		 i;

	for (i = 0; i < 3; i++)
		alerts[i] = a[i] = make_alert(i, TITLE);
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 3, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	ck_assert_ptr_null(H->reqs[0].sig);
	b = jparse(H->reqs[0].body);
	d = json_object_get(b, "digest");
	ck_assert_uint_eq(json_array_size(d), 3);
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	for (i = 0; i < 3; i++) {
		json_t *one = jparse(a[i]);

		ck_assert(json_equal(json_array_get(d, i), one));
		if (i > 0)
			g_checksum_update(ck, (const guchar *)"\n", 1);
		g_checksum_update(ck, (const guchar *)jget(one, "alert_id"),
		    -1);
		json_decref(one);
	}
	ck_assert_int_eq(strncmp(H->reqs[0].key, g_checksum_get_string(ck),
	    32), 0);
	ck_assert_uint_eq(strlen(H->reqs[0].key), 32);
	g_checksum_free(ck);
	json_decref(b);
	sink_free(s);
	free(H->conf.url);
	for (i = 0; i < 3; i++)
		free(a[i]);
}
END_TEST

static const char *const presets[] = {
	"slack", "discord", "mattermost", "ntfy", "matrix"
};

START_TEST(webhook_presets)
{
	const char	*format = presets[_i];
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *want;
	const char	*alerts[] = { a };
	json_t		*al = jparse(a), *b, *e;
	const char	*id = jget(al, "alert_id"), *text;

	H->conf.type = SINK_WEBHOOK;
	H->conf.format = (char *)format;
	if (strcmp(format, "ntfy") == 0)
		H->conf.url = url("/alerts?auth=tk");
	else if (strcmp(format, "matrix") == 0)
		H->conf.url = url("/_matrix/client/v3/rooms/!r:example.org/"
		    "send/m.room.message?access_token=tok");
	else
		H->conf.url = url("/hook");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	ck_assert_str_eq(H->reqs[0].ctype, "application/json");
	ck_assert_str_eq(H->reqs[0].key, id);
	b = jparse(H->reqs[0].body);
	if (strcmp(format, "slack") == 0) {
		ck_assert_str_eq(H->reqs[0].uri, "/hook");
		text = jget(b, "text");
		/* mrkdwn: a <link|title> with &, <, > as entities. */
		want = xasprintf("<%s|Pompeo to Lavrov: \xc2\xabKrym\xc2\xbb "
		    "&lt;b&gt;is&lt;/b&gt; Ukraine &amp; ",
		    "https://news.example.org/world/1?a=1&amp;b=2");
		ck_assert_msg(strstr(text, want) != NULL, "%s", text);
		free(want);
		ck_assert(strstr(text, "crimea, lavrov") != NULL);
	} else if (strcmp(format, "discord") == 0) {
		e = json_array_get(json_object_get(b, "embeds"), 0);
		/* Markdown characters of feed text backslash-escaped. */
		ck_assert_str_eq(jget(e, "title"), "Pompeo to Lavrov: \xc2\xab"
		    "Krym\xc2\xbb \\<b\\>is\\</b\\> Ukraine \\& \xd0\x9a"
		    "\xd1\x80\xd1\x8b\xd0\xbc");
		ck_assert_str_eq(jget(e, "url"),
		    "https://news.example.org/world/1?a=1&b=2");
		ck_assert(strstr(jget(e, "description"), "\\<Crimea\\>") !=
		    NULL);
		ck_assert_uint_eq(json_array_size(json_object_get(
		    json_object_get(b, "allowed_mentions"), "parse")), 0);
		ck_assert(json_is_array(json_object_get(json_object_get(b,
		    "allowed_mentions"), "parse")));
	} else if (strcmp(format, "mattermost") == 0) {
		text = jget(b, "text");
		ck_assert_msg(strstr(text, "[Pompeo to Lavrov: \xc2\xabKrym"
		    "\xc2\xbb \\<b\\>is\\</b\\> Ukraine \\& ") != NULL, "%s",
		    text);
		ck_assert(strstr(text, "](https://news.example.org/world/1"
		    "?a=1&b=2)") != NULL);
	} else if (strcmp(format, "ntfy") == 0) {
		/* JSON publishing goes to the root, the topic in the body. */
		ck_assert_str_eq(H->reqs[0].uri, "/?auth=tk");
		ck_assert_str_eq(jget(b, "topic"), "alerts");
		ck_assert_str_eq(jget(b, "title"), TITLE);
		ck_assert_str_eq(jget(b, "click"),
		    "https://news.example.org/world/1?a=1&b=2");
		ck_assert(strstr(jget(b, "message"), "<Crimea>") != NULL);
	} else {
		want = xasprintf("/_matrix/client/v3/rooms/!r:example.org/send/"
		    "m.room.message/%s?access_token=tok", id);
		ck_assert_str_eq(H->reqs[0].method, "PUT");
		ck_assert_str_eq(H->reqs[0].uri, want);
		free(want);
		ck_assert_str_eq(jget(b, "msgtype"), "m.notice");
		ck_assert_str_eq(jget(b, "format"), "org.matrix.custom.html");
		ck_assert(strstr(jget(b, "body"), TITLE) != NULL);
		ck_assert(strstr(jget(b, "formatted_body"),
		    "&lt;b&gt;is&lt;/b&gt; Ukraine &amp; ") != NULL);
		ck_assert(strstr(jget(b, "formatted_body"), "<a href=\"https://"
		    "news.example.org/world/1?a=1&amp;b=2\">") != NULL);
	}
	json_decref(b);
	json_decref(al);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

START_TEST(webhook_preset_digest)
{
	struct sink	*s;
	char		*a[12];
	const char	*alerts[12];
	json_t		*b;
	size_t		 i;

	for (i = 0; i < 12; i++)
		alerts[i] = a[i] = make_alert(i, TITLE);
	H->conf.type = SINK_WEBHOOK;
	H->conf.format = W("discord");
	H->conf.url = url("/hook");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 12, 0)->result, SINK_DELIVERED);
	b = jparse(H->reqs[0].body);
	/* Discord takes at most 10 embeds. */
	ck_assert_uint_eq(json_array_size(json_object_get(b, "embeds")), 10);
	ck_assert(strstr(jget(b, "content"), "12 feedwatch alerts for "
	    "'crimea'") != NULL);
	json_decref(b);
	sink_free(s);
	free(H->conf.url);
	for (i = 0; i < 12; i++)
		free(a[i]);
}
END_TEST

START_TEST(webhook_retry_then_delivered)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct outcome	*o;

	H->script[0] = 500;
	H->script[1] = 200;
	H->nscript = 2;
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_int_eq(o->retry_after, -1);
	ck_assert_msg(strstr(o->error, "http 500") != NULL, "%s", o->error);
	ck_assert_int_eq(send_wait(s, alerts, 1, 1)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 2);
	/* The retry carries the same idempotency key. */
	ck_assert_str_eq(H->reqs[0].key, H->reqs[1].key);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

START_TEST(webhook_429_retry_after)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct outcome	*o;

	H->script[0] = 429;
	H->nscript = 1;
	H->retry_after = "7";
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_int_eq(o->retry_after, 7);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

static const int failing[] = { 404, 400, 401, 410, 301 };

START_TEST(webhook_4xx_failed)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct outcome	*o;

	H->script[0] = failing[_i];
	H->nscript = 1;
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_uint_eq(H->nreqs, 1);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

static const int retrying[] = { 408, 425, 502, 503 };

START_TEST(webhook_retry_codes)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };

	H->script[0] = retrying[_i];
	H->nscript = 1;
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_RETRY);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

/* A hanging server: the timeout says RETRY, and the loop kept serving. */
START_TEST(webhook_hang_does_not_block)
{
	struct sink_conf	 hang, ok, ex;
	struct sink		*sh, *so, *se;
	char			*a = make_alert(1, TITLE), err[256];
	const char		*alerts[] = { a };
	char			*argv[] = { W("/bin/sh"), W("-c"),
				    W("cat >/dev/null"), NULL };

	memset(&hang, 0, sizeof(hang));
	hang.name = W("hang");
	hang.type = SINK_WEBHOOK;
	hang.url = url("/hang");
	hang.timeout = 1;
	ok = hang;
	ok.name = W("ok");
	ok.url = url("/hook");
	memset(&ex, 0, sizeof(ex));
	ex.name = W("exec");
	ex.type = SINK_EXEC;
	ex.command = argv;
	ex.ncommand = 3;
	ck_assert_ptr_nonnull(sh = sink_new(&hang, &H->env, err, sizeof(err)));
	ck_assert_ptr_nonnull(so = sink_new(&ok, &H->env, err, sizeof(err)));
	ck_assert_ptr_nonnull(se = sink_new(&ex, &H->env, err, sizeof(err)));
	ck_assert_int_eq(sink_send(sh, alerts, 1, on_done, &H->out[0]), 0);
	ck_assert_int_eq(sink_send(so, alerts, 1, on_done, &H->out[1]), 0);
	ck_assert_int_eq(sink_send(se, alerts, 1, on_done, &H->out[2]), 0);
	wait_for(3, 10);
	ck_assert_int_eq(H->out[0].result, SINK_RETRY);
	ck_assert_int_eq(H->out[1].result, SINK_DELIVERED);
	ck_assert_int_eq(H->out[2].result, SINK_DELIVERED);
	ck_assert_msg(H->out[1].at < H->out[0].at && H->out[2].at <
	    H->out[0].at, "others waited for the hanging one");
	ck_assert_msg(H->out[0].at >= 0.9 && H->out[0].at < 5, "timeout "
	    "after %.2fs", H->out[0].at);
	sink_free(sh);
	sink_free(so);
	sink_free(se);
	free(hang.url);
	free(ok.url);
	free(a);
}
END_TEST

START_TEST(webhook_refused_retry)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct outcome	*o;

	H->conf.type = SINK_WEBHOOK;
	/* Port 1 on loopback: nobody listens. */
	H->conf.url = xstrdup("http://127.0.0.1:1/hook?token=SECRET");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	/* The url's path and query may be secret: never in messages. */
	ck_assert_msg(strstr(o->error, "SECRET") == NULL &&
	    strstr(o->error, "/hook") == NULL, "%s", o->error);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

/* sink_free with a request in flight: done is never called. */
START_TEST(webhook_free_in_flight)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct event	*tick;
	struct timeval	 tv = { 0, 300000 };

	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hang");
	s = make_sink();
	ck_assert_int_eq(sink_send(s, alerts, 1, on_done, &H->out[0]), 0);
	tick = evtimer_new(H->base, on_tick, NULL);
	evtimer_add(tick, &tv);
	event_base_loop(H->base, EVLOOP_ONCE);
	ck_assert_uint_eq(xfer_multi_running(H->m), 1);
	sink_free(s);
	ck_assert_uint_eq(xfer_multi_running(H->m), 0);
	/* Long enough for the hung request to be answered if it could. */
	event_base_loopexit(H->base, &tv);
	event_base_dispatch(H->base);
	ck_assert(!H->out[0].done);
	event_free(tick);
	free(H->conf.url);
	free(a);
}
END_TEST

/* --- links and markup from feed text ---------------------------------- */

/* Feed text trying every mention and markup trick of the chat services. */
#define HOSTILE	"@channel @here @all @everyone <!channel> <@U1> " \
		"[click](javascript:x) ![i](http://evil/i.png) <b>x</b> " \
		"*bold* `code` | & ]]>"
#define ZWSP	"\xe2\x80\x8b"
/* A web link with what Markdown and Slack link syntax must not trip on. */
#define GOOD_LINK	"https://news.example.org/a_(b)?x=1&y=2"

static const char *const links[] = {
	"javascript:alert(1)",
	"data:text/html,<script>alert(1)</script>",
	"file:///etc/passwd",
	GOOD_LINK
};
#define NLINKS	(sizeof(links) / sizeof(links[0]))

/*
 * An alert with 'text' as its title, feed title and snippet, stored with
 * 'link' as an outbox row from elsewhere may be (alert.c drops a link
 * that is not a web link; every sink must do so too).
 */
static char *
make_hostile(const char *text, const char *link)
{
	char	*a = make_alert_from(1, text, text, text, NULL), *s;
	json_t	*o = jparse(a);

	json_object_set_new(o, "link", json_string(link));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	free(a);
	return s;
}

/* Fails if a link that is not a web link appears in 's'. */
static void
assert_no_bad_link(const char *s, const char *link)
{
	/* Its start: Slack or HTML escaping may change the rest. */
	char	*head = xstrndup(link, 15);

	if (strcmp(link, GOOD_LINK) != 0)
		ck_assert_msg(strstr(s, head) == NULL, "'%s' in: %s", link, s);
	free(head);
}

/* Every string in 'j', at any depth, has U+200B after each '@'. */
static void
assert_no_mention(json_t *j)
{
	const char	*k, *s;
	json_t		*v;
	size_t		 i;

	if ((s = json_string_value(j)) != NULL) {
		for (; (s = strchr(s, '@')) != NULL; s++)
			ck_assert_msg(strncmp(s + 1, ZWSP, 3) == 0,
			    "a mention survives: %s", json_string_value(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			assert_no_mention(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			assert_no_mention(v);
	}
}

/* What a reader sees of 's': escapes, entities and U+200B gone. */
static char *
seen(const char *s)
{
	static const char *const ent[][2] = {
		{ "&lt;", "<" }, { "&gt;", ">" }, { "&amp;", "&" },
		{ ZWSP, "" }
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

/* How often HOSTILE reads in 's', once unescaped. */
static int
hostile_count(const char *s)
{
	char		*u = seen(s);
	const char	*p = u;
	int		 n = 0;

	for (; (p = strstr(p, HOSTILE)) != NULL; p++)
		n++;
	g_free(u);
	return n;
}

/* How many 'c' in Markdown 's' are markup: not backslash-escaped. */
static int
unescaped(const char *s, char c)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == c)
			n++;
	return n;
}

/* Markdown characters of 's' that are markup, other than '@'. */
static void
assert_md_inert(const char *s, const char *what)
{
	const char	*c;

	for (c = "[]()<>`|*_~#"; *c != '\0'; c++)
		ck_assert_msg(unescaped(s, *c) == 0, "%s: '%c' is markup: %s",
		    what, *c, s);
}

static char *
preset_url(const char *format)
{
	if (strcmp(format, "ntfy") == 0)
		return url("/alerts?auth=tk");
	if (strcmp(format, "matrix") == 0)
		return url("/_matrix/client/v3/rooms/!r:example.org/send/"
		    "m.room.message?access_token=tok");
	return url("/hook");
}

static void
hostile_slack(json_t *b, int good)
{
	const char	*t = jget(b, "text");

	ck_assert(json_is_false(json_object_get(b, "unfurl_links")));
	ck_assert(json_is_false(json_object_get(b, "unfurl_media")));
	/* Feed text brings no < or >: the link and the quote are ours. */
	ck_assert_int_eq(test_count_lines(t, "<"), good);
	ck_assert_int_eq(test_count_lines(t, ">"), good + 1);
	if (good)
		ck_assert_msg(strstr(t, "*<https://news.example.org/a_(b)?x=1"
		    "&amp;y=2|@" ZWSP "channel") != NULL, "%s", t);
	/* No mrkdwn pair: each mark is fenced by zero-width spaces. */
	ck_assert_msg(strstr(t, "*bold*") == NULL && strstr(t, "`code`") ==
	    NULL, "%s", t);
	ck_assert(strstr(t, ZWSP "*" ZWSP "bold" ZWSP "*" ZWSP) != NULL);
	ck_assert_int_eq(hostile_count(t), 3);
}

static void
hostile_mattermost(json_t *b, int good)
{
	const char	*t = jget(b, "text");

	/* Ours: the link, "(topic: words)" and the snippet's quote. */
	ck_assert_int_eq(unescaped(t, '['), good);
	ck_assert_int_eq(unescaped(t, ']'), good);
	ck_assert_int_eq(unescaped(t, '('), good + 1);
	ck_assert_int_eq(unescaped(t, ')'), good + 1);
	ck_assert_int_eq(unescaped(t, '>'), 1);
	ck_assert_int_eq(unescaped(t, '<'), 0);
	ck_assert_int_eq(unescaped(t, '`'), 0);
	ck_assert_int_eq(unescaped(t, '|'), 0);
	ck_assert_msg(strstr(t, "*bold*") == NULL, "%s", t);
	if (good)
		ck_assert_msg(strstr(t, "](https://news.example.org/a_%28b%29"
		    "?x=1&y=2)") != NULL, "%s", t);
	ck_assert_int_eq(hostile_count(t), 3);
}

static void
hostile_discord(json_t *b, int good)
{
	json_t		*e = json_array_get(json_object_get(b, "embeds"), 0);
	json_t		*parse;

	parse = json_object_get(json_object_get(b, "allowed_mentions"),
	    "parse");
	ck_assert(json_is_array(parse) && json_array_size(parse) == 0);
	if (good)
		ck_assert_str_eq(jget(e, "url"), GOOD_LINK);
	else
		ck_assert_ptr_null(json_object_get(e, "url"));
	assert_md_inert(jget(e, "title"), "title");
	assert_md_inert(jget(e, "description"), "description");
	ck_assert_int_eq(hostile_count(jget(e, "title")), 1);
	ck_assert_int_eq(hostile_count(jget(e, "description")), 1);
	/* Footers render no Markdown: plain text. */
	ck_assert_int_eq(hostile_count(jget(json_object_get(e, "footer"),
	    "text")), 1);
}

static void
hostile_ntfy(json_t *b, int good)
{
	if (good)
		ck_assert_str_eq(jget(b, "click"), GOOD_LINK);
	else
		ck_assert_ptr_null(json_object_get(b, "click"));
	ck_assert(!json_is_true(json_object_get(b, "markdown")));
	ck_assert_int_eq(hostile_count(jget(b, "title")), 1);
	ck_assert_int_eq(hostile_count(jget(b, "message")), 2);
}

static void
hostile_matrix(json_t *b, int good)
{
	json_t		*m = json_object_get(b, "m.mentions");
	const char	*h = jget(b, "formatted_body");

	ck_assert(json_is_object(m) && json_object_size(m) == 0);
	if (good)
		ck_assert_msg(strstr(h, "<a href=\"https://news.example.org/"
		    "a_(b)?x=1&amp;y=2\">") != NULL, "%s", h);
	else
		ck_assert_msg(strstr(h, "href") == NULL, "%s", h);
	ck_assert_msg(strstr(h, "<b>x</b>") == NULL && strstr(h,
	    "&lt;b&gt;x&lt;/b&gt;") != NULL, "%s", h);
	ck_assert_int_eq(hostile_count(h), 3);
	ck_assert_int_eq(hostile_count(jget(b, "body")), 3);
	ck_assert_int_eq(strstr(jget(b, "body"), GOOD_LINK) != NULL, good);
}

/*
 * Each chat format, the hostile text and each link: no mention, markup
 * or non-web link reaches the receiver, and the text still reads.
 */
START_TEST(webhook_hostile)
{
	const char	*format = presets[_i / NLINKS];
	const char	*link = links[_i % NLINKS];
	int		 good = _i % NLINKS == NLINKS - 1;
	struct sink	*s;
	char		*a = make_hostile(HOSTILE, link);
	const char	*alerts[] = { a };
	json_t		*b;

	H->conf.type = SINK_WEBHOOK;
	H->conf.format = (char *)format;
	H->conf.url = preset_url(format);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	assert_no_bad_link(H->reqs[0].body, link);
	b = jparse(H->reqs[0].body);
	assert_no_mention(b);
	if (strcmp(format, "slack") == 0)
		hostile_slack(b, good);
	else if (strcmp(format, "mattermost") == 0)
		hostile_mattermost(b, good);
	else if (strcmp(format, "discord") == 0)
		hostile_discord(b, good);
	else if (strcmp(format, "ntfy") == 0)
		hostile_ntfy(b, good);
	else
		hostile_matrix(b, good);
	json_decref(b);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

/* A digest renders from stored rows too: their bad links go as well. */
START_TEST(webhook_hostile_digest)
{
	const char	*format = presets[_i];
	struct sink	*s;
	char		*a[NLINKS];
	const char	*alerts[NLINKS];
	json_t		*b;
	size_t		 i;

	for (i = 0; i < NLINKS; i++)
		alerts[i] = a[i] = make_hostile(HOSTILE, links[i]);
	H->conf.type = SINK_WEBHOOK;
	H->conf.format = (char *)format;
	H->conf.url = preset_url(format);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, NLINKS, 0)->result,
	    SINK_DELIVERED);
	for (i = 0; i + 1 < NLINKS; i++)
		assert_no_bad_link(H->reqs[0].body, links[i]);
	b = jparse(H->reqs[0].body);
	assert_no_mention(b);
	json_decref(b);
	sink_free(s);
	free(H->conf.url);
	for (i = 0; i < NLINKS; i++)
		free(a[i]);
}
END_TEST

/* json: the alert as stored, but a non-web link is null. */
START_TEST(webhook_json_bad_link)
{
	struct sink	*s;
	char		*a = make_hostile(HOSTILE, links[0]);
	const char	*alerts[] = { a };
	json_t		*b, *want = jparse(a);

	H->conf.type = SINK_WEBHOOK;
	H->conf.url = url("/hook");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	b = jparse(H->reqs[0].body);
	ck_assert(json_is_null(json_object_get(b, "link")));
	json_object_set_new(want, "link", json_null());
	ck_assert(json_equal(b, want));
	json_decref(b);
	json_decref(want);
	sink_free(s);
	free(H->conf.url);
	free(a);
}
END_TEST

/* alert.c: a link that is not a web link is null; alert_id unchanged. */
START_TEST(alert_web_links_only)
{
	static const char *const more[] = { "/relative/x", "mailto:a@b.org",
	    "http://", "HTTPS://News.Example.org/x" };
	GChecksum	*ck;
	char		*a, *want;
	json_t		*o;
	const char	*link;
	size_t		 i;

	/* The id is SHA-256 over topic, feed and item id, as before. */
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)"crimea\0world\0w-1", 17);
	want = xstrndup(g_checksum_get_string(ck), 32);
	g_checksum_free(ck);
	for (i = 0; i < NLINKS + 4; i++) {
		link = i < NLINKS ? links[i] : more[i - NLINKS];
		a = make_alert_from(1, TITLE, "World", "s", link);
		o = jparse(a);
		if (strcmp(link, GOOD_LINK) == 0 || i == NLINKS + 3)
			ck_assert_str_eq(jget(o, "link"), link);
		else
			ck_assert_msg(json_is_null(json_object_get(o, "link")),
			    "'%s' kept", link);
		ck_assert_str_eq(jget(o, "alert_id"), want);
		json_decref(o);
		free(a);
	}
	free(want);
}
END_TEST

/* --- email ------------------------------------------------------------ */

struct smtpd {
	GPid	 pid;
	int	 port;
	char	*dir;
};

enum smtpd_tls {
	SMTPD_PLAIN,		/* no TLS offered */
	SMTPD_STARTTLS,		/* STARTTLS offered */
	SMTPD_REQUIRE,		/* STARTTLS offered, MAIL refused before it */
	SMTPD_SMTPS		/* TLS from the first byte */
};

/*
 * A throwaway CA and a certificate for 127.0.0.1 that it signed, made with
 * the openssl command in H->dir (ca.pem, server.pem, server.key), and a
 * second CA that signed nothing (other.pem).
 */
static void
make_certs(void)
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

/* smtpd.py in H->dir/mail, with 'creds' (USER:PASSWORD) if not NULL. */
static void
smtpd_start(struct smtpd *d, const char *creds, enum smtpd_tls tls)
{
	char		*script, *cert, *key, line[128];
	const char	*argv[12];
	GError		*err = NULL;
	gint		 out;
	FILE		*f;
	int		 n = 0;

	d->dir = xasprintf("%s/mail", H->dir);
	ck_assert_int_eq(mkdir(d->dir, 0700), 0);
	script = xasprintf("%s/tests/smtpd.py", test_env("FEEDWATCH_SRC"));
	/* Debian's, which has python3-aiosmtpd */
	test_need("/usr/bin/python3", "python3");
	cert = xasprintf("%s/server.pem", H->dir);
	key = xasprintf("%s/server.key", H->dir);
	argv[n++] = "/usr/bin/python3";
	argv[n++] = "-Wignore";
	argv[n++] = script;
	argv[n++] = d->dir;
	if (creds != NULL)
		argv[n++] = creds;
	if (tls != SMTPD_PLAIN) {
		argv[n++] = tls == SMTPD_SMTPS ? "--tls" : "--starttls";
		argv[n++] = cert;
		argv[n++] = key;
	}
	if (tls == SMTPD_REQUIRE)
		argv[n++] = "--require-starttls";
	argv[n] = NULL;
	ck_assert_msg(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_DEFAULT, NULL, NULL, &d->pid, NULL, &out, NULL, &err),
	    "cannot start smtpd.py: %s", err ? err->message : "?");
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL,
	    "smtpd.py printed no port");
	fclose(f);
	d->port = atoi(line);
	ck_assert_msg(d->port > 0, "smtpd.py: %s", line);
	free(script);
	free(cert);
	free(key);
}

static void
smtpd_stop(struct smtpd *d)
{
	kill(d->pid, SIGTERM);
	waitpid(d->pid, NULL, 0);
	g_spawn_close_pid(d->pid);
	free(d->dir);
}

static json_t *
smtpd_message(struct smtpd *d, int n)
{
	char	*path = xasprintf("%s/%d.json", d->dir, n), *text;
	json_t	*j;

	ck_assert_msg(access(path, R_OK) == 0, "no message %d", n);
	text = test_slurp(path);
	j = jparse(text);
	g_free(text);
	free(path);
	return j;
}

static void
email_conf(struct smtpd *d, const char *user, const char *pass)
{
	static char	*to[] = { W("Ops <ops@example.org>"),
			    W("analyst@example.org") };

	H->conf.type = SINK_EMAIL;
	H->conf.smtp = xasprintf("smtp://127.0.0.1:%d", d->port);
	H->conf.username = (char *)user;
	H->conf.password = (char *)pass;
	H->conf.from = W("feedwatch <feedwatch@example.org>");
	H->conf.to = to;
	H->conf.nto = 2;
}

static int
has_string(const json_t *arr, const char *s)
{
	size_t	 i;

	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

/* H->dir/NAME, malloc'd. */
static char *
in_dir(const char *name)
{
	return xasprintf("%s/%s", H->dir, name);
}

/* The AUTH attempts the server saw, "LOGIN TLS" lines ("" for none). */
static char *
smtpd_auth_log(struct smtpd *d)
{
	char	*path = xasprintf("%s/auth.log", d->dir), *text;

	text = access(path, F_OK) == 0 ? test_slurp(path) : g_strdup("");
	free(path);
	return text;
}

/* STARTTLS required by the server, trusted through ca-file: TLS, then AUTH. */
START_TEST(email_single_auth)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *auth;
	const char	*alerts[] = { a };
	json_t		*m, *al = jparse(a);
	const char	*text, *html;

	make_certs();
	smtpd_start(&d, "alice:pw0rd", SMTPD_REQUIRE);
	email_conf(&d, "alice", "pw0rd");
	H->conf.ca_file = in_dir("ca.pem");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert(json_is_true(json_object_get(m, "tls")));
	auth = smtpd_auth_log(&d);
	ck_assert_str_eq(auth, "alice 1\n");
	g_free(auth);
	ck_assert_str_eq(jget(m, "login"), "alice");
	ck_assert_str_eq(jget(m, "mail_from"), "feedwatch@example.org");
	ck_assert(has_string(json_object_get(m, "rcpt_tos"),
	    "ops@example.org"));
	ck_assert(has_string(json_object_get(m, "rcpt_tos"),
	    "analyst@example.org"));
	ck_assert_str_eq(jget(m, "subject"), "[feedwatch] crimea: " TITLE);
	ck_assert_str_eq(jget(m, "from"), "feedwatch <feedwatch@example.org>");
	ck_assert(strstr(jget(m, "to"), "ops@example.org") != NULL);
	ck_assert(json_is_true(json_object_get(m, "date_ok")));
	ck_assert(g_str_has_suffix(jget(m, "message_id"), "@example.org>"));
	ck_assert(strstr(jget(m, "message_id"), jget(al, "alert_id")) != NULL);
	ck_assert_str_eq(jget(m, "mime_version"), "1.0");
	ck_assert_str_eq(jget(m, "content_type"), "multipart/alternative");
	ck_assert_uint_eq(json_array_size(json_object_get(m, "defects")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "bare_lf")), 0);
	ck_assert_int_le(json_integer_value(json_object_get(m, "max_line")),
	    998);
	text = jget(m, "text");
	ck_assert(strstr(text, TITLE) != NULL);
	ck_assert(strstr(text, "https://news.example.org/world/1?a=1&b=2") !=
	    NULL);
	ck_assert(strstr(text, "Matched:   crimea, lavrov") != NULL);
	ck_assert(strstr(text, "annexation of <Crimea>") != NULL);
	html = jget(m, "html");
	ck_assert(strstr(html, "<a href=\"https://news.example.org/world/1?a=1"
	    "&amp;b=2\">") != NULL);
	ck_assert(strstr(html, "&lt;b&gt;is&lt;/b&gt;") != NULL);
	json_decref(m);
	json_decref(al);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

START_TEST(email_digest)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a[3], *t;
	const char	*alerts[3];
	json_t		*m;
	size_t		 i;

	for (i = 0; i < 3; i++) {
		t = xasprintf("Story number %zu about Crimea", i);
		alerts[i] = a[i] = make_alert(i, t);
		free(t);
	}
	smtpd_start(&d, NULL, SMTPD_PLAIN);
	email_conf(&d, NULL, NULL);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 3, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	t = xasprintf("%s/2.json", d.dir);
	ck_assert_msg(access(t, F_OK) != 0, "a digest is one message");
	free(t);
	ck_assert_str_eq(jget(m, "subject"), "[feedwatch] 3 alerts for crimea");
	for (i = 0; i < 3; i++) {
		t = xasprintf("Story number %zu about Crimea", i);
		ck_assert(strstr(jget(m, "text"), t) != NULL);
		ck_assert(strstr(jget(m, "html"), t) != NULL);
		free(t);
	}
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	for (i = 0; i < 3; i++)
		free(a[i]);
}
END_TEST

/* A feed title cannot add headers or recipients. */
START_TEST(email_header_injection)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, "Hi\r\nBcc: evil@example.net\r\n"
			    "X-Evil: 1");
	const char	*alerts[] = { a };
	json_t		*m, *h;
	size_t		 i;

	smtpd_start(&d, NULL, SMTPD_PLAIN);
	email_conf(&d, NULL, NULL);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	h = json_object_get(m, "headers");
	for (i = 0; i < json_array_size(h); i++) {
		ck_assert_str_ne(json_string_value(json_array_get(h, i)),
		    "Bcc");
		ck_assert_str_ne(json_string_value(json_array_get(h, i)),
		    "X-Evil");
	}
	ck_assert_uint_eq(json_array_size(json_object_get(m, "rcpt_tos")), 2);
	ck_assert(strchr(jget(m, "subject"), '\n') == NULL);
	ck_assert(strstr(jget(m, "subject"), "Bcc: evil") != NULL);
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

START_TEST(email_auth_failed)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct outcome	*o;

	make_certs();
	smtpd_start(&d, "alice:pw0rd", SMTPD_STARTTLS);
	email_conf(&d, "alice", "wrong-password");
	H->conf.ca_file = in_dir("ca.pem");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "(smtp 535)") != NULL, "%s", o->error);
	ck_assert_msg(strstr(o->error, "wrong-password") == NULL &&
	    strstr(o->error, "alice") == NULL, "%s", o->error);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

START_TEST(email_server_down)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	static char	*to[] = { W("ops@example.org") };

	H->conf.type = SINK_EMAIL;
	H->conf.smtp = xstrdup("smtp://127.0.0.1:1");
	H->conf.from = W("feedwatch@example.org");
	H->conf.to = to;
	H->conf.nto = 1;
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_RETRY);
	sink_free(s);
	free(H->conf.smtp);
	free(a);
}
END_TEST

/* The hostile text and each non-web link, by email: headers and HTML. */
START_TEST(email_hostile)
{
	const char	*link = links[_i];
	struct smtpd	 d;
	struct sink	*s;
	char		*a, *title;
	const char	*alerts[1], *text, *html;
	json_t		*m, *h, *parts;
	size_t		 i;

	/* A feed title cannot add a header or a MIME part either. */
	title = xasprintf("%s\r\nX-Evil: 1\r\n\r\n--=_feedwatch_x\r\n"
	    "Content-Type: text/html\r\n\r\n<script>x()</script>", HOSTILE);
	alerts[0] = a = make_hostile(title, link);
	smtpd_start(&d, NULL, SMTPD_PLAIN);
	email_conf(&d, NULL, NULL);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	h = json_object_get(m, "headers");
	for (i = 0; i < json_array_size(h); i++)
		ck_assert_str_ne(json_string_value(json_array_get(h, i)),
		    "X-Evil");
	ck_assert(strpbrk(jget(m, "subject"), "\r\n") == NULL);
	parts = json_object_get(m, "parts");
	ck_assert_uint_eq(json_array_size(parts), 3);
	ck_assert_str_eq(json_string_value(json_array_get(parts, 1)),
	    "text/plain");
	ck_assert_str_eq(json_string_value(json_array_get(parts, 2)),
	    "text/html");
	ck_assert_uint_eq(json_array_size(json_object_get(m, "defects")), 0);
	text = jget(m, "text");
	html = jget(m, "html");
	assert_no_bad_link(text, link);
	assert_no_bad_link(html, link);
	ck_assert_msg(strstr(html, "href") == NULL, "%s", html);
	ck_assert_msg(strstr(html, "<b>x</b>") == NULL && strstr(html,
	    "<script>") == NULL, "%s", html);
	ck_assert(strstr(html, "&lt;b&gt;x&lt;/b&gt;") != NULL);
	ck_assert(strstr(text, HOSTILE) != NULL);
	ck_assert_int_eq(hostile_count(html), 3);
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(title);
	free(a);
}
END_TEST

/* A plaintext client: MAIL before STARTTLS must be refused with 530. */
static void
assert_plaintext_refused(int port)
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 5, 0 };
	char			 line[512];
	FILE			*f;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert(write(fd, "EHLO test\r\n", 11) == 11);
	do
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	while (line[3] == '-');
	ck_assert(write(fd, "MAIL FROM:<a@example.org>\r\n", 27) == 27);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_msg(strncmp(line, "530", 3) == 0, "%s", line);
	fclose(f);
}

/* STARTTLS offered, no password: curl takes it (opportunistic TLS). */
START_TEST(email_starttls_opportunistic)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	json_t		*m;

	make_certs();
	smtpd_start(&d, NULL, SMTPD_REQUIRE);
	assert_plaintext_refused(d.port);
	email_conf(&d, NULL, NULL);
	H->conf.ca_file = in_dir("ca.pem");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert(json_is_true(json_object_get(m, "tls")));
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

/* A certificate from another CA: no mail, no password, a clear error. */
START_TEST(email_starttls_wrong_ca)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *auth, *path;
	const char	*alerts[] = { a };
	struct outcome	*o;

	make_certs();
	smtpd_start(&d, "alice:pw0rd", SMTPD_REQUIRE);
	email_conf(&d, "alice", "pw0rd");
	H->conf.ca_file = in_dir("other.pem");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_msg(strstr(o->error, "certificate") != NULL &&
	    strstr(o->error, "set ca-file") != NULL, "%s", o->error);
	auth = smtpd_auth_log(&d);
	ck_assert_str_eq(auth, "");
	path = xasprintf("%s/1.json", d.dir);
	ck_assert(access(path, F_OK) != 0);
	free(path);
	g_free(auth);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

/* smtps://: TLS from the first byte. */
START_TEST(email_smtps)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *auth;
	const char	*alerts[] = { a };
	json_t		*m;

	make_certs();
	smtpd_start(&d, "alice:pw0rd", SMTPD_SMTPS);
	email_conf(&d, "alice", "pw0rd");
	free(H->conf.smtp);
	H->conf.smtp = xasprintf("smtps://127.0.0.1:%d", d.port);
	H->conf.ca_file = in_dir("ca.pem");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	m = smtpd_message(&d, 1);
	ck_assert(json_is_true(json_object_get(m, "tls")));
	auth = smtpd_auth_log(&d);
	ck_assert_str_eq(auth, "alice 1\n");
	g_free(auth);
	json_decref(m);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

/*
 * A server without STARTTLS and a password: FAILED before AUTH, on
 * loopback too.  The password never travels in clear.
 */
START_TEST(email_no_starttls_password)
{
	struct smtpd	 d;
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *auth, *path;
	const char	*alerts[] = { a };
	struct outcome	*o;

	smtpd_start(&d, "alice:pw0rd", SMTPD_PLAIN);
	email_conf(&d, "alice", "pw0rd");
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "STARTTLS") != NULL, "%s", o->error);
	auth = smtpd_auth_log(&d);
	ck_assert_str_eq(auth, "");
	path = xasprintf("%s/1.json", d.dir);
	ck_assert(access(path, F_OK) != 0);
	free(path);
	g_free(auth);
	sink_free(s);
	smtpd_stop(&d);
	free(H->conf.smtp);
	free(a);
}
END_TEST

/* --- exec ------------------------------------------------------------- */

static const char exec_script[] =
    "cat > \"$1/stdin\"\n"
    "env | grep '^FEEDWATCH_' | sort > \"$1/env\"\n"
    "echo \"a line of output\"\n"
    "echo \"oops: exit $2\" >&2\n"
    "exit $2\n";

static void
exec_conf(const char *code, char **argv)
{
	argv[0] = W("/bin/sh");
	argv[1] = test_write(H->dir, "hook.sh", exec_script);
	argv[2] = H->dir;
	argv[3] = (char *)code;
	argv[4] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 4;
	H->conf.timeout = 5;
}

START_TEST(exec_stdin_env)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *argv[5], *in, *env, *want;
	const char	*alerts[] = { a };
	json_t		*al = jparse(a);

	exec_conf("0", argv);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	in = slurp_in_dir("stdin");
	want = xasprintf("%s\n", a);
	ck_assert_str_eq(in, want);
	env = slurp_in_dir("env");
	ck_assert(strstr(env, "FEEDWATCH_TOPIC=crimea\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_TITLE=" TITLE "\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_LINK=https://news.example.org/"
	    "world/1?a=1&b=2\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_FEED=world\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_FEED_TITLE=World & Co\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_MATCHED=crimea,lavrov\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_COUNT=1\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_SINK=test\n") != NULL);
	ck_assert(strstr(env, "FEEDWATCH_SNIPPET=") != NULL);
	free(want);
	want = xasprintf("FEEDWATCH_ALERT_ID=%s\n", jget(al, "alert_id"));
	ck_assert(strstr(env, want) != NULL);
	free(want);
	g_free(in);
	g_free(env);
	json_decref(al);
	sink_free(s);
	free(argv[1]);
	free(a);
}
END_TEST

static const struct {
	const char		*code;
	enum sink_result	 result;
} exits[] = {
	{ "75", SINK_RETRY },
	{ "1", SINK_RETRY },
	{ "65", SINK_FAILED },
	{ "78", SINK_FAILED },
};

START_TEST(exec_exit_status)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *argv[5];
	const char	*alerts[] = { a };
	struct outcome	*o;

	exec_conf(exits[_i].code, argv);
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, exits[_i].result);
	/* The program's last line of output is in the message. */
	ck_assert_msg(strstr(o->error, "oops: exit") != NULL, "%s", o->error);
	sink_free(s);
	free(argv[1]);
	free(a);
}
END_TEST

/* A digest bigger than a pipe, to a reader that starts late. */
START_TEST(exec_digest_slow_reader)
{
	struct sink	*s;
	char		*argv[5], *in, *t;
	char		*a[200];
	const char	*alerts[200];
	size_t		 i;
	GString		*big = g_string_new(NULL);

	for (i = 0; i < 500; i++)
		g_string_append(big, "long title ");
	for (i = 0; i < 200; i++) {
		t = xasprintf("%zu %s", i, big->str);
		alerts[i] = a[i] = make_alert(i, t);
		free(t);
	}
	g_string_free(big, TRUE);
	argv[0] = W("/bin/sh");
	argv[1] = W("-c");
	argv[2] = xasprintf("sleep 0.3; cat > '%s/stdin'; "
	    "test \"$FEEDWATCH_COUNT\" = 200", H->dir);
	argv[3] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 3;
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 200, 0)->result, SINK_DELIVERED);
	in = slurp_in_dir("stdin");
	ck_assert_int_eq(test_count_lines(in, "\"alert_id\""), 200);
	ck_assert_uint_gt(strlen(in), 1000000);
	g_free(in);
	sink_free(s);
	free(argv[2]);
	for (i = 0; i < 200; i++)
		free(a[i]);
}
END_TEST

static int
pid_gone(pid_t pid)
{
	char	*path = xasprintf("/proc/%ld/stat", (long)pid), *st, *p;
	int	 gone;

	if (!g_file_get_contents(path, &st, NULL, NULL)) {
		free(path);
		return 1;
	}
	/* A zombie nobody reaps (no init in a container) counts as gone. */
	p = strrchr(st, ')');
	gone = p != NULL && p[2] == 'Z';
	g_free(st);
	free(path);
	return gone;
}

START_TEST(exec_timeout_kills_group)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE), *argv[4], *pidfile, *txt;
	const char	*alerts[] = { a };
	struct outcome	*o;
	pid_t		 pid;
	int		 i;

	pidfile = xasprintf("%s/pid", H->dir);
	argv[0] = W("/bin/sh");
	argv[1] = W("-c");
	argv[2] = xasprintf("sleep 30 & echo $! > '%s'; wait", pidfile);
	argv[3] = NULL;
	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 3;
	H->conf.timeout = 1;
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_msg(strstr(o->error, "timed out") != NULL, "%s", o->error);
	ck_assert_msg(o->at < 4, "took %.2fs", o->at);
	txt = test_slurp(pidfile);
	pid = atoi(txt);
	ck_assert_int_gt(pid, 0);
	/* The grandchild got the signal too. */
	for (i = 0; i < 100 && !pid_gone(pid); i++)
		usleep(20000);
	ck_assert_msg(pid_gone(pid), "sleep %ld still runs", (long)pid);
	g_free(txt);
	sink_free(s);
	free(argv[2]);
	free(pidfile);
	free(a);
}
END_TEST

START_TEST(exec_not_found)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	char		*argv[] = { W("/nonexistent/feedwatch-hook"), NULL };
	struct outcome	*o;

	H->conf.type = SINK_EXEC;
	H->conf.command = argv;
	H->conf.ncommand = 1;
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_FAILED);
	ck_assert_msg(strstr(o->error, "cannot run") != NULL, "%s", o->error);
	sink_free(s);
	free(a);
}
END_TEST

/* FEEDWATCH_LINK holds web links only. */
START_TEST(exec_bad_link)
{
	struct sink	*s;
	char		*a = make_hostile(HOSTILE, links[0]), *argv[5], *env;
	const char	*alerts[] = { a };

	exec_conf("0", argv);
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	env = slurp_in_dir("env");
	ck_assert_msg(strstr(env, "FEEDWATCH_LINK=\n") != NULL, "%s", env);
	g_free(env);
	sink_free(s);
	free(argv[1]);
	free(a);
}
END_TEST

/* --- desktop ---------------------------------------------------------- */

static const char notify_xml[] =
    "<node><interface name='org.freedesktop.Notifications'>"
    "<method name='Notify'><arg type='s' direction='in'/>"
    "<arg type='u' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
    "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
    "<method name='GetCapabilities'><arg type='as' direction='out'/>"
    "</method>"
    "<method name='GetServerInformation'><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/></method>"
    "<method name='CloseNotification'><arg type='u' direction='in'/>"
    "</method></interface></node>";

/* The fake notification server: its own thread, context and connection. */
struct notifyd {
	GPid		 bus_pid;
	char		*address;
	GThread		*thread;
	GMainContext	*ctx;
	GMainLoop	*loop;
	GMutex		 lock;
	GCond		 cond;
	int		 ready;
	int		 markup;	/* announce body-markup and actions */
	int		 hang;		/* never answer Notify */
	/* The last Notify, under lock. */
	int		 calls;
	char		*summary;
	char		*body;
	char		*actions;	/* joined with '|' */
	int		 urgency;
	GDBusMethodInvocation *held;
};

static struct notifyd	*ND;

static void
nd_method(GDBusConnection *c, const gchar *sender, const gchar *path,
    const gchar *iface, const gchar *method, GVariant *params,
    GDBusMethodInvocation *inv, gpointer arg)
{
	struct notifyd	*d = arg;
	const gchar	*app, *icon, *summary, *body;
	const gchar	**actions;
	GVariant	*hints, *caps;
	guint32		 id;
	gint32		 timeout;
	guchar		 urg = 255;
	GPtrArray	*v;

	if (strcmp(method, "GetCapabilities") == 0) {
		v = g_ptr_array_new();
		g_ptr_array_add(v, W("body"));
		if (d->markup) {
			g_ptr_array_add(v, W("body-markup"));
			g_ptr_array_add(v, W("actions"));
		}
		caps = g_variant_new_strv((const gchar *const *)v->pdata,
		    v->len);
		g_ptr_array_free(v, TRUE);
		g_dbus_method_invocation_return_value(inv,
		    g_variant_new_tuple(&caps, 1));
	} else if (strcmp(method, "GetServerInformation") == 0) {
		g_dbus_method_invocation_return_value(inv, g_variant_new(
		    "(ssss)", "notifyd", "feedwatch-tests", "1", "1.2"));
	} else if (strcmp(method, "Notify") == 0) {
		g_variant_get(params, "(&su&s&s&s^a&s@a{sv}i)", &app, &id,
		    &icon, &summary, &body, &actions, &hints, &timeout);
		g_variant_lookup(hints, "urgency", "y", &urg);
		g_mutex_lock(&d->lock);
		d->calls++;
		g_free(d->summary);
		g_free(d->body);
		g_free(d->actions);
		d->summary = g_strdup(summary);
		d->body = g_strdup(body);
		d->actions = g_strjoinv("|", (gchar **)actions);
		d->urgency = urg;
		g_mutex_unlock(&d->lock);
		g_free(actions);
		g_variant_unref(hints);
		if (d->hang) {
			g_mutex_lock(&d->lock);
			d->held = inv;
			g_mutex_unlock(&d->lock);
		}
		else
			g_dbus_method_invocation_return_value(inv,
			    g_variant_new("(u)", 42));
	} else
		g_dbus_method_invocation_return_value(inv, NULL);
}

static gpointer
nd_main(gpointer arg)
{
	static const GDBusInterfaceVTable vt = { nd_method, NULL, NULL, { 0 } };
	struct notifyd	*d = arg;
	GDBusConnection	*c;
	GDBusNodeInfo	*info;
	GVariant	*r;
	GError		*err = NULL;

	g_main_context_push_thread_default(d->ctx);
	c = g_dbus_connection_new_for_address_sync(d->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	g_assert_no_error(err);
	info = g_dbus_node_info_new_for_xml(notify_xml, &err);
	g_assert_no_error(err);
	g_dbus_connection_register_object(c, "/org/freedesktop/Notifications",
	    info->interfaces[0], &vt, d, NULL, &err);
	g_assert_no_error(err);
	r = g_dbus_connection_call_sync(c, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
	    g_variant_new("(su)", "org.freedesktop.Notifications", 4),
	    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &err);
	g_assert_no_error(err);
	g_variant_unref(r);
	g_mutex_lock(&d->lock);
	d->ready = 1;
	g_cond_signal(&d->cond);
	g_mutex_unlock(&d->lock);
	g_main_loop_run(d->loop);
	g_dbus_node_info_unref(info);
	g_object_unref(c);
	return NULL;
}

/* A private session bus in $DBUS_SESSION_BUS_ADDRESS, with the server. */
static void
nd_start(int markup, int hang)
{
	const char	*argv[] = { "dbus-daemon", "--session", "--nofork",
			    "--nopidfile", "--print-address=1", NULL };
	GError		*err = NULL;
	gint		 out;
	FILE		*f;
	char		 line[512];

	test_need("dbus-daemon", "dbus-daemon");
	ND = xcalloc(1, sizeof(*ND));
	ND->markup = markup;
	ND->hang = hang;
	g_mutex_init(&ND->lock);
	g_cond_init(&ND->cond);
	ck_assert_msg(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
	    &ND->bus_pid, NULL, &out, NULL,
	    &err), "cannot start dbus-daemon: %s", err ? err->message : "?");
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL,
	    "dbus-daemon printed no address");
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	ND->address = xstrdup(line);
	setenv("DBUS_SESSION_BUS_ADDRESS", ND->address, 1);
	ND->ctx = g_main_context_new();
	ND->loop = g_main_loop_new(ND->ctx, FALSE);
	ND->thread = g_thread_new("notifyd", nd_main, ND);
	g_mutex_lock(&ND->lock);
	while (!ND->ready)
		g_cond_wait(&ND->cond, &ND->lock);
	g_mutex_unlock(&ND->lock);
}

static gboolean
nd_release(gpointer arg)
{
	g_dbus_method_invocation_return_value(arg, g_variant_new("(u)", 42));
	return G_SOURCE_REMOVE;
}

static void
nd_stop(void)
{
	/* Answer a held Notify so the notifier is idle when the bus goes. */
	if (ND->hang) {
		g_mutex_lock(&ND->lock);
		ck_assert_ptr_nonnull(ND->held);
		g_mutex_unlock(&ND->lock);
		g_main_context_invoke(ND->ctx, nd_release, ND->held);
		usleep(200000);
	}
	/*
	 * The process ends with the test: stop the bus, leave GLib's
	 * threads alone (the notifier thread lives as long as the process).
	 */
	kill(ND->bus_pid, SIGTERM);
	waitpid(ND->bus_pid, NULL, 0);
}

START_TEST(desktop_notify)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };

	nd_start(1, 0);
	H->conf.type = SINK_DESKTOP;
	H->conf.urgency = W("critical");
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_int_eq(ND->calls, 1);
	ck_assert_str_eq(ND->summary, "crimea");
	ck_assert_msg(strstr(ND->body, "<b>Pompeo to Lavrov: \xc2\xabKrym"
	    "\xc2\xbb &lt;b&gt;is&lt;/b&gt; Ukraine &amp; ") != NULL, "%s",
	    ND->body);
	ck_assert(strstr(ND->body, "annexation of &lt;Crimea&gt;") != NULL);
	ck_assert_str_eq(ND->actions, "default|Open");
	ck_assert_int_eq(ND->urgency, 2);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
	free(a);
}
END_TEST

START_TEST(desktop_plain_digest)
{
	struct sink	*s;
	char		*a[3];
	const char	*alerts[3];
	size_t		 i;

	for (i = 0; i < 3; i++)
		alerts[i] = a[i] = make_alert(i, TITLE);
	nd_start(0, 0);
	H->conf.type = SINK_DESKTOP;
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 3, 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_str_eq(ND->summary, "crimea: 3 alerts");
	/* No body-markup: plain text, not escaped; no actions offered. */
	ck_assert(strstr(ND->body, "<b>is</b> Ukraine & ") != NULL);
	ck_assert_int_eq(test_count_lines(ND->body, "Pompeo"), 3);
	ck_assert_str_eq(ND->actions, "");
	ck_assert_int_eq(ND->urgency, 1);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
	for (i = 0; i < 3; i++)
		free(a[i]);
}
END_TEST

/* No session bus: RETRY, and a webhook sent alongside is delivered. */
START_TEST(desktop_no_bus)
{
	struct sink_conf	 wc;
	struct sink		*s, *w;
	char			*a = make_alert(1, TITLE), err[256];
	const char		*alerts[] = { a };

	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
	unsetenv("DISPLAY");
	H->conf.type = SINK_DESKTOP;
	s = make_sink();
	memset(&wc, 0, sizeof(wc));
	wc.name = W("hook");
	wc.type = SINK_WEBHOOK;
	wc.url = url("/hook");
	ck_assert_ptr_nonnull(w = sink_new(&wc, &H->env, err, sizeof(err)));
	ck_assert_int_eq(sink_send(s, alerts, 1, on_done, &H->out[0]), 0);
	ck_assert_int_eq(sink_send(w, alerts, 1, on_done, &H->out[1]), 0);
	wait_for(2, 10);
	ck_assert_int_eq(H->out[0].result, SINK_RETRY);
	ck_assert_msg(strstr(H->out[0].error, "no session bus") != NULL, "%s",
	    H->out[0].error);
	ck_assert_int_eq(H->out[1].result, SINK_DELIVERED);
	/* And again: still RETRY (the warning is logged once). */
	ck_assert_int_eq(send_wait(s, alerts, 1, 2)->result, SINK_RETRY);
	sink_free(s);
	sink_free(w);
	free(wc.url);
	free(a);
}
END_TEST

/* A server that never answers: RETRY after the sink's timeout. */
START_TEST(desktop_server_hangs)
{
	struct sink	*s;
	char		*a = make_alert(1, TITLE);
	const char	*alerts[] = { a };
	struct outcome	*o;

	nd_start(1, 1);
	H->conf.type = SINK_DESKTOP;
	H->conf.timeout = 1;
	s = make_sink();
	o = send_wait(s, alerts, 1, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_msg(strstr(o->error, "did not answer") != NULL, "%s",
	    o->error);
	ck_assert_msg(o->at < 4, "took %.2fs", o->at);
	sink_free(s);
	nd_stop();
	free(a);
}
END_TEST

/* "Open" only for a web link; the hostile text is escaped markup. */
START_TEST(desktop_links)
{
	const char	*link = links[_i];
	struct sink	*s;
	char		*a = make_hostile(HOSTILE, link);
	const char	*alerts[] = { a };

	nd_start(1, 0);
	H->conf.type = SINK_DESKTOP;
	s = make_sink();
	ck_assert_int_eq(send_wait(s, alerts, 1, 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_str_eq(ND->actions, strcmp(link, GOOD_LINK) == 0 ?
	    "default|Open" : "");
	ck_assert_msg(strstr(ND->body, "<b>x</b>") == NULL && strstr(ND->body,
	    "&lt;b&gt;x&lt;/b&gt;") != NULL, "%s", ND->body);
	ck_assert_int_eq(hostile_count(ND->body), 3);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
	free(a);
}
END_TEST

/* --- feedwatch test-sink ---------------------------------------------- */

START_TEST(test_sink_command)
{
	struct httpd		*srv = httpd_start();
	struct test_proc	 p;
	char			*dir = test_tmpdir(), *conf, *text, *hook;
	const char		*ok[] = { "test-sink", "-c", NULL, "hook", NULL };
	const char		*gone[] = { "test-sink", "-c", NULL, "down",
				    NULL };
	const char		*none[] = { "test-sink", "-c", NULL, "nope",
				    NULL };

	httpd_route(srv, "/hook", 200, "text/plain", "ok", 2, NULL);
	hook = httpd_url(srv, "/hook");
	text = xasprintf("[sink hook]\ntype = webhook\nurl = %s\n\n"
	    "[sink down]\ntype = webhook\nurl = http://127.0.0.1:1/x\n", hook);
	conf = test_write(dir, "feedwatch.conf", text);
	ok[2] = gone[2] = none[2] = conf;
	test_run(&p, ok);
	ck_assert_msg(p.status == 0, "status %d: %s%s", p.status, p.out,
	    p.err);
	ck_assert_msg(strstr(p.out, "sink 'hook' (webhook): delivered") !=
	    NULL, "%s", p.out);
	ck_assert_uint_eq(httpd_hits(srv, "/hook"), 1);
	test_proc_clear(&p);
	test_run(&p, gone);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.out, "sink 'down' (webhook): retry") != NULL,
	    "%s", p.out);
	test_proc_clear(&p);
	test_run(&p, none);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	httpd_stop(srv);
	test_rmtree(dir);
	free(dir);
	free(conf);
	free(text);
	free(hook);
}
END_TEST

/* --- secrets and ca-file, through the feedwatch binary ---------------- */

static const char secrets_rss[] =
    "<rss version=\"2.0\"><channel><title>World</title>"
    "<item><title>Ferries to Crimea resume</title><guid>s-1</guid>"
    "<pubDate>Tue, 14 May 2019 18:30:00 +0000</pubDate>"
    "<link>https://news.example.org/s-1</link></item></channel></rss>";

/* Values that must never be printed, whatever the command or level. */
static const char *const secret_values[] = {
	"HOOKUSER-2t", "HOOKPASS-5x", "HOOKTOKEN-9z", "QUERYTOKEN-7q",
	"HMACKEY-3w", "MAILUSER-4v", "MAILPASS-8u"
};

static void
assert_no_secret(const struct test_proc *p, const char *what)
{
	size_t	 i;

	for (i = 0; i < sizeof(secret_values) / sizeof(secret_values[0]);
	    i++)
		ck_assert_msg(strstr(p->out, secret_values[i]) == NULL &&
		    strstr(p->err, secret_values[i]) == NULL,
		    "%s shows '%s':\n%s%s", what, secret_values[i], p->out,
		    p->err);
	ck_assert_msg(strstr(p->out, "HMACK") == NULL && strstr(p->err,
	    "HMACK") == NULL, "%s shows part of a key:\n%s%s", what, p->out,
	    p->err);
}

/*
 * A webhook whose server quotes the request in its error, and an SMTP
 * server without STARTTLS: logs at -v, `status` and `test-sink` show
 * what failed and none of the tokens, keys, user names or passwords.
 */
START_TEST(secrets_never_shown)
{
	struct httpd		*srv = httpd_start();
	struct test_proc	 p;
	struct smtpd		 d;
	char			*conf, *text, *feed, *echo, *auth;
	const char		*check[] = { "check", "-v", "-c", NULL, NULL };
	const char		*status[] = { "status", "-v", "-c", NULL,
				    NULL, NULL };
	const char		*ts[] = { "test-sink", "-v", "-c", NULL, NULL,
				    NULL };

	smtpd_start(&d, "MAILUSER-4v:MAILPASS-8u", SMTPD_PLAIN);
	httpd_route(srv, "/world.xml", 200, "application/rss+xml",
	    secrets_rss, sizeof(secrets_rss) - 1, NULL);
	/* The last key is cut where the error quotes no more of the answer. */
	echo = xasprintf("no hook /services/T0/B0/HOOKTOKEN-9z?token="
	    "QUERYTOKEN-7q for HOOKUSER-2t:HOOKPASS-5x (key HMACKEY-3w)%*s"
	    "HMACKEY-3w", 21, "");
	httpd_route(srv, "/services/T0/B0/HOOKTOKEN-9z", 500, "text/plain",
	    echo, strlen(echo), NULL);
	feed = httpd_url(srv, "/world.xml");
	text = xasprintf("[daemon]\nstate = %s/state.db\nbackfill = 36500d\n"
	    "\n[feed world]\nurl = %s\n\n[topic crimea]\nquery = Crimea\n\n"
	    "[sink hook]\ntype = webhook\nformat = slack\nurl = http://"
	    "HOOKUSER-2t:HOOKPASS-5x@127.0.0.1:%d/services/T0/B0/"
	    "HOOKTOKEN-9z?token=QUERYTOKEN-7q\nsecret = HMACKEY-3w\n\n"
	    "[sink mail]\ntype = email\nsmtp = smtp://127.0.0.1:%d\n"
	    "username = MAILUSER-4v\npassword = MAILPASS-8u\n"
	    "from = feedwatch@example.org\nto = ops@example.org\n", H->dir,
	    feed, httpd_port(srv), d.port);
	conf = test_write(H->dir, "feedwatch.conf", text);
	check[3] = status[3] = ts[3] = conf;

	test_run(&p, check);
	ck_assert_msg(p.status == 1, "exit %d: %s", p.status, p.err);
	ck_assert_uint_eq(httpd_hits(srv, "/services/T0/B0/HOOKTOKEN-9z"), 1);
	ck_assert_msg(strstr(p.err, "http 500") != NULL, "%s", p.err);
	assert_no_secret(&p, "check -v");
	test_proc_clear(&p);
	test_run(&p, status);
	ck_assert_msg(strstr(p.out, "http 500") != NULL && strstr(p.out,
	    "STARTTLS") != NULL, "%s", p.out);
	assert_no_secret(&p, "status");
	test_proc_clear(&p);
	status[4] = "--json";
	test_run(&p, status);
	ck_assert_int_eq(p.status, 0);
	assert_no_secret(&p, "status --json");
	test_proc_clear(&p);
	ts[4] = "hook";
	test_run(&p, ts);
	ck_assert_msg(strstr(p.out, "sink 'hook' (webhook): retry") != NULL,
	    "%s", p.out);
	assert_no_secret(&p, "test-sink hook");
	test_proc_clear(&p);
	ts[4] = "mail";
	test_run(&p, ts);
	ck_assert_msg(strstr(p.out, "sink 'mail' (email): failed") != NULL,
	    "%s", p.out);
	assert_no_secret(&p, "test-sink mail");
	test_proc_clear(&p);
	/* And the password never went to the server in clear. */
	auth = smtpd_auth_log(&d);
	ck_assert_str_eq(auth, "");
	g_free(auth);
	smtpd_stop(&d);
	httpd_stop(srv);
	free(conf);
	free(text);
	free(feed);
	free(echo);
}
END_TEST

/* ca-file: a config error with its line when missing; relative works. */
START_TEST(config_ca_file)
{
	struct test_proc	 p;
	char			*conf, *text, *want;
	const char		*check[] = { "config", "check", "-c", NULL,
				    NULL };
	static const char	*const bad[] = { "missing.pem", "." };
	size_t			 i;

	make_certs();
	for (i = 0; i < 3; i++) {
		text = xasprintf("[sink mail]\ntype = email\nsmtp = smtp://"
		    "127.0.0.1:25\nfrom = a@example.org\nto = b@example.org\n"
		    "ca-file = %s\n\n[sink hook]\ntype = webhook\nurl = "
		    "https://127.0.0.1/x\nca-file = ca.pem\n", i < 2 ? bad[i] :
		    "ca.pem");
		conf = test_write(H->dir, "feedwatch.conf", text);
		check[3] = conf;
		test_run(&p, check);
		if (i == 2)
			ck_assert_msg(p.status == 0, "%s", p.err);
		else {
			ck_assert_int_eq(p.status, 2);
			want = xasprintf("%s:6: sink 'mail': ca-file '%s", conf,
			    H->dir);
			ck_assert_msg(strstr(p.err, want) != NULL, "%s", p.err);
			ck_assert_msg(strstr(p.err, i == 0 ? "No such file" :
			    "is not a file") != NULL, "%s", p.err);
			free(want);
		}
		test_proc_clear(&p);
		free(conf);
		free(text);
	}
}
END_TEST

/*
 * A webhook to an HTTPS server whose certificate a private CA signed:
 * delivered with that CA as ca-file, refused with another or none.
 */
static const char httpsd_py[] =
    "import http.server, ssl, sys\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_POST(self):\n"
    "        self.rfile.read(int(self.headers['Content-Length']))\n"
    "        self.send_response(200)\n"
    "        self.send_header('Content-Length', '0')\n"
    "        self.end_headers()\n"
    "    def log_message(self, *args):\n"
    "        pass\n"
    "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
    "c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "c.load_cert_chain(sys.argv[1], sys.argv[2])\n"
    "s.socket = c.wrap_socket(s.socket, server_side=True)\n"
    "print(s.server_address[1], flush=True)\n"
    "s.serve_forever()\n";

START_TEST(webhook_ca_file)
{
	static const char *const cas[] = { "ca.pem", "other.pem", NULL };
	char		*cert, *key, line[32], *a = make_alert(1, TITLE);
	const char	*argv[7], *alerts[] = { a };
	struct sink	*s;
	struct outcome	*o;
	GPid		 pid;
	gint		 out;
	FILE		*f;
	size_t		 i;

	make_certs();
	cert = in_dir("server.pem");
	key = in_dir("server.key");
	argv[0] = "/usr/bin/python3";
	argv[1] = "-c";
	argv[2] = httpsd_py;
	argv[3] = cert;
	argv[4] = key;
	argv[5] = NULL;
	ck_assert(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_DEFAULT, NULL, NULL, &pid, NULL, &out, NULL, NULL));
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = xasprintf("https://127.0.0.1:%d/hook", atoi(line));
	for (i = 0; i < 3; i++) {
		H->conf.ca_file = cas[i] ? in_dir(cas[i]) : NULL;
		s = make_sink();
		o = send_wait(s, alerts, 1, i);
		if (i == 0)
			ck_assert_msg(o->result == SINK_DELIVERED, "%s",
			    o->error);
		else {
			ck_assert_int_eq(o->result, SINK_RETRY);
			ck_assert_msg(strstr(o->error, "certificate") != NULL &&
			    strstr(o->error, "set ca-file") != NULL, "%s",
			    o->error);
		}
		sink_free(s);
		free(H->conf.ca_file);
		H->conf.ca_file = NULL;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	free(H->conf.url);
	free(cert);
	free(key);
	free(a);
}
END_TEST

Suite *
sinks_suite(void)
{
	Suite	*s = suite_create("sinks");
	TCase	*tc;

	tc = tcase_create("webhook");
	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, webhook_json_signed);
	tcase_add_test(tc, webhook_json_digest);
	tcase_add_loop_test(tc, webhook_presets, 0,
	    sizeof(presets) / sizeof(presets[0]));
	tcase_add_test(tc, webhook_preset_digest);
	tcase_add_test(tc, webhook_retry_then_delivered);
	tcase_add_test(tc, webhook_429_retry_after);
	tcase_add_loop_test(tc, webhook_4xx_failed, 0,
	    sizeof(failing) / sizeof(failing[0]));
	tcase_add_loop_test(tc, webhook_retry_codes, 0,
	    sizeof(retrying) / sizeof(retrying[0]));
	tcase_add_test(tc, webhook_hang_does_not_block);
	tcase_add_test(tc, webhook_refused_retry);
	tcase_add_test(tc, webhook_free_in_flight);
	tcase_add_loop_test(tc, webhook_hostile, 0,
	    sizeof(presets) / sizeof(presets[0]) * NLINKS);
	tcase_add_loop_test(tc, webhook_hostile_digest, 0,
	    sizeof(presets) / sizeof(presets[0]));
	tcase_add_test(tc, webhook_json_bad_link);
	tcase_add_test(tc, webhook_ca_file);
	tcase_add_test(tc, alert_web_links_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("email");
	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, email_single_auth);
	tcase_add_test(tc, email_digest);
	tcase_add_test(tc, email_header_injection);
	tcase_add_test(tc, email_auth_failed);
	tcase_add_test(tc, email_server_down);
	tcase_add_loop_test(tc, email_hostile, 0, NLINKS - 1);
	tcase_add_test(tc, email_starttls_opportunistic);
	tcase_add_test(tc, email_starttls_wrong_ca);
	tcase_add_test(tc, email_smtps);
	tcase_add_test(tc, email_no_starttls_password);
	suite_add_tcase(s, tc);

	tc = tcase_create("exec");
	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, exec_stdin_env);
	tcase_add_loop_test(tc, exec_exit_status, 0,
	    sizeof(exits) / sizeof(exits[0]));
	tcase_add_test(tc, exec_digest_slow_reader);
	tcase_add_test(tc, exec_timeout_kills_group);
	tcase_add_test(tc, exec_not_found);
	tcase_add_test(tc, exec_bad_link);
	suite_add_tcase(s, tc);

	tc = tcase_create("desktop");
	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, desktop_notify);
	tcase_add_test(tc, desktop_plain_digest);
	tcase_add_test(tc, desktop_no_bus);
	tcase_add_test(tc, desktop_server_hangs);
	tcase_add_loop_test(tc, desktop_links, 0, NLINKS);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, config_ca_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("secrets");
	tcase_add_checked_fixture(tc, harness_setup, harness_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, secrets_never_shown);
	suite_add_tcase(s, tc);

	tc = tcase_create("command");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sink_command);
	suite_add_tcase(s, tc);
	return s;
}
