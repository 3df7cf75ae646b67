/*
 * check_match.c: the query language and the matcher (alerts/match.h).
 *
 * A table of queries against small items covers every operator, the
 * Unicode folding, word boundaries, stem and translit; a table of bad
 * queries checks the errors and their columns; a table of texts checks
 * that snippets are the text as written, cut between tokens.  The news
 * article of the example feed (examples/feeds/world-news.xml) and, where
 * the third-party corpus is (test_corpus_dir()), the real feeds' items in
 * its reference.jsonl check snippets and that one compiled matcher finds
 * exactly what one matcher per topic does.
 */
#include "suites.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <utf8proc.h>

#include "item.h"
#include "match.h"
#include "norm.h"
#include "parser.h"
#include "query.h"

struct got {
	int	 n;		/* matches */
	char	 topics[8192];	/* "a,b," */
	char	 words[512];	/* last match: "w1|w2" */
	char	 fields[128];	/* last match: "title,body" */
	char	*snippet;	/* last match */
	int	 stop;		/* return -1 after this many */
};

static int
got_cb(const struct match *m, void *arg)
{
	struct got	*g = arg;
	size_t		 i;

	g->n++;
	strncat(g->topics, m->topic, sizeof(g->topics) - strlen(g->topics) - 2);
	strcat(g->topics, ",");
	g->words[0] = '\0';
	for (i = 0; i < m->nwords; i++) {
		if (i > 0)
			strcat(g->words, "|");
		strncat(g->words, m->words[i], sizeof(g->words) -
		    strlen(g->words) - 2);
	}
	g->fields[0] = '\0';
	for (i = 0; i < m->nfields; i++) {
		if (i > 0)
			strcat(g->fields, ",");
		strncat(g->fields, m->fields[i], sizeof(g->fields) -
		    strlen(g->fields) - 2);
	}
	free(g->snippet);
	g->snippet = strdup(m->snippet);
	return g->stop > 0 && g->n >= g->stop ? -1 : 0;
}

static void
item_init(struct feed_item *it, const char *title, const char *summary)
{
	memset(it, 0, sizeof(*it));
	it->id = "test";
	it->title = title;
	it->summary = summary;
}

/* Compiles one topic 'q' with 'opts' and matches 'it'; 0 or 1 matches. */
static int
match_one(const char *q, const struct topic_opts *opts,
    const struct feed_item *it, const struct match_feed *feed,
    struct got *g)
{
	struct matcher	*m;
	char		 err[256];

