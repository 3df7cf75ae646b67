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
 * http and https are allowed, and file for local feeds; redirects go to
 * http and https only.  Only the transfer sees the URL as given: items
 * and messages name the feed by it without its userinfo and with secret
 * query values starred (url_redact), and relative links resolve so too.
 */
#ifndef FEEDWATCH_FETCH_H
#define FEEDWATCH_FETCH_H

#include <stddef.h>

#include "parser.h"

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

struct fetch_opts {
	const char	*url;
	const char	*user_agent;
	long		 timeout;	/* seconds, whole transfer */
	long		 max_size;	/* bytes, after decompression */
	const char	*etag;		/* validators from the last 200, or NULL */
	const char	*last_modified;
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
	size_t		 bytes;		/* body bytes, decompressed */
	size_t		 items;
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

#endif
