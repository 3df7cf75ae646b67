/*
 * store.h: the state store (SPEC.md section 6), one interface in front of
 * its backends.
 *
 * It holds, per feed, the HTTP validators and the poll history; the items
 * seen per feed (for "new item" detection, backtest and dedup); which
 * stories each topic has alerted (cross-feed dedup); and the alert outbox.
 * An alert enters the outbox in the same transaction that marks its item
 * seen, before any delivery is tried, so a crash (kill -9) between the two
 * can neither lose the alert nor send it twice from a second detection.
 *
 * Writes are grouped: the first write opens a transaction that stays open
 * until store_flush(), which the daemon calls a few times a second and
 * before every delivery.  One fsync then covers hundreds of polls (an
 * all-304 refresh of 10,000 feeds is a few commits, not 10,000), and a
 * crash loses at most the last fraction of a second of work, which is
 * redone: unrecorded polls see their items as new again, unrecorded
 * deliveries are sent again with the same alert_id.  A poll whose writes
 * fail half way rolls the whole group back (store_abort), so no poll is
 * ever half recorded.
 *
 * Who writes, and the lock.  Two processes delivering one outbox would
 * each send every row, so one process at a time is the state's writer:
 * `run` and `check` open it with STORE_WRITE, which takes the writer's
 * lock and is refused while another process holds it.  Beside the
 * writer, without its lock:
 *
 *   - `mute` and `unmute` (STORE_CONTROL) write one small control row
 *     (a topic's mute) in a transaction of their own, which waits for
 *     the writer's current one (they are short); the writer reads the
 *     mutes back by itself (store_muted), so it needs no telling.  A
 *     control row is never a row the writer keeps in memory or sends.
 *   - `status`, `alerts` and `backtest` (STORE_READ) only read, and
 *     `check --dry-run` (STORE_DRY) commits nothing.
 *
 * Nothing else writes a state that a writer may hold.  store_writer()
 * says whether one does, and who, without getting in its way.
 *
 * Where the state lives chooses its backend when the store is opened;
 * callers never know which one they have.  Today every location is an
 * SQLite file (store_sqlite.h: WAL, a lock file for the one writer,
 * files owner-only).  A backend is a struct store_ops, at the end of
 * this file with what it must guarantee.
 *
 * Every call logs its own errors (naming the state) and returns -1; the
 * daemon treats that as a failed poll or delivery, never as fatal.
 * Strings in returned records are malloc'd and owned by the record.
 */
#ifndef FEEDWATCH_STORE_H
#define FEEDWATCH_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct feed_item;
struct store;

/*
 * What interval = auto has learned of a feed's pace (schedule.h has the
 * rule).  It belongs to the feed's URL, like the rest of its state.
 */
struct feed_pace {
	double		 rate;		/* new items an hour, smoothed */
	time_t		 at;		/* of the last poll it counts; 0: none */
	long		 interval;	/* seconds to the next poll, unhinted */
};

/*
 * A feed's state belongs to the URL it was learned for ('url', the
 * config's): validators, redirects, gone and the failure count describe
 * that URL and no other.  feed_state_rebind() forgets them when the
 * config gives the feed a new URL.
 */
struct feed_state {
	char		*url;		/* the config's; NULL: not known yet */
	char		*etag;
	char		*last_modified;
	char		*moved_to;	/* polled instead: moved for good */
	char		*redirect_to;	/* where 301/308 pointed lately... */
	int		 redirects;	/* ...on this many polls in a row */
	long		 http_status;
	char		*error;		/* NULL after a good poll */
	time_t		 last_poll;
	time_t		 last_ok;	/* last 200 or 304 */
	time_t		 last_parsed;	/* last 200 that parsed */
	time_t		 failing_since;	/* 0 when healthy */
	time_t		 next_due;
	int		 failures;	/* consecutive */
	int		 gone;		/* 410: polling stopped */
	int		 health_alerted;
	long		 missed;	/* polls that overflowed the window */
	long		 ttl;		/* <ttl>, sy: at the last parse, seconds */
	char		*title;		/* the feed's own, at the last parse */
	char		*link;		/* its site (url_is_web), likewise */
	struct feed_pace pace;		/* written by store_feed_set_pace */
};

