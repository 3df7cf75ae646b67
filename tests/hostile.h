/*
 * hostile.h: an HTTP server on 127.0.0.1 that misbehaves on purpose.
 *
 * Raw sockets (libevent bufferevents) in a thread of its own, so that it
 * can do what a well-behaved server library would refuse to: answer
 * never, drip a byte a second, stream forever, cut a body short, serve a
 * gzip bomb, loop redirects.  Each path is one behaviour:
 *
 *   /good.xml     a small RSS feed with a "Lavrov" item
 *   /hang         reads the request, never answers
 *   /delay...     /good.xml's feed after 0.3 s (any path starting so)
 *   /slow         a 200 whose body arrives one byte a second
 *   /endless      a 200 feed whose items never end
 *   /bomb         64 KiB of gzip that inflates to 256 MiB
 *   /loop         302 to itself
 *   /tofile       302 to file:///etc/passwd
 *   /chain        301 -> 302 -> 307 -> 308 -> /good.xml
 *   /r429, /r503  429 or 503 with Retry-After: 120
 *   /notfound     404;  /gone  410
 *   /half         Content-Length 4000, then 2000 bytes and a close
 *   /wrongtype    a good feed served as image/png
 *   /charset      KOI8-R bytes, declared windows-1251 in XML, koi8-r in HTTP
 *   /badutf8      a feed declared UTF-8 with Latin-1 bytes in it
 *   /nest         elements nested 10,000 deep
 *   /laughs       a billion laughs
 *   /xxe-file     an external entity naming hostile_secret_path()
 *   /xxe-url      an external entity naming /xxe-target on this server
 *   /million      a feed of 1,000,000 items, streamed
 *   /bigtitle     one item whose title is 64 MiB
 */
#ifndef FEEDWATCH_HOSTILE_H
#define FEEDWATCH_HOSTILE_H

struct hostile;

/* 'secret' is a local file the XXE documents point at. */
struct hostile	*hostile_start(const char *secret);
void		 hostile_stop(struct hostile *h);
int		 hostile_port(const struct hostile *h);
/* Requests for 'path' so far. */
unsigned int	 hostile_hits(struct hostile *h, const char *path);
/* The most /delay requests that were waiting for their answer at once. */
unsigned int	 hostile_delayed_max(struct hostile *h);

#endif
