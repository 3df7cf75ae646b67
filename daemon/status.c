/* status.c: what the state store says, totals first, as text or JSON. */
#include "status.h"

#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "cmdline.h"
#include "config.h"
#include "schedule.h"
#include "show.h"
#include "store.h"
#include "url.h"
#include "xmalloc.h"

/* Up to this many feeds, the text lists every one. */
#define STATUS_FEW	20

static const char *const usage_status =
    "usage: feedwatch status [-c FILE] [--all | --feed NAME...] [--json]\n"
    "Says whether the daemon runs, then the totals: feeds by health, items\n"
    "kept, topics muted or disabled, feeds a WebSub hub pushes, and per sink\n"
    "the pending, failed and delivered alerts; then the feeds that need\n"
    "attention (every feed when there are few), and the hubs of those pushed.\n"
    "  --all        list every feed\n"
    "  --feed NAME  list this feed (a pattern, as in 'bbc-*'; repeatable)\n"
    "  --json       all of it, every feed, for scripts\n";

enum health {
	HEALTH_OK,
	HEALTH_FAILING,
	HEALTH_GONE,
	HEALTH_DISABLED,
	HEALTH_NEW,
	HEALTH_REMOVED,
	HEALTH_N
};

/* How each health reads, in the text and in JSON. */
static const char *const health_text[HEALTH_N] = {
	"ok", "failing", "gone", "disabled", "not polled yet",
	"not in the config"
};
static const char *const health_json[HEALTH_N] = {
	"ok", "failing", "gone", "disabled", "new", "removed"
};

struct feed_row {
	char			*name;
	const struct config_feed *f;	/* NULL: not in the config */
	struct feed_state	 fs;
	long			 items;
	enum health		 health;
	int			 listed;	/* in the text's feed table */
	const struct subscription *sub;	/* WebSub, or NULL */
};

struct status {
	const struct config	*cf;
	struct store		*st;
	time_t			 now;
	int			 running;	/* 1, 0, or -1: cannot tell */
	struct store_writer	 writer;
	struct feed_row		*feeds;
	size_t			 nfeeds;
	long			 count[HEALTH_N];
	long			 items;
	time_t			 last_poll;	/* the latest of any feed */
	struct mute		*mutes;
	size_t			 nmutes;
	struct sink_counts	*sinks;
	size_t			 nsinks;
	struct subscription	*subs;		/* by feed name */
	size_t			 nsubs;
	int			 filtered;	/* by --feed */
	size_t			 nlisted;
	int			 failed;	/* the store failed somewhere */
};

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
	v = xcalloc(cf->nfeeds + i + 1, sizeof(*v));
	for (i = 0; i < cf->nfeeds; i++)
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

static enum health
health(const struct feed_row *r)
{
	if (r->f == NULL)
		return HEALTH_REMOVED;
	if (r->f->disabled)
		return HEALTH_DISABLED;
	if (r->fs.gone)
		return HEALTH_GONE;
	if (r->fs.error != NULL)
		return HEALTH_FAILING;
	if (r->fs.last_poll == 0)
		return HEALTH_NEW;
	return HEALTH_OK;
}

/* Whether the text lists 'r': see status.h. */
static int
listed(const struct feed_row *r, char **patterns, size_t npatterns, int all,
    size_t nfeeds)
{
	size_t	 i;

	if (npatterns > 0) {
		for (i = 0; i < npatterns; i++)
			if (fnmatch(patterns[i], r->name, 0) == 0)
				return 1;
		return 0;
	}
	return all || nfeeds <= STATUS_FEW || r->health == HEALTH_FAILING ||
	    r->health == HEALTH_GONE;
}

static const struct subscription *
find_sub(const struct status *s, const char *feed)
{
	size_t	 i;

	for (i = 0; i < s->nsubs; i++)
		if (strcmp(s->subs[i].feed, feed) == 0)
			return &s->subs[i];
	return NULL;
}

