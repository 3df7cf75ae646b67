/*
 * feedpoll.h: the poll path, one poll of one feed from its request to the
 * transaction that records it.
 *
 * feedpoll_start() sends a conditional GET with the validators stored for
 * the feed (to the URL it moved to for good, if it did) and copies the
 * items as the body streams in, the first 10,000 of them (feeds list
 * their newest first).  When the transfer is done, one transaction of the
 * state store records:
 *
 *   - the feed's state: validators only from a body that parsed, failures
 *     and the last error, its <ttl>, 410 Gone, and the permanent redirects
 *     seen (the feed is polled at a new URL only after three polls in a
 *     row were sent there);
 *   - the items seen; each new one is matched against every topic, except
 *     on the feed's first poll at its URL, where only the items dated
 *     within [daemon] backfill are; a match of a topic muted now
 *     (store_muted) goes no further;
 *   - for each match, the story claimed for its topic (storyclaim.h: by
 *     its keys, and its signature within [daemon] same-story), so that
 *     a story alerts once per topic whatever the number of feeds that
 *     carry it and the headlines they give it, and the alert's rows in
 *     the outbox (outbox_add);
 *   - for each new item matched whose feed wants its article ([feed]
 *     content, fulltext_wanted), a pending article fetch, handed to the
 *     caller as a job (fulltext.h) to run when it may;
 *   - a feed-health alert when the feed has failed for [daemon]
 *     dead-after, and one when it recovers;
 *   - an overflow: every item new, on a feed read before at this URL that
 *     lists two items or more, means items may have been missed.
 *
 * It all commits together or not at all, so a crash at any point either
 * leaves the items unseen (the next poll detects them again) or their
 * alerts safely queued; never an item seen without its alert.  A poll
 * whose writes fail is rolled back with the rest of the store's open group
 * (store_abort) and all of them are redone.  A dry run works everything
 * out and rolls it back.
 *
 * A poll keeps no state between polls but what the store has.
 */
#ifndef FEEDWATCH_FEEDPOLL_H
#define FEEDWATCH_FEEDPOLL_H

#include <stddef.h>
#include <time.h>

struct config;
struct config_feed;
struct feed_item;
struct fulltext_job;
struct match;
struct outbox;
struct push;
struct store;
struct story_signer;
struct storyclaim;
struct xfer_multi;

/* What a poll came to, for the scheduler. */
struct poll_outcome {
	int		 ok;		/* 200 parsed or 304, and recorded */
	int		 cancelled;	/* cut short by shutdown: no failure */
	int		 gone;		/* 410: stop polling */
	long		 retry_after;	/* seconds (fetch.h's clamp), or -1 */
	long		 min_interval;	/* max-age, ttl, sy: (clamped), or 0 */
	int		 overflowed;	/* the window moved past: poll sooner */
	time_t		 pushed_until;	/* a hub pushes it (push.h), or 0 */
	int		 failures;	/* consecutive, this one included */
	size_t		 new_items;
	size_t		 alerts;	/* queued, feed-health ones included */
	struct fulltext_job **articles;	/* recorded pending: the callback's */
	size_t		 narticles;
	/* of a body that parsed, for interval = auto (schedule.h) */
	size_t		 dated;		/* items with a sane date */
	time_t		 oldest;	/* the oldest of those dates */
};

/*
 * The poll of 'f' is done.  'o' is valid during the call only, but the
 * jobs o->articles points to are the callback's to run or free.
 */
typedef void feedpoll_done_cb(const struct config_feed *f,
    const struct poll_outcome *o, void *arg);

/*
 * What the polls share, borrowed: a poll reads it when it starts and again
 * when it ends, so one in flight at a reload is recorded under the new
 * config ('cf'), whose owner keeps the old one, and 'f' in it, alive.
 */
struct feedpoll_env {
	const struct config	*cf;
	struct store		*st;
	struct xfer_multi	*m;
	struct outbox		*ob;	/* where alerts are queued */
	struct story_signer	*signer;	/* for the polls in turn */
	struct push		*push;	/* told of hubs (push.h), or NULL */
	int			 dry;	/* roll every poll back */
};

/*
 * Records a body that a WebSub hub pushed for 'f' (push.h), as a poll
 * records its items, in the store's open group: each new item seen,
 * matched, its story claimed and its alerts queued (feedpoll_alert), its
 * article queued when its feed wants the full text; no overflow check (a
 * hub pushes what changed, not the feed's window), and the feed's state
 * (validators, failures, schedule) is left to its polls.  Synchronous.
 * 'o' gets the new items, the alerts and the article fetches (the
 * caller's to run or free, and their array to free).  -1 if the body is not a feed or the store
 * failed (then nothing of it is recorded, and the next poll sees its
 * items).
 */
int	 feedpoll_push(const struct feedpoll_env *env,
	    const struct config_feed *f, const char *body, size_t len,
	    struct poll_outcome *o);

/*
 * Polls 'f' now; 'cb' (not NULL) runs when the poll is done and recorded.
 * -1 if it cannot start (the store failed, or the transfer): then 'cb'
 * never runs.
 */
int	 feedpoll_start(const struct feedpoll_env *env,
	    const struct config_feed *f, feedpoll_done_cb *cb, void *arg);

/*
 * Makes the alert of match 'm' of the item of 'story' (storyclaim.h) of
 * 'feed' at 'now' and, if its story is not claimed for its topic yet
 * (by its keys or, within same-story, its signature), claims it and
 * queues the
 * alert, in the store's open group of writes: 1 if queued, 0 if not (the
 * story alerted already; logged), -1 if the store failed.  The poll
 * path's step for each match, and the article path's (fulltext.h).
 */
int	 feedpoll_alert(const struct feedpoll_env *env, const char *feed,
	    struct storyclaim *story, const struct match *m, time_t now);

/*
 * Ends a group of writes of the poll or article path that came to 'rc'
 * (0, or -1 if the store failed): kept unless it failed or the run is
 * dry, the metrics it counted undone if it failed.  Returns 'rc'.
 */
int	 feedpoll_end(const struct feedpoll_env *env, int rc);

#endif
