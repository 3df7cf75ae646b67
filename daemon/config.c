/*
 * config.c: the sections of the INI file into struct config.
 *
 * inifile.c reads the file and locates every key, confval.c parses each
 * value, confsink.c reads the [sink] sections and conffeed.c a feed's
 * request keys (login, headers, cookies, proxy); this file knows what
 * the other sections and keys mean, fills the record with defaults and
 * values, and checks what refers to what (a topic's sinks and feeds,
 * health-sinks).  Validation goes on after an
 * error so that one run of `feedwatch config check` reports every
 * problem.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <libstemmer.h>

#include "conffeed.h"
#include "confsink.h"
#include "confval.h"
#include "inifile.h"
#include "log.h"
#include "match.h"
#include "opml.h"
#include "story.h"
#include "url.h"
#include "xmalloc.h"

#define CONFIG_DEFAULT_UA	"feedwatch/" FEEDWATCH_VERSION " (RSS/Atom monitor)"

/* Keys each section accepts (a sink's, per type, are confsink.c's). */
static const char *const daemon_keys[] = {
	"state", "interval", "jitter", "concurrency", "per-host", "timeout",
	"max-size", "backfill", "user-agent", "listen", "opml", "dead-after",
	"health-sinks", "keep", "retry", "push-url", "push-interval", "proxy",
	"content", "content-min", "same-story", "same-story-threshold",
	"min-interval", "max-interval", NULL
};
static const char *const feed_keys[] = {
	"url", "interval", "tags", "user-agent", "username", "password",
	"password-file", "header-*", "cookie-file", "proxy", "content",
	"content-min", "enabled", NULL
};
static const char *const alias_keys[] = { "terms", NULL };
static const char *const topic_keys[] = {
	"query", "sinks", "feeds", "digest", "rate", "quiet", "priority",
	"stem", "translit", "enabled", NULL
};

/* As enum topic_priority counts them. */
static const char *const priority_names[PRIORITY_N] = {
	"low", "normal", "high"
};
/* A content key: summary, full or auto; 'who' names the section in errors. */
static void
get_content(struct inifile *ini, const char *group, const char *who,
    enum feed_content *content)
{
	char	*v;

	if ((v = inifile_get(ini, group, "content")) == NULL)
		return;
	if (strcmp(v, "summary") == 0)
		*content = CONTENT_SUMMARY;
	else if (strcmp(v, "full") == 0)
		*content = CONTENT_FULL;
	else if (strcmp(v, "auto") == 0)
		*content = CONTENT_AUTO;
	else
		inifile_key_error(ini, group, "content", "%scontent '%s' is "
		    "not summary, full (fetch each new item's article) or "
		    "auto (fetch it when the feed's text is shorter than "
		    "content-min)", who, v);
	free(v);
}

/*
 * A poll interval: a duration, or "auto" (CONFIG_INTERVAL_AUTO: set from
 * the feed's pace, schedule.h).
 */
static void
get_interval(struct inifile *ini, const char *group, long *out)
{
	char	*v;

	if ((v = inifile_get(ini, group, "interval")) != NULL &&
	    strcmp(v, "auto") == 0)
		*out = CONFIG_INTERVAL_AUTO;
	else
		confval_get_duration(ini, group, "interval", out);
	free(v);
}

/* min-interval and max-interval, the bounds of interval = auto. */
static void
get_auto_bounds(struct inifile *ini, struct config_daemon *d)
{
	const char	*g = "daemon";
	char		*v;

	confval_get_duration(ini, g, "min-interval", &d->min_interval);
	confval_get_duration(ini, g, "max-interval", &d->max_interval);
	if (d->min_interval == 0)
		inifile_key_error(ini, g, "min-interval", "min-interval: must "
		    "be more than 0");
	else if (d->max_interval < d->min_interval) {
		/* on the line of the one the user set */
		v = inifile_get(ini, g, "max-interval");
		inifile_key_error(ini, g, v != NULL ? "max-interval" :
		    "min-interval", "max-interval (%lds) is shorter than "
		    "min-interval (%lds): make it at least as long",
		    d->max_interval, d->min_interval);
		free(v);
	}
}

