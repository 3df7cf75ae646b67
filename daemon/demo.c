/* demo.c: the example config, a live feed on loopback, the daemon. */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "cmdline.h"
#include "config.h"
#include "log.h"
#include "run.h"
#include "xmalloc.h"

#ifndef FEEDWATCH_EXAMPLES_DIR
#define FEEDWATCH_EXAMPLES_DIR	"/usr/local/share/doc/feedwatch/examples"
#endif

#define DEMO_PERIOD	20
#define DEMO_MAX_ITEMS	20

static const char *const usage_demo =
    "usage: feedwatch demo [-v|-q]\n"
    "Runs the daemon on the bundled example config, with a live feed that\n"
    "gets a new story every 20 seconds; Ctrl-C stops it.  Alerts print on\n"
    "stdout (as text on a terminal); the log shows only warnings, and the\n"
    "daemon's usual log with -v.\n";

/* Stories for the live feed; each names a watched word. */
static const char *const headlines[] = {
	"Lavrov and Blinken speak by phone about grain shipments",
	"Ferry traffic to Crimea halted again by high winds",
	"Sergey Lavrov arrives in Ankara for talks",
	"Observers report shelling near the Donbas ceasefire line",
	"Russian Foreign Minister Lavrov addresses the UN General Assembly",
	"Crimea bridge reopens to lorries after repairs",
};

struct live {
	struct evhttp	*http;
	struct event	*tick;
	GString		*items[DEMO_MAX_ITEMS];
	unsigned int	 n;		/* stories published */
};

static void
live_add(struct live *l)
{
	const char	*h = headlines[l->n % (sizeof(headlines) /
	    sizeof(headlines[0]))];
	char		 date[64];
	time_t		 now = time(NULL);
	struct tm	 tm;
	size_t		 slot = l->n % DEMO_MAX_ITEMS;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (l->items[slot] != NULL)
		g_string_free(l->items[slot], TRUE);
	l->items[slot] = g_string_new(NULL);
	g_string_printf(l->items[slot], "<item><title>%s (live %u)</title>"
	    "<link>https://live.example.org/story/%u</link>"
	    "<guid isPermaLink=\"false\">live-%u</guid><pubDate>%s</pubDate>"
	    "<description>A story published by the demo's live feed at %s."
	    "</description></item>\n", h, l->n + 1, l->n + 1, l->n + 1, date,
	    date);
	l->n++;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	live_add(arg);
}

