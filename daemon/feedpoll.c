/*
 * feedpoll.c: one poll: the transfer, the items collected as they
 * stream in, and record_poll(), the transaction that makes them seen,
 * matched, claimed and queued.
 */
#include "feedpoll.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "config.h"
#include "duration.h"
#include "fetch.h"
#include "fulltext.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "metrics.h"
#include "outbox.h"
#include "push.h"
#include "store.h"
#include "storyclaim.h"
#include "url.h"
#include "xmalloc.h"

#define FEEDPOLL_MAX_ITEMS	10000	/* kept per poll; newest come first */
#define FEEDPOLL_MOVED_POLLS	3	/* polls in a row that saw a 301/308 */
#define FEEDPOLL_OVERFLOW_ITEMS	2	/* fewest that can show an overflow */

struct feedpoll {
	const struct feedpoll_env *env;
	const struct config_feed *f;
	struct feed_state	 fs;
	struct feed_item	**items;
	size_t			 nitems;
	struct fulltext_job	**jobs;		/* articles to fetch */
	size_t			 njobs;
	feedpoll_done_cb	*cb;
	void			*arg;
};

static int
on_item(const struct feed_item *it, void *arg)
{
	struct feedpoll	*p = arg;

	if (p->nitems == FEEDPOLL_MAX_ITEMS)
		return 0;
	p->items = xreallocarray(p->items, p->nitems + 1, sizeof(*p->items));
	p->items[p->nitems++] = feed_item_dup(it);
	return 0;
}

struct detect {
	struct feedpoll		*p;
	const struct feed_item	*item;
	struct storyclaim	 story;		/* of the item */
	time_t			 now;
	size_t			 alerts;
	int			 error;
};

int
feedpoll_alert(const struct feedpoll_env *env, const char *feed,
    struct storyclaim *story, const struct match *m, time_t now)
{
	const struct feed_item		*it = story->item;
	const struct config_topic	*t;
	struct alert			 a;
	char				*json;
	int				 claim, rc;

	/*
	 * A muted topic does not alert, nor claim the story: the item is
	 * seen all the same, so that unmuting it alerts only what comes
	 * after.
	 */
	if (store_muted(env->st, m->topic, now)) {
		log_debug("feed '%s': item '%s' matches topic '%s', which is "
		    "muted", feed, it->id, m->topic);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	a.topic = m->topic;
	a.query = m->query;
	if ((t = config_topic_find(env->cf, m->topic)) != NULL)
		a.priority = config_priority_name(t->priority);
	a.feed = feed;
	a.feed_title = it->feed_title;
	a.item = it;
	a.matched = m->words;
	a.nmatched = m->nwords;
	a.matched_in = m->fields;
	a.nmatched_in = m->nfields;
	a.snippet = m->snippet;
	a.detected = now;
	alert_set_id(&a);
	claim = storyclaim_claim(story, env->st, m->topic, a.feed, a.id, now);
	if (claim != 1) {
		if (claim == 0)
			log_debug("feed '%s': item '%s' is a story already "
			    "alerted for topic '%s'", a.feed, it->id, m->topic);
		return claim;
	}
	if ((json = alert_to_json(&a)) == NULL) {
		log_warnx("feed '%s': alert for item '%s' cannot be encoded",
		    a.feed, it->id);
		return 0;
	}
	metrics_match(m->topic);
	rc = outbox_add(env->ob, m->topic, a.id, json, now) == -1 ? -1 : 1;
	free(json);
	return rc;
}

static int
on_match(const struct match *m, void *arg)
{
	struct detect	*d = arg;
	int		 rc;

	if ((rc = feedpoll_alert(d->p->env, d->p->f->name, &d->story, m,
	    d->now)) == -1) {
		d->error = 1;
		return -1;
	}
	d->alerts += (size_t)rc;
	return 0;
}

/* On a feed's first poll only items dated within 'backfill' alert. */
static int
within_backfill(const struct config *cf, const struct feed_item *it,
    time_t now)
{
	time_t	 t = it->published != FEED_ITEM_NO_DATE ? it->published :
	    it->updated;

	return t != FEED_ITEM_NO_DATE &&
	    t >= duration_after(now, -cf->daemon.backfill);
}

/*
 * Queues a feed-health alert for each health sink: the number queued, or
 * -1 if the store failed.
 */
static int
health_alert(struct feedpoll *p, time_t now, int recovered)
{
	const struct feedpoll_env *env = p->env;
	const struct config_feed *f = p->f;
	struct feed_item	 it;
	struct alert		 a;
	const char		*matched = recovered ? "recovered" : "failing";
	char			*json, *title, *seed, *link, since[21];
	int			 n = 0;

	if (env->cf->daemon.health_sinks.n == 0)
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
	if (json != NULL)
		n = outbox_add_health(env->ob, a.id, json, now);
	free(json);
	free(link);
	free(seed);
	free(title);
	return n;
}

/*
 * A 301 or 308 is followed at once, but the feed is polled at its new URL
 * directly only once FEEDPOLL_MOVED_POLLS polls in a row were sent there:
 * one answer (a misconfigured server's, or a hostile one's) must not take
 * a feed away from the URL the user gave.  A poll answered without a
 * permanent redirect starts the count again; one never answered (a
 * network error) says nothing either way.
 */
static void
note_redirect(struct feedpoll *p, const struct fetch_result *r)
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
	if (++fs->redirects < FEEDPOLL_MOVED_POLLS)
		return;
	from = url_redact(fs->moved_to != NULL ? fs->moved_to : p->f->url);
	to = url_redact(fs->redirect_to);
	log_warnx("feed '%s': %s moved permanently to %s (%d polls in a row "
	    "said so); polling the new URL from now on: update the feed's url "
	    "in the config", p->f->name, from, to, FEEDPOLL_MOVED_POLLS);
	free(from);
	free(to);
	free(fs->moved_to);
	fs->moved_to = fs->redirect_to;
	fs->redirect_to = NULL;
	fs->redirects = 0;
}

