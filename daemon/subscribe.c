/* subscribe.c: `feedwatch add` and `feedwatch remove` (subscribe.h). */
#include "subscribe.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <glib.h>

#include "cmdline.h"
#include "config.h"
#include "confwrite.h"
#include "discover.h"
#include "fetch.h"
#include "log.h"
#include "opml.h"
#include "text.h"
#include "url.h"
#include "xfer.h"
#include "xmalloc.h"

#define SHOWN_MAX	200	/* bytes of a page's title or link shown */

static const char *const usage_add =
    "usage: feedwatch add [-c FILE] [-v|-q] [--name NAME] [--tags TAGS]\n"
    "                     [--pick N | --all] URL\n"
    "Adds the feed at URL to the config.  When URL is a web page, lists\n"
    "the feeds it links to and adds the first that is a feed.\n"
    "  --name NAME  the feed's name (else one made from its title)\n"
    "  --tags TAGS  its tags, comma-separated\n"
    "  --pick N     the page's feed numbered N in the list instead\n"
    "  --all        every feed the page lists\n";
static const char *const usage_remove =
    "usage: feedwatch remove [-c FILE] [-v|-q] NAME\n"
    "Removes the section [feed NAME] from the config, with the comments\n"
    "right above it; the rest of the file stays as it is.\n";

/* What one fetch found, kept past its callback. */
struct fetched {
	struct event_base *base;
	enum fetch_status status;
	char		*error;
	char		*title;		/* the feed's */
	char		*url;		/* where it ended, after redirects */
	char		*moved;		/* where 301s and 308s alone led */
	char		*charset;
	char		*body;		/* the bytes kept, NUL-terminated */
	size_t		 body_len;
};

/* An `add`: its options and config, and the loop its fetches run on. */
struct add {
	struct config		*cf;
	struct event_base	*base;
	struct xfer_multi	*m;
	const char		*page;		/* the URL given */
	const char		*name;		/* --name, or NULL */
	struct config_list	 tags;		/* --tags */
	long			 pick;		/* --pick N, or 0 */
	int			 all;
	struct opml_feed	*feeds;		/* to add: url, title owned */
	size_t			 nfeeds;
	int			 done;		/* a feed added, or there */
};

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * Text from a page or a server fit for a terminal: clean (no control
 * character, so no escape sequence), at most SHOWN_MAX bytes.  A URL is
 * redacted first.
 */
static char *
shown(const char *s)
{
	return text_collapse(s, strnlen(s, SHOWN_MAX));
}

static char *
shown_url(const char *url)
{
	char	*r, *s;

	r = url_redact(url);
	s = shown(r);
	free(r);
	return s;
}

/* Items are only counted: the parse says whether it is a feed. */
static int
count_item(const struct feed_item *it, void *arg)
{
	return 0;
}

static void
fetched_done(const struct fetch_result *r, void *arg)
{
	struct fetched	*f = arg;

	f->status = r->status;
	f->error = dup_or_null(r->error);
	f->title = dup_or_null(r->feed_title);
	f->url = dup_or_null(r->effective_url);
	f->moved = dup_or_null(r->permanent_url);
	f->charset = dup_or_null(r->charset);
	if (r->body != NULL) {
		f->body = xstrndup(r->body, r->body_len);
		f->body_len = r->body_len;
	}
	event_base_loopbreak(f->base);
}

static void
fetched_clear(struct fetched *f)
{
	free(f->error);
	free(f->title);
	free(f->url);
	free(f->moved);
	free(f->charset);
	free(f->body);
	memset(f, 0, sizeof(*f));
}

/*
 * Fetches 'url' as a poll of a new feed would (the daemon's user agent
 * and proxy, no login), keeping the first 'keep' bytes of a body that is
 * not a feed.  -1 if the transfer cannot start.
 */
static int
fetch_one(struct add *a, const char *url, size_t keep, struct fetched *f)
{
	struct config_feed	 nf;
	struct fetch_request	 req;
	struct fetch_opts	 o;

	memset(f, 0, sizeof(*f));
	f->base = a->base;
	memset(&nf, 0, sizeof(nf));
	nf.url = (char *)url;
	config_feed_request(a->cf, &nf, &req);
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.req = &req;
	o.timeout = a->cf->daemon.timeout;
	o.max_size = a->cf->daemon.max_size;
	o.keep = keep;
	if (fetch_start(a->m, &o, count_item, fetched_done, f) == -1)
		return -1;
	if (event_base_dispatch(a->base) == -1)
		fatalx("event loop failed");
	return 0;
}

