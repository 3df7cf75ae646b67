/*
 * discover.h: the feeds a web page points to, for `feedwatch add`.
 *
 * A site's address is seldom its feed's, but its pages say where the
 * feeds are: <link rel="alternate" href="..."> with the type
 * application/rss+xml, application/atom+xml or application/feed+json
 * (or application/json, which may be a JSON Feed and may be anything
 * else).  A page that announces none may still link to one: an <a>
 * whose address ends in /feed, /rss, /atom, .rss, .xml or .atom is then
 * taken as a guess, and said to be one.
 *
 * discover_page() reads a page already in memory with libxml2's HTML
 * parser in SAX mode: no tree is built, nothing is loaded, no entity but
 * HTML's is known.  The page's encoding is the HTTP charset when there
 * is one, else what libxml2 makes of its <meta> (titles are repaired
 * either way).  Addresses are resolved against the page's first <base
 * href> (itself resolved against the page's URL), else the page's URL,
 * which must be the one after redirects.  They come out as found:
 * javascript:, data:, file: and the rest are the caller's to refuse
 * (url_is_web).  Titles are clean text (text.h).
 *
 * A page is untrusted: it gives at most DISCOVER_MAX_LINKS links, each
 * address once, titles of at most 200 bytes, and the parse costs no more
 * memory than the page.
 */
#ifndef FEEDWATCH_DISCOVER_H
#define FEEDWATCH_DISCOVER_H

#include <stddef.h>

/* The most of a page worth reading: its head, and far more. */
#define DISCOVER_MAX_PAGE	((size_t)2 << 20)
#define DISCOVER_MAX_LINKS	32

/* What a link says it is, best first. */
enum discover_kind {
	DISCOVER_FEED,		/* RSS, Atom or JSON Feed, by its type */
	DISCOVER_GUESS,		/* an <a> whose address looks like a feed's */
	DISCOVER_JSON		/* application/json: perhaps a JSON Feed */
};

struct discover_link {
	char			*url;	/* resolved, not judged */
	char			*title;	/* clean text, or NULL */
	const char		*type;	/* "RSS", "Atom", "JSON Feed", "JSON",
					   "guess" */
	enum discover_kind	 kind;
};

/*
 * The feed links of 'page' ('len' bytes), served at 'url' with the HTTP
 * charset 'charset' (or NULL), best first: the feeds it announces, then
 * (only when it announces none) the guesses, then its application/json
 * links, each in the order of the page.  '*links' (free with
 * discover_links_free) may be empty.
 */
void	 discover_page(const char *page, size_t len, const char *url,
	    const char *charset, struct discover_link **links, size_t *n);

void	 discover_links_free(struct discover_link *links, size_t n);

#endif
