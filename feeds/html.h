/*
 * html.h: HTML fragments (feed titles, descriptions, content) to plain text.
 *
 * A streaming tokenizer written to agree with libxml2's HTML push parser
 * (the corpus test in tests/check_parser.c compares the two on every
 * description in ../shared/corpus), at several times its speed and with
 * no allocation per call:
 *
 *  - tags, comments, processing instructions and <!DOCTYPE> are removed
 *    (another "<!" is text, as libxml2 2.9.14 has it); attribute values are skipped with their quotes, so a '>' in
 *    a quoted value does not end the tag;
 *  - the content of <script> and <style> is dropped up to the matching
 *    end tag;
 *  - block-level elements (p, div, br, li, h1...) become a word break, so
 *    "<p>a</p><p>b</p>" reads "a b", while inline ones ("<b>a</b>b") join;
 *  - entities are decoded as libxml2 does: the HTML 4 named entities
 *    (libxml2's own table), decimal and hex character references; an
 *    unknown or unterminated reference stays as written ("AT&T");
 *  - a '<' that cannot start markup ("a < b") is kept as text.
 *
 * The output goes through struct text_buf (text.h), so it is valid UTF-8
 * with white space collapsed.  Input is expected to be UTF-8 already (the
 * XML parser decoded the feed); stray bytes are repaired, not trusted.
 */
#ifndef FEEDWATCH_HTML_H
#define FEEDWATCH_HTML_H

#include <stddef.h>

struct text_buf;

/* Appends the text of the HTML fragment 's' ('n' bytes) to 'out'. */
void	 html_to_text(const char *s, size_t n, struct text_buf *out);

/*
 * For text that may or may not be HTML (RSS titles, "&lt;vector&gt; in
 * C++"): as html_to_text, but only the elements HTML defines are markup;
 * any other '<' is kept as text.
 */
void	 html_maybe_to_text(const char *s, size_t n, struct text_buf *out);

/*
 * The text of 's' as a new string of at most 'max' bytes (cut at a
 * character boundary).  Never NULL.
 */
char	*html_to_text_dup(const char *s, size_t n, size_t max);

/* The same for html_maybe_to_text(). */
char	*html_maybe_to_text_dup(const char *s, size_t n, size_t max);

/* 1 if element 'name' (any case, 'n' bytes) separates words, else 0. */
int	 html_is_block(const char *name, size_t n);

/* 1 if the content of element 'name' is not text (script, style). */
int	 html_is_raw(const char *name, size_t n);

#endif
