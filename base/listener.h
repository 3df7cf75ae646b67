/*
 * listener.h: the daemon's HTTP server ([daemon] listen) on its event
 * loop: libevent's evhttp, with the limits a server facing the internet
 * through a reverse proxy needs (APIS.md C.1).
 *
 * Requests are routed by their path as sent (not %-decoded): to the
 * handler of an exact path ("/metrics"), else to the handler of the
 * longest prefix ending in '/' ("/push/"), else 404.  A handler answers
 * with evhttp_send_reply() before it returns.
 *
 * Limits: GET, HEAD and POST only (others get 501); headers 8 KiB (over:
 * 400); bodies 'max_body' bytes (over: 413, the handler is not called;
 * evhttp reads a whole body before the handler runs, so this is also the
 * memory per connection); a connection idle for 10 s is closed.  evhttp
 * 2.1 has no connection limit: the reverse proxy is the place for one.
 * When accept() fails (out of descriptors) the listener pauses for a
 * second instead of spinning.
 */
#ifndef FEEDWATCH_LISTENER_H
#define FEEDWATCH_LISTENER_H

#include <stddef.h>

struct event_base;
struct evhttp_request;
struct listener;

typedef void listener_cb(struct evhttp_request *req, void *arg);

/*
 * Listens on 'spec' (HOST:PORT, [V6]:PORT; port 0 picks one).  NULL
 * after saying why.
 */
struct listener	*listener_new(struct event_base *base, const char *spec,
		    size_t max_body);
/* Routes 'path' (copied) to 'cb'; one ending in '/' is a prefix. */
void		 listener_route(struct listener *l, const char *path,
		    listener_cb *cb, void *arg);
/* The port listened on (for port 0). */
int		 listener_port(const struct listener *l);
/* Closes every connection; NULL is a no-op. */
void		 listener_free(struct listener *l);

#endif
