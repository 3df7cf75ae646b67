/*
 * config.c: load and validate the INI configuration.
 *
 * GKeyFile parses the values, but it keeps no line numbers, merges
 * repeated sections and lets a repeated key win silently.  So a first pass
 * over the raw lines records where each section and key stands and
 * rejects what GKeyFile would accept quietly; every later message can then
 * name its line.  Validation goes on after an error so that one run of
 * `feedwatch config check` reports every problem.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <libstemmer.h>

#include "log.h"
#include "match.h"
#include "opml.h"
#include "url.h"
#include "xmalloc.h"

#define CONFIG_DEFAULT_UA	"feedwatch/" FEEDWATCH_VERSION " (RSS/Atom monitor)"

struct loader {
	const char	*path;
	GKeyFile	*kf;
	GHashTable	*lines;		/* "group\nkey" or "group" -> line */
	int		 errors;
	struct config	*cf;
};

/* Keys each section accepts; sinks accept the union, checked per type below. */
static const char *const daemon_keys[] = {
	"state", "interval", "jitter", "concurrency", "per-host", "timeout",
	"max-size", "backfill", "user-agent", "listen", "opml", "dead-after",
	"health-sinks", "keep", "retry", NULL
};
static const char *const feed_keys[] = { "url", "interval", "tags", NULL };
static const char *const alias_keys[] = { "terms", NULL };
static const char *const topic_keys[] = {
	"query", "sinks", "feeds", "digest", "rate", "quiet", "priority",
	"stem", "translit", NULL
};

struct sink_kind {
	const char		*name;
	enum sink_type		 type;
	const char *const	 keys[10];
};

static const struct sink_kind sink_kinds[] = {
	{ "stdout", SINK_STDOUT, { NULL } },
	{ "file", SINK_FILE, { "path", NULL } },
	{ "desktop", SINK_DESKTOP, { "urgency", NULL } },
	{ "webhook", SINK_WEBHOOK, { "url", "format", "secret", "secret-file",
	    "ca-file", NULL } },
	{ "email", SINK_EMAIL, { "smtp", "username", "password",
	    "password-file", "from", "to", "ca-file", NULL } },
	{ "exec", SINK_EXEC, { "command", "timeout", NULL } },
};

