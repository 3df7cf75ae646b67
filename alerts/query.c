/*
 * query.c: recursive descent over the query text; see query.h.
 */
#include "query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "norm.h"
#include "xmalloc.h"

#define MAX_DEPTH	64
#define MAX_NEAR	1000

struct parser {
	struct norm	*norm;
	const char	*s;
	size_t		 off;
	unsigned	 scope;
	int		 depth;
	size_t		 op;		/* the operator wanting a term, */
	size_t		 oplen;		/* for errors (0: none) */
	char		*err;
	size_t		 errlen;
	int		 failed;
};

static struct query_node *parse_chain(struct parser *, enum query_op);

/* In the order alerts name them (query_field_names). */
static const struct {
	const char	*name;
	unsigned	 bit;
} fields[] = {
	{ "title", QUERY_F_TITLE },
	{ "summary", QUERY_F_SUMMARY },
	{ "body", QUERY_F_BODY },
	{ "author", QUERY_F_AUTHOR },
	{ "category", QUERY_F_CATEGORY },
	{ "link", QUERY_F_LINK },
	{ "feed", QUERY_F_FEED },
};

/* Column (characters from 1) of byte offset 'off'. */
static int
column(const char *s, size_t off)
{
	size_t	i;
	int	col = 1;

	for (i = 0; i < off && s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

static void
fail_at(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list	ap;
	int	k;

	if (p->failed)
		return;
	p->failed = 1;
	k = snprintf(p->err, p->errlen, "column %d: ", column(p->s, off));
	if (k < 0 || (size_t)k >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static struct query_node *
node_new(enum query_op op, size_t off, struct parser *p)
{
	struct query_node	*q = xcalloc(1, sizeof(*q));

	q->op = op;
	q->column = column(p->s, off);
	q->scope = p->scope ? p->scope : QUERY_F_DEFAULT;
	q->id = -1;
	return q;
}

void
query_free(struct query_node *q)
{
	size_t	i;

	if (q == NULL)
		return;
	for (i = 0; i < q->nkids; i++)
		query_free(q->kids[i]);
	free(q->kids);
	for (i = 0; i < q->nwords; i++)
		free(q->words[i]);
	free(q->words);
	free(q->regex);
	free(q->alias);
	free(q);
}

struct query_node *
query_dup(const struct query_node *q)
{
	struct query_node	*c = xmalloc(sizeof(*c));
	size_t			 i;

	*c = *q;
	if (q->nkids > 0) {
		c->kids = xreallocarray(NULL, q->nkids, sizeof(*c->kids));
		for (i = 0; i < q->nkids; i++)
			c->kids[i] = query_dup(q->kids[i]);
	}
	if (q->nwords > 0) {
		c->words = xreallocarray(NULL, q->nwords, sizeof(*c->words));
		for (i = 0; i < q->nwords; i++)
			c->words[i] = xstrdup(q->words[i]);
	}
	c->regex = q->regex ? xstrdup(q->regex) : NULL;
	c->alias = q->alias ? xstrdup(q->alias) : NULL;
	return c;
}

static void
kid_add(struct query_node *q, struct query_node *k)
{
	q->kids = xreallocarray(q->kids, q->nkids + 1, sizeof(*q->kids));
	q->kids[q->nkids++] = k;
}

static void
skip_space(struct parser *p)
{
	while (p->s[p->off] != '\0' && isspace((unsigned char)p->s[p->off]))
		p->off++;
}

/* 1 if an upper-case operator 'kw' stands at the current offset. */
static int
at_keyword(struct parser *p, const char *kw)
{
	size_t	k = strlen(kw);
	char	c;

	if (strncmp(p->s + p->off, kw, k) != 0)
		return 0;
	c = p->s[p->off + k];
	return c == '\0' || isspace((unsigned char)c) || c == '(' ||
	    c == ')' || c == '"';
}

/* Ends a bare word. */
static int
word_stop(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == '(' ||
	    c == ')' || c == '"' || c == '~';
}

/* Folds 'raw' into the term's words; 0 or -1 (error set at 'off'). */
static int
set_words(struct parser *p, struct query_node *q, const char *raw,
    size_t rawlen, size_t off)
{
	struct norm_iter	it;
	struct norm_token	t;

	norm_iter_init(&it, p->norm, raw, rawlen);
	while (norm_iter_next(&it, &t)) {
		if (t.flags & NORM_TOK_LONG) {
			fail_at(p, off, "word too long (at most %d bytes)",
			    NORM_WORD_MAX);
			return -1;
		}
		if (q->nwords == QUERY_MAX_PHRASE) {
			fail_at(p, off, "phrase too long (at most %d words)",
			    QUERY_MAX_PHRASE);
			return -1;
		}
		q->words = xreallocarray(q->words, q->nwords + 1,
		    sizeof(*q->words));
		q->words[q->nwords++] = xstrndup(t.word, t.len);
	}
	if (q->nwords == 0) {
		fail_at(p, off, "expected a word with letters or digits");
		return -1;
	}
	return 0;
}

/*
 * Reads "~N" after a word or phrase; N is optional ('dflt') but nothing
 * else may follow the '~' ("a~x", "\"a b\"~-1").
 */
static int
parse_tilde(struct parser *p, int dflt, int max)
{
	size_t	start = p->off;
	long	v = 0;
	int	digits = 0;
	char	c;

	p->off++;	/* '~' */
	while (isdigit((unsigned char)p->s[p->off]) && v <= max) {
		v = v * 10 + (p->s[p->off++] - '0');
		digits = 1;
	}
	c = p->s[p->off];
	if (v > max || (c != '\0' && c != ')' && !isspace((unsigned char)c))) {
		fail_at(p, start + 1, "expected a distance from 0 to %d after "
		    "'~'", max);
		return -1;
	}
	return digits ? (int)v : dflt;
}

/* Characters (code points) in a UTF-8 string. */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * The term of the words raw[0..rl) that started at 'start', and of what
 * follows them: 'kind' is what "~N" makes of a phrase (QUERY_NEAR) or of
 * a word (QUERY_FUZZY), or QUERY_PREFIX for a word that ended in '*'.
 */
static struct query_node *
words_term(struct parser *p, size_t start, const char *raw, size_t rl,
    enum query_kind kind)
{
	struct query_node	*q;
	int			 d;

	q = node_new(QUERY_TERM, start, p);
	q->kind = QUERY_WORDS;
	if (set_words(p, q, raw, rl, start) == -1)
		goto fail;
	if (kind == QUERY_PREFIX) {
		if (q->nwords != 1) {
			fail_at(p, start, "a prefix must be a single word");
			goto fail;
		}
		q->kind = QUERY_PREFIX;
	} else if (p->s[p->off] == '~') {
		d = kind == QUERY_NEAR ? parse_tilde(p, 0, MAX_NEAR) :
		    parse_tilde(p, 1, 2);
		if (d == -1)
			goto fail;
		if (kind == QUERY_FUZZY && q->nwords != 1) {
			fail_at(p, start, "a fuzzy term must be a single word");
			goto fail;
		}
		if (kind == QUERY_FUZZY && d > 0 &&
		    utf8_chars(q->words[0]) > QUERY_MAX_FUZZY) {
			fail_at(p, start, "a fuzzy word is at most 64 "
			    "characters long");
			goto fail;
		}
		/* "Crimea"~5 is the word, and Crimea~0 too */
		if (kind == QUERY_NEAR ? q->nwords > 1 : d > 0) {
			q->kind = kind;
			q->dist = d;
		}
	}
	return q;
fail:
	query_free(q);
	return NULL;
}

/*
 * The offset of the 'close' that ends the phrase or regex ('what')
 * opened at 'start', a backslash making any next character part of it;
 * 0 with the error set if the query ends first.
 */
static size_t
closing(struct parser *p, size_t start, char close, const char *what)
{
	size_t	i;

	for (i = start + 1; p->s[i] != close; i++) {
		if (p->s[i] == '\0') {
			fail_at(p, i, "expected '%c' to close the %s opened "
			    "at column %d", close, what, column(p->s, start));
			return 0;
		}
		if (p->s[i] == '\\' && p->s[i + 1] != '\0')
			i++;
	}
	return i;
}

static struct query_node *
parse_phrase(struct parser *p)
{
	struct query_node	*q;
	size_t			 start = p->off, end, i, rl = 0;
	char			*raw;

	if ((end = closing(p, start, '"', "phrase")) == 0)
		return NULL;
	raw = xmalloc(end - start);
	for (i = start + 1; i < end; i++) {
		if (p->s[i] == '\\')
			i++;
		raw[rl++] = p->s[i];
	}
	p->off = end + 1;
	q = words_term(p, start, raw, rl, QUERY_NEAR);
	free(raw);
	return q;
}

static struct query_node *
parse_regex(struct parser *p)
{
	struct query_node	*q;
	size_t			 start = p->off, end;
	pcre2_code		*re;
	PCRE2_SIZE		 eoff;
	int			 ec;
	PCRE2_UCHAR		 msg[256];

	if ((end = closing(p, start, '/', "regex")) == 0)
		return NULL;
	p->off = end + 1;
	if (end == start + 1) {
		fail_at(p, start, "empty regex");
		return NULL;
	}
	re = pcre2_compile((PCRE2_SPTR)p->s + start + 1, end - start - 1,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF,
	    &ec, &eoff, NULL);
	if (re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		fail_at(p, start + 1 + eoff, "bad regex: %s", (char *)msg);
		return NULL;
	}
	pcre2_code_free(re);
	q = node_new(QUERY_TERM, start, p);
	q->kind = QUERY_REGEX;
	q->regex = xstrndup(p->s + start + 1, end - start - 1);
	return q;
}

static struct query_node *
parse_alias(struct parser *p)
{
	struct query_node	*q;
	size_t			 start = p->off, i;

	q = node_new(QUERY_ALIAS, start, p);
	for (i = start + 1; isalnum((unsigned char)p->s[i]) ||
	    p->s[i] == '_' || p->s[i] == '-' || p->s[i] == '.'; i++)
		;
	if (i == start + 1) {
		fail_at(p, i, "expected an alias name after '@'");
		query_free(q);
		return NULL;
	}
	q->alias = xstrndup(p->s + start + 1, i - start - 1);
	p->off = i;
	return q;
}

static struct query_node *
parse_word(struct parser *p)
{
	struct query_node	*q = NULL;
	size_t			 start = p->off, i, rl = 0;
	char			*raw;
	int			 star = 0;

	raw = xmalloc(strlen(p->s + start) + 1);
	for (i = start; !word_stop(p->s[i]); i++) {
		if (star) {
			fail_at(p, i - 1, "'*' is allowed only at the end "
			    "of a word");
			goto out;
		}
		if (p->s[i] == '\\' && p->s[i + 1] != '\0') {
			raw[rl++] = p->s[++i];
			continue;
		}
		if (p->s[i] == '*') {
			if (rl == 0) {
				fail_at(p, i, "expected a word before '*'");
				goto out;
			}
			star = 1;
			continue;
		}
		raw[rl++] = p->s[i];
	}
	p->off = i;
	q = words_term(p, start, raw, rl, star ? QUERY_PREFIX : QUERY_FUZZY);
out:
	free(raw);
	return q;
}

/* A field name and ':' at the current offset: its bit, or 0. */
static unsigned
at_field(struct parser *p, size_t *len)
{
	size_t	i, k;

	for (i = p->off; isalpha((unsigned char)p->s[i]); i++)
		;
	if (i == p->off || p->s[i] != ':')
		return 0;
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		if (strlen(fields[k].name) == i - p->off &&
		    strncmp(fields[k].name, p->s + p->off, i - p->off) == 0) {
			*len = i - p->off + 1;
			return fields[k].bit;
		}
	}
	*len = i - p->off;
	return ~0u;
}

/* The operator at s[off .. off + len) wants a term next. */
static void
set_op(struct parser *p, size_t off, size_t len)
{
	p->op = off;
	p->oplen = len;
}

/* No term at the current offset, where one was due: say why. */
static void
fail_term(struct parser *p)
{
	const char	*s = p->s + p->off;
	int		 kw = at_keyword(p, "AND") ? 3 : at_keyword(p, "OR") ?
			    2 : 0;

	if (kw > 0 && (p->oplen == 0 || p->s[p->op] == '('))
		fail_at(p, p->off, "expected a term before '%.*s'", kw, s);
	else if (p->oplen > 0)
		fail_at(p, p->off, "expected a term after '%.*s'",
		    (int)p->oplen, p->s + p->op);
	else if (*s == ')')
		fail_at(p, p->off, "unexpected ')': no group is open");
	else
		fail_at(p, p->off, "expected a term");
}

static struct query_node *
parse_primary(struct parser *p)
{
	struct query_node	*q = NULL;
	unsigned		 f, saved;
	size_t			 flen, start;

	skip_space(p);
	start = p->off;
	if (++p->depth > MAX_DEPTH) {
		fail_at(p, start, "nesting too deep");
		return NULL;
	}
	switch (p->s[p->off]) {
	case '\0':
	case ')':
		fail_term(p);
		break;
	case '(':
		set_op(p, p->off++, 1);
		if ((q = parse_chain(p, QUERY_OR)) == NULL)
			break;
		skip_space(p);
		if (p->s[p->off] != ')') {
			fail_at(p, p->off, "expected ')' to close the group "
			    "opened at column %d", column(p->s, start));
			query_free(q);
			q = NULL;
			break;
		}
		p->off++;
		break;
	case '~':
		fail_at(p, start, "expected a term before '~'");
		break;
	case '"':
		q = parse_phrase(p);
		break;
	case '/':
		q = parse_regex(p);
		break;
	case '@':
		q = parse_alias(p);
		break;
	default:
		/* NOT and '-' go before a field or '+', not after ("+-a") */
		if (at_keyword(p, "AND") || at_keyword(p, "OR") ||
		    at_keyword(p, "NOT") || p->s[p->off] == '-' ||
		    p->s[p->off] == '+')
			fail_term(p);
		else if ((f = at_field(p, &flen)) == ~0u)
			fail_at(p, start, "unknown field '%.*s' (expected "
			    "title, summary, body, author, category, link or "
			    "feed)",
			    (int)flen, p->s + start);
		else if (f != 0) {
			set_op(p, start, flen);
			p->off += flen;
			/* "title: x" would scope x, a space away: say so. */
			if (isspace((unsigned char)p->s[p->off])) {
				fail_at(p, p->off, "expected a term after "
				    "'%.*s', without a space", (int)flen,
				    p->s + start);
				break;
			}
			saved = p->scope;
			p->scope = f;
			q = parse_primary(p);
			p->scope = saved;
		} else
			q = parse_word(p);
		break;
	}
	p->depth--;
	return q;
}

/* NOT, '-' and '+' stand right before their term; NOT binds tightest. */
static struct query_node *
parse_unary(struct parser *p)
{
	struct query_node	*q, *k;
	size_t			 start, len;
	char			 c;

	skip_space(p);
	start = p->off;
	c = p->s[p->off];
	len = at_keyword(p, "NOT") ? 3 : c == '-' || c == '+' ? 1 : 0;
	if (len == 0)
		return parse_primary(p);
	set_op(p, start, len);
	p->off += len;
	if (len == 1 && isspace((unsigned char)p->s[p->off])) {
		fail_at(p, p->off, "expected a term after '%c', without a "
		    "space", c);
		return NULL;
	}
	if (c == '+')
		return parse_primary(p);
	if (++p->depth > MAX_DEPTH) {
		fail_at(p, start, "nesting too deep");
		return NULL;
	}
	k = parse_unary(p);
	p->depth--;
	if (k == NULL)
		return NULL;
	q = node_new(QUERY_NOT, start, p);
	kid_add(q, k);
	return q;
}

/*
 * Consumes what joins two operands of 'op' at the current offset and
 * returns 1, or returns 0 where the chain ends: "OR" joins ORs; "AND", or
 * only white space, joins ANDs up to the end, a ')' or an "OR".
 */
static int
at_joiner(struct parser *p, enum query_op op)
{
	size_t	len;

	skip_space(p);
	if (op == QUERY_OR) {
		if (!at_keyword(p, "OR"))
			return 0;
		len = 2;
	} else {
		if (p->s[p->off] == '\0' || p->s[p->off] == ')' ||
		    at_keyword(p, "OR"))
			return 0;
		len = at_keyword(p, "AND") ? 3 : 0;
	}
	set_op(p, p->off, len);
	p->off += len;
	return 1;
}

/* An operand of 'op': an AND chain under OR, a unary term under AND. */
static struct query_node *
parse_operand(struct parser *p, enum query_op op)
{
	return op == QUERY_OR ? parse_chain(p, QUERY_AND) : parse_unary(p);
}

/*
 * The operands of 'op' (QUERY_OR: ANDs; QUERY_AND: unary terms) in a row,
 * under one node of 'op'; a single operand is returned as it is.
 */
static struct query_node *
parse_chain(struct parser *p, enum query_op op)
{
	struct query_node	*q, *k, *n = NULL;
	size_t			 start;

	skip_space(p);
	start = p->off;
	if ((q = parse_operand(p, op)) == NULL)
		return NULL;
	while (at_joiner(p, op)) {
		if ((k = parse_operand(p, op)) == NULL) {
			query_free(n != NULL ? n : q);
			return NULL;
		}
		if (n == NULL) {
			n = node_new(op, start, p);
			kid_add(n, q);
		}
		kid_add(n, k);
	}
	return n != NULL ? n : q;
}

struct query_node *
query_parse(struct norm *n, const char *text, char *err, size_t errlen)
{
	struct parser		 p;
	struct query_node	*q;

	memset(&p, 0, sizeof(p));
	p.norm = n;
	p.s = text;
	p.err = err;
	p.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	skip_space(&p);
	if (text[p.off] == '\0') {
		fail_at(&p, p.off, "empty query");
		return NULL;
	}
	if ((q = parse_chain(&p, QUERY_OR)) == NULL)
		return NULL;
	/* parse_chain() stops only at the end or at a ')' it did not open */
	skip_space(&p);
	if (text[p.off] != '\0') {
		fail_at(&p, p.off, "unexpected ')': no group is open");
		query_free(q);
		return NULL;
	}
	return q;
}

/*
 * 'q', negated if 'neg', can only be true when a term that 'counts'
 * occurs.
 */
static int
needs(const struct query_node *q, int neg, query_term_cb *counts)
{
	size_t	i;
	int	any = 0, all = 1;

	switch (q->op) {
	case QUERY_TERM:
	case QUERY_ALIAS:
		return !neg && counts(q);
	case QUERY_NOT:
		return needs(q->kids[0], !neg, counts);
	case QUERY_AND:
	case QUERY_OR:
		for (i = 0; i < q->nkids; i++) {
			if (needs(q->kids[i], neg, counts))
				any = 1;
			else
				all = 0;
		}
		/* NOT (a AND b) is (NOT a) OR (NOT b), and conversely */
		return (q->op == QUERY_AND) != neg ? any : all;
	}
	return 0;
}

int
query_needs(const struct query_node *q, query_term_cb *counts)
{
	return needs(q, 0, counts);
}

static int
any_term(const struct query_node *q)
{
	return 1;
}

int
query_is_positive(const struct query_node *q)
{
	return needs(q, 0, any_term);
}

static char *
trimmed(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

size_t
query_field_names(unsigned mask, const char **names, size_t max)
{
	size_t	 i, n = 0;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && n < max; i++)
		if (mask & fields[i].bit)
			names[n++] = fields[i].name;
	return n;
}

char **
query_split_list(const char *list)
{
	char		**v = NULL;
	size_t		  n = 0, i, start = 0;
	char		  quote = 0;
	int		  atstart = 1;

	for (i = 0; ; i++) {
		char c = list[i];

		if (c == '\0' || (c == ',' && quote == 0)) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n] = trimmed(list + start, i - start);
			if (v[n][0] != '\0')
				n++;
			else
				free(v[n]);
			if (c == '\0')
				break;
			start = i + 1;
			atstart = 1;
			continue;
		}
		if (quote != 0) {
			if (c == '\\' && list[i + 1] != '\0')
				i++;
			else if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '"' || (c == '/' && atstart))
			quote = c;
		atstart = isspace((unsigned char)c) || c == ':' || c == '(' ||
		    c == '-';
	}
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	v[n] = NULL;
	return v;
}
