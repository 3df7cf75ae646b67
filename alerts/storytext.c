/*
 * storytext.c: the words of a story: norm.h's words read into one
 * buffer (raw) and rewritten into another (out): numbers in one
 * spelling, dateline, tags and boilerplate gone.
 */
#include "storytext.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "norm.h"
#include "xmalloc.h"

#define STORYTEXT_DATELINE_MAX	120	/* bytes a dateline may take */
#define STORYTEXT_TAIL_WORDS	30	/* words at the end boilerplate is sought in */
#define STORYTEXT_NUMBER_MAX	64	/* digits of a number written out */

/* Words, each NUL-terminated in one buffer, with their place in the text. */
struct wordv {
	char		*buf;
	size_t		 len, cap;
	struct word {
		size_t	 off;		/* in buf */
		size_t	 start, end;	/* in the text read (raw words) */
	}		*w;
	size_t		 n, wcap;
};

struct storytext {
	struct norm	*norm;
	struct wordv	 raw;		/* norm.h's words of the text */
	struct wordv	 out;		/* the words read */
};

static void
wordv_push(struct wordv *v, const char *w, size_t len, size_t start,
    size_t end)
{
	if (v->len + len + 1 > v->cap) {
		v->cap = (v->len + len + 1) * 2;
		v->buf = xreallocarray(v->buf, v->cap, 1);
	}
	if (v->n == v->wcap) {
		v->wcap = v->wcap ? v->wcap * 2 : 64;
		v->w = xreallocarray(v->w, v->wcap, sizeof(*v->w));
	}
	v->w[v->n].off = v->len;
	v->w[v->n].start = start;
	v->w[v->n++].end = end;
	memcpy(v->buf + v->len, w, len);
	v->len += len;
	v->buf[v->len++] = '\0';
}

static void
wordv_clear(struct wordv *v)
{
	v->len = v->n = 0;
}

static void
wordv_release(struct wordv *v)
{
	free(v->buf);
	free(v->w);
}

static const char *
word(const struct wordv *v, size_t i)
{
	return v->buf + v->w[i].off;
}

/* 1 if words i.. of 'v' are those of 'phrase' (words, one space apart). */
static int
words_are(const struct wordv *v, size_t i, const char *phrase)
{
	const char	*w;
	size_t		 len;

	for (; *phrase != '\0'; i++) {
		/* the first byte turns most words away at once */
		if (i >= v->n || *(w = word(v, i)) != *phrase)
			return 0;
		len = strcspn(phrase, " ");
		if (strncmp(w, phrase, len) != 0 || w[len] != '\0')
			return 0;
		phrase += len;
		phrase += *phrase == ' ';
	}
	return 1;
}

static int
word_in(const char *w, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(w, *set) == 0)
			return 1;
	return 0;
}

/* The bytes of a dash at 'p' ("—", "–", " - ", "--"), or 0. */
static size_t
dash(const char *s, const char *p, const char *end)
{
	if (end - p >= 3 && memcmp(p, "\xe2\x80", 2) == 0 &&
	    ((unsigned char)p[2] == 0x94 || (unsigned char)p[2] == 0x93))
		return 3;
	if (end - p >= 2 && p[0] == '-' && p[1] == '-')
		return 2;
	if (end - p >= 2 && p > s && p[-1] == ' ' && p[0] == '-' &&
	    p[1] == ' ')
		return 1;
	return 0;
}

/*
 * The length of the dateline that opens 's', or 0: a place (and a date)
 * before an agency or a dash, as "MOSCOW (Reuters) - ", "WASHINGTON, May
 * 14 (AP) — ", "Berlin (dpa) - ", "KYIV — ", "МОСКВА, 14 мая. /ТАСС/. ".
 * The words before the first comma are the place: capitalised before an
 * agency, in capitals before a bare dash, so that a lede such as "NATO
 * allies agreed - " or "Lavrov said (in Moscow) - " keeps its words.
 */
