/*
 * bench_schedule.c: the scheduler's interval rule in virtual time.
 *
 * Replays publishing histories through schedule_pace() (interval = auto,
 * schedule.h) and through a fixed interval, and prints for each the
 * median and 90th percentile detection delay (from an item's publication
 * to the poll that sees it) and the requests a feed a day.  No jitter, no
 * server hints, no failures: the rule alone.
 *
 * A history file holds one or more feeds:
 *
 *   # feed NAME
 *   # end 1700000000        (optional: watched until then, silent)
 *   1699990000              (an item's publication, seconds since 1970)
 *   ...
 *
 * A feed is watched as a new one would be: the first quarter of its
 * items (20 at most, one at least) are its past, which the first poll
 * sees with their dates; the watch starts with the last of them and
 * lasts until a day after the last item (or to its end).  Delays are
 * those of the other items.
 *
 * usage: bench_schedule [-t] [-i FIXED] [-m MIN] [-M MAX] FILE...
 *   -t  trace: a line per auto poll ("poll FEED T NEW INTERVAL")
 *   -i  the fixed interval to compare with (900 s)
 *   -m, -M  min-interval and max-interval (120 s, 21600 s)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schedule.h"
#include "store.h"
#include "xmalloc.h"

#define WINDOW		20	/* items a feed lists */
#define MARGIN		86400	/* watched after the last item */

struct feed {
	char		*name;
	time_t		*t;		/* publications, sorted */
	size_t		 n, cap;
	size_t		 past;		/* t[0..past) before the watch */
	time_t		 end;		/* 0: a day after the last */
};

struct delays {
	double		*d;
	size_t		 n, cap;
	double		 polls;
	double		 days;
};

struct opts {
	long		 fixed, min, max;
	int		 trace;
};

/* Room in '*v' (of 'n' elements of 'size', 'cap' allocated) for one more. */
static void *
room(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return xreallocarray(v, *cap, size);
}

static void
delay_add(struct delays *ds, double d)
{
	ds->d = room(ds->d, ds->n, &ds->cap, sizeof(*ds->d));
	ds->d[ds->n++] = d;
}

static int
cmp_time(const void *a, const void *b)
{
	time_t	 x = *(const time_t *)a, y = *(const time_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Reads the feeds of 'path' onto '*feeds'; -1 on a line it cannot read. */
static int
read_histories(const char *path, struct feed **feeds, size_t *nfeeds)
{
	FILE		*fp;
	char		 line[512], name[256];
	struct feed	*f = NULL;
	long long	 v;
	int		 lineno = 0, rc = -1;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "bench_schedule: '%s': cannot open\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (sscanf(line, "# feed %255s", name) == 1) {
			*feeds = xreallocarray(*feeds, *nfeeds + 1,
			    sizeof(**feeds));
			f = &(*feeds)[(*nfeeds)++];
			memset(f, 0, sizeof(*f));
			f->name = xstrdup(name);
		} else if (f != NULL && sscanf(line, "# end %lld", &v) == 1)
			f->end = (time_t)v;
		else if (line[0] == '#' || line[0] == '\n')
			continue;
		else if (f != NULL && sscanf(line, "%lld", &v) == 1) {
			f->t = room(f->t, f->n, &f->cap, sizeof(*f->t));
			f->t[f->n++] = (time_t)v;
		}
		else {
			fprintf(stderr, "bench_schedule: %s:%d: expected '# feed "
			    "NAME' then times\n", path, lineno);
			goto out;
		}
	}
	rc = 0;
 out:
	fclose(fp);
	return rc;
}

static time_t
feed_end(const struct feed *f)
{
	time_t	 last = f->t[f->n - 1] + MARGIN;

	return f->end > last ? f->end : last;
}

/* Polls every 'o->fixed' seconds. */
static void
run_fixed(const struct feed *f, const struct opts *o, struct delays *ds)
{
	time_t	 start = f->t[f->past - 1], end = feed_end(f), t;
	size_t	 i = f->past;

	for (t = start; t <= end || i < f->n; t += o->fixed) {
		ds->polls++;
		for (; i < f->n && f->t[i] <= t; i++)
			delay_add(ds, (double)(t - f->t[i]));
	}
	ds->days += (double)(end - start) / 86400;
}

