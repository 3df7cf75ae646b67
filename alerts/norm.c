/*
 * norm.c: folding, word splitting, stemming and transliteration.
 *
 * Why a code point cache: utf8proc_NFKC_Casefold() on whole texts costs
 * more than the rest of the matcher together.  Folding is done per code
 * point instead (NFKD + case fold + mark stripping is per code point, only
 * recomposition is not, and we never recompose), and each code point's
 * result is computed once with utf8proc_decompose_char() and kept in a
 * two-level table.  ASCII never reaches the table.
 */
#include "norm.h"

#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <libstemmer.h>
#include <utf8proc.h>

#include "xmalloc.h"

/* Cache entry: bit 31 set when computed. */
#define CP_DONE		0x80000000u
#define CP_CLASS(e)	(((e) >> 28) & 7u)
#define CP_CYR		0x08000000u
#define CP_ASCII	0x04000000u
#define CP_LEN(e)	(((e) >> 20) & 63u)
#define CP_OFF(e)	((e) & 0xfffffu)
#define CP_POOL_MAX	0x100000u

enum cp_class {
	C_SEP = 1,	/* ends a word */
	C_WORD,		/* part of a word; folded bytes in the pool */
	C_IGNORE,	/* invisible inside a word (soft hyphen, ZWJ) */
	C_SINGLE	/* a word by itself (Han, Hiragana) */
};

#define NORM_MAXSTEM	32

struct norm {
	uint32_t	*pages[0x110000 / 256];
	char		*pool;
	size_t		 poollen;
	size_t		 poolcap;
	struct {
		char			*name;
		struct sb_stemmer	*st;
	}		 stem[NORM_MAXSTEM];
	int		 nstem;
};

/* ASCII: folded byte for word characters, 0 for separators. */
static const unsigned char ascii_fold[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['_'] = '_',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
};

struct norm *
norm_new(void)
{
	return xcalloc(1, sizeof(struct norm));
}

void
norm_free(struct norm *n)
{
	size_t	i;
	int	j;

	if (n == NULL)
		return;
	for (i = 0; i < sizeof(n->pages) / sizeof(n->pages[0]); i++)
		free(n->pages[i]);
	for (j = 0; j < n->nstem; j++) {
		free(n->stem[j].name);
		sb_stemmer_delete(n->stem[j].st);
	}
	free(n->pool);
	free(n);
}

static int
is_single(int32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x309f) ||	/* Hiragana */
	    (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0x20000 && cp <= 0x3ffff);
}

static enum cp_class
classify(int32_t cp)
{
	if (is_single(cp))
		return C_SINGLE;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
	case UTF8PROC_CATEGORY_PC:
		return C_WORD;
	case UTF8PROC_CATEGORY_CF:
		/* zero width space separates; other format chars vanish */
		return cp == 0x200b ? C_SEP : C_IGNORE;
	default:
		return C_SEP;
	}
}

/* Folds 'cp' into 'out' (UTF-8); returns the byte count, or -1. */
static int
fold_cp(int32_t cp, char *out, size_t outlen, unsigned *flags)
{
	utf8proc_int32_t	 dst[32];
	utf8proc_ssize_t	 n, i;
	size_t			 len = 0;
	int			 bound = 0;
	utf8proc_ssize_t	 w;

	n = utf8proc_decompose_char(cp, dst, 32, UTF8PROC_DECOMPOSE |
	    UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
	    UTF8PROC_IGNORE, &bound);
	if (n < 0 || n > 32)
		return -1;
	*flags = CP_ASCII;
	for (i = 0; i < n; i++) {
		if (len + 4 > outlen)
			return -1;
		w = utf8proc_encode_char(dst[i], (utf8proc_uint8_t *)out + len);
		if (w <= 0)
			return -1;
		len += (size_t)w;
		if (dst[i] >= 0x80)
			*flags &= ~CP_ASCII;
		if (dst[i] >= 0x400 && dst[i] <= 0x52f)
			*flags |= CP_CYR;
	}
	return (int)len;
}

