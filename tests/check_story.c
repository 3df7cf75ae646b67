/*
 * check_story.c: same-story folding (story.h, storyclaim.h).
 *
 *   - the words a signature reads: datelines, boilerplate, title tags
 *     and number spellings that outlets change between copies;
 *   - the labelled set of tests/data/stories/, folded as the daemon
 *     folds it, holds pairwise precision >= 0.98 and recall >= 0.95;
 *   - the store: a copy finds the story claimed within the window, not
 *     after it, and signatures are pruned with the window; a state of
 *     the schema before signatures is upgraded;
 *   - end to end, `feedwatch run` and `check` on feeds served by
 *     tests/httpd.c carrying copies of one wire story under other
 *     headlines and links: one alert per topic, the other feeds in its
 *     also_in; a story about the same people alerts apart; after
 *     [daemon] same-story a copy alerts again; same-story = 0 turns it
 *     off; the claims survive a restart.
 */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <sqlite3.h>

#include "config.h"
#include "harness.h"
#include "httpd.h"
#include "item.h"
#include "store.h"
#include "story.h"
#include "storyclaim.h"
#include "storyset.h"
#include "storytext.h"
#include "xmalloc.h"

#define WAIT	15.0

/* The words storytext reads in 'text', one space apart (g_free). */
static char *
words_of(struct storytext *st, const char *text, int title)
{
	GString	*s = g_string_new(NULL);
	size_t	 i, n;

	n = storytext_read(st, text, title);
	for (i = 0; i < n; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? " " : "",
		    storytext_word(st, i));
	return g_string_free(s, FALSE);
}

/* What outlets change between copies reads as the same words. */
START_TEST(test_story_words)
{
	static const struct {
		const char	*a, *b;
		int		 title;
	} same[] = {
		{ "MOSCOW (Reuters) - Gazprom said profit rose.",
		  "Gazprom said profit rose", 0 },
		{ "WASHINGTON, May 14 (AP) \xe2\x80\x94 The U.S. Senate voted.",
		  "The US Senate voted", 0 },
		{ "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90, 14 "
		  "\xd0\xbc\xd0\xb0\xd1\x8f. /\xd0\xa2\xd0\x90\xd0\xa1\xd0\xa1/. "
		  "\xd0\x9b\xd0\xb0\xd0\xb2\xd1\x80\xd0\xbe\xd0\xb2 "
		  "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb1\xd1\x8b\xd0\xbb",
		  "\xd0\x9b\xd0\xb0\xd0\xb2\xd1\x80\xd0\xbe\xd0\xb2 "
		  "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb1\xd1\x8b\xd0\xbb", 0 },
		{ "The deal is worth $5bn.", "The deal is worth 5 billion "
		  "dollars", 0 },
		{ "The deal is worth 5,000,000,000 dollars.",
		  "The deal is worth 5.000.000.000", 0 },
		{ "Inflation slowed to 5.2% in May.",
		  "Inflation slowed to 5,2 Prozent in May", 0 },
		{ "Talks ended late. Read more at our site about Sochi",
		  "Talks ended late", 0 },
		{ "Talks ended late. (Reporting by A. B.; Editing by C. D.)",
		  "Talks ended late", 0 },
		{ "Talks ended late (AP)", "Talks ended late", 0 },
		{ "UPDATE 2-Pompeo meets Lavrov", "Pompeo meets Lavrov", 1 },
		{ "EXCLUSIVE: Pompeo meets Lavrov", "Pompeo meets Lavrov", 1 },
	};
	/* and what only looks like them keeps its words */
	static const char *const kept[] = {
		"NATO allies agreed - for now - to wait",
		"Lavrov said (in Moscow) - again - no",
		"Sales of 5G phones rose by 2nd quarter",
	};
	struct storytext *st = storytext_new();
	char		*a, *b;
	size_t		 i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		a = words_of(st, same[i].a, same[i].title);
		b = words_of(st, same[i].b, same[i].title);
		ck_assert_msg(strcmp(a, b) == 0, "'%s' read as '%s', '%s' as "
		    "'%s'", same[i].a, a, same[i].b, b);
		g_free(a);
		g_free(b);
	}
	a = words_of(st, kept[0], 0);
	ck_assert_str_eq(a, "nato allies agreed for now to wait");
	g_free(a);
	a = words_of(st, kept[1], 0);
	ck_assert_str_eq(a, "lavrov said in moscow again no");
	g_free(a);
	a = words_of(st, kept[2], 0);
	ck_assert_str_eq(a, "sales of 5g phones rose by 2nd quarter");
	g_free(a);
	ck_assert_uint_eq(storytext_read(st, NULL, 0), 0);
	storytext_free(st);
}
END_TEST

