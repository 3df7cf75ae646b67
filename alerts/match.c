/*
 * match.c: every topic compiled into one word automaton.
 *
 * How an item is matched, and why it costs about the same for 10 topics
 * as for 100,000:
 *
 *   1. Each field value (title, summary, author, each category, the link,
 *      the feed's name and tags) is cut into folded words once (norm.h).
 *   2. Each word is looked up once in one hash dictionary of every word of
 *      every topic, behind a bloom filter: unknown words (nearly all of
 *      them) cost one load from the filter, 2 bytes a topic word, which
 *      stays in the CPU's caches.
 *   3. The word ids drive one Aho-Corasick automaton over words, built
 *      from every word and phrase of every topic, so phrases of any length
 *      are found in the same pass.  Stemmed and transliterated variants of
 *      query words live in the same automaton under their own namespace,
 *      with one cursor per namespace in use.
 *   4. Prefix terms are looked up by hashing each word's leading bytes for
 *      each distinct prefix length in use; fuzzy terms through a
 *      deletion-neighbourhood index (symmetric delete); both, and the
 *      stem/translit keys, are cached per distinct word, so frequent words
 *      cost a cache probe.  No term kind scans the text per topic.
 *   5. Each hit marks its pattern; the first hit of a pattern queues the
 *      topics whose positive terms use it.  Only those topics have their
 *      boolean tree evaluated.  Proximity is checked from the recorded
 *      word positions; regexes run with PCRE2 only while evaluating a
 *      queued topic.  Topics that can be true without any literal word
 *      (say "/re/" alone, or "/re/ OR word") are evaluated for every item:
 *      that is the documented cost of regex-only topics.
 */
#include "match.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "fuzzy.h"
#include "item.h"
#include "norm.h"
#include "query.h"
#include "smap.h"
#include "snippet.h"
#include "xmalloc.h"

/* Word namespaces: the automaton's alphabet is (namespace, word). */
#define NS_PLAIN	0
#define NS_XC		1	/* skeletons of Cyrillic item words */
#define NS_XL		2	/* skeletons of Latin item words */
#define NS_STEM		3	/* + stemmer index */
#define NS_XCS		(NS_STEM + 32)	/* + stemmer: stemmed, then NS_XC */
#define NS_MAX		(NS_XCS + 32)

#define RING		64	/* > QUERY_MAX_PHRASE */
#define CACHE_BITS	14
#define CACHE_WORD	46
#define ALIAS_DEPTH	8

/* The automaton's goto function off the root: (node, word) -> node. */
struct edge {
	uint64_t	key;	/* UINT64_MAX: empty */
	int32_t		child;
};

enum pat_kind {
	PK_AC,		/* a word sequence in the automaton */
	PK_PREFIX,
	PK_FUZZY
};

struct pat {
	enum pat_kind	 kind;
	int		 nwords;
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

struct cache_ent {
	uint64_t	h;
	int32_t		fz_off;
	int16_t		fz_n;
	uint8_t		len;		/* 0xff: empty */
	char		w[CACHE_WORD];
};

struct matcher {
	struct norm	*norm;
	int		 compiled;
	struct alias	*aliases;
	size_t		 naliases;
	struct topic	*topics;
	size_t		 ntopics;

	struct smap	 words;		/* (ns, word) -> word id */
	uint64_t	*wfilter;	/* bloom filter of the plain words */
	size_t		 wfmask;
	struct smap	 patkeys;	/* pattern identity -> pattern id */
	struct smap	 prefixes;	/* prefix -> pattern id */
	size_t		*plens;		/* distinct prefix lengths, sorted */
	size_t		 nplens;
	struct fuzzy	*fuzzy;

	struct pat	*pats;
	size_t		 npats;
	struct term	*terms;
	size_t		 nterms;

	/* the automaton */
	int32_t		*root_next;	/* by word id */
	size_t		 nwords_cap;
	int32_t		*fail, *out, *nodepat, *parent, *pword, *depth;
	size_t		 nnodes, nodecap;
	struct edge	*edges;
	size_t		 edgemask, nedges;

	/* derived namespaces in use: stems, XC, XL */
	int		 dns[NS_MAX];
	int		 ndns;
	int		 ns_used[NS_MAX];