/* WebSub: push-url turns it on, and needs the listener it points to. */
static void
load_push(struct inifile *ini, struct config_daemon *d)
{
	const char	*g = "daemon";

	confval_get_duration(ini, g, "push-interval", &d->push_interval);
	if (d->push_interval == 0)
		inifile_key_error(ini, g, "push-interval", "push-interval: "
		    "must be more than 0");
	if ((d->push_url = inifile_get(ini, g, "push-url")) == NULL)
		return;
	if (!url_is_web(d->push_url) || strchr(d->push_url, '?') != NULL ||
	    strchr(d->push_url, '#') != NULL)
		inifile_key_error(ini, g, "push-url", "push-url: '%s' is not "
		    "an http or https URL without a query (as in "
		    "https://example.org/feedwatch/)", d->push_url);
	else if (d->listen == NULL)
		inifile_key_error(ini, g, "push-url", "push-url: the hubs "
		    "call it back on [daemon] listen: set listen too (as in "
		    "127.0.0.1:9464, behind a reverse proxy)");
}

static void
load_daemon(struct inifile *ini, struct config_daemon *d)
{
	const char	*g = "daemon";
	char		*v;

	d->interval = 15 * 60;
	d->min_interval = 2 * 60;
	d->max_interval = 6 * 3600;
	d->jitter_pct = 10;
	d->concurrency = 64;
	d->per_host = 4;
	d->timeout = 30;
	d->max_size = 16L << 20;
	d->backfill = 24 * 3600;
	d->dead_after = 24 * 3600;
	d->retry = 30;
	d->keep = 30 * 86400;
	d->push_interval = 6 * 3600;
	d->content = CONTENT_SUMMARY;
	d->content_min = 300;
	d->same_story = 48 * 3600;
	d->same_story_threshold = STORY_THRESHOLD;
	d->user_agent = xstrdup(CONFIG_DEFAULT_UA);
	if (!inifile_has_section(ini, g))
		return;
	inifile_check_keys(ini, g, "[daemon]", daemon_keys);
	d->state = inifile_get(ini, g, "state");
	get_interval(ini, g, &d->interval);
	if (d->interval == 0)
		inifile_key_error(ini, g, "interval", "interval: must be more "
		    "than 0, or auto");
	get_auto_bounds(ini, d);
	if ((v = inifile_get(ini, g, "jitter")) != NULL) {
		if (confval_percent(v, &d->jitter_pct) == -1)
			inifile_key_error(ini, g, "jitter", "jitter: expected "
			    "a percentage of the interval from 0%% to 100%%");
		free(v);
	}
	confval_get_count(ini, g, "concurrency", &d->concurrency);
	confval_get_count(ini, g, "per-host", &d->per_host);
	confval_get_duration(ini, g, "timeout", &d->timeout);
	if (d->timeout == 0)
		inifile_key_error(ini, g, "timeout", "timeout: must be more "
		    "than 0");
	if ((v = inifile_get(ini, g, "max-size")) != NULL) {
		if (confval_size(v, &d->max_size) == -1 || d->max_size == 0)
			inifile_key_error(ini, g, "max-size", "max-size: '%s' "
			    "is not a size (a number with K, M or G, as in "
			    "16M)", v);
		free(v);
	}
	confval_get_duration(ini, g, "backfill", &d->backfill);
	if ((v = inifile_get(ini, g, "user-agent")) != NULL) {
		free(d->user_agent);
		d->user_agent = v;
	}
	if ((d->listen = inifile_get(ini, g, "listen")) != NULL &&
	    confval_host_port(d->listen) == -1)
		inifile_key_error(ini, g, "listen", "listen: '%s' is not "
		    "HOST:PORT (as in 127.0.0.1:9464)", d->listen);
	d->opml = inifile_get(ini, g, "opml");
	confval_get_duration(ini, g, "dead-after", &d->dead_after);
	confval_get_duration(ini, g, "retry", &d->retry);
	if (d->retry == 0)
		inifile_key_error(ini, g, "retry", "retry: must be more than "
		    "0");
	confval_get_list(ini, g, "health-sinks", &d->health_sinks);
	confval_get_duration(ini, g, "keep", &d->keep);
	load_push(ini, d);
	conffeed_proxy(ini, g, "", &d->proxy);
	get_content(ini, g, "", &d->content);
	confval_get_count(ini, g, "content-min", &d->content_min);
	confval_get_duration(ini, g, "same-story", &d->same_story);
	if ((v = inifile_get(ini, g, "same-story-threshold")) != NULL) {
		if (confval_fraction(v, &d->same_story_threshold) == -1)
			inifile_key_error(ini, g, "same-story-threshold",
			    "same-story-threshold: '%s' is not a number above "
			    "0 and at most 1 (as in %.2f)", v, STORY_THRESHOLD);
		free(v);
	}
}

