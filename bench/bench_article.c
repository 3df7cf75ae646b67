/*
 * bench_article.c: the article extractor beside bare libxml2, for
 * bench_article.sh.
 *
 *   bench_article REPS RUNS FILE...
 *
 * The files are read once into memory.  Each measurement goes over all
 * of them REPS times, pushing 64 KiB at a time (as if streamed from the
 * network); the best of RUNS is kept.  Three measurements of the same
 * bytes:
 *
 *   article    article_new/push/finish: libxml2's HTML push parser in SAX
 *              mode plus all of the extraction (scoring, text, title)
 *   sax        libxml2's HTML push parser with no callbacks: the floor
 *   tree       libxml2's HTML push parser building its tree, as an
 *              extractor on the DOM would start
 *
 * Prints one line:
 *
 *   files=N bytes=N article_mb_s=X sax_mb_s=X tree_mb_s=X
 *   article_vs_sax=X article_vs_tree=X failed=N maxrss_kb=N
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "article.h"

#define PUSH	(64 * 1024)

struct page {
	char	*buf;
	size_t	 len;
};

static void
on_error(void *ctx, xmlErrorPtr e)
{
}

static double
now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Extracts every page; returns how many failed. */
static size_t
run_article(const struct page *p, int n)
{
	struct article	*a;
	size_t		 off, k, failed = 0;
	int		 i;

	for (i = 0; i < n; i++) {
		a = article_new(NULL, NULL, 0, 0);
		for (off = 0; off < p[i].len; off += k) {
			k = p[i].len - off < PUSH ? p[i].len - off : PUSH;
			if (article_push(a, p[i].buf + off, k) == -1)
				break;
		}
		failed += article_finish(a) == -1;
		article_free(a);
	}
	return failed;
}

/* Parses every page with libxml2 alone, building a tree or not. */
static void
run_libxml2(const struct page *p, int n, int tree)
{
	htmlSAXHandler		 sax;
	htmlParserCtxtPtr	 c;
	size_t			 off, k;
	int			 i;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.serror = on_error;
	for (i = 0; i < n; i++) {
		c = htmlCreatePushParserCtxt(tree ? NULL : &sax, NULL, NULL, 0,
		    NULL, XML_CHAR_ENCODING_NONE);
		if (c == NULL) {
			fprintf(stderr, "bench_article: no parser context\n");
			exit(1);
		}
		htmlCtxtUseOptions(c, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
		    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
		for (off = 0; off < p[i].len; off += k) {
			k = p[i].len - off < PUSH ? p[i].len - off : PUSH;
			(void)htmlParseChunk(c, p[i].buf + off, (int)k, 0);
		}
		(void)htmlParseChunk(c, NULL, 0, 1);
		if (c->myDoc != NULL)
			xmlFreeDoc(c->myDoc);
		htmlFreeParserCtxt(c);
	}
}

/* The best time of 'runs' measurements of 'reps' passes. */
static double
best(int what, const struct page *p, int n, int reps, int runs,
    size_t *failed)
{
	double	 t, b = 0;
	int	 r, k;

	for (r = 0; r < runs; r++) {
		t = now();
		for (k = 0; k < reps; k++) {
			if (what == 0)
				*failed = run_article(p, n);
			else
				run_libxml2(p, n, what == 2);
		}
		t = now() - t;
		if (r == 0 || t < b)
			b = t;
	}
	return b;
}

int
main(int argc, char **argv)
{
	struct page	*p;
	struct rusage	 ru;
	FILE		*f;
	size_t		 bytes = 0, failed = 0;
	double		 ta, ts, tt, mb;
	int		 reps, runs, n, i;

	if (argc < 4 || (reps = atoi(argv[1])) < 1 ||
	    (runs = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: bench_article REPS RUNS FILE...\n");
		return 2;
	}
	n = argc - 3;
	if ((p = calloc((size_t)n, sizeof(*p))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		if ((f = fopen(argv[i + 3], "rb")) == NULL ||
		    fseek(f, 0, SEEK_END) == -1 ||
		    (p[i].len = (size_t)ftell(f)) == (size_t)-1 ||
		    fseek(f, 0, SEEK_SET) == -1 ||
		    (p[i].buf = malloc(p[i].len + 1)) == NULL ||
		    fread(p[i].buf, 1, p[i].len, f) != p[i].len) {
			perror(argv[i + 3]);
			return 1;
		}
		fclose(f);
		bytes += p[i].len;
	}
	xmlInitParser();
	ta = best(0, p, n, reps, runs, &failed);
	ts = best(1, p, n, reps, runs, &failed);
	tt = best(2, p, n, reps, runs, &failed);
	mb = (double)bytes * reps / 1e6;
	getrusage(RUSAGE_SELF, &ru);
	printf("files=%d bytes=%zu article_mb_s=%.1f sax_mb_s=%.1f "
	    "tree_mb_s=%.1f article_vs_sax=%.2f article_vs_tree=%.2f "
	    "failed=%zu maxrss_kb=%ld\n", n, bytes * (size_t)reps, mb / ta,
	    mb / ts, mb / tt, ts / ta, tt / ta, failed, ru.ru_maxrss);
	for (i = 0; i < n; i++)
		free(p[i].buf);
	free(p);
	return failed > 0;
}