static size_t
dateline(const char *s, size_t len)
{
	const char	*p, *q, *end, *cut = NULL;
	gunichar	 c;
	size_t		 n;
	int		 words = 0, inword = 0, comma = 0, caps = 1, capital = 1;

	end = s + (len < STORYTEXT_DATELINE_MAX ? len : STORYTEXT_DATELINE_MAX);
	for (p = s; p < end && cut == NULL; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2 || words > 8)
			return 0;
		if ((c == '(' || (c == '/' && (p == s || p[-1] == ' '))) &&
		    capital) {
			/* an agency, then a dash, '.' or ':' */
			if ((q = memchr(p + 1, c == '(' ? ')' : '/',
			    end - p - 1)) == NULL || q == p + 1 || q - p > 24)
				return 0;
			for (q++; q < end && *q == ' '; q++)
				;
			if ((n = dash(s, q, end)) == 0 && q < end &&
			    (*q == '.' || *q == ':'))
				n = 1;
			if (n == 0)
				return 0;
			cut = q + n;
		} else if ((n = dash(s, p, end)) > 0) {
			if (!caps || words == 0)
				return 0;
			cut = p + n;
		} else if (g_unichar_isalpha(c)) {
			if (!comma && !g_unichar_isupper(c)) {
				caps = 0;
				capital = capital && inword;
			}
			words += !inword;
			inword = 1;
		} else {
			inword = 0;
			comma = comma || c == ',';
		}
	}
	if (cut == NULL)
		return 0;
	while (cut < s + len && *cut == ' ')
		cut++;
	return (size_t)(cut - s);
}

/* Adds letter 'c' to the last word of 'v', which now ends at 'end'. */
static void
wordv_extend(struct wordv *v, char c, size_t end)
{
	if (v->len + 1 > v->cap) {
		v->cap = (v->len + 1) * 2;
		v->buf = xreallocarray(v->buf, v->cap, 1);
	}
	v->buf[v->len - 1] = c;
	v->buf[v->len++] = '\0';
	v->w[v->n - 1].end = end;
}

/* A one-letter word: a part of "U.S." or "a.m.". */
static int
initial(const struct norm_token *t)
{
	return t->len == 1 && !(t->word[0] >= '0' && t->word[0] <= '9');
}

/*
 * Reads up to 'max' words of s[0 .. len) into st->raw.  Initials with
 * points between them are one word: "U.S." is "us", as "US" is.
 */
static void
read_words(struct storytext *st, const char *s, size_t len, size_t max)
{
	struct norm_iter	 it;
	struct norm_token	 t;
	int			 initials = 0;

	wordv_clear(&st->raw);
	norm_iter_init(&it, st->norm, s, len);
	while (st->raw.n < max && norm_iter_next(&it, &t)) {
		if (t.flags & NORM_TOK_LONG)
			continue;
		if (initials && initial(&t) && t.start > 0 &&
		    s[t.start - 1] == '.' &&
		    st->raw.w[st->raw.n - 1].end + 1 == t.start) {
			wordv_extend(&st->raw, t.word[0], t.end);
			continue;
		}
		initials = initial(&t);
		wordv_push(&st->raw, t.word, t.len, t.start, t.end);
	}
}

/* Powers of ten that a word after a number (or stuck to it) stands for. */
static const struct {
	const char	*word;
	int		 exp;
	int		 prefix;	/* the word begins with it: inflected */
} scales[] = {
	{ "thousand", 3, 0 }, { "thousands", 3, 0 }, { "tausend", 3, 0 },
	{ "тыс", 3, 0 }, { "тысяч", 3, 1 },
	{ "million", 6, 0 }, { "millions", 6, 0 }, { "mn", 6, 0 },
	{ "mln", 6, 0 }, { "mio", 6, 0 }, { "millionen", 6, 0 },
	{ "млн", 6, 0 }, { "миллион", 6, 1 },
	{ "billion", 9, 0 }, { "billions", 9, 0 }, { "bn", 9, 0 },
	{ "bln", 9, 0 }, { "mrd", 9, 0 }, { "milliarde", 9, 0 },
	{ "milliarden", 9, 0 }, { "млрд", 9, 0 }, { "миллиард", 9, 1 },
	{ "trillion", 12, 0 }, { "trillions", 12, 0 }, { "tn", 12, 0 },
	{ "trn", 12, 0 }, { "трлн", 12, 0 }, { "триллион", 12, 1 },
};

/* Units whose word after a number is dropped, as their symbols are. */
static const char *const units[] = {
	"percent", "pct", "prozent", "pourcent", "dollars", "dollar", "usd",
	"euros", "euro", "eur", "pounds", "gbp", "rubles", "roubles", "евро",
	NULL
};
static const char *const unit_stems[] = { "процент", "доллар", "рубл", NULL };

