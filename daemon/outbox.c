/*
 * outbox.c: due rows to their sinks, outcomes recorded, the delivery
 * policy.
 *
 * The rows in flight are in a hash of their ids, so that the rows a send
 * has taken are skipped when the next due rows are read: a row is never
 * sent twice at once, also by the new sink of a name after a reload,
 * while the retired one still sends it.
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <glib.h>
#include <jansson.h>

#include "config.h"
#include "duration.h"
#include "log.h"
#include "metrics.h"
#include "sink.h"
#include "store.h"
#include "xmalloc.h"

#define OUTBOX_SINK_PARALLEL	4	/* sends in flight per sink */
#define OUTBOX_RETRY_FOR	(24 * 3600)
#define OUTBOX_RETRY_MAX	3600
#define OUTBOX_DUE_BATCH	256	/* rows read per sink and round */

struct osink {
	char		*name;
	struct sink	*sink;		/* NULL: this build cannot send to it */
	size_t		 sending;	/* sends in flight */
	int		 retired;	/* by a reload: in ob->retired */
	TAILQ_ENTRY(osink) entry;
};

struct outbox {
	const struct config	*cf;
	struct store		*st;
	struct event_base	*base;
	struct xfer_multi	*m;
	int			 dry;
	struct osink		**sinks;
	size_t			 nsinks;
	TAILQ_HEAD(, osink)	 retired;	/* finishing their sends */
	GHashTable		*flying;	/* outbox row ids in flight */
	struct event		*timer;		/* next outbox retry */
	int			 hold;
	int			 stopping;
	size_t			 sends;
	int			 failed;
	outbox_sent_cb		*sent;
	void			*arg;
};

/* One message in flight: one alert, or several as a digest. */
struct osend {
	struct outbox		*ob;
	struct osink		*os;		/* lives until this send ends */
	char			*sink;
	char			*topic;
	struct outbox_row	*rows;
	size_t			 nrows;
	char			**payloads;
};

static void
osink_free(struct osink *os)
{
	sink_free(os->sink);
	free(os->name);
	free(os);
}

/*
 * Lets go of a sink a reload replaced: freed now if nothing is in flight
 * on it, else retired until its last send ends (send_done calls this
 * again then).
 */
static void
osink_retire(struct outbox *ob, struct osink *os)
{
	if (os->sending == 0) {
		if (os->retired)
			TAILQ_REMOVE(&ob->retired, os, entry);
		osink_free(os);
	} else if (!os->retired) {
		log_info("reload: sink '%s': the old sink finishes what it "
		    "has in flight (%zu)", os->name, os->sending);
		os->retired = 1;
		TAILQ_INSERT_TAIL(&ob->retired, os, entry);
	}
}

/*
 * At the cap of sends in flight to the sink of this name, counting those
 * the retired sinks of the name still have: a reload adds no parallelism.
 */
static int
sink_full(const struct outbox *ob, const struct osink *os)
{
	const struct osink	*old;
	size_t			 n = os->sending;

	TAILQ_FOREACH(old, &ob->retired, entry)
		if (strcmp(old->name, os->name) == 0)
			n += old->sending;
	return n >= OUTBOX_SINK_PARALLEL;
}

static void
sinks_retire(struct outbox *ob)
{
	size_t	 i;

	for (i = 0; i < ob->nsinks; i++)
		osink_retire(ob, ob->sinks[i]);
	free(ob->sinks);
	ob->sinks = NULL;
	ob->nsinks = 0;
}

