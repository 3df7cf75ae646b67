/*
 * confwrite.h: the structured writer of the config, for `opml import`.
 *
 * feedwatch writes the config only by appending sections that
 * config_feed_section() renders to the user's text, kept byte for byte
 * (GKeyFile would rewrite every line), and replacing the file with
 * config_replace().  Values from outside (an OPML file) go through
 * validation, never escaping: one that could break out of its line is
 * refused, so no input can add a section or key.
 */
#ifndef FEEDWATCH_CONFWRITE_H
#define FEEDWATCH_CONFWRITE_H

#include <stddef.h>

struct config_feed;

/*
 * The text of a [feed NAME] section for 'f' (malloc'd), rendered only
 * from values that cannot break out of their line or their list: a valid
 * section name, an http or https URL (url_is_web) and tags with no comma
 * or control character.  NULL with 'err' filled if a value is not one of
 * those; nothing is escaped.
 */
char	*config_feed_section(const struct config_feed *f, char *err,
	    size_t errlen);

/*
 * Replaces the config file 'path' with 'text', if 'text' loads
 * (config_parse; its errors are printed): atomically (a temporary file
 * beside it, synced, renamed over it, the directory synced), with the
 * old file's owner, group and mode, through a symbolic link to the file
 * it names.  -1 after printing why: then the file is as it was and no
 * temporary file is left.
 */
int	 config_replace(const char *path, const char *text);

#endif
