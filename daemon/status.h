/*
 * status.h: `feedwatch status [--json]`.
 *
 * Reads the state store (read-only, so it works while the daemon writes)
 * and shows per feed the last poll, its HTTP status and error, the items
 * kept and the next poll; per sink the pending, failed and delivered
 * alerts.  Feeds of the config not polled yet are listed too.
 */
#ifndef FEEDWATCH_STATUS_H
#define FEEDWATCH_STATUS_H

int	cmd_status(int argc, char **argv);

#endif