static void	cerr(struct loader *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
cerr(struct loader *ld, int line, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s:%d: ", ld->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ld->errors++;
}

static int
line_of(struct loader *ld, const char *group, const char *key)
{
	char	*k;
	int	 line;

	k = key ? xasprintf("%s\n%s", group, key) : xstrdup(group);
	line = GPOINTER_TO_INT(g_hash_table_lookup(ld->lines, k));
	free(k);
	return line;
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return 0;
	return 1;
}

/*
 * The first pass: one entry per section and key with its line, and the
 * structural errors GKeyFile would report without a line or not at all.
 */
static void
scan_lines(struct loader *ld, const char *text)
{
	const char	*p = text, *eol;
	char		*group = NULL, *line, *eq, *key;
	int		 n = 0;

	for (; *p != '\0'; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		n++;
		line = g_strstrip(xstrndup(p, eol - p));
		if (!g_utf8_validate(line, -1, NULL))
			cerr(ld, n, "line is not valid UTF-8");
		else if (*line == '\0' || *line == '#')
			;
		else if (*line == '[') {
			if (line[strlen(line) - 1] != ']') {
				cerr(ld, n, "section header lacks its ']'");
				free(group);
				group = NULL;
			} else {
				line[strlen(line) - 1] = '\0';
				free(group);
				group = xstrdup(line + 1);
				if (g_hash_table_contains(ld->lines, group))
					cerr(ld, n, "section [%s] appears again "
					    "(first at line %d)", group,
					    line_of(ld, group, NULL));
				else
					g_hash_table_insert(ld->lines,
					    xstrdup(group), GINT_TO_POINTER(n));
			}
		} else if ((eq = strchr(line, '=')) == NULL || eq == line)
			cerr(ld, n, "expected 'key = value', '[section]' or "
			    "a '#' comment");
		else if (group == NULL)
			cerr(ld, n, "key outside any section: put it under "
			    "[daemon], [feed NAME], [topic NAME], [alias NAME] "
			    "or [sink NAME]");
		else {
			*eq = '\0';
			g_strchomp(line);
			key = xasprintf("%s\n%s", group, line);
			if (strchr(line, '[') != NULL)
				cerr(ld, n, "key '%s': localized keys are not "
				    "supported", line);
			else if (g_hash_table_contains(ld->lines, key))
				cerr(ld, n, "key '%s' appears again in [%s] "
				    "(first at line %d)", line, group,
				    line_of(ld, group, line));
			g_hash_table_insert(ld->lines, key, GINT_TO_POINTER(n));
		}
		free(line);
	}
	free(group);
}

/* The key's raw value, stripped, or NULL if absent; caller frees. */
static char *
get(struct loader *ld, const char *group, const char *key)
{
	char	*v, *s;

	if ((v = g_key_file_get_value(ld->kf, group, key, NULL)) == NULL)
		return NULL;
	s = xstrdup(g_strstrip(v));
	g_free(v);
	return s;
}

static int
parse_long(const char *s, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* A bare 0 is allowed (it means "off"); other bare numbers are not. */
int
config_parse_duration(const char *s, long *out)
{
	char	*end;
	long	 v, mul;
	int	 huge;

	errno = 0;
	v = strtol(s, &end, 10);
	huge = errno == ERANGE;
	if (end == s || v < 0)
		goto bad;
	if (*end == '\0')
		mul = v == 0 ? 1 : -1;
	else if (end[1] != '\0')
		mul = -1;
	else
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: mul = -1; break;
		}
	if (mul < 0)
		goto bad;
	if (huge || v > CONFIG_MAX_DURATION / mul) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mul;
	return 0;
 bad:
	errno = EINVAL;
	return -1;
}

static int
parse_size(const char *s, long *out)
{
	char	*end;
	long	 v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' && strcmp(end + 1, "B") != 0 &&
		    strcmp(end + 1, "iB") != 0)
			return -1;
		switch (*end) {
		case 'K': case 'k': mul = 1L << 10; break;
		case 'M': mul = 1L << 20; break;
		case 'G': mul = 1L << 30; break;
		default: return -1;
		}
	}
	if (v > LONG_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* "22:00-07:00" -> minutes after midnight. */
static int
parse_quiet(const char *s, int *start, int *end)
{
	unsigned int	 h1, m1, h2, m2;
	int		 n = 0;

	if (sscanf(s, "%2u:%2u-%2u:%2u%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] != '\0' || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59)
		return -1;
	*start = h1 * 60 + m1;
	*end = h2 * 60 + m2;
	return 0;
}

/* "30/h" -> 30 per 3600 s. */
static int
parse_rate(const char *s, long *count, long *period)
{
	const char	*slash;
	char		*num;
	int		 rc;

	if ((slash = strchr(s, '/')) == NULL)
		return -1;
	num = xstrndup(s, slash - s);
	rc = parse_long(num, count);
	free(num);
	if (rc == -1 || *count == 0)
		return -1;
	if (strcmp(slash + 1, "s") == 0)
		*period = 1;
	else if (strcmp(slash + 1, "m") == 0)
		*period = 60;
	else if (strcmp(slash + 1, "h") == 0)
		*period = 3600;
	else if (strcmp(slash + 1, "d") == 0)
		*period = 86400;
	else
		return -1;
	return 0;
}

/* Splits on commas, drops empty entries, strips each. */
static void
split_list(const char *s, struct config_list *l)
{
	gchar	**parts;
	size_t	  i;

	parts = g_strsplit(s, ",", -1);
	l->v = xcalloc(g_strv_length(parts) + 1, sizeof(*l->v));
	l->n = 0;
	for (i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] != '\0')
			l->v[l->n++] = xstrdup(parts[i]);
	}
	g_strfreev(parts);
}

static void
list_free(struct config_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * Reads a secret from a file: the first line, without its newline, at most
 * 4 KiB (so that a path such as /dev/zero cannot exhaust memory).
 */
static char *
read_secret(struct loader *ld, int line, const char *key, const char *path)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		cerr(ld, line, "%s '%s': %s", key, path, strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f) == NULL) {
		cerr(ld, line, "%s '%s': the file is empty", key, path);
		fclose(f);
		return NULL;
	}
	fclose(f);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return xstrdup(buf);
}

/*
 * A sink's ca-file: relative to the config's directory, and a file that
 * can be read now, not a TLS error at the first alert.
 */
static char *
load_ca_file(struct loader *ld, const char *group, const char *name)
{
	struct stat	 st;
	char		*v, *base, *dir, *path;
	int		 line = line_of(ld, group, "ca-file");

	if ((v = get(ld, group, "ca-file")) == NULL)
		return NULL;
	base = g_path_get_dirname(ld->path);
	dir = g_canonicalize_filename(base, NULL);
	path = g_canonicalize_filename(v, dir);
	if (stat(path, &st) == -1 || access(path, R_OK) == -1)
		cerr(ld, line, "sink '%s': ca-file '%s': %s", name, path,
		    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cerr(ld, line, "sink '%s': ca-file '%s' is not a file (give a "
		    "PEM file of CA certificates)", name, path);
	g_free(base);
	g_free(dir);
	free(v);
	v = xstrdup(path);
	g_free(path);
	return v;
}

/* Rejects keys not in 'allowed' (NULL-terminated). */
static void
check_keys(struct loader *ld, const char *group, const char *what,
    const char *const *allowed)
{
	gchar	**keys;
	size_t	  i, j;

	keys = g_key_file_get_keys(ld->kf, group, NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(keys[i], allowed[j]) == 0)
				break;
		if (allowed[j] == NULL)
			cerr(ld, line_of(ld, group, keys[i]),
			    "unknown key '%s' in %s", keys[i], what);
	}
	g_strfreev(keys);
}

