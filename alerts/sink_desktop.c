/*
 * sink_desktop.c: notifications through libnotify on a thread of their own.
 *
 * The loop thread builds a job (plain strings), hands it to the notifier
 * thread with g_main_context_invoke_full, and gets it back through the
 * sink's pipe as a pointer.  Who frees a job is decided under nt_lock:
 *
 *   - the thread, when done, posts the job to its owner's pipe (posted = 1)
 *     or, if the owner let go of it (owner == NULL), frees it;
 *   - the loop lets go of an unposted job when it times out or its sink is
 *     freed, and frees a posted job when it reads it from the pipe or when
 *     its sink is freed (the pointer left in the pipe is then never read).
 *
 * Only the thread calls libnotify and GLib D-Bus; it never logs (results
 * carry the messages back to the loop, which does).
 */
#include "sink_desktop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include <event2/event.h>
#include <gio/gio.h>
#include <glib.h>
#include <jansson.h>
#include <libnotify/notify.h>

#include "log.h"
#include "url.h"
#include "xmalloc.h"

#define LIVE_MAX	32	/* shown notifications kept for their actions */
#define ICON_NAME	"feedwatch"
#define ICON_STOCK	"dialog-information"	/* without ours installed */
#define DESKTOP_ENTRY	"feedwatch"

struct desk_job {
	/* Under nt_lock. */
	struct sink_desktop	*owner;
	int			 posted;
	/* Set by the loop, read by the thread. */
	char			*summary;
	char			*body_text;
	char			*body_markup;
	char			*body_links;	/* markup with <a href> */
	char			*link;		/* default action, or NULL */
	const char		*icon;
	NotifyUrgency		 urgency;
	/* Set by the thread before posting. */
	int			 ok;
	int			 no_bus;
	char			*error;
	/* The loop's alone. */
	struct event		*timer;
	sink_done_cb		*done;
	void			*arg;
	TAILQ_ENTRY(desk_job)	 entry;
};

struct sink_desktop {
	const struct sink_conf	*conf;
	struct sink_env		 env;
	const char		*icon;
	NotifyUrgency		 urgency;
	long			 timeout;
	int			 fds[2];	/* results: thread -> loop */
	struct event		*ev;
	int			 warned;	/* "no session bus" said */
	TAILQ_HEAD(, desk_job)	 jobs;
};

/* The notifier: process-wide, started once. */
static GMutex		 nt_lock;
static GMainContext	*nt_ctx;
static GMainLoop	*nt_loop;
static GThread		*nt_thread;
/* The thread's alone. */
static GDBusConnection	*nt_bus;
static GQueue		 nt_live = G_QUEUE_INIT;
/* The loop's: whether this process lives on to answer actions. */
static int		 nt_actions;

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Strings only: safe on either thread. */
static void
job_free(struct desk_job *j)
{
	free(j->summary);
	free(j->body_text);
	free(j->body_markup);
	free(j->body_links);
	free(j->link);
	g_free(j->error);
	free(j);
}

/* Notifier thread: the session bus, with exit-on-close off. */
static int
bus_ready(GError **err)
{
	if (nt_bus != NULL && !g_dbus_connection_is_closed(nt_bus))
		return 1;
	if (nt_bus != NULL) {
		/* The bus went away: drop libnotify's proxy on it too. */
		g_clear_object(&nt_bus);
		notify_uninit();
		notify_init("feedwatch");
	}
	if ((nt_bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, err)) == NULL)
		return 0;
	g_dbus_connection_set_exit_on_close(nt_bus, FALSE);
	return 1;
}

static void
on_open(NotifyNotification *n, char *action, gpointer arg)
{
	GError	*err = NULL;

	if (!g_app_info_launch_default_for_uri(arg, NULL, &err))
		g_clear_error(&err);	/* nothing to tell: no loop here */
}

static void
on_closed(NotifyNotification *n, gpointer arg)
{
	if (g_queue_remove(&nt_live, n))
		g_object_unref(n);
}

