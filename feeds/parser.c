/*
 * parser.c: the feed parser's push interface (parser.h): what the
 * document is, and which reader gets its bytes.
 *
 * The bytes go through three stages:
 *
 *  1. sniff (here): the first bytes decide between JSON and XML, strip
 *     white space before an XML declaration (libxml2 rejects it; servers
 *     emit it), and say whether the encoding is ASCII-compatible;
 *  2. the byte filter (xmlfilter.h; XML in an ASCII-compatible encoding
 *     only): a stray '&' becomes "&amp;", escaped text goes to libxml2
 *     as CDATA, bytes libxml2 would stop at in CDATA are mended, and no
 *     CDATA section is too long for it;
 *  3. the reader: libxml2's SAX2 push parser for RSS, RDF and Atom
 *     (xmlfeed.h), or jansson for JSON Feed (jsonfeed.h), which hands
 *     what it finds to the item assembly (entry.h).
 *
 * JSON Feed is the exception to streaming: jansson has no incremental
 * parser, so a JSON document is buffered (up to the body cap) and parsed
 * at feed_parser_finish().
 *
 * The parser stops for good over the body cap, at an error its XML reader
 * stops at, or when the item callback says so; it keeps the first reason.
 */
#include "parser.h"

#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "jsonfeed.h"
#include "raw.h"
#include "xmalloc.h"
#include "xmlfeed.h"

#define SNIFF_MAX	512

enum mode {
	M_SNIFF,
	M_XML,
	M_JSON,
	M_DONE
};

struct feed_parser {
	char			*url;
	char			*charset;
	struct entry		*entry;		/* the items */
	struct xmlfeed		*xml;		/* M_XML: the reader */
	struct raw		 json;		/* M_JSON: the document */

	enum mode		 mode;
	size_t			 max_bytes;
	size_t			 nbytes;
	int			 halted;	/* over the body cap */
	char			*error;		/* ours, set once */

	/* sniff */
	char			 sniff[SNIFF_MAX];
	size_t			 nsniff;
};

/*
 * 1 once the document has failed for good: over the body cap, at an
 * error the XML reader stopped at, or by the item callback.
 */
static int
halted(const struct feed_parser *p)
{
	return p->halted || entry_stopped(p->entry) ||
	    (p->xml != NULL && xmlfeed_stopped(p->xml));
}

/* ------------------------------------------------------------------ */
/* sniffing */

/* Encodings where '&' and '<' bytes may be parts of other characters. */
static int
charset_unsafe(const char *cs, size_t n)
{
	char	 low[40];
	size_t	 i;

	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (i = 0; i < n; i++)
		low[i] = (char)(cs[i] >= 'A' && cs[i] <= 'Z' ? cs[i] + 32 :
		    cs[i]);
	low[n] = '\0';
	return strstr(low, "16") != NULL || strstr(low, "32") != NULL ||
	    strstr(low, "ucs") != NULL || strstr(low, "2022") != NULL ||
	    strstr(low, "utf-7") != NULL || strstr(low, "ebcdic") != NULL ||
	    strstr(low, "hz") != NULL;
}

/* The encoding="..." of an XML declaration at s (n bytes), or NULL. */
static const char *
decl_encoding(const char *s, size_t n, size_t *len)
{
	const char	*q, *end, *e;
	char		 quote;

	if (n < 6 || memcmp(s, "<?xml", 5) != 0)
		return NULL;
	if ((end = memchr(s, '>', n)) == NULL)
		end = s + n;
	for (q = s; q + 9 < end; q++) {
		if (memcmp(q, "encoding", 8) != 0)
			continue;
		q += 8;
		while (q < end && (*q == ' ' || *q == '='))
			q++;
		if (q >= end || (*q != '"' && *q != '\''))
			return NULL;
		quote = *q++;
		if ((e = memchr(q, quote, (size_t)(end - q))) == NULL)
			return NULL;
		*len = (size_t)(e - q);
		return q;
	}
	return NULL;
}

/*
 * Decides what the document is from its first bytes, then replays them.
 * Returns what xmlfeed_push() returns (0 for JSON, which is buffered).
 */
static int
sniff_done(struct feed_parser *p, int eod)
{
	const unsigned char	*s = (const unsigned char *)p->sniff;
	size_t			 n = p->nsniff, i = 0, bom = 0, elen;
	const char		*enc;
	int			 filter;

	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		bom = 3;
	else if (n >= 2 && ((s[0] == 0xfe && s[1] == 0xff) ||
	    (s[0] == 0xff && s[1] == 0xfe)))
		bom = 2;
	i = bom;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n'))
		i++;
	if (bom != 2 && i < n && s[i] == '{') {
		p->mode = M_JSON;
		raw_add(&p->json, (const char *)s + i, n - i, p->max_bytes);
		return 0;
	}
	/* UTF-16/32 (BOM or NUL bytes): the filter would corrupt it */
	filter = bom != 2 && memchr(s, '\0', n) == NULL;
	if (filter && p->charset != NULL &&
	    charset_unsafe(p->charset, strlen(p->charset)))
		filter = 0;
	if (filter && (enc = decl_encoding((const char *)s + i, n - i,
	    &elen)) != NULL && charset_unsafe(enc, elen))
		filter = 0;
	p->xml = xmlfeed_new(p->entry, p->url, p->charset, filter);
	p->mode = M_XML;
	/* keep the BOM, drop white space before the first '<' */
	if (bom == 3 && xmlfeed_push(p->xml, (const char *)s, 3, 0) == -1)
		return -1;
	if (bom == 2)
		i = 0;
	return xmlfeed_push(p->xml, (const char *)s + i, n - i, eod);
}

