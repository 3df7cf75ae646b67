/*
 * schedule.h: when each feed is polled.
 *
 * Every feed has a timer for its next poll.  A due feed waits in a queue
 * until it may start: at most [daemon] concurrency polls at once, and at
 * most per-host polls to one host.  After a poll the next one is set:
 *
 *   ok          the feed's interval, with +/- jitter/2; never sooner than
 *               the server's Cache-Control max-age or the feed's RSS
 *               <ttl> (either up to a day); halved (not below 1m)
 *               when the feed's window overflowed
 *   failed      interval * 2^(failures-1), up to 24h; never sooner than a
 *               Retry-After
 *   410 Gone    never again
 *
 * Next-due times are kept in the state store, so a restart resumes the
 * schedule instead of polling every feed at once.
 */
#ifndef FEEDWATCH_SCHEDULE_H
#define FEEDWATCH_SCHEDULE_H

#include <stddef.h>

struct config;
struct event_base;
struct schedule;
struct watch;

struct config_feed;

struct schedule	*schedule_new(struct event_base *base, struct watch *w,
		    const struct config *cf);
/*
 * One pass, for `check`: polls each of feeds[0..n) once, as soon as the
 * caps allow, then calls done(arg) (at once if there is nothing to poll).
 * No timers, and no next-due times are kept.
 */
struct schedule	*schedule_once(struct event_base *base, struct watch *w,
		    const struct config *cf,
		    const struct config_feed *const *feeds, size_t n,
		    void (*done)(void *), void *arg);
void		 schedule_free(struct schedule *s);

/*
 * Takes a new config: feeds added, removed and changed.  Polls in flight
 * finish and are recorded as usual; a feed removed meanwhile is not polled
 * again, and one removed and added back before its poll ends stays one
 * feed, polled once at a time.
 */
void		 schedule_reload(struct schedule *s, const struct config *cf);

/* Stops starting polls (shutdown); in-flight ones finish. */
void		 schedule_stop(struct schedule *s);

/* Polls in flight and feeds waiting for a slot. */
size_t		 schedule_running(const struct schedule *s);
/* Feeds of the config in use. */
size_t		 schedule_feeds(const struct schedule *s);

#endif