/*
 * What a parsed feed says of itself, for `opml export`: its title, and
 * its site's address where that may be shown as a link.
 */
static void
note_about(struct feed_state *fs, const struct fetch_result *r)
{
	free(fs->title);
	free(fs->link);
	fs->title = r->feed_title != NULL ? xstrdup(r->feed_title) : NULL;
	fs->link = url_is_web(r->feed_link) ? xstrdup(r->feed_link) : NULL;
}

/*
 * The items' dates, for interval = auto's first guess at the feed's pace:
 * how many are sane (not later than now, give or take an hour of clock
 * skew) and the oldest of those.
 */
static void
note_dates(const struct feedpoll *p, time_t now, struct poll_outcome *out)
{
	time_t	 t;
	size_t	 i;

	for (i = 0; i < p->nitems; i++) {
		t = p->items[i]->published != FEED_ITEM_NO_DATE ?
		    p->items[i]->published : p->items[i]->updated;
		if (t == FEED_ITEM_NO_DATE || t <= 0 || t > now + 3600)
			continue;
		if (out->dated++ == 0 || t < out->oldest)
			out->oldest = t;
	}
}

/*
 * One item of a poll, in its transaction: seen; if new (and, on a first
 * poll, within backfill) matched, and its article queued when its feed
 * wants the full text.  1 if it is new, 0 if not, -1 if the store failed.
 */
static int
record_item(struct feedpoll *p, struct detect *d, const struct match_feed *mf,
    const char *key, const struct feed_item *it, int first)
{
	const struct feedpoll_env *env = p->env;
	int			 isnew;

	if ((isnew = store_item_add(env->st, p->f->name, key, it,
	    d->now)) != 1)
		return isnew;
	if (first && !within_backfill(env->cf, it, d->now))
		return 1;
	d->item = it;
	storyclaim_init(&d->story, it, env->signer, &env->cf->daemon);
	matcher_match(env->cf->matcher, it, mf, on_match, d);
	storyclaim_release(&d->story);
	if (d->error)
		return -1;
	if (!fulltext_wanted(env->cf, p->f, it))
		return 1;
	if (store_article_add(env->st, p->f->name, key, d->now) == -1)
		return -1;
	p->jobs = xreallocarray(p->jobs, p->njobs + 1, sizeof(*p->jobs));
	p->jobs[p->njobs++] = fulltext_job_new(p->f->name, key, it);
	return 1;
}

