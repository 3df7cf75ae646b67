/*
 * sink.c: the sink dispatcher, and the stdout and file sinks.
 *
 * sink_new() copies the config and hands the copy to the module of the
 * sink's type (sink_desktop, sink_webhook, sink_email, sink_exec), which
 * borrows it for its lifetime; sink_send() and sink_free() dispatch to it.
 *
 * stdout and file write SPEC section 5 JSON lines, or with format = text
 * the lines of termtext.h, the default of a stdout that is a terminal
 * when the sink is made; colours only on that terminal, and never with
 * $NO_COLOR set (https://no-color.org) or TERM=dumb.  The file sink opens
 * its path in append mode for every delivery, so a log rotator may move
 * the file away at any time, and writes each line with one write(2), so
 * concurrent appenders never interleave inside a line.  Alerts are
 * private: it creates the file 0600 (an existing file keeps its mode).
 */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <glib.h>

#include "log.h"
#include "sink_desktop.h"
#include "sink_email.h"
#include "sink_exec.h"
#include "sink_webhook.h"
#include "termtext.h"
#include "xmalloc.h"

struct sink {
	struct sink_conf	 conf;
	struct sink_env		 env;
	int			 text;		/* stdout, file: as text */
	int			 colour;	/* ...in colour */
	/* The module for the type; none for stdout and file. */
	struct sink_desktop	*desktop;
	struct sink_webhook	*webhook;
	struct sink_email	*email;
	struct sink_exec	*exec;
};

struct later {
	sink_done_cb		*done;
	void			*arg;
	enum sink_result	 result;
	long			 retry_after;
	char			*error;
};

static const char *const type_names[] = {
	"stdout", "file", "desktop", "webhook", "email", "exec"
};

const char *
sink_type_name(enum sink_type type)
{
	return type_names[type];
}

static char **
strv_dup(char *const *v, size_t n)
{
	char	**d;
	size_t	  i;

	d = xcalloc(n + 1, sizeof(*d));
	for (i = 0; i < n; i++)
		d[i] = xstrdup(v[i]);
	return d;
}

static void
strv_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * stdout and file: the format, which for stdout without one is text on a
 * terminal and JSON lines elsewhere (a pipe, a file, the journal).
 */
static int
lines_open(struct sink *s, char *err, size_t errlen)
{
	const struct sink_conf	*c = &s->conf;
	const char		*nc = getenv("NO_COLOR");
	const char		*term = getenv("TERM");
	int			 tty;

	if (c->type == SINK_FILE && c->path == NULL) {
		snprintf(err, errlen, "a file sink needs a path");
		return 0;
	}
	if (c->format != NULL && strcmp(c->format, "json") != 0 &&
	    strcmp(c->format, "text") != 0) {
		snprintf(err, errlen, "format '%s' is not json or text",
		    c->format);
		return 0;
	}
	tty = c->type == SINK_STDOUT && isatty(STDOUT_FILENO);
	s->text = c->format != NULL ? strcmp(c->format, "text") == 0 : tty;
	s->colour = s->text && tty && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
	return 1;
}

struct sink *
sink_new(const struct sink_conf *conf, const struct sink_env *env,
    char *err, size_t errlen)
{
	struct sink		*s;
	struct sink_conf	*c;
	int			 ok = 1;

	s = xcalloc(1, sizeof(*s));
	s->env = *env;
	c = &s->conf;
	c->name = xstrdup(conf->name);
	c->type = conf->type;
	c->url = dup_or_null(conf->url);
	c->format = dup_or_null(conf->format);
	c->secret = dup_or_null(conf->secret);
	c->ca_file = dup_or_null(conf->ca_file);
	c->smtp = dup_or_null(conf->smtp);
	c->username = dup_or_null(conf->username);
	c->password = dup_or_null(conf->password);
	c->from = dup_or_null(conf->from);
	c->to = strv_dup(conf->to, conf->nto);
	c->nto = conf->nto;
	c->urgency = dup_or_null(conf->urgency);
	c->path = dup_or_null(conf->path);
	c->command = strv_dup(conf->command, conf->ncommand);
	c->ncommand = conf->ncommand;
	c->timeout = conf->timeout;
	c->line = conf->line;
	switch (c->type) {
	case SINK_STDOUT:
	case SINK_FILE:
		ok = lines_open(s, err, errlen);
		break;
	case SINK_DESKTOP:
		ok = (s->desktop = sink_desktop_new(c, env, err, errlen)) !=
		    NULL;
		break;
	case SINK_WEBHOOK:
		ok = (s->webhook = sink_webhook_new(c, env, err, errlen)) !=
		    NULL;
		break;
	case SINK_EMAIL:
		ok = (s->email = sink_email_new(c, env, err, errlen)) != NULL;
		break;
	case SINK_EXEC:
		ok = (s->exec = sink_exec_new(c, env, err, errlen)) != NULL;
		break;
	}
	if (!ok) {
		sink_free(s);
		return NULL;
	}
	return s;
}

