/* backtest.c: a query or topic over the items the store kept. */
#include "backtest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmdline.h"
#include "config.h"
#include "confval.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "store.h"
#include "xmalloc.h"

static const char *const usage_backtest =
    "usage: feedwatch backtest [-c FILE] [-v|--quiet] [--since DURATION] "
    "TOPIC\n"
    "       feedwatch backtest [-c FILE] [-v|--quiet] [--since DURATION] "
    "-e QUERY...\n"
    "Replays the items kept in the state store (first seen within --since,\n"
    "default 7d) and prints the alerts they would have raised.\n"
    "  -e, --query QUERY  a query (repeatable; it may use the config's\n"
    "                     aliases); -q QUERY is the same\n"
    "  --since DURATION   how far back, as in 7d\n"
    "  -v, --quiet        more or less logging\n";

struct replay {
	struct matcher		*m;
	const struct config	*cf;
	const char		*feed;
	const struct feed_item	*item;
	const char		*priority;	/* the topic's, or NULL */
	size_t			 items, alerts;
};

static int
on_match(const struct match *m, void *arg)
{
	struct replay	*r = arg;

	if (cmdline_print_match(m, r->feed, r->item, r->priority) == 0)
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

/* The config's aliases and one topic (or none), for -e queries to use. */
static int
build(struct matcher *m, const struct config *cf, const char *topic,
    char **queries, size_t nq, char *err, size_t errlen)
{
	const struct config_topic *t;
	size_t			 i;

	for (i = 0; i < cf->naliases; i++)
		if (matcher_add_alias(m, cf->aliases[i].name,
		    cf->aliases[i].terms, err, errlen) == -1)
			return -1;
	if (topic != NULL) {
		if ((t = config_topic_find(cf, topic)) == NULL) {
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
		{ "since", required_argument, NULL, 's' },
		{ "query", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_backtest,
	    .optstring = "c:ve:q:h", .longopts = longopts };
	struct replay	 r;
	struct config	*cf = NULL;
	struct store	*st = NULL;
	const char	*topic = NULL;
	char		**queries, err[256];
	size_t		 nq = 0;
	long		 since = 7 * 86400;
	int		 ch, rc = 2;

	memset(&r, 0, sizeof(r));
	queries = xcalloc(argc + 1, sizeof(*queries));
	while ((ch = cmdline_getopt(&cl, argc, argv)) >= 0) {
		switch (ch) {
		case 'e':
		case 'q':	/* -q QUERY is -e QUERY: the SPEC's spelling */
			queries[nq++] = optarg;
			break;
		case 's':
			if (confval_duration(optarg, &since) == -1) {
				fprintf(stderr, "feedwatch: --since '%s' is not "
				    "a duration (as in 7d)\n", optarg);
				goto out;
			}
			break;
		}
	}
	if (ch == CMDLINE_EXIT) {
		rc = cl.status;
		goto out;
	}
	if (optind < argc)
		topic = argv[optind++];
	if (optind != argc || (topic == NULL) == (nq == 0)) {
		rc = cmdline_usage(&cl);
		goto out;
	}
	if ((cf = cmdline_config(&cl)) == NULL)
		goto out;
	r.cf = cf;
	r.m = matcher_new();
	if (build(r.m, cf, topic, queries, nq, err, sizeof(err)) == -1) {
		fprintf(stderr, "feedwatch: %s\n", err);
		goto out;
	}
	if (topic != NULL)
		r.priority = config_priority_name(config_topic_find(cf,
		    topic)->priority);
	rc = 1;
	if ((st = cmdline_state(cf, "nothing to replay")) == NULL ||
	    store_items_foreach(st, time(NULL) - since, on_item, &r) == -1)
		goto out;
	log_info("backtest: %zu kept items, %zu alerts", r.items, r.alerts);
	rc = 0;
 out:
	store_close(st);
	matcher_free(r.m);
	config_free(cf);
	free(queries);
	return rc;
}
