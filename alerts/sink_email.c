/*
 * sink_email.c: alerts as email, SMTP through libcurl on the shared multi.
 *
 * One struct mail_req per send owns the message and the recipient list;
 * netsink keeps it with the transfer and frees it in one place
 * (request_free) when the send ends or is cancelled.  libcurl does
 * the SMTP dialogue, dot-stuffing and the final CRLF.CRLF; it only knows
 * "CRLF." as a line start, which is why everything we build uses CRLF.
 */
#include "sink_email.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <glib.h>
#include <jansson.h>

#include "log.h"
#include "netsink.h"
#include "sink_webhook.h"
#include "url.h"
#include "xfer.h"
#include "xmalloc.h"

#define SUBJECT_MAX	200	/* characters of a subject */
#define EW_CHUNK	45	/* bytes per encoded word: 60 base64 chars */
#define B64_LINE	76

struct mail_req {
	struct sink_email	*m;
	struct curl_slist	*rcpt;
	char			*msg;
	size_t			 len, off;
};

struct sink_email {
	const struct sink_conf	*conf;
	char			*url;		/* with the EHLO name */
	char			*shown;		/* scheme://host:port */
	char			*mail_from;	/* <addr> */
	char			**rcpt;		/* <addr>, one per 'to' */
	char			*domain;	/* of 'from', for Message-ID */
	long			 use_ssl;
	long			 timeout;
	struct netsink		*net;		/* sends, secrets */
};

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
jtext(const json_t *o, const char *key)
{
	const char	*s = jstr(o, key);

	return s != NULL ? s : "";
}

/*
 * The addr-spec of "Name <a@b>" or "a@b", malloc'd, or NULL if it does not
 * look like one (no '@', or white space, control characters or brackets).
 */
static char *
addr_spec(const char *s)
{
	const char	*lt, *gt;
	char		*a;
	size_t		 i;

	if ((lt = strrchr(s, '<')) != NULL && (gt = strchr(lt, '>')) != NULL)
		a = xstrndup(lt + 1, gt - lt - 1);
	else
		a = g_strstrip(xstrdup(s));
	for (i = 0; a[i] != '\0'; i++)
		if ((unsigned char)a[i] <= ' ' || a[i] == 0x7f ||
		    strchr("<>,;\"", a[i]) != NULL)
			break;
	if (a[i] != '\0' || strchr(a, '@') == NULL || a[0] == '@') {
		free(a);
		return NULL;
	}
	return a;
}

/* What must never be shown: the credentials, in the config or the url. */
static void
collect_secrets(struct sink_email *m, CURLU *u)
{
	static const CURLUPart parts[] = { CURLUPART_USER,
	    CURLUPART_PASSWORD };
	char	*v;
	size_t	 i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (curl_url_get(u, parts[i], &v, 0) == CURLUE_OK) {
			netsink_secret(m->net, v, strlen(v));
			curl_free(v);
		}
	if (m->conf->username != NULL)
		netsink_secret(m->net, m->conf->username,
		    strlen(m->conf->username));
	if (m->conf->password != NULL)
		netsink_secret(m->net, m->conf->password,
		    strlen(m->conf->password));
}

/*
 * The url as curl will use it: scheme, host and port for messages; the
 * EHLO name (curl's default is "localhost") and the TLS policy.
 */
static int
parse_url(struct sink_email *m, char *err, size_t errlen)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char	*url = NULL, *pass = NULL;
	int	 rc = -1;

	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, m->conf->smtp, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)) {
		snprintf(err, errlen, "smtp is not an smtp:// or smtps:// URL");
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	m->shown = xasprintf("%s://%s%s%s", scheme, host, port ? ":" : "",
	    port ? port : "");
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
	    strcmp(path, "/") == 0 || *path == '\0') {
		if (curl_url_set(u, CURLUPART_PATH, g_get_host_name(), 0) !=
		    CURLUE_OK)
			goto fail;
	}
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		goto fail;
	m->url = xstrdup(url);
	/*
	 * smtp://: STARTTLS when offered, and required before a password, on
	 * loopback too: a password never travels in clear.
	 */
	if (strcmp(scheme, "smtps") == 0 || m->conf->password != NULL ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK)
		m->use_ssl = (long)CURLUSESSL_ALL;
	else
		m->use_ssl = (long)CURLUSESSL_TRY;
	collect_secrets(m, u);
	rc = 0;
 fail:
	if (rc == -1 && *err == '\0')
		snprintf(err, errlen, "cannot use the smtp url");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(url);
	curl_free(pass);
	curl_url_cleanup(u);
	return rc;
}

