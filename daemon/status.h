/*
 * status.h: `feedwatch status [--all | --feed NAME...] [--json]`.
 *
 * Reads the state store (read-only, so it works while the daemon writes)
 * and shows, totals first so that a large installation fits a screen:
 * whether a daemon holds the state (its pid and start time, from the
 * lock; or when it last polled), the feeds by health (ok, failing, gone,
 * disabled, not polled yet) and the items kept, the feeds a WebSub hub
 * pushes (push.h) by the state of their subscriptions, the topics muted
 * or disabled, and per sink the pending, failed and delivered alerts.
 * Then per feed the last poll, HTTP status ("file" for a local file),
 * items kept, next poll (only while a daemon runs: else none is coming)
 * and error: every feed when there are few, else those that need
 * attention (failing or gone); --all lists every one, --feed those whose
 * name matches a pattern; and of the feeds listed that a hub pushes, the
 * hub, the subscription's state and when its lease ends (never its
 * callback or secret).  Feeds the store knows but the config no longer
 * has are listed as such.  --json prints all of it, every feed included.
 */
#ifndef FEEDWATCH_STATUS_H
#define FEEDWATCH_STATUS_H

int	cmd_status(int argc, char **argv);

#endif
