/* opml.c: OPML subscription lists with libxml2's tree API. */
#include "opml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "text.h"
#include "url.h"
#include "xmalloc.h"

#define OPML_MAX_SIZE	(16 << 20)
#define OPML_MAX_DEPTH	32	/* outlines in outlines */
#define OPML_MAX_TITLE	200	/* bytes of a title kept */
#define OPML_MAX_TAG	64	/* bytes of a tag kept */
#define OPML_MAX_TAGS	32	/* tags of a feed kept */
#define OPML_MAX_SHOWN	120	/* bytes of a refused URL shown */

struct collect {
	struct opml_feed	*feeds;
	size_t			 n;
	size_t			 alloc;
	char			*tags[OPML_MAX_DEPTH]; /* folders, or NULL */
	size_t			 ntags;
};

/*
 * 's' as clean text: invalid UTF-8 repaired, control characters dropped,
 * white space collapsed, at most 'max' bytes ("..." added when cut).
 * NULL when nothing is left.
 */
static char *
clean(const char *s, size_t max)
{
	struct text_buf	 tb;
	const char	*t;
	char		*r = NULL;

	text_buf_init(&tb, max);
	text_buf_add(&tb, s, strlen(s));
	t = text_buf_str(&tb);
	if (*t != '\0')
		r = text_buf_full(&tb) ? xasprintf("%s...", t) : xstrdup(t);
	text_buf_release(&tb);
	return r;
}

/* A tag from a folder or category name: clean, and no comma in it. */
static char *
clean_tag(const char *s)
{
	char	*copy, *r;

	copy = g_strdelimit(xstrdup(s), ",", ' ');
	r = clean(copy, OPML_MAX_TAG);
	free(copy);
	return r;
}

static char *
attr(xmlNode *node, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetProp(node, BAD_CAST name)) == NULL)
		return NULL;
	s = *v != '\0' ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

/*
 * Adds 'tag' (taken; NULL is nothing) to f's tags unless it is there or
 * they are full: a category attribute may list thousands.
 */
static void
add_tag(struct opml_feed *f, char *tag)
{
	size_t	 i;

	if (tag == NULL)
		return;
	for (i = 0; i < f->ntags; i++)
		if (strcmp(f->tags[i], tag) == 0)
			break;
	if (i < f->ntags || f->ntags == OPML_MAX_TAGS) {
		free(tag);
		return;
	}
	f->tags = xreallocarray(f->tags, f->ntags + 2, sizeof(*f->tags));
	f->tags[f->ntags++] = tag;
	f->tags[f->ntags] = NULL;
}

/* OPML 2.0 category="/News/World,/Tech": the last step of each path. */
static void
add_categories(struct opml_feed *f, xmlNode *node)
{
	char	*cat, *p, *save = NULL, *last;

	if ((cat = attr(node, "category")) == NULL)
		return;
	for (p = strtok_r(cat, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		last = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		add_tag(f, clean_tag(last));
	}
	free(cat);
}

/* Takes 'url' and 'title'. */
static void
add_feed(struct collect *c, xmlNode *node, char *url, char *title)
{
	struct opml_feed	*f;
	long			 line;
	size_t			 i;

	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->feeds = xreallocarray(c->feeds, c->alloc,
		    sizeof(*c->feeds));
	}
	f = &c->feeds[c->n++];
	memset(f, 0, sizeof(*f));
	f->url = url;
	f->title = title;
	line = xmlGetLineNo(node);
	f->line = line > 0 && line < 1000000000 ? (int)line : 0;
	f->tags = xcalloc(1, sizeof(*f->tags));
	for (i = 0; i < c->ntags; i++)
		if (c->tags[i] != NULL)
			add_tag(f, xstrdup(c->tags[i]));
	add_categories(f, node);
}

static void
walk(struct collect *c, xmlNode *node, int depth)
{
	char	*url, *raw, *title;

	for (; node != NULL; node = node->next) {
		if (node->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)node->name, "outline") != 0)
			continue;
		if ((raw = attr(node, "text")) == NULL)
			raw = attr(node, "title");
		title = raw != NULL ? clean(raw, OPML_MAX_TITLE) : NULL;
		if ((url = attr(node, "xmlUrl")) != NULL) {
			add_feed(c, node, url, title);
			title = NULL;
		}
		/* Depth is bounded: a hostile file cannot recurse forever. */
		if (node->children != NULL && depth < OPML_MAX_DEPTH) {
			c->tags[c->ntags++] = raw != NULL ? clean_tag(raw) :
			    NULL;
			walk(c, node->children, depth + 1);
			free(c->tags[--c->ntags]);
		}
		free(title);
		free(raw);
	}
}

