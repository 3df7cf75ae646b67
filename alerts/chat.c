/*
 * chat.c: webhook bodies, one builder per format over parsed alerts.
 *
 * Text from an alert (or a topic name from the config) reaches a message
 * only through append_text() or append_html(), with the escaping of its
 * place in the message; a link only once drop_bad_links() has left web
 * links, and inside link syntax through append_url().  The rest of a
 * message is ours.
 */
#include "chat.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "sink.h"
#include "url.h"
#include "xmalloc.h"

#define DISCORD_EMBEDS	10
#define TEXT_MAX	3500	/* characters of a chat message we build */
#define URGENT_MARK	"\xf0\x9f\x9a\xa8 "	/* U+1F6A8, a revolving light */

static const char *const format_names[] = {
	"json", "slack", "discord", "mattermost", "ntfy", "matrix"
};

int
chat_format_parse(const char *name, enum chat_format *format)
{
	size_t	 i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*format = i;
			return 0;
		}
	return -1;
}

const char *
chat_format_name(enum chat_format format)
{
	return format_names[format];
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

#define ZWSP	"\xe2\x80\x8b"	/* U+200B ZERO WIDTH SPACE */

/*
 * How feed text is made inert in a chat message (man/sinks.md has the
 * table).  In every mode the text stays on one line (control characters
 * become spaces: the lines of a message are ours) and each '@' is followed
 * by a zero-width space, so that "@channel", "@here", "@all", "@everyone",
 * "@room" or "@someone" is a mention on no service.
 */
enum esc {
	ESC_PLAIN,	/* ntfy, the Matrix body, Discord footers */
	ESC_SLACK,	/* mrkdwn: &<> as entities, *_~` fenced by U+200B */
	ESC_MARKDOWN	/* Discord, Mattermost: backslash escapes */
};

/* Markdown's inline punctuation; a backslash makes each one literal. */
static const char md_special[] = "\\`*_~|[]()<>#&";

/*
 * Slack has no escape for its mrkdwn marks.  Its advice is a space on
 * each side; a zero-width one keeps the text as it reads.
 */
static void
append_slack_char(GString *g, char c)
{
	switch (c) {
	case '&':
		g_string_append(g, "&amp;");
		break;
	case '<':
		g_string_append(g, "&lt;");
		break;
	case '>':
		g_string_append(g, "&gt;");
		break;
	case '*':
	case '_':
	case '~':
	case '`':
		g_string_append_printf(g, ZWSP "%c" ZWSP, c);
		break;
	default:
		g_string_append_c(g, c);
	}
}

/* 1 if s[i] makes 's' start a Markdown list: "- ", "+ ", "12. ", "3) ". */
static int
md_list_mark(const char *s, size_t i)
{
	size_t	 j;

	if (i == 0)
		return s[0] == '-' || s[0] == '+';
	if (s[i] != '.' && s[i] != ')')
		return 0;
	for (j = 0; j < i; j++)
		if (!g_ascii_isdigit(s[j]))
			return 0;
	return 1;
}

/* Appends text from outside (or config), inert as 'how' says. */
static void
append_text(GString *g, const char *s, enum esc how)
{
	size_t	 i;
	char	 c;

	for (i = 0; s != NULL && s[i] != '\0'; i++) {
		c = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
		if (how == ESC_SLACK)
			append_slack_char(g, c);
		else {
			if (how == ESC_MARKDOWN && (strchr(md_special, c) !=
			    NULL || md_list_mark(s, i)))
				g_string_append_c(g, '\\');
			g_string_append_c(g, c);
		}
		if (c == '@')
			g_string_append(g, ZWSP);
	}
}

/* Appends 't', text made inert as ESC_PLAIN, markup-escaped; frees 't'. */
static void
append_html_take(GString *g, GString *t)
{
	gchar	*e = g_markup_escape_text(t->str, -1);

	g_string_append(g, e);
	g_free(e);
	g_string_free(t, TRUE);
}

/* Text from outside as HTML: inert as ESC_PLAIN, then markup-escaped. */
static void
append_html(GString *g, const char *s)
{
	GString	*t = g_string_new(NULL);

	append_text(t, s, ESC_PLAIN);
	append_html_take(g, t);
}

/*
 * A link target inside Slack's <URL|TEXT> or Markdown's [TEXT](URL):
 * nothing in it may end it early.  (A web link has none of these; this
 * only makes sure.)
 */
static void
append_url(GString *g, const char *url, enum esc how)
{
	const char	*enc = how == ESC_SLACK ? "|<> " : "()<> ";

	for (; *url != '\0'; url++)
		if (strchr(enc, *url) != NULL)
			g_string_append_printf(g, "%%%02X",
			    (unsigned char)*url);
		else if (how == ESC_SLACK && *url == '&')
			g_string_append(g, "&amp;");
		else
			g_string_append_c(g, *url);
}

/* A field for display: "" when absent. */
static const char *
jtext(const json_t *o, const char *key)
{
	const char	*s = jstr(o, key);

	return s != NULL ? s : "";
}

static const char *
feed_of(const json_t *a)
{
	const char	*f = jstr(a, "feed_title");

	return f != NULL && *f != '\0' ? f : jtext(a, "feed");
}

/* The strings of the array 'v', inert as 'how', joined by ", ". */
static void
append_list(GString *g, const json_t *v, enum esc how)
{
	size_t	 i;

	for (i = 0; i < json_array_size(v); i++)
		if (json_string_value(json_array_get(v, i)) != NULL) {
			if (i > 0)
				g_string_append(g, ", ");
			append_text(g, json_string_value(json_array_get(v,
			    i)), how);
		}
}

/*
 * "TOPICS: MATCHED": the topics of an item and the words they matched,
 * and where if not in the feed.
 */
static void
append_topic(GString *g, const json_t *a, enum esc how)
{
	append_list(g, json_object_get(a, "topics"), how);
	g_string_append(g, ": ");
	append_list(g, json_object_get(a, "matched"), how);
	if (sink_alert_in_article(a))
		g_string_append(g, " (in the article)");
}

/*
 * "FEED . TOPICS: MATCHED" (with U+00B7 MIDDLE DOT for the dot), the feed
 * between 'marks' (Slack: "_").
 */
static void
append_origin(GString *g, const json_t *a, enum esc how, const char *marks)
{
	g_string_append(g, marks);
	append_text(g, feed_of(a), how);
	g_string_append_printf(g, "%s \xc2\xb7 ", marks);
	append_topic(g, a, how);
}

/*
 * The title of 'a', a link to its web link when it has one: Slack's
 * <URL|TITLE>, Markdown's [TITLE](URL).
 */
static void
append_title_link(GString *g, const json_t *a, enum esc how)
{
	const char	*link = jstr(a, "link");

	if (link == NULL)
		append_text(g, sink_alert_title(a), how);
	else if (how == ESC_SLACK) {
		g_string_append(g, "<");
		append_url(g, link, how);
		g_string_append(g, "|");
		append_text(g, sink_alert_title(a), how);
		g_string_append(g, ">");
	} else {
		g_string_append(g, "[");
		append_text(g, sink_alert_title(a), how);
		g_string_append(g, "](");
		append_url(g, link, how);
		g_string_append(g, ")");
	}
}

/*
 * A UTF-8 string cut to 'max' characters, with an ellipsis if cut, and
 * never half a backslash escape before it.
 */
static json_t *
jtrunc(const char *s, long max)
{
	gchar	*cut;
	json_t	*j;
	size_t	 n, k;

	if (s == NULL)
		s = "";
	if (g_utf8_strlen(s, -1) <= max)
		return json_string(s);
	cut = g_utf8_substring(s, 0, max - 1);
	n = strlen(cut);
	for (k = 0; k < n && cut[n - 1 - k] == '\\'; k++)
		;
	if (k % 2 == 1)
		cut[n - 1] = '\0';
	j = json_pack("s+", cut, "\xe2\x80\xa6");
	g_free(cut);
	return j;
}

/*
 * A heading for a digest of 'items': "3 feedwatch alerts for 'crimea'",
 * or "for 'crimea', 'lavrov'".
 */
static void
append_heading(GString *g, const json_t *items, enum esc how)
{
	json_t	*topics = sink_items_topics(items);
	size_t	 i, n = json_array_size(items);

	g_string_append_printf(g, "%zu feedwatch alert%s", n, n == 1 ? "" :
	    "s");
	for (i = 0; i < json_array_size(topics); i++) {
		g_string_append(g, i == 0 ? " for '" : ", '");
		append_text(g, json_string_value(json_array_get(topics, i)),
		    how);
		g_string_append(g, "'");
	}
	json_decref(topics);
}

/*
 * The text of a Slack or Mattermost message: for a digest a heading line,
 * then each alert as 'one' writes it while the text is under TEXT_MAX.
 */
static GString *
text_lines(const json_t *items, enum esc how,
    void (*one)(GString *, const json_t *, size_t))
{
	GString	*g = g_string_new(NULL);
	size_t	 i, n = json_array_size(items);

	if (sink_alerts_priority(items) == SINK_PRIORITY_HIGH)
		g_string_append(g, URGENT_MARK);
	if (n > 1) {
		append_heading(g, items, how);
		g_string_append(g, "\n");
	}
	for (i = 0; i < n && g->len < TEXT_MAX; i++)
		one(g, json_array_get(items, i), n);
	return g;
}

/* An alert of 'n' in mrkdwn; alone, with its snippet quoted. */
static void
slack_alert(GString *g, const json_t *a, size_t n)
{
	g_string_append(g, "*");
	append_title_link(g, a, ESC_SLACK);
	g_string_append(g, "*\n");
	append_origin(g, a, ESC_SLACK, "_");
	if (n == 1 && jstr(a, "snippet") != NULL) {
		g_string_append(g, "\n>");
		append_text(g, jstr(a, "snippet"), ESC_SLACK);
	}
	g_string_append(g, "\n");
}

/* An alert of 'n' in Markdown, a list item in a digest. */
static void
mattermost_alert(GString *g, const json_t *a, size_t n)
{
	if (n > 1)
		g_string_append(g, "- ");
	g_string_append(g, "**");
	append_title_link(g, a, ESC_MARKDOWN);
	g_string_append(g, "** \xe2\x80\x94 *");
	append_text(g, feed_of(a), ESC_MARKDOWN);
	g_string_append(g, "* (");
	append_topic(g, a, ESC_MARKDOWN);
	g_string_append(g, ")\n");
	if (n == 1 && jstr(a, "snippet") != NULL) {
		g_string_append(g, "> ");
		append_text(g, jstr(a, "snippet"), ESC_MARKDOWN);
		g_string_append(g, "\n");
	}
}

static json_t *
body_slack(const json_t *items)
{
	GString	*g = text_lines(items, ESC_SLACK, slack_alert);
	json_t	*o;

	/* No previews: a link in feed text must not make Slack fetch it. */
	o = json_pack("{s:s%, s:b, s:b}", "text", g->str, g->len,
	    "unfurl_links", 0, "unfurl_media", 0);
	g_string_free(g, TRUE);
	return o;
}

static json_t *
body_mattermost(const json_t *items)
{
	GString	*g = text_lines(items, ESC_MARKDOWN, mattermost_alert);
	json_t	*o;

	o = json_pack("{s:s%}", "text", g->str, g->len);
	g_string_free(g, TRUE);
	return o;
}

/* 's' inert as 'how', cut to 'max' characters. */
static json_t *
jtext_trunc(const char *s, enum esc how, long max)
{
	GString	*g = g_string_new(NULL);
	json_t	*j;

	append_text(g, s, how);
	j = jtrunc(g->str, max);
	g_string_free(g, TRUE);
	return j;
}

static json_t *
body_discord(const json_t *items)
{
	GString		*g = g_string_new(NULL), *f;
	const json_t	*a;
	json_t		*embeds = json_array(), *e, *o;
	size_t		 i, n = json_array_size(items);

	if (sink_alerts_priority(items) == SINK_PRIORITY_HIGH)
		g_string_append(g, URGENT_MARK);
	append_heading(g, items, ESC_MARKDOWN);
	if (n > DISCORD_EMBEDS)
		g_string_append_printf(g, " (the first %d shown)",
		    DISCORD_EMBEDS);
	for (i = 0; i < n && i < DISCORD_EMBEDS; i++) {
		a = json_array_get(items, i);
		/* Footers render no Markdown: plain, mentions broken. */
		f = g_string_new(NULL);
		append_origin(f, a, ESC_PLAIN, "");
		e = json_pack("{s:o, s:o, s:{s:o}}",
		    "title", jtext_trunc(sink_alert_title(a), ESC_MARKDOWN,
		    256),
		    "description", jtext_trunc(jstr(a, "snippet"),
		    ESC_MARKDOWN, 4096),
		    "footer", "text", jtrunc(f->str, 2048));
		g_string_free(f, TRUE);
		if (e != NULL && jstr(a, "link") != NULL)
			json_object_set_new(e, "url",
			    json_string(jstr(a, "link")));
		if (e != NULL && jstr(a, "published") != NULL)
			json_object_set_new(e, "timestamp",
			    json_string(jstr(a, "published")));
		if (e != NULL)
			json_array_append_new(embeds, e);
	}
	/* Nothing in the message may ping anyone, escaped or not. */
	o = json_pack("{s:o, s:o, s:{s:[]}}", "content", jtrunc(g->str, 2000),
	    "embeds", embeds, "allowed_mentions", "parse");
	g_string_free(g, TRUE);
	return o;
}

/* ntfy's priorities (1 min to 5 max) by enum sink_priority. */
static const int ntfy_priority[] = { 2, 3, 5 };

/*
 * ntfy's JSON publishing: feed text travels in the JSON body, never as a
 * header, and without "markdown": true ntfy shows it as plain text.
 */
static json_t *
body_ntfy(const json_t *items, const char *ntfy_topic)
{
	GString		*g = g_string_new(NULL), *t = g_string_new(NULL);
	const json_t	*a = json_array_get(items, 0);
	const char	*link;
	json_t		*o, *tags;
	size_t		 i, n = json_array_size(items);

	if (n == 1) {
		append_text(t, sink_alert_title(a), ESC_PLAIN);
		if (jstr(a, "snippet") != NULL) {
			append_text(g, jstr(a, "snippet"), ESC_PLAIN);
			g_string_append(g, "\n");
		}
		append_origin(g, a, ESC_PLAIN, "");
	} else {
		append_heading(t, items, ESC_PLAIN);
		for (i = 0; i < n && g->len < TEXT_MAX; i++) {
			a = json_array_get(items, i);
			g_string_append(g, "- ");
			append_text(g, sink_alert_title(a), ESC_PLAIN);
			g_string_append(g, " (");
			append_origin(g, a, ESC_PLAIN, "");
			g_string_append(g, ")");
			if ((link = jstr(a, "link")) != NULL)
				g_string_append_printf(g, " %s", link);
			g_string_append(g, "\n");
		}
		a = json_array_get(items, 0);
	}
	tags = sink_items_topics(items);
	json_array_insert_new(tags, 0, json_string("feedwatch"));
	o = json_pack("{s:s, s:o, s:o, s:o, s:i}", "topic", ntfy_topic,
	    "title", jtrunc(t->str, 250), "message", jtrunc(g->str, TEXT_MAX),
	    "tags", tags, "priority", ntfy_priority[sink_alerts_priority(items)]);
	if (o != NULL && n == 1 && jstr(a, "link") != NULL)
		json_object_set_new(o, "click", json_string(jstr(a, "link")));
	g_string_free(t, TRUE);
	g_string_free(g, TRUE);
	return o;
}

/* append_topic() as HTML. */
static void
append_topic_html(GString *g, const json_t *a)
{
	GString	*t = g_string_new(NULL);

	append_topic(t, a, ESC_PLAIN);
	append_html_take(g, t);
}

static json_t *
body_matrix(const json_t *items)
{
	GString		*t = g_string_new(NULL), *h = g_string_new(NULL);
	const json_t	*a;
	const char	*link;
	gchar		*e;
	size_t		 i, n = json_array_size(items);
	json_t		*o;

	if (n > 1) {
		append_heading(t, items, ESC_PLAIN);
		e = g_markup_escape_text(t->str, -1);
		g_string_append_printf(h, "<p>%s</p><ul>", e);
		g_free(e);
		g_string_append(t, "\n");
	}
	for (i = 0; i < n && t->len < TEXT_MAX; i++) {
		a = json_array_get(items, i);
		link = jstr(a, "link");
		g_string_append(t, n > 1 ? "- " : "");
		append_text(t, sink_alert_title(a), ESC_PLAIN);
		if (link != NULL)
			g_string_append_printf(t, "\n  %s", link);
		g_string_append(t, "\n  ");
		append_origin(t, a, ESC_PLAIN, "");
		g_string_append(t, "\n");
		g_string_append(h, n > 1 ? "<li>" : "<p>");
		if (link != NULL) {
			e = g_markup_escape_text(link, -1);
			g_string_append_printf(h, "<a href=\"%s\">", e);
			g_free(e);
		}
		g_string_append(h, "<b>");
		append_html(h, sink_alert_title(a));
		g_string_append(h, link != NULL ? "</b></a>" : "</b>");
		g_string_append(h, "<br><i>");
		append_html(h, feed_of(a));
		g_string_append(h, "</i> \xc2\xb7 ");
		append_topic_html(h, a);
		if (n == 1 && jstr(a, "snippet") != NULL) {
			g_string_append(h, "<br>");
			append_html(h, jstr(a, "snippet"));
			append_text(t, jstr(a, "snippet"), ESC_PLAIN);
			g_string_append(t, "\n");
		}
		g_string_append(h, n > 1 ? "</li>" : "</p>");
	}
	if (n > 1)
		g_string_append(h, "</ul>");
	/* An empty m.mentions: this message mentions nobody, @room included. */
	o = json_pack("{s:s, s:s%, s:s, s:s%, s:{}}", "msgtype", "m.notice",
	    "body", t->str, t->len, "format", "org.matrix.custom.html",
	    "formatted_body", h->str, h->len, "m.mentions");
	g_string_free(t, TRUE);
	g_string_free(h, TRUE);
	return o;
}

/*
 * Links that are not web URLs become null, whatever stored them (an
 * outbox row from an older version, a digest, test-sink): only http and
 * https links are ever clickable.  Returns how many went.
 */
static size_t
drop_bad_links(json_t *arr)
{
	json_t	*a;
	size_t	 i, n = 0;

	json_array_foreach(arr, i, a)
		if (jstr(a, "link") != NULL && !url_is_web(jstr(a, "link"))) {
			json_object_set_new(a, "link", json_null());
			n++;
		}
	return n;
}

char *
chat_body(enum chat_format format, const char *const *alerts, json_t *arr,
    const char *ntfy_topic)
{
	json_t	*o = NULL, *items;
	char	*s;
	size_t	 dropped = drop_bad_links(arr);

	/* One alert goes out as stored, if its link was fine. */
	if (format == CHAT_JSON && dropped == 0 && json_array_size(arr) == 1)
		return xstrdup(alerts[0]);
	/* The chat formats tell an item once, naming all its topics. */
	items = sink_alerts_items(arr);
	switch (format) {
	case CHAT_JSON:
		o = json_array_size(arr) == 1 ?
		    json_incref(json_array_get(arr, 0)) :
		    json_pack("{s:O}", "digest", arr);
		break;
	case CHAT_SLACK:
		o = body_slack(items);
		break;
	case CHAT_DISCORD:
		o = body_discord(items);
		break;
	case CHAT_MATTERMOST:
		o = body_mattermost(items);
		break;
	case CHAT_NTFY:
		o = body_ntfy(items, ntfy_topic);
		break;
	case CHAT_MATRIX:
		o = body_matrix(items);
		break;
	}
	json_decref(items);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
