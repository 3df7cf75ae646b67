/*
 * store_sqlite_feed.c: the SQLite store's poll side: a feed's state (table
 * feed), the items seen (table item) and pruning (store_sqlite_feed.h).
 */
#include "store_sqlite_feed.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "item.h"
#include "store_sqlite.h"
#include "xmalloc.h"

static const char sql_feed_get[] =
    "SELECT etag, last_modified, moved_to, http_status, error, last_poll,"
    " last_ok, failing_since, next_due, failures, gone, health_alerted,"
    " missed, last_parsed, url, redirect_to, redirects, ttl, title, link"
    " FROM feed WHERE name = ?";

int
sq_feed_get(void *be, const char *feed, struct feed_state *fs)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };
	const struct sq_out	 out[] = {
		{ .text = &fs->etag }, { .text = &fs->last_modified },
		{ .text = &fs->moved_to }, { .l = &fs->http_status },
		{ .text = &fs->error }, { .time = &fs->last_poll },
		{ .time = &fs->last_ok }, { .time = &fs->failing_since },
		{ .time = &fs->next_due }, { .i = &fs->failures },
		{ .i = &fs->gone }, { .i = &fs->health_alerted },
		{ .l = &fs->missed }, { .time = &fs->last_parsed },
		{ .text = &fs->url }, { .text = &fs->redirect_to },
		{ .i = &fs->redirects }, { .l = &fs->ttl },
		{ .text = &fs->title }, { .text = &fs->link },
	};

	memset(fs, 0, sizeof(*fs));
	return sq_get(be, sql_feed_get, "read feed state", arg, SQ_NELEM(arg),
	    out, SQ_NELEM(out)) == -1 ? -1 : 0;
}

static const char sql_feed_put[] =
    "INSERT INTO feed (name, etag, last_modified, moved_to, http_status,"
    " error, last_poll, last_ok, failing_since, next_due, failures, gone,"
    " health_alerted, missed, last_parsed, url, redirect_to, redirects,"
    " ttl, title, link) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
    " ?13,?14,?15,?16,?17,?18,?19,?20,?21) ON CONFLICT (name) DO UPDATE SET"
    " etag=?2, last_modified=?3, moved_to=?4, http_status=?5, error=?6,"
    " last_poll=?7, last_ok=?8, failing_since=?9, next_due=?10,"
    " failures=?11, gone=?12, health_alerted=?13, missed=?14,"
    " last_parsed=?15, url=?16, redirect_to=?17, redirects=?18, ttl=?19,"
    " title=?20, link=?21";

int
sq_feed_put(void *be, const char *feed, const struct feed_state *fs)
{
	const struct sq_arg	 arg[] = {
		sq_text(feed), sq_text(fs->etag), sq_text(fs->last_modified),
		sq_text(fs->moved_to), sq_int(fs->http_status),
		sq_text(fs->error), sq_int(fs->last_poll), sq_int(fs->last_ok),
		sq_int(fs->failing_since), sq_int(fs->next_due),
		sq_int(fs->failures), sq_int(fs->gone),
		sq_int(fs->health_alerted), sq_int(fs->missed),
		sq_int(fs->last_parsed), sq_text(fs->url),
		sq_text(fs->redirect_to), sq_int(fs->redirects),
		sq_int(fs->ttl), sq_text(fs->title), sq_text(fs->link),
	};

	return sq_write(be, sql_feed_put, "write feed state", arg,
	    SQ_NELEM(arg));
}

static const char sql_feed_due[] =
    "INSERT INTO feed (name, next_due) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET next_due = ?2";

int
sq_feed_set_due(void *be, const char *feed, time_t due)
{
	const struct sq_arg	 arg[] = { sq_text(feed), sq_int(due) };

	return sq_write(be, sql_feed_due, "write feed state", arg,
	    SQ_NELEM(arg));
}

static const char sql_feed_names[] = "SELECT name FROM feed ORDER BY name";

char **
sq_feed_names(void *be)
{
	return sq_strv(be, sql_feed_names, "read feeds", NULL, 0);
}

static const char sql_has_items[] =
    "SELECT 1 FROM item WHERE feed = ? LIMIT 1";

int
sq_feed_has_items(void *be, const char *feed)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };

	return sq_read(be, sql_has_items, "read items", arg, SQ_NELEM(arg),
	    NULL, NULL);
}

static const char sql_feed_items[] =
    "SELECT count(*) FROM item WHERE feed = ?";