static int
has_cap(GList *caps, const char *cap)
{
	for (; caps != NULL; caps = caps->next)
		if (strcmp(caps->data, cap) == 0)
			return 1;
	return 0;
}

/* Notifier thread: show one job, then post it back or drop it. */
static gboolean
notifier_show(gpointer data)
{
	struct desk_job		*j = data;
	struct sink_desktop	*owner;
	NotifyNotification	*n = NULL;
	GError			*err = NULL;
	GList			*caps = NULL;
	const char		*body;
	int			 actions;

	g_mutex_lock(&nt_lock);
	owner = j->owner;
	g_mutex_unlock(&nt_lock);
	if (owner == NULL)
		goto post;	/* timed out or its sink is gone: skip */
	if (!bus_ready(&err)) {
		j->no_bus = 1;
		j->error = g_strdup_printf("no session bus: %s", err->message);
		goto post;
	}
	caps = notify_get_server_caps();
	body = j->body_text;
	if (has_cap(caps, "body-markup"))
		body = has_cap(caps, "body-hyperlinks") ? j->body_links :
		    j->body_markup;
	actions = has_cap(caps, "actions");
	/* libnotify 0.8.1 sends the icon as the app_icon of Notify. */
	n = notify_notification_new(j->summary, body, j->icon);
	notify_notification_set_urgency(n, j->urgency);
	notify_notification_set_category(n, "x-feedwatch.alert");
	notify_notification_set_hint_string(n, "desktop-entry", DESKTOP_ENTRY);
	if (actions && j->link != NULL)
		notify_notification_add_action(n, "default", "Open", on_open,
		    g_strdup(j->link), g_free);
	if (!(j->ok = notify_notification_show(n, &err))) {
		j->error = g_strdup_printf("notification not shown: %s",
		    err != NULL ? err->message : "?");
		if (err != NULL && (g_error_matches(err, G_IO_ERROR,
		    G_IO_ERROR_CLOSED) || g_error_matches(err, G_DBUS_ERROR,
		    G_DBUS_ERROR_DISCONNECTED))) {
			notify_uninit();
			notify_init("feedwatch");
		}
	} else if (actions && j->link != NULL) {
		/* Its action fires only while it lives: keep it a while. */
		g_signal_connect(n, "closed", G_CALLBACK(on_closed), NULL);
		g_queue_push_tail(&nt_live, n);
		n = NULL;
		if (g_queue_get_length(&nt_live) > LIVE_MAX)
			g_object_unref(g_queue_pop_head(&nt_live));
	}
 post:
	g_list_free_full(caps, g_free);
	if (n != NULL)
		g_object_unref(n);
	g_clear_error(&err);
	g_mutex_lock(&nt_lock);
	if (j->owner != NULL) {
		j->posted = 1;
		/* A pointer is far below PIPE_BUF: written whole or not. */
		if (write(j->owner->fds[1], &j, sizeof(j)) != sizeof(j))
			fatal("%s: write", __func__);
	} else
		job_free(j);
	g_mutex_unlock(&nt_lock);
	return G_SOURCE_REMOVE;
}

static gpointer
notifier_main(gpointer arg)
{
	/* Proxies made here deliver their signals to this context. */
	g_main_context_push_thread_default(nt_ctx);
	notify_init("feedwatch");
	g_main_loop_run(nt_loop);
	return NULL;
}

static void
notifier_start(void)
{
	if (nt_thread != NULL)
		return;
	nt_ctx = g_main_context_new();
	nt_loop = g_main_loop_new(nt_ctx, FALSE);
	nt_thread = g_thread_new("feedwatch-notify", notifier_main, NULL);
}

