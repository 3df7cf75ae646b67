/*
 * store_sqlite_outbox.c: the SQLite store's alert side: the stories each
 * topic has claimed (tables story, story_sig, story_band and also_in),
 * the outbox, the send log (table sent) and the mutes
 * (store_sqlite_outbox.h).
 */
#include "store_sqlite_outbox.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <sqlite3.h>

#include "store.h"
#include "store_sqlite.h"
#include "xmalloc.h"

static const char sql_story_get[] =
    "SELECT alert_id FROM story WHERE topic = ? AND key = ?";
static const char sql_story_put[] =
    "INSERT INTO story (topic, key, alert_id, created) VALUES (?,?,?,?)"
    " ON CONFLICT DO NOTHING";
static const char sql_also_in_add[] =
    "INSERT INTO also_in (alert_id, feed, created) VALUES (?,?,?)"
    " ON CONFLICT DO NOTHING";
/* The band keys come as one JSON array: SQLite binds no arrays. */
static const char sql_sig_near[] =
    "SELECT s.alert_id, s.sig FROM story_sig s WHERE s.topic = ?2"
    " AND s.created >= ?3 AND s.feed <> ?4 AND s.id IN (SELECT b.sig"
    " FROM story_band b WHERE b.band IN (SELECT value FROM json_each(?1)))"
    " ORDER BY s.id";
static const char sql_sig_put[] =
    "INSERT INTO story_sig (topic, alert_id, feed, sig, created)"
    " VALUES (?,?,?,?,?)"
    " RETURNING id";
/* WHERE true: an upsert's INSERT ... SELECT needs a WHERE clause */
static const char sql_band_put[] =
    "INSERT INTO story_band (band, sig) SELECT value, ?2 FROM json_each(?1)"
    " WHERE true ON CONFLICT DO NOTHING";

/* The closest of the stored stories that share a band key. */
struct near_walk {
	const struct store_near	*near;
	char			*owner;
	double			 best;
};

static int
row_near(sqlite3_stmt *s, void *arg)
{
	struct near_walk	*w = arg;
	double			 score;

	score = w->near->same(sqlite3_column_blob(s, 1),
	    (size_t)sqlite3_column_bytes(s, 1), w->near->arg);
	if (score >= 0 && score > w->best) {
		w->best = score;
		free(w->owner);
		w->owner = xstrdup((const char *)sqlite3_column_text(s, 0));
	}
	return 0;
}

/* The band keys of 'near' as a JSON array (malloc'd). */
static char *
bands_json(const struct store_near *near)
{
	GString	*s = g_string_new("[");
	size_t	 i;

	for (i = 0; i < near->nbands; i++)
		g_string_append_printf(s, "%s%" PRId64, i > 0 ? "," : "",
		    near->bands[i]);
	g_string_append_c(s, ']');
	return g_string_free(s, FALSE);
}

/* The story of 'near' in 'owner', if one is found; -1 on error. */
static int
find_near(void *be, const char *topic, const struct store_near *near,
    const char *bands, const char *feed, char **owner)
{
	struct near_walk	 w = { near, NULL, -1 };
	const struct sq_arg	 arg[] = {
		sq_text(bands), sq_text(topic), sq_int(near->since),
		sq_text(feed)
	};

	if (sq_read(be, sql_sig_near, "read story signatures", arg,
	    SQ_NELEM(arg), row_near, &w) == -1) {
		free(w.owner);
		return -1;
	}
	*owner = w.owner;
	return 0;
}

/* Stores the signature of 'near' for the story of 'alert_id'. */
static int
put_near(void *be, const char *topic, const struct store_near *near,
    const char *bands, const char *alert_id, const char *feed, time_t now)
{
	int64_t			 id = 0;
	const struct sq_arg	 sig[] = {
		sq_text(topic), sq_text(alert_id), sq_text(feed),
		sq_blob(near->sig, near->siglen), sq_int(now)
	};
	const struct sq_out	 out[] = { { .i64 = &id } };
	struct sq_arg		 band[2];

	/* a write, in the group sq_story_claim opened */
	if (sq_get(be, sql_sig_put, "record story signature", sig,
	    SQ_NELEM(sig), out, SQ_NELEM(out)) != 1)
		return -1;
	band[0] = sq_text(bands);
	band[1] = sq_int(id);
	return sq_write(be, sql_band_put, "record story bands", band,
	    SQ_NELEM(band)) == -1 ? -1 : 0;
}

