/*
 * storyset.h: the labelled set of tests/data/stories/, and how well the
 * story signatures (story.h) tell its stories apart.  Shared by the
 * story suite (tests/check_story.c), which holds the scores to a floor,
 * and bench/bench_story.c, which prints them.
 *
 * Each *.jsonl file of the directory holds items, one JSON object a
 * line, as `feedwatch parse` prints them (feed, id, title, link,
 * published, summary) with a label: "story", the same for every copy of
 * one story, and for a story written to resemble another (the same
 * people and places, another event), "near": that story's label.
 *
 * Scores are pairwise: every pair of items is either the same story
 * (same label) or not, and either folded or not.  Precision is the share
 * of folded pairs that are the same story, recall the share of
 * same-story pairs that are folded.  A pair is folded either when
 * story_same() says so, or when the daemon's way of folding puts both
 * items in one story: oldest first, each item joins the story of the
 * closest earlier item of another feed that story_same() takes (its
 * alert's also_in), else starts one.  The second is what the user gets: a copy that shares
 * one paragraph with another copy, and its whole lede with the wire
 * original, joins that story by way of the original.  The whole set is
 * folded as if it came in one window, so that a story and its follow-up
 * a month later are kept apart by their text, not by the time between.
 */
#ifndef FEEDWATCH_STORYSET_H
#define FEEDWATCH_STORYSET_H

#include <stddef.h>

#include "story.h"

struct storyset_item {
	char		*story;
	char		*near;		/* NULL: written to resemble none */
	char		*feed;
	char		*title;
	char		*summary;
	char		*published;	/* as written: RFC 3339, UTC */
	int		 has_sig;	/* sig is filled */
	struct story_sig sig;
};

struct storyset {
	struct storyset_item *v;
	size_t		 n;
};

struct storyset_score {
	long		 same;		/* same-story pairs */
	long		 folded;	/* pairs story_same() folds */
	long		 right;		/* of them, same-story pairs */
	long		 near;		/* pairs of a story and its near miss */
	long		 near_folded;	/* of them, folded */
	double		 precision;	/* right / folded (1 if none folded) */
	double		 recall;	/* right / same */
};

/*
 * Loads every *.jsonl file of 'dir' (in name order) into 's'.  -1 with
 * a message "FILE:LINE: what" in 'err' on a bad line.
 */
int	 storyset_load(struct storyset *s, const char *dir, char *err,
	    size_t errlen);
void	 storyset_release(struct storyset *s);

/* Signs every item with 'sg'. */
void	 storyset_sign(struct storyset *s, struct story_signer *sg);

/* Scores story_same() at 'threshold' on every pair of the signed set. */
void	 storyset_score_pairs(const struct storyset *s, double threshold,
	    struct storyset_score *sc);
/* Folds the signed set as the daemon does, and scores the stories made. */
void	 storyset_score_folded(const struct storyset *s, double threshold,
	    struct storyset_score *sc);

#endif
