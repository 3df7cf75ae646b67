/*
 * alert.h: what a sink receives (SPEC.md section 5).
 *
 * A plain record of borrowed pointers: an alert lives as long as the item
 * and the match it was made from.  alert_to_json() renders the SPEC
 * section 5 object that the stdout, file, exec and json webhook sinks
 * send and `feedwatch match` prints.  A feed-health alert is one too,
 * made from an item that describes the event (its id the event's seed,
 * its title the news, its link the feed's URL, redacted).
 *
 * 'matched_in' names the fields the match was found in (match.h's
 * fields: title, summary, body, author, category, link, feed), so that
 * a reader knows an alert came from the article ("body") and not from
 * the feed's text; an event's alert has none.
 *
 * An item's link reaches the object only when url_is_web() takes it (an
 * absolute http or https URL); any other link (javascript:, data:, file:,
 * relative, malformed) is null, so that no sink can make it clickable.
 * The alert_id does not depend on the link.
 *
 * An alert carries its topic's priority ("low", "normal" or "high"),
 * which sinks that have one map onto theirs (desktop urgency, ntfy
 * priority, a marker in chat messages).
 */
#ifndef FEEDWATCH_ALERT_H
#define FEEDWATCH_ALERT_H

#include <stddef.h>
#include <time.h>

struct feed_item;

#define ALERT_ID_LEN	32

struct alert {
	char		 id[ALERT_ID_LEN + 1];
	const char	*topic;
	const char	*query;
	const char	*priority;	/* low, normal (NULL) or high */
	const char	*feed;		/* the feed's name (its URL without config) */
	const char	*feed_title;
	const struct feed_item *item;
	const char *const *matched;
	size_t		 nmatched;
	const char *const *matched_in;	/* fields: "title", "body", ... */
	size_t		 nmatched_in;
	const char	*snippet;
	const char *const *also_in;	/* other feeds with the same story */
	size_t		 nalso_in;
	time_t		 detected;
};

/*
 * Fills a->id: a stable hash of topic, feed and item id, so the same
 * (topic, item) always gets the same alert_id (the Idempotency-Key of
 * webhooks, the dedup key of the outbox).
 */
void	 alert_set_id(struct alert *a);

/*
 * Fills a->id for an alert that is about an event rather than an item (a
 * feed's health): a stable hash of 'seed', a string that names the event,
 * so that the event keeps one alert_id however often it is queued.
 */
void	 alert_set_id_from(struct alert *a, const char *seed);

/* One line of JSON, without the newline; malloc'd, NULL if not encodable. */
char	*alert_to_json(const struct alert *a);

#endif
