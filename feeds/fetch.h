/*
 * fetch.h: one poll of one feed.
 *
 * Starts a transfer of the feed's URL on an xfer_multi and streams the
 * body into a feed parser chunk by chunk as it arrives, so items reach
 * 'item_cb' while the transfer runs.  The request is conditional when
 * validators are given; the body is capped (after decompression) and the
 * whole transfer timed out.  When it ends, 'done_cb' gets the outcome; the
 * result and its strings are valid during that call only, and the fetch
 * frees itself after it.
 *
 * WebSub discovery: the hub and self URLs of a 200 come from its Link
 * headers (rel="hub", rel="self"), else from the feed's own links, as the
 * WebSub Recommendation orders them; only http and https URLs count (a
 * hub is then an address feedwatch posts to).
 *
 * A caller that reads a web page when the URL is not a feed (`feedwatch
 * add`) asks to keep the body's first bytes: the transfer then goes on
 * past a body the parser refused, until that many bytes are in.
 *
 * http and https are allowed, and file for local feeds; redirects go to
 * http and https only.  Only the transfer sees the URL as given: items
 * and messages name the feed by it without its userinfo and with secret
 * query values starred (url_redact), and relative links resolve so too.
 *
 * What a feed's requests carry beside the URL (user agent, login,
 * headers, cookies, proxy) is a struct fetch_request, the same for every
 * request made for that feed: its polls here, and whatever else fetches
 * for it (config_feed_request() fills one from the config).  Its secrets
 * go only where they belong: the login (Basic or Digest, sent once the
 * server asks for it) and the feed's own headers only to the scheme,
 * host and port of 'home_url', never after a redirect elsewhere, nor to
 * a URL elsewhere that a feed has moved to; cookies only to the hosts
 * their file names; the proxy's login only to the proxy.  No message
 * shows any of them.
 */
#ifndef FEEDWATCH_FETCH_H
#define FEEDWATCH_FETCH_H

#include <stddef.h>

#include "parser.h"

struct xfer;
struct xfer_multi;

/*
 * The longest a server can hold a feed back, in seconds.  Every delay a
 * response asks for (Retry-After, Cache-Control max-age, the feed's own
 * <ttl> and sy:updatePeriod) is clamped to it here, where it enters.
 */
#define FETCH_MAX_HINT	(24L * 3600)

enum fetch_status {
	FETCH_OK,		/* a feed, parsed (perhaps with no items) */
	FETCH_NOT_MODIFIED,	/* 304: validators matched */
	FETCH_HTTP_ERROR,	/* a status other than 200 and 304 */
	FETCH_NET_ERROR,	/* DNS, connect, TLS, timeout, redirects */
	FETCH_TOO_BIG,		/* the body passed max_size */
	FETCH_PARSE_ERROR,	/* not a feed, or hopelessly broken */
	FETCH_CANCELLED		/* the transfer engine shut down */
};

/* A feed's request options, borrowed; NULL fields are not used. */
struct fetch_request {
	const char	*home_url;	/* whose origin gets login and headers; */
					/* NULL: the URL fetched */
	const char	*user_agent;	/* never NULL */
	const char	*username;	/* HTTP authentication */
	const char	*password;	/* with a username; NULL is "" */
	const char *const *headers;	/* "Name: value", NULL-ended */
	const char	*cookie_file;	/* Netscape format; read, never written */
	const char	*proxy;		/* "scheme://host:port"; "": none; */
					/* NULL: curl's $http_proxy... */
	const char	*proxy_username;
	const char	*proxy_password;
};

struct fetch_opts {
	const char	*url;
	const struct fetch_request *req;	/* never NULL */
	long		 timeout;	/* seconds, whole transfer */
	long		 max_size;	/* bytes, after decompression */
	const char	*etag;		/* validators from the last 200, or NULL */
	const char	*last_modified;
	size_t		 keep;		/* body bytes to keep (at most
					   max_size), or 0 */
};

struct fetch_result {
	enum fetch_status status;
	long		 http_code;	/* 0 for file: URLs and network errors */
	const char	*error;		/* what went wrong, or NULL */
	const char	*etag;		/* of this response, or NULL */
	const char	*last_modified;
	const char	*effective_url;	/* after redirects */
	long		 retry_after;	/* 1 s to FETCH_MAX_HINT, or -1 */
	long		 max_age;	/* Cache-Control's, 0 to FETCH_MAX_HINT */
	long		 ttl;		/* <ttl>, sy: of a body parsed, or 0 */
	const char	*permanent_url;	/* after only 301/308 redirects, or NULL */
	const char	*feed_title;
	const char	*hub;		/* WebSub, an http(s) URL, or NULL */
	const char	*self;		/* the topic to subscribe to, or NULL */
	const char	*feed_link;	/* feed_parser_link(), or NULL */
	size_t		 bytes;		/* body bytes, decompressed */
	size_t		 items;
	const char	*charset;	/* of the Content-Type, or NULL */
	const char	*body;		/* with 'keep': its first bytes, */
	size_t		 body_len;	/* NUL-terminated; else NULL, 0 */
};

typedef void fetch_done_cb(const struct fetch_result *res, void *arg);

/* The name of a status ("not modified"). */
const char	*fetch_status_name(enum fetch_status st);

/*
 * Parses a body of the feed at 'url' that came another way (a WebSub
 * hub's push) as a fetch of 'url' parses its body: the same items, named
 * and resolved by the URL as shown, to 'item_cb'.  0 if it was a feed;
 * -1 if not, with why in *error (malloc'd).
 */
int		 fetch_parse(const char *url, const char *body, size_t len,
		    feed_item_cb *item_cb, void *arg, char **error);

/* Starts the fetch; -1 if it cannot start (then no callback runs). */
int		 fetch_start(struct xfer_multi *m, const struct fetch_opts *o,
		    feed_item_cb *item_cb, fetch_done_cb *done_cb, void *arg);

/*
 * For the other pages fetched as feeds are (artfetch.h), on a transfer
 * they own.  The body's write callback: curl's CURLOPT_WRITEFUNCTION.
 */
typedef size_t fetch_write_cb(char *p, size_t size, size_t n, void *arg);

/*
 * Sets on 'x' what such a transfer shares with a feed's: o->url, spoken
 * in 'protocols' (a CURLOPT_PROTOCOLS_STR list), at most 5 redirects and
 * only to http and https, every compression curl knows, o->timeout for
 * the whole transfer, o->req's user agent and proxy (never its login,
 * headers or cookies, which are the feed's), and 'write' with 'arg' for
 * the body, where the caller caps it (o->max_size is not used).  -1 if
 * curl refuses one.
 */
int		 fetch_setup(struct xfer *x, const struct fetch_opts *o,
		    const char *protocols, fetch_write_cb *write, void *arg);
/*
 * Of the response on 'x' (the last, after redirects): the value of
 * header 'name', valid until the next call, or NULL; the charset of its
 * Content-Type, malloc'd, or NULL; its HTTP status, or 0.
 */
const char	*fetch_header(struct xfer *x, const char *name);
char		*fetch_charset(struct xfer *x);
long		 fetch_http_code(struct xfer *x);

#endif
