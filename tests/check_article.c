/*
 * check_article.c: the article extractor (feeds/article.c).
 *
 * The fixtures in tests/data/articles/ are pages written like the real
 * thing, around articles written for them: NAME.html, NAME.txt (the text
 * the extractor should give, a paragraph a line) and NAME.junk (strings
 * of the page's boilerplate, none of which may come out).  Every line of
 * NAME.txt must be a line of the text; recall and precision of the words
 * are printed per page.  Then chunking, caps, hostile and broken pages,
 * and the charset rules.
 */
#include "suites.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "article.h"
#include "httpd.h"
#include "text.h"
#include "xmalloc.h"

/* The pages, their HTTP charset and the title they must give. */
static const struct {
	const char	*name;
	const char	*charset;
	const char	*title;
} pages[] = {
	{ "news-megamenu", NULL, "Pompeo to Lavrov: Trump administration "
	    "doesn\u2019t recognise Russia\u2019s attempted annexation of "
	    "Crimea" },
	{ "blog-sidebar", NULL, "Bringing No. 7 back to life: a winter in "
	    "the engine shed" },
	{ "nested-divs", NULL, "Morra ferry suspended after harbour wall "
	    "collapse - Coastline Daily" },
	{ "teasers", NULL, "Astronomers find a second ring around the dwarf "
	    "planet Varuna" },
	{ "cp1251-meta", NULL, "\u0412 \u0412\u043e\u043b\u043e\u0433\u0434"
	    "\u0435 \u043d\u0430\u0448\u043b\u0438 \u0430\u0440\u0445\u0438"
	    "\u0432 \u0444\u043e\u0442\u043e\u0433\u0440\u0430\u0444\u0430, "
	    "\u0441\u043d\u0438\u043c\u0430\u0432\u0448\u0435\u0433\u043e "
	    "\u0433\u043e\u0440\u043e\u0434 \u0441\u0442\u043e \u043b\u0435"
	    "\u0442 \u043d\u0430\u0437\u0430\u0434" },
	{ "latin1-undeclared", NULL, "Stadtrat beschlie\u00dft: Lindenauer "
	    "Altstadt wird ab 2026 autofrei" },
	{ "jsonld-paywall", NULL, "Valmora approves \u20ac300m quay to "
	    "assemble offshore wind turbines" },
	{ "amp", NULL, "Teenage keeper Ellis Mbeki saves three penalties as "
	    "Harbourside stun Castleford" },
	{ "short-long-comments", NULL, "Marlow Heath library to open on "
	    "Sundays from June" },
	{ "old-cms-table", NULL, "Upper Wyke Parish News - Packhorse bridge "
	    "to be repaired" },
	{ "port-comments", NULL, "Grain terminal resumes night loading after "
	    "three weeks of dredging" },
};

#define NPAGES	(sizeof(pages) / sizeof(pages[0]))

/* What one extraction gave. */
struct got {
	int	 rc;
	char	*title;
	char	*text;
	char	*error;
};

static void
got_clear(struct got *g)
{
	free(g->title);
	free(g->text);
	free(g->error);
	memset(g, 0, sizeof(*g));
}

/*
 * Extracts 'len' bytes pushed 'chunk' at a time (0: at once), with the
 * caps given (0: defaults).
 */
static void
extract(const char *buf, size_t len, size_t chunk, const char *charset,
    size_t max_in, size_t max_out, struct got *g)
{
	struct article	*a;
	size_t		 off, k;

	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	a = article_new("https://news.example/a?token=s3cret", charset,
	    max_in, max_out);
	for (off = 0; off < len; off += k) {
		k = len - off < chunk ? len - off : chunk;
		if (article_push(a, buf + off, k) == -1)
			break;
	}
	g->rc = article_finish(a);
	g->title = article_title(a) ? xstrdup(article_title(a)) : NULL;
	g->text = xstrdup(article_text(a));
	g->error = article_error(a) ? xstrdup(article_error(a)) : NULL;
	article_free(a);
	ck_assert_msg(text_utf8_valid(g->text, strlen(g->text)),
	    "text is not valid UTF-8");
	ck_assert_msg(g->title == NULL || text_utf8_valid(g->title,
	    strlen(g->title)), "title is not valid UTF-8");
	/* a failure says why, and the URL it names is redacted */
	ck_assert_msg((g->rc == 0) == (g->error == NULL), "rc %d, error %s",
	    g->rc, g->error ? g->error : "NULL");
	ck_assert_msg(g->error == NULL || strstr(g->error, "s3cret") == NULL,
	    "the error shows a secret: %s", g->error);
}