/* Everything the store says, into 's'. */
static void
gather(struct status *s, char **patterns, size_t npatterns, int all)
{
	struct feed_row	*r;
	char		**names;
	size_t		 i, n;

	/* A lock file it may not read (another user's) leaves it unknown. */
	s->running = store_writer(s->st, &s->writer);
	if (store_mutes(s->st, s->now, &s->mutes, &s->nmutes) == -1 ||
	    store_sink_counts(s->st, &s->sinks, &s->nsinks) == -1 ||
	    store_subs(s->st, &s->subs, &s->nsubs) == -1)
		s->failed = 1;
	names = feed_names(s->cf, s->st);
	for (n = 0; names[n] != NULL; n++)
		;
	s->feeds = xcalloc(n + 1, sizeof(*s->feeds));
	for (i = 0; i < n; i++) {
		r = &s->feeds[s->nfeeds];
		if (store_feed_get(s->st, names[i], &r->fs) == -1 ||
		    (r->items = store_feed_items(s->st, names[i])) == -1) {
			feed_state_clear(&r->fs);
			s->failed = 1;
			continue;
		}
		r->name = xstrdup(names[i]);
		r->f = config_feed_find(s->cf, names[i]);
		r->health = health(r);
		r->sub = find_sub(s, r->name);
		s->count[r->health]++;
		s->items += r->items;
		if (r->fs.last_poll > s->last_poll)
			s->last_poll = r->fs.last_poll;
		s->nfeeds++;
	}
	s->filtered = npatterns > 0;
	for (i = 0; i < s->nfeeds; i++)
		if ((s->feeds[i].listed = listed(&s->feeds[i], patterns,
		    npatterns, all, s->nfeeds)))
			s->nlisted++;
	store_strv_free(names);
}

static void
status_release(struct status *s)
{
	size_t	 i;

	for (i = 0; i < s->nfeeds; i++) {
		free(s->feeds[i].name);
		feed_state_clear(&s->feeds[i].fs);
	}
	free(s->feeds);
	mutes_free(s->mutes, s->nmutes);
	sink_counts_free(s->sinks, s->nsinks);
	subscriptions_free(s->subs, s->nsubs);
}

static const struct mute *
mute_of(const struct status *s, const char *topic)
{
	size_t	 i;

	for (i = 0; i < s->nmutes; i++)
		if (strcmp(s->mutes[i].topic, topic) == 0)
			return &s->mutes[i];
	return NULL;
}

static void
print_daemon(const struct status *s)
{
	char	 when[32], ago[32];

	if (s->running == 1 && s->writer.pid != 0) {
		show_time(s->writer.since, 0, when, sizeof(when));
		show_relative(s->writer.since, s->now, ago, sizeof(ago));
		printf("daemon: running, pid %ld, since %s (%s): '%s'\n",
		    s->writer.pid, when, ago, s->writer.command);
	} else if (s->running == 1)
		printf("daemon: running\n");
	else {
		show_relative(s->last_poll, s->now, ago, sizeof(ago));
		printf("daemon: %s (last poll %s)\n", s->running == 0 ?
		    "not running" : "unknown", s->last_poll != 0 ? ago :
		    "never");
	}
}

/* "pushed: 3 feeds (2 verified, 1 denied)", if a hub pushes any. */
static void
print_pushed(const struct status *s)
{
	size_t	 i, count[SUB_UNSUBSCRIBING + 1] = { 0 };
	int	 st, n = 0;

	if (s->nsubs == 0)
		return;
	for (i = 0; i < s->nsubs; i++)
		if (s->subs[i].state >= 0 &&
		    s->subs[i].state <= SUB_UNSUBSCRIBING)
			count[s->subs[i].state]++;
	printf("pushed: %zu feed%s (", s->nsubs, s->nsubs == 1 ? "" : "s");
	for (st = 0; st <= SUB_UNSUBSCRIBING; st++)
		if (count[st] > 0)
			printf("%s%zu %s", n++ ? ", " : "", count[st],
			    sub_state_name(st));
	printf(")\n");
}