struct outbox_row {
	int64_t		 id;
	char		*sink;
	char		*topic;
	int		 fold;		/* held back: goes out in one digest */
	char		*alert_id;
	char		*payload;	/* SPEC section 5 JSON */
	int		 attempts;
	time_t		 created;
	/* Its fate, for store_outbox_foreach (outbox_due leaves them 0). */
	time_t		 next_at;	/* pending: the next try */
	time_t		 delivered_at;	/* 0: not delivered */
	time_t		 failed_at;	/* 0: not given up */
	char		*last_error;
};

struct sink_counts {
	char		*sink;
	long		 pending;
	long		 held;		/* of those, held back by a digest, a
					   rate or quiet hours, never tried */
	long		 failed;
	long		 delivered;
	char		*last_error;
};

/*
 * A WebSub subscription of a feed (push.h), one per feed.  'id' is the
 * unguessable last segment of its callback URL and 'secret' the key of
 * its X-Hub-Signature: neither is ever shown.
 */
enum sub_state {
	SUB_PENDING,		/* asked for, not verified yet */
	SUB_VERIFIED,		/* the hub verified it: pushes count */
	SUB_DENIED,		/* the hub said no: asked again later */
	SUB_UNSUBSCRIBING	/* the feed left: asked to end it */
};

struct subscription {
	char		*feed;
	char		*hub;
	char		*topic;
	char		*id;
	char		*secret;
	int		 state;		/* enum sub_state */
	time_t		 lease_end;	/* 0: none yet */
	time_t		 next_at;	/* when to ask the hub again, 0: never */
	int		 failures;	/* requests in a row that failed */
};

/* A topic muted by `feedwatch mute`: its matches do not alert. */
struct mute {
	char		*topic;
	time_t		 until;		/* 0: until unmuted */
	time_t		 since;
};

/* The process that holds the writer's lock, as it noted itself there. */
struct store_writer {
	long		 pid;
	time_t		 since;		/* when it took the lock */
	char		 command[256];	/* "feedwatch run -c FILE" */
};

/* How a store is opened; 0 and 1 keep the meaning of a 'readonly' flag. */
enum store_mode {
	STORE_WRITE,	/* the one writer: takes the lock, creates what lacks */
	STORE_READ,	/* an existing store, read beside its writer */
	STORE_DRY,	/* reads the state, writes that are never committed */
	STORE_SCRATCH,	/* no state: an empty store of its own, in memory */
	STORE_CONTROL,	/* control rows beside the writer, without its lock */
};

/*
 * Opens the store at 'path'.  STORE_WRITE creates what lacks (the
 * schema too) and makes this process the one writer: NULL, after saying
 * who holds it, if another process is.
 *
 * STORE_READ reads an existing store beside its writer, and never
 * writes.
 *
 * STORE_DRY (`check --dry-run`) is no writer and commits nothing: each
 * group of writes is rolled back (store_abort, or store_flush, which
 * never commits here), and may hold the backend's write lock until
 * then, so call store_abort as soon as a poll's writes are computed.  It
 * reads a state it cannot write, or of an older feedwatch, as upgraded,
 * and no state at all as an empty one; it creates nothing.
 *
 * STORE_SCRATCH ignores 'path' but for messages: an empty store that
 * lives in memory until it is closed, to work out what the daemon would
 * do (`backtest` folds the alerts of its replay in one); like STORE_DRY
 * it commits nothing.
 *
 * STORE_CONTROL (`mute`, `unmute`) writes beside a writer that may be
 * running: it takes no lock, creates a store that lacks (no writer runs
 * one), and refuses one of an older feedwatch, which is the writer's to
 * upgrade.
 *
 * NULL on error.  store_path() is 'path' (for messages); store_close()
 * flushes first.
 */
