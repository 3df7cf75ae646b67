/*
 * snippet.h: the text around a hit, as a match shows it (SPEC.md
 * section 3).
 *
 * A snippet is about 200 characters of a field's text as written (not
 * folded), starting some 60 characters before the hit, or more when the
 * text ends soon after it.  Each end moves up to 40 characters so as to
 * fall between tokens: at white space, or inside text written without
 * spaces (Han, Kana), never inside "$5", "«Crimea»", "(Reuters)" or an
 * emoji sequence; in a longer token (a URL) it falls between two
 * characters.  "…" stands where text was left out, and nowhere else.
 *
 * Any bytes are accepted: the result is always valid UTF-8, U+FFFD
 * standing for each byte that is not.
 */
#ifndef FEEDWATCH_SNIPPET_H
#define FEEDWATCH_SNIPPET_H

#include <stddef.h>

/*
 * The snippet of s[0..len) around the hit at bytes [hs, he) (clamped to
 * the text): a malloc'd string, the caller's to free.
 */
char	*snippet_make(const char *s, size_t len, size_t hs, size_t he);

#endif
