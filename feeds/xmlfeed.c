/*
 * xmlfeed.c: RSS, RDF and Atom through libxml2's SAX2 push parser
 * (xmlfeed.h).
 *
 * The parse: libxml2's push parser in SAX2 mode with RECOVER, no network,
 * a deny-all entity loader, no entity substitution.  Our SAX callbacks
 * keep an element stack and capture the text of the elements that matter
 * into a capped buffer; the entry (entry.h) gets each field at its end
 * tag and builds the item at the item's.
 *
 * Recovery: libxml2 2.9.14 stops delivering entities once the document is
 * known to be ill-formed (`if (!ctxt->wellFormed) return;` in
 * xmlParseReference).  Errors are counted by our serror handler, so every
 * callback sets ctxt->wellFormed back to 1: what is still parseable keeps
 * its entities.  Undeclared HTML entities (&nbsp; in RSS) are defined on
 * the fly from libxml2's HTML table (on_get_entity).
 */
#include "xmlfeed.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "entry.h"
#include "log.h"
#include "raw.h"
#include "xmalloc.h"
#include "xmlfilter.h"

#define MAX_DEPTH	256		/* libxml2's own limit, too */
#define CHUNK		(64 * 1024)	/* bytes per xmlParseChunk() */
#define HINT_MAX	(7 * 86400)	/* the longest poll hint kept */

/* Namespaces we dispatch on (APIS.md B.5 pitfall 6). */
enum ns {
	NS_NONE,		/* the format's own: RSS 0.9x/2.0, Atom's */
	NS_ATOM,		/* Atom 1.0 and 0.3 */
	NS_RSS1,		/* RSS 1.0, RSS 0.90 */
	NS_RDF,
	NS_CONTENT,
	NS_DC,
	NS_DCTERMS,
	NS_MEDIA,
	NS_XHTML,
	NS_ITUNES,
	NS_SY,			/* RSS 1.0 syndication module */
	NS_OTHER
};

/* Known by their URI, in any case (as feedparser matches them). */
static const struct {
	const char	*uri;
	enum ns		 ns;
} ns_table[] = {
	{ "http://www.w3.org/2005/Atom", NS_ATOM },
	{ "http://purl.org/atom/ns#", NS_ATOM },
	/* Atom's drafts, as feedparser knows them */
	{ "http://purl.org/echo/", NS_ATOM },
	{ "http://purl.org/pie/", NS_ATOM },
	{ "http://example.com/necho", NS_ATOM },
	{ "http://example.com/newformat#", NS_ATOM },
	{ "uri/of/echo/namespace#", NS_ATOM },
	{ "http://purl.org/rss/1.0/", NS_RSS1 },
	{ "http://my.netscape.com/rdf/simple/0.9/", NS_RSS1 },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF },
	{ "http://purl.org/rss/1.0/modules/content/", NS_CONTENT },
	{ "http://purl.org/dc/elements/1.1/", NS_DC },
	{ "http://purl.org/dc/terms/", NS_DCTERMS },
	{ "http://search.yahoo.com/mrss/", NS_MEDIA },
	{ "http://search.yahoo.com/mrss", NS_MEDIA },
	{ "http://www.w3.org/1999/xhtml", NS_XHTML },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", NS_ITUNES },
	{ "http://purl.org/net/rss1.1#", NS_RSS1 },
	{ "http://purl.org/rss/1.0/modules/syndication/", NS_SY },
	/* RSS 2.0 as some feeds declare it: same as no namespace (and so
	 * is any other backend.userland.com/rss URI) */
	{ "http://blogs.law.harvard.edu/tech/rss", NS_NONE },
	{ "http://purl.org/rss/1.0/modules/rss091#", NS_NONE },
};

/*
 * A prefix that names a module whatever URI it is bound to: feeds bind
 * dc: to Dublin Core 1.0's, atom: to a misspelt Atom URI...  (feedparser
 * reads an element in a namespace it does not know by its prefix.)
 */
static const struct {
	const char	*prefix;
	enum ns		 ns;
} prefix_table[] = {
	{ "atom", NS_ATOM }, { "content", NS_CONTENT }, { "dc", NS_DC },
	{ "dcterms", NS_DCTERMS }, { "itunes", NS_ITUNES },
	{ "media", NS_MEDIA }, { "rdf", NS_RDF }, { "sy", NS_SY },
	{ "xhtml", NS_XHTML }
};

/* What an open element is to us. */
enum kind {
	K_OTHER,
	K_ROOT,			/* <rss>, <rdf:RDF>, <feed> */
	K_CHANNEL,
	K_ITEM,			/* <item>, <entry> */
	K_AUTHOR,		/* Atom <author> inside an entry */
	K_GROUP,		/* <media:group> inside an item */
	K_SKIP,			/* a subtree we ignore: <source>, <image>... */
	K_FIELD			/* an element whose text we capture */
};

/*
 * What a captured element gives: a field of the item (enum entry_field),
 * or one of the feed's, numbered after those.
 */
enum feed_field {
	F_NONE,
	F_FEED_TITLE = ENTRY_NFIELDS,
	F_FEED_LINK,
	F_FEED_TTL,
	F_FEED_SY_PERIOD,
	F_FEED_SY_FREQ
};

enum format {
	FMT_NONE,
	FMT_RSS,
	FMT_RDF,
	FMT_ATOM
};

struct frame {
	char		 name[24];	/* local name, maybe cut short */
	unsigned char	 kind;
	char		*base;		/* xml:base set here, owned */
	const char	*prev_base;
};

struct xmlfeed {
	xmlParserCtxtPtr	 ctxt;
	struct entry		*entry;		/* the items, borrowed */
	struct xmlfilter	*filter;	/* NULL: bytes as they are */
	char			*url;		/* for messages */
	enum format		 format;
	int			 stopped;	/* by an error or callback */
	int			 nerrors;	/* libxml2 errors */
	char			 mismatch[24];	/* an end tag's real name */
	char			*error;
	char			*xml_error;	/* first libxml2 message */
	char			 root[64];

