/*
 * check_webhook.c: the webhook sink against an evhttp receiver on
 * 127.0.0.1 (sinkh.h), in every body format, with hostile feed text, its
 * retries and failures, a private CA, and `feedwatch test-sink`.
 */
#include "suites.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <event2/event.h>
#include <glib.h>
#include <jansson.h>

#include "httpd.h"
#include "sink.h"
#include "sinkh.h"
#include "xfer.h"
#include "xmalloc.h"

static const char *const presets[] = {
	"slack", "discord", "mattermost", "ntfy", "matrix"
};

/* The receiver's url for 'format' (NULL: json), malloc'd. */
static char *
format_url(const char *format)
{
	if (format != NULL && strcmp(format, "ntfy") == 0)
		return sinkh_url("/alerts?auth=tk");
	if (format != NULL && strcmp(format, "matrix") == 0)
		return sinkh_url("/_matrix/client/v3/rooms/!r:example.org/send/"
		    "m.room.message?access_token=tok");
	return sinkh_url("/hook");
}

/* A webhook sink in 'format' (NULL: json) to the receiver. */
static struct sink *
webhook_sink(const char *format)
{
	H->conf.type = SINK_WEBHOOK;
	H->conf.format = (char *)format;
	H->conf.url = format_url(format);
	return sinkh_sink();
}

