/*
 * bench_story.c: how well story signatures tell stories apart, on the
 * labelled set of tests/data/stories/ (tests/storyset.h), for
 * bench_story.sh.
 *
 *   bench_story DIR [K...]
 *
 * For each shingle size K (default: 3 4 5 6), prints per threshold the
 * pairwise precision and recall of story_same() alone and of the
 * daemon's folding (storyset.h says how they differ), and how many pairs
 * of a story and its near miss were folded.  The row of the default
 * threshold (and K) is marked '*'.  Then the LSH layout: the chance that
 * a pair of Jaccard similarity J shares a band key.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "story.h"
#include "storyset.h"

static void
curve(struct storyset *s, unsigned k)
{
	struct story_signer	*sg;
	struct storyset_score	 p, f;
	size_t			 i, nosig = 0;
	int			 t;

	sg = story_signer_new(k);
	storyset_sign(s, sg);
	story_signer_free(sg);
	for (i = 0; i < s->n; i++)
		nosig += !s->v[i].has_sig;
	printf("\nshingles of %u words%s (%zu items too short to sign)\n", k,
	    k == STORY_SHINGLE ? " (STORY_SHINGLE)" : "", nosig);
	printf("  %-9s  %-24s  %-24s  %s\n", "", "story_same() per pair",
	    "folded as the daemon does", "near misses");
	printf("  %-9s  %9s %9s %4s  %9s %9s %4s  %s\n", "threshold",
	    "precision", "recall", "", "precision", "recall", "", "folded");
	for (t = 20; t <= 80; t += 5) {
		storyset_score_pairs(s, t / 100.0, &p);
		storyset_score_folded(s, t / 100.0, &f);
		printf("  %c %.2f     %9.4f %9.4f %4s  %9.4f %9.4f %4s  "
		    "%ld/%ld\n", k == STORY_SHINGLE &&
		    fabs(t / 100.0 - STORY_THRESHOLD) < 1e-9 ? '*' : ' ',
		    t / 100.0, p.precision, p.recall, "", f.precision, f.recall,
		    "", f.near_folded, f.near);
	}
}

int
main(int argc, char **argv)
{
	struct storyset	 s;
	struct storyset_score sc;
	char		 err[512];
	const double	 js[] = { 0.1, 0.2, 0.3, 0.5, 0.7 };
	size_t		 i;
	unsigned	 ks[] = { 3, 4, 5, 6 };
	int		 a;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_story DIR [K...]\n");
		return 2;
	}
	if (storyset_load(&s, argv[1], err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_story: %s\n", err);
		return 1;
	}
	storyset_score_pairs(&s, 1, &sc);
	printf("story set %s: %zu items, %ld same-story pairs, %ld pairs of a "
	    "story and its near miss\n", argv[1], s.n, sc.same, sc.near);
	printf("signature: %d bins, LSH %d bands of %d; threshold %.2f\n",
	    STORY_HASHES, STORY_BANDS, STORY_ROWS, STORY_THRESHOLD);
	printf("chance that a pair shares a band key:");
	for (i = 0; i < sizeof(js) / sizeof(js[0]); i++)
		printf("  J=%.1f %.3f", js[i], 1 - pow(1 - pow(js[i],
		    STORY_ROWS), STORY_BANDS));
	printf("\n");
	if (argc > 2)
		for (a = 2; a < argc; a++)
			curve(&s, (unsigned)atoi(argv[a]));
	else
		for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
			curve(&s, ks[i]);
	storyset_release(&s);
	return 0;
}
