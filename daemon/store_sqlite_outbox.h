/*
 * store_sqlite_outbox.h: the SQLite store's alert side: the stories each
 * topic has claimed (table story: a topic's story keys and the alert
 * that claimed them; story_sig: the signature of each copy of a story
 * seen within [daemon] same-story, and story_band: their LSH band keys,
 * which find them again; table also_in: the other feeds that carried it),
 * the outbox (one row per sink and alert_id), the send log (table sent,
 * for rate caps) and the topics muted (table mute: a row per topic, with
 * when the mute ends, 0 for never).
 *
 * These are ops of store_sqlite_ops: each does what store.h says of the
 * function of the same name (sq_outbox_add: store_outbox_add), on the
 * backend's handle 'be'.
 */
#ifndef FEEDWATCH_STORE_SQLITE_OUTBOX_H
#define FEEDWATCH_STORE_SQLITE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store.h"

int		 sq_story_claim(void *be, const char *topic,
		    const char *const *keys, size_t nkeys,
		    const struct store_near *near, const char *feed,
		    const char *alert_id, time_t now);
char		**sq_story_also_in(void *be, const char *alert_id);
int		 sq_outbox_add(void *be, const char *sink, const char *topic,
		    const char *alert_id, const char *payload, time_t now);
int		 sq_outbox_defer(void *be, int64_t id, time_t next_at,
		    int fold);
int		 sq_send_log(void *be, const char *sink, const char *topic,
		    time_t now);
int		 sq_send_count(void *be, const char *sink, const char *topic,
		    time_t since, long *count, time_t *oldest);
int		 sq_outbox_due(void *be, const char *sink, time_t now,
		    size_t max, struct outbox_row **rows, size_t *nrows);
int		 sq_outbox_delivered(void *be, int64_t id, time_t now);
int		 sq_outbox_retry(void *be, int64_t id, time_t next_at,
		    const char *error);
int		 sq_outbox_failed(void *be, int64_t id, time_t now,
		    const char *error);
time_t		 sq_outbox_next(void *be);
int		 sq_sink_counts(void *be, struct sink_counts **out, size_t *n);
int		 sq_outbox_foreach(void *be, time_t since, const char *topic,
		    store_outbox_cb *cb, void *arg);
int		 sq_mute(void *be, const char *topic, time_t until, time_t now);
int		 sq_unmute(void *be, const char *topic, time_t now);
int		 sq_mutes(void *be, time_t now, struct mute **out, size_t *n);

#endif
