/*
 * item.h: one normalized feed entry (SPEC.md section 4).
 *
 * A plain record.  Every string is valid UTF-8, NUL-terminated, and may be
 * NULL when the feed does not give it.  title, summary and author are plain
 * text: HTML removed, entities decoded, white space collapsed; so is body,
 * which no feed gives: the daemon sets it to the main text of the page
 * 'link' points to ([feed] content = full), for matching only.  Dates are
 * UTC seconds since the epoch, or FEED_ITEM_NO_DATE.
 *
 * Items handed out by the parser are borrowed: they are valid only during
 * the callback that receives them.  Copy with feed_item_dup() to keep one.
 */
#ifndef FEEDWATCH_ITEM_H
#define FEEDWATCH_ITEM_H

#include <stddef.h>
#include <time.h>

#define FEED_ITEM_NO_DATE	((time_t)-1)

struct feed_item {
	const char	*feed;		/* feed URL */
	const char	*feed_title;
	const char	*id;		/* stable identity, never NULL */
	const char	*title;
	const char	*link;		/* absolute URL */
	time_t		 published;
	time_t		 updated;
	const char	*author;
	const char *const *categories;
	size_t		 ncategories;
	const char	*summary;
	const char	*body;		/* the article at 'link', fetched for
					   content = full; never the feed's */
};

/* Deep copy of 'it'; free with feed_item_free().  Never NULL (aborts on OOM). */
struct feed_item	*feed_item_dup(const struct feed_item *it);

/* Frees a copy made by feed_item_dup() or feed_item_from_json().  NULL is a no-op. */
void			 feed_item_free(struct feed_item *it);

/*
 * The item as one line of SPEC section 4 JSON, without the newline.
 * Returns a malloc'd string, or NULL if it cannot be encoded.
 */
char			*feed_item_to_json(const struct feed_item *it);

/*
 * Parses one SPEC section 4 JSON object (as printed by feed_item_to_json)
 * into a new item.  Returns NULL and fills 'err' (errlen bytes) on bad input.
 */
struct feed_item	*feed_item_from_json(const char *line, char *err,
			    size_t errlen);

/*
 * The key under which to remember 'it' as seen: its id with white space and
 * the characters & < > " ' removed, so that the key does not change when a
 * feed's escaping changes or libxml2 recovery drops an entity (APIS.md B.5
 * pitfall 2).  A malloc'd string; never NULL.
 */
char			*feed_item_key(const struct feed_item *it);

/* Formats 't' as "YYYY-MM-DDTHH:MM:SSZ" into 'buf' (at least 21 bytes). */
void			 feed_time_format(time_t t, char buf[21]);

#endif
