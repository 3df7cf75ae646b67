/*
 * fulltext.h: the article path ([feed] content = full or auto), one
 * article fetch of one item from its request to the transaction that
 * records it.
 *
 * A feed whose text is a one-line teaser may carry a story whose words
 * are only in its article.  For such a feed, a poll that finds a new item
 * (one that it matches: on a first poll, within backfill) with a web link
 * records a pending fetch of the article in its own transaction, and
 * hands the caller a job (feedpoll.h); `auto` does so only for items
 * whose feed text has fewer than content-min characters.  The poll's
 * alerts do not wait for it: they are queued with the poll, as for any
 * feed.
 *
 * The scheduler runs the job when the link's host has a slot
 * (schedule.h); fulltext_start() fetches the page (artfetch.h) and, when
 * it ends, records in one transaction of the state store:
 *
 *   - the item matched again with the article's text as its body; every
 *     topic true now that was not true on the feed's text alone (the poll
 *     alerted those) alerts as the poll path does (feedpoll_alert), its
 *     matched_in naming "body";
 *   - the pending fetch, done.
 *
 * A fetch that fails (an error status, not a web page, no text, the
 * network, the timeout) is logged with the URL redacted and recorded
 * done: the item stays matched on its feed text, and no fetch is retried.
 * One cut short by shutdown records nothing, and a crash loses at most
 * what was not committed: the pending fetches left are resumed at the
 * next start (store_articles_foreach), each fetched once more.  A dry
 * run works it all out and rolls it back.
 */
#ifndef FEEDWATCH_FULLTEXT_H
#define FEEDWATCH_FULLTEXT_H

#include <stddef.h>

struct config;
struct config_feed;
struct feed_item;
struct feedpoll_env;

/* An article to fetch: its item (a copy) in feed 'feed' under 'key'. */
struct fulltext_job {
	char		*feed;
	char		*key;
	struct feed_item *item;
};

/* What a fetch came to, for the scheduler. */
struct fulltext_outcome {
	int		 cancelled;	/* cut short by shutdown: not recorded */
	size_t		 alerts;	/* queued */
};

typedef void fulltext_done_cb(const struct fulltext_outcome *o, void *arg);

/* 1 if feed 'f' wants articles fetched: its content is full or auto. */
int		 fulltext_feed_wants(const struct config *cf,
		    const struct config_feed *f);

/*
 * 1 if the article of the new item 'it' of feed 'f' is to be fetched:
 * the feed's content (or the daemon's) is full, or auto and the item's
 * feed text is short, and its link is a web link.
 */
int		 fulltext_wanted(const struct config *cf,
		    const struct config_feed *f, const struct feed_item *it);

/* A job for item 'it' (copied), of feed 'feed' under 'key'. */
struct fulltext_job *fulltext_job_new(const char *feed, const char *key,
		    const struct feed_item *it);
void		 fulltext_job_free(struct fulltext_job *j);

/*
 * Fetches the article of 'j' for feed 'f' (borrowed until 'cb' runs, as
 * 'j' is) and records the outcome; 'cb' (not NULL) runs when it is
 * recorded.  -1 if the transfer cannot start: then 'cb' never runs and
 * the job stays pending.
 */
int		 fulltext_start(const struct feedpoll_env *env,
		    const struct config_feed *f, const struct fulltext_job *j,
		    fulltext_done_cb *cb, void *arg);

/*
 * Records 'j' done unfetched (its feed is gone from the config, or no
 * longer wants full text).  -1 if the store failed.
 */
int		 fulltext_drop(const struct feedpoll_env *env,
		    const struct fulltext_job *j);

#endif