/* enabled = yes|no of a [feed] or [topic] ('what'): 'disabled' set if no. */
static void
get_enabled(struct inifile *ini, const char *group, const char *what,
    const char *name, int *disabled)
{
	char	*v;
	int	 on = 1;

	if ((v = inifile_get(ini, group, "enabled")) == NULL)
		return;
	if (confval_bool(v, &on) == -1)
		inifile_key_error(ini, group, "enabled", "%s '%s': enabled '%s' "
		    "is not yes or no", what, name, v);
	*disabled = !on;
	free(v);
}

static void
load_feed(struct inifile *ini, struct config *cf, const char *group,
    const char *name)
{
	struct config_feed	*f;
	char			*scheme, *dir, *abs, *file, *uri = NULL, *shown;
	char			*who;
	int			 line = inifile_line(ini, group, NULL);

	inifile_check_keys(ini, group, "a [feed] section", feed_keys);
	cf->feeds = xreallocarray(cf->feeds, cf->nfeeds + 1,
	    sizeof(*cf->feeds));
	f = &cf->feeds[cf->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->line = line;
	if ((f->url = inifile_get(ini, group, "url")) == NULL)
		inifile_error(ini, line, "feed '%s': no url (add 'url = "
		    "https://...')", name);
	else if (strstr(f->url, "://") == NULL) {
		/* A local file, relative to the config's directory. */
		dir = g_path_get_dirname(inifile_path(ini));
		abs = g_canonicalize_filename(dir, NULL);
		file = g_canonicalize_filename(f->url, abs);
		if ((uri = g_filename_to_uri(file, NULL, NULL)) == NULL)
			inifile_key_error(ini, group, "url", "feed '%s': url "
			    "'%s' is neither a URL nor a file name", name,
			    f->url);
		else {
			free(f->url);
			f->url = xstrdup(uri);
		}
		g_free(uri);
		g_free(file);
		g_free(abs);
		g_free(dir);
	} else {
		scheme = g_uri_parse_scheme(f->url);
		if (scheme == NULL || (g_ascii_strcasecmp(scheme, "http") != 0 &&
		    g_ascii_strcasecmp(scheme, "https") != 0 &&
		    g_ascii_strcasecmp(scheme, "file") != 0) ||
		    !g_uri_is_valid(f->url, G_URI_FLAGS_PARSE_RELAXED, NULL)) {
			shown = url_redact(f->url);
			inifile_key_error(ini, group, "url", "feed '%s': url "
			    "'%s' is not an http, https or file URL", name,
			    shown);
			free(shown);
		}
		g_free(scheme);
	}
	get_interval(ini, group, &f->interval);
	confval_get_list(ini, group, "tags", &f->tags);
	conffeed_load(ini, group, f);
	who = xasprintf("feed '%s': ", name);
	get_content(ini, group, who, &f->content);
	free(who);
	confval_get_count(ini, group, "content-min", &f->content_min);
	get_enabled(ini, group, "feed", name, &f->disabled);
}

static int
feed_or_tag_exists(const struct config *cf, const char *ref)
{
	size_t	 i, j;

	if (strcmp(ref, "*") == 0)
		return 1;
	for (i = 0; i < cf->nfeeds; i++) {
		if (strncmp(ref, "tag:", 4) != 0) {
			if (strcmp(cf->feeds[i].name, ref) == 0)
				return 1;
			continue;
		}
		for (j = 0; j < cf->feeds[i].tags.n; j++)
			if (strcmp(cf->feeds[i].tags.v[j], ref + 4) == 0)
				return 1;
	}
	return 0;
}

static int
stemmer_exists(const char *lang)
{
	const char	**l;

	for (l = sb_stemmer_list(); *l != NULL; l++)
		if (strcmp(*l, lang) == 0)
			return 1;
	return 0;
}

static void
load_topic(struct inifile *ini, struct config *cf, const char *group,
    const char *name)
{
	struct config_topic	*t;
	char			*v;
	int			 line = inifile_line(ini, group, NULL);
	size_t			 i;

	inifile_check_keys(ini, group, "a [topic] section", topic_keys);
	cf->topics = xreallocarray(cf->topics, cf->ntopics + 1,
	    sizeof(*cf->topics));
	t = &cf->topics[cf->ntopics++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->line = line;
	t->priority = PRIORITY_NORMAL;
	t->quiet_start = t->quiet_end = -1;
	if ((t->query = inifile_get(ini, group, "query")) == NULL)
		inifile_error(ini, line, "topic '%s': no query (add 'query = "
		    "WORDS')", name);
	confval_get_list(ini, group, "sinks", &t->sinks);
	confval_get_list(ini, group, "feeds", &t->feeds);
	for (i = 0; i < t->sinks.n; i++)
		if (config_sink_find(cf, t->sinks.v[i]) == NULL)
			inifile_key_error(ini, group, "sinks", "topic '%s': "
			    "key 'sinks': sink '%s' is not defined (add a "
			    "[sink %s] section)", name, t->sinks.v[i],
			    t->sinks.v[i]);
	/* Absent means every one; empty is a slip, not a wish for all. */
	if (t->sinks.n == 0 && inifile_line(ini, group, "sinks") > 0)
		inifile_key_error(ini, group, "sinks", "topic '%s': key "
		    "'sinks': no sink named; name one or more [sink] "
		    "sections, or remove the key to send to every sink", name);
	if (t->feeds.n == 0 && inifile_line(ini, group, "feeds") > 0)
		inifile_key_error(ini, group, "feeds", "topic '%s': key "
		    "'feeds': no feed named; name feeds or tag:NAME, or "
		    "remove the key to watch every feed", name);
	for (i = 0; i < t->feeds.n; i++)
		if (!feed_or_tag_exists(cf, t->feeds.v[i]))
			inifile_key_error(ini, group, "feeds", "topic '%s': no "
			    "feed or tag '%s' is defined", name,
			    t->feeds.v[i]);
	confval_get_duration(ini, group, "digest", &t->digest);
	if ((v = inifile_get(ini, group, "rate")) != NULL) {
		if (confval_rate(v, &t->rate_count, &t->rate_period) == -1)
			inifile_key_error(ini, group, "rate", "topic '%s': "
			    "rate '%s' is not COUNT/UNIT (as in 30/h; units "
			    "s, m, h, d)", name, v);
		free(v);
	}
	if ((v = inifile_get(ini, group, "quiet")) != NULL) {
		if (confval_quiet(v, &t->quiet_start, &t->quiet_end) == -1)
			inifile_key_error(ini, group, "quiet", "topic '%s': "
			    "quiet '%s' is not HH:MM-HH:MM", name, v);
		free(v);
	}
	if ((v = inifile_get(ini, group, "priority")) != NULL) {
		for (i = 0; i < PRIORITY_N; i++)
			if (strcmp(v, priority_names[i]) == 0)
				break;
		if (i < PRIORITY_N)
			t->priority = i;
		else
			inifile_key_error(ini, group, "priority", "topic '%s': "
			    "priority '%s' is not low, normal or high", name,
			    v);
		free(v);
	}
	confval_get_list(ini, group, "stem", &t->stem);
	for (i = 0; i < t->stem.n; i++)
		if (!stemmer_exists(t->stem.v[i]))
			inifile_key_error(ini, group, "stem", "topic '%s': no "
			    "Snowball stemmer for '%s' (as in english, "
			    "russian, german)", name, t->stem.v[i]);
	if ((v = inifile_get(ini, group, "translit")) != NULL) {
		if (confval_bool(v, &t->translit) == -1)
			inifile_key_error(ini, group, "translit", "topic '%s': "
			    "translit '%s' is not yes or no", name, v);
		free(v);
	}
	get_enabled(ini, group, "topic", name, &t->disabled);
}

/* A refused outline of [daemon] opml is an error of the config. */
struct opml_load {
	struct inifile	*ini;
	const char	*path;
};

static void
opml_refused(const char *why, void *arg)
{
	struct opml_load	*ol = arg;

	inifile_key_error(ol->ini, "daemon", "opml", "opml '%s': %s; fix "
	    "its xmlUrl or remove it from the file", ol->path, why);
}

/* [daemon] opml: its feeds join the config's, unless a URL is there already. */
static void
load_opml(struct inifile *ini, struct config *cf)
{
	struct opml_feed	*of;
	struct opml_load	 ol;
	char			 err[256], *base, *dir, *path;
	size_t			 n, i;
	int			 line = inifile_line(ini, "daemon", "opml");

	if (cf->daemon.opml == NULL)
		return;
	/* Relative to the config's directory, made absolute first. */
	base = g_path_get_dirname(inifile_path(ini));
	dir = g_canonicalize_filename(base, NULL);
	g_free(base);
	path = g_canonicalize_filename(cf->daemon.opml, dir);
	if (opml_read(path, &of, &n, err, sizeof(err)) == -1) {
		inifile_error(ini, line, "opml '%s': %s", path, err);
		goto out;
	}
	ol.ini = ini;
	ol.path = path;
	i = cf->nfeeds;
	config_add_opml(cf, of, n, opml_refused, &ol);
	for (; i < cf->nfeeds; i++)
		cf->feeds[i].line = line;
	opml_feeds_free(of, n);
 out:
	g_free(path);
	g_free(dir);
}

/*
 * A feed name for 'title' (or, without one, the URL's host and port) that
 * is not in 'names': lowercase letters, digits and '-', with -2, -3...
 * when taken.  'names' maps each name taken to the suffix to try next
 * after it, so that a thousand feeds of one title cost a thousand
 * lookups, not a million.  The name is added to 'names'.  Malloc'd.
 */
static char *
feed_name(GHashTable *names, const char *title, const char *url)
{
	GString		*s = g_string_new(NULL);
	const char	*src = title, *p, *at;
	gpointer	 key, next;
	char		*name;
	size_t		 len;
	int		 dash = 0, n;

	if (src != NULL && *src != '\0')
		len = strlen(src);
	else {
		/* Never the userinfo: it may hold a password. */
		src = (p = strstr(url, "://")) != NULL ? p + 3 : url;
		len = strcspn(src, "/?#");
		if ((at = memrchr(src, '@', len)) != NULL) {
			len -= at + 1 - src;
			src = at + 1;
		}
	}
	for (p = src; p < src + len && s->len < 40; p++) {
		if (isalnum((unsigned char)*p)) {
			if (dash && s->len > 0)
				g_string_append_c(s, '-');
			g_string_append_c(s, (char)tolower((unsigned char)*p));
			dash = 0;
		} else
			dash = 1;
	}
	if (s->len == 0)
		g_string_append(s, "feed");
	if (!g_hash_table_lookup_extended(names, s->str, &key, &next))
		name = xstrdup(s->str);
	else {
		n = next != NULL ? GPOINTER_TO_INT(next) : 2;
		name = xasprintf("%s-%d", s->str, n);
		while (g_hash_table_contains(names, name)) {
			free(name);
			name = xasprintf("%s-%d", s->str, ++n);
		}
		g_hash_table_insert(names, key, GINT_TO_POINTER(n + 1));
	}
	g_hash_table_insert(names, name, NULL);
	g_string_free(s, TRUE);
	return name;
}

size_t
config_add_opml(struct config *cf, const struct opml_feed *of, size_t n,
    config_refused_cb *refused, void *arg)
{
	GHashTable		*names, *urls;
	struct config_feed	*f;
	char			*why;
	size_t			 i, j, added = 0;

	names = g_hash_table_new(g_str_hash, g_str_equal);
	urls = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < cf->nfeeds; i++) {
		g_hash_table_insert(names, cf->feeds[i].name, NULL);
		g_hash_table_add(urls, cf->feeds[i].url);
	}
	cf->feeds = xreallocarray(cf->feeds, cf->nfeeds + n,
	    sizeof(*cf->feeds));
	for (i = 0; i < n; i++) {
		if ((why = opml_feed_refusal(&of[i])) != NULL) {
			refused(why, arg);
			free(why);
			continue;
		}
		if (g_hash_table_contains(urls, of[i].url))
			continue;
		f = &cf->feeds[cf->nfeeds++];
		memset(f, 0, sizeof(*f));
		f->name = feed_name(names, of[i].title, of[i].url);
		f->url = xstrdup(of[i].url);
		f->tags.v = xcalloc(of[i].ntags + 1, sizeof(*f->tags.v));
		for (j = 0; j < of[i].ntags; j++)
			f->tags.v[f->tags.n++] = xstrdup(of[i].tags[j]);
		g_hash_table_add(urls, f->url);
		added++;
	}
	g_hash_table_destroy(urls);
	g_hash_table_destroy(names);
	return added;
}

int
config_topic_add(struct matcher *m, const struct config_topic *t, char *err,
    size_t errlen)
{
	struct topic_opts	 opts;

	memset(&opts, 0, sizeof(opts));
	opts.stem = (const char *const *)t->stem.v;
	opts.nstem = t->stem.n;
	opts.translit = t->translit;
	opts.feeds = (const char *const *)t->feeds.v;
	opts.nfeeds = t->feeds.n;
	return matcher_add_topic(m, t->name, t->query, &opts, err, errlen);
}

/* matcher_compile() names the topic ("topic 'NAME': ..."): find its query. */
static int
compile_error_line(const struct inifile *ini, const char *err)
{
	char	*group;
	size_t	 n;
	int	 line = 0;

	if (strncmp(err, "topic '", 7) == 0) {
		n = strcspn(err + 7, "'");
		group = xasprintf("topic %.*s", (int)n, err + 7);
		line = inifile_line(ini, group, "query");
		free(group);
	}
	return line;
}

/* Adds 't' to 'm'; a query that does not parse is an error at its line. */
static int
add_topic(struct inifile *ini, struct matcher *m, const struct config_topic *t)
{
	char	 err[256], *group;

	if (config_topic_add(m, t, err, sizeof(err)) == 0)
		return 0;
	group = xasprintf("topic %s", t->name);
	inifile_key_error(ini, group, "query", "topic '%s': query: %s", t->name,
	    err);
	free(group);
	return -1;
}

static void
compile(struct inifile *ini, struct matcher *m)
{
	char	 err[256];

	if (inifile_errors(ini) == 0 && matcher_compile(m, err,
	    sizeof(err)) == -1)
		inifile_error(ini, compile_error_line(ini, err), "%s", err);
}

/*
 * The disabled topics, compiled apart with the aliases so that their
 * errors are found too, then thrown away: they must not match.
 */
static void
compile_disabled(struct inifile *ini, const struct config *cf)
{
	struct matcher	*m;
	char		 err[256];
	size_t		 i, n = 0;

	m = matcher_new();
	for (i = 0; i < cf->naliases; i++)
		/* a bad one was said above, and stops the compile */
		(void)matcher_add_alias(m, cf->aliases[i].name,
		    cf->aliases[i].terms, err, sizeof(err));
	for (i = 0; i < cf->ntopics; i++)
		if (cf->topics[i].disabled && cf->topics[i].query != NULL &&
		    add_topic(ini, m, &cf->topics[i]) == 0)
			n++;
	if (n > 0)
		compile(ini, m);
	matcher_free(m);
}

/* Aliases first: topics may use any of them, wherever they stand. */
static void
compile_topics(struct inifile *ini, struct config *cf)
{
	const char *const	*groups = inifile_sections(ini);
	const struct config_topic *t;
	char			 err[256], *terms;
	size_t			 i;

	cf->matcher = matcher_new();
	for (i = 0; groups[i] != NULL; i++) {
		if (strncmp(groups[i], "alias ", 6) != 0)
			continue;
		inifile_check_keys(ini, groups[i], "an [alias] section",
		    alias_keys);
		if ((terms = inifile_get(ini, groups[i], "terms")) == NULL) {
			inifile_key_error(ini, groups[i], NULL, "alias '%s': "
			    "no terms (add 'terms = WORD, \"A PHRASE\", ...')",
			    groups[i] + 6);
			continue;
		}
		if (matcher_add_alias(cf->matcher, groups[i] + 6, terms, err,
		    sizeof(err)) == -1)
			inifile_key_error(ini, groups[i], "terms", "alias "
			    "'%s': %s", groups[i] + 6, err);
		cf->aliases = xreallocarray(cf->aliases, cf->naliases + 1,
		    sizeof(*cf->aliases));
		cf->aliases[cf->naliases].name = xstrdup(groups[i] + 6);
		cf->aliases[cf->naliases].terms = terms;
		cf->aliases[cf->naliases++].line = inifile_line(ini, groups[i],
		    "terms");
	}
	for (i = 0; i < cf->ntopics; i++) {
		t = &cf->topics[i];
		if (t->query != NULL && !t->disabled)
			add_topic(ini, cf->matcher, t);
	}
	compile(ini, cf->matcher);
	compile_disabled(ini, cf);
}

struct config *
config_load(const char *path)
{
	struct config	*cf;
	GError		*gerr = NULL;
	gchar		*text;
	gsize		 len;

	if (access(path, R_OK) == -1) {
		log_warnx("config '%s': %s", path, errno == ENOENT ?
		    "no such file" : strerror(errno));
		return NULL;
	}
	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		log_warnx("config '%s': %s", path, gerr->message);
		g_clear_error(&gerr);
		return NULL;
	}
	cf = config_parse(path, text, len);
	g_free(text);
	return cf;
}

