/*
 * match.h: all topics compiled into one matcher (SPEC.md section 3).
 *
 * Build: matcher_new(), then matcher_add_alias() and matcher_add_topic()
 * in any order (aliases are resolved by matcher_compile()), then
 * matcher_compile() once.  Use: matcher_match() per item, any number of
 * times.  A matcher is not thread-safe; it owns copies of every string
 * given to it.
 *
 * Errors are written into the caller's buffer without a prefix, in the
 * form "column 17: expected ')'"; the caller adds file, line and topic.
 *
 * Beneath it: query.h parses each query into a tree, wordset.h finds
 * the literal terms of every topic in one pass over a text (with fuzzy.h
 * for fuzzy words), snippet.h cuts the text shown around a hit.
 */
#ifndef FEEDWATCH_MATCH_H
#define FEEDWATCH_MATCH_H

#include <stddef.h>

struct feed_item;
struct matcher;

struct topic_opts {
	const char *const *stem;	/* Snowball languages, e.g. "english" */
	size_t		 nstem;
	int		 translit;	/* Latin ~ Cyrillic spellings */
	const char *const *feeds;	/* feed names, "tag:NAME" or "*"; */
	size_t		 nfeeds;	/* 0: all feeds */
};

/* The feed an item came from, for feed: scopes and topic feed filters. */
struct match_feed {
	const char	*name;
	const char *const *tags;
	size_t		 ntags;
};

struct match {
	const char	*topic;		/* topic name */
	const char	*query;		/* the topic's query text */
	const char *const *words;	/* distinct matched words, folded */
	size_t		 nwords;
	const char	*snippet;	/* ~200 chars of the text as written
					   around the first hit, cut between
					   tokens, "…" where cut */
	const char *const *fields;	/* where its words occurred: "title",
					   "summary", "body", ... (in
					   query_field_names() order) */
	size_t		 nfields;
};

/* Return 0 to go on, -1 to stop matching this item. */
typedef int match_cb(const struct match *m, void *arg);

struct matcher	*matcher_new(void);
void		 matcher_free(struct matcher *m);

/* 'terms' is a comma-separated list of query terms ("Kremlin, \"Red Square\""). */
int		 matcher_add_alias(struct matcher *m, const char *name,
		    const char *terms, char *err, size_t errlen);

/* Parses 'query'; -1 with 'err' filled on a syntax error. */
int		 matcher_add_topic(struct matcher *m, const char *name,
		    const char *query, const struct topic_opts *opts,
		    char *err, size_t errlen);

/*
 * Resolves aliases and builds the automaton.  On -1, 'err' starts with the
 * topic name ("topic 'crimea': query: unknown alias '@russia' ...").
 */
int		 matcher_compile(struct matcher *m, char *err, size_t errlen);

/*
 * Calls 'cb' once per topic that matches 'it', in the order topics were
 * added.  'feed' may be NULL.  Data passed to 'cb' is valid during the
 * call only.  Returns -1 if a callback stopped it, else 0.
 */
int		 matcher_match(struct matcher *m, const struct feed_item *it,
		    const struct match_feed *feed, match_cb *cb, void *arg);

#endif
