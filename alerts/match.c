/*
 * match.c: every topic compiled into one matcher; see match.h.
 *
 * How an item is matched, and why it costs about the same for 10 topics
 * as for 100,000:
 *
 *   1. Each field value (title, summary, author, each category, the link,
 *      the feed's name and tags, the article's body when it was fetched)
 *      is scanned once by one wordset holding
 *      every word, phrase, prefix and fuzzy word of every topic, with
 *      their stemmed and transliterated variants (wordset.h).  No term
 *      kind scans the text per topic.
 *   2. Each hit marks its pattern; the first hit of a pattern queues the
 *      topics whose positive terms use it.  Only those topics have their
 *      boolean tree evaluated.  Proximity is checked from the recorded
 *      word positions; regexes run with PCRE2 only while evaluating a
 *      queued topic.  Topics that can be true without any literal word
 *      (say "/re/" alone, or "/re/ OR word") are evaluated for every item:
 *      that is the documented cost of regex-only topics.
 *   3. A topic that is true is reported with the words it matched, the
 *      fields they occurred in, and a snippet (snippet.h) around its
 *      first hit in the summary, else in the body, else in the title.
 */
#include "match.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "item.h"
#include "norm.h"
#include "query.h"
#include "snippet.h"
#include "wordset.h"
#include "xmalloc.h"

#define ALIAS_DEPTH	8

/* What the matcher knows of a wordset pattern. */
struct pat {
	int32_t		*topics;	/* topics whose positive terms use it */
	size_t		 ntopics;
	/* per item */
	uint32_t	 stamp;
	unsigned	 fmask;
	int32_t		 first;
	int32_t		 last;
};

struct hit {
	int32_t		 pat;
	int32_t		 next;		/* next hit of the same pattern */
	uint32_t	 val;
	uint32_t	 pos;		/* first word */
	uint32_t	 endpos;	/* last word */
	uint32_t	 start;		/* bytes in the value */
	uint32_t	 end;
};

enum term_kind {
	TK_PATS,	/* any of pats[] */
	TK_NEAR,	/* word i: any of pats[wstart[i] .. wstart[i + 1]) */
	TK_REGEX
};

struct term {
	enum term_kind	 kind;
	unsigned	 scope;
	int32_t		*pats;
	size_t		 npats;
	int		*wstart;
	int		 nwords;
	int		 dist;
	pcre2_code	*re;
	char		*display;	/* NULL: fold the hit's text */
	/* per item */
	uint32_t	 stamp;
	int		 result;
	uint32_t	 hval, hstart, hend;
};

struct topic {
	char		*name;
	char		*query;
	struct query_node *q;
	int		*stems;
	size_t		 nstems;
	int		 translit;
	char		**feeds;
	size_t		 nfeeds;
	int		 always;
	uint32_t	 stamp;
};

struct alias {
	char		*name;
	struct query_node *q;
};

struct fval {
	unsigned	 field;
	const char	*s;
	size_t		 len;
};

struct matcher {
	struct norm	*norm;
	int		 compiled;
	struct alias	*aliases;
	size_t		 naliases;
	struct topic	*topics;
	size_t		 ntopics;

	struct wordset	*ws;		/* every literal term */

	struct pat	*pats;
	size_t		 npats;
	struct term	*terms;
	size_t		 nterms;

	/* per item */
	uint32_t	 stamp;
	struct fval	*vals;
	size_t		 nvals, valcap;
	uint32_t	 scanned;	/* the value wordset_scan() reads */
	struct hit	*hits;
	size_t		 nhits, hitcap;
	int32_t		*queue;
	size_t		 nqueue, queuecap;
	int32_t		*always;
	size_t		 nalways;
	pcre2_match_data *md;
};

/*
 * Room for element n of an array that grows one element at a time: it
 * doubles when n is a power of two, so 100,000 topics do not cost
 * 100,000 reallocations (each an mremap() once the array is large).
 */
