/*
 * jsonfeed.h: JSON Feed 1.0 and 1.1 (https://jsonfeed.org), read with
 * jansson.
 *
 * jansson has no incremental parser, so a JSON document is read whole:
 * the parser buffers it (up to its body cap) and calls jsonfeed_parse()
 * at the end.  Each item goes to the entry (entry.h) as it is read:
 * id (a string, or a number as written), url or external_url, title (as
 * an RSS title: HTML only if it looks like it), summary, content_html or
 * content_text, the dates, the first author and the tags; the feed gives
 * its title and, if absolute, its home page as the base for links.
 */
#ifndef FEEDWATCH_JSONFEED_H
#define FEEDWATCH_JSONFEED_H

#include <stddef.h>

struct entry;

/*
 * Reads the JSON Feed in 'buf' ('n' bytes) into 'e'.  Returns 0, or -1: then
 * 'err' (errlen bytes) says why, or is empty if the entry's callback
 * stopped the parse (entry_stopped()).
 */
int	 jsonfeed_parse(struct entry *e, const char *buf, size_t n, char *err,
	    size_t errlen);

#endif
