/*
 * sink_webhook.c: alerts as HTTP POSTs, on the shared curl multi handle.
 *
 * One struct wh_req per send owns everything curl borrows (the header
 * list, the body, the url) and the key; netsink keeps it with the
 * transfer and frees it in one place, request_free, when the send ends or
 * is cancelled.
 */
#include "sink_webhook.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <glib.h>
#include <jansson.h>

#include "log.h"
#include "netsink.h"
#include "url.h"
#include "xfer.h"
#include "xmalloc.h"

#define RESP_KEEP	300	/* bytes of a response body kept for errors */
#define DISCORD_EMBEDS	10
#define TEXT_MAX	3500	/* characters of a chat message we build */

enum wh_format {
	WH_JSON,
	WH_SLACK,
	WH_DISCORD,
	WH_MATTERMOST,
	WH_NTFY,
	WH_MATRIX
};

struct wh_req {
	struct sink_webhook	*w;
	struct curl_slist	*hdrs;
	char			*url;		/* matrix: with the txn id */
	char			*body;
	char			*key;		/* Idempotency-Key */
	char			 resp[RESP_KEEP + 1];
	size_t			 resplen;
};

struct sink_webhook {
	const struct sink_conf	*conf;
	struct sink_env		 env;
	enum wh_format		 format;
	char			*url;		/* where to send (ntfy: root) */
	char			*ntfy_topic;
	char			*shown;		/* scheme://host:port, for logs */
	long			 timeout;
	struct netsink		*net;		/* sends, secrets */
};

static const char *const format_names[] = {
	"json", "slack", "discord", "mattermost", "ntfy", "matrix"
};

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* What a user may see of a url: scheme, host and port, never the rest. */
static char *
url_shown(CURLU *u)
{
	char	*scheme = NULL, *host = NULL, *port = NULL, *s;

	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	s = xasprintf("%s://%s%s%s/...", scheme ? scheme : "?",
	    host ? host : "?", port ? ":" : "", port ? port : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return s;
}

/*
 * What must never be shown: the url's userinfo, path and query (a webhook
 * url is a token), each on its own as a server may quote it (the last
 * path segment, every query value), and the signing key.
 */
static void
collect_secrets(struct sink_webhook *w, CURLU *u)
{
	char		*user = NULL, *pass = NULL, *path = NULL, *query = NULL;
	const char	*p, *end, *eq;

	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		netsink_secret(w->net, user, strlen(user));
	if (curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK)
		netsink_secret(w->net, pass, strlen(pass));
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK &&
	    strcmp(path, "/") != 0) {
		netsink_secret(w->net, path, strlen(path));
		p = strrchr(path, '/') + 1;
		netsink_secret(w->net, p, strlen(p));
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK) {
		netsink_secret(w->net, query, strlen(query));
		for (p = query; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
			end = p + strcspn(p, "&");
			if ((eq = memchr(p, '=', end - p)) != NULL)
				netsink_secret(w->net, eq + 1, end - eq - 1);
		}
	}
	if (w->conf->secret != NULL)
		netsink_secret(w->net, w->conf->secret,
		    strlen(w->conf->secret));
	curl_free(user);
	curl_free(pass);
	curl_free(path);
	curl_free(query);
}

const char *
sink_webhook_hint(int result)
{
	switch (result) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return " (the server's certificate is not trusted: for a "
		    "private CA, set ca-file)";
	case CURLE_SSL_CACERT_BADFILE:
		return " (check ca-file)";
	case CURLE_USE_SSL_FAILED:
		return " (a password is only sent over TLS: use a server "
		    "that offers STARTTLS, or smtps://)";
	default:
		return "";
	}
}

/*
 * ntfy publishes JSON to the server root with the topic in the body, so
 * https://ntfy.example.org/alerts becomes the root plus topic "alerts".
 */
