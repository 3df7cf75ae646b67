/*
 * snippet.c: the text around a hit, cut between tokens; see snippet.h.
 */
#include "snippet.h"

#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "xmalloc.h"

#define SNIPPET_CHARS	200
#define SNIPPET_BEFORE	60
#define SNIPPET_SLACK	40	/* characters an end moves to meet a token */

/* Appends valid UTF-8 from s[0..len) to 'out', U+FFFD for bad bytes. */
static size_t
copy_valid(char *out, const char *s, size_t len)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	w;
	size_t			i = 0, o = 0;

	while (i < len) {
		w = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &cp);
		if (w <= 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, (size_t)w);
		o += (size_t)w;
		i += (size_t)w;
	}
	return o;
}

static size_t
utf8_back(const char *s, size_t i)
{
	size_t	k = 0;

	while (i > 0 && k < 4) {
		i--;
		k++;
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			break;
	}
	return i;
}

static size_t
utf8_fwd(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return len;
	i++;
	while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/* The code point at s[i], -1 for a byte that is not UTF-8 (or the end). */
static int32_t
cp_at(const char *s, size_t len, size_t i)
{
	utf8proc_int32_t	cp;

	if (i >= len || utf8proc_iterate((const utf8proc_uint8_t *)s + i,
	    (utf8proc_ssize_t)(len - i), &cp) <= 0)
		return -1;
	return cp;
}

static int
is_space(int32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= '\t' && cp <= '\r');
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return 1;
	default:
		return cp == 0x85;
	}
}

/* Kana and Han: scripts written without spaces between words. */
static int
unspaced(int32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 &&
	    cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3ffff);
}

/*
 * 1 if text may be cut between code points 'a' and 'b': at white space,
 * or inside unspaced text, but not after an opening bracket or quote nor
 * before a closing one, a comma, a full stop or a mark.  Elsewhere
 * neighbours are one token ("$5", "«Crimea»", "(Reuters)", an emoji
 * sequence) and stay together.
 */
static int
cuttable(int32_t a, int32_t b)
{
	if (is_space(a) || is_space(b))
		return 1;
	if (a < 0 || b < 0 || (!unspaced(a) && !unspaced(b)))
		return 0;
	switch (utf8proc_category(a)) {
	case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PI:
		return 0;
	default:
		break;
	}
	switch (utf8proc_category(b)) {
	case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_CF:
		return 0;
	default:
		return 1;
	}
}

/* A snippet may start at s[i]: a token begins there. */
static int
may_start(const char *s, size_t len, size_t i)
{
	int32_t	c = cp_at(s, len, i);

	return i < len && !is_space(c) && (i == 0 ||
	    cuttable(cp_at(s, len, utf8_back(s, i)), c));
}

/* A snippet may end before s[i]: a token ends there. */
static int
may_end(const char *s, size_t len, size_t i)
{
	int32_t	c = cp_at(s, len, utf8_back(s, i));

	return i > 0 && !is_space(c) && (i == len ||
	    cuttable(c, cp_at(s, len, i)));
}

/* 1 if s[from..to) holds anything but white space. */
static int
has_text(const char *s, size_t len, size_t from, size_t to)
{
	for (; from < to; from = utf8_fwd(s, len, from))
		if (!is_space(cp_at(s, len, from)))
			return 1;
	return 0;
}

/*
 * About SNIPPET_CHARS characters of s[0..len) around the hit [hs, he), as
 * written, starting some SNIPPET_BEFORE characters before the hit (more
 * when the text ends soon after it), with "…" where text was left out.
 * Each end moves up to SNIPPET_SLACK characters to fall between tokens
 * (see cuttable()); in a longer token (a URL) it falls between two
 * characters.  Malloc'd, valid UTF-8.
 */
char *
snippet_make(const char *s, size_t len, size_t hs, size_t he)
{
	size_t	a, b, i, j;
	int	k, after;
	char	*out, *o;

	he = he > len ? len : he;
	hs = hs > he ? he : hs;
	for (b = hs, after = 0; after < SNIPPET_CHARS - SNIPPET_BEFORE &&
	    b < len; after++)
		b = utf8_fwd(s, len, b);
	for (a = hs, k = 0; k < SNIPPET_CHARS - after && a > 0; k++)
		a = utf8_back(s, a);
	/* the next token start, up to the hit, else the one before */
	for (i = a, k = 0; i < hs && k < SNIPPET_SLACK &&
	    !may_start(s, len, i); k++)
		i = utf8_fwd(s, len, i);
	for (j = a, k = 0; !may_start(s, len, i) && j > 0 &&
	    k < SNIPPET_SLACK; k++)
		if (may_start(s, len, j = utf8_back(s, j)))
			i = j;
	if (may_start(s, len, i))
		a = i;
	for (b = a, k = 0; k < SNIPPET_CHARS && b < len; k++)
		b = utf8_fwd(s, len, b);
	/* the last token end, not inside the hit */
	for (i = b, k = 0; i > he && k < SNIPPET_SLACK &&
	    !may_end(s, len, i); k++)
		i = utf8_back(s, i);
	if (may_end(s, len, i))
		b = i;
	o = out = xmalloc((b - a) * 3 + 8);
	if (has_text(s, len, 0, a)) {
		memcpy(o, "\xe2\x80\xa6", 3);
		o += 3;
	}
	o += copy_valid(o, s + a, b - a);
	if (has_text(s, len, b, len)) {
		memcpy(o, "\xe2\x80\xa6", 3);
		o += 3;
	}
	*o = '\0';
	return out;
}
