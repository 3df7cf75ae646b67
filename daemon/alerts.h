/*
 * alerts.h: `feedwatch alerts [--since DURATION] [--topic TOPIC]
 * [--json]`.
 *
 * Lists the alerts of the state store's outbox, newest first: one per
 * alert (grouping its rows, one per sink), with when it was queued, its
 * topic, feed and title, and per sink what became of it: delivered (when),
 * pending (held until when, or retried when, after what error) or failed
 * (when, and why).  Feed-health alerts are there too, under the topic
 * "feed-health".  Text for people, with the topics muted now first; with
 * --json one SPEC section 5 object per line, with "queued" and "sinks"
 * added.  It reads the store read-only, so it works beside the daemon,
 * and sees what the store keeps: delivered and failed alerts go after
 * [daemon] keep.
 */
#ifndef FEEDWATCH_ALERTS_H
#define FEEDWATCH_ALERTS_H

int	cmd_alerts(int argc, char **argv);

#endif