/*
 * The items of a body, in the store's open group: each one recorded
 * (record_item), new ones matched only within backfill on a feed's first
 * parse at its URL.  An overflow (every item new) is flagged for polls
 * only ('polled'): a hub pushes what changed, not the feed's window.
 */
static int
record_items(struct feedpoll *p, int polled, struct detect *d,
    struct poll_outcome *out)
{
	const struct feedpoll_env *env = p->env;
	struct match_feed	 mf;
	size_t			 i;
	int			 first, isnew;
	char			*key;

	mf.name = p->f->name;
	mf.tags = (const char *const *)p->f->tags.v;
	mf.ntags = p->f->tags.n;
	/* A first poll at this URL: a new feed, or a new url. */
	if ((first = store_feed_has_items(env->st, p->f->name)) == -1)
		return -1;
	first = !first || p->fs.last_parsed == 0;
	for (i = 0; i < p->nitems; i++) {
		key = feed_item_key(p->items[i]);
		isnew = record_item(p, d, &mf, key, p->items[i], first);
		free(key);
		if (isnew == -1)
			return -1;
		out->new_items += (size_t)isnew;
	}
	/*
	 * Every item new, on a feed read before at this URL: its window
	 * moved past all we saw, and items published in between may have
	 * been missed.  A window of one item turns over with every new
	 * item, which tells nothing, so it takes two.
	 */
	if (polled && !first && p->nitems >= FEEDPOLL_OVERFLOW_ITEMS &&
	    out->new_items == p->nitems) {
		out->overflowed = 1;
		p->fs.missed++;
		log_warnx("feed '%s': all %zu items are new: the feed's window "
		    "overflowed since the last poll and items may have been "
		    "missed; polling it more often", p->f->name, p->nitems);
	}
	return 0;
}

/* The poll's transaction: feed state, items, stories, outbox, articles. */
static int
record_poll(struct feedpoll *p, const struct fetch_result *r,
    struct poll_outcome *out)
{
	const struct feedpoll_env *env = p->env;
	struct feed_state	*fs = &p->fs;
	struct detect		 d;
	time_t			 now = time(NULL);
	int			 ok, health = 0;

	memset(&d, 0, sizeof(d));
	d.p = p;
	d.now = now;
	fs->last_poll = now;
	fs->http_status = r->http_code;
	ok = r->status == FETCH_OK || r->status == FETCH_NOT_MODIFIED;
	if (r->status == FETCH_OK) {
		if (record_items(p, 1, &d, out) == -1)
			goto fail;
		free(fs->etag);
		free(fs->last_modified);
		fs->etag = r->etag ? xstrdup(r->etag) : NULL;
		fs->last_modified = r->last_modified ?
		    xstrdup(r->last_modified) : NULL;
		fs->last_parsed = now;
		fs->ttl = r->ttl;
		note_about(fs, r);
		note_dates(p, now, out);
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
		    fs->failing_since, env->cf->daemon.dead_after)) {
			health = health_alert(p, now, 0);
			fs->health_alerted = 1;
		}
	}
	fs->gone = r->http_code == 410;
	if (health == -1 || store_feed_put(env->st, p->f->name, fs) == -1)
		goto fail;
	/* feed-health alerts count: the watch delivers when there are any */
	out->alerts = d.alerts + (size_t)health;
	out->failures = fs->failures;
	/* A 304 repeats the body of the last parse, and so its <ttl>. */
	out->min_interval = r->max_age > fs->ttl ? r->max_age : fs->ttl;
	return feedpoll_end(env, 0);
 fail:
	return feedpoll_end(env, -1);
}

int
feedpoll_end(const struct feedpoll_env *env, int rc)
{
	/*
	 * A dry run computes everything and keeps nothing, and it holds the
	 * state's write lock no longer than this.
	 */
	if (rc == -1 || env->dry)
		store_abort(env->st);
	if (rc == -1)
		metrics_rollback();
	return rc;
}

