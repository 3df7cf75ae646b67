/*
 * schedule.c: per-feed timers, a queue of due feeds, global and per-host caps.
 *
 * A feed removed by a reload while its poll runs is only marked; it is
 * freed when the poll completes, because the poll's callback still points
 * at it.
 */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <glib.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "watch.h"
#include "xmalloc.h"

#define SCHEDULE_MAX_BACKOFF	(24 * 3600)
#define SCHEDULE_MIN_INTERVAL	60
#define SCHEDULE_START_SPREAD	10	/* seconds over which overdue feeds start */

struct entry {
	struct schedule		*s;
	time_t			 due;
	char			*name;
	char			*host;
	const struct config_feed *f;
	struct event		*timer;
	int			 queued;
	int			 running;
	int			 removed;
	TAILQ_ENTRY(entry)	 qentry;
	TAILQ_ENTRY(entry)	 all;
};

struct schedule {
	struct event_base	*base;
	struct watch		*w;
	const struct config	*cf;
	TAILQ_HEAD(, entry)	 queue;
	TAILQ_HEAD(, entry)	 entries;
	size_t			 running;
	size_t			 nentries;
	int			 stopped;
};

static void	start_due(struct schedule *);

static char *
url_host(const char *url)
{
	const char	*p;

	if ((p = strstr(url, "://")) == NULL)
		return xstrdup("");
	p += 3;
	return xstrndup(p, strcspn(p, "/?#"));
}

static long
feed_interval(const struct schedule *s, const struct config_feed *f)
{
	return f->interval > 0 ? f->interval : s->cf->daemon.interval;
}

/* +/- half the configured jitter, so polls of one host spread out. */
static long
jittered(const struct schedule *s, long secs)
{
	long	 span = secs * s->cf->daemon.jitter_pct / 100;

	if (span <= 0)
		return secs;
	return secs - span / 2 + (long)g_random_int_range(0,
	    (gint32)(span > G_MAXINT32 - 1 ? G_MAXINT32 - 1 : span) + 1);
}

static void
arm(struct entry *e, time_t due)
{
	struct timeval	 tv;
	time_t		 now = time(NULL);

	e->due = due;
	tv.tv_sec = due > now ? due - now : 0;
	tv.tv_usec = 0;
	if (event_add(e->timer, &tv) == -1)
		log_warnx("feed '%s': cannot arm its timer", e->name);
	if (store_feed_set_due(watch_store(e->s->w), e->name, due) == -1)
		log_debug("feed '%s': next poll time not saved", e->name);
}

static void
entry_free(struct entry *e)
{
	event_free(e->timer);
	free(e->name);
	free(e->host);
	free(e);
}

static void
on_due(evutil_socket_t fd, short what, void *arg)
{
	struct entry	*e = arg;

	if (e->queued || e->running || e->removed)
		return;
	e->queued = 1;
	TAILQ_INSERT_TAIL(&e->s->queue, e, qentry);
	start_due(e->s);
}

static size_t
host_running(const struct schedule *s, const char *host)
{
	struct entry	*e;
	size_t		 n = 0;

	TAILQ_FOREACH(e, &s->entries, all)
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): freed entries are unlinked */
		if (e->running && strcmp(e->host, host) == 0)
			n++;
	return n;
}

static void
polled(const struct config_feed *f, const struct poll_outcome *o, void *arg)
{
	struct entry	*e = arg;
	struct schedule	*s = e->s;
	long		 next, base;
	int		 i;

	e->running = 0;
	s->running--;
	if (e->removed) {
		TAILQ_REMOVE(&s->entries, e, all);
		s->nentries--;
		entry_free(e);
		start_due(s);
		return;
	}
	base = feed_interval(s, e->f);
	if (o->gone) {
		start_due(s);
		return;
	}
	if (o->ok) {
		next = jittered(s, base);
		if (o->overflowed)
			next = next / 2 > SCHEDULE_MIN_INTERVAL ? next / 2 :
			    SCHEDULE_MIN_INTERVAL;
		if (o->min_interval > next && o->min_interval < 86400)
			next = o->min_interval;
	} else {
		next = base;
		for (i = 1; i < o->failures && next < SCHEDULE_MAX_BACKOFF; i++)
			next *= 2;
		if (next > SCHEDULE_MAX_BACKOFF)
			next = SCHEDULE_MAX_BACKOFF;
		next = jittered(s, next);
		if (o->retry_after > next)
			next = o->retry_after;
		log_info("feed '%s': failure %d, next poll in %lds", e->name,
		    o->failures, next);
	}
	if (!s->stopped)
		arm(e, time(NULL) + next);
	start_due(s);
}