static const struct config_feed *
feed_with_url(const struct config *cf, const char *url)
{
	size_t	 i;

	for (i = 0; i < cf->nfeeds; i++)
		if (strcmp(cf->feeds[i].url, url) == 0)
			return &cf->feeds[i];
	return NULL;
}

/* 1, after saying so, if the config has 'url' already. */
static int
already_there(struct add *a, const char *url)
{
	const struct config_feed *f;
	char			*s;

	if ((f = feed_with_url(a->cf, url)) == NULL)
		return 0;
	s = shown_url(url);
	printf("%s: feed '%s' has %s already\n", a->cf->path, f->name, s);
	free(s);
	a->done = 1;
	return 1;
}

/* Queues the feed at 'url' for the config, unless it is there. */
static void
queue_feed(struct add *a, const char *url, const char *title)
{
	struct opml_feed	*of;

	if (already_there(a, url))
		return;
	a->feeds = xreallocarray(a->feeds, a->nfeeds + 1, sizeof(*a->feeds));
	of = &a->feeds[a->nfeeds++];
	memset(of, 0, sizeof(*of));
	of->url = xstrdup(url);
	of->title = dup_or_null(title);
	of->tags = a->tags.v;
	of->ntags = a->tags.n;
	a->done = 1;
}

/* The URL given is a feed: it is added, where it moved to for good. */
static int
add_feed_itself(struct add *a, const struct fetched *page)
{
	char	*from, *to;

	if (a->pick > 1) {
		from = shown_url(a->page);
		log_warnx("--pick %ld: '%s' is a feed, not a page that lists "
		    "feeds", a->pick, from);
		free(from);
		return 2;
	}
	if (page->moved != NULL && url_is_web(page->moved)) {
		from = shown_url(a->page);
		to = shown_url(page->moved);
		printf("%s moved permanently to %s: adding that\n", from, to);
		free(from);
		free(to);
		queue_feed(a, page->moved, page->title);
	} else
		queue_feed(a, a->page, page->title);
	return 0;
}

/*
 * Fetches link 'i' of the list and queues it if it is a feed; -1 after
 * saying why not.
 */
static int
try_link(struct add *a, size_t i, const struct discover_link *l)
{
	struct fetched	 f;
	char		*s;
	int		 rc = -1;

	if (already_there(a, l->url))
		return 0;
	if (fetch_one(a, l->url, 0, &f) == -1)
		return -1;
	if (f.status == FETCH_OK) {
		queue_feed(a, f.moved != NULL && url_is_web(f.moved) ?
		    f.moved : l->url, f.title != NULL ? f.title : l->title);
		rc = 0;
	} else {
		s = shown_url(l->url);
		log_warnx("link %zu, '%s': %s%s%s; not added", i, s,
		    fetch_status_name(f.status), f.error != NULL ? ": " : "",
		    f.error != NULL ? f.error : "");
		free(s);
	}
	fetched_clear(&f);
	return rc;
}

/*
 * Prints the page's links that may be feeds, numbered, and keeps their
 * indexes in 'web' ('*nweb' of them); the others (javascript:, file:
 * and the like) are reported and dropped.
 */
static void
list_links(struct add *a, const struct discover_link *links, size_t n,
    size_t *web, size_t *nweb)
{
	char	*page, *s, *t;
	size_t	 i;

	page = shown_url(a->page);
	*nweb = 0;
	for (i = 0; i < n; i++) {
		if (url_is_web(links[i].url)) {
			web[(*nweb)++] = i;
			continue;
		}
		s = shown_url(links[i].url);
		log_warnx("page '%s': link '%s' is not an http or https URL; "
		    "skipped", page, s);
		free(s);
	}
	if (*nweb > 0 && links[web[0]].kind == DISCOVER_GUESS)
		printf("%s is a web page that announces no feed; these links "
		    "look like feeds (guesses):\n", page);
	else if (*nweb > 0)
		printf("%s is a web page that links to %zu feed%s:\n", page,
		    *nweb, *nweb == 1 ? "" : "s");
	for (i = 0; i < *nweb; i++) {
		s = shown_url(links[web[i]].url);
		t = links[web[i]].title != NULL ? shown(links[web[i]].title) :
		    NULL;
		printf("  %zu. %-9s %s%s%s\n", i + 1, links[web[i]].type,
		    t != NULL ? t : "", t != NULL ? "  " : "", s);
		free(t);
		free(s);
	}
	free(page);
}

