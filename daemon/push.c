/*
 * push.c: the WebSub subscriber: subscriptions, their leases, and the
 * callback (push.h).
 *
 * Every subscription is in memory (by feed and by callback id) and in the
 * store, written through on every change.  A one-second tick asks the
 * hubs what is due: renewals, retries, unsubscribe requests given up on.
 */
#include "push.h"

#include <sys/random.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <glib.h>

#include "config.h"
#include "duration.h"
#include "item.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "url.h"
#include "watch.h"
#include "xfer.h"
#include "xmalloc.h"

#define PUSH_ID_BYTES		16
#define PUSH_SECRET_BYTES	32
#define PUSH_RETRY_SECS		60	/* the first retry; doubles... */
#define PUSH_RETRY_MAX		86400	/* ...up to a day */
#define PUSH_PENDING_SECS	3600	/* a hub that never verifies */
#define PUSH_SUB_BURST		10.0	/* pushes per subscription... */
#define PUSH_SUB_RATE		1.0	/* ...refilled per second */
#define PUSH_ALL_BURST		2000.0	/* pushes in all... */
#define PUSH_ALL_RATE		1000.0	/* ...refilled per second */

struct bucket {
	double		 tokens;
	double		 last;		/* monotonic seconds */
};

struct sub {
	struct subscription rec;
	struct push	*p;
	struct xfer	*x;		/* a request to the hub in flight */
	int		 renewing;	/* a renewal asked, not verified yet */
	struct bucket	 rate;
};

struct push {
	const struct config *cf;
	struct xfer_multi *m;
	struct watch	*w;
	struct event	*tick;
	GHashTable	*by_feed;	/* feed name -> sub, owns the subs */
	GHashTable	*by_id;		/* callback id -> sub */
	char		*push_url;	/* the callback base served, or NULL */
	char		*path;		/* its path, on the listener */
	struct bucket	 rate;
	feedpoll_done_cb *pushed;
	push_ended_cb	*ended;
	void		*cb_arg;	/* of both */
};

