/* httpd.c: the tests' loopback HTTP server. */
#include "httpd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <check.h>
#include <glib.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "serve.h"
#include "xmalloc.h"

struct route {
	char		*path;
	int		 status;
	char		*content_type;
	char		*body;
	size_t		 len;
	char		*etag;
	unsigned int	 hits;
	unsigned int	 not_modified;
	char		*extra_name;	/* one more response header */
	char		*extra_value;
	GString		*log;		/* "STATUS HEADER\n" per request */
	GString		*bodies;	/* "BODY\n" per request */
	char		*log_header;
	GString		*requests;	/* httpd_requests() */
	char		*login;		/* "Basic ..." wanted, or NULL */
	int		 delay_ms;	/* answers this late */
	struct route	*next;
};

/* An answer held back by a route's delay. */
struct held {
	struct httpd		*h;
	struct evhttp_request	*req;
	struct evbuffer		*buf;
	int			 status;
	struct event		*ev;
	TAILQ_ENTRY(held)	 entry;
};

struct httpd {
	struct serve		 loop;
	struct evhttp		*http;
	int			 port;
	pthread_mutex_t		 lock;
	struct route		*routes;
	char			*proxy_login;	/* "Basic ..." wanted, or NULL */
	TAILQ_HEAD(, held)	 held;		/* served by this thread only */
	unsigned int		 nheld;		/* under lock */
	unsigned int		 held_max;
};

static struct route *
route_find(struct httpd *h, const char *path)
{
	struct route	*r;

	for (r = h->routes; r != NULL; r = r->next)
		if (strcmp(r->path, path) == 0)
			return r;
	return NULL;
}

static void
held_free(struct held *hd)
{
	pthread_mutex_lock(&hd->h->lock);
	hd->h->nheld--;
	pthread_mutex_unlock(&hd->h->lock);
	TAILQ_REMOVE(&hd->h->held, hd, entry);
	event_free(hd->ev);
	evbuffer_free(hd->buf);
	free(hd);
}

static void
on_held(evutil_socket_t fd, short what, void *arg)
{
	struct held	*hd = arg;

	evhttp_send_reply(hd->req, hd->status, hd->status == 200 ? "OK" :
	    "Status", hd->buf);
	held_free(hd);
}

/* Answers 'req' in 'ms' from a timer; the loop serves others meanwhile. */
static void
hold(struct httpd *h, struct evhttp_request *req, int status,
    struct evbuffer *buf, int ms)
{
	struct held	*hd;
	struct timeval	 tv = { ms / 1000, ms % 1000 * 1000 };

	hd = xcalloc(1, sizeof(*hd));
	hd->h = h;
	hd->req = req;
	hd->status = status;
	ck_assert_ptr_nonnull(hd->buf = evbuffer_new());
	evbuffer_add_buffer(hd->buf, buf);
	ck_assert_ptr_nonnull(hd->ev = evtimer_new(h->loop.base, on_held, hd));
	ck_assert_int_eq(evtimer_add(hd->ev, &tv), 0);
	TAILQ_INSERT_TAIL(&h->held, hd, entry);
	/* the caller holds the lock */
	if (++h->nheld > h->held_max)
		h->held_max = h->nheld;
}

/* "Basic BASE64(user:password)", malloc'd. */
static char *
basic(const char *user, const char *password)
{
	char	*plain, *b64, *s;

	plain = xasprintf("%s:%s", user, password);
	b64 = g_base64_encode((const guchar *)plain, strlen(plain));
	s = xasprintf("Basic %s", b64);
	g_free(b64);
	free(plain);
	return s;
}

/* Whether 'in' has the header 'name' with the value 'want' (NULL: any). */
static int
has_login(struct evkeyvalq *in, const char *name, const char *want)
{
	const char	*v = evhttp_find_header(in, name);

	return want == NULL || (v != NULL && strcmp(v, want) == 0);
}

/* Answers 'status' with the challenge header 'name': Basic. */
static void
challenge(struct evhttp_request *req, int status, const char *name)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), name,
	    "Basic realm=\"feedwatch tests\"");
	evhttp_send_reply(req, status, "Login", NULL);
}

static void
record(struct route *r, const char *target, struct evkeyvalq *in)
{
	struct evkeyval	*kv;

