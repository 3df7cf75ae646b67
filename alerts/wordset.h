/*
 * wordset.h: the literal terms of every topic (words, phrases, their
 * stemmed and transliterated forms, prefixes, fuzzy words), found in a
 * text in one pass whatever their number.
 *
 * How a text is scanned, and why it costs about the same for 10 topics
 * as for 100,000:
 *
 *   1. The text is cut into folded words once (norm.h).
 *   2. Each word is looked up once in one hash dictionary of every word of
 *      every pattern, behind a bloom filter: unknown words (nearly all of
 *      them) cost one load from the filter, 2 bytes a pattern word, which
 *      stays in the CPU's caches.
 *   3. The word ids drive one Aho-Corasick automaton over words, built
 *      from every word sequence added, so phrases of any length are found
 *      in the same pass.  Stemmed and transliterated variants live in the
 *      same automaton under their own namespace, with one cursor per
 *      namespace in use.
 *   4. Prefixes are looked up by hashing each word's leading bytes for
 *      each distinct prefix length in use; fuzzy words through fuzzy.h;
 *      both, and the stem/translit keys, are cached per distinct word, so
 *      frequent words cost a cache probe.  Nothing scans the text per
 *      pattern.
 *
 * Build: wordset_new(), then wordset_add_words(), wordset_add_prefix()
 * and wordset_add_fuzzy() in any order, then wordset_compile() once.
 * Each add returns pattern ids: they count from 0 in the order patterns
 * are made, and adding the same thing again returns the same id.  Use:
 * wordset_scan() over any number of texts.  A wordset is not
 * thread-safe; it borrows the norm given to wordset_new() for its life
 * and owns copies of everything else.
 */
#ifndef FEEDWATCH_WORDSET_H
#define FEEDWATCH_WORDSET_H

#include <stddef.h>
#include <stdint.h>

struct norm;
struct wordset;

/* One occurrence of a pattern in a scanned text. */
struct wordset_hit {
	int32_t		 pat;		/* pattern id */
	uint32_t	 pos;		/* first word (norm.h positions) */
	uint32_t	 endpos;	/* last word */
	uint32_t	 start;		/* byte range in the text */
	uint32_t	 end;
};

/* Data passed is valid during the call only. */
typedef void wordset_hit_cb(const struct wordset_hit *h, void *arg);

struct wordset	*wordset_new(struct norm *n);
void		 wordset_free(struct wordset *ws);

/*
 * The patterns of the folded words w[0..n) in a row (at most
 * QUERY_MAX_PHRASE), as a topic with Snowball stemmers stems[0..nstems)
 * (norm_stemmer() indexes) and 'translit' sees them: the words, their
 * stems, their transliteration keys.  Appends the ids to *pats, which
 * holds *npats of them and grows.
 */
void		 wordset_add_words(struct wordset *ws, char *const *w, int n,
		    const int *stems, size_t nstems, int translit,
		    int32_t **pats, size_t *npats);

/* The pattern of the words that start with the folded word 'w'. */
int32_t		 wordset_add_prefix(struct wordset *ws, const char *w);

/* The pattern of the words within 'dist' (1 or 2) edits of 'w'. */
int32_t		 wordset_add_fuzzy(struct wordset *ws, const char *w,
		    int dist);

/* Builds the automaton and the caches; nothing may be added after. */
void		 wordset_compile(struct wordset *ws);

/*
 * Calls 'cb' for every occurrence of every pattern in s[0..len), in the
 * order the text is read: a phrase when its last word is read.
 */
void		 wordset_scan(struct wordset *ws, const char *s, size_t len,
		    wordset_hit_cb *cb, void *arg);

#endif
