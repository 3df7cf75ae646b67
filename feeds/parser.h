/*
 * parser.h: streaming feed parser (SPEC.md section 4).
 *
 * A push-bytes, get-items object with no I/O of its own: the caller pushes
 * the body chunk by chunk as it arrives (any split, even one byte at a
 * time) and the parser calls back once per completed item.  The format
 * (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) is detected from the content.
 * Memory use is bounded by the caps below, never by the document size.
 *
 * Documents are read liberally, as feedparser reads them: RSS and Atom
 * under any namespace (a made-up default one, Atom's misspelt ones), a
 * prefix bound to an odd URI or to none read by its name (dc:, media:),
 * element and attribute names in any case (<pubdate>, isPermaLink).  The
 * document is decoded to UTF-8 first (decoder.h): one with no charset
 * declared is UTF-8 unless its first non-ASCII bytes are not, then all
 * of it is windows-1252, and a byte its charset leaves undefined becomes
 * U+FFFD instead of ending the parse.  A document whose root looks like
 * a feed but that yields no item says why in one warning on stderr,
 * naming it (log.h): no item elements, items in a namespace that is
 * neither RSS's nor Atom's, or XML cut off before the first one.
 *
 * Items passed to the callback are borrowed for the duration of the call.
 * The parser never loads anything from the network or the file system
 * (no external entities, no DTDs).
 */
#ifndef FEEDWATCH_PARSER_H
#define FEEDWATCH_PARSER_H

#include <stddef.h>

struct feed_item;
struct feed_parser;

/* Return 0 to go on, -1 to stop parsing (push/finish then return -1). */
typedef int feed_item_cb(const struct feed_item *it, void *arg);

/*
 * Asked with an item's id (guid/id, else its link) before the text work
 * (HTML to text, dates) is done: return 1 if the item was seen before, and
 * the parser skips that work and does not pass the item to feed_item_cb.
 * Items without a guid or link are always passed (their id is a hash of
 * their text).
 */
typedef int feed_seen_cb(const char *id, void *arg);

/* Default caps; feed_parser_set_limits() changes them per parser. */
#define FEED_PARSER_MAX_BYTES	((size_t)1 << 30)	/* body, 1 GiB */
#define FEED_PARSER_MAX_ITEMS	((size_t)1000000)

/* Call once per process before any other function of this module. */
void			 feed_parser_global_init(void);

/*
 * A parser for the document at 'url' (used to resolve relative links and
 * to report errors; may be NULL for stdin).  'http_charset' is the charset
 * parameter of the HTTP Content-Type, or NULL.  Never NULL (aborts on OOM).
 */
struct feed_parser	*feed_parser_new(const char *url,
			    const char *http_charset, feed_item_cb *cb,
			    void *arg);

/*
 * Caps for this parser; 0 keeps the default.  A body over 'max_bytes' is
 * an error (push returns -1).  Items past 'max_items' are ignored and the
 * parse ends early, successfully: feeds list their newest items first.
 * Fields are capped too (64 KiB of summary text, 4 KiB for the others),
 * and so is element nesting (256).
 */
void			 feed_parser_set_limits(struct feed_parser *p,
			    size_t max_bytes, size_t max_items);

/* Installs a seen-filter (see feed_seen_cb); NULL removes it. */
void			 feed_parser_set_seen(struct feed_parser *p,
			    feed_seen_cb *seen, void *arg);

/*
 * Feeds 'len' bytes.  Returns -1 on a hopeless document or a stopped
 * callback.
 */
int			 feed_parser_push(struct feed_parser *p,
			    const char *buf, size_t len);

/*
 * Ends the document.  Returns 0 if it was a feed (possibly recovered from
 * errors, possibly with no items), -1 if it could not yield a feed: then
 * feed_parser_error() says why.
 */
int			 feed_parser_finish(struct feed_parser *p);

/* Why the parse failed, or NULL; valid until feed_parser_free(). */
const char		*feed_parser_error(const struct feed_parser *p);

/* The feed's title as far as seen, or NULL; valid until feed_parser_free(). */
const char		*feed_parser_title(const struct feed_parser *p);

/*
 * The feed's WebSub hub and self (topic) URLs as written in it, or NULL:
 * its first feed-level <link rel="hub"> and <link rel="self"> (Atom's, or
 * atom:link in an RSS channel).  Not checked: they are data, like any
 * link.  Valid until feed_parser_free().
 */
const char		*feed_parser_hub(const struct feed_parser *p);
const char		*feed_parser_self(const struct feed_parser *p);

/*
 * The feed's own link as far as seen (the site it belongs to: RSS's
 * channel <link>, Atom's alternate <link>, JSON Feed's home_page_url),
 * resolved but not judged (url_is_web says if it may be shown as a
 * link), or NULL; valid until feed_parser_free().
 */
const char		*feed_parser_link(const struct feed_parser *p);

/*
 * How long the feed asks to be left alone, in seconds: the longer of its
 * RSS <ttl> and the syndication module's sy:updatePeriod divided by
 * sy:updateFrequency; at most a week, 0 without either.
 */
long			 feed_parser_ttl(const struct feed_parser *p);

/* Number of items found so far (emitted, or skipped as seen). */
size_t			 feed_parser_count(const struct feed_parser *p);

/* How many of them the seen-filter skipped. */
size_t			 feed_parser_seen_count(const struct feed_parser *p);

void			 feed_parser_free(struct feed_parser *p);

#endif
