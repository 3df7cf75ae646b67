/*
 * entry.c: the items of one document, assembled and handed out (entry.h).
 *
 * The text work is done once per item, at its end (entry_emit), into one
 * reused text_buf: the readers only collect raw text, most of which a
 * seen-filter then makes unnecessary.
 */
#include "entry.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <libxml/uri.h>

#include "date.h"
#include "html.h"
#include "item.h"
#include "log.h"
#include "raw.h"
#include "text.h"
#include "xmalloc.h"

struct entry {
	/* the item being read, by enum entry_field (no text for categories) */
	struct raw	 field[ENTRY_NFIELDS];
	int		 rank[ENTRY_NFIELDS];
	int		 type[ENTRY_NFIELDS];	/* enum entry_type */
	char		*cats[ENTRY_MAX_CATS];
	size_t		 ncats;

	/* the feed */
	char		*url;
	const char	*doc_base;	/* url, if it is a web address */
	char		*feed_title;
	char		*channel_link;

	/* the hand-over */
	feed_item_cb	*cb;
	void		*arg;
	feed_seen_cb	*seen;
	void		*seen_arg;
	size_t		 max_items;
	size_t		 count;
	size_t		 nseen;
	int		 full;		/* item cap reached */
	int		 stopped;	/* by the callback */

	struct text_buf	 tb;		/* conversions */
};

struct entry *
entry_new(const char *url, feed_item_cb *cb, void *arg)
{
	struct entry	*e;

	e = xcalloc(1, sizeof(*e));
	e->url = url != NULL ? xstrdup(url) : NULL;
	/*
	 * Only a web address is a base for the feed's links: where a local
	 * copy (file:) lies says nothing about them; the channel link does.
	 */
	if (url != NULL && (g_ascii_strncasecmp(url, "http://", 7) == 0 ||
	    g_ascii_strncasecmp(url, "https://", 8) == 0))
		e->doc_base = e->url;
	e->cb = cb;
	e->arg = arg;
	e->max_items = FEED_PARSER_MAX_ITEMS;
	text_buf_init(&e->tb, ENTRY_MAX_TEXT);
	return e;
}

void
entry_set_max_items(struct entry *e, size_t max_items)
{
	e->max_items = max_items;
}

void
entry_set_seen(struct entry *e, feed_seen_cb *seen, void *arg)
{
	e->seen = seen;
	e->seen_arg = arg;
}

int
entry_url_is_absolute(const char *s)
{
	size_t	 i;

	if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] == ':')
			return 1;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	}
	return 0;
}

char *
entry_resolve(const struct entry *e, const char *base, const char *ref)
{
	xmlChar		*u;
	char		*r;

	if (*ref == '\0')
		return NULL;
	if (entry_url_is_absolute(ref))
		return xstrdup(ref);
	if (base == NULL)
		base = e->doc_base != NULL ? e->doc_base : e->channel_link;
	if (base == NULL)
		return xstrdup(ref);
	u = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
	if (u == NULL)
		return xstrdup(ref);
	r = xstrdup((const char *)u);
	xmlFree(u);
	return r;
}

const char *
entry_text(struct entry *e, const char *s, size_t n, enum entry_type type,
    size_t max)
{
	text_buf_reset(&e->tb);
	e->tb.max = max;
	if (type == ENTRY_TEXT)
		text_buf_add(&e->tb, s, n);
	else if (type == ENTRY_GUESS)
		html_maybe_to_text(s, n, &e->tb);
	else
		html_to_text(s, n, &e->tb);
	return text_buf_str(&e->tb);
}

/* The text of field 'f' read as plain text, as entry_text. */
static const char *
plain(struct entry *e, enum entry_field f, size_t max)
{
	return entry_text(e, raw_str(&e->field[f]), e->field[f].len,
	    ENTRY_TEXT, max);
}

/* The text of field 'f' read as its type, as entry_text. */
static const char *
convert(struct entry *e, enum entry_field f, size_t max)
{
	return entry_text(e, raw_str(&e->field[f]), e->field[f].len,
	    e->type[f], max);
}

/*
 * 1 if the text of 'r' is not empty once trimmed.  A printable ASCII byte
 * before any other byte settles it without the text_buf work; what is
 * left (white space, controls, non-ASCII first) is decided by entry_text.
 */