/* The newest stories first, as news sites list them. */
static void
on_request(struct evhttp_request *req, void *arg)
{
	struct live	*l = arg;
	struct evbuffer	*b;
	unsigned int	 i, k;

	if (strcmp(evhttp_request_get_uri(req), "/live.xml") != 0) {
		evhttp_send_error(req, 404, "not found");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	evbuffer_add_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>Live demo wire</title>\n"
	    "<link>https://live.example.org/</link>\n");
	for (i = 0; i < l->n && i < DEMO_MAX_ITEMS; i++) {
		k = (l->n - 1 - i) % DEMO_MAX_ITEMS;
		evbuffer_add(b, l->items[k]->str, l->items[k]->len);
	}
	evbuffer_add_printf(b, "</channel></rss>\n");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/rss+xml; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/*
 * $FEEDWATCH_EXAMPLES; else where `make install` puts the examples beside
 * the binary (PREFIX/bin/../share/doc/feedwatch/examples), which holds
 * whatever PREFIX and DESTDIR were and whatever PREFIX the build had; else
 * the source tree's examples/ (./feedwatch, build/feedwatch); else the
 * DOCDIR of the build.
 */
static char *
examples_dir(void)
{
	const char	*env = getenv("FEEDWATCH_EXAMPLES");
	char		*exe, *dir, *conf, *cand[4];
	char		*found = NULL;
	size_t		 i;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	exe = g_file_read_link("/proc/self/exe", NULL);
	dir = exe != NULL ? g_path_get_dirname(exe) : g_strdup(".");
	cand[0] = g_build_filename(dir, "..", "share", "doc", "feedwatch",
	    "examples", NULL);
	cand[1] = g_build_filename(dir, "examples", NULL);
	cand[2] = g_build_filename(dir, "..", "examples", NULL);
	cand[3] = g_strdup(FEEDWATCH_EXAMPLES_DIR);
	for (i = 0; i < 4; i++) {
		conf = g_build_filename(cand[i], "feedwatch.conf", NULL);
		if (found == NULL && access(conf, R_OK) == 0)
			found = realpath(cand[i], NULL);
		g_free(conf);
		g_free(cand[i]);
	}
	g_free(dir);
	g_free(exe);
	return found;
}

/* The live feed joins the example config, as one more [feed]. */
static void
add_live_feed(struct config *cf, int port)
{
	struct config_feed	*f;

	cf->feeds = xreallocarray(cf->feeds, cf->nfeeds + 1,
	    sizeof(*cf->feeds));
	f = &cf->feeds[cf->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup("live-wire");
	f->url = xasprintf("http://127.0.0.1:%d/live.xml", port);
	f->interval = 5;
	f->tags.v = xcalloc(2, sizeof(char *));
	f->tags.v[f->tags.n++] = xstrdup("live");
}

/* With a session bus, the desktop gets the alerts too. */
static void
add_desktop_sink(struct config *cf)
{
	struct sink_conf	*s;
	size_t			 i;
	struct config_topic	*t;

	if (getenv("DBUS_SESSION_BUS_ADDRESS") == NULL)
		return;
	cf->sinks = xreallocarray(cf->sinks, cf->nsinks + 1,
	    sizeof(*cf->sinks));
	s = &cf->sinks[cf->nsinks++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("demo-desktop");
	s->type = SINK_DESKTOP;
	s->to = xcalloc(1, sizeof(char *));
	s->command = xcalloc(1, sizeof(char *));
	for (i = 0; i < cf->ntopics; i++) {
		t = &cf->topics[i];
		if (t->sinks.n == 0)
			continue;
		t->sinks.v = xreallocarray(t->sinks.v, t->sinks.n + 2,
		    sizeof(char *));
		t->sinks.v[t->sinks.n++] = xstrdup(s->name);
		t->sinks.v[t->sinks.n] = NULL;
	}
}

static int
bound_port(struct evhttp_bound_socket *sock)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	if (getsockname(evhttp_bound_socket_get_fd(sock),
	    (struct sockaddr *)&sin, &len) == -1)
		return -1;
	return ntohs(sin.sin_port);
}

int
cmd_demo(int argc, char **argv)
{
	struct event_base		*base = NULL;
	struct evhttp_bound_socket	*sock = NULL;
	struct config			*cf = NULL;
	struct live			 l;
	struct timeval			 tv;
	struct cmdline			 cl = { .usage = usage_demo,
	    .optstring = "vqh" };
	const char			*period;
	char				*dir = NULL, *conf = NULL, *tmp = NULL;
	int				 port, rc = 1;
	unsigned int			 i;

	memset(&l, 0, sizeof(l));
	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if (optind != argc)
		return cmdline_usage(&cl);
	/*
	 * The alerts are the show: a log line after each would drown them.
	 * What `run` logs by default needs -v here.
	 */
	log_init(cl.verbosity - 1);
	if ((dir = examples_dir()) == NULL) {
		fprintf(stderr, "feedwatch: the example config is not found "
		    "in ../share/doc/feedwatch/examples from the binary, in "
		    "a source tree or in %s; set $FEEDWATCH_EXAMPLES to the "
		    "examples directory\n", FEEDWATCH_EXAMPLES_DIR);
		return 1;
	}
	conf = g_build_filename(dir, "feedwatch.conf", NULL);
	if ((cf = config_load(conf)) == NULL) {
		rc = 2;
		goto out;
	}
	if ((tmp = g_dir_make_tmp("feedwatch-demo-XXXXXX", NULL)) == NULL) {
		log_warn("cannot make a temporary directory");
		goto out;
	}
	free(cf->daemon.state);
	cf->daemon.state = g_build_filename(tmp, "state.db", NULL);
	if ((base = event_base_new()) == NULL ||
	    (l.http = evhttp_new(base)) == NULL ||
	    (sock = evhttp_bind_socket_with_handle(l.http, "127.0.0.1",
	    0)) == NULL || (port = bound_port(sock)) == -1) {
		log_warnx("demo: cannot serve the live feed on 127.0.0.1");
		goto out;
	}
	evhttp_set_gencb(l.http, on_request, &l);
	live_add(&l);
	period = getenv("FEEDWATCH_DEMO_PERIOD");
	tv.tv_sec = period != NULL && atoi(period) > 0 ? atoi(period) :
	    DEMO_PERIOD;
	tv.tv_usec = 0;
	if ((l.tick = event_new(base, -1, EV_PERSIST, on_tick, &l)) == NULL ||
	    event_add(l.tick, &tv) == -1)
		fatalx("demo: cannot set up the live feed's timer");
	add_live_feed(cf, port);
	add_desktop_sink(cf);
	fprintf(stderr, "feedwatch demo: watching the example feeds in %s/feeds "
	    "and a live feed at http://127.0.0.1:%d/live.xml that gets a new "
	    "story every %lds.\nAlerts for the topics crimea and lavrov "
	    "print below%s. Ctrl-C stops the demo.\n\n", dir, port,
	    (long)tv.tv_sec, isatty(STDOUT_FILENO) ? "" : " as JSON lines");
	rc = run_daemon(conf, cf, base);
	cf = NULL;
 out:
	if (l.tick != NULL)
		event_free(l.tick);
	if (l.http != NULL)
		evhttp_free(l.http);
	for (i = 0; i < DEMO_MAX_ITEMS; i++)
		if (l.items[i] != NULL)
			g_string_free(l.items[i], TRUE);
	if (base != NULL)
		event_base_free(base);
	if (tmp != NULL) {
		char *db = g_build_filename(tmp, "state.db", NULL);
		char *wal = g_strconcat(db, "-wal", NULL);
		char *shm = g_strconcat(db, "-shm", NULL);
		char *lock = g_strconcat(db, ".lock", NULL);

		g_unlink(db);
		g_unlink(wal);
		g_unlink(shm);
		g_unlink(lock);
		g_rmdir(tmp);
		g_free(db);
		g_free(wal);
		g_free(shm);
		g_free(lock);
	}
	config_free(cf);
	g_free(tmp);
	g_free(conf);
	free(dir);
	return rc;
}
