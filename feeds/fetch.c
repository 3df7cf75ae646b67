/*
 * fetch.c: a feed transfer that parses as it downloads.
 *
 * The parser is created on the first body byte, when the status and the
 * Content-Type charset are known.  CURLOPT_MAXFILESIZE only checks a
 * declared Content-Length in curl 7.88, so the real cap is counted in the
 * write callback on decompressed bytes (a gzip bomb stops there too).
 *
 * curl 7.88 keeps a login, and custom Authorization and Cookie headers,
 * to the first host of a transfer, but sends every other custom header
 * wherever a redirect leads.  So the feed's own headers are blanked in
 * the header callback when a Location points to another origin, before
 * curl follows it: curl reads the header list anew for each request,
 * and does not send a header with nothing after its colon.
 */
#include "fetch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "log.h"
#include "raw.h"
#include "url.h"
#include "xfer.h"
#include "xmalloc.h"

struct fetch {
	struct xfer		*x;
	struct feed_parser	*parser;
	struct curl_slist	*hdrs;
	size_t			 nfixed;	/* hdrs before the feed's own */
	int			 own_headers;	/* the feed's own are in hdrs */
	char			*origin;	/* of the URL fetched, if at_home */
	int			 login;		/* a username is set */
	int			 proxy_login;	/* a proxy username is set */
	char			*url;
	char			*shown;		/* url as the parser names it */
	char			*charset;	/* of the Content-Type */
	long			 max_size;
	int			 code;		/* of the response being read */
	size_t			 keep;
	struct raw		 kept;		/* the first 'keep' bytes */
	size_t			 got;
	int			 too_big;
	int			 parse_failed;
	int			 skip_body;	/* an error page: count, don't parse */
	int			 redirects;	/* 3xx answers seen */
	int			 temporary;	/* one of them was not 301/308 */
	feed_item_cb		*item_cb;
	fetch_done_cb		*done_cb;
	void			*arg;
};

static const char *const status_names[] = {
	"ok", "not modified", "http error", "network error", "too big",
	"parse error", "cancelled"
};

const char *
fetch_status_name(enum fetch_status st)
{
	return status_names[st];
}

/*
 * The parser names the feed by this URL in items and messages and
 * resolves relative links against it: without the userinfo and with
 * secret query values starred, so that a feed's password or token never
 * reaches an item, an alert link, the state store or a log.
 */
static char *
shown_url(const char *url)
{
	char	*s, *at;

	s = url_redact(url);
	if ((at = strstr(s, "://***@")) != NULL)
		memmove(at + 3, at + 7, strlen(at + 7) + 1);
	return s;
}

/* The charset parameter of a Content-Type value, malloc'd, or NULL. */
static char *
content_type_charset(const char *ct)
{
	const char	*p;
	size_t		 n;

	for (p = ct; (p = strchr(p, ';')) != NULL; ) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset=", 8) != 0)
			continue;
		p += 8;
		if (*p == '"')
			p++;
		n = strcspn(p, "\"; \t");
		return n > 0 ? xstrndup(p, n) : NULL;
	}
	return NULL;
}