	m = matcher_new();
	matcher_add_alias(m, "russia", "Russia, \"Russian Federation\", "
	    "Kremlin, Moscow*", err, sizeof(err));
	ck_assert_msg(matcher_add_topic(m, "t", q, opts, err, sizeof(err)) ==
	    0, "query %s: %s", q, err);
	ck_assert_msg(matcher_compile(m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(matcher_match(m, it, feed, got_cb, g), 0);
	matcher_free(m);
	return g->n;
}

static const char *const en[] = { "english" };
static const char *const ru[] = { "russian" };
static const char *const enru[] = { "english", "russian" };

static const struct {
	const char	*query;
	int		 opts;		/* 0 none, 1 stem en, 2 stem ru,
					   3 translit, 4 stem en+ru translit */
	const char	*title;
	const char	*summary;
	int		 want;
	const char	*words;		/* expected matched words, or NULL */
} cases[] = {
	/* words, case, marks, NFKC, boundaries */
	{ "Lavrov", 0, "LAVROV arrives", NULL, 1, "lavrov" },
	{ "Lavrov", 0, NULL, "Lavrov's visit", 1, "lavrov" },
	{ "Lavrov", 0, NULL, "Lavróv said", 1, "lavrov" },
	{ "Lavrov", 0, NULL, "\xef\xbc\xac\xef\xbd\x81vrov (full width)", 1,
	    "lavrov" },
	{ "Lavrov", 0, NULL, "Lavrovsky said", 0, NULL },
	{ "Lavrov", 0, NULL, "Lav\xc2\xadrov (soft hyphen)", 1, "lavrov" },
	{ "Kyiv", 0, NULL, "in Kyïv today", 1, "kyiv" },
	{ "Kyïv", 0, NULL, "in KYIV today", 1, "kyiv" },
	{ "strasse", 0, NULL, "Straße 5", 1, "strasse" },
	{ "strasse", 0, NULL, "Hauptstraße 5", 0, NULL },
	{ "Zurich", 0, NULL, "Z\xc3\xbcrich", 1, "zurich" },
	{ "Zurich", 0, NULL, "Zu\xcc\x88rich (combining)", 1, "zurich" },
	{ "Москва", 0, NULL, "МОСКВА, 1 мая", 1, "москва" },
	{ "Crimea", 0, NULL, "Crimean", 0, NULL },
	{ "S-400", 0, NULL, "the S-400 deal", 1, "s 400" },
	{ "S-400", 0, NULL, "the S400 deal", 0, NULL },
	{ "東京", 0, NULL, "今日の東京は", 1, "東 京" },
	/* phrases and proximity */
	{ "\"Robert Mueller\"", 0, NULL, "Special Counsel Robert  Mueller said",
	    1, "robert mueller" },
	{ "\"Robert Mueller\"", 0, NULL, "Mueller, Robert", 0, NULL },
	{ "\"Robert Mueller\"", 0, "Robert", "Mueller", 0, NULL },
	{ "\"Trump Putin\"~5", 0, NULL, "Putin said that he and Trump", 1,
	    "trump putin" },
	{ "\"Trump Putin\"~2", 0, NULL, "Trump met a lot of people, then "
	    "Putin", 0, NULL },
	{ "\"a b c\"~1", 0, NULL, "c x b a", 1, NULL },
	/* prefix and fuzzy */
	{ "annex*", 0, NULL, "attempted annexation of Crimea", 1,
	    "annexation" },
	{ "annex*", 0, NULL, "an annex", 1, "annex" },
	{ "annex*", 0, NULL, "reannexed", 0, NULL },
	{ "Mueller~", 0, NULL, "Robert Muller", 1, "muller" },
	{ "Mueller~", 0, NULL, "Robert Mueler", 1, "mueler" },
	{ "Mueller~1", 0, NULL, "Robert Muler", 0, NULL },
	{ "Mueller~2", 0, NULL, "Robert Muler", 1, "muler" },
	{ "Mueller~", 0, NULL, "Robert Meulelr", 0, NULL },
	{ "Mueller~", 0, NULL, "Robert Muelelr", 1, NULL },
	{ "Mueller~0", 0, NULL, "Robert Muller", 0, NULL },
	/* boolean operators and precedence */
	{ "Crimea OR Lavrov", 0, NULL, "Lavrov spoke", 1, "lavrov" },
	{ "Crimea Lavrov", 0, NULL, "Lavrov spoke", 0, NULL },
	{ "Crimea AND Lavrov", 0, NULL, "Lavrov on Crimea", 1,
	    "lavrov|crimea" },
	{ "Crimea -Lavrov", 0, NULL, "Lavrov on Crimea", 0, NULL },
	{ "Crimea NOT Lavrov", 0, NULL, "Pompeo on Crimea", 1, "crimea" },
	{ "Crimea OR Lavrov AND Pompeo", 0, NULL, "Crimea", 1, NULL },
	{ "Crimea OR Lavrov AND Pompeo", 0, NULL, "Lavrov", 0, NULL },
	{ "(Crimea OR Lavrov) AND Pompeo", 0, NULL, "Crimea", 0, NULL },
	{ "(Crimea OR Lavrov) AND Pompeo", 0, NULL, "Pompeo, Lavrov", 1,
	    "pompeo|lavrov" },
	{ "NOT NOT Crimea", 0, NULL, "Crimea", 1, NULL },
	{ "Crimea and", 0, NULL, "Crimea", 0, NULL },	/* lower case: a word */
	{ "+Crimea", 0, NULL, "Crimea", 1, NULL },
	/* fields */
	{ "title:Crimea", 0, "News", "Crimea", 0, NULL },
	{ "title:Crimea", 0, "Crimea news", NULL, 1, "crimea" },
	{ "summary:(Crimea OR Lavrov)", 0, "Crimea", "Lavrov", 1, "lavrov" },
	{ "title:\"Crimea news\"", 0, "Crimea news", NULL, 1, NULL },
	{ "-title:Crimea Lavrov", 0, "Crimea", "Lavrov", 0, NULL },
	/* aliases */
	{ "@russia", 0, NULL, "the Kremlin said", 1, "kremlin" },
	{ "@russia", 0, NULL, "Moscowites", 1, "moscowites" },
	{ "@russia", 0, NULL, "Russian Federation", 1, NULL },
	{ "title:@russia", 0, NULL, "the Kremlin said", 0, NULL },
	{ "@russia AND Pompeo", 0, "Pompeo in Moscow", NULL, 1,
	    "pompeo|moscow" },
	/* regex */
	{ "title:/\\bS-?400\\b/", 0, "S400 deal", NULL, 1, "s400" },
	{ "title:/\\bS-?400\\b/", 0, "S4000 deal", NULL, 0, NULL },
	{ "/кремл[ья]/", 0, NULL, "в КРЕМЛЕ и Кремля", 1, "кремля" },
	{ "Crimea AND /annex(ed|ation)/", 0, NULL, "annexation of Crimea", 1,
	    "annexation|crimea" },
	{ "Crimea AND /annex(ed|ation)/", 0, NULL, "Crimea", 0, NULL },
	/* stem */
	{ "annex", 1, NULL, "the annexation", 1, "annex" },
	{ "annex", 0, NULL, "the annexation", 0, NULL },
	{ "\"annex Crimea\"", 1, NULL, "annexed Crimea", 1, NULL },
	{ "Лавров", 2, NULL, "встреча Лаврова и Помпео", 1, "лавров" },
	{ "Лавров", 0, NULL, "встреча Лаврова и Помпео", 0, NULL },
	/* translit */
	{ "Lavrov", 3, NULL, "Сергей Лавров", 1, "lavrov" },
	{ "Krym", 3, NULL, "Крым наш", 1, "krym" },
	{ "Лавров", 3, NULL, "Sergey Lavrov", 1, "лавров" },
	{ "Shoigu", 3, NULL, "министр Шойгу", 1, NULL },
	{ "Zelensky", 3, NULL, "Зеленский", 1, NULL },
	{ "\"Sergei Shoigu\"", 3, NULL, "Сергей Шойгу", 1, NULL },
	{ "Lavrov", 0, NULL, "Сергей Лавров", 0, NULL },
	{ "Lavrov", 3, NULL, "Лавровский", 0, NULL },
	{ "Tsar", 3, NULL, "a car", 0, NULL },
	{ "Lavrov", 4, NULL, "встреча Лаврова", 1, NULL },
};

START_TEST(test_table)
{
	const struct topic_opts	 o[5] = {
		{ NULL, 0, 0, NULL, 0 },
		{ en, 1, 0, NULL, 0 },
		{ ru, 1, 0, NULL, 0 },
		{ NULL, 0, 1, NULL, 0 },
		{ enru, 2, 1, NULL, 0 },
	};
	struct feed_item	 it;
	struct got		 g;
	int			 i = _i;

	memset(&g, 0, sizeof(g));
	item_init(&it, cases[i].title, cases[i].summary);
	match_one(cases[i].query, &o[cases[i].opts], &it, NULL, &g);
	ck_assert_msg(g.n == cases[i].want, "query %s on '%s' / '%s': %d "
	    "matches, want %d", cases[i].query, cases[i].title ?
	    cases[i].title : "", cases[i].summary ? cases[i].summary : "",
	    g.n, cases[i].want);
	if (g.n > 0 && cases[i].words != NULL)
		ck_assert_msg(strcmp(g.words, cases[i].words) == 0,
		    "query %s: matched words '%s', want '%s'", cases[i].query,
		    g.words, cases[i].words);
	free(g.snippet);
}
END_TEST

static const struct {
	const char	*query;
	const char	*err;
} bad[] = {
	{ "Crimea AND (Lavrov OR Pompeo", "column 29: expected ')' to close "
	    "the group opened at column 12" },
	{ "", "column 1: empty query" },
	{ "   ", "column 4: empty query" },
	/* operators without their terms */
	{ "Crimea OR OR Lavrov", "column 11: expected a term after 'OR'" },
	{ "AND Crimea", "column 1: expected a term before 'AND'" },
	{ "OR Crimea", "column 1: expected a term before 'OR'" },
	{ "Crimea AND", "column 11: expected a term after 'AND'" },
	{ "Crimea OR", "column 10: expected a term after 'OR'" },
	{ "Crimea OR  ", "column 12: expected a term after 'OR'" },
	{ "a OR AND b", "column 6: expected a term after 'OR'" },
	{ "a AND OR b", "column 7: expected a term after 'AND'" },
	{ "a AND AND b", "column 7: expected a term after 'AND'" },
	{ "NOT", "column 4: expected a term after 'NOT'" },
	{ "Crimea NOT", "column 11: expected a term after 'NOT'" },
	{ "NOT OR x", "column 5: expected a term after 'NOT'" },
	{ "-", "column 2: expected a term after '-'" },
	{ "Crimea - Lavrov", "column 9: expected a term after '-', without a "
	    "space" },
	{ "+", "column 2: expected a term after '+'" },
	{ "Crimea + Lavrov", "column 9: expected a term after '+', without a "
	    "space" },
	{ "+-Crimea", "column 2: expected a term after '+'" },
	{ "Крым OR OR Лавров", "column 9: expected a term after 'OR'" },
	/* groups */
	{ "()", "column 2: expected a term after '('" },
	{ "(OR Crimea)", "column 2: expected a term before 'OR'" },
	{ "(Crimea", "column 8: expected ')' to close the group opened at "
	    "column 1" },
	{ "Crimea)", "column 7: unexpected ')': no group is open" },
	{ ")", "column 1: unexpected ')': no group is open" },
	{ "(a) b)", "column 6: unexpected ')': no group is open" },
	{ "Крым AND (Лавров OR", "column 20: expected a term after 'OR'" },
	/* fields */
	{ "title:", "column 7: expected a term after 'title:'" },
	{ "title: Crimea", "column 7: expected a term after 'title:', "
	    "without a space" },
	{ "title:NOT Crimea", "column 7: expected a term after 'title:'" },
	{ "title:-Crimea", "column 7: expected a term after 'title:'" },
	{ "title:(a OR)", "column 12: expected a term after 'OR'" },
	{ "content:Crimea", "column 1: unknown field 'content'" },
	/* phrases, regexes, aliases */
	{ "\"", "column 2: expected '\"' to close the phrase opened at "
	    "column 1" },
	{ "\"Robert Mueller", "column 16: expected '\"' to close the phrase "
	    "opened at column 1" },
	{ "\"unterminated", "column 14: expected '\"'" },
	{ "\"\"", "column 1: expected a word with letters or digits" },
	{ "/unterminated", "column 14: expected '/' to close the regex "
	    "opened at column 1" },
	{ "title:/abc", "column 11: expected '/'" },
	{ "/(/", "column 3: bad regex: missing closing parenthesis" },
	{ "x /a)/", "column 5: bad regex" },
	{ "title:/a(b/", "column 11: bad regex" },
	{ "//", "column 1: empty regex" },
	{ "@", "column 2: expected an alias name after '@'" },
	/* distances */
	{ "~2 Crimea", "column 1: expected a term before '~'" },
	{ "~2", "column 1: expected a term before '~'" },
	{ "Crimea~9", "column 8: expected a distance from 0 to 2 after '~'" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa~1",
	  "column 1: a fuzzy word is at most 64 characters long" },
	{ "Mueller~3", "column 9: expected a distance from 0 to 2" },
	{ "Mueller~12", "column 9: expected a distance from 0 to 2" },
	{ "Crimea~x", "column 8: expected a distance from 0 to 2 after '~'" },
	{ "Crimea~*", "column 8: expected a distance from 0 to 2 after '~'" },
	{ "\"a b\"~-1", "column 7: expected a distance from 0 to 1000 after "
	    "'~'" },
	{ "\"a b\"~1001", "column 7: expected a distance from 0 to 1000" },
	{ "\"a b\"~2x", "column 7: expected a distance from 0 to 1000" },
	/* prefixes */
	{ "*", "column 1: expected a word before '*'" },
	{ "**", "column 1: expected a word before '*'" },
	{ "Crimea *", "column 8: expected a word before '*'" },
	{ "an*ex", "column 3: '*' is allowed only at the end" },
	{ "S-4*", "column 1: a prefix must be a single word" },
	/* meaning */
	{ "-Crimea", "needs at least one positive term" },
	{ "NOT NOT NOT Crimea", "needs at least one positive term" },
	{ "Crimea OR NOT Lavrov", "needs at least one positive term" },
	{ "a & b", "column 3: expected a word with letters or digits" },
	{ "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x",
	    "nesting too deep" },
};

START_TEST(test_errors)
{
	struct matcher	*m = matcher_new();
	char		 err[256];
	int		 i = _i;

	ck_assert_msg(matcher_add_topic(m, "t", bad[i].query, NULL, err,
	    sizeof(err)) == -1, "query '%s' was accepted", bad[i].query);
	ck_assert_msg(strstr(err, bad[i].err) != NULL, "query '%s': error "
	    "'%s', want '%s'", bad[i].query, err, bad[i].err);
	matcher_free(m);
}
END_TEST

START_TEST(test_compile_errors)
{
	struct matcher		*m = matcher_new();
	const char *const	 stems[] = { "klingon" };
	struct topic_opts	 o = { stems, 1, 0, NULL, 0 };
	char			 err[256];

	ck_assert_int_eq(matcher_add_topic(m, "t", "x", &o, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown stem language 'klingon'"));
	ck_assert_int_eq(matcher_add_alias(m, "a", "x, (y", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "expected ')'"));
	ck_assert_int_eq(matcher_add_alias(m, "loop", "@loop", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "crimea", "Crimea OR @ukraine",
	    NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(matcher_compile(m, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "topic 'crimea': query: unknown alias "
	    "'@ukraine' (define it in [alias ukraine])");
	matcher_free(m);

	m = matcher_new();
	ck_assert_int_eq(matcher_add_alias(m, "loop", "@loop, x", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "l", "@loop", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(matcher_compile(m, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "topic 'l': query: aliases nested "
	    "too deep"));
	matcher_free(m);
}
END_TEST

/*
 * The article's text (content = full) is the body field: unscoped terms
 * and body: find it, other scopes do not; matched_in names each field a
 * matched word is in, and a word only the article has gets its snippet
 * from it.
 */
static const struct {
	const char	*query;
	const char	*fields;	/* matched_in joined, NULL: no match */
	const char	*feed_only;	/* the same without the article */
} body_cases[] = {
	{ "Sevastopol", "body", NULL },
	{ "body:Sevastopol", "body", NULL },
	{ "title:Sevastopol", NULL, NULL },
	{ "summary:Sevastopol", NULL, NULL },
	{ "Crimea", "title,body", "title" },
	{ "body:Crimea", "body", NULL },
	{ "Crimea AND Sevastopol", "title,body", NULL },
	{ "teaser OR Sevastopol", "summary,body", "summary" },
	{ "\"naval base\"~2", "body", NULL },
	{ "/sevastop[o]l/", "body", NULL },
	{ "Sevasto*", "body", NULL },
	{ "Sevastopl~1", "body", NULL },
	{ "Crimea -body:Sevastopol", NULL, "title" },
	{ "feed:world AND Sevastopol", "body,feed", NULL },
	{ "Kremlin", NULL, NULL },
};

START_TEST(test_body)
{
	const char *const	 tags[] = { "news" };
	struct match_feed	 feed = { "world", tags, 1 };
	struct feed_item	 it;
	struct got		 g;
	int			 i = _i;

	item_init(&it, "Crimea: the long view", "A one-line teaser.");
	it.body = "In Crimea the Black Sea Fleet keeps its naval base at "
	    "Sevastopol, as it has since the eighteenth century.";
	memset(&g, 0, sizeof(g));
	match_one(body_cases[i].query, NULL, &it, &feed, &g);
	ck_assert_msg(g.n == (body_cases[i].fields != NULL), "query %s: %d "
	    "matches", body_cases[i].query, g.n);
	if (g.n > 0)
		ck_assert_msg(strcmp(g.fields, body_cases[i].fields) == 0,
		    "query %s: matched in '%s', want '%s'",
		    body_cases[i].query, g.fields, body_cases[i].fields);
	if (g.n > 0 && strcmp(body_cases[i].query, "Sevastopol") == 0)
		ck_assert_msg(strstr(g.snippet, "Sevastopol") != NULL,
		    "snippet '%s'", g.snippet);
	free(g.snippet);

	/* the same item without its article: only feed text counts */
	it.body = NULL;
	memset(&g, 0, sizeof(g));
	match_one(body_cases[i].query, NULL, &it, &feed, &g);
	ck_assert_msg(g.n == (body_cases[i].feed_only != NULL), "query %s "
	    "without the article: %d matches", body_cases[i].query, g.n);
	if (g.n > 0)
		ck_assert_str_eq(g.fields, body_cases[i].feed_only);
	free(g.snippet);
}
END_TEST

/* Topic order, feed filters, feed: scope, stopping, regex-only topics. */
START_TEST(test_topics)
{
	struct matcher		*m = matcher_new();
	const char *const	 f1[] = { "tag:europe" };
	const char *const	 f2[] = { "reuters" };
	const char *const	 tags[] = { "news", "europe" };
	struct topic_opts	 o1 = { NULL, 0, 0, f1, 1 };
	struct topic_opts	 o2 = { NULL, 0, 0, f2, 1 };
	struct match_feed	 feed = { "bbc-world", tags, 2 };
	struct feed_item	 it;
	struct got		 g;
	char			 err[256];

	ck_assert_int_eq(matcher_add_topic(m, "z", "Crimea", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "a", "Lavrov OR Crimea", &o1,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "r", "Crimea", &o2, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "f", "feed:bbc AND Crimea",
	    NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "x", "/cr[i]mea/", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(matcher_add_topic(m, "link", "link:example", NULL,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(matcher_compile(m, err, sizeof(err)), 0);

	item_init(&it, "Crimea", "nothing");
	it.link = "https://example.org/1";
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(matcher_match(m, &it, &feed, got_cb, &g), 0);
	ck_assert_str_eq(g.topics, "z,a,f,x,link,");
	free(g.snippet);

	/* without a feed, feed filters do not apply and feed: finds nothing */
	memset(&g, 0, sizeof(g));
	it.link = NULL;
	ck_assert_int_eq(matcher_match(m, &it, NULL, got_cb, &g), 0);
	ck_assert_str_eq(g.topics, "z,a,r,x,");
	free(g.snippet);

	/* a callback's -1 stops the item */
	memset(&g, 0, sizeof(g));
	g.stop = 2;
	ck_assert_int_eq(matcher_match(m, &it, NULL, got_cb, &g), -1);
	ck_assert_int_eq(g.n, 2);
	free(g.snippet);

	/* no words at all: only the regex-only topic is tried */
	memset(&g, 0, sizeof(g));
	item_init(&it, "CRIMEA", NULL);
	it.title = "xcrimeax";
	ck_assert_int_eq(matcher_match(m, &it, NULL, got_cb, &g), 0);
	ck_assert_str_eq(g.topics, "x,");
	ck_assert_str_eq(g.words, "crimea");
	free(g.snippet);
	matcher_free(m);
}
END_TEST

static int
valid_utf8(const char *s)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	w;
	size_t			len = strlen(s);

	while (len > 0) {
		w = utf8proc_iterate((const utf8proc_uint8_t *)s,
		    (utf8proc_ssize_t)len, &cp);
		if (w <= 0)
			return 0;
		s += w;
		len -= (size_t)w;
	}
	return 1;
}

static size_t
nchars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * 's' is a piece of the item's summary or title, cut on word boundaries,
 * with "…" exactly where it was cut.  Returns the field it is from.
 */
static const char *
snippet_check(const struct feed_item *it, const char *s)
{
	const char	*core, *text, *at;
	size_t		 len;
	int		 lead, trail;

	ck_assert_msg(valid_utf8(s), "snippet is not UTF-8");
	lead = strncmp(s, "\xe2\x80\xa6", 3) == 0;
	core = s + (lead ? 3 : 0);
	len = strlen(core);
	trail = len >= 3 && strcmp(core + len - 3, "\xe2\x80\xa6") == 0;
	len -= trail ? 3 : 0;
	ck_assert_msg(len > 0, "empty snippet");
	text = it->summary;
	at = text ? memmem(text, strlen(text), core, len) : NULL;
	if (at == NULL && it->title != NULL) {
		text = it->title;
		at = memmem(text, strlen(text), core, len);
	}
	ck_assert_msg(at != NULL, "snippet '%s' is not from the item", s);
	/* a cut is marked, and falls between words */
	ck_assert_msg(lead == (strspn(text, " \n\t") < (size_t)(at - text)),
	    "snippet '%s': leading ellipsis wrong", s);
	ck_assert_msg(!lead || !isalnum((unsigned char)at[-1]) ||
	    !isalnum((unsigned char)at[0]), "snippet '%s' cuts a word", s);
	ck_assert_msg(trail == (at[len + strspn(at + len, " \n\t")] != '\0'),
	    "snippet '%s': trailing ellipsis wrong", s);
	ck_assert_msg(!trail || !isalnum((unsigned char)at[len - 1]) ||
	    !isalnum((unsigned char)at[len]), "snippet '%s' cuts a word", s);
	return text;
}

static int
keep_first(const struct feed_item *it, void *arg)
{
	struct feed_item	**first = arg;

	if (*first == NULL)
		*first = feed_item_dup(it);
	return 0;
}

/* The news article, the first item of the demo's example feed. */
static struct feed_item *
example_article(void)
{
	struct feed_parser	*p;
	struct feed_item	*it = NULL;
	char			 path[1024], *text;

	snprintf(path, sizeof(path), "%s/examples/feeds/world-news.xml",
	    test_env("FEEDWATCH_SRC"));
	text = slurp(path);
	feed_parser_global_init();
	p = feed_parser_new(path, NULL, keep_first, &it);
	ck_assert_int_eq(feed_parser_push(p, text, strlen(text)), 0);
	ck_assert_int_eq(feed_parser_finish(p), 0);
	feed_parser_free(p);
	free(text);
	ck_assert_msg(it != NULL && strstr(it->title, "Pompeo to Lavrov") !=
	    NULL, "%s: the article is not the first item", path);
	return it;
}

START_TEST(test_article)
{
	static const struct {
		const char	*query;
		int		 want;
		const char	*words;
		const char	*in_snippet;
	} q[] = {
		{ "Crimea", 1, "crimea", "annexation of Crimea" },
		{ "\"Robert Mueller\"", 0, NULL, NULL },
		{ "\"Robert Muller\"", 1, "robert muller", "Robert Muller" },
		{ "Mueller~ AND Robert", 1, "robert|muller", NULL },
		{ "Lavrov AND Pompeo", 1, "pompeo|lavrov", "Pompeo arrived" },
		{ "\"Donbas ceasefire\"", 0, NULL, NULL },
		{ "\"ceasefire Donbas\"~3", 1, NULL, "ceasefire in the Donbas" },
		{ "title:Putin", 0, NULL, NULL },
		{ "summary:Putin -Kremlin", 0, NULL, NULL },
		{ "annex* AND title:Crimea", 1, "annexation|crimea", NULL },
		{ "Kremlin", 1, "kremlin", "the Kremlin leader" },
	};
	struct feed_item	*article, it;
	struct got		 g;
	const char		*field;
	size_t			 i;

	article = example_article();
	item_init(&it, article->title, article->summary);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		memset(&g, 0, sizeof(g));
		match_one(q[i].query, NULL, &it, NULL, &g);
		ck_assert_msg(g.n == q[i].want, "query %s: %d matches",
		    q[i].query, g.n);
		if (g.n == 0)
			continue;
		if (q[i].words != NULL)
			ck_assert_msg(strcmp(g.words, q[i].words) == 0,
			    "query %s: words '%s', want '%s'", q[i].query,
			    g.words, q[i].words);
		ck_assert(valid_utf8(g.snippet));
		if (q[i].in_snippet != NULL)
			ck_assert_msg(strstr(g.snippet, q[i].in_snippet) !=
			    NULL, "query %s: snippet '%s' lacks '%s'",
			    q[i].query, g.snippet, q[i].in_snippet);
		/* the title is shorter than a snippet of the summary */
		field = snippet_check(&it, g.snippet);
		ck_assert_msg(nchars(g.snippet) <= 210 && (field == it.title ||
		    nchars(g.snippet) >= 100), "query %s: snippet of %zu "
		    "characters: %s", q[i].query, nchars(g.snippet), g.snippet);
		free(g.snippet);
	}
	feed_item_free(article);
}
END_TEST

/* Some 125 characters of plain text each, for snippets that must be cut. */
#define FILL	"The ferry across the strait runs twice a day, and the " \
		"port authority says that the timetable will not change " \
		"before spring. "
#define FILL_RU	"Паром через пролив ходит дважды в день, и администрация " \
		"порта говорит, что расписание не изменится до самой весны. "
#define FILL_JA	"今日の東京は晴れで、午後から会議があった。"
#define FILL_JA5 FILL_JA FILL_JA FILL_JA FILL_JA FILL_JA

static const struct {
	const char	*query;
	const char	*title;
	const char	*summary;
	const char	*want;		/* the whole snippet, or NULL */
	const char	*has;		/* a piece it must hold, or NULL */
} snippets[] = {
	/* short texts come whole, punctuation, signs and quotes included */
	{ "Crimea", NULL, "$5 billion for Crimea bridge",
	    "$5 billion for Crimea bridge", NULL },
	{ "Crimea", NULL, "\xe2\x80\x9c" "Crimea is ours,\xe2\x80\x9d he said.",
	    "\xe2\x80\x9c" "Crimea is ours,\xe2\x80\x9d he said.", NULL },
	{ "Крым", NULL, "«Крым наш», — сказал он.", "«Крым наш», — сказал он.",
	    NULL },
	{ "Lavrov", NULL, "(Reuters) \xe2\x80\x94 Lavrov met Pompeo "
	    "[in Sochi].", "(Reuters) \xe2\x80\x94 Lavrov met Pompeo "
	    "[in Sochi].", NULL },
	{ "Crimea", NULL, "€20, £15 and ¥300: prices in Crimea rose...",
	    "€20, £15 and ¥300: prices in Crimea rose...", NULL },
	{ "Crimea", NULL, "\xf0\x9f\x87\xba\xf0\x9f\x87\xa6 Crimea "
	    "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd!", "\xf0\x9f\x87\xba\xf0\x9f\x87"
	    "\xa6 Crimea \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd!", NULL },
	{ "東京", NULL, "「東京」で会議。", "「東京」で会議。", NULL },
	{ "Crimea", NULL, "  \"Crimea\"  ", "\"Crimea\"", NULL },
	{ "Crimea", "\xe2\x80\x98" "Crimea\xe2\x80\x99: the story", NULL,
	    "\xe2\x80\x98" "Crimea\xe2\x80\x99: the story", NULL },
	/* long texts are cut between tokens, and the cut is marked */
	{ "Crimea", NULL, "\"Crimea\": " FILL FILL, NULL, "\"Crimea\": The" },
	{ "Crimea", NULL, FILL FILL "A bridge to \xe2\x80\x9c"
	    "Crimea\xe2\x80\x9d.", NULL, "A bridge to \xe2\x80\x9c"
	    "Crimea\xe2\x80\x9d." },
	{ "Crimea", NULL, FILL "Then \xe2\x80\x9c$5 billion\xe2\x80\x9d for "
	    "Crimea bridge (and \xe2\x82\xac" "3 more). " FILL, NULL,
	    "\xe2\x80\x9c$5 billion\xe2\x80\x9d for Crimea bridge (and "
	    "\xe2\x82\xac" "3 more)" },
	{ "Крым", NULL, FILL_RU "Глава МИД: «Крым — наш» (ТАСС). " FILL_RU,
	    NULL, "«Крым — наш» (ТАСС)" },
	{ "Crimea", NULL, FILL "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
	    "\xe2\x80\x8d\xf0\x9f\x91\xa7 Crimea " FILL, NULL,
	    "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f"
	    "\x91\xa7 Crimea" },
	{ "クリミア", NULL, FILL_JA5 FILL_JA5 "「クリミア」について。" FILL_JA5
	    FILL_JA5, NULL, "「クリミア」について。" },
	{ "Crimea", NULL, "Crimea " FILL FILL "http://example.org/" FILL FILL
	    "/very/long/path", NULL, "Crimea The ferry" },
};

/* Characters a cut in unspaced text must not separate from their neighbour. */
static int
cjk_glued(const char *after, const char *before)
{
	static const char *const open[] = { "「", "『", "（", "“", NULL };
	static const char *const close[] = { "」", "』", "）", "、", "。",
	    "”", NULL };
	size_t	 i;

	for (i = 0; open[i] != NULL; i++)
		if (strncmp(before - strlen(open[i]), open[i],
		    strlen(open[i])) == 0)
			return 1;
	for (i = 0; close[i] != NULL; i++)
		if (strncmp(after, close[i], strlen(close[i])) == 0)
			return 1;
	return 0;
}

/* 1 if a cut before s[i] (a lead byte) splits no token. */
static int
cut_between_tokens(const char *s, size_t i)
{
	if (isspace((unsigned char)s[i - 1]) || isspace((unsigned char)s[i]))
		return 1;
	/* unspaced text (CJK: lead bytes e3-e9): between characters */
	return (unsigned char)s[i] >= 0xe3 && (unsigned char)s[i] <= 0xe9 &&
	    !cjk_glued(s + i, s + i);
}

/*
 * 's' is text of the item's summary (or title) as written, whole or cut
 * between tokens, "…" marking exactly where text was left out, about 200
 * characters at most.
 */
static void
snippet_as_written(const char *text, const char *s)
{
	const char	*core, *at;
	size_t		 len, end;
	int		 lead, trail;

	ck_assert_msg(valid_utf8(s), "snippet is not UTF-8");
	ck_assert_msg(nchars(s) <= 202, "snippet of %zu characters: %s",
	    nchars(s), s);
	lead = strncmp(s, "\xe2\x80\xa6", 3) == 0;
	core = s + (lead ? 3 : 0);
	len = strlen(core);
	trail = len >= 3 && strcmp(core + len - 3, "\xe2\x80\xa6") == 0;
	len -= trail ? 3 : 0;
	ck_assert_msg(len > 0 && !isspace((unsigned char)core[0]) &&
	    !isspace((unsigned char)core[len - 1]), "snippet '%s' is empty or "
	    "starts or ends with white space", s);
	at = memmem(text, strlen(text), core, len);
	ck_assert_msg(at != NULL, "snippet '%s' is not the item's text as "
	    "written", s);
	end = (size_t)(at - text) + len;
	ck_assert_msg(lead == (strspn(text, " ") < (size_t)(at - text)),
	    "snippet '%s': leading ellipsis wrong", s);
	ck_assert_msg(trail == (text[end + strspn(text + end, " ")] != '\0'),
	    "snippet '%s': trailing ellipsis wrong", s);
	ck_assert_msg(at == text || cut_between_tokens(text, at - text),
	    "snippet '%s' starts inside a token", s);
	ck_assert_msg(text[end] == '\0' || cut_between_tokens(text, end),
	    "snippet '%s' ends inside a token", s);
	if (lead && trail)
		ck_assert_msg(nchars(s) >= 150, "snippet of %zu characters: "
		    "%s", nchars(s), s);
}

START_TEST(test_snippets)
{
	struct feed_item	 it;
	struct got		 g;
	int			 i = _i;

	memset(&g, 0, sizeof(g));
	item_init(&it, snippets[i].title, snippets[i].summary);
	ck_assert_int_eq(match_one(snippets[i].query, NULL, &it, NULL, &g), 1);
	if (snippets[i].want != NULL)
		ck_assert_str_eq(g.snippet, snippets[i].want);
	if (snippets[i].has != NULL)
		ck_assert_msg(strstr(g.snippet, snippets[i].has) != NULL,
		    "snippet '%s' lacks '%s'", g.snippet, snippets[i].has);
	snippet_as_written(snippets[i].summary ? snippets[i].summary :
	    snippets[i].title, g.snippet);
	free(g.snippet);
}
END_TEST

/*
 * Tokens longer than the window (a URL, a run of letters) are cut between
 * characters, so the snippet still shows some 200 characters around the
 * hit; the cuts are marked.
 */
START_TEST(test_snippet_long_tokens)
{
	struct feed_item	 it;
	struct got		 g;
	char			 text[700];

	memset(text, 'x', 300);
	memcpy(text + 300, " Crimea ", 8);
	memset(text + 308, 'y', 300);
	text[608] = '\0';
	memset(&g, 0, sizeof(g));
	item_init(&it, NULL, text);
	ck_assert_int_eq(match_one("Crimea", NULL, &it, NULL, &g), 1);
	ck_assert_msg(nchars(g.snippet) >= 190 && nchars(g.snippet) <= 202 &&
	    strncmp(g.snippet, "\xe2\x80\xa6xxx", 6) == 0 &&
	    strstr(g.snippet, "xx Crimea yy") != NULL &&
	    strcmp(g.snippet + strlen(g.snippet) - 6, "yyy\xe2\x80\xa6") == 0,
	    "snippet '%s'", g.snippet);
	free(g.snippet);
}
END_TEST

/* Bytes that are not UTF-8 never crash and never reach a snippet. */
START_TEST(test_bad_bytes)
{
	static const char	 s[] = "abc \xff\xfe Crimea \xc3 \xe2\x80 "
	    "Lavrov\x80";
	struct feed_item	 it;
	struct got		 g;

	memset(&g, 0, sizeof(g));
	item_init(&it, s, s);
	ck_assert_int_eq(match_one("Crimea AND Lavrov", NULL, &it, NULL, &g),
	    1);
	ck_assert(valid_utf8(g.snippet));
	ck_assert_str_eq(g.words, "crimea|lavrov");
	free(g.snippet);
}
END_TEST

struct corpus {
	struct feed_item	*items;
	size_t			 n;
	json_t			*docs;
};

static const char *
jstr(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
corpus_load(struct corpus *c, size_t max)
{
	char		 path[1024], *text, *line, *next;
	json_t		*doc, *e;
	json_error_t	 je;
	size_t		 i;

	snprintf(path, sizeof(path), "%s/reference.jsonl", test_corpus_dir());
	text = slurp(path);
	memset(c, 0, sizeof(*c));
	c->docs = json_array();
	c->items = calloc(max, sizeof(*c->items));
	for (line = text; *line != '\0' && c->n < max; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if ((doc = json_loads(line, 0, &je)) == NULL)
			continue;
		json_array_append_new(c->docs, doc);
		json_array_foreach(json_object_get(doc, "entries"), i, e) {
			const char *t = jstr(e, "title");
			const char *s = jstr(e, "summary");

			if (c->n == max || t == NULL || s == NULL ||
			    !valid_utf8(t) || !valid_utf8(s))
				continue;
			c->items[c->n].id = "x";
			c->items[c->n].title = t;
			c->items[c->n].summary = s;
			c->items[c->n].author = jstr(e, "author");
			c->items[c->n].link = jstr(e, "link");
			c->n++;
		}
	}
	free(text);
}

/*
 * Real items: every topic made of a word of an item's title matches that
 * item, and one matcher holding all the topics finds, for every item,
 * exactly the topics that single-topic matchers find.
 */
START_TEST(test_corpus)
{
	struct corpus		 c;
	struct matcher		*all, *one;
	struct norm		*n = norm_new();
	struct norm_iter	 ni;
	struct norm_token	 t;
	struct got		 g, g1;
	char			 err[256], name[32], *queries[300], *first;
	size_t			 i, j, nq = 0;
	int			 hits = 0;

	corpus_load(&c, 600);
	ck_assert_msg(c.n > 300, "only %zu items in the corpus", c.n);
	all = matcher_new();
	/* topics: title words, title phrases, mixed operators */
	for (i = 0; i < c.n && nq < 300; i += 2) {
		norm_iter_init(&ni, n, c.items[i].title,
		    strlen(c.items[i].title));
		if (!norm_iter_next(&ni, &t) || (t.flags & NORM_TOK_LONG))
			continue;
		first = strdup(t.word);
		switch (nq % 4) {
		case 0:
			queries[nq] = strdup(t.word);
			break;
		case 1:
			queries[nq] = malloc(strlen(t.word) + 8);
			sprintf(queries[nq], "%s*", t.word);
			break;
		case 2:
			queries[nq] = malloc(strlen(first) + NORM_WORD_MAX +
			    32);
			if (norm_iter_next(&ni, &t) &&
			    !(t.flags & NORM_TOK_LONG))
				sprintf(queries[nq], "\"%s %s\"", first,
				    t.word);
			else
				sprintf(queries[nq], "title:%s", first);
			break;
		default:
			queries[nq] = malloc(strlen(t.word) + 64);
			sprintf(queries[nq], "(%s OR zzqx) -summary:zzqy",
			    t.word);
			break;
		}
		snprintf(name, sizeof(name), "q%zu", nq);
		ck_assert_msg(matcher_add_topic(all, name, queries[nq], NULL,
		    err, sizeof(err)) == 0, "%s: %s", queries[nq], err);
		/* the title's own word matches its item */
		memset(&g, 0, sizeof(g));
		ck_assert_msg(match_one(queries[nq], NULL, &c.items[i], NULL,
		    &g) == 1, "%s does not match '%s'", queries[nq],
		    c.items[i].title);
		ck_assert(valid_utf8(g.snippet));
		free(g.snippet);
		free(first);
		nq++;
	}
	ck_assert_int_eq(matcher_compile(all, err, sizeof(err)), 0);
	for (i = 0; i < c.n; i++) {
		memset(&g, 0, sizeof(g));
		ck_assert_int_eq(matcher_match(all, &c.items[i], NULL, got_cb,
		    &g), 0);
		memset(&g1, 0, sizeof(g1));
		for (j = 0; j < nq; j++) {
			struct got	x;

			/* single-topic matchers for a sample of the items */
			if (i % 10 != 0)
				break;
			one = matcher_new();
			snprintf(name, sizeof(name), "q%zu", j);
			matcher_add_topic(one, name, queries[j], NULL, err,
			    sizeof(err));
			matcher_compile(one, err, sizeof(err));
			memset(&x, 0, sizeof(x));
			matcher_match(one, &c.items[i], NULL, got_cb, &x);
			if (x.n > 0) {
				strcat(g1.topics, x.topics);
				ck_assert(valid_utf8(x.snippet));
			}
			free(x.snippet);
			matcher_free(one);
		}
		if (i % 10 == 0)
			ck_assert_msg(strcmp(g.topics, g1.topics) == 0,
			    "item %zu: all topics '%s', one by one '%s'", i,
			    g.topics, g1.topics);
		hits += g.n;
		free(g.snippet);
	}
	ck_assert_int_ge(hits, (int)nq);
	for (i = 0; i < nq; i++)
		free(queries[i]);
	matcher_free(all);
	norm_free(n);
	json_decref(c.docs);
	free(c.items);
}
END_TEST

START_TEST(test_norm)
{
	struct norm	*n = norm_new();
	char		*s, k[64];

	s = norm_fold_words(n, "LAVRÓV's  Kyïv, S-400 ｆｕｌｌ",
	    strlen("LAVRÓV's  Kyïv, S-400 ｆｕｌｌ"));
	ck_assert_str_eq(s, "lavrov s kyiv s 400 full");
	free(s);
	ck_assert_int_gt(norm_skeleton("лавров", strlen("лавров"), k,
	    sizeof(k)), 0);
	ck_assert_str_eq(k, "lavrov");
	norm_skeleton("шойгу", strlen("шойгу"), k, sizeof(k));
	ck_assert_str_eq(k, "soigu");
	norm_skeleton("sojgu", 5, k, sizeof(k));
	ck_assert_str_eq(k, "soigu");
	norm_skeleton("kyiv", 4, k, sizeof(k));
	ck_assert_str_eq(k, "kiv");
	ck_assert_int_ge(norm_stemmer(n, "english"), 0);
	ck_assert_int_eq(norm_stemmer(n, "klingon"), -1);
	norm_free(n);
}
END_TEST

/*
 * Word i of test_many_topics: unique (its last 4 letters spell i in base
 * 13 with a-m), 1 to 24 bytes and more, some with an accent or a Cyrillic
 * letter, so the word filter meets every length around its 8-byte key.
 */
static void
many_word(char *w, unsigned i)
{
	static const char	 abc[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	unsigned		 h = i * 2654435761u, len = i % 21, k, n = 0;

	if (i % 7 == 3)
		n += (unsigned)sprintf(w + n, "\xc3\xa9");	/* é */
	if (i % 11 == 5)
		n += (unsigned)sprintf(w + n, "\xd0\xb6");	/* ж */
	for (k = 0; k < len; k++, h = h * 1103515245 + 12345)
		w[n++] = abc[(h >> 16) % (sizeof(abc) - 1)];
	for (k = 0; k < 4; k++, i /= 13)
		w[n++] = (char)('a' + i % 13);
	w[n] = '\0';
}

/*
 * Thousands of topics in one matcher, as the word filter and the hash
 * table see them with real numbers: every topic is found in an item of
 * its own (in capitals for a third), and a word differing only in its
 * last letter (same length, same first 8 bytes when longer) matches
 * nothing.  Every fifth topic is a phrase with the next word.
 */
START_TEST(test_many_topics)
{
	enum { N = 4000 };
	struct matcher		*m = matcher_new();
	struct feed_item	 it;
	struct got		 g;
	char			 w[64], w2[64], q[160], text[200], name[16];
	char			 err[256], *c;
	unsigned		 i;

	for (i = 0; i < N; i++) {
		many_word(w, i);
		many_word(w2, i + 1);
		if (i % 5 == 0)
			snprintf(q, sizeof(q), "\"%s %s\"", w, w2);
		else
			snprintf(q, sizeof(q), "%s", w);
		snprintf(name, sizeof(name), "t%u", i);
		if (matcher_add_topic(m, name, q, NULL, err, sizeof(err)) != 0)
			ck_abort_msg("%s: %s", q, err);
	}
	ck_assert_int_eq(matcher_compile(m, err, sizeof(err)), 0);
	for (i = 0; i < N; i++) {
		many_word(w, i);
		many_word(w2, i + 1);
		snprintf(text, sizeof(text), "(%s %s).", w, w2);
		if (i % 3 == 0)
			for (c = text; *c != '\0'; c++)
				*c = (char)toupper((unsigned char)*c);
		item_init(&it, "", text);
		memset(&g, 0, sizeof(g));
		matcher_match(m, &it, NULL, got_cb, &g);
		snprintf(name, sizeof(name), "t%u,", i);
		if (strncmp(g.topics, name, strlen(name)) != 0)
			ck_abort_msg("'%s': topics %s, expected t%u first", text,
			    g.topics, i);
		free(g.snippet);
		/* the last letter of each word from n-z: no topic's */
		w[strlen(w) - 1] += 13;
		w2[strlen(w2) - 1] += 13;
		snprintf(text, sizeof(text), "%s %s", w, w2);
		item_init(&it, text, text);
		memset(&g, 0, sizeof(g));
		matcher_match(m, &it, NULL, got_cb, &g);
		if (g.n != 0)
			ck_abort_msg("'%s' matched %s", text, g.topics);
	}
	matcher_free(m);
}
END_TEST

/*
 * The reference for norm_iter_next(): the rules of norm.h applied code
 * point by code point with utf8proc alone, as the general path does, so
 * the ASCII fast path can be checked against it word for word.
 */
struct ref_tok {
	char		 word[NORM_WORD_MAX + 1];
	size_t		 len, start, end;
	unsigned	 flags;
};

enum { R_SEP, R_WORD, R_IGNORE, R_SINGLE };

static int
ref_class(int32_t cp)
{
	if ((cp >= 0x3040 && cp <= 0x309f) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0x20000 && cp <= 0x3ffff))
		return R_SINGLE;
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
		return R_WORD;
	case UTF8PROC_CATEGORY_CF:
		return cp == 0x200b ? R_SEP : R_IGNORE;
	default:
		return R_SEP;
	}
}

/* The words of s[0..len) into 'out' (at most 'max'); their count. */
static size_t
ref_tokens(const char *s, size_t len, struct ref_tok *out, size_t max)
{
	const utf8proc_uint8_t	*u = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t	 cp, dst[32];
	utf8proc_ssize_t	 w, nd, i;
	struct ref_tok		 t;
	size_t			 off = 0, n = 0, fl;
	char			 f[160];
	int			 in = 0, cl, bound;

	memset(&t, 0, sizeof(t));
	t.flags = NORM_TOK_ASCII;
	for (;;) {
		cl = R_SEP;
		w = 1;
		if (off < len && (w = utf8proc_iterate(u + off,
		    (utf8proc_ssize_t)(len - off), &cp)) > 0)
			cl = ref_class(cp);
		if (w <= 0)
			w = 1;
		if (off < len && cl == R_IGNORE) {
			off += (size_t)w;
			if (in)
				t.end = off;
			continue;
		}
		if (off < len && (cl == R_WORD || (cl == R_SINGLE && !in))) {
			if (!in) {
				in = 1;
				t.start = off;
			}
			nd = utf8proc_decompose_char(cp, dst, 32,
			    UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
			    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
			    UTF8PROC_IGNORE, &bound);
			if (nd < 0 || nd > 32)
				ck_abort_msg("U+%04X does not fold", (unsigned)cp);
			for (fl = 0, i = 0; i < nd; i++) {
				fl += (size_t)utf8proc_encode_char(dst[i],
				    (utf8proc_uint8_t *)f + fl);
				if (dst[i] >= 0x80)
					t.flags &= ~NORM_TOK_ASCII;
				if (dst[i] >= 0x400 && dst[i] <= 0x52f)
					t.flags |= NORM_TOK_CYRILLIC;
			}
			if (t.len + fl <= NORM_WORD_MAX) {
				memcpy(t.word + t.len, f, fl);
				t.len += fl;
			} else
				t.flags |= NORM_TOK_LONG;
			t.end = off += (size_t)w;
			if (cl != R_SINGLE)
				continue;
		} else if (off < len && !in) {
			off += (size_t)w;
			continue;
		} else if (off < len && cl == R_SEP)
			off += (size_t)w;
		/* a word ends: a separator, a Han character, the end */
		if (in && t.len > 0 && n < max) {
			t.word[t.len] = '\0';
			out[n++] = t;
		}
		if (off >= len)
			return n;
		memset(&t, 0, sizeof(t));
		t.flags = NORM_TOK_ASCII;
		in = 0;
	}
}

/*
 * norm_iter_next() on s[0..len), in a buffer of exactly 'len' bytes.
 * Plain tests, ck_abort_msg() only on a difference: every passing
 * ck_assert() costs Check a write.
 */
static void
check_tokens(struct norm *n, const char *text, size_t len)
{
	static struct ref_tok	 ref[2048];
	struct norm_iter	 it;
	struct norm_token	 t;
	char			*s = malloc(len > 0 ? len : 1);
	size_t			 nref, i = 0;

	memcpy(s, text, len);
	nref = ref_tokens(s, len, ref, sizeof(ref) / sizeof(ref[0]));
	norm_iter_init(&it, n, s, len);
	while (norm_iter_next(&it, &t)) {
		if (i == nref)
			ck_abort_msg("extra word '%s' at %zu", t.word, t.start);
		if (t.len != ref[i].len || memcmp(t.word, ref[i].word,
		    t.len) != 0 || t.word[t.len] != '\0')
			ck_abort_msg("word %zu: '%s', expected '%s'", i, t.word,
			    ref[i].word);
		if (t.start != ref[i].start || t.end != ref[i].end)
			ck_abort_msg("word %zu '%s': bytes %zu-%zu, expected "
			    "%zu-%zu", i, t.word, t.start, t.end, ref[i].start,
			    ref[i].end);
		if (t.flags != ref[i].flags || t.pos != i)
			ck_abort_msg("word %zu '%s': flags %u pos %u, expected "
			    "%u", i, t.word, t.flags, t.pos, ref[i].flags);
		i++;
	}
	if (i != nref)
		ck_abort_msg("%zu words, expected %zu", i, nref);
	free(s);
}

/*
 * The tokenizer against the reference on random text: ASCII words of
 * every length around the 8-byte steps and NORM_WORD_MAX, next to
 * accented, decomposed, full-width, ligature, Cyrillic, Devanagari, Han,
 * invisible and separating characters, overlong forms, surrogates and
 * other invalid bytes, in buffers of exactly their length.
 */
START_TEST(test_tokens_random)
{
	static const char *const pieces[] = {
		" ", " ", "  ", ".", "'", "-", "_", "\t", "\n", "\0", "@",
		"[", "`", "{", "/", ":", "\x7f", "0", "9", "A", "Z", "a", "z",
		"Q", "q", "\xc3\xa9", "\xc3\x89", "e\xcc\x81", "\xcc\x81",
		"\xef\xac\x81", "\xef\xbc\xa1", "\xd0\x9b", "\xd0\xb6",
		"\xe4\xb8\xad", "\xe3\x81\x82", "\xc2\xad", "\xe2\x80\x8b",
		"\xe2\x80\x8d", "\xe2\x80\x99", "\xe2\x80\x94", "\xc2\xa0",
		"\xff", "\xc3", "\xe2\x80", "\xf0\x9f\x98\x80", "\xc2\xb2",
		"\xe2\x85\xa0", "\xc1\x81", "\xe0\x81\x81", "\xe0\xa4\x95",
		"\xed\xa0\x80", "\xed\x9f\xbf", "\xf4\x90\x80\x80",
		"\xef\xbb\xbf", "\xdf\xbf", "\xc2\x80",
	};
	struct norm	*n = norm_new();
	char		 buf[1024];
	size_t		 len, k, i, np = sizeof(pieces) / sizeof(pieces[0]);
	unsigned	 seed = 12345;
	int		 round, run;

	for (round = 0; round < 20000; round++) {
		len = 0;
		k = (seed = seed * 1103515245 + 12345) >> 16 & 63;
		for (i = 0; i < k && len < sizeof(buf) - 300; i++) {
			seed = seed * 1103515245 + 12345;
			if ((seed >> 16) % 4 == 0) {
				/* an ASCII run, often near 8n or the maximum */
				run = (int)((seed >> 8) % 140);
				while (run-- > 0) {
					seed = seed * 1103515245 + 12345;
					buf[len++] = "abcXYZ019_"[(seed >> 16) %
					    10];
				}
			} else {
				const char *p;
				size_t pl;

				seed = seed * 1103515245 + 12345;
				p = pieces[(seed >> 16) % np];
				pl = *p == '\0' ? 1 : strlen(p);

				memcpy(buf + len, p, pl);
				len += pl;
			}
		}
		check_tokens(n, buf, len);
	}
	/* every prefix of one text: the 8-byte loads meet every end */
	snprintf(buf, sizeof(buf), "Lavrov's  KYIV, S-400 Kyïv ａｂ ﬁne "
	    "abcdefgh abcdefghi x_1 Крым中文 e\xcc\x81t\xc2\xad" "at");
	for (len = 0; len <= strlen(buf); len++)
		check_tokens(n, buf, len);
	norm_free(n);
}
END_TEST

/* The tokenizer against the reference on the real items. */
START_TEST(test_tokens_corpus)
{
	struct corpus	 c;
	struct norm	*n = norm_new();
	size_t		 i;

	corpus_load(&c, 2000);
	ck_assert(c.n > 300);
	for (i = 0; i < c.n; i++) {
		check_tokens(n, c.items[i].title, strlen(c.items[i].title));
		check_tokens(n, c.items[i].summary,
		    strlen(c.items[i].summary));
	}
	norm_free(n);
	json_decref(c.docs);
	free(c.items);
}
END_TEST

Suite *
match_suite(void)
{
	Suite	*s = suite_create("match");
	TCase	*tc;

	tc = tcase_create("queries");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_table, 0, sizeof(cases) /
	    sizeof(cases[0]));
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_compile_errors);
	tcase_add_loop_test(tc, test_body, 0, sizeof(body_cases) /
	    sizeof(body_cases[0]));
	tcase_add_test(tc, test_topics);
	tcase_add_test(tc, test_bad_bytes);
	tcase_add_loop_test(tc, test_snippets, 0, sizeof(snippets) /
	    sizeof(snippets[0]));
	tcase_add_test(tc, test_snippet_long_tokens);
	tcase_add_test(tc, test_norm);
	tcase_add_test(tc, test_tokens_random);
	tcase_add_test(tc, test_many_topics);
	suite_add_tcase(s, tc);

	tc = tcase_create("data");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_article);
	suite_add_tcase(s, tc);

	if (test_corpus_dir() != NULL) {
		tc = tcase_create("corpus");
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, test_corpus);
		tcase_add_test(tc, test_tokens_corpus);
		suite_add_tcase(s, tc);
	}
	return s;
}