static void
extract_str(const char *html, const char *charset, struct got *g)
{
	extract(html, strlen(html), 0, charset, 0, 0, g);
}

static char *
fixture(const char *name, const char *ext, size_t *len)
{
	char	*path, *buf;
	gsize	 n;

	path = xasprintf("%s/tests/data/articles/%s.%s",
	    test_env("FEEDWATCH_SRC"), name, ext);
	ck_assert_msg(g_file_get_contents(path, &buf, &n, NULL),
	    "cannot read %s", path);
	free(path);
	if (len != NULL)
		*len = n;
	return buf;
}

/* 1 if 'line' is a whole line of 'text'. */
static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == '\n'))
			return 1;
	return 0;
}

static int
cmp_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The words of 's', lowercased (ASCII), sorted: runs of letters, digits
 * and non-ASCII bytes.
 */
static char **
words(const char *s, size_t *n)
{
	char	**w = NULL;
	size_t	 k;

	*n = 0;
	while (*s != '\0') {
		for (k = 0; s[k] != '\0' && (g_ascii_isalnum(s[k]) ||
		    (unsigned char)s[k] >= 0x80); k++)
			;
		if (k == 0) {
			s++;
			continue;
		}
		w = xreallocarray(w, *n + 1, sizeof(*w));
		w[*n] = g_ascii_strdown(s, (gssize)k);
		(*n)++;
		s += k;
	}
	if (*n > 0)
		qsort(w, *n, sizeof(*w), cmp_words);
	return w;
}

static void
words_free(char **w, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		g_free(w[i]);
	free(w);
}

/*
 * The words of 'want' and 'got', and the recall and precision of those of
 * 'got' against those of 'want'.
 */
static void
word_scores(const char *want, const char *got, size_t *na, size_t *nb,
    double *recall, double *precision)
{
	char	**a, **b;
	size_t	 i = 0, j = 0, common = 0;
	int	 c;

	a = words(want, na);
	b = words(got, nb);
	while (i < *na && j < *nb) {
		if ((c = strcmp(a[i], b[j])) == 0) {
			common++;
			i++;
			j++;
		} else if (c < 0)
			i++;
		else
			j++;
	}
	*recall = *na > 0 ? (double)common / *na : 1;
	*precision = *nb > 0 ? (double)common / *nb : 0;
	words_free(a, *na);
	words_free(b, *nb);
}

/*
 * Every page: the title, every paragraph of the article (recall), none of
 * the boilerplate (precision), and at least 90% of the words given out
 * the article's.  One table for all pages in the log.
 */
START_TEST(test_fixtures)
{
	struct got	 g;
	char		*html, *want, *junk, **lines, *fail = NULL, *old;
	double		 recall, precision, tr = 0, tp = 0;
	size_t		 len, i, j, missing, leaked, nwant, ngot;

	printf("\narticle extraction, words of the expected text "
	    "(tests/data/articles/)\n");
	printf("  %-20s %7s %7s %7s %9s %9s %6s %6s\n", "page", "bytes",
	    "want", "got", "recall", "precision", "paras", "junk");
	for (i = 0; i < NPAGES; i++) {
		html = fixture(pages[i].name, "html", &len);
		want = fixture(pages[i].name, "txt", NULL);
		junk = fixture(pages[i].name, "junk", NULL);
		extract(html, len, 0, pages[i].charset, 0, 0, &g);
		lines = g_strsplit(want, "\n", -1);
		for (j = 0, missing = 0; lines[j] != NULL; j++)
			if (*lines[j] != '\0' && !has_line(g.text, lines[j])) {
				old = fail;
				fail = xasprintf("%s%s: missing '%s'\n",
				    old ? old : "", pages[i].name, lines[j]);
				free(old);
				missing++;
			}
		g_strfreev(lines);
		lines = g_strsplit(junk, "\n", -1);
		for (j = 0, leaked = 0; lines[j] != NULL; j++)
			if (*lines[j] != '\0' && strstr(g.text, lines[j])) {
				old = fail;
				fail = xasprintf("%s%s: boilerplate '%s' "
				    "in the text\n", old ? old : "",
				    pages[i].name, lines[j]);
				free(old);
				leaked++;
			}
		g_strfreev(lines);
		word_scores(want, g.text, &nwant, &ngot, &recall, &precision);
		tr += recall;
		tp += precision;
		printf("  %-20s %7zu %7zu %7zu %8.1f%% %8.1f%% %6s %6zu\n",
		    pages[i].name, len, nwant, ngot, 100 * recall,
		    100 * precision, missing ? "MISS" : "all", leaked);
		if (g.rc != 0 || g.title == NULL ||
		    strcmp(g.title, pages[i].title) != 0 || precision < 0.9) {
			old = fail;
			fail = xasprintf("%s%s: rc %d (%s), title '%s', "
			    "precision %.3f\n", old ? old : "",
			    pages[i].name, g.rc, g.error ? g.error : "-",
			    g.title ? g.title : "(none)", precision);
			free(old);
		}
		got_clear(&g);
		g_free(html);
		g_free(want);
		g_free(junk);
	}
	printf("  %-20s %7s %7s %7s %8.1f%% %8.1f%%\n", "mean", "", "", "",
	    100 * tr / NPAGES, 100 * tp / NPAGES);
	fflush(stdout);
	ck_assert_msg(fail == NULL, "%s", fail);
}
END_TEST

