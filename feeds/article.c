/*
 * article.c: main-text extraction from HTML pages (article.h).
 *
 * libxml2's HTML push parser runs in SAX mode: its tree builder halts at
 * 256 levels (an old CMS's unclosed <font>s leave an empty body) and
 * copies text on every xmlNodeGetContent() (APIS.md C.2).  Our callbacks
 * keep instead:
 *
 *  - the page's visible text in one buffer, white space collapsed, with
 *    a '\n' wherever a block starts or ends;
 *  - one record per block element (not per inline one) in document
 *    order: its parent, its last descendant, the span of the text buffer
 *    its text fills (a subtree's text is contiguous), and running totals
 *    of characters, characters inside links and commas at its start,
 *    turned into its own counts at its end.
 *
 * So the scoring after the parse is a few passes over an array, with no
 * recursion and no text copied, and the article's text is the spans of
 * the chosen elements minus those of the boilerplate inside them.
 *
 * The page is decoded to UTF-8 before libxml2 sees it (decoder.h), and
 * libxml2 gets it in pieces cut where the bytes say (stage_flush()),
 * whatever the caller's split, so the result cannot depend on it.
 */
#include "article.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "decoder.h"
#include "html.h"
#include "log.h"
#include "text.h"
#include "url.h"
#include "xmalloc.h"

#define CHUNK		(16 * 1024)	/* bytes per htmlParseChunk() */
#define SNIFF		1024		/* bytes a <meta> charset must be in */
#define HOLD		((size_t)1 << 20)	/* bytes held to guess one */
#define MAX_PAGE	((size_t)4 << 20)	/* visible text kept */
#define MAX_NODES	65536		/* block elements kept */
#define MAX_STACK	512		/* levels of them */
#define MAX_TITLE	4096		/* bytes of a title */
#define MAX_LD		((size_t)1 << 20)	/* bytes of a JSON-LD block */
#define LD_DEPTH	16		/* JSON-LD nesting searched */
#define MIN_PARA	25		/* characters of a scored paragraph */
#define MIN_TEXT	250		/* bytes of text that may be too few */
#define NO_NODE		UINT32_MAX

/* ------------------------------------------------------------------ */
/* elements */

enum kind {
	K_OTHER,
	K_A,
	K_ARTICLE,
	K_BODY,
	K_BR,
	K_FORM,
	K_H1,
	K_HEADER,
	K_HTML,
	K_MAIN,
	K_META,
	K_P,
	K_PRE,
	K_SCRIPT,
	K_TITLE
};

enum {
	TG_DROP		= 1 << 0,	/* holds no text: skipped whole */
	TG_BREAK	= 1 << 1,	/* a paragraph break around it */
	TG_NODE		= 1 << 2,	/* kept as a block */
	TG_SCORE	= 1 << 3,	/* its own text is a paragraph */
	TG_JUNK		= 1 << 4	/* boilerplate */
};

#define BLOCK	(TG_BREAK | TG_NODE)

struct tag {
	const char	*name;
	unsigned char	 kind;
	unsigned char	 flags;
	signed char	 base;		/* a candidate's starting score */
};

/* Sorted by name (bsearch). */
static const struct tag tags[] = {
	{ "a",		K_A,		0,			0 },
	{ "address",	K_OTHER,	BLOCK,			-3 },
	{ "article",	K_ARTICLE,	BLOCK | TG_SCORE,	0 },
	{ "aside",	K_OTHER,	BLOCK | TG_JUNK,	0 },
	{ "audio",	K_OTHER,	TG_DROP,		0 },
	{ "blockquote",	K_OTHER,	BLOCK | TG_SCORE,	3 },
	{ "body",	K_BODY,		BLOCK,			0 },
	{ "br",		K_BR,		0,			0 },
	{ "button",	K_OTHER,	TG_DROP,		0 },
	{ "canvas",	K_OTHER,	TG_DROP,		0 },
	{ "caption",	K_OTHER,	BLOCK,			0 },
	{ "center",	K_OTHER,	BLOCK | TG_SCORE,	0 },
	{ "dd",		K_OTHER,	BLOCK | TG_SCORE,	-3 },
	{ "details",	K_OTHER,	BLOCK,			0 },
	{ "dialog",	K_OTHER,	BLOCK | TG_JUNK,	0 },
	{ "div",	K_OTHER,	BLOCK | TG_SCORE,	5 },
	{ "dl",		K_OTHER,	BLOCK,			-3 },
	{ "dt",		K_OTHER,	BLOCK,			-3 },
	{ "embed",	K_OTHER,	TG_DROP,		0 },
	{ "fieldset",	K_OTHER,	BLOCK,			0 },
	{ "figcaption",	K_OTHER,	BLOCK,			0 },
	{ "figure",	K_OTHER,	BLOCK,			0 },
	{ "footer",	K_OTHER,	BLOCK | TG_JUNK,	0 },
	{ "form",	K_FORM,		BLOCK,			-3 },
	{ "frameset",	K_OTHER,	TG_DROP,		0 },
	{ "h1",		K_H1,		BLOCK,			-5 },
	{ "h2",		K_OTHER,	BLOCK,			-5 },
	{ "h3",		K_OTHER,	BLOCK,			-5 },
	{ "h4",		K_OTHER,	BLOCK,			-5 },
	{ "h5",		K_OTHER,	BLOCK,			-5 },
	{ "h6",		K_OTHER,	BLOCK,			-5 },
	{ "header",	K_HEADER,	BLOCK,			0 },
	{ "hr",		K_BR,		0,			0 },
	{ "html",	K_HTML,		BLOCK,			0 },
	{ "iframe",	K_OTHER,	TG_DROP,		0 },
	{ "li",		K_OTHER,	BLOCK,			-3 },
	{ "main",	K_MAIN,		BLOCK | TG_SCORE,	5 },
	{ "math",	K_OTHER,	TG_DROP,		0 },
	{ "menu",	K_OTHER,	BLOCK | TG_JUNK,	0 },
	{ "meta",	K_META,		0,			0 },
	{ "nav",	K_OTHER,	BLOCK | TG_JUNK,	0 },
	{ "noscript",	K_OTHER,	TG_DROP,		0 },
	{ "object",	K_OTHER,	TG_DROP,		0 },
	{ "ol",		K_OTHER,	BLOCK,			-3 },
	{ "p",		K_P,		BLOCK | TG_SCORE,	0 },
	{ "pre",	K_PRE,		BLOCK | TG_SCORE,	3 },
	{ "script",	K_SCRIPT,	TG_DROP,		0 },
	{ "section",	K_OTHER,	BLOCK | TG_SCORE,	0 },
	{ "select",	K_OTHER,	TG_DROP,		0 },
	{ "style",	K_OTHER,	TG_DROP,		0 },
	{ "svg",	K_OTHER,	TG_DROP,		0 },
	{ "table",	K_OTHER,	BLOCK,			0 },
	{ "tbody",	K_OTHER,	TG_NODE,		0 },
	{ "td",		K_OTHER,	TG_NODE | TG_SCORE,	3 },
	{ "template",	K_OTHER,	TG_DROP,		0 },
	{ "textarea",	K_OTHER,	TG_DROP,		0 },
	{ "tfoot",	K_OTHER,	TG_NODE,		0 },
	{ "th",		K_OTHER,	TG_NODE,		-5 },
	{ "thead",	K_OTHER,	TG_NODE,		0 },
	{ "title",	K_TITLE,	TG_DROP,		0 },
	{ "tr",		K_OTHER,	BLOCK,			0 },
	{ "ul",		K_OTHER,	BLOCK,			-3 },
	{ "video",	K_OTHER,	TG_DROP,		0 },
};

