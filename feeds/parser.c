/*
 * parser.c: the feed parser's push interface (parser.h): what the
 * document is, and which reader gets its bytes.
 *
 * The bytes go through four stages:
 *
 *  1. sniff (here): the first bytes decide between JSON and XML, strip
 *     white space before an XML declaration (libxml2 rejects it; servers
 *     emit it), and find the charset;
 *  2. decoding (decoder.h) to UTF-8, unless the document is UTF-16,
 *     UTF-32 or EBCDIC, which libxml2 decodes itself: a byte the charset
 *     leaves undefined becomes U+FFFD, where libxml2's own conversion
 *     would stop the parse;
 *  3. the byte filter (xmlfilter.h; UTF-8 only): a stray '&' becomes
 *     "&amp;", escaped text goes to libxml2 as CDATA, bytes libxml2
 *     would stop at in CDATA are mended, and no CDATA section is too
 *     long for it;
 *  4. the reader: libxml2's SAX2 push parser for RSS, RDF and Atom
 *     (xmlfeed.h), or jansson for JSON Feed (jsonfeed.h), which hands
 *     what it finds to the item assembly (entry.h).
 *
 * The charset, first found: a BOM; the XML declaration, unless it says
 * UTF-8; the HTTP charset; a UTF-8 declaration.  Labels are read as
 * browsers read them (decoder.h: iso-8859-1 and us-ascii are
 * windows-1252), and one naming a charset iconv does not know, or UTF-16
 * or UTF-32 for bytes that are not, is passed over.  A document that
 * names none is UTF-8 unless its first non-ASCII bytes say otherwise:
 * the GUESS_MAX bytes from the first of them are held, and if most of
 * their non-ASCII sequences are not UTF-8 (decoder_guess()), the whole
 * document is read as windows-1252, as browsers and feedparser read it.
 * The ASCII before them reads the same either way, so nothing already
 * parsed is read again; the choice is the document's, not each byte's.
 *
 * JSON Feed is the exception to streaming: jansson has no incremental
 * parser, so a JSON document is buffered (up to the body cap) and parsed
 * at feed_parser_finish().
 *
 * The parser stops for good over the body cap, at an error its XML reader
 * stops at, or when the item callback says so; it keeps the first reason.
 */
#include "parser.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "entry.h"
#include "jsonfeed.h"
#include "log.h"
#include "raw.h"
#include "xmalloc.h"
#include "xmlfeed.h"

#define SNIFF_MAX	512
#define GUESS_MAX	4096	/* bytes that decide UTF-8 or windows-1252 */

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
	struct decoder		*dec;		/* to UTF-8 for it, or NULL */
	int			 guessing;	/* no charset yet: UTF-8? */
	struct raw		 held;		/* bytes the guess is made on */
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

/* The decoder's output: to the reader. */
static int
to_reader(const char *s, size_t n, void *arg)
{
	struct feed_parser	*p = arg;

	return xmlfeed_push(p->xml, s, n, 0);
}

/* -1 if there is no decoder from 'name' for a document with no NULs. */
static int
open_decoder(struct feed_parser *p, const char *name)
{
	if (name == NULL || decoder_is_wide(name))
		return -1;
	p->dec = decoder_new(name, to_reader, p);
	return p->dec != NULL ? 0 : -1;
}

/*
 * The charset of a document with no BOM, from its first bytes 's' (at
 * its first '<') and the HTTP charset (see the top of this file); with
 * none, the guess starts.
 */
static void
open_charset(struct feed_parser *p, const char *s, size_t n)
{
	const char	*label, *name = NULL;
	char		 buf[48];
	size_t		 len;

	if ((label = decl_encoding(s, n, &len)) != NULL &&
	    (name = decoder_label(label, len, buf, sizeof(buf))) != NULL &&
	    !decoder_is_utf8(name) && open_decoder(p, name) == 0)
		return;
	if (p->charset != NULL && open_decoder(p, decoder_label(p->charset,
	    strlen(p->charset), buf, sizeof(buf))) == 0)
		return;
	if (name != NULL && decoder_is_utf8(name) &&
	    open_decoder(p, name) == 0)
		return;
	p->guessing = 1;
}

