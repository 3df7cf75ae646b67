/*
 * wordset.c: the literal terms of every topic in one word automaton; see
 * wordset.h.
 */
#include "wordset.h"

#include <stdlib.h>
#include <string.h>

#include "fuzzy.h"
#include "norm.h"
#include "query.h"
#include "smap.h"
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

/* The automaton's goto function off the root: (node, word) -> node. */
struct edge {
	uint64_t	key;	/* UINT64_MAX: empty */
	int32_t		child;
};

/* Pattern kinds, the namespaces of the pattern map. */
enum pat_kind {
	PK_AC,		/* a word sequence in the automaton */
	PK_PREFIX,
	PK_FUZZY
};

struct cache_ent {
	uint64_t	h;
	int32_t		fz_off;
	int16_t		fz_n;
	uint8_t		len;		/* 0xff: empty */
	char		w[CACHE_WORD];
};

struct wordset {
	struct norm	*norm;		/* borrowed */
	struct smap	 words;		/* (ns, word) -> word id */
	uint64_t	*wfilter;	/* bloom filter of the plain words */
	size_t		 wfmask;
	struct smap	 patkeys;	/* (kind, pattern) -> pattern id */
	struct smap	 prefixes;	/* prefix -> pattern id */
	size_t		*plens;		/* distinct prefix lengths, sorted */
	size_t		 nplens;
	struct fuzzy	*fuzzy;

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
};

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
wfilter_build(struct wordset *ws)
{
	const struct smap_slot	*sl;
	char			 head[8];
	size_t			 n = 1, i, l;
	uint64_t		 k;

	while (n * 4 < ws->words.n && n < ((size_t)1 << 20))
		n *= 2;
	ws->wfilter = xcalloc(n, sizeof(uint64_t));
	ws->wfmask = n - 1;
	for (i = 0; ws->words.slot != NULL && i <= ws->words.mask; i++) {
		sl = &ws->words.slot[i];
		if (sl->val == -1 || ws->words.pool[sl->off] != NS_PLAIN)
			continue;
		l = sl->len - 1;
		memset(head, 0, sizeof(head));
		memcpy(head, ws->words.pool + sl->off + 1, l < 8 ? l : 8);
		k = wfilter_key(head, l);
		ws->wfilter[(k >> 32) & ws->wfmask] |= wfilter_bits(k);
	}
}

/* 'w' is padded: 8 bytes are readable. */
static inline int
wfilter_has(const struct wordset *ws, const char *w, size_t len)
{
	uint64_t	k = wfilter_key(w, len), b = wfilter_bits(k);

	return (ws->wfilter[(k >> 32) & ws->wfmask] & b) == b;
}

/* the automaton */

static inline size_t
edge_slot(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
}

static inline int32_t
edge_get(const struct wordset *ws, int32_t node, int32_t w)
{
	uint64_t	key = ((uint64_t)(uint32_t)node << 32) | (uint32_t)w;
	size_t		i;

	if (ws->nedges == 0)
		return -1;
	for (i = edge_slot(key, ws->edgemask); ws->edges[i].key != UINT64_MAX;
	    i = (i + 1) & ws->edgemask)
		if (ws->edges[i].key == key)
			return ws->edges[i].child;
	return -1;
}

static void
edge_put(struct wordset *ws, int32_t node, int32_t w, int32_t child)
{
	struct edge	*old = ws->edges;
	size_t		 oldn = old ? ws->edgemask + 1 : 0, cap, i, j;
	uint64_t	 key = ((uint64_t)(uint32_t)node << 32) | (uint32_t)w;

	if (old == NULL || ws->nedges + 1 > oldn / 2) {
		cap = oldn ? oldn * 2 : 64;
		ws->edges = xreallocarray(NULL, cap, sizeof(*ws->edges));
		for (i = 0; i < cap; i++)
			ws->edges[i].key = UINT64_MAX;
		ws->edgemask = cap - 1;
		for (i = 0; i < oldn; i++) {
			if (old[i].key == UINT64_MAX)
				continue;
			for (j = edge_slot(old[i].key, ws->edgemask);
			    ws->edges[j].key != UINT64_MAX;
			    j = (j + 1) & ws->edgemask)
				;
			ws->edges[j] = old[i];
		}
		free(old);
	}
	for (i = edge_slot(key, ws->edgemask); ws->edges[i].key != UINT64_MAX;
	    i = (i + 1) & ws->edgemask)
		;
	ws->edges[i].key = key;
	ws->edges[i].child = child;
	ws->nedges++;
}