/* Polls as schedule_pace() says. */
static void
run_auto(const struct feed *f, const struct opts *o, struct delays *ds)
{
	struct feed_pace	 pace;
	struct pace_poll	 pp;
	time_t			 start = f->t[f->past - 1], end = feed_end(f), t;
	size_t			 i = f->past, first;

	memset(&pace, 0, sizeof(pace));
	for (t = start; t <= end || i < f->n; t += pace.interval) {
		ds->polls++;
		first = i;
		for (; i < f->n && f->t[i] <= t; i++)
			delay_add(ds, (double)(t - f->t[i]));
		pp.now = t;
		/* the first poll's items are the past, not new */
		if (t == start)
			first = i;
		pp.new_items = i - first;
		pp.dated = i < WINDOW ? i : WINDOW;
		pp.oldest = pp.dated > 0 ? f->t[i - pp.dated] : 0;
		schedule_pace(&pace, &pp, o->min, o->max);
		if (o->trace)
			printf("poll %s %lld %zu %ld\n", f->name,
			    (long long)(t - start), pp.new_items,
			    pace.interval);
	}
	ds->days += (double)(end - start) / 86400;
}

static double
quantile(struct delays *ds, double q)
{
	if (ds->n == 0)
		return 0;
	qsort(ds->d, ds->n, sizeof(*ds->d), cmp_double);
	return ds->d[(size_t)(q * (double)(ds->n - 1))];
}

static void
row(const char *policy, struct delays *ds)
{
	printf("%-8s %7zu %12.1f %12.1f %16.1f\n", policy, ds->n,
	    quantile(ds, 0.5) / 60, quantile(ds, 0.9) / 60,
	    ds->polls / ds->days);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_schedule [-t] [-i FIXED] [-m MIN] "
	    "[-M MAX] FILE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts	 o = { 900, 120, 21600, 0 };
	struct feed	*feeds = NULL;
	struct delays	 fixed, pace;
	size_t		 nfeeds = 0, i, used = 0;
	int		 c, ok;

	while ((c = getopt(argc, argv, "ti:m:M:")) != -1)
		switch (c) {
		case 't':
			o.trace = 1;
			break;
		case 'i':
			o.fixed = atol(optarg);
			break;
		case 'm':
			o.min = atol(optarg);
			break;
		case 'M':
			o.max = atol(optarg);
			break;
		default:
			usage();
		}
	if (optind == argc || o.fixed <= 0 || o.min <= 0 || o.max < o.min)
		usage();
	for (; optind < argc; optind++)
		if (read_histories(argv[optind], &feeds, &nfeeds) == -1)
			return 1;
	memset(&fixed, 0, sizeof(fixed));
	memset(&pace, 0, sizeof(pace));
	for (i = 0; i < nfeeds; i++) {
		if (feeds[i].n == 0)
			continue;
		used++;
		qsort(feeds[i].t, feeds[i].n, sizeof(time_t), cmp_time);
		feeds[i].past = feeds[i].n / 4 > WINDOW ? WINDOW :
		    feeds[i].n / 4 > 0 ? feeds[i].n / 4 : 1;
		run_fixed(&feeds[i], &o, &fixed);
		run_auto(&feeds[i], &o, &pace);
	}
	if (used == 0) {
		fprintf(stderr, "bench_schedule: no feed has an item\n");
		return 1;
	}
	printf("%zu feeds, %.0f feed-days; fixed %lds; auto within %lds-%lds\n",
	    used, fixed.days, o.fixed, o.min, o.max);
	printf("%-8s %7s %12s %12s %16s\n", "policy", "items", "median (min)",
	    "p90 (min)", "requests/feed/d");
	row("fixed", &fixed);
	row("auto", &pace);
	ok = pace.polls <= fixed.polls &&
	    quantile(&pace, 0.5) <= quantile(&fixed, 0.5) / 2;
	printf("target (auto: no more requests, median delay halved): %s\n",
	    ok ? "met" : "not met");
	for (i = 0; i < nfeeds; i++) {
		free(feeds[i].name);
		free(feeds[i].t);
	}
	free(feeds);
	free(fixed.d);
	free(pace.d);
	return 0;
}