/*
 * The labelled set, folded as the daemon folds it at the default
 * threshold: no different-story merge to speak of, nearly every wire
 * copy folded, no story folded into its near miss.
 */
START_TEST(test_story_evaluation)
{
	struct storyset		 s;
	struct storyset_score	 sc;
	struct story_signer	*sg;
	char			*dir, err[512];

	dir = xasprintf("%s/tests/data/stories", test_env("FEEDWATCH_SRC"));
	ck_assert_msg(storyset_load(&s, dir, err, sizeof(err)) == 0, "%s",
	    err);
	sg = story_signer_new(STORY_SHINGLE);
	storyset_sign(&s, sg);
	storyset_score_folded(&s, STORY_THRESHOLD, &sc);
	ck_assert_msg(sc.same >= 150 && sc.near >= 40, "the set is too "
	    "small: %ld same-story pairs, %ld near misses", sc.same, sc.near);
	ck_assert_msg(sc.precision >= 0.98, "precision %.4f", sc.precision);
	ck_assert_msg(sc.recall >= 0.95, "recall %.4f", sc.recall);
	ck_assert_int_eq(sc.near_folded, 0);
	story_signer_free(sg);
	storyset_release(&s);
	free(dir);
}
END_TEST

/* A signature survives the store; too little text has none. */
START_TEST(test_story_sig)
{
	struct story_signer	*sg = story_signer_new(STORY_SHINGLE);
	struct story_sig	 a, b;
	unsigned char		 packed[STORY_SIG_BYTES];
	const char		*lede = "Russian Foreign Minister Sergei "
	    "Lavrov and U.S. Secretary of State Mike Pompeo clashed over "
	    "Venezuela and Iran on Tuesday but agreed to try to improve "
	    "relations that have sunk to a post-Cold War low.";
	const char		*more = " Speaking after talks in the Black "
	    "Sea resort of Sochi, Pompeo said the United States was not "
	    "seeking war with Iran and warned Russia that interference in "
	    "American elections was unacceptable.";
	char			*whole;

	whole = xasprintf("%s%s", lede, more);
	ck_assert_int_eq(story_sign(sg, "Pompeo, Lavrov clash", whole, &a), 1);
	/* a teaser of the lede, under another headline */
	ck_assert_int_eq(story_sign(sg, "Russia and US seek better ties",
	    lede, &b), 1);
	ck_assert(story_same(&a, &b, STORY_THRESHOLD));
	story_sig_pack(&b, packed);
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(story_sig_unpack(packed, sizeof(packed), &b), 0);
	ck_assert(story_same(&a, &b, STORY_THRESHOLD));
	ck_assert_int_eq(story_sig_unpack(packed, sizeof(packed) - 1, &b),
	    -1);
	/* all of the second paragraph is in the whole: overlap, not J */
	ck_assert_int_eq(story_sign(sg, NULL, more, &b), 1);
	ck_assert(story_similarity(&a, &b) > 0.9);
	ck_assert_int_eq(story_sign(sg, "Lavrov meets Pompeo", NULL, &b), 0);
	free(whole);
	story_signer_free(sg);
}
END_TEST