int
sq_story_claim(void *be, const char *topic,
    const char *const *keys, size_t nkeys, const struct store_near *near,
    const char *feed, const char *alert_id, time_t now)
{
	char	*owner = NULL, *bands = NULL;
	size_t	 i;
	int	 rc = -1;

	if (sq_batch(be) == -1)
		return -1;
	for (i = 0; i < nkeys && owner == NULL; i++) {
		const struct sq_arg get[] = {
			sq_text(topic), sq_text(keys[i])
		};
		const struct sq_out out[] = { { .text = &owner } };

		if (keys[i] != NULL && sq_get(be, sql_story_get, "read story",
		    get, SQ_NELEM(get), out, SQ_NELEM(out)) == -1)
			return -1;
	}
	if (near != NULL) {
		bands = bands_json(near);
		if (owner == NULL && find_near(be, topic, near, bands, feed,
		    &owner) == -1)
			goto out;
		/* the same alert again (the same feed re-listing it) is no news */
		if ((owner == NULL || strcmp(owner, alert_id) != 0) &&
		    put_near(be, topic, near, bands, owner != NULL ? owner :
		    alert_id, feed, now) == -1)
			goto out;
	}
	if (owner != NULL) {
		const struct sq_arg also[] = {
			sq_text(owner), sq_text(feed), sq_int(now)
		};

		rc = 0;
		if (strcmp(owner, alert_id) != 0 && sq_write(be,
		    sql_also_in_add, "record also_in", also,
		    SQ_NELEM(also)) == -1)
			rc = -1;
		goto out;
	}
	for (i = 0; i < nkeys; i++) {
		const struct sq_arg put[] = {
			sq_text(topic), sq_text(keys[i]), sq_text(alert_id),
			sq_int(now)
		};

		if (keys[i] != NULL && sq_write(be, sql_story_put,
		    "record story", put, SQ_NELEM(put)) == -1)
			goto out;
	}
	rc = 1;
 out:
	free(owner);
	g_free(bands);
	return rc;
}

static const char sql_also_in[] =
    "SELECT feed FROM also_in WHERE alert_id = ? ORDER BY created, feed";

char **
sq_story_also_in(void *be, const char *alert_id)
{
	const struct sq_arg	 arg[] = { sq_text(alert_id) };

	return sq_strv(be, sql_also_in, "read also_in", arg, SQ_NELEM(arg));
}

static const char sql_outbox_add[] =
    "INSERT INTO outbox (sink, topic, alert_id, payload, created, next_at)"
    " VALUES (?1,?2,?3,?4,?5,?5) ON CONFLICT DO NOTHING";

int
sq_outbox_add(void *be, const char *sink, const char *topic,
    const char *alert_id, const char *payload, time_t now)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_text(topic), sq_text(alert_id),
		sq_text(payload), sq_int(now)
	};

	return sq_write(be, sql_outbox_add, "queue alert", arg,
	    SQ_NELEM(arg));
}

static const char sql_outbox_defer[] =
    "UPDATE outbox SET next_at = ?2, fold = max(fold, ?3) WHERE id = ?1";

int
sq_outbox_defer(void *be, int64_t id, time_t next_at, int fold)
{
	const struct sq_arg	 arg[] = {
		sq_int(id), sq_int(next_at), sq_int(fold)
	};

	return sq_write(be, sql_outbox_defer, "hold alert", arg,
	    SQ_NELEM(arg));
}

static const char sql_send_log[] =
    "INSERT INTO sent (sink, topic, at) VALUES (?, ?, ?)";

int
sq_send_log(void *be, const char *sink, const char *topic, time_t now)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_text(topic), sq_int(now)
	};

	return sq_write(be, sql_send_log, "record a send", arg,
	    SQ_NELEM(arg));
}

static const char sql_send_count[] =
    "SELECT count(*), min(at) FROM sent WHERE sink = ? AND topic = ?"
    " AND at >= ?";

int
sq_send_count(void *be, const char *sink, const char *topic,
    time_t since, long *count, time_t *oldest)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_text(topic), sq_int(since)
	};
	const struct sq_out	 out[] = {
		{ .l = count }, { .time = oldest }
	};

	*count = 0;
	*oldest = 0;
	return sq_get(be, sql_send_count, "read sent", arg, SQ_NELEM(arg),
	    out, SQ_NELEM(out)) == -1 ? -1 : 0;
}