static int32_t
node_new(struct wordset *ws, int32_t parent, int32_t w)
{
	size_t	n = ws->nnodes;

	if (n == ws->nodecap) {
		ws->nodecap = ws->nodecap ? ws->nodecap * 2 : 256;
		ws->fail = xreallocarray(ws->fail, ws->nodecap,
		    sizeof(int32_t));
		ws->out = xreallocarray(ws->out, ws->nodecap, sizeof(int32_t));
		ws->nodepat = xreallocarray(ws->nodepat, ws->nodecap,
		    sizeof(int32_t));
		ws->parent = xreallocarray(ws->parent, ws->nodecap,
		    sizeof(int32_t));
		ws->pword = xreallocarray(ws->pword, ws->nodecap,
		    sizeof(int32_t));
		ws->depth = xreallocarray(ws->depth, ws->nodecap,
		    sizeof(int32_t));
	}
	ws->fail[n] = 0;
	ws->out[n] = 0;
	ws->nodepat[n] = -1;
	ws->parent[n] = parent;
	ws->pword[n] = w;
	ws->depth[n] = parent < 0 ? 0 : ws->depth[parent] + 1;
	ws->nnodes++;
	return (int32_t)n;
}

static int32_t
word_id(struct wordset *ws, unsigned ns, const char *w, size_t len)
{
	int32_t	id = smap_put(&ws->words, ns, w, len, (int32_t)ws->words.n);
	size_t	old = ws->nwords_cap;

	if ((size_t)id >= ws->nwords_cap) {
		ws->nwords_cap = ws->nwords_cap ? ws->nwords_cap * 2 : 256;
		ws->root_next = xreallocarray(ws->root_next, ws->nwords_cap,
		    sizeof(int32_t));
		memset(ws->root_next + old, 0,
		    (ws->nwords_cap - old) * sizeof(int32_t));
	}
	ws->ns_used[ns] = 1;
	return id;
}

static int32_t
ac_insert(struct wordset *ws, const int32_t *w, int n)
{
	int32_t	s = 0, t;
	int	i;

	for (i = 0; i < n; i++) {
		if (s == 0)
			t = ws->root_next[w[i]] ? ws->root_next[w[i]] : -1;
		else
			t = edge_get(ws, s, w[i]);
		if (t < 0) {
			t = node_new(ws, s, w[i]);
			if (s == 0)
				ws->root_next[w[i]] = t;
			else
				edge_put(ws, s, w[i], t);
		}
		s = t;
	}
	return s;
}

static inline int32_t
ac_next(const struct wordset *ws, int32_t s, int32_t w)
{
	int32_t	t;

	if (w < 0)
		return 0;
	while (s != 0) {
		if ((t = edge_get(ws, s, w)) >= 0)
			return t;
		s = ws->fail[s];
	}
	return ws->root_next[w];
}

