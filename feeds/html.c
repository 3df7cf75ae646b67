/*
 * html.c: the HTML-to-text tokenizer.
 *
 * Why not libxml2's HTML parser directly: a parser context costs several
 * allocations and kilobytes per call, and its tokenizer runs at a fraction
 * of the XML parser's speed; descriptions are most of a feed's bytes, so it
 * would set the speed of the whole daemon.  The rules below follow libxml2
 * 2.9.14's push-mode tokenizer (htmlParseTryOrFinish) case by case, and the
 * corpus test holds us to it.
 */
#include "html.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#include "text.h"
#include "xmalloc.h"

static const char *const block_tags[] = {
	"address", "article", "aside", "blockquote", "br", "caption", "center",
	"dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption",
	"figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
	"header", "hr", "iframe", "img", "li", "main", "nav", "ol", "option",
	"p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
	"th", "thead", "title", "tr", "ul", "video", "audio", "object",
	"embed", "canvas", "svg", "math", "frame", "frameset", "noscript",
	"select", "textarea", "button", "input", "meta", "link", "body",
	"head", "html", NULL
};

/*
 * Name lookups, a few per tag and entity of every description, go
 * through small open-addressing hash tables built once: the alternatives
 * were a linear search (libxml2's htmlEntityLookup compares all 253
 * names) or several strncmp calls per tag.
 */
#define NAME_SLOTS	512		/* a power of two, over twice the names */
#define NAME_MAX_LEN	15		/* tags: longer ones are not HTML's */
#define ENTITY_MAX_LEN	39		/* libxml2 reads no longer entity names */

struct name_slot {
	const char	*name;		/* NULL: empty */
	size_t		 len;
	const void	*value;
};

static struct name_slot	 block_slots[NAME_SLOTS];
static struct name_slot	 entity_slots[NAME_SLOTS];
static pthread_once_t	 tables_once = PTHREAD_ONCE_INIT;

/* Byte classes of the tokenizer: one lookup per byte of every tag name. */
enum {
	CH_LETTER	= 1,
	CH_TAG		= 2,	/* libxml2's htmlParseHTMLName */
	CH_NAME_START	= 4,	/* its htmlParseName, any non-ASCII a letter */
	CH_NAME		= 8
};

static unsigned char	 ch_class[256];

/*
 * The HTML 4 entity names, the set libxml2 2.9.14 knows.  Only a
 * shortcut: a name missing here is still looked up in libxml2's table.
 */
static const char *const entity_names[] = {
	"quot", "amp", "apos", "lt", "gt", "nbsp", "iexcl", "cent", "pound",
	"curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo",
	"not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute",
	"micro", "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14",
	"frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde",
	"Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc",
	"Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde",
	"Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash",
	"Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
	"agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig",
	"ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute",
	"icirc", "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc",
	"otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc",
	"uuml", "yacute", "thorn", "yuml", "OElig", "oelig", "Scaron",
	"scaron", "Yuml", "fnof", "circ", "tilde", "Alpha", "Beta", "Gamma",
	"Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda",
	"Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "Sigma", "Tau", "Upsilon",
	"Phi", "Chi", "Psi", "Omega", "alpha", "beta", "gamma", "delta",
	"epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
	"nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau",
	"upsilon", "phi", "chi", "psi", "omega", "thetasym", "upsih", "piv",
	"ensp", "emsp", "thinsp", "zwnj", "zwj", "lrm", "rlm", "ndash",
	"mdash", "lsquo", "rsquo", "sbquo", "ldquo", "rdquo", "bdquo",
	"dagger", "Dagger", "bull", "hellip", "permil", "prime", "Prime",
	"lsaquo", "rsaquo", "oline", "frasl", "euro", "image", "weierp",
	"real", "trade", "alefsym", "larr", "uarr", "rarr", "darr", "harr",
	"crarr", "lArr", "uArr", "rArr", "dArr", "hArr", "forall", "part",
	"exist", "empty", "nabla", "isin", "notin", "ni", "prod", "sum",
	"minus", "lowast", "radic", "prop", "infin", "ang", "and", "or", "cap",
	"cup", "int", "there4", "sim", "cong", "asymp", "ne", "equiv", "le",
	"ge", "sub", "sup", "nsub", "sube", "supe", "oplus", "otimes", "perp",
	"sdot", "lceil", "rceil", "lfloor", "rfloor", "lang", "rang", "loz",
	"spades", "clubs", "hearts", "diams", NULL
};

