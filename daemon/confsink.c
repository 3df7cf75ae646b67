/* confsink.c: the [sink NAME] sections, type by type. */
#include "confsink.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Reads a secret from a file: the first line, without its newline, at most
 * 4 KiB (so that a path such as /dev/zero cannot exhaust memory).
 */
static char *
read_secret(struct inifile *ini, int line, const char *key, const char *path)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		inifile_error(ini, line, "%s '%s': %s", key, path,
		    strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f) == NULL) {
		inifile_error(ini, line, "%s '%s': the file is empty", key,
		    path);
		fclose(f);
		return NULL;
	}
	fclose(f);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return xstrdup(buf);
}

/*
 * A sink's secret: the value of 'key' ("password") or the first line of
 * the file that 'key'-file names, not both.  NULL if neither is given.
 */
static char *
load_secret(struct inifile *ini, const char *group, const char *name,
    const char *key)
{
	char	*secret, *filekey, *file;

	secret = inifile_get(ini, group, key);
	filekey = xasprintf("%s-file", key);
	if ((file = inifile_get(ini, group, filekey)) != NULL) {
		if (secret != NULL)
			inifile_key_error(ini, group, filekey, "sink '%s': "
			    "give %s or %s, not both", name, key, filekey);
		else
			secret = read_secret(ini, inifile_line(ini, group,
			    filekey), filekey, file);
		free(file);
	}
	free(filekey);
	return secret;
}

/*
 * A sink's ca-file: relative to the config's directory, and a file that
 * can be read now, not a TLS error at the first alert.
 */
static char *
load_ca_file(struct inifile *ini, const char *group, const char *name)
{
	struct stat	 st;
	char		*v, *base, *dir, *path;
	int		 line = inifile_line(ini, group, "ca-file");

	if ((v = inifile_get(ini, group, "ca-file")) == NULL)
		return NULL;
	base = g_path_get_dirname(inifile_path(ini));
	dir = g_canonicalize_filename(base, NULL);
	path = g_canonicalize_filename(v, dir);
	if (stat(path, &st) == -1 || access(path, R_OK) == -1)
		inifile_error(ini, line, "sink '%s': ca-file '%s': %s", name,
		    path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		inifile_error(ini, line, "sink '%s': ca-file '%s' is not a "
		    "file (give a PEM file of CA certificates)", name, path);
	g_free(base);
	g_free(dir);
	free(v);
	v = xstrdup(path);
	g_free(path);
	return v;
}

void
confsink_load(struct inifile *ini, const char *group, const char *name,
    struct sink_conf *s)
{
	const struct sink_kind	*kind = NULL;
	const char		*allowed[12];
	struct config_list	 list;
	char			*v, *what, *shown;
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
		s->secret = load_secret(ini, group, name, "secret");
		s->ca_file = load_ca_file(ini, group, name);
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
		s->password = load_secret(ini, group, name, "password");
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
		s->ca_file = load_ca_file(ini, group, name);
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
