/*
 * url.h: what a URL from outside may be, and how one is shown.
 *
 * Feed URLs, redirect targets, item links and OPML outlines come from
 * servers and files feedwatch does not trust.  Only an absolute http or
 * https URL with a host, and no control character, space or quote in it,
 * is ever used as a link (clickable in an alert, a desktop action, an
 * email or a chat message) or written into the config; anything else is
 * dropped, not escaped.
 *
 * A URL may carry a secret: the password of its userinfo, or a token in
 * its query.  Everything that shows a URL (logs, status, alerts, metrics,
 * exports) shows url_redact()'s copy; only the transfer itself sees the
 * original.
 *
 * Plain C over NUL-terminated strings; no library, no allocation but the
 * result of url_redact().
 */
#ifndef FEEDWATCH_URL_H
#define FEEDWATCH_URL_H

/*
 * 1 if 's' is an absolute http:// or https:// URL (scheme in any case)
 * with a non-empty host, made only of printable ASCII other than space,
 * '"', '<', '>', '\\', '^', '`', '{', '|' and '}'; else 0.  NULL gives 0.
 */
int	 url_is_web(const char *s);

/*
 * A malloc'd copy of 'url' fit to show: the userinfo of an
 * authority ("user:pass@") becomes "***@", and the value of a query
 * parameter whose name says it is a secret (a word of it ends in token,
 * key, secret, password, signature, auth, session and the like: "token",
 * "api_key", "apiKey", not "keyword" or "author") becomes "***".
 * Anything that is not a URL is copied as it is.  NULL gives NULL.
 */
char	*url_redact(const char *url);

#endif
