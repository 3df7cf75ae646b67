/*
 * sink_webhook.h: the webhook sink, an HTTP POST per send (SPEC.md
 * sections 2 and 5; man/sinks.md documents it for users).
 *
 * The body is the alerts in the shape 'format' names, json (the default),
 * slack, discord, mattermost, ntfy or matrix: chat.h builds it, and says
 * how feed text is kept from mentioning, formatting or linking.  Two
 * formats change the request too:
 *
 *   ntfy        the url is https://SERVER/TOPIC; the POST goes to
 *               https://SERVER/ (ntfy's JSON publishing), the topic in
 *               the body
 *   matrix      the url is .../rooms/ROOM/send/m.room.message
 *               [?access_token=...]; the request is PUT
 *               .../send/m.room.message/TXNID with TXNID the idempotency
 *               key, so a retry never posts twice
 *
 * Every request carries Content-Type: application/json and Idempotency-Key
 * (the alert_id; for a digest the first 32 hex digits of the SHA-256 of
 * the alert_ids joined by "\n"), and with a secret X-Feedwatch-Signature:
 * sha256=HEX, the HMAC-SHA256 of the exact body bytes under the secret.
 *
 * The request runs on the shared curl multi handle: http and https only,
 * redirects not followed (a 3xx is FAILED: fix the url), 'timeout' seconds
 * for the whole request (SINK_WEBHOOK_TIMEOUT when 0).  The outcome:
 * 2xx DELIVERED; 408, 425, 429 and 5xx RETRY with Retry-After (seconds or
 * an HTTP date) as retry_after; other codes FAILED; network errors and
 * timeouts RETRY; a url curl cannot use FAILED.
 *
 * With conf->ca_file, the server's certificate must chain to a CA in that
 * PEM file instead of the system's.
 *
 * Logs and error strings name the url as scheme://host:port only: the
 * path and query of a webhook url are often its secret.  What curl or the
 * server says goes through netsink_scrub() too, with the url's
 * userinfo, path, last path segment, query and query values and the
 * signing key as secrets.
 */
#ifndef FEEDWATCH_SINK_WEBHOOK_H
#define FEEDWATCH_SINK_WEBHOOK_H

#include <stddef.h>

#include "sink.h"

#define SINK_WEBHOOK_TIMEOUT	30	/* seconds, when conf->timeout is 0 */

struct sink_webhook;

/*
 * A webhook sink for 'conf' (borrowed: it must outlive the handle).
 * Returns NULL with 'err' filled if the url or format is unusable.
 */
struct sink_webhook	*sink_webhook_new(const struct sink_conf *conf,
			    const struct sink_env *env, char *err,
			    size_t errlen);

/* Cancels the requests in flight ('done' is not called) and frees. */
void			 sink_webhook_free(struct sink_webhook *w);

/* As sink_send(); -1 (logged) if an alert line is not a JSON object. */
int			 sink_webhook_send(struct sink_webhook *w,
			    const char *const *alerts, size_t n,
			    sink_done_cb *done, void *arg);

/*
 * What to do about a curl failure of TLS (an untrusted certificate, a bad
 * ca-file, no STARTTLS where a password needs it), as " (...)" to append
 * to its message; "" for other results.  Exported for the email sink.
 */
const char		*sink_webhook_hint(int result);

#endif