/* The power of ten of a scale word; 'stuck' to its digits, as "5bn". */
static int
scale(const char *w, int stuck)
{
	size_t	 i, n;

	if (stuck && w[1] == '\0')
		return w[0] == 'k' ? 3 : w[0] == 'm' ? 6 : w[0] == 'b' ? 9 : 0;
	for (i = 0; i < sizeof(scales) / sizeof(scales[0]); i++) {
		n = strlen(scales[i].word);
		if (scales[i].prefix ? strncmp(w, scales[i].word, n) == 0 :
		    strcmp(w, scales[i].word) == 0)
			return scales[i].exp;
	}
	return 0;
}

/* Words after a number that only say its unit: how many, or 0. */
static size_t
unit(const struct wordv *v, size_t i)
{
	const char *const *u;

	if (i >= v->n)
		return 0;
	if (words_are(v, i, "per cent") || words_are(v, i, "pour cent"))
		return 2;
	if (word_in(word(v, i), units))
		return 1;
	for (u = unit_stems; *u != NULL; u++)
		if (strncmp(word(v, i), *u, strlen(*u)) == 0)
			return 1;
	return 0;
}

/* What separates raw words i and i + 1 in 's'. */
static int
separated_by(const struct storytext *st, const char *s, size_t i,
    const char *sep)
{
	size_t	 from = st->raw.w[i].end, to = st->raw.w[i + 1].start;

	return to - from == strlen(sep) && memcmp(s + from, sep, to - from) ==
	    0;
}

/* 1 if raw word i + 1 is a group of thousands of the number before it. */
static int
thousands(const struct storytext *st, const char *s, size_t i)
{
	const char	*w;

	if (i + 1 >= st->raw.n)
		return 0;
	w = word(&st->raw, i + 1);
	if (strlen(w) != 3 || strspn(w, "0123456789") != 3)
		return 0;
	return separated_by(st, s, i, ",") || separated_by(st, s, i, ".") ||
	    separated_by(st, s, i, "'") ||
	    separated_by(st, s, i, "\xc2\xa0") ||		/* no-break */
	    separated_by(st, s, i, "\xe2\x80\xaf") ||	/* narrow no-break */
	    separated_by(st, s, i, "\xe2\x80\x89");		/* thin space */
}

/*
 * Writes the number with digits 'ip' before the point and 'fp' after it,
 * times ten to 'exp', as plain digits with no useless zeros ("5.20" and
 * 3 -> "5200"); 0 if it would be too long.
 */
static size_t
number(const char *ip, size_t il, const char *fp, size_t fl, int exp,
    char out[STORYTEXT_NUMBER_MAX + 2])
{
	size_t	 n, point, lead = 0;

	if (il + fl + (size_t)exp > STORYTEXT_NUMBER_MAX)
		return 0;
	memcpy(out, ip, il);
	memcpy(out + il, fp, fl);
	n = il + fl;
	point = il + (size_t)exp;
	while (n < point)
		out[n++] = '0';
	while (n > point && out[n - 1] == '0')
		n--;
	while (lead + 1 < point && out[lead] == '0')
		lead++;
	if (n > point) {
		memmove(out + point + 1, out + point, n - point);
		out[point] = '.';
		n++;
	}
	memmove(out, out + lead, n - lead);
	return n - lead;
}

/* Raw word i as it is; returns 1, the words it took. */
static size_t
keep_word(struct storytext *st, size_t i)
{
	const char	*w = word(&st->raw, i);

	wordv_push(&st->out, w, strlen(w), 0, 0);
	return 1;
}

/*
 * The number that starts at raw word i, written out into st->out; returns
 * the raw words it took.  Groups of thousands ("5,000,000", "5.000.000",
 * "5 000 000" with a no-break space), a fraction ("5.2", "5,2"), a scale
 * ("bn", "billion", "Mrd", "млрд", stuck or not) and a unit word.
 */