/* Custom elements (amp-ad, my-widget): blocks, hinted by their name. */
static const struct tag custom_tag = { "-", K_OTHER, TG_NODE, 0 };

static int
tag_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tag *)elem)->name);
}

/* The entry of element 'name' (lowercase, as libxml2 gives it), or NULL. */
static const struct tag *
tag_find(const char *name)
{
	const struct tag	*t;

	t = bsearch(name, tags, sizeof(tags) / sizeof(tags[0]),
	    sizeof(tags[0]), tag_cmp);
	if (t == NULL && strchr(name, '-') != NULL)
		t = &custom_tag;
	return t;
}

/* ------------------------------------------------------------------ */
/* class hints */

enum {
	W_EXACT,		/* the word, or it plus "s" */
	W_PREFIX,		/* any token starting with it */
	W_LAST			/* the word, as the last token of a name */
};

struct hint_word {
	const char	*word;
	signed char	 sign;
	unsigned char	 match;
};

/*
 * The tokens of a name are its runs of letters, split before an
 * uppercase letter that follows a lowercase one: "articleBody",
 * "article-body" and "article_body" all read article, body.  "text" is
 * positive only as the last token ("article-text", not "text-center").
 * Positive words take no plural: "posts" and "stories" are lists.  The
 * negative ones include the commonest German, French and Spanish words
 * for ads and comments.
 */
static const struct hint_word hint_words[] = {
	{ "article",	 1, W_EXACT },
	{ "articlebody", 1, W_EXACT },
	{ "body",	 1, W_EXACT },
	{ "content",	 1, W_EXACT },
	{ "entry",	 1, W_EXACT },
	{ "hentry",	 1, W_EXACT },
	{ "main",	 1, W_EXACT },
	{ "post",	 1, W_EXACT },
	{ "story",	 1, W_EXACT },
	{ "text",	 1, W_LAST },
	{ "ad",		-1, W_EXACT },
	{ "adslot",	-1, W_EXACT },
	{ "adunit",	-1, W_EXACT },
	{ "advert",	-1, W_PREFIX },
	{ "anzeige",	-1, W_PREFIX },
	{ "banner",	-1, W_EXACT },
	{ "breadcrumb",	-1, W_PREFIX },
	{ "comment",	-1, W_EXACT },
	{ "commentaire", -1, W_PREFIX },
	{ "commentlist", -1, W_EXACT },
	{ "comentario",	-1, W_PREFIX },
	{ "consent",	-1, W_PREFIX },
	{ "cookie",	-1, W_PREFIX },
	{ "dfp",	-1, W_EXACT },
	{ "disqus",	-1, W_PREFIX },
	{ "footer",	-1, W_EXACT },
	{ "gdpr",	-1, W_EXACT },
	{ "komment",	-1, W_PREFIX },
	{ "masthead",	-1, W_EXACT },
	{ "megamenu",	-1, W_EXACT },
	{ "menu",	-1, W_EXACT },
	{ "modal",	-1, W_PREFIX },
	{ "nav",	-1, W_EXACT },
	{ "navbar",	-1, W_EXACT },
	{ "navigation",	-1, W_EXACT },
	{ "newsletter",	-1, W_PREFIX },
	{ "outbrain",	-1, W_EXACT },
	{ "pager",	-1, W_EXACT },
	{ "pagination",	-1, W_EXACT },
	{ "paywall",	-1, W_EXACT },
	{ "popup",	-1, W_PREFIX },
	{ "promo",	-1, W_PREFIX },
	{ "publicid",	-1, W_PREFIX },
	{ "publicit",	-1, W_PREFIX },
	{ "recommend",	-1, W_PREFIX },
	{ "related",	-1, W_PREFIX },
	{ "replies",	-1, W_EXACT },
	{ "reply",	-1, W_EXACT },
	{ "respond",	-1, W_EXACT },
	{ "share",	-1, W_PREFIX },
	{ "sharing",	-1, W_EXACT },
	{ "sidebar",	-1, W_PREFIX },
	{ "signup",	-1, W_EXACT },
	{ "social",	-1, W_PREFIX },
	{ "sponsor",	-1, W_PREFIX },
	{ "subscri",	-1, W_PREFIX },
	{ "taboola",	-1, W_EXACT },
	{ "tags",	-1, W_EXACT },
	{ "ticker",	-1, W_EXACT },
	{ "toolbar",	-1, W_EXACT },
	{ "trending",	-1, W_EXACT },
	{ "werbung",	-1, W_EXACT },
	{ "widget",	-1, W_EXACT },
};

/* ARIA roles of boilerplate. */
static const char *const junk_roles[] = {
	"alert", "alertdialog", "banner", "complementary", "contentinfo",
	"dialog", "menu", "menubar", "navigation", "search", NULL
};

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
to_lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

#define MAX_TOKENS	8
#define TOKEN_LEN	24

/* +1, -1 or 0 for token 't' ('n' letters, lowercase), the last if 'last'. */
static int
token_sign(const char *t, size_t n, int last)
{
	const struct hint_word	*w;
	size_t			 i, k;

	for (i = 0; i < sizeof(hint_words) / sizeof(hint_words[0]); i++) {
		w = &hint_words[i];
		if (w->word[0] != t[0])
			continue;
		k = strlen(w->word);
		if (n < k || memcmp(t, w->word, k) != 0)
			continue;
		if (n == k && (w->match != W_LAST || last))
			return w->sign;
		if (w->match == W_PREFIX ||
		    (w->match == W_EXACT && w->sign < 0 && n == k + 1 &&
		    t[k] == 's'))
			return w->sign;
	}
	return 0;
}

/*
 * The sign of one name (a class, an id): -1 if a token is negative, else
 * +1 if one is positive, else 0.  "article-comments" is comments.
 */
static int
name_sign(const char *s, size_t n)
{
	char	 tok[MAX_TOKENS][TOKEN_LEN];
	size_t	 len[MAX_TOKENS], i, nt = 0;
	int	 sign = 0, k;

	for (i = 0; i < n && nt < MAX_TOKENS; ) {
		if (!is_alpha((unsigned char)s[i])) {
			i++;
			continue;
		}
		len[nt] = 0;
		do {
			if (len[nt] < TOKEN_LEN)
				tok[nt][len[nt]++] = to_lower(
				    (unsigned char)s[i]);
			i++;
		} while (i < n && is_alpha((unsigned char)s[i]) &&
		    !(s[i] >= 'A' && s[i] <= 'Z' &&
		    s[i - 1] >= 'a' && s[i - 1] <= 'z'));
		nt++;
	}
	for (i = 0; i < nt; i++) {
		if ((k = token_sign(tok[i], len[i], i == nt - 1)) < 0)
			return -1;
		if (k > 0)
			sign = 1;
	}
	return sign;
}