	struct frame		 stack[MAX_DEPTH];
	int			 depth;
	const char		*base;		/* current xml:base */
	int			 item_depth;	/* -1 outside items */
	int			 cap_field;	/* F_NONE: not capturing */
	int			 cap_depth;
	int			 cap_type;
	int			 cap_rank;
	int			 cap_b64;	/* base64: decode at the end */
	struct raw		 cap;
	long			 ttl;		/* RSS <ttl> in seconds, or 0 */
	long			 sy_period;	/* sy:updatePeriod, or 0 */
	long			 sy_freq;	/* sy:updateFrequency, or 0 */
	char			*core_uri;	/* the root's odd namespace */
	char			*hub;		/* <link rel="hub">, the first */
	char			*self;		/* <link rel="self">, the first */
	const xmlChar		*last_uri;	/* namespace lookup cache */
	enum ns			 last_ns;
	/* what a document with no items holds instead */
	size_t			 stray_items;	/* <item>s not read as items */
	char			 stray_name[24];
	char			*stray_uri;	/* the first one's namespace */
	int			 root_ended;	/* nothing was cut off */
};

static xmlSAXHandler	 feed_sax;

static void
set_error(struct xmlfeed *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_error(struct xmlfeed *x, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (x->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatalx("%s: out of memory", __func__);
	va_end(ap);
	x->error = s;
}

/* Stops the parse for good: x->error says why, or the item callback. */
static void
halt(struct xmlfeed *x)
{
	x->stopped = 1;
	xmlStopParser(x->ctxt);
}

/* The end of an item: hand it over; a stop by the callback ends the parse. */
static void
emit(struct xmlfeed *x)
{
	if (!x->stopped && entry_emit(x->entry, x->format == FMT_ATOM) == -1)
		halt(x);
}

static struct xmlfeed *
feed_of(void *ctx)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct xmlfeed		*x = ctxt->_private;

	/*
	 * Entity content is parsed in a nested context (it shares our
	 * _private): stopping only the outer one would let an entity bomb
	 * run on, so every callback stops the context it is called from.
	 * While healthy, keep entities flowing after an error (top comment);
	 * libxml2's amplification guard still ends bombs with an error,
	 * which halts us.
	 */
	if (x->stopped)
		xmlStopParser(ctxt);
	else
		ctxt->wellFormed = 1;
	return x;
}

/* The namespace a URI names: the root's own, one we know, or other. */
static enum ns
uri_ns(const struct xmlfeed *x, const char *uri)
{
	size_t	 i;

	if (x->core_uri != NULL && strcmp(uri, x->core_uri) == 0)
		return NS_NONE;
	for (i = 0; i < sizeof(ns_table) / sizeof(ns_table[0]); i++)
		if (strcasecmp(uri, ns_table[i].uri) == 0)
			return ns_table[i].ns;
	if (strcasestr(uri, "backend.userland.com/rss") != NULL)
		return NS_NONE;
	return NS_OTHER;
}

/*
 * An element's namespace, liberally read (as feedparser reads it): one
 * we do not know is the format's own when it is the default namespace
 * (<rss xmlns="http://example.org/my-rss">), else what its prefix says,
 * and so is a prefix bound to none (<media:content> in a feed that never
 * declared media:).
 */
static enum ns
ns_of(struct xmlfeed *x, const xmlChar *uri, const xmlChar *prefix)
{
	size_t	 i;

	if (uri == NULL && prefix == NULL)
		return NS_NONE;
	if (uri != NULL && uri != x->last_uri) {
		x->last_uri = uri;
		x->last_ns = uri_ns(x, (const char *)uri);
	}
	if (uri != NULL && x->last_ns != NS_OTHER)
		return x->last_ns;
	if (prefix == NULL)
		return NS_NONE;
	for (i = 0; i < sizeof(prefix_table) / sizeof(prefix_table[0]); i++)
		if (strcasecmp((const char *)prefix, prefix_table[i].prefix) ==
		    0)
			return prefix_table[i].ns;
	return NS_OTHER;
}

/* Names of elements and attributes are read in any case (<pubdate>). */
static int
name_is(const xmlChar *name, const char *s)
{
	return strcasecmp((const char *)name, s) == 0;
}

/*
 * The value of attribute 'name' in namespace 'uri' (NULL: in none) as a
 * new string, or NULL.
 */
static char *
attr_ns(int nattrs, const xmlChar **attrs, const char *uri, const char *name)
{
	const xmlChar	*u;
	int		 i;

	for (i = 0; i < nattrs; i++) {
		u = attrs[i * 5 + 2];
		if ((uri == NULL ? u == NULL : u != NULL &&
		    strcmp((const char *)u, uri) == 0) &&
		    name_is(attrs[i * 5], name))
			return xstrndup((const char *)attrs[i * 5 + 3],
			    (size_t)(attrs[i * 5 + 4] - attrs[i * 5 + 3]));
	}
	return NULL;
}

/* An attribute in no namespace, as most are. */
static char *
attr(int nattrs, const xmlChar **attrs, const char *name)
{
	return attr_ns(nattrs, attrs, NULL, name);
}

/*
 * Atom's type attribute (and 0.3's mode) to a text type.  Atom "text" is
 * read as ENTRY_GUESS: feeds put HTML in it all the time.  *b64 is set for
 * base64 content (a non-text MIME type in 1.0, mode="base64" in 0.3).
 */
static int
atom_type(int nattrs, const xmlChar **attrs, int dflt, int *b64)
{
	char	*type, *mode;
	size_t	 n;
	int	 t = dflt;

	type = attr(nattrs, attrs, "type");
	mode = attr(nattrs, attrs, "mode");
	*b64 = 0;
	if (type != NULL) {
		n = strlen(type);
		if (strcasecmp(type, "xhtml") == 0 ||
		    strcasecmp(type, "application/xhtml+xml") == 0)
			t = ENTRY_XHTML;
		else if (strcasecmp(type, "html") == 0 ||
		    strcasestr(type, "html") != NULL)
			t = ENTRY_HTML;
		else if (strcasecmp(type, "text") == 0 ||
		    strncasecmp(type, "text/", 5) == 0)
			t = ENTRY_GUESS;
		else if (strchr(type, '/') != NULL && !(n >= 4 &&
		    strcasecmp(type + n - 4, "/xml") == 0) && !(n >= 4 &&
		    strcasecmp(type + n - 4, "+xml") == 0)) {
			*b64 = 1;
			t = ENTRY_TEXT;
		}
	}
	if (mode != NULL && strcasecmp(mode, "base64") == 0)
		*b64 = 1;
	/* Atom 0.3: mode="escaped" holds escaped markup */
	if (mode != NULL && strcasecmp(mode, "escaped") == 0 &&
	    t == ENTRY_XHTML)
		t = ENTRY_HTML;
	if (mode != NULL && strcasecmp(mode, "xml") == 0 && t == ENTRY_HTML)
		t = ENTRY_XHTML;
	free(type);
	free(mode);
	return t;
}

/*
 * A tag inside a captured field: part of its text unless that is plain
 * ("<" or "</" for 'open').
 */
static void
cap_tag(struct xmlfeed *x, const char *open, const char *name)
{
	if (x->cap_type == ENTRY_TEXT)
		return;
	raw_add(&x->cap, open, strlen(open), ENTRY_MAX_RAW);
	raw_add(&x->cap, name, strlen(name), ENTRY_MAX_RAW);
	raw_add(&x->cap, ">", 1, ENTRY_MAX_RAW);
}

static void
start_capture(struct xmlfeed *x, int field, int type, int rank)
{
	x->cap_b64 = 0;
	x->cap_field = field;
	x->cap_depth = x->depth - 1;	/* the field's own frame */
	x->cap_type = type;
	x->cap_rank = rank;
	raw_reset(&x->cap);
}

/* A candidate for the item link from Atom's <link rel= href=>. */
static void
atom_link(struct xmlfeed *x, int nattrs, const xmlChar **attrs,
    int feed_level, int in_rss)
{
	char	*rel, *href, *type;
	int	 rank;

	href = attr(nattrs, attrs, "href");
	rel = attr(nattrs, attrs, "rel");
	type = attr(nattrs, attrs, "type");
	if (rel != NULL && strcmp(rel, "alternate") != 0)
		goto out;
	if (href == NULL) {
		/* <link>http://...</link>: the text is the address */
		if (!feed_level)
			start_capture(x, ENTRY_LINK, ENTRY_TEXT, 2);
		goto out;
	}
	/* Among alternates, an HTML one; among those, the last (as
	 * feedparser).  RSS's own <link> wins over atom:link. */
	rank = type == NULL || strcasestr(type, "html") != NULL ? 3 : 1;
	if (in_rss)
		rank--;
	if (feed_level)
		entry_set_feed_link(x->entry, x->base, href);
	else
		entry_link(x->entry, x->base, href, rank, rank >= 3 - in_rss);
 out:
	free(href);
	free(rel);
	free(type);
}

/*
 * A feed-level <link rel="hub"> or rel="self" (Atom, or atom:link in RSS),
 * for WebSub: the first of each counts.  1 if the link was one of them.
 */
static int
websub_link(struct xmlfeed *x, int nattrs, const xmlChar **attrs)
{
	char	*rel, *href, **slot = NULL;

	if ((rel = attr(nattrs, attrs, "rel")) == NULL)
		return 0;
	if (strcmp(rel, "hub") == 0)
		slot = &x->hub;
	else if (strcmp(rel, "self") == 0)
		slot = &x->self;
	free(rel);
	if (slot == NULL)
		return 0;
	href = attr(nattrs, attrs, "href");
	if (*slot == NULL && href != NULL && strlen(href) <= ENTRY_MAX_SHORT)
		*slot = href;
	else
		free(href);
	return 1;
}

/*
 * A namespace we do not know on the root is the format's own: RSS under
 * a made-up one, Atom under a misspelt one.  Not for RDF, whose root is
 * in RDF's.
 */
static void
set_core(struct xmlfeed *x, const xmlChar *uri)
{
	if (uri == NULL || uri_ns(x, (const char *)uri) != NS_OTHER)
		return;
	free(x->core_uri);	/* recovery may see a second root */
	x->core_uri = xstrdup((const char *)uri);
	x->last_uri = NULL;
}

/*
 * The root element names the format: K_ITEM for an Atom entry document,
 * K_CHANNEL for an RSS <channel> with no <rss> around it, else K_ROOT.
 */
static int
set_root(struct xmlfeed *x, const xmlChar *name, const xmlChar *uri,
    enum ns ns)
{
	snprintf(x->root, sizeof(x->root), "%s", (const char *)name);
	if (name_is(name, "rss") || name_is(name, "channel")) {
		x->format = FMT_RSS;
		set_core(x, uri);
		return name_is(name, "channel") ? K_CHANNEL : K_ROOT;
	}
	if (name_is(name, "RDF"))
		x->format = FMT_RDF;
	else if (name_is(name, "feed")) {
		x->format = FMT_ATOM;
		if (ns != NS_ATOM)
			set_core(x, uri);
	} else if (name_is(name, "entry") && ns == NS_ATOM) {
		x->format = FMT_ATOM;
		return K_ITEM;
	} else if (name_is(name, "html")) {
		set_error(x, "not a feed: an HTML page");
		halt(x);
	}
	return K_ROOT;
}

/* How an element's text is read, from its attributes. */
enum {
	TYPE_ATOM = ENTRY_XHTML + 1,	/* Atom's type (and 0.3's mode) */
	TYPE_MEDIA			/* media:description's type */
};

/*
 * The elements inside an item that give a field, by vocabulary: NS_NONE
 * stands for RSS (no namespace, or RSS 1.0's), NS_ATOM for Atom (also no
 * namespace in an Atom feed), the others for themselves.
 */
static const struct {
	const char	*name;
	unsigned char	 ns;		/* enum ns */
	unsigned char	 field;		/* enum entry_field */
	unsigned char	 type;		/* enum entry_type, or TYPE_* */
	unsigned char	 rank;
} item_elems[] = {
	{ "title", NS_NONE, ENTRY_TITLE, ENTRY_GUESS, 3 },
	{ "link", NS_NONE, ENTRY_LINK, ENTRY_TEXT, 3 },
	{ "guid", NS_NONE, ENTRY_ID, ENTRY_TEXT, 3 },
	{ "description", NS_NONE, ENTRY_SUMMARY, ENTRY_HTML, 3 },
	{ "pubDate", NS_NONE, ENTRY_PUBLISHED, ENTRY_TEXT, 3 },
	{ "author", NS_NONE, ENTRY_AUTHOR, ENTRY_TEXT, 3 },
	{ "category", NS_NONE, ENTRY_CATEGORY, ENTRY_TEXT, 3 },
	{ "fullitem", NS_NONE, ENTRY_CONTENT, ENTRY_HTML, 2 },
	{ "title", NS_ATOM, ENTRY_TITLE, TYPE_ATOM, 3 },
	{ "id", NS_ATOM, ENTRY_ID, ENTRY_TEXT, 3 },
	{ "published", NS_ATOM, ENTRY_PUBLISHED, ENTRY_TEXT, 3 },
	{ "issued", NS_ATOM, ENTRY_PUBLISHED, ENTRY_TEXT, 3 },
	{ "created", NS_ATOM, ENTRY_PUBLISHED, ENTRY_TEXT, 2 },
	{ "updated", NS_ATOM, ENTRY_UPDATED, ENTRY_TEXT, 3 },
	{ "modified", NS_ATOM, ENTRY_UPDATED, ENTRY_TEXT, 3 },
	{ "summary", NS_ATOM, ENTRY_SUMMARY, TYPE_ATOM, 3 },
	{ "content", NS_ATOM, ENTRY_CONTENT, TYPE_ATOM, 3 },
	{ "encoded", NS_CONTENT, ENTRY_CONTENT, ENTRY_HTML, 3 },
	{ "creator", NS_DC, ENTRY_AUTHOR, ENTRY_TEXT, 2 },
	{ "author", NS_DC, ENTRY_AUTHOR, ENTRY_TEXT, 2 },
	{ "date", NS_DC, ENTRY_UPDATED, ENTRY_TEXT, 2 },
	{ "subject", NS_DC, ENTRY_CATEGORY, ENTRY_TEXT, 2 },
	{ "title", NS_DC, ENTRY_TITLE, ENTRY_GUESS, 2 },
	{ "description", NS_DC, ENTRY_SUMMARY, ENTRY_HTML, 2 },
	{ "identifier", NS_DC, ENTRY_ID, ENTRY_TEXT, 2 },
	{ "issued", NS_DCTERMS, ENTRY_PUBLISHED, ENTRY_TEXT, 2 },
	{ "created", NS_DCTERMS, ENTRY_PUBLISHED, ENTRY_TEXT, 2 },
	{ "modified", NS_DCTERMS, ENTRY_UPDATED, ENTRY_TEXT, 2 },
	{ "body", NS_XHTML, ENTRY_CONTENT, ENTRY_XHTML, 2 },
	{ "summary", NS_ITUNES, ENTRY_SUMMARY, ENTRY_TEXT, 1 },
	{ "author", NS_ITUNES, ENTRY_AUTHOR, ENTRY_TEXT, 1 },
	{ "description", NS_MEDIA, ENTRY_SUMMARY, TYPE_MEDIA, 1 },
	{ "title", NS_MEDIA, ENTRY_TITLE, ENTRY_GUESS, 1 },
};

/* The index in item_elems of 'name' in vocabulary 'ns'; -1 if none. */
static int
item_elem(const xmlChar *name, enum ns ns)
{
	size_t	 i;

	/* the table's names start with a lower-case letter */
	for (i = 0; i < sizeof(item_elems) / sizeof(item_elems[0]); i++)
		if (item_elems[i].ns == ns &&
		    item_elems[i].name[0] == (name[0] | 0x20) &&
		    name_is(name, item_elems[i].name))
			return (int)i;
	return -1;
}

/*
 * Which field an element inside an item is; F_NONE if none.  A format's
 * own element missing from its vocabulary is looked up in the other's,
 * at the lowest rank: <pubDate> in an Atom entry, <summary> in an RSS
 * item (feedparser reads both formats as one).
 */
static int
item_field(struct xmlfeed *x, const xmlChar *name, enum ns ns,
    int nattrs, const xmlChar **attrs, int *type, int *rank, int *b64)
{
	char	*v;
	int	 i;

	if (ns == NS_ATOM || (ns == NS_NONE && x->format == FMT_ATOM))
		ns = NS_ATOM;
	else if (ns == NS_RSS1)
		ns = NS_NONE;
	*rank = 1;
	if ((i = item_elem(name, ns)) != -1)
		*rank = item_elems[i].rank;
	else if (ns == NS_ATOM || ns == NS_NONE)
		i = item_elem(name, ns == NS_ATOM ? NS_NONE : NS_ATOM);
	if (i == -1)
		return F_NONE;
	*type = item_elems[i].type;
	*b64 = 0;
	if (*type == TYPE_ATOM) {
		/* content elsewhere (src=) is not the item's text */
		if (item_elems[i].field == ENTRY_CONTENT &&
		    (v = attr(nattrs, attrs, "src")) != NULL) {
			free(v);
			return F_NONE;
		}
		*type = atom_type(nattrs, attrs, ENTRY_GUESS, b64);
	} else if (*type == TYPE_MEDIA) {
		v = attr(nattrs, attrs, "type");
		*type = v != NULL && strcmp(v, "html") == 0 ? ENTRY_HTML :
		    ENTRY_TEXT;
		free(v);
	} else if (item_elems[i].field == ENTRY_ID &&
	    item_elems[i].ns == NS_NONE) {
		/* isPermaLink guids are also a link, if no other */
		v = attr(nattrs, attrs, "isPermaLink");
		if (v == NULL || strcasecmp(v, "false") != 0)
			*rank = ENTRY_PERMALINK;
		free(v);
	}
	return item_elems[i].field;
}

/* An element inside an item: one of its fields, or not. */
static void
start_in_item(struct xmlfeed *x, struct frame *f, const struct frame *up,
    const xmlChar *name, enum ns ns, int nattrs, const xmlChar **attrs)
{
	char	*v;
	int	 field, type, rank, b64 = 0;

	if (up->kind == K_AUTHOR) {
		if (name_is(name, "name"))
			start_capture(x, ENTRY_AUTHOR, ENTRY_TEXT, 3);
		else if (name_is(name, "email"))
			start_capture(x, ENTRY_EMAIL, ENTRY_TEXT, 3);
		f->kind = x->cap_field != F_NONE ? K_FIELD : K_OTHER;
		return;
	}
	if (up->kind != K_ITEM && up->kind != K_GROUP) {
		f->kind = K_OTHER;
		return;
	}
	if (ns == NS_ATOM || (ns == NS_NONE && x->format == FMT_ATOM)) {
		if (name_is(name, "link")) {
			atom_link(x, nattrs, attrs, 0, x->format != FMT_ATOM);
			f->kind = x->cap_field != F_NONE ? K_FIELD : K_OTHER;
			return;
		}
		if (name_is(name, "author") && up->kind == K_ITEM) {
			f->kind = K_AUTHOR;
			return;
		}
		if (name_is(name, "category")) {
			if ((v = attr(nattrs, attrs, "term")) == NULL)
				v = attr(nattrs, attrs, "label");
			if (v != NULL)
				entry_category(x->entry, v, strlen(v));
			free(v);
			f->kind = K_OTHER;
			return;
		}
		if (name_is(name, "source")) {
			f->kind = K_SKIP;
			return;
		}
	}
	if (ns == NS_MEDIA && name_is(name, "group")) {
		f->kind = K_GROUP;
		return;
	}
	if (ns == NS_NONE && name_is(name, "link") &&
	    (v = attr(nattrs, attrs, "href")) != NULL) {
		/* <link href=""/> in RSS: Atom style, no namespace */
		free(v);
		atom_link(x, nattrs, attrs, 0, 1);
		f->kind = K_OTHER;
		return;
	}
	field = item_field(x, name, ns, nattrs, attrs, &type, &rank, &b64);
	if (field != F_NONE) {
		start_capture(x, field, type, rank);
		x->cap_b64 = b64;
		f->kind = K_FIELD;
		return;
	}
	if (ns == NS_NONE && x->format != FMT_ATOM && name_is(name, "source"))
		f->kind = K_SKIP;
	else
		f->kind = K_OTHER;
}

/* An <item> in a namespace that is not a feed format's: noted for why. */
static void
stray_item(struct xmlfeed *x, const xmlChar *name, const xmlChar *uri)
{
	if (x->stray_items++ > 0)
		return;
	snprintf(x->stray_name, sizeof(x->stray_name), "%s",
	    (const char *)name);
	x->stray_uri = xstrdup(uri != NULL ? (const char *)uri : "");
}

/* An element outside items: an item, or the feed's own. */
static void
start_in_feed(struct xmlfeed *x, struct frame *f, const struct frame *up,
    const xmlChar *name, const xmlChar *uri, enum ns ns, int nattrs,
    const xmlChar **attrs)
{
	char	*v;
	int	 b64 = 0;

	/* item starts: <item> or <entry>, either format's (as feedparser) */
	if (name_is(name, "item") || name_is(name, "entry")) {
		if (ns != NS_NONE && ns != NS_RSS1 && ns != NS_ATOM) {
			stray_item(x, name, uri);
			f->kind = K_OTHER;
			return;
		}
		f->kind = K_ITEM;
		x->item_depth = x->depth - 1;
		entry_clear(x->entry);
		if ((ns == NS_RSS1 || x->format == FMT_RDF) &&
		    (v = attr_ns(nattrs, attrs,
		    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "about")) !=
		    NULL) {
			entry_set(x->entry, ENTRY_ID, v, ENTRY_MAX_SHORT,
			    ENTRY_TEXT);
			free(v);
		}
		if (x->format == FMT_NONE)
			x->format = ns == NS_ATOM ? FMT_ATOM : FMT_RSS;
		return;
	}
	if (name_is(name, "channel") && (ns == NS_NONE || ns == NS_RSS1)) {
		f->kind = K_CHANNEL;
		if (x->format == FMT_NONE)
			x->format = FMT_RSS;
		return;
	}
	/* the syndication module's hint: <channel> and <feed> children */
	if (ns == NS_SY && (up->kind == K_CHANNEL || (up->kind == K_ROOT &&
	    x->format == FMT_ATOM))) {
		if (name_is(name, "updatePeriod"))
			start_capture(x, F_FEED_SY_PERIOD, ENTRY_TEXT, 3);
		else if (name_is(name, "updateFrequency"))
			start_capture(x, F_FEED_SY_FREQ, ENTRY_TEXT, 3);
		f->kind = x->cap_field != F_NONE ? K_FIELD : K_OTHER;
		return;
	}
	/* WebSub's hub and self: atom:link in <channel>, <feed> children */
	if (name_is(name, "link") && (ns == NS_ATOM || ns == NS_NONE) &&
	    (up->kind == K_CHANNEL || (up->kind == K_ROOT &&
	    x->format == FMT_ATOM)) && websub_link(x, nattrs, attrs)) {
		f->kind = K_OTHER;
		return;
	}
	/* feed-level title and link: <channel> children, <feed> children */
	if ((up->kind == K_CHANNEL && (ns == NS_NONE || ns == NS_RSS1)) ||
	    (up->kind == K_ROOT && x->format == FMT_ATOM &&
	    (ns == NS_ATOM || ns == NS_NONE))) {
		if (name_is(name, "title")) {
			start_capture(x, F_FEED_TITLE,
			    x->format == FMT_ATOM ? atom_type(nattrs, attrs,
			    ENTRY_GUESS, &b64) : ENTRY_GUESS, 3);
			f->kind = K_FIELD;
			return;
		}
		if (name_is(name, "link") && x->format == FMT_ATOM) {
			atom_link(x, nattrs, attrs, 1, 0);
			f->kind = K_OTHER;
			return;
		}
		if (name_is(name, "link")) {
			start_capture(x, F_FEED_LINK, ENTRY_TEXT, 3);
			f->kind = K_FIELD;
			return;
		}
		if (name_is(name, "ttl") && x->format != FMT_ATOM) {
			start_capture(x, F_FEED_TTL, ENTRY_TEXT, 3);
			f->kind = K_FIELD;
			return;
		}
		/* <image>, <textinput>: their titles are not the feed's */
		if (name_is(name, "image") || name_is(name, "textinput")) {
			f->kind = K_SKIP;
			return;
		}
	}
	f->kind = K_OTHER;
}

static void
on_start(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nsdecl, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct xmlfeed		*x = feed_of(ctx);
	struct frame		*f, *up;
	enum ns			 ns;
	char			*v, *b;
	size_t			 nlen;

	if (x->stopped)
		return;
	if (x->depth >= MAX_DEPTH) {
		set_error(x, "elements nested deeper than %d", MAX_DEPTH);
		halt(x);
		return;
	}
	f = &x->stack[x->depth];
	up = x->depth > 0 ? &x->stack[x->depth - 1] : NULL;
	/* the name, cut short as snprintf would: this runs per element */
	nlen = strlen((const char *)name);
	if (nlen >= sizeof(f->name))
		nlen = sizeof(f->name) - 1;
	memcpy(f->name, name, nlen);
	f->name[nlen] = '\0';
	f->base = NULL;
	f->prev_base = x->base;
	/* xml:base, resolved against the one in force */
	if (nattrs > 0 && (v = attr_ns(nattrs, attrs,
	    "http://www.w3.org/XML/1998/namespace", "base")) != NULL) {
		b = entry_resolve(x->entry, x->base, v);
		free(v);
		if (b != NULL) {
			f->base = b;
			x->base = b;
		}
	}
	x->depth++;

	/* Inside a captured field: markup is part of the text. */
	if (x->cap_field != F_NONE) {
		f->kind = K_OTHER;
		cap_tag(x, "<", (const char *)name);
		return;
	}
	ns = ns_of(x, uri, prefix);
	if (up == NULL) {
		f->kind = set_root(x, name, uri, ns);
		if (f->kind == K_ITEM) {
			x->item_depth = 0;
			entry_clear(x->entry);
		}
		return;
	}
	if (up->kind == K_SKIP) {
		f->kind = K_SKIP;
		return;
	}
	if (x->item_depth >= 0)
		start_in_item(x, f, up, name, ns, nattrs, attrs);
	else
		start_in_feed(x, f, up, name, uri, ns, nattrs, attrs);
}

/*
 * A whole number from 1 up, as a feed writes it; larger than 'max' (or
 * than a long holds) gives 'max'.  0 if it is not one.
 */
static long
positive(const char *t, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(t, &end, 10);
	if (end == t || *end != '\0' || v <= 0)
		return 0;
	return errno == ERANGE || v > max ? max : v;
}

/* sy:updatePeriod in seconds (a month is 30 days), or 0 if unknown. */
static long
sy_period(const char *t)
{
	static const struct {
		const char	*name;
		long		 secs;
	} periods[] = {
		{ "hourly", 3600 }, { "daily", 86400 }, { "weekly", 7 * 86400 },
		{ "monthly", 30 * 86400 }, { "yearly", 365 * 86400 }
	};
	size_t	 i;

	for (i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		if (strcasecmp(t, periods[i].name) == 0)
			return periods[i].secs;
	return 0;
}

/* The captured text as plain text, at most 'max' bytes (entry_text). */
static const char *
cap_text(struct xmlfeed *x, size_t max)
{
	return entry_text(x->entry, raw_str(&x->cap), x->cap.len, ENTRY_TEXT,
	    max);
}

/* The end of a captured field: to the item, or the feed's own. */
static void
end_capture(struct xmlfeed *x)
{
	if (x->cap_b64 && x->cap.len > 0) {
		gsize	 n = 0;

		if (x->cap.len > 1)
			g_base64_decode_inplace(x->cap.s, &n);
		x->cap.len = n;
		x->cap.s[n] = '\0';
	}
	switch (x->cap_field) {
	case F_FEED_TITLE:
		entry_set_feed_title(x->entry, raw_str(&x->cap), x->cap.len,
		    x->cap_type);
		break;
	case F_FEED_LINK:
		entry_set_feed_link(x->entry, x->base,
		    cap_text(x, ENTRY_MAX_RAW));
		break;
	case F_FEED_TTL:
		/* Minutes, per RSS 2.0. */
		x->ttl = positive(cap_text(x, ENTRY_MAX_SHORT), HINT_MAX / 60) *
		    60;
		break;
	case F_FEED_SY_PERIOD:
		x->sy_period = sy_period(cap_text(x, ENTRY_MAX_SHORT));
		break;
	case F_FEED_SY_FREQ:
		x->sy_freq = positive(cap_text(x, ENTRY_MAX_SHORT), HINT_MAX);
		break;
	default:
		entry_take(x->entry, x->cap_field, &x->cap, x->cap_type,
		    x->cap_rank, x->base);
		break;
	}
	x->cap_field = F_NONE;
	raw_reset(&x->cap);
}

/* Closes our innermost open element. */
static void
pop_frame(struct xmlfeed *x)
{
	struct frame	*f;

	x->depth--;
	f = &x->stack[x->depth];
	if (f->base != NULL) {
		x->base = f->prev_base;
		free(f->base);
		f->base = NULL;
	}
	if (x->stopped)
		return;
	if (x->cap_field != F_NONE) {
		if (x->depth > x->cap_depth) {
			cap_tag(x, "</", f->name);
			return;
		}
		end_capture(x);
		return;
	}
	if (f->kind == K_ITEM && x->depth == x->item_depth) {
		x->item_depth = -1;
		emit(x);
	}
}

/*
 * An end tag.  When it does not match the open element ("<description>a
 * <p>b</description>"), libxml2 reports the mismatch (on_error keeps the
 * real name) and then closes only its innermost element, so the rest of
 * the document would end up inside the description.  We close up to the
 * element the tag names instead; from then on our stack is shallower
 * than libxml2's, and its later mismatches resynchronize us the same way.
 */
static void
on_end(void *ctx, const xmlChar *name, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct xmlfeed		*x = feed_of(ctx);
	int			 i, target;

	if (x->depth == 0)
		return;
	target = x->depth - 1;
	if (x->mismatch[0] != '\0') {
		for (i = x->depth - 1; i >= 0; i--)
			if (strcmp(x->stack[i].name, x->mismatch) == 0)
				break;
		if (i >= 0)
			target = i;
		x->mismatch[0] = '\0';
	}
	while (x->depth > target)
		pop_frame(x);
	if (x->depth == 0)
		x->root_ended = 1;
}

/*
 * Inline XHTML: its text is text, escape it back for html_to_text.  Kept
 * out of on_text, which runs for every entity reference of a feed.
 */
static __attribute__((noinline)) void
xhtml_text(struct xmlfeed *x, const char *s, size_t len)
{
	const char	*q, *end = s + len;

	while (s < end) {
		for (q = s; q < end && *q != '<' && *q != '&'; q++)
			;
		raw_add(&x->cap, s, (size_t)(q - s), ENTRY_MAX_RAW);
		if (q == end)
			break;
		raw_add(&x->cap, *q == '<' ? "&lt;" : "&amp;", *q == '<' ? 4 :
		    5, ENTRY_MAX_RAW);
		s = q + 1;
	}
}

static void
on_text(void *ctx, const xmlChar *ch, int len)
{
	struct xmlfeed	*x = feed_of(ctx);

	if (x->cap_field == F_NONE || len <= 0 || x->stopped)
		return;
	if (x->cap_type == ENTRY_XHTML)
		xhtml_text(x, (const char *)ch, (size_t)len);
	else
		raw_add(&x->cap, (const char *)ch, (size_t)len, ENTRY_MAX_RAW);
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	(void)feed_of(ctx);		/* the text came through on_text */
}

/*
 * Undeclared entities: the HTML ones (&nbsp; &eacute; ...) are defined
 * in the document on first use, from libxml2's own HTML table.
 */
static xmlEntityPtr
on_get_entity(void *ctx, const xmlChar *name)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	xmlEntityPtr		 e;
	const htmlEntityDesc	*h;
	xmlChar			 utf8[8];
	int			 n;

	(void)feed_of(ctx);
	if ((e = xmlSAX2GetEntity(ctx, name)) != NULL || ctxt->myDoc == NULL)
		return e;
	if ((h = htmlEntityLookup(name)) == NULL)
		return NULL;
	n = xmlCopyCharMultiByte(utf8, (int)h->value);
	if (n <= 0)
		return NULL;
	utf8[n] = '\0';
	if (ctxt->myDoc->intSubset == NULL &&
	    xmlCreateIntSubset(ctxt->myDoc, BAD_CAST "feed", NULL, NULL) ==
	    NULL)
		return NULL;
	return xmlAddDocEntity(ctxt->myDoc, name, XML_INTERNAL_GENERAL_ENTITY,
	    NULL, NULL, utf8);
}

static void
on_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct xmlfeed		*x;
	char			*msg;
	size_t			 n;

	if (ctxt == NULL || (x = ctxt->_private) == NULL || err == NULL)
		return;
	if (err->level == XML_ERR_WARNING)
		return;
	x->nerrors++;
	if (err->code == XML_ERR_TAG_NAME_MISMATCH && err->str2 != NULL)
		snprintf(x->mismatch, sizeof(x->mismatch), "%s", err->str2);
	if (x->xml_error == NULL && err->message != NULL) {
		msg = xstrdup(err->message);
		n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		x->xml_error = xasprintf("line %d: %s", err->line, msg);
		free(msg);
	}
	/* Entity bombs and the like: never worth recovering from. */
	if (err->code == XML_ERR_ENTITY_LOOP ||
	    err->code == XML_ERR_ENTITY_BOUNDARY) {
		set_error(x, "entity expansion limit: %s", x->xml_error);
		halt(x);
	}
}

