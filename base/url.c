/*
 * url.c: URL checks and redaction for what comes from outside.
 */
#include "url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"

/* Printable ASCII that RFC 3986 never lets stand unencoded in a URL. */
static int
url_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"<>\\^`{|}", c) == NULL;
}

int
url_is_web(const char *s)
{
	const char	*p, *host;
	size_t		 n;

	if (s == NULL)
		return 0;
	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!url_char_ok((unsigned char)*p))
			return 0;
	/* The host is what follows the userinfo, up to a port or path. */
	n = strcspn(host, "/?#");
	for (p = host + n; p > host && p[-1] != '@'; p--)
		;
	return p[0] != '\0' && strchr(":/?#", p[0]) == NULL;
}

/*
 * Query parameter names that say their value is a secret: a word of the
 * name (words split at '_', '-' and '.') ending in one of these, as in
 * "token", "access_token", "apiKey", "client-secret", "oauth", "sig".
 * "keyword" and "author" are not secrets.
 */
static int
secret_name(const char *name, size_t len)
{
	static const char *const ends[] = { "token", "key", "secret", "pass",
	    "passwd", "password", "pwd", "auth", "sig", "signature", "session",
	    "sessionid", "sid", "credential", "credentials" };
	const char	*w, *e;
	size_t		 i, wl, el;

	for (w = name; w < name + len; w = e + 1) {
		for (e = w; e < name + len && strchr("_-.", *e) == NULL; e++)
			;
		wl = e - w;
		for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
			el = strlen(ends[i]);
			if (wl >= el && strncasecmp(e - el, ends[i], el) == 0)
				return 1;
		}
	}
	return 0;
}

char *
url_redact(const char *url)
{
	const char	*auth, *at, *end, *p, *q, *eq;
	char		*out, *o;
	size_t		 n;

	if (url == NULL)
		return NULL;
	if ((auth = strstr(url, "://")) == NULL)
		return xstrdup(url);
	auth += 3;
	/* "***@" and "=***" are never longer than what they replace, plus 3. */
	out = o = xmalloc(strlen(url) + 4 + 3 * strlen(url) / 2 + 1);
	n = strcspn(auth, "/?#");
	at = NULL;
	for (p = auth; p < auth + n; p++)
		if (*p == '@')
			at = p;
	memcpy(o, url, auth - url);
	o += auth - url;
	if (at != NULL) {
		memcpy(o, "***", 3);
		o += 3;
		p = at;
	} else
		p = auth;
	end = p + strcspn(p, "?#");
	memcpy(o, p, end - p);
	o += end - p;
	p = end;
	if (*p == '?') {
		*o++ = *p++;
		end = p + strcspn(p, "#");
		while (p < end) {
			q = p + strcspn(p, "&;");
			if (q > end)
				q = end;
			eq = memchr(p, '=', q - p);
			if (eq != NULL && secret_name(p, eq - p)) {
				memcpy(o, p, eq + 1 - p);
				o += eq + 1 - p;
				memcpy(o, "***", 3);
				o += 3;
			} else {
				memcpy(o, p, q - p);
				o += q - p;
			}
			if (q < end)
				*o++ = *q++;
			p = q;
		}
	}
	strcpy(o, p);
	return out;
}