static const char sql_outbox_due[] =
    "SELECT id, sink, alert_id, payload, attempts, created, topic, fold"
    " FROM outbox"
    " WHERE sink = ? AND delivered_at IS NULL AND failed_at IS NULL"
    " AND next_at <= ? ORDER BY next_at, id LIMIT ?";

int
sq_outbox_due(void *be, const char *sink, time_t now, size_t max,
    struct outbox_row **rows, size_t *nrows)
{
	const struct sq_arg	 arg[] = {
		sq_text(sink), sq_int(now), sq_int((int64_t)max)
	};
	struct outbox_row	 r;
	const struct sq_out	 out[] = {
		{ .i64 = &r.id }, { .text = &r.sink }, { .text = &r.alert_id },
		{ .text = &r.payload }, { .i = &r.attempts },
		{ .time = &r.created }, { .text = &r.topic }, { .i = &r.fold }
	};
	struct sq_rows		 due = {
		out, SQ_NELEM(out), &r, sizeof(r), NULL, 0
	};

	memset(&r, 0, sizeof(r));
	*rows = NULL;
	*nrows = 0;
	if (sq_read(be, sql_outbox_due, "read outbox", arg, SQ_NELEM(arg),
	    sq_row_append, &due) == -1) {
		outbox_rows_free(due.v, due.n);
		return -1;
	}
	*rows = due.v;
	*nrows = due.n;
	return 0;
}

static const char sql_outbox_delivered[] =
    "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";
static const char sql_outbox_retry[] =
    "UPDATE outbox SET next_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";
static const char sql_outbox_failed[] =
    "UPDATE outbox SET failed_at = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1";

static int
outbox_update(void *be, const char *sql, int64_t id, time_t t,
    const char *error)
{
	const struct sq_arg	 arg[] = {
		sq_int(id), sq_int(t), sq_text(error)
	};

	return sq_write(be, sql, "update outbox", arg, SQ_NELEM(arg));
}

int
sq_outbox_delivered(void *be, int64_t id, time_t now)
{
	return outbox_update(be, sql_outbox_delivered, id, now, NULL);
}

int
sq_outbox_retry(void *be, int64_t id, time_t next_at, const char *error)
{
	return outbox_update(be, sql_outbox_retry, id, next_at, error);
}

int
sq_outbox_failed(void *be, int64_t id, time_t now, const char *error)
{
	return outbox_update(be, sql_outbox_failed, id, now, error);
}

static const char sql_outbox_next[] =
    "SELECT min(next_at) FROM outbox"
    " WHERE delivered_at IS NULL AND failed_at IS NULL";

time_t
sq_outbox_next(void *be)
{
	time_t			 t = 0;
	const struct sq_out	 out[] = { { .time = &t } };

	if (sq_get(be, sql_outbox_next, "read outbox", NULL, 0, out,
	    SQ_NELEM(out)) == -1)
		return 0;
	return t;
}

static const char sql_sink_counts[] =
    "SELECT sink,"
    " sum(delivered_at IS NULL AND failed_at IS NULL),"
    " sum(delivered_at IS NULL AND failed_at IS NULL AND fold AND"
    "  attempts = 0),"
    " sum(failed_at IS NOT NULL), sum(delivered_at IS NOT NULL),"
    " (SELECT last_error FROM outbox o2 WHERE o2.sink = outbox.sink"
    "  AND o2.last_error IS NOT NULL ORDER BY o2.id DESC LIMIT 1)"
    " FROM outbox GROUP BY sink ORDER BY sink";

int
sq_sink_counts(void *be, struct sink_counts **out, size_t *n)
{
	struct sink_counts	 c;
	const struct sq_out	 col[] = {
		{ .text = &c.sink }, { .l = &c.pending }, { .l = &c.held },
		{ .l = &c.failed },
		{ .l = &c.delivered }, { .text = &c.last_error }
	};
	struct sq_rows		 rows = {
		col, SQ_NELEM(col), &c, sizeof(c), NULL, 0
	};
	int			 rc;

	memset(&c, 0, sizeof(c));
	rc = sq_read(be, sql_sink_counts, "read outbox", NULL, 0, sq_row_append,
	    &rows);
	*out = rows.v;
	*n = rows.n;
	return rc == -1 ? -1 : 0;
}