static void *
grow(void *p, size_t n, size_t size)
{
	if ((n & (n - 1)) == 0)
		return xreallocarray(p, n ? n * 2 : 1, size);
	return p;
}

/* building terms from the query trees */

/*
 * Pattern 'pid' is used by a term of 'topic' (-1: under a NOT, where its
 * hits queue no topic).  The matcher's record of each pattern is made
 * here, as the wordset hands out the id.
 */
static void
pat_link_topic(struct matcher *m, int32_t pid, int32_t topic)
{
	struct pat	*p;

	while (m->npats <= (size_t)pid) {
		m->pats = grow(m->pats, m->npats, sizeof(*m->pats));
		memset(&m->pats[m->npats++], 0, sizeof(*m->pats));
	}
	p = &m->pats[pid];
	if (topic < 0 || (p->ntopics > 0 && p->topics[p->ntopics - 1] == topic))
		return;
	p->topics = grow(p->topics, p->ntopics, sizeof(int32_t));
	p->topics[p->ntopics++] = topic;
}

/* The patterns of one word sequence under topic t's options, in 'tm'. */
static void
term_add_words(struct matcher *m, const struct topic *t, struct term *tm,
    char *const *w, int n, int32_t topic)
{
	size_t	i;

	wordset_add_words(m->ws, w, n, t->stems, t->nstems, t->translit,
	    &tm->pats, &tm->npats);
	for (i = 0; i < tm->npats; i++)
		pat_link_topic(m, tm->pats[i], topic);
}

/* The words joined by spaces: what a match names for a term. */
static char *
join_words(char *const *w, size_t n)
{
	char	*s = xstrdup(""), *d;
	size_t	 i;

	for (i = 0; i < n; i++) {
		d = xasprintf("%s%s%s", s, i ? " " : "", w[i]);
		free(s);
		s = d;
	}
	return s;
}

static int
term_new(struct matcher *m, const struct topic *t, struct query_node *q,
    int32_t topic, char *err, size_t errlen)
{
	struct term	*tm;
	int32_t		 pid;
	int		 i, ec;
	PCRE2_SIZE	 eoff;

	m->terms = grow(m->terms, m->nterms, sizeof(*m->terms));
	tm = &m->terms[m->nterms];
	memset(tm, 0, sizeof(*tm));
	tm->scope = q->scope;
	tm->dist = q->dist;
	switch (q->kind) {
	case QUERY_WORDS:
		tm->kind = TK_PATS;
		term_add_words(m, t, tm, q->words, (int)q->nwords, topic);
		tm->display = join_words(q->words, q->nwords);
		break;
	case QUERY_PREFIX:
	case QUERY_FUZZY:
		tm->kind = TK_PATS;
		pid = q->kind == QUERY_PREFIX ? wordset_add_prefix(m->ws,
		    q->words[0]) : wordset_add_fuzzy(m->ws, q->words[0],
		    q->dist);
		pat_link_topic(m, pid, topic);
		tm->pats = xmalloc(sizeof(int32_t));
		tm->pats[0] = pid;
		tm->npats = 1;
		break;
	case QUERY_NEAR:
		tm->kind = TK_NEAR;
		tm->nwords = (int)q->nwords;
		tm->wstart = xreallocarray(NULL, q->nwords + 1, sizeof(int));
		for (i = 0; i < (int)q->nwords; i++) {
			tm->wstart[i] = (int)tm->npats;
			term_add_words(m, t, tm, &q->words[i], 1, topic);
		}
		tm->wstart[i] = (int)tm->npats;
		tm->display = join_words(q->words, q->nwords);
		break;
	case QUERY_REGEX:
		tm->kind = TK_REGEX;
		tm->re = pcre2_compile((PCRE2_SPTR)q->regex,
		    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP |
		    PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &ec, &eoff,
		    NULL);
		if (tm->re == NULL) {
			snprintf(err, errlen, "topic '%s': query: column %d: "
			    "bad regex", t->name, q->column);
			return -1;
		}
		/* JIT is optional: MemoryDenyWriteExecute forbids it */
		(void)pcre2_jit_compile(tm->re, PCRE2_JIT_COMPLETE);
		break;
	}
	q->id = (int)m->nterms++;
	return 0;
}