struct config *
config_parse(const char *path, const char *text, size_t len)
{
	struct inifile		*ini;
	struct config		*cf;
	const char *const	*groups;
	const char		*g, *sp;
	size_t			 i;

	cf = xcalloc(1, sizeof(*cf));
	cf->path = xstrdup(path);
	ini = inifile_new(path, text, len);
	if (inifile_errors(ini) > 0)
		goto out;
	groups = inifile_sections(ini);
	/* Sections of every kind first, so that references can be checked. */
	for (i = 0; groups[i] != NULL; i++) {
		g = groups[i];
		sp = strchr(g, ' ');
		if (strcmp(g, "daemon") == 0 || sp == NULL ||
		    (strncmp(g, "feed ", 5) != 0 && strncmp(g, "topic ", 6) != 0 &&
		    strncmp(g, "alias ", 6) != 0 && strncmp(g, "sink ", 5) != 0))
			continue;
		if (!confval_is_name(sp + 1))
			inifile_key_error(ini, g, NULL, "section [%s]: a name "
			    "has letters, digits, '_', '.' and '-' only", g);
	}
	load_daemon(ini, &cf->daemon);
	for (i = 0; groups[i] != NULL; i++) {
		g = groups[i];
		if (strcmp(g, "daemon") == 0 || strncmp(g, "alias ", 6) == 0 ||
		    strncmp(g, "topic ", 6) == 0)
			continue;
		if (strncmp(g, "feed ", 5) == 0)
			load_feed(ini, cf, g, g + 5);
		else if (strncmp(g, "sink ", 5) == 0) {
			cf->sinks = xreallocarray(cf->sinks, cf->nsinks + 1,
			    sizeof(*cf->sinks));
			confsink_load(ini, g, g + 5, &cf->sinks[cf->nsinks++]);
		}
		else
			inifile_key_error(ini, g, NULL, "unknown section [%s] "
			    "(sections are [daemon], [feed NAME], [topic "
			    "NAME], [alias NAME] and [sink NAME])", g);
	}
	load_opml(ini, cf);
	for (i = 0; groups[i] != NULL; i++)
		if (strncmp(groups[i], "topic ", 6) == 0)
			load_topic(ini, cf, groups[i], groups[i] + 6);
	for (i = 0; i < cf->daemon.health_sinks.n; i++)
		if (config_sink_find(cf, cf->daemon.health_sinks.v[i]) == NULL)
			inifile_key_error(ini, "daemon", "health-sinks",
			    "health-sinks: sink '%s' is not defined",
			    cf->daemon.health_sinks.v[i]);
	compile_topics(ini, cf);
 out:
	if (inifile_errors(ini) > 0) {
		config_free(cf);
		cf = NULL;
	}
	inifile_report(ini);
	inifile_free(ini);
	return cf;
}

