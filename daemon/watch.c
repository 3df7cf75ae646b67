/*
 * watch.c: the store, the poll path and the delivery path of one config,
 * wired together.
 *
 * The watch counts the polls it started and asks the outbox about sends,
 * so that it can say when nothing is in flight (watch_busy, watch_on_idle).
 * A poll that queued alerts wakes the outbox; a send that ended wakes the
 * idle check.
 */
#include "watch.h"

#include <stdlib.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "story.h"
#include "xmalloc.h"

#define WATCH_FLUSH_USEC	200000	/* grouped writes commit this often */

struct watch {
	struct store		*st;
	struct feedpoll_env	 env;		/* the polls' view of us */
	struct outbox		*ob;
	struct event		*flush;		/* commits grouped writes */
	size_t			 polls;		/* in flight */
	size_t			 articles;	/* fetches in flight */
	int			 failed;	/* a poll failed */
	void			(*idle_cb)(void *);
	void			*idle_arg;
};

/* A poll in flight: whom to tell when it is done. */
struct wpoll {
	struct watch		*w;
	feedpoll_done_cb	*cb;
	void			*arg;
};

/* An article fetch in flight, the same. */
struct wfetch {
	struct watch		*w;
	fulltext_done_cb	*cb;
	void			*arg;
};

static void	check_idle(struct watch *);

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct watch	*w = arg;

	outbox_commit(w->ob);
}

static void
on_sent(void *arg)
{
	check_idle(arg);
}

struct watch *
watch_new(const struct config *cf, struct event_base *base,
    struct xfer_multi *m, int dry_run)
{
	struct watch	*w;
	char		*path;
	const struct timeval flush_every = { 0, WATCH_FLUSH_USEC };

	w = xcalloc(1, sizeof(*w));
	path = store_location(cf->daemon.state);
	w->st = store_open(path, dry_run ? STORE_DRY : STORE_WRITE);
	free(path);
	if (w->st == NULL) {
		free(w);
		return NULL;
	}
	w->ob = outbox_new(cf, w->st, base, m, dry_run, on_sent, w);
	w->env.cf = cf;
	w->env.st = w->st;
	w->env.m = m;
	w->env.ob = w->ob;
	w->env.signer = story_signer_new(STORY_SHINGLE);
	w->env.dry = dry_run;
	if ((w->flush = event_new(base, -1, EV_PERSIST, on_flush, w)) == NULL ||
	    event_add(w->flush, &flush_every) == -1)
		fatalx("%s: cannot create timers", __func__);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	outbox_free(w->ob);
	story_signer_free(w->env.signer);
	event_free(w->flush);
	store_close(w->st);
	free(w);
}

void
watch_reload(struct watch *w, const struct config *cf)
{
	w->env.cf = cf;
	outbox_reload(w->ob, cf);
}

struct store *
watch_store(struct watch *w)
{
	return w->st;
}

size_t
watch_busy(const struct watch *w)
{
	return w->polls + w->articles + outbox_sending(w->ob);
}

int
watch_failed(const struct watch *w)
{
	return w->failed || outbox_failed(w->ob);
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
	outbox_hold(w->ob, hold);
}

void
watch_deliver(struct watch *w)
{
	outbox_deliver(w->ob);
}

void
watch_stop(struct watch *w)
{
	outbox_stop(w->ob);
}

static void
polled(const struct config_feed *f, const struct poll_outcome *o, void *arg)
{
	struct wpoll	*p = arg;
	struct watch	*w = p->w;

	w->polls--;
	if (!o->ok && !o->cancelled)
		w->failed = 1;
	p->cb(f, o, p->arg);
	free(p);
	if (o->alerts > 0)
		outbox_deliver(w->ob);
	check_idle(w);
}

int
watch_poll(struct watch *w, const struct config_feed *f, feedpoll_done_cb *cb,
    void *arg)
{
	struct wpoll	*p;

	p = xcalloc(1, sizeof(*p));
	p->w = w;
	p->cb = cb;
	p->arg = arg;
	if (feedpoll_start(&w->env, f, polled, p) == -1) {
		free(p);
		return -1;
	}
	w->polls++;
	return 0;
}

static void
fetched(const struct fulltext_outcome *o, void *arg)
{
	struct wfetch	*p = arg;
	struct watch	*w = p->w;

	w->articles--;
	p->cb(o, p->arg);
	free(p);
	if (o->alerts > 0)
		outbox_deliver(w->ob);
	check_idle(w);
}

int
watch_fetch_article(struct watch *w, const struct config_feed *f,
    const struct fulltext_job *j, fulltext_done_cb *cb, void *arg)
{
	struct wfetch	*p;

	p = xcalloc(1, sizeof(*p));
	p->w = w;
	p->cb = cb;
	p->arg = arg;
	if (fulltext_start(&w->env, f, j, fetched, p) == -1) {
		free(p);
		return -1;
	}
	w->articles++;
	return 0;
}

int
watch_drop_article(struct watch *w, const struct fulltext_job *j)
{
	return fulltext_drop(&w->env, j);
}

int
watch_push(struct watch *w, const struct config_feed *f, const char *body,
    size_t len, feedpoll_done_cb *cb, void *arg)
{
	struct poll_outcome	 o;

	if (feedpoll_push(&w->env, f, body, len, &o) == -1)
		return -1;
	cb(f, &o, arg);
	/* the jobs are the callback's; their array, ours */
	free(o.articles);
	if (o.alerts > 0)
		outbox_deliver(w->ob);
	return 0;
}

void
watch_set_push(struct watch *w, struct push *p)
{
	w->env.push = p;
}

/* Idle: nothing in flight and nothing due now on a sink we can send to. */
static void
check_idle(struct watch *w)
{
	void	(*cb)(void *);

	if (w->idle_cb == NULL || w->polls > 0 || w->articles > 0 ||
	    !outbox_idle(w->ob))
		return;
	cb = w->idle_cb;
	w->idle_cb = NULL;
	cb(w->idle_arg);
}