static void
poll_done(const struct fetch_result *r, void *arg)
{
	struct feedpoll		*p = arg;
	struct poll_outcome	 o;
	char			*shown;
	size_t			 i;

	memset(&o, 0, sizeof(o));
	o.retry_after = r->retry_after;
	o.gone = r->http_code == 410;
	o.ok = r->status == FETCH_OK || r->status == FETCH_NOT_MODIFIED;
	o.cancelled = r->status == FETCH_CANCELLED;
	if (o.cancelled)
		goto out;
	metrics_poll(fetch_status_name(r->status), r->http_code, r->bytes,
	    r->items);
	if (!o.ok) {
		shown = url_redact(p->f->url);
		log_warnx("feed '%s' (%s): %s%s%s", p->f->name, shown,
		    fetch_status_name(r->status), r->error ? ": " : "",
		    r->error ? r->error : "");
		free(shown);
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
		for (i = 0; i < p->njobs; i++)
			fulltext_job_free(p->jobs[i]);
	} else if (r->status == FETCH_OK) {
		push_polled(p->env->push, p->f, r->hub, r->self);
		metrics_items_new(o.new_items);
		log_debug("feed '%s': %zu items, %zu new, %zu alerts, %zu "
		    "articles to fetch", p->f->name, p->nitems, o.new_items,
		    o.alerts, p->njobs);
		o.articles = p->jobs;
		o.narticles = p->njobs;
	}
	o.pushed_until = push_lease_end(p->env->push, p->f->name);
 out:
	for (i = 0; i < p->nitems; i++)
		feed_item_free(p->items[i]);
	free(p->items);
	feed_state_clear(&p->fs);
	p->cb(p->f, &o, p->arg);
	free(p->jobs);
	free(p);
}

int
feedpoll_push(const struct feedpoll_env *env, const struct config_feed *f,
    const char *body, size_t len, struct poll_outcome *o)
{
	struct feedpoll	 p;
	struct detect	 d;
	char		*error = NULL;
	size_t		 i;
	int		 rc = -1;

	memset(o, 0, sizeof(*o));
	memset(&p, 0, sizeof(p));
	memset(&d, 0, sizeof(d));
	p.env = env;
	p.f = f;
	d.p = &p;
	d.now = time(NULL);
	if (store_feed_get(env->st, f->name, &p.fs) == -1)
		goto out;
	/* as a poll reads it: a new url is a first parse there */
	(void)feed_state_rebind(&p.fs, f->url);
	if (fetch_parse(p.fs.moved_to ? p.fs.moved_to : f->url, body, len,
	    on_item, &p, &error) == -1) {
		log_debug("feed '%s': a pushed body is not a feed (%s); "
		    "dropped", f->name, error);
		goto out;
	}
	if (feedpoll_end(env, record_items(&p, 0, &d, o)) == -1) {
		log_warnx("feed '%s': a pushed body could not be recorded; "
		    "the next poll sees its items", f->name);
		for (i = 0; i < p.njobs; i++)
			fulltext_job_free(p.jobs[i]);
		memset(o, 0, sizeof(*o));
		goto out;
	}
	o->ok = 1;
	o->alerts = d.alerts;
	o->articles = p.jobs;
	o->narticles = p.njobs;
	p.jobs = NULL;
	metrics_items_new(o->new_items);
	log_debug("feed '%s': pushed: %zu items, %zu new, %zu alerts, %zu "
	    "articles to fetch", f->name, p.nitems, o->new_items, o->alerts,
	    o->narticles);
	rc = 0;
 out:
	for (i = 0; i < p.nitems; i++)
		feed_item_free(p.items[i]);
	free(p.items);
	free(p.jobs);
	free(error);
	feed_state_clear(&p.fs);
	return rc;
}

int
feedpoll_start(const struct feedpoll_env *env, const struct config_feed *f,
    feedpoll_done_cb *cb, void *arg)
{
	struct feedpoll		*p;
	struct fetch_opts	 o;
	struct fetch_request	 req;
	char			*shown;

	p = xcalloc(1, sizeof(*p));
	p->env = env;
	p->f = f;
	p->cb = cb;
	p->arg = arg;
	if (store_feed_get(env->st, f->name, &p->fs) == -1) {
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
	config_feed_request(env->cf, f, &req);
	o.url = p->fs.moved_to ? p->fs.moved_to : f->url;
	o.req = &req;
	o.timeout = env->cf->daemon.timeout;
	o.max_size = env->cf->daemon.max_size;
	o.etag = p->fs.etag;
	o.last_modified = p->fs.last_modified;
	if (fetch_start(env->m, &o, on_item, poll_done, p) == -1) {
		feed_state_clear(&p->fs);
		free(p);
		return -1;
	}
	return 0;
}
