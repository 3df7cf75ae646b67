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

struct config;
struct config_feed;
struct event_base;
struct poll_outcome;
struct schedule;
struct watch;

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