/* The URL given is a web page: its feed links, listed, then tried. */
static int
add_from_page(struct add *a, const struct fetched *page)
{
	struct discover_link	*links;
	size_t			 n, nweb, i, web[DISCOVER_MAX_LINKS];
	char			*s;
	int			 rc = 1, failed = 0;

	discover_page(page->body, page->body_len, page->url != NULL ?
	    page->url : a->page, page->charset, &links, &n);
	list_links(a, links, n, web, &nweb);
	s = shown_url(a->page);
	if (nweb == 0) {
		log_warnx("'%s' is not a feed (%s) and links to none: no "
		    "<link rel=\"alternate\"> to RSS, Atom or JSON Feed, no "
		    "link that looks like one; find the feed's address on "
		    "the site and add that", s, page->error);
		goto out;
	}
	if (a->pick > (long)nweb) {
		log_warnx("--pick %ld: '%s' lists %zu feed%s", a->pick, s,
		    nweb, nweb == 1 ? "" : "s");
		rc = 2;
		goto out;
	}
	for (i = 0; i < nweb; i++) {
		if (a->pick > 0 && (long)i + 1 != a->pick)
			continue;
		if (try_link(a, i + 1, &links[web[i]]) == -1)
			failed = 1;
		else if (!a->all)
			break;
	}
	if (!a->done)
		log_warnx("'%s': %s of its links is a feed; nothing added",
		    s, a->pick > 0 ? "the one picked" : "none");
	rc = a->done && !(a->all && failed) ? 0 : 1;
 out:
	free(s);
	discover_links_free(links, n);
	return rc;
}

static void
add_refused(const char *why, void *arg)
{
	log_warnx("%s; not added", why);
}

/* Appends the queued feeds to the config, through its writer. */
static int
write_feeds(struct add *a)
{
	struct config	*cf = a->cf;
	char		*page, *comment, *s;
	size_t		 first = cf->nfeeds, i;
	int		 rc;

	if (config_add_opml(cf, a->feeds, a->nfeeds, add_refused, NULL) == 0)
		return 0;
	if (a->name != NULL) {
		free(cf->feeds[first].name);
		cf->feeds[first].name = xstrdup(a->name);
	}
	page = shown_url(a->page);
	comment = xasprintf("added from %s", page);
	if ((rc = config_append_feeds(cf, first, comment)) == 0)
		for (i = first; i < cf->nfeeds; i++) {
			s = shown_url(cf->feeds[i].url);
			printf("%s: added [feed %s] %s\n", cf->path,
			    cf->feeds[i].name, s);
			free(s);
		}
	free(comment);
	free(page);
	return rc;
}

static int
add_run(struct add *a)
{
	struct fetched	 page;
	char		*s;
	int		 rc = 1;

	if (fetch_one(a, a->page, DISCOVER_MAX_PAGE, &page) == -1)
		return 1;
	if (page.status == FETCH_OK)
		rc = add_feed_itself(a, &page);
	else if (page.status == FETCH_PARSE_ERROR && page.body != NULL)
		rc = add_from_page(a, &page);
	else {
		s = shown_url(a->page);
		log_warnx("'%s': %s%s%s; check the address", s,
		    fetch_status_name(page.status), page.error != NULL ?
		    ": " : "", page.error != NULL ? page.error : "");
		free(s);
	}
	if (a->nfeeds > 0 && write_feeds(a) == -1)
		rc = 1;
	fetched_clear(&page);
	return rc;
}

/*
 * What can be judged before any fetch: the URL, and --name and --tags,
 * as the writer will judge them.  2 after saying what is wrong, else 0.
 */