/*
 * The keys are checked: a threshold that is not a number in (0, 1] is an
 * error naming the file, its line and the key.
 */
START_TEST(test_story_config)
{
	static const char *const bad[] = { "1.5", "0", "0,5", "-0.4", "half",
	    "0.4.5" };
	struct test_proc	 p;
	const char		*args[] = { "status", "-c", NULL, NULL };
	char			*dir, *conf, *text, *want;
	size_t			 i;

	dir = test_tmpdir();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = xasprintf("[daemon]\nstate = %s/state.db\n"
		    "same-story = 12h\nsame-story-threshold = %s\n\n"
		    "[topic t]\nquery = x\n", dir, bad[i]);
		conf = test_write(dir, "feedwatch.conf", text);
		args[2] = conf;
		test_run(&p, args);
		want = xasprintf("feedwatch.conf:4: same-story-threshold: "
		    "'%s' is not a number", bad[i]);
		ck_assert_msg(p.status != 0 && strstr(p.err, want) != NULL,
		    "%s: %s", bad[i], p.err);
		test_proc_clear(&p);
		free(want);
		free(conf);
		free(text);
	}
	text = xasprintf("[daemon]\nstate = %s/state.db\nsame-story = "
	    "soon\n\n[topic t]\nquery = x\n", dir);
	conf = test_write(dir, "feedwatch.conf", text);
	args[2] = conf;
	test_run(&p, args);
	ck_assert_msg(p.status != 0 && strstr(p.err, "feedwatch.conf:3:") !=
	    NULL && strstr(p.err, "same-story") != NULL, "%s", p.err);
	test_proc_clear(&p);
	free(conf);
	free(text);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* --- the store ---------------------------------------------------- */

/* Claims the story of 'title' and 'text' as storyclaim does. */
static int
claim(struct store *st, struct story_signer *sg,
    const struct config_daemon *cf, const char *topic, const char *title,
    const char *text, const char *feed, const char *alert_id, time_t now)
{
	struct feed_item	 it;
	struct storyclaim	 c;
	int			 rc;

	memset(&it, 0, sizeof(it));
	it.id = alert_id;
	it.title = title;
	it.summary = text;
	storyclaim_init(&c, &it, sg, cf);
	rc = storyclaim_claim(&c, st, topic, feed, alert_id, now);
	storyclaim_release(&c);
	return rc;
}

static long
rows(const char *path, const char *table)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		*sql;
	long		 n = -1;

	sql = xasprintf("SELECT count(*) FROM %s", table);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
	    SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(sql);
	return n;
}

static const char wire[] = "Ukraine said its naval drones struck the "
    "Crimean Bridge before dawn on Monday, killing two people and halting "
    "traffic on the only road link between Russia and the peninsula, "
    "according to officials on both sides.";
static const char template[] = "A story from the Crimea desk of the "
    "Black Sea Courier, published for our subscribers across the region; "
    "the full text is on our website for those who have an account.";
static const char other[] = "Ferry services across the Kerch Strait "
    "resumed on Thursday after a storm, the Crimean transport ministry "
    "said, with the first vessel carrying trucks and cars to the "
    "peninsula from the port of Kavkaz.";

/*
 * A copy finds the story claimed within the window: its feed joins the
 * alert's also_in; an unrelated story, a copy after the window, from the
 * same feed, or for another topic is claimed anew.  Pruning drops signatures older
 * than the window, and what the store holds stays in the file.
 */
