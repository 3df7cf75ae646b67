/*
 * store_sqlite_feed.h: the SQLite store's poll side: a feed's state (table
 * feed, one row per feed name), the items seen per feed (table item,
 * kept with their text for backtest) and pruning.
 *
 * These are ops of store_sqlite_ops: each does what store.h says of the
 * function of the same name (sq_feed_get: store_feed_get), on the
 * backend's handle 'be'.
 *
 * An item is new when its (feed, key) row did not exist; a row seen again
 * gets last_seen = now.  Pruning must not make an item that is still in
 * its feed look new: an item is dropped only when it has not been seen
 * for 'keep' AND was missing from the feed's last successful parse
 * (last_seen older than the feed's last_parsed).  A feed that answers 304
 * for a month keeps its items.  Pruning also drops the stories, sends,
 * finished outbox rows and pending articles older than 'before', and the
 * mutes that ran out before it.
 *
 * A pending article (table article) names its item by (feed, key); the
 * item's record is read from table item when the fetches resume.
 */
#ifndef FEEDWATCH_STORE_SQLITE_FEED_H
#define FEEDWATCH_STORE_SQLITE_FEED_H

#include <time.h>

#include "store.h"

struct feed_item;

int		 sq_feed_get(void *be, const char *feed,
		    struct feed_state *fs);
int		 sq_feed_put(void *be, const char *feed,
		    const struct feed_state *fs);
int		 sq_feed_set_due(void *be, const char *feed, time_t due);
char		**sq_feed_names(void *be);
int		 sq_feed_has_items(void *be, const char *feed);
long		 sq_feed_items(void *be, const char *feed);
int		 sq_item_add(void *be, const char *feed, const char *key,
		    const struct feed_item *it, time_t now);
int		 sq_prune(void *be, time_t before, time_t signed_before);
int		 sq_items_foreach(void *be, time_t since, store_item_cb *cb,
		    void *arg);
int		 sq_article_add(void *be, const char *feed, const char *key,
		    time_t now);
int		 sq_article_done(void *be, const char *feed, const char *key);
int		 sq_articles_foreach(void *be, store_article_cb *cb,
		    void *arg);

#endif