/* Failure and output links, parents before children (by depth). */
static void
ac_build(struct wordset *ws)
{
	int32_t	*order, *cnt, maxd = 0, f, t, u, c;
	size_t	 i;

	for (i = 0; i < ws->nnodes; i++)
		if (ws->depth[i] > maxd)
			maxd = ws->depth[i];
	cnt = xcalloc((size_t)maxd + 2, sizeof(int32_t));
	order = xreallocarray(NULL, ws->nnodes, sizeof(int32_t));
	for (i = 0; i < ws->nnodes; i++)
		cnt[ws->depth[i] + 1]++;
	for (i = 1; i < (size_t)maxd + 2; i++)
		cnt[i] += cnt[i - 1];
	for (i = 0; i < ws->nnodes; i++)
		order[cnt[ws->depth[i]]++] = (int32_t)i;
	for (i = 0; i < ws->nnodes; i++) {
		c = order[i];
		u = ws->parent[c];
		if (c == 0 || u == 0) {
			ws->fail[c] = 0;
		} else {
			f = ws->fail[u];
			for (;;) {
				if (f == 0) {
					t = ws->root_next[ws->pword[c]];
					break;
				}
				if ((t = edge_get(ws, f, ws->pword[c])) >= 0)
					break;
				f = ws->fail[f];
			}
			ws->fail[c] = t == c ? 0 : t;
		}
		f = ws->fail[c];
		ws->out[c] = c == 0 ? 0 : (ws->nodepat[f] >= 0 ? f :
		    ws->out[f]);
	}
	free(order);
	free(cnt);
}

/* patterns */

/* The id of the pattern 'key' of 'kind'; *isnew if it is made now. */
static int32_t
pat_new(struct wordset *ws, enum pat_kind kind, const char *key,
    size_t keylen, int *isnew)
{
	size_t	n = ws->patkeys.n;
	int32_t	id;

	id = smap_put(&ws->patkeys, (unsigned)kind, key, keylen, (int32_t)n);
	*isnew = (size_t)id == n;
	return id;
}

/* A word sequence in namespace 'ns'. */
static int32_t
pat_words(struct wordset *ws, unsigned ns, char *const *w, int n)
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
	pid = pat_new(ws, PK_AC, key, kl, &isnew);
	if (!isnew)
		return pid;
	for (i = 0; i < n; i++)
		ids[i] = word_id(ws, ns, w[i], strlen(w[i]));
	node = ac_insert(ws, ids, n);
	ws->nodepat[node] = pid;
	return pid;
}

int32_t
wordset_add_fuzzy(struct wordset *ws, const char *w, int dist)
{
	char		key[NORM_WORD_MAX + 4];
	int32_t		pid;
	int		isnew;
	size_t		l = strlen(w);

	key[0] = (char)('0' + dist);
	memcpy(key + 1, w, l);
	pid = pat_new(ws, PK_FUZZY, key, l + 1, &isnew);
	if (isnew)
		fuzzy_add(ws->fuzzy, pid, w, dist);
	return pid;
}

int32_t
wordset_add_prefix(struct wordset *ws, const char *w)
{
	int32_t	pid;
	size_t	l = strlen(w), i;
	int	isnew;

	pid = pat_new(ws, PK_PREFIX, w, l, &isnew);
	if (!isnew)
		return pid;
	smap_put(&ws->prefixes, 0, w, l, pid);
	for (i = 0; i < ws->nplens && ws->plens[i] < l; i++)
		;
	if (i == ws->nplens || ws->plens[i] != l) {
		ws->plens = xreallocarray(ws->plens, ws->nplens + 1,
		    sizeof(size_t));
		memmove(ws->plens + i + 1, ws->plens + i,
		    (ws->nplens - i) * sizeof(size_t));
		ws->plens[i] = l;
		ws->nplens++;
	}
	return pid;
}

