/*
 * raw.h: a growable byte buffer with a cap per append.
 *
 * The parser keeps the text of a field here as it arrives, before any
 * conversion: libxml2 hands text over in small pieces (one call per entity
 * reference), JSON Feed in whole strings.  An append past the cap it is
 * given drops what does not fit, so a hostile document costs at most the
 * cap per buffer.  The bytes are always NUL-terminated once anything was
 * added (raw_str() gives "" before), and are not validated: they are the
 * document's, to be turned into text by text.h or html.h.
 *
 * A plain record embedded in its owner: zeroed to start, emptied with
 * raw_reset() (keeping its storage), freed with raw_release().
 */
#ifndef FEEDWATCH_RAW_H
#define FEEDWATCH_RAW_H

#include <stddef.h>
#include <string.h>

struct raw {
	char	*s;
	size_t	 len;
	size_t	 alloc;
};

/* raw_add when the buffer must grow or the cap is in the way. */
void	 raw_add_slow(struct raw *r, const char *s, size_t n, size_t max);

/*
 * Appends; what goes past 'max' bytes is dropped.  Inline: libxml2 hands
 * text over in small pieces (one call per entity reference), so the
 * common case of a piece that fits is kept to a copy.
 */
static inline void
raw_add(struct raw *r, const char *s, size_t n, size_t max)
{
	if (r->len + n < r->alloc && r->len + n <= max) {
		if (n == 1)		/* no call for an entity's character */
			r->s[r->len] = *s;
		else
			memcpy(r->s + r->len, s, n);
		r->len += n;
		r->s[r->len] = '\0';
	} else
		raw_add_slow(r, s, n, max);
}

/* Empties the buffer, keeping its storage. */
static inline void
raw_reset(struct raw *r)
{
	r->len = 0;
}

/* The bytes, NUL-terminated; "" when empty.  Valid until the next change. */
static inline const char *
raw_str(const struct raw *r)
{
	return r->len > 0 ? r->s : "";
}

/* Empties the buffer and adds 's' (if not NULL), at most 'max' bytes. */
void	 raw_set(struct raw *r, const char *s, size_t max);

/* Exchanges the contents (and storage) of 'a' and 'b'. */
static inline void
raw_swap(struct raw *a, struct raw *b)
{
	struct raw	 t = *a;

	*a = *b;
	*b = t;
}

/* Frees the storage; the buffer is zeroed, ready for use again. */
void	 raw_release(struct raw *r);

#endif
