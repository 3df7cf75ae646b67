/*
 * smap.h: a hash map from (namespace, bytes) to an int32, for the
 * matcher's dictionaries of words, patterns and fuzzy variants.
 *
 * Keys are copied into one pool owned by the map, each prefixed with its
 * namespace byte (0 to 255), so one map can hold several alphabets
 * without a key of one meeting a key of another.  A key is never removed
 * and its value never changes: smap_put() on a present key returns the
 * value it already has, which is how a caller hands out dense ids
 * (smap_put(m, ns, s, len, m->n)).  Values are >= 0; -1 means absent.
 *
 * Open addressing with linear probing, at most half full.  The struct is
 * a plain record, embedded in its owner (smap_init(), smap_release()):
 * the matcher walks its slots to build a bloom filter of its words.
 * smap_hash() and smap_get_h() are inline because the scan calls them
 * for every word of every item.
 */
#ifndef FEEDWATCH_SMAP_H
#define FEEDWATCH_SMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct smap_slot {
	uint64_t	h;
	uint32_t	off;	/* the key in the pool: namespace, bytes */
	uint32_t	len;	/* bytes, namespace included */
	int32_t		val;	/* -1: empty */
};

struct smap {
	struct smap_slot *slot;
	size_t		 mask;	/* slots - 1 */
	size_t		 n;	/* keys */
	char		*pool;
	size_t		 poollen;
	size_t		 poolcap;
};

void	smap_init(struct smap *m);
/* Frees the slots and the pool; the map is empty (and usable) after. */
void	smap_release(struct smap *m);

/* The value of (ns, s[0..len)), or -1. */
int32_t	smap_get(const struct smap *m, unsigned ns, const char *s,
	    size_t len);

/* Sets (ns, s[0..len)) to 'val' if absent; returns the value now stored. */
int32_t	smap_put(struct smap *m, unsigned ns, const char *s, size_t len,
	    int32_t val);

/*
 * A multiply-xorshift hash, 8 bytes at a time: words are short.  With
 * 'padded', s[len .. len + 8) must be readable (norm.h guarantees it for
 * tokens): the tail is then one load, and avoids a byte-wise copy that
 * stalls store forwarding.  Both ways give the same hash.
 */
static inline uint64_t
smap_hash(unsigned ns, const char *s, size_t len, int padded)
{
	uint64_t	h = ((uint64_t)ns << 56) ^ len ^ 0x9e3779b97f4a7c15ULL;
	uint64_t	w;
	size_t		i;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	if (len > 0) {
		if (padded) {
			memcpy(&w, s, 8);
			w &= ~0ULL >> (64 - 8 * len);
		} else {
			for (w = 0, i = 0; i < len; i++)
				w |= (uint64_t)(unsigned char)s[i] << (8 * i);
		}
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* smap_get() with the key's hash 'h' (smap_hash()) already known. */
static inline int32_t
smap_get_h(const struct smap *m, uint64_t h, unsigned ns, const char *s,
    size_t len)
{
	size_t	i;

	if (m->n == 0)
		return -1;
	for (i = h & m->mask; m->slot[i].val != -1; i = (i + 1) & m->mask) {
		if (m->slot[i].h == h && m->slot[i].len == len + 1 &&
		    (unsigned char)m->pool[m->slot[i].off] == ns &&
		    memcmp(m->pool + m->slot[i].off + 1, s, len) == 0)
			return m->slot[i].val;
	}
	return -1;
}

#endif