static void
sinks_open(struct outbox *ob)
{
	struct sink_env	 env;
	char		 err[256];
	size_t		 i;

	env.base = ob->base;
	env.multi = ob->m;
	env.user_agent = ob->cf->daemon.user_agent;
	ob->nsinks = ob->cf->nsinks;
	ob->sinks = xcalloc(ob->nsinks + 1, sizeof(*ob->sinks));
	for (i = 0; i < ob->nsinks; i++) {
		ob->sinks[i] = xcalloc(1, sizeof(*ob->sinks[i]));
		ob->sinks[i]->name = xstrdup(ob->cf->sinks[i].name);
		if (ob->dry)
			continue;
		if ((ob->sinks[i]->sink = sink_new(&ob->cf->sinks[i], &env, err,
		    sizeof(err))) == NULL)
			log_warnx("sink '%s': %s; its alerts stay queued until "
			    "it can be sent", ob->cf->sinks[i].name, err);
	}
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	outbox_deliver(arg);
}

/*
 * Commits what the store has grouped.  A failed commit loses the group's
 * polls and delivery marks, which are redone (see store.h); say so.
 */
void
outbox_commit(struct outbox *ob)
{
	if (store_flush(ob->st) == -1) {
		log_warnx("state '%s': recent polls and deliveries could not be "
		    "recorded; they are redone", store_path(ob->st));
		metrics_rollback();
		ob->failed = 1;
	} else
		metrics_commit();
}

struct outbox *
outbox_new(const struct config *cf, struct store *st,
    struct event_base *base, struct xfer_multi *m, int dry,
    outbox_sent_cb *sent, void *arg)
{
	struct outbox	*ob;

	ob = xcalloc(1, sizeof(*ob));
	ob->cf = cf;
	ob->st = st;
	ob->base = base;
	ob->m = m;
	ob->dry = dry;
	ob->sent = sent;
	ob->arg = arg;
	TAILQ_INIT(&ob->retired);
	ob->flying = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    NULL);
	if ((ob->timer = evtimer_new(base, on_timer, ob)) == NULL)
		fatalx("%s: cannot create timers", __func__);
	sinks_open(ob);
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	struct osink	*os;
	size_t		 i;

	if (ob == NULL)
		return;
	for (i = 0; i < ob->nsinks; i++)
		osink_free(ob->sinks[i]);
	free(ob->sinks);
	while ((os = TAILQ_FIRST(&ob->retired)) != NULL) {
		TAILQ_REMOVE(&ob->retired, os, entry);
		osink_free(os);
	}
	g_hash_table_destroy(ob->flying);
	event_free(ob->timer);
	free(ob);
}

void
outbox_reload(struct outbox *ob, const struct config *cf)
{
	ob->cf = cf;
	sinks_retire(ob);
	sinks_open(ob);
	outbox_deliver(ob);
}

void
outbox_hold(struct outbox *ob, int hold)
{
	ob->hold = hold;
	if (!hold)
		outbox_deliver(ob);
}

void
outbox_stop(struct outbox *ob)
{
	ob->stopping = 1;
	event_del(ob->timer);
}

size_t
outbox_sending(const struct outbox *ob)
{
	return ob->sends;
}

int
outbox_failed(const struct outbox *ob)
{
	return ob->failed;
}

static int
topic_wants_sink(const struct config_topic *t, const char *sink)
{
	size_t	 i;

	if (t->sinks.n == 0)
		return 1;
	for (i = 0; i < t->sinks.n; i++)
		if (strcmp(t->sinks.v[i], sink) == 0)
			return 1;
	return 0;
}

int
outbox_add(struct outbox *ob, const char *topic, const char *alert_id,
    const char *json, time_t now)
{
	const struct config_topic	*t = config_topic_find(ob->cf, topic);
	size_t				 i;

	if (ob->dry) {
		puts(json);
		return 0;
	}
	for (i = 0; i < ob->cf->nsinks; i++) {
		if (!topic_wants_sink(t, ob->cf->sinks[i].name))
			continue;
		if (store_outbox_add(ob->st, ob->cf->sinks[i].name, topic,
		    alert_id, json, now) == -1)
			return -1;
	}
	return 0;
}

int
outbox_add_health(struct outbox *ob, const char *alert_id,
    const char *json, time_t now)
{
	const struct config_list	*to = &ob->cf->daemon.health_sinks;
	size_t				 i;

	for (i = 0; i < to->n; i++) {
		if (ob->dry)
			puts(json);
		else if (store_outbox_add(ob->st, to->v[i], "feed-health",
		    alert_id, json, now) == -1)
			return -1;
	}
	return (int)to->n;
}

