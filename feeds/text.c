/* text.c: UTF-8 repair and white-space collapse for feed text. */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "xmalloc.h"

/*
 * Byte classes: plain ASCII, ASCII white space, control to drop,
 * non-ASCII; and in hcls, the HTML reducer's table, '<' and '&' stop.
 */
enum {
	C_PLAIN,
	C_SPACE,
	C_CTRL,
	C_HIGH,
	C_STOP
};

static unsigned char	 cls[256];
static unsigned char	 hcls[256];
static int		 cls_ready;

static void
cls_init(void)
{
	int	 c;

	for (c = 0; c < 256; c++) {
		if (c >= 0x80)
			cls[c] = C_HIGH;
		else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v')
			cls[c] = C_SPACE;
		else if (c < 0x20 || c == 0x7f)
			cls[c] = C_CTRL;
		else
			cls[c] = C_PLAIN;
		hcls[c] = c == '<' || c == '&' ? C_STOP : cls[c];
	}
	cls_ready = 1;
}

void
text_buf_init(struct text_buf *tb, size_t max)
{
	if (!cls_ready)
		cls_init();
	memset(tb, 0, sizeof(*tb));
	tb->max = max;
}

void
text_buf_release(struct text_buf *tb)
{
	free(tb->buf);
	memset(tb, 0, sizeof(*tb));
}

void
text_buf_reset(struct text_buf *tb)
{
	tb->len = 0;
	tb->space = 0;
	tb->full = 0;
	if (tb->buf != NULL)
		tb->buf[0] = '\0';
}

/*
 * Makes room for 'n' more bytes plus the pending space and the NUL.
 * Returns 0, or -1 (and marks the buffer full) when the cap is in the way.
 */
static int
reserve(struct text_buf *tb, size_t n)
{
	size_t	 need, a;

	need = tb->len + n + (tb->space && tb->len > 0);
	if (need > tb->max) {
		tb->full = 1;
		return -1;
	}
	if (need + 1 > tb->alloc) {
		a = tb->alloc ? tb->alloc : 256;
		while (a < need + 1)
			a *= 2;
		if (a > tb->max + 1)
			a = tb->max + 1;
		tb->buf = xreallocarray(tb->buf, a, 1);
		tb->alloc = a;
	}
	if (tb->space && tb->len > 0)
		tb->buf[tb->len++] = ' ';
	tb->space = 0;
	return 0;
}

/* Appends 'n' bytes; an ASCII run ('split') is cut at the cap. */
static void
put(struct text_buf *tb, const char *s, size_t n, int split)
{
	size_t	 room;

	if (tb->full)
		return;
	if (split && tb->len + n + (tb->space && tb->len > 0) > tb->max) {
		room = tb->max - tb->len - (tb->space && tb->len > 0);
		if (tb->len + (tb->space && tb->len > 0) < tb->max &&
		    room > 0) {
			put(tb, s, room, 0);
			tb->full = 1;
			return;
		}
	}
	if (reserve(tb, n) == -1)
		return;
	memcpy(tb->buf + tb->len, s, n);
	tb->len += n;
	tb->buf[tb->len] = '\0';
}

/*
 * U+0080..U+009F are C1 controls, never text; in feeds they are nearly
 * always windows-1252 bytes read as ISO-8859-1 (or "&#146;").  Map them as
 * HTML5 does; 0 means drop.
 */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178
};

static int
is_space_cp(int32_t cp)
{
	utf8proc_category_t	 c;

	if (cp == 0xa0)
		return 1;
	if (cp < 0x1680)
		return 0;
	c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL ||
	    c == UTF8PROC_CATEGORY_ZP;
}

void
text_buf_add_char(struct text_buf *tb, long cp)
{
	utf8proc_uint8_t	 u[4];
	utf8proc_ssize_t	 k;

	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		if (!cls_ready)
			cls_init();
		switch (cls[cp]) {
		case C_SPACE:
			tb->space = 1;
			return;
		case C_CTRL:
			return;
		}
	} else if (cp < 0xa0) {
		if ((cp = cp1252[cp - 0x80]) == 0)
			return;
	} else if (is_space_cp((int32_t)cp)) {
		tb->space = 1;
		return;
	}
	if (tb->len + 6 <= tb->max && tb->len + 6 < tb->alloc) {
		/* room for a space and any character: no checks (entities) */
		if (tb->space && tb->len > 0)
			tb->buf[tb->len++] = ' ';
		tb->space = 0;
		k = utf8proc_encode_char((utf8proc_int32_t)cp,
		    (utf8proc_uint8_t *)tb->buf + tb->len);
		tb->len += (size_t)k;
		tb->buf[tb->len] = '\0';
		return;
	}
	k = utf8proc_encode_char((utf8proc_int32_t)cp, u);
	put(tb, (const char *)u, (size_t)k, 0);
}

