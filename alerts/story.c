/*
 * story.c: story keys and signatures for cross-feed dedup.
 *
 * Keys: the link without scheme, "www.", fragment, tracking parameters
 * and trailing slash; and the title's words, case folded, accents dropped
 * (NFKD, marks skipped), when there are enough of them to be specific.
 *
 * Signatures: the words of storytext.h, hashed one shingle at a time
 * into the bins of a one-permutation MinHash.  Why one permutation: a classic
 * MinHash hashes every shingle once per value of the signature, which
 * would cost more than parsing the item; here each shingle is hashed
 * once, its top bits choosing a bin that keeps the least value, and the
 * bins no shingle fell into borrow the value of another bin chosen by a
 * hash of their index (Shrivastava, "Optimal densification for fast and
 * accurate minwise hashing", ICML 2017), so that two signatures still
 * agree in a bin with probability the Jaccard similarity.
 */
#include "story.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "item.h"
#include "storytext.h"
#include "xmalloc.h"

static char *
link_key(const char *link)
{
	GString		*s;
	const char	*p, *q, *end;
	char		*host;

	if (link == NULL || (p = strstr(link, "://")) == NULL)
		return NULL;
	p += 3;
	if (g_ascii_strncasecmp(p, "www.", 4) == 0)
		p += 4;
	end = p + strcspn(p, "#");
	s = g_string_new("link:");
	q = p + strcspn(p, "/?#");
	host = g_ascii_strdown(p, q - p);
	g_string_append(s, host);
	g_free(host);
	p = q;
	q = p + strcspn(p, "?#");
	g_string_append_len(s, p, q - p);
	while (s->len > 5 && s->str[s->len - 1] == '/')
		g_string_truncate(s, s->len - 1);
	/* Keep the parameters, less utm_* and click ids. */
	if (*q == '?') {
		for (p = q + 1; p < end; p = q + 1) {
			q = p + strcspn(p, "&#");
			if (q > p && strncmp(p, "utm_", 4) != 0 &&
			    strncmp(p, "fbclid=", 7) != 0 &&
			    strncmp(p, "gclid=", 6) != 0) {
				g_string_append_c(s, '?');
				g_string_append_len(s, p, q - p);
			}
			if (*q != '&')
				break;
		}
	}
	return g_string_free(s, FALSE);
}

