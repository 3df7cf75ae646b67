/*
 * metrics.c: counters keyed by label, rendered as Prometheus text.
 *
 * Counts that depend on a store commit wait in 'pending' until it is known.
 */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "store.h"
#include "xmalloc.h"

/* One labelled counter family: label value -> count. */
struct family {
	GHashTable	*counts;
};

static struct {
	struct family	 polls;		/* by result */
	struct family	 http;		/* by status code */
	struct family	 matches;	/* by topic */
	struct family	 delivered;	/* by sink */
	struct family	 undelivered;	/* by sink */
	struct family	 pushes;	/* WebSub, by result */
	unsigned long long bytes, items, new_items;
	struct family	 pending_matches;
	unsigned long long pending_new;
	double		 lag;
	size_t		 feeds;
} m;

static void
count(struct family *f, const char *label, unsigned long long n)
{
	unsigned long long	*v;

	if (f->counts == NULL)
		f->counts = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, g_free);
	if ((v = g_hash_table_lookup(f->counts, label)) == NULL) {
		v = g_new0(unsigned long long, 1);
		g_hash_table_insert(f->counts, g_strdup(label), v);
	}
	*v += n;
}

void
metrics_poll(const char *result, long http_code, size_t bytes, size_t items)
{
	char	 code[24];

	count(&m.polls, result, 1);
	if (http_code > 0) {
		snprintf(code, sizeof(code), "%ld", http_code);
		count(&m.http, code, 1);
	}
	m.bytes += bytes;
	m.items += items;
}

void
metrics_items_new(size_t n)
{
	m.pending_new += n;
}

void
metrics_match(const char *topic)
{
	count(&m.pending_matches, topic, 1);
}

void
metrics_commit(void)
{
	GHashTableIter	 it;
	gpointer	 k, v;

	m.new_items += m.pending_new;
	m.pending_new = 0;
	if (m.pending_matches.counts == NULL)
		return;
	g_hash_table_iter_init(&it, m.pending_matches.counts);
	while (g_hash_table_iter_next(&it, &k, &v))
		count(&m.matches, k, *(unsigned long long *)v);
	g_hash_table_remove_all(m.pending_matches.counts);
}

void
metrics_rollback(void)
{
	m.pending_new = 0;
	if (m.pending_matches.counts != NULL)
		g_hash_table_remove_all(m.pending_matches.counts);
}

void
metrics_delivery(const char *sink, size_t n, int delivered)
{
	count(delivered ? &m.delivered : &m.undelivered, sink, n);
}

void
metrics_push(const char *result)
{
	count(&m.pushes, result, 1);
}

void
metrics_poll_lag(double secs)
{
	m.lag = secs;
}

void
metrics_feeds(size_t n)
{
	m.feeds = n;
}

/* Label values escape backslash, quote and newline. */
static void
append_label(GString *s, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			g_string_append_c(s, '\\');
		if (*v == '\n')
			g_string_append(s, "\\n");
		else
			g_string_append_c(s, *v);
	}
}

static int
cmp_keys(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
render_family(GString *s, const char *name, const char *help,
    const char *label, const struct family *f)
{
	GPtrArray			*keys;
	const unsigned long long	*v;
	GHashTableIter			 it;
	gpointer			 k;
	guint				 i;

	g_string_append_printf(s, "# HELP %s %s\n# TYPE %s counter\n", name,
	    help, name);
	if (f->counts == NULL)
		return;
	keys = g_ptr_array_new();
	g_hash_table_iter_init(&it, f->counts);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, cmp_keys);
	for (i = 0; i < keys->len; i++) {
		v = g_hash_table_lookup(f->counts, keys->pdata[i]);
		g_string_append_printf(s, "%s{%s=\"", name, label);
		append_label(s, keys->pdata[i]);
		g_string_append_printf(s, "\"} %llu\n", *v);
	}
	g_ptr_array_free(keys, TRUE);
}

