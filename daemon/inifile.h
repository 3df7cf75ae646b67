/*
 * inifile.h: an INI file read with GLib's GKeyFile, every section and key
 * located to its line.
 *
 * GKeyFile parses the values, but it keeps no line numbers, merges
 * repeated sections and lets a repeated key win silently.  So
 * inifile_new() first scans the raw lines, recording where each section
 * and key stands and rejecting what GKeyFile would accept quietly (a
 * repeated section or key, a localized key) or reject without a line (a
 * line that is not a comment, a section header or 'key = value', a key
 * outside any section, text that is not UTF-8 or holds a NUL byte); only
 * a text that passes is handed to GKeyFile.
 *
 * Every error, the reader's and those its caller finds in the values
 * (inifile_error), is counted and kept, so that one pass can report every
 * problem, and inifile_report() prints them on stderr as "FILE:LINE:
 * message" in the order of their lines, whatever order they were found
 * in (an error that belongs to no line as "FILE: message").  A value is raw
 * text: the rest of its line, stripped, with no escapes (a regex keeps its
 * backslashes).  What the sections and keys mean is the caller's
 * (config.c).
 */
#ifndef FEEDWATCH_INIFILE_H
#define FEEDWATCH_INIFILE_H

#include <stddef.h>

struct inifile;

/*
 * Reads 'text' (text[len] must be a NUL), named 'path' in messages.
 * Never NULL: a text with structural errors is reported
 * (inifile_errors() > 0) and read as having no sections.
 */
struct inifile	*inifile_new(const char *path, const char *text, size_t len);
void		 inifile_free(struct inifile *ini);

const char	*inifile_path(const struct inifile *ini);

/* The section names ("daemon", "feed NAME"...) in file order, NULL-ended. */
const char *const *inifile_sections(const struct inifile *ini);

int		 inifile_has_section(const struct inifile *ini,
		    const char *section);

/*
 * The line of 'key' in 'section', or of the section's header when 'key'
 * is NULL; 0 if there is none.
 */
int		 inifile_line(const struct inifile *ini, const char *section,
		    const char *key);

/* The value of 'key' in 'section' (malloc'd), or NULL if absent. */
char		*inifile_get(const struct inifile *ini, const char *section,
		    const char *key);

/*
 * The keys of 'section' in file order: a NULL-ended array of 'n' keys,
 * the array and each key malloc'd (confval_list_free frees them).
 */
char		**inifile_keys(const struct inifile *ini, const char *section,
		    size_t *n);

/*
 * A file name the config gives, relative to the config's directory,
 * made absolute (malloc'd).
 */
char		*inifile_resolve(const struct inifile *ini, const char *name);

/*
 * Reports every key of 'section' that is not in 'allowed' (NULL-ended)
 * as an unknown key in 'what' ("[daemon]", "a [feed] section").  An
 * entry ending in '*' allows every longer key that starts with what
 * precedes it ("header-*").
 */
void		 inifile_check_keys(struct inifile *ini, const char *section,
		    const char *what, const char *const *allowed);

/*
 * Counts "PATH:LINE: message" as an error, for inifile_report(); 'line'
 * 0 when it belongs to no line.
 */
void		 inifile_error(struct inifile *ini, int line, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* The same at the line of 'key' in 'section' (as inifile_line finds it). */
void		 inifile_key_error(struct inifile *ini, const char *section,
		    const char *key, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* How many errors were reported so far. */
int		 inifile_errors(const struct inifile *ini);

/*
 * Prints the errors not printed yet on stderr, sorted by line (errors of
 * one line in the order they were found).
 */
void		 inifile_report(struct inifile *ini);

#endif