static int
in_flight(const struct outbox *ob, int64_t id)
{
	return g_hash_table_contains(ob->flying, &id);
}

/* The payload with also_in as known now (feeds that saw the story later). */
static char *
with_also_in(struct outbox *ob, const struct outbox_row *row)
{
	json_t		*o, *arr;
	char		**feeds, *s;
	size_t		 i;

	feeds = store_story_also_in(ob->st, row->alert_id);
	if (feeds[0] == NULL ||
	    (o = json_loads(row->payload, 0, NULL)) == NULL) {
		store_strv_free(feeds);
		return xstrdup(row->payload);
	}
	arr = json_array();
	for (i = 0; feeds[i] != NULL; i++)
		json_array_append_new(arr, json_string(feeds[i]));
	json_object_set_new(o, "also_in", arr);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	store_strv_free(feeds);
	return s != NULL ? s : xstrdup(row->payload);
}

static long
backoff(const struct outbox *ob, int attempts)
{
	long	 d = ob->cf->daemon.retry;

	while (attempts-- > 0 && d < OUTBOX_RETRY_MAX)
		d *= 2;
	if (d > OUTBOX_RETRY_MAX)
		d = OUTBOX_RETRY_MAX;
	/* Up to 25% jitter, so that retries of many rows spread out. */
	return d + (long)g_random_int_range(0, (gint32)(d / 4 + 1));
}

/*
 * When to try a row again: after its backoff, or later if the sink's
 * server asked (a Retry-After of 0, or of a date past, must not make a
 * loop of sends), and no later than the end of its retry window, which
 * gives it one last try.
 */
static time_t
retry_at(const struct outbox *ob, const struct outbox_row *row,
    long retry_after, time_t now)
{
	long	 d = backoff(ob, row->attempts);
	time_t	 next, end = duration_after(row->created, OUTBOX_RETRY_FOR);

	if (retry_after > d)
		d = retry_after;
	next = duration_after(now, d);
	return next < end ? next : end;
}

static void
osend_free(struct osend *s)
{
	size_t	 i;

	for (i = 0; i < s->nrows; i++)
		free(s->payloads[i]);
	free(s->payloads);
	outbox_rows_free(s->rows, s->nrows);
	free(s->sink);
	free(s->topic);
	free(s);
}

static void
send_done(enum sink_result r, long retry_after, const char *error,
    void *arg)
{
	struct osend	*s = arg;
	struct outbox	*ob = s->ob;
	struct osink	*os;
	time_t		 now = time(NULL), next;
	size_t		 i;
	int		 rc = 0;

	metrics_delivery(s->sink, s->nrows, r == SINK_DELIVERED);
	if (r == SINK_DELIVERED) {
		rc |= store_send_log(ob->st, s->sink, s->topic, now);
		log_info("sink '%s': %s %s delivered (topic '%s')", s->sink,
		    s->nrows == 1 ? "alert" : "digest of",
		    s->nrows == 1 ? s->rows[0].alert_id : "several alerts",
		    s->topic);
	} else
		ob->failed = 1;
	for (i = 0; i < s->nrows; i++) {
		struct outbox_row *row = &s->rows[i];

		if (r == SINK_DELIVERED)
			rc |= store_outbox_delivered(ob->st, row->id, now);
		else if (r == SINK_FAILED ||
		    now >= duration_after(row->created, OUTBOX_RETRY_FOR)) {
			rc |= store_outbox_failed(ob->st, row->id, now, error);
			log_warnx("sink '%s': alert %s failed for good: %s",
			    s->sink, row->alert_id, error ? error : "?");
		} else {
			next = retry_at(ob, row, retry_after, now);
			rc |= store_outbox_retry(ob->st, row->id, next, error);
			if (i == 0)
				log_info("sink '%s': not delivered (%s); retry "
				    "in %lds", s->sink, error ? error : "?",
				    (long)(next - now));
		}
	}
	if (rc != 0)
		ob->failed = 1;
	/* A delivery is recorded at once: a crash now must not re-send it. */
	outbox_commit(ob);
	for (i = 0; i < s->nrows; i++)
		g_hash_table_remove(ob->flying, &s->rows[i].id);
	os = s->os;
	os->sending--;
	if (os->retired) {
		log_info("sink '%s': a delivery in flight at the reload "
		    "finished on the old sink", s->sink);
		osink_retire(ob, os);
	}
	ob->sends--;
	osend_free(s);
	outbox_deliver(ob);
	ob->sent(ob->arg);
}