/*
 * The hint of an attribute value, as Readability weighs a class: +25 if
 * one of its space-separated names is positive, -25 if one is negative.
 */
static int
value_hint(const char *v)
{
	size_t	 n;
	int	 pos = 0, neg = 0, k;

	while (*v != '\0') {
		v += strspn(v, " \t\n\r\f");
		n = strcspn(v, " \t\n\r\f");
		if (n > 0 && (k = name_sign(v, n)) != 0) {
			if (k > 0)
				pos = 25;
			else
				neg = -25;
		}
		v += n;
	}
	return pos + neg;
}

/* 1 if 'v' is in the NULL-terminated list 'l', in any case. */
static int
in_list(const char *v, const char *const *l)
{
	for (; *l != NULL; l++)
		if (strcasecmp(v, *l) == 0)
			return 1;
	return 0;
}

/* 1 if an inline style hides the element. */
static int
style_hides(const char *v)
{
	char	 s[256];
	size_t	 n = 0;

	for (; *v != '\0' && n < sizeof(s) - 1; v++)
		if (!is_space((unsigned char)*v))
			s[n++] = to_lower((unsigned char)*v);
	s[n] = '\0';
	return strstr(s, "display:none") != NULL ||
	    strstr(s, "visibility:hidden") != NULL;
}

/* ------------------------------------------------------------------ */
/* state */

/* A growable byte buffer with a cap. */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 alloc;
	size_t	 max;
};

enum {
	N_JUNK		= 1 << 0,	/* boilerplate by tag, role or state */
	N_POS		= 1 << 1,	/* a positive hint of its own */
	N_HAS_POS	= 1 << 2,	/* a positive hint inside */
	N_ARTICLE	= 1 << 3,	/* opened an article context */
	N_DROP		= 1 << 4,	/* this pass: boilerplate */
	N_CAND		= 1 << 5,	/* this pass: scored */
	N_CHOSEN	= 1 << 6,	/* this pass: part of the text */
	N_PARA		= 1 << 7	/* this pass: a scored paragraph */
};

/* A block element. */
struct node {
	uint32_t	 parent;	/* index, or NO_NODE */
	uint32_t	 last;		/* index of its last descendant */
	uint32_t	 start;		/* its text: page.s[start..end) */
	uint32_t	 end;
	uint32_t	 chars;		/* of its subtree (first the totals) */
	uint32_t	 links;		/* characters inside <a> */
	uint32_t	 commas;
	uint32_t	 own_chars;	/* not inside its child blocks */
	uint32_t	 own_links;
	uint32_t	 own_commas;
	uint32_t	 class_hash;	/* of its class attribute, or 0 */
	float		 score;
	int16_t		 hint;
	unsigned char	 kind;
	unsigned char	 tflags;
	signed char	 base;
	unsigned char	 flags;
};

struct open_block {
	uint32_t	 node;
	int		 depth;
};

enum state {
	S_SNIFF,		/* reading the first SNIFF bytes */
	S_HOLD,			/* no charset declared: page held */
	S_PARSE,		/* in libxml2 */
	S_DONE
};

/* What a dropped element's text is kept for. */
enum capture {
	CAP_NONE,
	CAP_TITLE,
	CAP_LD
};

/* One extraction pass's outcome. */
struct result {
	struct buf	 text;
	uint32_t	 h1;		/* the title's h1, or NO_NODE */
	size_t		 paras;		/* scored paragraphs in the text */
};

struct article {
	char			*url;		/* redacted, for errors */
	char			*http_charset;
	size_t			 max_in;
	size_t			 max_out;
	size_t			 nin;		/* bytes taken */
	enum state		 state;
	int			 stopped;	/* libxml2 stopped at a cap */
	int			 enough;	/* no more input wanted */
	struct buf		 raw;		/* bytes before the parser */
	struct decoder		*dec;		/* to UTF-8, for libxml2 */
	int			 wide;		/* its text has NUL bytes */
	htmlParserCtxtPtr	 ctxt;
	char			*stage;		/* the next CHUNK for libxml2 */
	size_t			 nstage;

	/* while parsing */
	int			 depth;		/* libxml2's */
	int			 skip_depth;	/* >0: in a dropped element */
	enum capture		 capture;
	int			 in_link;
	int			 in_pre;
	int			 in_article;
	int			 space;		/* white space pending */
	struct buf		 page;		/* the visible text */
	uint32_t		 chars;		/* running totals */
	uint32_t		 links;
	uint32_t		 commas;
	struct node		*nodes;
	uint32_t		 nnodes;
	uint32_t		 anodes;
	struct open_block	 stack[MAX_STACK];
	int			 nstack;
	struct text_buf		 title_tag;	/* <title> */
	int			 title_done;
	char			*og_title;
	struct buf		 ld;		/* a JSON-LD block */
	int			 ld_over;	/* it passed MAX_LD */
	char			*ld_body;	/* the longest articleBody */
	char			*ld_headline;

	/* results */
	char			*title;
	struct buf		 text;
	char			*error;
};