static char *
header_value(CURL *e, const char *name)
{
	struct curl_header	*h;

	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/*
 * The first URL of a 'rel' link in the Link headers of the response
 * (RFC 8288: "<URI>; rel=hub, <URI>; rel=\"self other\""), malloc'd, or
 * NULL.  Only http and https URLs count.
 */
static char *
link_header(CURL *e, const char *rel)
{
	struct curl_header	*h;
	const char		*p, *uri, *end, *next, *r;
	size_t			 i, amount = 1, n, rl = strlen(rel);
	char			*url;

	for (i = 0; i < amount; i++) {
		if (curl_easy_header(e, "Link", i, CURLH_HEADER, -1, &h) !=
		    CURLHE_OK)
			return NULL;
		amount = h->amount;
		for (p = h->value; (uri = strchr(p, '<')) != NULL; p = next) {
			if ((end = strchr(uri, '>')) == NULL)
				break;
			if ((next = strchr(end, ',')) == NULL)
				next = end + strlen(end);
			for (r = end; (r = strstr(r, "rel=")) != NULL &&
			    r < next; r += 4) {
				r += 4 + (r[4] == '"');
				for (; *r != '\0' && *r != '"' && *r != ';' &&
				    *r != ','; r += n) {
					n = strcspn(r, " \t\";,");
					if (n == rl && strncasecmp(r, rel,
					    rl) == 0)
						goto found;
					n += strspn(r + n, " \t");
				}
			}
			continue;
 found:
			url = xstrndup(uri + 1, end - uri - 1);
			if (url_is_web(url))
				return url;
			free(url);
		}
	}
	return NULL;
}

const char *
fetch_header(struct xfer *x, const char *name)
{
	return header_value(xfer_easy(x), name);
}

char *
fetch_charset(struct xfer *x)
{
	const char	*ct = fetch_header(x, "Content-Type");

	return ct != NULL ? content_type_charset(ct) : NULL;
}

long
fetch_http_code(struct xfer *x)
{
	long	 code = 0;

	if (curl_easy_getinfo(xfer_easy(x), CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK)
		code = 0;
	return code;
}

static void
start_parser(struct fetch *f)
{
	/* file: URLs report 0. */
	if (fetch_http_code(f->x) != 200 && fetch_http_code(f->x) != 0) {
		f->skip_body = 1;
		return;
	}
	f->charset = fetch_charset(f->x);
	f->parser = feed_parser_new(f->shown, f->charset, f->item_cb, f->arg);
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct fetch	*f = arg;
	size_t		 len = size * n;

	if (len > (size_t)f->max_size - f->got) {
		f->too_big = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	f->got += len;
	if (f->parser == NULL && !f->skip_body)
		start_parser(f);
	if (f->skip_body)
		return len;
	if (f->keep > 0)
		raw_add(&f->kept, p, len, f->keep);
	if (!f->parse_failed && feed_parser_push(f->parser, p, len) == -1)
		f->parse_failed = 1;
	/* Not a feed: read on only for the bytes the caller keeps. */
	if (f->parse_failed && f->kept.len >= f->keep)
		return CURL_WRITEFUNC_ERROR;
	return len;
}

/*
 * "scheme://host:port" of 'url', resolved against 'base' when not NULL,
 * as curl reads it (malloc'd), or NULL if it is not a URL.
 */
static char *
url_origin(const char *base, const char *url)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *port = NULL, *o = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if ((base == NULL ||
	    curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK) &&
	    curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port,
	    CURLU_DEFAULT_PORT) == CURLUE_OK)
		o = xasprintf("%s://%s:%s", scheme, host, port);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return o;
}

/*
 * A Location header ('len' bytes at 'p', after the colon) of a redirect:
 * if it leads to another origin than the feed URL's, the feed's own
 * headers are blanked for the rest of the transfer.
 */
static void
check_redirect(struct fetch *f, const char *p, size_t len)
{
	struct curl_slist	*l;
	char			*loc, *eff = NULL, *to = NULL, *colon;
	size_t			 i;

	while (len > 0 && strchr(" \t\r\n", p[len - 1]) != NULL)
		len--;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	loc = xstrndup(p, len);
	if (curl_easy_getinfo(xfer_easy(f->x), CURLINFO_EFFECTIVE_URL,
	    &eff) == CURLE_OK && eff != NULL)
		to = url_origin(eff, loc);
	if (to == NULL || strcasecmp(to, f->origin) != 0) {
		for (l = f->hdrs, i = 0; l != NULL; l = l->next, i++)
			if (i >= f->nfixed &&
			    (colon = strchr(l->data, ':')) != NULL)
				colon[1] = '\0';
		f->own_headers = 0;
	}
	free(to);
	free(loc);
}

/* Status lines of every response, redirects included, and Locations. */
static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct fetch	*f = arg;
	size_t		 len = size * n;
	char		*sp;

	if (len > 9 && strncmp(p, "HTTP/", 5) == 0) {
		if ((sp = memchr(p, ' ', len)) == NULL ||
		    sscanf(sp, " %3d", &f->code) != 1)
			f->code = 0;
		if (f->code >= 300 && f->code < 400 && f->code != 304) {
			f->redirects++;
			if (f->code != 301 && f->code != 308)
				f->temporary = 1;
		}
	} else if (f->own_headers && f->code >= 300 && f->code < 400 &&
	    len > 9 && strncasecmp(p, "Location:", 9) == 0)
		check_redirect(f, p + 9, len - 9);
	return len;
}

