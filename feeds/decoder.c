/* decoder.c: charset labels, the UTF-8 guess and iconv to UTF-8 (decoder.h). */
#include "decoder.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "xmalloc.h"

#define OUT_MAX		(16 * 1024)	/* bytes handed on at once */

static const char	 replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

struct decoder {
	iconv_t		 cd;		/* (iconv_t)-1: UTF-8, passed on */
	decoder_out_cb	*out;
	void		*arg;
	int		 stopped;
	char		 carry[16];	/* a character cut by a push */
	size_t		 ncarry;
	char		 buf[OUT_MAX];	/* converted, to hand on */
	size_t		 nbuf;
};

static const struct {
	const char	*label;
	const char	*name;
} aliases[] = {
	/* what browsers decode these labels as (the WHATWG Encoding list) */
	{ "ascii",		"windows-1252" },
	{ "cp1252",		"windows-1252" },
	{ "cp819",		"windows-1252" },
	{ "iso-8859-1",		"windows-1252" },
	{ "iso8859-1",		"windows-1252" },
	{ "iso_8859-1",		"windows-1252" },
	{ "l1",			"windows-1252" },
	{ "latin1",		"windows-1252" },
	{ "us-ascii",		"windows-1252" },
	{ "x-cp1252",		"windows-1252" },
	{ "iso-8859-9",		"windows-1254" },
	{ "iso8859-9",		"windows-1254" },
	{ "latin5",		"windows-1254" },
	{ "iso-8859-11",	"windows-874" },
	{ "tis-620",		"windows-874" },
	{ "gb2312",		"GB18030" },
	{ "gbk",		"GB18030" },
	{ "x-gbk",		"GB18030" },
	{ "utf8",		"UTF-8" },
	{ "unicode-1-1-utf-8",	"UTF-8" },
};

/*
 * Labels browsers refuse to decode (no decoder in the WHATWG Encoding
 * Standard: UTF-7 smuggles markup past filters, and these stateful ones
 * report bad bytes where the input happens to be split).
 */
static const char *const refused[] = {
	"utf-7", "unicode-1-1-utf-7", "csunicode11utf7", "hz-gb-2312",
	"iso-2022-kr", "csiso2022kr", "iso-2022-cn", "iso-2022-cn-ext"
};

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

const char *
decoder_label(const char *l, size_t n, char *buf, size_t size)
{
	size_t	 i, k = 0;

	while (n > 0 && (is_space((unsigned char)*l) || *l == '"' ||
	    *l == '\'')) {
		l++;
		n--;
	}
	for (i = 0; i < n && k + 1 < size; i++) {
		if (is_space((unsigned char)l[i]) || l[i] == '"' ||
		    l[i] == '\'' || l[i] == ';')
			break;
		buf[k++] = (char)(l[i] >= 'A' && l[i] <= 'Z' ? l[i] + 32 :
		    l[i]);
	}
	buf[k] = '\0';
	if (k == 0)
		return NULL;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(buf, refused[i]) == 0)
			return NULL;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(buf, aliases[i].label) == 0)
			return aliases[i].name;
	return buf;
}

int
decoder_is_utf8(const char *name)
{
	return strcasecmp(name, "UTF-8") == 0;
}

int
decoder_is_wide(const char *name)
{
	return strncasecmp(name, "UTF-16", 6) == 0 ||
	    strncasecmp(name, "UTF-32", 6) == 0 ||
	    strncasecmp(name, "UCS", 3) == 0;
}

/* 1 if u[0..n) starts a UTF-8 sequence that the end of u cuts short. */
static int
cut_short(const unsigned char *u, size_t n)
{
	size_t	 need, i;

	if (u[0] < 0xc2 || u[0] > 0xf4)
		return 0;
	need = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : 2;
	for (i = 1; i < n; i++)
		if ((u[i] & 0xc0) != 0x80)
			return 0;
	return n < need;
}