/* Sends rows[0..n) of one topic as one message; takes the rows. */
static void
send_rows(struct outbox *ob, struct osink *os, struct outbox_row *rows,
    size_t n)
{
	struct osend	*s;
	size_t		 i;

	s = xcalloc(1, sizeof(*s));
	s->ob = ob;
	s->os = os;
	s->sink = xstrdup(os->name);
	s->topic = xstrdup(rows[0].topic);
	s->rows = xcalloc(n, sizeof(*s->rows));
	s->payloads = xcalloc(n, sizeof(*s->payloads));
	s->nrows = n;
	for (i = 0; i < n; i++) {
		s->rows[i] = rows[i];
		memset(&rows[i], 0, sizeof(rows[i]));
		s->payloads[i] = with_also_in(ob, &s->rows[i]);
	}
	if (sink_send(os->sink, (const char *const *)s->payloads, n, send_done,
	    s) == -1) {
		log_warnx("sink '%s': cannot start a delivery; retried later",
		    os->name);
		for (i = 0; i < n; i++)
			store_outbox_retry(ob->st, s->rows[i].id,
			    duration_after(time(NULL), backoff(ob,
			    s->rows[i].attempts)), "cannot start");
		osend_free(s);
		return;
	}
	for (i = 0; i < n; i++)
		g_hash_table_add(ob->flying, g_memdup2(&s->rows[i].id,
		    sizeof(s->rows[i].id)));
	os->sending++;
	ob->sends++;
}

/* Seconds until the quiet window of 't' ends, or 0 outside it. */
static long
quiet_left(const struct config_topic *t, time_t now)
{
	struct tm	 tm;
	int		 m, start = t->quiet_start, end = t->quiet_end;
	int		 in;

	if (start < 0)
		return 0;
	localtime_r(&now, &tm);
	m = tm.tm_hour * 60 + tm.tm_min;
	in = start <= end ? m >= start && m < end : m >= start || m < end;
	if (!in)
		return 0;
	return ((end - m + 1440) % 1440) * 60L - tm.tm_sec;
}

static void
defer_rows(struct outbox *ob, struct outbox_row *rows, size_t n,
    time_t until, int fold)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (store_outbox_defer(ob->st, rows[i].id, until, fold) == -1)
			ob->failed = 1;
}

/*
 * The delivery policy of one topic's due rows on one sink: quiet hours
 * hold them (to go out as one digest when they end), a digest window
 * batches them, a rate cap sends what it allows and folds the rest into
 * one digest when the window has room again.  priority = high, and alerts
 * that belong to no topic (feed health), skip all of it.
 */
