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

#include <ctype.h>
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
#include "item.h"
#include "log.h"
#include "match.h"
#include "opml.h"
#include "parser.h"
#include "schedule.h"
#include "url.h"
#include "watch.h"
#include "xfer.h"
#include "xmalloc.h"

static const char *const usage_check =
    "usage: feedwatch check [-c FILE] [-v|-q] [--dry-run] [--feed NAME]...\n"
    "Polls every enabled feed (or the named ones) once, matches the new\n"
    "items against every topic and sends the alerts to the topics' sinks.\n"
    "  --dry-run    print the alerts on stdout instead of sending them\n"
    "  --feed NAME  poll only this feed (repeatable)\n";
static const char *const usage_parse =
    "usage: feedwatch parse [-v|-q] SRC...\n"
    "Prints the items of each feed as JSON lines.  SRC is a file, '-' for\n"
    "stdin, or an http, https or file URL.\n";
static const char *const usage_match =
    "usage: feedwatch match [-v|-q] -q QUERY [-q QUERY]... [SRC...]\n"
    "Runs the queries over the items of each feed SRC (as for parse), or\n"
    "over item JSON lines on stdin, and prints one JSON line per match.\n";
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
		o.url = src;
		o.user_agent = "feedwatch/" FEEDWATCH_VERSION;
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
	struct cmdline	 cl = { .usage = usage_parse, .optstring = "+vqh" };
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
	int		 failed;
};

static int
print_match(const struct match *m, void *arg)
{
	struct matching	*d = arg;

	if (cmdline_print_match(m, d->item->feed != NULL ? d->item->feed :
	    "-", d->item) == -1)
		d->failed = 1;
	return 0;
}

static int
match_item(const struct feed_item *it, void *arg)
{
	struct matching	*d = arg;

	d->item = it;
	return matcher_match(d->matcher, it, NULL, print_match, d);
}

int
cmd_match(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "query", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_match,
	    .optstring = "+vq:h", .longopts = longopts };
	struct matching	 d;
	struct feed_item *it;
	char		 err[256], *line = NULL;
	size_t		 cap = 0, nq = 0, lineno = 0;
	ssize_t		 n;
	int		 i, ch, rc = 2;

	memset(&d, 0, sizeof(d));
	d.matcher = matcher_new();
	while ((ch = cmdline_getopt(&cl, argc, argv)) == 'q') {
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
	rc = 0;
	for (i = optind; i < argc; i++)
		if (read_source(argv[i], match_item, &d) == -1)
			rc = 1;
	if (optind == argc) {
		while ((n = getline(&line, &cap, stdin)) != -1) {
			lineno++;
			if (strspn(line, " \t\r\n") == (size_t)n)
				continue;
			if ((it = feed_item_from_json(line, err,
			    sizeof(err))) == NULL) {
				log_warnx("stdin:%zu: %s", lineno, err);
				rc = 1;
				continue;
			}
			match_item(it, &d);
			feed_item_free(it);
		}
	}
	if (d.failed)
		rc = 1;
 out:
	free(line);
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

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "feed", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline		 cl = { .usage = usage_check,
	    .optstring = "+c:vqh", .longopts = longopts };
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
	/* No '+': options may follow "check". */
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

/* "# imported from FILE", with nothing in FILE that could end the line. */
static void
import_comment(GString *text, const char *file)
{
	gchar	*shown, *p;

	shown = g_filename_display_name(file);
	for (p = shown; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			*p = '?';
	g_string_append_printf(text, "\n# imported from %s\n", shown);
	g_free(shown);
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
	GString			*text = NULL;
	GError			*gerr = NULL;
	gchar			*old = NULL;
	char			 err[256], *section;
	size_t			 n = 0, i, first, added;
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
	if (!g_file_get_contents(path, &old, NULL, &gerr)) {
		log_warnx("'%s': cannot read the config: %s", path,
		    gerr != NULL ? gerr->message : "?");
		g_clear_error(&gerr);
		goto out;
	}
	text = g_string_new(old);
	if (text->len > 0 && text->str[text->len - 1] != '\n')
		g_string_append_c(text, '\n');
	import_comment(text, file);
	for (i = first; i < cf->nfeeds; i++) {
		if ((section = config_feed_section(&cf->feeds[i], err,
		    sizeof(err))) == NULL) {
			log_warnx("'%s': %s; it is unchanged", path, err);
			goto out;
		}
		g_string_append_printf(text, "\n%s", section);
		free(section);
	}
	if (config_replace(path, text->str) == -1)
		goto out;
	printf("%s: added %zu feeds (%zu of %zu were there already, %zu "
	    "skipped)\n", path, added, n - im.refused - added, n, im.refused);
	rc = im.refused > 0;
 out:
	g_free(old);
	if (text != NULL)
		g_string_free(text, TRUE);
	opml_feeds_free(of, n);
	return rc;
}

static int
opml_export(const struct config *cf)
{
	struct opml_feed	*of;
	char			*xml;
	size_t			 i;

	of = xcalloc(cf->nfeeds + 1, sizeof(*of));
	for (i = 0; i < cf->nfeeds; i++) {
		of[i].title = cf->feeds[i].name;
		of[i].url = cf->feeds[i].url;
		of[i].tags = cf->feeds[i].tags.v;
		of[i].ntags = cf->feeds[i].tags.n;
	}
	xml = opml_write(of, cf->nfeeds, "feedwatch subscriptions");
	fputs(xml, stdout);
	free(xml);
	free(of);
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