static void
print_totals(const struct status *s)
{
	const struct config_topic *t;
	const struct mute	*m;
	char			 when[32];
	size_t			 i;
	int			 h, n = 0;

	printf("feeds: %zu (%ld ok", s->nfeeds, s->count[HEALTH_OK]);
	for (h = HEALTH_OK + 1; h < HEALTH_N; h++)
		if (s->count[h] > 0)
			printf(", %ld %s", s->count[h], health_text[h]);
	printf("), %ld items kept\n", s->items);
	print_pushed(s);
	printf("topics: %zu", s->cf->ntopics);
	for (i = 0; i < s->cf->ntopics; i++) {
		t = &s->cf->topics[i];
		if ((m = mute_of(s, t->name)) == NULL && !t->disabled)
			continue;
		if (t->disabled)
			printf("%s'%s' disabled", n++ ? ", " : "; ", t->name);
		else if (m->until == 0)
			printf("%s'%s' muted until unmuted", n++ ? ", " : "; ",
			    t->name);
		else {
			show_time(m->until, s->now, when, sizeof(when));
			printf("%s'%s' muted until %s", n++ ? ", " : "; ",
			    t->name, when);
		}
	}
	putchar('\n');
}

static void
print_sinks(const struct status *s)
{
	char	*err;
	size_t	 i;

	if (s->nsinks == 0)
		return;
	printf("\n%-20s %8s %8s %10s %s\n", "SINK", "PENDING", "FAILED",
	    "DELIVERED", "LAST ERROR");
	for (i = 0; i < s->nsinks; i++) {
		err = show_text(s->sinks[i].last_error);
		printf("%-20s %8ld %8ld %10ld %s\n", s->sinks[i].sink,
		    s->sinks[i].pending, s->sinks[i].failed,
		    s->sinks[i].delivered, err);
		free(err);
	}
}

/* The STATUS column: the HTTP status, "file" for a local file, or "-". */
static void
feed_code(const struct feed_row *r, char *buf, size_t len)
{
	if (r->f != NULL && strncasecmp(r->f->url, "file:", 5) == 0)
		snprintf(buf, len, "file");
	else if (r->fs.http_status != 0)
		snprintf(buf, len, "%ld", r->fs.http_status);
	else
		snprintf(buf, len, "-");
}

/* The NEXT POLL column: only a running daemon polls. */
static void
feed_next(const struct status *s, const struct feed_row *r, char *buf,
    size_t len)
{
	if (r->health == HEALTH_GONE || r->health == HEALTH_DISABLED ||
	    r->health == HEALTH_REMOVED)
		snprintf(buf, len, "%s", health_json[r->health]);
	else if (s->running != 1)
		snprintf(buf, len, "-");
	else if (r->fs.next_due <= s->now)
		snprintf(buf, len, "now");	/* due, or being polled */
	else
		show_relative(r->fs.next_due, s->now, buf, len);
}

