/* testsink.c: `feedwatch test-sink NAME`, one sample alert through a sink. */
#include "testsink.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "alert.h"
#include "cmdline.h"
#include "config.h"
#include "item.h"
#include "log.h"
#include "sink.h"
#include "xfer.h"
#include "xmalloc.h"

static const char *const usage =
    "usage: feedwatch test-sink [-c FILE] [-v|-q] NAME\n"
    "Sends a sample alert through the sink [sink NAME] of the config and\n"
    "reports the outcome: exit status 0 if it was delivered, else 1.\n";

struct outcome {
	struct event_base	*base;
	int			 done;
	enum sink_result	 result;
	long			 retry_after;
	char			*error;
};

static void
on_done(enum sink_result result, long retry_after, const char *error,
    void *arg)
{
	struct outcome	*o = arg;

	o->done = 1;
	o->result = result;
	o->retry_after = retry_after;
	o->error = error != NULL ? xstrdup(error) : NULL;
	event_base_loopbreak(o->base);
}

/* The sample alert as a SPEC section 5 JSON line (malloc'd). */
static char *
sample_alert(const char *sink)
{
	static const char *const matched[] = { "feedwatch", "test" };
	static const char *const matched_in[] = { "title", "summary" };
	struct feed_item	 it;
	struct alert		 a;
	char			*id, *title, *json;
	time_t			 now = time(NULL);

	/* A fresh id each run: receivers that deduplicate still show it. */
	id = xasprintf("feedwatch-test-%lld-%ld", (long long)now,
	    (long)getpid());
	title = xasprintf("feedwatch test alert for sink '%s'", sink);
	memset(&it, 0, sizeof(it));
	it.feed = "https://example.org/feedwatch-test.xml";
	it.feed_title = "feedwatch test feed";
	it.id = id;
	it.title = title;
	it.link = "https://example.org/feedwatch-test";
	it.published = now;
	it.updated = FEED_ITEM_NO_DATE;
	it.summary = "This is a test alert sent by feedwatch test-sink.";
	memset(&a, 0, sizeof(a));
	a.topic = "feedwatch-test";
	a.query = "feedwatch AND test";
	a.feed = "feedwatch-test";
	a.feed_title = it.feed_title;
	a.item = &it;
	a.matched = matched;
	a.nmatched = 2;
	a.matched_in = matched_in;
	a.nmatched_in = 2;
	a.snippet = "This is a test alert sent by feedwatch test-sink.";
	a.detected = now;
	alert_set_id(&a);
	json = alert_to_json(&a);
	free(id);
	free(title);
	return json;
}

int
cmd_test_sink(int argc, char **argv)
{
	struct cmdline		 cl = { .usage = usage, .optstring = "c:vqh" };
	const struct sink_conf	*sc;
	struct config		*cf = NULL;
	struct sink		*s = NULL;
	struct xfer_multi	*m = NULL;
	struct sink_env		 env;
	struct outcome		 o;
	const char		*name;
	const char		*alerts[1];
	char			*json = NULL, err[256];
	int			 rc = 2;

	memset(&o, 0, sizeof(o));
	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if (optind + 1 != argc)
		return cmdline_usage(&cl);
	name = argv[optind];
	if ((cf = cmdline_config(&cl)) == NULL)
		goto out;
	if ((sc = config_sink_find(cf, name)) == NULL) {
		fprintf(stderr, "feedwatch: no sink '%s' in %s\n", name,
		    cf->path);
		goto out;
	}
	rc = 1;
	if ((o.base = event_base_new()) == NULL ||
	    (m = xfer_multi_new(o.base)) == NULL) {
		log_warnx("cannot set up the event loop");
		goto out;
	}
	env.base = o.base;
	env.multi = m;
	env.user_agent = cf->daemon.user_agent;
	if ((s = sink_new(sc, &env, err, sizeof(err))) == NULL) {
		printf("sink '%s' (%s): cannot be used: %s\n", name,
		    sink_type_name(sc->type), err);
		goto out;
	}
	if ((json = sample_alert(name)) == NULL) {
		log_warnx("cannot build the sample alert");
		goto out;
	}
	alerts[0] = json;
	if (sink_send(s, alerts, 1, on_done, &o) == -1) {
		printf("sink '%s' (%s): could not send\n", name,
		    sink_type_name(sc->type));
		goto out;
	}
	if (event_base_dispatch(o.base) == -1 || !o.done) {
		log_warnx("event loop ended before the sink answered");
		goto out;
	}
	switch (o.result) {
	case SINK_DELIVERED:
		printf("sink '%s' (%s): delivered\n", name,
		    sink_type_name(sc->type));
		rc = 0;
		break;
	case SINK_RETRY:
		printf("sink '%s' (%s): retry", name, sink_type_name(sc->type));
		if (o.retry_after >= 0)
			printf(" after %lds", o.retry_after);
		printf(": %s\n", o.error ? o.error : "?");
		break;
	case SINK_FAILED:
		printf("sink '%s' (%s): failed: %s\n", name,
		    sink_type_name(sc->type), o.error ? o.error : "?");
		break;
	}
 out:
	sink_free(s);
	xfer_multi_free(m);
	if (o.base != NULL)
		event_base_free(o.base);
	free(json);
	free(o.error);
	config_free(cf);
	return rc;
}