static unsigned int
name_hash(const char *s, size_t n)
{
	unsigned int	 h = 2166136261u;	/* FNV-1a */
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void
name_add(struct name_slot *t, const char *name, const void *value)
{
	size_t		 n = strlen(name);
	unsigned int	 i;

	i = name_hash(name, n) & (NAME_SLOTS - 1);
	while (t[i].name != NULL)
		i = (i + 1) & (NAME_SLOTS - 1);
	t[i].name = name;
	t[i].len = n;
	t[i].value = value;
}

/* The slot of 'name' ('n' bytes, hash 'h'), or NULL. */
static const struct name_slot *
name_find(const struct name_slot *t, const char *name, size_t n,
    unsigned int h)
{
	unsigned int	 i;
	size_t		 k;

	for (i = h & (NAME_SLOTS - 1); t[i].name != NULL;
	    i = (i + 1) & (NAME_SLOTS - 1)) {
		if (t[i].len != n)
			continue;
		for (k = 0; k < n && t[i].name[k] == name[k]; k++)
			;
		if (k == n)
			return &t[i];
	}
	return NULL;
}

static void
tables_init(void)
{
	const htmlEntityDesc	*e;
	size_t			 i;
	int			 c, k;

	for (i = 0; block_tags[i] != NULL; i++)
		name_add(block_slots, block_tags[i], block_tags[i]);
	for (i = 0; entity_names[i] != NULL; i++)
		if ((e = htmlEntityLookup((const xmlChar *)entity_names[i])) !=
		    NULL)
			name_add(entity_slots, entity_names[i], e);
	for (c = 0; c < 256; c++) {
		k = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ?
		    CH_LETTER : 0;
		if (k || (c >= '0' && c <= '9') || c == ':' || c == '-' ||
		    c == '_' || c == '.')
			k |= CH_TAG;
		if ((k & CH_LETTER) || c == '_' || c == ':' || c >= 0x80)
			k |= CH_NAME_START | CH_NAME;
		if ((c >= '0' && c <= '9') || c == '.' || c == '-')
			k |= CH_NAME;
		ch_class[c] = (unsigned char)k;
	}
}

/* Every entry point runs this before the tables are read. */
static void
tables_ready(void)
{
	pthread_once(&tables_once, tables_init);
}

/*
 * Lowercases the tag name into 'dst' (size 16) and sets *h to its hash;
 * -1 if it is longer.
 */
static int
lower_name(const char *name, size_t n, char dst[16], unsigned int *h)
{
	size_t	 i;

	if (n == 0 || n > NAME_MAX_LEN)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] + ('a' - 'A') : name[i]);
	dst[n] = '\0';
	*h = name_hash(dst, n);
	return 0;
}

static int
is_block(const char *name, size_t n)
{
	char		 low[16];
	unsigned int	 h;

	/* a, b, i, p, u, s, q: most tags of a description, at no lookup */
	if (n == 1)
		return name[0] == 'p' || name[0] == 'P';
	if (lower_name(name, n, low, &h) == -1)
		return 0;
	return name_find(block_slots, low, n, h) != NULL;
}

int
html_is_block(const char *name, size_t n)
{
	tables_ready();
	return is_block(name, n);
}

/* libxml2's entity named 'name' ('n' bytes), or NULL. */
static const htmlEntityDesc *
entity_lookup(const char *name, size_t n)
{
	const struct name_slot	*sl;
	char			 z[ENTITY_MAX_LEN + 1];

	if ((sl = name_find(entity_slots, name, n, name_hash(name, n))) !=
	    NULL)
		return sl->value;
	if (n > ENTITY_MAX_LEN)
		return NULL;
	memcpy(z, name, n);
	z[n] = '\0';
	return htmlEntityLookup((const xmlChar *)z);
}