void
wordset_add_words(struct wordset *ws, char *const *w, int n,
    const int *stems, size_t nstems, int translit, int32_t **pats,
    size_t *npats)
{
	char	*v[QUERY_MAX_PHRASE];
	char	 buf[NORM_WORD_MAX * 4 + 8];
	size_t	 i;
	int	 j, ok, cyr = 0, len;

	*pats = xreallocarray(*pats, *npats + 2 + 3 * nstems,
	    sizeof(int32_t));
	(*pats)[(*npats)++] = pat_words(ws, NS_PLAIN, w, n);
	for (i = 0; i < nstems; i++) {
		ok = 1;
		for (j = 0; j < n; j++) {
			len = norm_stem(ws->norm, stems[i], w[j], strlen(w[j]),
			    buf, sizeof(buf));
			v[j] = len <= 0 ? NULL : xstrdup(buf);
			ok = ok && v[j] != NULL;
		}
		if (ok) {
			(*pats)[(*npats)++] = pat_words(ws,
			    NS_STEM + (unsigned)stems[i], v, n);
			/*
			 * Snowball may cut a query word further than its
			 * inflections (russian: "лавров" -> "лавр", but
			 * "лаврова" -> "лавров"), so the word itself is a
			 * stem too.
			 */
			(*pats)[(*npats)++] = pat_words(ws,
			    NS_STEM + (unsigned)stems[i], w, n);
		}
		for (j = 0; j < n; j++)
			free(v[j]);
	}
	if (translit) {
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
			(*pats)[(*npats)++] = pat_words(ws, cyr ? NS_XL : NS_XC,
			    v, n);
		/* Latin words meet inflected Cyrillic ones: "Лаврова" */
		for (i = 0; ok && !cyr && i < nstems; i++)
			(*pats)[(*npats)++] = pat_words(ws,
			    NS_XCS + (unsigned)stems[i], v, n);
		for (j = 0; j < n; j++)
			free(v[j]);
	}
}

struct wordset *
wordset_new(struct norm *n)
{
	struct wordset	*ws = xcalloc(1, sizeof(*ws));

	ws->norm = n;
	smap_init(&ws->words);
	smap_init(&ws->patkeys);
	smap_init(&ws->prefixes);
	ws->fuzzy = fuzzy_new();
	node_new(ws, -1, -1);	/* the root */
	return ws;
}

void
wordset_free(struct wordset *ws)
{
	if (ws == NULL)
		return;
	free(ws->plens);
	smap_release(&ws->words);
	smap_release(&ws->patkeys);
	smap_release(&ws->prefixes);
	fuzzy_free(ws->fuzzy);
	free(ws->wfilter);
	free(ws->root_next);
	free(ws->fail);
	free(ws->out);
	free(ws->nodepat);
	free(ws->parent);
	free(ws->pword);
	free(ws->depth);
	free(ws->edges);
	free(ws->cache);
	free(ws->cache_ids);
	free(ws->fzpool.v);
	free(ws);
}

void
wordset_compile(struct wordset *ws)
{
	size_t	i, k;

	ac_build(ws);
	wfilter_build(ws);
	for (k = NS_XC; k < NS_MAX; k++)
		if (ws->ns_used[k])
			ws->dns[ws->ndns++] = (int)k;
	if (ws->ndns > 0 || !fuzzy_empty(ws->fuzzy)) {
		ws->cache = xreallocarray(NULL, (size_t)1 << CACHE_BITS,
		    sizeof(*ws->cache));
		for (i = 0; i < (size_t)1 << CACHE_BITS; i++)
			ws->cache[i].len = 0xff;
		ws->cache_ids = xreallocarray(NULL, ((size_t)1 << CACHE_BITS) *
		    (size_t)(ws->ndns ? ws->ndns : 1), sizeof(int32_t));
	}
}

/* scanning */

/*
 * The derived word ids (one per derived namespace) and fuzzy patterns of
 * word 't', through the cache.  Returns the cache entry; ids in *ids.
 */
