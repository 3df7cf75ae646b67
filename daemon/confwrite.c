/* confwrite.c: a [feed] section rendered, and the config file replaced. */
#include "confwrite.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "config.h"
#include "confval.h"
#include "log.h"
#include "url.h"
#include "xmalloc.h"

/* What a tag may be: text with no comma, no control, no space at its ends. */
static int
tag_ok(const char *tag)
{
	const char	*p;
	gunichar	 c;

	if (*tag == '\0' || !g_utf8_validate(tag, -1, NULL) ||
	    g_unichar_isspace(g_utf8_get_char(tag)) ||
	    g_unichar_isspace(g_utf8_get_char(g_utf8_prev_char(tag +
	    strlen(tag)))))
		return 0;
	for (p = tag; *p != '\0'; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (c == ',' || g_unichar_iscntrl(c))
			return 0;
	}
	return 1;
}

char *
config_feed_section(const struct config_feed *f, char *err, size_t errlen)
{
	GString	*s;
	char	*r;
	size_t	 i;

	if (!confval_is_name(f->name)) {
		snprintf(err, errlen, "a feed name has letters, digits, '_', "
		    "'.' and '-' only");
		return NULL;
	}
	if (!url_is_web(f->url)) {
		snprintf(err, errlen, "feed '%s': only an http or https URL "
		    "with a host and no control characters, spaces or quotes "
		    "is written", f->name);
		return NULL;
	}
	for (i = 0; i < f->tags.n; i++)
		if (!tag_ok(f->tags.v[i])) {
			snprintf(err, errlen, "feed '%s': tag %zu is empty or "
			    "holds a comma, a control character or space at "
			    "an end", f->name, i + 1);
			return NULL;
		}
	s = g_string_new(NULL);
	g_string_append_printf(s, "[feed %s]\nurl = %s\n", f->name, f->url);
	for (i = 0; i < f->tags.n; i++)
		g_string_append_printf(s, "%s%s", i == 0 ? "tags = " : ", ",
		    f->tags.v[i]);
	if (f->tags.n > 0)
		g_string_append_c(s, '\n');
	r = xstrdup(s->str);
	g_string_free(s, TRUE);
	return r;
}

static int
write_all(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A temporary file beside the config, given its owner and mode before
 * anything is in it, written and synced, renamed over the config, and the
 * directory synced: a crash or a full disk leaves the old file or the new
 * one, never half of one, and never a config readable by more people than
 * before.
 */
int
config_replace(const char *path, const char *text)
{
	struct config	*cf;
	struct stat	 sb;
	const char	*what;
	char		*real = NULL, *dir = NULL, *base = NULL, *tmp = NULL;
	size_t		 len = strlen(text);
	int		 fd = -1, dfd = -1, saved, rc = -1;

	if ((cf = config_parse(path, text, len)) == NULL) {
		log_warnx("'%s' would not load after this change (see above); "
		    "it is unchanged", path);
		return -1;
	}
	config_free(cf);
	/* Through a symbolic link, the file it names is replaced. */
	what = "cannot find it";
	if ((real = realpath(path, NULL)) == NULL || stat(real, &sb) == -1)
		goto fail;
	dir = g_path_get_dirname(real);
	base = g_path_get_basename(real);
	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	what = "cannot create a temporary file beside it";
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	what = "cannot give its new copy the owner and mode of the old";
	if (fchown(fd, sb.st_uid, sb.st_gid) == -1 ||
	    fchmod(fd, sb.st_mode & 07777) == -1)
		goto fail;
	what = "cannot write its new copy";
	if (write_all(fd, text, len) == -1 || fsync(fd) == -1)
		goto fail;
	saved = close(fd);
	fd = -1;
	if (saved == -1)
		goto fail;
	what = "cannot rename its new copy over it";
	if (rename(tmp, real) == -1)
		goto fail;
	free(tmp);
	tmp = NULL;
	what = "replaced, but syncing its directory failed, so the change may "
	    "not survive a crash";
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		log_warn("'%s': %s", path, what);
		goto out;
	}
	rc = 0;
	goto out;
 fail:
	saved = errno;
	if (tmp != NULL)
		unlink(tmp);
	log_warnx("'%s': %s: %s; it is unchanged", path, what,
	    strerror(saved));
 out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	g_free(base);
	g_free(dir);
	free(real);
	return rc;
}

