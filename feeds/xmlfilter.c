/*
 * xmlfilter.c: the byte filter in front of libxml2 (xmlfilter.h).
 *
 * A state machine over the bytes (enum fstate) that knows where a '&' is
 * literal text and where it is markup.  Each state has its own scan for
 * the next byte that matters (find_special, find_tag_stop,
 * find_cdata_stop, find_close), 16 bytes at a time with SSE2; what lies
 * between is handed over as it is, without a copy when it is long.
 */
#include "xmlfilter.h"

#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "xmalloc.h"

#define CHUNK		(64 * 1024)	/* bytes handed over at once */
#define LOOKAHEAD	64		/* bytes the filter may look ahead */
#define JOIN		(2 * LOOKAHEAD)	/* push bytes read with the last's */
#define DIRECT		4096		/* filtered spans fed without a copy */
#define CDATA_MAX	(1024 * 1024)	/* longest CDATA section to libxml2 */

/* Filter states: where a '&' is literal or markup. */
enum fstate {
	FS_TEXT,
	FS_TAG,			/* in a start or end tag */
	FS_TAG_DQ,		/* in its "value" */
	FS_TAG_SQ,		/* in its 'value' */
	FS_CDATA,
	FS_COMMENT,
	FS_PI
};

struct xmlfilter {
	xmlfilter_out_cb	*out_cb;
	void			*arg;
	int			 in_root;	/* a start tag was seen */
	int			 doctype;	/* so was a DOCTYPE */
	int			 cdata;		/* a section of ours is open */
	size_t			 cdata_len;	/* bytes in the open section */
	enum fstate		 fstate;
	char			*win;		/* pending input */
	size_t			 nwin;
	char			*out;		/* filtered, to hand over */
	size_t			 nout;
};

static int
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || c >= 0x80;
}

static int
is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-';
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * s[0] == '&': the length of the well-formed reference it starts, 0 if it
 * starts none, -1 if the answer needs bytes past n (and !eod).
 */
static int
amp_check(const unsigned char *s, size_t n, int eod)
{
	size_t	 i = 1;

	if (i >= n)
		return eod ? 0 : -1;
	if (s[i] == '#') {
		i++;
		if (i < n && s[i] == 'x') {	/* XML has no "&#X" */
			for (i++; i < n && i < 16 && is_hex(s[i]); i++)
				;
			if (i < n && i == 3)
				return 0;
		} else {
			for (; i < n && i < 16 && s[i] >= '0' && s[i] <= '9';
			    i++)
				;
			if (i < n && i == 2)
				return 0;
		}
	} else {
		if (!is_name_start(s[i]))
			return 0;
		for (i++; i < n && i < 40 && is_name_char(s[i]); i++)
			;
	}
	if (i >= n)
		return eod ? 0 : -1;
	return s[i] == ';' ? (int)i + 1 : 0;
}

/*
 * If s (n bytes) starts with one of XML's five predefined references, the
 * character it stands for, its length in *len; else 0.
 */
static char
predefined(const char *s, size_t n, int *len)
{
	switch (n >= 4 ? s[1] : 0) {
	case 'l':
	case 'g':
		*len = 4;
		return s[2] == 't' && s[3] == ';' ? (s[1] == 'l' ? '<' : '>') :
		    0;
	case 'a':
		if (n >= 5 && memcmp(s, "&amp;", 5) == 0) {
			*len = 5;
			return '&';
		}
		*len = 6;
		return n >= 6 && memcmp(s, "&apos;", 6) == 0 ? '\'' : 0;
	case 'q':
		*len = 6;
		return n >= 6 && memcmp(s, "&quot;", 6) == 0 ? '"' : 0;
	default:
		return 0;
	}
}

/*
 * The length of the UTF-8 character at s (n bytes) if XML allows it in a
 * CDATA section; minus its length if it is one XML does not allow (a
 * control character, U+FFFE, U+FFFF); 0 if s is not UTF-8.  Stricter
 * than libxml2's check of CDATA, which stops the parse at a byte it
 * does not accept.
 */
static int
xml_char_len(const char *s, size_t n)
{
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;

	k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
	    &cp);
	if (k <= 0)
		return 0;
	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    cp == 0xfffe || cp == 0xffff)
		return -(int)k;
	return (int)k;
}

/* Hands what f->out holds over. */
static int
out_flush(struct xmlfilter *f)
{
	size_t	 n = f->nout;

	f->nout = 0;
	return n > 0 ? f->out_cb(f->out, n, f->arg) : 0;
}