void
sink_free(struct sink *s)
{
	struct sink_conf	*c;

	if (s == NULL)
		return;
	/* The modules borrow the conf: free them first. */
	sink_desktop_free(s->desktop);
	sink_webhook_free(s->webhook);
	sink_email_free(s->email);
	sink_exec_free(s->exec);
	c = &s->conf;
	free(c->name);
	free(c->url);
	free(c->format);
	free(c->secret);
	free(c->ca_file);
	free(c->smtp);
	free(c->username);
	free(c->password);
	free(c->from);
	strv_free(c->to, c->nto);
	free(c->urgency);
	free(c->path);
	strv_free(c->command, c->ncommand);
	free(s);
}

const char *
sink_name(const struct sink *s)
{
	return s->conf.name;
}

int
sink_per_alert(const struct sink *s)
{
	return s->conf.type == SINK_WEBHOOK && (s->conf.format == NULL ||
	    strcmp(s->conf.format, "json") == 0);
}

static void
on_later(evutil_socket_t fd, short what, void *arg)
{
	struct later	*l = arg;

	l->done(l->result, l->retry_after, l->error, l->arg);
	free(l->error);
	free(l);
}

void
sink_done_later(const struct sink_env *env, sink_done_cb *done, void *arg,
    enum sink_result result, long retry_after, const char *error)
{
	struct later		*l;
	const struct timeval	 now = { 0, 0 };

	l = xcalloc(1, sizeof(*l));
	l->done = done;
	l->arg = arg;
	l->result = result;
	l->retry_after = retry_after;
	l->error = dup_or_null(error);
	if (event_base_once(env->base, -1, EV_TIMEOUT, on_later, l,
	    &now) == -1)
		fatalx("%s: cannot schedule a callback", __func__);
}

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

json_t *
sink_alerts_parse(const char *name, const char *const *alerts, size_t n)
{
	json_t		*arr = json_array(), *a;
	json_error_t	 jerr;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((a = json_loads(alerts[i], 0, &jerr)) == NULL ||
		    !json_is_object(a)) {
			log_warnx("sink '%s': alert %zu is not a JSON object%s"
			    "%s", name, i, a ? "" : ": ", a ? "" : jerr.text);
			json_decref(a);
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, a);
	}
	if (n == 0) {
		log_warnx("sink '%s': nothing to send", name);
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* Appends the string 's' to the array 'set' unless it is there. */
static void
set_add(json_t *set, const char *s)
{
	const json_t	*v;
	size_t		 i;

	if (s == NULL)
		return;
	json_array_foreach(set, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(set, json_string(s));
}

/* Appends each string of the array 'v' to 'set', as set_add() does. */
static void
set_add_all(json_t *set, const json_t *v)
{
	size_t	 i;

	for (i = 0; i < json_array_size(v); i++)
		set_add(set, json_string_value(json_array_get(v, i)));
}

/* The priority of alert 'a': normal unless it says high or low. */
static enum sink_priority
priority_of(const json_t *a)
{
	const char	*v = jstr(a, "priority");

	if (g_strcmp0(v, "high") == 0)
		return SINK_PRIORITY_HIGH;
	if (g_strcmp0(v, "low") == 0)
		return SINK_PRIORITY_LOW;
	return SINK_PRIORITY_NORMAL;
}

static int
same_item(const json_t *a, const json_t *b)
{
	const char	*fa = jstr(a, "feed"), *fb = jstr(b, "feed");
	const char	*ia = jstr(a, "id"), *ib = jstr(b, "id");

	return fa != NULL && fb != NULL && ia != NULL && ib != NULL &&
	    strcmp(fa, fb) == 0 && strcmp(ia, ib) == 0;
}

json_t *
sink_alerts_items(const json_t *arr)
{
	static const char *const keys[] = { "matched", "matched_in",
	    "also_in" };
	json_t		*items = json_array(), *it, *a;
	size_t		 i, j, k;

	for (i = 0; i < json_array_size(arr); i++) {
		a = json_array_get(arr, i);
		for (j = 0; (it = json_array_get(items, j)) != NULL; j++)
			if (same_item(it, a))
				break;
		if (it == NULL) {
			it = json_deep_copy(a);
			json_object_set_new(it, "topics", json_array());
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				json_object_set_new(it, keys[k], json_array());
			json_array_append_new(items, it);
		}
		set_add(json_object_get(it, "topics"), jstr(a, "topic"));
		if (priority_of(a) > priority_of(it))
			json_object_set_new(it, "priority", json_string(
			    jstr(a, "priority") ? jstr(a, "priority") : "normal"));
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			set_add_all(json_object_get(it, keys[k]),
			    json_object_get(a, keys[k]));
	}
	return items;
}

json_t *
sink_items_topics(const json_t *items)
{
	json_t	*topics = json_array();
	size_t	 i;

	for (i = 0; i < json_array_size(items); i++)
		set_add_all(topics, json_object_get(json_array_get(items, i),
		    "topics"));
	return topics;
}

enum sink_priority
sink_alerts_priority(const json_t *arr)
{
	enum sink_priority	 p = SINK_PRIORITY_LOW, q;
	size_t			 i;

	for (i = 0; i < json_array_size(arr); i++)
		if ((q = priority_of(json_array_get(arr, i))) > p)
			p = q;
	return p;
}

const char *
sink_alert_title(const json_t *a)
{
	const char	*t = jstr(a, "title");

	return t != NULL && *t != '\0' ? t : "(untitled)";
}

int
sink_alert_in_article(const json_t *a)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(json_object_get(a, "matched_in"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v),
		    "body") == 0)
			return 1;
	return 0;
}

