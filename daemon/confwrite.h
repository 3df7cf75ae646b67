/*
 * confwrite.h: the structured writer of the config, for `opml import`,
 * `add` and `remove`.
 *
 * feedwatch writes the config only by appending sections that
 * config_feed_section() renders to the user's text, or by taking one
 * section out of it, the rest kept byte for byte (GKeyFile would rewrite
 * every line), and replacing the file with config_replace().  Values
 * from outside (an OPML file, a web page) go through validation, never
 * escaping: one that could break out of its line is refused, so no input
 * can add a section or key.
 */
#ifndef FEEDWATCH_CONFWRITE_H
#define FEEDWATCH_CONFWRITE_H

#include <stddef.h>

struct config;
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

/* The text of the config file 'path' (g_free it); NULL after saying why. */
char	*config_read_text(const char *path);

/*
 * Appends to the config file cf->path, after its text, a blank line, the
 * line "# COMMENT" (control characters shown as '?') and the [feed]
 * section of each of cf->feeds from 'first' on, and replaces the file
 * (config_replace).  -1 after printing why: then the file is as it was.
 */
int	 config_append_feeds(const struct config *cf, size_t first,
	    const char *comment);

/*
 * 'text' without the section [SECTION] (malloc'd), or NULL if no line of
 * it is that section's header.  What goes is the header, the comment
 * lines right above it (no blank line between: they speak of it), its
 * lines down to its last key, the comment lines right below that (keys
 * commented out), unless they run into the next header (then they speak
 * of the next section), and the blank lines that follow; when nothing
 * follows, the blank lines above it go too.  Every other byte stays:
 * a comment set apart by blank lines may speak of several sections.
 * 'from' and 'to' get the first and last line taken out.
 */
char	*config_text_without(const char *text, const char *section,
	    int *from, int *to);

#endif
