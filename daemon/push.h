/*
 * push.h: WebSub (W3C Recommendation, 2018) subscriber: feeds pushed by
 * their hubs as they change, instead of waiting for the next poll.
 *
 * With [daemon] push-url set (the public address of the listener's
 * push-url path, often through a reverse proxy), a feed whose good poll
 * named a hub and a self URL (fetch.h: Link headers first, then the
 * feed's links) is subscribed: a POST to the hub of hub.mode=subscribe,
 * hub.topic=<self>, hub.callback=<push-url><id> (an unguessable id per
 * subscription), hub.secret (32 random bytes from getrandom, in hex) and
 * hub.lease_seconds (10 days).  Subscriptions live in the state store
 * (store.h) so that a restart keeps them, secrets included, and the
 * secrets are never shown.
 *
 * The callback, on the listener at push-url's path:
 *
 *   GET  verification of intent: hub.challenge is echoed (200,
 *        text/plain) only for a subscribe of that topic on that id that
 *        is pending (asked for and not yet verified, or being renewed),
 *        or an unsubscribe we asked for; anything else is 404.  A
 *        subscribe verified records its lease (hub.lease_seconds, clamped
 *        to PUSH_MIN_LEASE..PUSH_MAX_LEASE); hub.mode=denied marks the
 *        subscription denied.
 *   POST content distribution: acknowledged with 200 whatever it holds,
 *        as the Recommendation says, and used only when the subscription
 *        is verified and X-Hub-Signature (sha1, sha256, sha384 or sha512
 *        of the body under the subscription's secret, compared in
 *        constant time) is right; then the body goes through the poll
 *        path (feedpoll_push, via watch_push) in the store's open group.
 *        Anything else is dropped, logged at debug and counted
 *        (metrics_push).  Bodies are capped by max-size (the listener's);
 *        requests are rate limited per subscription and in all (over:
 *        429).  A crash between a push and the commit of its group loses
 *        the push, not the item: the next poll sees it as new.
 *
 * Leases are renewed at 80% of their length; a subscription denied, or
 * whose request failed, is asked again after a backoff (1 min doubling to
 * a day); one left pending for an hour is asked again.  A feed that
 * leaves the config or is disabled (at start or on reload), or every feed
 * when push-url is unset, is unsubscribed.  A pushed feed (verified,
 * lease running) is polled every push-interval only, or when its lease
 * ends if that is sooner (push_lease_end, read by the scheduler), so
 * that polling is back to normal when a lease lapses (a hub down, a
 * renewal refused); one that is denied or ends is told to 'ended'
 * (push_new) at once.
 *
 * Requests to hubs go through the transfer engine, with the user agent
 * and timeout of polls; nothing here blocks the loop.
 */
#ifndef FEEDWATCH_PUSH_H
#define FEEDWATCH_PUSH_H

#include <time.h>

#include "feedpoll.h"

#define PUSH_LEASE	(10L * 86400)	/* asked for */
#define PUSH_MIN_LEASE	4L		/* what a hub grants, clamped */
#define PUSH_MAX_LEASE	(365L * 86400)

struct config;
struct config_feed;
struct event_base;
struct listener;
struct push;
struct watch;
struct xfer_multi;

/* A feed's subscription ended or was denied: poll it as usual again. */
typedef void push_ended_cb(const char *feed, void *arg);

/*
 * The subscriber for 'cf' (borrowed; see push_reload), recording pushes
 * through 'w' and telling 'pushed' the outcome of each one recorded (its
 * article fetches are the callback's, as a poll's are), its callback
 * routed on 'l' (NULL: no listener), telling 'ended' when a feed stops
 * being pushed.  It unsubscribes at once what the config no longer wants
 * (a feed gone or disabled).
 */
struct push	*push_new(const struct config *cf, struct event_base *base,
		    struct xfer_multi *m, struct watch *w, struct listener *l,
		    feedpoll_done_cb *pushed, push_ended_cb *ended, void *arg);
/* Call after xfer_multi_free(): requests in flight are gone. */
void		 push_free(struct push *p);

/*
 * A new config: feeds that left it are unsubscribed.  A changed push-url
 * takes effect at the next start (the listener's route is set there).
 */
void		 push_reload(struct push *p, const struct config *cf);

/*
 * A good poll of 'f' named 'hub' and 'self' (either may be NULL): the
 * feed is subscribed, or subscribed again at a new hub or topic.
 */
void		 push_polled(struct push *p, const struct config_feed *f,
		    const char *hub, const char *self);

/*
 * When the lease of 'feed' ends, if it is pushed (verified, its lease
 * running); else (or with NULL 'p') 0.
 */
time_t		 push_lease_end(const struct push *p, const char *feed);

#endif
