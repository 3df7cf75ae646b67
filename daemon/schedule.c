/*
 * schedule.c: per-feed timers, a queue of due feeds, global and per-host caps.
 *
 * Due feeds wait in their host's queue; the hosts that have a feed
 * waiting and a slot free are in a ready list, taken in turn.  So
 * starting a poll costs the same with one host or ten thousand, and a
 * host at its cap holds back only its own feeds.  Article fetches
 * (fulltext.h) wait the same way in a second queue of the host of their
 * link, with a ready list of their own: a host's polls and fetches share
 * its per-host slots, polls first, and fetches never take more than half
 * of the global ones, so that a flood of articles cannot hold polls up.
 *
 * A feed removed by a reload while its poll runs is only marked; it is
 * freed when the poll completes, because the poll's callback still points
 * at it.
 */
#include "schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <glib.h>

#include "config.h"
#include "duration.h"
#include "fulltext.h"
#include "item.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "watch.h"
#include "xmalloc.h"

/* The longest a feed waits, unless its interval is longer. */
#define SCHEDULE_MAX_DELAY	(24 * 3600)
#define SCHEDULE_MIN_INTERVAL	60
#define SCHEDULE_START_SPREAD	10	/* seconds over which overdue feeds start */

/* interval = auto (schedule.h) */
#define PACE_TAU	168.0	/* hours: the rate is smoothed over a week */
#define PACE_BUSY	10.0	/* polled at min-interval: an item per 10 */

struct entry;
struct job;

struct host {
	char			*name;
	size_t			 running;	/* polls and fetches */
	TAILQ_HEAD(, entry)	 waiting;	/* due, oldest first */
	TAILQ_HEAD(, job)	 jobs;		/* article fetches waiting */
	TAILQ_ENTRY(host)	 ready;
	TAILQ_ENTRY(host)	 jready;
	int			 in_ready;	/* waiting and under the cap */
	int			 in_jready;	/* jobs and under the cap */
};

/* An article fetch, waiting in its host's queue or running. */
struct job {
	struct schedule		*s;
	struct fulltext_job	*j;
	const struct config_feed *f;	/* its feed, in the config in use */
	struct host		*host;		/* of its link */
	TAILQ_ENTRY(job)	 qentry;
};

struct entry {
	struct schedule		*s;
	time_t			 due;
	struct feed_pace	 pace;		/* interval = auto's */
	char			*name;
	struct host		*host;		/* of the URL being polled or next */
	struct host		*moved_to;	/* a reload's, while a poll runs */
	const struct config_feed *f;
	struct event		*timer;		/* NULL in a one-pass schedule */
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
	GHashTable		*hosts;		/* name: struct host, owned */
	GHashTable		*by_name;	/* feed name: its entry */
	TAILQ_HEAD(, host)	 ready;
	TAILQ_HEAD(, host)	 jready;
	TAILQ_HEAD(, entry)	 entries;
	size_t			 running;	/* polls and fetches */
	size_t			 queued;
	size_t			 jobs_running;
	size_t			 jobs_queued;
	size_t			 nentries;
	int			 stopped;
	void			(*done)(void *);	/* one pass: all polled */
	void			*done_arg;
};

static void	start_due(struct schedule *);

static void
job_free(struct job *jb)
{
	fulltext_job_free(jb->j);
	free(jb);
}

static void
host_free(void *p)
{
	struct host	*h = p;
	struct job	*jb;

	while ((jb = TAILQ_FIRST(&h->jobs)) != NULL) {
		TAILQ_REMOVE(&h->jobs, jb, qentry);
		job_free(jb);
	}
	free(h->name);
	free(h);
}