/*
 * The max-age directive of a Cache-Control value, in seconds up to
 * FETCH_MAX_HINT, or 0.  Directives are matched whole: s-maxage is not it.
 */
static long
max_age(const char *cc)
{
	const char	*p;
	char		*end;
	long		 v;

	for (p = cc; p != NULL; p = strchr(p, ',')) {
		p += strspn(p, ", \t");
		if (strncasecmp(p, "max-age=", 8) != 0)
			continue;
		errno = 0;
		v = strtol(p + 8, &end, 10);
		if (end == p + 8 || v <= 0)
			return 0;
		return errno == ERANGE || v > FETCH_MAX_HINT ? FETCH_MAX_HINT :
		    v;
	}
	return 0;
}

/*
 * Retry-After in seconds, up to FETCH_MAX_HINT, or -1.  curl 7.88 gives
 * seconds for a number (its own value, however large) and for an HTTP
 * date (negative when it is past), and 0 for "0", a negative number,
 * one too large for 64 bits and anything else it cannot read: none of
 * those is a reason to wait.
 */
static long
retry_after(CURL *e)
{
	curl_off_t	 v = 0;

	if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &v) != CURLE_OK ||
	    v <= 0)
		return -1;
	return v > FETCH_MAX_HINT ? FETCH_MAX_HINT : (long)v;
}

/* What a 401 or 407 means for this feed, or "". */
static const char *
status_hint(const struct fetch *f, long code)
{
	if (code == 401)
		return f->login ? ": the server refused the username and "
		    "password" : ": the feed wants a login (set username and "
		    "password-file)";
	if (code == 407)
		return f->proxy_login ? ": the proxy refused its user and "
		    "password" : ": the proxy wants a login (give it in the "
		    "proxy URL: http://USER:PASSWORD@HOST:PORT)";
	return "";
}

static void
fetch_free(struct fetch *f)
{
	feed_parser_free(f->parser);
	curl_slist_free_all(f->hdrs);
	free(f->origin);
	raw_release(&f->kept);
	free(f->url);
	free(f->shown);
	free(f->charset);
	free(f);
}

