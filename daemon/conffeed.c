/*
 * conffeed.c: a feed's request keys.  The login and cookie file are
 * checked against the feed's url (http and https only), the headers
 * against what feedwatch sets itself, and the proxy URL is taken apart
 * with GLib's GUri so that its userinfo never reaches curl's messages.
 */
#include "conffeed.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "config.h"
#include "confval.h"
#include "inifile.h"
#include "url.h"
#include "xmalloc.h"

/*
 * Request headers a feed may not set: those of the transfer itself, and
 * those feedwatch sets on every request, with what to do instead.
 */
static const struct {
	const char	*name;
	const char	*why;
} own_headers[] = {
	{ "Host", NULL }, { "Content-Length", NULL },
	{ "Transfer-Encoding", NULL }, { "TE", NULL }, { "Trailer", NULL },
	{ "Connection", NULL }, { "Keep-Alive", NULL }, { "Upgrade", NULL },
	{ "Expect", NULL }, { "Proxy-Connection", NULL }, { "Accept", NULL },
	{ "Accept-Encoding", NULL }, { "Range", NULL }, { "If-Range", NULL },
	{ "If-None-Match", NULL }, { "If-Modified-Since", NULL },
	{ "If-Match", NULL }, { "If-Unmodified-Since", NULL },
	{ "User-Agent", "set user-agent instead" },
	{ "Proxy-Authorization", "give the proxy's user and password in its "
	    "URL instead" },
};

static const char *const proxy_schemes[] = {
	"http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL
};

/*
 * A proxy value fit for a message: redacted as a URL, and without what
 * precedes an '@' when it is not one ("user:password@host:3128").
 */
static char *
proxy_shown(const char *v)
{
	const char	*at;

	if (strstr(v, "://") == NULL && (at = strrchr(v, '@')) != NULL)
		return xasprintf("***%s", at);
	return url_redact(v);
}

/*
 * Why the URL 'u' is not a proxy URL (scheme://[USER:PASSWORD@]HOST:PORT
 * with a scheme of proxy_schemes), or NULL if it is one.
 */
static const char *
proxy_refusal(GUri *u)
{
	const char	*path = g_uri_get_path(u);
	size_t		 i;

	for (i = 0; proxy_schemes[i] != NULL; i++)
		if (g_ascii_strcasecmp(g_uri_get_scheme(u),
		    proxy_schemes[i]) == 0)
			break;
	if (proxy_schemes[i] == NULL)
		return "is not an http, https, socks4, socks4a, socks5 or "
		    "socks5h URL";
	if (g_uri_get_host(u) == NULL || *g_uri_get_host(u) == '\0')
		return "has no host";
	/* curl would pick 1080 for any scheme, rarely the proxy's port. */
	if (g_uri_get_port(u) == -1)
		return "has no port";
	if ((*path != '\0' && strcmp(path, "/") != 0) ||
	    g_uri_get_query(u) != NULL || g_uri_get_fragment(u) != NULL)
		return "has a path";
	return NULL;
}

void
conffeed_proxy(struct inifile *ini, const char *group, const char *subject,
    struct config_proxy *p)
{
	GUri		*u;
	const char	*why;
	char		*v, *shown, *url;

	if ((v = inifile_get(ini, group, "proxy")) == NULL)
		return;
	if (strcmp(v, "none") == 0) {
		p->url = xstrdup("");
		free(v);
		return;
	}
	if ((u = g_uri_parse(v, G_URI_FLAGS_HAS_PASSWORD, NULL)) == NULL)
		why = "is not a URL";
	else
		why = proxy_refusal(u);
	if (why != NULL) {
		shown = proxy_shown(v);
		inifile_key_error(ini, group, "proxy", "%sproxy '%s' %s (give "
		    "SCHEME://[USER:PASSWORD@]HOST:PORT, or none)", subject,
		    shown, why);
		free(shown);
	} else {
		/* GUri has the scheme in lowercase already. */
		url = g_uri_join(G_URI_FLAGS_NONE, g_uri_get_scheme(u), NULL,
		    g_uri_get_host(u), g_uri_get_port(u), "", NULL, NULL);
		p->url = xstrdup(url);
		if (g_uri_get_user(u) != NULL && *g_uri_get_user(u) != '\0') {
			p->username = xstrdup(g_uri_get_user(u));
			if (g_uri_get_password(u) != NULL)
				p->password = xstrdup(g_uri_get_password(u));
		}
		g_free(url);
	}
	if (u != NULL)
		g_uri_unref(u);
	free(v);
}

/* Whether the authority of 'url' has a userinfo ("user:password@"). */
static int
has_userinfo(const char *url)
{
	const char	*p;

	if ((p = strstr(url, "://")) == NULL)
		return 0;
	p += 3;
	return memchr(p, '@', strcspn(p, "/?#")) != NULL;
}

static int
is_web(const struct config_feed *f)
{
	return f->url != NULL && (g_ascii_strncasecmp(f->url, "http://", 7) ==
	    0 || g_ascii_strncasecmp(f->url, "https://", 8) == 0);
}

