/*
 * httpd.h: a real HTTP server on 127.0.0.1 for the tests.
 *
 * libevent's evhttp on a free port, in a thread of its own, so that the
 * test can run the feedwatch binary against it and wait.  Routes map a
 * path to a canned response; a response with an ETag answers 304 to a
 * matching If-None-Match.  A route may answer late, as a slow server
 * does, without holding up the others.  Every request is counted per path,
 * and its headers recorded.
 *
 * The server is also an HTTP proxy for plain http: a request whose target
 * is absolute ("GET http://feeds.example/x.xml", as curl sends them to a
 * proxy) is answered from the route of its path, whatever its host, and
 * recorded with that target.  A route may require a login (Basic), and
 * the proxy may too.
 */
#ifndef FEEDWATCH_HTTPD_H
#define FEEDWATCH_HTTPD_H

#include <stddef.h>

struct httpd;

/* Starts the server; fails the test if it cannot. */
struct httpd	*httpd_start(void);
/* The same on a given port (0: any). */
struct httpd	*httpd_start_port(int port);
void		 httpd_stop(struct httpd *h);

int		 httpd_port(const struct httpd *h);

/* "http://127.0.0.1:PORT/path", malloc'd. */
char		*httpd_url(const struct httpd *h, const char *path);

/*
 * Serves 'body' (copied) at 'path' with 'status' and 'content_type'.
 * 'etag' may be NULL.  A later call for the same path replaces it.
 */
void		 httpd_route(struct httpd *h, const char *path, int status,
		    const char *content_type, const char *body, size_t len,
		    const char *etag);

/* Adds a header to the route's answers ("Retry-After", "1"). */
void		 httpd_route_header(struct httpd *h, const char *path,
		    const char *name, const char *value);

/*
 * From now on, answers 'path' 'ms' milliseconds after each request
 * arrives (counted and logged on arrival).
 */
void		 httpd_route_delay(struct httpd *h, const char *path, int ms);

/*
 * The most requests of delayed routes that were waiting for their
 * answer at once, whatever their path: the concurrency a client used.
 */
unsigned int	 httpd_held_max(struct httpd *h);

/* From now on, logs each request for 'path' with its 'header' and body. */
void		 httpd_record(struct httpd *h, const char *path,
		    const char *header);
/*
 * The log of 'path': a line per request, the status answered, a space,
 * the request's header (or "-").  Malloc'd.
 */
char		*httpd_log(struct httpd *h, const char *path);
/*
 * The bodies of the requests httpd_record() logs for 'path', each
 * followed by a line break (a JSON body is then one line).  Malloc'd.
 */
char		*httpd_bodies(struct httpd *h, const char *path);

/*
 * The requests for 'path' so far, one block each: the request target on
 * a line, each header as "Name: value" on a line, an empty line.
 * Malloc'd.
 */
char		*httpd_requests(struct httpd *h, const char *path);

/*
 * From now on, answers 'path' 401 (WWW-Authenticate: Basic) unless the
 * request has the Basic login 'user' and 'password'.
 */
void		 httpd_route_login(struct httpd *h, const char *path,
		    const char *user, const char *password);

/*
 * From now on, answers a request made to it as a proxy 407
 * (Proxy-Authenticate: Basic) unless it has that Basic login.
 */
void		 httpd_proxy_login(struct httpd *h, const char *user,
		    const char *password);

/* Requests for 'path' so far. */
unsigned int	 httpd_hits(struct httpd *h, const char *path);
/* Waits up to 'secs' until they are 'n'; returns how many there were. */
unsigned int	 httpd_wait_hits(struct httpd *h, const char *path,
		    unsigned int n, double secs);

/* Of those, how many were answered 304 Not Modified. */
unsigned int	 httpd_not_modified(struct httpd *h, const char *path);

#endif