static void
on_generic_error(void *ctx, const char *msg, ...)
{
	/* Context-free libxml2 messages: never to our stderr. */
}

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	return NULL;	/* no external entities, DTDs or XIncludes, ever */
}

void
xmlfeed_global_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_loader);
	xmlSetGenericErrorFunc(NULL, on_generic_error);
	xmlSAXVersion(&feed_sax, 2);
	feed_sax.startElementNs = on_start;
	feed_sax.endElementNs = on_end;
	feed_sax.characters = on_text;
	feed_sax.cdataBlock = on_text;
	feed_sax.getEntity = on_get_entity;
	feed_sax.reference = on_reference;
	feed_sax.serror = on_error;
	feed_sax.ignorableWhitespace = on_text;
	feed_sax.warning = NULL;
	feed_sax.error = NULL;
	feed_sax.fatalError = NULL;
	feed_sax.processingInstruction = NULL;
	feed_sax.comment = NULL;
	/* no external subset, ever */
	feed_sax.externalSubset = NULL;
	feed_sax.resolveEntity = NULL;
}

/* Hands bytes to libxml2, checking the caps. */
static int
xml_feed(struct xmlfeed *x, const char *s, size_t n, int terminate)
{
	while (n > 0 || terminate) {
		size_t	 k = n > CHUNK ? CHUNK : n;

		if (x->stopped || entry_full(x->entry))
			return entry_full(x->entry) ? 0 : -1;
		xmlParseChunk(x->ctxt, k > 0 ? s : NULL, (int)k,
		    terminate && k == n);
		if (k == n)
			break;
		s += k;
		n -= k;
	}
	if (x->stopped)
		return -1;
	return 0;
}