static void
start_due(struct schedule *s)
{
	struct entry	*e, *next;

	if (s->stopped)
		return;
	for (e = TAILQ_FIRST(&s->queue); e != NULL &&
	    s->running < (size_t)s->cf->daemon.concurrency; e = next) {
		next = TAILQ_NEXT(e, qentry);
		if (host_running(s, e->host) >= (size_t)s->cf->daemon.per_host)
			continue;
		TAILQ_REMOVE(&s->queue, e, qentry);
		e->queued = 0;
		if (watch_poll(s->w, e->f, polled, e) == -1) {
			/* The store failed: try again in a minute. */
			arm(e, time(NULL) + SCHEDULE_MIN_INTERVAL);
			continue;
		}
		e->running = 1;
		s->running++;
		metrics_poll_lag(difftime(time(NULL), e->due));
	}
}

static struct entry *
entry_find(struct schedule *s, const char *name)
{
	struct entry	*e;

	TAILQ_FOREACH(e, &s->entries, all)
		if (!e->removed && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void
entry_add(struct schedule *s, const struct config_feed *f)
{
	struct entry		*e;
	struct feed_state	 fs;
	time_t			 now = time(NULL), due;
	int			 spread;

	e = xcalloc(1, sizeof(*e));
	e->s = s;
	e->name = xstrdup(f->name);
	e->host = url_host(f->url);
	e->f = f;
	if ((e->timer = evtimer_new(s->base, on_due, e)) == NULL)
		fatalx("%s: cannot create a timer", __func__);
	TAILQ_INSERT_TAIL(&s->entries, e, all);
	s->nentries++;
	if (store_feed_get(watch_store(s->w), f->name, &fs) == -1)
		memset(&fs, 0, sizeof(fs));
	if (fs.gone) {
		log_info("feed '%s': gone (410) at its last poll; not polled",
		    f->name);
		feed_state_clear(&fs);
		return;
	}
	/*
	 * Resume the saved schedule.  Overdue feeds start at once, spread
	 * over up to SCHEDULE_START_SPREAD seconds when there are many (one
	 * second per 50 feeds), so a restart does not fire them together.
	 */
	due = fs.next_due;
	spread = s->nentries / 50 < SCHEDULE_START_SPREAD ?
	    (int)(s->nentries / 50) : SCHEDULE_START_SPREAD;
	if (due <= now)
		due = now + g_random_int_range(0, spread + 1);
	feed_state_clear(&fs);
	arm(e, due);
}

struct schedule *
schedule_new(struct event_base *base, struct watch *w, const struct config *cf)
{
	struct schedule	*s;
	size_t		 i;

	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->w = w;
	s->cf = cf;
	TAILQ_INIT(&s->queue);
	TAILQ_INIT(&s->entries);
	for (i = 0; i < cf->nfeeds; i++)
		entry_add(s, &cf->feeds[i]);
	return s;
}

void
schedule_reload(struct schedule *s, const struct config *cf)
{
	struct entry	*e, *next;
	size_t		 i;
	int		 found;

	s->cf = cf;
	for (e = TAILQ_FIRST(&s->entries); e != NULL; e = next) {
		next = TAILQ_NEXT(e, all);
		if (e->removed)
			continue;
		for (found = 0, i = 0; i < cf->nfeeds && !found; i++)
			if (strcmp(cf->feeds[i].name, e->name) == 0) {
				found = 1;
				e->f = &cf->feeds[i];
				free(e->host);
				e->host = url_host(e->f->url);
			}
		if (found)
			continue;
		log_info("feed '%s': removed from the config", e->name);
		event_del(e->timer);
		if (e->queued) {
			TAILQ_REMOVE(&s->queue, e, qentry);
			e->queued = 0;
		}
		e->removed = 1;
		if (!e->running) {
			TAILQ_REMOVE(&s->entries, e, all);
			s->nentries--;
			entry_free(e);
		}
	}
	for (i = 0; i < cf->nfeeds; i++)
		if (entry_find(s, cf->feeds[i].name) == NULL) {
			log_info("feed '%s': added", cf->feeds[i].name);
			entry_add(s, &cf->feeds[i]);
		}
	start_due(s);
}

void
schedule_stop(struct schedule *s)
{
	struct entry	*e;

	s->stopped = 1;
	TAILQ_FOREACH(e, &s->entries, all)
		event_del(e->timer);
}

size_t
schedule_running(const struct schedule *s)
{
	return s->running;
}

size_t
schedule_feeds(const struct schedule *s)
{
	return s->nentries;
}

void
schedule_free(struct schedule *s)
{
	struct entry	*e;

	if (s == NULL)
		return;
	while ((e = TAILQ_FIRST(&s->entries)) != NULL) {
		TAILQ_REMOVE(&s->entries, e, all);
		entry_free(e);
	}
	free(s);
}