void
config_free(struct config *cf)
{
	size_t	 i;

	if (cf == NULL)
		return;
	free(cf->path);
	free(cf->daemon.state);
	free(cf->daemon.user_agent);
	free(cf->daemon.listen);
	free(cf->daemon.push_url);
	free(cf->daemon.opml);
	confval_list_free(&cf->daemon.health_sinks);
	conffeed_proxy_release(&cf->daemon.proxy);
	for (i = 0; i < cf->nfeeds; i++) {
		free(cf->feeds[i].name);
		free(cf->feeds[i].url);
		confval_list_free(&cf->feeds[i].tags);
		conffeed_release(&cf->feeds[i]);
	}
	free(cf->feeds);
	for (i = 0; i < cf->ntopics; i++) {
		free(cf->topics[i].name);
		free(cf->topics[i].query);
		confval_list_free(&cf->topics[i].sinks);
		confval_list_free(&cf->topics[i].feeds);
		confval_list_free(&cf->topics[i].stem);
	}
	free(cf->topics);
	for (i = 0; i < cf->naliases; i++) {
		free(cf->aliases[i].name);
		free(cf->aliases[i].terms);
	}
	free(cf->aliases);
	for (i = 0; i < cf->nsinks; i++)
		confsink_release(&cf->sinks[i]);
	free(cf->sinks);
	matcher_free(cf->matcher);
	free(cf);
}