/* The filter's output: to libxml2. */
static int
filter_out(const char *s, size_t n, void *arg)
{
	return xml_feed(arg, s, n, 0);
}

int
xmlfeed_push(struct xmlfeed *x, const char *buf, size_t len, int eod)
{
	if (x->filter == NULL) {
		if (len > 0 && xml_feed(x, buf, len, 0) == -1)
			return -1;
	} else if (xmlfilter_push(x->filter, buf, len, eod) == -1)
		return -1;
	if (eod)
		return xml_feed(x, NULL, 0, 1);
	return 0;
}

static int
charset_is_utf8(const char *cs)
{
	return strcasecmp(cs, "utf-8") == 0 || strcasecmp(cs, "utf8") == 0 ||
	    strcasecmp(cs, "us-ascii") == 0 || strcasecmp(cs, "ascii") == 0;
}

struct xmlfeed *
xmlfeed_new(struct entry *e, const char *url, const char *charset,
    int utf8)
{
	struct xmlfeed			*x;
	xmlCharEncodingHandlerPtr	 h;

	x = xcalloc(1, sizeof(*x));
	x->entry = e;
	x->url = url != NULL ? xstrdup(url) : NULL;
	x->item_depth = -1;
	x->ctxt = xmlCreatePushParserCtxt(&feed_sax, NULL, NULL, 0, url);
	if (x->ctxt == NULL)
		fatalx("%s: cannot create a parser context", __func__);
	x->ctxt->_private = x;
	xmlCtxtUseOptions(x->ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_RECOVER |
	    (utf8 ? XML_PARSE_IGNORE_ENC : 0));
	/* never load a DTD, never substitute entities */
	x->ctxt->loadsubset = 0;
	x->ctxt->replaceEntities = 0;
	x->ctxt->validate = 0;
	if (utf8)
		x->filter = xmlfilter_new(filter_out, x);
	else if (charset != NULL && !charset_is_utf8(charset) &&
	    (h = xmlFindCharEncodingHandler(charset)) != NULL)
		xmlSwitchToEncoding(x->ctxt, h);
	return x;
}

