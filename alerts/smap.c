/*
 * smap.c: the hash map of the matcher's dictionaries; see smap.h.
 */
#include "smap.h"

#include <stdlib.h>

#include "xmalloc.h"

static uint64_t
hash_bytes(unsigned ns, const char *s, size_t len)
{
	return smap_hash(ns, s, len, 0);
}

void
smap_init(struct smap *m)
{
	memset(m, 0, sizeof(*m));
}

void
smap_release(struct smap *m)
{
	free(m->slot);
	free(m->pool);
	memset(m, 0, sizeof(*m));
}

int32_t
smap_get(const struct smap *m, unsigned ns, const char *s, size_t len)
{
	if (m->n == 0)
		return -1;
	return smap_get_h(m, hash_bytes(ns, s, len), ns, s, len);
}

static void
smap_grow(struct smap *m)
{
	struct smap_slot	*old = m->slot;
	size_t			 oldn = old ? m->mask + 1 : 0, i, j;
	size_t			 cap = oldn ? oldn * 2 : 64;

	m->slot = xreallocarray(NULL, cap, sizeof(*m->slot));
	for (i = 0; i < cap; i++)
		m->slot[i].val = -1;
	m->mask = cap - 1;
	for (i = 0; i < oldn; i++) {
		if (old[i].val == -1)
			continue;
		for (j = old[i].h & m->mask; m->slot[j].val != -1;
		    j = (j + 1) & m->mask)
			;
		m->slot[j] = old[i];
	}
	free(old);
}

int32_t
smap_put(struct smap *m, unsigned ns, const char *s, size_t len,
    int32_t val)
{
	int32_t	v;
	size_t	i;

	if ((v = smap_get(m, ns, s, len)) != -1)
		return v;
	if (m->slot == NULL || m->n + 1 > (m->mask + 1) / 2)
		smap_grow(m);
	while (m->poollen + len + 1 > m->poolcap) {
		m->poolcap = m->poolcap ? m->poolcap * 2 : 4096;
		m->pool = xreallocarray(m->pool, m->poolcap, 1);
	}
	m->pool[m->poollen] = (char)ns;
	memcpy(m->pool + m->poollen + 1, s, len);
	for (i = hash_bytes(ns, s, len) & m->mask; m->slot[i].val != -1;
	    i = (i + 1) & m->mask)
		;
	m->slot[i].h = hash_bytes(ns, s, len);
	m->slot[i].off = (uint32_t)m->poollen;
	m->slot[i].len = (uint32_t)len + 1;
	m->slot[i].val = val;
	m->poollen += len + 1;
	m->n++;
	return val;
}
