/* opml.c: OPML subscription lists with libxml2's tree API. */
#include "opml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "xmalloc.h"

#define OPML_MAX_SIZE	(16 << 20)

struct collect {
	struct opml_feed	*feeds;
	size_t			 n;
	char			*tags[16];	/* enclosing folders */
	size_t			 ntags;
};

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
		if (*last == '\0')
			continue;
		f->tags = xreallocarray(f->tags, f->ntags + 2,
		    sizeof(*f->tags));
		f->tags[f->ntags++] = xstrdup(last);
		f->tags[f->ntags] = NULL;
	}
	free(cat);
}

static void
walk(struct collect *c, xmlNode *node, int depth)
{
	struct opml_feed	*f;
	char			*url, *text;
	size_t			 i;

	for (; node != NULL; node = node->next) {
		if (node->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)node->name, "outline") != 0)
			continue;
		text = attr(node, "text");
		if (text == NULL)
			text = attr(node, "title");
		if ((url = attr(node, "xmlUrl")) != NULL) {
			c->feeds = xreallocarray(c->feeds, c->n + 1,
			    sizeof(*c->feeds));
			f = &c->feeds[c->n++];
			f->url = url;
			f->title = text;
			text = NULL;
			f->ntags = c->ntags;
			f->tags = xcalloc(c->ntags + 1, sizeof(*f->tags));
			for (i = 0; i < c->ntags; i++)
				f->tags[i] = xstrdup(c->tags[i]);
			add_categories(f, node);
		}
		/* Depth is bounded: a hostile file cannot recurse forever. */
		if (node->children != NULL && depth < 32) {
			int pushed = text != NULL &&
			    c->ntags < sizeof(c->tags) / sizeof(c->tags[0]);

			if (pushed)
				c->tags[c->ntags++] = text;
			walk(c, node->children, depth + 1);
			if (pushed) {
				c->ntags--;
				text = NULL;
				free(c->tags[c->ntags]);
			}
		}
		free(text);
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
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING) : NULL;
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
		for (j = 0; j < feeds[i].ntags; j++)
			free(feeds[i].tags[j]);
		free(feeds[i].tags);
	}
	free(feeds);
}

static char *
join_tags(const struct opml_feed *f)
{
	size_t	 i, len = 1;
	char	*s;

	for (i = 0; i < f->ntags; i++)
		len += strlen(f->tags[i]) + 2;
	s = xcalloc(1, len);
	for (i = 0; i < f->ntags; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, "/");
		strcat(s, f->tags[i]);
	}
	return s;
}

char *
opml_write(const struct opml_feed *feeds, size_t n, const char *title)
{
	xmlDoc		*doc;
	xmlNode		*root, *head, *body, *o;
	xmlChar		*mem;
	char		*s, *cat;
	int		 len;
	size_t		 i;

	doc = xmlNewDoc(BAD_CAST "1.0");
	root = xmlNewNode(NULL, BAD_CAST "opml");
	xmlNewProp(root, BAD_CAST "version", BAD_CAST "2.0");
	xmlDocSetRootElement(doc, root);
	head = xmlNewChild(root, NULL, BAD_CAST "head", NULL);
	xmlNewTextChild(head, NULL, BAD_CAST "title", BAD_CAST title);
	body = xmlNewChild(root, NULL, BAD_CAST "body", NULL);
	for (i = 0; i < n; i++) {
		o = xmlNewChild(body, NULL, BAD_CAST "outline", NULL);
		xmlNewProp(o, BAD_CAST "type", BAD_CAST "rss");
		xmlNewProp(o, BAD_CAST "text", BAD_CAST (feeds[i].title ?
		    feeds[i].title : feeds[i].url));
		xmlNewProp(o, BAD_CAST "xmlUrl", BAD_CAST feeds[i].url);
		if (feeds[i].ntags > 0) {
			cat = join_tags(&feeds[i]);
			xmlNewProp(o, BAD_CAST "category", BAD_CAST cat);
			free(cat);
		}
	}
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	s = xstrndup((const char *)mem, (size_t)len);
	xmlFree(mem);
	xmlFreeDoc(doc);
	return s;
}