/* The host of 'url' (its authority), created on first use. */
static struct host *
host_get(struct schedule *s, const char *url)
{
	const char	*p, *at;
	char		*name, *q;
	size_t		 n;
	struct host	*h;

	if ((p = strstr(url, "://")) == NULL)
		name = xstrdup("");
	else {
		/*
		 * The host, without userinfo and in lower case: a password
		 * in the URL must not make a second host of one.
		 */
		p += 3;
		n = strcspn(p, "/?#");
		if ((at = memrchr(p, '@', n)) != NULL) {
			n -= at + 1 - p;
			p = at + 1;
		}
		name = xstrndup(p, n);
		for (q = name; *q != '\0'; q++)
			*q = g_ascii_tolower(*q);
	}
	if ((h = g_hash_table_lookup(s->hosts, name)) != NULL) {
		free(name);
		return h;
	}
	h = xcalloc(1, sizeof(*h));
	h->name = name;
	TAILQ_INIT(&h->waiting);
	TAILQ_INIT(&h->jobs);
	g_hash_table_insert(s->hosts, h->name, h);
	return h;
}

/*
 * Keeps 'h' in the ready list exactly while a feed of it may start, and
 * in the jobs' ready list while a fetch of it may.
 */
static void
host_update(struct schedule *s, struct host *h)
{
	int	 open = h->running < (size_t)s->cf->daemon.per_host;
	int	 ready = open && !TAILQ_EMPTY(&h->waiting);
	int	 jready = open && !TAILQ_EMPTY(&h->jobs);

	if (ready && !h->in_ready)
		TAILQ_INSERT_TAIL(&s->ready, h, ready);
	else if (!ready && h->in_ready)
		TAILQ_REMOVE(&s->ready, h, ready);
	h->in_ready = ready;
	if (jready && !h->in_jready)
		TAILQ_INSERT_TAIL(&s->jready, h, jready);
	else if (!jready && h->in_jready)
		TAILQ_REMOVE(&s->jready, h, jready);
	h->in_jready = jready;
}

static void
host_recheck(void *key, void *value, void *arg)
{
	host_update(arg, value);
}

static void
enqueue(struct entry *e)
{
	e->queued = 1;
	e->s->queued++;
	TAILQ_INSERT_TAIL(&e->host->waiting, e, qentry);
	host_update(e->s, e->host);
}

static void
dequeue(struct entry *e)
{
	TAILQ_REMOVE(&e->host->waiting, e, qentry);
	e->queued = 0;
	e->s->queued--;
	host_update(e->s, e->host);
}

/* Queues the fetch of 'j' (taken) for feed 'f' behind its link's host. */
static void
job_add(struct schedule *s, const struct config_feed *f,
    struct fulltext_job *j)
{
	struct job	*jb;

	jb = xcalloc(1, sizeof(*jb));
	jb->s = s;
	jb->j = j;
	jb->f = f;
	jb->host = host_get(s, j->item->link);
	TAILQ_INSERT_TAIL(&jb->host->jobs, jb, qentry);
	s->jobs_queued++;
	host_update(s, jb->host);
}

static void
job_dequeue(struct job *jb)
{
	TAILQ_REMOVE(&jb->host->jobs, jb, qentry);
	jb->s->jobs_queued--;
	host_update(jb->s, jb->host);
}

/* A fetch that will not run: recorded done, and freed ('j' taken). */
static void
job_drop(struct schedule *s, struct fulltext_job *j)
{
	if (watch_drop_article(s->w, j) == -1)
		log_debug("feed '%s': a dropped article stays pending", j->feed);
	fulltext_job_free(j);
}

static void
job_done(const struct fulltext_outcome *o, void *arg)
{
	struct job	*jb = arg;
	struct schedule	*s = jb->s;

	s->running--;
	s->jobs_running--;
	jb->host->running--;
	host_update(s, jb->host);
	job_free(jb);
	start_due(s);
}

/* Fetches may take half of the transfers at once; polls keep the rest. */
static size_t
job_cap(const struct schedule *s)
{
	return s->cf->daemon.concurrency > 1 ?
	    (size_t)s->cf->daemon.concurrency / 2 : 1;
}

