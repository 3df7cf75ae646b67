/*
 * fuzzy.c: the fuzzy terms' deletion index; see fuzzy.h.
 */
#include "fuzzy.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "smap.h"
#include "xmalloc.h"

#define FUZZY_MAXCP	64

struct fuzzy_word {
	int32_t		 id;
	int		 dist;
	int32_t		*cps;		/* the word's code points */
	int		 ncps;
};

struct fuzzy {
	struct smap	 deletes;	/* deletion variant -> list */
	int32_t		**dlists;	/* word indexes: [0] = count */
	size_t		 ndlists, dlistcap;
	struct fuzzy_word *words;
	size_t		 nwords, wordcap;
	int		 maxdist;
	int		 mincp, maxcp;
};

static int
utf8_cps(const char *s, size_t len, int32_t *cps, int max)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	w;
	size_t			i = 0;
	int			n = 0;

	while (i < len) {
		w = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &cp);
		if (w <= 0 || n == max)
			return -1;
		cps[n++] = cp;
		i += (size_t)w;
	}
	return n;
}

static size_t
cps_utf8(const int32_t *cps, int n, char *out)
{
	size_t	len = 0;
	int	i;

	for (i = 0; i < n; i++)
		len += (size_t)utf8proc_encode_char(cps[i],
		    (utf8proc_uint8_t *)out + len);
	return len;
}

/*
 * Calls 'fn' with every string made by deleting up to 'k' code points of
 * cps[0..n), some more than once.
 */
typedef void deletion_fn(struct fuzzy *, const char *, size_t, void *);

static void
deletions(struct fuzzy *fz, const int32_t *cps, int n, int k,
    deletion_fn *fn, void *arg)
{
	int32_t	tmp[FUZZY_MAXCP];
	char	buf[FUZZY_MAXCP * 4 + 4] = "";
	size_t	l;
	int	i, j, t;

	l = cps_utf8(cps, n, buf);
	fn(fz, buf, l, arg);
	for (i = 0; k >= 1 && i < n; i++) {
		for (t = 0, j = 0; j < n; j++)
			if (j != i)
				tmp[t++] = cps[j];
		l = cps_utf8(tmp, t, buf);
		fn(fz, buf, l, arg);
		for (j = i + 1; k >= 2 && j < n; j++) {
			int	a, b = 0;

			for (a = 0; a < n; a++)
				if (a != i && a != j)
					tmp[b++] = cps[a];
			l = cps_utf8(tmp, b, buf);
			fn(fz, buf, l, arg);
		}
	}
}

static void
index_deletion(struct fuzzy *fz, const char *s, size_t len, void *arg)
{
	int32_t	 wi = *(int32_t *)arg, li, *l;

	li = smap_put(&fz->deletes, 0, s, len, (int32_t)fz->ndlists);
	if ((size_t)li == fz->ndlists) {
		if (fz->ndlists == fz->dlistcap) {
			fz->dlistcap = fz->dlistcap ? fz->dlistcap * 2 : 64;
			fz->dlists = xreallocarray(fz->dlists, fz->dlistcap,
			    sizeof(*fz->dlists));
		}
		fz->dlists[fz->ndlists++] = xcalloc(1, sizeof(int32_t));
	}
	l = fz->dlists[li];
	if (l[0] > 0 && l[l[0]] == wi)
		return;
	l = fz->dlists[li] = xreallocarray(l, (size_t)l[0] + 2,
	    sizeof(int32_t));
	l[++l[0]] = wi;
}

/* Optimal string alignment distance, capped: returns > k when over. */
static int
osa_distance(const int32_t *a, int n, const int32_t *b, int mlen, int k)
{
	int	d[3][FUZZY_MAXCP + 1];
	int	i, j, best, v;

	if (n - mlen > k || mlen - n > k)
		return k + 1;
	for (j = 0; j <= mlen; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++) {
		int *cur = d[i % 3], *prev = d[(i + 2) % 3];
		int *pp = d[(i + 1) % 3];

		cur[0] = i;
		best = i;
		for (j = 1; j <= mlen; j++) {
			int cost = a[i - 1] != b[j - 1];

			v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > k)
			return k + 1;
	}
	return d[n % 3][mlen];
}

