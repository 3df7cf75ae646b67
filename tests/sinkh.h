/*
 * sinkh.h: the harness of the sink suites (check_webhook.c, check_email.c,
 * check_exec.c, check_desktop.c).
 *
 * Each test drives sinks directly on an event base of its own with its
 * own curl multi handle: the test cases made with sinkh_tcase() run every
 * test between a set-up that makes H, the harness, and a tear-down that
 * frees it.  H->conf is a sink config for the test to fill (named "test")
 * and sinkh_sink() to make a sink of; the tear-down frees its url, smtp
 * and ca_file, and the alerts the harness made.  Webhooks go to an evhttp
 * receiver on that same base (so a sink that blocked the loop would
 * starve it and fail the test), which records every request in H->reqs
 * and answers from H->script, a list of statuses (200 when empty; the
 * last one repeats), with H->retry_after as the Retry-After of a 429 or
 * 503.
 *
 * Sends report to H->out[slot] through sinkh_done(); sinkh_wait() runs
 * the loop until they are in.  Every wait is bounded: a test that would
 * hang fails instead.
 *
 * The alerts are SPEC section 5 lines made by alert.c, about the
 * SINKH_TITLE story unless a test says otherwise; sinkh_hostile() makes
 * one whose text tries every mention and markup trick (SINKH_HOSTILE)
 * and whose link is any of sinkh_links, as an outbox row from elsewhere
 * could hold it.
 */
#ifndef FEEDWATCH_SINKH_H
#define FEEDWATCH_SINKH_H

#include <stddef.h>

#include <check.h>
#include <event2/event.h>
#include <jansson.h>

#include "sink.h"

struct evhttp;

/* sink_conf has char * fields; -Wwrite-strings makes literals const. */
#define SINKH_W(s)	((char *)(s))

#define SINKH_MAX_REQS	16
#define SINKH_MAX_SENDS	8

/* A request the webhook receiver saw. */
struct sinkh_req {
	char	*method;
	char	*uri;
	char	*ctype;
	char	*key;
	char	*sig;
	char	*body;
};

struct sinkh_outcome {
	int			 done;
	enum sink_result	 result;
	long			 retry_after;
	char			 error[512];
	double			 at;	/* seconds since the harness started */
};

struct sinkh {
	struct event_base	*base;
	struct xfer_multi	*m;
	struct sink_env		 env;
	struct evhttp		*http;
	int			 port;
	struct sinkh_req	 reqs[SINKH_MAX_REQS];
	size_t			 nreqs;
	int			 script[8];	/* statuses to answer */
	size_t			 nscript, next;
	const char		*retry_after;
	struct sinkh_outcome	 out[SINKH_MAX_SENDS];
	double			 t0;
	struct sink_conf	 conf;
	char			*dir;		/* a fresh directory */
	char			**alerts;	/* made, to free */
	size_t			 nalerts;
};

/* The harness of the running test. */
extern struct sinkh	*H;

#define SINKH_TITLE	"Pompeo to Lavrov: \xc2\xabKrym\xc2\xbb <b>is</b> " \
		"Ukraine & \xd0\x9a\xd1\x80\xd1\x8b\xd0\xbc"

/* Feed text trying every mention and markup trick of the chat services. */
#define SINKH_HOSTILE	"@channel @here @all @everyone <!channel> <@U1> " \
		"[click](javascript:x) ![i](http://evil/i.png) <b>x</b> " \
		"*bold* `code` | & ]]>"
#define SINKH_ZWSP	"\xe2\x80\x8b"
/* A web link with what Markdown and Slack link syntax must not trip on. */
#define SINKH_GOOD_LINK	"https://news.example.org/a_(b)?x=1&y=2"

/* Three links that are not web links, then SINKH_GOOD_LINK. */
#define SINKH_NLINKS	4
extern const char *const sinkh_links[SINKH_NLINKS];

/* A test case of 's' named 'name', its tests in a harness, 'secs' each. */
TCase		*sinkh_tcase(Suite *s, const char *name, int secs);

/* A sink_done_cb that records its outcome in 'arg', a struct sinkh_outcome. */
void		 sinkh_done(enum sink_result r, long retry_after,
		    const char *error, void *arg);
/* An event callback that does nothing: a timer that only ends a loop turn. */
void		 sinkh_tick(evutil_socket_t fd, short what, void *arg);
/* Runs the loop until outcomes 0..n-1 are in, or fails after 'secs'. */
void		 sinkh_wait(size_t n, double secs);

/* A sink for H->conf; fails the test if there is none. */
struct sink	*sinkh_sink(void);
/* Sends 'n' alerts as outcome 'slot' and waits for it. */
struct sinkh_outcome *sinkh_send(struct sink *s, const char *const *alerts,
		    size_t n, size_t slot);
/* Sends the one alert 'a' as outcome 'slot' and waits for it. */
struct sinkh_outcome *sinkh_send1(struct sink *s, const char *a, size_t slot);

/* "http://127.0.0.1:PORT/path" on the webhook receiver, malloc'd. */
char		*sinkh_url(const char *path);
/* H->dir/NAME, malloc'd. */
char		*sinkh_path(const char *name);

/*
 * A SPEC section 5 alert line made by alert.c, the harness's until the
 * test ends; 'i' varies the item, and 'link' NULL gives
 * https://news.example.org/world/I?a=1&b=2.
 */
const char	*sinkh_alert_from(int i, const char *title,
		    const char *feed_title, const char *snippet,
		    const char *link);
/* The same with a feed title and a snippet with markup in them. */
const char	*sinkh_alert(int i, const char *title);
/* sinkh_alert(i, SINKH_TITLE) of a topic whose priority is 'priority'. */
const char	*sinkh_alert_priority(int i, const char *priority);
/*
 * The alert of sinkh_alert(i, SINKH_TITLE)'s item for 'topic', which
 * matched the word 'topic': alerts of one item, one per topic, as the
 * outbox hands a sink the alerts of an item that several topics matched.
 */
const char	*sinkh_alert_topic(int i, const char *topic);
/*
 * An alert with 'text' as its title, feed title and snippet, stored with
 * 'link' as an outbox row from elsewhere may be (alert.c drops a link
 * that is not a web link; every sink must do so too).  The harness's.
 */
const char	*sinkh_hostile(const char *text, const char *link);

/* 's' parsed; fails the test if it is not JSON. */
json_t		*sinkh_json(const char *s);
/* The string 'key' of 'o'; fails the test if there is none. */
const char	*sinkh_get(const json_t *o, const char *key);

/* Fails if 'link', unless it is a web link, appears in 's'. */
void		 sinkh_assert_no_bad_link(const char *s, const char *link);
/* How often SINKH_HOSTILE reads in 's', once escapes are undone. */
int		 sinkh_hostile_count(const char *s);

/*
 * A throwaway CA and a certificate for 127.0.0.1 that it signed, made with
 * the openssl command in H->dir (ca.pem, server.pem, server.key), and a
 * second CA that signed nothing (other.pem).
 */
void		 sinkh_certs(void);

#endif
