/* mute.c: a topic's mute, set and lifted beside the daemon (mute.h). */
#include "mute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "config.h"
#include "confval.h"
#include "duration.h"
#include "show.h"
#include "store.h"

static const char *const usage_mute =
    "usage: feedwatch mute [-c FILE] TOPIC [for DURATION]\n"
    "Mutes a topic, in the running daemon too, until 'feedwatch unmute\n"
    "TOPIC', or for DURATION (as in 2h).  Its matches meanwhile do not\n"
    "alert, then or later.\n";
static const char *const usage_unmute =
    "usage: feedwatch unmute [-c FILE] TOPIC\n"
    "Lifts a topic's mute: what it matches from now on alerts again.\n";

/*
 * The operands after the options: TOPIC, and unless 'secs' is NULL an
 * optional "for DURATION", into '*secs'.  NULL after a usage error.
 */
static const char *
operands(const struct cmdline *cl, int argc, char **argv, long *secs)
{
	int	 n = argc - optind;

	if (secs != NULL && n == 3 && strcmp(argv[optind + 1], "for") == 0) {
		if (confval_duration(argv[optind + 2], secs) == -1 ||
		    *secs == 0) {
			fprintf(stderr, "feedwatch: mute: '%s' is not a "
			    "duration (as in 30m, 2h or 7d)\n",
			    argv[optind + 2]);
			return NULL;
		}
		return argv[optind];
	}
	if (n != 1) {
		cmdline_usage(cl);
		return NULL;
	}
	return argv[optind];
}

/* The config's state, opened to write a control row beside the daemon. */
static struct store *
control_state(const struct config *cf)
{
	struct store	*st;
	char		*path;

	path = store_location(cf->daemon.state);
	st = store_open(path, STORE_CONTROL);
	free(path);
	return st;
}

int
cmd_mute(int argc, char **argv)
{
	struct cmdline	 cl = { .usage = usage_mute, .optstring = "c:vqh" };
	const struct config_topic *t;
	struct config	*cf = NULL;
	struct store	*st = NULL;
	const char	*topic;
	char		 when[32];
	time_t		 now = time(NULL), until = 0;
	long		 secs = 0;
	int		 rc = 2;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if ((topic = operands(&cl, argc, argv, &secs)) == NULL ||
	    (cf = cmdline_config(&cl)) == NULL)
		goto out;
	if ((t = config_topic_find(cf, topic)) == NULL) {
		fprintf(stderr, "feedwatch: no topic '%s' in %s\n", topic,
		    cf->path);
		goto out;
	}
	rc = 1;
	if (secs > 0)
		until = duration_after(now, secs);
	if ((st = control_state(cf)) == NULL ||
	    store_mute(st, topic, until, now) == -1 || store_flush(st) == -1)
		goto out;
	if (until == 0)
		printf("topic '%s': muted until 'feedwatch unmute %s'\n", topic,
		    topic);
	else {
		show_time(until, 0, when, sizeof(when));
		printf("topic '%s': muted for %s, until %s\n", topic,
		    argv[optind + 2], when);
	}
	if (t->disabled)
		printf("topic '%s': disabled in %s as well (enabled = no)\n",
		    topic, cf->path);
	rc = 0;
 out:
	store_close(st);
	config_free(cf);
	return rc;
}

int
cmd_unmute(int argc, char **argv)
{
	struct cmdline	 cl = { .usage = usage_unmute, .optstring = "c:vqh" };
	struct config	*cf = NULL;
	struct store	*st = NULL;
	const char	*topic;
	int		 rc = 2, was;

	if (cmdline_getopt(&cl, argc, argv) == CMDLINE_EXIT)
		return cl.status;
	if ((topic = operands(&cl, argc, argv, NULL)) == NULL ||
	    (cf = cmdline_config(&cl)) == NULL)
		goto out;
	/* A topic since removed from the config may still be muted. */
	rc = 1;
	if ((st = control_state(cf)) == NULL ||
	    (was = store_unmute(st, topic, time(NULL))) == -1 ||
	    store_flush(st) == -1)
		goto out;
	printf("topic '%s': %s\n", topic, was ? "unmuted" : "was not muted");
	rc = 0;
 out:
	store_close(st);
	config_free(cf);
	return rc;
}