/* Pushes of 1, 7 and 64 bytes give what the whole page gives. */
START_TEST(test_chunking)
{
	static const size_t	 chunks[] = { 1, 7, 64 };
	struct got		 whole, g;
	char			*html;
	size_t			 len, i;

	html = fixture(pages[_i].name, "html", &len);
	extract(html, len, 0, pages[_i].charset, 0, 0, &whole);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		extract(html, len, chunks[i], pages[_i].charset, 0, 0, &g);
		ck_assert_msg(strcmp(g.text, whole.text) == 0,
		    "%s in %zu-byte pushes: the text differs",
		    pages[_i].name, chunks[i]);
		ck_assert_str_eq(g.title, whole.title);
		got_clear(&g);
	}
	got_clear(&whole);
	g_free(html);
}
END_TEST

/* Paragraphs of prose, 'n' of them, each in its own <p>. */
static GString *
prose(size_t n)
{
	GString	*s = g_string_new("");
	size_t	 i;

	for (i = 0; i < n; i++)
		g_string_append_printf(s, "<p>Paragraph %zu of the report, "
		    "which the committee published on Tuesday, says that the "
		    "harbour, the railway and the road all need money.</p>\n",
		    i);
	return s;
}

/* The caps on the text and on the input. */
START_TEST(test_caps)
{
	struct got	 g;
	struct article	*a;
	char		*html;
	size_t		 len, n;

	/* the text stops at its cap, on a character boundary */
	html = fixture("cp1251-meta", "html", &len);
	for (n = 90; n < 110; n++) {
		extract(html, len, 0, NULL, 0, n, &g);
		ck_assert_int_eq(g.rc, 0);
		ck_assert_uint_le(strlen(g.text), n);
		ck_assert_uint_ge(strlen(g.text), n - 3);
		got_clear(&g);
	}
	g_free(html);

	/* the input cap: no more wanted, the text from what came */
	html = fixture("news-megamenu", "html", &len);
	n = strstr(html, "Yuri Ushakov") - html;
	a = article_new(NULL, NULL, n, 0);
	ck_assert_int_eq(article_push(a, html, n - 100), 0);
	ck_assert_int_eq(article_push(a, html + n - 100, 200), -1);
	ck_assert_int_eq(article_push(a, html + n + 100, 10), -1);
	ck_assert_int_eq(article_finish(a), 0);
	ck_assert_ptr_nonnull(strstr(article_text(a), "Pompeo spoke of"));
	ck_assert_ptr_null(strstr(article_text(a), "Yuri Ushakov"));
	ck_assert_int_eq(article_finish(a), 0);	/* again: the same */
	article_free(a);
	g_free(html);
}
END_TEST

/*
 * Memory is bounded whatever the page: 20 MB that declare no charset, read
 * in pushes of 100 paragraphs with a 32 MiB input cap, of prose (the
 * text cap ends the parse) and of markup (the element cap is reached;
 * the parse goes on to the end).
 */