START_TEST(test_story_store)
{
	struct config_daemon	 cf;
	struct story_signer	*sg;
	struct store		*st;
	char			*dir, *path, **also;
	time_t			 t0 = 1800000000;

	dir = test_tmpdir();
	path = xasprintf("%s/state.db", dir);
	memset(&cf, 0, sizeof(cf));
	cf.same_story = 60;
	cf.same_story_threshold = STORY_THRESHOLD;
	sg = story_signer_new(STORY_SHINGLE);
	st = store_open(path, STORE_WRITE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(claim(st, sg, &cf, "crimea", "Drones hit Crimean "
	    "Bridge", wire, "a", "A1", t0), 1);
	ck_assert_int_eq(claim(st, sg, &cf, "crimea", "Kyiv says it struck "
	    "bridge to Crimea", wire, "b", "B1", t0 + 30), 0);
	ck_assert_int_eq(claim(st, sg, &cf, "crimea", "Crimea ferry resumes",
	    other, "b", "B2", t0 + 30), 1);
	ck_assert_int_eq(claim(st, sg, &cf, "ukraine", "Bridge attack", wire,
	    "c", "C1", t0 + 30), 1);
	/* a feed's own items are not folded, whatever template they share */
	ck_assert_int_eq(claim(st, sg, &cf, "crimea", "Ferry to Crimea halted "
	    "by high winds", template, "t", "T1", t0 + 30), 1);
	ck_assert_int_eq(claim(st, sg, &cf, "crimea", "Crimea bridge reopens "
	    "to lorries after repairs", template, "t", "T2", t0 + 30), 1);
	/* the window has passed every claim of the story */
	ck_assert_int_eq(claim(st, sg, &cf, "crimea", "Bridge hit", wire, "c",
	    "C2", t0 + 200), 1);
	also = store_story_also_in(st, "A1");
	ck_assert_ptr_nonnull(also);
	ck_assert_str_eq(also[0], "b");
	ck_assert_ptr_null(also[1]);
	g_strfreev(also);
	store_close(st);
	/* seven signatures, B1's under A1's story */
	ck_assert_int_eq(rows(path, "story_sig"), 7);
	ck_assert_int_eq(rows(path, "story_band") > 0, 1);
	st = store_open(path, STORE_WRITE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_prune(st, 0, t0 + 141), 0);
	store_close(st);
	ck_assert_int_eq(rows(path, "story_sig"), 1);
	st = store_open(path, STORE_WRITE);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(store_prune(st, 0, t0 + 201), 0);
	store_close(st);
	ck_assert_int_eq(rows(path, "story_sig"), 0);
	ck_assert_int_eq(rows(path, "story_band"), 0);
	story_signer_free(sg);
	test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* --- end to end --------------------------------------------------- */

/* The copies of the labelled set served below. */
struct copies {
	struct storyset	 set;
};

static void
copies_load(struct copies *c)
{
	char	*dir, err[512];

	dir = xasprintf("%s/tests/data/stories", test_env("FEEDWATCH_SRC"));
	ck_assert_msg(storyset_load(&c->set, dir, err, sizeof(err)) == 0,
	    "%s", err);
	free(dir);
}

/* The RSS item of story 'story' as feed 'feed' carried it (malloc'd). */
static char *
copy_item(const struct copies *c, const char *story, const char *feed)
{
	const struct storyset_item *it;
	char		*title, *summary, *item;
	size_t		 i;

	for (i = 0; i < c->set.n; i++) {
		it = &c->set.v[i];
		if (strcmp(it->story, story) == 0 &&
		    strcmp(it->feed, feed) == 0)
			break;
	}
	ck_assert_msg(i < c->set.n, "no copy of %s by %s", story, feed);
	title = g_markup_escape_text(it->title, -1);
	summary = g_markup_escape_text(it->summary, -1);
	item = xasprintf("<item><title>%s</title><guid>%s-%s</guid>"
	    "<link>https://%s.example/%s</link><description>%s</description>"
	    "<pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>", title,
	    feed, story, feed, story, summary);
	g_free(title);
	g_free(summary);
	return item;
}

static void
serve(struct harness *fx, const struct copies *c, const char *path,
    const char *story, const char *feed, const char *story2,
    const char *feed2)
{
	char	*a, *b = NULL, *items;

	a = copy_item(c, story, feed);
	if (story2 != NULL)
		b = copy_item(c, story2, feed2);
	items = xasprintf("%s%s", a, b != NULL ? b : "");
	harness_publish(fx, path, items);
	free(items);
	free(a);
	free(b);
}

/* `feedwatch check -c CONF`: it must exit 0. */
static void
check(struct harness *fx)
{
	struct test_proc	 p;
	const char		*args[] = { "check", "-c", fx->conf, NULL };

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "check: %s", p.err);
	test_proc_clear(&p);
}

/* `feedwatch backtest -c CONF lavrov`: what it prints (g_free). */
static char *
backtest(struct harness *fx)
{
	struct test_proc	 p;
	const char		*args[] = { "backtest", "-c", fx->conf, "lavrov",
	    NULL };
	char			*out;

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "backtest: %s", p.err);
	out = g_strdup(p.out);
	test_proc_clear(&p);
	return out;
}