const char *
decoder_guess(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;
	size_t			 i = 0, good = 0, bad = 0;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8proc_iterate(u + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k > 0) {
			good++;
			i += (size_t)k;
		} else if (cut_short(u + i, n - i))
			break;
		else {
			bad++;
			i++;
		}
	}
	return bad <= good ? "UTF-8" : "windows-1252";
}

struct decoder *
decoder_new(const char *name, decoder_out_cb *out, void *arg)
{
	struct decoder	*d;
	iconv_t		 cd = (iconv_t)-1;

	if (!decoder_is_utf8(name) &&
	    (cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return NULL;
	/*
	 * Not calloc: clearing the buffer cost a small feed a fifth of its
	 * parse, and a UTF-8 document (most) never uses it.
	 */
	d = xmalloc(sizeof(*d));
	d->cd = cd;
	d->out = out;
	d->arg = arg;
	d->stopped = 0;
	d->ncarry = 0;
	d->nbuf = 0;
	return d;
}

/* Hands on what the buffer holds. */
static void
flush(struct decoder *d)
{
	size_t	 n = d->nbuf;

	d->nbuf = 0;
	if (n > 0 && !d->stopped && d->out(d->buf, n, d->arg) == -1)
		d->stopped = 1;
}

static void
put_replacement(struct decoder *d)
{
	if (d->nbuf + 3 > OUT_MAX)
		flush(d);
	memcpy(d->buf + d->nbuf, replacement, 3);
	d->nbuf += 3;
}

/*
 * Converts what 'in' holds into the buffer, until done or an incomplete
 * character ends it.  An invalid sequence becomes U+FFFD and the rest
 * goes on.
 */
static void
convert(struct decoder *d, char **in, size_t *inleft)
{
	char	*out;
	size_t	 outleft;

	while (*inleft > 0 && !d->stopped) {
		out = d->buf + d->nbuf;
		outleft = OUT_MAX - d->nbuf;
		if (iconv(d->cd, in, inleft, &out, &outleft) != (size_t)-1) {
			d->nbuf = OUT_MAX - outleft;
			break;
		}
		d->nbuf = OUT_MAX - outleft;
		if (errno == E2BIG)		/* where the output says */
			flush(d);
		else if (errno == EILSEQ) {
			put_replacement(d);
			(*in)++;
			(*inleft)--;
		} else
			break;		/* EINVAL: cut by the end of the push */
	}
}

int
decoder_push(struct decoder *d, const char *s, size_t n)
{
	char	*in;
	size_t	 inleft;

	if (d->stopped)
		return -1;
	if (d->cd == (iconv_t)-1) {
		if (n > 0 && d->out(s, n, d->arg) == -1)
			d->stopped = 1;
		return d->stopped ? -1 : 0;
	}
	/* a character the last push cut short, completed byte by byte */
	while (d->ncarry > 0 && n > 0) {
		d->carry[d->ncarry++] = *s++;
		n--;
		in = d->carry;
		inleft = d->ncarry;
		convert(d, &in, &inleft);
		memmove(d->carry, in, inleft);
		d->ncarry = inleft;
		if (d->ncarry == sizeof(d->carry)) {	/* never a character */
			put_replacement(d);
			memmove(d->carry, d->carry + 1, --d->ncarry);
		}
	}
	if (n > 0) {
		in = (char *)(uintptr_t)s;	/* iconv(3) does not write it */
		inleft = n;
		convert(d, &in, &inleft);
		for (; inleft > sizeof(d->carry) - 1; inleft--, in++)
			put_replacement(d);
		memcpy(d->carry, in, inleft);
		d->ncarry = inleft;
	}
	flush(d);
	return d->stopped ? -1 : 0;
}

int
decoder_finish(struct decoder *d)
{
	if (d->ncarry > 0 && !d->stopped) {
		d->ncarry = 0;
		put_replacement(d);
		flush(d);
	}
	return d->stopped ? -1 : 0;
}

void
decoder_free(struct decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	free(d);
}