static void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static void
buf_release(struct buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Appends 'n' bytes; -1 (and nothing added) if that passes the cap. */
static int
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t	 a;

	if (n > b->max - b->len)
		return -1;
	if (b->len + n + 1 > b->alloc) {
		a = b->alloc ? b->alloc : 1024;
		while (a < b->len + n + 1)
			a *= 2;
		b->s = xreallocarray(b->s, a, 1);
		b->alloc = a;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static const char *
buf_str(const struct buf *b)
{
	return b->s != NULL ? b->s : "";
}

static void
set_error(struct article *a, const char *what)
{
	free(a->error);
	a->error = xasprintf("page '%s': %s", a->url ? a->url : "-", what);
}

/* ------------------------------------------------------------------ */
/* encoding */

static int	to_stage(const char *s, size_t n, void *arg);

/* Opens the decoder from 'name' to UTF-8; -1 if iconv does not know it. */
static int
decoder_open(struct article *a, const char *name)
{
	struct decoder	*d;

	if ((d = decoder_new(name, to_stage, a)) == NULL)
		return -1;
	decoder_free(a->dec);
	a->dec = d;
	a->wide = decoder_is_wide(name);
	return 0;
}

/*
 * Opens the decoder for charset label 'l' ('n' bytes, maybe quoted);
 * -1 if there is none.  A <meta> cannot declare UTF-16 or UTF-32: it
 * was read as ASCII, so the page is UTF-8 (as browsers have it).
 */
static int
label_open(struct article *a, const char *l, size_t n, int meta)
{
	char		 buf[48];
	const char	*enc;

	if ((enc = decoder_label(l, n, buf, sizeof(buf))) == NULL)
		return -1;
	if (meta && decoder_is_wide(enc))
		enc = "UTF-8";
	return decoder_open(a, enc);
}

/*
 * Opens the decoder of the first <meta> in s[0..n) that declares a
 * charset, either way (<meta charset=X>, <meta http-equiv content="...;
 * charset=X">); -1 if none does.
 */
static int
meta_open(struct article *a, const char *s, size_t n)
{
	const char	*p = s, *end = s + n, *gt, *c;

	while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		if (end - p < 6 || strncasecmp(p + 1, "meta", 4) != 0 ||
		    !(is_space((unsigned char)p[5]) || p[5] == '/')) {
			p++;
			continue;
		}
		if ((gt = memchr(p, '>', (size_t)(end - p))) == NULL)
			gt = end;
		for (c = p + 5; c + 7 <= gt; c++) {
			if (strncasecmp(c, "charset", 7) != 0)
				continue;
			c += 7;
			while (c < gt && is_space((unsigned char)*c))
				c++;
			if (c >= gt || *c != '=')
				continue;
			c++;
			if (label_open(a, c, (size_t)(gt - c), 1) == 0)
				return 0;
			break;
		}
		p = gt;
	}
	return -1;
}

/* The length of the BOM at s[0..n), its decoder opened; or 0. */
static size_t
bom_open(struct article *a, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return decoder_open(a, "UTF-8") == 0 ? 3 : 0;
	if (n >= 2 && u[0] == 0xff && u[1] == 0xfe)
		return decoder_open(a, "UTF-16LE") == 0 ? 2 : 0;
	if (n >= 2 && u[0] == 0xfe && u[1] == 0xff)
		return decoder_open(a, "UTF-16BE") == 0 ? 2 : 0;
	return 0;
}

/*
 * 1 if the page starts like a file that is not text: the signatures of
 * the formats links point to (PDF, images, archives, media), or a NUL or
 * other control bytes among the first ones (HTML has none; ESC starts
 * ISO-2022-JP escapes).
 */
static int
is_binary(const char *s, size_t n)
{
	static const struct {
		const char	*magic;
		size_t		 len;
	} sigs[] = {
		{ "%PDF-", 5 }, { "\x89PNG", 4 }, { "GIF8", 4 },
		{ "\xff\xd8\xff", 3 }, { "PK\x03\x04", 4 }, { "\x1f\x8b", 2 },
		{ "RIFF", 4 }, { "OggS", 4 }, { "ID3", 3 },
		{ "\x28\xb5\x2f\xfd", 4 },
	};
	size_t	 i, ctl = 0;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (n >= sigs[i].len && memcmp(s, sigs[i].magic,
		    sigs[i].len) == 0)
			return 1;
	for (i = 0; i < n; i++) {
		if (s[i] == '\0')
			return 1;
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n' && s[i] != '\r' && s[i] != '\f' &&
		    s[i] != 0x1b)
			ctl++;
	}
	return ctl * 16 > n;
}

/*
 * For a page that declares nothing: UTF-8 unless its non-ASCII bytes are
 * mostly not UTF-8 (a stray byte in a UTF-8 page is repaired, a Latin-1
 * page is read as windows-1252, which browsers assume in the West).
 */
static void
guess_open(struct article *a, const char *s, size_t n)
{
	if (decoder_open(a, decoder_guess(s, n)) == -1)
		(void)decoder_open(a, "UTF-8");		/* cannot fail */
}

/* ------------------------------------------------------------------ */
/* the visible text */

/* Ends the parse early: a cap was reached. */
static void
stop(struct article *a)
{
	a->stopped = 1;
	if (a->ctxt != NULL)
		xmlStopParser(a->ctxt);
}

static void
page_add(struct article *a, const char *s, size_t n)
{
	if (buf_add(&a->page, s, n) == -1)
		stop(a);
}

/* A paragraph break, unless the text is empty or ends in one. */
static void
page_break(struct article *a)
{
	if (a->page.len > 0 && a->page.s[a->page.len - 1] != '\n')
		page_add(a, "\n", 1);
	a->space = 0;
}

/* 1 if s[0..n) starts with an Arabic, ideographic or fullwidth comma. */
static int
is_wide_comma(const unsigned char *s, size_t n)
{
	return (n >= 2 && s[0] == 0xd8 && s[1] == 0x8c) || (n >= 3 &&
	    ((s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x81) ||
	    (s[0] == 0xef && s[1] == 0xbc && s[2] == 0x8c)));
}

/*
 * Adds text, white space collapsed, counting its characters and commas
 * (those of other scripts too) into the running totals.
 */
static void
page_text(struct article *a, const unsigned char *s, size_t n)
{
	uint32_t	 chars = 0, commas = 0;
	size_t		 i = 0, j;
	unsigned char	 c;

	while (i < n && !a->stopped) {
		if (is_space(s[i])) {
			if (s[i] == '\n' && a->in_pre > 0)
				page_break(a);
			else
				a->space = 1;
			i++;
			continue;
		}
		if (a->space) {
			if (a->page.len > 0 && a->page.s[a->page.len - 1] !=
			    '\n') {
				page_add(a, " ", 1);
				chars++;
			}
			a->space = 0;
		}
		for (j = i; j < n && !is_space(c = s[j]); j++) {
			chars += (c & 0xc0) != 0x80;
			commas += c == ',' || (c >= 0xd8 &&
			    is_wide_comma(s + j, n - j));
		}
		page_add(a, (const char *)s + i, j - i);
		i = j;
	}
	a->chars += chars;
	a->commas += commas;
	if (a->in_link > 0)
		a->links += chars;
}

/* ------------------------------------------------------------------ */
/* SAX */

/* The attribute 'name' of 'atts', or NULL (also for one with no value). */
static const char *
attr(const xmlChar **atts, const char *name)
{
	for (; atts != NULL && atts[0] != NULL; atts += 2)
		if (strcmp((const char *)atts[0], name) == 0)
			return (const char *)atts[1];
	return NULL;
}

/* 1 if 'atts' has attribute 'name', with a value or without. */
static int
has_attr(const xmlChar **atts, const char *name)
{
	for (; atts != NULL && atts[0] != NULL; atts += 2)
		if (strcmp((const char *)atts[0], name) == 0)
			return 1;
	return 0;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t	 h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h != 0 ? h : 1;
}

/* The hints and flags of a block from its name and attributes. */
static void
node_hints(struct node *n, const char *name, const xmlChar **atts)
{
	const char	*v, *slash;
	int		 hint = 0;

	if (n->tflags & TG_JUNK)
		n->flags |= N_JUNK;
	if (strchr(name, '-') != NULL)
		hint += value_hint(name);
	if ((v = attr(atts, "class")) != NULL) {
		hint += value_hint(v);
		n->class_hash = hash_str(v);
	}
	if ((v = attr(atts, "id")) != NULL)
		hint += value_hint(v);
	if ((v = attr(atts, "itemprop")) != NULL) {
		hint += value_hint(v);
		if (strcasecmp(v, "articleBody") == 0)
			hint += 25;
	}
	if ((v = attr(atts, "itemtype")) != NULL) {
		slash = strrchr(v, '/');
		hint += value_hint(slash != NULL ? slash + 1 : v);
	}
	if ((v = attr(atts, "role")) != NULL) {
		if (strcasecmp(v, "main") == 0)
			hint += 25;
		else if (in_list(v, junk_roles))
			n->flags |= N_JUNK;
	}
	if (has_attr(atts, "hidden") ||
	    ((v = attr(atts, "aria-hidden")) != NULL &&
	    strcasecmp(v, "true") == 0) ||
	    ((v = attr(atts, "style")) != NULL && style_hides(v)))
		n->flags |= N_JUNK;
	n->hint = (int16_t)hint;
	if (hint > 0)
		n->flags |= N_POS;
}