long
sq_feed_items(void *be, const char *feed)
{
	const struct sq_arg	 arg[] = { sq_text(feed) };
	long			 n = 0;
	const struct sq_out	 out[] = { { .l = &n } };

	if (sq_get(be, sql_feed_items, "count items", arg, SQ_NELEM(arg),
	    out, SQ_NELEM(out)) == -1)
		return -1;
	return n;
}

/* Categories joined by U+001F, which normalized text never holds. */
static char *
join_categories(const struct feed_item *it)
{
	size_t	 i, len = 1;
	char	*s;

	if (it->ncategories == 0)
		return NULL;
	for (i = 0; i < it->ncategories; i++)
		len += strlen(it->categories[i]) + 1;
	s = xcalloc(1, len);
	for (i = 0; i < it->ncategories; i++) {
		if (i > 0)
			strcat(s, "\x1f");
		strcat(s, it->categories[i]);
	}
	return s;
}

/* The reverse of join_categories(): NULL and 0 for none. */
static char **
split_categories(const char *cats, size_t *ncat)
{
	const char	*p = cats, *q;
	char		**catv = NULL;

	*ncat = 0;
	if (cats == NULL)
		return NULL;
	for (;;) {
		q = strchrnul(p, '\x1f');
		catv = xreallocarray(catv, *ncat + 1, sizeof(*catv));
		catv[(*ncat)++] = xstrndup(p, q - p);
		if (*q == '\0')
			break;
		p = q + 1;
	}
	return catv;
}

/* An item's date: SQL's NULL for none. */
static struct sq_arg
sq_date(time_t t)
{
	return t != FEED_ITEM_NO_DATE ? sq_int(t) : sq_null();
}

/*
 * OR IGNORE, not ON CONFLICT DO NOTHING: with RETURNING, the latter makes
 * SQLite copy every page the insert touches into a statement journal
 * first (64 KiB a page, twice per item: 17 GB of temporary writes for a
 * first poll of 10,000 feeds).  What OR IGNORE may also skip, a NULL in a
 * NOT NULL column, is never bound here.
 */
static const char sql_item_insert[] =
    "INSERT OR IGNORE INTO item (feed, key, first_seen, last_seen, id,"
    " feed_url, feed_title, title, link, author, categories, summary,"
    " published, updated) VALUES (?1,?2,?3,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
    " ?12,?13) RETURNING 1";
static const char sql_item_touch[] =
    "UPDATE item SET last_seen = ?3 WHERE feed = ?1 AND key = ?2";

int
sq_item_add(void *be, const char *feed, const char *key,
    const struct feed_item *it, time_t now)
{
	char			*cats = join_categories(it);
	const struct sq_arg	 add[] = {
		sq_text(feed), sq_text(key), sq_int(now), sq_text(it->id),
		sq_text(it->feed), sq_text(it->feed_title),
		sq_text(it->title), sq_text(it->link), sq_text(it->author),
		sq_text(cats), sq_text(it->summary), sq_date(it->published),
		sq_date(it->updated),
	};
	const struct sq_arg	 touch[] = {
		sq_text(feed), sq_text(key), sq_int(now)
	};
	int			 rc;

	rc = sq_write(be, sql_item_insert, "record item", add, SQ_NELEM(add));
	free(cats);
	if (rc != 0)
		return rc;
	return sq_write(be, sql_item_touch, "touch item", touch,
	    SQ_NELEM(touch));
}

static const char *const sql_prune[] = {
	"DELETE FROM item WHERE last_seen < ?1 AND last_seen <"
	" coalesce((SELECT last_parsed FROM feed"
	" WHERE feed.name = item.feed), 0)",
	"DELETE FROM story WHERE created < ?1",
	"DELETE FROM also_in WHERE created < ?1",
	"DELETE FROM sent WHERE at < ?1",
	"DELETE FROM outbox WHERE (delivered_at IS NOT NULL OR failed_at IS"
	" NOT NULL) AND created < ?1",
	"DELETE FROM article WHERE created < ?1",
	"DELETE FROM mute WHERE until != 0 AND until < ?1",
};
static const char *const sql_prune_signed[] = {
	"DELETE FROM story_band WHERE sig IN (SELECT id FROM story_sig"
	" WHERE created < ?1)",
	"DELETE FROM story_sig WHERE created < ?1",
};