/* The INTERVAL column: the config's, or "auto" and what it is now. */
static void
feed_interval(const struct status *s, const struct feed_row *r, char *buf,
    size_t len)
{
	char	 d[32];

	if (r->f == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	show_duration((double)schedule_interval(s->cf, r->f, &r->fs.pace), d,
	    sizeof(d));
	if (!schedule_is_auto(s->cf, r->f))
		snprintf(buf, len, "%s", d);
	else if (r->fs.pace.at == 0)
		snprintf(buf, len, "auto");
	else
		snprintf(buf, len, "auto %s", d);
}

static void
print_feeds(const struct status *s)
{
	const struct feed_row	*r;
	char			 last[32], code[16], next[32], every[40], *err;
	size_t			 i;

	if (s->nlisted > 0)
		printf("\n%-20s %-10s %-6s %6s %-10s %-10s %s\n", "FEED",
		    "LAST POLL", "STATUS", "ITEMS", "NEXT POLL", "INTERVAL",
		    "ERROR");
	for (i = 0; i < s->nfeeds; i++) {
		r = &s->feeds[i];
		if (!r->listed)
			continue;
		show_relative(r->fs.last_poll, s->now, last, sizeof(last));
		feed_code(r, code, sizeof(code));
		feed_next(s, r, next, sizeof(next));
		feed_interval(s, r, every, sizeof(every));
		err = show_text(r->fs.error);
		printf("%-20s %-10s %-6s %6ld %-10s %-10s %s%s\n", r->name,
		    last, code, r->items, next, every, err, r->f == NULL ?
		    " (not in the config)" : "");
		free(err);
	}
	if (!s->filtered && s->nlisted < s->nfeeds)
		printf("%s%zu feeds not listed: --all lists every feed, "
		    "--feed NAME one\n", s->nlisted > 0 ? "" : "\n",
		    s->nfeeds - s->nlisted);
}

/* WebSub, of the feeds listed: the hub (as shown), state, lease end. */
static void
print_pushed_feeds(const struct status *s)
{
	const struct feed_row	*r;
	char			 lease[32], *hub;
	size_t			 i;
	int			 head = 0;

	for (i = 0; i < s->nfeeds; i++) {
		r = &s->feeds[i];
		if (!r->listed || r->sub == NULL)
			continue;
		if (!head++)
			printf("\n%-20s %-13s %-10s %s\n", "PUSHED FEED",
			    "STATE", "LEASE END", "HUB");
		show_relative(r->sub->state == SUB_VERIFIED ?
		    r->sub->lease_end : 0, s->now, lease, sizeof(lease));
		hub = url_redact(r->sub->hub);
		printf("%-20s %-13s %-10s %s\n", r->name,
		    sub_state_name(r->sub->state), lease, hub);
		free(hub);
	}
}

static json_t *
daemon_json(const struct status *s)
{
	json_t	*o = json_object();

	json_object_set_new(o, "running", s->running == -1 ? json_null() :
	    json_boolean(s->running));
	json_object_set_new(o, "pid", s->running == 1 && s->writer.pid != 0 ?
	    json_integer(s->writer.pid) : json_null());
	json_object_set_new(o, "since", show_json_time(s->running == 1 ?
	    s->writer.since : 0));
	json_object_set_new(o, "command", s->running == 1 &&
	    s->writer.pid != 0 ? json_string(s->writer.command) :
	    json_null());
	json_object_set_new(o, "last_poll", show_json_time(s->last_poll));
	return o;
}

static json_t *
totals_json(const struct status *s)
{
	json_t	*o = json_object();
	int	 h;

	json_object_set_new(o, "feeds", json_integer((json_int_t)s->nfeeds));
	for (h = 0; h < HEALTH_N; h++)
		json_object_set_new(o, health_json[h],
		    json_integer(s->count[h]));
	json_object_set_new(o, "items", json_integer(s->items));
	return o;
}

/*
 * WebSub: the hub (its URL as shown), the state, when the lease ends;
 * never the callback's id or the secret.  null if no hub pushes it.
 */
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
	    show_json_time(sub->state == SUB_VERIFIED ? sub->lease_end : 0));
	free(hub);
	return o;
}

static json_t *
feed_json(const struct status *s, const struct feed_row *r)
{
	const struct feed_state	*fs = &r->fs;
	json_t			*o;
	char			*url;
	int			 known;

	/* Passwords and tokens in URLs are no one's business. */
	url = r->f != NULL ? url_redact(r->f->url) : NULL;
	o = json_pack("{s:s, s:s?, s:s, s:b, s:o, s:o, s:I, s:s?, s:I, s:I, "
	    "s:o, s:b, s:I, s:b, s:o}", "name", r->name, "url", url, "health",
	    health_json[r->health], "enabled", r->f != NULL &&
	    !r->f->disabled, "last_poll", show_json_time(fs->last_poll),
	    "last_ok", show_json_time(fs->last_ok), "http_status",
	    (json_int_t)fs->http_status, "error", fs->error, "items",
	    (json_int_t)r->items, "failures", (json_int_t)fs->failures,
	    "next_poll", show_json_time(fs->gone ? 0 : fs->next_due), "gone",
	    fs->gone, "missed", (json_int_t)fs->missed, "configured",
	    r->f != NULL, "push", push_json(r->sub));
	/* seconds between polls; null for auto before it has learned */
	known = r->f != NULL && (!schedule_is_auto(s->cf, r->f) ||
	    fs->pace.at != 0);
	json_object_set_new(o, "interval", known ? json_integer(
	    schedule_interval(s->cf, r->f, &fs->pace)) : json_null());
	json_object_set_new(o, "interval_auto", json_boolean(r->f != NULL &&
	    schedule_is_auto(s->cf, r->f)));
	free(url);
	return o;
}