static long
clamp(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * Seconds between polls at 'rate' new items an hour, within the bounds:
 * sqrt(min / (PACE_BUSY * rate)).
 */
static long
pace_interval(double rate, long min, long max)
{
	double	 secs;

	if (rate <= 0)
		return max;
	secs = sqrt((double)min * 3600 / (PACE_BUSY * rate));
	return secs >= (double)max ? max : clamp((long)secs, min, max);
}

/*
 * The first guess, in items an hour: the gaps between the dated items
 * and since the last of them, over the time since the oldest (a
 * min-interval at least); one an hour with fewer than two dates.
 */
static double
pace_seed(const struct pace_poll *pp, long min)
{
	double	 secs;

	if (pp->dated < 2)
		return 1.0;
	secs = difftime(pp->now, pp->oldest);
	return (double)(pp->dated - 1) * 3600 / (secs > (double)min ? secs :
	    (double)min);
}

void
schedule_pace(struct feed_pace *p, const struct pace_poll *pp, long min,
    long max)
{
	double	 hours, seen;
	long	 next;

	/* A clock set back restarts the learning too. */
	if (p->at == 0 || pp->now < p->at) {
		p->rate = pace_seed(pp, min);
		p->at = pp->now;
		p->interval = pace_interval(p->rate, min, max);
		return;
	}
	hours = difftime(pp->now, p->at) / 3600;
	p->rate = p->rate * exp(-hours / PACE_TAU) +
	    (double)pp->new_items / PACE_TAU;
	p->at = pp->now;
	if (pp->new_items > 0) {
		/* the rate the last interval saw, if higher */
		seen = (double)pp->new_items / (hours > (double)min / 3600 ?
		    hours : (double)min / 3600);
		next = pace_interval(seen > p->rate ? seen : p->rate, min, max);
		if (next > p->interval && p->interval > 0)
			next = p->interval;
	} else {
		/* by half, and by a second at least */
		next = p->interval + (p->interval > 1 ? p->interval / 2 : 1);
		if (next > pace_interval(p->rate, min, max))
			next = pace_interval(p->rate, min, max);
	}
	p->interval = clamp(next, min, max);
}

int
schedule_is_auto(const struct config *cf, const struct config_feed *f)
{
	return f->interval == CONFIG_INTERVAL_AUTO || (f->interval == 0 &&
	    cf->daemon.interval == CONFIG_INTERVAL_AUTO);
}

long
schedule_interval(const struct config *cf, const struct config_feed *f,
    const struct feed_pace *p)
{
	const struct config_daemon *d = &cf->daemon;

	if (schedule_is_auto(cf, f))
		return clamp(p->interval, d->min_interval, d->max_interval);
	return f->interval > 0 ? f->interval : d->interval;
}

static long
feed_interval(const struct schedule *s, const struct entry *e)
{
	return schedule_interval(s->cf, e->f, &e->pace);
}

/* The longest a feed waits between polls, whatever happens. */
static long
longest_delay(const struct schedule *s, const struct entry *e)
{
	long	 base = schedule_is_auto(s->cf, e->f) ?
	    s->cf->daemon.max_interval : feed_interval(s, e);

	return base > SCHEDULE_MAX_DELAY ? base : SCHEDULE_MAX_DELAY;
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
	if (e->timer != NULL)
		event_free(e->timer);
	free(e->name);
	free(e);
}

/* Unlinks and frees a feed that is not running. */
static void
entry_drop(struct schedule *s, struct entry *e)
{
	if (e->queued)
		dequeue(e);
	/* a removed feed may have been added again under its name */
	if (g_hash_table_lookup(s->by_name, e->name) == e)
		g_hash_table_remove(s->by_name, e->name);
	TAILQ_REMOVE(&s->entries, e, all);
	s->nentries--;
	entry_free(e);
}

static void
on_due(evutil_socket_t fd, short what, void *arg)
{
	struct entry	*e = arg;

	if (e->queued || e->running || e->removed)
		return;
	enqueue(e);
	start_due(e->s);
}

/*
 * A feed a hub pushes is polled rarely, as a safety net: push-interval,
 * or when its lease ends if that is sooner (a lease that lapses, because
 * the hub is down or refused the renewal, brings polling back), and
 * never more often than its own interval.
 */
static long
pushed_interval(const struct schedule *s, long base, time_t until)
{
	long	 left = until - time(NULL);
	long	 secs = s->cf->daemon.push_interval;

	if (left < secs)
		secs = left;
	return secs > base ? secs : base;
}

/*
 * Seconds to the next poll after outcome 'o', by schedule.h's rule: the
 * server's hint (clamped where it came in, fetch.c; here again, as the
 * rule says) only ever adds delay, and never more than SCHEDULE_MAX_DELAY.
 */
static long
next_delay(const struct schedule *s, const struct entry *e,
    const struct poll_outcome *o)
{
	long	 base = feed_interval(s, e), next, hint;
	int	 i;

	if (o->ok) {
		if (o->pushed_until != 0)
			base = pushed_interval(s, base, o->pushed_until);
		next = jittered(s, base);
		/* halved, not below a minute */
		if (o->overflowed && next > SCHEDULE_MIN_INTERVAL)
			next = next / 2 > SCHEDULE_MIN_INTERVAL ? next / 2 :
			    SCHEDULE_MIN_INTERVAL;
		hint = o->min_interval;
	} else {
		next = base;
		for (i = 1; i < o->failures && next < longest_delay(s, e);
		    i++)
			next *= 2;
		if (next > longest_delay(s, e))
			next = longest_delay(s, e);
		next = jittered(s, next);
		hint = o->retry_after;
	}
	if (hint > SCHEDULE_MAX_DELAY)
		hint = SCHEDULE_MAX_DELAY;
	return hint > next ? hint : next;
}

/* interval = auto learns from a good poll; the pace is kept in the store. */
static void
learn_pace(struct entry *e, const struct poll_outcome *o)
{
	const struct config_daemon *d = &e->s->cf->daemon;
	struct pace_poll	 pp;

	if (!o->ok || !schedule_is_auto(e->s->cf, e->f))
		return;
	pp.now = time(NULL);
	pp.new_items = o->new_items;
	pp.dated = o->dated;
	pp.oldest = o->oldest;
	schedule_pace(&e->pace, &pp, d->min_interval, d->max_interval);
	if (store_feed_set_pace(watch_store(e->s->w), e->name, &e->pace) == -1)
		log_debug("feed '%s': its pace not saved", e->name);
}

/*
 * The article fetches of outcome 'o' of entry 'e' (NULL: not polled),
 * taken: a feed removed, or no longer full text, meanwhile: not fetched.
 */
static void
take_articles(struct schedule *s, const struct entry *e,
    const struct poll_outcome *o)
{
	size_t	 i;

	for (i = 0; i < o->narticles; i++)
		if (e != NULL && !e->removed &&
		    fulltext_feed_wants(s->cf, e->f))
			job_add(s, e->f, o->articles[i]);
		else
			job_drop(s, o->articles[i]);
}

static void
polled(const struct config_feed *f, const struct poll_outcome *o, void *arg)
{
	struct entry	*e = arg;
	struct schedule	*s = e->s;
	long		 next;

	e->running = 0;
	s->running--;
	e->host->running--;
	host_update(s, e->host);
	take_articles(s, e, o);
	if (e->removed || s->done != NULL) {
		/* one pass: each feed is polled once */
		entry_drop(s, e);
		start_due(s);
		return;
	}
	if (e->moved_to != NULL) {
		e->host = e->moved_to;
		e->moved_to = NULL;
	}
	/* A reload gave the feed a new URL while the old one was polled. */
	if (strcmp(f->url, e->f->url) != 0) {
		memset(&e->pace, 0, sizeof(e->pace));
		if (!s->stopped)
			arm(e, time(NULL));
		start_due(s);
		return;
	}
	if (o->gone) {
		start_due(s);
		return;
	}
	learn_pace(e, o);
	next = next_delay(s, e, o);
	if (!o->ok)
		log_info("feed '%s': failure %d, next poll in %lds", e->name,
		    o->failures, next);
	if (!s->stopped)
		arm(e, duration_after(time(NULL), next));
	start_due(s);
}

static void
start_due(struct schedule *s)
{
	struct entry	*e;
	struct host	*h;
	struct job	*jb;

	while (!s->stopped && s->running < (size_t)s->cf->daemon.concurrency &&
	    (h = TAILQ_FIRST(&s->ready)) != NULL) {
		e = TAILQ_FIRST(&h->waiting);
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): dropped entries are unlinked */
		dequeue(e);
		/* the hosts take turns */
		if (h->in_ready) {
			TAILQ_REMOVE(&s->ready, h, ready);
			TAILQ_INSERT_TAIL(&s->ready, h, ready);
		}
		if (watch_poll(s->w, e->f, polled, e) == -1) {
			/* The store failed: try again in a minute. */
			if (s->done != NULL)
				entry_drop(s, e);
			else
				arm(e, time(NULL) + SCHEDULE_MIN_INTERVAL);
			continue;
		}
		e->running = 1;
		s->running++;
		h->running++;
		host_update(s, h);
		metrics_poll_lag(difftime(time(NULL), e->due));
	}
	while (!s->stopped && s->running < (size_t)s->cf->daemon.concurrency &&
	    s->jobs_running < job_cap(s) &&
	    (h = TAILQ_FIRST(&s->jready)) != NULL) {
		jb = TAILQ_FIRST(&h->jobs);
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): freed jobs are unlinked */
		job_dequeue(jb);
		if (h->in_jready) {
			TAILQ_REMOVE(&s->jready, h, jready);
			TAILQ_INSERT_TAIL(&s->jready, h, jready);
		}
		/* Not started: it stays pending, for the next start. */
		if (watch_fetch_article(s->w, jb->f, jb->j, job_done,
		    jb) == -1) {
			job_free(jb);
			continue;
		}
		s->running++;
		s->jobs_running++;
		h->running++;
		host_update(s, h);
	}
	if (s->done != NULL && s->running == 0 && s->queued == 0 &&
	    s->jobs_queued == 0) {
		void	(*done)(void *) = s->done;

		s->done = NULL;
		done(s->done_arg);
	}
}