static void
node_open(struct article *a, const struct tag *t, const char *name,
    const xmlChar **atts)
{
	struct node	*n;

	if (a->nnodes >= MAX_NODES || a->nstack >= MAX_STACK)
		return;		/* its text goes to the innermost block kept */
	if (a->nnodes == a->anodes) {
		a->anodes = a->anodes ? a->anodes * 2 : 256;
		a->nodes = xreallocarray(a->nodes, a->anodes,
		    sizeof(*a->nodes));
	}
	n = &a->nodes[a->nnodes];
	memset(n, 0, sizeof(*n));
	n->parent = a->nstack > 0 ? a->stack[a->nstack - 1].node : NO_NODE;
	n->kind = t->kind;
	n->tflags = t->flags;
	n->base = t->base;
	node_hints(n, name, atts);
	/* a page header is boilerplate, an article's is not */
	if (t->kind == K_HEADER && a->in_article == 0)
		n->flags |= N_JUNK;
	if (t->kind == K_ARTICLE || t->kind == K_MAIN ||
	    (n->flags & N_POS)) {
		n->flags |= N_ARTICLE;
		a->in_article++;
	}
	n->start = (uint32_t)a->page.len;
	n->chars = a->chars;
	n->links = a->links;
	n->commas = a->commas;
	a->stack[a->nstack].node = a->nnodes;
	a->stack[a->nstack].depth = a->depth;
	a->nstack++;
	a->nnodes++;
}

static void
node_close(struct article *a)
{
	struct node	*n;
	uint32_t	 i;

	i = a->stack[--a->nstack].node;
	n = &a->nodes[i];
	n->end = (uint32_t)a->page.len;
	n->chars = a->chars - n->chars;
	n->links = a->links - n->links;
	n->commas = a->commas - n->commas;
	n->last = a->nnodes - 1;
	if (n->flags & N_ARTICLE)
		a->in_article--;
	if (n->parent != NO_NODE && (n->flags & (N_POS | N_HAS_POS)))
		a->nodes[n->parent].flags |= N_HAS_POS;
	if (n->tflags & TG_BREAK)
		page_break(a);
}

static void
on_meta(struct article *a, const xmlChar **atts)
{
	const char	*p, *c;
	struct text_buf	 tb;

	if (a->og_title != NULL || (c = attr(atts, "content")) == NULL)
		return;
	if (((p = attr(atts, "property")) != NULL ||
	    (p = attr(atts, "name")) != NULL) && strcasecmp(p,
	    "og:title") == 0) {
		text_buf_init(&tb, MAX_TITLE);
		text_buf_add(&tb, c, strlen(c));
		if (*text_buf_str(&tb) != '\0')
			a->og_title = xstrdup(text_buf_str(&tb));
		text_buf_release(&tb);
	}
}

static void ld_parse(struct article *);

/* Skips the element opened at this depth, keeping its text for 'cap'. */
static void
skip(struct article *a, enum capture cap)
{
	a->skip_depth = a->depth;
	a->capture = cap;
	if (cap == CAP_LD) {
		a->ld.len = 0;
		a->ld_over = 0;
	}
}

static void
skip_end(struct article *a)
{
	if (a->capture == CAP_TITLE)
		a->title_done = 1;
	else if (a->capture == CAP_LD && !a->ld_over)
		ld_parse(a);
	a->skip_depth = 0;
	a->capture = CAP_NONE;
}

static void
on_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
	struct article		*a = ctx;
	const char		*name = (const char *)xname, *type;
	const struct tag	*t;

	a->depth++;
	if (a->skip_depth > 0)
		return;
	if ((t = tag_find(name)) == NULL) {
		if (html_is_block(name, strlen(name)))
			a->space = 1;
		return;
	}
	switch (t->kind) {
	case K_A:
		a->in_link++;
		return;
	case K_BR:
		page_break(a);
		return;
	case K_META:
		on_meta(a, atts);
		return;
	case K_TITLE:
		skip(a, a->title_done ? CAP_NONE : CAP_TITLE);
		return;
	case K_SCRIPT:
		type = attr(atts, "type");
		skip(a, type != NULL && strcasecmp(type,
		    "application/ld+json") == 0 ? CAP_LD : CAP_NONE);
		return;
	case K_PRE:
		a->in_pre++;
		break;
	}
	if (t->flags & TG_DROP) {
		skip(a, CAP_NONE);
		return;
	}
	if (t->flags & TG_BREAK)
		page_break(a);
	else
		a->space = 1;
	if (t->flags & TG_NODE)
		node_open(a, t, name, atts);
}

static void
on_end(void *ctx, const xmlChar *xname)
{
	struct article		*a = ctx;
	const char		*name = (const char *)xname;
	const struct tag	*t;

	if (a->skip_depth > 0) {
		if (a->depth == a->skip_depth)
			skip_end(a);
		a->depth--;
		return;
	}
	if (a->nstack > 0 && a->stack[a->nstack - 1].depth == a->depth)
		node_close(a);
	else if ((t = tag_find(name)) == NULL) {
		if (html_is_block(name, strlen(name)))
			a->space = 1;
	} else if (t->flags & TG_BREAK)
		page_break(a);
	if (strcmp(name, "a") == 0 && a->in_link > 0)
		a->in_link--;
	else if (strcmp(name, "pre") == 0 && a->in_pre > 0)
		a->in_pre--;
	a->depth--;
}

static void
on_text(void *ctx, const xmlChar *s, int n)
{
	struct article	*a = ctx;

	if (n <= 0)
		return;
	if (a->skip_depth == 0) {
		page_text(a, s, (size_t)n);
		return;
	}
	if (a->capture == CAP_TITLE)
		text_buf_add(&a->title_tag, (const char *)s, (size_t)n);
	else if (a->capture == CAP_LD && !a->ld_over &&
	    buf_add(&a->ld, (const char *)s, (size_t)n) == -1)
		a->ld_over = 1;
}

static void
on_error(void *ctx, xmlErrorPtr e)
{
	/* HTML in the wild is full of errors; libxml2 recovers from them */
}

/* ------------------------------------------------------------------ */
/* JSON-LD */

/* Keeps the longest articleBody of the objects in 'v', and a headline. */
static void
ld_walk(struct article *a, json_t *v, int depth)
{
	const char	*key, *s;
	json_t		*m;
	size_t		 i;

	if (depth > LD_DEPTH)
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, m) {
			ld_walk(a, m, depth + 1);
		}
		return;
	}
	if (!json_is_object(v))
		return;
	m = json_object_get(v, "articleBody");
	if (json_is_string(m) && (a->ld_body == NULL ||
	    json_string_length(m) > strlen(a->ld_body))) {
		free(a->ld_body);
		a->ld_body = xstrdup(json_string_value(m));
		s = json_string_value(json_object_get(v, "headline"));
		if (s != NULL) {
			free(a->ld_headline);
			a->ld_headline = xstrdup(s);
		}
	}
	json_object_foreach(v, key, m) {
		ld_walk(a, m, depth + 1);
	}
}