/*
 * What a send writes: its JSON lines, or its text; one write(2) then
 * keeps concurrent appenders from interleaving inside it.  NULL (logged)
 * if text cannot be made of an alert that is not a JSON object.
 */
static char *
lines_of(struct sink *s, const char *const *alerts, size_t n)
{
	GString	*g;
	json_t	*arr;
	char	*text;
	size_t	 i;

	if (s->text) {
		if ((arr = sink_alerts_parse(s->conf.name, alerts, n)) == NULL)
			return NULL;
		text = termtext_render(arr, s->colour);
		json_decref(arr);
		return text;
	}
	g = g_string_new(NULL);
	for (i = 0; i < n; i++) {
		g_string_append(g, alerts[i]);
		g_string_append_c(g, '\n');
	}
	text = xstrdup(g->str);
	g_string_free(g, TRUE);
	return text;
}

static enum sink_result
write_lines(struct sink *s, const char *text, char *err, size_t errlen)
{
	const char	*what = s->conf.path ? s->conf.path : "stdout";
	size_t		 len = strlen(text);
	int		 fd = STDOUT_FILENO;
	enum sink_result rc = SINK_RETRY;

	if (s->conf.type == SINK_FILE && (s->conf.path == NULL ||
	    (fd = open(s->conf.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1)) {
		snprintf(err, errlen, "open '%s': %s", what, strerror(errno));
		return rc;
	}
	if (s->conf.type == SINK_STDOUT)
		fflush(stdout);
	if (write(fd, text, len) != (ssize_t)len)
		snprintf(err, errlen, "write '%s': %s", what, strerror(errno));
	else
		rc = SINK_DELIVERED;
	if (s->conf.type == SINK_FILE)
		close(fd);
	return rc;
}

int
sink_send(struct sink *s, const char *const *alerts, size_t n,
    sink_done_cb *done, void *arg)
{
	enum sink_result	 r;
	char			 err[512] = "", *text;

	switch (s->conf.type) {
	case SINK_STDOUT:
	case SINK_FILE:
		break;
	case SINK_DESKTOP:
		return sink_desktop_send(s->desktop, alerts, n, done, arg);
	case SINK_WEBHOOK:
		return sink_webhook_send(s->webhook, alerts, n, done, arg);
	case SINK_EMAIL:
		return sink_email_send(s->email, alerts, n, done, arg);
	case SINK_EXEC:
		return sink_exec_send(s->exec, alerts, n, done, arg);
	}
	if ((text = lines_of(s, alerts, n)) == NULL)
		return -1;
	r = write_lines(s, text, err, sizeof(err));
	free(text);
	if (r != SINK_DELIVERED)
		log_warnx("sink '%s': %s", s->conf.name, err);
	sink_done_later(&s->env, done, arg, r, -1, r == SINK_DELIVERED ?
	    NULL : err);
	return 0;
}