struct store	*store_open(const char *path, enum store_mode mode);
void		 store_close(struct store *st);
const char	*store_path(const struct store *st);

/*
 * Where the state is (malloc'd): 'configured' ([daemon] state) if set,
 * else $STATE_DIRECTORY, then $XDG_STATE_HOME, then ~/.local/state.
 */
char		*store_location(const char *configured);

/*
 * Whether a writer holds the store now: 1, with who it is in 'w'; 0 if
 * none does (it may have died: the lock dies with it); -1 if that cannot
 * be told (said why).  It only looks: a writer starting at that moment is
 * not refused.
 */
int		 store_writer(struct store *st, struct store_writer *w);

/* Commits the open group of writes, if any.  -1: rolled back. */
int		 store_flush(struct store *st);
/*
 * Rolls the open group of writes back, after a write failed half way:
 * its polls leave no trace (their validators included), so they are
 * redone in full.  A savepoint per poll would spare the others, but
 * costs a copy of every page a poll touches.
 */
void		 store_abort(struct store *st);

/* Feed state; a feed never polled reads as all zero/NULL (returns 0). */
int		 store_feed_get(struct store *st, const char *feed,
		    struct feed_state *fs);
int		 store_feed_put(struct store *st, const char *feed,
		    const struct feed_state *fs);
void		 feed_state_clear(struct feed_state *fs);
/*
 * Makes 'fs' the state of the feed at 'url'.  If it was learned for
 * another URL, what belonged to that one is forgotten (validators,
 * redirects, gone, failures, the last parse with its <ttl>, title and
 * link, the next poll time, the pace) and 1 is returned; the history (last poll,
 * health alerts, missed count) stays.  State of unknown URL (schema 1's) is taken as the feed's.
 */
int		 feed_state_rebind(struct feed_state *fs, const char *url);
/* Feed names in the store, for status; NULL-terminated, free with store_strv_free. */
char		**store_feed_names(struct store *st);
void		 store_strv_free(char **v);

/* Sets when the feed is due next (creating its row if needed). */
int		 store_feed_set_due(struct store *st, const char *feed,
		    time_t due);
/* Sets the feed's pace; feed_put leaves it as it is. */
int		 store_feed_set_pace(struct store *st, const char *feed,
		    const struct feed_pace *pace);

/*
 * How many items of the feed are kept, or -1.  It reads all of them: for
 * status, not for every poll.
 */
long		 store_feed_items(struct store *st, const char *feed);

/* 1 if the feed has any seen item (so this is not its first poll). */
int		 store_feed_has_items(struct store *st, const char *feed);

/*
 * Records 'it' as seen in 'feed' under 'key'.  Returns 1 if it is new,
 * 0 if it was seen before, -1 on error.
 */
int		 store_item_add(struct store *st, const char *feed,
		    const char *key, const struct feed_item *it, time_t now);

/*
 * How a story is found again when its copies share no key: by its
 * signature (story.h), which is stored with the claim.  'bands' are its
 * LSH band keys: a stored story of the topic with one of them, claimed
 * since 'since' from another feed, is a candidate (a feed's own items
 * are told apart by their ids, and often share a template of text that
 * is no story), and 'same' says how close the
 * candidate's stored signature is to this one: a score from 0 up, or -1
 * if it is not the same story.
 */
typedef double store_sig_cb(const void *sig, size_t len, void *arg);
struct store_near {
	const int64_t	*bands;
	size_t		 nbands;
	const void	*sig;		/* stored as it is */
	size_t		 siglen;
	time_t		 since;
	store_sig_cb	*same;
	void		*arg;
};

/*
 * Claims a story for a topic: 'keys' (normalized link, normalized title;
 * NULL entries skipped) identify the story, and 'near' (or NULL) finds
 * it by its signature.  Returns 1 if no earlier alert of this topic had
 * any of these keys nor a signature 'near' takes (the claim is recorded
 * with 'alert_id'), 0 if one had (then 'feed' is added to that alert's
 * also_in; of several stories 'near' takes, the one it scores highest),
 * -1 on error.  Either way the signature is stored for the story that
 * has it, so that a later copy is found by any copy before it.
 */
