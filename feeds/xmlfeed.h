/*
 * xmlfeed.h: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0, read with libxml2's SAX2
 * push parser.
 *
 * A reader for one XML document: the bytes go in as they arrive (through
 * the byte filter of xmlfilter.h when they are UTF-8), and each
 * field of an item goes to the entry (entry.h) at its end tag, each item
 * at its own.  Elements are known by namespace URI and local name, never
 * by prefix (APIS.md B.5 pitfall 6): RSS with or without a namespace,
 * RDF, Atom (also under a misspelt namespace), content:, dc:, dcterms:,
 * media:, itunes:, xhtml:, and sy: and <ttl> for the feed's poll hint.
 * Liberally, as feedparser reads them: a namespace we do not know is the
 * format's own when the root or the default namespace uses it, else the
 * prefix names the module (and does for a prefix bound to nothing); an
 * item's element its format lacks is looked up in the other's (<summary>
 * in RSS, <pubDate> in Atom); names of elements and attributes are
 * matched in any case.  The reader also finds the feed's title and link
 * for the entry.
 *
 * Safe on any input: no network, no external entity or DTD is ever loaded
 * (a deny-all loader, process-wide), no entity is substituted, and
 * libxml2's own limits stay on; nesting past 256 elements or an entity
 * loop ends the parse with an error.  Recovery: a document that is not
 * well-formed is read as far as libxml2 can, and an end tag that does not
 * match the open element closes up to the element it names.
 *
 * The reader stops for good at an error of its own (xmlfeed_error() says
 * which) or when the entry's callback stops the parse (entry_stopped()).
 * Past the entry's item cap, it reads no further and succeeds.
 */
#ifndef FEEDWATCH_XMLFEED_H
#define FEEDWATCH_XMLFEED_H

#include <stddef.h>

struct entry;
struct xmlfeed;

/* Call once per process, before any other function of this module. */
void		 xmlfeed_global_init(void);

/*
 * A reader that hands the items to 'e' (borrowed: it must outlive the
 * reader).  'url' names the document in messages (may be NULL).  With
 * 'utf8', the bytes pushed are UTF-8 whatever the document declares (the
 * caller decoded them) and go through the byte filter (xmlfilter.h);
 * without, libxml2 decodes them itself (UTF-16, UTF-32, EBCDIC), by
 * 'charset', the HTTP charset (or NULL), unless a BOM or the XML
 * declaration says otherwise.  Never NULL (aborts on OOM).
 */
struct xmlfeed	*xmlfeed_new(struct entry *e, const char *url,
		    const char *charset, int utf8);

/*
 * Reads 'len' bytes of 'buf'; with 'eod' this is the end of the document.
 * Returns 0, or -1 if the reader has stopped (xmlfeed_stopped()).  Past
 * the entry's item cap it reads nothing more and returns 0.
 */
int		 xmlfeed_push(struct xmlfeed *x, const char *buf, size_t len,
		    int eod);

/*
 * Ends the document (and the item it cut short).  Returns 0 if it was a
 * feed (possibly recovered from errors, possibly with no items: then a
 * warning says why, naming the document), -1 if
 * the reader stopped or the document was not a feed: xmlfeed_error()
 * then says why (not XML, its root element), unless the callback stopped.
 */
int		 xmlfeed_finish(struct xmlfeed *x);

/* 1 once the reader has stopped for good, else 0. */
int		 xmlfeed_stopped(const struct xmlfeed *x);

/* Why the reader failed, or NULL; valid until xmlfeed_free(). */
const char	*xmlfeed_error(const struct xmlfeed *x);

/*
 * How long the feed asks to be left alone, in seconds: the longer of its
 * RSS <ttl> and sy:updatePeriod divided by sy:updateFrequency; at most a
 * week, 0 without either.
 */
long		 xmlfeed_ttl(const struct xmlfeed *x);

/*
 * The feed's WebSub hub and self URLs as written (its first feed-level
 * <link rel="hub"> and rel="self", Atom's or atom:link in an RSS
 * channel), or NULL; valid until xmlfeed_free().
 */
const char	*xmlfeed_hub(const struct xmlfeed *x);
const char	*xmlfeed_self(const struct xmlfeed *x);

/* NULL is a no-op. */
void		 xmlfeed_free(struct xmlfeed *x);

#endif
