/*
 * sink_desktop.h: the desktop sink, libnotify notifications (SPEC.md
 * section 2; man/sinks.md documents it for users).
 *
 * The alerts of one item (one per topic that matched it) show as one
 * notification whose summary names the topics ("crimea, lavrov") and
 * whose body is the title, then the snippet, then the feed, then the link
 * (a web link, url_is_web: http or https, nothing else); a digest's
 * summary is "TOPICS: N alerts", N the items, and its body lists their
 * titles (the first 10), each with its topics when the digest has
 * several (sink_alerts_items() says which alerts are of one item).  The
 * body is Pango-style markup, escaped, when the server announces
 * body-markup, else plain text; with body-hyperlinks too, the link (a
 * digest's titles) is an <a href>.  When the server announces actions and
 * this process lives on to answer them (sink_desktop_offer_actions: the
 * daemon), one item with a web link carries the default action "Open",
 * which opens the link with the desktop's handler
 * (g_app_info_launch_default_for_uri); a one-shot command (check,
 * test-sink) offers none, since nothing would be left to answer a click.
 * Urgency is conf->urgency: low, normal (the default) or critical, but a
 * notification with a high-priority alert is critical and one of only
 * low-priority alerts low.  The icon is "feedwatch" where hicolor has it
 * (icons/hicolor/scalable/apps under $XDG_DATA_HOME or $XDG_DATA_DIRS),
 * else the stock "dialog-information"; the desktop-entry hint is
 * "feedwatch".
 *
 * libnotify is synchronous (a D-Bus call may take 25 s) and keeps global
 * state, so every desktop sink of the process shares one notifier thread,
 * started with the first sink and kept for the life of the process; it
 * owns GLib's session bus connection (exit-on-close off: losing the bus
 * must not SIGTERM us) and a GMainContext of its own, where the servers'
 * ActionInvoked and NotificationClosed signals arrive.  Results come back
 * to the loop through a pipe.  A sink never touches GLib D-Bus itself.
 *
 * The outcome: shown DELIVERED; no session bus (not logged in yet, a
 * system service), no notification server, a D-Bus error, or no answer in
 * conf->timeout seconds (SINK_DESKTOP_TIMEOUT when 0) RETRY.  The first
 * "no session bus" of a sink is logged as a warning, the rest at debug
 * level until a notification gets through again.
 */
#ifndef FEEDWATCH_SINK_DESKTOP_H
#define FEEDWATCH_SINK_DESKTOP_H

#include <stddef.h>

#include "sink.h"

#define SINK_DESKTOP_TIMEOUT	30	/* seconds, when conf->timeout is 0 */
#define SINK_DESKTOP_LIST	10	/* titles listed in a digest's body */

struct sink_desktop;

/*
 * A desktop sink for 'conf' (borrowed: it must outlive the handle); starts
 * the notifier thread if it is not running.  NULL with 'err' filled if
 * the urgency is unknown.
 */
struct sink_desktop	*sink_desktop_new(const struct sink_conf *conf,
			    const struct sink_env *env, char *err,
			    size_t errlen);

/*
 * Whether this process outlives its sends to answer a notification's
 * action (the daemon) or not (the default: one-shot commands).  Call
 * before sending.
 */
void			 sink_desktop_offer_actions(int on);

/*
 * Forgets the notifications in flight ('done' is not called; the notifier
 * thread drops them when their D-Bus call returns) and frees.
 */
void			 sink_desktop_free(struct sink_desktop *d);

/* As sink_send(); -1 (logged) if an alert line is not a JSON object. */
int			 sink_desktop_send(struct sink_desktop *d,
			    const char *const *alerts, size_t n,
			    sink_done_cb *done, void *arg);

#endif