static struct entry *
entry_new(struct schedule *s, const struct config_feed *f)
{
	struct entry	*e;

	e = xcalloc(1, sizeof(*e));
	e->s = s;
	e->name = xstrdup(f->name);
	e->host = host_get(s, f->url);
	e->f = f;
	e->due = time(NULL);
	TAILQ_INSERT_TAIL(&s->entries, e, all);
	g_hash_table_insert(s->by_name, e->name, e);
	s->nentries++;
	return e;
}

static void
entry_add(struct schedule *s, const struct config_feed *f)
{
	struct entry		*e;
	struct feed_state	 fs;
	time_t			 now = time(NULL), due;
	int			 spread;

	e = entry_new(s, f);
	if ((e->timer = evtimer_new(s->base, on_due, e)) == NULL)
		fatalx("%s: cannot create a timer", __func__);
	if (store_feed_get(watch_store(s->w), f->name, &fs) == -1)
		memset(&fs, 0, sizeof(fs));
	/* State learned at another URL does not hold: gone, next poll. */
	feed_state_rebind(&fs, f->url);
	if (fs.gone) {
		log_info("feed '%s': gone (410) at its last poll; not polled",
		    f->name);
		feed_state_clear(&fs);
		return;
	}
	/*
	 * Resume the saved schedule, but no further off than the rule
	 * allows (an older feedwatch may have saved a time centuries away).
	 * Overdue feeds start at once, spread over up to
	 * SCHEDULE_START_SPREAD seconds when there are many (one second per
	 * 50 feeds), so a restart does not fire them together.
	 */
	e->pace = fs.pace;
	due = fs.next_due;
	if (due > duration_after(now, longest_delay(s, e)))
		due = duration_after(now, longest_delay(s, e));
	spread = s->nentries / 50 < SCHEDULE_START_SPREAD ?
	    (int)(s->nentries / 50) : SCHEDULE_START_SPREAD;
	if (due <= now)
		due = now + g_random_int_range(0, spread + 1);
	feed_state_clear(&fs);
	arm(e, due);
}

