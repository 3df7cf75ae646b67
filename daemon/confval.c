/* confval.c: the config's value parsers, and keys read through them. */
#include "confval.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "inifile.h"
#include "xmalloc.h"

static int
parse_long(const char *s, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

int
confval_duration(const char *s, long *out)
{
	char	*end;
	long	 v, mul;
	int	 huge;

	errno = 0;
	v = strtol(s, &end, 10);
	huge = errno == ERANGE;
	if (end == s || v < 0)
		goto bad;
	if (*end == '\0')
		mul = v == 0 ? 1 : -1;
	else if (end[1] != '\0')
		mul = -1;
	else
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: mul = -1; break;
		}
	if (mul < 0)
		goto bad;
	if (huge || v > CONFVAL_MAX_DURATION / mul) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mul;
	return 0;
 bad:
	errno = EINVAL;
	return -1;
}

int
confval_size(const char *s, long *out)
{
	char	*end;
	long	 v, mul = 1;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' && strcmp(end + 1, "B") != 0 &&
		    strcmp(end + 1, "iB") != 0)
			return -1;
		switch (*end) {
		case 'K': case 'k': mul = 1L << 10; break;
		case 'M': mul = 1L << 20; break;
		case 'G': mul = 1L << 30; break;
		default: return -1;
		}
	}
	if (v > LONG_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int
confval_count(const char *s, long *out)
{
	if (parse_long(s, out) == -1 || *out == 0)
		return -1;
	return 0;
}

int
confval_percent(const char *s, int *pct)
{
	char	*num;
	size_t	 len = strlen(s);
	long	 v;
	int	 rc;

	if (len < 2 || s[len - 1] != '%')
		return -1;
	num = xstrndup(s, len - 1);
	rc = parse_long(num, &v);
	free(num);
	if (rc == -1 || v > 100)
		return -1;
	*pct = (int)v;
	return 0;
}

int
confval_fraction(const char *s, double *v)
{
	const char	*dot = strchr(s, '.');
	char		*end;
	double		 d;

	/* no sign, exponent, hex or locale: digits and one point */
	if (strspn(s, "0123456789.") != strlen(s) || strspn(s, ".") ==
	    strlen(s) || (dot != NULL && strchr(dot + 1, '.') != NULL))
		return -1;
	d = g_ascii_strtod(s, &end);
	if (*end != '\0' || d <= 0 || d > 1)
		return -1;
	*v = d;
	return 0;
}

int
confval_bool(const char *s, int *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

int
confval_quiet(const char *s, int *start, int *end)
{
	unsigned int	 h1, m1, h2, m2;
	int		 n = 0;

	if (sscanf(s, "%2u:%2u-%2u:%2u%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] != '\0' || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59)
		return -1;
	*start = h1 * 60 + m1;
	*end = h2 * 60 + m2;
	return 0;
}

int
confval_rate(const char *s, long *count, long *period)
{
	const char	*slash;
	char		*num;
	int		 rc;

	if ((slash = strchr(s, '/')) == NULL)
		return -1;
	num = xstrndup(s, slash - s);
	rc = parse_long(num, count);
	free(num);
	if (rc == -1 || *count == 0)
		return -1;
	if (strcmp(slash + 1, "s") == 0)
		*period = 1;
	else if (strcmp(slash + 1, "m") == 0)
		*period = 60;
	else if (strcmp(slash + 1, "h") == 0)
		*period = 3600;
	else if (strcmp(slash + 1, "d") == 0)
		*period = 86400;
	else
		return -1;
	return 0;
}

int
confval_host_port(const char *s)
{
	const char	*colon = strrchr(s, ':');
	long		 port;

	if (colon == NULL || colon == s ||
	    parse_long(colon + 1, &port) == -1 || port == 0 || port > 65535)
		return -1;
	return 0;
}

int
confval_is_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return 0;
	return 1;
}

void
confval_list(const char *s, struct config_list *l)
{
	gchar	**parts;
	size_t	  i;

	parts = g_strsplit(s, ",", -1);
	l->v = xcalloc(g_strv_length(parts) + 1, sizeof(*l->v));
	l->n = 0;
	for (i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] != '\0')
			l->v[l->n++] = xstrdup(parts[i]);
	}
	g_strfreev(parts);
}

void
confval_list_free(struct config_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
confval_get_duration(struct inifile *ini, const char *section,
    const char *key, long *out)
{
	char	*v;
	int	 rc;

	if ((v = inifile_get(ini, section, key)) == NULL)
		return;
	if ((rc = confval_duration(v, out)) == -1 && errno == ERANGE)
		inifile_key_error(ini, section, key, "%s: '%s' is longer than "
		    "100 years (%ldd), the most any duration may be", key, v,
		    CONFVAL_MAX_DURATION / 86400);
	else if (rc == -1)
		inifile_key_error(ini, section, key, "%s: '%s' is not a "
		    "duration (a number with s, m, h or d, as in 15m)", key, v);
	free(v);
}

void
confval_get_count(struct inifile *ini, const char *section, const char *key,
    long *out)
{
	char	*v;

	if ((v = inifile_get(ini, section, key)) == NULL)
		return;
	if (confval_count(v, out) == -1)
		inifile_key_error(ini, section, key, "%s: '%s' is not a "
		    "positive whole number", key, v);
	free(v);
}

void
confval_get_list(struct inifile *ini, const char *section, const char *key,
    struct config_list *l)
{
	char	*v;

	if ((v = inifile_get(ini, section, key)) == NULL)
		return;
	confval_list(v, l);
	free(v);
}

/*
 * The first line of the file 'path', without its newline, at most 4 KiB
 * (so that a path such as /dev/zero cannot exhaust memory).
 */
static char *
read_secret(struct inifile *ini, int line, const char *what, const char *key,
    const char *path)
{
	FILE	*f;
	char	 buf[4096];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		inifile_error(ini, line, "%s: %s '%s': %s", what, key, path,
		    strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f) == NULL) {
		inifile_error(ini, line, "%s: %s '%s': the file is empty", what,
		    key, path);
		fclose(f);
		return NULL;
	}
	fclose(f);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return xstrdup(buf);
}

char *
confval_get_secret(struct inifile *ini, const char *section, const char *what,
    const char *key)
{
	char	*secret, *filekey, *file, *path;

	secret = inifile_get(ini, section, key);
	filekey = xasprintf("%s-file", key);
	if ((file = inifile_get(ini, section, filekey)) != NULL) {
		if (secret != NULL)
			inifile_key_error(ini, section, filekey, "%s: give %s "
			    "or %s, not both", what, key, filekey);
		else {
			path = inifile_resolve(ini, file);
			secret = read_secret(ini, inifile_line(ini, section,
			    filekey), what, filekey, path);
			free(path);
		}
		free(file);
	}
	free(filekey);
	return secret;
}

char *
confval_get_file(struct inifile *ini, const char *section, const char *what,
    const char *key, const char *hint)
{
	struct stat	 st;
	char		*v, *path;
	int		 line = inifile_line(ini, section, key);

	if ((v = inifile_get(ini, section, key)) == NULL)
		return NULL;
	path = inifile_resolve(ini, v);
	free(v);
	if (stat(path, &st) == -1 || access(path, R_OK) == -1)
		inifile_error(ini, line, "%s: %s '%s': %s", what, key, path,
		    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		inifile_error(ini, line, "%s: %s '%s' is not a file (%s)",
		    what, key, path, hint);
	return path;
}
