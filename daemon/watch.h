/*
 * watch.h: the engine behind `check` and `run`.
 *
 * A watch owns the state store for one config on one event loop, and the
 * paths through it: the poll path (feedpoll.h), where watch_poll() polls
 * one feed and records in one transaction its state, the items seen, the
 * stories claimed and an outbox row per alert and sink; the article path
 * (fulltext.h), where watch_fetch_article() fetches the article of a new
 * item of a feed that wants it and records what it alone made true; and
 * the delivery path (outbox.h), which sends the outbox to the sinks with
 * retries and backoff, so that no alert is lost and none is sent twice
 * for one (topic, item).  The watch commits the store's grouped writes a
 * few times a second, and says when neither path has work in flight.
 *
 * The scheduler (schedule.c) decides when to call watch_poll() and
 * watch_fetch_article().
 */
#ifndef FEEDWATCH_WATCH_H
#define FEEDWATCH_WATCH_H

#include <stddef.h>

#include "feedpoll.h"
#include "fulltext.h"

struct config;
struct config_feed;
struct event_base;
struct push;
struct store;
struct watch;
struct xfer_multi;

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

/*
 * Polls feed 'f' now; 'cb' (not NULL) runs when the poll is done, and
 * then the deliveries it queued start.  -1: not started.
 */
int		 watch_poll(struct watch *w, const struct config_feed *f,
		    feedpoll_done_cb *cb, void *arg);

/*
 * Fetches the article of 'j' for feed 'f' now (both borrowed until 'cb'
 * runs); 'cb' (not NULL) runs when its outcome is recorded, and then the
 * deliveries it queued start.  -1: not started.
 */
int		 watch_fetch_article(struct watch *w,
		    const struct config_feed *f, const struct fulltext_job *j,
		    fulltext_done_cb *cb, void *arg);

/*
 * Records article 'j' done unfetched (fulltext_drop).  -1 if the store
 * failed.
 */
int		 watch_drop_article(struct watch *w,
		    const struct fulltext_job *j);

/*
 * Starts due deliveries.  With 'hold' set, deliveries wait (check holds
 * them until every feed is polled, so that also_in is complete).
 */
void		 watch_deliver(struct watch *w);
void		 watch_hold_deliveries(struct watch *w, int hold);

/*
 * Records a body a WebSub hub pushed for 'f' (feedpoll_push), calls 'cb'
 * with its outcome before it returns (the article fetches it found are
 * the callback's, as a poll's are), and starts the deliveries it queued.
 * -1 if it was not a feed (or the store failed): nothing recorded, and
 * 'cb' is not called.
 */
int		 watch_push(struct watch *w, const struct config_feed *f,
		    const char *body, size_t len, feedpoll_done_cb *cb,
		    void *arg);
/* The WebSub subscriber polls report to (push.h), or NULL. */
void		 watch_set_push(struct watch *w, struct push *p);

/* Starts no more deliveries (shutdown); those in flight finish. */
void		 watch_stop(struct watch *w);

/* Polls, article fetches and deliveries in flight. */
size_t		 watch_busy(const struct watch *w);

/* Alerts failed to deliver or polls failed since watch_new(). */
int		 watch_failed(const struct watch *w);

/* Runs 'cb' (once) when nothing is in flight and nothing is due. */
void		 watch_on_idle(struct watch *w, void (*cb)(void *), void *arg);

#endif