/* The general case: one piece at a time, checking the cap. */
static void
add_slow(struct text_buf *tb, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, j;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;

	while (i < n && !tb->full) {
		switch (cls[p[i]]) {
		case C_PLAIN:
			j = i + 1;
			while (j < n && cls[p[j]] == C_PLAIN)
				j++;
			put(tb, s + i, j - i, 1);
			i = j;
			break;
		case C_SPACE:
			tb->space = 1;
			i++;
			break;
		case C_CTRL:
			i++;
			break;
		default:
			k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i),
			    &cp);
			if (k <= 0) {
				put(tb, "\xef\xbf\xbd", 3, 0);
				i++;
			} else if (cp < 0xa0) {
				text_buf_add_char(tb, cp);	/* C1 */
				i += (size_t)k;
			} else if (is_space_cp(cp)) {
				tb->space = 1;
				i += (size_t)k;
			} else {
				put(tb, s + i, (size_t)k, 0);
				i += (size_t)k;
			}
			break;
		}
	}
}

/*
 * How many of the 16 bytes at 'p' continue a run of printable ASCII and
 * single spaces ('<' and '&' end it for the HTML reducer), after a space
 * if 'after_space'.  A space at the end is taken back by the caller if
 * what follows does not continue the run.  (SSE2: one compare of 16 bytes
 * instead of 16 table lookups; elsewhere 0, and the byte loop does all.)
 */
static inline size_t
run16(const unsigned char *p, int after_space, int html)
{
#ifdef __SSE2__
	__m128i		 v, bad;
	unsigned int	 sp, stop;

	v = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* signed: below 0x20 and non-ASCII (0x80-0xff) at once; DEL */
	bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
	if (html)
		bad = _mm_or_si128(bad, _mm_or_si128(
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
		    _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))));
	sp = (unsigned int)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
	    _mm_set1_epi8(' ')));
	/* bit i is byte i: a space after a space stops */
	stop = (unsigned int)_mm_movemask_epi8(bad) |
	    (sp & ((sp << 1) | (after_space ? 1u : 0u)));
	return stop == 0 ? 16 : (size_t)__builtin_ctz(stop);
#else
	(void)p;
	(void)after_space;
	(void)html;
	return 0;
#endif
}

/*
 * The fast path of text_buf_add and text_buf_add_run, for when the
 * caller has made room for the worst growth of lim + 3 bytes (a bad byte
 * becomes three; a character may run on past lim, up to n), which also
 * leaves room for run16's 16-byte copies.  Reads until lim or a byte of
 * class C_STOP in 't', copying with no checks per piece; anything but
 * ASCII goes through add_slow, which writes through the same buffer.
 * A pending space is written at once and a trailing one taken back at
 * the end, so that spaces are plain bytes to the 16-byte loop.  Returns
 * the bytes read.
 */
static inline __attribute__((always_inline)) size_t
add_fast(struct text_buf *tb, const unsigned char *p, size_t lim, size_t n,
    const unsigned char *t, int html)
{
	char			*o = tb->buf + tb->len;
	size_t			 i = 0, k;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 r;

	if (tb->space && o != tb->buf)
		*o++ = ' ';
	while (i < lim) {
		/* words and single spaces, the bulk of any text */
		while (i + 16 <= lim) {
			k = run16(p + i, o == tb->buf || o[-1] == ' ', html);
			memcpy(o, p + i, 16);
			o += k;
			i += k;
			if (k < 16)
				break;
		}
		if (i >= lim)
			break;
		switch (t[p[i]]) {
		case C_PLAIN:
			*o++ = (char)p[i++];
			break;
		case C_SPACE:
			if (o != tb->buf && o[-1] != ' ')
				*o++ = ' ';
			i++;
			break;
		case C_CTRL:
			i++;
			break;
		case C_STOP:
			goto out;
		default:
			/* a letter of another script: copied as it is */
			r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i),
			    &cp);
			if (r > 0 && cp > 0xa0 && !is_space_cp(cp)) {
				memcpy(o, p + i, (size_t)r);
				o += r;
				i += (size_t)r;
				break;
			}
			/*
			 * Anything else, one character the slow way.  add_slow keeps a space
			 * pending until text follows, so hand it the trailing
			 * one that way, and take back what it leaves pending.
			 */
			tb->space = o != tb->buf && o[-1] == ' ';
			o -= tb->space;
			tb->len = (size_t)(o - tb->buf);
			for (k = 1; i + k < n && k < 4 &&
			    (p[i + k] & 0xc0) == 0x80; k++)
				;
			add_slow(tb, (const char *)p + i, k);
			i += k;
			o = tb->buf + tb->len;
			if (tb->space && o != tb->buf)
				*o++ = ' ';
			break;
		}
	}
 out:
	tb->space = 0;
	if (o != tb->buf && o[-1] == ' ') {
		o--;
		tb->space = 1;
	}
	tb->len = (size_t)(o - tb->buf);
	tb->buf[tb->len] = '\0';
	return i;
}

