/*
 * discover.c: a web page's feed links (discover.h), read with libxml2's
 * HTML parser in SAX mode.
 *
 * The links are kept as the page writes them and resolved once the page
 * is read: a <base> applies to the whole page, links before it too.
 */
#include "discover.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>

#include "entry.h"
#include "log.h"
#include "text.h"
#include "xmalloc.h"

#define DISCOVER_MAX_TITLE	200	/* bytes of a title kept */

/* The feed types of <link rel="alternate">, and what they are shown as. */
static const struct {
	const char		*mime;
	const char		*type;
	enum discover_kind	 kind;
} feed_types[] = {
	{ "application/rss+xml", "RSS", DISCOVER_FEED },
	{ "application/atom+xml", "Atom", DISCOVER_FEED },
	{ "application/feed+json", "JSON Feed", DISCOVER_FEED },
	{ "application/json", "JSON", DISCOVER_JSON },
};

struct discover {
	struct discover_link	 found[DISCOVER_MAX_LINKS];	/* raw hrefs */
	size_t			 nfound;
	struct discover_link	 guess[DISCOVER_MAX_LINKS];	/* likewise */
	size_t			 nguess;
	char			*base;		/* the first <base href> */
	char			*a_href;	/* the <a> being read, a guess */
	char			*a_title;	/* its title attribute */
	struct text_buf		 a_text;	/* its text */
};

static const char *
attr(const xmlChar **atts, const char *name)
{
	size_t	 i;

	for (i = 0; atts != NULL && atts[i] != NULL; i += 2)
		if (strcmp((const char *)atts[i], name) == 0)
			return (const char *)atts[i + 1];
	return NULL;
}

/* 's' as a title: clean text of at most DISCOVER_MAX_TITLE bytes, or NULL. */
static char *
clean_title(const char *s)
{
	struct text_buf	 tb;
	char		*r = NULL;

	if (s == NULL)
		return NULL;
	text_buf_init(&tb, DISCOVER_MAX_TITLE);
	text_buf_add(&tb, s, strlen(s));
	if (*text_buf_str(&tb) != '\0')
		r = xstrdup(text_buf_str(&tb));
	text_buf_release(&tb);
	return r;
}

/* Whether 'rel' lists the token "alternate" (tokens are space-separated). */
static int
rel_alternate(const char *rel)
{
	size_t	 n;

	while (rel != NULL && *rel != '\0') {
		rel += strspn(rel, " \t\r\n\f");
		n = strcspn(rel, " \t\r\n\f");
		if (n == 9 && strncasecmp(rel, "alternate", 9) == 0)
			return 1;
		rel += n;
	}
	return 0;
}

/* The entry of feed_types[] for a type attribute, or -1. */
static int
feed_type(const char *type)
{
	size_t	 i, n;

	if (type == NULL)
		return -1;
	type += strspn(type, " \t\r\n\f");
	n = strcspn(type, "; \t\r\n\f");
	for (i = 0; i < sizeof(feed_types) / sizeof(feed_types[0]); i++)
		if (strlen(feed_types[i].mime) == n &&
		    strncasecmp(type, feed_types[i].mime, n) == 0)
			return (int)i;
	return -1;
}

/*
 * Whether an address looks like a feed's: its path (before any query or
 * fragment, without a last '/') ends in /feed, /rss, /atom, .rss, .xml
 * or .atom, or is feed, rss or atom.
 */
static int
looks_like_feed(const char *href)
{
	static const char *const ends[] = { "/feed", "/rss", "/atom", ".rss",
	    ".xml", ".atom" };
	char	 path[64];
	size_t	 n, i, k;

	n = strcspn(href, "?#");
	if (n > 0 && href[n - 1] == '/')
		n--;
	/* Only the end counts; the "/" before it lets "feed" match "/feed". */
	k = n < sizeof(path) - 2 ? n : sizeof(path) - 2;
	path[0] = '/';
	memcpy(path + 1, href + n - k, k);
	path[k + 1] = '\0';
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (k + 1 >= strlen(ends[i]) && strcasecmp(path + k + 1 -
		    strlen(ends[i]), ends[i]) == 0)
			return 1;
	return 0;
}

/* Keeps a link (its href taken), unless 'kept' is full or it has no href. */
static void
keep(struct discover_link *kept, size_t *n, char *href, char *title,
    const char *type, enum discover_kind kind)
{
	if (href == NULL || *n == DISCOVER_MAX_LINKS) {
		free(href);
		free(title);
		return;
	}
	kept[*n].url = href;
	kept[*n].title = title;
	kept[*n].type = type;
	kept[*n].kind = kind;
	(*n)++;
}