/*
 * Why a feed gave no item, on stderr: a document that looks like a feed
 * and yields nothing is otherwise indistinguishable from a quiet one.
 */
static void
say_why_empty(const struct xmlfeed *x)
{
	const char	*src = x->url != NULL ? x->url : "-";

	if (x->stray_items > 0)
		log_warnx("'%s': no items: %zu <%s> element%s in namespace "
		    "'%s', which is neither RSS's nor Atom's", src,
		    x->stray_items, x->stray_name, x->stray_items > 1 ? "s" :
		    "", x->stray_uri);
	else if (x->nerrors > 0 && !x->root_ended)
		log_warnx("'%s': no items: the XML breaks before the first "
		    "one (%s)", src, x->xml_error);
	else
		log_warnx("'%s': no items: <%s> holds no <%s> element", src,
		    x->root, x->format == FMT_ATOM ? "entry" : "item");
}

/* Why a document that ended gave no feed. */
static void
explain(struct xmlfeed *x)
{
	if (x->root[0] == '\0' && x->xml_error != NULL)
		set_error(x, "not XML: %s", x->xml_error);
	else if (x->root[0] == '\0')
		set_error(x, "not a feed: no root element");
	else
		set_error(x, "not a feed: root element <%s>%s%s", x->root,
		    x->xml_error ? ", " : "", x->xml_error ? x->xml_error :
		    "");
}