/* Feeds r, y and ap at /r.xml, /y.xml, /ap.xml; topic lavrov. */
static char *
sections(const struct harness *fx)
{
	char	*r, *y, *ap, *s;

	r = httpd_url(fx->httpd, "/r.xml");
	y = httpd_url(fx->httpd, "/y.xml");
	ap = httpd_url(fx->httpd, "/ap.xml");
	s = xasprintf("[feed r]\nurl = %s\n\n[feed y]\nurl = %s\n\n"
	    "[feed ap]\nurl = %s\n\n[topic lavrov]\nquery = Lavrov\n", r, y,
	    ap);
	free(r);
	free(y);
	free(ap);
	return s;
}

/* The size of the one non-empty also_in among the alert lines 'text'. */
static size_t
folded_into(const char *text)
{
	char		**lines = g_strsplit(text, "\n", -1);
	json_t		*a, *also;
	size_t		 i, n = 0, found = 0;

	for (i = 0; lines[i] != NULL; i++) {
		if (*lines[i] == '\0')
			continue;
		a = json_loads(lines[i], 0, NULL);
		ck_assert_msg(a != NULL, "not JSON: %s", lines[i]);
		also = json_object_get(a, "also_in");
		if (json_array_size(also) > 0) {
			n = json_array_size(also);
			found++;
		}
		json_decref(a);
	}
	g_strfreev(lines);
	ck_assert_uint_eq(found, 1);
	return n;
}

/*
 * Three outlets carry one wire story (Pompeo and Lavrov in Sochi) under
 * three headlines and links, one of them also Lavrov's talks with Wang
 * Yi the next week: the story alerts once, naming the two other feeds;
 * the Wang Yi story alerts on its own.  With same-story = 0, every copy
 * alerts.
 */
START_TEST(test_story_fold)
{
	struct harness	 fx;
	struct copies	 c;
	char		*sec, *text;
	int		 off;

	copies_load(&c);
	for (off = 0; off < 2; off++) {
		harness_init(&fx);
		serve(&fx, &c, "/r.xml", "S01", "reuters-world", "N01a",
		    "reuters-world");
		serve(&fx, &c, "/y.xml", "S01", "yahoo-news", NULL, NULL);
		serve(&fx, &c, "/ap.xml", "S01", "ap-world", NULL, NULL);
		sec = sections(&fx);
		harness_config(&fx, off ? "same-story = 0\n" : "", sec);
		check(&fx);
		text = test_slurp(fx.alerts);
		ck_assert_msg(test_count_lines(text, "Wang Yi") == 1 &&
		    test_count_lines(text, "") == (off ? 4 : 2),
		    "alerts: %s", text);
		/* whichever came first alerts; the others are in also_in */
		if (!off)
			ck_assert_msg(folded_into(text) == 2, "alerts: %s",
			    text);
		g_free(text);
		/* backtest shows what was sent */
		text = backtest(&fx);
		ck_assert_msg(test_count_lines(text, "Wang Yi") == 1 &&
		    test_count_lines(text, "") == (off ? 4 : 2),
		    "backtest: %s", text);
		g_free(text);
		free(sec);
		harness_release(&fx);
	}
	storyset_release(&c.set);
}
END_TEST