/* An href as HTML reads it: without the white space around it. */
static char *
href_dup(const char *href)
{
	char	*s;

	if (href == NULL)
		return NULL;
	s = g_strstrip(xstrdup(href));
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* The end of the <a> being read: a guess if its address looked like one. */
static void
a_end(struct discover *d)
{
	const char	*text;

	if (d->a_href == NULL)
		return;
	text = text_buf_str(&d->a_text);
	keep(d->guess, &d->nguess, d->a_href, clean_title(*text != '\0' ?
	    text : d->a_title), "guess", DISCOVER_GUESS);
	d->a_href = NULL;
	free(d->a_title);
	d->a_title = NULL;
}

static void
on_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct discover	*d = ctx;
	const char	*name = (const char *)xname, *href;
	int		 t;

	if (strcmp(name, "a") == 0) {
		/* An <a> left open ends at the next, as in the tree. */
		a_end(d);
		href = attr(atts, "href");
		if (href != NULL && looks_like_feed(href)) {
			d->a_href = href_dup(href);
			d->a_title = clean_title(attr(atts, "title"));
			text_buf_reset(&d->a_text);
		}
	} else if (strcmp(name, "link") == 0) {
		if (!rel_alternate(attr(atts, "rel")) ||
		    (t = feed_type(attr(atts, "type"))) == -1)
			return;
		keep(d->found, &d->nfound, href_dup(attr(atts, "href")),
		    clean_title(attr(atts, "title")), feed_types[t].type,
		    feed_types[t].kind);
	} else if (strcmp(name, "base") == 0 && d->base == NULL)
		d->base = href_dup(attr(atts, "href"));
}

static void
on_end(void *ctx, const xmlChar *name)
{
	if (strcmp((const char *)name, "a") == 0)
		a_end(ctx);
}

static void
on_text(void *ctx, const xmlChar *s, int len)
{
	struct discover	*d = ctx;

	if (d->a_href != NULL)
		text_buf_add(&d->a_text, (const char *)s, (size_t)len);
}

/* Pages are full of errors, and none of them matters here. */
static void
on_error(void *ctx, xmlErrorPtr err)
{
}

/* 'ref' resolved against 'base'; NULL when it cannot be. */
static char *
resolve(const char *base, const char *ref)
{
	xmlChar	*u;
	char	*r;

	if (entry_url_is_absolute(ref))
		return xstrdup(ref);
	if ((u = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base)) ==
	    NULL)
		return NULL;
	r = xstrdup((const char *)u);
	xmlFree(u);
	return r;
}

static void
parse(struct discover *d, const char *page, size_t len, const char *charset)
{
	static htmlSAXHandler	 sax = {
		.startElement = on_start,
		.endElement = on_end,
		.characters = on_text,
		.initialized = XML_SAX2_MAGIC,	/* for serror */
		.serror = on_error,
	};
	xmlCharEncodingHandlerPtr	 enc;
	htmlParserCtxtPtr		 ctxt;

	ctxt = htmlCreatePushParserCtxt(&sax, d, NULL, 0, NULL,
	    XML_CHAR_ENCODING_NONE);
	if (ctxt == NULL)
		fatalx("%s: cannot create a parser context", __func__);
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	/* The server's charset wins over the page's <meta>, as in browsers. */
	if (charset != NULL &&
	    (enc = xmlFindCharEncodingHandler(charset)) != NULL &&
	    xmlSwitchToEncoding(ctxt, enc) == 0 &&
	    ctxt->input->encoding == NULL)
		ctxt->input->encoding = xmlStrdup((const xmlChar *)charset);
	(void)htmlParseChunk(ctxt, page, len < INT_MAX ? (int)len : INT_MAX,
	    1);
	htmlFreeParserCtxt(ctxt);
	a_end(d);
}

/*
 * Moves the links of 'from' whose kind is 'kind', resolved against
 * 'base', to the end of 'to', each address once.
 */
static void
take(struct discover_link *from, size_t nfrom, enum discover_kind kind,
    const char *base, struct discover_link *to, size_t *n)
{
	size_t	 i, j;
	char	*url;

	for (i = 0; i < nfrom && *n < DISCOVER_MAX_LINKS; i++) {
		if (from[i].kind != kind)
			continue;
		url = resolve(base, from[i].url);
		for (j = 0; url != NULL && j < *n; j++)
			if (strcmp(to[j].url, url) == 0)
				break;
		if (url == NULL || j < *n) {
			free(url);
			continue;
		}
		to[*n] = from[i];
		to[*n].url = url;
		from[i].title = NULL;
		(*n)++;
	}
}

static void
links_clear(struct discover_link *links, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(links[i].url);
		free(links[i].title);
	}
}

void
discover_page(const char *page, size_t len, const char *url,
    const char *charset, struct discover_link **links, size_t *n)
{
	struct discover		*d;
	char			*base;

	d = xcalloc(1, sizeof(*d));
	text_buf_init(&d->a_text, DISCOVER_MAX_TITLE);
	parse(d, page, len, charset);
	base = d->base != NULL ? resolve(url, d->base) : NULL;
	if (base == NULL)
		base = xstrdup(url);
	*links = xcalloc(DISCOVER_MAX_LINKS, sizeof(**links));
	*n = 0;
	take(d->found, d->nfound, DISCOVER_FEED, base, *links, n);
	if (*n == 0)
		take(d->guess, d->nguess, DISCOVER_GUESS, base, *links, n);
	take(d->found, d->nfound, DISCOVER_JSON, base, *links, n);
	free(base);
	links_clear(d->found, d->nfound);
	links_clear(d->guess, d->nguess);
	text_buf_release(&d->a_text);
	free(d->a_href);
	free(d->a_title);
	free(d->base);
	free(d);
}

void
discover_links_free(struct discover_link *links, size_t n)
{
	if (links == NULL)
		return;
	links_clear(links, n);
	free(links);
}