static struct cache_ent *
derive(struct wordset *ws, const struct norm_token *t, int32_t **ids)
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
		e = &ws->cache[slot];
		*ids = &ws->cache_ids[slot * (size_t)(ws->ndns ? ws->ndns : 1)];
		if (e->len == t->len && e->h == h &&
		    memcmp(e->w, t->word, t->len) == 0)
			return e;
		if (ws->fzpool.n > ((size_t)1 << 22)) {
			/* the fuzzy pool is full: start the cache afresh */
			for (i = 0; i < 1 << CACHE_BITS; i++)
				ws->cache[i].len = 0xff;
			ws->fzpool.n = 0;
		}
		e->h = h;
		e->len = (uint8_t)t->len;
		memcpy(e->w, t->word, t->len);
	} else {
		e = &scratch;
		*ids = sids;
	}
	for (i = 0; i < ws->ndns; i++) {
		ns = ws->dns[i];
		len = -1;
		if (ns == NS_XC && (t->flags & NORM_TOK_CYRILLIC))
			len = norm_skeleton(t->word, t->len, buf, sizeof(buf));
		else if (ns == NS_XL && (t->flags & NORM_TOK_ASCII))
			len = norm_skeleton(t->word, t->len, buf, sizeof(buf));
		else if (ns >= NS_XCS && (t->flags & NORM_TOK_CYRILLIC)) {
			char st[NORM_WORD_MAX * 4 + 8];

			len = norm_stem(ws->norm, ns - NS_XCS, t->word, t->len,
			    st, sizeof(st));
			if (len > 0)
				len = norm_skeleton(st, (size_t)len, buf,
				    sizeof(buf));
		} else if (ns >= NS_STEM && ns < NS_XCS)
			len = norm_stem(ws->norm, ns - NS_STEM, t->word, t->len,
			    buf, sizeof(buf));
		(*ids)[i] = len > 0 ? smap_get(&ws->words, (unsigned)ns, buf,
		    (size_t)len) : -1;
	}
	e->fz_off = (int32_t)ws->fzpool.n;
	e->fz_n = (int16_t)fuzzy_find(ws->fuzzy, t->word, t->len, &ws->fzpool);
	return e;
}

static void
emit_ac(const struct wordset *ws, int32_t s, const struct norm_token *t,
    const uint32_t *ring, wordset_hit_cb *cb, void *arg)
{
	struct wordset_hit	h;
	int32_t			o;

	for (o = ws->nodepat[s] >= 0 ? s : ws->out[s]; o > 0; o = ws->out[o]) {
		h.pat = ws->nodepat[o];
		h.pos = t->pos + 1 - (uint32_t)ws->depth[o];
		h.endpos = t->pos;
		h.start = ring[h.pos % RING];
		h.end = (uint32_t)t->end;
		cb(&h, arg);
	}
}

/* Pattern 'pat' occurs as the one word 't'. */
static void
emit_word(int32_t pat, const struct norm_token *t, wordset_hit_cb *cb,
    void *arg)
{
	struct wordset_hit	h;

	h.pat = pat;
	h.pos = h.endpos = t->pos;
	h.start = (uint32_t)t->start;
	h.end = (uint32_t)t->end;
	cb(&h, arg);
}

void
wordset_scan(struct wordset *ws, const char *s, size_t len,
    wordset_hit_cb *cb, void *arg)
{
	struct norm_iter	 it;
	struct norm_token	 t;
	uint32_t		 ring[RING];
	int32_t			 cur[NS_MAX], w, pid, *ids;
	struct cache_ent	*e;
	size_t			 i;
	int			 d;

	memset(cur, 0, sizeof(cur));
	norm_iter_init(&it, ws->norm, s, len);
	while (norm_iter_next(&it, &t)) {
		if (t.flags & NORM_TOK_LONG) {
			memset(cur, 0, sizeof(cur));
			continue;
		}
		ring[t.pos % RING] = (uint32_t)t.start;
		w = wfilter_has(ws, t.word, t.len) ? smap_get_h(&ws->words,
		    smap_hash(NS_PLAIN, t.word, t.len, 1), NS_PLAIN, t.word,
		    t.len) : -1;
		if ((cur[0] = ac_next(ws, cur[0], w)) != 0)
			emit_ac(ws, cur[0], &t, ring, cb, arg);
		for (i = 0; i < ws->nplens && ws->plens[i] <= t.len; i++) {
			pid = smap_get(&ws->prefixes, 0, t.word, ws->plens[i]);
			if (pid >= 0)
				emit_word(pid, &t, cb, arg);
		}
		if (ws->cache == NULL)
			continue;
		e = derive(ws, &t, &ids);
		for (d = 0; d < ws->ndns; d++) {
			if ((cur[d + 1] = ac_next(ws, cur[d + 1], ids[d])) != 0)
				emit_ac(ws, cur[d + 1], &t, ring, cb, arg);
		}
		for (d = 0; d < e->fz_n; d++)
			emit_word(ws->fzpool.v[e->fz_off + d], &t, cb, arg);
	}
}
