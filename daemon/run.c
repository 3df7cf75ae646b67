/* run.c: the daemon's main loop, signals and systemd notifications. */
#include "run.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <systemd/sd-daemon.h>

#include "cmdline.h"
#include "config.h"
#include "duration.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "push.h"
#include "schedule.h"
#include "sink_desktop.h"
#include "store.h"
#include "watch.h"
#include "xfer.h"
#include "xmalloc.h"

#define RUN_DRAIN_SECS	10	/* how long SIGTERM waits for in-flight work */
#define RUN_PRUNE_SECS	3600

struct daemon {
	struct event_base	*base;
	struct xfer_multi	*m;
	struct watch		*w;
	struct schedule		*s;
	struct config		*cf;
	struct config		**retired;	/* until their polls finish */
	size_t			 nretired;
	char			*path;
	struct event		*ev_hup, *ev_term, *ev_int;
	struct event		*watchdog, *prune, *drain;
	struct listener		*http;		/* [daemon] listen */
	struct push		*push;		/* WebSub */
	int			 stopping;
};

static const char *const usage_run =
    "usage: feedwatch run [-c FILE] [-v|-q]\n"
    "Runs the daemon in the foreground: polls every feed on its schedule,\n"
    "alerts on new items, delivers through the outbox.  SIGHUP reloads the\n"
    "config; SIGTERM or SIGINT stops it.\n";

static void
notify_status(struct daemon *d, const char *state)
{
	sd_notifyf(0, "%sSTATUS=watching %zu feeds, %zu topics",
	    state, schedule_feeds(d->s), d->cf->ntopics);
}

static void
free_retired(struct daemon *d)
{
	size_t	 i;

	for (i = 0; i < d->nretired; i++)
		config_free(d->retired[i]);
	free(d->retired);
	d->retired = NULL;
	d->nretired = 0;
}

static void
on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct config	*cf;

	if (d->stopping)
		return;
	sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
	log_info("reloading '%s'", d->path);
	if ((cf = config_load(d->path)) == NULL) {
		log_warnx("reload of '%s' failed; keeping the configuration in "
		    "use", d->path);
		notify_status(d, "READY=1\n");
		return;
	}
	if (schedule_running(d->s) == 0 && watch_busy(d->w) == 0)
		free_retired(d);
	d->retired = xreallocarray(d->retired, d->nretired + 1,
	    sizeof(*d->retired));
	d->retired[d->nretired++] = d->cf;
	d->cf = cf;
	watch_reload(d->w, cf);
	schedule_reload(d->s, cf);
	push_reload(d->push, cf);
	log_info("reloaded: %zu feeds, %zu topics, %zu sinks", cf->nfeeds,
	    cf->ntopics, cf->nsinks);
	config_warn(cf);
	notify_status(d, "READY=1\n");
}

static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { 0, 200000 };
	static time_t	 deadline;

	if (deadline == 0)
		deadline = time(NULL) + RUN_DRAIN_SECS;
	if ((schedule_running(d->s) == 0 && watch_busy(d->w) == 0) ||
	    time(NULL) >= deadline) {
		event_base_loopbreak(d->base);
		return;
	}
	evtimer_add(d->drain, &tv);
}

static void
on_term(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;

	if (d->stopping)
		return;
	d->stopping = 1;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	log_info("stopping: finishing what is in flight");
	schedule_stop(d->s);
	watch_stop(d->w);
	on_drain(-1, 0, d);
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

static void
on_prune(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	time_t		 now = time(NULL);

	if (store_prune(watch_store(d->w), duration_after(now,
	    -d->cf->daemon.keep), duration_after(now,
	    -d->cf->daemon.same_story)) == -1)
		log_warnx("state: pruning old items failed; retried in an "
		    "hour");
	if (schedule_running(d->s) == 0 && watch_busy(d->w) == 0)
		free_retired(d);
}

static void
on_http(struct evhttp_request *req, void *arg)
{
	struct daemon	*d = arg;
	struct evbuffer	*b;
	const char	*uri = evhttp_request_get_uri(req);
	char		*text;

	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		evhttp_send_error(req, 405, NULL);
		return;
	}

	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	if (strcmp(uri, "/healthz") == 0) {
		evbuffer_add_printf(b, d->stopping ? "stopping\n" : "ok\n");
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "text/plain");
		evhttp_send_reply(req, d->stopping ? 503 : 200, "OK", b);
	} else if (strcmp(uri, "/metrics") == 0) {
		metrics_feeds(schedule_feeds(d->s));
		text = metrics_render(watch_store(d->w));
		evbuffer_add(b, text, strlen(text));
		free(text);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "text/plain; version=0.0.4");
		evhttp_send_reply(req, 200, "OK", b);
	} else
		evhttp_send_error(req, 404, "try /metrics or /healthz");
	evbuffer_free(b);
}

static void
on_pushed(const struct config_feed *f, const struct poll_outcome *o,
    void *arg)
{
	struct daemon	*d = arg;

	schedule_pushed(d->s, f, o);
}