	if (r->requests == NULL)
		r->requests = g_string_new(NULL);
	g_string_append_printf(r->requests, "%s\n", target);
	TAILQ_FOREACH(kv, in, next)
		g_string_append_printf(r->requests, "%s: %s\n", kv->key,
		    kv->value);
	g_string_append_c(r->requests, '\n');
}

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct httpd		*h = arg;
	struct route		*r;
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf = evbuffer_new(), *body;
	const char		*inm, *path, *target;
	char			*p;
	int			 proxied;

	target = evhttp_request_get_uri(req);
	/* As a proxy: the target is absolute, its path is the route's. */
	proxied = strncmp(target, "http://", 7) == 0;
	if (proxied)
		p = xstrdup(target + 7 + strcspn(target + 7, "/"));
	else
		p = xstrdup(target);
	p[strcspn(p, "?")] = '\0';
	path = p;
	pthread_mutex_lock(&h->lock);
	if (proxied && !has_login(in, "Proxy-Authorization", h->proxy_login)) {
		pthread_mutex_unlock(&h->lock);
		challenge(req, 407, "Proxy-Authenticate");
		goto out;
	}
	if ((r = route_find(h, path)) == NULL) {
		pthread_mutex_unlock(&h->lock);
		evhttp_send_error(req, 404, "no such route");
		goto out;
	}
	r->hits++;
	record(r, target, in);
	if (!has_login(in, "Authorization", r->login)) {
		pthread_mutex_unlock(&h->lock);
		challenge(req, 401, "WWW-Authenticate");
		goto out;
	}
	if (r->log_header != NULL) {
		inm = evhttp_find_header(in, r->log_header);
		g_string_append_printf(r->log, "%d %s\n", r->status,
		    inm != NULL ? inm : "-");
		body = evhttp_request_get_input_buffer(req);
		g_string_append_len(r->bodies, (const char *)evbuffer_pullup(
		    body, -1), evbuffer_get_length(body));
		g_string_append_c(r->bodies, '\n');
	}
	if (r->extra_name != NULL)
		evhttp_add_header(out, r->extra_name, r->extra_value);
	if (r->content_type != NULL)
		evhttp_add_header(out, "Content-Type", r->content_type);
	if (r->etag != NULL) {
		evhttp_add_header(out, "ETag", r->etag);
		inm = evhttp_find_header(in, "If-None-Match");
		if (inm != NULL && strcmp(inm, r->etag) == 0) {
			r->not_modified++;
			pthread_mutex_unlock(&h->lock);
			evhttp_send_reply(req, 304, "Not Modified", NULL);
			goto out;
		}
	}
	evbuffer_add(buf, r->body, r->len);
	if (r->delay_ms > 0)
		hold(h, req, r->status, buf, r->delay_ms);
	else
		evhttp_send_reply(req, r->status, r->status == 200 ? "OK" :
		    "Status", buf);
	pthread_mutex_unlock(&h->lock);
 out:
	evbuffer_free(buf);
	free(p);
}

struct httpd *
httpd_start(void)
{
	return httpd_start_port(0);
}

struct httpd *
httpd_start_port(int port)
{
	struct httpd			*h;
	struct evhttp_bound_socket	*sock;
	struct sockaddr_storage		 ss;
	socklen_t			 sl = sizeof(ss);

	h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	TAILQ_INIT(&h->held);
	serve_init(&h->loop);
	ck_assert_ptr_nonnull(h->http = evhttp_new(h->loop.base));
	evhttp_set_gencb(h->http, on_request, h);
	/* Port 0: the kernel picks a free one. */
	sock = evhttp_bind_socket_with_handle(h->http, "127.0.0.1",
	    (ev_uint16_t)port);
	ck_assert_msg(sock != NULL, "cannot bind 127.0.0.1");
	ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(sock),
	    (struct sockaddr *)&ss, &sl), 0);
	h->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	serve_start(&h->loop);
	return h;
}

