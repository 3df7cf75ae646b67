/*
 * check_desktop.c: the desktop sink against a fake
 * org.freedesktop.Notifications (GDBus, a thread of its own) on a private
 * dbus-daemon: markup, hyperlink or plain servers, digests, no bus, a
 * server that never answers, links, icons, priorities, and the Open
 * action offered by the daemon only, not by test-sink.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <jansson.h>

#include "harness.h"
#include "sink.h"
#include "sink_desktop.h"
#include "sinkh.h"
#include "xmalloc.h"

static const char notify_xml[] =
    "<node><interface name='org.freedesktop.Notifications'>"
    "<method name='Notify'><arg type='s' direction='in'/>"
    "<arg type='u' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
    "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
    "<method name='GetCapabilities'><arg type='as' direction='out'/>"
    "</method>"
    "<method name='GetServerInformation'><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/></method>"
    "<method name='CloseNotification'><arg type='u' direction='in'/>"
    "</method></interface></node>";

/* The fake notification server: its own thread, context and connection. */
struct notifyd {
	GPid		 bus_pid;
	char		*address;
	GThread		*thread;
	GMainContext	*ctx;
	GMainLoop	*loop;
	GMutex		 lock;
	GCond		 cond;
	int		 ready;
	int		 caps;		/* ND_* */
	/* The last Notify, and every summary, a line each, under lock. */
	int		 calls;
	GString		*summaries;
	char		*summary;
	char		*body;
	char		*actions;	/* joined with '|' */
	char		*icon;		/* app_icon */
	char		*entry;		/* the desktop-entry hint, or NULL */
	int		 urgency;
	GDBusMethodInvocation *held;
};

/* What the fake server does. */
#define ND_MARKUP	0x1	/* announce body-markup and actions */
#define ND_LINKS	0x2	/* and body-hyperlinks */
#define ND_HANG		0x4	/* never answer Notify */

static struct notifyd	*ND;

static void
nd_method(GDBusConnection *c, const gchar *sender, const gchar *path,
    const gchar *iface, const gchar *method, GVariant *params,
    GDBusMethodInvocation *inv, gpointer arg)
{
	struct notifyd	*d = arg;
	const gchar	*app, *icon, *summary, *body, *entry = NULL;
	const gchar	**actions;
	GVariant	*hints, *caps;
	guint32		 id;
	gint32		 timeout;
	guchar		 urg = 255;
	GPtrArray	*v;

	if (strcmp(method, "GetCapabilities") == 0) {
		v = g_ptr_array_new();
		g_ptr_array_add(v, SINKH_W("body"));
		if (d->caps & ND_MARKUP) {
			g_ptr_array_add(v, SINKH_W("body-markup"));
			g_ptr_array_add(v, SINKH_W("actions"));
		}
		if (d->caps & ND_LINKS)
			g_ptr_array_add(v, SINKH_W("body-hyperlinks"));
		caps = g_variant_new_strv((const gchar *const *)v->pdata,
		    v->len);
		g_ptr_array_free(v, TRUE);
		g_dbus_method_invocation_return_value(inv,
		    g_variant_new_tuple(&caps, 1));
	} else if (strcmp(method, "GetServerInformation") == 0) {
		g_dbus_method_invocation_return_value(inv, g_variant_new(
		    "(ssss)", "notifyd", "feedwatch-tests", "1", "1.2"));
	} else if (strcmp(method, "Notify") == 0) {
		g_variant_get(params, "(&su&s&s&s^a&s@a{sv}i)", &app, &id,
		    &icon, &summary, &body, &actions, &hints, &timeout);
		g_variant_lookup(hints, "urgency", "y", &urg);
		g_variant_lookup(hints, "desktop-entry", "&s", &entry);
		g_mutex_lock(&d->lock);
		d->calls++;
		g_free(d->summary);
		g_free(d->body);
		g_free(d->actions);
		g_free(d->icon);
		g_free(d->entry);
		d->summary = g_strdup(summary);
		g_string_append_printf(d->summaries, "%s\n", summary);
		d->body = g_strdup(body);
		d->actions = g_strjoinv("|", (gchar **)actions);
		d->icon = g_strdup(icon);
		d->entry = g_strdup(entry);
		d->urgency = urg;
		g_mutex_unlock(&d->lock);
		g_free(actions);
		g_variant_unref(hints);
		if (d->caps & ND_HANG) {
			g_mutex_lock(&d->lock);
			d->held = inv;
			g_mutex_unlock(&d->lock);
		}
		else
			g_dbus_method_invocation_return_value(inv,
			    g_variant_new("(u)", 42));
	} else
		g_dbus_method_invocation_return_value(inv, NULL);
}