int		 store_story_claim(struct store *st, const char *topic,
		    const char *const *keys, size_t nkeys,
		    const struct store_near *near, const char *feed,
		    const char *alert_id, time_t now);

/* Other feeds that carried the story of 'alert_id' (NULL-terminated). */
char		**store_story_also_in(struct store *st, const char *alert_id);

/* Queues an alert for a sink; a second add of the same pair is a no-op. */
int		 store_outbox_add(struct store *st, const char *sink,
		    const char *topic, const char *alert_id, const char *payload,
		    time_t now);

/* Holds a row until 'next_at'; with 'fold' it then goes out in a digest. */
int		 store_outbox_defer(struct store *st, int64_t id,
		    time_t next_at, int fold);

/* Records one message sent to a sink for a topic (for rate caps). */
int		 store_send_log(struct store *st, const char *sink,
		    const char *topic, time_t now);
/* Messages sent since 'since', and when the oldest of them was sent. */
int		 store_send_count(struct store *st, const char *sink,
		    const char *topic, time_t since, long *count,
		    time_t *oldest);

/* Up to 'max' rows of 'sink' due at 'now', oldest first. */
int		 store_outbox_due(struct store *st, const char *sink,
		    time_t now, size_t max, struct outbox_row **rows,
		    size_t *nrows);
void		 outbox_rows_free(struct outbox_row *rows, size_t n);
/* Frees a row's strings, not the row. */
void		 outbox_row_clear(struct outbox_row *row);
int		 store_outbox_delivered(struct store *st, int64_t id,
		    time_t now);
int		 store_outbox_retry(struct store *st, int64_t id,
		    time_t next_at, const char *error);
int		 store_outbox_failed(struct store *st, int64_t id, time_t now,
		    const char *error);
/* The earliest next_at of a pending row, or 0 if none. */
time_t		 store_outbox_next(struct store *st);
/* Per sink: pending, failed and delivered rows. */
int		 store_sink_counts(struct store *st, struct sink_counts **out,
		    size_t *n);
void		 sink_counts_free(struct sink_counts *c, size_t n);

/* Writes (inserts or replaces) the subscription of sub->feed. */
int		 store_sub_put(struct store *st, const struct subscription *sub);
/* Deletes the subscription of 'feed', if any. */
int		 store_sub_delete(struct store *st, const char *feed);
/* Every subscription, by feed name. */
int		 store_subs(struct store *st, struct subscription **out,
		    size_t *n);
/* "pending", "verified", "denied", "unsubscribing" */
const char	*sub_state_name(int state);
/* Frees the strings of a subscription, not the record. */
void		 subscription_clear(struct subscription *sub);
void		 subscriptions_free(struct subscription *v, size_t n);

/*
 * Calls 'cb' once per alert queued since 'since' (0: every one kept), of
 * 'topic' only unless it is NULL, the newest first, with its outbox rows
 * (one per sink, in the order they were queued).  The rows are borrowed
 * for the call; non-zero from 'cb' stops.
 */
typedef int store_outbox_cb(const struct outbox_row *rows, size_t n,
    void *arg);
int		 store_outbox_foreach(struct store *st, time_t since,
		    const char *topic, store_outbox_cb *cb, void *arg);

/*
 * Mutes: `feedwatch mute` writes them (STORE_CONTROL), the daemon reads
 * them.  store_mute() mutes 'topic' until 'until' (0: until unmuted),
 * replacing its mute if it had one.  store_unmute() lifts it: 1 if the
 * topic was muted at 'now', else 0.  store_mutes() reads the mutes in
 * force at 'now', by topic.
 */
int		 store_mute(struct store *st, const char *topic, time_t until,
		    time_t now);
int		 store_unmute(struct store *st, const char *topic, time_t now);
int		 store_mutes(struct store *st, time_t now, struct mute **out,
		    size_t *n);