/*
 * Queues filtered bytes for libxml2.  Long spans (a whole push, when no
 * '&' needed escaping) go to libxml2 from where they are; only short
 * pieces are gathered in f->out first.
 */
static int
out_add(struct xmlfilter *f, const char *s, size_t n)
{
	if (f->nout + n > CHUNK || n >= DIRECT) {
		if (out_flush(f) == -1)
			return -1;
		if (n >= DIRECT)
			return f->out_cb(s, n, f->arg);
	}
	memcpy(f->out + f->nout, s, n);
	f->nout += n;
	return 0;
}

/* The end of a CDATA section, comment or PI: index after it, or -1. */
static long
find_close(const char *s, size_t i, size_t n, enum fstate st)
{
	const char	*q;
	char		 c;

	c = st == FS_CDATA ? ']' : st == FS_COMMENT ? '-' : '?';

	while (i < n && (q = memchr(s + i, c, n - i)) != NULL) {
		i = (size_t)(q - s);
		if (st == FS_PI) {
			if (i + 1 < n && s[i + 1] == '>')
				return (long)i + 2;
		} else if (i + 2 < n && s[i + 1] == c && s[i + 2] == '>')
			return (long)i + 3;
		i++;
	}
	return -1;
}

#ifdef __SSE2__
static inline __m128i
eq_at(const char *s, size_t i, char c)
{
	return _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)
	    (s + i)), _mm_set1_epi8(c));
}
#endif

/*
 * Text outside CDATA: the index of the first '<' or '&' in s[i..n) the
 * filter must look at; n if none.  With 'refs', the "&lt;", "&gt;",
 * "&amp;" and "&quot;" of escaped HTML are passed 16 bytes at a time
 * (SSE2), with no branch per reference.
 */
static size_t
find_special(const char *s, size_t i, size_t n, int refs)
{
#ifdef __SSE2__
	__m128i		 amp, ref, lt, t;
	unsigned int	 m;

	for (; i + 21 <= n; i += 16) {
		amp = eq_at(s, i, '&');
		lt = eq_at(s, i, '<');
		if ((m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(amp,
		    lt))) == 0)
			continue;
		if (!refs)
			return i + (size_t)__builtin_ctz(m);
		/* lt; gt; */
		t = _mm_and_si128(eq_at(s, i + 2, 't'), eq_at(s, i + 3, ';'));
		ref = _mm_and_si128(t, _mm_or_si128(eq_at(s, i + 1, 'l'),
		    eq_at(s, i + 1, 'g')));
		/* amp; */
		t = _mm_and_si128(eq_at(s, i + 1, 'a'), eq_at(s, i + 2, 'm'));
		t = _mm_and_si128(t, _mm_and_si128(eq_at(s, i + 3, 'f'),
		    eq_at(s, i + 4, ';')));
		ref = _mm_or_si128(ref, t);
		/* quot; */
		t = _mm_and_si128(eq_at(s, i + 1, 'q'), eq_at(s, i + 2, 'u'));
		t = _mm_and_si128(t, _mm_and_si128(eq_at(s, i + 3, 'o'),
		    eq_at(s, i + 4, 't')));
		ref = _mm_or_si128(ref, _mm_and_si128(t,
		    eq_at(s, i + 5, ';')));
		m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_andnot_si128(ref, amp), lt));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (s[i] == '&' || s[i] == '<')
			return i;
	return n;
}

/* Tags: the index of the first '<', '>', '&' or quote in s[i..n); n if none. */
static size_t
find_tag_stop(const char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	__m128i		 m;
	unsigned int	 k;

	for (; i + 16 <= n; i += 16) {
		m = _mm_or_si128(_mm_or_si128(eq_at(s, i, '<'),
		    eq_at(s, i, '>')), _mm_or_si128(eq_at(s, i, '&'),
		    _mm_or_si128(eq_at(s, i, '"'), eq_at(s, i, '\''))));
		if ((k = (unsigned int)_mm_movemask_epi8(m)) != 0)
			return i + (size_t)__builtin_ctz(k);
	}
#endif
	for (; i < n; i++)
		if (s[i] == '<' || s[i] == '>' || s[i] == '&' || s[i] == '"' ||
		    s[i] == '\'')
			return i;
	return n;
}

/*
 * CDATA: the index of the first byte in s[i..n) that is below 0x20, or
 * ']', or above 0x7f, or (with 'markup') '<' or '&'; n if none.
 */
