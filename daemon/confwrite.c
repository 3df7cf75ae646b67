/* confwrite.c: a [feed] section rendered, and the config file replaced. */
#include "confwrite.h"

#include <sys/stat.h>

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
