/*
 * norm.h: the text normalization shared by queries and items.
 *
 * Both sides of a match go through the same functions, so a query word and
 * an item word meet exactly when their normalized forms are equal:
 *
 *   - fold: each code point is decomposed with compatibility mappings
 *     (NFKD), case folded and stripped of its marks (utf8proc's
 *     COMPAT | CASEFOLD | STRIPMARK), so "LAVRÓV", "Lavrov" and the
 *     full-width "Ｌａｖｒｏｖ" all become "lavrov" and "Kyïv" becomes "kyiv".
 *     Default-ignorable characters (soft hyphen, zero-width joiners) vanish
 *     inside a word.  Nothing is recomposed: the result is only compared,
 *     never shown.
 *   - tokens: a word is a maximal run of letters, digits, marks and
 *     connector punctuation ("_"), which is the letter part of Unicode's
 *     word boundaries (UAX #29).  Apostrophes, hyphens and dots separate
 *     words, so "Lavrov's" is "lavrov" "s" and "S-400" is "s" "400"; a query
 *     word is cut the same way and becomes a phrase.  Han ideographs and
 *     Hiragana are one word per character, as in UAX #29.  Words are
 *     numbered from 0 in each text (their position, for phrases).
 *   - stem: Snowball stemmers from libstemmer, on folded words.
 *   - translit: Cyrillic to Latin (BGN/PCGN for Russian, Ukrainian and
 *     Belarusian letters) reduced to a phonetic skeleton that also merges
 *     the ISO 9 / scholarly spellings, see norm_skeleton().
 *
 * A struct norm holds the caches (one entry per code point seen, the
 * stemmers); it is not thread-safe.  Any bytes are accepted: invalid UTF-8
 * separates words and never crashes.
 */
#ifndef FEEDWATCH_NORM_H
#define FEEDWATCH_NORM_H

#include <stddef.h>
#include <stdint.h>

/* Longest folded word in bytes; longer words are flagged NORM_TOK_LONG. */
#define NORM_WORD_MAX	128

/* Token flags. */
#define NORM_TOK_ASCII		0x01	/* folded form is all ASCII */
#define NORM_TOK_CYRILLIC	0x02	/* has at least one Cyrillic letter */
#define NORM_TOK_LONG		0x04	/* cut at NORM_WORD_MAX: matches nothing */

struct norm;

struct norm_token {
	const char	*word;		/* folded, NUL-terminated, in the iterator;
					   8 bytes past its end are readable */
	size_t		 len;		/* bytes in word */
	size_t		 start;		/* byte range in the input text */
	size_t		 end;
	unsigned	 pos;		/* word number in the text, from 0 */
	unsigned	 flags;		/* NORM_TOK_* */
};

/* Bytes classified at once by the ASCII path. */
#define NORM_BLOCK	64

/* Walks the words of one text; embedded in the caller, no release needed. */
struct norm_iter {
	struct norm	*norm;
	const char	*s;
	size_t		 len;
	size_t		 off;
	unsigned	 pos;
	char		 buf[NORM_WORD_MAX + 8];
	size_t		 blk;			/* s[blk .. blk + NORM_BLOCK): */
	uint64_t	 wmask;			/* its ASCII word bytes */
	uint64_t	 hmask;			/* its bytes >= 0x80 */
	char		 fold[NORM_BLOCK + 8];	/* its words folded */
};

struct norm	*norm_new(void);
void		 norm_free(struct norm *n);

/* Starts walking 'len' bytes of 's' (borrowed for the walk). */
void		 norm_iter_init(struct norm_iter *it, struct norm *n,
		    const char *s, size_t len);

/*
 * Fills 'tok' with the next word and returns 1, or returns 0 at the end.
 * tok->word points into 'it' and is valid until the next call.
 */
int		 norm_iter_next(struct norm_iter *it, struct norm_token *tok);

/* 1 if code point 'cp' is part of a word (letter, digit, mark, "_"). */
int		 norm_is_word_cp(struct norm *n, int32_t cp);

/*
 * The folded words of 's', joined by single spaces: a malloc'd string
 * (possibly empty).  For display ("matched" words) and tests.
 */
char		*norm_fold_words(struct norm *n, const char *s, size_t len);

/*
 * Index of the Snowball stemmer for 'lang' ("english", "russian", "en"...,
 * anything libstemmer knows), loading it on first use; -1 if unknown.
 */
int		 norm_stemmer(struct norm *n, const char *lang);

/* The names libstemmer knows, comma-separated, for error messages. */
const char	*norm_stemmer_names(void);

/*
 * Stems the folded word 'w' (len bytes) with stemmer 'idx' into 'out'
 * (NUL-terminated); returns the length, or -1 if it does not fit in
 * 'outlen'.  Words a stemmer does not change come back unchanged.
 */
int		 norm_stem(struct norm *n, int idx, const char *w, size_t len,
		    char *out, size_t outlen);

/*
 * The transliteration key of folded word 'w': Cyrillic letters are
 * romanized (BGN/PCGN), then the Latin result is reduced to a skeleton
 * where the usual romanizations agree: sh/š, zh/ž, ch/č, kh/x/h, ts/c,
 * shch/ŝ, y/j/i (and i before a vowel), w/v, doubled letters, soft and hard
 * signs dropped.  "Лавров", "Lavrov" -> "lavrov"; "Крым", "Krym" ->
 * "krim"; "Шойгу", "Shoigu", "Šojgu" -> "soigu".  Other letters are kept.
 * Writes a NUL-terminated key into 'out'; returns its length, or -1 if it
 * does not fit.
 */
int		 norm_skeleton(const char *w, size_t len, char *out,
		    size_t outlen);

#endif
