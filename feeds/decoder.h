/*
 * decoder.h: text in a document's charset to UTF-8, as browsers read it.
 *
 * What the feed parser (parser.h) and the article extractor (article.h)
 * share about charsets, so that a feed and the page it links to are read
 * alike:
 *
 *  - labels name what browsers decode them as (the WHATWG Encoding
 *    Standard's aliases): iso-8859-1, latin1 and us-ascii mean
 *    windows-1252, iso-8859-9 windows-1254, gb2312 and gbk GB18030;
 *    the labels browsers have no decoder for (UTF-7, HZ, ISO-2022-KR and
 *    -CN) name nothing;
 *  - decoder_guess() says what bytes with no charset declared are: UTF-8
 *    unless most of their non-ASCII sequences are not UTF-8, then
 *    windows-1252 (what browsers assume in the West);
 *  - struct decoder converts a stream (iconv), split anywhere: a
 *    character cut by the end of one push is completed from the next,
 *    and a byte the charset leaves undefined (0x98 in windows-1251,
 *    0x81 in windows-1252) or that starts no character becomes U+FFFD
 *    and the rest goes on.  libxml2's own conversion stops the whole
 *    parse at such a byte.  A decoder for UTF-8 passes the bytes on as
 *    they are: the readers behind it repair bad UTF-8 themselves.
 *
 * The output goes to the decoder's callback in pieces of at most 16 KiB,
 * borrowed for the call.
 */
#ifndef FEEDWATCH_DECODER_H
#define FEEDWATCH_DECODER_H

#include <stddef.h>

struct decoder;

/* Takes 'n' bytes of UTF-8; 0 to go on, -1 to stop the decoder. */
typedef int decoder_out_cb(const char *s, size_t n, void *arg);

/*
 * The encoding charset label 'label' ('n' bytes; white space and quotes
 * around it, and anything from a ';' or a space on, are ignored) names,
 * as browsers read it: a static string or, for a label with no alias,
 * the label in lower case in 'buf' ('size' bytes).  NULL for an empty
 * label and for those browsers refuse.
 */
const char	*decoder_label(const char *label, size_t n, char *buf,
		    size_t size);

/* 1 if 'name' is UTF-8 itself, else 0. */
int		 decoder_is_utf8(const char *name);

/* 1 if text in 'name' has NUL bytes (UTF-16, UTF-32, UCS), else 0. */
int		 decoder_is_wide(const char *name);

/*
 * "UTF-8" if 's' ('n' bytes, a document's that declares no charset) has
 * at least as many non-ASCII sequences that are UTF-8 as ones that are
 * not, else "windows-1252".  A sequence cut by the end of 's' counts as
 * neither.
 */
const char	*decoder_guess(const char *s, size_t n);

/*
 * A decoder from 'name' (as decoder_label gives it) to UTF-8 that hands
 * its output to 'out'; NULL if iconv does not know 'name'.
 */
struct decoder	*decoder_new(const char *name, decoder_out_cb *out,
		    void *arg);

/*
 * Converts 'n' bytes of 's'.  Returns 0, or -1 once the callback has
 * stopped the decoder (it then converts nothing more).
 */
int		 decoder_push(struct decoder *d, const char *s, size_t n);

/*
 * The end of the input: a character it cut short becomes U+FFFD.
 * Returns as decoder_push.
 */
int		 decoder_finish(struct decoder *d);

/* NULL is a no-op. */
void		 decoder_free(struct decoder *d);

#endif
