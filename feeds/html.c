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

#include <ctype.h>
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

/* Lowercases the tag name into 'dst' (size 16); -1 if it is longer. */
static int
lower_name(const char *name, size_t n, char dst[16])
{
	size_t	 i;

	if (n == 0 || n >= 16)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)name[i]);
	dst[n] = '\0';
	return 0;
}

/* block_tags by first letter, built once: most tags are b, i, a, p, br. */
static unsigned char	 block_first[26][8];
static int		 block_ready;

static void
block_init(void)
{
	size_t	 i, k;
	int	 c;

	for (i = 0; block_tags[i] != NULL; i++) {
		c = block_tags[i][0] - 'a';
		for (k = 0; k < 7 && block_first[c][k] != 0; k++)
			;
		block_first[c][k] = (unsigned char)(i + 1);
	}
	block_ready = 1;
}

int
html_is_block(const char *name, size_t n)
{
	char		 low[16];
	const char	*t;
	size_t		 k;
	int		 c;

	if (lower_name(name, n, low) == -1 || low[0] < 'a' || low[0] > 'z')
		return 0;
	if (!block_ready)
		block_init();
	c = low[0] - 'a';
	for (k = 0; k < 8 && block_first[c][k] != 0; k++) {
		t = block_tags[block_first[c][k] - 1];
		if (strncmp(t, low, n) == 0 && t[n] == '\0')
			return 1;
	}
	return 0;
}

int
html_is_raw(const char *name, size_t n)
{
	return (n == 6 && strncasecmp(name, "script", 6) == 0) ||
	    (n == 5 && strncasecmp(name, "style", 5) == 0);
}

static int
is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* libxml2's htmlParseHTMLName: a letter, '_', ':' or '.' first. */
static int
is_tag_char(unsigned char c)
{
	return is_letter(c) || (c >= '0' && c <= '9') || c == ':' ||
	    c == '-' || c == '_' || c == '.';
}

/* libxml2's htmlParseName, with every non-ASCII byte taken as a letter. */
static int
is_name_start(unsigned char c)
{
	return is_letter(c) || c == '_' || c == ':' || c >= 0x80;
}

static int
is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' ||
	    c == '-';
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
	char			 name[40];
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
	if (j < n && s[j] == ';' && k < sizeof(name)) {
		memcpy(name, s + i + 1, k);
		name[k] = '\0';
		if ((e = htmlEntityLookup((const xmlChar *)name)) != NULL &&
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
	char	 low[16];

	if (lower_name(name, n, low) == -1)
		return 0;
	return htmlTagLookup((const xmlChar *)low) != NULL ||
	    html_is_block(low, n);
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
		if (html_is_block(s + name, len))
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
			if (html_is_block(s + name, j - name))
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
	size_t		 i = 0, j;
	const char	*lt = NULL, *amp = NULL;

	while (i < n && !text_buf_full(out)) {
		/* the next '<' and '&', each found once with memchr */
		if (lt != s + n && (lt == NULL || lt < s + i) &&
		    (lt = memchr(s + i, '<', n - i)) == NULL)
			lt = s + n;
		if (amp != s + n && (amp == NULL || amp < s + i) &&
		    (amp = memchr(s + i, '&', n - i)) == NULL)
			amp = s + n;
		j = (size_t)((lt < amp ? lt : amp) - s);
		if (j > i)
			text_buf_add(out, s + i, j - i);
		if (j == n)
			break;
		if (s[j] == '&')
			i = entity_ref(s, n, j, out);
		else
			i = markup(s, n, j, out, known);
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

char *
html_to_text_dup(const char *s, size_t n, size_t max)
{
	struct text_buf	 tb;
	char		*r;

	text_buf_init(&tb, max);
	html_to_text(s, n, &tb);
	r = xstrdup(text_buf_str(&tb));
	text_buf_release(&tb);
	return r;
}