/* The cache entry for 'cp' (never 0). */
static uint32_t
cp_entry(struct norm *n, int32_t cp)
{
	uint32_t	*page, e;
	char		 tmp[160];
	unsigned	 fl = 0;
	int		 len = 0;
	enum cp_class	 cls;

	if (cp < 0 || cp >= 0x110000)
		return CP_DONE | ((uint32_t)C_SEP << 28);
	if ((page = n->pages[cp >> 8]) == NULL)
		page = n->pages[cp >> 8] = xcalloc(256, sizeof(uint32_t));
	if ((e = page[cp & 255]) != 0)
		return e;
	cls = classify(cp);
	if (cls == C_WORD || cls == C_SINGLE) {
		if ((len = fold_cp(cp, tmp, sizeof(tmp), &fl)) < 0 || len > 63)
			len = 0;	/* unfoldable: an empty part */
	}
	if (n->poollen + (size_t)len > CP_POOL_MAX)
		return CP_DONE | ((uint32_t)C_SEP << 28);	/* not cached */
	if (n->poollen + (size_t)len > n->poolcap) {
		n->poolcap = n->poolcap ? n->poolcap * 2 : 4096;
		n->pool = xreallocarray(n->pool, n->poolcap, 1);
	}
	if (len > 0)
		memcpy(n->pool + n->poollen, tmp, (size_t)len);
	e = CP_DONE | ((uint32_t)cls << 28) | (uint32_t)fl |
	    ((uint32_t)len << 20) | (uint32_t)n->poollen;
	n->poollen += (size_t)len;
	page[cp & 255] = e;
	return e;
}

/*
 * utf8proc_iterate() with the two- and three-byte forms inline, which
 * are most non-ASCII text (accents, Cyrillic, Greek, quotes, dashes);
 * the checks are the same: no overlong form, no surrogate.
 */
