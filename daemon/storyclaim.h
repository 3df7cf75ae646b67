/*
 * storyclaim.h: an item's story claimed for each topic it alerts (the
 * poll path, and `backtest`, which works the same out in a store of its
 * own).
 *
 * A story is claimed by its keys (story_keys) and, with [daemon]
 * same-story on, by its signature (story_sign), which finds the copies
 * claimed within that window whose similarity reaches
 * same-story-threshold.  Both are made once per item, on its first
 * claim, and serve every topic it matches.
 *
 * A struct storyclaim is embedded in the caller, borrows the item, the
 * signer and the config for its life, and is released with
 * storyclaim_release().
 */
#ifndef FEEDWATCH_STORYCLAIM_H
#define FEEDWATCH_STORYCLAIM_H

#include <stdint.h>
#include <time.h>

#include "story.h"

struct config_daemon;
struct feed_item;
struct store;

struct storyclaim {
	const struct feed_item	*item;
	struct story_signer	*signer;
	const struct config_daemon *cf;
	int			 made;		/* keys (and signature) made */
	char			*keys[STORY_NKEYS];
	int			 sign;		/* the signature below is made */
	struct story_sig	 sig;
	unsigned char		 packed[STORY_SIG_BYTES];
	int64_t			 bands[STORY_BANDS];
};

void	 storyclaim_init(struct storyclaim *c, const struct feed_item *it,
	    struct story_signer *signer, const struct config_daemon *cf);
void	 storyclaim_release(struct storyclaim *c);

/*
 * store_story_claim() of the item's story for 'topic', with 'alert_id'
 * and 'feed', at 'now': 1 if the topic has not alerted it, 0 if it has
 * (the feed joins that alert's also_in), -1 on error.
 */
int	 storyclaim_claim(struct storyclaim *c, struct store *st,
	    const char *topic, const char *feed, const char *alert_id,
	    time_t now);

#endif