/* A broken block is ignored, as browsers ignore it. */
static void
ld_parse(struct article *a)
{
	json_error_t	 err;
	json_t		*doc;

	if (a->ld.len == 0)
		return;
	if ((doc = json_loadb(a->ld.s, a->ld.len, 0, &err)) == NULL)
		return;
	ld_walk(a, doc, 0);
	json_decref(doc);
}

/* ------------------------------------------------------------------ */
/* feeding libxml2 */

static void
parser_start(struct article *a)
{
	static htmlSAXHandler	 sax = {
		.startElement = on_start,
		.endElement = on_end,
		.characters = on_text,
		.ignorableWhitespace = on_text,
		.cdataBlock = on_text,
		.initialized = XML_SAX2_MAGIC,	/* for serror */
		.serror = on_error,
	};

	a->ctxt = htmlCreatePushParserCtxt(&sax, a, NULL, 0, NULL,
	    XML_CHAR_ENCODING_NONE);
	if (a->ctxt == NULL)
		fatalx("%s: cannot create a parser context", __func__);
	htmlCtxtUseOptions(a->ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
	/*
	 * libxml2 reads only UTF-8 (the decoder converts), through its UTF-8
	 * encoder: without one, it reads the rest of the page as Latin-1
	 * after one bad byte (APIS.md C.2); with one, the byte stays and
	 * text.h repairs it.  Naming the encoding makes <meta> ignored.
	 */
	if (xmlSwitchToEncoding(a->ctxt, xmlFindCharEncodingHandler("UTF-8"))
	    == -1)
		fatalx("%s: no UTF-8 encoder", __func__);
	if (a->ctxt->input->encoding == NULL)
		a->ctxt->input->encoding = xmlStrdup((const xmlChar *)"UTF-8");
	a->stage = xmalloc(CHUNK);
	a->state = S_PARSE;
}

/*
 * Hands libxml2 the staged bytes up to their last '>' (all of them if
 * that would free less than a quarter of the stage).  Why there:
 * libxml2 2.9.14 loses track of a quoted attribute value split between
 * two pushes (htmlParseLookupSequence() restores "in a value" but not
 * which quote) and then parses nothing more until the end of the page,
 * holding all of it.  The cut depends on the bytes only, not on how the
 * caller split them.  (htmlParseChunk() returns the last error it
 * recovered from: pages are full of them.)
 */
static void
stage_flush(struct article *a)
{
	const char	*gt;
	size_t		 k;

	gt = memrchr(a->stage, '>', a->nstage);
	k = gt != NULL ? (size_t)(gt - a->stage) + 1 : a->nstage;
	if (a->nstage - k > CHUNK - CHUNK / 4)
		k = a->nstage;
	(void)htmlParseChunk(a->ctxt, a->stage, (int)k, 0);
	memmove(a->stage, a->stage + k, a->nstage - k);
	a->nstage -= k;
}

/* Stages UTF-8 bytes, handing libxml2 a part each time CHUNK are in. */
static void
feed(struct article *a, const char *s, size_t n)
{
	size_t	 k;

	while (n > 0 && !a->stopped) {
		k = CHUNK - a->nstage < n ? CHUNK - a->nstage : n;
		memcpy(a->stage + a->nstage, s, k);
		a->nstage += k;
		s += k;
		n -= k;
		if (a->nstage == CHUNK)
			stage_flush(a);
	}
}

/* The decoder's output: UTF-8 for libxml2. */
static int
to_stage(const char *s, size_t n, void *arg)
{
	struct article	*a = arg;

	feed(a, s, n);
	return a->stopped ? -1 : 0;
}

/* Starts libxml2 and hands it what was held, from offset 'bom'. */
static void
parse_held(struct article *a, size_t bom)
{
	parser_start(a);
	if (a->raw.len > bom)
		(void)decoder_push(a->dec, a->raw.s + bom, a->raw.len - bom);
	buf_release(&a->raw);
}

/*
 * With the first SNIFF bytes (or all, if the page is shorter): a BOM, the
 * HTTP charset or a <meta> starts the parse; with none, the page is held
 * (up to HOLD bytes) to look at more of it.
 */
static void
sniff(struct article *a)
{
	const char	*s = buf_str(&a->raw);
	size_t		 bom, n;
	int		 known;

	bom = bom_open(a, s, a->raw.len);
	known = bom > 0 || (a->http_charset != NULL && label_open(a,
	    a->http_charset, strlen(a->http_charset), 0) == 0);
	n = a->raw.len - bom < SNIFF ? a->raw.len - bom : SNIFF;
	if (!a->wide && is_binary(s + bom, n)) {
		set_error(a, "not HTML (binary data)");
		a->enough = 1;
		a->state = S_DONE;
		return;
	}
	if (known || meta_open(a, s, n) == 0)
		parse_held(a, bom);
	else
		a->state = S_HOLD;
}

/*
 * The page held: its first <meta> charset, else a guess, from its first
 * HOLD bytes (however many the last push brought past them).
 */
static void
unhold(struct article *a)
{
	size_t	 n;

	n = a->raw.len < HOLD ? a->raw.len : HOLD;
	if (meta_open(a, buf_str(&a->raw), n) == -1)
		guess_open(a, buf_str(&a->raw), n);
	parse_held(a, 0);
}

/* ------------------------------------------------------------------ */
/* extraction */

static double
density(const struct node *n)
{
	return n->chars > 0 ? (double)n->links / n->chars : 0;
}

/* A block's own counts: its subtree's minus its child blocks'. */
static void
own_counts(struct article *a)
{
	struct node	*n, *p;
	uint32_t	 i;

	for (i = 0; i < a->nnodes; i++) {
		n = &a->nodes[i];
		n->own_chars = n->chars;
		n->own_links = n->links;
		n->own_commas = n->commas;
		if (n->parent == NO_NODE)
			continue;
		p = &a->nodes[n->parent];	/* before it: counts set */
		p->own_chars -= n->chars;
		p->own_links -= n->links;
		p->own_commas -= n->commas;
	}
}

/* Step 2: marks boilerplate, inherited by what is inside. */
static void
mark_junk(struct article *a, int lax)
{
	struct node	*n;
	uint32_t	 i;
	int		 drop;

	for (i = 0; i < a->nnodes; i++) {
		n = &a->nodes[i];
		n->flags &= ~(N_DROP | N_CAND | N_CHOSEN | N_PARA);
		n->score = 0;
		drop = (n->flags & N_JUNK) || (n->kind == K_FORM &&
		    (uint64_t)n->chars * 2 < a->chars) || (!lax &&
		    n->hint < 0 && !(n->flags & N_HAS_POS) &&
		    n->kind != K_BODY && n->kind != K_HTML);
		if (drop || (n->parent != NO_NODE &&
		    (a->nodes[n->parent].flags & N_DROP)))
			n->flags |= N_DROP;
	}
}

/* Steps 3 and 4: paragraphs score their ancestors, scaled by links. */
static void
score(struct article *a)
{
	struct node	*n, *q;
	uint32_t	 i, p;
	float		 c;
	int		 lv;

	for (i = 0; i < a->nnodes; i++) {
		n = &a->nodes[i];
		if ((n->flags & N_DROP) || !(n->tflags & TG_SCORE) ||
		    n->own_chars < MIN_PARA || n->own_links * 2 > n->own_chars)
			continue;
		n->flags |= N_PARA;
		c = 1 + n->own_commas + (n->own_chars >= 300 ? 3 :
		    n->own_chars / 100);
		for (p = n->parent, lv = 0; p != NO_NODE && lv < 5;
		    p = a->nodes[p].parent, lv++) {
			q = &a->nodes[p];
			if (!(q->flags & N_CAND)) {
				q->flags |= N_CAND;
				q->score = q->base + q->hint;
			}
			q->score += c / (lv == 0 ? 1 : lv == 1 ? 2 : lv * 3);
		}
	}
	for (i = 0; i < a->nnodes; i++)
		if (a->nodes[i].flags & N_CAND)
			a->nodes[i].score *= (float)(1 - density(&a->nodes[i]));
}

static int
is_root(const struct node *n)
{
	return n->kind == K_BODY || n->kind == K_HTML;
}

/*
 * Step 4: the best candidate, or the closest ancestor it shares with 3
 * of the 4 next best, when those score 3/4 of it (an article split in
 * parts); with no candidate, the body.
 */
static uint32_t
best_node(struct article *a)
{
	uint32_t	 best = NO_NODE, alt[4], p, i, t;
	size_t		 nalt = 0, j, k;
	const struct node *n;

	for (i = 0; i < a->nnodes; i++) {
		n = &a->nodes[i];
		if ((n->flags & N_CAND) && !is_root(n) && (best == NO_NODE ||
		    n->score > a->nodes[best].score))
			best = i;
	}
	if (best == NO_NODE) {
		for (i = 0; i < a->nnodes; i++)
			if (a->nodes[i].kind == K_BODY)
				return i;
		return 0;
	}
	for (i = 0; i < a->nnodes; i++) {
		n = &a->nodes[i];
		if (i == best || !(n->flags & N_CAND) || is_root(n) ||
		    n->score < 0.75f * a->nodes[best].score)
			continue;
		/* insertion into the 4 best, highest first */
		for (j = nalt; j > 0 && a->nodes[alt[j - 1]].score < n->score;
		    j--)
			if (j < 4)
				alt[j] = alt[j - 1];
		if (j < 4)
			alt[j] = i;
		if (nalt < 4)
			nalt++;
	}
	if (nalt < 3)
		return best;
	for (p = a->nodes[best].parent; p != NO_NODE &&
	    !is_root(&a->nodes[p]); p = a->nodes[p].parent) {
		for (j = 0, k = 0; j < nalt; j++) {
			t = alt[j];
			if (t > p && t <= a->nodes[p].last)
				k++;
		}
		if (k >= 3)
			return p;
	}
	return best;
}

/* A sibling paragraph that reads as prose. */
static int
is_prose(const struct article *a, const struct node *n)
{
	const char	*s = buf_str(&a->page) + n->start;
	size_t		 len = n->end - n->start;

	if (n->chars > 80 && density(n) < 0.25)
		return 1;
	return n->chars > 0 && n->chars <= 80 && n->links == 0 &&
	    (memmem(s, len, ". ", 2) != NULL || s[len - 1] == '.');
}

/* Step 5: the best and its siblings that score well. */
static void
choose(struct article *a, uint32_t best)
{
	struct node	*b = &a->nodes[best], *c;
	uint32_t	 p = b->parent, j;
	float		 min, bonus;

	b->flags |= N_CHOSEN;
	if (p == NO_NODE || is_root(b))
		return;
	min = 0.2f * b->score > 10 ? 0.2f * b->score : 10;
	for (j = p + 1; j <= a->nodes[p].last; j = a->nodes[j].last + 1) {
		c = &a->nodes[j];
		if (j == best || (c->flags & N_DROP))
			continue;
		bonus = c->class_hash != 0 && c->class_hash == b->class_hash ?
		    0.2f * b->score : 0;
		if (((c->flags & N_CAND) && c->score + bonus >= min) ||
		    (c->kind == K_P && is_prose(a, c)))
			c->flags |= N_CHOSEN;
	}
}

/*
 * Appends paragraph 's' to 'out' after a '\n', cut at a character
 * boundary at the cap.
 */
static void
out_para(struct buf *out, const char *s)
{
	size_t	 n = strlen(s), room;

	room = out->max - out->len;
	if (out->len > 0)
		room = room > 0 ? room - 1 : 0;
	if (n > room) {
		n = room;
		while (n > 0 && (s[n] & 0xc0) == 0x80)
			n--;
		while (n > 0 && s[n - 1] == ' ')
			n--;
	}
	if (n == 0 || (out->len > 0 && buf_add(out, "\n", 1) == -1))
		return;
	(void)buf_add(out, s, n);	/* fits: measured above */
}

/* The lines of page.s[from..to) as paragraphs of 'out'. */
static void
emit(struct article *a, uint32_t from, uint32_t to, struct buf *out,
    struct text_buf *tb)
{
	const char	*s, *e, *nl;

	if (from >= to)
		return;
	s = a->page.s + from;
	e = a->page.s + to;
	while (s < e) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		text_buf_reset(tb);
		text_buf_add(tb, s, (size_t)(nl - s));
		out_para(out, text_buf_str(tb));
		s = nl + 1;
	}
}

