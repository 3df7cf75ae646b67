/*
 * chat.h: the bodies of webhook requests, alert JSON in, body out, in
 * the shape a format names (SPEC.md section 5; man/sinks.md documents
 * them for users):
 *
 *   json        one alert: the SPEC section 5 object itself, byte for byte
 *               as the outbox stored it; a digest: {"digest":[A, B, ...]}
 *   slack       {"text": mrkdwn} for an incoming webhook, without link
 *               previews ("unfurl_links", "unfurl_media": false)
 *   mattermost  {"text": Markdown} for an incoming webhook
 *   discord     {"content", "embeds" (up to 10), "allowed_mentions"}
 *   ntfy        ntfy's JSON publishing: {"topic", "title", "message",
 *               "tags", "priority", "click"}
 *   matrix      an m.room.message: {"msgtype": "m.notice", "body",
 *               "format", "formatted_body" (HTML), "m.mentions"}
 *
 * Only web links (url_is_web) are sent: an alert whose link is anything
 * else goes out without one (json: "link": null).  Feed text, and the
 * config's topic names alike, cannot mention or format in a chat format:
 * each '@' is followed by U+200B, control characters become spaces;
 * slack escapes &, <, > as entities and fences *, _, ~, ` with U+200B;
 * discord and mattermost backslash-escape Markdown punctuation and list
 * marks (discord also sends "allowed_mentions": {"parse": []}); matrix
 * escapes formatted_body as HTML and sends an empty "m.mentions"; ntfy
 * is plain text in the JSON body, never in a header.  A link goes inside
 * Slack's <URL|TEXT> or Markdown's [TEXT](URL) with the characters that
 * could end it early percent-encoded.  A digest lists alerts until its
 * text passes 3,500 characters (discord: its first 10); a field
 * a service caps is cut to its cap, with an ellipsis, never inside a
 * backslash escape.
 *
 * The chat formats tell the alerts of one item (the same feed and id, one
 * alert per topic that matched it) as one, naming all its topics
 * (sink_alerts_items()); json sends the alerts as they are.
 *
 * The alerts' priority (their topic's) shows where a format has a place
 * for it: ntfy's "priority" is 5 for high, 3 for normal and 2 for low;
 * a high-priority Slack, Mattermost or Discord message starts with U+1F6A8
 * (a revolving light); json carries the alert's own "priority"; Matrix
 * has none.
 *
 * No I/O and no state: a body depends only on its arguments.
 */
#ifndef FEEDWATCH_CHAT_H
#define FEEDWATCH_CHAT_H

#include <jansson.h>

enum chat_format {
	CHAT_JSON,
	CHAT_SLACK,
	CHAT_DISCORD,
	CHAT_MATTERMOST,
	CHAT_NTFY,
	CHAT_MATRIX
};

/* The format called 'name' ("json", "slack", ...) in '*format'; -1: none. */
int		 chat_format_parse(const char *name, enum chat_format *format);

/* The name of 'format', as chat_format_parse() takes it. */
const char	*chat_format_name(enum chat_format format);

/*
 * The body in 'format' for the alerts 'arr' (parsed SPEC section 5
 * objects, one or more), malloc'd; NULL if jansson cannot build it.
 * 'alerts' are the same alerts as the outbox stored them (json sends one
 * as it is), and 'ntfy_topic' the topic an ntfy body names.  Each link
 * of 'arr' that is not a web link is set to null first.
 */
char		*chat_body(enum chat_format format, const char *const *alerts,
		    json_t *arr, const char *ntfy_topic);

#endif