static void
deliver_topic(struct outbox *ob, struct osink *os, struct outbox_row *rows,
    size_t n, time_t now)
{
	const struct config_topic	*t = config_topic_find(ob->cf,
					    rows[0].topic);
	size_t				 i, nfold = 0, allowed;
	long				 left, sent;
	time_t				 oldest, first = rows[0].created;

	for (i = 0; i < n; i++) {
		nfold += rows[i].fold != 0;
		if (rows[i].created < first)
			first = rows[i].created;
	}
	if (t == NULL || t->priority == PRIORITY_HIGH) {
		for (i = 0; i < n && !sink_full(ob, os); i++)
			send_rows(ob, os, &rows[i], 1);
		return;
	}
	if ((left = quiet_left(t, now)) > 0) {
		defer_rows(ob, rows, n, duration_after(now, left), 1);
		return;
	}
	if (t->digest > 0 && duration_after(first, t->digest) > now) {
		defer_rows(ob, rows, n, duration_after(first, t->digest), 1);
		return;
	}
	if (t->digest > 0 || nfold > 0) {
		/* One message, counted once against the rate. */
		send_rows(ob, os, rows, n);
		return;
	}
	if (t->rate_count > 0) {
		if (store_send_count(ob->st, os->name, t->name,
		    duration_after(now, -t->rate_period), &sent, &oldest) == -1)
			return;
		allowed = sent < t->rate_count ? (size_t)(t->rate_count - sent) :
		    0;
		for (i = 0; i < n && i < allowed && !sink_full(ob, os); i++)
			send_rows(ob, os, &rows[i], 1);
		if (i < n && i == allowed) {
			log_info("sink '%s': topic '%s' is over its rate of "
			    "%ld/%lds; %zu alerts fold into one digest",
			    os->name, t->name, t->rate_count, t->rate_period,
			    n - i);
			defer_rows(ob, &rows[i], n - i, duration_after(oldest ?
			    oldest : now, t->rate_period), 1);
		}
		return;
	}
	for (i = 0; i < n && !sink_full(ob, os); i++)
		send_rows(ob, os, &rows[i], 1);
}

static void
arm_timer(struct outbox *ob)
{
	struct timeval	 tv = { 0, 0 };
	time_t		 next, now = time(NULL);

	if ((next = store_outbox_next(ob->st)) == 0)
		return;
	tv.tv_sec = next > now ? next - now : 1;
	event_add(ob->timer, &tv);
}

void
outbox_deliver(struct outbox *ob)
{
	struct osink		*os;
	struct outbox_row	*rows, *group;
	size_t			 i, j, k, n, ngroup;
	time_t			 now = time(NULL);

	if (ob->dry || ob->hold || ob->stopping)
		return;
	/* An alert is durable before its first try: commit the group first. */
	outbox_commit(ob);
	for (i = 0; i < ob->nsinks; i++) {
		os = ob->sinks[i];
		if (os->sink == NULL || sink_full(ob, os))
			continue;
		if (store_outbox_due(ob->st, os->name, now, OUTBOX_DUE_BATCH,
		    &rows, &n) == -1)
			continue;
		group = xcalloc(n + 1, sizeof(*group));
		/* Topic by topic, in the order their oldest row is due. */
		for (j = 0; j < n && !sink_full(ob, os); j++) {
			if (rows[j].topic == NULL || in_flight(ob, rows[j].id))
				continue;
			ngroup = 0;
			for (k = j; k < n; k++) {
				if (rows[k].topic == NULL ||
				    strcmp(rows[k].topic, rows[j].topic) != 0 ||
				    in_flight(ob, rows[k].id))
					continue;
				group[ngroup++] = rows[k];
				if (k != j)
					memset(&rows[k], 0, sizeof(rows[k]));
			}
			memset(&rows[j], 0, sizeof(rows[j]));
			deliver_topic(ob, os, group, ngroup, now);
			for (k = 0; k < ngroup; k++)
				outbox_row_clear(&group[k]);
		}
		free(group);
		outbox_rows_free(rows, n);
	}
	arm_timer(ob);
}

int
outbox_idle(struct outbox *ob)
{
	struct outbox_row	*rows;
	size_t			 i, n;

	if (ob->sends > 0)
		return 0;
	for (i = 0; !ob->dry && i < ob->nsinks; i++) {
		if (ob->sinks[i]->sink == NULL)
			continue;
		if (store_outbox_due(ob->st, ob->sinks[i]->name, time(NULL), 1,
		    &rows, &n) == 0) {
			outbox_rows_free(rows, n);
			if (n > 0 && !ob->hold)
				return 0;
		}
	}
	return 1;
}