char *
metrics_render(struct store *st)
{
	GString			*s = g_string_new(NULL);
	struct sink_counts	*sc = NULL;
	size_t			 n = 0, i;
	char			*out;

	g_string_append(s, "# HELP feedwatch_up 1 while the daemon's loop "
	    "answers.\n# TYPE feedwatch_up gauge\nfeedwatch_up 1\n");
	g_string_append_printf(s, "# HELP feedwatch_feeds Feeds in the config "
	    "in use.\n# TYPE feedwatch_feeds gauge\nfeedwatch_feeds %zu\n",
	    m.feeds);
	render_family(s, "feedwatch_polls_total", "Feed polls that ended, by "
	    "result.", "result", &m.polls);
	render_family(s, "feedwatch_http_responses_total", "Feed polls by "
	    "the HTTP status of their final response.", "code", &m.http);
	g_string_append_printf(s, "# HELP feedwatch_bytes_total Feed body "
	    "bytes received, after decompression, error pages included.\n"
	    "# TYPE feedwatch_bytes_total counter\nfeedwatch_bytes_total "
	    "%llu\n", m.bytes);
	g_string_append_printf(s, "# HELP feedwatch_items_parsed_total Items "
	    "parsed from feed bodies.\n# TYPE feedwatch_items_parsed_total "
	    "counter\nfeedwatch_items_parsed_total %llu\n", m.items);
	g_string_append_printf(s, "# HELP feedwatch_items_new_total Items "
	    "seen for the first time, once recorded.\n# TYPE "
	    "feedwatch_items_new_total counter\nfeedwatch_items_new_total "
	    "%llu\n", m.new_items);
	render_family(s, "feedwatch_matches_total", "New items that matched "
	    "and alerted, by topic (a story alerted from another feed is not "
	    "counted again).", "topic", &m.matches);
	render_family(s, "feedwatch_alerts_delivered_total", "Alerts "
	    "delivered, by sink (a digest counts each of its alerts).", "sink",
	    &m.delivered);
	render_family(s, "feedwatch_alerts_failed_total", "Alerts whose "
	    "delivery attempt failed (to be retried or given up), by sink.",
	    "sink", &m.undelivered);
	render_family(s, "feedwatch_pushes_total", "WebSub content "
	    "distribution requests received, by result: accepted, or why "
	    "dropped.", "result", &m.pushes);
	g_string_append(s, "# HELP feedwatch_outbox_pending Alerts waiting "
	    "for delivery, by sink.\n# TYPE feedwatch_outbox_pending gauge\n");
	if (st != NULL && store_sink_counts(st, &sc, &n) == 0)
		for (i = 0; i < n; i++) {
			g_string_append(s, "feedwatch_outbox_pending{sink=\"");
			append_label(s, sc[i].sink);
			g_string_append_printf(s, "\"} %ld\n", sc[i].pending);
		}
	g_string_append(s, "# HELP feedwatch_outbox_failed Alerts given up "
	    "on, by sink.\n# TYPE feedwatch_outbox_failed gauge\n");
	for (i = 0; i < n; i++) {
		g_string_append(s, "feedwatch_outbox_failed{sink=\"");
		append_label(s, sc[i].sink);
		g_string_append_printf(s, "\"} %ld\n", sc[i].failed);
	}
	sink_counts_free(sc, n);
	g_string_append_printf(s, "# HELP feedwatch_poll_lag_seconds How late "
	    "the last poll started after it was due.\n# TYPE "
	    "feedwatch_poll_lag_seconds gauge\nfeedwatch_poll_lag_seconds "
	    "%.3f\n", m.lag);
	out = xstrdup(s->str);
	g_string_free(s, TRUE);
	return out;
}

static void
family_free(struct family *f)
{
	if (f->counts != NULL)
		g_hash_table_destroy(f->counts);
	f->counts = NULL;
}

void
metrics_free(void)
{
	family_free(&m.polls);
	family_free(&m.http);
	family_free(&m.matches);
	family_free(&m.delivered);
	family_free(&m.undelivered);
	family_free(&m.pushes);
	family_free(&m.pending_matches);
}
