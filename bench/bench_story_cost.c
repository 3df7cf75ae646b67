/*
 * bench_story_cost.c: what same-story folding costs per item, for
 * bench_story.sh.
 *
 *   bench_story_cost DIR FILE...
 *
 * Parses the feed FILEs (untimed) and then, over their items:
 *
 *   sign     story_sign() of each item's title and summary, as the poll
 *            path does for an item that matched (best of 3 passes);
 *   claim    storyclaim_claim() of each item for one topic into a new
 *            state store in DIR, committed every 100 items as the daemon
 *            groups its writes: once with [daemon] same-story off (the
 *            story keys alone), once on (keys, band lookup, signature
 *            and band keys stored);
 *   bytes    the state file's growth per story with same-story on, over
 *            the one with it off: what a story costs while in the window.
 *
 * Prints one line:
 *
 *   items=N sign_us=X claim_keys_us=X claim_near_us=X near_bytes=N
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "item.h"
#include "parser.h"
#include "store.h"
#include "story.h"
#include "storyclaim.h"
#include "xmalloc.h"

struct items {
	struct feed_item	**v;
	size_t			 n;
};

static int
keep(const struct feed_item *it, void *arg)
{
	struct items	*items = arg;

	items->v = xreallocarray(items->v, items->n + 1, sizeof(*items->v));
	items->v[items->n++] = feed_item_dup(it);
	return 0;
}

static double
now_us(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int
parse(const char *path, struct items *items)
{
	struct feed_parser	*p;
	static char		 buf[65536];
	ssize_t			 n;
	int			 fd, rc;

	if ((fd = open(path, O_RDONLY)) == -1) {
		perror(path);
		return -1;
	}
	p = feed_parser_new(path, NULL, keep, items);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (feed_parser_push(p, buf, (size_t)n) == -1)
			break;
	rc = feed_parser_finish(p);
	feed_parser_free(p);
	close(fd);
	return rc;
}

/* Claims every item into a new store at 'path': microseconds per item. */
static double
claim_all(const struct items *items, const char *path, long same_story,
    struct story_signer *sg)
{
	struct config_daemon	 cf;
	struct storyclaim	 c;
	struct store		*st;
	char			 id[33];
	double			 t0, t1;
	size_t			 i;

	memset(&cf, 0, sizeof(cf));
	cf.same_story = same_story;
	cf.same_story_threshold = STORY_THRESHOLD;
	if ((st = store_open(path, STORE_WRITE)) == NULL)
		exit(1);
	t0 = now_us();
	for (i = 0; i < items->n; i++) {
		snprintf(id, sizeof(id), "%032zx", i);
		storyclaim_init(&c, items->v[i], sg, &cf);
		if (storyclaim_claim(&c, st, "topic", "feed", id,
		    1700000000 + (time_t)i) == -1)
			exit(1);
		storyclaim_release(&c);
		if (i % 100 == 99 && store_flush(st) == -1)
			exit(1);
	}
	if (store_flush(st) == -1)
		exit(1);
	t1 = now_us();
	store_close(st);
	return (t1 - t0) / items->n;
}

static long
file_size(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

int
main(int argc, char **argv)
{
	struct items		 items = { NULL, 0 };
	struct story_signer	*sg;
	struct story_sig	 sig;
	char			*keys_db, *near_db;
	double			 t0, best = -1, keys_us, near_us;
	size_t			 i;
	int			 a, pass;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_story_cost DIR FILE...\n");
		return 2;
	}
	feed_parser_global_init();
	for (a = 2; a < argc; a++)
		parse(argv[a], &items);
	if (items.n == 0) {
		fprintf(stderr, "bench_story_cost: no items\n");
		return 1;
	}
	sg = story_signer_new(STORY_SHINGLE);
	for (pass = 0; pass < 3; pass++) {
		t0 = now_us();
		for (i = 0; i < items.n; i++)
			story_sign(sg, items.v[i]->title, items.v[i]->summary,
			    &sig);
		t0 = (now_us() - t0) / items.n;
		if (best < 0 || t0 < best)
			best = t0;
	}
	keys_db = xasprintf("%s/keys.db", argv[1]);
	near_db = xasprintf("%s/near.db", argv[1]);
	keys_us = claim_all(&items, keys_db, 0, sg);
	near_us = claim_all(&items, near_db, 48 * 3600, sg);
	printf("items=%zu sign_us=%.2f claim_keys_us=%.2f claim_near_us=%.2f "
	    "near_bytes=%ld\n", items.n, best, keys_us, near_us,
	    (file_size(near_db) - file_size(keys_db)) / (long)items.n);
	story_signer_free(sg);
	for (i = 0; i < items.n; i++)
		feed_item_free(items.v[i]);
	free(items.v);
	free(keys_db);
	free(near_db);
	return 0;
}