static void
load_duration(struct loader *ld, const char *group, const char *key,
    long *out)
{
	char	*v;
	int	 rc;

	if ((v = get(ld, group, key)) == NULL)
		return;
	if ((rc = config_parse_duration(v, out)) == -1 && errno == ERANGE)
		cerr(ld, line_of(ld, group, key), "%s: '%s' is longer than "
		    "100 years (%ldd), the most any duration may be", key, v,
		    CONFIG_MAX_DURATION / 86400);
	else if (rc == -1)
		cerr(ld, line_of(ld, group, key), "%s: '%s' is not a duration "
		    "(a number with s, m, h or d, as in 15m)", key, v);
	free(v);
}

static void
load_count(struct loader *ld, const char *group, const char *key, long *out)
{
	char	*v;

	if ((v = get(ld, group, key)) == NULL)
		return;
	if (parse_long(v, out) == -1 || *out == 0)
		cerr(ld, line_of(ld, group, key), "%s: '%s' is not a "
		    "positive whole number", key, v);
	free(v);
}

static void
load_daemon(struct loader *ld)
{
	struct config_daemon	*d = &ld->cf->daemon;
	const char		*g = "daemon";
	char			*v;
	long			 pct;

	d->interval = 15 * 60;
	d->jitter_pct = 10;
	d->concurrency = 64;
	d->per_host = 4;
	d->timeout = 30;
	d->max_size = 16L << 20;
	d->backfill = 24 * 3600;
	d->dead_after = 24 * 3600;
	d->retry = 30;
	d->keep = 30 * 86400;
	d->user_agent = xstrdup(CONFIG_DEFAULT_UA);
	if (!g_key_file_has_group(ld->kf, g))
		return;
	check_keys(ld, g, "[daemon]", daemon_keys);
	d->state = get(ld, g, "state");
	load_duration(ld, g, "interval", &d->interval);
	if (d->interval == 0)
		cerr(ld, line_of(ld, g, "interval"), "interval: must be more "
		    "than 0");
	if ((v = get(ld, g, "jitter")) != NULL) {
		size_t len = strlen(v);

		if (len < 2 || v[len - 1] != '%' || (v[len - 1] = '\0',
		    parse_long(v, &pct) == -1) || pct > 100)
			cerr(ld, line_of(ld, g, "jitter"), "jitter: expected a "
			    "percentage of the interval from 0%% to 100%%");
		else
			d->jitter_pct = (int)pct;
		free(v);
	}
	load_count(ld, g, "concurrency", &d->concurrency);
	load_count(ld, g, "per-host", &d->per_host);
	load_duration(ld, g, "timeout", &d->timeout);
	if (d->timeout == 0)
		cerr(ld, line_of(ld, g, "timeout"), "timeout: must be more "
		    "than 0");
	if ((v = get(ld, g, "max-size")) != NULL) {
		if (parse_size(v, &d->max_size) == -1 || d->max_size == 0)
			cerr(ld, line_of(ld, g, "max-size"), "max-size: '%s' "
			    "is not a size (a number with K, M or G, as in "
			    "16M)", v);
		free(v);
	}
	load_duration(ld, g, "backfill", &d->backfill);
	if ((v = get(ld, g, "user-agent")) != NULL) {
		free(d->user_agent);
		d->user_agent = v;
	}
	if ((v = get(ld, g, "listen")) != NULL) {
		const char	*colon = strrchr(v, ':');
		long		 port;

		if (colon == NULL || colon == v ||
		    parse_long(colon + 1, &port) == -1 || port == 0 ||
		    port > 65535)
			cerr(ld, line_of(ld, g, "listen"), "listen: '%s' is "
			    "not HOST:PORT (as in 127.0.0.1:9464)", v);
		d->listen = v;
	}
	d->opml = get(ld, g, "opml");
	load_duration(ld, g, "dead-after", &d->dead_after);
	load_duration(ld, g, "retry", &d->retry);
	if (d->retry == 0)
		cerr(ld, line_of(ld, g, "retry"), "retry: must be more than 0");
	if ((v = get(ld, g, "health-sinks")) != NULL) {
		split_list(v, &d->health_sinks);
		free(v);
	}
	load_duration(ld, g, "keep", &d->keep);
}