static struct schedule *
schedule_alloc(struct event_base *base, struct watch *w,
    const struct config *cf)
{
	struct schedule	*s;

	s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->w = w;
	s->cf = cf;
	s->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    host_free);
	s->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	TAILQ_INIT(&s->ready);
	TAILQ_INIT(&s->jready);
	TAILQ_INIT(&s->entries);
	return s;
}

/* Names of the enabled feeds of 'cf': their config_feed. */
static GHashTable *
feeds_by_name(const struct config *cf)
{
	GHashTable	*names;
	size_t		 i;

	names = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < cf->nfeeds; i++)
		if (!cf->feeds[i].disabled)
			g_hash_table_insert(names, cf->feeds[i].name,
			    &cf->feeds[i]);
	return names;
}

static int
pending_article(const char *feed, const char *key, const struct feed_item *it,
    void *arg)
{
	GPtrArray	*jobs = arg;

	g_ptr_array_add(jobs, fulltext_job_new(feed, key, it));
	return 0;
}

/*
 * The article fetches a stop or a crash left pending are queued again:
 * those of the feeds this schedule polls.  Those of a feed the config no
 * longer has, or no longer wants full text for, are dropped.
 */
static void
resume_articles(struct schedule *s)
{
	GPtrArray		*jobs = g_ptr_array_new();
	GHashTable		*names = feeds_by_name(s->cf);
	const struct config_feed *f;
	struct fulltext_job	*j;
	struct entry		*e;
	guint			 i;

	/* read first: the drops write */
	store_articles_foreach(watch_store(s->w), pending_article, jobs);
	for (i = 0; i < jobs->len; i++) {
		j = g_ptr_array_index(jobs, i);
		f = g_hash_table_lookup(names, j->feed);
		if (f == NULL || !fulltext_feed_wants(s->cf, f))
			job_drop(s, j);
		else if ((e = g_hash_table_lookup(s->by_name, j->feed)) !=
		    NULL)
			job_add(s, e->f, j);
		else
			fulltext_job_free(j);
	}
	if (jobs->len > 0)
		log_info("%u article fetches left pending resumed", jobs->len);
	g_hash_table_destroy(names);
	g_ptr_array_free(jobs, TRUE);
}