static void
on_done(struct xfer *x, int result, const char *error, void *arg)
{
	struct fetch		*f = arg;
	struct fetch_result	 r;
	CURL			*e = xfer_easy(x);
	char			*eff = NULL, *h, *etag = NULL, *lastmod = NULL;
	char			*hub = NULL, *self = NULL;
	char			 errmsg[256];

	memset(&r, 0, sizeof(r));
	r.bytes = f->got;
	r.http_code = fetch_http_code(x);
	if (curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK)
		r.effective_url = eff;
	r.retry_after = retry_after(e);
	/* curl reuses the header struct between calls: copy. */
	if ((h = header_value(e, "ETag")) != NULL)
		etag = xstrdup(h);
	if ((h = header_value(e, "Last-Modified")) != NULL)
		lastmod = xstrdup(h);
	r.etag = etag;
	r.last_modified = lastmod;
	r.max_age = max_age(header_value(e, "Cache-Control"));
	if (f->redirects > 0 && !f->temporary && eff != NULL &&
	    strcmp(eff, f->url) != 0)
		r.permanent_url = eff;

	if (result == CURLE_ABORTED_BY_CALLBACK) {
		r.status = FETCH_CANCELLED;
		r.error = error;
	} else if (f->too_big) {
		r.status = FETCH_TOO_BIG;
		snprintf(errmsg, sizeof(errmsg), "the body is larger than "
		    "max-size (%ld bytes)", f->max_size);
		r.error = errmsg;
	} else if (f->parse_failed) {
		r.status = FETCH_PARSE_ERROR;
		r.error = feed_parser_error(f->parser);
	} else if (result != CURLE_OK) {
		r.status = FETCH_NET_ERROR;
		r.error = error;
	} else if (r.http_code == 304) {
		r.status = FETCH_NOT_MODIFIED;
	} else if (f->skip_body || (r.http_code != 200 && r.http_code != 0)) {
		r.status = FETCH_HTTP_ERROR;
		snprintf(errmsg, sizeof(errmsg), "http status %ld%s",
		    r.http_code, status_hint(f, r.http_code));
		r.error = errmsg;
	} else {
		if (f->parser == NULL)
			start_parser(f);
		if (feed_parser_finish(f->parser) == -1) {
			r.status = FETCH_PARSE_ERROR;
			r.error = feed_parser_error(f->parser);
		} else
			r.status = FETCH_OK;
	}
	if (f->parser != NULL) {
		r.feed_title = feed_parser_title(f->parser);
		r.feed_link = feed_parser_link(f->parser);
		r.items = feed_parser_count(f->parser);
		r.ttl = feed_parser_ttl(f->parser) < FETCH_MAX_HINT ?
		    feed_parser_ttl(f->parser) : FETCH_MAX_HINT;
	}
	if (r.status == FETCH_OK) {
		hub = link_header(e, "hub");
		self = link_header(e, "self");
		if (hub == NULL && url_is_web(feed_parser_hub(f->parser)))
			r.hub = feed_parser_hub(f->parser);
		if (self == NULL && url_is_web(feed_parser_self(f->parser)))
			r.self = feed_parser_self(f->parser);
		if (hub != NULL)
			r.hub = hub;
		if (self != NULL)
			r.self = self;
	}
	if (r.status == FETCH_PARSE_ERROR && r.error == NULL)
		r.error = "not a feed";
	r.charset = f->charset;
	if (f->keep > 0) {
		r.body = raw_str(&f->kept);
		r.body_len = f->kept.len;
	}
	f->done_cb(&r, f->arg);
	free(etag);
	free(lastmod);
	free(hub);
	free(self);
	fetch_free(f);
}

/*
 * Whether the feed has a login or headers, and they may go to the URL
 * fetched: it has the origin of the feed's home_url, kept in f->origin
 * for the redirects.
 */
static int
at_home(struct fetch *f, const struct fetch_opts *o)
{
	const struct fetch_request	*r = o->req;
	char				*home;
	int				 ok;

	if (r->username == NULL && (r->headers == NULL || *r->headers == NULL))
		return 0;
	if ((f->origin = url_origin(NULL, o->url)) == NULL)
		return 0;
	if (r->home_url == NULL)
		return 1;
	home = url_origin(NULL, r->home_url);
	ok = home != NULL && strcasecmp(home, f->origin) == 0;
	free(home);
	return ok;
}

/*
 * The headers of every request: Accept, validators, then the feed's own
 * if 'home'.
 */