START_TEST(test_huge_page)
{
	struct article	*a;
	struct rusage	 ru;
	GString		*s;
	size_t		 sent = 0, i;
	long		 before;
	int		 rc = 0;

	getrusage(RUSAGE_SELF, &ru);
	before = ru.ru_maxrss;
	(void)before;
	if (_i == 0)
		s = prose(100);
	else
		for (s = g_string_new(""), i = 0; i < 100; i++)
			g_string_append(s, "<div class=\"c\"><a href=\"/x\">"
			    "Link</a> <span>x</span></div>\n");
	a = article_new(NULL, NULL, (size_t)32 << 20, 0);
	ck_assert_int_eq(article_push(a, "<html><body><p>The start of the "
	    "page, a paragraph, as long as any other.</p>", 73), 0);
	while (sent < ((size_t)20 << 20) && rc == 0) {
		rc = article_push(a, s->str, s->len);
		sent += s->len;
	}
	ck_assert_int_eq(rc, _i == 0 ? -1 : 0);
	ck_assert_int_eq(article_finish(a), 0);
	ck_assert_ptr_nonnull(strstr(article_text(a), "The start of the page"));
	ck_assert_uint_le(strlen(article_text(a)), ARTICLE_MAX_OUT);
	article_free(a);
	g_string_free(s, TRUE);
#if !defined(__SANITIZE_ADDRESS__)
	getrusage(RUSAGE_SELF, &ru);
	ck_assert_msg(ru.ru_maxrss - before < 16 * 1024, "peak RSS grew by "
	    "%ld KiB", ru.ru_maxrss - before);
#endif
}
END_TEST

/*
 * 100,000 nested divs, and 300 unclosed <font>s before the article (the
 * tree builder stops at 256 levels and gives an empty body, APIS.md C.2).
 */