char *
config_read_text(const char *path)
{
	GError	*gerr = NULL;
	gchar	*text;

	if (!g_file_get_contents(path, &text, NULL, &gerr)) {
		log_warnx("'%s': cannot read the config: %s", path,
		    gerr != NULL ? gerr->message : "?");
		g_clear_error(&gerr);
		return NULL;
	}
	return text;
}

int
config_append_feeds(const struct config *cf, size_t first,
    const char *comment)
{
	GString		*text;
	const char	*p;
	char		*old, *section, err[256];
	size_t		 i;
	int		 rc = -1;

	if ((old = config_read_text(cf->path)) == NULL)
		return -1;
	text = g_string_new(old);
	if (text->len > 0 && text->str[text->len - 1] != '\n')
		g_string_append_c(text, '\n');
	g_string_append(text, "\n# ");
	for (p = comment; *p != '\0'; p++)
		g_string_append_c(text, iscntrl((unsigned char)*p) ? '?' : *p);
	g_string_append_c(text, '\n');
	for (i = first; i < cf->nfeeds; i++) {
		if ((section = config_feed_section(&cf->feeds[i], err,
		    sizeof(err))) == NULL) {
			log_warnx("'%s': %s; it is unchanged", cf->path, err);
			goto out;
		}
		g_string_append_printf(text, "\n%s", section);
		free(section);
	}
	rc = config_replace(cf->path, text->str);
 out:
	g_string_free(text, TRUE);
	g_free(old);
	return rc;
}

/* A line of the config as config_text_without() sees it. */
enum line_kind {
	L_BLANK,
	L_COMMENT,
	L_HEADER,	/* of another section */
	L_TARGET,	/* of the section to take out */
	L_OTHER		/* a key */
};

struct line {
	size_t		 start;		/* offset in the text */
	enum line_kind	 kind;
};

/* What the line 's' ('n' bytes) is, read as inifile.c reads it. */
static enum line_kind
line_kind(const char *s, size_t n, const char *section)
{
	enum line_kind	 kind;
	char		*line;
	size_t		 len;

	line = g_strstrip(xstrndup(s, n));
	len = strlen(line);
	if (len == 0)
		kind = L_BLANK;
	else if (line[0] == '#')
		kind = L_COMMENT;
	else if (line[0] == '[' && line[len - 1] == ']')
		kind = len == strlen(section) + 2 &&
		    strncmp(line + 1, section, len - 2) == 0 ? L_TARGET :
		    L_HEADER;
	else
		kind = L_OTHER;
	free(line);
	return kind;
}

char *
config_text_without(const char *text, const char *section, int *from,
    int *to)
{
	GArray		*a;
	struct line	 l, *v;
	const char	*p, *eol;
	char		*r = NULL;
	size_t		 n, t, next, s, e, j, cut, resume;

	a = g_array_new(FALSE, FALSE, sizeof(struct line));
	for (p = text; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = strchrnul(p, '\n');
		l.start = (size_t)(p - text);
		l.kind = line_kind(p, (size_t)(eol - p), section);
		g_array_append_val(a, l);
	}
	v = (struct line *)(void *)a->data;
	n = a->len;
	for (t = 0; t < n && v[t].kind != L_TARGET; t++)
		;
	if (t == n)
		goto out;
	/* Its lines: to its last key, with the comments right below. */
	for (next = t + 1; next < n && v[next].kind != L_HEADER; next++)
		;
	for (e = next; e > t + 1 && v[e - 1].kind != L_OTHER; e--)
		;
	for (j = e; j < next && v[j].kind == L_COMMENT; j++)
		;
	if (j < next || next == n)
		e = j;
	while (e < next && v[e].kind == L_BLANK)
		e++;
	s = t;
	while (s > 0 && v[s - 1].kind == L_COMMENT)
		s--;
	if (e == n)
		while (s > 0 && v[s - 1].kind == L_BLANK)
			s--;
	cut = v[s].start;
	resume = e < n ? v[e].start : strlen(text);
	r = xasprintf("%.*s%s", (int)cut, text, text + resume);
	*from = (int)s + 1;
	*to = (int)e;
 out:
	g_array_free(a, TRUE);
	return r;
}