/* The length of the run of ASCII bytes that starts 's' ('n' bytes). */
static size_t
ascii_run(const char *s, size_t n)
{
	uint64_t	 w;
	size_t		 i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ULL)
			break;
	}
	while (i < n && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

/* The bytes held decide the charset, then go to the reader. */
static int
guess_done(struct feed_parser *p)
{
	int	 rc;

	p->guessing = 0;
	if ((p->dec = decoder_new(decoder_guess(raw_str(&p->held),
	    p->held.len), to_reader, p)) == NULL)
		fatalx("%s: iconv cannot decode windows-1252", __func__);
	rc = decoder_push(p->dec, raw_str(&p->held), p->held.len);
	raw_release(&p->held);
	return rc;
}

/*
 * While guessing: ASCII goes to the reader; from the first other byte,
 * GUESS_MAX bytes are held and decide.
 */
static int
guess_push(struct feed_parser *p, const char *s, size_t n)
{
	size_t	 i = 0, k;

	if (p->held.len == 0) {
		i = ascii_run(s, n);
		if (i > 0 && xmlfeed_push(p->xml, s, i, 0) == -1)
			return -1;
		if (i == n)
			return 0;
	}
	k = GUESS_MAX - p->held.len;
	if (k > n - i)
		k = n - i;
	raw_add(&p->held, s + i, k, GUESS_MAX);
	if (p->held.len < GUESS_MAX)
		return 0;
	if (guess_done(p) == -1)
		return -1;
	return decoder_push(p->dec, s + i + k, n - i - k);
}

/* XML bytes to the reader, through the decoder or the guess. */
static int
xml_push(struct feed_parser *p, const char *s, size_t n)
{
	if (p->guessing)
		return guess_push(p, s, n);
	if (p->dec != NULL)
		return decoder_push(p->dec, s, n);
	return xmlfeed_push(p->xml, s, n, 0);
}

/* The end of the XML bytes: what the guess or the decoder held. */
static int
xml_end(struct feed_parser *p)
{
	if (p->guessing && guess_done(p) == -1)
		return -1;
	return p->dec != NULL ? decoder_finish(p->dec) : 0;
}

/*
 * Decides what the document is from its first bytes, then replays them.
 * Returns what xml_push() returns (0 for JSON, which is buffered).
 */
static int
sniff_done(struct feed_parser *p)
{
	const unsigned char	*s = (const unsigned char *)p->sniff;
	size_t			 n = p->nsniff, i = 0, bom = 0;

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
	p->mode = M_XML;
	/* UTF-16, UTF-32 (a BOM or NULs) and EBCDIC ("<?xm"): libxml2's */
	if (bom == 2 || memchr(s, '\0', n) != NULL || (n >= 4 &&
	    memcmp(s, "\x4c\x6f\xa7\x94", 4) == 0)) {
		p->xml = xmlfeed_new(p->entry, p->url, p->charset, 0);
		return xmlfeed_push(p->xml, (const char *)s + (bom == 2 ? 0 :
		    i), n - (bom == 2 ? 0 : i), 0);
	}
	p->xml = xmlfeed_new(p->entry, p->url, NULL, 1);
	if (bom == 3)
		(void)open_decoder(p, "UTF-8");
	else
		open_charset(p, (const char *)s + i, n - i);
	/* keep the BOM, drop white space before the first '<' */
	if (bom == 3 && xml_push(p, (const char *)s, 3) == -1)
		return -1;
	return xml_push(p, (const char *)s + i, n - i);
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
		if (sniff_done(p) == -1)
			return -1;
	}
	if (len == 0)
		return 0;
	if (p->mode == M_JSON) {
		raw_add(&p->json, buf, len, p->max_bytes);
		return 0;
	}
	return xml_push(p, buf, len);
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
	if (p->mode == M_SNIFF && sniff_done(p) == -1)
		goto fail;
	if (p->mode == M_JSON) {
		if (jsonfeed_parse(p->entry, p->json.s ? p->json.s : "",
		    p->json.len, err, sizeof(err)) == -1) {
			if (!entry_stopped(p->entry))
				p->error = xstrdup(err);
			goto fail;
		}
	} else if (xml_end(p) == -1 || xmlfeed_finish(p->xml) == -1) {
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

const char *
feed_parser_link(const struct feed_parser *p)
{
	return entry_feed_link(p->entry);
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
	decoder_free(p->dec);
	raw_release(&p->held);
	entry_free(p->entry);
	raw_release(&p->json);
	free(p->error);
	free(p->charset);
	free(p->url);
	free(p);
}
