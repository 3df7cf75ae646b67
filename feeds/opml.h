/*
 * opml.h: OPML 2.0 subscription lists, in and out.
 *
 * opml_read() collects every outline with an xmlUrl, at any depth; the
 * text of the outlines that enclose it and the last step of each of its
 * categories become its tags (the folders of a feed reader's export).
 * Nothing is loaded from the network or disk beyond the file itself.
 * opml_write() is its inverse: a feed's tags are the folders it is in,
 * nested in their order, so a file read and written again keeps its
 * folders, and one written and read again gives the same tags.
 *
 * An OPML file comes from outside: its titles and tags are reduced to
 * clean text on the way in (control characters dropped, white space
 * collapsed, capped; a tag has no comma, since lists in the config are
 * comma-separated; 32 tags at most), so that they are safe to print and
 * to name things with.  The xmlUrl is kept as it is, to be judged by opml_feed_refusal()
 * before anything uses it.
 */
#ifndef FEEDWATCH_OPML_H
#define FEEDWATCH_OPML_H

#include <stddef.h>

struct opml_feed {
	char		*title;		/* text or title, clean; may be NULL */
	char		*url;		/* xmlUrl, as the file has it */
	char		*html_url;	/* htmlUrl; opml_write's only */
	char		**tags;		/* clean, none empty, none repeated */
	size_t		 ntags;
	int		 line;		/* of the outline in the file */
};

/* Reads 'path'.  -1 with 'err' filled when it is not OPML. */
int	 opml_read(const char *path, struct opml_feed **feeds, size_t *n,
	    char *err, size_t errlen);
void	 opml_feeds_free(struct opml_feed *feeds, size_t n);

/*
 * NULL if the outline's xmlUrl may be a feed of the config (url_is_web:
 * http or https, with a host, nothing that could break a config line);
 * else why not, malloc'd and fit to print, naming the outline and its
 * URL redacted: "outline 'T': xmlUrl 'file:///x' (line 4) is not an
 * http or https URL".
 */
char	*opml_feed_refusal(const struct opml_feed *f);

/*
 * An OPML 2.0 document listing 'feeds' (malloc'd), titled 'title', in
 * the order given.  A feed with tags is in the folder of its first tag,
 * in its sub-folder of the second, and so on (a feed reader's nested
 * folders; newsboat reads them as the tag "first/second", miniflux as
 * the category "second"); a folder is written once per parent, where it
 * is first needed.  A feed's text and title are its title (else its
 * URL), its htmlUrl is given when it has one.  Each URL is written as
 * url_redact() shows it: an export never carries a password or a token.
 */
char	*opml_write(const struct opml_feed *feeds, size_t n,
	    const char *title);

#endif
