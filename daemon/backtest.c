/* backtest.c: a query or topic over the items the store kept. */
#include "backtest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "alert.h"
#include "config.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "store.h"
#include "xmalloc.h"

static const char *const usage_backtest =
    "usage: feedwatch backtest [-c FILE] [--since DURATION] TOPIC\n"
    "       feedwatch backtest [-c FILE] [--since DURATION] -q QUERY...\n"
    "Replays the items kept in the state store (first seen within --since,\n"
    "default 7d) and prints the alerts they would have raised.\n";

struct replay {
	struct matcher		*m;
	const struct config	*cf;
	const char		*feed;
	const struct feed_item	*item;
	size_t			 items, alerts;
};

static int
on_match(const struct match *m, void *arg)
{
	struct replay	*r = arg;
	struct alert	 a;
	char		*json;

	memset(&a, 0, sizeof(a));
	a.topic = m->topic;
	a.query = m->query;
	a.feed = r->feed;
	a.feed_title = r->item->feed_title;
	a.item = r->item;
	a.matched = m->words;
	a.nmatched = m->nwords;
	a.snippet = m->snippet;
	a.detected = time(NULL);
	alert_set_id(&a);
	if ((json = alert_to_json(&a)) != NULL)
		puts(json);
	free(json);
	r->alerts++;
	return 0;
}

static int
on_item(const char *feed, const struct feed_item *it, void *arg)
{
	struct replay		*r = arg;
	struct match_feed	 mf;
	size_t			 i;

	memset(&mf, 0, sizeof(mf));
	mf.name = feed;
	for (i = 0; r->cf != NULL && i < r->cf->nfeeds; i++)
		if (strcmp(r->cf->feeds[i].name, feed) == 0) {
			mf.tags = (const char *const *)r->cf->feeds[i].tags.v;
			mf.ntags = r->cf->feeds[i].tags.n;
		}
	r->feed = feed;
	r->item = it;
	r->items++;
	return matcher_match(r->m, it, &mf, on_match, r);
}

/* The config's aliases and one topic (or none), for -q queries to use. */
static int
build(struct matcher *m, const struct config *cf, const char *topic,
    char **queries, size_t nq, char *err, size_t errlen)
{
	const struct config_topic *t = NULL;
	size_t			 i;

	for (i = 0; i < cf->naliases; i++)
		if (matcher_add_alias(m, cf->aliases[i].name,
		    cf->aliases[i].terms, err, errlen) == -1)
			return -1;
	if (topic != NULL) {
		for (i = 0; i < cf->ntopics; i++)
			if (strcmp(cf->topics[i].name, topic) == 0)
				t = &cf->topics[i];
		if (t == NULL) {
			snprintf(err, errlen, "no topic '%s' in %s", topic,
			    cf->path);
			return -1;
		}
		if (config_topic_add(m, t, err, errlen) == -1)
			return -1;
	}
	for (i = 0; i < nq; i++)
		if (matcher_add_topic(m, queries[i], queries[i], NULL, err,
		    errlen) == -1)
			return -1;
	return matcher_compile(m, err, errlen);
}

int
cmd_backtest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "since", required_argument, NULL, 's' },
		{ "query", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct replay	 r;
	struct config	*cf = NULL;
	struct store	*st = NULL;
	const char	*config = NULL, *topic = NULL;
	char		*path = NULL, *db = NULL, **queries, err[256];
	size_t		 nq = 0;
	long		 since = 7 * 86400;
	int		 ch, verbosity = 0, rc = 2;

	memset(&r, 0, sizeof(r));
	queries = xcalloc(argc + 1, sizeof(*queries));
	while ((ch = getopt_long(argc, argv, "c:vq:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'v':
			verbosity++;
			break;
		case 'q':
			queries[nq++] = optarg;
			break;
		case 's':
			if (confval_duration(optarg, &since) == -1) {
				fprintf(stderr, "feedwatch: --since '%s' is not "
				    "a duration (as in 7d)\n", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(usage_backtest, stdout);
			rc = 0;
			goto out;
		default:
			fputs(usage_backtest, stderr);
			goto out;
		}
	}
	log_init(verbosity);
	if (optind < argc)
		topic = argv[optind++];
	if (optind != argc || (topic == NULL) == (nq == 0)) {
		fputs(usage_backtest, stderr);
		goto out;
	}
	if ((path = config_find(config)) == NULL ||
	    (cf = config_load(path)) == NULL)
		goto out;
	r.cf = cf;
	r.m = matcher_new();
	if (build(r.m, cf, topic, queries, nq, err, sizeof(err)) == -1) {
		fprintf(stderr, "feedwatch: %s\n", err);
		goto out;
	}
	rc = 1;
	db = cf->daemon.state ? xstrdup(cf->daemon.state) :
	    store_default_path();
	if (access(db, F_OK) == -1) {
		fprintf(stderr, "feedwatch: no state at '%s' yet: nothing to "
		    "replay\n", db);
		goto out;
	}
	if ((st = store_open(db, STORE_READ)) == NULL ||
	    store_items_foreach(st, time(NULL) - since, on_item, &r) == -1)
		goto out;
	log_info("backtest: %zu kept items, %zu alerts", r.items, r.alerts);
	rc = 0;
 out:
	store_close(st);
	matcher_free(r.m);
	config_free(cf);
	free(db);
	free(path);
	free(queries);
	return rc;
}