static int
build_terms(struct matcher *m, const struct topic *t, struct query_node *q,
    int32_t topic, int negated, char *err, size_t errlen)
{
	size_t	i;

	if (q->op == QUERY_TERM)
		return term_new(m, t, q, negated ? -1 : topic, err, errlen);
	for (i = 0; i < q->nkids; i++)
		if (build_terms(m, t, q->kids[i], topic,
		    negated ^ (q->op == QUERY_NOT), err, errlen) == -1)
			return -1;
	return 0;
}

/* A term the wordset finds: every term but a regex (and an alias). */
static int
literal(const struct query_node *q)
{
	return q->op == QUERY_TERM && q->kind != QUERY_REGEX;
}

static void
apply_scope(struct query_node *q, unsigned scope)
{
	size_t	i;

	if (q->scope == QUERY_F_DEFAULT)
		q->scope = scope;
	for (i = 0; i < q->nkids; i++)
		apply_scope(q->kids[i], scope);
}

/* Replaces @alias nodes in 'q' (in place); -1 with 'err' on failure. */
static int
expand_aliases(struct matcher *m, struct query_node **qp, const char *topic,
    int depth, char *err, size_t errlen)
{
	struct query_node	*q = *qp, *c;
	size_t			 i;

	if (q->op == QUERY_ALIAS) {
		for (i = 0; i < m->naliases; i++)
			if (strcmp(m->aliases[i].name, q->alias) == 0)
				break;
		if (i == m->naliases) {
			snprintf(err, errlen, "topic '%s': query: unknown "
			    "alias '@%s' (define it in [alias %s])", topic,
			    q->alias, q->alias);
			return -1;
		}
		if (depth >= ALIAS_DEPTH) {
			snprintf(err, errlen, "topic '%s': query: aliases "
			    "nested too deep (or a loop) at '@%s'", topic,
			    q->alias);
			return -1;
		}
		c = query_dup(m->aliases[i].q);
		apply_scope(c, q->scope);
		query_free(q);
		*qp = c;
		return expand_aliases(m, qp, topic, depth + 1, err, errlen);
	}
	for (i = 0; i < q->nkids; i++)
		if (expand_aliases(m, &q->kids[i], topic, depth, err,
		    errlen) == -1)
			return -1;
	return 0;
}

/* the public build interface */

struct matcher *
matcher_new(void)
{
	struct matcher	*m = xcalloc(1, sizeof(*m));

	m->norm = norm_new();
	m->ws = wordset_new(m->norm);
	return m;
}

void
matcher_free(struct matcher *m)
{
	size_t	i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->naliases; i++) {
		free(m->aliases[i].name);
		query_free(m->aliases[i].q);
	}
	free(m->aliases);
	for (i = 0; i < m->ntopics; i++) {
		struct topic *t = &m->topics[i];

		free(t->name);
		free(t->query);
		query_free(t->q);
		free(t->stems);
		for (j = 0; j < t->nfeeds; j++)
			free(t->feeds[j]);
		free(t->feeds);
	}
	free(m->topics);
	for (i = 0; i < m->npats; i++)
		free(m->pats[i].topics);
	free(m->pats);
	for (i = 0; i < m->nterms; i++) {
		free(m->terms[i].pats);
		free(m->terms[i].wstart);
		free(m->terms[i].display);
		pcre2_code_free(m->terms[i].re);
	}
	free(m->terms);
	wordset_free(m->ws);
	free(m->vals);
	free(m->hits);
	free(m->queue);
	free(m->always);
	pcre2_match_data_free(m->md);
	norm_free(m->norm);
	free(m);
}