/* Step 6: what inside the text is left out. */
static int
is_excluded(const struct node *n)
{
	return (n->flags & N_DROP) || n->kind == K_H1 ||
	    (n->chars > 0 && n->links * 2 > n->chars);
}

/* The text of block 'r' without what is left out of it. */
static void
render(struct article *a, uint32_t r, struct result *res,
    struct text_buf *tb)
{
	const struct node	*d;
	uint32_t		 cur = a->nodes[r].start, j;

	res->paras += (a->nodes[r].flags & N_PARA) != 0;
	for (j = r + 1; j <= a->nodes[r].last; ) {
		d = &a->nodes[j];
		if (!is_excluded(d)) {
			res->paras += (d->flags & N_PARA) != 0;
			j++;
			continue;
		}
		emit(a, cur, d->start, &res->text, tb);
		cur = d->end;
		j = d->last + 1;
	}
	emit(a, cur, a->nodes[r].end, &res->text, tb);
}

/* The h1 of the article: the first in it, else the last before it. */
static uint32_t
title_h1(const struct article *a, uint32_t best)
{
	uint32_t	 i, before = NO_NODE;

	for (i = 0; i < a->nnodes; i++) {
		if (a->nodes[i].kind != K_H1 || (a->nodes[i].flags & N_DROP))
			continue;
		if (i >= best && i <= a->nodes[best].last)
			return i;
		if (i < best)
			before = i;
	}
	return before;
}

