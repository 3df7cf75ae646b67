/* hostile.c: the tests' misbehaving HTTP server. */
#include "hostile.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <zlib.h>

#include "serve.h"
#include "xmalloc.h"

#define FILL_TO		(256 * 1024)	/* output kept queued while streaming */
#define BOMB_SIZE	((size_t)256 << 20)
#define BIG_TITLE	((uint64_t)64 << 20)
#define MILLION		1000000

enum stream {
	STREAM_NONE,
	STREAM_ENDLESS,
	STREAM_MILLION,
	STREAM_BIGTITLE
};

struct conn {
	struct hostile		*h;
	struct bufferevent	*bev;
	struct event		*drip;		/* /slow: a byte a second */
	int			 delayed;	/* /delay: answer not sent yet */
	enum stream		 stream;
	uint64_t		 n;		/* items or bytes streamed */
	int			 answered;
	int			 closing;	/* close once the output drains */
	LIST_ENTRY(conn)	 entry;
};

struct hit {
	char		*path;
	unsigned int	 n;
	struct hit	*next;
};

struct hostile {
	struct serve		 loop;
	struct evconnlistener	*listener;
	int			 port;
	pthread_mutex_t		 lock;
	struct hit		*hits;
	char			*secret;
	unsigned char		*bomb;
	size_t			 bomblen;
	LIST_HEAD(, conn)	 conns;
	unsigned int		 delayed;	/* /delay requests waiting */
	unsigned int		 delayed_max;
};