static gpointer
nd_main(gpointer arg)
{
	static const GDBusInterfaceVTable vt = { nd_method, NULL, NULL, { 0 } };
	struct notifyd	*d = arg;
	GDBusConnection	*c;
	GDBusNodeInfo	*info;
	GVariant	*r;
	GError		*err = NULL;

	g_main_context_push_thread_default(d->ctx);
	c = g_dbus_connection_new_for_address_sync(d->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	g_assert_no_error(err);
	info = g_dbus_node_info_new_for_xml(notify_xml, &err);
	g_assert_no_error(err);
	g_dbus_connection_register_object(c, "/org/freedesktop/Notifications",
	    info->interfaces[0], &vt, d, NULL, &err);
	g_assert_no_error(err);
	r = g_dbus_connection_call_sync(c, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
	    g_variant_new("(su)", "org.freedesktop.Notifications", 4),
	    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &err);
	g_assert_no_error(err);
	g_variant_unref(r);
	g_mutex_lock(&d->lock);
	d->ready = 1;
	g_cond_signal(&d->cond);
	g_mutex_unlock(&d->lock);
	g_main_loop_run(d->loop);
	g_dbus_node_info_unref(info);
	g_object_unref(c);
	return NULL;
}

/* A private session bus in $DBUS_SESSION_BUS_ADDRESS, with the server. */
static void
nd_start(int caps)
{
	const char	*argv[] = { "dbus-daemon", "--session", "--nofork",
			    "--nopidfile", "--print-address=1", NULL };
	GError		*err = NULL;
	gint		 out;
	FILE		*f;
	char		 line[512];

	test_need("dbus-daemon", "dbus-daemon");
	ND = xcalloc(1, sizeof(*ND));
	ND->caps = caps;
	ND->summaries = g_string_new(NULL);
	g_mutex_init(&ND->lock);
	g_cond_init(&ND->cond);
	ck_assert_msg(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
	    &ND->bus_pid, NULL, &out, NULL,
	    &err), "cannot start dbus-daemon: %s", err ? err->message : "?");
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_msg(fgets(line, sizeof(line), f) != NULL,
	    "dbus-daemon printed no address");
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	ND->address = xstrdup(line);
	setenv("DBUS_SESSION_BUS_ADDRESS", ND->address, 1);
	ND->ctx = g_main_context_new();
	ND->loop = g_main_loop_new(ND->ctx, FALSE);
	ND->thread = g_thread_new("notifyd", nd_main, ND);
	g_mutex_lock(&ND->lock);
	while (!ND->ready)
		g_cond_wait(&ND->cond, &ND->lock);
	g_mutex_unlock(&ND->lock);
}

static gboolean
nd_release(gpointer arg)
{
	g_dbus_method_invocation_return_value(arg, g_variant_new("(u)", 42));
	return G_SOURCE_REMOVE;
}

static void
nd_stop(void)
{
	/* Answer a held Notify so the notifier is idle when the bus goes. */
	if (ND->caps & ND_HANG) {
		g_mutex_lock(&ND->lock);
		ck_assert_ptr_nonnull(ND->held);
		g_mutex_unlock(&ND->lock);
		g_main_context_invoke(ND->ctx, nd_release, ND->held);
		usleep(200000);
	}
	/*
	 * The process ends with the test: stop the bus, leave GLib's
	 * threads alone (the notifier thread lives as long as the process).
	 */
	kill(ND->bus_pid, SIGTERM);
	waitpid(ND->bus_pid, NULL, 0);
}

/* The fake server, as nd_start() says, and a desktop sink for it. */
static struct sink *
desktop_sink(int caps)
{
	nd_start(caps);
	H->conf.type = SINK_DESKTOP;
	return sinkh_sink();
}