struct schedule *
schedule_new(struct event_base *base, struct watch *w, const struct config *cf)
{
	struct schedule	*s;
	size_t		 i;

	s = schedule_alloc(base, w, cf);
	for (i = 0; i < cf->nfeeds; i++)
		if (!cf->feeds[i].disabled)
			entry_add(s, &cf->feeds[i]);
	resume_articles(s);
	start_due(s);
	return s;
}

struct schedule *
schedule_once(struct event_base *base, struct watch *w,
    const struct config *cf, const struct config_feed *const *feeds, size_t n,
    void (*done)(void *), void *arg)
{
	struct schedule	*s;
	size_t		 i;

	s = schedule_alloc(base, w, cf);
	s->done = done;
	s->done_arg = arg;
	for (i = 0; i < n; i++)
		enqueue(entry_new(s, feeds[i]));
	resume_articles(s);
	start_due(s);
	return s;
}

/* A reload's view for jobs_reload(): the schedule, and the new feeds. */
struct reload {
	struct schedule	*s;
	GHashTable	*names;
};

/*
 * A reload: the waiting fetches of host 'value' take their feed from the
 * new config; those of a feed removed, or no longer full text, go.
 */
static void
jobs_reload(void *key, void *value, void *arg)
{
	struct reload	*r = arg;
	struct host	*h = value;
	struct job	*jb, *next;

	for (jb = TAILQ_FIRST(&h->jobs); jb != NULL; jb = next) {
		next = TAILQ_NEXT(jb, qentry);
		jb->f = g_hash_table_lookup(r->names, jb->j->feed);
		if (jb->f != NULL && fulltext_feed_wants(r->s->cf, jb->f))
			continue;
		job_dequeue(jb);
		job_drop(r->s, jb->j);
		free(jb);
	}
}

