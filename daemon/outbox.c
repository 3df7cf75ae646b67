/*
 * outbox.c: due rows to their sinks, outcomes recorded, the delivery
 * policy.
 *
 * The rows in flight are in a hash of their ids, so that the rows a send
 * has taken are skipped when the next due rows are read: a row is never
 * sent twice at once, also by the new sink of a name after a reload,
 * while the retired one still sends it.
 *
 * A round on a sink (deliver_sink) reads its due rows, plans each by its
 * topic's policy (held back, into the round's digest, or now in the
 * message of its item), then sends the digest and a message per item.
 */
#include "outbox.h"

#include <stdint.h>
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

/*
 * One message in flight: the alerts of one item (one per topic), or a
 * digest; its rows in the order of their ids.
 */
struct osend {
	struct outbox		*ob;
	struct osink		*os;		/* lives until this send ends */
	char			*sink;
	struct outbox_row	*rows;
	size_t			 nrows;
	char			**payloads;
};

/* What a due row does in this round of deliveries (plan_topic()). */
enum plan {
	PLAN_NONE,	/* not planned yet */
	PLAN_LATER,	/* not in this round: in flight, or cannot be decided */
	PLAN_HELD,	/* held back by its topic's policy */
	PLAN_ITEM,	/* goes now, in one message with its item's others */
	PLAN_DIGEST,	/* goes now, in the round's digest */
	PLAN_SENT	/* taken by a send */
};

/* The due rows of one sink in one round, their items and their plans. */
struct round {
	struct outbox_row	*rows;
	size_t			 n;
	char			**item;
	enum plan		*plan;
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

char *
outbox_with_also_in(struct store *st, const char *alert_id,
    const char *payload)
{
	json_t		*o, *arr;
	char		**feeds, *s;
	size_t		 i;

	feeds = store_story_also_in(st, alert_id);
	if (feeds[0] == NULL || (o = json_loads(payload, 0, NULL)) == NULL) {
		store_strv_free(feeds);
		return xstrdup(payload);
	}
	arr = json_array();
	for (i = 0; feeds[i] != NULL; i++)
		json_array_append_new(arr, json_string(feeds[i]));
	json_object_set_new(o, "also_in", arr);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	store_strv_free(feeds);
	return s != NULL ? s : xstrdup(payload);
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
 * How long until the rows of a send are tried again: the backoff of the
 * most tried of them, or longer if the sink's server asked (a Retry-After
 * of 0, or of a date past, must not make a loop of sends).  One delay for
 * all, so that they are due together again and go out as the same
 * message.
 */
static long
retry_delay(const struct outbox *ob, const struct osend *s, long retry_after)
{
	size_t	 i;
	int	 attempts = 0;
	long	 d;

	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].attempts > attempts)
			attempts = s->rows[i].attempts;
	d = backoff(ob, attempts);
	return retry_after > d ? retry_after : d;
}

/* The end of a row's retry window, the time of its last try. */
static time_t
retry_end(const struct outbox_row *row)
{
	return duration_after(row->created, OUTBOX_RETRY_FOR);
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
	free(s);
}

/* 1 if row 'i' of 's' is the first of its topic in the send. */
static int
first_of_topic(const struct osend *s, size_t i)
{
	size_t	 j;

	for (j = 0; j < i; j++)
		if (g_strcmp0(s->rows[j].topic, s->rows[i].topic) == 0)
			return 0;
	return 1;
}

