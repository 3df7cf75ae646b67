/*
 * listener.c: evhttp on the daemon's loop, with limits and routes
 * (listener.h).
 */
#include "listener.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "log.h"
#include "xmalloc.h"

#define LISTENER_IDLE_SECS	10
#define LISTENER_MAX_HEADERS	8192

struct route {
	char		*path;
	size_t		 len;
	int		 prefix;
	listener_cb	*cb;
	void		*arg;
};

struct listener {
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct route			*routes;
	size_t				 nroutes;
	int				 port;
};

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct listener	*l = arg;
	const struct route *best = NULL;
	const char	*path;
	size_t		 i;

	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path == NULL)
		path = "/";
	for (i = 0; i < l->nroutes; i++) {
		const struct route *r = &l->routes[i];

		if (r->prefix ? strncmp(path, r->path, r->len) != 0 :
		    strcmp(path, r->path) != 0)
			continue;
		if (!r->prefix) {
			best = r;
			break;
		}
		if (best == NULL || r->len > best->len)
			best = r;
	}
	if (best == NULL) {
		evhttp_send_error(req, 404, NULL);
		return;
	}
	best->cb(req, best->arg);
}

static void
on_relisten(evutil_socket_t fd, short what, void *arg)
{
	evconnlistener_enable(arg);
}

/*
 * Out of descriptors, accept() fails at once, forever, and the loop would
 * spin on it: pause accepting for a second.  ('arg' is evhttp's.)
 */
static void
on_accept_error(struct evconnlistener *lev, void *arg)
{
	struct timeval	 tv = { 1, 0 };

	log_warnx("listen: cannot accept a connection; pausing for a second "
	    "(out of file descriptors? raise LimitNOFILE)");
	evconnlistener_disable(lev);
	if (event_base_once(evconnlistener_get_base(lev), -1, EV_TIMEOUT,
	    on_relisten, lev, &tv) == -1)
		fatalx("%s: cannot arm a timer", __func__);
}

static int
bound_port(struct evhttp_bound_socket *bs)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

struct listener *
listener_new(struct event_base *base, const char *spec, size_t max_body)
{
	struct listener	*l;
	struct timeval	 idle = { LISTENER_IDLE_SECS, 0 };
	const char	*colon = strrchr(spec, ':');
	char		*host;
	size_t		 n;

	if (colon == NULL)
		fatalx("%s: '%s' is not HOST:PORT", __func__, spec);
	l = xcalloc(1, sizeof(*l));
	host = xstrndup(spec, colon - spec);
	/* [::1]:9464 */
	if ((n = strlen(host)) >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	if ((l->http = evhttp_new(base)) == NULL)
		fatalx("%s: out of memory", __func__);
	if ((l->bound = evhttp_bind_socket_with_handle(l->http, host,
	    (ev_uint16_t)atoi(colon + 1))) == NULL ||
	    (l->port = bound_port(l->bound)) == -1) {
		log_warnx("listen '%s': cannot bind: is the port in use? change "
		    "[daemon] listen", spec);
		free(host);
		listener_free(l);
		return NULL;
	}
	free(host);
	evhttp_set_timeout_tv(l->http, &idle);
	evhttp_set_max_headers_size(l->http, LISTENER_MAX_HEADERS);
	evhttp_set_max_body_size(l->http, (ev_ssize_t)max_body);
	evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST);
	evhttp_set_gencb(l->http, on_request, l);
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(l->bound),
	    on_accept_error);
	return l;
}

void
listener_route(struct listener *l, const char *path, listener_cb *cb,
    void *arg)
{
	struct route	*r;

	l->routes = xreallocarray(l->routes, l->nroutes + 1,
	    sizeof(*l->routes));
	r = &l->routes[l->nroutes++];
	r->path = xstrdup(path);
	r->len = strlen(path);
	r->prefix = r->len > 0 && path[r->len - 1] == '/';
	r->cb = cb;
	r->arg = arg;
}

int
listener_port(const struct listener *l)
{
	return l->port;
}

void
listener_free(struct listener *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	if (l->http != NULL)
		evhttp_free(l->http);
	for (i = 0; i < l->nroutes; i++)
		free(l->routes[i].path);
	free(l->routes);
	free(l);
}