void
schedule_reload(struct schedule *s, const struct config *cf)
{
	GHashTable		*names;
	struct entry		*e, *next;
	struct host		*h;
	struct reload		 r;
	const struct config_feed *f, *old;
	size_t			 i;
	int			 moved;

	s->cf = cf;
	/* A feed disabled (enabled = no) is as good as removed. */
	names = feeds_by_name(cf);
	for (e = TAILQ_FIRST(&s->entries); e != NULL; e = next) {
		next = TAILQ_NEXT(e, all);
		f = g_hash_table_lookup(names, e->name);
		if (e->removed && f == NULL)
			continue;
		/* Back before its poll ended: one feed, one poll at a time. */
		if (e->removed) {
			log_info("feed '%s': added", e->name);
			e->removed = 0;
			g_hash_table_insert(s->by_name, e->name, e);
		}
		old = e->f;
		if ((e->f = f) != NULL) {
			/*
			 * A new URL is polled at once, even when the old one
			 * was gone; a poll running ends first (polled()).
			 */
			moved = old == NULL || strcmp(old->url, e->f->url) != 0;
			/* what was learned of the old URL's pace does not hold */
			if (moved)
				memset(&e->pace, 0, sizeof(e->pace));
			if (!e->running && !e->queued && moved)
				arm(e, time(NULL));
			h = host_get(s, e->f->url);
			if (e->running)		/* keeps its host until done */
				e->moved_to = h != e->host ? h : NULL;
			else if (h != e->host && e->queued) {
				dequeue(e);
				e->host = h;
				enqueue(e);
			} else
				e->host = h;
			continue;
		}
		log_info("feed '%s': %s", e->name, config_feed_find(cf,
		    e->name) != NULL ? "disabled (enabled = no)" :
		    "removed from the config");
		if (e->timer != NULL)
			event_del(e->timer);
		e->removed = 1;
		if (!e->running)
			entry_drop(s, e);
		else
			g_hash_table_remove(s->by_name, e->name);
	}
	r.s = s;
	r.names = names;
	g_hash_table_foreach(s->hosts, jobs_reload, &r);
	g_hash_table_destroy(names);
	/* per-host may have changed */
	g_hash_table_foreach(s->hosts, host_recheck, s);
	for (i = 0; i < cf->nfeeds; i++)
		if (!cf->feeds[i].disabled && g_hash_table_lookup(s->by_name,
		    cf->feeds[i].name) == NULL) {
			log_info("feed '%s': added", cf->feeds[i].name);
			entry_add(s, &cf->feeds[i]);
		}
	start_due(s);
}

void
schedule_pushed(struct schedule *s, const struct config_feed *f,
    const struct poll_outcome *o)
{
	if (o->narticles == 0)
		return;
	take_articles(s, g_hash_table_lookup(s->by_name, f->name), o);
	start_due(s);
}

void
schedule_unpushed(struct schedule *s, const char *feed)
{
	struct entry	*e = g_hash_table_lookup(s->by_name, feed);
	time_t		 due;

	if (e == NULL || e->timer == NULL || e->queued || e->running ||
	    e->removed || s->stopped)
		return;
	due = duration_after(time(NULL), jittered(s, feed_interval(s, e)));
	if (e->due > due)
		arm(e, due);
}

void
schedule_stop(struct schedule *s)
{
	struct entry	*e;

	s->stopped = 1;
	TAILQ_FOREACH(e, &s->entries, all)
		if (e->timer != NULL)
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
	/* Not the removed ones whose last poll is still running. */
	return g_hash_table_size(s->by_name);
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
	g_hash_table_destroy(s->by_name);
	g_hash_table_destroy(s->hosts);
	free(s);
}