void		 mutes_free(struct mute *m, size_t n);

/*
 * 1 if 'topic' is muted at 'now'.  Called for every match, so it reads
 * the mutes at most once every STORE_MUTES_TTL seconds and keeps them
 * meanwhile: a mute or unmute made beside the daemon counts within that,
 * a mute that runs out counts at once.  Where they cannot be read
 * (logged), nothing is muted: an alert too many beats one lost.
 */
#define STORE_MUTES_TTL	1
int		 store_muted(struct store *st, const char *topic, time_t now);

/*
 * Drops items, stories and finished outbox rows older than 'before',
 * mutes that ran out before it, and story signatures older than
 * 'signed_before'.
 */
int		 store_prune(struct store *st, time_t before,
		    time_t signed_before);

/* Calls 'cb' for each kept item first seen since 'since', oldest first. */
typedef int store_item_cb(const char *feed, const struct feed_item *it,
    void *arg);
int		 store_items_foreach(struct store *st, time_t since,
		    store_item_cb *cb, void *arg);

/*
 * Article fetches pending ([feed] content = full): a new item's is added
 * in the group of writes of the poll that found it, and done (removed)
 * in the group that records the fetch's outcome and its alerts, so that
 * a crash in between leaves it to fetch at the next start, and none is
 * fetched twice once recorded.  Adding one twice changes nothing.
 */
int		 store_article_add(struct store *st, const char *feed,
		    const char *key, time_t now);
int		 store_article_done(struct store *st, const char *feed,
		    const char *key);
/*
 * Calls 'cb' for each pending article whose item is kept, oldest first,
 * with the item's feed, key and record (borrowed for the call); one whose
 * item was pruned is skipped (and pruned with it).  Non-zero from 'cb'
 * stops the walk.
 */
typedef int store_article_cb(const char *feed, const char *key,
    const struct feed_item *it, void *arg);
int		 store_articles_foreach(struct store *st,
		    store_article_cb *cb, void *arg);

/*
 * Backends.  store_open() picks one by the location and calls its open;
 * every other call goes to the op of the same name, with the handle
 * open returned.  What any backend must guarantee:
 *
 * - Groups.  The first write opens a group that lasts until flush
 *   (committed, and durable: it survives kill -9 and a power loss) or
 *   abort (rolled back, as if none of it had happened).  Reads see the
 *   group's writes; nothing is committed between two flushes, so a poll
 *   (its feed state, items, stories and outbox rows) is recorded whole
 *   or not at all.  A flush that fails rolls the group back; in
 *   STORE_DRY, flush rolls back too.
 * - The outbox before delivery.  The daemon flushes before every
 *   delivery, so an alert is in the store before its first try.
 *   outbox_add of a (sink, alert_id) already there changes nothing;
 *   outbox_due returns only rows neither delivered nor failed whose
 *   next_at has come, by next_at then id, at most 'max'.
 * - At least once.  The delivered, retry and failed marks are writes like
 *   any other: a crash before their flush sends the row again, with the
 *   same alert_id.  No pending row is ever dropped; prune removes only
 *   delivered and failed rows.
 * - One writer, or leases.  STORE_WRITE either refuses a second writer
 *   (the SQLite backend's lock file) or leases outbox rows, so that each
 *   is sent by one process (a shared database: a lease column set by
 *   FOR NO KEY UPDATE SKIP LOCKED).  STORE_READ never writes and never
 *   holds the writer up for long.  STORE_CONTROL writes only the mute
 *   table, beside a writer; writer says who holds the store without
 *   taking anything.
 * - Schema.  STORE_WRITE upgrades a store written by an older feedwatch;
 *   STORE_READ refuses one and says how to upgrade; none opens a store
 *   of a newer feedwatch.
 * - Ownership.  Arguments are borrowed for the call.  Returned strings,
 *   records and vectors are allocated with the xmalloc family and belong
 *   to the caller, who frees them with feed_state_clear,
 *   outbox_rows_free, sink_counts_free, mutes_free, subscriptions_free
 *   and store_strv_free; the item handed to a store_item_cb, and the rows
 *   handed to a store_outbox_cb, are borrowed for the call.  Text comes back
 *   as it was given, NULL as NULL; times are seconds since the epoch.
 * - Errors.  An op logs its own failure as "state 'LOCATION': ..." (a
 *   password in the location is never shown) and returns -1 (feed_names
 *   and story_also_in: what they read; outbox_next: 0).  None is fatal.
 * - Pruning never makes an item its feed still lists look new: an item
 *   goes only if it was last seen before 'before' and before its feed's
 *   last successful parse.  A pending article older than 'before' goes.
 */
