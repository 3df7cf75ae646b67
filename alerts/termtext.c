/*
 * termtext.c: alerts as lines for a terminal, feed text made inert.
 *
 * Text from an alert reaches the output only through append_clean();
 * the escape sequences around it (colours) are ours.
 */
#include "termtext.h"

#include <string.h>

#include <glib.h>

#include "url.h"
#include "xmalloc.h"

#define ESC		0x1b
#define BEL		0x07

/* SGR sequences: what each part of an entry looks like in colour. */
#define SGR_RESET	"\033[0m"
#define SGR_TIME	"\033[2m"	/* dim */
#define SGR_TOPICS	"\033[33m"	/* yellow */
#define SGR_URGENT	"\033[1;31m"	/* bold red: a high priority */
#define SGR_FEED	"\033[36m"	/* cyan */
#define SGR_TITLE	"\033[1m"	/* bold */

/* One item of the send, with every topic of its alerts. */
struct entry {
	const json_t	*a;		/* the first alert about it */
	GString		*topics;
	int		 urgent;
};

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * Past the control string that starts at 'p' (after OSC, DCS, SOS, PM or
 * APC): it ends with BEL or ST, ESC '\' or U+009C.
 */
static const char *
skip_string(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == BEL)
			return p + 1;
		if (*p == ESC && p[1] == '\\')
			return p + 2;
		if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0x9c)
			return p + 2;
	}
	return p;
}

/* Past the parameters, intermediates and final byte of a CSI at 'p'. */
static const char *
skip_csi(const char *p)
{
	while (*p >= 0x20 && *p <= 0x3f)
		p++;
	return *p >= 0x40 && *p <= 0x7e ? p + 1 : p;
}

/* Past the escape sequence that starts with ESC at 'p'. */
static const char *
skip_esc(const char *p)
{
	p++;
	if (*p == '[')
		return skip_csi(p + 1);
	if (*p != '\0' && strchr("]PX^_", *p) != NULL)
		return skip_string(p + 1);
	while (*p >= 0x20 && *p <= 0x2f)	/* intermediates */
		p++;
	return *p >= 0x30 && *p <= 0x7e ? p + 1 : p;
}

/* Bidirectional embeddings, overrides and isolates. */
static int
is_bidi_control(gunichar c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * Appends the UTF-8 text 's' (from a feed) with what could drive a
 * terminal taken out; see termtext.h.
 */
static void
append_clean(GString *g, const char *s)
{
	const char	*p = s, *next;
	gunichar	 c;

	while (*p != '\0') {
		if (*p == ESC) {
			p = skip_esc(p);
			continue;
		}
		if ((c = g_utf8_get_char_validated(p, -1)) == (gunichar)-1 ||
		    c == (gunichar)-2) {
			p++;	/* not UTF-8: jansson never gives that */
			continue;
		}
		next = g_utf8_next_char(p);
		if (c == 0x9b)
			next = skip_csi(next);
		else if (c == 0x90 || c == 0x98 || c == 0x9d || c == 0x9e ||
		    c == 0x9f)
			next = skip_string(next);
		else if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			g_string_append_c(g, ' ');
		else if (!is_bidi_control(c))
			g_string_append_len(g, p, next - p);
		p = next;
	}
}

/* 'text' made inert, between 'sgr' and a reset when in colour. */
static void
append_part(GString *g, const char *text, const char *sgr, int colour)
{
	if (colour)
		g_string_append(g, sgr);
	append_clean(g, text);
	if (colour)
		g_string_append(g, SGR_RESET);
}

/* "2019-05-14 20:30", local time, of the item (or of its detection). */
static void
append_time(GString *g, const json_t *a, int colour)
{
	const char	*iso = jstr(a, "published");
	GDateTime	*utc, *local;
	gchar		*s;

	if (iso == NULL)
		iso = jstr(a, "detected");
	if (iso == NULL || (utc = g_date_time_new_from_iso8601(iso,
	    NULL)) == NULL)
		return;
	local = g_date_time_to_local(utc);
	s = g_date_time_format(local, "%Y-%m-%d %H:%M");
	append_part(g, s, SGR_TIME, colour);
	g_string_append_c(g, ' ');
	g_free(s);
	g_date_time_unref(local);
	g_date_time_unref(utc);
}

static void
append_entry(GString *g, const struct entry *e, int colour)
{
	const char	*feed = jstr(e->a, "feed_title"), *title, *link;

	if (feed == NULL || *feed == '\0')
		feed = jstr(e->a, "feed");
	if ((title = jstr(e->a, "title")) == NULL || *title == '\0')
		title = "(untitled)";
	append_time(g, e->a, colour);
	g_string_append_c(g, '[');
	append_part(g, e->topics->str, e->urgent ? SGR_URGENT : SGR_TOPICS,
	    colour);
	g_string_append(g, "] ");
	if (feed != NULL) {
		append_part(g, feed, SGR_FEED, colour);
		g_string_append(g, " \xe2\x80\x94 ");
	}
	append_part(g, title, SGR_TITLE, colour);
	g_string_append_c(g, '\n');
	/* A web link is printable ASCII and nothing else (url.h). */
	if (url_is_web(link = jstr(e->a, "link")))
		g_string_append_printf(g, "  %s\n", link);
}

/* The entry of 'entries' about the item of 'a', or NULL. */
static struct entry *
entry_of(struct entry *entries, size_t n, const json_t *a)
{
	const char	*feed = jstr(a, "feed"), *id = jstr(a, "id");
	size_t		 i;

	for (i = 0; feed != NULL && id != NULL && i < n; i++)
		if (g_strcmp0(jstr(entries[i].a, "feed"), feed) == 0 &&
		    g_strcmp0(jstr(entries[i].a, "id"), id) == 0)
			return &entries[i];
	return NULL;
}

char *
termtext_render(const json_t *arr, int colour)
{
	GString		*g = g_string_new(NULL);
	struct entry	*entries, *e;
	const json_t	*a;
	const char	*topic;
	size_t		 i, n = 0;
	char		*text;

	entries = xcalloc(json_array_size(arr) + 1, sizeof(*entries));
	for (i = 0; i < json_array_size(arr); i++) {
		a = json_array_get(arr, i);
		if ((e = entry_of(entries, n, a)) == NULL) {
			e = &entries[n++];
			e->a = a;
			e->topics = g_string_new(NULL);
		} else
			g_string_append(e->topics, ", ");
		topic = jstr(a, "topic");
		g_string_append(e->topics, topic != NULL ? topic : "?");
		e->urgent |= g_strcmp0(jstr(a, "priority"), "high") == 0;
	}
	for (i = 0; i < n; i++) {
		append_entry(g, &entries[i], colour);
		g_string_free(entries[i].topics, TRUE);
	}
	free(entries);
	text = xstrdup(g->str);
	g_string_free(g, TRUE);
	return text;
}