static int
add_check(struct add *a)
{
	struct config_feed	 f;
	char			 err[256], *s;
	size_t			 i;

	if (!url_is_web(a->page)) {
		s = shown_url(a->page);
		log_warnx("'%s' is not an http or https URL (a local file is "
		    "added by hand, as a [feed] section)", s);
		free(s);
		return 2;
	}
	memset(&f, 0, sizeof(f));
	f.name = (char *)(a->name != NULL ? a->name : "feed");
	f.url = (char *)a->page;
	f.tags = a->tags;
	if ((s = config_feed_section(&f, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return 2;
	}
	free(s);
	for (i = 0; a->name != NULL && i < a->cf->nfeeds; i++)
		if (strcmp(a->cf->feeds[i].name, a->name) == 0) {
			log_warnx("--name %s: %s has a feed of that name "
			    "(line %d); choose another", a->name,
			    a->cf->path, a->cf->feeds[i].line);
			return 2;
		}
	return 0;
}

int
cmd_add(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "tags", required_argument, NULL, 't' },
		{ "pick", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmdline	 cl = { .usage = usage_add, .optstring = "c:vqh",
	    .longopts = longopts };
	struct add	 a;
	char		*end;
	size_t		 i;
	int		 ch, rc = 2;

	memset(&a, 0, sizeof(a));
	while ((ch = cmdline_getopt(&cl, argc, argv)) >= 0) {
		if (ch == 'n')
			a.name = optarg;
		else if (ch == 't') {
			confval_list_free(&a.tags);
			confval_list(optarg, &a.tags);
		} else if (ch == 'p') {
			a.pick = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a.pick < 1)
				ch = '?';
		} else if (ch == 'a')
			a.all = 1;
		if (ch == '?')
			break;
	}
	if (ch == CMDLINE_EXIT) {
		rc = cl.status;
		goto out;
	}
	if (ch == '?' || optind + 1 != argc || (a.pick > 0 && a.all) ||
	    (a.name != NULL && a.all)) {
		rc = cmdline_usage(&cl);
		goto out;
	}
	a.page = argv[optind];
	if ((a.cf = cmdline_config(&cl)) == NULL ||
	    (rc = add_check(&a)) != 0)
		goto out;
	if (already_there(&a, a.page))
		goto out;
	if ((a.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	rc = 1;
	if ((a.m = xfer_multi_new(a.base)) != NULL)
		rc = add_run(&a);
 out:
	for (i = 0; i < a.nfeeds; i++) {
		free(a.feeds[i].url);
		free(a.feeds[i].title);
	}
	free(a.feeds);
	xfer_multi_free(a.m);
	if (a.base != NULL)
		event_base_free(a.base);
	confval_list_free(&a.tags);
	config_free(a.cf);
	return rc;
}

/* 1 if a feed other than 'f' has the tag 'tag'. */
static int
tag_elsewhere(const struct config *cf, const struct config_feed *f,
    const char *tag)
{
	size_t	 i, j;

	for (i = 0; i < cf->nfeeds; i++)
		for (j = 0; &cf->feeds[i] != f && j < cf->feeds[i].tags.n; j++)
			if (strcmp(cf->feeds[i].tags.v[j], tag) == 0)
				return 1;
	return 0;
}

/*
 * 1 if a topic would lose its feeds with 'f' gone: it names it, or
 * takes its feeds from a tag no other feed has.  Each such topic is
 * reported at its line.
 */
static int
still_named(const struct config *cf, const struct config_feed *f)
{
	const struct config_topic *t;
	const char	*ref;
	size_t		 i, j;
	int		 named = 0;

	for (i = 0; i < cf->ntopics; i++) {
		t = &cf->topics[i];
		for (j = 0; j < t->feeds.n; j++) {
			ref = t->feeds.v[j];
			if (strcmp(ref, f->name) == 0)
				fprintf(stderr, "%s:%d: topic '%s' names feed "
				    "'%s' in its feeds: take it out there "
				    "first\n", cf->path, t->line, t->name,
				    f->name);
			else if (strncmp(ref, "tag:", 4) == 0 &&
			    !tag_elsewhere(cf, f, ref + 4))
				fprintf(stderr, "%s:%d: topic '%s' takes its "
				    "feeds from '%s', a tag only feed '%s' "
				    "has: change the topic first\n", cf->path,
				    t->line, t->name, ref, f->name);
			else
				continue;
			named = 1;
		}
	}
	return named;
}

int
cmd_remove(int argc, char **argv)
{
	struct cmdline	 cl = { .usage = usage_remove, .optstring = "c:vqh" };
	struct config	*cf = NULL;
	const struct config_feed *f = NULL;
	char		*text = NULL, *rest = NULL, *section = NULL;
	size_t		 i;
	int		 from, to, rc = 2;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if (optind + 1 != argc)
		return cmdline_usage(&cl);
	if ((cf = cmdline_config(&cl)) == NULL)
		return 2;
	for (i = 0; i < cf->nfeeds && f == NULL; i++)
		if (strcmp(cf->feeds[i].name, argv[optind]) == 0)
			f = &cf->feeds[i];
	if (f == NULL) {
		log_warnx("no feed '%s' in %s", argv[optind], cf->path);
		goto out;
	}
	rc = 1;
	if (still_named(cf, f) ||
	    (text = config_read_text(cf->path)) == NULL)
		goto out;
	section = xasprintf("feed %s", f->name);
	if ((rest = config_text_without(text, section, &from, &to)) == NULL) {
		log_warnx("feed '%s' comes from the OPML file of %s:%d "
		    "([daemon] opml): remove its outline there", f->name,
		    cf->path, f->line);
		goto out;
	}
	if (config_replace(cf->path, rest) == -1)
		goto out;
	printf("%s: removed [feed %s] (lines %d-%d)\n", cf->path, f->name,
	    from, to);
	rc = 0;
 out:
	free(section);
	free(rest);
	g_free(text);
	config_free(cf);
	return rc;
}