struct store_ops {
	/* The backend's handle for 'path', or NULL after saying why. */
	void	*(*open)(const char *path, enum store_mode mode);
	/* Frees the handle; the group was flushed before. */
	void	 (*close)(void *be);
	int	 (*flush)(void *be);
	void	 (*abort)(void *be);
	int	 (*feed_get)(void *be, const char *feed,
		    struct feed_state *fs);
	int	 (*feed_put)(void *be, const char *feed,
		    const struct feed_state *fs);
	int	 (*feed_set_due)(void *be, const char *feed, time_t due);
	int	 (*feed_set_pace)(void *be, const char *feed,
		    const struct feed_pace *pace);
	char	**(*feed_names)(void *be);
	long	 (*feed_items)(void *be, const char *feed);
	int	 (*feed_has_items)(void *be, const char *feed);
	int	 (*item_add)(void *be, const char *feed, const char *key,
		    const struct feed_item *it, time_t now);
	int	 (*story_claim)(void *be, const char *topic,
		    const char *const *keys, size_t nkeys,
		    const struct store_near *near, const char *feed,
		    const char *alert_id, time_t now);
	char	**(*story_also_in)(void *be, const char *alert_id);
	int	 (*outbox_add)(void *be, const char *sink, const char *topic,
		    const char *alert_id, const char *payload, time_t now);
	int	 (*outbox_defer)(void *be, int64_t id, time_t next_at,
		    int fold);
	int	 (*send_log)(void *be, const char *sink, const char *topic,
		    time_t now);
	int	 (*send_count)(void *be, const char *sink, const char *topic,
		    time_t since, long *count, time_t *oldest);
	int	 (*outbox_due)(void *be, const char *sink, time_t now,
		    size_t max, struct outbox_row **rows, size_t *nrows);
	int	 (*outbox_delivered)(void *be, int64_t id, time_t now);
	int	 (*outbox_retry)(void *be, int64_t id, time_t next_at,
		    const char *error);
	int	 (*outbox_failed)(void *be, int64_t id, time_t now,
		    const char *error);
	time_t	 (*outbox_next)(void *be);
	int	 (*sink_counts)(void *be, struct sink_counts **out,
		    size_t *n);
	int	 (*prune)(void *be, time_t before, time_t signed_before);
	int	 (*sub_put)(void *be, const struct subscription *sub);
	int	 (*sub_delete)(void *be, const char *feed);
	int	 (*subs)(void *be, struct subscription **out, size_t *n);
	int	 (*items_foreach)(void *be, time_t since, store_item_cb *cb,
		    void *arg);
	int	 (*article_add)(void *be, const char *feed, const char *key,
		    time_t now);
	int	 (*article_done)(void *be, const char *feed, const char *key);
	int	 (*articles_foreach)(void *be, store_article_cb *cb,
		    void *arg);
	int	 (*outbox_foreach)(void *be, time_t since, const char *topic,
		    store_outbox_cb *cb, void *arg);
	int	 (*mute)(void *be, const char *topic, time_t until,
		    time_t now);
	int	 (*unmute)(void *be, const char *topic, time_t now);
	int	 (*mutes)(void *be, time_t now, struct mute **out, size_t *n);
	int	 (*writer)(void *be, struct store_writer *w);
};

#endif
