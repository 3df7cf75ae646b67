/*
 * xmlfilter.h: the byte filter in front of libxml2.
 *
 * Feeds break XML in ways that cost libxml2's recovery the rest of the
 * document, or most of the parse time.  The filter mends them on the bytes,
 * before the XML parser sees them.  It follows tags, CDATA sections,
 * comments and processing instructions, and:
 *
 *  - a '&' that does not start a well-formed reference ("AT&T", "Q & A",
 *    "?a=1&b=2") becomes "&amp;".  libxml2 would otherwise drop the text
 *    and, worse, every later entity of the document (APIS.md B.5
 *    pitfall 2);
 *  - escaped text ("&lt;p&gt;Hi", the way most RSS carries HTML) goes
 *    to libxml2 as a CDATA section of the characters it stands for: one
 *    callback for the run instead of one per reference, which was most
 *    of the parse time;
 *  - in the document's own CDATA sections, a byte libxml2 would not
 *    accept (it stops the whole parse there) is handed to it as text
 *    between two sections, and a control character is dropped;
 *  - no CDATA section reaches libxml2 longer than 1 MiB, which it would
 *    give up on past 10 MB.
 *
 * The filter reads UTF-8 (its owner decodes the document first, and
 * tells libxml2 to read UTF-8 whatever the declaration says), where a '&'
 * or '<' byte is always that character and the CDATA it writes is in the
 * encoding libxml2 reads.
 *
 * The input may be split anywhere, even one byte at a time.  The filter
 * reads the caller's buffer in place; only the bytes it must see more of
 * before deciding (fewer than 64) wait inside it for the next push.  Its
 * output goes to xmlfilter_out_cb in pieces of at most 64 KiB, gathered
 * or (long runs that need no change) straight from the caller's buffer.
 * The hot loops scan 16 bytes at a time with SSE2 where the compiler has
 * it; the callbacks run per piece, never per byte.
 */
#ifndef FEEDWATCH_XMLFILTER_H
#define FEEDWATCH_XMLFILTER_H

#include <stddef.h>

struct xmlfilter;

/*
 * Takes 'n' filtered bytes (borrowed for the call).  Returns 0 to go on,
 * -1 to stop: the push then returns -1.
 */
typedef int xmlfilter_out_cb(const char *s, size_t n, void *arg);

/* A filter for one document.  Never NULL (aborts on OOM). */
struct xmlfilter	*xmlfilter_new(xmlfilter_out_cb *out, void *arg);

/*
 * Filters 'len' bytes of 'buf' (NULL with 0 at the end).  With 'eod' this
 * is the end of the document: everything held back is decided and handed
 * over, and a CDATA section left open is closed.  Returns 0, or -1 if the
 * out callback stopped it (the filter is then of no further use).
 */
int			 xmlfilter_push(struct xmlfilter *f, const char *buf,
			    size_t len, int eod);

/* NULL is a no-op. */
void			 xmlfilter_free(struct xmlfilter *f);

#endif
