/*
 * storytext.h: the words of a story as its signature reads them
 * (story.h): what is the same in two copies of one story stays, what
 * outlets change between copies without changing the story goes.
 *
 * The words are norm.h's (case, accents and compatibility forms folded,
 * punctuation dropped), at most STORYTEXT_MAX_WORDS of them, and:
 *
 *   - initials are one word: "U.S." is "us", "a.m." is "am";
 *   - a dateline opening a text is dropped: "MOSCOW (Reuters) - ",
 *     "WASHINGTON, May 14 (AP) — ", "Berlin (dpa) - ", "KYIV — ",
 *     "МОСКВА, 14 мая. /ТАСС/. ";
 *   - boilerplate closing a text is dropped, from the first of its marks
 *     in the last 30 words: "Read more...", "Continue reading",
 *     "Subscribe...", "(Reporting by ...; Editing by ...)", "The post ...
 *     appeared first on ...", "Weiterlesen", "Читать далее"...; then an
 *     agency named by the last word, as "(AP)";
 *   - a tag opening a title is dropped: "UPDATE 2-", "EXCLUSIVE:",
 *     "LIVE:", "VIDEO:";
 *   - a number is one word whatever its spelling: "5bn", "5 billion",
 *     "5,000,000,000", "5.000.000.000", "5 Mrd" and "5 млрд" are all
 *     "5000000000", "5.2%", "5,2 Prozent" and "5.2 per cent" are "5.2";
 *     a unit word after a number (percent, dollars, euros, Prozent,
 *     рублей...) is dropped, as its symbol is.
 *
 * A struct storytext holds the folding caches and the words read last;
 * it is not thread-safe.  Any bytes are accepted.
 */
#ifndef FEEDWATCH_STORYTEXT_H
#define FEEDWATCH_STORYTEXT_H

#include <stddef.h>

#define STORYTEXT_MAX_WORDS	200	/* of a text: the rest is not read */

struct storytext;

struct storytext *storytext_new(void);
void	 storytext_free(struct storytext *st);

/*
 * Reads the words of 'text' (NULL reads none); with 'title' set, as a
 * title.  Returns how many there are; they stay until the next read.
 */
size_t	 storytext_read(struct storytext *st, const char *text, int title);

/* Word i of the last read, NUL-terminated. */
const char *storytext_word(const struct storytext *st, size_t i);

#endif
