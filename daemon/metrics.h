/*
 * metrics.h: the daemon's counters, for /metrics (Prometheus text format).
 *
 * One registry per process, fed by the poll, match and delivery paths and
 * rendered on request together with gauges read from the state store
 * (outbox depth).  Counters only go up; they start at zero with the
 * process, as Prometheus expects.  Each event counts once: a poll when it
 * ends, a delivery attempt when the sink answers, and what a poll records
 * in the state store (new items, alerts raised) when the store commits it,
 * so that a poll the store rolled back and redoes is not counted twice.
 */
#ifndef FEEDWATCH_METRICS_H
#define FEEDWATCH_METRICS_H

#include <stddef.h>

struct store;

/*
 * One poll that ended (not one cut short by shutdown): its result name
 * ("ok", "not modified", ...), the HTTP status of its final response (0:
 * none), the body bytes received after decompression, the items parsed.
 */
void	 metrics_poll(const char *result, long http_code, size_t bytes,
	    size_t items);
/*
 * What a poll wrote to the state store: 'n' new items; an alert raised
 * for 'topic'.  Held until metrics_commit() (the store committed them) or
 * dropped by metrics_rollback() (it rolled them back, to be redone).
 */
void	 metrics_items_new(size_t n);
void	 metrics_match(const char *topic);
void	 metrics_commit(void);
void	 metrics_rollback(void);
/* One delivery attempt of 'n' alerts: delivered, or not (retry or failed). */
void	 metrics_delivery(const char *sink, size_t n, int delivered);
/*
 * One WebSub content distribution request received (push.h): "accepted",
 * or why it was dropped ("no signature", "bad signature", ...).
 */
void	 metrics_push(const char *result);
/* How late the last poll started after it was due, in seconds. */
void	 metrics_poll_lag(double secs);
void	 metrics_feeds(size_t n);

/* The exposition text (malloc'd); 'st' gives the outbox depth. */
char	*metrics_render(struct store *st);

/* Frees the registry (at exit, for leak checkers). */
void	 metrics_free(void);

#endif