static void
load_feed(struct loader *ld, const char *group, const char *name)
{
	struct config_feed	*f;
	char			*v, *scheme, *dir, *abs, *file, *uri = NULL, *shown;
	int			 line = line_of(ld, group, NULL);

	check_keys(ld, group, "a [feed] section", feed_keys);
	ld->cf->feeds = xreallocarray(ld->cf->feeds, ld->cf->nfeeds + 1,
	    sizeof(*ld->cf->feeds));
	f = &ld->cf->feeds[ld->cf->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->line = line;
	if ((f->url = get(ld, group, "url")) == NULL)
		cerr(ld, line, "feed '%s': no url (add 'url = "
		    "https://...')", name);
	else if (strstr(f->url, "://") == NULL) {
		/* A local file, relative to the config's directory. */
		dir = g_path_get_dirname(ld->path);
		abs = g_canonicalize_filename(dir, NULL);
		file = g_canonicalize_filename(f->url, abs);
		if ((uri = g_filename_to_uri(file, NULL, NULL)) == NULL)
			cerr(ld, line_of(ld, group, "url"), "feed '%s': url "
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
			cerr(ld, line_of(ld, group, "url"), "feed '%s': url "
			    "'%s' is not an http, https or file URL", name,
			    shown);
			free(shown);
		}
		g_free(scheme);
	}
	load_duration(ld, group, "interval", &f->interval);
	if ((v = get(ld, group, "tags")) != NULL) {
		split_list(v, &f->tags);
		free(v);
	}
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
load_topic(struct loader *ld, const char *group, const char *name)
{
	struct config_topic	*t;
	char			*v;
	int			 line = line_of(ld, group, NULL);
	size_t			 i;

	check_keys(ld, group, "a [topic] section", topic_keys);
	ld->cf->topics = xreallocarray(ld->cf->topics, ld->cf->ntopics + 1,
	    sizeof(*ld->cf->topics));
	t = &ld->cf->topics[ld->cf->ntopics++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->line = line;
	t->priority = PRIORITY_NORMAL;
	t->quiet_start = t->quiet_end = -1;
	if ((t->query = get(ld, group, "query")) == NULL)
		cerr(ld, line, "topic '%s': no query (add 'query = "
		    "WORDS')", name);
	if ((v = get(ld, group, "sinks")) != NULL) {
		split_list(v, &t->sinks);
		free(v);
	}
	if ((v = get(ld, group, "feeds")) != NULL) {
		split_list(v, &t->feeds);
		free(v);
		for (i = 0; i < t->feeds.n; i++)
			if (!feed_or_tag_exists(ld->cf, t->feeds.v[i]))
				cerr(ld, line_of(ld, group, "feeds"), "topic "
				    "'%s': no feed or tag '%s' is defined",
				    name, t->feeds.v[i]);
	}
	load_duration(ld, group, "digest", &t->digest);
	if ((v = get(ld, group, "rate")) != NULL) {
		if (parse_rate(v, &t->rate_count, &t->rate_period) == -1)
			cerr(ld, line_of(ld, group, "rate"), "topic '%s': "
			    "rate '%s' is not COUNT/UNIT (as in 30/h; units "
			    "s, m, h, d)", name, v);
		free(v);
	}
	if ((v = get(ld, group, "quiet")) != NULL) {
		if (parse_quiet(v, &t->quiet_start, &t->quiet_end) == -1)
			cerr(ld, line_of(ld, group, "quiet"), "topic '%s': "
			    "quiet '%s' is not HH:MM-HH:MM", name, v);
		free(v);
	}
	if ((v = get(ld, group, "priority")) != NULL) {
		if (strcmp(v, "low") == 0)
			t->priority = PRIORITY_LOW;
		else if (strcmp(v, "normal") == 0)
			t->priority = PRIORITY_NORMAL;
		else if (strcmp(v, "high") == 0)
			t->priority = PRIORITY_HIGH;
		else
			cerr(ld, line_of(ld, group, "priority"), "topic '%s': "
			    "priority '%s' is not low, normal or high", name,
			    v);
		free(v);
	}
	if ((v = get(ld, group, "stem")) != NULL) {
		split_list(v, &t->stem);
		free(v);
		for (i = 0; i < t->stem.n; i++)
			if (!stemmer_exists(t->stem.v[i]))
				cerr(ld, line_of(ld, group, "stem"), "topic "
				    "'%s': no Snowball stemmer for '%s' (as in "
				    "english, russian, german)", name,
				    t->stem.v[i]);
	}
	if ((v = get(ld, group, "translit")) != NULL) {
		if (parse_bool(v, &t->translit) == -1)
			cerr(ld, line_of(ld, group, "translit"), "topic '%s': "
			    "translit '%s' is not yes or no", name, v);
		free(v);
	}
}

static void
load_sink(struct loader *ld, const char *group, const char *name)
{
	struct sink_conf	*s;
	const struct sink_kind	*kind = NULL;
	const char		*allowed[12];
	struct config_list	 list;
	char			*v, *file, *what, *shown;
	int			 line = line_of(ld, group, NULL);
	size_t			 i;
	GError			*gerr = NULL;
	gchar			**argv;
	gint			 argc;

	ld->cf->sinks = xreallocarray(ld->cf->sinks, ld->cf->nsinks + 1,
	    sizeof(*ld->cf->sinks));
	s = &ld->cf->sinks[ld->cf->nsinks++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->line = line;
	if ((v = get(ld, group, "type")) == NULL) {
		cerr(ld, line, "sink '%s': no type (stdout, file, desktop, "
		    "webhook, email or exec)", name);
		return;
	}
	for (i = 0; i < sizeof(sink_kinds) / sizeof(sink_kinds[0]); i++)
		if (strcmp(v, sink_kinds[i].name) == 0)
			kind = &sink_kinds[i];
	if (kind == NULL) {
		cerr(ld, line_of(ld, group, "type"), "sink '%s': unknown type "
		    "'%s' (stdout, file, desktop, webhook, email or exec)",
		    name, v);
		free(v);
		return;
	}
	free(v);
	s->type = kind->type;
	allowed[0] = "type";
	for (i = 0; kind->keys[i] != NULL; i++)
		allowed[i + 1] = kind->keys[i];
	allowed[i + 1] = NULL;
	what = xasprintf("a sink of type %s", kind->name);
	check_keys(ld, group, what, allowed);
	free(what);
	switch (s->type) {
	case SINK_STDOUT:
		break;
	case SINK_FILE:
		if ((s->path = get(ld, group, "path")) == NULL)
			cerr(ld, line, "sink '%s': a file sink needs 'path = "
			    "FILE'", name);
		break;
	case SINK_DESKTOP:
		if ((s->urgency = get(ld, group, "urgency")) != NULL &&
		    strcmp(s->urgency, "low") != 0 &&
		    strcmp(s->urgency, "normal") != 0 &&
		    strcmp(s->urgency, "critical") != 0)
			cerr(ld, line_of(ld, group, "urgency"), "sink '%s': "
			    "urgency '%s' is not low, normal or critical",
			    name, s->urgency);
		break;
	case SINK_WEBHOOK:
		if ((s->url = get(ld, group, "url")) == NULL)
			cerr(ld, line, "sink '%s': a webhook needs 'url = "
			    "https://...'", name);
		else if (g_ascii_strncasecmp(s->url, "http://", 7) != 0 &&
		    g_ascii_strncasecmp(s->url, "https://", 8) != 0) {
			shown = url_redact(s->url);
			cerr(ld, line_of(ld, group, "url"), "sink '%s': url "
			    "'%s' is not an http or https URL", name, shown);
			free(shown);
		}
		if ((s->format = get(ld, group, "format")) != NULL &&
		    strcmp(s->format, "json") != 0 &&
		    strcmp(s->format, "slack") != 0 &&
		    strcmp(s->format, "discord") != 0 &&
		    strcmp(s->format, "mattermost") != 0 &&
		    strcmp(s->format, "ntfy") != 0 &&
		    strcmp(s->format, "matrix") != 0)
			cerr(ld, line_of(ld, group, "format"), "sink '%s': "
			    "format '%s' is not json, slack, discord, "
			    "mattermost, ntfy or matrix", name, s->format);
		s->secret = get(ld, group, "secret");
		if ((file = get(ld, group, "secret-file")) != NULL) {
			if (s->secret != NULL)
				cerr(ld, line_of(ld, group, "secret-file"),
				    "sink '%s': give secret or secret-file, "
				    "not both", name);
			else
				s->secret = read_secret(ld, line_of(ld, group,
				    "secret-file"), "secret-file", file);
			free(file);
		}
		s->ca_file = load_ca_file(ld, group, name);
		break;
	case SINK_EMAIL:
		if ((s->smtp = get(ld, group, "smtp")) == NULL)
			cerr(ld, line, "sink '%s': an email sink needs 'smtp "
			    "= smtp://HOST:PORT' or smtps://", name);
		else if (g_ascii_strncasecmp(s->smtp, "smtp://", 7) != 0 &&
		    g_ascii_strncasecmp(s->smtp, "smtps://", 8) != 0) {
			shown = url_redact(s->smtp);
			cerr(ld, line_of(ld, group, "smtp"), "sink '%s': smtp "
			    "'%s' is not an smtp:// or smtps:// URL", name,
			    shown);
			free(shown);
		}
		s->username = get(ld, group, "username");
		s->password = get(ld, group, "password");
		if ((file = get(ld, group, "password-file")) != NULL) {
			if (s->password != NULL)
				cerr(ld, line_of(ld, group, "password-file"),
				    "sink '%s': give password or "
				    "password-file, not both", name);
			else
				s->password = read_secret(ld, line_of(ld,
				    group, "password-file"), "password-file",
				    file);
			free(file);
		}
		if ((s->from = get(ld, group, "from")) == NULL)
			cerr(ld, line, "sink '%s': an email sink needs 'from "
			    "= ADDRESS'", name);
		if ((v = get(ld, group, "to")) != NULL) {
			split_list(v, &list);
			s->to = list.v;
			s->nto = list.n;
			free(v);
		}
		if (s->nto == 0)
			cerr(ld, line, "sink '%s': an email sink needs 'to = "
			    "ADDRESS, ...'", name);
		s->ca_file = load_ca_file(ld, group, name);
		break;
	case SINK_EXEC:
		if ((v = get(ld, group, "command")) == NULL) {
			cerr(ld, line, "sink '%s': an exec sink needs "
			    "'command = PROGRAM ARGS...'", name);
		} else if (!g_shell_parse_argv(v, &argc, &argv, &gerr)) {
			cerr(ld, line_of(ld, group, "command"), "sink '%s': "
			    "command: %s", name, gerr->message);
			g_clear_error(&gerr);
		} else {
			s->command = xcalloc(argc + 1, sizeof(char *));
			for (i = 0; i < (size_t)argc; i++)
				s->command[i] = xstrdup(argv[i]);
			s->ncommand = argc;
			g_strfreev(argv);
		}
		free(v);
		s->timeout = 30;
		load_duration(ld, group, "timeout", &s->timeout);
		break;
	}
}

/* A refused outline of [daemon] opml is an error of the config. */
struct opml_load {
	struct loader	*ld;
	const char	*path;
};

static void
opml_refused(const char *why, void *arg)
{
	struct opml_load	*ol = arg;

	cerr(ol->ld, line_of(ol->ld, "daemon", "opml"), "opml '%s': %s; fix "
	    "its xmlUrl or remove it from the file", ol->path, why);
}

/* [daemon] opml: its feeds join the config's, unless a URL is there already. */
static void
load_opml(struct loader *ld)
{
	struct config		*cf = ld->cf;
	struct opml_feed	*of;
	struct opml_load	 ol;
	char			 err[256], *base, *dir, *path;
	size_t			 n, i;
	int			 line = line_of(ld, "daemon", "opml");

	if (cf->daemon.opml == NULL)
		return;
	/* Relative to the config's directory, made absolute first. */
	base = g_path_get_dirname(ld->path);
	dir = g_canonicalize_filename(base, NULL);
	g_free(base);
	path = g_canonicalize_filename(cf->daemon.opml, dir);
	if (opml_read(path, &of, &n, err, sizeof(err)) == -1) {
		cerr(ld, line, "opml '%s': %s", path, err);
		goto out;
	}
	ol.ld = ld;
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

/* What a tag may be: text with no comma, no control, no space at its ends. */
static int
tag_ok(const char *tag)
{
	const char	*p;
	gunichar	 c;

	if (*tag == '\0' || !g_utf8_validate(tag, -1, NULL) ||
	    g_unichar_isspace(g_utf8_get_char(tag)) ||
	    g_unichar_isspace(g_utf8_get_char(g_utf8_prev_char(tag +
	    strlen(tag)))))
		return 0;
	for (p = tag; *p != '\0'; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (c == ',' || g_unichar_iscntrl(c))
			return 0;
	}
	return 1;
}

char *
config_feed_section(const struct config_feed *f, char *err, size_t errlen)
{
	GString	*s;
	char	*r;
	size_t	 i;

	if (!valid_name(f->name)) {
		snprintf(err, errlen, "a feed name has letters, digits, '_', "
		    "'.' and '-' only");
		return NULL;
	}
	if (!url_is_web(f->url)) {
		snprintf(err, errlen, "feed '%s': only an http or https URL "
		    "with a host and no control characters, spaces or quotes "
		    "is written", f->name);
		return NULL;
	}
	for (i = 0; i < f->tags.n; i++)
		if (!tag_ok(f->tags.v[i])) {
			snprintf(err, errlen, "feed '%s': tag %zu is empty or "
			    "holds a comma, a control character or space at "
			    "an end", f->name, i + 1);
			return NULL;
		}
	s = g_string_new(NULL);
	g_string_append_printf(s, "[feed %s]\nurl = %s\n", f->name, f->url);
	for (i = 0; i < f->tags.n; i++)
		g_string_append_printf(s, "%s%s", i == 0 ? "tags = " : ", ",
		    f->tags.v[i]);
	if (f->tags.n > 0)
		g_string_append_c(s, '\n');
	r = xstrdup(s->str);
	g_string_free(s, TRUE);
	return r;
}

static int
write_all(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A temporary file beside the config, given its owner and mode before
 * anything is in it, written and synced, renamed over the config, and the
 * directory synced: a crash or a full disk leaves the old file or the new
 * one, never half of one, and never a config readable by more people than
 * before.
 */
int
config_replace(const char *path, const char *text)
{
	struct config	*cf;
	struct stat	 sb;
	const char	*what;
	char		*real = NULL, *dir = NULL, *base = NULL, *tmp = NULL;
	size_t		 len = strlen(text);
	int		 fd = -1, dfd = -1, saved, rc = -1;

	if ((cf = config_parse(path, text, len)) == NULL) {
		log_warnx("'%s' would not load after this change (see above); "
		    "it is unchanged", path);
		return -1;
	}
	config_free(cf);
	/* Through a symbolic link, the file it names is replaced. */
	what = "cannot find it";
	if ((real = realpath(path, NULL)) == NULL || stat(real, &sb) == -1)
		goto fail;
	dir = g_path_get_dirname(real);
	base = g_path_get_basename(real);
	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	what = "cannot create a temporary file beside it";
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	what = "cannot give its new copy the owner and mode of the old";
	if (fchown(fd, sb.st_uid, sb.st_gid) == -1 ||
	    fchmod(fd, sb.st_mode & 07777) == -1)
		goto fail;
	what = "cannot write its new copy";
	if (write_all(fd, text, len) == -1 || fsync(fd) == -1)
		goto fail;
	saved = close(fd);
	fd = -1;
	if (saved == -1)
		goto fail;
	what = "cannot rename its new copy over it";
	if (rename(tmp, real) == -1)
		goto fail;
	free(tmp);
	tmp = NULL;
	what = "replaced, but syncing its directory failed, so the change may "
	    "not survive a crash";
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		log_warn("'%s': %s", path, what);
		goto out;
	}
	rc = 0;
	goto out;
 fail:
	saved = errno;
	if (tmp != NULL)
		unlink(tmp);
	log_warnx("'%s': %s: %s; it is unchanged", path, what,
	    strerror(saved));
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	g_free(base);
	g_free(dir);
	free(real);
	return rc;
}

/* matcher_compile() names the topic ("topic 'NAME': ..."): find its query. */
static int
compile_error_line(struct loader *ld, const char *err)
{
	char	*group;
	size_t	 n;
	int	 line = 0;

	if (strncmp(err, "topic '", 7) == 0) {
		n = strcspn(err + 7, "'");
		group = xasprintf("topic %.*s", (int)n, err + 7);
		line = line_of(ld, group, "query");
		free(group);
	}
	return line;
}

/* Aliases first: topics may use any of them, wherever they stand. */
static void
compile_topics(struct loader *ld, gchar **groups)
{
	struct config		*cf = ld->cf;
	struct topic_opts	 opts;
	char			 err[256], *terms, *group;
	size_t			 i, j;

	cf->matcher = matcher_new();
	for (i = 0; groups[i] != NULL; i++) {
		if (strncmp(groups[i], "alias ", 6) != 0)
			continue;
		check_keys(ld, groups[i], "an [alias] section", alias_keys);
		if ((terms = get(ld, groups[i], "terms")) == NULL) {
			cerr(ld, line_of(ld, groups[i], NULL), "alias '%s': no "
			    "terms (add 'terms = WORD, \"A PHRASE\", ...')",
			    groups[i] + 6);
			continue;
		}
		if (matcher_add_alias(cf->matcher, groups[i] + 6, terms, err,
		    sizeof(err)) == -1)
			cerr(ld, line_of(ld, groups[i], "terms"), "alias '%s': "
			    "%s", groups[i] + 6, err);
		cf->aliases = xreallocarray(cf->aliases, cf->naliases + 1,
		    sizeof(*cf->aliases));
		cf->aliases[cf->naliases].name = xstrdup(groups[i] + 6);
		cf->aliases[cf->naliases].terms = terms;
		cf->aliases[cf->naliases++].line = line_of(ld, groups[i],
		    "terms");
	}
	for (i = 0; i < cf->ntopics; i++) {
		struct config_topic *t = &cf->topics[i];

		if (t->query == NULL)
			continue;
		memset(&opts, 0, sizeof(opts));
		opts.stem = (const char *const *)t->stem.v;
		opts.nstem = t->stem.n;
		opts.translit = t->translit;
		opts.feeds = (const char *const *)t->feeds.v;
		opts.nfeeds = t->feeds.n;
		if (matcher_add_topic(cf->matcher, t->name, t->query, &opts,
		    err, sizeof(err)) == -1) {
			group = xasprintf("topic %s", t->name);
			cerr(ld, line_of(ld, group, "query"), "topic '%s': "
			    "query: %s", t->name, err);
			free(group);
		}
		for (j = 0; j < t->sinks.n; j++)
			if (config_sink_find(cf, t->sinks.v[j]) == NULL)
				cerr(ld, t->line, "topic '%s': sink '%s' is "
				    "not defined (add a [sink %s] section)",
				    t->name, t->sinks.v[j], t->sinks.v[j]);
	}
	if (ld->errors == 0 && matcher_compile(cf->matcher, err,
	    sizeof(err)) == -1)
		cerr(ld, compile_error_line(ld, err), "%s", err);
}

struct config *
config_load(const char *path)
{
	struct config	*cf;
	GError		*gerr = NULL;
	gchar		*text;
	gsize		 len;

	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		fprintf(stderr, "%s:0: cannot read the config: %s\n", path,
		    gerr->message);
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
	struct loader	 ld;
	gchar		**groups = NULL;
	gsize		 i;
	GError		*gerr = NULL;
	const char	*g, *sp;

	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	ld.cf = xcalloc(1, sizeof(*ld.cf));
	ld.cf->path = xstrdup(path);
	ld.lines = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	ld.kf = g_key_file_new();
	if (memchr(text, '\0', len) != NULL) {
		fprintf(stderr, "%s:0: the config holds a NUL byte: is it a "
		    "text file?\n", path);
		ld.errors++;
		goto out;
	}
	scan_lines(&ld, text);
	if (ld.errors > 0)
		goto out;
	if (!g_key_file_load_from_data(ld.kf, text, len, G_KEY_FILE_NONE,
	    &gerr)) {
		/* The line scan rejects what GKeyFile does; this is a backstop. */
		fprintf(stderr, "%s:0: %s\n", path, gerr->message);
		g_clear_error(&gerr);
		ld.errors++;
		goto out;
	}
	groups = g_key_file_get_groups(ld.kf, NULL);
	/* Sections of every kind first, so that references can be checked. */
	for (i = 0; groups[i] != NULL; i++) {
		g = groups[i];
		sp = strchr(g, ' ');
		if (strcmp(g, "daemon") == 0 || sp == NULL ||
		    (strncmp(g, "feed ", 5) != 0 && strncmp(g, "topic ", 6) != 0 &&
		    strncmp(g, "alias ", 6) != 0 && strncmp(g, "sink ", 5) != 0))
			continue;
		if (!valid_name(sp + 1))
			cerr(&ld, line_of(&ld, g, NULL), "section [%s]: a name "
			    "has letters, digits, '_', '.' and '-' only", g);
	}
	load_daemon(&ld);
	for (i = 0; groups[i] != NULL; i++) {
		g = groups[i];
		if (strcmp(g, "daemon") == 0 || strncmp(g, "alias ", 6) == 0 ||
		    strncmp(g, "topic ", 6) == 0)
			continue;
		if (strncmp(g, "feed ", 5) == 0)
			load_feed(&ld, g, g + 5);
		else if (strncmp(g, "sink ", 5) == 0)
			load_sink(&ld, g, g + 5);
		else
			cerr(&ld, line_of(&ld, g, NULL), "unknown section [%s] "
			    "(sections are [daemon], [feed NAME], [topic "
			    "NAME], [alias NAME] and [sink NAME])", g);
	}
	load_opml(&ld);
	for (i = 0; groups[i] != NULL; i++)
		if (strncmp(groups[i], "topic ", 6) == 0)
			load_topic(&ld, groups[i], groups[i] + 6);
	for (i = 0; i < ld.cf->daemon.health_sinks.n; i++)
		if (config_sink_find(ld.cf,
		    ld.cf->daemon.health_sinks.v[i]) == NULL)
			cerr(&ld, line_of(&ld, "daemon", "health-sinks"),
			    "health-sinks: sink '%s' is not defined",
			    ld.cf->daemon.health_sinks.v[i]);
	compile_topics(&ld, groups);
 out:
	g_strfreev(groups);
	g_key_file_free(ld.kf);
	g_hash_table_destroy(ld.lines);
	if (ld.errors > 0) {
		config_free(ld.cf);
		return NULL;
	}
	return ld.cf;
}

void
config_free(struct config *cf)
{
	struct config_list	 list;
	size_t			 i;

	if (cf == NULL)
		return;
	free(cf->path);
	free(cf->daemon.state);
	free(cf->daemon.user_agent);
	free(cf->daemon.listen);
	free(cf->daemon.opml);
	list_free(&cf->daemon.health_sinks);
	for (i = 0; i < cf->nfeeds; i++) {
		free(cf->feeds[i].name);
		free(cf->feeds[i].url);
		list_free(&cf->feeds[i].tags);
	}
	free(cf->feeds);
	for (i = 0; i < cf->ntopics; i++) {
		free(cf->topics[i].name);
		free(cf->topics[i].query);
		list_free(&cf->topics[i].sinks);
		list_free(&cf->topics[i].feeds);
		list_free(&cf->topics[i].stem);
	}
	free(cf->topics);
	for (i = 0; i < cf->naliases; i++) {
		free(cf->aliases[i].name);
		free(cf->aliases[i].terms);
	}
	free(cf->aliases);
	for (i = 0; i < cf->nsinks; i++) {
		struct sink_conf *s = &cf->sinks[i];

		free(s->name);
		free(s->url);
		free(s->format);
		free(s->secret);
		free(s->ca_file);
		free(s->smtp);
		free(s->username);
		free(s->password);
		free(s->from);
		list.v = s->to;
		list.n = s->nto;
		list_free(&list);
		free(s->urgency);
		free(s->path);
		list.v = s->command;
		list.n = s->ncommand;
		list_free(&list);
	}
	free(cf->sinks);
	matcher_free(cf->matcher);
	free(cf);
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

char *
config_find(const char *arg)
{
	const char	*env;
	char		*cand[4];
	char		*found = NULL;
	size_t		 n = 0, i;

	if (arg != NULL)
		return xstrdup(arg);
	if ((env = getenv("FEEDWATCH_CONFIG")) != NULL && *env != '\0')
		return xstrdup(env);
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
		fprintf(stderr, "feedwatch: no config file: give -c FILE or "
		    "$FEEDWATCH_CONFIG, or create one of:");
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", cand[i]);
		fputc('\n', stderr);
	}
	for (i = 0; i < n; i++)
		free(cand[i]);
	return found;
}