static int
has_text(struct entry *e, const struct raw *r)
{
	size_t	 i;

	for (i = 0; i < r->len; i++) {
		if ((unsigned char)r->s[i] >= 0x7f)
			break;
		if ((unsigned char)r->s[i] > ' ')
			return 1;
	}
	return r->len > 0 &&
	    *entry_text(e, raw_str(r), r->len, ENTRY_TEXT, 16) != '\0';
}

void
entry_clear(struct entry *e)
{
	size_t	 i;

	for (i = 0; i < ENTRY_NFIELDS; i++) {
		raw_reset(&e->field[i]);
		e->rank[i] = 0;
	}
	for (i = 0; i < e->ncats; i++)
		free(e->cats[i]);
	e->ncats = 0;
}

void
entry_category(struct entry *e, const char *s, size_t n)
{
	const char	*t;
	size_t		 i;

	t = entry_text(e, s, n, ENTRY_TEXT, ENTRY_MAX_SHORT);
	if (*t == '\0' || e->ncats == ENTRY_MAX_CATS)
		return;
	for (i = 0; i < e->ncats; i++)
		if (strcmp(e->cats[i], t) == 0)
			return;
	e->cats[e->ncats++] = xstrdup(t);
}

/* 's' becomes the link, with 'rank'. */
static void
link_set(struct entry *e, const char *s, int rank)
{
	raw_set(&e->field[ENTRY_LINK], s, ENTRY_MAX_RAW);
	e->rank[ENTRY_LINK] = rank;
}

void
entry_link(struct entry *e, const char *base, const char *ref, int rank,
    int ties)
{
	char	*abs;

	if (rank < e->rank[ENTRY_LINK] || (rank == e->rank[ENTRY_LINK] &&
	    !ties))
		return;
	if ((abs = entry_resolve(e, base, ref)) == NULL)
		return;
	link_set(e, abs, rank);
	free(abs);
}

void
entry_take(struct entry *e, enum entry_field f, struct raw *r,
    enum entry_type type, int rank, const char *base)
{
	const char	*t;

	switch (f) {
	case ENTRY_ID:
		/* a permalink guid is also the link of last resort */
		if (rank == ENTRY_PERMALINK && e->rank[ENTRY_LINK] < 1) {
			t = entry_text(e, raw_str(r), r->len, ENTRY_TEXT,
			    ENTRY_MAX_RAW);
			if (entry_url_is_absolute(t))
				link_set(e, t, 1);
		}
		rank = 3;
		break;
	case ENTRY_LINK:
		entry_link(e, base, entry_text(e, raw_str(r), r->len,
		    ENTRY_TEXT, ENTRY_MAX_RAW), rank, 0);
		goto out;
	case ENTRY_EMAIL:
		if (e->field[f].len == 0)
			raw_swap(&e->field[f], r);
		goto out;
	case ENTRY_CATEGORY:
		entry_category(e, raw_str(r), r->len);
		goto out;
	default:
		break;
	}
	/* Empty fields do not displace anything. */
	if (rank > e->rank[f] && has_text(e, r)) {
		raw_swap(&e->field[f], r);
		e->rank[f] = rank;
		e->type[f] = type;
	}
 out:
	raw_reset(r);
}

void
entry_set(struct entry *e, enum entry_field f, const char *s, size_t max,
    enum entry_type type)
{
	raw_set(&e->field[f], s, max);
	e->type[f] = type;
}

/* "sha256:" and 32 hex digits of the item's text: the last-resort id. */
static char *
hash_id(const char *title, time_t t, const char *summary)
{
	GChecksum	*ck;
	char		 date[21] = "";
	char		*id;

	if (t != FEED_ITEM_NO_DATE)
		feed_time_format(t, date);
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)(title ? title : ""), -1);
	g_checksum_update(ck, (const guchar *)"\n", 1);
	g_checksum_update(ck, (const guchar *)date, -1);
	g_checksum_update(ck, (const guchar *)"\n", 1);
	g_checksum_update(ck, (const guchar *)(summary ? summary : ""), -1);
	id = xasprintf("sha256:%.32s", g_checksum_get_string(ck));
	g_checksum_free(ck);
	return id;
}

static char *
nonempty_dup(const char *s)
{
	return *s == '\0' ? NULL : xstrdup(s);
}

/* A date field as seconds, or FEED_ITEM_NO_DATE. */
static time_t
date_of(const struct entry *e, enum entry_field f)
{
	return e->field[f].len ? date_parse(raw_str(&e->field[f])) :
	    FEED_ITEM_NO_DATE;
}

