/*
 * sink.c: the sink dispatcher, and the stdout and file sinks.
 *
 * sink_new() copies the config and hands the copy to the module of the
 * sink's type (sink_desktop, sink_webhook, sink_email, sink_exec), which
 * borrows it for its lifetime; sink_send() and sink_free() dispatch to it.
 *
 * stdout and file write SPEC section 5 JSON lines.  The file sink opens
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

#include "log.h"
#include "sink_desktop.h"
#include "sink_email.h"
#include "sink_exec.h"
#include "sink_webhook.h"
#include "xmalloc.h"

struct sink {
	struct sink_conf	 conf;
	struct sink_env		 env;
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
		break;
	case SINK_FILE:
		if ((ok = c->path != NULL) == 0)
			snprintf(err, errlen, "a file sink needs a path");
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

const char *
sink_alerts_topic(const json_t *arr)
{
	const char	*t = jstr(json_array_get(arr, 0), "topic"), *o;
	size_t		 i;

	for (i = 1; t != NULL && i < json_array_size(arr); i++)
		if ((o = jstr(json_array_get(arr, i), "topic")) == NULL ||
		    strcmp(o, t) != 0)
			return NULL;
	return t;
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

/* One write(2) per line: concurrent appenders never interleave within it. */
static int
write_line(int fd, const char *json)
{
	size_t	 len = strlen(json);
	char	*line;
	ssize_t	 n;

	line = xmalloc(len + 1);
	memcpy(line, json, len);
	line[len] = '\n';
	n = write(fd, line, len + 1);
	free(line);
	return n == (ssize_t)(len + 1) ? 0 : -1;
}

static enum sink_result
write_lines(struct sink *s, const char *const *alerts, size_t n,
    char *err, size_t errlen)
{
	const char	*what = s->conf.path ? s->conf.path : "stdout";
	size_t		 i;
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
	for (i = 0; i < n; i++)
		if (write_line(fd, alerts[i]) == -1) {
			snprintf(err, errlen, "write '%s': %s", what,
			    strerror(errno));
			goto out;
		}
	rc = SINK_DELIVERED;
 out:
	if (s->conf.type == SINK_FILE)
		close(fd);
	return rc;
}

int
sink_send(struct sink *s, const char *const *alerts, size_t n,
    sink_done_cb *done, void *arg)
{
	enum sink_result	 r;
	char			 err[512] = "";

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
	r = write_lines(s, alerts, n, err, sizeof(err));
	if (r != SINK_DELIVERED)
		log_warnx("sink '%s': %s", s->conf.name, err);
	sink_done_later(&s->env, done, arg, r, -1, r == SINK_DELIVERED ?
	    NULL : err);
	return 0;
}
