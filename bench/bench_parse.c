/*
 * bench_parse.c: the feed parser alone, for bench_parse.sh.
 *
 *   bench_parse FILE...        (FILE may be - for stdin)
 *
 * Each file is read in 64 KiB chunks (as if streamed from the network)
 * into its own parser, which does all of its work per item: HTML to
 * text, dates, identity, UTF-8 repair.  The callback only counts, so the
 * time is the parser's, not an encoder's (`feedwatch parse` adds the JSON
 * output on top).  Prints one line:
 *
 *   files=N items=N bytes=N errors=N parse_s=X mb_s=X items_s=X maxrss_kb=N
 */
#include <sys/resource.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "item.h"
#include "parser.h"

static int
count(const struct feed_item *it, void *arg)
{
	/* touch what a consumer reads */
	*(size_t *)arg += 1 + (it->summary != NULL) + (it->title != NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	struct feed_parser	*p;
	struct timespec		 t0, t1;
	struct rusage		 ru;
	static char		 buf[65536];
	size_t			 items = 0, touched = 0, bytes = 0, errors = 0;
	ssize_t			 n;
	double			 s;
	int			 i, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_parse FILE...\n");
		return 2;
	}
	feed_parser_global_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i < argc; i++) {
		fd = strcmp(argv[i], "-") == 0 ? STDIN_FILENO :
		    open(argv[i], O_RDONLY);
		if (fd == -1) {
			perror(argv[i]);
			return 1;
		}
		p = feed_parser_new(argv[i], NULL, count, &touched);
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			bytes += (size_t)n;
			if (feed_parser_push(p, buf, (size_t)n) == -1)
				break;
		}
		if (feed_parser_finish(p) == -1)
			errors++;
		items += feed_parser_count(p);
		feed_parser_free(p);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	printf("files=%d items=%zu bytes=%zu errors=%zu parse_s=%.3f "
	    "mb_s=%.1f items_s=%.0f maxrss_kb=%ld\n", argc - 1, items, bytes,
	    errors, s, bytes / 1e6 / s, items / s, ru.ru_maxrss);
	return errors > 0;
}