static const char sql_outbox_since[] =
    "SELECT id, sink, topic, fold, alert_id, payload, attempts, created,"
    " next_at, delivered_at, failed_at, last_error FROM outbox"
    " WHERE created >= ?1 AND (?2 IS NULL OR topic = ?2)"
    " ORDER BY created DESC, alert_id, id";

/* One alert's rows, gathered as the query returns them. */
struct outbox_walk {
	store_outbox_cb		*cb;
	void			*arg;
	struct outbox_row	*rows;
	size_t			 n;
	int			 stop;
};

/* Hands the alert gathered so far to the callback. */
static void
walk_alert(struct outbox_walk *w)
{
	size_t	 i;

	if (w->n > 0 && !w->stop)
		w->stop = w->cb(w->rows, w->n, w->arg) != 0;
	for (i = 0; i < w->n; i++)
		outbox_row_clear(&w->rows[i]);
	w->n = 0;
}

static int
row_outbox(struct sqlite3_stmt *s, void *arg)
{
	struct outbox_walk	*w = arg;
	struct outbox_row	 r;
	const struct sq_out	 out[] = {
		{ .i64 = &r.id }, { .text = &r.sink }, { .text = &r.topic },
		{ .i = &r.fold }, { .text = &r.alert_id },
		{ .text = &r.payload }, { .i = &r.attempts },
		{ .time = &r.created }, { .time = &r.next_at },
		{ .time = &r.delivered_at }, { .time = &r.failed_at },
		{ .text = &r.last_error }
	};

	memset(&r, 0, sizeof(r));
	sq_row(s, out, SQ_NELEM(out));
	if (w->n > 0 && strcmp(w->rows[0].alert_id, r.alert_id) != 0)
		walk_alert(w);
	w->rows = xreallocarray(w->rows, w->n + 1, sizeof(*w->rows));
	w->rows[w->n++] = r;
	return w->stop;
}

int
sq_outbox_foreach(void *be, time_t since, const char *topic,
    store_outbox_cb *cb, void *arg)
{
	const struct sq_arg	 sql_arg[] = { sq_int(since), sq_text(topic) };
	struct outbox_walk	 w = { cb, arg, NULL, 0, 0 };
	int			 rc;

	rc = sq_read(be, sql_outbox_since, "read outbox", sql_arg,
	    SQ_NELEM(sql_arg), row_outbox, &w);
	walk_alert(&w);
	free(w.rows);
	return rc == -1 ? -1 : 0;
}

static const char sql_mute[] =
    "INSERT INTO mute (topic, until, since) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (topic) DO UPDATE SET until = ?2, since = ?3";

int
sq_mute(void *be, const char *topic, time_t until, time_t now)
{
	const struct sq_arg	 arg[] = {
		sq_text(topic), sq_int(until), sq_int(now)
	};

	return sq_write(be, sql_mute, "mute", arg, SQ_NELEM(arg)) == -1 ?
	    -1 : 0;
}

static const char sql_unmute[] =
    "DELETE FROM mute WHERE topic = ?1 RETURNING until = 0 OR until > ?2";

int
sq_unmute(void *be, const char *topic, time_t now)
{
	const struct sq_arg	 arg[] = { sq_text(topic), sq_int(now) };
	int			 was = 0;
	const struct sq_out	 out[] = { { .i = &was } };

	if (sq_batch(be) == -1 || sq_get(be, sql_unmute, "unmute", arg,
	    SQ_NELEM(arg), out, SQ_NELEM(out)) == -1)
		return -1;
	return was;
}

static const char sql_mutes[] =
    "SELECT topic, until, since FROM mute WHERE until = 0 OR until > ?"
    " ORDER BY topic";

int
sq_mutes(void *be, time_t now, struct mute **out, size_t *n)
{
	const struct sq_arg	 arg[] = { sq_int(now) };
	struct mute		 m;
	const struct sq_out	 col[] = {
		{ .text = &m.topic }, { .time = &m.until }, { .time = &m.since }
	};
	struct sq_rows		 rows = {
		col, SQ_NELEM(col), &m, sizeof(m), NULL, 0
	};
	int			 rc;

	memset(&m, 0, sizeof(m));
	rc = sq_read(be, sql_mutes, "read mutes", arg, SQ_NELEM(arg),
	    sq_row_append, &rows);
	*out = rows.v;
	*n = rows.n;
	return rc == -1 ? -1 : 0;
}