/* "topic 'a'" or "topics 'a', 'b'", for the log (g_free it). */
static char *
send_topics(const struct osend *s)
{
	GString	*g = g_string_new(NULL);
	size_t	 i, n = 0;

	for (i = 0; i < s->nrows; i++)
		if (first_of_topic(s, i))
			g_string_append_printf(g, "%s'%s'", n++ > 0 ? ", " : "",
			    s->rows[i].topic);
	g_string_prepend(g, n > 1 ? "topics " : "topic ");
	return g_string_free(g, FALSE);
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
	long		 delay = 0;
	char		*topics;
	int		 rc = 0;

	metrics_delivery(s->sink, s->nrows, r == SINK_DELIVERED);
	if (r == SINK_DELIVERED) {
		/* One message for each of its topics, for their rate caps. */
		for (i = 0; i < s->nrows; i++)
			if (first_of_topic(s, i))
				rc |= store_send_log(ob->st, s->sink,
				    s->rows[i].topic, now);
		topics = send_topics(s);
		if (s->nrows == 1)
			log_info("sink '%s': alert %s delivered (%s)", s->sink,
			    s->rows[0].alert_id, topics);
		else
			log_info("sink '%s': %zu alerts delivered in one "
			    "message (%s)", s->sink, s->nrows, topics);
		g_free(topics);
	} else {
		ob->failed = 1;
		delay = retry_delay(ob, s, retry_after);
	}
	for (i = 0; i < s->nrows; i++) {
		struct outbox_row *row = &s->rows[i];

		if (r == SINK_DELIVERED)
			rc |= store_outbox_delivered(ob->st, row->id, now);
		else if (r == SINK_FAILED || now >= retry_end(row)) {
			rc |= store_outbox_failed(ob->st, row->id, now, error);
			log_warnx("sink '%s': alert %s failed for good: %s",
			    s->sink, row->alert_id, error ? error : "?");
		} else {
			next = duration_after(now, delay);
			if (next > retry_end(row))
				next = retry_end(row);
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

/* Sends rows[0..n) as one message; takes the rows. */
static void
send_rows(struct outbox *ob, struct osink *os, struct outbox_row *rows,
    size_t n)
{
	struct osend	*s;
	time_t		 next;
	size_t		 i;

	s = xcalloc(1, sizeof(*s));
	s->ob = ob;
	s->os = os;
	s->sink = xstrdup(os->name);
	s->rows = xcalloc(n, sizeof(*s->rows));
	s->payloads = xcalloc(n, sizeof(*s->payloads));
	s->nrows = n;
	for (i = 0; i < n; i++) {
		s->rows[i] = rows[i];
		memset(&rows[i], 0, sizeof(rows[i]));
		s->payloads[i] = outbox_with_also_in(ob->st,
		    s->rows[i].alert_id, s->rows[i].payload);
	}
	if (sink_send(os->sink, (const char *const *)s->payloads, n, send_done,
	    s) == -1) {
		log_warnx("sink '%s': cannot start a delivery; retried later",
		    os->name);
		next = duration_after(time(NULL), retry_delay(ob, s, -1));
		for (i = 0; i < n; i++)
			if (store_outbox_retry(ob->st, s->rows[i].id, next,
			    "cannot start") == -1)
				ob->failed = 1;
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

/*
 * The item of a row, which says what one message carries: its feed and
 * item id, read from the payload; its alert_id on a sink that sends each
 * alert alone (sink_per_alert()) or for a payload without them.
 */
static char *
row_item(const struct osink *os, const struct outbox_row *row)
{
	json_t		*o;
	const char	*feed, *id;
	char		*item = NULL;

	if (!sink_per_alert(os->sink) &&
	    (o = json_loads(row->payload, 0, NULL)) != NULL) {
		feed = json_string_value(json_object_get(o, "feed"));
		id = json_string_value(json_object_get(o, "id"));
		/* A feed name has no line break: the pair reads one way. */
		if (feed != NULL && id != NULL)
			item = xasprintf("%s\n%s", feed, id);
		json_decref(o);
	}
	return item != NULL ? item : xstrdup(row->alert_id);
}

/*
 * Reads the due rows of 'os' into 'r' and leaves out of the round the
 * rows in flight and, when the read stopped at its cap, the rows of the
 * item it stopped in (unless there is no other), which may have more rows
 * past the cap: an item's message never goes out in parts.
 */
static int
round_read(struct outbox *ob, struct osink *os, time_t now, struct round *r)
{
	const char	*last;
	size_t		 i, others = 0;

	memset(r, 0, sizeof(*r));
	if (store_outbox_due(ob->st, os->name, now, OUTBOX_DUE_BATCH,
	    &r->rows, &r->n) == -1)
		return -1;
	r->item = xcalloc(r->n + 1, sizeof(*r->item));
	r->plan = xcalloc(r->n + 1, sizeof(*r->plan));
	for (i = 0; i < r->n; i++) {
		r->item[i] = row_item(os, &r->rows[i]);
		if (in_flight(ob, r->rows[i].id))
			r->plan[i] = PLAN_LATER;
	}
	if (r->n < OUTBOX_DUE_BATCH)
		return 0;
	last = r->item[r->n - 1];
	for (i = 0; i < r->n; i++)
		others += strcmp(r->item[i], last) != 0;
	for (i = 0; others > 0 && i < r->n; i++)
		if (strcmp(r->item[i], last) == 0)
			r->plan[i] = PLAN_LATER;
	return 0;
}

static void
round_clear(struct round *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		free(r->item[i]);
	free(r->item);
	free(r->plan);
	outbox_rows_free(r->rows, r->n);
}

/* 1 if row 'i' of 'r' is of 'topic' and not planned yet. */
static int
unplanned_of(const struct round *r, size_t i, const char *topic)
{
	return r->plan[i] == PLAN_NONE &&
	    g_strcmp0(r->rows[i].topic, topic) == 0;
}

/*
 * Plans the rows of the topic of row 'first' by the topic's delivery
 * policy on this sink.  Quiet hours hold them, to go out in a digest
 * when they end; a digest window holds them until it ends, and then they
 * go in the digest, as do rows a policy held before; a rate cap lets
 * through what it allows and holds the rest for a digest when the window
 * has room again.  priority = high, and alerts that belong to no topic
 * (feed health), go at once.  A held row is deferred here.
 */
static void
plan_topic(struct outbox *ob, struct osink *os, struct round *r,
    size_t first, time_t now)
{
	const char			*name = r->rows[first].topic;
	const struct config_topic	*t = config_topic_find(ob->cf, name);
	enum plan			 p;
	size_t				 i, nfold = 0, n = 0, held = 0;
	size_t				 allowed = SIZE_MAX;
	time_t				 until = 0, oldest = 0;
	time_t				 start = r->rows[first].created;
	long				 left, sent = 0;

	for (i = first; i < r->n; i++)
		if (unplanned_of(r, i, name)) {
			nfold += r->rows[i].fold != 0;
			if (r->rows[i].created < start)
				start = r->rows[i].created;
		}
	if (t == NULL || t->priority == PRIORITY_HIGH)
		p = PLAN_ITEM;
	else if ((left = quiet_left(t, now)) > 0) {
		p = PLAN_HELD;
		until = duration_after(now, left);
	} else if (t->digest > 0 && duration_after(start, t->digest) > now) {
		p = PLAN_HELD;
		until = duration_after(start, t->digest);
	} else if (t->digest > 0 || nfold > 0)
		p = PLAN_DIGEST;	/* one message, counted once */
	else if (t->rate_count > 0 && store_send_count(ob->st, os->name,
	    t->name, duration_after(now, -t->rate_period), &sent,
	    &oldest) == -1)
		p = PLAN_LATER;
	else {
		p = PLAN_ITEM;
		if (t->rate_count > 0) {
			allowed = sent < t->rate_count ?
			    (size_t)(t->rate_count - sent) : 0;
			until = duration_after(oldest ? oldest : now,
			    t->rate_period);
		}
	}
	for (i = first; i < r->n; i++) {
		if (!unplanned_of(r, i, name))
			continue;
		r->plan[i] = p == PLAN_ITEM && n++ >= allowed ? PLAN_HELD : p;
		if (r->plan[i] != PLAN_HELD)
			continue;
		held++;
		if (store_outbox_defer(ob->st, r->rows[i].id, until, 1) == -1)
			ob->failed = 1;
	}
	if (p == PLAN_ITEM && held > 0)
		log_info("sink '%s': topic '%s' is over its rate of %ld/%lds; "
		    "%zu alerts fold into one digest", os->name, name,
		    t->rate_count, t->rate_period, held);
}

/*
 * Rows that go now and whose item is in the round's digest join it, so
 * that an item is told once.  Returns the rows of the digest.
 */
static size_t
round_digest(struct round *r)
{
	size_t	 i, j, n = 0;

	for (i = 0; i < r->n; i++)
		for (j = 0; r->plan[i] == PLAN_ITEM && j < r->n; j++)
			if (r->plan[j] == PLAN_DIGEST &&
			    strcmp(r->item[i], r->item[j]) == 0)
				r->plan[i] = PLAN_DIGEST;
	for (i = 0; i < r->n; i++)
		n += r->plan[i] == PLAN_DIGEST;
	return n;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct outbox_row	*x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * Sends as one message the rows of 'r' planned 'p' (PLAN_ITEM: those of
 * 'item'), in the order of their ids: the same rows are the same message
 * again, when retried or re-sent after a crash.
 */
static void
send_planned(struct outbox *ob, struct osink *os, struct round *r,
    enum plan p, const char *item)
{
	struct outbox_row	*rows;
	size_t			 i, n = 0;

	rows = xcalloc(r->n, sizeof(*rows));
	for (i = 0; i < r->n; i++) {
		if (r->plan[i] != p || (item != NULL &&
		    strcmp(r->item[i], item) != 0))
			continue;
		rows[n++] = r->rows[i];
		memset(&r->rows[i], 0, sizeof(r->rows[i]));
		r->plan[i] = PLAN_SENT;
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	send_rows(ob, os, rows, n);
	free(rows);
}

/*
 * One round on one sink: the due rows planned topic by topic, then the
 * digest, then one message per item, in the order their rows are due,
 * while the sink has room.  Rows left over stay due for the next round.
 */
static void
deliver_sink(struct outbox *ob, struct osink *os, time_t now)
{
	struct round	 r;
	size_t		 i;

	if (round_read(ob, os, now, &r) == -1)
		return;
	for (i = 0; i < r.n; i++)
		if (r.plan[i] == PLAN_NONE)
			plan_topic(ob, os, &r, i, now);
	if (round_digest(&r) > 0 && !sink_full(ob, os))
		send_planned(ob, os, &r, PLAN_DIGEST, NULL);
	for (i = 0; i < r.n && !sink_full(ob, os); i++)
		if (r.plan[i] == PLAN_ITEM)
			send_planned(ob, os, &r, PLAN_ITEM, r.item[i]);
	round_clear(&r);
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
	struct osink	*os;
	size_t		 i;
	time_t		 now = time(NULL);

	if (ob->dry || ob->hold || ob->stopping)
		return;
	/* An alert is durable before its first try: commit the group first. */
	outbox_commit(ob);
	for (i = 0; i < ob->nsinks; i++) {
		os = ob->sinks[i];
		if (os->sink != NULL && !sink_full(ob, os))
			deliver_sink(ob, os, now);
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