/* ------------------------------------------------------------------ */
/* the interface */

void
feed_parser_global_init(void)
{
	xmlfeed_global_init();
}

struct feed_parser *
feed_parser_new(const char *url, const char *http_charset, feed_item_cb *cb,
    void *arg)
{
	struct feed_parser	*p;

	p = xcalloc(1, sizeof(*p));
	p->url = url != NULL ? xstrdup(url) : NULL;
	p->charset = http_charset != NULL && *http_charset != '\0' ?
	    xstrdup(http_charset) : NULL;
	p->entry = entry_new(url, cb, arg);
	p->mode = M_SNIFF;
	p->max_bytes = FEED_PARSER_MAX_BYTES;
	return p;
}

void
feed_parser_set_limits(struct feed_parser *p, size_t max_bytes,
    size_t max_items)
{
	if (max_bytes > 0)
		p->max_bytes = max_bytes;
	if (max_items > 0)
		entry_set_max_items(p->entry, max_items);
}

void
feed_parser_set_seen(struct feed_parser *p, feed_seen_cb *seen, void *arg)
{
	entry_set_seen(p->entry, seen, arg);
}

int
feed_parser_push(struct feed_parser *p, const char *buf, size_t len)
{
	size_t	 k;

	if (halted(p))
		return -1;
	if (entry_full(p->entry) || p->mode == M_DONE)
		return 0;
	if (len > p->max_bytes - p->nbytes) {
		p->error = xasprintf("document larger than %zu bytes",
		    p->max_bytes);
		p->halted = 1;
		return -1;
	}
	p->nbytes += len;
	if (p->mode == M_SNIFF) {
		k = SNIFF_MAX - p->nsniff;
		if (k > len)
			k = len;
		memcpy(p->sniff + p->nsniff, buf, k);
		p->nsniff += k;
		buf += k;
		len -= k;
		if (p->nsniff < SNIFF_MAX)
			return 0;
		if (sniff_done(p, 0) == -1)
			return -1;
	}
	if (len == 0)
		return 0;
	if (p->mode == M_JSON) {
		raw_add(&p->json, buf, len, p->max_bytes);
		return 0;
	}
	return xmlfeed_push(p->xml, buf, len, 0);
}

int
feed_parser_finish(struct feed_parser *p)
{
	char	 err[256];

	if (p->mode == M_DONE)
		return feed_parser_error(p) != NULL && !entry_full(p->entry) ?
		    -1 : 0;
	if (halted(p))
		goto fail;
	if (p->mode == M_SNIFF && sniff_done(p, 1) == -1)
		goto fail;
	if (p->mode == M_JSON) {
		if (jsonfeed_parse(p->entry, p->json.s ? p->json.s : "",
		    p->json.len, err, sizeof(err)) == -1) {
			if (!entry_stopped(p->entry))
				p->error = xstrdup(err);
			goto fail;
		}
	} else if (xmlfeed_finish(p->xml) == -1) {
		/* its reader saw no document; we saw no byte */
		if (p->nbytes == 0)
			p->error = xstrdup("empty document");
		goto fail;
	}
	p->mode = M_DONE;
	return 0;
 fail:
	p->mode = M_DONE;
	return -1;
}

const char *
feed_parser_error(const struct feed_parser *p)
{
	if (p->error != NULL)
		return p->error;
	if (entry_stopped(p->entry))
		return "stopped by the item callback";
	return p->xml != NULL ? xmlfeed_error(p->xml) : NULL;
}

long
feed_parser_ttl(const struct feed_parser *p)
{
	return p->xml != NULL ? xmlfeed_ttl(p->xml) : 0;
}

const char *
feed_parser_hub(const struct feed_parser *p)
{
	return p->xml != NULL ? xmlfeed_hub(p->xml) : NULL;
}

const char *
feed_parser_self(const struct feed_parser *p)
{
	return p->xml != NULL ? xmlfeed_self(p->xml) : NULL;
}

const char *
feed_parser_title(const struct feed_parser *p)
{
	return entry_feed_title(p->entry);
}

size_t
feed_parser_count(const struct feed_parser *p)
{
	return entry_count(p->entry);
}

size_t
feed_parser_seen_count(const struct feed_parser *p)
{
	return entry_seen_count(p->entry);
}

void
feed_parser_free(struct feed_parser *p)
{
	if (p == NULL)
		return;
	xmlfeed_free(p->xml);
	entry_free(p->entry);
	raw_release(&p->json);
	free(p->error);
	free(p->charset);
	free(p->url);
	free(p);
}
