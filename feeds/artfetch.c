/*
 * artfetch.c: an article page streamed into the extractor as it downloads.
 *
 * The extractor is created on the first body byte, when the status and
 * the Content-Type are known; a page that is not to be read (an error
 * status, not HTML) is stopped there.  The cap is counted in the write
 * callback on decompressed bytes, as for feeds (fetch.c), but reaching it
 * only ends the download: what came is extracted.
 */
#include "artfetch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "article.h"
#include "log.h"
#include "url.h"
#include "xfer.h"
#include "xmalloc.h"

/* What a media type is made of; what else a server sends is not shown. */
#define MEDIA_TYPE	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
			"0123456789/+.-_"

struct artfetch {
	struct xfer		*x;
	struct article		*a;
	struct curl_slist	*hdrs;
	char			*url;
	size_t			 max;
	size_t			 got;
	int			 refused;	/* error status, or not HTML */
	int			 stopped;	/* cap or extractor: enough read */
	int			 cut;
	artfetch_done_cb	*done;
	void			*arg;
};

/* A Content-Type the extractor reads: HTML, or none said. */
static int
is_html(const char *ct)
{
	size_t	 n;

	if (ct == NULL)
		return 1;
	n = strcspn(ct, "; \t");
	return (n == 9 && strncasecmp(ct, "text/html", n) == 0) ||
	    (n == 21 && strncasecmp(ct, "application/xhtml+xml", n) == 0);
}

/* On the first body byte: is the page to be read, and in what charset? */
static void
start_article(struct artfetch *f)
{
	char	*charset;

	if (fetch_http_code(f->x) != 200 ||
	    !is_html(fetch_header(f->x, "Content-Type"))) {
		f->refused = 1;
		return;
	}
	charset = fetch_charset(f->x);
	f->a = article_new(f->url, charset, f->max, 0);
	free(charset);
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct artfetch	*f = arg;
	size_t		 len = size * n, take = len;

	if (f->a == NULL && !f->refused)
		start_article(f);
	if (f->refused)
		return CURL_WRITEFUNC_ERROR;
	if (take > f->max - f->got) {
		take = f->max - f->got;
		f->cut = 1;
	}
	f->got += take;
	if (article_push(f->a, p, take) == -1 || f->cut) {
		f->stopped = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	return len;
}

static void
artfetch_free(struct artfetch *f)
{
	article_free(f->a);
	curl_slist_free_all(f->hdrs);
	free(f->url);
	free(f);
}

static void
on_done(struct xfer *x, int result, const char *error, void *arg)
{
	struct artfetch		*f = arg;
	struct artfetch_result	 r;
	char			 msg[256];
	const char		*ct;

	memset(&r, 0, sizeof(r));
	r.bytes = f->got;
	r.cut = f->cut;
	r.http_code = fetch_http_code(x);
	if (result == CURLE_ABORTED_BY_CALLBACK) {
		r.status = FETCH_CANCELLED;
		r.error = error;
	} else if (f->refused && r.http_code != 200) {
		r.status = FETCH_HTTP_ERROR;
		snprintf(msg, sizeof(msg), "http status %ld", r.http_code);
		r.error = msg;
	} else if (f->refused) {
		/* the media type only, and only if it is one */
		if ((ct = fetch_header(x, "Content-Type")) == NULL)
			ct = "";
		r.status = FETCH_PARSE_ERROR;
		snprintf(msg, sizeof(msg), "not a web page (Content-Type "
		    "%.*s)", (int)strspn(ct, MEDIA_TYPE), ct);
		r.error = msg;
	} else if (result != CURLE_OK && !f->stopped) {
		r.status = FETCH_NET_ERROR;
		r.error = error;
	} else if (r.http_code != 200) {
		/* an error status with no body at all */
		r.status = FETCH_HTTP_ERROR;
		snprintf(msg, sizeof(msg), "http status %ld", r.http_code);
		r.error = msg;
	} else {
		if (f->a == NULL)
			start_article(f);
		if (f->a == NULL || article_finish(f->a) == -1) {
			r.status = FETCH_PARSE_ERROR;
			r.error = f->a != NULL ? article_error(f->a) :
			    "not a web page";
		} else {
			r.status = FETCH_OK;
			r.text = article_text(f->a);
			r.title = article_title(f->a);
		}
	}
	if (r.status == FETCH_PARSE_ERROR && r.error == NULL)
		r.error = "no article text";
	f->done(&r, f->arg);
	artfetch_free(f);
}

int
artfetch_start(struct xfer_multi *m, const struct fetch_opts *o,
    artfetch_done_cb *done, void *arg)
{
	struct artfetch	*f;
	char		*shown;

	f = xcalloc(1, sizeof(*f));
	f->url = xstrdup(o->url);
	f->max = (size_t)o->max_size < ARTICLE_MAX_IN ? (size_t)o->max_size :
	    ARTICLE_MAX_IN;
	f->done = done;
	f->arg = arg;
	f->x = xfer_new(m, on_done, f);
	f->hdrs = curl_slist_append(NULL, "Accept: text/html, "
	    "application/xhtml+xml;q=0.9, */*;q=0.1");
	if (f->hdrs == NULL ||
	    fetch_setup(f->x, o, "http,https", write_cb, f) == -1 ||
	    curl_easy_setopt(xfer_easy(f->x), CURLOPT_HTTPHEADER,
	    f->hdrs) != CURLE_OK) {
		shown = url_redact(o->url);
		log_warnx("article %s: cannot set up the transfer", shown);
		free(shown);
		goto fail;
	}
	if (xfer_start(f->x) == -1)
		goto fail;
	return 0;
 fail:
	xfer_cancel(f->x);
	f->x = NULL;
	artfetch_free(f);
	return -1;
}