static size_t
read_number(struct storytext *st, const char *s, size_t i)
{
	const struct wordv *raw = &st->raw;
	const char	*w = word(raw, i), *fp = "";
	char		 ip[STORYTEXT_NUMBER_MAX], out[STORYTEXT_NUMBER_MAX + 2];
	size_t		 j = i, il, fl = 0, d, n;
	int		 exp = 0;

	if ((d = il = strspn(w, "0123456789")) > sizeof(ip))
		return keep_word(st, i);
	memcpy(ip, w, il);
	if (w[d] == '\0') {
		while (d <= 3 && thousands(st, s, j) && il + 3 <= sizeof(ip)) {
			memcpy(ip + il, word(raw, ++j), 3);
			il += 3;
		}
		if (j + 1 < raw->n && (separated_by(st, s, j, ".") ||
		    separated_by(st, s, j, ",")) &&
		    (fl = strspn(word(raw, j + 1), "0123456789")) > 0) {
			fp = w = word(raw, ++j);
			d = fl;
		} else
			d = strlen(w = word(raw, j));
	}
	if (w[d] != '\0')
		exp = scale(w + d, 1);
	else if (j + 1 < raw->n && (exp = scale(word(raw, j + 1), 0)) > 0)
		j++;
	if (w[d] != '\0' && exp == 0)
		return keep_word(st, i);	/* "2nd", "19th", "5G" */
	if ((n = number(ip, il, fp, fl, exp, out)) == 0)
		memcpy(out, ip, n = il);
	wordv_push(&st->out, out, n, 0, 0);
	j++;
	return j - i + unit(raw, j);
}

/* Tags that open a headline without being part of it. */
static const char *const title_tags[] = {
	"update", "updated", "exclusive", "breaking", "live", "watch", "video",
	"analysis", "factbox", "explainer", "wrapup", "eilmeldung", "liveblog",
	"видео", "срочно", "молния", "эксклюзив", NULL
};

/* Phrases that start the boilerplate closing a text. */
static const char *const tail_marks[] = {
	"read more", "continue reading", "click here", "subscribe", "sign up",
	"reporting by", "writing by", "editing by", "additional reporting",
	"all rights reserved", "copyright", "weiterlesen", "mehr zum thema",
	"читать далее", "подробнее", "lire la suite", NULL
};

/* Agencies credited by a last word, as "(AP)". */
static const char *const agencies[] = {
	"ap", "afp", "reuters", "dpa", "ansa", "efe", "upi", "tass", "тасс",
	"interfax", "интерфакс", "ukrinform", NULL
};

/* Drops a tag opening a title: "UPDATE 2-", "EXCLUSIVE:". */
static size_t
title_tag(const struct wordv *raw)
{
	size_t	 i = 0;

	if (raw->n > 0 && word_in(word(raw, 0), title_tags)) {
		i = 1;
		if (i < raw->n && strspn(word(raw, i), "0123456789") ==
		    strlen(word(raw, i)))
			i++;
	}
	return i;
}

/*
 * Drops boilerplate from the end of st->out: from the first mark in its
 * last STORYTEXT_TAIL_WORDS words ("The post" when "appeared first on"
 * follows), then an agency's name if it is the last word.
 */
static void
drop_tail(struct wordv *out)
{
	const char *const *m;
	size_t		 i, j, from;

	from = out->n > STORYTEXT_TAIL_WORDS ? out->n - STORYTEXT_TAIL_WORDS : 0;
	for (i = from; i < out->n; i++) {
		for (m = tail_marks; *m != NULL && !words_are(out, i, *m); m++)
			;
		if (*m != NULL)
			break;
		if (words_are(out, i, "the post"))
			for (j = i + 2; j < out->n; j++)
				if (words_are(out, j, "appeared first on"))
					goto cut;
	}
 cut:
	out->n = i;
	if (out->n > 0 && word_in(word(out, out->n - 1), agencies))
		out->n--;
}

size_t
storytext_read(struct storytext *st, const char *s, int title)
{
	size_t		 i, len, skip = 0;
	const char	*w;

	wordv_clear(&st->out);
	if (s == NULL)
		return 0;
	len = strlen(s);
	if (!title)
		skip = dateline(s, len);
	read_words(st, s + skip, len - skip, STORYTEXT_MAX_WORDS);
	i = title ? title_tag(&st->raw) : 0;
	while (i < st->raw.n) {
		w = word(&st->raw, i);
		if (w[0] >= '0' && w[0] <= '9')
			i += read_number(st, s + skip, i);
		else
			i += keep_word(st, i);
	}
	if (!title)
		drop_tail(&st->out);
	return st->out.n;
}

const char *
storytext_word(const struct storytext *st, size_t i)
{
	return word(&st->out, i);
}

struct storytext *
storytext_new(void)
{
	struct storytext	*st;

	st = xcalloc(1, sizeof(*st));
	st->norm = norm_new();
	return st;
}

void
storytext_free(struct storytext *st)
{
	if (st == NULL)
		return;
	norm_free(st->norm);
	wordv_release(&st->raw);
	wordv_release(&st->out);
	free(st);
}