/* The feed's own header 'name' ("Name: value", names in any case). */
static const char *
find_header(const struct config_feed *f, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < f->headers.n; i++)
		if (g_ascii_strncasecmp(f->headers.v[i], name, n) == 0 &&
		    f->headers.v[i][n] == ':')
			return f->headers.v[i];
	return NULL;
}

/*
 * Why feed 'f' may not send header 'name' with value 'v', or NULL.
 * Never quotes the value: it may be a secret.
 */
static const char *
header_refusal(const struct config_feed *f, const char *name, const char *v)
{
	const char	*p;
	size_t		 i;

	if (!is_web(f))
		return "only an http or https feed sends headers";
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("!#$%&'*+-.^_`|~", *p) ==
		    NULL)
			break;
	if (*name == '\0' || *p != '\0')
		return "a header name has only letters, digits and "
		    "!#$%&'*+-.^_`|~";
	for (i = 0; i < sizeof(own_headers) / sizeof(own_headers[0]); i++)
		if (g_ascii_strcasecmp(name, own_headers[i].name) == 0)
			return own_headers[i].why != NULL ? own_headers[i].why :
			    "feedwatch sets this header itself";
	if (*v == '\0')
		return "the header has no value";
	for (p = v; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return "the value holds a control character";
	if (find_header(f, name) != NULL)
		return "the header is given twice (names ignore case)";
	if (g_ascii_strcasecmp(name, "Authorization") == 0 &&
	    f->username != NULL)
		return "give username or an Authorization header, not both";
	if (g_ascii_strcasecmp(name, "Cookie") == 0 && f->cookie_file != NULL)
		return "give cookie-file or a Cookie header, not both";
	return NULL;
}

/* The header-NAME keys of 'group', in file order. */
static void
load_headers(struct inifile *ini, const char *group, struct config_feed *f)
{
	struct config_list	 keys;
	const char		*why;
	char			*v;
	size_t			 i;

	keys.v = inifile_keys(ini, group, &keys.n);
	f->headers.v = xcalloc(keys.n + 1, sizeof(*f->headers.v));
	for (i = 0; i < keys.n; i++) {
		if (strncmp(keys.v[i], "header-", 7) != 0)
			continue;
		v = inifile_get(ini, group, keys.v[i]);
		if ((why = header_refusal(f, keys.v[i] + 7, v)) != NULL)
			inifile_key_error(ini, group, keys.v[i], "feed '%s': "
			    "%s: %s", f->name, keys.v[i], why);
		else
			f->headers.v[f->headers.n++] = xasprintf("%s: %s",
			    keys.v[i] + 7, v);
		free(v);
	}
	confval_list_free(&keys);
}

/* username, password or password-file, cookie-file. */
static void
load_login(struct inifile *ini, const char *group, struct config_feed *f)
{
	char	*subject;

	subject = xasprintf("feed '%s'", f->name);
	f->username = inifile_get(ini, group, "username");
	f->password = confval_get_secret(ini, group, subject, "password");
	if (f->username == NULL && f->password != NULL)
		inifile_key_error(ini, group, inifile_line(ini, group,
		    "password") > 0 ? "password" : "password-file", "%s: a "
		    "password needs a username (add 'username = NAME')",
		    subject);
	else if (f->username != NULL && !is_web(f))
		inifile_key_error(ini, group, "username", "%s: username: only "
		    "an http or https feed logs in", subject);
	else if (f->username != NULL && has_userinfo(f->url))
		inifile_key_error(ini, group, "username", "%s: its url has a "
		    "user already: give it in the url or in username, not "
		    "both", subject);
	f->cookie_file = confval_get_file(ini, group, subject, "cookie-file",
	    "give a file of cookies in the Netscape format");
	if (f->cookie_file != NULL && !is_web(f))
		inifile_key_error(ini, group, "cookie-file", "%s: cookie-file: "
		    "only an http or https feed sends cookies", subject);
	free(subject);
}

void
conffeed_load(struct inifile *ini, const char *group, struct config_feed *f)
{
	char	*subject;

	f->user_agent = inifile_get(ini, group, "user-agent");
	load_login(ini, group, f);
	load_headers(ini, group, f);
	subject = xasprintf("feed '%s': ", f->name);
	conffeed_proxy(ini, group, subject, &f->proxy);
	free(subject);
}

int
conffeed_login_in_clear(const struct config_feed *f)
{
	return (f->username != NULL || find_header(f,
	    "Authorization") != NULL) &&
	    g_ascii_strncasecmp(f->url, "http://", 7) == 0;
}

void
conffeed_proxy_release(struct config_proxy *p)
{
	free(p->url);
	free(p->username);
	free(p->password);
}

void
conffeed_release(struct config_feed *f)
{
	free(f->user_agent);
	free(f->username);
	free(f->password);
	confval_list_free(&f->headers);
	free(f->cookie_file);
	conffeed_proxy_release(&f->proxy);
}
