/*
 * outbox.h: the delivery path, from the state store's outbox to the sinks.
 *
 * Every alert is a row of the outbox before its first try: outbox_add()
 * queues one per sink inside the transaction that records the poll which
 * found it, so a crash either loses the poll (redone, the item detected
 * again) or keeps the rows.  The outbox then sends due rows from the event
 * loop and records each outcome: delivered; retried after an exponential
 * backoff ([daemon] retry, doubling up to 1h, with up to 25% jitter; a
 * sink's Retry-After can delay a retry, never hasten it) for 24h, with a
 * last try at the end of that window; or failed for good.  At most four
 * sends are in flight per sink, so a slow or dead sink delays no other.
 *
 * Delivery is at least once: a row is marked delivered after its sink
 * confirms, and the mark is committed at once, so a crash in between
 * re-sends it with the same alert_id (the webhook Idempotency-Key).  Rows
 * in flight are kept in memory so that one row is never sent twice at
 * once.  A row's also_in is filled in when it is sent, with every feed
 * that carried its story by then.
 *
 * One message per item: an item that several topics match has a row per
 * topic on each sink, and the rows of one sink about one item (the same
 * feed and item id in their payloads) that go out in the same round are
 * sent as one message, which the sink tells as one, naming every topic
 * (sink_alerts_items()); only a json webhook (sink_per_alert()) sends
 * each alert alone.  A message's rows go in the order of their ids, so
 * the same rows are the same message (the same Idempotency-Key) when a
 * retry or a restart sends them again, and a failed message gives all its
 * rows one retry time, so that they stay together.  Each row is still
 * recorded delivered or failed on its own.
 *
 * The delivery policy applies per topic and per sink, before rows are
 * grouped: quiet hours hold a topic's rows, to go out in a digest when
 * they end; a digest window batches them; a rate cap sends what it allows
 * and holds the rest for a digest when the window has room again.
 * priority = high, and feed-health alerts (which belong to no topic), skip
 * all of it.  So a row held back neither waits for nor delays a row of
 * the same item for a topic that goes now: the item goes now naming the
 * topics that go, and later again for the held one.  The digests released
 * in one round (windows ending together, quiet hours ending, a restart)
 * are one digest, whatever their topics, and a row that goes now joins it
 * when its item is in it: a digest lists each item once, with its topics.
 * A message counts once against the rate of each of its topics.
 *
 * A reload replaces the sinks.  One with sends in flight is retired, not
 * freed: its sends finish and are recorded as usual, and it is freed when
 * the last one ends.  Its rows stay in flight meanwhile, so the new sink
 * of the same name does not send them again, and the sends of both count
 * against the one cap.
 *
 * The store groups its writes into one transaction (store.h); the outbox
 * commits it, the polls' writes with it, before it starts sends (an alert
 * is durable before its first try) and when a send ends (a delivery is
 * recorded at once), and its owner calls outbox_commit() between times.
 *
 * The outbox borrows the config, the store, the loop and the transfer
 * engine; it owns its sinks.
 */
#ifndef FEEDWATCH_OUTBOX_H
#define FEEDWATCH_OUTBOX_H

#include <stddef.h>
#include <time.h>

struct config;
struct event_base;
struct outbox;
struct store;
struct xfer_multi;

/* Runs each time a send has ended and the next ones have started. */
typedef void outbox_sent_cb(void *arg);

/*
 * An outbox for the sinks of 'cf', over 'st'.  'dry' (check --dry-run):
 * alerts are printed on stdout instead of queued, and nothing is sent.
 * 'sent' (not NULL) runs after each send; see outbox_sent_cb.
 */
struct outbox	*outbox_new(const struct config *cf, struct store *st,
		    struct event_base *base, struct xfer_multi *m, int dry,
		    outbox_sent_cb *sent, void *arg);
/* Call when no send is in flight.  NULL is a no-op. */
void		 outbox_free(struct outbox *ob);

/* Takes the sinks and topics of 'cf' (see above), and sends what is due. */
void		 outbox_reload(struct outbox *ob, const struct config *cf);

/*
 * Queues the alert 'json' (SPEC section 5) of 'topic' for each sink the
 * topic names (every sink when it names none), in the store's open group
 * of writes.  -1 if the store failed.
 */
int		 outbox_add(struct outbox *ob, const char *topic,
		    const char *alert_id, const char *json, time_t now);
/*
 * Queues the feed-health alert 'json' for each of the [daemon]
 * health-sinks: the number queued, or -1 if the store failed.
 */
int		 outbox_add_health(struct outbox *ob, const char *alert_id,
		    const char *json, time_t now);

/*
 * Commits the store's open group of writes.  A failed commit loses the
 * group's polls and delivery marks, which are redone; it is logged and
 * counts in outbox_failed().
 */
void		 outbox_commit(struct outbox *ob);

/* Starts the sends that are due and sets a timer for the next. */
void		 outbox_deliver(struct outbox *ob);

/*
 * With 'hold' set no send starts (check holds them until every feed is
 * polled, so that also_in is complete); unset, the due ones start.
 */
void		 outbox_hold(struct outbox *ob, int hold);

/* Starts no more sends (shutdown); those in flight finish. */
void		 outbox_stop(struct outbox *ob);

/* Sends in flight. */
size_t		 outbox_sending(const struct outbox *ob);

/*
 * 1 if no send is in flight and no row is due now on a sink it can send
 * to (or sends are held).
 */
int		 outbox_idle(struct outbox *ob);

/* 1 if a send failed or a write of the outbox did, since outbox_new(). */
int		 outbox_failed(const struct outbox *ob);

/*
 * 'payload', the alert JSON of 'alert_id', with also_in as 'st' knows it
 * now (the feeds that carried its story after it): what a sink gets.
 * backtest prints its alerts so too.  A new string.
 */
char		*outbox_with_also_in(struct store *st, const char *alert_id,
		    const char *payload);

#endif