void
config_feed_request(const struct config *cf, const struct config_feed *f,
    struct fetch_request *r)
{
	const struct config_proxy	*p;

	p = f->proxy.url != NULL ? &f->proxy : &cf->daemon.proxy;
	memset(r, 0, sizeof(*r));
	r->home_url = f->url;
	r->user_agent = f->user_agent != NULL ? f->user_agent :
	    cf->daemon.user_agent;
	r->username = f->username;
	r->password = f->password;
	r->headers = (const char *const *)f->headers.v;
	r->cookie_file = f->cookie_file;
	r->proxy = p->url;
	r->proxy_username = p->username;
	r->proxy_password = p->password;
}

void
config_warn(const struct config *cf)
{
	const struct config_feed	*f;
	size_t				 i;

	for (i = 0; i < cf->nfeeds; i++) {
		f = &cf->feeds[i];
		if (conffeed_login_in_clear(f))
			log_warnx("%s:%d: feed '%s': its login goes over plain "
			    "http, where anyone on the way can read it; use an "
			    "https url", cf->path, f->line, f->name);
	}
}

const struct sink_conf *
config_sink_find(const struct config *cf, const char *name)
{
	size_t	 i;

	for (i = 0; i < cf->nsinks; i++)
		if (strcmp(cf->sinks[i].name, name) == 0)
			return &cf->sinks[i];
	return NULL;
}