static void
set_headers(struct fetch *f, const struct fetch_opts *o, int home)
{
	const char *const	*h;
	char			*v;

	f->hdrs = curl_slist_append(NULL, "Accept: application/atom+xml, "
	    "application/rss+xml, application/feed+json, "
	    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1");
	/* Validators go back verbatim; TIMECONDITION could fake a 304. */
	if (o->etag != NULL) {
		v = xasprintf("If-None-Match: %s", o->etag);
		f->hdrs = curl_slist_append(f->hdrs, v);
		free(v);
	}
	if (o->last_modified != NULL) {
		v = xasprintf("If-Modified-Since: %s", o->last_modified);
		f->hdrs = curl_slist_append(f->hdrs, v);
		free(v);
	}
	f->nfixed = 1 + (o->etag != NULL) + (o->last_modified != NULL);
	for (h = o->req->headers; home && h != NULL && *h != NULL; h++) {
		f->hdrs = curl_slist_append(f->hdrs, *h);
		f->own_headers = 1;
	}
}

/* The feed's login (if 'home') and cookies. */
static int
set_request(struct fetch *f, CURL *e, const struct fetch_request *r,
    int home)
{
	f->login = home && r->username != NULL;
	f->proxy_login = r->proxy_username != NULL;
	/* Basic or Digest, whichever the server's 401 asks for. */
	if (f->login && (curl_easy_setopt(e, CURLOPT_USERNAME,
	    r->username) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PASSWORD, r->password != NULL ?
	    r->password : "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPAUTH,
	    (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L) != CURLE_OK))
		return -1;
	/* No CURLOPT_COOKIEJAR: the file is never written. */
	if (r->cookie_file != NULL && curl_easy_setopt(e, CURLOPT_COOKIEFILE,
	    r->cookie_file) != CURLE_OK)
		return -1;
	return 0;
}

int
fetch_setup(struct xfer *x, const struct fetch_opts *o, const char *protocols,
    fetch_write_cb *write, void *arg)
{
	CURL				*e = xfer_easy(x);
	const struct fetch_request	*r = o->req;

	if (curl_easy_setopt(e, CURLOPT_URL, o->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
	    "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    o->timeout * 1000L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (o->timeout < 15 ? o->timeout : 15) * 1000L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT,
	    o->req->user_agent) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, arg) != CURLE_OK)
		return -1;
	/* A proxy of the config is not bypassed by $no_proxy. */
	if (r->proxy != NULL && (curl_easy_setopt(e, CURLOPT_PROXY,
	    r->proxy) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOPROXY, "") != CURLE_OK))
		return -1;
	if (r->proxy_username != NULL && (curl_easy_setopt(e,
	    CURLOPT_PROXYUSERNAME, r->proxy_username) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROXYPASSWORD, r->proxy_password !=
	    NULL ? r->proxy_password : "") != CURLE_OK))
		return -1;
	return 0;
}

int
fetch_parse(const char *url, const char *body, size_t len,
    feed_item_cb *item_cb, void *arg, char **error)
{
	struct feed_parser	*p;
	char			*shown = shown_url(url);
	const char		*why;
	int			 rc = 0;

	*error = NULL;
	p = feed_parser_new(shown, NULL, item_cb, arg);
	if (feed_parser_push(p, body, len) == -1 ||
	    feed_parser_finish(p) == -1) {
		why = feed_parser_error(p);
		*error = xstrdup(why != NULL ? why : "not a feed");
		rc = -1;
	}
	feed_parser_free(p);
	free(shown);
	return rc;
}

int
fetch_start(struct xfer_multi *m, const struct fetch_opts *o,
    feed_item_cb *item_cb, fetch_done_cb *done_cb, void *arg)
{
	struct fetch	*f;
	CURL		*e;
	int		 home;

	f = xcalloc(1, sizeof(*f));
	f->url = xstrdup(o->url);
	f->shown = shown_url(o->url);
	home = at_home(f, o);
	f->max_size = o->max_size;
	f->keep = o->keep < (size_t)o->max_size ? o->keep : (size_t)o->max_size;
	f->item_cb = item_cb;
	f->done_cb = done_cb;
	f->arg = arg;
	f->x = xfer_new(m, on_done, f);
	e = xfer_easy(f->x);
	set_headers(f, o, home);
	if (f->hdrs == NULL ||
	    fetch_setup(f->x, o, "http,https,file", write_cb, f) == -1 ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->hdrs) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)o->max_size) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HEADERDATA, f) != CURLE_OK ||
	    set_request(f, e, o->req, home) == -1) {
		log_warnx("feed '%s': cannot set up the transfer", f->shown);
		goto fail;
	}
	if (xfer_start(f->x) == -1)
		goto fail;
	return 0;
 fail:
	xfer_cancel(f->x);
	f->x = NULL;
	fetch_free(f);
	return -1;
}
