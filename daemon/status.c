/* status.c: what the state store says, as a table or JSON. */
#include "status.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmdline.h"
#include "config.h"
#include "item.h"
#include "log.h"
#include "store.h"
#include "url.h"
#include "xmalloc.h"

static const char *const usage_status =
    "usage: feedwatch status [-c FILE] [--json]\n"
    "Shows per feed the last poll, HTTP status, error, items kept and next\n"
    "poll, and whether a WebSub hub pushes it, and per sink the pending and\n"
    "failed deliveries.\n";

/* "3m ago", "in 14m", "-" */
static void
relative(time_t t, time_t now, char *buf, size_t len)
{
	double	 d = difftime(t, now);
	char	 amount[32];

	/* A time read from an older state may be centuries off. */
	if (d < 0)
		d = -d;
	if (t == 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (d < 120)
		snprintf(amount, sizeof(amount), "%.0fs", d);
	else if (d < 7200)
		snprintf(amount, sizeof(amount), "%.0fm", floor(d / 60));
	else if (d < 172800)
		snprintf(amount, sizeof(amount), "%.0fh", floor(d / 3600));
	else
		snprintf(amount, sizeof(amount), "%.0fd", floor(d / 86400));
	snprintf(buf, len, t > now ? "in %s" : "%s ago", amount);
}

static json_t *
time_json(time_t t)
{
	char	 buf[21];

	if (t == 0)
		return json_null();
	feed_time_format(t, buf);
	return json_string(buf);
}

/* Config feeds first, in config order, then feeds only the store knows. */
static char **
feed_names(const struct config *cf, struct store *st)
{
	char	**stored, **v;
	size_t	  n = 0, i, j;
	int	  dup;

	stored = store_feed_names(st);
	for (i = 0; stored[i] != NULL; i++)
		;
	v = xcalloc((cf ? cf->nfeeds : 0) + i + 1, sizeof(*v));
	for (i = 0; cf != NULL && i < cf->nfeeds; i++)
		v[n++] = xstrdup(cf->feeds[i].name);
	for (i = 0; stored[i] != NULL; i++) {
		for (dup = 0, j = 0; j < n && !dup; j++)
			dup = strcmp(v[j], stored[i]) == 0;
		if (!dup)
			v[n++] = xstrdup(stored[i]);
	}
	store_strv_free(stored);
	return v;
}

static const char *
feed_url(const struct config *cf, const char *name)
{
	size_t	 i;

	for (i = 0; cf != NULL && i < cf->nfeeds; i++)
		if (strcmp(cf->feeds[i].name, name) == 0)
			return cf->feeds[i].url;
	return NULL;
}

static const struct subscription *
find_sub(const struct subscription *subs, size_t n, const char *feed)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(subs[i].feed, feed) == 0)
			return &subs[i];
	return NULL;
}

/* WebSub: the hub (its URL as shown), the state, when the lease ends. */
static json_t *
push_json(const struct subscription *sub)
{
	json_t	*o;
	char	*hub;

	if (sub == NULL)
		return json_null();
	hub = url_redact(sub->hub);
	o = json_pack("{s:s, s:s, s:o}", "hub", hub, "state",
	    sub_state_name(sub->state), "lease_end",
	    time_json(sub->state == SUB_VERIFIED ? sub->lease_end : 0));
	free(hub);
	return o;
}

static void
show_subs(const struct subscription *subs, size_t n, time_t now)
{
	char	 lease[32], *hub;
	size_t	 i;

	if (n > 0)
		printf("\n%-20s %-13s %-10s %s\n", "PUSHED FEED", "STATE",
		    "LEASE END", "HUB");
	for (i = 0; i < n; i++) {
		relative(subs[i].state == SUB_VERIFIED ? subs[i].lease_end : 0,
		    now, lease, sizeof(lease));
		hub = url_redact(subs[i].hub);
		printf("%-20s %-13s %-10s %s\n", subs[i].feed,
		    sub_state_name(subs[i].state), lease, hub);
		free(hub);
	}
}