int
xmlfeed_finish(struct xmlfeed *x)
{
	if (!entry_full(x->entry) && xmlfeed_push(x, NULL, 0, 1) == -1 &&
	    x->stopped)
		return -1;
	/* an item cut short by the end of the document still counts */
	if (x->item_depth >= 0 && !entry_full(x->entry)) {
		if (x->cap_field != F_NONE)
			end_capture(x);
		x->item_depth = -1;
		emit(x);
		if (x->stopped)
			return -1;
	}
	if (x->format == FMT_NONE && entry_count(x->entry) == 0) {
		explain(x);
		return -1;
	}
	if (entry_count(x->entry) == 0)
		say_why_empty(x);
	if (x->nerrors > 0)
		log_debug("'%s': recovered from %d XML errors, the first: %s",
		    x->url ? x->url : "-", x->nerrors, x->xml_error);
	return 0;
}

int
xmlfeed_stopped(const struct xmlfeed *x)
{
	return x->stopped;
}

const char *
xmlfeed_error(const struct xmlfeed *x)
{
	return x->error;
}

long
xmlfeed_ttl(const struct xmlfeed *x)
{
	long	 sy = 0;

	/* Either sy: element alone means the other's default: daily, once. */
	if (x->sy_period > 0 || x->sy_freq > 0)
		sy = (x->sy_period > 0 ? x->sy_period : 86400) /
		    (x->sy_freq > 0 ? x->sy_freq : 1);
	if (sy > HINT_MAX)
		sy = HINT_MAX;
	return x->ttl > sy ? x->ttl : sy;
}

const char *
xmlfeed_hub(const struct xmlfeed *x)
{
	return x->hub;
}

const char *
xmlfeed_self(const struct xmlfeed *x)
{
	return x->self;
}

void
xmlfeed_free(struct xmlfeed *x)
{
	int	 i;

	if (x == NULL)
		return;
	if (x->ctxt->myDoc != NULL)
		xmlFreeDoc(x->ctxt->myDoc);
	xmlFreeParserCtxt(x->ctxt);
	for (i = 0; i < x->depth && i < MAX_DEPTH; i++)
		free(x->stack[i].base);
	raw_release(&x->cap);
	free(x->hub);
	free(x->self);
	xmlfilter_free(x->filter);
	free(x->core_uri);
	free(x->stray_uri);
	free(x->error);
	free(x->xml_error);
	free(x->url);
	free(x);
}
