/*
 * sink_email.h: the email sink, one message per send over SMTP (SPEC.md
 * section 2; man/sinks.md documents it for users).
 *
 * The message is built here, RFC 5322 and MIME: Date, From, To, Subject
 * (RFC 2047 encoded words when not plain ASCII), Message-ID (stable for
 * the alerts it carries, <feedwatch.KEY@DOMAIN-OF-FROM> with KEY as the
 * webhook Idempotency-Key, so that a resend after an ambiguous failure is
 * recognisable as a duplicate), MIME-Version, Auto-Submitted, and a
 * multipart/alternative body with a text/plain and a text/html part, both
 * UTF-8, base64, CRLF line endings.  A digest (n > 1) is one message
 * listing every alert.  Feed text that reaches a header loses its control
 * characters (CR and LF included): no header injection; both parts are
 * base64, so it cannot end a part either.  The HTML part escapes all text,
 * and a link becomes an href (and a line of the text part) only when it
 * is a web link (url_is_web).
 *
 * libcurl speaks SMTP on the shared multi handle.  smtps:// is implicit
 * TLS; smtp:// upgrades with STARTTLS when the server offers it
 * (opportunistic), except that a password is never sent in clear: with a
 * password (in the config or the url), STARTTLS is required, on loopback
 * too.  Certificates are verified, against conf->ca_file instead of the
 * system's CAs when set.  The EHLO name is the path of the url when it
 * has one (smtp://host:587/my.domain), else our host name.  Messages name
 * the server as scheme://host:port and never carry the user name or
 * password (netsink_scrub).
 *
 * The outcome: accepted DELIVERED; an SMTP 5xx answer, an authentication
 * failure, a server without the required STARTTLS or an unusable url
 * FAILED; a 4xx answer, a network error, a TLS failure (an untrusted
 * certificate) or a timeout ('timeout' seconds, SINK_EMAIL_TIMEOUT when
 * 0) RETRY.
 */
#ifndef FEEDWATCH_SINK_EMAIL_H
#define FEEDWATCH_SINK_EMAIL_H

#include <stddef.h>
#include <time.h>

#include "sink.h"

#define SINK_EMAIL_TIMEOUT	60	/* seconds, when conf->timeout is 0 */

struct sink_email;

/*
 * An email sink for 'conf' (borrowed: it must outlive the handle).
 * Returns NULL with 'err' filled if the url or an address is unusable.
 */
struct sink_email	*sink_email_new(const struct sink_conf *conf,
			    const struct sink_env *env, char *err,
			    size_t errlen);

/* Cancels the messages in flight ('done' is not called) and frees. */
void			 sink_email_free(struct sink_email *m);

/* As sink_send(); -1 (logged) if an alert line is not a JSON object. */
int			 sink_email_send(struct sink_email *m,
			    const char *const *alerts, size_t n,
			    sink_done_cb *done, void *arg);

/*
 * The whole message (headers, CRLF, body) sink_email_send() would send for
 * these alerts at time 'now'; malloc'd, NULL if an alert is not a JSON
 * object.  For tests and for `feedwatch test-sink`'s debug output.
 */
char			*sink_email_message(const struct sink_email *m,
			    const char *const *alerts, size_t n, time_t now);

#endif