static size_t
find_cdata_stop(const char *s, size_t i, size_t n, int markup)
{
	unsigned char	 c;
#ifdef __SSE2__
	__m128i		 x, m;
	unsigned int	 k;

	for (; i + 16 <= n; i += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* signed: the bytes below 0x20 and from 0x80 */
		m = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(']')));
		if (markup)
			m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(x,
			    _mm_set1_epi8('<')), _mm_cmpeq_epi8(x,
			    _mm_set1_epi8('&'))));
		if ((k = (unsigned int)_mm_movemask_epi8(m)) != 0)
			return i + (size_t)__builtin_ctz(k);
	}
#endif
	for (; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x80 || c == ']' || (markup &&
		    (c == '<' || c == '&')))
			return i;
	}
	return n;
}

/*
 * CDATA: the index of the first byte in s[i..n) that is ']' (or, with
 * 'markup', '<' or '&') or does not start a character XML allows; n if
 * none.  Short of eod, it stops at a non-ASCII byte with fewer than 4
 * bytes after it.
 */
static size_t
cdata_skip(const char *s, size_t i, size_t n, int markup, int eod)
{
	int	 r;

	for (;;) {
		if ((i = find_cdata_stop(s, i, n, markup)) == n)
			return n;
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++;
			continue;
		}
		if ((unsigned char)s[i] < 0x80 || (!eod && i + 4 > n) ||
		    (r = xml_char_len(s + i, n - i)) <= 0)
			return i;
		i += (size_t)r;
	}
}

/*
 * cdata_skip within what is left of the open section's CDATA_MAX bytes,
 * which it counts.  libxml2 stops the whole parse at a CDATA section of
 * over 10 MB (and holds all of it in memory until its end), so the filter
 * ends a section after CDATA_MAX bytes and opens the next: *split is set
 * when that is due at the index returned, a character boundary.
 */
static size_t
cdata_skip_max(struct xmlfilter *f, const char *s, size_t i, size_t n,
    int markup, int eod, int *split)
{
	size_t	 lim = n, room, j;

	room = f->cdata_len < CDATA_MAX ? CDATA_MAX - f->cdata_len : 0;
	if (n - i > room)
		lim = i + room;
	j = cdata_skip(s, i, lim, markup, eod && lim == n);
	f->cdata_len += j - i;
	*split = lim < n && j + 4 > lim;
	return j;
}

/*
 * Escaped text may be rewritten inside the root, and not in a document
 * with a DOCTYPE, whose entities may stand for markup.
 */
static int
rewriting(const struct xmlfilter *f)
{
	return f->in_root && !f->doctype;
}

/*
 * Emits s[*span..i) and then 'add' (if not NULL); the next span starts
 * at 'next'.
 */
static int
emit_at(struct xmlfilter *f, const char *s, size_t *span, size_t i,
    const char *add, size_t next)
{
	if (out_add(f, s + *span, i - *span) == -1 ||
	    (add != NULL && out_add(f, add, strlen(add)) == -1))
		return -1;
	*span = next;
	return 0;
}

/*
 * One step of the filter in text (FS_TEXT) at s[i], which is '<' or '&'
 * with LOOKAHEAD bytes after it (or the end of the document).  Returns the
 * index of the next byte to look at, or -1 on a parse stop.
 */
static long
text_step(struct xmlfilter *f, const char *s, size_t i, size_t n,
    size_t *span, int eod)
{
	int	 r;

	if (s[i] == '&') {
		if (rewriting(f) && predefined(s + i, n - i, &r) != 0) {
			/* cdata_copy takes it from here */
			if (emit_at(f, s, span, i, "<![CDATA[", i) == -1)
				return -1;
			f->cdata = 1;
			f->cdata_len = 0;
			return (long)i;
		}
		r = amp_check((const unsigned char *)s + i, n - i, eod);
		if (r <= 0)
			return emit_at(f, s, span, i, "&amp;", i + 1) == -1 ?
			    -1 : (long)i + 1;
		return (long)i + r;
	}
	if (i + 9 <= n && memcmp(s + i, "<![CDATA[", 9) == 0) {
		f->fstate = FS_CDATA;
		f->cdata_len = 0;
		return (long)i + 9;
	}
	if (i + 4 <= n && memcmp(s + i, "<!--", 4) == 0) {
		f->fstate = FS_COMMENT;
		return (long)i + 4;
	}
	if (i + 1 < n && s[i + 1] == '?') {
		f->fstate = FS_PI;
		return (long)i + 2;
	}
	if (i + 1 < n && s[i + 1] == '!') {
		/* a DOCTYPE: its internal subset is not content */
		f->doctype = 1;
		return (long)i + 2;
	}
	if (i + 1 < n && (s[i + 1] == '/' || is_name_start((unsigned char)
	    s[i + 1]))) {
		f->in_root |= s[i + 1] != '/';
		f->fstate = FS_TAG;
		return (long)i + 2;
	}
	return (long)i + 1;	/* a stray '<': libxml2's to recover from */
}

