/*
 * fulltext.c: one article fetch (fulltext.h): which items want one, the
 * transfer, and record(), the transaction that matches the item again
 * with its article and queues what the article alone made true.
 */
#include "fulltext.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "artfetch.h"
#include "config.h"
#include "feedpoll.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "storyclaim.h"
#include "store.h"
#include "url.h"
#include "xmalloc.h"

/* A fetch in flight. */
struct fulltext {
	const struct feedpoll_env *env;
	const struct config_feed *f;
	const struct fulltext_job *j;
	fulltext_done_cb	*cb;
	void			*arg;
};

/* The topics an item's feed text made true: the poll alerted those. */
struct topics {
	char		**v;
	size_t		 n;
};

/* What the item with its article made true, and what is new of it. */
struct again {
	const struct fulltext	*ft;
	struct storyclaim	 story;		/* of the item with its body */
	const struct topics	*before;
	time_t			 now;
	size_t			 alerts;
	int			 error;
};

/* 1 if 's' has fewer than 'n' characters (code points). */
static int
shorter(const char *s, long n)
{
	long	 chars = 0;

	for (; s != NULL && *s != '\0' && chars < n; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			chars++;
	return chars < n;
}

static enum feed_content
content(const struct config *cf, const struct config_feed *f)
{
	return f->content != CONTENT_DEFAULT ? f->content : cf->daemon.content;
}

int
fulltext_feed_wants(const struct config *cf, const struct config_feed *f)
{
	return content(cf, f) != CONTENT_SUMMARY;
}

int
fulltext_wanted(const struct config *cf, const struct config_feed *f,
    const struct feed_item *it)
{
	long	 min = f->content_min > 0 ? f->content_min :
	    cf->daemon.content_min;

	if (!url_is_web(it->link))
		return 0;
	return content(cf, f) == CONTENT_FULL ||
	    (content(cf, f) == CONTENT_AUTO && shorter(it->summary, min));
}

struct fulltext_job *
fulltext_job_new(const char *feed, const char *key, const struct feed_item *it)
{
	struct fulltext_job	*j;

	j = xcalloc(1, sizeof(*j));
	j->feed = xstrdup(feed);
	j->key = xstrdup(key);
	j->item = feed_item_dup(it);
	return j;
}

void
fulltext_job_free(struct fulltext_job *j)
{
	if (j == NULL)
		return;
	free(j->feed);
	free(j->key);
	feed_item_free(j->item);
	free(j);
}

static int
note_topic(const struct match *m, void *arg)
{
	struct topics	*t = arg;

	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = xstrdup(m->topic);
	return 0;
}

static void
topics_clear(struct topics *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

static int
on_match(const struct match *m, void *arg)
{
	struct again	*a = arg;
	size_t		 i;
	int		 rc;

	for (i = 0; i < a->before->n; i++)
		if (strcmp(a->before->v[i], m->topic) == 0)
			return 0;
	if ((rc = feedpoll_alert(a->ft->env, a->ft->j->feed, &a->story, m,
	    a->now)) == -1) {
		a->error = 1;
		return -1;
	}
	a->alerts += (size_t)rc;
	return 0;
}

/* The fetch's transaction: new alerts, if any, and the fetch done. */
static int
record(const struct fulltext *ft, const struct artfetch_result *r,
    struct fulltext_outcome *out)
{
	const struct feedpoll_env *env = ft->env;
	const struct fulltext_job *j = ft->j;
	struct feed_item	 with;
	struct topics		 before;
	struct again		 a;
	struct match_feed	 mf;
	char			*body = NULL, *nl;

	memset(&before, 0, sizeof(before));
	memset(&a, 0, sizeof(a));
	mf.name = ft->f->name;
	mf.tags = (const char *const *)ft->f->tags.v;
	mf.ntags = ft->f->tags.n;
	if (r->status == FETCH_OK) {
		matcher_match(env->cf->matcher, j->item, &mf, note_topic,
		    &before);
		/* one line, as feed text is: so are snippets from it */
		body = xstrdup(r->text);
		for (nl = body; (nl = strchr(nl, '\n')) != NULL; )
			*nl = ' ';
		with = *j->item;
		with.body = body;
		a.ft = ft;
		a.before = &before;
		a.now = time(NULL);
		storyclaim_init(&a.story, &with, env->signer, &env->cf->daemon);
		matcher_match(env->cf->matcher, &with, &mf, on_match, &a);
		storyclaim_release(&a.story);
		topics_clear(&before);
		free(body);
		if (a.error)
			goto fail;
	}
	if (store_article_done(env->st, j->feed, j->key) == -1)
		goto fail;
	out->alerts = a.alerts;
	return feedpoll_end(env, 0);
 fail:
	return feedpoll_end(env, -1);
}

static void
fetched(const struct artfetch_result *r, void *arg)
{
	struct fulltext		*ft = arg;
	struct fulltext_outcome	 o;
	char			*shown;

	memset(&o, 0, sizeof(o));
	if ((o.cancelled = r->status == FETCH_CANCELLED))
		goto out;
	shown = url_redact(ft->j->item->link);
	if (r->status != FETCH_OK)
		log_warnx("feed '%s': article %s: %s%s%s; its item is matched "
		    "on the feed's text only", ft->j->feed, shown,
		    fetch_status_name(r->status), r->error ? ": " : "",
		    r->error ? r->error : "");
	if (record(ft, r, &o) == -1)
		log_warnx("feed '%s': article %s: its outcome could not be "
		    "recorded; it is fetched again at the next start",
		    ft->j->feed, shown);
	else if (r->status == FETCH_OK)
		log_debug("feed '%s': article %s: %zu bytes read%s, %zu of "
		    "text, %zu alerts", ft->j->feed, shown, r->bytes,
		    r->cut ? " (cut at the cap)" : "", strlen(r->text),
		    o.alerts);
	free(shown);
 out:
	ft->cb(&o, ft->arg);
	free(ft);
}

int
fulltext_start(const struct feedpoll_env *env, const struct config_feed *f,
    const struct fulltext_job *j, fulltext_done_cb *cb, void *arg)
{
	struct fulltext		*ft;
	struct fetch_request	 req;
	struct fetch_opts	 o;

	ft = xcalloc(1, sizeof(*ft));
	ft->env = env;
	ft->f = f;
	ft->j = j;
	ft->cb = cb;
	ft->arg = arg;
	/* The feed's user agent and proxy; its login stays with the feed. */
	config_feed_request(env->cf, f, &req);
	memset(&o, 0, sizeof(o));
	o.url = j->item->link;
	o.req = &req;
	o.timeout = env->cf->daemon.timeout;
	o.max_size = env->cf->daemon.max_size;
	if (artfetch_start(env->m, &o, fetched, ft) == -1) {
		free(ft);
		return -1;
	}
	return 0;
}

int
fulltext_drop(const struct feedpoll_env *env, const struct fulltext_job *j)
{
	return feedpoll_end(env, store_article_done(env->st, j->feed,
	    j->key));
}
