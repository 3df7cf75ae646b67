/*
 * metrics.h: the daemon's counters, for /metrics (Prometheus text format).
 *
 * One registry per process, fed by the poll, match and delivery paths and
 * rendered on request together with gauges read from the state store
 * (outbox depth).  Counters only go up; they start at zero with the
 * process, as Prometheus expects.
 */
#ifndef FEEDWATCH_METRICS_H
#define FEEDWATCH_METRICS_H

#include <stddef.h>

struct store;

/* One poll: its result name ("ok", "not modified", ...), HTTP code, body. */
void	 metrics_poll(const char *result, long http_code, size_t bytes,
	    size_t items, size_t new_items);
void	 metrics_match(const char *topic);
/* One delivery attempt of 'n' alerts: delivered, or not (retry or failed). */
void	 metrics_delivery(const char *sink, size_t n, int delivered);
/* How late the last poll started after it was due, in seconds. */
void	 metrics_poll_lag(double secs);
void	 metrics_feeds(size_t n);

/* The exposition text (malloc'd); 'st' gives the outbox depth. */
char	*metrics_render(struct store *st);

/* Frees the registry (at exit, for leak checkers). */
void	 metrics_free(void);

#endif
