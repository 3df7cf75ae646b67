/*
 * watch.c: poll, detect, queue, deliver.
 *
 * Items are copied while the body streams in and processed when the
 * transfer is done, in one transaction: the poll's feed state (validators
 * only from a body that parsed), the items seen, the stories claimed and
 * the outbox rows commit together or not at all.  So a crash at any point
 * either leaves the items unseen (the next poll detects them again) or
 * leaves their alerts safely queued; never an item seen without its alert.
 *
 * Delivery is at least once: the outbox row is marked delivered after the
 * sink confirms, so a crash in between re-sends it with the same alert_id
 * (the webhook Idempotency-Key).  Rows in flight are tracked in memory so
 * that one row is never sent twice at once.
 *
 * A reload replaces the sinks.  One with sends in flight is retired, not
 * freed: its sends finish and are recorded as usual, and it is freed when
 * the last one ends.  Its rows stay in flight meanwhile, so the new sink of
 * the same name does not send them again.
 */
#include "watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <glib.h>
#include <jansson.h>

#include "alert.h"
#include "config.h"
#include "duration.h"
#include "fetch.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "metrics.h"
#include "sink.h"
#include "store.h"
#include "story.h"
#include "url.h"
#include "xmalloc.h"

#define WATCH_SINK_PARALLEL	4	/* deliveries in flight per sink */
#define WATCH_RETRY_FOR		(24 * 3600)
#define WATCH_RETRY_MAX		3600
#define WATCH_FLUSH_USEC	200000	/* grouped writes commit this often */
#define WATCH_MAX_ITEMS		10000	/* kept per poll; feeds list newest first */
#define WATCH_MOVED_POLLS	3	/* polls in a row that saw a 301/308 */
#define WATCH_OVERFLOW_ITEMS	2	/* fewest that can show an overflow */

struct wsink {
	char		*name;
	struct sink	*sink;		/* NULL: this build cannot send to it */
	size_t		 sending;	/* sends in flight */
	int		 retired;	/* by a reload: in w->retired */
	TAILQ_ENTRY(wsink) entry;
};

struct watch {
	const struct config	*cf;
	struct event_base	*base;
	struct xfer_multi	*m;
	struct store		*st;
	int			 dry;
	struct wsink		**sinks;
	size_t			 nsinks;
	TAILQ_HEAD(, wsink)	 retired;	/* finishing their sends */
	GHashTable		*flying;	/* outbox row ids in flight */
	struct event		*timer;		/* next outbox retry */
	struct event		*flush;		/* commits grouped writes */
	int			 hold;
	int			 stopping;
	size_t			 polls;
	size_t			 sends;
	int			 failed;
	void			(*idle_cb)(void *);
	void			*idle_arg;
};

struct wpoll {
	struct watch		*w;
	const struct config_feed *f;
	struct feed_state	 fs;
	struct feed_item	**items;
	size_t			 nitems;
	watch_poll_cb		*cb;
	void			*arg;
};

/* One message in flight: one alert, or several as a digest. */
struct wsend {
	struct watch		*w;
	struct wsink		*ws;		/* lives until this send ends */
	char			*sink;
	char			*topic;
	struct outbox_row	*rows;
	size_t			 nrows;
	char			**payloads;
};

static void	deliver(struct watch *);
static void	check_idle(struct watch *);

static void
wsink_free(struct wsink *ws)
{
	sink_free(ws->sink);
	free(ws->name);
	free(ws);
}

/*
 * Lets go of a sink a reload replaced: freed now if nothing is in flight
 * on it, else retired until its last send ends (send_done calls this
 * again then).
 */
static void
wsink_retire(struct watch *w, struct wsink *ws)
{
	if (ws->sending == 0) {
		if (ws->retired)
			TAILQ_REMOVE(&w->retired, ws, entry);
		wsink_free(ws);
	} else if (!ws->retired) {
		log_info("reload: sink '%s': the old sink finishes what it "
		    "has in flight (%zu)", ws->name, ws->sending);
		ws->retired = 1;
		TAILQ_INSERT_TAIL(&w->retired, ws, entry);
	}
}

