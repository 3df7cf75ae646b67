/*
 * watch.h: the engine behind `check` and `run`.
 *
 * A watch owns the state store, the sinks and the outbox dispatcher for
 * one config, on one event loop.  watch_poll() polls one feed: a
 * conditional GET with the stored validators, the body parsed as it
 * streams, and on completion one transaction that records the poll,
 * marks the items seen, matches the new ones against every topic, claims
 * each story per topic (cross-feed dedup) and queues an outbox row per
 * sink.  Deliveries then run from the outbox, with retries and backoff,
 * so that no alert is lost and none is sent twice for one (topic, item).
 *
 * The scheduler (schedule.c) decides when to call watch_poll(); `check`
 * calls it once per feed.
 */
#ifndef FEEDWATCH_WATCH_H
#define FEEDWATCH_WATCH_H

#include <stddef.h>
#include <time.h>

struct config;
struct config_feed;
struct event_base;
struct store;
struct watch;
struct xfer_multi;

/* What a poll came to, for the scheduler. */
struct poll_outcome {
	int		 ok;		/* 200 parsed or 304 */
	int		 gone;		/* 410: stop polling */
	long		 retry_after;	/* seconds (fetch.h's clamp), or -1 */
	long		 min_interval;	/* max-age, ttl, sy: (clamped), or 0 */
	int		 overflowed;	/* the window moved past: poll sooner */
	int		 failures;	/* consecutive, this one included */
	size_t		 new_items;
	size_t		 alerts;
};

typedef void watch_poll_cb(const struct config_feed *f,
    const struct poll_outcome *o, void *arg);

/*
 * A watch over 'cf' (borrowed; see watch_reload) with its store open.
 * 'dry_run': print alerts on stdout, change no state, send nothing.
 * NULL if the store cannot be opened.
 */
struct watch	*watch_new(const struct config *cf, struct event_base *base,
		    struct xfer_multi *m, int dry_run);
/* Cancels nothing in flight: call when no poll or delivery is running. */
void		 watch_free(struct watch *w);

/*
 * Switches to a new config: new topics and sinks.  In-flight work
 * finishes: a sink with sends in flight is kept (retired) until the last
 * one ends, its rows recorded as usual and never picked up by the new
 * sink of the same name.
 */
void		 watch_reload(struct watch *w, const struct config *cf);

struct store	*watch_store(struct watch *w);

/* Polls feed 'f' now; 'cb' runs when the poll is done.  -1: not started. */
int		 watch_poll(struct watch *w, const struct config_feed *f,
		    watch_poll_cb *cb, void *arg);

/*
 * Starts due deliveries.  With 'hold' set, deliveries wait (check holds
 * them until every feed is polled, so that also_in is complete).
 */
void		 watch_deliver(struct watch *w);
void		 watch_hold_deliveries(struct watch *w, int hold);

/* Starts no more deliveries (shutdown); those in flight finish. */
void		 watch_stop(struct watch *w);

/* Polls and deliveries in flight. */
size_t		 watch_busy(const struct watch *w);

/* Alerts failed to deliver or polls failed since watch_new(). */
int		 watch_failed(const struct watch *w);

/* Runs 'cb' (once) when nothing is in flight and nothing is due. */
void		 watch_on_idle(struct watch *w, void (*cb)(void *), void *arg);

#endif