START_TEST(test_deep_nesting)
{
	struct got	 g;
	GString		*s;
	size_t		 i;

	s = g_string_new("<html><body>");
	for (i = 0; i < 100000; i++)
		g_string_append(s, "<div>");
	g_string_append(s, "<p>The one paragraph at the bottom of it all, "
	    "with commas, and more than enough text to count.</p>");
	for (i = 0; i < 100000; i++)
		g_string_append(s, "</div>");
	extract(s->str, s->len, 4096, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.text, "The one paragraph at the bottom of it all, "
	    "with commas, and more than enough text to count.");
	got_clear(&g);
	g_string_free(s, TRUE);

	s = g_string_new("<html><body><div class=\"story\">");
	for (i = 0; i < 300; i++)
		g_string_append(s, "<font size=\"2\">");
	g_string_append(s, "<p>First paragraph of the story, long enough to "
	    "count, with commas, clauses and so on.</p><p>Second paragraph "
	    "of the story, just as long, with commas, clauses and more.</p>");
	extract(s->str, s->len, 0, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert(has_line(g.text, "First paragraph of the story, long "
	    "enough to count, with commas, clauses and so on."));
	ck_assert(has_line(g.text, "Second paragraph of the story, just as "
	    "long, with commas, clauses and more."));
	got_clear(&g);
	g_string_free(s, TRUE);
}
END_TEST

/* Broken HTML is recovered; text is only ever text. */
START_TEST(test_malformed)
{
	struct got	 g;

	extract_str("<html><body><div class=article><p>First paragraph of "
	    "the story, long enough to count as one, with commas.<p>Second "
	    "<b>bold <i>both</b> after</i>, AT&T, 5 < 6 &bogus; &amp;&lt;"
	    "script&gt;x&lt;/script&gt; and <a href=x>a link</a>.</div></div>"
	    "</span><P CLASS=x>Third paragraph: unquoted, upper case, "
	    "<unknown-tag>custom</unknown-tag> and more words.</p>"
	    "<script>document.write('<p>not text</p>')</script><style>p{}"
	    "</style><!-- a comment --><![CDATA[cdata]]><p>Fourth "
	    "paragraph, after the comment, still part of the story.</p>"
	    "<!-- unterminated comment <p>lost", NULL, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.text, "First paragraph of the story, long enough "
	    "to count as one, with commas.\n"
	    "Second bold both after, AT&T, 5 < 6 &bogus; &<script>x</script> "
	    "and a link.\n"
	    "Third paragraph: unquoted, upper case, custom and more words.\n"
	    "Fourth paragraph, after the comment, still part of the story.");
	got_clear(&g);
}
END_TEST

/* Nothing to extract: an error that says why, not a crash. */
START_TEST(test_empty)
{
	struct got	 g;

	extract("", 0, 0, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_str_eq(g.error, "page 'https://news.example/a?token=***': "
	    "empty page");
	ck_assert_str_eq(g.text, "");
	got_clear(&g);

	extract_str(" \n\t ", NULL, &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_ptr_nonnull(strstr(g.error, "no article text found"));
	got_clear(&g);

	extract_str("<html><head><title>Only a title</title></head><body>"
	    "<script>var x = 'no text here';</script><nav><a href=/>Home</a>"
	    "</nav></body></html>", NULL, &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_ptr_nonnull(strstr(g.error, "no article text found"));
	ck_assert_str_eq(g.title, "Only a title");
	got_clear(&g);
}
END_TEST

/* What is not HTML is refused at its first bytes. */
START_TEST(test_binary)
{
	static const char	 png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char	 pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
	struct article		*a;
	struct got		 g;
	char			 noise[4096];
	size_t			 i;

	extract(png, sizeof(png) - 1, 0, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_ptr_nonnull(strstr(g.error, "not HTML"));
	got_clear(&g);
	extract(pdf, sizeof(pdf) - 1, 0, "utf-8", 0, 0, &g);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_ptr_nonnull(strstr(g.error, "not HTML"));
	got_clear(&g);

	/* random bytes: refused once the sniff window is full */
	for (i = 0; i < sizeof(noise); i++)
		noise[i] = (char)((i * 2654435761u) >> 13);
	a = article_new(NULL, NULL, 0, 0);
	ck_assert_int_eq(article_push(a, noise, 512), 0);
	ck_assert_int_eq(article_push(a, noise + 512, 1024), -1);
	ck_assert_int_eq(article_finish(a), -1);
	ck_assert_ptr_nonnull(strstr(article_error(a), "not HTML"));
	article_free(a);
}
END_TEST

/* Which charset wins, and what undeclared bytes are read as. */
START_TEST(test_charsets)
{
	static const struct {
		const char	*html;
		const char	*http;
		const char	*text;
	} cases[] = {
		/* the HTTP charset, no meta */
		{ "<p>\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0</p>",
		  "windows-1251", "\u041f\u0440\u0438\u0432\u0435\u0442, "
		  "\u043c\u0438\u0440" },
		/* the HTTP charset beats the meta */
		{ "<meta charset=utf-8><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>",
		  "WINDOWS-1251", "\u041f\u0440\u0438\u0432\u0435\u0442" },
		/* a BOM beats both */
		{ "\xef\xbb\xbf<meta charset=koi8-r><p>caf\xc3\xa9</p>",
		  "iso-8859-1", "caf\u00e9" },
		/* http-equiv meta, quoted label, koi8-r */
		{ "<html><head><meta http-equiv=\"Content-Type\" content="
		  "\"text/html; charset='KOI8-R'\"></head><p>\xf0\xd2\xc9\xd7"
		  "\xc5\xd4</p>", NULL,
		  "\u041f\u0440\u0438\u0432\u0435\u0442" },
		/* iso-8859-1 means windows-1252, as in browsers */
		{ "<meta charset=\"ISO-8859-1\"><p>\x93quoted\x94 caf\xe9</p>",
		  NULL, "\u201cquoted\u201d caf\u00e9" },
		/* undeclared one-byte text: windows-1252 */
		{ "<p>\x93Grand caf\xe9\x94 \x80 5</p>", NULL,
		  "\u201cGrand caf\u00e9\u201d \u20ac 5" },
		/* undeclared UTF-8 with a stray byte: UTF-8, the byte
		 * replaced, not the rest of the page turned into Latin-1 */
		{ "<p>caf\xc3\xa9 \xe9 na\xc3\xafve \xe2\x80\x94 "
		  "\xd0\x9b\xd0\xb0\xd0\xb2\xd1\x80\xd0\xbe\xd0\xb2</p>", NULL,
		  "caf\u00e9 \ufffd na\u00efve \u2014 \u041b\u0430\u0432\u0440"
		  "\u043e\u0432" },
		/* a meta cannot declare UTF-16: the page is UTF-8 */
		{ "<meta charset=utf-16><p>na\xc3\xafve</p>", NULL,
		  "na\u00efve" },
		/* UTF-7, which browsers refuse, is not decoded */
		{ "<meta charset=utf-7><p>+ADw-b+AD4-x</p>", "UTF-7",
		  "+ADw-b+AD4-x" },
		/* an unknown label is ignored */
		{ "<meta charset=x-bogus><p>na\xc3\xafve</p>", "x-bogus-too",
		  "na\u00efve" },
		/* bytes a one-byte charset leaves undefined: U+FFFD, and the
		 * rest of the page is still read */
		{ "<p>\xcf\xf0\xe8 \x98 \xec\xe8\xf0</p><p>\xcf\xf0\xe8</p>",
		  "windows-1251", "\u041f\u0440\u0438 \ufffd \u043c\u0438"
		  "\u0440\n\u041f\u0440\u0438" },
		{ "<p>caf\xe9 \x81 \x93x\x94</p><p>after</p>", NULL,
		  "caf\u00e9 \ufffd \u201cx\u201d\nafter" },
		/* multibyte charsets, characters cut between pushes */
		{ "<meta charset=gb2312><p>\xd6\xd0\xce\xc4, \xb1\xb1\xbe"
		  "\xa9</p>", NULL, "\u4e2d\u6587, \u5317\u4eac" },
		{ "<p>\x93\xfa\x96\x7b\x8c\xea \x82\xa0</p>", "Shift_JIS",
		  "\u65e5\u672c\u8a9e \u3042" },
		/* UTF-16 with a BOM (NUL bytes are not binary there) */
		{ "\xff\xfe<\0p\0>\0\xe9\0t\0\xe9\0<\0/\0p\0>\0", NULL,
		  "\u00e9t\u00e9" },
	};
	struct got	 g;
	size_t		 i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].html);
		if (cases[i].html[0] == '\xff')
			len = 20;
		extract(cases[i].html, len, 3, cases[i].http, 0, 0, &g);
		ck_assert_msg(g.rc == 0 && strcmp(g.text, cases[i].text) == 0,
		    "case %zu: '%s' (%s), want '%s'", i, g.text,
		    g.error ? g.error : "-", cases[i].text);
		got_clear(&g);
	}
}
END_TEST

/*
 * Multibyte charsets pushed 1 to 5 bytes at a time, invalid sequences
 * included (lone UTF-16 surrogates, a Shift_JIS lead byte without its
 * trail), give what the whole page gives.  The sequences come after the
 * first KiB, which is read whole before the charset is known.
 */
START_TEST(test_split_characters)
{
	static const struct {
		const char	*html;
		size_t		 len;
		const char	*charset;
	} cases[] = {
		{ "<\0p\0>\0A\0\x8c\xdf\x91\x90\x8b\xdf\x3d\xd8\x00\xde"
		  "\x00\xd8" "B\0<\0/\0p\0>\0", 30, "UTF-16LE" },
		{ "<p>\x93\xfa\x96\x7b\x8c\xea \x82 \x82\xa0\xff, "
		  "\x88\xa2</p>", 0, "Shift_JIS" },
		{ "<p>\x81\x30\x81\x30 \xd6\xd0\x81\x30\xce\xc4 \x81</p>", 0,
		  "GB18030" },
	};
	struct got	 whole, g;
	GString		*page;
	char		*comment;
	size_t		 i, k, chunk;

	comment = g_strnfill(1100, 'x');
	memcpy(comment, "<!--", 4);
	memcpy(comment + 1097, "-->", 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		page = g_string_new("");
		for (k = 0; k < 1100; k++) {
			g_string_append_c(page, comment[k]);
			if (cases[i].len > 0)	/* UTF-16LE */
				g_string_append_c(page, '\0');
		}
		g_string_append_len(page, cases[i].html, cases[i].len ?
		    (gssize)cases[i].len : -1);
		extract(page->str, page->len, 0, cases[i].charset, 0, 0,
		    &whole);
		ck_assert_int_eq(whole.rc, 0);
		for (chunk = 1; chunk <= 5; chunk++) {
			extract(page->str, page->len, chunk, cases[i].charset,
			    0, 0, &g);
			ck_assert_msg(strcmp(g.text, whole.text) == 0,
			    "%s in %zu-byte pushes: '%s', whole: '%s'",
			    cases[i].charset, chunk, g.text, whole.text);
			got_clear(&g);
		}
		got_clear(&whole);
		g_string_free(page, TRUE);
	}
	g_free(comment);
}
END_TEST

/*
 * A short article (three paragraphs, under 250 bytes) above long
 * comments: the comments stay out.
 */
START_TEST(test_short_article)
{
	struct got	 g;
	GString		*s;
	size_t		 i;

	s = g_string_new("<html><body><div class=\"story\"><h1>Road "
	    "closed</h1><p>The A59 will close on Sunday for resurfacing.</p>"
	    "<p>Diversions will be signed through Blubberhouses.</p><p>The "
	    "road reopens at 6am on Monday.</p></div><div id=\"comments\">");
	for (i = 0; i < 20; i++)
		g_string_append_printf(s, "<div class=\"comment\"><p>Comment "
		    "%zu: this is the third time this year, and every time, "
		    "without fail, the diversion signs point the wrong way, "
		    "so lorries end up in the village.</p></div>", i);
	g_string_append(s, "</div></body></html>");
	extract(s->str, s->len, 0, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(g.text, "The A59 will close on Sunday for "
	    "resurfacing.\nDiversions will be signed through Blubberhouses.\n"
	    "The road reopens at 6am on Monday.");
	ck_assert_str_eq(g.title, "Road closed");
	got_clear(&g);
	g_string_free(s, TRUE);
}
END_TEST

/*
 * JSON-LD replaces the HTML text only when it is the fuller one: a
 * teaser-length articleBody does not.
 */
START_TEST(test_jsonld_teaser)
{
	struct got	 g;
	GString		*s;

	s = prose(8);
	g_string_prepend(s, "<html><head><script type=\"application/ld+json\">"
	    "{\"@type\":\"NewsArticle\",\"headline\":\"From &amp; JSON\","
	    "\"articleBody\":\"Only the first sentence.\"}</script></head>"
	    "<body><article>");
	g_string_append(s, "</article></body></html>");
	extract(s->str, s->len, 0, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_ptr_nonnull(strstr(g.text, "Paragraph 7 of the report"));
	ck_assert_ptr_null(strstr(g.text, "Only the first sentence"));
	ck_assert_str_eq(g.title, "From & JSON");
	got_clear(&g);
	g_string_free(s, TRUE);
}
END_TEST

/*
 * Nothing on the page is ever fetched: a DTD, entities, images, frames,
 * scripts and styles all point at a live server, which must see nothing;
 * an external entity is text, not a file.
 */
START_TEST(test_no_network)
{
	static const char *const paths[] = { "/x.dtd", "/img.png",
	    "/frame.html", "/app.js", "/style.css", "/ent" };
	struct httpd	*h;
	struct got	 g;
	GString		*s;
	char		*u[6];
	size_t		 i;

	h = httpd_start();
	for (i = 0; i < 6; i++) {
		httpd_route(h, paths[i], 200, "text/plain", "Leaked text.", 12,
		    NULL);
		u[i] = httpd_url(h, paths[i]);
	}
	s = g_string_new("");
	g_string_append_printf(s, "<!DOCTYPE html SYSTEM \"%s\" [<!ENTITY ext "
	    "SYSTEM \"%s\"><!ENTITY pw SYSTEM \"file:///etc/passwd\">]>"
	    "<html><head><link rel=stylesheet href=\"%s\"><script src=\"%s\">"
	    "</script></head><body><p>Start &ext; &pw; <img src=\"%s\"> "
	    "<iframe src=\"%s\">frame</iframe> end, with enough text to be a "
	    "paragraph.</p></body></html>", u[0], u[5], u[4], u[3], u[1],
	    u[2]);
	extract(s->str, s->len, 0, NULL, 0, 0, &g);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_ptr_null(strstr(g.text, "Leaked"));
	ck_assert_ptr_null(strstr(g.text, "root:"));
	ck_assert_ptr_nonnull(strstr(g.text, "&pw;"));
	for (i = 0; i < 6; i++) {
		ck_assert_msg(httpd_hits(h, paths[i]) == 0, "%s was fetched",
		    paths[i]);
		free(u[i]);
	}
	got_clear(&g);
	g_string_free(s, TRUE);
	httpd_stop(h);
}
END_TEST

Suite *
article_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("article");
	tc = tcase_create("pages");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fixtures);
	tcase_add_loop_test(tc, test_chunking, 0, NPAGES);
	tcase_add_test(tc, test_short_article);
	tcase_add_test(tc, test_jsonld_teaser);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_caps);
	tcase_add_loop_test(tc, test_huge_page, 0, 2);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_binary);
	tcase_add_test(tc, test_charsets);
	tcase_add_test(tc, test_split_characters);
	tcase_add_test(tc, test_no_network);
	suite_add_tcase(s, tc);
	return s;
}
