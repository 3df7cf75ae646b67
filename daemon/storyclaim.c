/* storyclaim.c: an item's story claimed per topic (storyclaim.h). */
#include "storyclaim.h"

#include <string.h>

#include "config.h"
#include "duration.h"
#include "item.h"
#include "store.h"

void
storyclaim_init(struct storyclaim *c, const struct feed_item *it,
    struct story_signer *signer, const struct config_daemon *cf)
{
	memset(c, 0, sizeof(*c));
	c->item = it;
	c->signer = signer;
	c->cf = cf;
}

void
storyclaim_release(struct storyclaim *c)
{
	story_keys_clear(c->keys);
}

/* How close a stored signature is: its similarity, or -1: another story. */
static double
same_story(const void *sig, size_t len, void *arg)
{
	struct storyclaim	*c = arg;
	struct story_sig	 other;
	double			 sim;

	if (story_sig_unpack(sig, len, &other) == -1)
		return -1;
	sim = story_similarity(&c->sig, &other);
	return sim >= c->cf->same_story_threshold ? sim : -1;
}

int
storyclaim_claim(struct storyclaim *c, struct store *st, const char *topic,
    const char *feed, const char *alert_id, time_t now)
{
	struct store_near	 near;

	if (!c->made) {
		story_keys(c->item, c->keys);
		c->sign = c->cf->same_story > 0 && story_sign(c->signer,
		    c->item->title, c->item->summary, &c->sig);
		if (c->sign) {
			story_sig_pack(&c->sig, c->packed);
			story_bands(&c->sig, c->bands);
		}
		c->made = 1;
	}
	memset(&near, 0, sizeof(near));
	near.bands = c->bands;
	near.nbands = STORY_BANDS;
	near.sig = c->packed;
	near.siglen = sizeof(c->packed);
	near.since = duration_after(now, -c->cf->same_story);
	near.same = same_story;
	near.arg = c;
	return store_story_claim(st, topic, (const char *const *)c->keys,
	    STORY_NKEYS, c->sign ? &near : NULL, feed, alert_id, now);
}