/*
 * At the cap of sends in flight to the sink of this name, counting those
 * the retired sinks of the name still have: a reload adds no parallelism.
 */
static int
sink_full(const struct watch *w, const struct wsink *ws)
{
	const struct wsink	*old;
	size_t			 n = ws->sending;

	TAILQ_FOREACH(old, &w->retired, entry)
		if (strcmp(old->name, ws->name) == 0)
			n += old->sending;
	return n >= WATCH_SINK_PARALLEL;
}

static void
sinks_retire(struct watch *w)
{
	size_t	 i;

	for (i = 0; i < w->nsinks; i++)
		wsink_retire(w, w->sinks[i]);
	free(w->sinks);
	w->sinks = NULL;
	w->nsinks = 0;
}

static void
sinks_open(struct watch *w)
{
	struct sink_env	 env;
	char		 err[256];
	size_t		 i;

	env.base = w->base;
	env.multi = w->m;
	env.user_agent = w->cf->daemon.user_agent;
	w->nsinks = w->cf->nsinks;
	w->sinks = xcalloc(w->nsinks + 1, sizeof(*w->sinks));
	for (i = 0; i < w->nsinks; i++) {
		w->sinks[i] = xcalloc(1, sizeof(*w->sinks[i]));
		w->sinks[i]->name = xstrdup(w->cf->sinks[i].name);
		if (w->dry)
			continue;
		if ((w->sinks[i]->sink = sink_new(&w->cf->sinks[i], &env, err,
		    sizeof(err))) == NULL)
			log_warnx("sink '%s': %s; its alerts stay queued until "
			    "it can be sent", w->cf->sinks[i].name, err);
	}
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	deliver(arg);
}

/*
 * Commits what the store has grouped.  A failed commit loses the group's
 * polls and delivery marks, which are redone (see store.h); say so.
 */
static void
flush(struct watch *w)
{
	if (store_flush(w->st) == -1) {
		log_warnx("state '%s': recent polls and deliveries could not be "
		    "recorded; they are redone", store_path(w->st));
		metrics_rollback();
		w->failed = 1;
	} else
		metrics_commit();
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
	flush(arg);
}

struct watch *
watch_new(const struct config *cf, struct event_base *base,
    struct xfer_multi *m, int dry_run)
{
	struct watch	*w;
	char		*path;
	const struct timeval flush_every = { 0, WATCH_FLUSH_USEC };

	w = xcalloc(1, sizeof(*w));
	w->cf = cf;
	w->base = base;
	w->m = m;
	w->dry = dry_run;
	TAILQ_INIT(&w->retired);
	w->flying = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    NULL);
	path = cf->daemon.state ? xstrdup(cf->daemon.state) :
	    store_default_path();
	w->st = store_open(path, dry_run ? STORE_DRY : STORE_WRITE);
	free(path);
	if (w->st == NULL) {
		g_hash_table_destroy(w->flying);
		free(w);
		return NULL;
	}
	if ((w->timer = evtimer_new(base, on_timer, w)) == NULL ||
	    (w->flush = event_new(base, -1, EV_PERSIST, on_flush, w)) == NULL ||
	    event_add(w->flush, &flush_every) == -1)
		fatalx("%s: cannot create timers", __func__);
	sinks_open(w);
	return w;
}

void
watch_free(struct watch *w)
{
	struct wsink	*ws;
	size_t		 i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nsinks; i++)
		wsink_free(w->sinks[i]);
	free(w->sinks);
	while ((ws = TAILQ_FIRST(&w->retired)) != NULL) {
		TAILQ_REMOVE(&w->retired, ws, entry);
		wsink_free(ws);
	}
	g_hash_table_destroy(w->flying);
	event_free(w->timer);
	event_free(w->flush);
	store_close(w->st);
	free(w);
}

void
watch_reload(struct watch *w, const struct config *cf)
{
	w->cf = cf;
	sinks_retire(w);
	sinks_open(w);
	deliver(w);
}

struct store *
watch_store(struct watch *w)
{
	return w->st;
}

size_t
watch_busy(const struct watch *w)
{
	return w->polls + w->sends;
}