struct sink_email *
sink_email_new(const struct sink_conf *conf, const struct sink_env *env,
    char *err, size_t errlen)
{
	struct sink_email	*m;
	char			*a;
	size_t			 i;

	*err = '\0';
	m = xcalloc(1, sizeof(*m));
	m->conf = conf;
	m->timeout = conf->timeout > 0 ? conf->timeout : SINK_EMAIL_TIMEOUT;
	m->net = netsink_new(conf->name, env->multi);
	m->rcpt = xcalloc(conf->nto + 1, sizeof(*m->rcpt));
	if (conf->smtp == NULL || parse_url(m, err, errlen) == -1)
		goto fail;
	if (conf->from == NULL || (a = addr_spec(conf->from)) == NULL) {
		snprintf(err, errlen, "from '%s' is not an address",
		    conf->from ? conf->from : "");
		goto fail;
	}
	m->mail_from = xasprintf("<%s>", a);
	m->domain = xstrdup(strchr(a, '@') + 1);
	free(a);
	if (conf->nto == 0) {
		snprintf(err, errlen, "no 'to' address");
		goto fail;
	}
	for (i = 0; i < conf->nto; i++) {
		if ((a = addr_spec(conf->to[i])) == NULL) {
			snprintf(err, errlen, "to '%s' is not an address",
			    conf->to[i]);
			goto fail;
		}
		m->rcpt[i] = xasprintf("<%s>", a);
		free(a);
	}
	return m;
 fail:
	sink_email_free(m);
	return NULL;
}

static void
request_free(void *req)
{
	struct mail_req	*r = req;

	curl_slist_free_all(r->rcpt);
	free(r->msg);
	free(r);
}

void
sink_email_free(struct sink_email *m)
{
	size_t		 i;

	if (m == NULL)
		return;
	netsink_free(m->net);
	for (i = 0; m->rcpt != NULL && m->rcpt[i] != NULL; i++)
		free(m->rcpt[i]);
	free(m->rcpt);
	free(m->url);
	free(m->shown);
	free(m->mail_from);
	free(m->domain);
	free(m);
}

/* Header text from config or feeds: control characters become spaces. */
static char *
header_safe(const char *s)
{
	char	*d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return d;
}

/*
 * "Subject: ..." with its CRLF.  Plain when short printable ASCII, else
 * RFC 2047 B encoded words of at most EW_CHUNK bytes each, cut between
 * UTF-8 characters, one per folded line.
 */
static void
append_subject(GString *g, const char *subject)
{
	char		*s = header_safe(subject), *cut;
	const char	*p, *start, *next;
	gchar		*b64;
	int		 ascii = 1;

	if (g_utf8_strlen(s, -1) > SUBJECT_MAX) {
		cut = g_utf8_substring(s, 0, SUBJECT_MAX - 1);
		free(s);
		s = xasprintf("%s\xe2\x80\xa6", cut);
		g_free(cut);
	}
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p > 0x7e)
			ascii = 0;
	if (ascii && strlen(s) <= 66 && strstr(s, "=?") == NULL) {
		g_string_append_printf(g, "Subject: %s\r\n", s);
		free(s);
		return;
	}
	g_string_append(g, "Subject:");
	for (start = s; *start != '\0'; start = p) {
		for (p = start; *p != '\0'; p = next) {
			next = g_utf8_next_char(p);
			if (next - start > EW_CHUNK)
				break;
		}
		b64 = g_base64_encode((const guchar *)start, p - start);
		g_string_append_printf(g, "%s=?UTF-8?B?%s?=", start == s ?
		    " " : "\r\n ", b64);
		g_free(b64);
	}
	g_string_append(g, "\r\n");
	free(s);
}

/* 'text' as base64 in lines of B64_LINE characters, each ending in CRLF. */
static void
append_base64(GString *g, const char *text, size_t len)
{
	gchar	*b64 = g_base64_encode((const guchar *)text, len);
	size_t	 i, n = strlen(b64);

	for (i = 0; i < n; i += B64_LINE) {
		g_string_append_len(g, b64 + i, n - i < B64_LINE ? n - i :
		    B64_LINE);
		g_string_append(g, "\r\n");
	}
	g_free(b64);
}

