/*
 * store.c: the state store's interface (store.h), in front of its
 * backends: it picks one when the store is opened and hands every call to
 * it.  What belongs to no backend is here too: the default location,
 * freeing the records the store returns, and the daemon's copy of the
 * mutes (store_muted).
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_sqlite.h"
#include "xmalloc.h"

struct store {
	const struct store_ops	*ops;
	void			*be;	/* the backend's handle */
	char			*path;
	struct mute		*mutes;	/* store_muted()'s copy... */
	size_t			 nmutes;
	time_t			 mutes_read;	/* ...read then (0: never) */
};

/*
 * The backend for a location.  Every path is an SQLite file; a backend
 * with a URI scheme of its own (postgresql://) is chosen here by it.
 */
static const struct store_ops *
store_backend(const char *path)
{
	return &store_sqlite_ops;
}

struct store *
store_open(const char *path, enum store_mode mode)
{
	const struct store_ops	*ops = store_backend(path);
	struct store		*st;
	void			*be;

	if ((be = ops->open(path, mode)) == NULL)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->ops = ops;
	st->be = be;
	st->path = xstrdup(path);
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (store_flush(st) == -1)
		log_warnx("state '%s': the last writes were lost", st->path);
	st->ops->close(st->be);
	mutes_free(st->mutes, st->nmutes);
	free(st->path);
	free(st);
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

int
store_writer(struct store *st, struct store_writer *w)
{
	return st->ops->writer(st->be, w);
}

char *
store_location(const char *configured)
{
	const char	*e;

	if (configured != NULL)
		return xstrdup(configured);
	if ((e = getenv("STATE_DIRECTORY")) != NULL && *e != '\0') {
		/* systemd may pass several, colon-separated: use the first. */
		return xasprintf("%.*s/state.db", (int)strcspn(e, ":"), e);
	}
	if ((e = getenv("XDG_STATE_HOME")) != NULL && *e != '\0')
		return xasprintf("%s/feedwatch/state.db", e);
	if ((e = getenv("HOME")) != NULL && *e != '\0')
		return xasprintf("%s/.local/state/feedwatch/state.db", e);
	return xstrdup("feedwatch-state.db");
}

int
store_flush(struct store *st)
{
	return st->ops->flush(st->be);
}

void
store_abort(struct store *st)
{
	st->ops->abort(st->be);
}

int
store_feed_get(struct store *st, const char *feed, struct feed_state *fs)
{
	return st->ops->feed_get(st->be, feed, fs);
}

int
store_feed_put(struct store *st, const char *feed,
    const struct feed_state *fs)
{
	return st->ops->feed_put(st->be, feed, fs);
}

void
feed_state_clear(struct feed_state *fs)
{
	free(fs->url);
	free(fs->etag);
	free(fs->last_modified);
	free(fs->moved_to);
	free(fs->redirect_to);
	free(fs->error);
	free(fs->title);
	free(fs->link);
	memset(fs, 0, sizeof(*fs));
}

int
feed_state_rebind(struct feed_state *fs, const char *url)
{
	int	 other = fs->url != NULL;

	if (other && strcmp(fs->url, url) == 0)
		return 0;
	free(fs->url);
	fs->url = xstrdup(url);
	if (!other)
		return 0;
	free(fs->etag);
	free(fs->last_modified);
	free(fs->moved_to);
	free(fs->redirect_to);
	free(fs->error);
	free(fs->title);
	free(fs->link);
	fs->etag = fs->last_modified = fs->moved_to = fs->redirect_to = NULL;
	fs->error = fs->title = fs->link = NULL;
	fs->redirects = 0;
	fs->gone = 0;
	fs->failures = 0;
	fs->http_status = 0;
	fs->last_parsed = 0;
	fs->next_due = 0;
	fs->ttl = 0;
	memset(&fs->pace, 0, sizeof(fs->pace));
	return 1;
}

char **
store_feed_names(struct store *st)
{
	return st->ops->feed_names(st->be);
}

void
store_strv_free(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
store_feed_set_due(struct store *st, const char *feed, time_t due)
{
	return st->ops->feed_set_due(st->be, feed, due);
}

int
store_feed_set_pace(struct store *st, const char *feed,
    const struct feed_pace *pace)
{
	return st->ops->feed_set_pace(st->be, feed, pace);
}

long
store_feed_items(struct store *st, const char *feed)
{
	return st->ops->feed_items(st->be, feed);
}

int
store_feed_has_items(struct store *st, const char *feed)
{
	return st->ops->feed_has_items(st->be, feed);
}

int
store_item_add(struct store *st, const char *feed, const char *key,
    const struct feed_item *it, time_t now)
{
	return st->ops->item_add(st->be, feed, key, it, now);
}

int
store_story_claim(struct store *st, const char *topic,
    const char *const *keys, size_t nkeys, const struct store_near *near,
    const char *feed, const char *alert_id, time_t now)
{
	return st->ops->story_claim(st->be, topic, keys, nkeys, near, feed,
	    alert_id, now);
}

char **
store_story_also_in(struct store *st, const char *alert_id)
{
	return st->ops->story_also_in(st->be, alert_id);
}

int
store_outbox_add(struct store *st, const char *sink, const char *topic,
    const char *alert_id, const char *payload, time_t now)
{
	return st->ops->outbox_add(st->be, sink, topic, alert_id, payload,
	    now);
}

int
store_outbox_defer(struct store *st, int64_t id, time_t next_at, int fold)
{
	return st->ops->outbox_defer(st->be, id, next_at, fold);
}

int
store_send_log(struct store *st, const char *sink, const char *topic,
    time_t now)
{
	return st->ops->send_log(st->be, sink, topic, now);
}

int
store_send_count(struct store *st, const char *sink, const char *topic,
    time_t since, long *count, time_t *oldest)
{
	return st->ops->send_count(st->be, sink, topic, since, count, oldest);
}

int
store_outbox_due(struct store *st, const char *sink, time_t now, size_t max,
    struct outbox_row **rows, size_t *nrows)
{
	return st->ops->outbox_due(st->be, sink, now, max, rows, nrows);
}

void
outbox_row_clear(struct outbox_row *row)
{
	free(row->sink);
	free(row->topic);
	free(row->alert_id);
	free(row->payload);
	free(row->last_error);
	memset(row, 0, sizeof(*row));
}

void
outbox_rows_free(struct outbox_row *rows, size_t n)
{
	size_t	 i;

	for (i = 0; rows != NULL && i < n; i++)
		outbox_row_clear(&rows[i]);
	free(rows);
}

int
store_outbox_delivered(struct store *st, int64_t id, time_t now)
{
	return st->ops->outbox_delivered(st->be, id, now);
}

int
store_outbox_retry(struct store *st, int64_t id, time_t next_at,
    const char *error)
{
	return st->ops->outbox_retry(st->be, id, next_at, error);
}

int
store_outbox_failed(struct store *st, int64_t id, time_t now,
    const char *error)
{
	return st->ops->outbox_failed(st->be, id, now, error);
}

time_t
store_outbox_next(struct store *st)
{
	return st->ops->outbox_next(st->be);
}

int
store_sink_counts(struct store *st, struct sink_counts **out, size_t *n)
{
	return st->ops->sink_counts(st->be, out, n);
}

void
sink_counts_free(struct sink_counts *c, size_t n)
{
	size_t	 i;

	for (i = 0; c != NULL && i < n; i++) {
		free(c[i].sink);
		free(c[i].last_error);
	}
	free(c);
}

int
store_sub_put(struct store *st, const struct subscription *sub)
{
	return st->ops->sub_put(st->be, sub);
}

int
store_sub_delete(struct store *st, const char *feed)
{
	return st->ops->sub_delete(st->be, feed);
}

int
store_subs(struct store *st, struct subscription **out, size_t *n)
{
	return st->ops->subs(st->be, out, n);
}

const char *
sub_state_name(int state)
{
	static const char *const names[] = {
		"pending", "verified", "denied", "unsubscribing"
	};

	return state >= 0 && state <= SUB_UNSUBSCRIBING ? names[state] :
	    "unknown";
}

void
subscription_clear(struct subscription *sub)
{
	free(sub->feed);
	free(sub->hub);
	free(sub->topic);
	free(sub->id);
	free(sub->secret);
	memset(sub, 0, sizeof(*sub));
}

void
subscriptions_free(struct subscription *v, size_t n)
{
	size_t	 i;

	for (i = 0; v != NULL && i < n; i++)
		subscription_clear(&v[i]);
	free(v);
}

int
store_prune(struct store *st, time_t before, time_t signed_before)
{
	return st->ops->prune(st->be, before, signed_before);
}

int
store_items_foreach(struct store *st, time_t since, store_item_cb *cb,
    void *arg)
{
	return st->ops->items_foreach(st->be, since, cb, arg);
}

int
store_article_add(struct store *st, const char *feed, const char *key,
    time_t now)
{
	return st->ops->article_add(st->be, feed, key, now);
}

int
store_article_done(struct store *st, const char *feed, const char *key)
{
	return st->ops->article_done(st->be, feed, key);
}

int
store_articles_foreach(struct store *st, store_article_cb *cb, void *arg)
{
	return st->ops->articles_foreach(st->be, cb, arg);
}

int
store_outbox_foreach(struct store *st, time_t since, const char *topic,
    store_outbox_cb *cb, void *arg)
{
	return st->ops->outbox_foreach(st->be, since, topic, cb, arg);
}

int
store_mute(struct store *st, const char *topic, time_t until, time_t now)
{
	return st->ops->mute(st->be, topic, until, now);
}

int
store_unmute(struct store *st, const char *topic, time_t now)
{
	return st->ops->unmute(st->be, topic, now);
}

int
store_mutes(struct store *st, time_t now, struct mute **out, size_t *n)
{
	return st->ops->mutes(st->be, now, out, n);
}

void
mutes_free(struct mute *m, size_t n)
{
	size_t	 i;

	for (i = 0; m != NULL && i < n; i++)
		free(m[i].topic);
	free(m);
}

int
store_muted(struct store *st, const char *topic, time_t now)
{
	size_t	 i;

	if (st->mutes_read == 0 || now < st->mutes_read ||
	    now - st->mutes_read >= STORE_MUTES_TTL) {
		mutes_free(st->mutes, st->nmutes);
		if (store_mutes(st, now, &st->mutes, &st->nmutes) == -1) {
			mutes_free(st->mutes, st->nmutes);
			st->mutes = NULL;
			st->nmutes = 0;
		}
		st->mutes_read = now;
	}
	for (i = 0; i < st->nmutes; i++)
		if (strcmp(st->mutes[i].topic, topic) == 0 &&
		    (st->mutes[i].until == 0 || st->mutes[i].until > now))
			return 1;
	return 0;
}