const struct config_feed *
config_feed_find(const struct config *cf, const char *name)
{
	size_t	 i;

	for (i = 0; i < cf->nfeeds; i++)
		if (strcmp(cf->feeds[i].name, name) == 0)
			return &cf->feeds[i];
	return NULL;
}

const struct config_topic *
config_topic_find(const struct config *cf, const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < cf->ntopics; i++)
		if (strcmp(cf->topics[i].name, name) == 0)
			return &cf->topics[i];
	return NULL;
}

const char *
config_priority_name(enum topic_priority p)
{
	return priority_names[p];
}

/* "-c FILE" or $FEEDWATCH_CONFIG named 'path': it must be there. */
static char *
config_named(const char *path, const char *by)
{
	if (access(path, F_OK) == -1) {
		fprintf(stderr, "feedwatch: config '%s': %s (given by %s)\n",
		    path, errno == ENOENT ? "no such file" : strerror(errno),
		    by);
		return NULL;
	}
	return xstrdup(path);
}

char *
config_find(const char *arg)
{
	const char	*env;
	char		*cand[4];
	char		*found = NULL;
	size_t		 n = 0, i;

	if (arg != NULL)
		return config_named(arg, "-c");
	if ((env = getenv("FEEDWATCH_CONFIG")) != NULL && *env != '\0')
		return config_named(env, "$FEEDWATCH_CONFIG");
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env != '\0')
		cand[n++] = xasprintf("%s/feedwatch/feedwatch.conf", env);
	else if ((env = getenv("HOME")) != NULL && *env != '\0')
		cand[n++] = xasprintf("%s/.config/feedwatch/feedwatch.conf",
		    env);
	if ((env = getenv("CONFIGURATION_DIRECTORY")) != NULL && *env != '\0')
		cand[n++] = xasprintf("%s/feedwatch.conf", env);
	cand[n++] = xstrdup("/etc/feedwatch/feedwatch.conf");
	for (i = 0; i < n; i++) {
		if (found == NULL && access(cand[i], F_OK) == 0)
			found = xstrdup(cand[i]);
	}
	if (found == NULL) {
		fprintf(stderr, "feedwatch: no config file (looked in:");
		for (i = 0; i < n; i++)
			fprintf(stderr, "%s %s", i > 0 ? "," : "", cand[i]);
		fprintf(stderr, "); give -c FILE or set $FEEDWATCH_CONFIG\n");
	}
	for (i = 0; i < n; i++)
		free(cand[i]);
	return found;
}