int
entry_emit(struct entry *e, int atom)
{
	struct feed_item	 it;
	char			*title = NULL, *summary = NULL, *author = NULL;
	char			*id = NULL, *link = NULL, *who;

	if (e->stopped)
		return -1;
	if (e->count >= e->max_items) {
		if (!e->full)
			log_debug("'%s': more than %zu items, the rest is "
			    "ignored", e->url ? e->url : "-", e->max_items);
		e->full = 1;
		return 0;
	}
	e->count++;
	memset(&it, 0, sizeof(it));
	it.feed = e->url;
	it.feed_title = e->feed_title;
	link = nonempty_dup(plain(e, ENTRY_LINK, ENTRY_MAX_RAW));
	id = nonempty_dup(plain(e, ENTRY_ID, ENTRY_MAX_SHORT));
	/* An Atom id that is a web address is the link of last resort. */
	if (link == NULL && id != NULL && atom &&
	    (strncasecmp(id, "http://", 7) == 0 ||
	    strncasecmp(id, "https://", 8) == 0))
		link = xstrdup(id);
	if (id == NULL && link != NULL)
		id = xstrdup(link);
	/* In the daemon, a seen item needs no further work. */
	if (id != NULL && e->seen != NULL && e->seen(id, e->seen_arg)) {
		e->nseen++;
		goto out;
	}
	it.published = date_of(e, ENTRY_PUBLISHED);
	it.updated = date_of(e, ENTRY_UPDATED);
	title = nonempty_dup(convert(e, ENTRY_TITLE, ENTRY_MAX_SHORT));
	if (e->field[ENTRY_SUMMARY].len > 0)
		summary = nonempty_dup(convert(e, ENTRY_SUMMARY,
		    ENTRY_MAX_TEXT));
	if (summary == NULL && e->field[ENTRY_CONTENT].len > 0)
		summary = nonempty_dup(convert(e, ENTRY_CONTENT,
		    ENTRY_MAX_TEXT));
	who = nonempty_dup(plain(e, ENTRY_AUTHOR, ENTRY_MAX_SHORT));
	if (who != NULL && e->field[ENTRY_EMAIL].len > 0) {
		author = xasprintf("%s (%s)", who,
		    plain(e, ENTRY_EMAIL, ENTRY_MAX_SHORT));
		free(who);
	} else if (who == NULL && e->field[ENTRY_EMAIL].len > 0)
		author = nonempty_dup(plain(e, ENTRY_EMAIL, ENTRY_MAX_SHORT));
	else
		author = who;
	if (id == NULL)
		id = hash_id(title, it.published != FEED_ITEM_NO_DATE ?
		    it.published : it.updated, summary);
	it.id = id;
	it.title = title;
	it.link = link;
	it.author = author;
	it.summary = summary;
	it.categories = (const char *const *)e->cats;
	it.ncategories = e->ncats;
	if (e->cb(&it, e->arg) == -1)
		e->stopped = 1;
 out:
	free(title);
	free(summary);
	free(author);
	free(id);
	free(link);
	entry_clear(e);
	return e->stopped ? -1 : 0;
}

int
entry_full(const struct entry *e)
{
	return e->full;
}

int
entry_stopped(const struct entry *e)
{
	return e->stopped;
}

size_t
entry_count(const struct entry *e)
{
	return e->count;
}

size_t
entry_seen_count(const struct entry *e)
{
	return e->nseen;
}

void
entry_set_feed_title(struct entry *e, const char *s, size_t n,
    enum entry_type type)
{
	if (e->feed_title == NULL)
		e->feed_title = nonempty_dup(entry_text(e, s, n, type,
		    ENTRY_MAX_SHORT));
}

void
entry_set_feed_link(struct entry *e, const char *base, const char *ref)
{
	if (e->channel_link == NULL)
		e->channel_link = entry_resolve(e, base, ref);
}

const char *
entry_feed_title(const struct entry *e)
{
	return e->feed_title;
}

const char *
entry_feed_link(const struct entry *e)
{
	return e->channel_link;
}

void
entry_free(struct entry *e)
{
	size_t	 i;

	if (e == NULL)
		return;
	entry_clear(e);
	for (i = 0; i < ENTRY_NFIELDS; i++)
		raw_release(&e->field[i]);
	text_buf_release(&e->tb);
	free(e->feed_title);
	free(e->channel_link);
	free(e->url);
	free(e);
}
