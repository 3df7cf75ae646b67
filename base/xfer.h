/*
 * xfer.h: libcurl transfers driven by a libevent loop.
 *
 * One struct xfer_multi per event base holds the curl multi handle (one
 * connection cache, DNS cache and TLS session cache for all transfers)
 * and drives it through curl_multi_socket_action: no thread, no blocking
 * call on the loop.
 *
 * A struct xfer owns one easy handle from xfer_new() until it is done.
 * The caller sets curl options on xfer_easy() (xfer_setup() sets those
 * every network sink's request needs), then xfer_start().  When
 * the transfer ends, 'done' runs outside every curl callback, so it may
 * start new transfers; the easy handle is still valid during 'done' (for
 * curl_easy_getinfo and curl_easy_header) and is freed with the xfer
 * right after it returns.
 */
#ifndef FEEDWATCH_XFER_H
#define FEEDWATCH_XFER_H

#include <stddef.h>

struct event_base;
struct xfer;
struct xfer_multi;

/* 'result' is the CURLcode; 'error' the message for it (never NULL). */
typedef void xfer_done_cb(struct xfer *x, int result, const char *error,
    void *arg);

/* Call once per process, before any thread starts. */
int			 xfer_global_init(void);
void			 xfer_global_cleanup(void);

struct xfer_multi	*xfer_multi_new(struct event_base *base);
/*
 * Ends what is still running, calling each 'done' with the result
 * CURLE_ABORTED_BY_CALLBACK so that its owner can free itself, and frees.
 */
void			 xfer_multi_free(struct xfer_multi *m);
/* Transfers started and not yet done. */
size_t			 xfer_multi_running(const struct xfer_multi *m);

/* A new transfer with safe defaults (no signals, an error buffer). */
struct xfer		*xfer_new(struct xfer_multi *m, xfer_done_cb *done,
			    void *arg);
/* The easy handle, a CURL *, to configure before xfer_start(). */
void			*xfer_easy(struct xfer *x);
/*
 * What the transfers of the network sinks share, set on the easy handle:
 * 'url', the protocols curl may speak to it ('protocols', a
 * CURLOPT_PROTOCOLS_STR list such as "http,https"), 'timeout' seconds
 * both to connect and for the whole transfer, and 'ca_file' (PEM), when
 * not NULL, as the only CAs trusted instead of the system's.  -1 if curl
 * refuses one of them.
 */
int			 xfer_setup(struct xfer *x, const char *url,
			    const char *protocols, long timeout,
			    const char *ca_file);
/*
 * Makes the transfer a POST of 'body' (copied) as
 * application/x-www-form-urlencoded, sent as 'user_agent', whose answer's
 * body is read and dropped: for requests whose status is their answer
 * (a WebSub subscription).  -1 if curl refuses.
 */
int			 xfer_post_form(struct xfer *x, const char *body,
			    const char *user_agent);
/* The HTTP status of the transfer's last response, 0 without one. */
long			 xfer_http_code(struct xfer *x);
int			 xfer_start(struct xfer *x);
/* Stops and frees a transfer, started or not; 'done' is not called. */
void			 xfer_cancel(struct xfer *x);

#endif