static int
split_ntfy(struct sink_webhook *w, CURLU *u, char *err, size_t errlen)
{
	char	*path = NULL, *slash;
	int	 rc = -1;

	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto fail;
	while (*path != '\0' && path[strlen(path) - 1] == '/')
		path[strlen(path) - 1] = '\0';
	slash = strrchr(path, '/');
	if (slash == NULL || slash[1] == '\0') {
		snprintf(err, errlen, "an ntfy url is https://SERVER/TOPIC");
		goto fail;
	}
	w->ntfy_topic = xstrdup(slash + 1);
	slash[1] = '\0';
	/* The query stays: ntfy takes ?auth= on any endpoint. */
	if (curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK)
		goto fail;
	rc = 0;
 fail:
	if (rc == -1 && *err == '\0')
		snprintf(err, errlen, "cannot use the url");
	curl_free(path);
	return rc;
}

struct sink_webhook *
sink_webhook_new(const struct sink_conf *conf, const struct sink_env *env,
    char *err, size_t errlen)
{
	struct sink_webhook	*w;
	CURLU			*u = NULL;
	char			*path = NULL, *url = NULL;
	size_t			 i;

	*err = '\0';
	w = xcalloc(1, sizeof(*w));
	w->conf = conf;
	w->env = *env;
	w->timeout = conf->timeout > 0 ? conf->timeout : SINK_WEBHOOK_TIMEOUT;
	w->net = netsink_new(conf->name, env->multi);
	w->format = WH_JSON;
	for (i = 0; conf->format != NULL && i < sizeof(format_names) /
	    sizeof(format_names[0]); i++)
		if (strcmp(conf->format, format_names[i]) == 0)
			break;
	if (conf->format != NULL && i == sizeof(format_names) /
	    sizeof(format_names[0])) {
		snprintf(err, errlen, "unknown format '%s'", conf->format);
		goto fail;
	}
	if (conf->format != NULL)
		w->format = i;
	if (conf->url == NULL || (u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, conf->url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the url is not a valid URL");
		goto fail;
	}
	w->shown = url_shown(u);
	collect_secrets(w, u);
	if (w->format == WH_NTFY && split_ntfy(w, u, err, errlen) == -1)
		goto fail;
	if (w->format == WH_MATRIX) {
		if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
		    strstr(path, "/rooms/") == NULL ||
		    !g_str_has_suffix(path, "/send/m.room.message")) {
			snprintf(err, errlen, "a matrix url is https://HOST/"
			    "_matrix/client/v3/rooms/ROOM/send/m.room.message"
			    "?access_token=TOKEN");
			goto fail;
		}
	}
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the url is not a valid URL");
		goto fail;
	}
	w->url = xstrdup(url);
	curl_free(url);
	curl_free(path);
	curl_url_cleanup(u);
	return w;
 fail:
	curl_free(path);
	curl_url_cleanup(u);
	sink_webhook_free(w);
	return NULL;
}

static void
request_free(void *req)
{
	struct wh_req	*r = req;

	curl_slist_free_all(r->hdrs);
	free(r->url);
	free(r->body);
	free(r->key);
	free(r);
}