void
httpd_stop(struct httpd *h)
{
	struct route	*r, *next;

	if (h == NULL)
		return;
	serve_stop(&h->loop);
	/* evhttp_free() frees the held requests themselves. */
	while (!TAILQ_EMPTY(&h->held))
		held_free(TAILQ_FIRST(&h->held));
	evhttp_free(h->http);
	serve_release(&h->loop);
	for (r = h->routes; r != NULL; r = next) {
		next = r->next;
		free(r->path);
		free(r->content_type);
		free(r->body);
		free(r->etag);
		free(r->extra_name);
		free(r->extra_value);
		free(r->log_header);
		if (r->log != NULL) {
			g_string_free(r->log, TRUE);
			g_string_free(r->bodies, TRUE);
		}
		if (r->requests != NULL)
			g_string_free(r->requests, TRUE);
		free(r->login);
		free(r);
	}
	free(h->proxy_login);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int
httpd_port(const struct httpd *h)
{
	return h->port;
}

char *
httpd_url(const struct httpd *h, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", h->port, path);
}

void
httpd_route(struct httpd *h, const char *path, int status,
    const char *content_type, const char *body, size_t len, const char *etag)
{
	struct route	*r;

	pthread_mutex_lock(&h->lock);
	if ((r = route_find(h, path)) == NULL) {
		r = xcalloc(1, sizeof(*r));
		r->path = xstrdup(path);
		r->next = h->routes;
		h->routes = r;
	}
	free(r->content_type);
	free(r->body);
	free(r->etag);
	r->status = status;
	r->content_type = content_type ? xstrdup(content_type) : NULL;
	r->body = xmalloc(len + 1);
	memcpy(r->body, body, len);
	r->len = len;
	r->etag = etag ? xstrdup(etag) : NULL;
	pthread_mutex_unlock(&h->lock);
}

unsigned int
httpd_hits(struct httpd *h, const char *path)
{
	struct route	*r;
	unsigned int	 n;

	pthread_mutex_lock(&h->lock);
	n = (r = route_find(h, path)) != NULL ? r->hits : 0;
	pthread_mutex_unlock(&h->lock);
	return n;
}

unsigned int
httpd_wait_hits(struct httpd *h, const char *path, unsigned int n,
    double secs)
{
	unsigned int	 got;
	double		 waited = 0;

	while ((got = httpd_hits(h, path)) < n && waited < secs) {
		g_usleep(50000);
		waited += 0.05;
	}
	return got;
}

unsigned int
httpd_not_modified(struct httpd *h, const char *path)
{
	struct route	*r;
	unsigned int	 n;

	pthread_mutex_lock(&h->lock);
	n = (r = route_find(h, path)) != NULL ? r->not_modified : 0;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void
httpd_route_header(struct httpd *h, const char *path, const char *name,
    const char *value)
{
	struct route	*r;

	pthread_mutex_lock(&h->lock);
	if ((r = route_find(h, path)) != NULL) {
		free(r->extra_name);
		free(r->extra_value);
		r->extra_name = xstrdup(name);
		r->extra_value = xstrdup(value);
	}
	pthread_mutex_unlock(&h->lock);
}

void
httpd_record(struct httpd *h, const char *path, const char *header)
{
	struct route	*r;

	pthread_mutex_lock(&h->lock);
	if ((r = route_find(h, path)) != NULL && r->log == NULL) {
		r->log_header = xstrdup(header);
		r->log = g_string_new(NULL);
		r->bodies = g_string_new(NULL);
	}
	pthread_mutex_unlock(&h->lock);
}

/* What a route recorded: httpd_log(), httpd_bodies(), httpd_requests(). */
enum recording { RECORDED_LOG, RECORDED_BODIES, RECORDED_REQUESTS };

/* A copy of recording 'what' of 'path'. */
static char *
recorded(struct httpd *h, const char *path, enum recording what)
{
	struct route	*r;
	GString		*g = NULL;
	char		*s;

	pthread_mutex_lock(&h->lock);
	if ((r = route_find(h, path)) != NULL)
		g = what == RECORDED_LOG ? r->log : what == RECORDED_BODIES ?
		    r->bodies : r->requests;
	s = xstrdup(g != NULL ? g->str : "");
	pthread_mutex_unlock(&h->lock);
	return s;
}

char *
httpd_log(struct httpd *h, const char *path)
{
	return recorded(h, path, RECORDED_LOG);
}

char *
httpd_bodies(struct httpd *h, const char *path)
{
	return recorded(h, path, RECORDED_BODIES);
}

unsigned int
httpd_held_max(struct httpd *h)
{
	unsigned int	 n;

	pthread_mutex_lock(&h->lock);
	n = h->held_max;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void
httpd_route_delay(struct httpd *h, const char *path, int ms)
{
	struct route	*r;

	pthread_mutex_lock(&h->lock);
	if ((r = route_find(h, path)) != NULL)
		r->delay_ms = ms;
	pthread_mutex_unlock(&h->lock);
}

char *
httpd_requests(struct httpd *h, const char *path)
{
	return recorded(h, path, RECORDED_REQUESTS);
}

void
httpd_route_login(struct httpd *h, const char *path, const char *user,
    const char *password)
{
	struct route	*r;

	pthread_mutex_lock(&h->lock);
	if ((r = route_find(h, path)) != NULL) {
		free(r->login);
		r->login = basic(user, password);
	}
	pthread_mutex_unlock(&h->lock);
}

void
httpd_proxy_login(struct httpd *h, const char *user, const char *password)
{
	pthread_mutex_lock(&h->lock);
	free(h->proxy_login);
	h->proxy_login = basic(user, password);
	pthread_mutex_unlock(&h->lock);
}
