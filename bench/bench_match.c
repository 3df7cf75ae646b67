/*
 * bench_match.c: the matcher alone over a text corpus, for bench_match.sh.
 *
 *   bench_match [-p] TERMS CORPUS
 *
 * Every line of TERMS becomes one topic whose query is that line as a
 * phrase ("Robert Mueller"), which is what `grep -F -i -w -f TERMS` looks
 * for.  Every line of CORPUS is one item (its summary), read with
 * getline() and matched as it comes; the timing covers reading and
 * matching, not the compile.  Prints one line:
 *
 *   topics=N compile_s=X items=N bytes=N match_s=X mb_s=X items_s=X
 *   matched_items=N matches=N maxrss_kb=N
 *
 * matched_items counts the lines with at least one match, comparable to
 * grep -c.  With -p the query is the line as written (any query syntax).
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "item.h"
#include "match.h"
#include "xmalloc.h"

struct counts {
	long	matches;
	int	hit;
};

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
count_cb(const struct match *m, void *arg)
{
	struct counts	*c = arg;

	c->matches++;
	c->hit = 1;
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	*len = 0;
	for (;;) {
		if (*len + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = fread(buf + *len, 1, 65536, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

int
main(int argc, char **argv)
{
	struct matcher	*m;
	struct feed_item it;
	struct counts	 c;
	struct rusage	 ru;
	FILE		*f;
	char		*terms, *line, *next, *q, name[32], err[512];
	size_t		 tlen, clen = 0, cap = 0;
	ssize_t		 n;
	long		 ntopics = 0, items = 0, matched = 0, matches = 0;
	double		 t0, t1, t2;
	int		 raw = 0, ch;

	while ((ch = getopt(argc, argv, "p")) != -1) {
		if (ch != 'p') {
			fprintf(stderr, "usage: bench_match [-p] TERMS CORPUS\n");
			return 2;
		}
		raw = 1;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: bench_match [-p] TERMS CORPUS\n");
		return 2;
	}
	terms = slurp(argv[optind], &tlen);
	if ((f = fopen(argv[optind + 1], "r")) == NULL) {
		perror(argv[optind + 1]);
		return 1;
	}

	t0 = now();
	m = matcher_new();
	for (line = terms; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '\0')
			continue;
		snprintf(name, sizeof(name), "t%ld", ntopics);
		q = raw ? xstrdup(line) : xasprintf("\"%s\"", line);
		if (matcher_add_topic(m, name, q, NULL, err, sizeof(err)) == -1) {
			fprintf(stderr, "topic %s: %s\n", line, err);
			return 1;
		}
		free(q);
		ntopics++;
	}
	if (matcher_compile(m, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t1 = now();

	/* stream the corpus through one reused buffer, as grep does */
	line = NULL;
	memset(&it, 0, sizeof(it));
	it.id = "bench";
	while ((n = getline(&line, &cap, f)) > 0) {
		clen += (size_t)n;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		it.summary = line;
		c.matches = 0;
		c.hit = 0;
		matcher_match(m, &it, NULL, count_cb, &c);
		items++;
		matched += c.hit;
		matches += c.matches;
	}
	t2 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("topics=%ld compile_s=%.3f items=%ld bytes=%zu match_s=%.3f "
	    "mb_s=%.1f items_s=%.0f matched_items=%ld matches=%ld "
	    "maxrss_kb=%ld\n", ntopics, t1 - t0, items, clen, t2 - t1,
	    clen / 1e6 / (t2 - t1), items / (t2 - t1), matched, matches,
	    ru.ru_maxrss);
	matcher_free(m);
	free(terms);
	free(line);
	fclose(f);
	return 0;
}
