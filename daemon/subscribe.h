/*
 * subscribe.h: `feedwatch add` and `feedwatch remove` (SPEC.md section 8),
 * the feeds of the config changed from the command line.
 *
 * `add URL` fetches URL as a poll would (the transfer engine, the
 * [daemon] user agent, timeout and max-size).  A feed is added as it is
 * (at the URL it moved to for good, if it did).  A web page has its feed
 * links discovered (discover.h) and listed; the first of them that is a
 * feed is added, or the one picked by number, or all that are feeds:
 * each is fetched and parsed before it is written, so nothing that is not
 * a feed reaches the config.  A link that is not an http or https URL
 * (javascript:, file:, data: ...) is reported and never fetched.  A URL
 * the config has already is said to be there and not added again.  The
 * sections are appended through the config writer (confwrite.h) and
 * named after the feed's title, like an OPML import's, unless --name.
 *
 * `remove NAME` takes the [feed NAME] section out of the config file
 * through the same writer (config_text_without), the rest kept byte for
 * byte.  It refuses while a topic names the feed in its feeds (or takes
 * them from a tag only that feed has), naming the topic's line: the
 * config would not load, and dropping the name for the user could leave
 * the topic with no feeds, which means every feed.
 * The feed's state stays in the store (its items are pruned after
 * `keep`), so a feed removed and added again does not alert again.
 *
 * Both exit 0 when the config is as asked (a URL already there counts),
 * 1 when a fetch, a write or a refusal stops them (with --all: when a
 * link was not a feed, after the others are added), 2 on a usage or
 * config error.
 */
#ifndef FEEDWATCH_SUBSCRIBE_H
#define FEEDWATCH_SUBSCRIBE_H

int	cmd_add(int argc, char **argv);
int	cmd_remove(int argc, char **argv);

#endif
