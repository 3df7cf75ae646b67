/* cmdline.c: the options, config and state every command starts from. */
#include "cmdline.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "item.h"
#include "log.h"
#include "match.h"
#include "store.h"
#include "xmalloc.h"

/* The most long options a command has of its own. */
#define CMDLINE_MAX_OWN	8

/*
 * The command's long options and the common ones, in 'all' (room for
 * CMDLINE_MAX_OWN + 4).
 */
static void
longopts_merge(const struct option *own, struct option *all)
{
	static const struct option common[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	size_t	 n = 0, i;

	for (; own != NULL && own->name != NULL; own++) {
		if (n == CMDLINE_MAX_OWN)
			fatalx("%s: more than %d options", __func__,
			    CMDLINE_MAX_OWN);
		all[n++] = *own;
	}
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		all[n++] = common[i];
}

int
cmdline_getopt(struct cmdline *cl, int argc, char **argv)
{
	struct option	 longopts[CMDLINE_MAX_OWN + 4];
	int		 ch;

	longopts_merge(cl->longopts, longopts);
	while ((ch = getopt_long(argc, argv, cl->optstring, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cl->config = optarg;
			break;
		case 'v':
			cl->verbosity++;
			break;
		case 'q':
			/* -q QUERY in match and backtest; --quiet there. */
			if (strstr(cl->optstring, "q:") != NULL)
				return ch;
			cl->verbosity--;
			break;
		case 'Q':
			cl->verbosity--;
			break;
		case 'h':
			fputs(cl->usage, stdout);
			cl->status = 0;
			return CMDLINE_EXIT;
		case '?':
			cl->status = cmdline_usage(cl);
			return CMDLINE_EXIT;
		default:
			return ch;
		}
	}
	log_init(cl->verbosity);
	return CMDLINE_END;
}

int
cmdline_usage(const struct cmdline *cl)
{
	fputs(cl->usage, stderr);
	return 2;
}

struct config *
cmdline_config(const struct cmdline *cl)
{
	struct config	*cf;
	char		*path;

	if ((path = config_find(cl->config)) == NULL)
		return NULL;
	cf = config_load(path);
	free(path);
	return cf;
}

struct store *
cmdline_state(const struct config *cf, const char *none)
{
	struct store	*st = NULL;
	char		*path;

	path = store_location(cf->daemon.state);
	if (access(path, F_OK) == -1)
		fprintf(stderr, "feedwatch: no state at '%s' yet: %s\n", path,
		    none);
	else
		st = store_open(path, STORE_READ);
	free(path);
	return st;
}

char *
cmdline_match_json(const struct match *m, const char *feed,
    const struct feed_item *it, const char *priority, char *id)
{
	struct alert	 a;
	char		*json;

	memset(&a, 0, sizeof(a));
	a.topic = m->topic;
	a.query = m->query;
	a.priority = priority;
	a.feed = feed;
	a.feed_title = it->feed_title;
	a.item = it;
	a.matched = m->words;
	a.nmatched = m->nwords;
	a.matched_in = m->fields;
	a.nmatched_in = m->nfields;
	a.snippet = m->snippet;
	a.detected = time(NULL);
	alert_set_id(&a);
	memcpy(id, a.id, sizeof(a.id));
	if ((json = alert_to_json(&a)) == NULL)
		log_warnx("'%s': alert for item '%s' cannot be encoded", feed,
		    it->id);
	return json;
}

int
cmdline_print_match(const struct match *m, const char *feed,
    const struct feed_item *it, const char *priority)
{
	char	*json, id[ALERT_ID_LEN + 1];

	if ((json = cmdline_match_json(m, feed, it, priority, id)) == NULL)
		return -1;
	puts(json);
	free(json);
	return 0;
}