struct fz_ctx {
	const int32_t	*cps;
	int		 n;
	struct fuzzy_ids *out;
	size_t		 start;		/* in out */
};

static void
fuzzy_probe(struct fuzzy *fz, const char *s, size_t len, void *arg)
{
	struct fz_ctx		*c = arg;
	struct fuzzy_ids	*o = c->out;
	const struct fuzzy_word	*fw;
	int32_t			 li, *l;
	size_t			 i;
	int			 j;

	if ((li = smap_get(&fz->deletes, 0, s, len)) < 0)
		return;
	l = fz->dlists[li];
	for (j = 1; j <= l[0]; j++) {
		fw = &fz->words[l[j]];
		for (i = c->start; i < o->n; i++)
			if (o->v[i] == fw->id)
				break;
		if (i < o->n)
			continue;
		if (osa_distance(c->cps, c->n, fw->cps, fw->ncps, fw->dist) >
		    fw->dist)
			continue;
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 1024;
			o->v = xreallocarray(o->v, o->cap, sizeof(int32_t));
		}
		o->v[o->n++] = fw->id;
	}
}

struct fuzzy *
fuzzy_new(void)
{
	struct fuzzy	*fz = xcalloc(1, sizeof(*fz));

	smap_init(&fz->deletes);
	return fz;
}

void
fuzzy_free(struct fuzzy *fz)
{
	size_t	i;

	if (fz == NULL)
		return;
	for (i = 0; i < fz->ndlists; i++)
		free(fz->dlists[i]);
	free(fz->dlists);
	for (i = 0; i < fz->nwords; i++)
		free(fz->words[i].cps);
	free(fz->words);
	smap_release(&fz->deletes);
	free(fz);
}

void
fuzzy_add(struct fuzzy *fz, int32_t id, const char *w, int dist)
{
	struct fuzzy_word	*fw;
	int32_t			 cps[FUZZY_MAXCP], wi;
	int			 n;

	if ((n = utf8_cps(w, strlen(w), cps, FUZZY_MAXCP)) < 0)
		n = 0;
	if (fz->nwords == fz->wordcap) {
		fz->wordcap = fz->wordcap ? fz->wordcap * 2 : 16;
		fz->words = xreallocarray(fz->words, fz->wordcap,
		    sizeof(*fz->words));
	}
	wi = (int32_t)fz->nwords;
	fw = &fz->words[fz->nwords++];
	fw->id = id;
	fw->dist = dist;
	fw->cps = xreallocarray(NULL, (size_t)n + 1, sizeof(int32_t));
	memcpy(fw->cps, cps, (size_t)n * sizeof(int32_t));
	fw->ncps = n;
	deletions(fz, cps, n, dist, index_deletion, &wi);
	if (dist > fz->maxdist)
		fz->maxdist = dist;
	if (fz->mincp == 0 || n < fz->mincp)
		fz->mincp = n;
	if (n > fz->maxcp)
		fz->maxcp = n;
}

int
fuzzy_empty(const struct fuzzy *fz)
{
	return fz->ndlists == 0;
}

size_t
fuzzy_find(struct fuzzy *fz, const char *w, size_t len,
    struct fuzzy_ids *out)
{
	struct fz_ctx	fc;
	int32_t		cps[FUZZY_MAXCP];
	int		n;

	if (fz->ndlists == 0 || (n = utf8_cps(w, len, cps,
	    FUZZY_MAXCP)) < 0 || n < fz->mincp - fz->maxdist ||
	    n > fz->maxcp + fz->maxdist)
		return 0;
	fc.cps = cps;
	fc.n = n;
	fc.out = out;
	fc.start = out->n;
	deletions(fz, cps, n, fz->maxdist, fuzzy_probe, &fc);
	return out->n - fc.start;
}
