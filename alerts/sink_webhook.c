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

#include "chat.h"
#include "log.h"
#include "netsink.h"
#include "url.h"
#include "xfer.h"
#include "xmalloc.h"

#define RESP_KEEP	300	/* bytes of a response body kept for errors */

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
	enum chat_format	 format;
	char			*url;		/* where to send (ntfy: root) */
	char			*ntfy_topic;
	char			*shown;		/* scheme://host:port, for logs */
	long			 timeout;
	struct netsink		*net;		/* sends, secrets */
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

	*err = '\0';
	w = xcalloc(1, sizeof(*w));
	w->conf = conf;
	w->env = *env;
	w->timeout = conf->timeout > 0 ? conf->timeout : SINK_WEBHOOK_TIMEOUT;
	w->net = netsink_new(conf->name, env->multi);
	w->format = CHAT_JSON;
	if (conf->format != NULL && chat_format_parse(conf->format,
	    &w->format) == -1) {
		snprintf(err, errlen, "unknown format '%s'", conf->format);
		goto fail;
	}
	if (conf->url == NULL || (u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, conf->url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "the url is not a valid URL");
		goto fail;
	}
	w->shown = url_shown(u);
	collect_secrets(w, u);
	if (w->format == CHAT_NTFY && split_ntfy(w, u, err, errlen) == -1)
		goto fail;
	if (w->format == CHAT_MATRIX) {
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
	if (w->format == CHAT_MATRIX) {
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
	if ((r->body = chat_body(w->format, alerts, arr,
	    w->ntfy_topic)) == NULL) {
		log_warnx("sink '%s': cannot build the %s body", w->conf->name,
		    chat_format_name(w->format));
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
