/*
 * opml.h: OPML 2.0 subscription lists, in and out.
 *
 * opml_read() collects every outline with an xmlUrl, at any depth; the
 * text of the outlines that enclose it become its tags (the folders of a
 * feed reader's export).  Nothing is loaded from the network or disk
 * beyond the file itself.
 */
#ifndef FEEDWATCH_OPML_H
#define FEEDWATCH_OPML_H

#include <stddef.h>

struct opml_feed {
	char		*title;		/* text or title; may be NULL */
	char		*url;		/* xmlUrl */
	char		**tags;		/* enclosing outlines' text */
	size_t		 ntags;
};

/* Reads 'path'.  -1 with 'err' filled when it is not OPML. */
int	 opml_read(const char *path, struct opml_feed **feeds, size_t *n,
	    char *err, size_t errlen);
void	 opml_feeds_free(struct opml_feed *feeds, size_t n);

/* An OPML 2.0 document listing 'feeds' (malloc'd), titled 'title'. */
char	*opml_write(const struct opml_feed *feeds, size_t n,
	    const char *title);

#endif
