/*
 * backtest.c: a query or topic over the items the store kept.
 *
 * The matches are folded as the daemon folds them: each claims its story
 * as the poll path does (storyclaim.h: keys, and the signature within
 * same-story), in a store of the replay's own (STORE_SCRATCH: in memory,
 * empty; the state's claims are the daemon's, and the state is only
 * read), oldest item first; an alert goes out for a story's first
 * item, and the feeds of the others join its also_in, which it is printed
 * with once the replay is done (outbox_with_also_in(), as a sink gets it).
 */
#include "backtest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "cmdline.h"
#include "config.h"
#include "confval.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "outbox.h"
#include "store.h"
#include "storyclaim.h"
#include "xmalloc.h"

static const char *const usage_backtest =
    "usage: feedwatch backtest [-c FILE] [-v|--quiet] [--since DURATION] "
    "TOPIC\n"
    "       feedwatch backtest [-c FILE] [-v|--quiet] [--since DURATION] "
    "-e QUERY...\n"
    "Replays the items kept in the state store (first seen within --since,\n"
    "default 7d) and prints the alerts they would have raised; a story\n"
    "already alerted for the topic is folded, as the daemon folds it.\n"
    "  -e, --query QUERY  a query (repeatable; it may use the config's\n"
    "                     aliases); -q QUERY is the same\n"
    "  --since DURATION   how far back, as in 7d\n"
    "  -v, --quiet        more or less logging\n";

/* An alert that would have gone out, held until its also_in is known. */
struct held {
	char			 id[ALERT_ID_LEN + 1];
	char			*json;
};

struct replay {
	struct matcher		*m;
	const struct config	*cf;
	struct store		*claims;	/* the replay's stories */
	struct story_signer	*signer;
	const char		*feed;
	const struct feed_item	*item;
	struct storyclaim	 story;		/* of the item */
	time_t			 when;		/* it was published */
	const char		*priority;	/* the topic's, or NULL */
	struct held		*held;
	size_t			 items, alerts, folded;
	int			 failed;
};

/*
 * A story this replay alerted for the topic before is folded into that
 * alert, as the daemon folds it (storyclaim.h), so that what is printed
 * is what would have been sent.
 */
static int
on_match(const struct match *m, void *arg)
{
	struct replay	*r = arg;
	struct held	 h;
	int		 claim;

	if ((h.json = cmdline_match_json(m, r->feed, r->item, r->priority,
	    h.id)) == NULL)
		return 0;
	claim = storyclaim_claim(&r->story, r->claims, m->topic, r->feed,
	    h.id, r->when);
	if (claim == 1) {
		r->held = xreallocarray(r->held, r->alerts + 1,
		    sizeof(*r->held));
		r->held[r->alerts++] = h;
		return 0;
	}
	free(h.json);
	if (claim == -1) {
		r->failed = 1;
		return -1;
	}
	r->folded++;
	return 0;
}

static int
on_item(const char *feed, const struct feed_item *it, void *arg)
{
	struct replay		*r = arg;
	struct match_feed	 mf;
	size_t			 i;
	int			 rc;

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
	/* the window counts from when the item came out, as near as known */
	if (it->published != FEED_ITEM_NO_DATE)
		r->when = it->published;
	else if (it->updated != FEED_ITEM_NO_DATE)
		r->when = it->updated;
	storyclaim_init(&r->story, it, r->signer, &r->cf->daemon);
	rc = matcher_match(r->m, it, &mf, on_match, r);
	storyclaim_release(&r->story);
	return rc;
}

/* The alerts held, each with its also_in; 0, or -1 if one is not printed. */
static int
print_held(struct replay *r)
{
	char	*json;
	size_t	 i;

	for (i = 0; i < r->alerts; i++) {
		json = outbox_with_also_in(r->claims, r->held[i].id,
		    r->held[i].json);
		puts(json);
		free(json);
	}
	return fflush(stdout) == EOF ? -1 : 0;
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
	r.when = time(NULL);
	r.signer = story_signer_new(STORY_SHINGLE);
	if ((st = cmdline_state(cf, "nothing to replay")) == NULL ||
	    (r.claims = store_open("backtest", STORE_SCRATCH)) == NULL ||
	    store_items_foreach(st, time(NULL) - since, on_item, &r) == -1 ||
	    r.failed || print_held(&r) == -1)
		goto out;
	log_info("backtest: %zu kept items, %zu alerts, %zu more copies of "
	    "their stories folded into them", r.items, r.alerts, r.folded);
	rc = 0;
 out:
	while (r.alerts > 0)
		free(r.held[--r.alerts].json);
	free(r.held);
	store_close(r.claims);
	story_signer_free(r.signer);
	store_close(st);
	matcher_free(r.m);
	config_free(cf);
	free(queries);
	return rc;
}
