/*
 * query.h: the query language of SPEC.md section 3, parsed into a tree.
 *
 *   or    := and ("OR" and)*
 *   and   := unary (["AND"] unary)*          juxtaposition is AND
 *   unary := ("NOT" | "-") unary | "+"? scoped
 *   scoped:= FIELD ":" scoped | "(" or ")" | term
 *   term  := WORD | WORD "*" | WORD "~" [0-2] | '"' words '"' ["~" N]
 *          | "/" regex "/" | "@" alias
 *   FIELD := title | summary | body | author | category | link | feed
 *
 * AND, OR and NOT are operators only in upper case, and never terms:
 * "Crimea OR OR Lavrov" and "AND Crimea" are errors.  '-', '+' and
 * "FIELD:" touch their term ("- x" and "title: x" are errors), and only
 * the end, white space or ')' may follow "~N".  A backslash makes the
 * next character part of a word.  Words are folded and split with norm.h
 * at parse time, so a word that splits ("S-400", "Lavrov's") is a phrase.
 * Regexes are checked with PCRE2 at parse time; the matcher compiles them
 * again for itself.
 *
 * The tree is a plain record owned by the caller (query_free()).  Errors
 * name the column (characters from 1) and what was expected there:
 * "column 11: expected a term after 'OR'", "column 17: expected ')' to
 * close the group opened at column 9".
 */
#ifndef FEEDWATCH_QUERY_H
#define FEEDWATCH_QUERY_H

#include <stddef.h>

struct norm;

/* Field scopes, as bits. */
#define QUERY_F_TITLE		0x01
#define QUERY_F_SUMMARY		0x02
#define QUERY_F_AUTHOR		0x04
#define QUERY_F_CATEGORY	0x08
#define QUERY_F_LINK		0x10
#define QUERY_F_FEED		0x20
#define QUERY_F_BODY		0x40	/* the article (item.h), when fetched */
/* What an unscoped term searches. */
#define QUERY_F_DEFAULT		0x4f

/* Longest phrase, in words. */
#define QUERY_MAX_PHRASE	32
/* Longest fuzzy word, in characters (code points). */
#define QUERY_MAX_FUZZY		64

enum query_op {
	QUERY_AND,
	QUERY_OR,
	QUERY_NOT,
	QUERY_TERM,
	QUERY_ALIAS
};

enum query_kind {
	QUERY_WORDS,		/* a word or a "phrase": words in a row */
	QUERY_PREFIX,		/* annex*: one word, words[0] is the prefix */
	QUERY_FUZZY,		/* Mueller~N: one word, dist = N (1 or 2) */
	QUERY_NEAR,		/* "a b"~N: the words within N of each other */
	QUERY_REGEX		/* /re/: regex holds the pattern */
};

struct query_node {
	enum query_op		 op;
	struct query_node	**kids;		/* AND, OR: n >= 2; NOT: 1 */
	size_t			 nkids;
	enum query_kind		 kind;		/* QUERY_TERM */
	unsigned		 scope;		/* QUERY_F_* bits */
	char			**words;	/* folded words */
	size_t			 nwords;
	int			 dist;		/* fuzzy or proximity N */
	char			*regex;		/* QUERY_REGEX pattern */
	char			*alias;		/* QUERY_ALIAS name, no '@' */
	int			 column;	/* where the term starts */
	int			 id;		/* free for the caller */
};

/*
 * Parses 'text'.  Returns the tree, or NULL with 'err' filled.  'n' folds
 * the words (borrowed for the call).
 */
struct query_node	*query_parse(struct norm *n, const char *text,
			    char *err, size_t errlen);

/* A deep copy of 'q'. */
struct query_node	*query_dup(const struct query_node *q);

/* Frees 'q' and its subtree; NULL is a no-op. */
void			 query_free(struct query_node *q);

/*
 * 1 if 'q' can only be true when at least one of its terms outside any
 * NOT occurs (aliases count as terms).  A query that is not positive
 * ("-foo", "a OR NOT b") would match items that contain none of its
 * words; the matcher rejects it.
 */
int			 query_is_positive(const struct query_node *q);

/* Says whether a term (QUERY_TERM or QUERY_ALIAS node) counts. */
typedef int query_term_cb(const struct query_node *term);

/*
 * As query_is_positive(), counting only the terms for which 'counts'
 * returns 1: "a OR /re/" needs no word when regexes do not count.
 */
int			 query_needs(const struct query_node *q,
			    query_term_cb *counts);

/*
 * The names of the fields in 'mask' (QUERY_F_* bits) as queries spell
 * them, into names[0..max), in the order title, summary, body, author,
 * category, link, feed.  Returns how many.
 */
size_t			 query_field_names(unsigned mask, const char **names,
			    size_t max);

/*
 * Splits an alias's comma-separated list of terms (commas inside quotes
 * or /regex/ do not count).  Returns a malloc'd NULL-terminated array of
 * malloc'd strings, each trimmed.
 */
char			**query_split_list(const char *list);

#endif