static int
show(const struct config *cf, struct store *st, int json)
{
	struct feed_state	 fs;
	struct sink_counts	*sc;
	struct subscription	*subs = NULL;
	json_t			*o, *feeds, *sinks;
	char			**names, last[32], next[32], *s, *url;
	size_t			 i, nsc, nsubs = 0;
	time_t			 now = time(NULL);
	long			 items;
	int			 rc = 0;

	names = feed_names(cf, st);
	if (store_sink_counts(st, &sc, &nsc) == -1)
		rc = 1;
	if (store_subs(st, &subs, &nsubs) == -1)
		rc = 1;
	feeds = json_array();
	if (!json)
		printf("%-20s %-10s %-6s %6s %-10s %s\n", "FEED", "LAST POLL",
		    "STATUS", "ITEMS", "NEXT POLL", "ERROR");
	for (i = 0; names[i] != NULL; i++) {
		if (store_feed_get(st, names[i], &fs) == -1 ||
		    (items = store_feed_items(st, names[i])) == -1) {
			feed_state_clear(&fs);
			rc = 1;
			continue;
		}
		if (json) {
			/* Passwords and tokens in URLs are no one's business. */
			url = url_redact(feed_url(cf, names[i]));
			json_array_append_new(feeds, json_pack("{s:s, s:s?, "
			    "s:o, s:o, s:I, s:s?, s:I, s:I, s:o, s:b, s:I, s:b, "
			    "s:o}",
			    "name", names[i], "url", url,
			    "last_poll", time_json(fs.last_poll), "last_ok",
			    time_json(fs.last_ok), "http_status",
			    (json_int_t)fs.http_status, "error", fs.error,
			    "items", (json_int_t)items, "failures",
			    (json_int_t)fs.failures, "next_poll",
			    time_json(fs.gone ? 0 : fs.next_due), "gone",
			    fs.gone, "missed", (json_int_t)fs.missed,
			    "configured", url != NULL, "push",
			    push_json(find_sub(subs, nsubs, names[i]))));
			free(url);
		} else {
			relative(fs.last_poll, now, last, sizeof(last));
			relative(fs.gone ? 0 : fs.next_due, now, next,
			    sizeof(next));
			printf("%-20s %-10s %-6ld %6ld %-10s %s%s\n", names[i],
			    last, fs.http_status, items, fs.gone ? "gone" :
			    next, fs.error ? fs.error : "",
			    feed_url(cf, names[i]) || cf == NULL ? "" :
			    " (not in the config)");
		}
		feed_state_clear(&fs);
	}
	if (!json)
		show_subs(subs, nsubs, now);
	sinks = json_array();
	if (!json && nsc > 0)
		printf("\n%-20s %8s %8s %10s %s\n", "SINK", "PENDING", "FAILED",
		    "DELIVERED", "LAST ERROR");
	for (i = 0; i < nsc; i++) {
		if (json)
			json_array_append_new(sinks, json_pack("{s:s, s:I, s:I, "
			    "s:I, s:s?}", "name", sc[i].sink, "pending",
			    (json_int_t)sc[i].pending, "failed",
			    (json_int_t)sc[i].failed, "delivered",
			    (json_int_t)sc[i].delivered, "last_error",
			    sc[i].last_error));
		else
			printf("%-20s %8ld %8ld %10ld %s\n", sc[i].sink,
			    sc[i].pending, sc[i].failed, sc[i].delivered,
			    sc[i].last_error ? sc[i].last_error : "");
	}
	if (json) {
		o = json_pack("{s:s, s:o, s:o}", "state", store_path(st),
		    "feeds", feeds, "sinks", sinks);
		s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
		json_decref(o);
	} else {
		json_decref(feeds);
		json_decref(sinks);
	}
	sink_counts_free(sc, nsc);
	subscriptions_free(subs, nsubs);
	store_strv_free(names);
	return rc;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_status,
	    .optstring = "c:vqh", .longopts = longopts };
	struct config	*cf;
	struct store	*st;
	int		 ch, json = 0, rc = 1;

	while ((ch = cmdline_getopt(&cl, argc, argv)) == 'j')
		json = 1;
	if (ch == CMDLINE_EXIT)
		return cl.status;
	if (optind != argc)
		return cmdline_usage(&cl);
	if ((cf = cmdline_config(&cl)) == NULL)
		return 2;
	if ((st = cmdline_state(cf, "run 'feedwatch run' or 'feedwatch "
	    "check' first")) != NULL)
		rc = show(cf, st, json);
	store_close(st);
	config_free(cf);
	return rc;
}