static char *
title_key(const char *title)
{
	GString		*s;
	gchar		*nfkd, *folded;
	const char	*p;
	gunichar	 c;
	int		 words = 0, inword = 0;

	if (title == NULL || !g_utf8_validate(title, -1, NULL))
		return NULL;
	nfkd = g_utf8_normalize(title, -1, G_NORMALIZE_ALL);
	folded = g_utf8_casefold(nfkd, -1);
	g_free(nfkd);
	s = g_string_new("title:");
	for (p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (g_unichar_ismark(c))
			continue;
		if (g_unichar_isalnum(c)) {
			if (!inword && words > 0)
				g_string_append_c(s, ' ');
			if (!inword)
				words++;
			g_string_append_unichar(s, c);
			inword = 1;
		} else
			inword = 0;
	}
	g_free(folded);
	/* "Update" or "Live" would join unrelated stories. */
	if (words < 5) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

void
story_keys(const struct feed_item *it, char *keys[STORY_NKEYS])
{
	keys[0] = link_key(it->link);
	keys[1] = title_key(it->title);
}

void
story_keys_clear(char *keys[STORY_NKEYS])
{
	size_t	 i;

	for (i = 0; i < STORY_NKEYS; i++) {
		g_free(keys[i]);
		keys[i] = NULL;
	}
}

_Static_assert((STORY_HASHES & (STORY_HASHES - 1)) == 0,
    "STORY_HASHES is a power of two");
_Static_assert(STORY_BANDS * STORY_ROWS <= STORY_HASHES,
    "the bands are bins of the signature");

struct story_signer {
	struct storytext *text;
	unsigned	 shingle;
	uint64_t	*hash;		/* of each word read */
	size_t		 hashcap;
	uint32_t	 bin[STORY_HASHES];
	int		 full[STORY_HASHES];
	size_t		 shingles;
};

static uint64_t
mix64(uint64_t x)
{
	/* SplitMix64's finalizer: every input bit flips half the output */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t
rotl64(uint64_t x, int r)
{
	return r == 0 ? x : x << r | x >> (64 - r);
}

static uint64_t
hash_word(const char *w)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *w != '\0'; w++) {
		h ^= (unsigned char)*w;
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

struct story_signer *
story_signer_new(unsigned shingle)
{
	struct story_signer	*sg;

	sg = xcalloc(1, sizeof(*sg));
	sg->text = storytext_new();
	sg->shingle = shingle > 0 ? shingle : 1;
	return sg;
}

void
story_signer_free(struct story_signer *sg)
{
	if (sg == NULL)
		return;
	storytext_free(sg->text);
	free(sg->hash);
	free(sg);
}

/* Adds the shingles of 'text' (a title with 'title') to the bins. */
static void
add_shingles(struct story_signer *sg, const char *text, int title)
{
	const size_t	 k = sg->shingle;
	const int	 shift = 64 - __builtin_ctz(STORY_HASHES);
	size_t		 i, j, n;
	uint64_t	 h;
	uint32_t	 b, v;

	if ((n = storytext_read(sg->text, text, title)) == 0)
		return;
	if (n > sg->hashcap) {
		sg->hashcap = n;
		sg->hash = xreallocarray(sg->hash, n, sizeof(*sg->hash));
	}
	for (i = 0; i < n; i++)
		sg->hash[i] = hash_word(storytext_word(sg->text, i));
	/*
	 * A shingle's hash: its words' hashes, each rotated by its place so
	 * that order counts, mixed once.  A text shorter than a shingle is
	 * one.
	 */
	for (i = 0; i + k <= n || i == 0; i++) {
		h = 0;
		for (j = 0; j < k && i + j < n; j++)
			h ^= rotl64(sg->hash[i + j], (int)(j * 13 % 64));
		h = mix64(h);
		b = (uint32_t)(h >> shift);
		v = (uint32_t)h;
		if (!sg->full[b] || v < sg->bin[b])
			sg->bin[b] = v;
		sg->full[b] = 1;
		sg->shingles++;
	}
}

/* Fills the bins no shingle fell into (optimal densification). */
static void
densify(struct story_signer *sg, struct story_sig *sig)
{
	uint64_t	 attempt;
	size_t		 i, j;

	for (i = 0; i < STORY_HASHES; i++) {
		if (sg->full[i]) {
			sig->v[i] = sg->bin[i];
			continue;
		}
		/* each empty bin probes its own sequence of bins */
		for (attempt = 1; ; attempt++) {
			j = mix64((uint64_t)i << 32 | attempt) &
			    (STORY_HASHES - 1);
			if (sg->full[j])
				break;
		}
		sig->v[i] = sg->bin[j];
	}
}

int
story_sign(struct story_signer *sg, const char *title, const char *text,
    struct story_sig *sig)
{
	memset(sg->full, 0, sizeof(sg->full));
	sg->shingles = 0;
	add_shingles(sg, title, 1);
	add_shingles(sg, text, 0);
	if (sg->shingles < STORY_MIN_SHINGLES)
		return 0;
	densify(sg, sig);
	sig->shingles = (uint32_t)sg->shingles;
	return 1;
}

/*
 * The share of the smaller set's shingles that the other has: its
 * intersection estimated from the Jaccard similarity J (the share of
 * agreeing bins) and the sizes, |A n B| = J (|A| + |B|) / (1 + J).  Not
 * J itself, because a copy whose last paragraphs were trimmed, or a
 * teaser of the story, is a small part of the whole: far from it by J,
 * but all of it in the whole.
 */
double
story_similarity(const struct story_sig *a, const struct story_sig *b)
{
	double	 j, inter, least;
	size_t	 i, same = 0;

	for (i = 0; i < STORY_HASHES; i++)
		same += a->v[i] == b->v[i];
	j = (double)same / STORY_HASHES;
	inter = j / (1 + j) * ((double)a->shingles + b->shingles);
	least = a->shingles < b->shingles ? a->shingles : b->shingles;
	if (least == 0)
		return 0;
	return inter < least ? inter / least : 1;
}

void
story_sig_pack(const struct story_sig *sig, unsigned char out[STORY_SIG_BYTES])
{
	size_t	 i;
	uint32_t v;

	for (i = 0; i <= STORY_HASHES; i++) {
		v = i < STORY_HASHES ? sig->v[i] : sig->shingles;
		out[4 * i] = v & 0xff;
		out[4 * i + 1] = v >> 8 & 0xff;
		out[4 * i + 2] = v >> 16 & 0xff;
		out[4 * i + 3] = v >> 24 & 0xff;
	}
}

int
story_sig_unpack(const void *p, size_t len, struct story_sig *sig)
{
	const unsigned char	*b = p;
	size_t			 i;
	uint32_t		 v;

	if (len != STORY_SIG_BYTES)
		return -1;
	for (i = 0; i <= STORY_HASHES; i++) {
		v = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		    (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
		if (i < STORY_HASHES)
			sig->v[i] = v;
		else
			sig->shingles = v;
	}
	return 0;
}

void
story_bands(const struct story_sig *sig, int64_t bands[STORY_BANDS])
{
	uint64_t	 h;
	size_t		 b, r;

	for (b = 0; b < STORY_BANDS; b++) {
		h = mix64(0x5851f42d4c957f2dULL + b);
		for (r = 0; r < STORY_ROWS; r++)
			h = mix64(h ^ sig->v[b * STORY_ROWS + r]);
		bands[b] = (int64_t)h;
	}
}

int
story_same(const struct story_sig *a, const struct story_sig *b,
    double threshold)
{
	int64_t	 ba[STORY_BANDS], bb[STORY_BANDS];
	size_t	 i;

	story_bands(a, ba);
	story_bands(b, bb);
	for (i = 0; i < STORY_BANDS; i++)
		if (ba[i] == bb[i])
			return story_similarity(a, b) >= threshold;
	return 0;
}
