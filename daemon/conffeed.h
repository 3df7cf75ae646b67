/*
 * conffeed.h: what a [feed] section says about its requests (README
 * "Feeds behind a login"): user-agent, the login (username with password
 * or password-file), header-NAME keys, cookie-file and proxy, and the
 * [daemon] proxy, read into struct config_feed and struct config_proxy
 * (config.h) and checked, each error at its line.
 *
 * The secrets (a password, header values, a proxy's password) are never
 * quoted in an error: a header is named by its key, a proxy URL shown
 * redacted.  A proxy's userinfo is kept apart from its URL, decoded, so
 * that no message about the proxy can show it.
 */
#ifndef FEEDWATCH_CONFFEED_H
#define FEEDWATCH_CONFFEED_H

struct config_feed;
struct config_proxy;
struct inifile;

/*
 * The request keys of the feed section 'group' into 'f', whose name and
 * url are read already.
 */
void	 conffeed_load(struct inifile *ini, const char *group,
	    struct config_feed *f);

/*
 * The key 'proxy' of 'group' into 'p': "none" (url ""), or a proxy URL.
 * Errors start with 'subject' ("feed 'a': ", or "").
 */
void	 conffeed_proxy(struct inifile *ini, const char *group,
	    const char *subject, struct config_proxy *p);

/* Whether feed 'f' sends a login to an http:// url, in clear. */
int	 conffeed_login_in_clear(const struct config_feed *f);

/* Frees what conffeed_load() read into 'f', or conffeed_proxy() into 'p'. */
void	 conffeed_release(struct config_feed *f);
void	 conffeed_proxy_release(struct config_proxy *p);

#endif