static inline utf8proc_ssize_t
utf8_next(const unsigned char *s, size_t len, utf8proc_int32_t *cp)
{
	if (len >= 2 && s[0] >= 0xc2 && s[0] <= 0xdf &&
	    (s[1] & 0xc0) == 0x80) {
		*cp = (s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if (len >= 3 && (s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
	    (s[2] & 0xc0) == 0x80 && (s[0] != 0xe0 || s[1] >= 0xa0) &&
	    (s[0] != 0xed || s[1] <= 0x9f)) {
		*cp = (s[0] & 0x0f) << 12 | (s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	return utf8proc_iterate(s, (utf8proc_ssize_t)len, cp);
}

/*
 * The byte length of the multibyte character at s[0 .. len) if it
 * separates words (a byte that is not UTF-8 does), else 0.
 */
static inline size_t
sep_width(struct norm *n, const unsigned char *s, size_t len)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	w;

	if ((w = utf8_next(s, len, &cp)) <= 0)
		return 1;
	return CP_CLASS(cp_entry(n, cp)) == C_SEP ? (size_t)w : 0;
}

int
norm_is_word_cp(struct norm *n, int32_t cp)
{
	uint32_t	e;

	if (cp >= 0 && cp < 0x80)
		return ascii_fold[cp] != 0;
	e = cp_entry(n, cp);
	return CP_CLASS(e) == C_WORD || CP_CLASS(e) == C_SINGLE;
}

/*
 * The general walk from 'off', for any text: norm_iter_next() hands over
 * to it at the first byte its ASCII path does not know.
 */
static int
iter_next_utf8(struct norm_iter *it, struct norm_token *tok, size_t off)
{
	const unsigned char	*s = (const unsigned char *)it->s;
	size_t			 len = it->len;
	size_t			 start = 0, end = 0, tl = 0;
	unsigned		 flags = NORM_TOK_ASCII;
	int			 in = 0;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 w;
	uint32_t		 e;
	unsigned		 cl, fl;

	for (;;) {
		if (off >= len)
			goto word_end;
		if (s[off] < 0x80) {
			unsigned char f = ascii_fold[s[off]];

			if (f == 0) {
				off++;
				if (in)
					goto word_end;
				continue;
			}
			if (!in) {
				in = 1;
				start = off;
			}
			if (tl < NORM_WORD_MAX)
				it->buf[tl++] = (char)f;
			else
				flags |= NORM_TOK_LONG;
			end = ++off;
			continue;
		}
		w = utf8_next(s + off, len - off, &cp);
		if (w <= 0) {
			off++;		/* a bad byte separates words */
			if (in)
				goto word_end;
			continue;
		}
		e = cp_entry(it->norm, cp);
		cl = CP_CLASS(e);
		if (cl == C_SEP) {
			off += (size_t)w;
			if (in)
				goto word_end;
			continue;
		}
		if (cl == C_IGNORE) {
			off += (size_t)w;
			if (in)
				end = off;
			continue;
		}
		if (cl == C_SINGLE && in)
			goto word_end;	/* this one starts the next call */
		if (!in) {
			in = 1;
			start = off;
		}
		fl = CP_LEN(e);
		if (fl == 0)
			;	/* a stripped mark */
		else if (tl + fl <= NORM_WORD_MAX) {
			memcpy(it->buf + tl, it->norm->pool + CP_OFF(e), fl);
			tl += fl;
		} else
			flags |= NORM_TOK_LONG;
		if (!(e & CP_ASCII))
			flags &= ~NORM_TOK_ASCII;
		if (e & CP_CYR)
			flags |= NORM_TOK_CYRILLIC;
		end = off += (size_t)w;
		if (cl == C_SINGLE)
			goto word_end;
		continue;
word_end:
		if (!in || tl == 0) {
			/* only marks or ignorables: no word */
			if (off >= len) {
				it->off = off;
				return 0;
			}
			in = 0;
			tl = 0;
			flags = NORM_TOK_ASCII;
			continue;
		}
		it->buf[tl] = '\0';
		it->off = off;
		tok->word = it->buf;
		tok->len = tl;
		tok->start = start;
		tok->end = end;
		tok->pos = it->pos++;
		tok->flags = flags;
		return 1;
	}
}

/*
 * 16 bytes in a vector register (GCC's vector extension: SSE2, NEON, or
 * plain code where there is neither).  Comparisons give 0xff or 0.
 */
typedef unsigned char	v16 __attribute__((vector_size(16)));

#ifdef __SSE2__
/* Bit i of the result: bit 7 of byte i of 'm'. */
static inline uint64_t
mask16(v16 m)
{
	return (unsigned)_mm_movemask_epi8((__m128i)m);
}
#else
/* Bit 7 of byte i of 'm' (no other bit set) to bit i: no products meet. */
static inline uint64_t
gather8(uint64_t m)
{
	return ((m >> 7) * 0x0102040810204080ULL) >> 56;
}

/* 8 bytes as a little-endian number: the first byte is the low one. */
static inline uint64_t
load_le(const unsigned char *p)
{
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint64_t
mask16(v16 m)
{
	const uint64_t	highs = 0x8080808080808080ULL;
	unsigned char	b[16];

	memcpy(b, &m, 16);
	return gather8(load_le(b) & highs) |
	    gather8(load_le(b + 8) & highs) << 8;
}
#endif

/*
 * Classifies s[off .. off + NORM_BLOCK) at once: a mask of its ASCII word
 * bytes [0-9A-Za-z_], one of its bytes >= 0x80, and its word bytes folded
 * with every other byte NUL, so that a word found by the masks is ready in
 * place: folded, NUL-terminated, 8 readable bytes past its end.  Bytes
 * past the text read as NUL, a separator.
 */
static void
load_block(struct norm_iter *it, size_t off)
{
	const unsigned char	*s = (const unsigned char *)it->s + off;
	unsigned char		 tail[NORM_BLOCK];
	uint64_t		 wb = 0, hb = 0;
	v16			 v, word, upper, fold;
	unsigned		 i;

	if (it->len - off < NORM_BLOCK) {
		memset(tail, 0, sizeof(tail));
		memcpy(tail, s, it->len - off);
		s = tail;
	}
	for (i = 0; i < NORM_BLOCK / 16; i++) {
		memcpy(&v, s + 16 * i, 16);
		/* unsigned: bytes >= 0x80 are in no range */
		word = (v16)((v16)((v | 0x20) - 'a') <= 25) |
		    (v16)((v16)(v - '0') <= 9) | (v16)(v == '_');
		upper = (v16)((v16)(v - 'A') <= 25);
		fold = (v | (upper & 0x20)) & word;
		memcpy(it->fold + 16 * i, &fold, 16);
		wb |= mask16(word) << 16 * i;
		hb |= mask16(v) << 16 * i;
	}
	it->blk = off;
	it->wmask = wb;
	it->hmask = hb;
}

void
norm_iter_init(struct norm_iter *it, struct norm *n, const char *s,
    size_t len)
{
	it->norm = n;
	it->s = s;
	it->len = s == NULL ? 0 : len;
	it->off = 0;
	it->pos = 0;
	it->blk = 0;
	it->wmask = it->hmask = 0;
	memset(it->fold + NORM_BLOCK, 0, sizeof(it->fold) - NORM_BLOCK);
	if (it->len > 0)
		load_block(it, 0);
}

/* Fills 'tok' with the ASCII word of n bytes at 'off', block byte i. */
static inline int
emit_ascii(struct norm_iter *it, struct norm_token *tok, size_t off,
    size_t i, size_t n)
{
	tok->word = it->fold + i;
	tok->len = n;
	tok->start = off;
	tok->end = off + n;
	tok->pos = it->pos++;
	tok->flags = NORM_TOK_ASCII;
	return 1;
}

/*
 * norm_iter_next() past its common case: new blocks, words across them,
 * multibyte characters, the end.  Not inlined: its registers would be
 * saved on every call of the common case.
 */
static int __attribute__((noinline))
iter_next_block(struct norm_iter *it, struct norm_token *tok)
{
	const unsigned char	*s = (const unsigned char *)it->s;
	size_t			 off = it->off, i, n, w;
	uint64_t		 m;

	for (;;) {
		if (off - it->blk >= NORM_BLOCK) {
			if (off >= it->len) {
				it->off = off;
				return 0;
			}
			load_block(it, off);
		}
		i = off - it->blk;
		if ((m = (it->wmask | it->hmask) >> i) == 0) {
			off = it->blk + NORM_BLOCK;
			continue;
		}
		i += (size_t)__builtin_ctzll(m);
		off = it->blk + i;
		if (it->hmask >> i & 1) {
			/* multibyte: step over quotes, dashes, spaces */
			if ((w = sep_width(it->norm, s + off,
			    it->len - off)) == 0)
				return iter_next_utf8(it, tok, off);
			off += w;
			continue;
		}
		if ((m = ~it->wmask >> i) == 0) {
			/* the word runs past the block */
			if (i == 0)
				return iter_next_utf8(it, tok, off);
			load_block(it, off);
			continue;
		}
		n = (size_t)__builtin_ctzll(m);
		w = 0;
		if (it->hmask >> (i + n) & 1 && (w = sep_width(it->norm,
		    s + off + n, it->len - off - n)) == 0)
			return iter_next_utf8(it, tok, off);
		it->off = off + n + w;
		return emit_ascii(it, tok, off, i, n);
	}
}

/*
 * Most words of most text are ASCII between separators: those are found
 * by the masks of load_block() with a few bit operations each, here in a
 * function small enough to need few registers saved.  A word that meets a
 * multibyte character other than a separator, or fills a whole block, is
 * walked from its start by iter_next_utf8(), which gives every word the
 * same result.
 */
int
norm_iter_next(struct norm_iter *it, struct norm_token *tok)
{
	size_t		 i = it->off - it->blk, n;
	uint64_t	 m;

	if (i < NORM_BLOCK && (m = (it->wmask | it->hmask) >> i) != 0) {
		i += (size_t)__builtin_ctzll(m);
		if (!(it->hmask >> i & 1) && (m = ~it->wmask >> i) != 0) {
			n = (size_t)__builtin_ctzll(m);
			if (!(it->hmask >> (i + n) & 1)) {
				it->off = it->blk + i + n;
				return emit_ascii(it, tok, it->blk + i, i, n);
			}
		}
	}
	return iter_next_block(it, tok);
}

char *
norm_fold_words(struct norm *n, const char *s, size_t len)
{
	struct norm_iter	 it;
	struct norm_token	 t;
	char			*out;
	size_t			 olen = 0;

	out = xmalloc(len * 6 + 2 > NORM_WORD_MAX ? len * 6 + 2 :
	    NORM_WORD_MAX + 2);
	norm_iter_init(&it, n, s, len);
	while (norm_iter_next(&it, &t)) {
		if (olen > 0)
			out[olen++] = ' ';
		memcpy(out + olen, t.word, t.len);
		olen += t.len;
	}
	out[olen] = '\0';
	return out;
}

int
norm_stemmer(struct norm *n, const char *lang)
{
	struct sb_stemmer	*st;
	int			 i;

	for (i = 0; i < n->nstem; i++)
		if (strcmp(n->stem[i].name, lang) == 0)
			return i;
	if (n->nstem == NORM_MAXSTEM)
		return -1;
	if ((st = sb_stemmer_new(lang, "UTF_8")) == NULL)
		return -1;
	n->stem[n->nstem].name = xstrdup(lang);
	n->stem[n->nstem].st = st;
	return n->nstem++;
}

const char *
norm_stemmer_names(void)
{
	static char	 names[1024];
	const char	**l;
	size_t		 len = 0, k;

	if (names[0] != '\0')
		return names;
	for (l = sb_stemmer_list(); *l != NULL; l++) {
		k = strlen(*l);
		if (len + k + 3 >= sizeof(names))
			break;
		if (len > 0) {
			memcpy(names + len, ", ", 2);
			len += 2;
		}
		memcpy(names + len, *l, k);
		len += k;
	}
	names[len] = '\0';
	return names;
}

int
norm_stem(struct norm *n, int idx, const char *w, size_t len, char *out,
    size_t outlen)
{
	const sb_symbol	*r;
	int		 rl;

	if (idx < 0 || idx >= n->nstem || len > 1024)
		return -1;
	r = sb_stemmer_stem(n->stem[idx].st, (const sb_symbol *)w, (int)len);
	if (r == NULL)
		return -1;	/* out of memory inside libstemmer */
	rl = sb_stemmer_length(n->stem[idx].st);
	if (rl < 0 || (size_t)rl + 1 > outlen)
		return -1;
	memcpy(out, r, (size_t)rl);
	out[rl] = '\0';
	return rl;
}

/*
 * BGN/PCGN romanization of the folded Cyrillic letters U+0430..U+045F
 * (folding already turned й into и, ё into е, ї into і, ў into у).
 */
static const char *const cyr_latin[0x30] = {
	"a", "b", "v", "g", "d", "e", "zh", "z",		/* а-з */
	"i", "y", "k", "l", "m", "n", "o", "p",			/* и-п */
	"r", "s", "t", "u", "f", "kh", "ts", "ch",		/* р-ч */
	"sh", "shch", "", "y", "", "e", "yu", "ya",		/* ш-я */
	"e", "e", "dj", "g", "ye", "dz", "i", "yi",		/* ѐ-ї */
	"j", "lj", "nj", "c", "k", "i", "u", "dz",		/* ј-џ */
};

static int
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'o' || c == 'u';
}

int
norm_skeleton(const char *w, size_t len, char *out, size_t outlen)
{
	char			 tmp[NORM_WORD_MAX * 4 + 8];
	char			 t2[sizeof(tmp)];
	size_t			 tl = 0, i, o;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	const char		*r;

	/* romanize */
	for (i = 0; i < len; ) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)w + i,
		    (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return -1;
		r = NULL;
		if (cp >= 0x430 && cp <= 0x45f)
			r = cyr_latin[cp - 0x430];
		else if (cp == 0x491)
			r = "g";	/* ґ */
		if (r != NULL) {
			if (tl + strlen(r) >= sizeof(tmp))
				return -1;
			memcpy(tmp + tl, r, strlen(r));
			tl += strlen(r);
		} else {
			if (tl + (size_t)n >= sizeof(tmp))
				return -1;
			memcpy(tmp + tl, w + i, (size_t)n);
			tl += (size_t)n;
		}
		i += (size_t)n;
	}

	/* digraphs and single letters, then doubled letters */
	for (i = o = 0; i < tl; ) {
		char c = tmp[i];
		char d = i + 1 < tl ? tmp[i + 1] : 0;

		if (c == 's' && d == 'h' && i + 3 < tl && tmp[i + 2] == 'c' &&
		    tmp[i + 3] == 'h') {
			c = 's';
			i += 4;
		} else if (c == 't' && d == 'c' && i + 2 < tl &&
		    tmp[i + 2] == 'h') {
			c = 'c';
			i += 3;
		} else if (d == 'h' && (c == 's' || c == 'z' || c == 'c' ||
		    c == 'k')) {
			c = c == 'k' ? 'h' : c;
			i += 2;
		} else if (c == 't' && d == 's') {
			c = 'c';
			i += 2;
		} else {
			if (c == 'x')
				c = 'h';
			else if (c == 'w')
				c = 'v';
			else if (c == 'y' || c == 'j')
				c = 'i';
			i++;
		}
		if (o > 0 && t2[o - 1] == c && c >= 'a' && c <= 'z')
			continue;
		t2[o++] = c;
	}
	/* i before a vowel goes (ya/ja/ia, yu/ju/iu, ye/je/ie) */
	for (i = 0, tl = 0; i < o; i++) {
		if (t2[i] == 'i' && i + 1 < o && is_vowel(t2[i + 1]))
			continue;
		if (tl > 0 && tmp[tl - 1] == t2[i] && t2[i] >= 'a' &&
		    t2[i] <= 'z')
			continue;
		tmp[tl++] = t2[i];
	}
	if (tl + 1 > outlen)
		return -1;
	memcpy(out, tmp, tl);
	out[tl] = '\0';
	return (int)tl;
}
