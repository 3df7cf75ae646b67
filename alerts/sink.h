/*
 * sink.h: where alerts go (SPEC.md sections 2 and 5).
 *
 * A sink is an opaque handle made from its [sink NAME] config section.
 * sink_send() hands it one alert, or several for a digest, as SPEC section
 * 5 JSON lines (the form the outbox stores them in), and returns at once:
 * the outcome arrives later through 'done', always from the event loop and
 * never from inside sink_send(), so a caller may start the next send from
 * 'done'.  'done' is the sink's last use of that send, so a caller may
 * also free the sink from it when nothing else is in flight on it (a
 * reload retires a sink that way).  A sink never blocks the loop: network
 * sinks run on the shared curl multi handle, exec runs a child process,
 * desktop talks to D-Bus on a thread of its own.
 *
 * The result says what the outbox should do: DELIVERED (done), RETRY
 * (try again later, after 'retry_after' seconds if that is >= 0) or
 * FAILED (permanent: retrying cannot help, e.g. a 4xx answer).
 *
 * The sink modules (sink_desktop, sink_webhook, sink_email, sink_exec)
 * share the helpers at the end: reporting an outcome from the loop, and
 * reading the alert lines of a send the same way (one message for a line
 * that is not a JSON object, one title for an alert without one, the
 * alerts of one item told as one, naming every topic).
 */
#ifndef FEEDWATCH_SINK_H
#define FEEDWATCH_SINK_H

#include <stddef.h>

#include <jansson.h>

struct event_base;
struct sink;
struct xfer_multi;

enum sink_type {
	SINK_STDOUT,
	SINK_FILE,
	SINK_DESKTOP,
	SINK_WEBHOOK,
	SINK_EMAIL,
	SINK_EXEC
};

/* A [sink NAME] section, validated by config.c. */
struct sink_conf {
	char		*name;
	enum sink_type	 type;
	char		*url;		/* webhook */
	char		*format;	/* webhook: json (NULL), slack, ...;
					   stdout, file: json, text or NULL */
	char		*secret;	/* webhook HMAC key, or NULL */
	char		*ca_file;	/* webhook, email: CAs, or NULL */
	char		*smtp;		/* email: smtp:// or smtps:// URL */
	char		*username;
	char		*password;
	char		*from;
	char		**to;
	size_t		 nto;
	char		*urgency;	/* desktop: low, normal (NULL), critical */
	char		*path;		/* file */
	char		**command;	/* exec argv, NULL-terminated */
	size_t		 ncommand;
	long		 timeout;	/* exec, seconds */
	int		 line;		/* of the section, for messages */
};

enum sink_result {
	SINK_DELIVERED,
	SINK_RETRY,
	SINK_FAILED
};

/* An alert's "priority", its topic's (alert.h). */
enum sink_priority {
	SINK_PRIORITY_LOW,
	SINK_PRIORITY_NORMAL,
	SINK_PRIORITY_HIGH
};

typedef void sink_done_cb(enum sink_result result, long retry_after,
    const char *error, void *arg);

/* What sinks share: the loop and the curl multi handle on it. */
struct sink_env {
	struct event_base	*base;
	struct xfer_multi	*multi;
	const char		*user_agent;
};

/*
 * A sink for 'conf' (copied).  Returns NULL with 'err' filled when this
 * build cannot make one (e.g. a type not built yet).
 */
struct sink	*sink_new(const struct sink_conf *conf,
		    const struct sink_env *env, char *err, size_t errlen);

/* Stops what is in flight ('done' is not called) and frees.  NULL: no-op. */
void		 sink_free(struct sink *s);

const char	*sink_name(const struct sink *s);
const char	*sink_type_name(enum sink_type type);

/*
 * 1 if the sink sends each alert alone, outside digests: a json webhook,
 * whose request is one SPEC section 5 object with its alert_id as the
 * Idempotency-Key.  0 for every other sink, which says the alerts of one
 * item (one per topic) in one message.
 */
int		 sink_per_alert(const struct sink *s);

/*
 * Sends 'n' alerts (SPEC section 5 JSON lines, n > 1 for the alerts of
 * one item, one per topic, or for a digest).
 * Returns -1 if the send could not even start (then 'done' is not called).
 */
int		 sink_send(struct sink *s, const char *const *alerts,
		    size_t n, sink_done_cb *done, void *arg);

/*
 * For sink implementations: calls 'done' from the loop on its next turn
 * ('error' is copied), so that no outcome is reported inside sink_send().
 */
void		 sink_done_later(const struct sink_env *env,
		    sink_done_cb *done, void *arg, enum sink_result result,
		    long retry_after, const char *error);

/*
 * For sink implementations: the 'n' alert lines of a send parsed, a JSON
 * array of objects (json_decref it); NULL, logged as sink 'name''s, if
 * one is not a JSON object or there is none.
 */
json_t		*sink_alerts_parse(const char *name,
		    const char *const *alerts, size_t n);

/*
 * For sink implementations: the alerts of 'arr' (sink_alerts_parse()) as
 * the items they are about, in the order of their first alerts, a new
 * array (json_decref it).  Each element is a copy of an item's first
 * alert with "topics", the topic of each of its alerts, "matched",
 * "matched_in" and "also_in", what all of them matched, in which fields,
 * and where else the story was, each value once, and "priority", the highest of theirs.  Alerts are of one item when they have the same feed and id;
 * an alert without them is an item of its own.
 */
json_t		*sink_alerts_items(const json_t *arr);

/*
 * For sink implementations: the topics of 'items' (sink_alerts_items()),
 * each once, in order, a new array (json_decref it).
 */
json_t		*sink_items_topics(const json_t *items);

/*
 * For sink implementations: the highest priority of the alerts of 'arr'
 * (normal for an alert without one, as an older feedwatch queued it).
 */
enum sink_priority sink_alerts_priority(const json_t *arr);

/* For sink implementations: the title of alert 'a', or "(untitled)". */
const char	*sink_alert_title(const json_t *a);

/*
 * For sink implementations: 1 if alert 'a' matched in the article its
 * link points to (its matched_in names "body"), which a message for a
 * person says, since the words may not be in the title or snippet shown.
 */
int		 sink_alert_in_article(const json_t *a);

#endif
