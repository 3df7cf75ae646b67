/*
 * fuzzy.h: the fuzzy terms of every topic (Mueller~, Mueller~2), found
 * without comparing a word to each of them.
 *
 * Symmetric deletion: each indexed word is stored under every string
 * made by deleting up to its distance of code points from it (about
 * n + n^2 / 2 strings for a word of n code points at distance 2).  A
 * word of a text is looked up under its own deletions, up to the largest
 * distance indexed, and each candidate met is confirmed with the optimal
 * string alignment distance (Levenshtein plus adjacent transpositions,
 * "Muleler" ~ "Mueller" at 1).  So a lookup costs about the same for
 * one fuzzy term as for 10,000.  Words are compared as code points,
 * folded first by the caller (norm.h); a text's word of more than 64
 * code points is never looked up.
 *
 * Build with fuzzy_new() and fuzzy_add(); then look up with
 * fuzzy_find(), any number of times.  Not thread-safe; owns copies of
 * what it is given.
 */
#ifndef FEEDWATCH_FUZZY_H
#define FEEDWATCH_FUZZY_H

#include <stddef.h>
#include <stdint.h>

struct fuzzy;

/* A growable list of ids, owned by the caller: fuzzy_find() appends. */
struct fuzzy_ids {
	int32_t		*v;
	size_t		 n;
	size_t		 cap;
};

struct fuzzy	*fuzzy_new(void);
void		 fuzzy_free(struct fuzzy *fz);

/*
 * Indexes the folded word 'w' under 'id' (the caller's: fuzzy_find()
 * returns it), for edit distance 'dist' (1 or 2).  Add each (w, dist)
 * once.
 */
void		 fuzzy_add(struct fuzzy *fz, int32_t id, const char *w,
		    int dist);

/* 1 if nothing was added. */
int		 fuzzy_empty(const struct fuzzy *fz);

/*
 * Appends to 'out' the id of each indexed word within its distance of
 * the folded word w[0..len), each once; returns how many it appended.
 */
size_t		 fuzzy_find(struct fuzzy *fz, const char *w, size_t len,
		    struct fuzzy_ids *out);

#endif
