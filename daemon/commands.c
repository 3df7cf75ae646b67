/*
 * commands.c: the subcommands, wiring config, fetch, parser, matcher and
 * sinks together.
 *
 * `check` is one pass of what the daemon does on every poll: every feed
 * fetched at once on one event loop (up to [daemon] concurrency), each
 * body parsed while it streams in, every item matched against all topics,
 * each match delivered to its topic's sinks.
 */
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <glib.h>

#include "cmdline.h"
#include "config.h"
#include "confwrite.h"
#include "fetch.h"
#include "html.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "opml.h"
#include "parser.h"
#include "schedule.h"
#include "store.h"
#include "url.h"
#include "watch.h"
#include "xfer.h"
#include "xmalloc.h"

static const char *const usage_check =
    "usage: feedwatch check [-c FILE] [-v|-q] [--dry-run] [--feed NAME]...\n"
    "Polls every enabled feed (or the named ones) once, matches the new items\n"
    "against every topic and sends the alerts to the topics' sinks.\n"
    "Exit status 1 when a feed failed, an alert was not delivered or\n"
    "alerts are left pending for a retry (each sink holding some is\n"
    "named); alerts a digest, rate or quiet hours hold back are not.\n"
    "  --dry-run    print the alerts on stdout instead of sending them\n"
    "  --feed NAME  poll only this feed (repeatable)\n";
static const char *const usage_parse =
    "usage: feedwatch parse [-v|-q] SRC...\n"
    "Prints the items of each feed as JSON lines.  SRC is a file, '-' for\n"
    "stdin, or an http, https or file URL.\n";
static const char *const usage_match =
    "usage: feedwatch match [-v|--quiet] -e QUERY [-e QUERY]... [SRC...]\n"
    "Runs the queries over the items of each feed SRC (as for parse), or\n"
    "over item JSON lines on stdin, and prints one JSON line per match.\n"
    "Exit status: 0 if something matched, 1 if nothing did, 2 on an error.\n"
    "  -e, --query QUERY  a query (repeatable); -q QUERY is the same\n"
    "  -v, --quiet        more or less logging\n";
static const char *const usage_opml =
    "usage: feedwatch opml import FILE [-c CONFIG]\n"
    "       feedwatch opml export [-c CONFIG]\n"
    "import appends a [feed] section to the config for every subscription\n"
    "of FILE whose URL it does not have yet; an outline whose xmlUrl is not\n"
    "an http or https URL is reported and skipped.  export prints the\n"
    "config's feeds as OPML 2.0, with passwords and tokens shown as ***.\n";
static const char *const usage_config =
    "usage: feedwatch config check [-c FILE]\n"
    "Validates the config file and reports every problem as FILE:LINE.\n";

static struct event_base *
event_base_or_die(void)
{
	struct event_base	*base;

	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	return base;
}

static int
is_url(const char *s)
{
	return strstr(s, "://") != NULL;
}

/* Reading one SRC for parse and match: a file, stdin or a URL. */
struct source {
	const char	*src;
	int		 failed;
	struct event_base *base;
};

static void
source_done(const struct fetch_result *r, void *arg)
{
	struct source	*s = arg;
	char		*shown;

	if (r->status != FETCH_OK) {
		shown = url_redact(s->src);
		log_warnx("'%s': %s%s%s", shown, fetch_status_name(r->status),
		    r->error ? ": " : "", r->error ? r->error : "");
		free(shown);
		s->failed = 1;
	}
	event_base_loopbreak(s->base);
}