int
html_is_raw(const char *name, size_t n)
{
	/* the first letter first: "strong" is as long as "script" */
	return n >= 5 && (name[0] == 's' || name[0] == 'S') &&
	    ((n == 6 && strncasecmp(name, "script", 6) == 0) ||
	    (n == 5 && strncasecmp(name, "style", 5) == 0));
}

static int
is_letter(unsigned char c)
{
	return ch_class[c] & CH_LETTER;
}

static int
is_tag_char(unsigned char c)
{
	return ch_class[c] & CH_TAG;
}

static int
is_name_start(unsigned char c)
{
	return ch_class[c] & CH_NAME_START;
}

static int
is_name_char(unsigned char c)
{
	return ch_class[c] & CH_NAME;
}

/*
 * A character reference at s[i] == '&', s[i + 1] == '#'.  Returns the index
 * after it; emits the character if it is a valid XML character.
 */
static size_t
char_ref(const char *s, size_t n, size_t i, struct text_buf *out)
{
	unsigned long	 v = 0;
	int		 hex = 0;
	unsigned char	 c;

	i += 2;
	if (i < n && (s[i] == 'x' || s[i] == 'X')) {
		hex = 1;
		i++;
	}
	for (; i < n && s[i] != ';'; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			v = v * (hex ? 16 : 10) + (c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			break;
		if (v > 0x110000)
			v = 0x110000;
	}
	if (i < n && s[i] == ';')
		i++;
	/* libxml2 drops what is not an XML Char (IS_CHAR). */
	if ((v >= 0x20 && v <= 0xd7ff) || v == 0x9 || v == 0xa || v == 0xd ||
	    (v >= 0xe000 && v <= 0xfffd) || (v >= 0x10000 && v <= 0x10ffff))
		text_buf_add_char(out, (long)v);
	return i;
}

/* An entity reference at s[i] == '&'; returns the index after it. */
static size_t
entity_ref(const char *s, size_t n, size_t i, struct text_buf *out)
{
	const htmlEntityDesc	*e;
	size_t			 j, k;

	if (i + 1 < n && s[i + 1] == '#')
		return char_ref(s, n, i, out);
	j = i + 1;
	if (j >= n || !is_name_start((unsigned char)s[j])) {
		text_buf_add(out, "&", 1);
		return j;
	}
	while (j < n && is_name_char((unsigned char)s[j]))
		j++;
	k = j - (i + 1);
	if (j < n && s[j] == ';' && k <= ENTITY_MAX_LEN) {
		if ((e = entity_lookup(s + i + 1, k)) != NULL &&
		    e->value > 0) {
			text_buf_add_char(out, (long)e->value);
			return j + 1;
		}
	}
	/* Unknown or unterminated: "&name" as written; ';' follows as text. */
	text_buf_add(out, s + i, j - i);
	return j;
}

/* Index of the first '>' at or after 'i', or n. */
static size_t
skip_to_gt(const char *s, size_t n, size_t i)
{
	const char	*q;

	q = memchr(s + i, '>', n - i);
	return q == NULL ? n : (size_t)(q - s) + 1;
}

/*
 * The attributes of a start tag, from just after its name; returns the
 * index after the closing '>' (or n).  A quote opens a value only right
 * after '=' (as in libxml2), and then may hide a '>'.
 */
static size_t
skip_attrs(const char *s, size_t n, size_t i)
{
	const char	*q;
	unsigned char	 c;

	while (i < n) {
		c = (unsigned char)s[i++];
		if (c == '>')
			return i;
		if (c != '=')
			continue;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r'))
			i++;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			if ((q = memchr(s + i + 1, s[i], n - i - 1)) == NULL)
				return n;
			i = (size_t)(q - s) + 1;
		}
	}
	return n;
}

/* The end of a raw-text element's body: "</name" in any case, or n. */
static size_t
raw_end(const char *s, size_t n, size_t i, const char *name, size_t len)
{
	const char	*q;

	while (i < n && (q = memchr(s + i, '<', n - i)) != NULL) {
		i = (size_t)(q - s);
		if (i + 2 + len <= n && s[i + 1] == '/' &&
		    strncasecmp(s + i + 2, name, len) == 0)
			return i;
		i++;
	}
	return n;
}