int
watch_failed(const struct watch *w)
{
	return w->failed;
}

void
watch_on_idle(struct watch *w, void (*cb)(void *), void *arg)
{
	w->idle_cb = cb;
	w->idle_arg = arg;
	check_idle(w);
}

void
watch_hold_deliveries(struct watch *w, int hold)
{
	w->hold = hold;
	if (!hold)
		deliver(w);
}

void
watch_deliver(struct watch *w)
{
	deliver(w);
}

void
watch_stop(struct watch *w)
{
	w->stopping = 1;
	event_del(w->timer);
}

/* ---- detection ---- */

static int
on_item(const struct feed_item *it, void *arg)
{
	struct wpoll	*p = arg;

	if (p->nitems == WATCH_MAX_ITEMS)
		return 0;
	p->items = xreallocarray(p->items, p->nitems + 1, sizeof(*p->items));
	p->items[p->nitems++] = feed_item_dup(it);
	return 0;
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

static const struct config_topic *
topic_find(const struct config *cf, const char *name)
{
	size_t	 i;

	for (i = 0; i < cf->ntopics; i++)
		if (strcmp(cf->topics[i].name, name) == 0)
			return &cf->topics[i];
	return NULL;
}

struct detect {
	struct wpoll		*p;
	const struct feed_item	*item;
	time_t			 now;
	size_t			 alerts;
	int			 error;
};

static int
on_match(const struct match *m, void *arg)
{
	struct detect			*d = arg;
	struct watch			*w = d->p->w;
	const struct config_topic	*t;
	struct alert			 a;
	char				*json, *keys[STORY_NKEYS];
	size_t				 i;
	int				 claim;

	memset(&a, 0, sizeof(a));
	a.topic = m->topic;
	a.query = m->query;
	a.feed = d->p->f->name;
	a.feed_title = d->item->feed_title;
	a.item = d->item;
	a.matched = m->words;
	a.nmatched = m->nwords;
	a.snippet = m->snippet;
	a.detected = d->now;
	alert_set_id(&a);
	story_keys(d->item, keys);
	claim = store_story_claim(w->st, m->topic, (const char *const *)keys,
	    STORY_NKEYS, a.feed, a.id, d->now);
	story_keys_clear(keys);
	if (claim == -1) {
		d->error = 1;
		return -1;
	}
	if (claim == 0) {
		log_debug("feed '%s': item '%s' already alerted for topic '%s' "
		    "from another feed", a.feed, d->item->id, m->topic);
		return 0;
	}
	if ((json = alert_to_json(&a)) == NULL) {
		log_warnx("feed '%s': alert for item '%s' cannot be encoded",
		    a.feed, d->item->id);
		return 0;
	}
	d->alerts++;
	metrics_match(m->topic);
	t = topic_find(w->cf, m->topic);
	if (w->dry)
		puts(json);
	else
		for (i = 0; i < w->cf->nsinks; i++) {
			if (!topic_wants_sink(t, w->cf->sinks[i].name))
				continue;
			if (store_outbox_add(w->st, w->cf->sinks[i].name,
			    m->topic, a.id, json, d->now) == -1) {
				d->error = 1;
				break;
			}
		}
	free(json);
	return d->error ? -1 : 0;
}

/* On a feed's first poll only items dated within 'backfill' alert. */
static int
within_backfill(const struct watch *w, const struct feed_item *it,
    time_t now)
{
	time_t	 t = it->published != FEED_ITEM_NO_DATE ? it->published :
	    it->updated;

	return t != FEED_ITEM_NO_DATE &&
	    t >= duration_after(now, -w->cf->daemon.backfill);
}

/*
 * Queues a feed-health alert for each health sink: the number queued, or
 * -1 if the store failed.
 */
static int
health_alert(struct wpoll *p, time_t now, int recovered)
{
	struct watch		*w = p->w;
	const struct config_feed *f = p->f;
	struct feed_item	 it;
	struct alert		 a;
	const char		*matched = recovered ? "recovered" : "failing";
	char			*json, *title, *seed, *link, since[21];
	size_t			 i;
	int			 n = 0;

	if (w->cf->daemon.health_sinks.n == 0)
		return 0;
	feed_time_format(p->fs.failing_since, since);
	title = recovered ?
	    xasprintf("feed '%s' recovered (failing since %s)", f->name, since) :
	    xasprintf("feed '%s' has been failing since %s: %s", f->name,
	    since, p->fs.error ? p->fs.error : "unknown error");
	seed = xasprintf("feed-health\n%s\n%ld\n%d", f->name,
	    (long)p->fs.failing_since, recovered);
	link = url_redact(f->url);
	memset(&it, 0, sizeof(it));
	it.id = seed;
	it.title = title;
	it.link = link;
	it.published = now;
	it.updated = FEED_ITEM_NO_DATE;
	memset(&a, 0, sizeof(a));
	a.topic = "feed-health";
	a.feed = f->name;
	a.item = &it;
	a.matched = &matched;
	a.nmatched = 1;
	a.snippet = p->fs.error ? p->fs.error : "";
	a.detected = now;
	alert_set_id_from(&a, seed);
	json = alert_to_json(&a);
	log_warnx("%s", title);
	for (i = 0; json != NULL && i < w->cf->daemon.health_sinks.n; i++) {
		if (w->dry)
			puts(json);
		else if (store_outbox_add(w->st,
		    w->cf->daemon.health_sinks.v[i], "feed-health", a.id, json,
		    now) == -1) {
			n = -1;
			break;
		}
		n++;
	}
	free(json);
	free(link);
	free(seed);
	free(title);
	return n;
}

/*
 * A 301 or 308 is followed at once, but the feed is polled at its new URL
 * directly only once WATCH_MOVED_POLLS polls in a row were sent there:
 * one answer (a misconfigured server's, or a hostile one's) must not take
 * a feed away from the URL the user gave.  A poll answered without a
 * permanent redirect starts the count again; one never answered (a
 * network error) says nothing either way.
 */
static void
note_redirect(struct wpoll *p, const struct fetch_result *r)
{
	struct feed_state	*fs = &p->fs;
	char			*from, *to;

	if (r->permanent_url == NULL || !url_is_web(r->permanent_url)) {
		if (r->http_code != 0) {
			free(fs->redirect_to);
			fs->redirect_to = NULL;
			fs->redirects = 0;
		}
		return;
	}
	if (fs->redirect_to == NULL ||
	    strcmp(fs->redirect_to, r->permanent_url) != 0) {
		free(fs->redirect_to);
		fs->redirect_to = xstrdup(r->permanent_url);
		fs->redirects = 0;
	}
	if (++fs->redirects < WATCH_MOVED_POLLS)
		return;
	from = url_redact(fs->moved_to != NULL ? fs->moved_to : p->f->url);
	to = url_redact(fs->redirect_to);
	log_warnx("feed '%s': %s moved permanently to %s (%d polls in a row "
	    "said so); polling the new URL from now on: update the feed's url "
	    "in the config", p->f->name, from, to, WATCH_MOVED_POLLS);
	free(from);
	free(to);
	free(fs->moved_to);
	fs->moved_to = fs->redirect_to;
	fs->redirect_to = NULL;
	fs->redirects = 0;
}

/* The poll's transaction: feed state, items, stories, outbox. */
static int
record_poll(struct wpoll *p, const struct fetch_result *r,
    struct poll_outcome *out)
{
	struct watch		*w = p->w;
	struct feed_state	*fs = &p->fs;
	struct detect		 d;
	struct match_feed	 mf;
	time_t			 now = time(NULL);
	size_t			 i;
	int			 first, isnew, ok, health = 0;
	char			*key;

	memset(&d, 0, sizeof(d));
	d.p = p;
	d.now = now;
	mf.name = p->f->name;
	mf.tags = (const char *const *)p->f->tags.v;
	mf.ntags = p->f->tags.n;
	fs->last_poll = now;
	fs->http_status = r->http_code;
	ok = r->status == FETCH_OK || r->status == FETCH_NOT_MODIFIED;
	if (r->status == FETCH_OK) {
		/* A first poll at this URL: a new feed, or a new url. */
		if ((first = store_feed_has_items(w->st, p->f->name)) == -1)
			goto fail;
		first = !first || fs->last_parsed == 0;
		for (i = 0; i < p->nitems; i++) {
			key = feed_item_key(p->items[i]);
			isnew = store_item_add(w->st, p->f->name, key,
			    p->items[i], now);
			free(key);
			if (isnew == -1)
				goto fail;
			if (!isnew)
				continue;
			out->new_items++;
			if (first && !within_backfill(w, p->items[i], now))
				continue;
			d.item = p->items[i];
			matcher_match(w->cf->matcher, p->items[i], &mf,
			    on_match, &d);
			if (d.error)
				goto fail;
		}
		/*
		 * Every item new, on a feed read before at this URL: its
		 * window moved past all we saw, and items published in between
		 * may have been missed.  A window of one item turns over with
		 * every new item, which tells nothing, so it takes two.
		 */
		if (!first && p->nitems >= WATCH_OVERFLOW_ITEMS &&
		    out->new_items == p->nitems) {
			out->overflowed = 1;
			fs->missed++;
			log_warnx("feed '%s': all %zu items are new: the feed's "
			    "window overflowed since the last poll and items "
			    "may have been missed; polling it more often",
			    p->f->name, p->nitems);
		}
		free(fs->etag);
		free(fs->last_modified);
		fs->etag = r->etag ? xstrdup(r->etag) : NULL;
		fs->last_modified = r->last_modified ?
		    xstrdup(r->last_modified) : NULL;
		fs->last_parsed = now;
		fs->ttl = r->ttl;
	}
	note_redirect(p, r);
	if (ok) {
		if (fs->health_alerted) {
			health = health_alert(p, now, 1);
			fs->health_alerted = 0;
		}
		fs->last_ok = now;
		fs->failures = 0;
		fs->failing_since = 0;
		free(fs->error);
		fs->error = NULL;
	} else {
		fs->failures++;
		if (fs->failing_since == 0)
			fs->failing_since = now;
		free(fs->error);
		fs->error = xasprintf("%s%s%s", fetch_status_name(r->status),
		    r->error ? ": " : "", r->error ? r->error : "");
		if (!fs->health_alerted && now >= duration_after(
		    fs->failing_since, w->cf->daemon.dead_after)) {
			health = health_alert(p, now, 0);
			fs->health_alerted = 1;
		}
	}
	fs->gone = r->http_code == 410;
	if (health == -1 || store_feed_put(w->st, p->f->name, fs) == -1)
		goto fail;
	/* feed-health alerts count: poll_done() delivers when there are any */
	out->alerts = d.alerts + (size_t)health;
	out->failures = fs->failures;
	/* A 304 repeats the body of the last parse, and so its <ttl>. */
	out->min_interval = r->max_age > fs->ttl ? r->max_age : fs->ttl;
	/*
	 * A dry run computes everything and keeps nothing, and it holds the
	 * state's write lock no longer than this.
	 */
	if (w->dry)
		store_abort(w->st);
	return 0;
 fail:
	store_abort(w->st);
	metrics_rollback();
	return -1;
}

static void
poll_done(const struct fetch_result *r, void *arg)
{
	struct wpoll		*p = arg;
	struct watch		*w = p->w;
	struct poll_outcome	 o;
	char			*shown;
	size_t			 i;

	memset(&o, 0, sizeof(o));
	o.retry_after = r->retry_after;
	o.gone = r->http_code == 410;
	o.ok = r->status == FETCH_OK || r->status == FETCH_NOT_MODIFIED;
	if (r->status == FETCH_CANCELLED)
		goto out;
	metrics_poll(fetch_status_name(r->status), r->http_code, r->bytes,
	    r->items);
	if (!o.ok) {
		shown = url_redact(p->f->url);
		log_warnx("feed '%s' (%s): %s%s%s", p->f->name, shown,
		    fetch_status_name(r->status), r->error ? ": " : "",
		    r->error ? r->error : "");
		free(shown);
		w->failed = 1;
	}
	if (o.gone)
		log_warnx("feed '%s': 410 Gone: polling stopped; remove it "
		    "from the config", p->f->name);
	if (record_poll(p, r, &o) == -1) {
		/* Nothing was recorded: the next poll sees the same items. */
		log_warnx("feed '%s': the poll could not be recorded; it and "
		    "the others since the last commit are redone",
		    p->f->name);
		o.ok = 0;
		w->failed = 1;
	} else if (r->status == FETCH_OK) {
		metrics_items_new(o.new_items);
		log_debug("feed '%s': %zu items, %zu new, %zu alerts",
		    p->f->name, p->nitems, o.new_items, o.alerts);
	}
 out:
	for (i = 0; i < p->nitems; i++)
		feed_item_free(p->items[i]);
	free(p->items);
	w->polls--;
	if (p->cb != NULL)
		p->cb(p->f, &o, p->arg);
	feed_state_clear(&p->fs);
	free(p);
	if (o.alerts > 0)
		deliver(w);
	check_idle(w);
}

int
watch_poll(struct watch *w, const struct config_feed *f, watch_poll_cb *cb,
    void *arg)
{
	struct wpoll		*p;
	struct fetch_opts	 o;
	char			*shown;

	p = xcalloc(1, sizeof(*p));
	p->w = w;
	p->f = f;
	p->cb = cb;
	p->arg = arg;
	if (store_feed_get(w->st, f->name, &p->fs) == -1) {
		free(p);
		return -1;
	}
	if (feed_state_rebind(&p->fs, f->url)) {
		shown = url_redact(f->url);
		log_info("feed '%s': new url %s: polled afresh, without the "
		    "validators, redirects and failures of the old one",
		    f->name, shown);
		free(shown);
	}
	memset(&o, 0, sizeof(o));
	o.url = p->fs.moved_to ? p->fs.moved_to : f->url;
	o.user_agent = w->cf->daemon.user_agent;
	o.timeout = w->cf->daemon.timeout;
	o.max_size = w->cf->daemon.max_size;
	o.etag = p->fs.etag;
	o.last_modified = p->fs.last_modified;
	if (fetch_start(w->m, &o, on_item, poll_done, p) == -1) {
		feed_state_clear(&p->fs);
		free(p);
		return -1;
	}
	w->polls++;
	return 0;
}

/* ---- delivery ---- */

static int
in_flight(const struct watch *w, int64_t id)
{
	return g_hash_table_contains(w->flying, &id);
}

/* The payload with also_in as known now (feeds that saw the story later). */
static char *
with_also_in(struct watch *w, const struct outbox_row *row)
{
	json_t		*o, *arr;
	char		**feeds, *s;
	size_t		 i;

	feeds = store_story_also_in(w->st, row->alert_id);
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
backoff(const struct watch *w, int attempts)
{
	long	 d = w->cf->daemon.retry;

	while (attempts-- > 0 && d < WATCH_RETRY_MAX)
		d *= 2;
	if (d > WATCH_RETRY_MAX)
		d = WATCH_RETRY_MAX;
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
retry_at(const struct watch *w, const struct outbox_row *row,
    long retry_after, time_t now)
{
	long	 d = backoff(w, row->attempts);
	time_t	 next, end = duration_after(row->created, WATCH_RETRY_FOR);

	if (retry_after > d)
		d = retry_after;
	next = duration_after(now, d);
	return next < end ? next : end;
}

static void
wsend_free(struct wsend *s)
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
	struct wsend	*s = arg;
	struct watch	*w = s->w;
	struct wsink	*ws;
	time_t		 now = time(NULL), next;
	size_t		 i;
	int		 rc = 0;

	metrics_delivery(s->sink, s->nrows, r == SINK_DELIVERED);
	if (r == SINK_DELIVERED) {
		rc |= store_send_log(w->st, s->sink, s->topic, now);
		log_info("sink '%s': %s %s delivered (topic '%s')", s->sink,
		    s->nrows == 1 ? "alert" : "digest of",
		    s->nrows == 1 ? s->rows[0].alert_id : "several alerts",
		    s->topic);
	} else
		w->failed = 1;
	for (i = 0; i < s->nrows; i++) {
		struct outbox_row *row = &s->rows[i];

		if (r == SINK_DELIVERED)
			rc |= store_outbox_delivered(w->st, row->id, now);
		else if (r == SINK_FAILED ||
		    now >= duration_after(row->created, WATCH_RETRY_FOR)) {
			rc |= store_outbox_failed(w->st, row->id, now, error);
			log_warnx("sink '%s': alert %s failed for good: %s",
			    s->sink, row->alert_id, error ? error : "?");
		} else {
			next = retry_at(w, row, retry_after, now);
			rc |= store_outbox_retry(w->st, row->id, next, error);
			if (i == 0)
				log_info("sink '%s': not delivered (%s); retry "
				    "in %lds", s->sink, error ? error : "?",
				    (long)(next - now));
		}
	}
	if (rc != 0)
		w->failed = 1;
	/* A delivery is recorded at once: a crash now must not re-send it. */
	flush(w);
	for (i = 0; i < s->nrows; i++)
		g_hash_table_remove(w->flying, &s->rows[i].id);
	ws = s->ws;
	ws->sending--;
	if (ws->retired) {
		log_info("sink '%s': a delivery in flight at the reload "
		    "finished on the old sink", s->sink);
		wsink_retire(w, ws);
	}
	w->sends--;
	wsend_free(s);
	deliver(w);
	check_idle(w);
}

/* Sends rows[0..n) of one topic as one message; takes the rows. */
static void
send_rows(struct watch *w, struct wsink *ws, struct outbox_row *rows,
    size_t n)
{
	struct wsend	*s;
	size_t		 i;

	s = xcalloc(1, sizeof(*s));
	s->w = w;
	s->ws = ws;
	s->sink = xstrdup(ws->name);
	s->topic = xstrdup(rows[0].topic);
	s->rows = xcalloc(n, sizeof(*s->rows));
	s->payloads = xcalloc(n, sizeof(*s->payloads));
	s->nrows = n;
	for (i = 0; i < n; i++) {
		s->rows[i] = rows[i];
		memset(&rows[i], 0, sizeof(rows[i]));
		s->payloads[i] = with_also_in(w, &s->rows[i]);
	}
	if (sink_send(ws->sink, (const char *const *)s->payloads, n, send_done,
	    s) == -1) {
		log_warnx("sink '%s': cannot start a delivery; retried later",
		    ws->name);
		for (i = 0; i < n; i++)
			store_outbox_retry(w->st, s->rows[i].id,
			    duration_after(time(NULL), backoff(w,
			    s->rows[i].attempts)), "cannot start");
		wsend_free(s);
		return;
	}
	for (i = 0; i < n; i++)
		g_hash_table_add(w->flying, g_memdup2(&s->rows[i].id,
		    sizeof(s->rows[i].id)));
	ws->sending++;
	w->sends++;
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
defer_rows(struct watch *w, struct outbox_row *rows, size_t n, time_t until,
    int fold)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (store_outbox_defer(w->st, rows[i].id, until, fold) == -1)
			w->failed = 1;
}

/*
 * The delivery policy of one topic's due rows on one sink: quiet hours
 * hold them (to go out as one digest when they end), a digest window
 * batches them, a rate cap sends what it allows and folds the rest into
 * one digest when the window has room again.  priority = high, and alerts
 * that belong to no topic (feed health), skip all of it.
 */
static void
deliver_topic(struct watch *w, struct wsink *ws, struct outbox_row *rows,
    size_t n, time_t now)
{
	const struct config_topic	*t = topic_find(w->cf, rows[0].topic);
	size_t				 i, nfold = 0, allowed;
	long				 left, sent;
	time_t				 oldest, first = rows[0].created;

	for (i = 0; i < n; i++) {
		nfold += rows[i].fold != 0;
		if (rows[i].created < first)
			first = rows[i].created;
	}
	if (t == NULL || t->priority == PRIORITY_HIGH) {
		for (i = 0; i < n && !sink_full(w, ws); i++)
			send_rows(w, ws, &rows[i], 1);
		return;
	}
	if ((left = quiet_left(t, now)) > 0) {
		defer_rows(w, rows, n, duration_after(now, left), 1);
		return;
	}
	if (t->digest > 0 && duration_after(first, t->digest) > now) {
		defer_rows(w, rows, n, duration_after(first, t->digest), 1);
		return;
	}
	if (t->digest > 0 || nfold > 0) {
		/* One message, counted once against the rate. */
		send_rows(w, ws, rows, n);
		return;
	}
	if (t->rate_count > 0) {
		if (store_send_count(w->st, ws->name, t->name,
		    duration_after(now, -t->rate_period), &sent, &oldest) == -1)
			return;
		allowed = sent < t->rate_count ? (size_t)(t->rate_count - sent) :
		    0;
		for (i = 0; i < n && i < allowed && !sink_full(w, ws); i++)
			send_rows(w, ws, &rows[i], 1);
		if (i < n && i == allowed) {
			log_info("sink '%s': topic '%s' is over its rate of "
			    "%ld/%lds; %zu alerts fold into one digest",
			    ws->name, t->name, t->rate_count, t->rate_period,
			    n - i);
			defer_rows(w, &rows[i], n - i, duration_after(oldest ?
			    oldest : now, t->rate_period), 1);
		}
		return;
	}
	for (i = 0; i < n && !sink_full(w, ws); i++)
		send_rows(w, ws, &rows[i], 1);
}

static void
arm_timer(struct watch *w)
{
	struct timeval	 tv = { 0, 0 };
	time_t		 next, now = time(NULL);

	if ((next = store_outbox_next(w->st)) == 0)
		return;
	tv.tv_sec = next > now ? next - now : 1;
	event_add(w->timer, &tv);
}

#define WATCH_DUE_BATCH	256

static void
deliver(struct watch *w)
{
	struct wsink		*ws;
	struct outbox_row	*rows, *group;
	size_t			 i, j, k, n, ngroup;
	time_t			 now = time(NULL);

	if (w->dry || w->hold || w->stopping)
		return;
	/* An alert is durable before its first try: commit the group first. */
	flush(w);
	for (i = 0; i < w->nsinks; i++) {
		ws = w->sinks[i];
		if (ws->sink == NULL || sink_full(w, ws))
			continue;
		if (store_outbox_due(w->st, ws->name, now, WATCH_DUE_BATCH,
		    &rows, &n) == -1)
			continue;
		group = xcalloc(n + 1, sizeof(*group));
		/* Topic by topic, in the order their oldest row is due. */
		for (j = 0; j < n && !sink_full(w, ws); j++) {
			if (rows[j].topic == NULL || in_flight(w, rows[j].id))
				continue;
			ngroup = 0;
			for (k = j; k < n; k++) {
				if (rows[k].topic == NULL ||
				    strcmp(rows[k].topic, rows[j].topic) != 0 ||
				    in_flight(w, rows[k].id))
					continue;
				group[ngroup++] = rows[k];
				if (k != j)
					memset(&rows[k], 0, sizeof(rows[k]));
			}
			memset(&rows[j], 0, sizeof(rows[j]));
			deliver_topic(w, ws, group, ngroup, now);
			for (k = 0; k < ngroup; k++)
				outbox_row_clear(&group[k]);
		}
		free(group);
		outbox_rows_free(rows, n);
	}
	arm_timer(w);
}

/* Idle: nothing in flight and nothing due now on a sink we can send to. */
static void
check_idle(struct watch *w)
{
	struct outbox_row	*rows;
	size_t			 i, n;
	void			(*cb)(void *);

	if (w->idle_cb == NULL || w->polls > 0 || w->sends > 0)
		return;
	for (i = 0; !w->dry && i < w->nsinks; i++) {
		if (w->sinks[i]->sink == NULL)
			continue;
		if (store_outbox_due(w->st, w->sinks[i]->name, time(NULL), 1,
		    &rows, &n) == 0) {
			outbox_rows_free(rows, n);
			if (n > 0 && !w->hold)
				return;
		}
	}
	cb = w->idle_cb;
	w->idle_cb = NULL;
	cb(w->idle_arg);
}