static int
read_source(const char *src, feed_item_cb *cb, void *arg)
{
	struct source		 s;
	struct xfer_multi	*m = NULL;
	struct feed_parser	*p = NULL;
	struct fetch_opts	 o;
	struct fetch_request	 req;
	char			 buf[65536];
	ssize_t			 n;
	int			 fd = -1, rc = -1;

	memset(&s, 0, sizeof(s));
	s.src = src;
	if (is_url(src)) {
		s.base = event_base_or_die();
		if ((m = xfer_multi_new(s.base)) == NULL)
			goto out;
		memset(&o, 0, sizeof(o));
		memset(&req, 0, sizeof(req));
		req.user_agent = "feedwatch/" FEEDWATCH_VERSION;
		o.url = src;
		o.req = &req;
		o.timeout = 60;
		o.max_size = 64L << 20;
		if (fetch_start(m, &o, cb, source_done, &s) == -1)
			goto out;
		if (event_base_dispatch(s.base) == -1)
			fatalx("event loop failed");
		rc = s.failed ? -1 : 0;
		goto out;
	}
	if (strcmp(src, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("'%s'", src);
		goto out;
	}
	p = feed_parser_new(src, NULL, cb, arg);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (feed_parser_push(p, buf, n) == -1)
			break;
	if (n == -1)
		log_warn("'%s': read", src);
	else if (feed_parser_finish(p) == -1)
		log_warnx("'%s': %s", src, feed_parser_error(p));
	else
		rc = 0;
 out:
	if (fd > STDIN_FILENO)
		close(fd);
	feed_parser_free(p);
	xfer_multi_free(m);
	if (s.base != NULL)
		event_base_free(s.base);
	return rc;
}

static int
print_item(const struct feed_item *it, void *arg)
{
	static char	 obuf[256 * 1024];
	static int	 buffered;
	char		*json;

	/*
	 * Into a file or pipe, lines go out in big writes rather than one
	 * per st_blksize; nothing is on stdout before the first item.
	 */
	if (!buffered) {
		if (!isatty(STDOUT_FILENO))
			setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
		buffered = 1;
	}
	if ((json = feed_item_to_json(it)) == NULL) {
		log_warnx("'%s': item '%s' cannot be encoded", it->feed,
		    it->id);
		return 0;
	}
	puts(json);
	free(json);
	return 0;
}

int
cmd_parse(int argc, char **argv)
{
	struct cmdline	 cl = { .usage = usage_parse, .optstring = "vqh" };
	int		 i, rc = 0;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if (optind == argc)
		return cmdline_usage(&cl);
	for (i = optind; i < argc; i++)
		if (read_source(argv[i], print_item, NULL) == -1)
			rc = 1;
	return rc;
}

/* `match`: every match printed as an alert line. */
struct matching {
	struct matcher	*matcher;
	const struct feed_item *item;
	size_t		 matches;
	int		 failed;
};

static int
print_match(const struct match *m, void *arg)
{
	struct matching	*d = arg;

	if (cmdline_print_match(m, d->item->feed != NULL ? d->item->feed :
	    "-", d->item, NULL) == -1)
		d->failed = 1;
	else
		d->matches++;
	return 0;
}

static int
match_item(const struct feed_item *it, void *arg)
{
	struct matching	*d = arg;

	d->item = it;
	return matcher_match(d->matcher, it, NULL, print_match, d);
}

/*
 * 's' as the parser reduces a feed's title: HTML's own elements are
 * markup and entities are decoded, any other '<' stays text (so that
 * what `parse` printed reads the same again); NULL if nothing is left.
 * The text is never longer than three times 's' (a bad byte becomes the
 * three of U+FFFD).
 */
static char *
json_text(const char *s)
{
	char	*t;

	if (s == NULL)
		return NULL;
	t = html_maybe_to_text_dup(s, strlen(s), 3 * strlen(s) + 1);
	if (*t == '\0') {
		free(t);
		t = NULL;
	}
	return t;
}

/*
 * An item from a JSON line, its title and summary reduced from HTML to
 * text as a parsed feed's are: a tag name is not a word, an entity is
 * the letter it stands for.
 */
static void
match_json_item(struct matching *d, const struct feed_item *it)
{
	struct feed_item	 t = *it;
	char			*title, *summary;

	t.title = title = json_text(it->title);
	t.summary = summary = json_text(it->summary);
	match_item(&t, d);
	free(title);
	free(summary);
}

/* Item JSON lines on stdin, as `parse` prints them. */
static void
match_stdin(struct matching *d)
{
	struct feed_item *it;
	char		 err[256], *line = NULL;
	size_t		 cap = 0, lineno = 0;
	ssize_t		 n;

	while ((n = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue;
		if ((it = feed_item_from_json(line, err,
		    sizeof(err))) == NULL) {
			log_warnx("stdin:%zu: %s", lineno, err);
			d->failed = 1;
			continue;
		}
		match_json_item(d, it);
		feed_item_free(it);
	}
	free(line);
}

/* As grep: 0 if something matched, 1 if nothing did, 2 on an error. */
int
cmd_match(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "query", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_match,
	    .optstring = "ve:q:h", .longopts = longopts };
	struct matching	 d;
	char		 err[256];
	size_t		 nq = 0;
	int		 i, ch, rc = 2;

	memset(&d, 0, sizeof(d));
	d.matcher = matcher_new();
	/* -q QUERY is -e QUERY: the SPEC's spelling. */
	while ((ch = cmdline_getopt(&cl, argc, argv)) == 'e' || ch == 'q') {
		if (matcher_add_topic(d.matcher, optarg, optarg, NULL, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "feedwatch: query '%s': %s\n", optarg,
			    err);
			goto out;
		}
		nq++;
	}
	if (ch == CMDLINE_EXIT) {
		rc = cl.status;
		goto out;
	}
	if (nq == 0) {
		rc = cmdline_usage(&cl);
		goto out;
	}
	if (matcher_compile(d.matcher, err, sizeof(err)) == -1) {
		fprintf(stderr, "feedwatch: %s\n", err);
		goto out;
	}
	for (i = optind; i < argc; i++)
		if (read_source(argv[i], match_item, &d) == -1)
			d.failed = 1;
	if (optind == argc)
		match_stdin(&d);
	rc = d.failed ? 2 : d.matches > 0 ? 0 : 1;
 out:
	matcher_free(d.matcher);
	return rc;
}

/*
 * `check`: every selected feed polled once, as fast as the concurrency and
 * per-host caps allow; deliveries are held until every poll is done, so
 * that an alert's also_in names every feed of this pass that had the story.
 */
struct check {
	struct watch		*w;
	struct event_base	*base;
	int			 done;		/* may be set before the loop runs */
};

static void
check_idle(void *arg)
{
	struct check	*c = arg;

	c->done = 1;
	event_base_loopbreak(c->base);
}

static void
check_polled_all(void *arg)
{
	struct check	*c = arg;

	watch_hold_deliveries(c->w, 0);
	watch_on_idle(c->w, check_idle, c);
}

/*
 * Says which sinks still hold alerts after the pass: those a digest, a
 * rate or quiet hours hold back by design (info: a later check sends
 * them), and the others (a warning): sends that failed and wait for their
 * retry, alerts of a sink that cannot send or that the config lost.
 * Returns how many the others are.
 */
static long
check_pending(const struct config *cf, struct store *st)
{
	struct sink_counts	*sc;
	size_t			 n, i;
	long			 stuck, total = 0;

	if (store_sink_counts(st, &sc, &n) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		if (sc[i].held > 0)
			log_info("%ld alert%s held back for sink '%s' by a "
			    "digest, a rate or quiet hours; a later check "
			    "sends %s", sc[i].held, sc[i].held == 1 ? " is" :
			    "s are", sc[i].sink, sc[i].held == 1 ? "it" :
			    "them");
		if ((stuck = sc[i].pending - sc[i].held) == 0)
			continue;
		total += stuck;
		log_warnx("%ld alert%s still pending for sink '%s'%s%s%s; "
		    "'feedwatch run' or the next check retries %s", stuck,
		    stuck == 1 ? " is" : "s are", sc[i].sink,
		    config_sink_find(cf, sc[i].sink) == NULL ?
		    ", which the config no longer has" : "",
		    sc[i].last_error != NULL ? ": last error: " : "",
		    sc[i].last_error != NULL ? sc[i].last_error : "",
		    stuck == 1 ? "it" : "them");
	}
	sink_counts_free(sc, n);
	return total;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "feed", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline		 cl = { .usage = usage_check,
	    .optstring = "c:vqh", .longopts = longopts };
	struct config		*cf = NULL;
	struct xfer_multi	*m = NULL;
	struct check		 c;
	struct schedule		*sched = NULL;
	const struct config_feed **feeds = NULL, *f;
	char			**only;
	size_t			 nonly = 0, nfeeds = 0, i, j;
	int			 ch, dry = 0, rc = 2;

	memset(&c, 0, sizeof(c));
	only = xcalloc(argc + 1, sizeof(*only));
	while ((ch = cmdline_getopt(&cl, argc, argv)) >= 0) {
		if (ch == 'n')
			dry = 1;
		else if (ch == 'f')
			only[nonly++] = optarg;
	}
	if (ch == CMDLINE_EXIT) {
		rc = cl.status;
		goto out;
	}
	if (optind != argc) {
		rc = cmdline_usage(&cl);
		goto out;
	}
	if ((cf = cmdline_config(&cl)) == NULL)
		goto out;
	config_warn(cf);
	feeds = xcalloc(cf->nfeeds + 1, sizeof(*feeds));
	for (i = 0; i < nonly; i++) {
		if ((f = config_feed_find(cf, only[i])) == NULL) {
			fprintf(stderr, "feedwatch: no feed '%s' in %s\n",
			    only[i], cf->path);
			goto out;
		}
		if (f->disabled) {
			fprintf(stderr, "feedwatch: feed '%s' is disabled "
			    "(enabled = no in %s:%d); enable it to poll it\n",
			    only[i], cf->path, f->line);
			goto out;
		}
	}
	for (j = 0; j < cf->nfeeds; j++) {
		if (cf->feeds[j].disabled)
			continue;
		for (i = 0; i < nonly; i++)
			if (strcmp(cf->feeds[j].name, only[i]) == 0)
				break;
		if (nonly == 0 || i < nonly)
			feeds[nfeeds++] = &cf->feeds[j];
	}
	rc = 1;
	c.base = event_base_or_die();
	if ((m = xfer_multi_new(c.base)) == NULL ||
	    (c.w = watch_new(cf, c.base, m, dry)) == NULL)
		goto out;
	watch_hold_deliveries(c.w, 1);
	sched = schedule_once(c.base, c.w, cf, feeds, nfeeds, check_polled_all,
	    &c);
	if (!c.done && event_base_dispatch(c.base) == -1)
		fatalx("event loop failed");
	rc = watch_failed(c.w) ? 1 : 0;
	if (!dry && check_pending(cf, watch_store(c.w)) > 0)
		rc = 1;
 out:
	schedule_free(sched);
	watch_free(c.w);
	xfer_multi_free(m);
	if (c.base != NULL)
		event_base_free(c.base);
	free(feeds);
	config_free(cf);
	free(only);
	return rc;
}

int
cmd_config(int argc, char **argv)
{
	struct cmdline	 cl = { .usage = usage_config, .optstring = "c:vqh" };
	struct config	*cf;
	size_t		 i;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if (optind >= argc || strcmp(argv[optind], "check") != 0 ||
	    optind + 1 != argc)
		return cmdline_usage(&cl);
	if ((cf = cmdline_config(&cl)) == NULL)
		return 2;
	config_warn(cf);
	printf("%s: configuration OK (%zu feeds, %zu topics, %zu sinks)\n",
	    cf->path, cf->nfeeds, cf->ntopics, cf->nsinks);
	for (i = 0; i < cf->nfeeds; i++)
		if (cf->feeds[i].disabled)
			printf("%s:%d: feed '%s' is disabled (enabled = no): "
			    "not polled\n", cf->path, cf->feeds[i].line,
			    cf->feeds[i].name);
	for (i = 0; i < cf->ntopics; i++)
		if (cf->topics[i].disabled)
			printf("%s:%d: topic '%s' is disabled (enabled = no): "
			    "never alerts\n", cf->path, cf->topics[i].line,
			    cf->topics[i].name);
	config_free(cf);
	return 0;
}

/* Outlines of the OPML file that import leaves out. */
struct import {
	const char	*file;
	size_t		 refused;
};

static void
import_refused(const char *why, void *arg)
{
	struct import	*im = arg;

	im->refused++;
	log_warnx("opml '%s': %s; skipped", im->file, why);
}

/*
 * Appends a [feed] section to the config file for each subscription of
 * 'file' that 'cf' lacks.  The user's text stays as it is; the sections
 * are rendered from checked values only, and config_replace() writes the
 * result only if it loads.  Outlines that cannot be feeds are reported
 * and left out, and the exit status says so.
 */
static int
opml_import(struct config *cf, const char *file)
{
	const char		*path = cf->path;
	struct opml_feed	*of = NULL;
	struct import		 im;
	gchar			*shown;
	char			 err[256], *comment;
	size_t			 n = 0, first, added;
	int			 rc = 1;

	if (opml_read(file, &of, &n, err, sizeof(err)) == -1) {
		log_warnx("opml '%s': %s", file, err);
		return 1;
	}
	im.file = file;
	im.refused = 0;
	first = cf->nfeeds;
	added = config_add_opml(cf, of, n, import_refused, &im);
	if (added == 0) {
		printf("%s: nothing to add: %zu of the %zu feeds of %s are "
		    "there already, %zu skipped\n", path, n - im.refused, n,
		    file, im.refused);
		rc = im.refused > 0;
		goto out;
	}
	shown = g_filename_display_name(file);
	comment = xasprintf("imported from %s", shown);
	g_free(shown);
	if (config_append_feeds(cf, first, comment) == 0) {
		printf("%s: added %zu feeds (%zu of %zu were there already, "
		    "%zu skipped)\n", path, added, n - im.refused - added, n,
		    im.refused);
		rc = im.refused > 0;
	}
	free(comment);
 out:
	opml_feeds_free(of, n);
	return rc;
}

/*
 * The state, read beside a daemon, for what each feed said of itself at
 * its last parse; NULL where there is none yet (nothing to say then).
 */
static struct store *
export_state(const struct config *cf)
{
	struct store	*st = NULL;
	char		*path;

	path = store_location(cf->daemon.state);
	if (access(path, F_OK) == 0)
		st = store_open(path, STORE_READ);
	free(path);
	return st;
}

/*
 * Each feed under its own title and with its site's address, where the
 * state has them for the feed's URL, else under its name.
 */
static int
opml_export(const struct config *cf)
{
	const struct config_feed *f;
	struct opml_feed	*of;
	struct feed_state	*fs;
	struct store		*st;
	char			*xml;
	size_t			 i;

	st = export_state(cf);
	of = xcalloc(cf->nfeeds + 1, sizeof(*of));
	fs = xcalloc(cf->nfeeds + 1, sizeof(*fs));
	for (i = 0; i < cf->nfeeds; i++) {
		f = &cf->feeds[i];
		if (st != NULL && store_feed_get(st, f->name, &fs[i]) == 0 &&
		    fs[i].url != NULL && strcmp(fs[i].url, f->url) != 0)
			feed_state_clear(&fs[i]);
		of[i].title = fs[i].title != NULL ? fs[i].title : f->name;
		of[i].url = f->url;
		of[i].html_url = fs[i].link;
		of[i].tags = f->tags.v;
		of[i].ntags = f->tags.n;
	}
	xml = opml_write(of, cf->nfeeds, "feedwatch subscriptions");
	fputs(xml, stdout);
	free(xml);
	for (i = 0; i < cf->nfeeds; i++)
		feed_state_clear(&fs[i]);
	free(fs);
	free(of);
	store_close(st);
	return 0;
}

int
cmd_opml(int argc, char **argv)
{
	struct cmdline	 cl = { .usage = usage_opml, .optstring = "c:vqh" };
	struct config	*cf;
	const char	*verb;
	int		 rc;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	verb = optind < argc ? argv[optind] : "";
	if (!((strcmp(verb, "import") == 0 && optind + 2 == argc) ||
	    (strcmp(verb, "export") == 0 && optind + 1 == argc)))
		return cmdline_usage(&cl);
	if ((cf = cmdline_config(&cl)) == NULL)
		return 2;
	if (strcmp(verb, "import") == 0)
		rc = opml_import(cf, argv[optind + 1]);
	else
		rc = opml_export(cf);
	config_free(cf);
	return rc;
}