/* 1 if 'name' is an HTML element libxml2 or our block list knows. */
static int
is_known(const char *name, size_t n)
{
	char		 low[16];
	unsigned int	 h;

	if (lower_name(name, n, low, &h) == -1)
		return 0;
	return htmlTagLookup((const xmlChar *)low) != NULL ||
	    name_find(block_slots, low, n, h) != NULL;
}

/* Markup at s[i] == '<'; returns the index after it. */
static size_t
markup(const char *s, size_t n, size_t i, struct text_buf *out, int known)
{
	size_t		 j, name, len;
	unsigned char	 c;
	const char	*q;

	c = i + 1 < n ? (unsigned char)s[i + 1] : 0;
	if (known && (c == '/' || is_letter(c))) {
		name = i + 1 + (c == '/');
		for (j = name; j < n && is_tag_char((unsigned char)s[j]); j++)
			;
		if (!is_known(s + name, j - name)) {
			text_buf_add(out, "<", 1);
			return i + 1;
		}
	}
	if (is_letter(c)) {
		name = i + 1;
		for (j = name; j < n && is_tag_char((unsigned char)s[j]); j++)
			;
		len = j - name;
		if (is_block(s + name, len))
			text_buf_space(out);
		j = skip_attrs(s, n, j);
		if (html_is_raw(s + name, len) && s[j - 1] == '>')
			j = raw_end(s, n, j, s + name, len);
		return j;
	}
	if (c == '/') {
		j = i + 2;
		if (j < n && is_letter((unsigned char)s[j])) {
			name = j;
			while (j < n && is_tag_char((unsigned char)s[j]))
				j++;
			if (is_block(s + name, j - name))
				text_buf_space(out);
			return skip_to_gt(s, n, j);
		}
		return j;		/* libxml2 drops "</" and goes on */
	}
	if (c == '!') {
		if (i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-') {
			for (j = i + 4; j + 2 < n; j++) {
				q = memchr(s + j, '-', n - j - 2);
				if (q == NULL)
					break;
				j = (size_t)(q - s);
				if (s[j + 1] == '-' && s[j + 2] == '>')
					return j + 3;
			}
			return n;	/* unterminated comment: dropped */
		}
		if (i + 9 <= n && strncasecmp(s + i + 2, "DOCTYPE", 7) == 0)
			return skip_to_gt(s, n, i + 2);
		/* "<![CDATA[", "<!x": libxml2 2.9.14 keeps the '<' as text */
		text_buf_add(out, "<", 1);
		return i + 1;
	}
	if (c == '?')
		return skip_to_gt(s, n, i + 2);
	text_buf_add(out, "<", 1);
	return i + 1;
}

static void
reduce(const char *s, size_t n, struct text_buf *out, int known)
{
	size_t	 i = 0;

	tables_ready();
	while (i < n && !text_buf_full(out)) {
		switch (s[i]) {
		case '&':
			i = entity_ref(s, n, i, out);
			break;
		case '<':
			i = markup(s, n, i, out, known);
			break;
		case ' ':
		case '\n':
			/* the white space between tags, a third of the runs */
			text_buf_space(out);
			i++;
			break;
		default:
			/* the text up to the next '<' or '&', in one pass */
			i += text_buf_add_run(out, s + i, n - i);
			break;
		}
	}
}

void
html_to_text(const char *s, size_t n, struct text_buf *out)
{
	reduce(s, n, out, 0);
}

void
html_maybe_to_text(const char *s, size_t n, struct text_buf *out)
{
	reduce(s, n, out, 1);
}

static char *
reduce_dup(const char *s, size_t n, size_t max, int maybe)
{
	struct text_buf	 tb;
	char		*r;

	text_buf_init(&tb, max);
	reduce(s, n, &tb, maybe);
	r = xstrdup(text_buf_str(&tb));
	text_buf_release(&tb);
	return r;
}

char *
html_to_text_dup(const char *s, size_t n, size_t max)
{
	return reduce_dup(s, n, max, 0);
}

char *
html_maybe_to_text_dup(const char *s, size_t n, size_t max)
{
	return reduce_dup(s, n, max, 1);
}