static double
mono_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A token bucket: 1 if a request may pass now. */
static int
bucket_take(struct bucket *b, double burst, double rate)
{
	double	 now = mono_now();

	if (b->last == 0)
		b->tokens = burst;
	else
		b->tokens += (now - b->last) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->last = now;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

/* 'n' bytes from the kernel's CSPRNG, in hex (malloc'd). */
static char *
random_hex(size_t n)
{
	unsigned char	 buf[PUSH_SECRET_BYTES];
	char		*hex;
	size_t		 i, got = 0;
	ssize_t		 r;

	if (n > sizeof(buf))
		fatalx("%s: %zu bytes", __func__, n);
	while (got < n) {
		if ((r = getrandom(buf + got, n - got, 0)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		got += (size_t)r;
	}
	hex = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	explicit_bzero(buf, sizeof(buf));
	return hex;
}

static long
backoff(int failures)
{
	long	 secs = PUSH_RETRY_SECS;
	int	 i;

	for (i = 1; i < failures && secs < PUSH_RETRY_MAX; i++)
		secs *= 2;
	return secs < PUSH_RETRY_MAX ? secs : PUSH_RETRY_MAX;
}

static void
sub_save(struct sub *s)
{
	/* the store logs its failures; the next change writes it again */
	(void)store_sub_put(watch_store(s->p->w), &s->rec);
}

static void
sub_free(struct sub *s)
{
	xfer_cancel(s->x);
	subscription_clear(&s->rec);
	free(s);
}

/* Forgets a subscription, here and in the store. */
static void
sub_drop(struct sub *s)
{
	struct push	*p = s->p;

	p->ended(s->rec.feed, p->cb_arg);
	(void)store_sub_delete(watch_store(p->w), s->rec.feed);
	g_hash_table_remove(p->by_id, s->rec.id);
	g_hash_table_remove(p->by_feed, s->rec.feed);	/* frees s */
}

static void
sub_add(struct push *p, struct sub *s)
{
	s->p = p;
	g_hash_table_replace(p->by_feed, s->rec.feed, s);
	g_hash_table_replace(p->by_id, s->rec.id, s);
}

static void	on_asked(struct xfer *, int, const char *, void *);

static void
form_add(GString *b, const char *key, const char *value)
{
	char	*v;

	if ((v = evhttp_uriencode(value, -1, 0)) == NULL)
		fatalx("%s: out of memory", __func__);
	g_string_append_printf(b, "%s%s=%s", b->len > 0 ? "&" : "", key, v);
	free(v);
}

/*
 * Sends the hub a subscribe or unsubscribe request for 's'.  The answer
 * (on_asked) only says whether the hub took it: the subscription is
 * verified later, on the callback.
 */
static void
ask(struct sub *s, const char *mode)
{
	struct push	*p = s->p;
	GString		*b = g_string_new(NULL);
	char		*callback, *lease, *hub;

	callback = xasprintf("%s%s", p->push_url, s->rec.id);
	lease = xasprintf("%ld", PUSH_LEASE);
	form_add(b, "hub.mode", mode);
	form_add(b, "hub.topic", s->rec.topic);
	form_add(b, "hub.callback", callback);
	if (strcmp(mode, "subscribe") == 0) {
		form_add(b, "hub.secret", s->rec.secret);
		form_add(b, "hub.lease_seconds", lease);
	}
	s->x = xfer_new(p->m, on_asked, s);
	if (xfer_setup(s->x, s->rec.hub, "http,https", p->cf->daemon.timeout,
	    NULL) == -1 || xfer_post_form(s->x, b->str,
	    p->cf->daemon.user_agent) == -1 || xfer_start(s->x) == -1) {
		hub = url_redact(s->rec.hub);
		log_warnx("feed '%s': hub %s: cannot send the %s request",
		    s->rec.feed, hub, mode);
		free(hub);
		xfer_cancel(s->x);
		s->x = NULL;
		s->rec.failures++;
		s->rec.next_at = duration_after(time(NULL),
		    backoff(s->rec.failures));
	}
	explicit_bzero(b->str, b->len);
	g_string_free(b, TRUE);
	free(lease);
	free(callback);
}

static void
on_asked(struct xfer *x, int result, const char *error, void *arg)
{
	struct sub	*s = arg;
	long		 code = xfer_http_code(x);
	time_t		 now = time(NULL);
	char		*hub;

	s->x = NULL;
	if (result == 0 && code >= 200 && code < 300) {
		s->rec.failures = 0;
		if (s->rec.state == SUB_VERIFIED)
			s->renewing = 1;
		else if (s->rec.state == SUB_DENIED)
			s->rec.state = SUB_PENDING;
		s->rec.next_at = duration_after(now, PUSH_PENDING_SECS);
		if (s->rec.state == SUB_VERIFIED &&
		    s->rec.next_at > s->rec.lease_end)
			s->rec.next_at = s->rec.lease_end;
		sub_save(s);
		return;
	}
	hub = url_redact(s->rec.hub);
	s->rec.failures++;
	s->rec.next_at = duration_after(now, backoff(s->rec.failures));
	if (result != 0)
		log_warnx("feed '%s': hub %s: subscription request failed: "
		    "%s; asked again in %lds", s->rec.feed, hub, error,
		    (long)(s->rec.next_at - now));
	else
		log_warnx("feed '%s': hub %s: subscription request refused "
		    "(http status %ld); asked again in %lds", s->rec.feed,
		    hub, code, (long)(s->rec.next_at - now));
	free(hub);
	sub_save(s);
}

/* What the config no longer wants is unsubscribed (or just forgotten). */
static void
unsubscribe_unwanted(struct push *p)
{
	const struct config_feed *f;
	GList		*subs, *l;
	struct sub	*s;

	subs = g_hash_table_get_values(p->by_feed);
	for (l = subs; l != NULL; l = l->next) {
		s = l->data;
		if (s->rec.state == SUB_UNSUBSCRIBING ||
		    (p->cf->daemon.push_url != NULL &&
		    (f = config_feed_find(p->cf, s->rec.feed)) != NULL &&
		    !f->disabled))
			continue;
		/*
		 * Without a callback (push-url gone at start) the hub could
		 * not verify an unsubscribe: its lease lapses instead.
		 */
		if (s->rec.state == SUB_DENIED || p->push_url == NULL) {
			log_info("feed '%s': no longer pushed", s->rec.feed);
			sub_drop(s);
			continue;
		}
		xfer_cancel(s->x);
		s->x = NULL;
		s->rec.state = SUB_UNSUBSCRIBING;
		s->rec.failures = 0;
		s->rec.next_at = duration_after(time(NULL), PUSH_PENDING_SECS);
		sub_save(s);
		ask(s, "unsubscribe");
	}
	g_list_free(subs);
}

/* Asks the hubs what is due: renewals, retries; gives up on unsubscribes. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct push	*p = arg;
	GList		*subs, *l;
	struct sub	*s;
	time_t		 now = time(NULL);

	subs = g_hash_table_get_values(p->by_feed);
	for (l = subs; l != NULL; l = l->next) {
		s = l->data;
		if (s->x != NULL || s->rec.next_at == 0 || now < s->rec.next_at)
			continue;
		if (s->rec.state == SUB_UNSUBSCRIBING)
			sub_drop(s);
		else if (p->push_url != NULL)
			ask(s, "subscribe");
	}
	g_list_free(subs);
}

void
push_polled(struct push *p, const struct config_feed *f, const char *hub,
    const char *self)
{
	struct sub	*s;
	char		*shown;

	if (p == NULL || p->push_url == NULL || hub == NULL || self == NULL ||
	    p->cf->daemon.push_url == NULL)
		return;
	s = g_hash_table_lookup(p->by_feed, f->name);
	if (s != NULL && s->rec.state != SUB_UNSUBSCRIBING &&
	    strcmp(s->rec.hub, hub) == 0 && strcmp(s->rec.topic, self) == 0)
		return;
	/* A new hub or topic: a new subscription; the old lease lapses. */
	if (s != NULL)
		sub_drop(s);
	s = xcalloc(1, sizeof(*s));
	s->rec.feed = xstrdup(f->name);
	s->rec.hub = xstrdup(hub);
	s->rec.topic = xstrdup(self);
	s->rec.id = random_hex(PUSH_ID_BYTES);
	s->rec.secret = random_hex(PUSH_SECRET_BYTES);
	s->rec.state = SUB_PENDING;
	sub_add(p, s);
	shown = url_redact(hub);
	log_info("feed '%s': subscribing at hub %s", f->name, shown);
	free(shown);
	ask(s, "subscribe");
	sub_save(s);
}

time_t
push_lease_end(const struct push *p, const char *feed)
{
	const struct sub *s;

	if (p == NULL || (s = g_hash_table_lookup(p->by_feed, feed)) == NULL ||
	    s->rec.state != SUB_VERIFIED || s->rec.lease_end <= time(NULL))
		return 0;
	return s->rec.lease_end;
}

/* hub.lease_seconds, clamped; the lease asked for if there is none. */
static long
lease_seconds(const char *v)
{
	char	*end;
	long	 l;

	if (v == NULL)
		return PUSH_LEASE;
	errno = 0;
	l = strtol(v, &end, 10);
	if (end == v || *end != '\0')
		return PUSH_LEASE;
	if (l < PUSH_MIN_LEASE)
		return PUSH_MIN_LEASE;
	return errno == ERANGE || l > PUSH_MAX_LEASE ? PUSH_MAX_LEASE : l;
}

static void
reply_text(struct evhttp_request *req, int code, const char *text)
{
	struct evbuffer	*b;

	if ((b = evbuffer_new()) == NULL ||
	    evbuffer_add(b, text, strlen(text)) == -1) {
		evhttp_send_error(req, 500, NULL);
		if (b != NULL)
			evbuffer_free(b);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain");
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Not Found", b);
	evbuffer_free(b);
}

static void
verified(struct sub *s, const char *lease)
{
	time_t	 now = time(NULL);
	long	 secs = lease_seconds(lease);
	char	*hub, until[21];

	s->rec.state = SUB_VERIFIED;
	s->rec.failures = 0;
	s->rec.lease_end = duration_after(now, secs);
	s->rec.next_at = duration_after(now, secs - secs / 5);
	if (!s->renewing) {
		hub = url_redact(s->rec.hub);
		feed_time_format(s->rec.lease_end, until);
		log_info("feed '%s': pushed by hub %s (lease until %s)",
		    s->rec.feed, hub, until);
		free(hub);
	}
	s->renewing = 0;
	sub_save(s);
}

/* A hub's verification of intent, or its denial (GET on the callback). */
static void
verify(struct push *p, struct sub *s, struct evhttp_request *req)
{
	const char	*qs, *mode, *topic, *challenge;
	struct evkeyvalq q;
	char		*hub;
	int		 ours;

	qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (evhttp_parse_query_str(qs != NULL ? qs : "", &q) == -1) {
		evhttp_send_error(req, 400, NULL);
		return;
	}
	mode = evhttp_find_header(&q, "hub.mode");
	topic = evhttp_find_header(&q, "hub.topic");
	challenge = evhttp_find_header(&q, "hub.challenge");
	ours = s != NULL && mode != NULL && topic != NULL &&
	    strcmp(topic, s->rec.topic) == 0;
	if (ours && strcmp(mode, "denied") == 0) {
		p->ended(s->rec.feed, p->cb_arg);
		s->rec.state = SUB_DENIED;
		s->rec.failures++;
		s->rec.next_at = duration_after(time(NULL),
		    backoff(s->rec.failures));
		hub = url_redact(s->rec.hub);
		log_warnx("feed '%s': hub %s denied the subscription; asked "
		    "again in %lds", s->rec.feed, hub, backoff(s->rec.failures));
		free(hub);
		sub_save(s);
		reply_text(req, 200, "");
	} else if (ours && challenge != NULL &&
	    strcmp(mode, "subscribe") == 0 &&
	    (s->rec.state == SUB_PENDING || (s->rec.state == SUB_VERIFIED &&
	    s->renewing))) {
		reply_text(req, 200, challenge);
		verified(s, evhttp_find_header(&q, "hub.lease_seconds"));
	} else if (ours && challenge != NULL &&
	    strcmp(mode, "unsubscribe") == 0 &&
	    s->rec.state == SUB_UNSUBSCRIBING) {
		reply_text(req, 200, challenge);
		log_info("feed '%s': unsubscribed", s->rec.feed);
		sub_drop(s);
	} else {
		log_debug("push: verification refused (%s)", s == NULL ?
		    "unknown callback" : "not a request of ours");
		reply_text(req, 404, "");
	}
	evhttp_clear_headers(&q);
}

static int
hex_decode(const char *hex, size_t n, unsigned char *out)
{
	size_t		 i;
	unsigned int	 v;

	for (i = 0; i < n; i++) {
		if (!g_ascii_isxdigit(hex[2 * i]) ||
		    !g_ascii_isxdigit(hex[2 * i + 1]))
			return -1;
		v = (unsigned int)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
		    g_ascii_xdigit_value(hex[2 * i + 1]));
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Compares in a time that depends on 'n' only (n is public). */
static int
ct_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char	 d = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/*
 * X-Hub-Signature: "METHOD=HEX", the HMAC of the body under the
 * subscription's secret.  NULL if it is right, else why not.
 */
static const char *
signature_problem(const struct sub *s, const char *sig,
    const unsigned char *body, size_t len)
{
	static const struct {
		const char	*name;
		GChecksumType	 type;
	} methods[] = {
		{ "sha1", G_CHECKSUM_SHA1 }, { "sha256", G_CHECKSUM_SHA256 },
		{ "sha384", G_CHECKSUM_SHA384 }, { "sha512", G_CHECKSUM_SHA512 },
	};
	unsigned char	 want[64], mac[64];
	const char	*eq, *hex;
	GHmac		*h;
	gsize		 maclen = sizeof(mac);
	size_t		 i, n;
	int		 ok;

	if (sig == NULL)
		return "no signature";
	if ((eq = strchr(sig, '=')) == NULL)
		return "bad signature";
	for (i = 0; i < G_N_ELEMENTS(methods); i++)
		if (strlen(methods[i].name) == (size_t)(eq - sig) &&
		    strncasecmp(sig, methods[i].name, eq - sig) == 0)
			break;
	if (i == G_N_ELEMENTS(methods))
		return "bad signature";
	hex = eq + 1;
	n = (size_t)g_checksum_type_get_length(methods[i].type);
	if (strlen(hex) != 2 * n || hex_decode(hex, n, want) == -1)
		return "bad signature";
	h = g_hmac_new(methods[i].type, (const guchar *)s->rec.secret,
	    strlen(s->rec.secret));
	g_hmac_update(h, body, (gssize)len);
	g_hmac_get_digest(h, mac, &maclen);
	g_hmac_unref(h);
	ok = maclen == n && ct_equal(want, mac, n);
	explicit_bzero(mac, sizeof(mac));
	return ok ? NULL : "bad signature";
}

/*
 * Content distribution (POST on the callback): acknowledged whatever it
 * holds, used only when it is signed by a verified subscription.
 */
static void
content(struct push *p, struct sub *s, struct evhttp_request *req)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	const struct config_feed *f = NULL;
	const unsigned char	*body;
	const char		*why, *sig;
	size_t			 len = evbuffer_get_length(in);

	if (!bucket_take(&p->rate, PUSH_ALL_BURST, PUSH_ALL_RATE) ||
	    (s != NULL && !bucket_take(&s->rate, PUSH_SUB_BURST,
	    PUSH_SUB_RATE))) {
		metrics_push("rate limited");
		evhttp_send_error(req, 429, NULL);
		return;
	}
	body = evbuffer_pullup(in, -1);
	sig = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Hub-Signature");
	if (s == NULL || (f = config_feed_find(p->cf, s->rec.feed)) == NULL)
		why = "unknown callback";
	else if (s->rec.state != SUB_VERIFIED)
		why = "not verified";
	else if ((why = signature_problem(s, sig, body, len)) == NULL &&
	    watch_push(p->w, f, (const char *)body, len, p->pushed,
	    p->cb_arg) == -1)
		why = "not a feed";
	if (why != NULL)
		log_debug("push%s%s%s: dropped: %s", s ? " for feed '" : "",
		    s ? s->rec.feed : "", s ? "'" : "", why);
	metrics_push(why != NULL ? why : "accepted");
	reply_text(req, 200, "");
}

static void
on_callback(struct evhttp_request *req, void *arg)
{
	struct push	*p = arg;
	const char	*path;
	struct sub	*s;

	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	/* routed here: the path starts with ours */
	s = path == NULL ? NULL : g_hash_table_lookup(p->by_id,
	    path + strlen(p->path));
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		verify(p, s, req);
		break;
	case EVHTTP_REQ_POST:
		content(p, s, req);
		break;
	default:
		reply_text(req, 404, "");
		break;
	}
}

/* The path part of an http(s) URL, with a final '/' (malloc'd). */
static char *
url_path(const char *url)
{
	const char	*p = strstr(url, "://") + 3;

	p += strcspn(p, "/");
	if (*p == '\0')
		return xstrdup("/");
	return p[strlen(p) - 1] == '/' ? xstrdup(p) : xasprintf("%s/", p);
}

static void
load(struct push *p)
{
	struct subscription	*v = NULL;
	struct sub		*s;
	size_t			 n = 0, i;

	if (store_subs(watch_store(p->w), &v, &n) == -1)
		log_warnx("push: subscriptions not read; feeds subscribe "
		    "again as they are polled");
	for (i = 0; i < n; i++) {
		s = xcalloc(1, sizeof(*s));
		s->rec = v[i];
		sub_add(p, s);
	}
	free(v);
}

struct push *
push_new(const struct config *cf, struct event_base *base,
    struct xfer_multi *m, struct watch *w, struct listener *l,
    feedpoll_done_cb *pushed, push_ended_cb *ended, void *arg)
{
	struct push	*p;
	const struct timeval every = { 1, 0 };
	const char	*url = cf->daemon.push_url;

	p = xcalloc(1, sizeof(*p));
	p->cf = cf;
	p->m = m;
	p->w = w;
	p->pushed = pushed;
	p->ended = ended;
	p->cb_arg = arg;
	p->by_feed = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    (GDestroyNotify)sub_free);
	p->by_id = g_hash_table_new(g_str_hash, g_str_equal);
	if (url != NULL && l != NULL) {
		p->push_url = url[strlen(url) - 1] == '/' ? xstrdup(url) :
		    xasprintf("%s/", url);
		p->path = url_path(p->push_url);
		listener_route(l, p->path, on_callback, p);
	}
	if ((p->tick = event_new(base, -1, EV_PERSIST, on_tick, p)) == NULL ||
	    event_add(p->tick, &every) == -1)
		fatalx("%s: cannot create a timer", __func__);
	load(p);
	unsubscribe_unwanted(p);
	return p;
}

void
push_reload(struct push *p, const struct config *cf)
{
	const char	*old = p->cf->daemon.push_url;
	const char	*new = cf->daemon.push_url;

	if (new != NULL && (old == NULL || strcmp(old, new) != 0))
		log_warnx("push-url changed: it takes effect when feedwatch "
		    "restarts");
	p->cf = cf;
	unsubscribe_unwanted(p);
}

void
push_free(struct push *p)
{
	if (p == NULL)
		return;
	event_free(p->tick);
	g_hash_table_destroy(p->by_id);
	g_hash_table_destroy(p->by_feed);
	free(p->push_url);
	free(p->path);
	free(p);
}