/* One pass of steps 2 to 6; 'lax' keeps what class hints would drop. */
static void
extract(struct article *a, int lax, struct result *r)
{
	struct text_buf	 tb;
	uint32_t	 best, p, j;

	buf_init(&r->text, a->max_out);
	r->h1 = NO_NODE;
	r->paras = 0;
	text_buf_init(&tb, a->max_out);
	if (a->nnodes == 0) {
		emit(a, 0, (uint32_t)a->page.len, &r->text, &tb);
		text_buf_release(&tb);
		return;
	}
	mark_junk(a, lax);
	score(a);
	best = best_node(a);
	choose(a, best);
	p = a->nodes[best].parent;
	if (p == NO_NODE || is_root(&a->nodes[best]))
		render(a, best, r, &tb);
	else
		for (j = p + 1; j <= a->nodes[p].last;
		    j = a->nodes[j].last + 1)
			if (a->nodes[j].flags & N_CHOSEN)
				render(a, j, r, &tb);
	r->h1 = title_h1(a, best);
	text_buf_release(&tb);
}

/* JSON-LD text: one paragraph per line, entities and tags reduced. */
static void
ld_text(const char *s, struct buf *out)
{
	struct text_buf	 tb;
	size_t		 n;

	text_buf_init(&tb, out->max);
	while (*s != '\0') {
		n = strcspn(s, "\r\n");
		text_buf_reset(&tb);
		html_maybe_to_text(s, n, &tb);
		out_para(out, text_buf_str(&tb));
		s += n;
		s += strspn(s, "\r\n");
	}
	text_buf_release(&tb);
}

/* A title from HTML-ish 's', or NULL if it has no text. */
static char *
title_dup(const char *s, size_t n, int html)
{
	struct text_buf	 tb;
	char		*t = NULL;

	text_buf_init(&tb, MAX_TITLE);
	if (html)
		html_maybe_to_text(s, n, &tb);
	else
		text_buf_add(&tb, s, n);
	if (*text_buf_str(&tb) != '\0')
		t = xstrdup(text_buf_str(&tb));
	text_buf_release(&tb);
	return t;
}

static void
extract_all(struct article *a)
{
	struct result	 r, lax;
	struct buf	 ld, tmp;
	const struct node *h;

	own_counts(a);
	extract(a, 0, &r);
	/*
	 * Two paragraphs found are an article, however short: the lax pass
	 * would find the long comments the hints dropped.
	 */
	if (r.text.len < MIN_TEXT && r.paras < 2) {
		extract(a, 1, &lax);
		if (lax.text.len > r.text.len) {
			tmp = r.text;
			r = lax;
			lax.text = tmp;
		}
		buf_release(&lax.text);
	}
	if (a->ld_body != NULL) {
		buf_init(&ld, a->max_out);
		ld_text(a->ld_body, &ld);
		if (ld.len * 2 >= r.text.len) {
			tmp = r.text;
			r.text = ld;
			ld = tmp;
		}
		buf_release(&ld);
	}
	buf_release(&a->text);
	a->text = r.text;
	if (a->og_title != NULL)
		a->title = xstrdup(a->og_title);
	else if (a->ld_headline != NULL &&
	    (a->title = title_dup(a->ld_headline, strlen(a->ld_headline),
	    1)) != NULL)
		;
	else if (r.h1 != NO_NODE) {
		h = &a->nodes[r.h1];
		a->title = title_dup(buf_str(&a->page) + h->start,
		    h->end - h->start, 0);
	}
	if (a->title == NULL && *text_buf_str(&a->title_tag) != '\0')
		a->title = xstrdup(text_buf_str(&a->title_tag));
}

/* ------------------------------------------------------------------ */
/* the interface */

struct article *
article_new(const char *url, const char *http_charset, size_t max_in,
    size_t max_out)
{
	struct article	*a;

	xmlInitParser();
	a = xcalloc(1, sizeof(*a));
	a->url = url_redact(url);
	if (http_charset != NULL && *http_charset != '\0')
		a->http_charset = xstrdup(http_charset);
	a->max_in = max_in > 0 ? max_in : ARTICLE_MAX_IN;
	a->max_out = max_out > 0 ? max_out : ARTICLE_MAX_OUT;
	buf_init(&a->raw, a->max_in);
	buf_init(&a->page, MAX_PAGE);
	buf_init(&a->ld, MAX_LD);
	buf_init(&a->text, a->max_out);
	text_buf_init(&a->title_tag, MAX_TITLE);
	a->state = S_SNIFF;
	return a;
}

int
article_push(struct article *a, const char *buf, size_t len)
{
	size_t	 k;

	if (a->enough || a->state == S_DONE)
		return -1;
	k = len < a->max_in - a->nin ? len : a->max_in - a->nin;
	a->nin += k;
	if (k < len)
		a->enough = 1;
	switch (a->state) {
	case S_SNIFF:
	case S_HOLD:
		(void)buf_add(&a->raw, buf, k);		/* capped as nin */
		if (a->state == S_SNIFF && a->raw.len >= SNIFF)
			sniff(a);
		if (a->state == S_HOLD && a->raw.len >= HOLD)
			unhold(a);
		break;
	case S_PARSE:
		(void)decoder_push(a->dec, buf, k);
		break;
	case S_DONE:
		break;
	}
	if (a->stopped)
		a->enough = 1;
	return a->enough ? -1 : 0;
}

int
article_finish(struct article *a)
{
	if (a->state == S_DONE)
		return a->error != NULL ? -1 : 0;
	if (a->state == S_SNIFF)
		sniff(a);
	if (a->state == S_HOLD)
		unhold(a);
	if (a->state == S_PARSE) {
		(void)decoder_finish(a->dec);
		if (!a->stopped)
			(void)htmlParseChunk(a->ctxt, a->stage,
			    (int)a->nstage, 1);
		while (a->nstack > 0)
			node_close(a);
		htmlFreeParserCtxt(a->ctxt);
		a->ctxt = NULL;
		free(a->stage);
		a->stage = NULL;
	}
	a->state = S_DONE;
	a->enough = 1;
	if (a->error != NULL)
		return -1;
	if (a->nin == 0) {
		set_error(a, "empty page");
		return -1;
	}
	extract_all(a);
	if (a->text.len == 0) {
		set_error(a, "no article text found");
		return -1;
	}
	return 0;
}

const char *
article_error(const struct article *a)
{
	return a->error;
}

const char *
article_title(const struct article *a)
{
	return a->title;
}

const char *
article_text(const struct article *a)
{
	return buf_str(&a->text);
}

void
article_free(struct article *a)
{
	if (a == NULL)
		return;
	if (a->ctxt != NULL)
		htmlFreeParserCtxt(a->ctxt);
	decoder_free(a->dec);
	buf_release(&a->raw);
	buf_release(&a->page);
	buf_release(&a->ld);
	buf_release(&a->text);
	text_buf_release(&a->title_tag);
	free(a->stage);
	free(a->nodes);
	free(a->og_title);
	free(a->ld_body);
	free(a->ld_headline);
	free(a->title);
	free(a->error);
	free(a->http_charset);
	free(a->url);
	free(a);
}