/* Loop: a job is back from the thread. */
static void
on_result(evutil_socket_t fd, short what, void *arg)
{
	struct sink_desktop	*d = arg;
	struct desk_job		*j;
	enum sink_result	 res;
	char			 msg[512];
	sink_done_cb		*done;
	void			*darg;
	ssize_t			 n;

	/* One job per call: 'done' may free the sink. */
	if ((n = read(fd, &j, sizeof(j))) != sizeof(j)) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		fatalx("%s: short read from the notifier", __func__);
	}
	TAILQ_REMOVE(&d->jobs, j, entry);
	event_free(j->timer);
	res = j->ok ? SINK_DELIVERED : SINK_RETRY;
	snprintf(msg, sizeof(msg), "%s", j->error ? j->error : "");
	if (j->ok) {
		log_debug("sink '%s': notification shown", d->conf->name);
		d->warned = 0;
	} else if (j->no_bus && !d->warned) {
		log_warnx("sink '%s': %s; notifications wait for a session "
		    "bus (a logged-in user, a user service)", d->conf->name,
		    msg);
		d->warned = 1;
	} else if (j->no_bus)
		log_debug("sink '%s': %s", d->conf->name, msg);
	else
		log_warnx("sink '%s': %s", d->conf->name, msg);
	done = j->done;
	darg = j->arg;
	job_free(j);
	done(res, -1, res == SINK_DELIVERED ? NULL : msg, darg);
}

/* Loop: the thread has not answered in time. */
static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct desk_job		*j = arg;
	struct sink_desktop	*d = j->owner;
	char			 msg[128];
	sink_done_cb		*done = j->done;
	void			*darg = j->arg;

	g_mutex_lock(&nt_lock);
	if (j->posted) {
		/* The answer is in the pipe: on_result takes it. */
		g_mutex_unlock(&nt_lock);
		return;
	}
	j->owner = NULL;	/* the thread frees it */
	g_mutex_unlock(&nt_lock);
	TAILQ_REMOVE(&d->jobs, j, entry);
	event_free(j->timer);
	j->timer = NULL;
	snprintf(msg, sizeof(msg), "the notification server did not answer "
	    "in %lds", d->timeout);
	log_warnx("sink '%s': %s", d->conf->name, msg);
	done(SINK_RETRY, -1, msg, darg);
}

/* 1 if DIR/icons/hicolor/scalable/apps/feedwatch.svg exists. */
static int
icon_in(const char *dir)
{
	char	*path;
	int	 found;

	path = g_build_filename(dir, "icons", "hicolor", "scalable", "apps",
	    ICON_NAME ".svg", NULL);
	found = access(path, R_OK) == 0;
	g_free(path);
	return found;
}

/*
 * Our icon's name where the icon theme has it (hicolor, where `make
 * install` and the package put it, and where every theme looks last),
 * else a stock name that every theme has.
 */
static const char *
icon_name(void)
{
	const gchar *const	*dirs = g_get_system_data_dirs();
	size_t			 i;

	if (icon_in(g_get_user_data_dir()))
		return ICON_NAME;
	for (i = 0; dirs[i] != NULL; i++)
		if (icon_in(dirs[i]))
			return ICON_NAME;
	return ICON_STOCK;
}

void
sink_desktop_offer_actions(int on)
{
	nt_actions = on;
}

