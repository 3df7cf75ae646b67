/*
 * confval.h: the values of the config, parsed (README "Configuration").
 *
 * Each parser takes a value as the INI reader gives it (stripped, never
 * NULL) and returns 0 with its result, or -1 if the value is malformed
 * or out of range.  They know nothing of sections or keys, so `backtest
 * --since` uses confval_duration() too.  The confval_get_*() functions
 * read a key of an inifile through a parser: an absent key leaves the
 * result as it was (the default), a bad value is reported at its line,
 * naming the key and the form expected.  Only lists allocate: a list is
 * the caller's, freed with confval_list_free().
 */
#ifndef FEEDWATCH_CONFVAL_H
#define FEEDWATCH_CONFVAL_H

#include <stddef.h>

struct inifile;

/*
 * The longest duration any key takes: 100 years (36500d, which the
 * example config gives backfill to mean "every item").  Longer is surely
 * a typo, and the bound keeps every sum of a time and a duration far from
 * overflowing.
 */
#define CONFVAL_MAX_DURATION	(36500L * 86400)

/* A list value: "a, b, c" split on commas, each entry stripped. */
struct config_list {
	char		**v;	/* NULL-terminated */
	size_t		  n;
};

/*
 * "15m" -> 900 seconds (units s, m, h, d); a bare 0 is allowed (it means
 * "off"), other bare numbers are not.  -1 if malformed, with errno
 * ERANGE if it is longer than CONFVAL_MAX_DURATION, else EINVAL.
 */
int	 confval_duration(const char *s, long *secs);

/* "16M" -> bytes: K, M or G (also KB, MiB...), or a bare byte count. */
int	 confval_size(const char *s, long *bytes);

/* A whole number above 0. */
int	 confval_count(const char *s, long *n);

/* "10%" -> 10: a percentage from 0% to 100%. */
int	 confval_percent(const char *s, int *pct);

/* A number above 0 and at most 1, with a point: "0.45", ".5", "1". */
int	 confval_fraction(const char *s, double *v);

/* yes/no, true/false, on/off, 1/0. */
int	 confval_bool(const char *s, int *b);

/* "22:00-07:00" -> minutes after midnight of each end. */
int	 confval_quiet(const char *s, int *start, int *end);

/* "30/h" -> 30 per 3600 s: a count above 0, a unit s, m, h or d. */
int	 confval_rate(const char *s, long *count, long *period);

/* "HOST:PORT", with a host and a port from 1 to 65535. */
int	 confval_host_port(const char *s);

/*
 * Whether 's' is a name of a section ([feed NAME]...): not empty, and
 * letters, digits, '_', '.' and '-' only.
 */
int	 confval_is_name(const char *s);

/* Fills 'l' with the entries of 's', empty ones dropped. */
void	 confval_list(const char *s, struct config_list *l);
void	 confval_list_free(struct config_list *l);

/* A duration key (confval_duration); its error names the 100-year cap. */
void	 confval_get_duration(struct inifile *ini, const char *section,
	    const char *key, long *secs);

/* A count key (confval_count). */
void	 confval_get_count(struct inifile *ini, const char *section,
	    const char *key, long *n);

/* A list key (confval_list); an absent one leaves 'l' as it was. */
void	 confval_get_list(struct inifile *ini, const char *section,
	    const char *key, struct config_list *l);

/*
 * A secret of the section that 'what' names ("sink 'mail'"): the value
 * of 'key' ("password"), or the first line, without its newline and at
 * most 4 KiB, of the file that 'key'-file names (relative to the
 * config's directory), not both.  Malloc'd, or NULL if neither is given.
 * No message shows the secret.
 */
char	*confval_get_secret(struct inifile *ini, const char *section,
	    const char *what, const char *key);

/*
 * The file that 'key' names, relative to the config's directory, made
 * absolute (malloc'd), or NULL if absent.  It must be a regular file
 * that can be read now, not a failure at the first use: else the error
 * names 'what' and the path, and 'hint' says what the file should be.
 */
char	*confval_get_file(struct inifile *ini, const char *section,
	    const char *what, const char *key, const char *hint);

#endif
