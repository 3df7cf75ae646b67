/*
 * netsink.h: what the network sinks (sink_webhook, sink_email) share: the
 * sends in flight, each one transfer on the shared curl multi handle; how
 * a send ends; the secrets no message may show.
 *
 * A struct netsink belongs to one sink.  A send is the sink's request
 * ('req': its body, headers and what its curl callbacks use) and a
 * transfer.  netsink_send() takes the request, makes the transfer, has
 * the sink's 'setup' (struct netsink_ops) set its options and starts it.
 * The send then ends exactly once:
 *
 *   - the transfer ends: the sink's 'finish' turns curl's result into an
 *     outcome and a message; the message is scrubbed of the secrets,
 *     logged as "sink 'NAME': MESSAGE" (a warning, or a debug line when
 *     DELIVERED), the request released, and the send's 'done' called
 *     last, with the message as its error unless DELIVERED, so that
 *     'done' may free the sink;
 *   - netsink_free(): the transfer is cancelled, the request released,
 *     and 'done' is not called.
 *
 * The secrets are what must never be shown: passwords, a webhook url's
 * path and query (often its token), a signing key.  Every message
 * netsink logs or reports goes through netsink_scrub(), and so must
 * whatever else a sink quotes from curl or a server.
 */
#ifndef FEEDWATCH_NETSINK_H
#define FEEDWATCH_NETSINK_H

#include <stddef.h>

#include "sink.h"

struct netsink;
struct xfer;
struct xfer_multi;

/* A network sink's side of a send; 'req' is its request. */
struct netsink_ops {
	/* Sets the options of the transfer 'x' for 'req'; -1 if it cannot. */
	int		 (*setup)(void *req, struct xfer *x);
	/*
	 * The outcome of the transfer 'x', which ended with curl's 'result'
	 * and 'error' ('x' is still valid, for curl_easy_getinfo), with the
	 * message in 'msg' and the server's Retry-After, in seconds, in
	 * '*retry_after' (-1 when it sets none).
	 */
	enum sink_result (*finish)(void *req, struct xfer *x, int result,
			    const char *error, char *msg, size_t msglen,
			    long *retry_after);
	/* Frees 'req'. */
	void		 (*release)(void *req);
};

/* The sends of the sink named 'name' (borrowed) on 'multi'. */
struct netsink	*netsink_new(const char *name, struct xfer_multi *multi);

/* Cancels the sends in flight ('done' is not called) and frees. */
void		 netsink_free(struct netsink *n);

/*
 * Starts a send of 'req' (taken: released however the send ends) through
 * 'ops' (borrowed: it must outlive the send).  Returns -1 (logged; 'req'
 * released, 'done' not called) if it could not start.
 */
int		 netsink_send(struct netsink *n, void *req,
		    const struct netsink_ops *ops, sink_done_cb *done,
		    void *arg);

/* Adds the 'len' bytes at 's' to the secrets. */
void		 netsink_secret(struct netsink *n, const char *s, size_t len);

/*
 * Replaces in 'msg', in place, each occurrence of each secret (those
 * under 3 bytes are left alone) by "***"; so is the start of a secret (3
 * bytes or more) that ends 'msg', as a quote cut short leaves it.  A
 * message quoting curl or a server may quote what it was sent; this keeps
 * tokens and passwords out of logs and `status` whatever it says.
 */
void		 netsink_scrub(const struct netsink *n, char *msg);

/*
 * The idempotency key of a send of these alerts (their alert_ids),
 * malloc'd: the alert_id of one, for more the first 32 hex digits of the
 * SHA-256 of the alert_ids joined by "\n".  The webhook sink sends it as
 * Idempotency-Key, the email sink makes its Message-ID of it.
 */
char		*netsink_key(const char *const *ids, size_t n);

#endif