struct sink_desktop *
sink_desktop_new(const struct sink_conf *conf, const struct sink_env *env,
    char *err, size_t errlen)
{
	struct sink_desktop	*d;
	NotifyUrgency		 u = NOTIFY_URGENCY_NORMAL;

	if (conf->urgency == NULL || strcmp(conf->urgency, "normal") == 0)
		u = NOTIFY_URGENCY_NORMAL;
	else if (strcmp(conf->urgency, "low") == 0)
		u = NOTIFY_URGENCY_LOW;
	else if (strcmp(conf->urgency, "critical") == 0)
		u = NOTIFY_URGENCY_CRITICAL;
	else {
		snprintf(err, errlen, "urgency '%s' is not low, normal or "
		    "critical", conf->urgency);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->conf = conf;
	d->env = *env;
	d->icon = icon_name();
	d->urgency = u;
	d->timeout = conf->timeout > 0 ? conf->timeout : SINK_DESKTOP_TIMEOUT;
	TAILQ_INIT(&d->jobs);
	if (pipe2(d->fds, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(d);
		return NULL;
	}
	/* The read end only: the thread's writes may wait (they never do). */
	if (fcntl(d->fds[0], F_SETFL, O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	if ((d->ev = event_new(env->base, d->fds[0], EV_READ | EV_PERSIST,
	    on_result, d)) == NULL || event_add(d->ev, NULL) == -1)
		fatalx("%s: cannot watch the notifier pipe", __func__);
	notifier_start();
	return d;
}

void
sink_desktop_free(struct sink_desktop *d)
{
	struct desk_job	*j;

	if (d == NULL)
		return;
	event_free(d->ev);
	while ((j = TAILQ_FIRST(&d->jobs)) != NULL) {
		TAILQ_REMOVE(&d->jobs, j, entry);
		event_free(j->timer);
		g_mutex_lock(&nt_lock);
		if (j->posted)
			job_free(j);	/* its pointer in the pipe is dropped */
		else
			j->owner = NULL;	/* the thread frees it */
		g_mutex_unlock(&nt_lock);
	}
	close(d->fds[0]);
	close(d->fds[1]);
	free(d);
}

/* 'pre', 's' escaped as markup, 'post', on 'mk' and on 'lk' if not NULL. */
static void
append_markup(GString *mk, GString *lk, const char *pre, const char *s,
    const char *post)
{
	gchar	*e = g_markup_escape_text(s, -1);

	g_string_append_printf(mk, "%s%s%s", pre, e, post);
	if (lk != NULL)
		g_string_append_printf(lk, "%s%s%s", pre, e, post);
	g_free(e);
}

/* The strings of the array 'v' joined by ", " (g_free it). */
static char *
joined(const json_t *v)
{
	GString	*g = g_string_new(NULL);
	size_t	 i;

	for (i = 0; i < json_array_size(v); i++)
		g_string_append_printf(g, "%s%s", i ? ", " : "",
		    json_string_value(json_array_get(v, i)));
	return g_string_free(g, FALSE);
}

/* 'pre' then 'text' linked to the web link 'url', escaped. */
static void
append_anchor(GString *lk, const char *pre, const char *url,
    const char *text)
{
	gchar	*u = g_markup_escape_text(url, -1);
	gchar	*t = g_markup_escape_text(text, -1);

	g_string_append_printf(lk, "%s<a href=\"%s\">%s</a>", pre, u, t);
	g_free(t);
	g_free(u);
}

/*
 * The bodies of one alert: its title, snippet, feed and
 * web link, the link in plain sight (a hyperlink where the server takes
 * them), and the "Open" action's when this process can answer it.
 */
static void
make_one(struct desk_job *j, const json_t *a, GString *text, GString *mk,
    GString *lk)
{
	const char	*t = sink_alert_title(a), *link = jstr(a, "link");

	g_string_append(text, t);
	append_markup(mk, lk, "<b>", t, "</b>");
	if ((t = jstr(a, "snippet")) != NULL && *t != '\0') {
		g_string_append_printf(text, "\n%s", t);
		append_markup(mk, lk, "\n", t, "");
	}
	if (sink_alert_in_article(a)) {
		t = "(matched in the article)";
		g_string_append_printf(text, "\n%s", t);
		append_markup(mk, lk, "\n", t, "");
	}
	if ((t = jstr(a, "feed_title")) == NULL || *t == '\0')
		t = jstr(a, "feed");
	if (t != NULL) {
		g_string_append_printf(text, "\n\xe2\x80\x94 %s", t);
		append_markup(mk, lk, "\n<i>", t, "</i>");
	}
	/* Only a web link is shown, linked or launched. */
	if (!url_is_web(link))
		return;
	g_string_append_printf(text, "\n%s", link);
	append_markup(mk, NULL, "\n", link, "");
	append_anchor(lk, "\n", link, link);
	if (nt_actions)
		j->link = xstrdup(link);
}

/*
 * A digest's bodies: its first items' titles, each linked where it can
 * be, and with its topics when the digest has several ('topics').
 */
static void
make_list(const json_t *items, int topics, GString *text, GString *mk,
    GString *lk)
{
	const json_t	*a;
	const char	*t, *link, *pre;
	char		*more, *tp;
	size_t		 i, n = json_array_size(items);

	for (i = 0; i < n && i < SINK_DESKTOP_LIST; i++) {
		a = json_array_get(items, i);
		t = sink_alert_title(a);
		pre = i ? "\n\xe2\x80\xa2 " : "\xe2\x80\xa2 ";
		g_string_append_printf(text, "%s%s", pre, t);
		append_markup(mk, NULL, pre, t, "");
		if (url_is_web(link = jstr(a, "link")))
			append_anchor(lk, pre, link, t);
		else
			append_markup(lk, NULL, pre, t, "");
		if (!topics)
			continue;
		tp = joined(json_object_get(a, "topics"));
		g_string_append_printf(text, " (%s)", tp);
		append_markup(mk, lk, " <i>(", tp, ")</i>");
		g_free(tp);
	}
	if (n > SINK_DESKTOP_LIST) {
		more = xasprintf("\xe2\x80\xa6 and %zu more",
		    n - SINK_DESKTOP_LIST);
		g_string_append_printf(text, "\n%s", more);
		append_markup(mk, lk, "\n<i>", more, "</i>");
		free(more);
	}
}

/*
 * Summary and the three bodies for the alerts 'arr', told as the items
 * they are about: one item's summary names all its topics.
 */
static void
make_text(struct desk_job *j, const json_t *arr)
{
	GString		*text = g_string_new(NULL), *mk = g_string_new(NULL);
	GString		*lk = g_string_new(NULL);
	json_t		*items = sink_alerts_items(arr);
	json_t		*topics = sink_items_topics(items);
	char		*tp = joined(topics);
	const char	*who = *tp != '\0' ? tp : "feedwatch";
	size_t		 n = json_array_size(items);

	if (n == 1) {
		j->summary = xstrdup(who);
		make_one(j, json_array_get(items, 0), text, mk, lk);
	} else {
		j->summary = xasprintf("%s: %zu alerts", who, n);
		make_list(items, json_array_size(topics) > 1, text, mk, lk);
	}
	j->body_text = xstrdup(text->str);
	j->body_markup = xstrdup(mk->str);
	j->body_links = xstrdup(lk->str);
	g_free(tp);
	json_decref(topics);
	json_decref(items);
	g_string_free(text, TRUE);
	g_string_free(mk, TRUE);
	g_string_free(lk, TRUE);
}

int
sink_desktop_send(struct sink_desktop *d, const char *const *alerts,
    size_t n, sink_done_cb *done, void *arg)
{
	struct desk_job	*j;
	json_t		*arr;
	struct timeval	 tv = { d->timeout, 0 };

	if ((arr = sink_alerts_parse(d->conf->name, alerts, n)) == NULL)
		return -1;
	j = xcalloc(1, sizeof(*j));
	j->owner = d;
	j->icon = d->icon;
	/* A topic's priority overrides the sink's urgency, both ways. */
	switch (sink_alerts_priority(arr)) {
	case SINK_PRIORITY_HIGH:
		j->urgency = NOTIFY_URGENCY_CRITICAL;
		break;
	case SINK_PRIORITY_LOW:
		j->urgency = NOTIFY_URGENCY_LOW;
		break;
	case SINK_PRIORITY_NORMAL:
		j->urgency = d->urgency;
		break;
	}
	j->done = done;
	j->arg = arg;
	make_text(j, arr);
	json_decref(arr);
	if ((j->timer = evtimer_new(d->env.base, on_timeout, j)) == NULL ||
	    evtimer_add(j->timer, &tv) == -1)
		fatalx("%s: cannot arm a timer", __func__);
	TAILQ_INSERT_TAIL(&d->jobs, j, entry);
	g_main_context_invoke_full(nt_ctx, G_PRIORITY_DEFAULT, notifier_show,
	    j, NULL);
	return 0;
}
