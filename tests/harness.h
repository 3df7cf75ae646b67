/*
 * harness.h: the rig of the suites that run feedwatch against live feeds.
 *
 * A harness is a fresh directory and a tests/httpd.c server on 127.0.0.1.
 * A test serves RSS feeds on the server, writes a config in the
 * directory (a [daemon] section that polls every second, the file sink
 * 'log', then the test's own sections), runs `feedwatch run` on it or
 * one-shot commands (test_run() in suites.h), and reads what came out:
 * the lines of the alert file and of the daemon's log (test_lines_with(),
 * test_wait_lines()), the requests the server saw, and `feedwatch status
 * --json`.  The live feed, /live.xml, gains items on top as a news site's
 * does.
 *
 * The record is transparent: tests read its paths and its server, and
 * may set 'state' (to a malloc'd path) or 'interval' before
 * harness_config().  All it holds is the harness's, freed by
 * harness_release(), which also removes the directory; a daemon still
 * running is the test's to stop.  Every failure fails the current test.
 */
#ifndef FEEDWATCH_HARNESS_H
#define FEEDWATCH_HARNESS_H

#include <sys/types.h>

#include <glib.h>
#include <jansson.h>

struct httpd;

struct harness {
	struct httpd	*httpd;		/* serves the feeds */
	char		*dir;		/* a fresh directory */
	char		*conf;		/* DIR/feedwatch.conf, once written */
	char		*state;		/* [daemon] state: DIR/state.db */
	const char	*interval;	/* [daemon] interval: "1s" */
	char		*alerts;	/* DIR/alerts.jsonl: sink 'log' */
	char		*log;		/* DIR/daemon.log: its output */
	GString		*items;		/* of the live feed, newest first */
	int		 version;	/* of the feeds, for their ETags */
	pid_t		 pid;		/* what harness_run() started */
};

/* A fresh directory and a server with no route yet; no config. */
void	 harness_init(struct harness *h);
/* Stops the server, removes the directory, frees what 'h' holds. */
void	 harness_release(struct harness *h);

/* An RSS item, published 27 Nov 2026 09:00 GMT (malloc'd). */
char	*harness_item(const char *guid, const char *title, const char *link);
/* Serves an RSS feed of 'items' at 'path', under a new ETag. */
void	 harness_publish(struct harness *h, const char *path,
	    const char *items);
/* Adds an item on top of the live feed and serves it anew. */
void	 harness_add(struct harness *h, const char *guid, const char *title);

/*
 * A config (malloc'd): [daemon] with 'state', h->interval, jitter = 0%
 * (polls on the second), backfill = 36500d (items of any date alert) and
 * the lines 'daemon'; the file sink 'log' appending to h->alerts; then
 * 'sections'.
 */
char	*harness_config_text(const struct harness *h, const char *state,
	    const char *daemon, const char *sections);
/* Writes that config, for h->state, as h->conf. */
void	 harness_config(struct harness *h, const char *daemon,
	    const char *sections);
/*
 * "[feed NAME]\nurl = URL\n", the URL of 'path' on h's server, then the
 * lines 'extra' (malloc'd).
 */
char	*harness_feed_section(const struct harness *h, const char *name,
	    const char *path, const char *extra);
/*
 * The sections of the live feed (malloc'd): [feed live] at /live.xml and
 * [topic lavrov] (query = Lavrov), then 'extra'.
 */
char	*harness_live_sections(const struct harness *h, const char *extra);
/*
 * The live feed with two items, "Lavrov meets Pompeo" (a1) and, on top,
 * "Markets rise" (a2), and h->conf for it.
 */
void	 harness_live(struct harness *h);

/*
 * The wire feed, tests/data/outbox/wire.xml, at /wire.xml, and h->conf
 * for it: the lines 'daemon' in [daemon]; [feed wire]; the topics
 * crimea, lavrov and ukraine, each with its line(s) of 'policy' (NULL:
 * none); then the sections 'sinks'.  The
 * first of its three stories (wire-20190514-0042) matches the three
 * topics, the second (wire-20190514-0031) crimea, the third
 * (wire-20190513-0107) lavrov.
 */
#define HARNESS_WIRE_TOPICS	3
void	 harness_wire(struct harness *h, const char *daemon,
	    const char *const *policy, const char *sinks);

/*
 * Starts `feedwatch run -v -c CONF` as h->pid, its output appended to
 * h->log.
 */
void	 harness_run(struct harness *h);
/* SIGTERM to h->pid: it must exit 0 within 15 s (else its log is shown). */
void	 harness_stop(struct harness *h);
/* Waits up to 15 s until 'path' has had 'n' requests; fails if not. */
void	 harness_wait_hits(struct harness *h, const char *path,
	    unsigned int n);

/* The alert file holds exactly the alerts of items 'ids', each once. */
void	 harness_alerted_exactly(const struct harness *h,
	    const char *const *ids);

/* `feedwatch status --json -c CONF`, which must exit 0, parsed. */
json_t	*harness_status(const struct harness *h);
/* Of that status, the object of feed 'name'; fails if there is none. */
json_t	*harness_feed(json_t *status, const char *name);
/* The object of sink 'name'; fails if there is none. */
json_t	*harness_sink(json_t *status, const char *name);

#endif