static void
on_unpushed(const char *feed, void *arg)
{
	struct daemon	*d = arg;

	schedule_unpushed(d->s, feed);
}

/* [daemon] listen = HOST:PORT: /metrics and /healthz. */
static int
listen_http(struct daemon *d)
{
	const char	*spec = d->cf->daemon.listen;

	if (spec == NULL)
		return 0;
	if ((d->http = listener_new(d->base, spec,
	    (size_t)d->cf->daemon.max_size)) == NULL)
		return -1;
	listener_route(d->http, "/healthz", on_http, d);
	listener_route(d->http, "/metrics", on_http, d);
	log_info("serving /metrics and /healthz on %s", spec);
	return 0;
}

static int
daemon_start(struct daemon *d)
{
	struct timeval	 tv;
	uint64_t	 usec;

	if ((d->m = xfer_multi_new(d->base)) == NULL ||
	    (d->w = watch_new(d->cf, d->base, d->m, 0)) == NULL)
		return -1;
	if (listen_http(d) == -1)
		return -1;
	d->s = schedule_new(d->base, d->w, d->cf);
	d->push = push_new(d->cf, d->base, d->m, d->w, d->http, on_pushed,
	    on_unpushed, d);
	watch_set_push(d->w, d->push);
	if ((d->ev_hup = evsignal_new(d->base, SIGHUP, on_hup, d)) == NULL ||
	    (d->ev_term = evsignal_new(d->base, SIGTERM, on_term, d)) == NULL ||
	    (d->ev_int = evsignal_new(d->base, SIGINT, on_term, d)) == NULL ||
	    (d->prune = event_new(d->base, -1, EV_PERSIST, on_prune,
	    d)) == NULL ||
	    (d->drain = evtimer_new(d->base, on_drain, d)) == NULL ||
	    event_add(d->ev_hup, NULL) == -1 ||
	    event_add(d->ev_term, NULL) == -1 ||
	    event_add(d->ev_int, NULL) == -1)
		fatalx("cannot set up signal handling");
	tv.tv_sec = RUN_PRUNE_SECS;
	tv.tv_usec = 0;
	if (event_add(d->prune, &tv) == -1)
		fatalx("cannot set up the prune timer");
	/* Ping from the loop itself: a wedged loop must look dead. */
	if (sd_watchdog_enabled(0, &usec) > 0) {
		tv.tv_sec = usec / 2 / 1000000;
		tv.tv_usec = usec / 2 % 1000000;
		if ((d->watchdog = event_new(d->base, -1, EV_PERSIST,
		    on_watchdog, d)) == NULL || event_add(d->watchdog, &tv) == -1)
			fatalx("cannot set up the watchdog timer");
	}
	/* Alerts left in the outbox by the last run go out first. */
	watch_deliver(d->w);
	on_prune(-1, 0, d);
	return 0;
}

int
run_daemon(const char *path, struct config *cf, struct event_base *base)
{
	struct daemon	 d;
	int		 rc = 1;

	memset(&d, 0, sizeof(d));
	d.base = base;
	d.path = xstrdup(path);
	d.cf = cf;
	/* The daemon lives on: clicking a notification can open its link. */
	sink_desktop_offer_actions(1);
	if (daemon_start(&d) == -1) {
		sd_notify(0, "STATUS=cannot start: see the log");
		goto out;
	}
	log_info("watching %zu feeds, %zu topics, %zu sinks (state '%s')",
	    d.cf->nfeeds, d.cf->ntopics, d.cf->nsinks,
	    store_path(watch_store(d.w)));
	config_warn(d.cf);
	notify_status(&d, "READY=1\n");
	if (event_base_dispatch(d.base) == -1)
		fatalx("event loop failed");
	rc = 0;
 out:
	/* Cancelled polls record nothing: the next start polls them again. */
	if (d.w != NULL)
		watch_set_push(d.w, NULL);
	push_free(d.push);
	xfer_multi_free(d.m);
	schedule_free(d.s);
	watch_free(d.w);
	if (d.watchdog != NULL)
		event_free(d.watchdog);
	if (d.prune != NULL)
		event_free(d.prune);
	if (d.drain != NULL)
		event_free(d.drain);
	if (d.ev_hup != NULL)
		event_free(d.ev_hup);
	if (d.ev_term != NULL)
		event_free(d.ev_term);
	if (d.ev_int != NULL)
		event_free(d.ev_int);
	listener_free(d.http);
	metrics_free();
	free_retired(&d);
	config_free(d.cf);
	free(d.path);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	struct cmdline		 cl = { .usage = usage_run,
	    .optstring = "c:vqh" };
	struct event_base	*base;
	struct config		*cf;
	int			 rc;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if (optind != argc)
		return cmdline_usage(&cl);
	if ((cf = cmdline_config(&cl)) == NULL)
		return 2;
	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	rc = run_daemon(cf->path, cf, base);
	event_base_free(base);
	return rc;
}