/*
 * The daemon claims the story; after a restart (`check`, a new
 * process) a copy under another headline is folded into it, while a new
 * story from the same feed alerts; once same-story has passed, a copy
 * alerts again.
 */
START_TEST(test_story_window_restart)
{
	struct harness	 fx;
	struct copies	 c;
	char		*sec, *text;

	copies_load(&c);
	harness_init(&fx);
	serve(&fx, &c, "/r.xml", "S01", "reuters-world", NULL, NULL);
	harness_publish(&fx, "/y.xml", "");
	harness_publish(&fx, "/ap.xml", "");
	sec = sections(&fx);
	harness_config(&fx, "same-story = 3s\n", sec);
	harness_run(&fx);
	ck_assert_int_eq(test_wait_lines(fx.alerts, "", 1, WAIT), 1);
	harness_stop(&fx);

	serve(&fx, &c, "/y.xml", "S01", "yahoo-news", "N01a",
	    "reuters-world");
	check(&fx);
	text = test_slurp(fx.alerts);
	ck_assert_msg(test_count_lines(text, "") == 2 &&
	    test_count_lines(text, "Wang Yi") == 1, "alerts: %s", text);
	g_free(text);

	/* a copy once the window has passed */
	g_usleep(4200000);
	serve(&fx, &c, "/ap.xml", "S01", "ap-world", NULL, NULL);
	check(&fx);
	text = test_slurp(fx.alerts);
	ck_assert_msg(test_count_lines(text, "") == 3 &&
	    test_count_lines(text, "\"feed\":\"ap\"") == 1, "alerts: %s",
	    text);
	g_free(text);
	free(sec);
	harness_release(&fx);
	storyset_release(&c.set);
}
END_TEST

/*
 * A state of schema 2 (before signatures) opens and is upgraded, and
 * folds copies from then on.
 */
START_TEST(test_story_upgrade)
{
	struct harness		 fx;
	struct copies		 c;
	struct test_proc	 p;
	const char		*args[] = { "check", "-v", "-c", NULL, NULL };
	sqlite3			*db;
	char			*sec, *text, *err = NULL;

	copies_load(&c);
	harness_init(&fx);
	harness_publish(&fx, "/r.xml", "");
	harness_publish(&fx, "/y.xml", "");
	harness_publish(&fx, "/ap.xml", "");
	sec = sections(&fx);
	harness_config(&fx, "", sec);
	check(&fx);
	ck_assert_int_eq(sqlite3_open(fx.state, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, "DROP TABLE story_band;"
	    "DROP TABLE story_sig; PRAGMA user_version = 4;", NULL, NULL,
	    &err) == SQLITE_OK, "%s", err);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);

	serve(&fx, &c, "/r.xml", "S01", "reuters-world", NULL, NULL);
	serve(&fx, &c, "/y.xml", "S01", "yahoo-news", NULL, NULL);
	args[3] = fx.conf;
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "check: %s", p.err);
	ck_assert_msg(strstr(p.err, "upgraded from schema 4 to") != NULL,
	    "%s", p.err);
	test_proc_clear(&p);
	text = test_slurp(fx.alerts);
	ck_assert_msg(test_count_lines(text, "") == 1, "alerts: %s", text);
	g_free(text);
	free(sec);
	harness_release(&fx);
	storyset_release(&c.set);
}
END_TEST

Suite *
story_suite(void)
{
	const TTest	*unit[] = { test_story_words, test_story_evaluation,
	    test_story_sig, test_story_store, test_story_config, NULL };
	const TTest	*e2e[] = { test_story_fold, test_story_window_restart,
	    test_story_upgrade, NULL };
	Suite		*s = suite_create("story");

	test_tcase(s, "signatures", 30, unit);
	return test_tcase(s, "daemon", 60, e2e);
}
