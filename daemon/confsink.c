/* confsink.c: the [sink NAME] sections, type by type. */
#include "confsink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "confval.h"
#include "inifile.h"
#include "sink.h"
#include "url.h"
#include "xmalloc.h"

/* The keys of each type, beside 'type'. */
struct sink_kind {
	const char		*name;
	enum sink_type		 type;
	const char *const	 keys[10];
};

#define CA_FILE_HINT	"give a PEM file of CA certificates"

static const struct sink_kind sink_kinds[] = {
	{ "stdout", SINK_STDOUT, { "format", NULL } },
	{ "file", SINK_FILE, { "path", "format", NULL } },
	{ "desktop", SINK_DESKTOP, { "urgency", NULL } },
	{ "webhook", SINK_WEBHOOK, { "url", "format", "secret", "secret-file",
	    "ca-file", NULL } },
	{ "email", SINK_EMAIL, { "smtp", "username", "password",
	    "password-file", "from", "to", "ca-file", NULL } },
	{ "exec", SINK_EXEC, { "command", "timeout", NULL } },
};

void
confsink_load(struct inifile *ini, const char *group, const char *name,
    struct sink_conf *s)
{
	const struct sink_kind	*kind = NULL;
	const char		*allowed[12];
	struct config_list	 list;
	char			*v, *what, *shown, *subject;
	int			 line = inifile_line(ini, group, NULL);
	size_t			 i;
	GError			*gerr = NULL;
	gchar			**argv;
	gint			 argc;

	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->line = line;
	if ((v = inifile_get(ini, group, "type")) == NULL) {
		inifile_error(ini, line, "sink '%s': no type (stdout, file, "
		    "desktop, webhook, email or exec)", name);
		return;
	}
	for (i = 0; i < sizeof(sink_kinds) / sizeof(sink_kinds[0]); i++)
		if (strcmp(v, sink_kinds[i].name) == 0)
			kind = &sink_kinds[i];
	if (kind == NULL) {
		inifile_key_error(ini, group, "type", "sink '%s': unknown type "
		    "'%s' (stdout, file, desktop, webhook, email or exec)",
		    name, v);
		free(v);
		return;
	}
	free(v);
	s->type = kind->type;
	allowed[0] = "type";
	for (i = 0; kind->keys[i] != NULL; i++)
		allowed[i + 1] = kind->keys[i];
	allowed[i + 1] = NULL;
	what = xasprintf("a sink of type %s", kind->name);
	inifile_check_keys(ini, group, what, allowed);
	free(what);
	subject = xasprintf("sink '%s'", name);
	switch (s->type) {
	case SINK_FILE:
		if ((s->path = inifile_get(ini, group, "path")) == NULL)
			inifile_error(ini, line, "sink '%s': a file sink needs "
			    "'path = FILE'", name);
		/* FALLTHROUGH */
	case SINK_STDOUT:
		if ((s->format = inifile_get(ini, group, "format")) != NULL &&
		    strcmp(s->format, "json") != 0 &&
		    strcmp(s->format, "text") != 0)
			inifile_key_error(ini, group, "format", "sink '%s': "
			    "format '%s' is not json or text", name, s->format);
		break;
	case SINK_DESKTOP:
		if ((s->urgency = inifile_get(ini, group, "urgency")) != NULL &&
		    strcmp(s->urgency, "low") != 0 &&
		    strcmp(s->urgency, "normal") != 0 &&
		    strcmp(s->urgency, "critical") != 0)
			inifile_key_error(ini, group, "urgency", "sink '%s': "
			    "urgency '%s' is not low, normal or critical",
			    name, s->urgency);
		break;
	case SINK_WEBHOOK:
		if ((s->url = inifile_get(ini, group, "url")) == NULL)
			inifile_error(ini, line, "sink '%s': a webhook needs "
			    "'url = https://...'", name);
		else if (g_ascii_strncasecmp(s->url, "http://", 7) != 0 &&
		    g_ascii_strncasecmp(s->url, "https://", 8) != 0) {
			shown = url_redact(s->url);
			inifile_key_error(ini, group, "url", "sink '%s': url "
			    "'%s' is not an http or https URL", name, shown);
			free(shown);
		}
		if ((s->format = inifile_get(ini, group, "format")) != NULL &&
		    strcmp(s->format, "json") != 0 &&
		    strcmp(s->format, "slack") != 0 &&
		    strcmp(s->format, "discord") != 0 &&
		    strcmp(s->format, "mattermost") != 0 &&
		    strcmp(s->format, "ntfy") != 0 &&
		    strcmp(s->format, "matrix") != 0)
			inifile_key_error(ini, group, "format", "sink '%s': "
			    "format '%s' is not json, slack, discord, "
			    "mattermost, ntfy or matrix", name, s->format);
		s->secret = confval_get_secret(ini, group, subject, "secret");
		s->ca_file = confval_get_file(ini, group, subject, "ca-file",
		    CA_FILE_HINT);
		break;
	case SINK_EMAIL:
		if ((s->smtp = inifile_get(ini, group, "smtp")) == NULL)
			inifile_error(ini, line, "sink '%s': an email sink "
			    "needs 'smtp = smtp://HOST:PORT' or smtps://",
			    name);
		else if (g_ascii_strncasecmp(s->smtp, "smtp://", 7) != 0 &&
		    g_ascii_strncasecmp(s->smtp, "smtps://", 8) != 0) {
			shown = url_redact(s->smtp);
			inifile_key_error(ini, group, "smtp", "sink '%s': smtp "
			    "'%s' is not an smtp:// or smtps:// URL", name,
			    shown);
			free(shown);
		}
		s->username = inifile_get(ini, group, "username");
		s->password = confval_get_secret(ini, group, subject,
		    "password");
		if ((s->from = inifile_get(ini, group, "from")) == NULL)
			inifile_error(ini, line, "sink '%s': an email sink "
			    "needs 'from = ADDRESS'", name);
		memset(&list, 0, sizeof(list));
		confval_get_list(ini, group, "to", &list);
		s->to = list.v;
		s->nto = list.n;
		if (s->nto == 0)
			inifile_error(ini, line, "sink '%s': an email sink "
			    "needs 'to = ADDRESS, ...'", name);
		s->ca_file = confval_get_file(ini, group, subject, "ca-file",
		    CA_FILE_HINT);
		break;
	case SINK_EXEC:
		if ((v = inifile_get(ini, group, "command")) == NULL) {
			inifile_error(ini, line, "sink '%s': an exec sink "
			    "needs 'command = PROGRAM ARGS...'", name);
		} else if (!g_shell_parse_argv(v, &argc, &argv, &gerr)) {
			inifile_key_error(ini, group, "command", "sink '%s': "
			    "command: %s", name, gerr->message);
			g_clear_error(&gerr);
		} else {
			s->command = xcalloc(argc + 1, sizeof(char *));
			for (i = 0; i < (size_t)argc; i++)
				s->command[i] = xstrdup(argv[i]);
			s->ncommand = argc;
			g_strfreev(argv);
		}
		free(v);
		s->timeout = 30;
		confval_get_duration(ini, group, "timeout", &s->timeout);
		break;
	}
	free(subject);
}

void
confsink_release(struct sink_conf *s)
{
	struct config_list	 list;

	free(s->name);
	free(s->url);
	free(s->format);
	free(s->secret);
	free(s->ca_file);
	free(s->smtp);
	free(s->username);
	free(s->password);
	free(s->from);
	list.v = s->to;
	list.n = s->nto;
	confval_list_free(&list);
	free(s->urgency);
	free(s->path);
	list.v = s->command;
	list.n = s->ncommand;
	confval_list_free(&list);
}
