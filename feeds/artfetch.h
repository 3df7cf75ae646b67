/*
 * artfetch.h: one fetch of an item's article (`content = full`).
 *
 * Starts a GET of the page an item links to on an xfer_multi and streams
 * the body into the article extractor (article.h) as it arrives; when the
 * transfer ends, 'done' gets the article's text and title.  The result
 * and its strings are valid during that call only, and the fetch frees
 * itself after it.
 *
 * The page is fetched as a feed is (fetch.h's fetch_setup): http and
 * https only, redirects to http and https only and at most 5, the
 * timeout and user agent given, compressed bodies accepted.  The body is
 * capped after decompression at o->max_size or ARTICLE_MAX_IN, whichever
 * is smaller: a page past the cap is cut there, and its text extracted
 * from what came (an article's text comes early in its page).  A status
 * other than 200, or a Content-Type that is not HTML (text/html or
 * application/xhtml+xml; none at all is taken as HTML), ends the
 * transfer at once, unread.
 *
 * Messages name the page by its URL redacted (url_redact).
 */
#ifndef FEEDWATCH_ARTFETCH_H
#define FEEDWATCH_ARTFETCH_H

#include <stddef.h>

#include "fetch.h"

struct xfer_multi;

struct artfetch_result {
	enum fetch_status status;	/* OK: text extracted; HTTP_ERROR,
					   NET_ERROR, PARSE_ERROR (not HTML,
					   or no text), CANCELLED */
	long		 http_code;	/* 0 for network errors */
	const char	*error;		/* what went wrong, or NULL */
	const char	*text;		/* the article's text, when OK */
	const char	*title;		/* its title, or NULL */
	size_t		 bytes;		/* body bytes read, decompressed */
	int		 cut;		/* the body passed the cap */
};

typedef void artfetch_done_cb(const struct artfetch_result *res, void *arg);

/*
 * Starts fetching the article at o->url (o->etag and o->last_modified
 * are not used); -1 if it cannot start (then 'done' never runs).
 */
int	 artfetch_start(struct xfer_multi *m, const struct fetch_opts *o,
	    artfetch_done_cb *done, void *arg);

#endif
