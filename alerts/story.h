/*
 * story.h: story identity, what makes two items one story for cross-feed
 * dedup (SPEC.md section 6).
 *
 * An item's identity (its guid or id) belongs to its feed: the same
 * article syndicated to two feeds, or the same news under the same
 * headline in two outlets, comes as two items.  Two kinds of identity
 * find them.
 *
 * Story keys are strings that such items share and unrelated items almost
 * never do.  An item has up to STORY_NKEYS of them, each with a prefix
 * that keeps kinds apart:
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
 * A signature finds the copies that keep neither: the same wire story
 * under another headline, with a dateline added or dropped, boilerplate,
 * its last paragraphs trimmed (down to a teaser of its lede), its lede
 * rewritten, its quotes and numbers written another way.  It is a
 * MinHash sketch of the set of shingles, runs of STORY_SHINGLE
 * consecutive words, of the item's title and of its text (the summary;
 * whatever text the caller has), the words being storytext.h's (folded,
 * dateline and boilerplate dropped, numbers in one spelling):
 * one-permutation hashing with optimal densification, one hash per
 * shingle into STORY_HASHES bins, and the size of the set.
 *
 * story_similarity() estimates the share of the smaller set that the
 * other has (the overlap, not the Jaccard similarity, so that a trimmed
 * copy or a teaser is close to the whole story), and two items are the
 * same story when it reaches a threshold: STORY_THRESHOLD by default,
 * [daemon] same-story-threshold.  Shingles of five words keep apart
 * what is written from one template (this month's inflation figure and
 * last month's, two calls of one president) and still find copies that
 * share a paragraph; tests/data/stories/ and bench/bench_story.sh show
 * the curve that chose these numbers.  Folded as the daemon folds, 0.45
 * keeps every near miss apart and folds 0.96 of same-story pairs, and
 * every pair story_same() takes there is one story; 0.40 folds 0.98 but
 * 0.35 already folds near misses, and a false fold hides a story where a
 * missed one only repeats it, so the default keeps a step of margin on
 * that side; 0.50 drops below 0.95.  Shingles of 3 words fold near misses
 * up to 0.55, of 4 words below 0.45, of 6 fold fewer copies.  128 bins
 * estimate J within about 0.04 (one standard error at J = 0.5) for 516
 * bytes a story.
 *
 * To find candidates without comparing with every story, a signature's
 * bins are cut into STORY_BANDS bands of STORY_ROWS (LSH): two signatures
 * that agree on every bin of one band share that band's key, so a story
 * is looked up by its band keys and only the stories found are compared.
 * A pair of Jaccard similarity J shares a band with probability
 * 1 - (1 - J^STORY_ROWS)^STORY_BANDS: with bands of one bin, 0.81 at
 * J = 0.1, 0.97 at 0.2, 0.997 at 0.3, so that a teaser of a fifth of its
 * story is found; the lookup is a few index reads, and the threshold,
 * not the bands, decides.
 *
 * A topic alerts once per story: the first item to match claims its keys,
 * and its band keys and signature, for the topic in the state store
 * (store_story_claim), and a later item with any of the same keys, or a
 * signature close enough to one claimed within [daemon] same-story, is
 * not alerted again but named in the alert's also_in.  Keys and band keys
 * are stored, so changing how they are made changes which stored stories
 * a new item meets.
 *
 * Story keys are pure functions of the item.  A signer (struct
 * story_signer) holds the folding caches and buffers for signatures: one
 * per thread.
 */
#ifndef FEEDWATCH_STORY_H
#define FEEDWATCH_STORY_H

#include <stddef.h>
#include <stdint.h>

struct feed_item;

#define STORY_NKEYS	2	/* link, title */

#define STORY_SHINGLE		5	/* words in a shingle */
#define STORY_HASHES		128	/* bins of a signature */
#define STORY_BANDS		16	/* LSH bands... */
#define STORY_ROWS		1	/* ...of this many bins */
#define STORY_MIN_SHINGLES	8	/* fewer: no signature */
#define STORY_THRESHOLD		0.45	/* same story from this similarity */
#define STORY_SIG_BYTES		(4 * (STORY_HASHES + 1))	/* packed */

struct story_sig {
	uint32_t	 v[STORY_HASHES];
	uint32_t	 shingles;	/* the size of the set */
};

struct story_signer;

/*
 * Fills keys[0..STORY_NKEYS) with the story keys of 'it', each allocated,
 * or NULL where it has none (no link with a scheme, a title too short or
 * not UTF-8).  Free them with story_keys_clear().
 */
void	 story_keys(const struct feed_item *it, char *keys[STORY_NKEYS]);
void	 story_keys_clear(char *keys[STORY_NKEYS]);

/* A signer making shingles of 'shingle' words (STORY_SHINGLE). */
struct story_signer *story_signer_new(unsigned shingle);
void	 story_signer_free(struct story_signer *sg);

/*
 * The signature of a story of 'title' and 'text' (either may be NULL; any
 * bytes), in 'sig'.  Returns 1, or 0 (and 'sig' is not filled) when they
 * have fewer than STORY_MIN_SHINGLES shingles: too little to tell a
 * story from another.
 */
int	 story_sign(struct story_signer *sg, const char *title,
	    const char *text, struct story_sig *sig);

/*
 * The estimated share of the smaller story's shingles that the other
 * has, from 0 to 1.
 */
double	 story_similarity(const struct story_sig *a,
	    const struct story_sig *b);

/*
 * 'sig' as STORY_SIG_BYTES bytes, the same on every machine, to store;
 * and back (0, or -1 if 'len' is not STORY_SIG_BYTES).
 */
void	 story_sig_pack(const struct story_sig *sig,
	    unsigned char out[STORY_SIG_BYTES]);
int	 story_sig_unpack(const void *p, size_t len, struct story_sig *sig);

/* The LSH band keys of 'sig', one per band. */
void	 story_bands(const struct story_sig *sig,
	    int64_t bands[STORY_BANDS]);

/*
 * 1 if 'a' and 'b' are the same story at 'threshold': they share a band
 * key (so a lookup by band keys finds one from the other) and their
 * similarity reaches 'threshold'.
 */
int	 story_same(const struct story_sig *a, const struct story_sig *b,
	    double threshold);

#endif
