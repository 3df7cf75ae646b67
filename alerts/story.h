/*
 * story.h: story keys, what makes two items one story for cross-feed
 * dedup (SPEC.md section 6).
 *
 * An item's identity (its guid or id) belongs to its feed: the same
 * article syndicated to two feeds, or the same news under the same
 * headline in two outlets, comes as two items.  A story key is a string
 * that such items share and unrelated items almost never do.  An item has
 * up to STORY_NKEYS of them, each with a prefix that keeps kinds apart:
 *
 *   link:HOST/PATH?A=1?B=2
 *       its link without scheme, "www.", fragment, utm_* / fbclid / gclid
 *       parameters and trailing slashes; the host in lower case, and each
 *       parameter kept after a '?'
 *   title:WORD WORD ...
 *       the words of its title, case folded and accents dropped (NFKD,
 *       marks skipped), joined by one space; only with five words or
 *       more, since "Update" or "Live" would join unrelated stories
 *
 * A topic alerts once per story: the first item to match claims its keys
 * for the topic in the state store (store_story_claim), and a later item
 * with any of the same keys is not alerted again but named in the
 * alert's also_in.  The keys are stored, so changing how they are made
 * changes which stored stories a new item meets.
 *
 * Pure functions of the item's text: no state, no I/O.
 */
#ifndef FEEDWATCH_STORY_H
#define FEEDWATCH_STORY_H

struct feed_item;

#define STORY_NKEYS	2	/* link, title */

/*
 * Fills keys[0..STORY_NKEYS) with the story keys of 'it', each allocated,
 * or NULL where it has none (no link with a scheme, a title too short or
 * not UTF-8).  Free them with story_keys_clear().
 */
void	 story_keys(const struct feed_item *it, char *keys[STORY_NKEYS]);
void	 story_keys_clear(char *keys[STORY_NKEYS]);

#endif