static int
prune(void *be, const char *const *sql, size_t n, time_t before)
{
	const struct sq_arg	 arg[] = { sq_int(before) };
	size_t			 i;

	for (i = 0; i < n; i++)
		if (sq_write(be, sql[i], "prune", arg, SQ_NELEM(arg)) == -1)
			return -1;
	return 0;
}

int
sq_prune(void *be, time_t before, time_t signed_before)
{
	if (prune(be, sql_prune, SQ_NELEM(sql_prune), before) == -1)
		return -1;
	return prune(be, sql_prune_signed, SQ_NELEM(sql_prune_signed),
	    signed_before);
}

static const char sql_items_since[] =
    "SELECT feed, id, feed_url, feed_title, title, link, author, categories,"
    " summary, published, updated FROM item WHERE first_seen >= ?"
    " ORDER BY first_seen, feed, key";

struct item_walk {
	store_item_cb	*cb;
	store_article_cb *article_cb;	/* instead: the key is column 11 */
	void		*arg;
};

/* Hands a row to the callback as an item borrowed from the statement. */
static int
row_item(sqlite3_stmt *s, void *arg)
{
	struct item_walk	*w = arg;
	struct feed_item	 it;
	char			**catv;
	size_t			 ncat, i;
	int			 rc;

	memset(&it, 0, sizeof(it));
	it.id = (const char *)sqlite3_column_text(s, 1);
	it.feed = (const char *)sqlite3_column_text(s, 2);
	it.feed_title = (const char *)sqlite3_column_text(s, 3);
	it.title = (const char *)sqlite3_column_text(s, 4);
	it.link = (const char *)sqlite3_column_text(s, 5);
	it.author = (const char *)sqlite3_column_text(s, 6);
	it.summary = (const char *)sqlite3_column_text(s, 8);
	it.published = sqlite3_column_type(s, 9) == SQLITE_NULL ?
	    FEED_ITEM_NO_DATE : sqlite3_column_int64(s, 9);
	it.updated = sqlite3_column_type(s, 10) == SQLITE_NULL ?
	    FEED_ITEM_NO_DATE : sqlite3_column_int64(s, 10);
	catv = split_categories((const char *)sqlite3_column_text(s, 7),
	    &ncat);
	it.categories = (const char *const *)catv;
	it.ncategories = ncat;
	if (w->article_cb != NULL)
		rc = w->article_cb((const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 11), &it, w->arg);
	else
		rc = w->cb((const char *)sqlite3_column_text(s, 0), &it,
		    w->arg);
	for (i = 0; i < ncat; i++)
		free(catv[i]);
	free(catv);
	return rc != 0;
}

int
sq_items_foreach(void *be, time_t since, store_item_cb *cb, void *arg)
{
	const struct sq_arg	 sql_arg[] = { sq_int(since) };
	struct item_walk	 w = { cb, NULL, arg };

	return sq_read(be, sql_items_since, "read items", sql_arg,
	    SQ_NELEM(sql_arg), row_item, &w) == -1 ? -1 : 0;
}

static const char sql_article_add[] =
    "INSERT OR IGNORE INTO article (feed, key, created) VALUES (?, ?, ?)";

int
sq_article_add(void *be, const char *feed, const char *key, time_t now)
{
	const struct sq_arg	 arg[] = {
		sq_text(feed), sq_text(key), sq_int(now)
	};

	return sq_write(be, sql_article_add, "record a pending article", arg,
	    SQ_NELEM(arg)) == -1 ? -1 : 0;
}

static const char sql_article_done[] =
    "DELETE FROM article WHERE feed = ? AND key = ?";

int
sq_article_done(void *be, const char *feed, const char *key)
{
	const struct sq_arg	 arg[] = { sq_text(feed), sq_text(key) };

	return sq_write(be, sql_article_done, "record an article fetched",
	    arg, SQ_NELEM(arg)) == -1 ? -1 : 0;
}

static const char sql_articles[] =
    "SELECT i.feed, i.id, i.feed_url, i.feed_title, i.title, i.link,"
    " i.author, i.categories, i.summary, i.published, i.updated, i.key"
    " FROM article a JOIN item i ON i.feed = a.feed AND i.key = a.key"
    " ORDER BY a.created, a.feed, a.key";

int
sq_articles_foreach(void *be, store_article_cb *cb, void *arg)
{
	struct item_walk	 w = { NULL, cb, arg };

	return sq_read(be, sql_articles, "read pending articles", NULL, 0,
	    row_item, &w) == -1 ? -1 : 0;
}