int
matcher_add_alias(struct matcher *m, const char *name, const char *terms,
    char *err, size_t errlen)
{
	struct query_node	*or = NULL, *q;
	char			**list = NULL, e[256];
	size_t			 i;
	int			 rc = -1;

	if (m->compiled) {
		snprintf(err, errlen, "matcher already compiled");
		return -1;
	}
	for (i = 0; i < m->naliases; i++) {
		if (strcmp(m->aliases[i].name, name) == 0) {
			snprintf(err, errlen, "alias %s defined twice", name);
			return -1;
		}
	}
	list = query_split_list(terms);
	if (list[0] == NULL) {
		snprintf(err, errlen, "alias %s has no terms", name);
		goto out;
	}
	for (i = 0; list[i] != NULL; i++) {
		if ((q = query_parse(m->norm, list[i], e, sizeof(e))) == NULL) {
			snprintf(err, errlen, "term %zu '%s': %s", i + 1,
			    list[i], e);
			goto out;
		}
		if (!query_is_positive(q)) {
			snprintf(err, errlen, "term %zu '%s': a term needs a "
			    "positive word", i + 1, list[i]);
			query_free(q);
			goto out;
		}
		if (or == NULL) {
			or = xcalloc(1, sizeof(*or));
			or->op = QUERY_OR;
			or->scope = QUERY_F_DEFAULT;
			or->column = 1;
			or->id = -1;
		}
		or->kids = xreallocarray(or->kids, or->nkids + 1,
		    sizeof(*or->kids));
		or->kids[or->nkids++] = q;
	}
	m->aliases = xreallocarray(m->aliases, m->naliases + 1,
	    sizeof(*m->aliases));
	m->aliases[m->naliases].name = xstrdup(name);
	m->aliases[m->naliases++].q = or;
	or = NULL;
	rc = 0;
out:
	query_free(or);
	for (i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
	return rc;
}

int
matcher_add_topic(struct matcher *m, const char *name, const char *query,
    const struct topic_opts *opts, char *err, size_t errlen)
{
	struct topic		 t;
	struct query_node	*q;
	size_t			 i;
	int			 s;

	if (m->compiled) {
		snprintf(err, errlen, "matcher already compiled");
		return -1;
	}
	if ((q = query_parse(m->norm, query, err, errlen)) == NULL)
		return -1;
	if (!query_is_positive(q)) {
		snprintf(err, errlen, "a query needs at least one positive "
		    "term (one outside NOT): '%s' would match everything",
		    query);
		query_free(q);
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.q = q;
	if (opts != NULL) {
		t.translit = opts->translit;
		if (opts->nstem > 0)
			t.stems = xreallocarray(NULL, opts->nstem, sizeof(int));
		for (i = 0; i < opts->nstem; i++) {
			if ((s = norm_stemmer(m->norm, opts->stem[i])) < 0) {
				snprintf(err, errlen, "unknown stem language "
				    "'%s' (known: %s)", opts->stem[i],
				    norm_stemmer_names());
				free(t.stems);
				query_free(q);
				return -1;
			}
			t.stems[t.nstems++] = s;
		}
		if (opts->nfeeds > 0)
			t.feeds = xreallocarray(NULL, opts->nfeeds,
			    sizeof(char *));
		for (i = 0; i < opts->nfeeds; i++)
			t.feeds[t.nfeeds++] = xstrdup(opts->feeds[i]);
	}
	t.name = xstrdup(name);
	t.query = xstrdup(query);
	m->topics = grow(m->topics, m->ntopics, sizeof(*m->topics));
	m->topics[m->ntopics++] = t;
	return 0;
}

int
matcher_compile(struct matcher *m, char *err, size_t errlen)
{
	struct topic	*t;
	size_t		 i;

	if (m->compiled)
		return 0;
	for (i = 0; i < m->ntopics; i++) {
		t = &m->topics[i];
		if (expand_aliases(m, &t->q, t->name, 0, err, errlen) == -1)
			return -1;
		if (build_terms(m, t, t->q, (int32_t)i, 0, err, errlen) == -1)
			return -1;
		/* true without a word of the wordset: evaluated always */
		if (!query_needs(t->q, literal)) {
			t->always = 1;
			m->always = grow(m->always, m->nalways,
			    sizeof(int32_t));
			m->always[m->nalways++] = (int32_t)i;
		}
	}
	wordset_compile(m->ws);
	m->md = pcre2_match_data_create(1, NULL);
	m->compiled = 1;
	return 0;
}

/* matching: the hits */

/*
 * A hit of the wordset in value m->scanned.  The first hit of a pattern
 * in the item queues the topics whose positive terms use it.
 */
static void
add_hit(const struct wordset_hit *wh, void *arg)
{
	struct matcher	*m = arg;
	struct pat	*p = &m->pats[wh->pat];
	struct hit	*h;
	size_t		 i;

	if (m->nhits == m->hitcap) {
		m->hitcap = m->hitcap ? m->hitcap * 2 : 64;
		m->hits = xreallocarray(m->hits, m->hitcap, sizeof(*m->hits));
	}
	h = &m->hits[m->nhits];
	h->pat = wh->pat;
	h->next = -1;
	h->val = m->scanned;
	h->pos = wh->pos;
	h->endpos = wh->endpos;
	h->start = wh->start;
	h->end = wh->end;
	if (p->stamp != m->stamp) {
		p->stamp = m->stamp;
		p->fmask = 0;
		p->first = (int32_t)m->nhits;
		for (i = 0; i < p->ntopics; i++) {
			struct topic *t = &m->topics[p->topics[i]];

			if (t->stamp == m->stamp)
				continue;
			t->stamp = m->stamp;
			if (m->nqueue == m->queuecap) {
				m->queuecap = m->queuecap ? m->queuecap * 2 :
				    64;
				m->queue = xreallocarray(m->queue, m->queuecap,
				    sizeof(int32_t));
			}
			m->queue[m->nqueue++] = p->topics[i];
		}
	} else
		m->hits[p->last].next = (int32_t)m->nhits;
	p->last = (int32_t)m->nhits++;
	p->fmask |= m->vals[m->scanned].field;
}

static void
val_add(struct matcher *m, unsigned field, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	if (m->nvals == m->valcap) {
		m->valcap = m->valcap ? m->valcap * 2 : 16;
		m->vals = xreallocarray(m->vals, m->valcap, sizeof(*m->vals));
	}
	m->vals[m->nvals].field = field;
	m->vals[m->nvals].s = s;
	m->vals[m->nvals].len = strlen(s);
	m->nvals++;
}

/* matching: evaluation */

struct near_pos {
	uint32_t	val, pos, endpos, start, end;
	int		word;
};

static int
near_cmp(const void *a, const void *b)
{
	const struct near_pos *x = a, *y = b;

	if (x->val != y->val)
		return x->val < y->val ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->word - y->word;
}

/*
 * Finds the term's first hit, in value 'only' if it is not -1.  Fills
 * the hit's value and byte range; returns 1 if found.
 */
static int
term_find(struct matcher *m, struct term *tm, int64_t only, uint32_t *hval,
    uint32_t *hstart, uint32_t *hend)
{
	struct near_pos	*np = NULL;
	size_t		 i, nnp = 0, cap = 0, a, b;
	int32_t		 h;
	int		 found = 0, cnt[QUERY_MAX_PHRASE], have, w, rc;
	uint64_t	 best = UINT64_MAX, key;
	PCRE2_SIZE	*ov;

	switch (tm->kind) {
	case TK_PATS:
		for (i = 0; i < tm->npats; i++) {
			struct pat *p = &m->pats[tm->pats[i]];

			if (p->stamp != m->stamp || !(p->fmask & tm->scope))
				continue;
			for (h = p->first; h >= 0; h = m->hits[h].next) {
				struct hit *x = &m->hits[h];

				if (!(m->vals[x->val].field & tm->scope) ||
				    (only >= 0 && x->val != only))
					continue;
				key = ((uint64_t)x->val << 32) | x->start;
				if (key < best) {
					best = key;
					*hval = x->val;
					*hstart = x->start;
					*hend = x->end;
					found = 1;
				}
				break;
			}
		}
		return found;
	case TK_NEAR:
		for (w = 0; w < tm->nwords; w++) {
			for (i = (size_t)tm->wstart[w];
			    i < (size_t)tm->wstart[w + 1]; i++) {
				struct pat *p = &m->pats[tm->pats[i]];

				if (p->stamp != m->stamp ||
				    !(p->fmask & tm->scope))
					continue;
				for (h = p->first; h >= 0;
				    h = m->hits[h].next) {
					struct hit *x = &m->hits[h];

					if (!(m->vals[x->val].field &
					    tm->scope) || (only >= 0 &&
					    x->val != only))
						continue;
					if (nnp == cap) {
						cap = cap ? cap * 2 : 16;
						np = xreallocarray(np, cap,
						    sizeof(*np));
					}
					np[nnp].val = x->val;
					np[nnp].pos = x->pos;
					np[nnp].endpos = x->endpos;
					np[nnp].start = x->start;
					np[nnp].end = x->end;
					np[nnp++].word = w;
				}
			}
		}
		if (nnp > 1)
			qsort(np, nnp, sizeof(*np), near_cmp);
		/* sliding window: every word, span <= dist + words - 1 */
		memset(cnt, 0, sizeof(cnt));
		have = 0;
		for (a = b = 0; b < nnp && !found; b++) {
			if (cnt[np[b].word]++ == 0)
				have++;
			while (np[a].val != np[b].val || np[b].pos - np[a].pos >
			    (uint32_t)(tm->dist + tm->nwords - 1)) {
				if (--cnt[np[a].word] == 0)
					have--;
				a++;
			}
			if (have == tm->nwords) {
				found = 1;
				*hval = np[a].val;
				*hstart = np[a].start;
				*hend = np[b].end;
			}
		}
		free(np);
		return found;
	case TK_REGEX:
		for (i = 0; i < m->nvals; i++) {
			if (!(m->vals[i].field & tm->scope) ||
			    (only >= 0 && i != (size_t)only))
				continue;
			rc = pcre2_match(tm->re, (PCRE2_SPTR)m->vals[i].s,
			    m->vals[i].len, 0, 0, m->md, NULL);
			if (rc < 0)
				continue;
			ov = pcre2_get_ovector_pointer(m->md);
			*hval = (uint32_t)i;
			*hstart = (uint32_t)ov[0];
			*hend = (uint32_t)(ov[1] > ov[0] ? ov[1] : ov[0]);
			return 1;
		}
		return 0;
	}
	return 0;
}

static int
term_eval(struct matcher *m, struct term *tm)
{
	if (tm->stamp != m->stamp) {
		tm->stamp = m->stamp;
		tm->result = term_find(m, tm, -1, &tm->hval, &tm->hstart,
		    &tm->hend);
	}
	return tm->result;
}

static int
node_eval(struct matcher *m, const struct query_node *q)
{
	size_t	i;

	switch (q->op) {
	case QUERY_TERM:
		return term_eval(m, &m->terms[q->id]);
	case QUERY_NOT:
		return !node_eval(m, q->kids[0]);
	case QUERY_AND:
		for (i = 0; i < q->nkids; i++)
			if (!node_eval(m, q->kids[i]))
				return 0;
		return 1;
	case QUERY_OR:
		for (i = 0; i < q->nkids; i++)
			if (node_eval(m, q->kids[i]))
				return 1;
		return 0;
	case QUERY_ALIAS:
		break;
	}
	return 0;
}

/* The positive terms of 'q' (outside an odd number of NOTs) that occurred. */
static void
positive_terms(struct matcher *m, const struct query_node *q, int neg,
    struct term **out, size_t *n)
{
	size_t	i;

	if (q->op == QUERY_TERM) {
		if (!neg && term_eval(m, &m->terms[q->id]) && *n < 64)
			out[(*n)++] = &m->terms[q->id];
		return;
	}
	for (i = 0; i < q->nkids; i++)
		positive_terms(m, q->kids[i], neg ^ (q->op == QUERY_NOT), out,
		    n);
}

static int
term_order(const void *a, const void *b)
{
	const struct term *x = *(struct term *const *)a;
	const struct term *y = *(struct term *const *)b;

	if (x->hval != y->hval)
		return x->hval < y->hval ? -1 : 1;
	if (x->hstart != y->hstart)
		return x->hstart < y->hstart ? -1 : 1;
	return 0;
}

static int
feed_allowed(const struct topic *t, const struct match_feed *f)
{
	size_t	i, j;

	if (t->nfeeds == 0 || f == NULL)
		return 1;
	for (i = 0; i < t->nfeeds; i++) {
		const char *x = t->feeds[i];

		if (strcmp(x, "*") == 0)
			return 1;
		if (strncmp(x, "tag:", 4) == 0) {
			for (j = 0; j < f->ntags; j++)
				if (f->tags[j] != NULL &&
				    strcmp(f->tags[j], x + 4) == 0)
					return 1;
		} else if (f->name != NULL && strcmp(x, f->name) == 0)
			return 1;
	}
	return 0;
}

static int
int_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The earliest hit of the terms pos[0..npos) in value 'val': 1 with its
 * value and byte range filled, or 0.
 */
static int
first_hit(struct matcher *m, struct term *const *pos, size_t npos,
    int64_t val, uint32_t *hv, uint32_t *hs, uint32_t *he)
{
	uint64_t	best = UINT64_MAX;
	uint32_t	v, s, e;
	size_t		i;

	for (i = 0; i < npos; i++) {
		if (term_find(m, pos[i], val, &v, &s, &e) && s < best) {
			best = s;
			*hv = v;
			*hs = s;
			*he = e;
		}
	}
	return best != UINT64_MAX;
}

/* The fields (QUERY_F_* bits) where the terms pos[0..npos) occur. */
static unsigned
hit_fields(struct matcher *m, struct term *const *pos, size_t npos)
{
	unsigned	 mask = 0, f;
	uint32_t	 v, s, e;
	size_t		 i, j;

	for (i = 0; i < npos; i++)
		for (j = 0; j < m->nvals; j++) {
			f = m->vals[j].field;
			if ((f & pos[i]->scope) && !(f & mask) &&
			    term_find(m, pos[i], (int64_t)j, &v, &s, &e))
				mask |= f;
		}
	return mask;
}

/* Builds and delivers the match of topic 'ti'; the callback's result. */
static int
report(struct matcher *m, struct topic *t, match_cb *cb, void *arg)
{
	struct term	*pos[64];
	const char	*words[64], *fields[8];
	char		*owned[64];
	size_t		 npos = 0, nw = 0, nown = 0, i, j;
	struct match	 mt;
	uint32_t	 hv, hs, he;
	int64_t		 sv = -1, bv = -1, tv = -1;
	int		 rc;
	const char	*d;

	positive_terms(m, t->q, 0, pos, &npos);
	qsort(pos, npos, sizeof(*pos), term_order);
	for (i = 0; i < npos; i++) {
		if ((d = pos[i]->display) == NULL) {
			size_t l = pos[i]->hend - pos[i]->hstart;

			owned[nown] = norm_fold_words(m->norm,
			    m->vals[pos[i]->hval].s + pos[i]->hstart,
			    l > 200 ? 200 : l);
			d = owned[nown++];
			if (*d == '\0')
				continue;
		}
		for (j = 0; j < nw; j++)
			if (strcmp(words[j], d) == 0)
				break;
		if (j == nw)
			words[nw++] = d;
	}
	/* the snippet: the first hit in the summary, body or title */
	for (i = 0; i < m->nvals; i++) {
		if (m->vals[i].field == QUERY_F_SUMMARY && sv < 0)
			sv = (int64_t)i;
		if (m->vals[i].field == QUERY_F_BODY && bv < 0)
			bv = (int64_t)i;
		if (m->vals[i].field == QUERY_F_TITLE && tv < 0)
			tv = (int64_t)i;
	}
	hv = UINT32_MAX;
	hs = he = 0;
	if (!(sv >= 0 && first_hit(m, pos, npos, sv, &hv, &hs, &he)) &&
	    !(bv >= 0 && first_hit(m, pos, npos, bv, &hv, &hs, &he)) &&
	    !(tv >= 0 && first_hit(m, pos, npos, tv, &hv, &hs, &he))) {
		hs = he = 0;
		hv = sv >= 0 ? (uint32_t)sv : tv >= 0 ? (uint32_t)tv :
		    UINT32_MAX;
	}
	memset(&mt, 0, sizeof(mt));
	mt.topic = t->name;
	mt.query = t->query;
	mt.words = words;
	mt.nwords = nw;
	mt.fields = fields;
	mt.nfields = query_field_names(hit_fields(m, pos, npos), fields,
	    sizeof(fields) / sizeof(fields[0]));
	mt.snippet = hv == UINT32_MAX ? xstrdup("") : snippet_make(
	    m->vals[hv].s, m->vals[hv].len, hs, he);
	rc = cb(&mt, arg);
	free((char *)mt.snippet);
	for (i = 0; i < nown; i++)
		free(owned[i]);
	return rc;
}

int
matcher_match(struct matcher *m, const struct feed_item *it,
    const struct match_feed *feed, match_cb *cb, void *arg)
{
	size_t	i, a, q;
	int32_t	ti;

	if (!m->compiled)
		return -1;
	if (++m->stamp == 0) {
		/* wrapped: forget every old mark */
		for (i = 0; i < m->npats; i++)
			m->pats[i].stamp = 0;
		for (i = 0; i < m->nterms; i++)
			m->terms[i].stamp = 0;
		for (i = 0; i < m->ntopics; i++)
			m->topics[i].stamp = 0;
		m->stamp = 1;
	}
	m->nvals = m->nhits = m->nqueue = 0;
	val_add(m, QUERY_F_TITLE, it->title);
	val_add(m, QUERY_F_SUMMARY, it->summary);
	val_add(m, QUERY_F_AUTHOR, it->author);
	for (i = 0; i < it->ncategories; i++)
		val_add(m, QUERY_F_CATEGORY, it->categories[i]);
	val_add(m, QUERY_F_LINK, it->link);
	if (feed != NULL) {
		val_add(m, QUERY_F_FEED, feed->name);
		for (i = 0; i < feed->ntags; i++)
			val_add(m, QUERY_F_FEED, feed->tags[i]);
	}
	val_add(m, QUERY_F_BODY, it->body);
	for (i = 0; i < m->nvals; i++) {
		m->scanned = (uint32_t)i;
		wordset_scan(m->ws, m->vals[i].s, m->vals[i].len, add_hit, m);
	}
	if (m->nqueue == 0 && m->nalways == 0)
		return 0;
	if (m->nqueue > 1)
		qsort(m->queue, m->nqueue, sizeof(int32_t), int_cmp);
	/* merge the queued topics with the always-evaluated ones */
	for (q = a = 0; q < m->nqueue || a < m->nalways; ) {
		if (a == m->nalways || (q < m->nqueue &&
		    m->queue[q] <= m->always[a])) {
			ti = m->queue[q++];
			if (a < m->nalways && m->always[a] == ti)
				a++;
		} else
			ti = m->always[a++];
		if (!feed_allowed(&m->topics[ti], feed))
			continue;
		if (!node_eval(m, m->topics[ti].q))
			continue;
		if (report(m, &m->topics[ti], cb, arg) == -1)
			return -1;
	}
	return 0;
}