	/* per distinct word cache of derived ids and fuzzy hits */
	struct cache_ent *cache;
	int32_t		*cache_ids;
	struct fuzzy_ids fzpool;	/* the cache's fuzzy hits */

	/* per item */
	uint32_t	 stamp;
	struct fval	*vals;
	size_t		 nvals, valcap;
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

/*
 * Nearly no word of an item is a word of a topic, and the word map is too
 * big to stay in the L1 cache, so a bloom filter of 16 bits per word (two
 * bits of one 64-bit word: one load, about 1% false positives) turns most
 * words away first.  Its key is one multiply of the word's first 8 bytes
 * and length, shorter than smap_hash(): words are short, and one that
 * shares both with a topic word only costs a probe of the map.
 */
static inline uint64_t
wfilter_key(const char *s, size_t len)
{
	uint64_t	w;

	memcpy(&w, s, 8);
	if (len < 8)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w &= ~(~0ULL >> (8 * len));
#else
		w &= ~(~0ULL << (8 * len));
#endif
	return (w ^ len) * 0x9e3779b97f4a7c15ULL;
}

static inline uint64_t
wfilter_bits(uint64_t k)
{
	return (1ULL << (k >> 58)) | (1ULL << ((k >> 52) & 63));
}

static void
wfilter_build(struct matcher *m)
{
	const struct smap_slot	*sl;
	char			 head[8];
	size_t			 n = 1, i, l;
	uint64_t		 k;

	while (n * 4 < m->words.n && n < ((size_t)1 << 20))
		n *= 2;
	m->wfilter = xcalloc(n, sizeof(uint64_t));
	m->wfmask = n - 1;
	for (i = 0; m->words.slot != NULL && i <= m->words.mask; i++) {
		sl = &m->words.slot[i];
		if (sl->val == -1 || m->words.pool[sl->off] != NS_PLAIN)
			continue;
		l = sl->len - 1;
		memset(head, 0, sizeof(head));
		memcpy(head, m->words.pool + sl->off + 1, l < 8 ? l : 8);
		k = wfilter_key(head, l);
		m->wfilter[(k >> 32) & m->wfmask] |= wfilter_bits(k);
	}
}

/* 'w' is padded: 8 bytes are readable. */
static inline int
wfilter_has(const struct matcher *m, const char *w, size_t len)
{
	uint64_t	k = wfilter_key(w, len), b = wfilter_bits(k);

	return (m->wfilter[(k >> 32) & m->wfmask] & b) == b;
}

/* the automaton */

static inline size_t
edge_slot(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
}

static inline int32_t
edge_get(const struct matcher *m, int32_t node, int32_t w)
{
	uint64_t	key = ((uint64_t)(uint32_t)node << 32) | (uint32_t)w;
	size_t		i;

	if (m->nedges == 0)
		return -1;
	for (i = edge_slot(key, m->edgemask); m->edges[i].key != UINT64_MAX;
	    i = (i + 1) & m->edgemask)
		if (m->edges[i].key == key)
			return m->edges[i].child;
	return -1;
}

static void
edge_put(struct matcher *m, int32_t node, int32_t w, int32_t child)
{
	struct edge	*old = m->edges;
	size_t		 oldn = old ? m->edgemask + 1 : 0, cap, i, j;
	uint64_t	 key = ((uint64_t)(uint32_t)node << 32) | (uint32_t)w;

	if (old == NULL || m->nedges + 1 > oldn / 2) {
		cap = oldn ? oldn * 2 : 64;
		m->edges = xreallocarray(NULL, cap, sizeof(*m->edges));
		for (i = 0; i < cap; i++)
			m->edges[i].key = UINT64_MAX;
		m->edgemask = cap - 1;
		for (i = 0; i < oldn; i++) {
			if (old[i].key == UINT64_MAX)
				continue;
			for (j = edge_slot(old[i].key, m->edgemask);
			    m->edges[j].key != UINT64_MAX;
			    j = (j + 1) & m->edgemask)
				;
			m->edges[j] = old[i];
		}
		free(old);
	}
	for (i = edge_slot(key, m->edgemask); m->edges[i].key != UINT64_MAX;
	    i = (i + 1) & m->edgemask)
		;
	m->edges[i].key = key;
	m->edges[i].child = child;
	m->nedges++;
}

static int32_t
node_new(struct matcher *m, int32_t parent, int32_t w)
{
	size_t	n = m->nnodes;

	if (n == m->nodecap) {
		m->nodecap = m->nodecap ? m->nodecap * 2 : 256;
		m->fail = xreallocarray(m->fail, m->nodecap, sizeof(int32_t));
		m->out = xreallocarray(m->out, m->nodecap, sizeof(int32_t));
		m->nodepat = xreallocarray(m->nodepat, m->nodecap,
		    sizeof(int32_t));
		m->parent = xreallocarray(m->parent, m->nodecap,
		    sizeof(int32_t));
		m->pword = xreallocarray(m->pword, m->nodecap,
		    sizeof(int32_t));
		m->depth = xreallocarray(m->depth, m->nodecap,
		    sizeof(int32_t));
	}
	m->fail[n] = 0;
	m->out[n] = 0;
	m->nodepat[n] = -1;
	m->parent[n] = parent;
	m->pword[n] = w;
	m->depth[n] = parent < 0 ? 0 : m->depth[parent] + 1;
	m->nnodes++;
	return (int32_t)n;
}

static int32_t
word_id(struct matcher *m, unsigned ns, const char *w, size_t len)
{
	int32_t	id = smap_put(&m->words, ns, w, len, (int32_t)m->words.n);
	size_t	old = m->nwords_cap;

	if ((size_t)id >= m->nwords_cap) {
		m->nwords_cap = m->nwords_cap ? m->nwords_cap * 2 : 256;
		m->root_next = xreallocarray(m->root_next, m->nwords_cap,
		    sizeof(int32_t));
		memset(m->root_next + old, 0,
		    (m->nwords_cap - old) * sizeof(int32_t));
	}
	m->ns_used[ns] = 1;
	return id;
}

static int32_t
ac_insert(struct matcher *m, const int32_t *w, int n)
{
	int32_t	s = 0, t;
	int	i;

	for (i = 0; i < n; i++) {
		if (s == 0)
			t = m->root_next[w[i]] ? m->root_next[w[i]] : -1;
		else
			t = edge_get(m, s, w[i]);
		if (t < 0) {
			t = node_new(m, s, w[i]);
			if (s == 0)
				m->root_next[w[i]] = t;
			else
				edge_put(m, s, w[i], t);
		}
		s = t;
	}
	return s;
}

static inline int32_t
ac_next(const struct matcher *m, int32_t s, int32_t w)
{
	int32_t	t;

	if (w < 0)
		return 0;
	while (s != 0) {
		if ((t = edge_get(m, s, w)) >= 0)
			return t;
		s = m->fail[s];
	}
	return m->root_next[w];
}

/* Failure and output links, parents before children (by depth). */
static void
ac_build(struct matcher *m)
{
	int32_t	*order, *cnt, maxd = 0, f, t, u, c;
	size_t	 i;

	for (i = 0; i < m->nnodes; i++)
		if (m->depth[i] > maxd)
			maxd = m->depth[i];
	cnt = xcalloc((size_t)maxd + 2, sizeof(int32_t));
	order = xreallocarray(NULL, m->nnodes, sizeof(int32_t));
	for (i = 0; i < m->nnodes; i++)
		cnt[m->depth[i] + 1]++;
	for (i = 1; i < (size_t)maxd + 2; i++)
		cnt[i] += cnt[i - 1];
	for (i = 0; i < m->nnodes; i++)
		order[cnt[m->depth[i]]++] = (int32_t)i;
	for (i = 0; i < m->nnodes; i++) {
		c = order[i];
		u = m->parent[c];
		if (c == 0 || u == 0) {
			m->fail[c] = 0;
		} else {
			f = m->fail[u];
			for (;;) {
				if (f == 0) {
					t = m->root_next[m->pword[c]];
					break;
				}
				if ((t = edge_get(m, f, m->pword[c])) >= 0)
					break;
				f = m->fail[f];
			}
			m->fail[c] = t == c ? 0 : t;
		}
		f = m->fail[c];
		m->out[c] = c == 0 ? 0 : (m->nodepat[f] >= 0 ? f : m->out[f]);
	}
	free(order);
	free(cnt);
}

/* patterns */

static int32_t
pat_new(struct matcher *m, enum pat_kind kind, const char *key,
    size_t keylen, int *isnew)
{
	int32_t		 id;
	struct pat	*p;

	id = smap_put(&m->patkeys, (unsigned)kind, key, keylen,
	    (int32_t)m->npats);
	*isnew = (size_t)id == m->npats;
	if (!*isnew)
		return id;
	m->pats = grow(m->pats, m->npats, sizeof(*m->pats));
	p = &m->pats[m->npats++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	return id;
}

static void
pat_link_topic(struct matcher *m, int32_t pid, int32_t topic)
{
	struct pat	*p = &m->pats[pid];

	if (topic < 0 || (p->ntopics > 0 && p->topics[p->ntopics - 1] == topic))
		return;
	if ((p->ntopics & (p->ntopics - 1)) == 0)
		p->topics = xreallocarray(p->topics, p->ntopics ? p->ntopics *
		    2 : 1, sizeof(int32_t));
	p->topics[p->ntopics++] = topic;
}

/* A word sequence in namespace 'ns'. */
static int32_t
pat_words(struct matcher *m, unsigned ns, char *const *w, int n)
{
	char		 key[QUERY_MAX_PHRASE * (NORM_WORD_MAX * 4 + 2) + 2];
	int32_t		 ids[QUERY_MAX_PHRASE], pid, node;
	size_t		 kl = 0, l;
	int		 i, isnew;

	key[kl++] = (char)ns;
	for (i = 0; i < n; i++) {
		l = strlen(w[i]);
		memcpy(key + kl, w[i], l);
		kl += l;
		key[kl++] = '\0';
	}
	pid = pat_new(m, PK_AC, key, kl, &isnew);
	if (!isnew)
		return pid;
	m->pats[pid].nwords = n;
	for (i = 0; i < n; i++)
		ids[i] = word_id(m, ns, w[i], strlen(w[i]));
	node = ac_insert(m, ids, n);
	m->nodepat[node] = pid;
	return pid;
}

static int32_t
pat_fuzzy(struct matcher *m, const char *w, int dist)
{
	char		key[NORM_WORD_MAX + 4];
	int32_t		pid;
	int		isnew;
	size_t		l = strlen(w);

	key[0] = (char)('0' + dist);
	memcpy(key + 1, w, l);
	pid = pat_new(m, PK_FUZZY, key, l + 1, &isnew);
	if (isnew)
		fuzzy_add(m->fuzzy, pid, w, dist);
	return pid;
}

static int32_t
pat_prefix(struct matcher *m, const char *w)
{
	int32_t	pid;
	size_t	l = strlen(w), i;
	int	isnew;

	pid = pat_new(m, PK_PREFIX, w, l, &isnew);
	if (!isnew)
		return pid;
	smap_put(&m->prefixes, 0, w, l, pid);
	for (i = 0; i < m->nplens && m->plens[i] < l; i++)
		;
	if (i == m->nplens || m->plens[i] != l) {
		m->plens = xreallocarray(m->plens, m->nplens + 1,
		    sizeof(size_t));
		memmove(m->plens + i + 1, m->plens + i,
		    (m->nplens - i) * sizeof(size_t));
		m->plens[i] = l;
		m->nplens++;
	}
	return pid;
}

/* building terms from the query trees */

/* The variants of one word sequence under a topic's options. */
static void
word_variants(struct matcher *m, const struct topic *t, char *const *w,
    int n, int32_t topic, int32_t **pats, size_t *npats)
{
	char	*v[QUERY_MAX_PHRASE];
	char	 buf[NORM_WORD_MAX * 4 + 8];
	size_t	 i;
	int	 j, ok, cyr = 0, len;

	*pats = xreallocarray(*pats, *npats + 2 + 3 * t->nstems,
	    sizeof(int32_t));
	(*pats)[(*npats)++] = pat_words(m, NS_PLAIN, w, n);
	for (i = 0; i < t->nstems; i++) {
		ok = 1;
		for (j = 0; j < n; j++) {
			len = norm_stem(m->norm, t->stems[i], w[j], strlen(w[j]),
			    buf, sizeof(buf));
			v[j] = len <= 0 ? NULL : xstrdup(buf);
			ok = ok && v[j] != NULL;
		}
		if (ok) {
			(*pats)[(*npats)++] = pat_words(m,
			    NS_STEM + (unsigned)t->stems[i], v, n);
			/*
			 * Snowball may cut a query word further than its
			 * inflections (russian: "лавров" -> "лавр", but
			 * "лаврова" -> "лавров"), so the word itself is a
			 * stem too.
			 */
			(*pats)[(*npats)++] = pat_words(m,
			    NS_STEM + (unsigned)t->stems[i], w, n);
		}
		for (j = 0; j < n; j++)
			free(v[j]);
	}
	if (t->translit) {
		ok = 1;
		for (j = 0; j < n; j++) {
			const unsigned char *c = (const unsigned char *)w[j];

			for (; *c != '\0'; c++)
				if (c[0] == 0xd0 || c[0] == 0xd1 ||
				    c[0] == 0xd2)
					cyr = 1;
		}
		for (j = 0; j < n; j++) {
			len = norm_skeleton(w[j], strlen(w[j]), buf,
			    sizeof(buf));
			v[j] = len <= 0 ? NULL : xstrdup(buf);
			ok = ok && v[j] != NULL;
		}
		if (ok)
			(*pats)[(*npats)++] = pat_words(m, cyr ? NS_XL : NS_XC,
			    v, n);
		/* Latin words meet inflected Cyrillic ones: "Лаврова" */
		for (i = 0; ok && !cyr && i < t->nstems; i++)
			(*pats)[(*npats)++] = pat_words(m,
			    NS_XCS + (unsigned)t->stems[i], v, n);
		for (j = 0; j < n; j++)
			free(v[j]);
	}
	for (i = 0; i < *npats; i++)
		pat_link_topic(m, (*pats)[i], topic);
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
		word_variants(m, t, q->words, (int)q->nwords, topic, &tm->pats,
		    &tm->npats);
		tm->display = join_words(q->words, q->nwords);
		break;
	case QUERY_PREFIX:
	case QUERY_FUZZY:
		tm->kind = TK_PATS;
		pid = q->kind == QUERY_PREFIX ? pat_prefix(m, q->words[0]) :
		    pat_fuzzy(m, q->words[0], q->dist);
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
			word_variants(m, t, &q->words[i], 1, topic, &tm->pats,
			    &tm->npats);
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

/* A term the automaton finds: every term but a regex (and an alias). */
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
	smap_init(&m->words);
	smap_init(&m->patkeys);
	smap_init(&m->prefixes);
	m->fuzzy = fuzzy_new();
	node_new(m, -1, -1);	/* the root */
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
	for (i = 0; i < m->npats; i++) {
		free(m->pats[i].topics);
	}
	free(m->pats);
	for (i = 0; i < m->nterms; i++) {
		free(m->terms[i].pats);
		free(m->terms[i].wstart);
		free(m->terms[i].display);
		pcre2_code_free(m->terms[i].re);
	}
	free(m->terms);
	free(m->plens);
	smap_release(&m->words);
	smap_release(&m->patkeys);
	smap_release(&m->prefixes);
	fuzzy_free(m->fuzzy);
	free(m->wfilter);
	free(m->root_next);
	free(m->fail);
	free(m->out);
	free(m->nodepat);
	free(m->parent);
	free(m->pword);
	free(m->depth);
	free(m->edges);
	free(m->cache);
	free(m->cache_ids);
	free(m->fzpool.v);
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
		    "term (one outside NOT): '%s' would match everything", query);
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
	size_t		 i, k;

	if (m->compiled)
		return 0;
	for (i = 0; i < m->ntopics; i++) {
		t = &m->topics[i];
		if (expand_aliases(m, &t->q, t->name, 0, err, errlen) == -1)
			return -1;
		if (build_terms(m, t, t->q, (int32_t)i, 0, err, errlen) == -1)
			return -1;
		/* true without a word of the automaton: evaluated always */
		if (!query_needs(t->q, literal)) {
			t->always = 1;
			m->always = grow(m->always, m->nalways, sizeof(int32_t));
			m->always[m->nalways++] = (int32_t)i;
		}
	}
	ac_build(m);
	wfilter_build(m);
	for (k = NS_XC; k < NS_MAX; k++)
		if (m->ns_used[k])
			m->dns[m->ndns++] = (int)k;
	if (m->ndns > 0 || !fuzzy_empty(m->fuzzy)) {
		m->cache = xreallocarray(NULL, (size_t)1 << CACHE_BITS,
		    sizeof(*m->cache));
		for (i = 0; i < (size_t)1 << CACHE_BITS; i++)
			m->cache[i].len = 0xff;
		m->cache_ids = xreallocarray(NULL, ((size_t)1 << CACHE_BITS) *
		    (size_t)(m->ndns ? m->ndns : 1), sizeof(int32_t));
	}
	m->md = pcre2_match_data_create(1, NULL);
	m->compiled = 1;
	return 0;
}

/* matching: the scan */

static void
add_hit(struct matcher *m, int32_t pid, uint32_t val, uint32_t pos,
    uint32_t endpos, uint32_t start, uint32_t end)
{
	struct pat	*p = &m->pats[pid];
	struct hit	*h;
	size_t		 i;

	if (m->nhits == m->hitcap) {
		m->hitcap = m->hitcap ? m->hitcap * 2 : 64;
		m->hits = xreallocarray(m->hits, m->hitcap, sizeof(*m->hits));
	}
	h = &m->hits[m->nhits];
	h->pat = pid;
	h->next = -1;
	h->val = val;
	h->pos = pos;
	h->endpos = endpos;
	h->start = start;
	h->end = end;
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
	p->fmask |= m->vals[val].field;
}

/*
 * The derived word ids (one per derived namespace) and fuzzy patterns of
 * word 't', through the cache.  Returns the cache entry; ids in *ids.
 */
static struct cache_ent *
derive(struct matcher *m, const struct norm_token *t, int32_t **ids)
{
	static struct cache_ent	 scratch;
	static int32_t		 sids[NS_MAX];
	struct cache_ent	*e;
	char			 buf[NORM_WORD_MAX * 4 + 8];
	uint64_t		 h = smap_hash(0, t->word, t->len, 0);
	size_t			 slot = (size_t)(h >> 7) &
				    (((size_t)1 << CACHE_BITS) - 1);
	int			 i, len, ns;

	if (t->len <= CACHE_WORD) {
		e = &m->cache[slot];
		*ids = &m->cache_ids[slot * (size_t)(m->ndns ? m->ndns : 1)];
		if (e->len == t->len && e->h == h &&
		    memcmp(e->w, t->word, t->len) == 0)
			return e;
		if (m->fzpool.n > ((size_t)1 << 22)) {
			/* the fuzzy pool is full: start the cache afresh */
			for (i = 0; i < 1 << CACHE_BITS; i++)
				m->cache[i].len = 0xff;
			m->fzpool.n = 0;
		}
		e->h = h;
		e->len = (uint8_t)t->len;
		memcpy(e->w, t->word, t->len);
	} else {
		e = &scratch;
		*ids = sids;
	}
	for (i = 0; i < m->ndns; i++) {
		ns = m->dns[i];
		len = -1;
		if (ns == NS_XC && (t->flags & NORM_TOK_CYRILLIC))
			len = norm_skeleton(t->word, t->len, buf, sizeof(buf));
		else if (ns == NS_XL && (t->flags & NORM_TOK_ASCII))
			len = norm_skeleton(t->word, t->len, buf, sizeof(buf));
		else if (ns >= NS_XCS && (t->flags & NORM_TOK_CYRILLIC)) {
			char st[NORM_WORD_MAX * 4 + 8];

			len = norm_stem(m->norm, ns - NS_XCS, t->word, t->len,
			    st, sizeof(st));
			if (len > 0)
				len = norm_skeleton(st, (size_t)len, buf,
				    sizeof(buf));
		} else if (ns >= NS_STEM && ns < NS_XCS)
			len = norm_stem(m->norm, ns - NS_STEM, t->word, t->len,
			    buf, sizeof(buf));
		(*ids)[i] = len > 0 ? smap_get(&m->words, (unsigned)ns, buf,
		    (size_t)len) : -1;
	}
	e->fz_off = (int32_t)m->fzpool.n;
	e->fz_n = (int16_t)fuzzy_find(m->fuzzy, t->word, t->len, &m->fzpool);
	return e;
}

static void
emit_ac(struct matcher *m, int32_t s, uint32_t val, uint32_t pos,
    const uint32_t *ring, uint32_t end)
{
	int32_t	o, pid;
	int	nw;

	for (o = m->nodepat[s] >= 0 ? s : m->out[s]; o > 0; o = m->out[o]) {
		pid = m->nodepat[o];
		nw = m->pats[pid].nwords;
		add_hit(m, pid, val, pos + 1 - (uint32_t)nw, pos,
		    ring[(pos + 1 - (uint32_t)nw) % RING], end);
	}
}

static void
scan_value(struct matcher *m, uint32_t val)
{
	struct norm_iter	 it;
	struct norm_token	 t;
	uint32_t		 ring[RING];
	int32_t			 cur[NS_MAX], w, pid, *ids;
	struct cache_ent	*e;
	size_t			 i;
	int			 d;

	memset(cur, 0, sizeof(cur));
	norm_iter_init(&it, m->norm, m->vals[val].s, m->vals[val].len);
	while (norm_iter_next(&it, &t)) {
		if (t.flags & NORM_TOK_LONG) {
			memset(cur, 0, sizeof(cur));
			continue;
		}
		ring[t.pos % RING] = (uint32_t)t.start;
		w = wfilter_has(m, t.word, t.len) ? smap_get_h(&m->words,
		    smap_hash(NS_PLAIN, t.word, t.len, 1), NS_PLAIN, t.word,
		    t.len) : -1;
		if ((cur[0] = ac_next(m, cur[0], w)) != 0)
			emit_ac(m, cur[0], val, t.pos, ring, (uint32_t)t.end);
		for (i = 0; i < m->nplens && m->plens[i] <= t.len; i++) {
			pid = smap_get(&m->prefixes, 0, t.word, m->plens[i]);
			if (pid >= 0)
				add_hit(m, pid, val, t.pos, t.pos,
				    (uint32_t)t.start, (uint32_t)t.end);
		}
		if (m->cache == NULL)
			continue;
		e = derive(m, &t, &ids);
		for (d = 0; d < m->ndns; d++) {
			if ((cur[d + 1] = ac_next(m, cur[d + 1], ids[d])) != 0)
				emit_ac(m, cur[d + 1], val, t.pos, ring,
				    (uint32_t)t.end);
		}
		for (d = 0; d < e->fz_n; d++)
			add_hit(m, m->fzpool.v[e->fz_off + d], val, t.pos, t.pos,
			    (uint32_t)t.start, (uint32_t)t.end);
	}
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
				for (h = p->first; h >= 0; h = m->hits[h].next) {
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

/* Builds and delivers the match of topic 'ti'; the callback's result. */
static int
report(struct matcher *m, struct topic *t, match_cb *cb, void *arg)
{
	struct term	*pos[64];
	const char	*words[64];
	char		*owned[64];
	size_t		 npos = 0, nw = 0, nown = 0, i, j;
	struct match	 mt;
	uint32_t	 hv, hs, he;
	int64_t		 sv = -1, tv = -1;
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
	/* the snippet: the first hit in the summary, else in the title */
	for (i = 0; i < m->nvals; i++) {
		if (m->vals[i].field == QUERY_F_SUMMARY && sv < 0)
			sv = (int64_t)i;
		if (m->vals[i].field == QUERY_F_TITLE && tv < 0)
			tv = (int64_t)i;
	}
	hv = UINT32_MAX;
	hs = he = 0;
	if (!(sv >= 0 && first_hit(m, pos, npos, sv, &hv, &hs, &he)) &&
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
	for (i = 0; i < m->nvals; i++)
		scan_value(m, (uint32_t)i);
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