/* Appends one byte to what goes to libxml2. */
static int
out_byte(struct xmlfilter *f, char c)
{
	if (f->nout == CHUNK && out_flush(f) == -1)
		return -1;
	f->out[f->nout++] = c;
	return 0;
}

/*
 * Inside a CDATA section of ours (FS_TEXT, f->cdata): copies s[i..n) to
 * libxml2 with the predefined references as the characters they stand
 * for, and a stray '&' as itself.  The section ends before anything
 * else: markup, other references, ']' and bytes that are not characters
 * XML allows, all of which libxml2 then reads as before, as text.
 * Returns the index reached (it stops LOOKAHEAD bytes before n, unless
 * eod, where it must decide on a byte), or -1 on a parse stop.
 */
static long
cdata_copy(struct xmlfilter *f, const char *s, size_t i, size_t n, int eod)
{
	size_t	 j;
	char	 c;
	int	 r, split;

	for (;;) {
		j = cdata_skip_max(f, s, i, n, 1, eod, &split);
		if (out_add(f, s + i, j - i) == -1)
			return -1;
		i = j;
		if (split) {
			if (out_add(f, "]]><![CDATA[", 12) == -1)
				return -1;
			f->cdata_len = 0;
			continue;
		}
		if (i == n || (!eod && i + LOOKAHEAD > n))
			return (long)i;
		if (s[i] != '&')
			break;
		if ((c = predefined(s + i, n - i, &r)) == 0 &&
		    amp_check((const unsigned char *)s + i, n - i, eod) <= 0) {
			c = '&';
			r = 1;
		}
		if (c == 0)
			break;
		if (out_byte(f, c) == -1)
			return -1;
		f->cdata_len++;
		i += (size_t)r;
	}
	f->cdata = 0;
	return out_add(f, "]]>", 3) == -1 ? -1 : (long)i;
}

/*
 * One step inside a CDATA section of the document's own, at s[i]: where
 * cdata_skip stopped, LOOKAHEAD bytes
 * before n unless eod.  libxml2 stops the whole parse at the first byte
 * it does not accept in a CDATA section, losing the rest of the feed: a
 * character XML does not allow is dropped (as text_buf_add would), a byte
 * that is not UTF-8 is handed to libxml2 between two sections, as text,
 * where it copes (and text_buf_add makes it U+FFFD).  Returns as
 * text_step.
 */
static long
cdata_own_step(struct xmlfilter *f, const char *s, size_t i, size_t n,
    size_t *span)
{
	int	 r;

	if (s[i] == ']') {
		if (i + 2 < n && s[i + 1] == ']' && s[i + 2] == '>') {
			f->fstate = FS_TEXT;
			return (long)i + 3;
		}
		return (long)i + 1;
	}
	if ((r = xml_char_len(s + i, n - i)) < 0)
		return emit_at(f, s, span, i, NULL, i - (size_t)r) == -1 ? -1 :
		    (long)i - r;
	if (emit_at(f, s, span, i, "]]>", i) == -1 ||
	    emit_at(f, s, span, i + 1, "<![CDATA[", i + 1) == -1)
		return -1;
	f->cdata_len = 0;
	return (long)i + 1;
}

/*
 * One step in a start or end tag: to its end ('>' out of quotes) or to a
 * '<', which ends it in a document that is not well-formed.  Its '&' is
 * checked as in text, but never rewritten.  Returns as text_step, with
 * *more set if a '&' needs more bytes than there are.
 */
static long
tag_step(struct xmlfilter *f, const char *s, size_t i, size_t n,
    size_t *span, int eod, int *more)
{
	char	 c;

	for (; (i = find_tag_stop(s, i, n)) < n; i++) {
		c = s[i];
		if (c == '&')
			break;
		if (c == '<') {
			f->fstate = FS_TEXT;
			return (long)i;
		}
		if (f->fstate == FS_TAG) {
			if (c == '>') {
				f->fstate = FS_TEXT;
				return (long)i + 1;
			}
			if (c == '"')
				f->fstate = FS_TAG_DQ;
			else if (c == '\'')
				f->fstate = FS_TAG_SQ;
		} else if (c == (f->fstate == FS_TAG_DQ ? '"' : '\''))
			f->fstate = FS_TAG;
	}
	if (i == n)
		return (long)n;
	if (!eod && i + LOOKAHEAD > n) {
		*more = 1;
		return (long)i;
	}
	if (amp_check((const unsigned char *)s + i, n - i, eod) <= 0)
		return emit_at(f, s, span, i, "&amp;", i + 1) == -1 ? -1 :
		    (long)i + 1;
	return (long)i + 1;
}