START_TEST(webhook_json_signed)
{
	struct sink		*s;
	const char		*a = sinkh_alert(1, SINKH_TITLE);
	char			*sig;
	json_t			*al;
	struct sinkh_req	*r;

	H->conf.secret = SINKH_W("s3cret");
	s = webhook_sink(NULL);
	ck_assert_int_eq(sinkh_send1(s, a, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	r = &H->reqs[0];
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->uri, "/hook");
	ck_assert_str_eq(r->ctype, "application/json");
	/* The json format sends the alert object itself, byte for byte. */
	ck_assert_str_eq(r->body, a);
	al = sinkh_json(a);
	ck_assert_str_eq(r->key, sinkh_get(al, "alert_id"));
	sig = g_compute_hmac_for_string(G_CHECKSUM_SHA256,
	    (const guchar *)"s3cret", 6, r->body, -1);
	ck_assert_ptr_nonnull(r->sig);
	ck_assert_str_eq(r->sig + strlen("sha256="), sig);
	ck_assert(strncmp(r->sig, "sha256=", 7) == 0);
	g_free(sig);
	json_decref(al);
	sink_free(s);
}
END_TEST

START_TEST(webhook_json_digest)
{
	struct sink	*s;
	const char	*alerts[3];
	json_t		*b, *d;
	GChecksum	*ck;
	size_t		 i;

	for (i = 0; i < 3; i++)
		alerts[i] = sinkh_alert(i, SINKH_TITLE);
	s = webhook_sink(NULL);
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	ck_assert_ptr_null(H->reqs[0].sig);
	b = sinkh_json(H->reqs[0].body);
	d = json_object_get(b, "digest");
	ck_assert_uint_eq(json_array_size(d), 3);
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	for (i = 0; i < 3; i++) {
		json_t *one = sinkh_json(alerts[i]);

		ck_assert(json_equal(json_array_get(d, i), one));
		if (i > 0)
			g_checksum_update(ck, (const guchar *)"\n", 1);
		g_checksum_update(ck,
		    (const guchar *)sinkh_get(one, "alert_id"), -1);
		json_decref(one);
	}
	ck_assert_int_eq(strncmp(H->reqs[0].key, g_checksum_get_string(ck),
	    32), 0);
	ck_assert_uint_eq(strlen(H->reqs[0].key), 32);
	g_checksum_free(ck);
	json_decref(b);
	sink_free(s);
}
END_TEST

START_TEST(webhook_presets)
{
	const char	*format = presets[_i];
	struct sink	*s;
	const char	*a = sinkh_alert(1, SINKH_TITLE), *id, *text;
	char		*want;
	json_t		*al = sinkh_json(a), *b, *e;

	id = sinkh_get(al, "alert_id");
	s = webhook_sink(format);
	ck_assert_int_eq(sinkh_send1(s, a, 0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	ck_assert_str_eq(H->reqs[0].ctype, "application/json");
	ck_assert_str_eq(H->reqs[0].key, id);
	b = sinkh_json(H->reqs[0].body);
	if (strcmp(format, "slack") == 0) {
		ck_assert_str_eq(H->reqs[0].uri, "/hook");
		text = sinkh_get(b, "text");
		/* mrkdwn: a <link|title> with &, <, > as entities. */
		want = xasprintf("<%s|Pompeo to Lavrov: \xc2\xabKrym\xc2\xbb "
		    "&lt;b&gt;is&lt;/b&gt; Ukraine &amp; ",
		    "https://news.example.org/world/1?a=1&amp;b=2");
		ck_assert_msg(strstr(text, want) != NULL, "%s", text);
		free(want);
		ck_assert(strstr(text, "crimea, lavrov") != NULL);
	} else if (strcmp(format, "discord") == 0) {
		e = json_array_get(json_object_get(b, "embeds"), 0);
		/* Markdown characters of feed text backslash-escaped. */
		ck_assert_str_eq(sinkh_get(e, "title"), "Pompeo to Lavrov: "
		    "\xc2\xabKrym\xc2\xbb \\<b\\>is\\</b\\> Ukraine \\& "
		    "\xd0\x9a\xd1\x80\xd1\x8b\xd0\xbc");
		ck_assert_str_eq(sinkh_get(e, "url"),
		    "https://news.example.org/world/1?a=1&b=2");
		ck_assert(strstr(sinkh_get(e, "description"), "\\<Crimea\\>") !=
		    NULL);
		ck_assert_uint_eq(json_array_size(json_object_get(
		    json_object_get(b, "allowed_mentions"), "parse")), 0);
		ck_assert(json_is_array(json_object_get(json_object_get(b,
		    "allowed_mentions"), "parse")));
	} else if (strcmp(format, "mattermost") == 0) {
		text = sinkh_get(b, "text");
		ck_assert_msg(strstr(text, "[Pompeo to Lavrov: \xc2\xabKrym"
		    "\xc2\xbb \\<b\\>is\\</b\\> Ukraine \\& ") != NULL, "%s",
		    text);
		ck_assert(strstr(text, "](https://news.example.org/world/1"
		    "?a=1&b=2)") != NULL);
	} else if (strcmp(format, "ntfy") == 0) {
		/* JSON publishing goes to the root, the topic in the body. */
		ck_assert_str_eq(H->reqs[0].uri, "/?auth=tk");
		ck_assert_str_eq(sinkh_get(b, "topic"), "alerts");
		ck_assert_str_eq(sinkh_get(b, "title"), SINKH_TITLE);
		ck_assert_str_eq(sinkh_get(b, "click"),
		    "https://news.example.org/world/1?a=1&b=2");
		ck_assert(strstr(sinkh_get(b, "message"), "<Crimea>") != NULL);
	} else {
		want = xasprintf("/_matrix/client/v3/rooms/!r:example.org/send/"
		    "m.room.message/%s?access_token=tok", id);
		ck_assert_str_eq(H->reqs[0].method, "PUT");
		ck_assert_str_eq(H->reqs[0].uri, want);
		free(want);
		ck_assert_str_eq(sinkh_get(b, "msgtype"), "m.notice");
		ck_assert_str_eq(sinkh_get(b, "format"),
		    "org.matrix.custom.html");
		ck_assert(strstr(sinkh_get(b, "body"), SINKH_TITLE) != NULL);
		ck_assert(strstr(sinkh_get(b, "formatted_body"),
		    "&lt;b&gt;is&lt;/b&gt; Ukraine &amp; ") != NULL);
		ck_assert(strstr(sinkh_get(b, "formatted_body"), "<a href=\""
		    "https://news.example.org/world/1?a=1&amp;b=2\">") != NULL);
	}
	json_decref(b);
	json_decref(al);
	sink_free(s);
}
END_TEST

/* Occurrences of 'needle' in 's'. */
static int
count_of(const char *s, const char *needle)
{
	int	 n = 0;

	for (; (s = strstr(s, needle)) != NULL; s += strlen(needle))
		n++;
	return n;
}

/*
 * The alerts of one item for three topics: one request naming the three
 * and telling the story as often as an alert alone does, under a key of
 * its own (not any one alert's).
 */
START_TEST(webhook_preset_one_item)
{
	const char	*format = presets[_i];
	const char	*alerts[] = { sinkh_alert_topic(1, "crimea"),
	    sinkh_alert_topic(1, "lavrov"), sinkh_alert_topic(1, "ukraine") };
	struct sink	*s;
	json_t		*a;
	size_t		 i;

	s = webhook_sink(format);
	ck_assert_int_eq(sinkh_send1(s, alerts[0], 0)->result,
	    SINK_DELIVERED);
	ck_assert_int_eq(sinkh_send(s, alerts, 3, 1)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 2);
	ck_assert_msg(strstr(H->reqs[1].body, "crimea, lavrov, ukraine") !=
	    NULL, "%s", H->reqs[1].body);
	ck_assert_int_eq(count_of(H->reqs[1].body, "Pompeo"),
	    count_of(H->reqs[0].body, "Pompeo"));
	ck_assert_uint_eq(strlen(H->reqs[1].key), 32);
	for (i = 0; i < 3; i++) {
		a = sinkh_json(alerts[i]);
		ck_assert_str_ne(H->reqs[1].key, sinkh_get(a, "alert_id"));
		json_decref(a);
	}
	sink_free(s);
}
END_TEST

/*
 * An alert found in the article its link points to (matched_in "body")
 * says so in every chat format; one found in the feed's text does not.
 */
START_TEST(webhook_in_article)
{
	const char	*format = presets[_i];
	struct sink	*s;
	json_t		*al = sinkh_json(sinkh_alert(1, SINKH_TITLE));
	char		*body;
	int		 i;

	s = webhook_sink(format);
	for (i = 0; i < 2; i++) {
		json_object_set_new(al, "matched_in", json_pack("[s]", i == 0 ?
		    "body" : "title"));
		/* another item each time: a receiver may deduplicate */
		json_object_set_new(al, "alert_id", json_string(i == 0 ?
		    "00000000000000000000000000000001" :
		    "00000000000000000000000000000002"));
		body = json_dumps(al, JSON_COMPACT);
		ck_assert_int_eq(sinkh_send1(s, body, (size_t)i)->result,
		    SINK_DELIVERED);
		free(body);
	}
	ck_assert_uint_eq(H->nreqs, 2);
	ck_assert_msg(strstr(H->reqs[0].body, "(in the article)") != NULL,
	    "%s: %s", format, H->reqs[0].body);
	ck_assert_msg(strstr(H->reqs[1].body, "in the article") == NULL,
	    "%s: %s", format, H->reqs[1].body);
	json_decref(al);
	sink_free(s);
}
END_TEST

START_TEST(webhook_preset_digest)
{
	struct sink	*s;
	const char	*alerts[12];
	json_t		*b;
	size_t		 i;

	for (i = 0; i < 12; i++)
		alerts[i] = sinkh_alert(i, SINKH_TITLE);
	s = webhook_sink("discord");
	ck_assert_int_eq(sinkh_send(s, alerts, 12, 0)->result, SINK_DELIVERED);
	b = sinkh_json(H->reqs[0].body);
	/* Discord takes at most 10 embeds. */
	ck_assert_uint_eq(json_array_size(json_object_get(b, "embeds")), 10);
	ck_assert(strstr(sinkh_get(b, "content"), "12 feedwatch alerts for "
	    "'crimea'") != NULL);
	json_decref(b);
	sink_free(s);
}
END_TEST

/*
 * A topic's priority where the format has one: ntfy's 2, 3 or 5; a
 * marker (U+1F6A8) opening a high-priority Slack, Mattermost or Discord
 * message; Matrix has none and its message stays as it was.
 */
START_TEST(webhook_priority)
{
	static const char *const prios[] = { "low", "normal", "high" };
	static const int ntfy[] = { 2, 3, 5 };
	const char	*format = presets[_i / 3], *prio = prios[_i % 3];
	const char	*text;
	struct sink	*s;
	json_t		*b;
	int		 high = _i % 3 == 2;

	s = webhook_sink(format);
	ck_assert_int_eq(sinkh_send1(s, sinkh_alert_priority(1, prio),
	    0)->result, SINK_DELIVERED);
	b = sinkh_json(H->reqs[0].body);
	if (strcmp(format, "ntfy") == 0) {
		ck_assert_int_eq(json_integer_value(json_object_get(b,
		    "priority")), ntfy[_i % 3]);
		ck_assert(strstr(H->reqs[0].body, "\xf0\x9f\x9a\xa8") == NULL);
	} else if (strcmp(format, "matrix") == 0)
		ck_assert(strstr(H->reqs[0].body, "\xf0\x9f\x9a\xa8") == NULL);
	else {
		text = sinkh_get(b, strcmp(format, "discord") == 0 ?
		    "content" : "text");
		ck_assert_msg((strncmp(text, "\xf0\x9f\x9a\xa8 ", 5) == 0) ==
		    high, "%s: %s", prio, text);
		ck_assert_int_eq(test_count_lines(text, "\xf0\x9f\x9a\xa8"),
		    high);
	}
	json_decref(b);
	sink_free(s);
}
END_TEST

START_TEST(webhook_retry_then_delivered)
{
	struct sink		*s;
	const char		*a = sinkh_alert(1, SINKH_TITLE);
	struct sinkh_outcome	*o;

	H->script[0] = 500;
	H->script[1] = 200;
	H->nscript = 2;
	s = webhook_sink(NULL);
	o = sinkh_send1(s, a, 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_int_eq(o->retry_after, -1);
	ck_assert_msg(strstr(o->error, "http 500") != NULL, "%s", o->error);
	ck_assert_int_eq(sinkh_send1(s, a, 1)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 2);
	/* The retry carries the same idempotency key. */
	ck_assert_str_eq(H->reqs[0].key, H->reqs[1].key);
	sink_free(s);
}
END_TEST

/* The outcome of an alert sent as json to a receiver answering 'status'. */
static struct sinkh_outcome *
send_answered(int status)
{
	struct sink		*s;
	struct sinkh_outcome	*o;

	H->script[0] = status;
	H->nscript = 1;
	s = webhook_sink(NULL);
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	sink_free(s);
	return o;
}

START_TEST(webhook_429_retry_after)
{
	struct sinkh_outcome	*o;

	H->retry_after = "7";
	o = send_answered(429);
	ck_assert_int_eq(o->result, SINK_RETRY);
	ck_assert_int_eq(o->retry_after, 7);
}
END_TEST

static const int failing[] = { 404, 400, 401, 410, 301 };

START_TEST(webhook_4xx_failed)
{
	ck_assert_int_eq(send_answered(failing[_i])->result, SINK_FAILED);
	ck_assert_uint_eq(H->nreqs, 1);
}
END_TEST

static const int retrying[] = { 408, 425, 502, 503 };

START_TEST(webhook_retry_codes)
{
	ck_assert_int_eq(send_answered(retrying[_i])->result, SINK_RETRY);
}
END_TEST

/* A hanging server: the timeout says RETRY, and the loop kept serving. */
START_TEST(webhook_hang_does_not_block)
{
	struct sink_conf	 hang, ok, ex;
	struct sink		*sh, *so, *se;
	char			 err[256];
	const char		*alerts[] = { sinkh_alert(1, SINKH_TITLE) };
	char			*argv[] = { SINKH_W("/bin/sh"), SINKH_W("-c"),
				    SINKH_W("cat >/dev/null"), NULL };

	memset(&hang, 0, sizeof(hang));
	hang.name = SINKH_W("hang");
	hang.type = SINK_WEBHOOK;
	hang.url = sinkh_url("/hang");
	hang.timeout = 1;
	ok = hang;
	ok.name = SINKH_W("ok");
	ok.url = sinkh_url("/hook");
	memset(&ex, 0, sizeof(ex));
	ex.name = SINKH_W("exec");
	ex.type = SINK_EXEC;
	ex.command = argv;
	ex.ncommand = 3;
	ck_assert_ptr_nonnull(sh = sink_new(&hang, &H->env, err, sizeof(err)));
	ck_assert_ptr_nonnull(so = sink_new(&ok, &H->env, err, sizeof(err)));
	ck_assert_ptr_nonnull(se = sink_new(&ex, &H->env, err, sizeof(err)));
	ck_assert_int_eq(sink_send(sh, alerts, 1, sinkh_done, &H->out[0]), 0);
	ck_assert_int_eq(sink_send(so, alerts, 1, sinkh_done, &H->out[1]), 0);
	ck_assert_int_eq(sink_send(se, alerts, 1, sinkh_done, &H->out[2]), 0);
	sinkh_wait(3, 10);
	ck_assert_int_eq(H->out[0].result, SINK_RETRY);
	ck_assert_int_eq(H->out[1].result, SINK_DELIVERED);
	ck_assert_int_eq(H->out[2].result, SINK_DELIVERED);
	ck_assert_msg(H->out[1].at < H->out[0].at && H->out[2].at <
	    H->out[0].at, "others waited for the hanging one");
	ck_assert_msg(H->out[0].at >= 0.9 && H->out[0].at < 5, "timeout "
	    "after %.2fs", H->out[0].at);
	sink_free(sh);
	sink_free(so);
	sink_free(se);
	free(hang.url);
	free(ok.url);
}
END_TEST

START_TEST(webhook_refused_retry)
{
	struct sink		*s;
	struct sinkh_outcome	*o;

	H->conf.type = SINK_WEBHOOK;
	/* Port 1 on loopback: nobody listens. */
	H->conf.url = xstrdup("http://127.0.0.1:1/hook?token=SECRET");
	s = sinkh_sink();
	o = sinkh_send1(s, sinkh_alert(1, SINKH_TITLE), 0);
	ck_assert_int_eq(o->result, SINK_RETRY);
	/* The url's path and query may be secret: never in messages. */
	ck_assert_msg(strstr(o->error, "SECRET") == NULL &&
	    strstr(o->error, "/hook") == NULL, "%s", o->error);
	sink_free(s);
}
END_TEST

/* sink_free with a request in flight: done is never called. */
START_TEST(webhook_free_in_flight)
{
	struct sink	*s;
	const char	*alerts[] = { sinkh_alert(1, SINKH_TITLE) };
	struct event	*tick;
	struct timeval	 tv = { 0, 300000 };

	H->conf.type = SINK_WEBHOOK;
	H->conf.url = sinkh_url("/hang");
	s = sinkh_sink();
	ck_assert_int_eq(sink_send(s, alerts, 1, sinkh_done, &H->out[0]), 0);
	tick = evtimer_new(H->base, sinkh_tick, NULL);
	evtimer_add(tick, &tv);
	event_base_loop(H->base, EVLOOP_ONCE);
	ck_assert_uint_eq(xfer_multi_running(H->m), 1);
	sink_free(s);
	ck_assert_uint_eq(xfer_multi_running(H->m), 0);
	/* Long enough for the hung request to be answered if it could. */
	event_base_loopexit(H->base, &tv);
	event_base_dispatch(H->base);
	ck_assert(!H->out[0].done);
	event_free(tick);
}
END_TEST

/* --- links and markup from feed text ---------------------------------- */

/* Every string in 'j', at any depth, has U+200B after each '@'. */
static void
assert_no_mention(json_t *j)
{
	const char	*k, *s;
	json_t		*v;
	size_t		 i;

	if ((s = json_string_value(j)) != NULL) {
		for (; (s = strchr(s, '@')) != NULL; s++)
			ck_assert_msg(strncmp(s + 1, SINKH_ZWSP, 3) == 0,
			    "a mention survives: %s", json_string_value(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			assert_no_mention(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			assert_no_mention(v);
	}
}

/* How many 'c' in Markdown 's' are markup: not backslash-escaped. */
static int
unescaped(const char *s, char c)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == c)
			n++;
	return n;
}

/* Markdown characters of 's' that are markup, other than '@'. */
static void
assert_md_inert(const char *s, const char *what)
{
	const char	*c;

	for (c = "[]()<>`|*_~#"; *c != '\0'; c++)
		ck_assert_msg(unescaped(s, *c) == 0, "%s: '%c' is markup: %s",
		    what, *c, s);
}

static void
hostile_slack(json_t *b, int good)
{
	const char	*t = sinkh_get(b, "text");

	ck_assert(json_is_false(json_object_get(b, "unfurl_links")));
	ck_assert(json_is_false(json_object_get(b, "unfurl_media")));
	/* Feed text brings no < or >: the link and the quote are ours. */
	ck_assert_int_eq(test_count_lines(t, "<"), good);
	ck_assert_int_eq(test_count_lines(t, ">"), good + 1);
	if (good)
		ck_assert_msg(strstr(t, "*<https://news.example.org/a_(b)?x=1"
		    "&amp;y=2|@" SINKH_ZWSP "channel") != NULL, "%s", t);
	/* No mrkdwn pair: each mark is fenced by zero-width spaces. */
	ck_assert_msg(strstr(t, "*bold*") == NULL && strstr(t, "`code`") ==
	    NULL, "%s", t);
	ck_assert(strstr(t, SINKH_ZWSP "*" SINKH_ZWSP "bold" SINKH_ZWSP "*"
	    SINKH_ZWSP) != NULL);
	ck_assert_int_eq(sinkh_hostile_count(t), 3);
}

static void
hostile_mattermost(json_t *b, int good)
{
	const char	*t = sinkh_get(b, "text");

	/* Ours: the link, "(topic: words)" and the snippet's quote. */
	ck_assert_int_eq(unescaped(t, '['), good);
	ck_assert_int_eq(unescaped(t, ']'), good);
	ck_assert_int_eq(unescaped(t, '('), good + 1);
	ck_assert_int_eq(unescaped(t, ')'), good + 1);
	ck_assert_int_eq(unescaped(t, '>'), 1);
	ck_assert_int_eq(unescaped(t, '<'), 0);
	ck_assert_int_eq(unescaped(t, '`'), 0);
	ck_assert_int_eq(unescaped(t, '|'), 0);
	ck_assert_msg(strstr(t, "*bold*") == NULL, "%s", t);
	if (good)
		ck_assert_msg(strstr(t, "](https://news.example.org/a_%28b%29"
		    "?x=1&y=2)") != NULL, "%s", t);
	ck_assert_int_eq(sinkh_hostile_count(t), 3);
}

static void
hostile_discord(json_t *b, int good)
{
	json_t		*e = json_array_get(json_object_get(b, "embeds"), 0);
	json_t		*parse;

	parse = json_object_get(json_object_get(b, "allowed_mentions"),
	    "parse");
	ck_assert(json_is_array(parse) && json_array_size(parse) == 0);
	if (good)
		ck_assert_str_eq(sinkh_get(e, "url"), SINKH_GOOD_LINK);
	else
		ck_assert_ptr_null(json_object_get(e, "url"));
	assert_md_inert(sinkh_get(e, "title"), "title");
	assert_md_inert(sinkh_get(e, "description"), "description");
	ck_assert_int_eq(sinkh_hostile_count(sinkh_get(e, "title")), 1);
	ck_assert_int_eq(sinkh_hostile_count(sinkh_get(e, "description")), 1);
	/* Footers render no Markdown: plain text. */
	ck_assert_int_eq(sinkh_hostile_count(sinkh_get(json_object_get(e,
	    "footer"), "text")), 1);
}

static void
hostile_ntfy(json_t *b, int good)
{
	if (good)
		ck_assert_str_eq(sinkh_get(b, "click"), SINKH_GOOD_LINK);
	else
		ck_assert_ptr_null(json_object_get(b, "click"));
	ck_assert(!json_is_true(json_object_get(b, "markdown")));
	ck_assert_int_eq(sinkh_hostile_count(sinkh_get(b, "title")), 1);
	ck_assert_int_eq(sinkh_hostile_count(sinkh_get(b, "message")), 2);
}

static void
hostile_matrix(json_t *b, int good)
{
	json_t		*m = json_object_get(b, "m.mentions");
	const char	*h = sinkh_get(b, "formatted_body");

	ck_assert(json_is_object(m) && json_object_size(m) == 0);
	if (good)
		ck_assert_msg(strstr(h, "<a href=\"https://news.example.org/"
		    "a_(b)?x=1&amp;y=2\">") != NULL, "%s", h);
	else
		ck_assert_msg(strstr(h, "href") == NULL, "%s", h);
	ck_assert_msg(strstr(h, "<b>x</b>") == NULL && strstr(h,
	    "&lt;b&gt;x&lt;/b&gt;") != NULL, "%s", h);
	ck_assert_int_eq(sinkh_hostile_count(h), 3);
	ck_assert_int_eq(sinkh_hostile_count(sinkh_get(b, "body")), 3);
	ck_assert_int_eq(strstr(sinkh_get(b, "body"), SINKH_GOOD_LINK) != NULL,
	    good);
}

/*
 * Each chat format, the hostile text and each link: no mention, markup
 * or non-web link reaches the receiver, and the text still reads.
 */
START_TEST(webhook_hostile)
{
	const char	*format = presets[_i / SINKH_NLINKS];
	const char	*link = sinkh_links[_i % SINKH_NLINKS];
	int		 good = _i % SINKH_NLINKS == SINKH_NLINKS - 1;
	struct sink	*s;
	json_t		*b;

	s = webhook_sink(format);
	ck_assert_int_eq(sinkh_send1(s, sinkh_hostile(SINKH_HOSTILE, link),
	    0)->result, SINK_DELIVERED);
	ck_assert_uint_eq(H->nreqs, 1);
	sinkh_assert_no_bad_link(H->reqs[0].body, link);
	b = sinkh_json(H->reqs[0].body);
	assert_no_mention(b);
	if (strcmp(format, "slack") == 0)
		hostile_slack(b, good);
	else if (strcmp(format, "mattermost") == 0)
		hostile_mattermost(b, good);
	else if (strcmp(format, "discord") == 0)
		hostile_discord(b, good);
	else if (strcmp(format, "ntfy") == 0)
		hostile_ntfy(b, good);
	else
		hostile_matrix(b, good);
	json_decref(b);
	sink_free(s);
}
END_TEST

/* A digest renders from stored rows too: their bad links go as well. */
START_TEST(webhook_hostile_digest)
{
	const char	*format = presets[_i];
	struct sink	*s;
	const char	*alerts[SINKH_NLINKS];
	json_t		*b;
	size_t		 i;

	for (i = 0; i < SINKH_NLINKS; i++)
		alerts[i] = sinkh_hostile(SINKH_HOSTILE, sinkh_links[i]);
	s = webhook_sink(format);
	ck_assert_int_eq(sinkh_send(s, alerts, SINKH_NLINKS, 0)->result,
	    SINK_DELIVERED);
	for (i = 0; i + 1 < SINKH_NLINKS; i++)
		sinkh_assert_no_bad_link(H->reqs[0].body, sinkh_links[i]);
	b = sinkh_json(H->reqs[0].body);
	assert_no_mention(b);
	json_decref(b);
	sink_free(s);
}
END_TEST

/* json: the alert as stored, but a non-web link is null. */
START_TEST(webhook_json_bad_link)
{
	struct sink	*s;
	const char	*a = sinkh_hostile(SINKH_HOSTILE, sinkh_links[0]);
	json_t		*b, *want = sinkh_json(a);

	s = webhook_sink(NULL);
	ck_assert_int_eq(sinkh_send1(s, a, 0)->result, SINK_DELIVERED);
	b = sinkh_json(H->reqs[0].body);
	ck_assert(json_is_null(json_object_get(b, "link")));
	json_object_set_new(want, "link", json_null());
	ck_assert(json_equal(b, want));
	json_decref(b);
	json_decref(want);
	sink_free(s);
}
END_TEST

/* alert.c: a link that is not a web link is null; alert_id unchanged. */
START_TEST(alert_web_links_only)
{
	static const char *const more[] = { "/relative/x", "mailto:a@b.org",
	    "http://", "HTTPS://News.Example.org/x" };
	GChecksum	*ck;
	char		*want;
	json_t		*o;
	const char	*link;
	size_t		 i;

	/* The id is SHA-256 over topic, feed and item id, as before. */
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)"crimea\0world\0w-1", 17);
	want = xstrndup(g_checksum_get_string(ck), 32);
	g_checksum_free(ck);
	for (i = 0; i < SINKH_NLINKS + 4; i++) {
		link = i < SINKH_NLINKS ? sinkh_links[i] :
		    more[i - SINKH_NLINKS];
		o = sinkh_json(sinkh_alert_from(1, SINKH_TITLE, "World", "s",
		    link));
		if (strcmp(link, SINKH_GOOD_LINK) == 0 || i == SINKH_NLINKS + 3)
			ck_assert_str_eq(sinkh_get(o, "link"), link);
		else
			ck_assert_msg(json_is_null(json_object_get(o, "link")),
			    "'%s' kept", link);
		ck_assert_str_eq(sinkh_get(o, "alert_id"), want);
		json_decref(o);
	}
	free(want);
}
END_TEST

/* --- feedwatch test-sink ---------------------------------------------- */

START_TEST(test_sink_command)
{
	struct httpd		*srv = httpd_start();
	struct test_proc	 p;
	char			*dir = test_tmpdir(), *conf, *text, *hook;
	const char		*ok[] = { "test-sink", "-c", NULL, "hook",
				    NULL };
	const char		*gone[] = { "test-sink", "-c", NULL, "down",
				    NULL };
	const char		*none[] = { "test-sink", "-c", NULL, "nope",
				    NULL };

	httpd_route(srv, "/hook", 200, "text/plain", "ok", 2, NULL);
	hook = httpd_url(srv, "/hook");
	text = xasprintf("[sink hook]\ntype = webhook\nurl = %s\n\n"
	    "[sink down]\ntype = webhook\nurl = http://127.0.0.1:1/x\n", hook);
	conf = test_write(dir, "feedwatch.conf", text);
	ok[2] = gone[2] = none[2] = conf;
	test_run(&p, ok);
	ck_assert_msg(p.status == 0, "status %d: %s%s", p.status, p.out,
	    p.err);
	ck_assert_msg(strstr(p.out, "sink 'hook' (webhook): delivered") !=
	    NULL, "%s", p.out);
	ck_assert_uint_eq(httpd_hits(srv, "/hook"), 1);
	test_proc_clear(&p);
	test_run(&p, gone);
	ck_assert_int_eq(p.status, 1);
	ck_assert_msg(strstr(p.out, "sink 'down' (webhook): retry") != NULL,
	    "%s", p.out);
	test_proc_clear(&p);
	test_run(&p, none);
	ck_assert_int_eq(p.status, 2);
	test_proc_clear(&p);
	httpd_stop(srv);
	test_rmtree(dir);
	free(dir);
	free(conf);
	free(text);
	free(hook);
}
END_TEST

/*
 * A webhook to an HTTPS server whose certificate a private CA signed:
 * delivered with that CA as ca-file, refused with another or none.
 */
static const char httpsd_py[] =
    "import http.server, ssl, sys\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_POST(self):\n"
    "        self.rfile.read(int(self.headers['Content-Length']))\n"
    "        self.send_response(200)\n"
    "        self.send_header('Content-Length', '0')\n"
    "        self.end_headers()\n"
    "    def log_message(self, *args):\n"
    "        pass\n"
    "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
    "c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "c.load_cert_chain(sys.argv[1], sys.argv[2])\n"
    "s.socket = c.wrap_socket(s.socket, server_side=True)\n"
    "print(s.server_address[1], flush=True)\n"
    "s.serve_forever()\n";

START_TEST(webhook_ca_file)
{
	static const char *const cas[] = { "ca.pem", "other.pem", NULL };
	char			*cert, *key, line[32];
	const char		*a = sinkh_alert(1, SINKH_TITLE), *argv[7];
	struct sink		*s;
	struct sinkh_outcome	*o;
	GPid			 pid;
	gint			 out;
	FILE			*f;
	size_t			 i;

	sinkh_certs();
	cert = sinkh_path("server.pem");
	key = sinkh_path("server.key");
	argv[0] = "/usr/bin/python3";
	argv[1] = "-c";
	argv[2] = httpsd_py;
	argv[3] = cert;
	argv[4] = key;
	argv[5] = NULL;
	ck_assert(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
	    G_SPAWN_DEFAULT, NULL, NULL, &pid, NULL, &out, NULL, NULL));
	ck_assert_ptr_nonnull(f = fdopen(out, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	H->conf.type = SINK_WEBHOOK;
	H->conf.url = xasprintf("https://127.0.0.1:%d/hook", atoi(line));
	for (i = 0; i < 3; i++) {
		H->conf.ca_file = cas[i] ? sinkh_path(cas[i]) : NULL;
		s = sinkh_sink();
		o = sinkh_send1(s, a, i);
		if (i == 0)
			ck_assert_msg(o->result == SINK_DELIVERED, "%s",
			    o->error);
		else {
			ck_assert_int_eq(o->result, SINK_RETRY);
			ck_assert_msg(strstr(o->error, "certificate") != NULL &&
			    strstr(o->error, "set ca-file") != NULL, "%s",
			    o->error);
		}
		sink_free(s);
		free(H->conf.ca_file);
		H->conf.ca_file = NULL;
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	free(cert);
	free(key);
}
END_TEST

Suite *
webhook_suite(void)
{
	Suite	*s = suite_create("webhook");
	TCase	*tc;

	tc = sinkh_tcase(s, "webhook", 20);
	tcase_add_test(tc, webhook_json_signed);
	tcase_add_test(tc, webhook_json_digest);
	tcase_add_loop_test(tc, webhook_presets, 0,
	    sizeof(presets) / sizeof(presets[0]));
	tcase_add_loop_test(tc, webhook_preset_one_item, 0,
	    sizeof(presets) / sizeof(presets[0]));
	tcase_add_loop_test(tc, webhook_in_article, 0,
	    sizeof(presets) / sizeof(presets[0]));
	tcase_add_test(tc, webhook_preset_digest);
	tcase_add_loop_test(tc, webhook_priority, 0,
	    3 * sizeof(presets) / sizeof(presets[0]));
	tcase_add_test(tc, webhook_retry_then_delivered);
	tcase_add_test(tc, webhook_429_retry_after);
	tcase_add_loop_test(tc, webhook_4xx_failed, 0,
	    sizeof(failing) / sizeof(failing[0]));
	tcase_add_loop_test(tc, webhook_retry_codes, 0,
	    sizeof(retrying) / sizeof(retrying[0]));
	tcase_add_test(tc, webhook_hang_does_not_block);
	tcase_add_test(tc, webhook_refused_retry);
	tcase_add_test(tc, webhook_free_in_flight);
	tcase_add_loop_test(tc, webhook_hostile, 0,
	    sizeof(presets) / sizeof(presets[0]) * SINKH_NLINKS);
	tcase_add_loop_test(tc, webhook_hostile_digest, 0,
	    sizeof(presets) / sizeof(presets[0]));
	tcase_add_test(tc, webhook_json_bad_link);
	tcase_add_test(tc, webhook_ca_file);
	tcase_add_test(tc, alert_web_links_only);

	tc = tcase_create("command");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_sink_command);
	suite_add_tcase(s, tc);
	return s;
}
