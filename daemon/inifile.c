/* inifile.c: GKeyFile, plus a scan of the raw lines that locates every key. */
#include "inifile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "xmalloc.h"

/* An error waiting for inifile_report(). */
struct inierror {
	int		 line;
	int		 seq;		/* keeps one line's errors in order */
	char		*msg;
};

struct inifile {
	char		*path;
	GKeyFile	*kf;
	GHashTable	*lines;		/* "section\nkey", "section" -> line */
	gchar		**sections;	/* NULL unless GKeyFile read the text */
	GArray		*pending;	/* struct inierror, not yet printed */
	int		 errors;
};

static void	verror(struct inifile *, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static void
verror(struct inifile *ini, int line, const char *fmt, va_list ap)
{
	struct inierror	 e;

	e.line = line;
	e.seq = ini->errors++;
	e.msg = g_strdup_vprintf(fmt, ap);
	g_array_append_val(ini->pending, e);
}

static void
clear_error(gpointer p)
{
	g_free(((struct inierror *)p)->msg);
}

static gint
by_line(gconstpointer a, gconstpointer b)
{
	const struct inierror	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
inifile_report(struct inifile *ini)
{
	struct inierror	*e;
	guint		 i;

	g_array_sort(ini->pending, by_line);
	for (i = 0; i < ini->pending->len; i++) {
		e = &g_array_index(ini->pending, struct inierror, i);
		if (e->line > 0)
			fprintf(stderr, "%s:%d: %s\n", ini->path, e->line,
			    e->msg);
		else
			fprintf(stderr, "%s: %s\n", ini->path, e->msg);
	}
	g_array_set_size(ini->pending, 0);
}

void
inifile_error(struct inifile *ini, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verror(ini, line, fmt, ap);
	va_end(ap);
}

int
inifile_line(const struct inifile *ini, const char *section, const char *key)
{
	char	*k;
	int	 line;

	k = key ? xasprintf("%s\n%s", section, key) : xstrdup(section);
	line = GPOINTER_TO_INT(g_hash_table_lookup(ini->lines, k));
	free(k);
	return line;
}

void
inifile_key_error(struct inifile *ini, const char *section, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verror(ini, inifile_line(ini, section, key), fmt, ap);
	va_end(ap);
}

/*
 * The first pass: one entry per section and key with its line, and the
 * structural errors GKeyFile would report without a line or not at all.
 */
static void
scan_lines(struct inifile *ini, const char *text)
{
	const char	*p = text, *eol;
	char		*group = NULL, *line, *eq, *key;
	int		 n = 0;

	for (; *p != '\0'; p = *eol ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		n++;
		line = g_strstrip(xstrndup(p, eol - p));
		if (!g_utf8_validate(line, -1, NULL))
			inifile_error(ini, n, "line is not valid UTF-8");
		else if (*line == '\0' || *line == '#')
			;
		else if (*line == '[') {
			if (line[strlen(line) - 1] != ']') {
				inifile_error(ini, n, "section header lacks "
				    "its ']'");
				free(group);
				group = NULL;
			} else {
				line[strlen(line) - 1] = '\0';
				free(group);
				group = xstrdup(line + 1);
				if (g_hash_table_contains(ini->lines, group))
					inifile_error(ini, n, "section [%s] "
					    "appears again (first at line %d)",
					    group, inifile_line(ini, group,
					    NULL));
				else
					g_hash_table_insert(ini->lines,
					    xstrdup(group), GINT_TO_POINTER(n));
			}
		} else if ((eq = strchr(line, '=')) == NULL || eq == line)
			inifile_error(ini, n, "expected 'key = value', "
			    "'[section]' or a '#' comment");
		else if (group == NULL)
			inifile_error(ini, n, "key outside any section: put it "
			    "under [daemon], [feed NAME], [topic NAME], [alias "
			    "NAME] or [sink NAME]");
		else {
			*eq = '\0';
			g_strchomp(line);
			key = xasprintf("%s\n%s", group, line);
			if (strchr(line, '[') != NULL)
				inifile_error(ini, n, "key '%s': localized "
				    "keys are not supported", line);
			else if (g_hash_table_contains(ini->lines, key))
				inifile_error(ini, n, "key '%s' appears again "
				    "in [%s] (first at line %d)", line, group,
				    inifile_line(ini, group, line));
			g_hash_table_insert(ini->lines, key,
			    GINT_TO_POINTER(n));
		}
		free(line);
	}
	free(group);
}

/* The line of 'text' that 'p' is on. */
static int
line_of(const char *text, const char *p)
{
	int	 n = 1;

	for (; text < p; text++)
		n += *text == '\n';
	return n;
}

struct inifile *
inifile_new(const char *path, const char *text, size_t len)
{
	struct inifile	*ini;
	GError		*gerr = NULL;
	const char	*nul;

	ini = xcalloc(1, sizeof(*ini));
	ini->path = xstrdup(path);
	ini->lines = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
	ini->kf = g_key_file_new();
	ini->pending = g_array_new(FALSE, FALSE, sizeof(struct inierror));
	g_array_set_clear_func(ini->pending, clear_error);
	if ((nul = memchr(text, '\0', len)) != NULL) {
		inifile_error(ini, line_of(text, nul), "the config holds a NUL "
		    "byte: is it a text file?");
		return ini;
	}
	scan_lines(ini, text);
	if (ini->errors > 0)
		return ini;
	if (!g_key_file_load_from_data(ini->kf, text, len, G_KEY_FILE_NONE,
	    &gerr)) {
		/* The line scan rejects what GKeyFile does; this is a backstop. */
		inifile_error(ini, 0, "%s", gerr->message);
		g_clear_error(&gerr);
		return ini;
	}
	ini->sections = g_key_file_get_groups(ini->kf, NULL);
	return ini;
}

void
inifile_free(struct inifile *ini)
{
	if (ini == NULL)
		return;
	g_array_free(ini->pending, TRUE);
	g_strfreev(ini->sections);
	g_key_file_free(ini->kf);
	g_hash_table_destroy(ini->lines);
	free(ini->path);
	free(ini);
}

const char *
inifile_path(const struct inifile *ini)
{
	return ini->path;
}

int
inifile_errors(const struct inifile *ini)
{
	return ini->errors;
}

const char *const *
inifile_sections(const struct inifile *ini)
{
	static const char *const none[] = { NULL };

	return ini->sections != NULL ? (const char *const *)ini->sections :
	    none;
}

int
inifile_has_section(const struct inifile *ini, const char *section)
{
	return g_key_file_has_group(ini->kf, section);
}

char *
inifile_get(const struct inifile *ini, const char *section, const char *key)
{
	char	*v, *s;

	if ((v = g_key_file_get_value(ini->kf, section, key, NULL)) == NULL)
		return NULL;
	s = xstrdup(g_strstrip(v));
	g_free(v);
	return s;
}

char **
inifile_keys(const struct inifile *ini, const char *section, size_t *n)
{
	gchar	**keys;
	char	**v;
	size_t	  i;

	keys = g_key_file_get_keys(ini->kf, section, NULL, NULL);
	*n = keys != NULL ? g_strv_length(keys) : 0;
	v = xcalloc(*n + 1, sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = xstrdup(keys[i]);
	g_strfreev(keys);
	return v;
}

char *
inifile_resolve(const struct inifile *ini, const char *name)
{
	gchar	*base, *dir, *path;
	char	*s;

	base = g_path_get_dirname(ini->path);
	dir = g_canonicalize_filename(base, NULL);
	path = g_canonicalize_filename(name, dir);
	s = xstrdup(path);
	g_free(path);
	g_free(dir);
	g_free(base);
	return s;
}

/*
 * Whether 'key' is 'allowed', or, for an 'allowed' ending in '*', longer
 * than what precedes the '*' and starting with it.
 */
static int
key_allowed(const char *key, const char *allowed)
{
	size_t	 n = strlen(allowed);

	if (n > 0 && allowed[n - 1] == '*')
		return strncmp(key, allowed, n - 1) == 0 && key[n - 1] != '\0';
	return strcmp(key, allowed) == 0;
}

void
inifile_check_keys(struct inifile *ini, const char *section, const char *what,
    const char *const *allowed)
{
	gchar	**keys;
	size_t	  i, j;

	keys = g_key_file_get_keys(ini->kf, section, NULL, NULL);
	for (i = 0; keys != NULL && keys[i] != NULL; i++) {
		for (j = 0; allowed[j] != NULL; j++)
			if (key_allowed(keys[i], allowed[j]))
				break;
		if (allowed[j] == NULL)
			inifile_key_error(ini, section, keys[i], "unknown key "
			    "'%s' in %s", keys[i], what);
	}
	g_strfreev(keys);
}