/*
 * Runs the filter over s[0..n); returns how many bytes it consumed (the
 * rest, fewer than LOOKAHEAD, waits for more input unless eod), or -1 on
 * a parse stop.
 */
static long
filter_run(struct xmlfilter *f, const char *s, size_t n, int eod)
{
	size_t		 i = 0, span = 0, keep;
	long		 k;
	int		 more = 0, split;

	while (i < n) {
		switch (f->fstate) {
		case FS_TAG:
		case FS_TAG_DQ:
		case FS_TAG_SQ:
			k = tag_step(f, s, i, n, &span, eod, &more);
			break;
		case FS_CDATA:
			i = cdata_skip_max(f, s, i, n, 0, eod, &split);
			if (split) {
				if (emit_at(f, s, &span, i, "]]><![CDATA[",
				    i) == -1)
					return -1;
				f->cdata_len = 0;
				continue;
			}
			if (i == n || (!eod && i + LOOKAHEAD > n))
				goto out;
			k = cdata_own_step(f, s, i, n, &span);
			break;
		case FS_COMMENT:
		case FS_PI:
			k = find_close(s, i, n, f->fstate);
			if (k == -1) {
				/* keep a possible partial closer */
				keep = eod ? 0 : 2;
				i = n > keep && n - keep > i ? n - keep : i;
				goto out;
			}
			f->fstate = FS_TEXT;
			break;
		default:
			if (f->cdata) {
				if (emit_at(f, s, &span, i, NULL, i) == -1 ||
				    (k = cdata_copy(f, s, i, n, eod)) == -1)
					return -1;
				i = span = (size_t)k;
				if (f->cdata && i < n)
					goto out;	/* for more bytes */
				continue;
			}
			i = find_special(s, i, n, !rewriting(f));
			if (i == n || (!eod && i + LOOKAHEAD > n))
				goto out;
			k = text_step(f, s, i, n, &span, eod);
			break;
		}
		if (k == -1)
			return -1;
		i = (size_t)k;
		if (more)
			break;
	}
 out:
	if (out_add(f, s + span, i - span) == -1)
		return -1;
	return (long)i;
}

struct xmlfilter *
xmlfilter_new(xmlfilter_out_cb *out, void *arg)
{
	struct xmlfilter	*f;

	f = xcalloc(1, sizeof(*f));
	f->out_cb = out;
	f->arg = arg;
	f->win = xmalloc(LOOKAHEAD + JOIN);
	f->out = xmalloc(CHUNK);
	return f;
}

/*
 * The filter reads the caller's buffer in place; only the bytes it must
 * see more of before deciding (fewer than LOOKAHEAD) wait in f->win, to
 * be read with the first JOIN bytes of the next push.
 */
int
xmlfilter_push(struct xmlfilter *f, const char *buf, size_t len, int eod)
{
	long	 used;
	size_t	 k, rest;

	if (f->nwin > 0) {
		k = len > JOIN ? JOIN : len;
		if (k > 0) {		/* at the end, buf is NULL */
			memcpy(f->win + f->nwin, buf, k);
			f->nwin += k;
			buf += k;
			len -= k;
		}
		used = filter_run(f, f->win, f->nwin, eod && len == 0);
		if (used == -1)
			return -1;
		rest = f->nwin - (size_t)used;
		if (len > 0) {
			/* rest < LOOKAHEAD < k: all of it came from buf */
			buf -= rest;
			len += rest;
			f->nwin = 0;
		} else {
			memmove(f->win, f->win + used, rest);
			f->nwin = rest;
		}
	}
	if (len > 0) {
		if ((used = filter_run(f, buf, len, eod)) == -1)
			return -1;
		f->nwin = len - (size_t)used;
		memcpy(f->win, buf + used, f->nwin);
	}
	/*
	 * A CDATA section open at the end, ours or the document's own (cut
	 * short): libxml2 would drop what it holds of it.
	 */
	if (eod && (f->cdata || f->fstate == FS_CDATA)) {
		if (out_add(f, "]]>", 3) == -1)
			return -1;
		f->cdata = 0;
	}
	return out_flush(f);
}

void
xmlfilter_free(struct xmlfilter *f)
{
	if (f == NULL)
		return;
	free(f->win);
	free(f->out);
	free(f);
}