/* Icons looked up in H->dir only: the machine's installed one aside. */
static void
icons_here(void)
{
	setenv("XDG_DATA_HOME", H->dir, 1);
	setenv("XDG_DATA_DIRS", H->dir, 1);
}

START_TEST(desktop_notify)
{
	struct sink	*s;

	icons_here();
	sink_desktop_offer_actions(1);
	H->conf.urgency = SINKH_W("critical");
	s = desktop_sink(ND_MARKUP);
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert(1, SINKH_TITLE),
	    0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_int_eq(ND->calls, 1);
	ck_assert_str_eq(ND->summary, "crimea");
	ck_assert_msg(strstr(ND->body, "<b>Pompeo to Lavrov: \xc2\xabKrym"
	    "\xc2\xbb &lt;b&gt;is&lt;/b&gt; Ukraine &amp; ") != NULL, "%s",
	    ND->body);
	ck_assert(strstr(ND->body, "annexation of &lt;Crimea&gt;") != NULL);
	/* The link in sight, as text: this server takes no hyperlinks. */
	ck_assert_msg(strstr(ND->body, "\nhttps://news.example.org/world/1?"
	    "a=1&amp;b=2") != NULL && strstr(ND->body, "<a ") == NULL, "%s",
	    ND->body);
	ck_assert_str_eq(ND->actions, "default|Open");
	ck_assert_int_eq(ND->urgency, 2);
	/* No feedwatch icon in the theme: the stock one, and our entry. */
	ck_assert_str_eq(ND->icon, "dialog-information");
	ck_assert_str_eq(ND->entry, "feedwatch");
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/*
 * An alert found in the article (matched_in "body") says so in the
 * notification's body; one found in the feed's text does not.
 */
START_TEST(desktop_in_article)
{
	struct sink	*s;
	json_t		*al = sinkh_json(sinkh_alert(1, SINKH_TITLE));
	char		*a;
	int		 i;

	s = desktop_sink(ND_MARKUP);
	for (i = 0; i < 2; i++) {
		json_object_set_new(al, "matched_in", json_pack("[s]", i == 0 ?
		    "body" : "summary"));
		a = json_dumps(al, JSON_COMPACT);
		ck_assert_int_eq(sinkh_send1(s, a, (size_t)i)->result,
		    SINK_DELIVERED);
		free(a);
		g_mutex_lock(&ND->lock);
		ck_assert_int_eq(ND->calls, i + 1);
		ck_assert_msg((strstr(ND->body, "(matched in the article)") !=
		    NULL) == (i == 0), "%s", ND->body);
		g_mutex_unlock(&ND->lock);
	}
	json_decref(al);
	sink_free(s);
	nd_stop();
}
END_TEST

START_TEST(desktop_plain_digest)
{
	struct sink	*s;
	const char	*alerts[3];
	size_t		 i;

	for (i = 0; i < 3; i++)
		alerts[i] = sinkh_alert(i, SINKH_TITLE);
	s = desktop_sink(0);
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_str_eq(ND->summary, "crimea: 3 alerts");
	/* No body-markup: plain text, not escaped; no actions offered. */
	ck_assert(strstr(ND->body, "<b>is</b> Ukraine & ") != NULL);
	ck_assert_int_eq(test_count_lines(ND->body, "Pompeo"), 3);
	ck_assert(strstr(ND->body, "https://") == NULL);
	ck_assert_str_eq(ND->actions, "");
	ck_assert_int_eq(ND->urgency, 1);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/*
 * The alerts of one item for three topics: one notification, its summary
 * naming the three, the story told once.
 */
START_TEST(desktop_one_item)
{
	struct sink	*s;
	const char	*alerts[] = { sinkh_alert_topic(1, "crimea"),
	    sinkh_alert_topic(1, "lavrov"), sinkh_alert_topic(1, "ukraine") };

	sink_desktop_offer_actions(1);
	s = desktop_sink(ND_MARKUP);
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_int_eq(ND->calls, 1);
	ck_assert_str_eq(ND->summary, "crimea, lavrov, ukraine");
	ck_assert_int_eq(test_count_lines(ND->body, "Pompeo"), 1);
	ck_assert_msg(strstr(ND->body, "<b>Pompeo to Lavrov") == ND->body,
	    "%s", ND->body);
	ck_assert_str_eq(ND->actions, "default|Open");
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/* A digest of two items, two topics each: each item once, with its topics. */
START_TEST(desktop_digest_items)
{
	struct sink	*s;
	const char	*alerts[] = { sinkh_alert_topic(1, "crimea"),
	    sinkh_alert_topic(2, "crimea"), sinkh_alert_topic(1, "lavrov"),
	    sinkh_alert_topic(2, "ukraine") };

	s = desktop_sink(0);
	ck_assert_int_eq(sinkh_send(s, alerts, 4, 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_str_eq(ND->summary, "crimea, lavrov, ukraine: 2 alerts");
	ck_assert_int_eq(test_count_lines(ND->body, "Pompeo"), 2);
	ck_assert_int_eq(test_count_lines(ND->body, "(crimea, lavrov)"), 1);
	ck_assert_int_eq(test_count_lines(ND->body, "(crimea, ukraine)"), 1);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/*
 * Through `feedwatch check`, the wire feed (harness_wire()): a
 * notification per story, the one three topics match naming the three;
 * a JSON line per alert in the file sink.
 */
START_TEST(desktop_one_per_story)
{
	struct harness		 fx;
	struct test_proc	 p;
	const char		*check[] = { "check", "-c", NULL, NULL };

	nd_start(ND_MARKUP);
	harness_init(&fx);
	harness_wire(&fx, "", NULL, "[sink desktop]\ntype = desktop\n");
	check[2] = fx.conf;
	test_run(&p, check);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	test_proc_clear(&p);
	g_mutex_lock(&ND->lock);
	ck_assert_msg(ND->calls == 3 && test_count_lines(ND->summaries->str,
	    "crimea, lavrov, ukraine") == 1, "summaries: %s",
	    ND->summaries->str);
	g_mutex_unlock(&ND->lock);
	ck_assert_int_eq(test_lines_with(fx.alerts, ""), 5);
	harness_release(&fx);
	nd_stop();
}
END_TEST

/* No session bus: RETRY, and a webhook sent alongside is delivered. */
START_TEST(desktop_no_bus)
{
	struct sink_conf	 wc;
	struct sink		*s, *w;
	char			 err[256];
	const char		*alerts[] = { sinkh_alert(1, SINKH_TITLE) };

	setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
	unsetenv("DISPLAY");
	H->conf.type = SINK_DESKTOP;
	s = sinkh_sink();
	memset(&wc, 0, sizeof(wc));
	wc.name = SINKH_W("hook");
	wc.type = SINK_WEBHOOK;
	wc.url = sinkh_url("/hook");
	ck_assert_ptr_nonnull(w = sink_new(&wc, &H->env, err, sizeof(err)));
	ck_assert_int_eq(sink_send(s, alerts, 1, sinkh_done, &H->out[0]), 0);
	ck_assert_int_eq(sink_send(w, alerts, 1, sinkh_done, &H->out[1]), 0);
	sinkh_wait(2, 10);
	ck_assert_int_eq(H->out[0].result, SINK_RETRY);
	ck_assert_msg(strstr(H->out[0].error, "no session bus") != NULL, "%s",
	    H->out[0].error);
	ck_assert_int_eq(H->out[1].result, SINK_DELIVERED);
	/* And again: still RETRY (the warning is logged once). */
	ck_assert_int_eq(sinkh_send(s, alerts, 1, 2)->result, SINK_RETRY);
	sink_free(s);
	sink_free(w);
	free(wc.url);
}
END_TEST

/* A server that never answers: RETRY after the sink's timeout. */
START_TEST(desktop_server_hangs)
{
	struct sink		*s;
	struct sinkh_outcome	*o;

	H->conf.timeout = 1;
	s = desktop_sink(ND_MARKUP | ND_HANG);
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_msg(strstr(o->error, "did not answer") != NULL, "%s",
	    o->error);
	ck_assert_msg(o->at < 4, "took %.2fs", o->at);
	sink_free(s);
	nd_stop();
}
END_TEST

/* "Open" only for a web link; the hostile text is escaped markup. */
START_TEST(desktop_links)
{
	const char	*link = sinkh_links[_i];
	struct sink	*s;

	sink_desktop_offer_actions(1);
	s = desktop_sink(ND_MARKUP | ND_LINKS);
	ck_assert_int_eq(sinkh_send1(s, sinkh_hostile(SINKH_HOSTILE, link),
	    0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_str_eq(ND->actions, strcmp(link, SINKH_GOOD_LINK) == 0 ?
	    "default|Open" : "");
	ck_assert_msg(strstr(ND->body, "<b>x</b>") == NULL && strstr(ND->body,
	    "&lt;b&gt;x&lt;/b&gt;") != NULL, "%s", ND->body);
	ck_assert_int_eq(sinkh_hostile_count(ND->body), 3);
	/* Only a web link becomes a hyperlink, escaped. */
	if (strcmp(link, SINKH_GOOD_LINK) == 0)
		ck_assert_msg(strstr(ND->body, "\n<a href=\"https://news."
		    "example.org/a_(b)?x=1&amp;y=2\">") != NULL, "%s",
		    ND->body);
	else
		ck_assert_msg(strstr(ND->body, "<a ") == NULL, "%s", ND->body);
	sinkh_assert_no_bad_link(ND->body, link);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/*
 * A server that takes hyperlinks gets the link as one; a digest's titles
 * are links each.  A plain-text server gets the link as it is.
 */
START_TEST(desktop_hyperlinks)
{
	struct sink	*s;
	const char	*alerts[2];

	alerts[0] = sinkh_alert(1, "First");
	alerts[1] = sinkh_alert(2, "Second");
	s = desktop_sink(_i == 0 ? ND_MARKUP | ND_LINKS : 0);
	ck_assert_int_eq(sinkh_send1(s, alerts[0], 0)->result,
	    SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_msg(strstr(ND->body, _i == 0 ? "\n<a href=\"https://news."
	    "example.org/world/1?a=1&amp;b=2\">https://news.example.org/"
	    "world/1?a=1&amp;b=2</a>" : "\nhttps://news.example.org/world/1?"
	    "a=1&b=2") != NULL, "%s", ND->body);
	g_mutex_unlock(&ND->lock);
	ck_assert_int_eq(sinkh_send(s, alerts, 2, 1)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	if (_i == 0)
		ck_assert_msg(strstr(ND->body, "<a href=\"https://news.example."
		    "org/world/1?a=1&amp;b=2\">First</a>\n\xe2\x80\xa2 <a "
		    "href=\"https://news.example.org/world/2?a=1&amp;b=2\">"
		    "Second</a>") != NULL, "%s", ND->body);
	else
		ck_assert_msg(strstr(ND->body, "First\n\xe2\x80\xa2 Second") !=
		    NULL, "%s", ND->body);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/* Our icon where the theme has it, installed as `make install` does. */
START_TEST(desktop_icon)
{
	struct sink	*s;
	char		*src, *dir, *dst;
	gchar		*svg;

	icons_here();
	dir = g_build_filename(H->dir, "icons", "hicolor", "scalable", "apps",
	    NULL);
	ck_assert_int_eq(g_mkdir_with_parents(dir, 0700), 0);
	src = xasprintf("%s/assets/feedwatch.svg", test_env("FEEDWATCH_SRC"));
	svg = test_slurp(src);
	dst = test_write(dir, "feedwatch.svg", svg);
	s = desktop_sink(ND_MARKUP);
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert(1, SINKH_TITLE),
	    0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_str_eq(ND->icon, "feedwatch");
	ck_assert_str_eq(ND->entry, "feedwatch");
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
	g_free(svg);
	free(dst);
	free(src);
	g_free(dir);
}
END_TEST

/* A topic's priority over the sink's urgency (0 low, 1 normal, 2 critical). */
static const struct {
	const char	*urgency;	/* the sink's */
	const char	*priority;	/* the alert's */
	int		 want;
} prio_cases[] = {
	{ "low", "high", 2 },
	{ NULL, "high", 2 },
	{ "critical", "low", 0 },
	{ NULL, "low", 0 },
	{ "low", "normal", 0 },
	{ "critical", "normal", 2 },
	{ NULL, "normal", 1 },
};

START_TEST(desktop_priority)
{
	struct sink	*s;

	H->conf.urgency = SINKH_W(prio_cases[_i].urgency);
	s = desktop_sink(ND_MARKUP);
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert_priority(1,
	    prio_cases[_i].priority), 0)->result, SINK_DELIVERED);
	g_mutex_lock(&ND->lock);
	ck_assert_int_eq(ND->urgency, prio_cases[_i].want);
	g_mutex_unlock(&ND->lock);
	sink_free(s);
	nd_stop();
}
END_TEST

/*
 * test-sink exits once the notification is shown: it offers no action
 * nobody would answer, and shows the link instead.
 */
START_TEST(desktop_test_sink_no_action)
{
	struct test_proc	 p;
	char			*conf;
	const char		*args[] = { "test-sink", "desk", "-c", NULL,
	    NULL };

	nd_start(ND_MARKUP);
	conf = test_write(H->dir, "d.conf", "[sink desk]\ntype = desktop\n");
	args[3] = conf;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s%s", p.status, p.out, p.err);
	g_mutex_lock(&ND->lock);
	ck_assert_int_eq(ND->calls, 1);
	ck_assert_str_eq(ND->actions, "");
	ck_assert_msg(strstr(ND->body, "https://example.org/feedwatch-test") !=
	    NULL, "%s", ND->body);
	g_mutex_unlock(&ND->lock);
	test_proc_clear(&p);
	free(conf);
	nd_stop();
}
END_TEST

/*
 * The daemon lives on to answer a click: "Open" is offered.  A
 * high-priority topic's notification is critical.
 */
START_TEST(desktop_daemon_action)
{
	char		*conf, *text, *log;
	const char	*args[] = { "run", "-c", NULL, NULL };
	pid_t		 pid;
	int		 i, calls = 0;

	nd_start(ND_MARKUP);
	text = xasprintf("[daemon]\nstate = %s/state.db\nbackfill = 36500d\n"
	    "[feed world]\nurl = %s/examples/feeds/world-news.xml\n"
	    "[topic crimea]\nquery = Crimea\npriority = high\n"
	    "[sink desk]\ntype = desktop\n", H->dir,
	    test_env("FEEDWATCH_SRC"));
	conf = test_write(H->dir, "d.conf", text);
	log = xasprintf("%s/run.log", H->dir);
	args[2] = conf;
	pid = test_spawn(args, log);
	for (i = 0; i < 100 && calls == 0; i++) {
		g_usleep(100000);
		g_mutex_lock(&ND->lock);
		calls = ND->calls;
		g_mutex_unlock(&ND->lock);
	}
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(test_wait(pid, 10), 0);
	g_mutex_lock(&ND->lock);
	ck_assert_msg(ND->calls >= 1, "no notification");
	ck_assert_str_eq(ND->actions, "default|Open");
	ck_assert_int_eq(ND->urgency, 2);
	g_mutex_unlock(&ND->lock);
	nd_stop();
	free(log);
	free(conf);
	free(text);
}
END_TEST

Suite *
desktop_suite(void)
{
	Suite	*s = suite_create("desktop");
	TCase	*tc;

	tc = sinkh_tcase(s, "desktop", 20);
	tcase_add_test(tc, desktop_notify);
	tcase_add_test(tc, desktop_in_article);
	tcase_add_test(tc, desktop_plain_digest);
	tcase_add_test(tc, desktop_one_item);
	tcase_add_test(tc, desktop_digest_items);
	tcase_add_test(tc, desktop_one_per_story);
	tcase_add_test(tc, desktop_no_bus);
	tcase_add_test(tc, desktop_server_hangs);
	tcase_add_loop_test(tc, desktop_links, 0, SINKH_NLINKS);
	tcase_add_loop_test(tc, desktop_hyperlinks, 0, 2);
	tcase_add_test(tc, desktop_icon);
	tcase_add_loop_test(tc, desktop_priority, 0,
	    sizeof(prio_cases) / sizeof(prio_cases[0]));
	tcase_add_test(tc, desktop_test_sink_no_action);
	tcase_add_test(tc, desktop_daemon_action);
	return s;
}