/* RFC 5322 date in UTC, in the C locale whatever the process's is. */
static void
append_date(GString *g, time_t now)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec"
	};
	struct tm	 tm;

	gmtime_r(&now, &tm);
	g_string_append_printf(g, "Date: %s, %02d %s %04d %02d:%02d:%02d "
	    "+0000\r\n", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The strings of the array 'v' joined by ", ". */
static void
append_list(GString *g, const json_t *v)
{
	size_t	 i;

	for (i = 0; i < json_array_size(v); i++)
		if (json_string_value(json_array_get(v, i)) != NULL)
			g_string_append_printf(g, "%s%s", i ? ", " : "",
			    json_string_value(json_array_get(v, i)));
}

/* "BBC News - World (bbc-world)", or the name alone. */
static void
append_feed(GString *g, const json_t *a)
{
	const char	*ft = jstr(a, "feed_title");

	if (ft != NULL && *ft != '\0')
		g_string_append_printf(g, "%s (%s)", ft, jtext(a, "feed"));
	else
		g_string_append(g, jtext(a, "feed"));
}

/* The text/plain part, with LF line ends (made CRLF later). */
static void
text_alert(GString *g, const json_t *a, const char *indent)
{
	GString		*tmp = g_string_new(NULL);

	g_string_append_printf(g, "%s\n", sink_alert_title(a));
	if (jstr(a, "link") != NULL)
		g_string_append_printf(g, "%s%s\n", indent, jstr(a, "link"));
	if (jstr(a, "snippet") != NULL && *jstr(a, "snippet") != '\0')
		g_string_append_printf(g, "\n%s%s\n\n", indent,
		    jstr(a, "snippet"));
	append_feed(tmp, a);
	g_string_append_printf(g, "%sFeed:      %s\n", indent, tmp->str);
	g_string_truncate(tmp, 0);
	if (jstr(a, "published") != NULL)
		g_string_append_printf(g, "%sPublished: %s\n", indent,
		    jstr(a, "published"));
	append_list(tmp, json_object_get(a, "topics"));
	g_string_append_printf(g, "%s%s%s\n", indent,
	    json_array_size(json_object_get(a, "topics")) > 1 ?
	    "Topics:    " : "Topic:     ", tmp->str);
	g_string_truncate(tmp, 0);
	append_list(tmp, json_object_get(a, "matched"));
	if (sink_alert_in_article(a))
		g_string_append(tmp, " (in the article)");
	g_string_append_printf(g, "%sMatched:   %s\n", indent, tmp->str);
	g_string_truncate(tmp, 0);
	append_list(tmp, json_object_get(a, "also_in"));
	if (tmp->len > 0)
		g_string_append_printf(g, "%sAlso in:   %s\n", indent,
		    tmp->str);
	g_string_free(tmp, TRUE);
}

static void
append_esc(GString *g, const char *s)
{
	gchar	*e = g_markup_escape_text(s, -1);

	g_string_append(g, e);
	g_free(e);
}

static void
html_alert(GString *g, const json_t *a)
{
	GString	*tmp = g_string_new(NULL);

	g_string_append(g, "<h3 style=\"margin-bottom:0.2em\">");
	if (jstr(a, "link") != NULL) {
		g_string_append(g, "<a href=\"");
		append_esc(g, jstr(a, "link"));
		g_string_append(g, "\">");
	}
	append_esc(g, sink_alert_title(a));
	g_string_append(g, jstr(a, "link") != NULL ? "</a></h3>\n" :
	    "</h3>\n");
	if (jstr(a, "snippet") != NULL && *jstr(a, "snippet") != '\0') {
		g_string_append(g, "<p>");
		append_esc(g, jstr(a, "snippet"));
		g_string_append(g, "</p>\n");
	}
	append_feed(tmp, a);
	g_string_append(g, "<p style=\"color:#555\"><small>");
	append_esc(g, tmp->str);
	if (jstr(a, "published") != NULL) {
		g_string_append(g, " &middot; ");
		append_esc(g, jstr(a, "published"));
	}
	g_string_truncate(tmp, 0);
	append_list(tmp, json_object_get(a, "topics"));
	g_string_append(g, json_array_size(json_object_get(a, "topics")) > 1 ?
	    "<br>topics <b>" : "<br>topic <b>");
	append_esc(g, tmp->str);
	g_string_append(g, "</b>, matched ");
	g_string_truncate(tmp, 0);
	append_list(tmp, json_object_get(a, "matched"));
	if (sink_alert_in_article(a))
		g_string_append(tmp, " (in the article)");
	append_esc(g, tmp->str);
	g_string_append(g, "</small></p>\n");
	g_string_free(tmp, TRUE);
}

/* LF to CRLF; a lone CR (from feed text) becomes a line end too. */
static char *
crlf(const char *s, size_t *len)
{
	GString	*g = g_string_sized_new(strlen(s) + 64);

	for (; *s != '\0'; s++) {
		if (*s == '\r' && s[1] == '\n')
			continue;
		if (*s == '\n' || *s == '\r')
			g_string_append(g, "\r\n");
		else
			g_string_append_c(g, *s);
	}
	*len = g->len;
	return g_string_free(g, FALSE);
}

/* A part of the message: 'text' (LF line ends) as 'type', in base64. */
static void
append_part(GString *g, const char *key, const char *type, const char *text)
{
	char	*body;
	size_t	 len;

	g_string_append_printf(g, "\r\n--=_feedwatch_%s\r\n", key);
	g_string_append_printf(g, "Content-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", type);
	body = crlf(text, &len);
	append_base64(g, body, len);
	g_free(body);
}

/*
 * The message for the alerts 'arr', told as the items they are about:
 * the subject names all the topics, each item is told once with its own.
 */
static char *
build(const struct sink_email *m, json_t *arr, time_t now)
{
	GString		*g = g_string_new(NULL), *text, *html, *subj;
	GString		*topics = g_string_new(NULL);
	json_t		*items = sink_alerts_items(arr), *tv;
	const json_t	*a = json_array_get(items, 0);
	const char	**ids;
	char		*key, *from, *to;
	size_t		 i, n = json_array_size(arr);

	ids = xcalloc(n + 1, sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = jtext(json_array_get(arr, i), "alert_id");
	key = netsink_key(ids, n);
	free(ids);

	tv = sink_items_topics(items);
	append_list(topics, tv);
	json_decref(tv);
	n = json_array_size(items);
	subj = g_string_new("[feedwatch] ");
	if (n == 1)
		g_string_append_printf(subj, "%s: %s", topics->str,
		    sink_alert_title(a));
	else if (topics->len > 0)
		g_string_append_printf(subj, "%zu alerts for %s", n,
		    topics->str);
	else
		g_string_append_printf(subj, "%zu alerts", n);

	text = g_string_new(NULL);
	html = g_string_new("<!DOCTYPE html>\n<html><head><meta charset=\""
	    "utf-8\"></head><body>\n");
	if (n > 1) {
		g_string_append_printf(text, "%s\n\n", subj->str + 12);
		g_string_append(html, "<h2>");
		append_esc(html, subj->str + 12);
		g_string_append(html, "</h2>\n");
	}
	for (i = 0; i < n; i++) {
		a = json_array_get(items, i);
		if (n > 1)
			g_string_append_printf(text, "%zu. ", i + 1);
		text_alert(text, a, n > 1 ? "   " : "");
		if (i + 1 < n)
			g_string_append(text, "\n");
		html_alert(html, a);
	}
	g_string_append(text, "\n-- \nfeedwatch " FEEDWATCH_VERSION "\n");
	g_string_append(html, "</body></html>\n");

	append_date(g, now);
	from = header_safe(m->conf->from);
	g_string_append_printf(g, "From: %s\r\n", from);
	free(from);
	g_string_append(g, "To: ");
	for (i = 0; i < m->conf->nto; i++) {
		to = header_safe(m->conf->to[i]);
		g_string_append_printf(g, "%s%s", i ? ",\r\n " : "", to);
		free(to);
	}
	g_string_append(g, "\r\n");
	append_subject(g, subj->str);
	g_string_append_printf(g, "Message-ID: <feedwatch.%s@%s>\r\n", key,
	    m->domain);
	g_string_append(g, "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n");
	g_string_append_printf(g, "X-Feedwatch-Alerts: %zu\r\n",
	    json_array_size(arr));
	/* "=_" never occurs in base64, so the boundary cannot either. */
	g_string_append_printf(g, "Content-Type: multipart/alternative; "
	    "boundary=\"=_feedwatch_%s\"\r\n\r\n", key);
	g_string_append(g, "This is a MIME message.\r\n");
	append_part(g, key, "text/plain", text->str);
	append_part(g, key, "text/html", html->str);
	g_string_append_printf(g, "\r\n--=_feedwatch_%s--\r\n", key);

	free(key);
	json_decref(items);
	g_string_free(topics, TRUE);
	g_string_free(subj, TRUE);
	g_string_free(text, TRUE);
	g_string_free(html, TRUE);
	return g_string_free(g, FALSE);
}

/*
 * The alerts parsed into an array of objects; NULL (logged) if one is bad.
 * A link that is not a web URL becomes null, whatever stored it: no href,
 * and no such link in the text either.
 */
static json_t *
parse_alerts(const struct sink_email *m, const char *const *alerts, size_t n)
{
	json_t	*arr, *a;
	size_t	 i;

	if ((arr = sink_alerts_parse(m->conf->name, alerts, n)) == NULL)
		return NULL;
	json_array_foreach(arr, i, a)
		if (!url_is_web(jstr(a, "link")))
			json_object_set_new(a, "link", json_null());
	return arr;
}

char *
sink_email_message(const struct sink_email *m, const char *const *alerts,
    size_t n, time_t now)
{
	json_t	*arr;
	char	*msg, *s;

	if ((arr = parse_alerts(m, alerts, n)) == NULL)
		return NULL;
	s = build(m, arr, now);
	json_decref(arr);
	/* GLib's allocator is malloc, but keep the free() contract exact. */
	msg = xstrdup(s);
	g_free(s);
	return msg;
}

static size_t
on_read(char *dst, size_t sz, size_t nmemb, void *arg)
{
	struct mail_req	*r = arg;
	size_t		 k = sz * nmemb;

	if (k > r->len - r->off)
		k = r->len - r->off;
	memcpy(dst, r->msg + r->off, k);
	r->off += k;
	return k;
}

static enum sink_result
request_finish(void *req, struct xfer *x, int result, const char *error,
    char *msg, size_t msglen, long *retry_after)
{
	struct mail_req		*r = req;
	struct sink_email	*m = r->m;
	enum sink_result	 res;
	long			 code = 0;

	curl_easy_getinfo(xfer_easy(x), CURLINFO_RESPONSE_CODE, &code);
	switch (result) {
	case CURLE_OK:
		res = SINK_DELIVERED;
		break;
	case CURLE_LOGIN_DENIED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		res = SINK_FAILED;
		break;
	default:
		/* SMTP: 5xx is permanent, 4xx transient. */
		res = code >= 500 && code < 600 ? SINK_FAILED : SINK_RETRY;
		break;
	}
	if (result == CURLE_OK)
		snprintf(msg, msglen, "%s: accepted", m->shown);
	else if (code >= 400)	/* an SMTP error answer, not "220 go ahead" */
		snprintf(msg, msglen, "%s: %s%s (smtp %ld)", m->shown,
		    error, sink_webhook_hint(result), code);
	else
		snprintf(msg, msglen, "%s: %s%s", m->shown, error,
		    sink_webhook_hint(result));
	return res;
}

static int
request_setup(void *req, struct xfer *x)
{
	struct mail_req		*r = req;
	struct sink_email	*m = r->m;
	CURL			*e = xfer_easy(x);
	size_t			 i;

	for (i = 0; m->rcpt[i] != NULL; i++)
		if ((r->rcpt = curl_slist_append(r->rcpt, m->rcpt[i])) ==
		    NULL)
			return -1;
	if (xfer_setup(x, m->url, "smtp,smtps", m->timeout,
	    m->conf->ca_file) == -1 ||
	    curl_easy_setopt(e, CURLOPT_USE_SSL, m->use_ssl) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAIL_FROM, m->mail_from) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, r->rcpt) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_READDATA, r) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)r->len) != CURLE_OK)
		return -1;
	if (m->conf->username != NULL && curl_easy_setopt(e,
	    CURLOPT_USERNAME, m->conf->username) != CURLE_OK)
		return -1;
	if (m->conf->password != NULL && curl_easy_setopt(e,
	    CURLOPT_PASSWORD, m->conf->password) != CURLE_OK)
		return -1;
	return 0;
}

static const struct netsink_ops request_ops = {
	request_setup, request_finish, request_free
};

int
sink_email_send(struct sink_email *m, const char *const *alerts, size_t n,
    sink_done_cb *done, void *arg)
{
	struct mail_req	*r;

	r = xcalloc(1, sizeof(*r));
	r->m = m;
	if ((r->msg = sink_email_message(m, alerts, n, time(NULL))) == NULL) {
		request_free(r);
		return -1;
	}
	r->len = strlen(r->msg);
	return netsink_send(m->net, r, &request_ops, done, arg);
}
