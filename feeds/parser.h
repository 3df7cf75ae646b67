/*
 * parser.h: streaming feed parser (SPEC.md section 4).
 *
 * A push-bytes, get-items object with no I/O of its own: the caller pushes
 * the body chunk by chunk as it arrives (any split, even one byte at a
 * time) and the parser calls back once per completed item.  The format
 * (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed) is detected from the content.
 * Memory use is bounded by the caps below, never by the document size.
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

/* Feeds 'len' bytes.  Returns -1 on a hopeless document or a stopped callback. */
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

/* Number of items emitted so far. */
size_t			 feed_parser_count(const struct feed_parser *p);

void			 feed_parser_free(struct feed_parser *p);

#endif