int
opml_read(const char *path, struct opml_feed **feeds, size_t *n, char *err,
    size_t errlen)
{
	struct collect	 c;
	xmlDoc		*doc;
	xmlNode		*root, *body;
	GError		*gerr = NULL;
	struct stat	 sb;
	gchar		*text;
	gsize		 len;
	int		 rc = -1;

	memset(&c, 0, sizeof(c));
	*feeds = NULL;
	*n = 0;
	/* Read it ourselves: the entity loader refuses every load, by design. */
	if (stat(path, &sb) == 0 && (!S_ISREG(sb.st_mode) ||
	    sb.st_size > OPML_MAX_SIZE)) {
		snprintf(err, errlen, "not a regular file of at most %d MiB",
		    OPML_MAX_SIZE >> 20);
		return -1;
	}
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		/* GLib may fail without an error (e.g. a file that vanished). */
		snprintf(err, errlen, "%s", gerr != NULL ? gerr->message :
		    "cannot read the file");
		g_clear_error(&gerr);
		return -1;
	}
	doc = len <= OPML_MAX_SIZE ? xmlReadMemory(text, (int)len, path, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_BIG_LINES) : NULL;
	g_free(text);
	if (doc == NULL) {
		snprintf(err, errlen, "not well-formed XML");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, "opml") != 0) {
		snprintf(err, errlen, "not an OPML document (no <opml> root)");
		goto out;
	}
	for (body = root->children; body != NULL; body = body->next)
		if (body->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)body->name, "body") == 0)
			break;
	if (body == NULL) {
		snprintf(err, errlen, "OPML without a <body>");
		goto out;
	}
	walk(&c, body->children, 0);
	*feeds = c.feeds;
	*n = c.n;
	rc = 0;
 out:
	xmlFreeDoc(doc);
	return rc;
}

void
opml_feeds_free(struct opml_feed *feeds, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		free(feeds[i].title);
		free(feeds[i].url);
		free(feeds[i].html_url);
		for (j = 0; j < feeds[i].ntags; j++)
			free(feeds[i].tags[j]);
		free(feeds[i].tags);
	}
	free(feeds);
}

char *
opml_feed_refusal(const struct opml_feed *f)
{
	const char	*why, *p;
	char		*redacted, *shown, *msg;

	if (url_is_web(f->url))
		return NULL;
	for (p = f->url; *p != '\0' && (unsigned char)*p >= 0x20 &&
	    *p != 0x7f; p++)
		;
	if (*p != '\0')
		why = "holds a line break or another control character";
	else if (strncasecmp(f->url, "http://", 7) != 0 &&
	    strncasecmp(f->url, "https://", 8) != 0)
		why = "is not an http or https URL";
	else
		why = "is not a valid http or https URL (it needs a host; "
		    "spaces and quotes must be percent-encoded)";
	redacted = url_redact(f->url);
	shown = clean(redacted, OPML_MAX_SHOWN);
	if (f->title != NULL)
		msg = xasprintf("outline '%s': xmlUrl '%s' (line %d) %s",
		    f->title, shown ? shown : "", f->line, why);
	else
		msg = xasprintf("outline without a title: xmlUrl '%s' (line "
		    "%d) %s", shown ? shown : "", f->line, why);
	free(shown);
	free(redacted);
	return msg;
}

/*
 * The folder 'tag' in 'parent', made where it is first needed: 'folders'
 * maps "PARENT/TAG" (the parent by its address) to it, so that each feed
 * costs a lookup per tag however many there are.
 */
static xmlNode *
folder(GHashTable *folders, xmlNode *parent, const char *tag)
{
	xmlNode	*o;
	char	*key;

	key = xasprintf("%p/%s", (void *)parent, tag);
	if ((o = g_hash_table_lookup(folders, key)) != NULL) {
		free(key);
		return o;
	}
	o = xmlNewChild(parent, NULL, BAD_CAST "outline", NULL);
	xmlNewProp(o, BAD_CAST "text", BAD_CAST tag);
	xmlNewProp(o, BAD_CAST "title", BAD_CAST tag);
	g_hash_table_insert(folders, key, o);
	return o;
}

char *
opml_write(const struct opml_feed *feeds, size_t n, const char *title)
{
	GHashTable	*folders;
	xmlDoc		*doc;
	xmlNode		*root, *head, *body, *parent, *o;
	xmlChar		*mem;
	char		*s, *url, *html;
	const char	*text;
	int		 len;
	size_t		 i, j;

	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "opml");
	xmlNewProp(root, BAD_CAST "version", BAD_CAST "2.0");
	xmlDocSetRootElement(doc, root);
	head = xmlNewChild(root, NULL, BAD_CAST "head", NULL);
	xmlNewTextChild(head, NULL, BAD_CAST "title", BAD_CAST title);
	body = xmlNewChild(root, NULL, BAD_CAST "body", NULL);
	folders = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	for (i = 0; i < n; i++) {
		parent = body;
		for (j = 0; j < feeds[i].ntags; j++)
			parent = folder(folders, parent, feeds[i].tags[j]);
		url = url_redact(feeds[i].url);
		text = feeds[i].title != NULL ? feeds[i].title : url;
		o = xmlNewChild(parent, NULL, BAD_CAST "outline", NULL);
		xmlNewProp(o, BAD_CAST "type", BAD_CAST "rss");
		xmlNewProp(o, BAD_CAST "text", BAD_CAST text);
		xmlNewProp(o, BAD_CAST "title", BAD_CAST text);
		xmlNewProp(o, BAD_CAST "xmlUrl", BAD_CAST url);
		if (feeds[i].html_url != NULL) {
			html = url_redact(feeds[i].html_url);
			xmlNewProp(o, BAD_CAST "htmlUrl", BAD_CAST html);
			free(html);
		}
		free(url);
	}
	g_hash_table_destroy(folders);
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	s = xstrndup((const char *)mem, (size_t)len);
	xmlFree(mem);
	xmlFreeDoc(doc);
	return s;
}