/* Grows the buffer to hold 'need' bytes. */
static void
grow(struct text_buf *tb, size_t need)
{
	size_t	 a = tb->alloc ? tb->alloc : 256;

	while (a < need)
		a *= 2;
	tb->buf = xreallocarray(tb->buf, a, 1);
	tb->alloc = a;
}

/*
 * The common case, when even the worst growth fits under the cap, is
 * add_fast over all of 's'; otherwise the cap needs add_slow's checks.
 */
void
text_buf_add(struct text_buf *tb, const char *s, size_t n)
{
	size_t	 need;

	if (tb->full || n == 0)
		return;
	need = tb->len + 3 * n + 2;
	if (need > tb->max + 1) {
		add_slow(tb, s, n);
		return;
	}
	/* buf is NULL until the first growth (alloc 0): say so to analyzers. */
	if (need > tb->alloc || tb->buf == NULL)
		grow(tb, need);
	add_fast(tb, (const unsigned char *)s, n, n, cls, 0);
}

size_t
text_buf_add_run(struct text_buf *tb, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 room, lim;

	if (tb->full)
		return n;
	/*
	 * Read as far as the worst growth fits under the cap, which may be
	 * less than the run: the rest is read by the next call.  Near the
	 * cap, find the run's end and let add_slow cut it.
	 */
	room = tb->max + 1 - tb->len;
	if (room < 2 + 3 * (3 + 16)) {
		for (lim = 0; lim < n && hcls[p[lim]] != C_STOP; lim++)
			;
		add_slow(tb, s, lim);
		return lim;
	}
	lim = n;
	if (3 * (lim + 3) + 2 > room)	/* no division in the common case */
		lim = (room - 2) / 3 - 3;
	if (tb->len + 3 * (lim + 3) + 2 > tb->alloc || tb->buf == NULL)
		grow(tb, tb->len + 3 * (lim + 3) + 2);
	return add_fast(tb, p, lim, n, hcls, 1);
}

void
text_buf_space(struct text_buf *tb)
{
	tb->space = 1;
}

const char *
text_buf_str(struct text_buf *tb)
{
	if (tb->buf == NULL)
		return "";
	return tb->buf;
}

int
text_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;

	while (i < n) {
		/* 8 ASCII bytes without a NUL at a time */
		while (i + 8 <= n) {
			uint64_t	 v;

			memcpy(&v, p + i, 8);
			if ((v & 0x8080808080808080ULL) != 0 ||
			    ((v - 0x0101010101010101ULL) & ~v &
			    0x8080808080808080ULL) != 0)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

char *
text_utf8_repair(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out;
	size_t			 i = 0, o = 0;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;

	/* Each bad byte (1) grows to 3 bytes at most. */
	out = xreallocarray(NULL, n + 1, 3);
	while (i < n) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			out[o++] = s[i++];
			continue;
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, (size_t)k);
			o += (size_t)k;
			i += (size_t)k;
		}
	}
	out[o] = '\0';
	return out;
}

char *
text_collapse(const char *s, size_t n)
{
	struct text_buf	 tb;
	char		*out;

	text_buf_init(&tb, n * 3 + 1);
	text_buf_add(&tb, s, n);
	out = xstrdup(text_buf_str(&tb));
	text_buf_release(&tb);
	return out;
}