static json_t *
topics_json(const struct status *s)
{
	const struct config_topic *t;
	const struct mute	*m;
	json_t			*a = json_array();
	size_t			 i;

	for (i = 0; i < s->cf->ntopics; i++) {
		t = &s->cf->topics[i];
		m = mute_of(s, t->name);
		json_array_append_new(a, json_pack("{s:s, s:b, s:b, s:o}",
		    "name", t->name, "enabled", !t->disabled, "muted",
		    m != NULL, "muted_until", show_json_time(m != NULL ?
		    m->until : 0)));
	}
	return a;
}

static json_t *
sinks_json(const struct status *s)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < s->nsinks; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I, "
		    "s:s?}", "name", s->sinks[i].sink, "pending",
		    (json_int_t)s->sinks[i].pending, "failed",
		    (json_int_t)s->sinks[i].failed, "delivered",
		    (json_int_t)s->sinks[i].delivered, "last_error",
		    s->sinks[i].last_error));
	return a;
}

static void
print_json(const struct status *s)
{
	json_t	*o, *feeds;
	char	*text;
	size_t	 i;

	feeds = json_array();
	for (i = 0; i < s->nfeeds; i++)
		if (!s->filtered || s->feeds[i].listed)
			json_array_append_new(feeds,
			    feed_json(s, &s->feeds[i]));
	o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "state",
	    store_path(s->st), "daemon", daemon_json(s), "totals",
	    totals_json(s), "feeds", feeds, "topics", topics_json(s), "sinks",
	    sinks_json(s));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	puts(text);
	free(text);
	json_decref(o);
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "feed", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_status,
	    .optstring = "c:vqh", .longopts = longopts };
	struct status	 s;
	struct config	*cf = NULL;
	char		**patterns;
	size_t		 npatterns = 0;
	int		 ch, json = 0, all = 0, rc = 2;

	memset(&s, 0, sizeof(s));
	patterns = xcalloc(argc + 1, sizeof(*patterns));
	while ((ch = cmdline_getopt(&cl, argc, argv)) >= 0) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'a')
			all = 1;
		else if (ch == 'f')
			patterns[npatterns++] = optarg;
	}
	if (ch == CMDLINE_EXIT) {
		rc = cl.status;
		goto out;
	}
	if (optind != argc || (all && npatterns > 0)) {
		rc = cmdline_usage(&cl);
		goto out;
	}
	if ((cf = cmdline_config(&cl)) == NULL)
		goto out;
	rc = 1;
	s.cf = cf;
	s.now = time(NULL);
	if ((s.st = cmdline_state(cf, "run 'feedwatch run' or 'feedwatch "
	    "check' first")) == NULL)
		goto out;
	gather(&s, patterns, npatterns, all);
	if (s.filtered && s.nlisted == 0) {
		fprintf(stderr, "feedwatch: no feed matches --feed '%s'%s\n",
		    patterns[0], npatterns > 1 ? " or the others" : "");
		goto out;
	}
	if (json)
		print_json(&s);
	else {
		printf("state: %s\n", store_path(s.st));
		print_daemon(&s);
		print_totals(&s);
		print_sinks(&s);
		print_feeds(&s);
		print_pushed_feeds(&s);
	}
	rc = s.failed;
 out:
	status_release(&s);
	store_close(s.st);
	config_free(cf);
	free(patterns);
	return rc;
}
