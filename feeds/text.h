/*
 * text.h: turning untrusted bytes into clean text.
 *
 * Everything that leaves feeds/ is valid UTF-8 (B.5 pitfall 3 in APIS.md:
 * libxml2 in recover mode passes bad bytes through).  This module owns the
 * two steps every field goes through:
 *
 *  - repair: invalid UTF-8 sequences become U+FFFD (decoded with utf8proc);
 *    NUL and the other C0/C1 control characters except white space are
 *    dropped, since they are never meant as text in a feed;
 *  - collapse: every run of white space (ASCII, U+00A0 no-break space and
 *    the other Unicode space separators) becomes one U+0020, with none at
 *    the ends.
 *
 * struct text_buf does both while appending, so the HTML reducer (html.h)
 * and the feed parser can build a field piece by piece.  It has a cap set
 * at creation: text past the cap is dropped (cut at a character boundary)
 * and text_buf_full() says so.  The buffer is a plain record embedded in
 * its owner: text_buf_init() / text_buf_release().
 */
#ifndef FEEDWATCH_TEXT_H
#define FEEDWATCH_TEXT_H

#include <stddef.h>

struct text_buf {
	char	*buf;		/* NUL-terminated while len < cap */
	size_t	 len;
	size_t	 alloc;
	size_t	 max;		/* cap on len, in bytes */
	int	 space;		/* white space seen, not yet written */
	int	 full;		/* something was dropped at the cap */
};

/* An empty buffer that will hold at most 'max' bytes of text. */
void	 text_buf_init(struct text_buf *tb, size_t max);

/* Frees the storage; the buffer may be initialized again. */
void	 text_buf_release(struct text_buf *tb);

/* Empties the buffer, keeping its storage and cap. */
void	 text_buf_reset(struct text_buf *tb);

/*
 * Appends 'n' bytes of 's': invalid UTF-8 becomes U+FFFD, controls are
 * dropped, white space is collapsed with what is already there.
 */
void	 text_buf_add(struct text_buf *tb, const char *s, size_t n);

/*
 * For the HTML reducer: as text_buf_add for 's' up to its first '<' or
 * '&'; returns how many bytes it read (possibly fewer: call again).
 */
size_t	 text_buf_add_run(struct text_buf *tb, const char *s, size_t n);

/* Appends one code point (as for text_buf_add). */
void	 text_buf_add_char(struct text_buf *tb, long cp);

/* A word break: white space, unless the text ends in one already. */
void	 text_buf_space(struct text_buf *tb);

/* The text so far, NUL-terminated, without trailing white space. */
const char *text_buf_str(struct text_buf *tb);

/*
 * 1 if text was dropped at the cap since the last reset.  Inline: the
 * HTML reducer asks before every piece.
 */
static inline int
text_buf_full(const struct text_buf *tb)
{
	return tb->full;
}

/* 1 if 's' ('n' bytes) is valid UTF-8 with no NUL, else 0. */
int	 text_utf8_valid(const char *s, size_t n);

/*
 * A new NUL-terminated copy of 's' ('n' bytes) with invalid UTF-8 replaced
 * by U+FFFD and NULs dropped; white space is kept as is.  Never NULL.
 */
char	*text_utf8_repair(const char *s, size_t n);

/*
 * A new NUL-terminated copy of 's' ('n' bytes), repaired as above and with
 * white space collapsed.  Never NULL.
 */
char	*text_collapse(const char *s, size_t n);

#endif
