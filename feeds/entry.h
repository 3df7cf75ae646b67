/*
 * entry.h: the items of one document, assembled and handed out.
 *
 * The readers (xmlfeed.h for RSS, RDF and Atom; jsonfeed.h) say what they
 * find; struct entry turns it into struct feed_item (item.h), one item at a
 * time, and passes each to the parser's callback:
 *
 *  - fields: the raw text of the item being read (struct raw, raw.h), each
 *    with how it is to be read (enum entry_type) and a rank.  Several
 *    elements may give the same field (RSS description, content:encoded,
 *    itunes:summary...): the highest rank wins, and among equals the
 *    first (for links, see entry_link()), and a candidate with no text
 *    once trimmed displaces nothing.
 *    Ranks are 3 for a format's own element, 2 for a module's (dc:,
 *    dcterms:) and 1 for a fallback (itunes:, media:).
 *  - caps: the readers keep at most ENTRY_MAX_RAW bytes of raw text a
 *    field; the text of a summary is cut at ENTRY_MAX_TEXT bytes and of
 *    every other field at ENTRY_MAX_SHORT; ENTRY_MAX_CATS categories are
 *    kept.  Past the item cap, items are dropped and entry_full() says
 *    so: feeds list their newest first, the rest need not be read.
 *  - links: made absolute against the innermost of: the xml:base the
 *    reader passes, the document URL if it is a web address, the feed's
 *    own link.
 *  - identity: the id (guid, Atom id, JSON id), else the link, else
 *    "sha256:" and 32 hex digits of the title, date and summary.  An Atom
 *    id that is a web address is the link of last resort.
 *  - emit: a seen-filter, if set, is asked with the id before the text
 *    work (HTML to text, dates) and a seen item goes no further.
 *
 * The entry also keeps what every item carries or resolves against: the
 * feed's URL, title and link.  entry_text(), entry_feed_title() and
 * entry_feed_link() lend strings the entry owns (valid as their comments
 * say); entry_resolve() returns a new one.  Items handed to the callback are borrowed for the
 * call.
 */
#ifndef FEEDWATCH_ENTRY_H
#define FEEDWATCH_ENTRY_H

#include <stddef.h>

#include "parser.h"

struct raw;
struct entry;

#define ENTRY_MAX_RAW	(1024 * 1024)	/* raw (HTML) bytes kept per field */
#define ENTRY_MAX_TEXT	(64 * 1024)	/* text bytes per summary */
#define ENTRY_MAX_SHORT	(4 * 1024)	/* text bytes per title, author, ... */
#define ENTRY_MAX_CATS	32

/* The rank of an id that is the item's web address too (RSS guid). */
#define ENTRY_PERMALINK	4

/* A field of an item; 0 is none. */
enum entry_field {
	ENTRY_TITLE = 1,
	ENTRY_LINK,
	ENTRY_ID,
	ENTRY_PUBLISHED,
	ENTRY_UPDATED,
	ENTRY_AUTHOR,
	ENTRY_EMAIL,
	ENTRY_CATEGORY,
	ENTRY_SUMMARY,
	ENTRY_CONTENT,
	ENTRY_NFIELDS
};

/* How the text of a field is to be read. */
enum entry_type {
	ENTRY_TEXT,		/* plain text */
	ENTRY_HTML,		/* HTML (escaped or in CDATA) */
	ENTRY_GUESS,		/* RSS titles: HTML only if it looks like it */
	ENTRY_XHTML		/* inline XHTML, re-serialized by the reader */
};

/*
 * Items of the document at 'url' (NULL for stdin) go to 'cb'.  Never NULL
 * (aborts on OOM).
 */
struct entry	*entry_new(const char *url, feed_item_cb *cb, void *arg);

/* At most 'max_items' items (FEED_PARSER_MAX_ITEMS until set). */
void		 entry_set_max_items(struct entry *e, size_t max_items);

/* Installs a seen-filter (feed_seen_cb); NULL removes it. */
void		 entry_set_seen(struct entry *e, feed_seen_cb *seen, void *arg);

/* A new item begins: the fields of the last are forgotten. */
void		 entry_clear(struct entry *e);

/*
 * Offers the text in 'r' for field 'f', to be read as 'type', with
 * 'rank'; a link is resolved against 'base' (an xml:base, or NULL).  An
 * ENTRY_ID at ENTRY_PERMALINK is also the link of last resort; ids
 * otherwise all rank 3: the first wins.  The first email wins, and a
 * category is added (as entry_category).  'r' is left empty: its storage
 * may be exchanged with the entry's.
 */
void		 entry_take(struct entry *e, enum entry_field f, struct raw *r,
		    enum entry_type type, int rank, const char *base);

/*
 * Sets field 'f' to 's' (NULL: empty), at most 'max' bytes, read as
 * 'type', whatever it held and whatever its rank.
 */
void		 entry_set(struct entry *e, enum entry_field f, const char *s,
		    size_t max, enum entry_type type);

/*
 * 'ref' resolved against 'base' becomes the link if 'rank' is above the
 * link's, or equal to it and 'ties' is set (then the last of equals wins).
 */
void		 entry_link(struct entry *e, const char *base, const char *ref,
		    int rank, int ties);

/* Adds a category: 's' ('n' bytes) as text, unless empty or a repeat. */
void		 entry_category(struct entry *e, const char *s, size_t n);

/*
 * The end of an item: builds it and hands it to the callback, unless the
 * item cap is reached or the seen-filter knew it.  'atom' says it is an
 * Atom entry (its id may be its link).  Returns 0, or -1 if the callback
 * stopped the parse (entry_stopped() says so from then on).
 */
int		 entry_emit(struct entry *e, int atom);

/* 1 once an item was dropped at the item cap, else 0. */
int		 entry_full(const struct entry *e);

/* 1 once the callback stopped the parse, else 0. */
int		 entry_stopped(const struct entry *e);

/* Items found (emitted, or skipped as seen), and how many were seen. */
size_t		 entry_count(const struct entry *e);
size_t		 entry_seen_count(const struct entry *e);

/*
 * 'ref' made absolute against the innermost of 'base', the document URL,
 * the feed's link.  A new string (NULL for an empty 'ref').
 */
char		*entry_resolve(const struct entry *e, const char *base,
		    const char *ref);

/* 1 if 's' starts with a URI scheme ("https:", "tag:"), else 0. */
int		 entry_url_is_absolute(const char *s);

/*
 * The text of 's' ('n' bytes) read as 'type', trimmed, at most 'max'
 * bytes; valid until the next call into 'e'.
 */
const char	*entry_text(struct entry *e, const char *s, size_t n,
		    enum entry_type type, size_t max);

/* The feed's title, from 's' ('n' bytes) read as 'type'; the first wins. */
void		 entry_set_feed_title(struct entry *e, const char *s, size_t n,
		    enum entry_type type);

/* The feed's link, 'ref' resolved against 'base'; the first wins. */
void		 entry_set_feed_link(struct entry *e, const char *base,
		    const char *ref);

/* The feed's title, or NULL; valid until entry_free(). */
const char	*entry_feed_title(const struct entry *e);

/* The feed's link, resolved, or NULL; valid until entry_free(). */
const char	*entry_feed_link(const struct entry *e);

/* NULL is a no-op. */
void		 entry_free(struct entry *e);

#endif
