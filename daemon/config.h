/*
 * config.h: the INI configuration (SPEC.md section 2).
 *
 * config_load() reads the file (inifile.h: GKeyFile, every key located
 * to its line), parses each value (confval.h), validates every section
 * (the [sink] sections in confsink.h, a feed's request keys in
 * conffeed.h) and key and what they refer to,
 * and reports every problem it finds on stderr as "FILE:LINE: message",
 * not only the first.  Topic queries and
 * aliases are compiled into a matcher on the way, so a malformed query is
 * a config error too.  The result is a plain record owned by the caller
 * and freed with config_free(); durations are in seconds, sizes in bytes.
 *
 * Keys whose behaviour later parts of feedwatch build (scheduling,
 * delivery policy) are validated and stored here already.  The config is
 * written only through confwrite.h, by `opml import`.
 *
 * A feed or topic with `enabled = no` is kept, with 'disabled' set, and
 * checked like any other (a disabled topic's query must compile), but
 * the scheduler never polls such a feed and such a topic is left out of
 * the matcher, so it never matches.
 */
#ifndef FEEDWATCH_CONFIG_H
#define FEEDWATCH_CONFIG_H

#include <stddef.h>

#include "confval.h"
#include "fetch.h"
#include "sink.h"

struct matcher;
struct opml_feed;

/* What a feed's items are matched on: [daemon] and [feed] content. */
enum feed_content {
	CONTENT_DEFAULT,	/* a feed's: the daemon's */
	CONTENT_SUMMARY,	/* the feed's text */
	CONTENT_FULL,		/* and the article at each new item's link */
	CONTENT_AUTO		/* that too when the feed's text is short */
};

enum topic_priority {
	PRIORITY_LOW,
	PRIORITY_NORMAL,
	PRIORITY_HIGH,
	PRIORITY_N
};

/*
 * A proxy: its URL without the userinfo, which is kept apart, decoded,
 * so that no message curl writes about the proxy can show it.
 */
struct config_proxy {
	char		*url;		/* NULL: not set; "": none */
	char		*username;
	char		*password;
};

/* interval = auto: set from the feed's pace (schedule.h). */
#define CONFIG_INTERVAL_AUTO	(-1L)

struct config_daemon {
	char		*state;		/* NULL: the default location */
	long		 interval;	/* or CONFIG_INTERVAL_AUTO */
	long		 min_interval;	/* the bounds of auto */
	long		 max_interval;
	int		 jitter_pct;	/* of the interval */
	long		 concurrency;
	long		 per_host;
	long		 timeout;
	long		 max_size;
	long		 backfill;
	char		*user_agent;
	char		*listen;	/* host:port or NULL */
	char		*opml;
	long		 dead_after;
	long		 retry;		/* first delivery retry; doubles to 1h */
	struct config_list health_sinks;
	long		 keep;
	char		*push_url;	/* WebSub callback base, or NULL */
	long		 push_interval;	/* polls of a pushed feed */
	struct config_proxy proxy;	/* the feeds' default */
	enum feed_content content;
	long		 content_min;	/* characters: below, auto fetches */
	long		 same_story;	/* near-duplicate window; 0: off */
	double		 same_story_threshold;	/* story_similarity() */
};

struct config_feed {
	char		*name;
	char		*url;
	long		 interval;	/* 0: the daemon's; or AUTO */
	struct config_list tags;
	char		*user_agent;	/* NULL: the daemon's */
	char		*username;
	char		*password;
	struct config_list headers;	/* "Name: value" */
	char		*cookie_file;
	struct config_proxy proxy;	/* url NULL: the daemon's */
	enum feed_content content;
	long		 content_min;	/* 0: the daemon's */
	int		 disabled;	/* enabled = no: never polled */
	int		 line;
};

struct config_alias {
	char		*name;
	char		*terms;
	int		 line;
};

struct config_topic {
	char		*name;
	char		*query;
	struct config_list sinks;	/* empty: every sink */
	struct config_list feeds;	/* empty: every feed */
	long		 digest;
	long		 rate_count;	/* 0: no cap */
	long		 rate_period;
	int		 quiet_start;	/* minutes after midnight, -1: none */
	int		 quiet_end;
	enum topic_priority priority;
	struct config_list stem;
	int		 translit;
	int		 disabled;	/* enabled = no: not in the matcher */
	int		 line;
};

struct config {
	char		*path;
	struct config_daemon daemon;
	struct config_feed *feeds;
	size_t		 nfeeds;
	struct config_alias *aliases;
	size_t		 naliases;
	struct config_topic *topics;
	size_t		 ntopics;
	struct sink_conf *sinks;
	size_t		 nsinks;
	struct matcher	*matcher;	/* every enabled topic, compiled */
};

/*
 * The config file to use: 'arg' (from -c) if set, else
 * $FEEDWATCH_CONFIG if set, else the first that exists of SPEC section
 * 1's locations.  Returns a malloc'd path, or NULL with a message, with
 * no line number: the file -c or $FEEDWATCH_CONFIG names is not there
 * ("feedwatch: config 'PATH': no such file (given by -c)"), or none of
 * the places searched is (which it lists).
 */
char		*config_find(const char *arg);

/*
 * Loads and validates 'path'.  NULL after printing every error found,
 * sorted by line, or that the file cannot be read ("config 'PATH': no
 * such file", logged).
 */
struct config	*config_load(const char *path);

/*
 * The same for config text in memory ('path' names it in messages;
 * text[len] must be a NUL).
 */
struct config	*config_parse(const char *path, const char *text, size_t len);

void		 config_free(struct config *cf);

/* Called with why an OPML outline is refused, a message fit to print. */
typedef void	 config_refused_cb(const char *why, void *arg);

/*
 * Adds to 'cf' a feed for each OPML outline of 'of' whose URL 'cf' does
 * not have yet: named after its title (or, without one, its host and
 * port) in lowercase letters, digits and '-', with -2, -3... when the
 * name is taken, and tagged with its tags.  An outline whose URL is not
 * an http or https URL fit for the config (opml_feed_refusal) is not
 * added: 'refused' is told why.  Returns how many were added, at the end
 * of cf->feeds.
 */
size_t		 config_add_opml(struct config *cf,
		    const struct opml_feed *of, size_t n,
		    config_refused_cb *refused, void *arg);

/*
 * Adds topic 't' to 'm' with its options (stem, translit, feeds), as
 * config_load() does for every topic: matcher_add_topic()'s result.
 */
int		 config_topic_add(struct matcher *m,
		    const struct config_topic *t, char *err, size_t errlen);

/*
 * The request options of feed 'f' of 'cf' (borrowed from both): its own
 * user agent and proxy, else the daemon's, and its login, headers and
 * cookies, which belong to the origin of its url.
 */
void		 config_feed_request(const struct config *cf,
		    const struct config_feed *f, struct fetch_request *r);

/*
 * Logs a warning for each choice of 'cf' that is allowed but unsafe (a
 * password sent to an http feed), for the commands that poll and for
 * `config check`.
 */
void		 config_warn(const struct config *cf);

/* The sink named 'name', or NULL. */
const struct sink_conf *config_sink_find(const struct config *cf,
		    const char *name);
/* The feed named 'name', or NULL. */
const struct config_feed *config_feed_find(const struct config *cf,
		    const char *name);

/* The topic named 'name' (NULL: none), or NULL. */
const struct config_topic *config_topic_find(const struct config *cf,
		    const char *name);

/* "low", "normal" or "high", as the config spells 'p'. */
const char	*config_priority_name(enum topic_priority p);

#endif
