/*
 * schedule.h: when each feed is polled.
 *
 * Every feed has a timer for its next poll, except those disabled
 * (enabled = no), which are never polled.  A due feed waits in a queue
 * until it may start: at most [daemon] concurrency polls at once, and at
 * most per-host polls to one host.  After a poll the next one is set:
 *
 *   ok          the feed's interval, with +/- jitter/2; halved (not
 *               below 1m) when the feed's window overflowed; for a feed
 *               a WebSub hub pushes (push.h), push-interval if longer,
 *               or until its lease ends if that is sooner
 *   failed      interval * 2^(failures-1), with +/- jitter/2, up to 24h
 *               (or the interval, if that is longer)
 *   410 Gone    never again, unless the config gives the feed a new URL
 *
 * A server's hint only ever makes the next poll later than that, never
 * sooner, and never more than 24h away: after a good poll Cache-Control
 * max-age, the feed's RSS <ttl> and its sy:updatePeriod /
 * sy:updateFrequency; after a failed one Retry-After (seconds or an HTTP
 * date).  A hint of 0, a negative one, a date in the past and one that
 * does not parse count as none; a larger one counts as 24h.  So no feed
 * waits longer than 24h, or its interval if the user set that longer.
 *
 * interval = auto sets a feed's interval from its pace, within [daemon]
 * min-interval and max-interval (2m and 6h unless set).  The pace is a
 * rate r of new items an hour, smoothed exponentially over time with a
 * time constant tau of a week (a poll finding n new items t hours after
 * the last good one: r = r * exp(-t / tau) + n / tau), so that it is the
 * long-run mean of a steady feed, and a day's rhythm or a quiet weekend
 * does not sway it.  The interval is the square-root rule of Sia, Cho
 * and Cho ("Efficient monitoring algorithm for fast news alerts", IEEE
 * TKDE 19(7), 2007), which minimises the mean detection delay for a
 * given number of requests: it grows as 1/sqrt(r),
 *
 *   interval(r) = sqrt(min-interval / (10 r))
 *
 * so that a feed with an item every 10 min-intervals is polled every
 * min-interval, one with a sixteenth of that pace four times as seldom,
 * and so on up to max-interval: with the defaults, an item an hour is
 * polled every 3.5 minutes, one a day every 17, one a week every 45.
 * The 10 sets how many requests the rule spends: in bench_schedule.sh's
 * replay of real publishing histories, 11 a feed a day for a median
 * delay of 1.2 minutes, where a fixed 15 minutes spends 96 for 7.4.  A
 * good poll then sets it:
 *
 *   first poll   r from the items' dates: n dated items, the oldest
 *                t ago, make (n - 1) / t (t a min-interval at least;
 *                one an hour with fewer than two dates)
 *   new items    interval(max(r, n / t)), and never longer than before:
 *                a quiet feed that turns busy is polled sooner at once
 *   none (304)   the interval * 3/2 (+1s at least), up to interval(r):
 *                a run of empty polls lengthens it gradually
 *
 * within the bounds.  Failures, overflows, jitter and the servers' hints
 * then apply to it as to a fixed interval; the longest wait is 24h or
 * max-interval, whichever is longer.  What is learned (struct feed_pace)
 * is kept in the state store with the feed, for its URL.
 *
 * Next-due times are kept in the state store, so a restart resumes the
 * schedule instead of polling every feed at once; a saved time further
 * off than the longest wait is brought in.  A feed whose URL the config
 * changed (at start or on reload) is polled at once, afresh.
 *
 * Article fetches ([feed] content = full, fulltext.h), which polls hand
 * back, wait in the queue of their link's host beside its feeds and count
 * against the same caps: a fetch and a poll to one host share its
 * per-host slots (polls go first), and fetches take at most half of
 * concurrency.  They start in the order they came, with no timer; those
 * the last run left pending start at once.  A reload drops the waiting
 * fetches of a feed removed or no longer full text.
 */
#ifndef FEEDWATCH_SCHEDULE_H
#define FEEDWATCH_SCHEDULE_H

#include <stddef.h>
#include <time.h>

struct config;
struct config_feed;
struct event_base;
struct poll_outcome;
struct schedule;
struct watch;

struct config_feed;
struct feed_pace;

/* What a good poll found, for schedule_pace(). */
struct pace_poll {
	time_t		 now;
	size_t		 new_items;
	size_t		 dated;		/* items of the body with a sane date */
	time_t		 oldest;	/* the oldest of those */
};

/*
 * The rule above: learns from a good poll 'pp' of a feed with interval =
 * auto and sets p->interval, within [min, max] seconds.  Pure, so that
 * bench/bench_schedule.c replays publishing histories through it.
 */
void		 schedule_pace(struct feed_pace *p, const struct pace_poll *pp,
		    long min, long max);

/* Whether feed 'f' has interval = auto (its own, or the daemon's). */
int		 schedule_is_auto(const struct config *cf,
		    const struct config_feed *f);
/*
 * Seconds between polls of 'f' after a good one: the config's interval,
 * or auto's from the pace 'p', within the bounds (min-interval before its
 * first good poll).
 */
long		 schedule_interval(const struct config *cf,
		    const struct config_feed *f, const struct feed_pace *p);

struct schedule	*schedule_new(struct event_base *base, struct watch *w,
		    const struct config *cf);
/*
 * One pass, for `check`: polls each of feeds[0..n) once, as soon as the
 * caps allow, and fetches the articles these polls found (and those of
 * these feeds left pending), then calls done(arg) (at once if there is
 * nothing to do).  No timers, and no next-due times are kept.
 */
struct schedule	*schedule_once(struct event_base *base, struct watch *w,
		    const struct config *cf,
		    const struct config_feed *const *feeds, size_t n,
		    void (*done)(void *), void *arg);
void		 schedule_free(struct schedule *s);

/*
 * Takes a new config: feeds added, removed (or disabled) and changed.
 * Polls in flight finish and are recorded as usual; a feed removed
 * meanwhile is not polled again, and one removed and added back before
 * its poll ends stays one feed, polled once at a time.
 */
void		 schedule_reload(struct schedule *s, const struct config *cf);

/*
 * A hub's push of 'f' was recorded (push.h): the article fetches of 'o'
 * (taken) are queued as a poll's are, or dropped if the feed is no longer
 * polled or no longer wants full text.
 */
void		 schedule_pushed(struct schedule *s,
		    const struct config_feed *f, const struct poll_outcome *o);

/*
 * 'feed' is no longer pushed by a hub (push.h): its next poll, set for
 * push-interval, comes in to its own interval from now.
 */
void		 schedule_unpushed(struct schedule *s, const char *feed);

/* Stops starting polls (shutdown); in-flight ones finish. */
void		 schedule_stop(struct schedule *s);

/* Polls and article fetches in flight. */
size_t		 schedule_running(const struct schedule *s);
/* Feeds of the config in use. */
size_t		 schedule_feeds(const struct schedule *s);

#endif
