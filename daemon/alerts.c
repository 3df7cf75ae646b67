/* alerts.c: the outbox read back, one alert a line (alerts.h). */
#include "alerts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmdline.h"
#include "config.h"
#include "confval.h"
#include "show.h"
#include "store.h"

#define ALERTS_SINCE	(7 * 86400)	/* --since's default */

static const char *const usage_alerts =
    "usage: feedwatch alerts [-c FILE] [--since DURATION] [--topic TOPIC]\n"
    "                        [--json]\n"
    "Lists the alerts in the state store, newest first, and what became of\n"
    "each on each sink: delivered, pending or failed.\n"
    "  --since DURATION  queued within it (default 7d; 0: all kept)\n"
    "  --topic TOPIC     of this topic only (feed-health: feed health)\n"
    "  --json            one JSON object per alert\n";

struct listing {
	int		 json;
	time_t		 now;
	size_t		 n;
};

/* What became of a row: "delivered", "failed" or "pending". */
static const char *
row_state(const struct outbox_row *r)
{
	if (r->delivered_at != 0)
		return "delivered";
	if (r->failed_at != 0)
		return "failed";
	return "pending";
}

static json_t *
sink_json(const struct outbox_row *r)
{
	return json_pack("{s:s, s:s, s:i, s:o, s:o, s:s?}", "sink", r->sink,
	    "state", row_state(r), "attempts", r->attempts, "at",
	    show_json_time(r->delivered_at != 0 ? r->delivered_at :
	    r->failed_at), "next_try", show_json_time(r->delivered_at == 0 &&
	    r->failed_at == 0 ? r->next_at : 0), "error", r->last_error);
}

/* One sink's fate, for people: "log: delivered 09:00". */
static void
print_sink(const struct outbox_row *r, time_t day, time_t now)
{
	char	 when[32], *err;

	err = show_text(r->last_error);
	if (r->delivered_at != 0) {
		show_time(r->delivered_at, day, when, sizeof(when));
		printf("%s: delivered %s", r->sink, when);
	} else if (r->failed_at != 0) {
		show_time(r->failed_at, day, when, sizeof(when));
		printf("%s: failed %s (%s)", r->sink, when, err);
	} else if (r->attempts > 0) {
		show_time(r->next_at, day, when, sizeof(when));
		printf("%s: pending, try %d at %s (%s)", r->sink,
		    r->attempts + 1, when, err);
	} else if (r->next_at > now) {
		/* quiet hours, a digest window or a rate cap */
		show_time(r->next_at, day, when, sizeof(when));
		printf("%s: held until %s", r->sink, when);
	} else
		printf("%s: pending", r->sink);
	free(err);
}

/* A string member of the alert, fit for a terminal (malloc'd). */
static char *
member(json_t *alert, const char *key)
{
	return show_text(json_string_value(json_object_get(alert, key)));
}

static int
on_alert(const struct outbox_row *rows, size_t n, void *arg)
{
	struct listing	*l = arg;
	json_t		*alert, *sinks;
	char		 when[32], *topic, *feed, *title, *s;
	size_t		 i;

	/* A payload that is not JSON (never written so) still shows. */
	if ((alert = json_loads(rows[0].payload, 0, NULL)) == NULL ||
	    !json_is_object(alert)) {
		json_decref(alert);
		alert = json_pack("{s:s, s:s}", "alert_id", rows[0].alert_id,
		    "topic", rows[0].topic);
	}
	if (l->json) {
		sinks = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(sinks, sink_json(&rows[i]));
		json_object_set_new(alert, "queued",
		    show_json_time(rows[0].created));
		json_object_set_new(alert, "sinks", sinks);
		s = json_dumps(alert, JSON_COMPACT | JSON_PRESERVE_ORDER);
		puts(s);
		free(s);
	} else {
		show_time(rows[0].created, 0, when, sizeof(when));
		topic = show_text(rows[0].topic);
		feed = member(alert, "feed");
		title = member(alert, "title");
		printf("%s  %s  %s  %s  [", when, topic, feed, *title != '\0' ?
		    title : "(no title)");
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs("; ", stdout);
			print_sink(&rows[i], rows[0].created, l->now);
		}
		puts("]");
		free(topic);
		free(feed);
		free(title);
	}
	json_decref(alert);
	l->n++;
	return 0;
}

/* The topics muted now, before the alerts they hold back. */
static int
print_mutes(struct store *st, time_t now)
{
	struct mute	*m;
	char		 when[32];
	size_t		 i, n;

	if (store_mutes(st, now, &m, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		show_time(m[i].until, now, when, sizeof(when));
		printf("muted: topic '%s' until %s\n", m[i].topic,
		    m[i].until != 0 ? when : "unmuted");
	}
	if (n > 0)
		putchar('\n');
	mutes_free(m, n);
	return 0;
}

int
cmd_alerts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "topic", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_alerts,
	    .optstring = "c:vqh", .longopts = longopts };
	struct listing	 l;
	struct config	*cf = NULL;
	struct store	*st = NULL;
	const char	*topic = NULL;
	char		 when[32];
	long		 since = ALERTS_SINCE;
	int		 ch, rc = 2;

	memset(&l, 0, sizeof(l));
	l.now = time(NULL);
	while ((ch = cmdline_getopt(&cl, argc, argv)) >= 0) {
		if (ch == 'j')
			l.json = 1;
		else if (ch == 't')
			topic = optarg;
		else if (ch == 's' && confval_duration(optarg, &since) == -1) {
			fprintf(stderr, "feedwatch: --since '%s' is not a "
			    "duration (as in 1d)\n", optarg);
			return 2;
		}
	}
	if (ch == CMDLINE_EXIT)
		return cl.status;
	if (optind != argc)
		return cmdline_usage(&cl);
	if ((cf = cmdline_config(&cl)) == NULL)
		return 2;
	rc = 1;
	if ((st = cmdline_state(cf, "nothing has alerted yet")) == NULL ||
	    (!l.json && print_mutes(st, l.now) == -1) ||
	    store_outbox_foreach(st, since > 0 ? l.now - since : 0, topic,
	    on_alert, &l) == -1)
		goto out;
	if (l.n == 0 && !l.json) {
		printf("no alerts");
		if (topic != NULL)
			printf(" of topic '%s'", topic);
		if (since > 0) {
			show_time(l.now - since, 0, when, sizeof(when));
			printf(" since %s", when);
		}
		putchar('\n');
	}
	rc = 0;
 out:
	store_close(st);
	config_free(cf);
	return rc;
}