void
sink_webhook_free(struct sink_webhook *w)
{
	if (w == NULL)
		return;
	netsink_free(w->net);
	free(w->url);
	free(w->ntfy_topic);
	free(w->shown);
	free(w);
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

/* Text from outside as HTML: inert as ESC_PLAIN, then markup-escaped. */
static void
append_html(GString *g, const char *s)
{
	GString	*t = g_string_new(NULL);
	gchar	*e;

	append_text(t, s, ESC_PLAIN);
	e = g_markup_escape_text(t->str, -1);
	g_string_append(g, e);
	g_free(e);
	g_string_free(t, TRUE);
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

static void
append_matched(GString *g, const json_t *a, enum esc how)
{
	const json_t	*m = json_object_get(a, "matched");
	size_t		 i;

	for (i = 0; i < json_array_size(m); i++)
		if (json_string_value(json_array_get(m, i)) != NULL) {
			if (i > 0)
				g_string_append(g, ", ");
			append_text(g, json_string_value(json_array_get(m,
			    i)), how);
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

/* A heading for a digest: "3 feedwatch alerts for 'crimea'". */
static void
append_heading(GString *g, const json_t *arr, enum esc how)
{
	const char	*topic = sink_alerts_topic(arr);
	size_t		 n = json_array_size(arr);

	g_string_append_printf(g, "%zu feedwatch alert%s", n, n == 1 ? "" :
	    "s");
	if (topic != NULL) {
		g_string_append(g, " for '");
		append_text(g, topic, how);
		g_string_append(g, "'");
	}
}

static json_t *
body_slack(const json_t *arr)
{
	GString		*g = g_string_new(NULL);
	const json_t	*a;
	const char	*link;
	size_t		 i;
	json_t		*o;

	if (json_array_size(arr) > 1) {
		append_heading(g, arr, ESC_SLACK);
		g_string_append(g, "\n");
	}
	for (i = 0; i < json_array_size(arr) && g->len < TEXT_MAX; i++) {
		a = json_array_get(arr, i);
		g_string_append(g, "*");
		if ((link = jstr(a, "link")) != NULL) {
			g_string_append(g, "<");
			append_url(g, link, ESC_SLACK);
			g_string_append(g, "|");
			append_text(g, sink_alert_title(a), ESC_SLACK);
			g_string_append(g, ">");
		} else
			append_text(g, sink_alert_title(a), ESC_SLACK);
		g_string_append(g, "*\n_");
		append_text(g, feed_of(a), ESC_SLACK);
		g_string_append(g, "_ \xc2\xb7 ");
		append_text(g, jtext(a, "topic"), ESC_SLACK);
		g_string_append(g, ": ");
		append_matched(g, a, ESC_SLACK);
		if (json_array_size(arr) == 1 && jstr(a, "snippet") != NULL) {
			g_string_append(g, "\n>");
			append_text(g, jstr(a, "snippet"), ESC_SLACK);
		}
		g_string_append(g, "\n");
	}
	/* No previews: a link in feed text must not make Slack fetch it. */
	o = json_pack("{s:s%, s:b, s:b}", "text", g->str, g->len,
	    "unfurl_links", 0, "unfurl_media", 0);
	g_string_free(g, TRUE);
	return o;
}

static json_t *
body_mattermost(const json_t *arr)
{
	GString		*g = g_string_new(NULL);
	const json_t	*a;
	const char	*link;
	size_t		 i;
	json_t		*o;

	if (json_array_size(arr) > 1) {
		append_heading(g, arr, ESC_MARKDOWN);
		g_string_append(g, "\n");
	}
	for (i = 0; i < json_array_size(arr) && g->len < TEXT_MAX; i++) {
		a = json_array_get(arr, i);
		if (json_array_size(arr) > 1)
			g_string_append(g, "- ");
		g_string_append(g, "**");
		if ((link = jstr(a, "link")) != NULL) {
			g_string_append(g, "[");
			append_text(g, sink_alert_title(a), ESC_MARKDOWN);
			g_string_append(g, "](");
			append_url(g, link, ESC_MARKDOWN);
			g_string_append(g, ")");
		} else
			append_text(g, sink_alert_title(a), ESC_MARKDOWN);
		g_string_append(g, "** \xe2\x80\x94 *");
		append_text(g, feed_of(a), ESC_MARKDOWN);
		g_string_append(g, "* (");
		append_text(g, jtext(a, "topic"), ESC_MARKDOWN);
		g_string_append(g, ": ");
		append_matched(g, a, ESC_MARKDOWN);
		g_string_append(g, ")\n");
		if (json_array_size(arr) == 1 && jstr(a, "snippet") != NULL) {
			g_string_append(g, "> ");
			append_text(g, jstr(a, "snippet"), ESC_MARKDOWN);
			g_string_append(g, "\n");
		}
	}
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
body_discord(const json_t *arr)
{
	GString		*g = g_string_new(NULL), *f;
	const json_t	*a;
	json_t		*embeds = json_array(), *e, *o;
	size_t		 i, n = json_array_size(arr);

	append_heading(g, arr, ESC_MARKDOWN);
	if (n > DISCORD_EMBEDS)
		g_string_append_printf(g, " (the first %d shown)",
		    DISCORD_EMBEDS);
	for (i = 0; i < n && i < DISCORD_EMBEDS; i++) {
		a = json_array_get(arr, i);
		/* Footers render no Markdown: plain, mentions broken. */
		f = g_string_new(NULL);
		append_text(f, feed_of(a), ESC_PLAIN);
		g_string_append(f, " \xc2\xb7 ");
		append_text(f, jtext(a, "topic"), ESC_PLAIN);
		g_string_append(f, ": ");
		append_matched(f, a, ESC_PLAIN);
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

/*
 * ntfy's JSON publishing: feed text travels in the JSON body, never as a
 * header, and without "markdown": true ntfy shows it as plain text.
 */
static json_t *
body_ntfy(struct sink_webhook *w, const json_t *arr)
{
	GString		*g = g_string_new(NULL), *t = g_string_new(NULL);
	const json_t	*a = json_array_get(arr, 0);
	const char	*topic = sink_alerts_topic(arr), *link;
	json_t		*o, *tags;
	size_t		 i, n = json_array_size(arr);

	if (n == 1) {
		append_text(t, sink_alert_title(a), ESC_PLAIN);
		if (jstr(a, "snippet") != NULL) {
			append_text(g, jstr(a, "snippet"), ESC_PLAIN);
			g_string_append(g, "\n");
		}
		append_text(g, feed_of(a), ESC_PLAIN);
		g_string_append(g, " \xc2\xb7 ");
		append_text(g, jtext(a, "topic"), ESC_PLAIN);
		g_string_append(g, ": ");
		append_matched(g, a, ESC_PLAIN);
	} else {
		append_heading(t, arr, ESC_PLAIN);
		for (i = 0; i < n && g->len < TEXT_MAX; i++) {
			a = json_array_get(arr, i);
			g_string_append(g, "- ");
			append_text(g, sink_alert_title(a), ESC_PLAIN);
			g_string_append(g, " (");
			append_text(g, feed_of(a), ESC_PLAIN);
			g_string_append(g, ")");
			if ((link = jstr(a, "link")) != NULL)
				g_string_append_printf(g, " %s", link);
			g_string_append(g, "\n");
		}
		a = json_array_get(arr, 0);
	}
	tags = json_pack("[s]", "feedwatch");
	if (topic != NULL)
		json_array_append_new(tags, json_string(topic));
	o = json_pack("{s:s, s:o, s:o, s:o}", "topic", w->ntfy_topic,
	    "title", jtrunc(t->str, 250), "message", jtrunc(g->str, TEXT_MAX),
	    "tags", tags);
	if (o != NULL && n == 1 && jstr(a, "link") != NULL)
		json_object_set_new(o, "click", json_string(jstr(a, "link")));
	g_string_free(t, TRUE);
	g_string_free(g, TRUE);
	return o;
}

static json_t *
body_matrix(const json_t *arr)
{
	GString		*t = g_string_new(NULL), *h = g_string_new(NULL);
	const json_t	*a;
	const char	*link;
	gchar		*e;
	size_t		 i, n = json_array_size(arr);
	json_t		*o;

	if (n > 1) {
		append_heading(t, arr, ESC_PLAIN);
		e = g_markup_escape_text(t->str, -1);
		g_string_append_printf(h, "<p>%s</p><ul>", e);
		g_free(e);
		g_string_append(t, "\n");
	}
	for (i = 0; i < n && t->len < TEXT_MAX; i++) {
		a = json_array_get(arr, i);
		link = jstr(a, "link");
		g_string_append(t, n > 1 ? "- " : "");
		append_text(t, sink_alert_title(a), ESC_PLAIN);
		if (link != NULL)
			g_string_append_printf(t, "\n  %s", link);
		g_string_append(t, "\n  ");
		append_text(t, feed_of(a), ESC_PLAIN);
		g_string_append(t, " \xc2\xb7 ");
		append_text(t, jtext(a, "topic"), ESC_PLAIN);
		g_string_append(t, ": ");
		append_matched(t, a, ESC_PLAIN);
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
		g_string_append(h, "</i>");
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

/* The request body for 'arr' (parsed alerts); malloc'd, NULL on failure. */
static char *
build_body(struct sink_webhook *w, const char *const *alerts, json_t *arr)
{
	json_t	*o = NULL;
	char	*s;
	size_t	 dropped = drop_bad_links(arr);

	switch (w->format) {
	case WH_JSON:
		/* One alert goes out as stored, if its link was fine. */
		if (dropped == 0 && json_array_size(arr) == 1)
			return xstrdup(alerts[0]);
		o = json_array_size(arr) == 1 ?
		    json_incref(json_array_get(arr, 0)) :
		    json_pack("{s:O}", "digest", arr);
		break;
	case WH_SLACK:
		o = body_slack(arr);
		break;
	case WH_DISCORD:
		o = body_discord(arr);
		break;
	case WH_MATTERMOST:
		o = body_mattermost(arr);
		break;
	case WH_NTFY:
		o = body_ntfy(w, arr);
		break;
	case WH_MATRIX:
		o = body_matrix(arr);
		break;
	}
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static size_t
on_write(char *p, size_t sz, size_t nmemb, void *arg)
{
	struct wh_req	*r = arg;
	size_t		 len = sz * nmemb, k;

	/* Keep the start of the answer for the error message; drop the rest. */
	k = RESP_KEEP - r->resplen;
	if (k > len)
		k = len;
	memcpy(r->resp + r->resplen, p, k);
	r->resplen += k;
	r->resp[r->resplen] = '\0';
	return len;
}

/* Retry-After in seconds, -1 if the answer had none. */
static long
retry_after(CURL *e)
{
	struct curl_header	*h;
	curl_off_t		 ra = 0;

	if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK)
		return -1;
	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra) != CURLE_OK ||
	    ra < 0)
		return -1;
	return ra > 86400 ? 86400 : (long)ra;
}

/* The first line of a response body, printable, for an error message. */
static void
resp_line(struct wh_req *r, char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len && r->resp[i] != '\0'; i++)
		buf[i] = r->resp[i];
	buf[i] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			buf[i] = '\0';
			break;
		}
}

static enum sink_result
request_finish(void *req, struct xfer *x, int result, const char *error,
    char *msg, size_t msglen, long *retry_after_s)
{
	struct wh_req		*r = req;
	struct sink_webhook	*w = r->w;
	CURL			*e = xfer_easy(x);
	enum sink_result	 res;
	long			 code = 0;
	char			 body[128];

	if (result != CURLE_OK) {
		snprintf(msg, msglen, "%s: %s%s", w->shown, error,
		    sink_webhook_hint(result));
		return result == CURLE_UNSUPPORTED_PROTOCOL ||
		    result == CURLE_URL_MALFORMAT ? SINK_FAILED : SINK_RETRY;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	resp_line(r, body, sizeof(body));
	netsink_scrub(w->net, body);
	snprintf(msg, msglen, "%s: http %ld%s%s", w->shown, code,
	    *body ? ": " : "", body);
	if (code >= 200 && code < 300)
		res = SINK_DELIVERED;
	else if (code == 408 || code == 425 || code == 429 || code >= 500) {
		res = SINK_RETRY;
		*retry_after_s = retry_after(e);
	} else
		res = SINK_FAILED;
	if (code >= 300 && code < 400)
		snprintf(msg + strlen(msg), msglen - strlen(msg),
		    " (redirects are not followed: fix the url)");
	return res;
}

static int
request_setup(void *req, struct xfer *x)
{
	struct wh_req		*r = req;
	struct sink_webhook	*w = r->w;
	CURL			*e = xfer_easy(x);
	char			*h, *sig;

	r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	h = xasprintf("Idempotency-Key: %s", r->key);
	r->hdrs = curl_slist_append(r->hdrs, h);
	free(h);
	if (w->conf->secret != NULL) {
		sig = g_compute_hmac_for_data(G_CHECKSUM_SHA256,
		    (const guchar *)w->conf->secret, strlen(w->conf->secret),
		    (const guchar *)r->body, strlen(r->body));
		h = xasprintf("X-Feedwatch-Signature: sha256=%s", sig);
		r->hdrs = curl_slist_append(r->hdrs, h);
		free(h);
		g_free(sig);
	}
	if (r->hdrs == NULL)
		return -1;
	if (w->format == WH_MATRIX) {
		/* PUT .../send/m.room.message/TXNID: Matrix dedups on it. */
		CURLU	*u = curl_url();
		char	*path = NULL, *np, *url = NULL;
		int	 ok;

		ok = u != NULL && curl_url_set(u, CURLUPART_URL, w->url,
		    0) == CURLUE_OK && curl_url_get(u, CURLUPART_PATH, &path,
		    0) == CURLUE_OK;
		if (ok) {
			np = xasprintf("%s/%s", path, r->key);
			ok = curl_url_set(u, CURLUPART_PATH, np, 0) ==
			    CURLUE_OK && curl_url_get(u, CURLUPART_URL, &url,
			    0) == CURLUE_OK;
			free(np);
		}
		if (ok)
			r->url = xstrdup(url);
		curl_free(url);
		curl_free(path);
		curl_url_cleanup(u);
		if (!ok)
			return -1;
		if (curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT") !=
		    CURLE_OK)
			return -1;
	}
	if (xfer_setup(x, r->url ? r->url : w->url, "http,https",
	    w->timeout, w->conf->ca_file) == -1 ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(r->body)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, w->env.user_agent ?
	    w->env.user_agent : "feedwatch/" FEEDWATCH_VERSION) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, r) != CURLE_OK)
		return -1;
	return 0;
}

static const struct netsink_ops request_ops = {
	request_setup, request_finish, request_free
};

int
sink_webhook_send(struct sink_webhook *w, const char *const *alerts,
    size_t n, sink_done_cb *done, void *arg)
{
	struct wh_req	*r = NULL;
	json_t		*arr, *a;
	const char	**ids;
	size_t		 i;
	int		 rc = -1;

	if ((arr = sink_alerts_parse(w->conf->name, alerts, n)) == NULL)
		return -1;
	ids = xcalloc(n + 1, sizeof(*ids));
	json_array_foreach(arr, i, a)
		if ((ids[i] = jstr(a, "alert_id")) == NULL) {
			log_warnx("sink '%s': alert %zu is not a SPEC alert "
			    "object: no alert_id", w->conf->name, i);
			goto out;
		}
	r = xcalloc(1, sizeof(*r));
	r->w = w;
	if ((r->body = build_body(w, alerts, arr)) == NULL) {
		log_warnx("sink '%s': cannot build the %s body", w->conf->name,
		    format_names[w->format]);
		goto out;
	}
	r->key = netsink_key(ids, n);
	rc = netsink_send(w->net, r, &request_ops, done, arg);
	r = NULL;
 out:
	if (r != NULL)
		request_free(r);
	free(ids);
	json_decref(arr);
	return rc;
}