static const char good_feed[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">"
    "<channel><title>Good</title><link>https://good.example.org/</link>"
    "<item><title>Lavrov speaks</title><guid>g1</guid>"
    "<link>https://good.example.org/1</link>"
    "<pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>"
    "</channel></rss>\n";

static void	delay_end(struct conn *);

static void
conn_free(struct conn *c)
{
	delay_end(c);
	LIST_REMOVE(c, entry);
	if (c->drip != NULL)
		event_free(c->drip);
	bufferevent_free(c->bev);
	free(c);
}

static void
count_hit(struct hostile *h, const char *path)
{
	struct hit	*x;

	pthread_mutex_lock(&h->lock);
	for (x = h->hits; x != NULL; x = x->next)
		if (strcmp(x->path, path) == 0)
			break;
	if (x == NULL) {
		x = xcalloc(1, sizeof(*x));
		x->path = xstrdup(path);
		x->next = h->hits;
		h->hits = x;
	}
	x->n++;
	pthread_mutex_unlock(&h->lock);
}

static void
respond(struct conn *c, const char *status, const char *headers,
    const char *body, size_t len)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	evbuffer_add_printf(out, "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, headers, len);
	evbuffer_add(out, body, len);
	c->closing = 1;
}

/* A close-delimited 200 whose body the write callback keeps producing. */
static void
start_stream(struct conn *c, enum stream s, const char *head)
{
	evbuffer_add_printf(bufferevent_get_output(c->bev),
	    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
	    "Connection: close\r\n\r\n%s", head);
	c->stream = s;
}

static void
fill(struct conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	char		 chunk[8192];
	size_t		 k;

	while (c->stream != STREAM_NONE && evbuffer_get_length(out) < FILL_TO) {
		switch (c->stream) {
		case STREAM_ENDLESS:
		case STREAM_MILLION:
			if (c->stream == STREAM_MILLION && c->n == MILLION) {
				evbuffer_add_printf(out, "</channel></rss>\n");
				c->stream = STREAM_NONE;
				c->closing = 1;
				break;
			}
			evbuffer_add_printf(out, "<item><title>Story %llu"
			    "</title><guid>s%llu</guid></item>\n",
			    (unsigned long long)c->n, (unsigned long long)c->n);
			c->n++;
			break;
		case STREAM_BIGTITLE:
			if (c->n >= BIG_TITLE) {
				evbuffer_add_printf(out, "</title><guid>big"
				    "</guid></item></channel></rss>\n");
				c->stream = STREAM_NONE;
				c->closing = 1;
				break;
			}
			for (k = 0; k + 7 <= sizeof(chunk); k += 7)
				memcpy(chunk + k, "Lavrov ", 7);
			evbuffer_add(out, chunk, k);
			c->n += k;
			break;
		case STREAM_NONE:
			break;
		}
	}
}

static void
on_drip(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	bufferevent_write(c->bev, "<", 1);
}

static void
delay_end(struct conn *c)
{
	if (!c->delayed)
		return;
	c->delayed = 0;
	pthread_mutex_lock(&c->h->lock);
	c->h->delayed--;
	pthread_mutex_unlock(&c->h->lock);
}

static void
on_delay(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	delay_end(c);
	respond(c, "200 OK", "Content-Type: application/rss+xml\r\n",
	    good_feed, sizeof(good_feed) - 1);
}

static void
answer(struct conn *c, const char *path)
{
	struct hostile	*h = c->h;
	struct timeval	 sec = { 1, 0 };
	char		*doc, hdr[256];

	count_hit(h, path);
	c->answered = 1;
	if (strcmp(path, "/good.xml") == 0 || strcmp(path, "/wrongtype") == 0)
		respond(c, "200 OK", strcmp(path, "/good.xml") == 0 ?
		    "Content-Type: application/rss+xml\r\n" :
		    "Content-Type: image/png\r\n", good_feed,
		    sizeof(good_feed) - 1);
	else if (strcmp(path, "/hang") == 0)
		;	/* read it, say nothing */
	else if (strncmp(path, "/delay", 6) == 0) {
		struct timeval	 wait = { 0, 300000 };

		pthread_mutex_lock(&h->lock);
		if (++h->delayed > h->delayed_max)
			h->delayed_max = h->delayed;
		pthread_mutex_unlock(&h->lock);
		c->delayed = 1;
		if ((c->drip = evtimer_new(h->loop.base, on_delay, c)) ==
		    NULL || evtimer_add(c->drip, &wait) == -1)
			abort();
	}
	else if (strcmp(path, "/slow") == 0) {
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
		    "Connection: close\r\n\r\n");
		if ((c->drip = event_new(h->loop.base, -1, EV_PERSIST, on_drip,
		    c)) == NULL || event_add(c->drip, &sec) == -1)
			abort();
	} else if (strcmp(path, "/endless") == 0)
		start_stream(c, STREAM_ENDLESS, "<rss version=\"2.0\"><channel>"
		    "<title>Endless</title>\n");
	else if (strcmp(path, "/million") == 0)
		start_stream(c, STREAM_MILLION, "<rss version=\"2.0\"><channel>"
		    "<title>A million</title>\n");
	else if (strcmp(path, "/bigtitle") == 0)
		start_stream(c, STREAM_BIGTITLE, "<rss version=\"2.0\"><channel>"
		    "<title>Big</title><item><title>");
	else if (strcmp(path, "/bomb") == 0)
		respond(c, "200 OK", "Content-Type: application/rss+xml\r\n"
		    "Content-Encoding: gzip\r\n", (const char *)h->bomb,
		    h->bomblen);
	else if (strcmp(path, "/loop") == 0)
		respond(c, "302 Found", "Location: /loop\r\n", "", 0);
	else if (strcmp(path, "/tofile") == 0)
		respond(c, "302 Found", "Location: file:///etc/passwd\r\n", "",
		    0);
	else if (strncmp(path, "/chain", 6) == 0) {
		static const char *const hops[][2] = {
			{ "/chain", "301 Moved Permanently" },
			{ "/chain2", "302 Found" },
			{ "/chain3", "307 Temporary Redirect" },
			{ "/chain4", "308 Permanent Redirect" },
		};
		static const char *const next[] = { "/chain2", "/chain3",
		    "/chain4", "/good.xml" };
		size_t i;

		for (i = 0; i < 4 && strcmp(path, hops[i][0]) != 0; i++)
			;
		if (i == 4)
			respond(c, "404 Not Found", "", "", 0);
		else {
			snprintf(hdr, sizeof(hdr), "Location: %s\r\n", next[i]);
			respond(c, hops[i][1], hdr, "", 0);
		}
	} else if (strcmp(path, "/r429") == 0)
		respond(c, "429 Too Many Requests", "Retry-After: 120\r\n",
		    "slow down", 9);
	else if (strcmp(path, "/r503") == 0)
		respond(c, "503 Service Unavailable", "Retry-After: 120\r\n",
		    "later", 5);
	else if (strcmp(path, "/gone") == 0)
		respond(c, "410 Gone", "", "gone", 4);
	else if (strcmp(path, "/half") == 0) {
		char body[2000];

		memset(body, ' ', sizeof(body));
		memcpy(body, "<rss version=\"2.0\"><channel><title>Half",
		    39);
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
		    "Content-Length: 4000\r\nConnection: close\r\n\r\n");
		evbuffer_add(bufferevent_get_output(c->bev), body,
		    sizeof(body));
		c->closing = 1;
	} else if (strcmp(path, "/charset") == 0) {
		/* "Лавров" in windows-1251, as the XML says; HTTP says koi8-r. */
		static const char body[] = "<?xml version=\"1.0\" encoding="
		    "\"windows-1251\"?><rss version=\"2.0\"><channel><title>ru"
		    "</title><item><title>\xcb\xe0\xe2\xf0\xee\xe2</title>"
		    "<guid>c1</guid></item></channel></rss>";

		respond(c, "200 OK", "Content-Type: text/xml; charset=koi8-r"
		    "\r\n", body, sizeof(body) - 1);
	} else if (strcmp(path, "/badutf8") == 0) {
		static const char body[] = "<?xml version=\"1.0\" encoding="
		    "\"UTF-8\"?><rss version=\"2.0\"><channel><title>b</title>"
		    "<item><title>Caf\xe9 \xff\xfe Lavrov \xc3</title>"
		    "<guid>u1</guid></item></channel></rss>";

		respond(c, "200 OK", "Content-Type: application/rss+xml\r\n",
		    body, sizeof(body) - 1);
	} else if (strcmp(path, "/nest") == 0) {
		size_t	 n = 10000, i, len = 0;
		char	*b = xmalloc(n * 7 + 256);

		len += sprintf(b, "<rss version=\"2.0\"><channel><title>n"
		    "</title><item><guid>n1</guid><title>Lavrov</title>");
		for (i = 0; i < n; i++)
			len += sprintf(b + len, "<x>");
		for (i = 0; i < n; i++)
			len += sprintf(b + len, "</x>");
		len += sprintf(b + len, "</item></channel></rss>");
		respond(c, "200 OK", "Content-Type: application/rss+xml\r\n",
		    b, len);
		free(b);
	} else if (strcmp(path, "/laughs") == 0) {
		static const char body[] = "<?xml version=\"1.0\"?>"
		    "<!DOCTYPE rss [<!ENTITY lol \"lol\">"
		    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
		    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
		    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
		    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
		    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
		    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
		    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
		    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
		    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">"
		    "]><rss version=\"2.0\"><channel><title>l</title><item>"
		    "<guid>l1</guid><title>Lavrov &lol9;</title></item>"
		    "</channel></rss>";

		respond(c, "200 OK", "Content-Type: application/rss+xml\r\n",
		    body, sizeof(body) - 1);
	} else if (strcmp(path, "/xxe-file") == 0 ||
	    strcmp(path, "/xxe-url") == 0) {
		char target[512];

		if (strcmp(path, "/xxe-file") == 0)
			snprintf(target, sizeof(target), "file://%s",
			    h->secret);
		else
			snprintf(target, sizeof(target),
			    "http://127.0.0.1:%d/xxe-target", h->port);
		doc = xasprintf("<?xml version=\"1.0\"?><!DOCTYPE rss ["
		    "<!ENTITY xxe SYSTEM \"%s\">]><rss version=\"2.0\">"
		    "<channel><title>x</title><item><guid>%s</guid><title>"
		    "Lavrov &xxe;</title><description>&xxe;</description>"
		    "</item></channel></rss>", target, path + 1);
		respond(c, "200 OK", "Content-Type: application/rss+xml\r\n",
		    doc, strlen(doc));
		free(doc);
	} else
		respond(c, "404 Not Found", "", "no such path", 12);
	fill(c);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct evbuffer_ptr end;
	char		*head, *sp, *path;
	size_t		 len;

	if (c->answered) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos == -1)
		return;
	len = (size_t)end.pos;
	head = xmalloc(len + 1);
	evbuffer_remove(in, head, len);
	head[len] = '\0';
	evbuffer_drain(in, evbuffer_get_length(in));
	path = (sp = strchr(head, ' ')) != NULL ? sp + 1 : head;
	path[strcspn(path, " ?\r\n")] = '\0';
	answer(c, path);
	free(head);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	fill(c);
	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) ==
	    0)
		conn_free(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(arg);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct hostile	*h = arg;
	struct conn	*c;

	c = xcalloc(1, sizeof(*c));
	c->h = h;
	if ((c->bev = bufferevent_socket_new(h->loop.base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		abort();
	LIST_INSERT_HEAD(&h->conns, c, entry);
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, FILL_TO / 2, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* 256 MiB of zeros, gzip-compressed: about 256 KiB on the wire. */
static void
make_bomb(struct hostile *h)
{
	z_stream	 z;
	static unsigned char zeros[1 << 20];
	size_t		 fed = 0, cap = 1 << 20;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9,
	    Z_DEFAULT_STRATEGY), Z_OK);
	h->bomb = xmalloc(cap);
	z.next_out = h->bomb;
	z.avail_out = cap;
	while (fed < BOMB_SIZE) {
		z.next_in = zeros;
		z.avail_in = sizeof(zeros);
		fed += sizeof(zeros);
		ck_assert_int_eq(deflate(&z, fed < BOMB_SIZE ? Z_NO_FLUSH :
		    Z_FINISH), fed < BOMB_SIZE ? Z_OK : Z_STREAM_END);
		ck_assert_int_gt(z.avail_out, 0);
	}
	h->bomblen = cap - z.avail_out;
	deflateEnd(&z);
}

struct hostile *
hostile_start(const char *secret)
{
	struct hostile		*h;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	h = xcalloc(1, sizeof(*h));
	h->secret = xstrdup(secret);
	pthread_mutex_init(&h->lock, NULL);
	LIST_INIT(&h->conns);
	make_bomb(h);
	serve_init(&h->loop);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->listener = evconnlistener_new_bind(h->loop.base, on_accept, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
	    (struct sockaddr *)&sin, sizeof(sin));
	ck_assert_msg(h->listener != NULL, "cannot bind 127.0.0.1");
	ck_assert_int_eq(getsockname(evconnlistener_get_fd(h->listener),
	    (struct sockaddr *)&sin, &len), 0);
	h->port = ntohs(sin.sin_port);
	serve_start(&h->loop);
	return h;
}

void
hostile_stop(struct hostile *h)
{
	struct hit	*x, *next;

	if (h == NULL)
		return;
	serve_stop(&h->loop);
	while (!LIST_EMPTY(&h->conns))
		conn_free(LIST_FIRST(&h->conns));
	evconnlistener_free(h->listener);
	serve_release(&h->loop);
	for (x = h->hits; x != NULL; x = next) {
		next = x->next;
		free(x->path);
		free(x);
	}
	pthread_mutex_destroy(&h->lock);
	free(h->bomb);
	free(h->secret);
	free(h);
}

int
hostile_port(const struct hostile *h)
{
	return h->port;
}

unsigned int
hostile_delayed_max(struct hostile *h)
{
	unsigned int	 n;

	pthread_mutex_lock(&h->lock);
	n = h->delayed_max;
	pthread_mutex_unlock(&h->lock);
	return n;
}

unsigned int
hostile_hits(struct hostile *h, const char *path)
{
	struct hit	*x;
	unsigned int	 n = 0;

	pthread_mutex_lock(&h->lock);
	for (x = h->hits; x != NULL; x = x->next)
		if (strcmp(x->path, path) == 0)
			n = x->n;
	pthread_mutex_unlock(&h->lock);
	return n;
}
