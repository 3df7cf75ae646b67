/*
 * check_opml.c: `feedwatch opml import` and `[daemon] opml` fed OPML files
 * crafted as an attacker would craft them, and what becomes of the config
 * file an import rewrites.
 *
 * Whatever the OPML file holds, an import adds [feed] sections with http
 * or https URLs and nothing else, names each outline it leaves out and
 * why, keeps the user's text, mode, owner and symbolic link, and on any
 * failure leaves the old file and no temporary file behind.
 */
#include "suites.h"

#include <sys/stat.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "config.h"
#include "confwrite.h"
#include "harness.h"
#include "httpd.h"
#include "xmalloc.h"

static const char lavrov_rss[] =
    "<rss version=\"2.0\"><channel><title>L</title><item>"
    "<title>Lavrov speaks</title><guid>l1</guid>"
    "<link>https://l.example.org/1</link>"
    "<pubDate>Fri, 27 Nov 2026 09:00:00 GMT</pubDate></item>"
    "</channel></rss>";

/* Writes DIR/NAME, an OPML document of 'outlines'; returns its path. */
static char *
opml_write(const char *dir, const char *name, const char *outlines)
{
	char	*doc, *path;

	doc = xasprintf("<?xml version=\"1.0\"?>\n<opml version=\"2.0\">"
	    "<head><title>subs</title></head><body>\n%s</body></opml>\n",
	    outlines);
	path = test_write(dir, name, doc);
	free(doc);
	return path;
}

/*
 * What an import may append after the user's text: blank lines, comments,
 * [feed NAME] headers and their url and tags, with no control character
 * but the line ends.
 */
static void
assert_only_feeds(const char *added)
{
	gchar	**lines;
	size_t	  i;
	const char *p;

	for (p = added; *p != '\0'; p++)
		ck_assert_msg(*p == '\n' || (unsigned char)*p >= 0x20,
		    "control character 0x%02x in what the import wrote", *p);
	lines = g_strsplit(added, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		ck_assert_msg(lines[i][0] == '\0' || lines[i][0] == '#' ||
		    strncmp(lines[i], "[feed ", 6) == 0 ||
		    g_ascii_strncasecmp(lines[i], "url = http", 10) == 0 ||
		    strncmp(lines[i], "tags = ", 7) == 0,
		    "the import wrote '%s'", lines[i]);
	g_strfreev(lines);
}

/* The import run of most tests: 'opml' into 'conf'. */
static void
import(struct test_proc *p, const char *opml, const char *conf)
{
	const char	*args[] = { "opml", "import", opml, "-c", conf, NULL };

	test_run(p, args);
}

/* Importing 'opml' into 'conf' again adds nothing and exits 'status'. */
static void
import_again(const char *opml, const char *conf, int status)
{
	struct test_proc	 p;

	import(&p, opml, conf);
	ck_assert_int_eq(p.status, status);
	ck_assert_ptr_nonnull(strstr(p.out, "nothing to add"));
	test_proc_clear(&p);
}

static void
config_ok(const char *conf, const char *counts)
{
	struct test_proc	 p;
	const char		*args[] = { "config", "check", "-c", conf,
	    NULL };

	test_run(&p, args);
	ck_assert_msg(p.status == 0, "config check: %d: %s", p.status, p.err);
	ck_assert_msg(strstr(p.out, counts) != NULL, "%s", p.out);
	test_proc_clear(&p);
}

/* Names in 'dir' other than those in 'keep' (NULL-terminated). */
static int
extra_files(const char *dir, const char *const *keep)
{
	GDir		*d;
	const char	*name;
	size_t		 i;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = g_dir_open(dir, 0, NULL));
	while ((name = g_dir_read_name(d)) != NULL) {
		for (i = 0; keep[i] != NULL && strcmp(keep[i], name) != 0; i++)
			;
		if (keep[i] == NULL) {
			fprintf(stderr, "left behind: %s/%s\n", dir, name);
			n++;
		}
	}
	g_dir_close(d);
	return n;
}

/*
 * An xmlUrl whose character references (which libxml2 decodes) make the
 * lines of an exec sink; a title, a folder and a category that try the
 * same.  Then a poll that alerts: no command may run.
 */
START_TEST(test_import_injection)
{
	struct harness		 h;
	struct test_proc	 p;
	const char		*chk[] = { "check", "--feed", "local", "-c",
	    NULL, NULL };
	char			*opml, *outlines, *text, *pwned, *url, *orig;

	harness_init(&h);
	httpd_route(h.httpd, "/l.xml", 200, "application/rss+xml", lavrov_rss,
	    sizeof(lavrov_rss) - 1, NULL);
	pwned = xasprintf("%s/PWNED", h.dir);
	url = httpd_url(h.httpd, "/l.xml");
	orig = xasprintf("# my feeds\n[daemon]\nstate = %s\n"
	    "backfill = 36500d\n\n[feed local]\nurl = %s\n\n[topic lavrov]\n"
	    "query = Lavrov\n\n[sink log]\ntype = file\npath = %s\n", h.state,
	    url, h.alerts);
	h.conf = test_write(h.dir, "feedwatch.conf", orig);
	outlines = xasprintf(
	    "<outline text=\"Evil\" xmlUrl=\"http://127.0.0.1:%d/evil.xml&#10;"
	    "[sink x]&#10;type = exec&#10;command = /bin/touch %s&#10;\"/>\n"
	    "<outline text=\"T&#10;[sink v]&#10;type = exec&#10;command = "
	    "/bin/touch %s\" xmlUrl=\"https://t.example.org/rss\"/>\n"
	    "<outline text=\"F&#10;[sink u]&#10;type = exec, x&#13;\">"
	    "<outline text=\"In folder\" xmlUrl=\"https://f.example.org/rss\" "
	    "category=\"/a/c&#10;[sink s]&#10;type = exec\"/></outline>\n",
	    httpd_port(h.httpd), pwned, pwned);
	opml = opml_write(h.dir, "evil.opml", outlines);

	import(&p, opml, h.conf);
	ck_assert_msg(p.status == 1, "import: %d: %s", p.status, p.err);
	ck_assert_int_eq(test_count_lines(p.err, "skipped"), 1);
	ck_assert_msg(strstr(p.err, "opml '") != NULL &&
	    strstr(p.err, "outline 'Evil': xmlUrl 'http://127.0.0.1:") !=
	    NULL &&
	    strstr(p.err, "control character") != NULL, "%s", p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "added 2 feeds"));
	test_proc_clear(&p);

	text = test_slurp(h.conf);
	ck_assert_msg(strncmp(text, orig, strlen(orig)) == 0, "%s", text);
	assert_only_feeds(text + strlen(orig));
	ck_assert_ptr_null(strstr(text + strlen(orig), "\n["
	    "sink"));
	ck_assert_ptr_nonnull(strstr(text, "url = https://t.example.org/rss"
	    "\n"));
	ck_assert_ptr_nonnull(strstr(text, "url = https://f.example.org/rss\n"
	    "tags = F [sink u] type = exec x, c [sink s] type = exec\n"));
	g_free(text);
	config_ok(h.conf, "(3 feeds, 1 topics, 1 sinks)");

	/* The topic alerts every sink there is: only the file sink exists. */
	chk[4] = h.conf;
	test_run(&p, chk);
	ck_assert_msg(p.status == 0, "check: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	ck_assert_int_eq(test_wait_lines(h.alerts, "", 1, 5), 1);
	ck_assert_msg(access(pwned, F_OK) == -1, "the OPML file ran a command");

	free(orig);
	free(url);
	free(outlines);
	free(opml);
	free(pwned);
	harness_release(&h);
}
END_TEST

/* Every kind of xmlUrl that is not a web feed is refused, by name, redacted. */
START_TEST(test_import_schemes)
{
	static const char *const bad[] = {
		"CR", "http://a.example.org/x&#13;[sink y]&#13;type = exec",
		"literal", "http://a.example.org/x\n[sink w]\ntype = exec",
		"tab", "http://a.example.org/&#9;x",
		"file", "file:///etc/passwd",
		"js", "javascript:alert(1)",
		"data", "data:text/xml,&lt;rss/&gt;",
		"ftp", "ftp://ftp.example.org/feed.xml",
		"relative", "/feed.xml",
		"nohost", "https:///feed.xml",
		"space", "http://a.example.org/a b",
		"quote", "http://a.example.org/a&quot;b",
		"ctl", "http://a.example.org/&#x85;",
		"ftppw", "ftp://bob:s3cret@ftp.example.org/?token=s3cret",
	};
	struct test_proc	 p;
	GString			*o = g_string_new(NULL);
	char			*dir, *conf, *opml, *text, *name;
	size_t			 i;

	dir = test_tmpdir();
	conf = test_write(dir, "feedwatch.conf", "[feed old]\n"
	    "url = https://old.example.org/rss\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i += 2)
		g_string_append_printf(o, "<outline text=\"%s\" "
		    "xmlUrl=\"%s\"/>\n", bad[i], bad[i + 1]);
	g_string_append(o, "<outline text=\"Upper\" "
	    "xmlUrl=\"HTTPS://Upper.Example.org/Feed\"/>\n"
	    "<outline text=\"Query\" "
	    "xmlUrl=\"https://q.example.org/rss?a=1&amp;b=2\"/>\n"
	    "<outline text=\"Old again\" "
	    "xmlUrl=\"https://old.example.org/rss\"/>\n"
	    "<outline text=\"Query\" "
	    "xmlUrl=\"https://q.example.org/rss?a=1&amp;b=2\"/>\n"
	    "<outline xmlUrl=\"https://bob:s3cret@pw.example.org/rss\"/>\n");
	opml = opml_write(dir, "subs.opml", o->str);

	import(&p, opml, conf);
	ck_assert_msg(p.status == 1, "import: %d: %s", p.status, p.err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i += 2) {
		name = xasprintf("outline '%s': xmlUrl '", bad[i]);
		ck_assert_msg(test_count_lines(p.err, name) == 1,
		    "%s not reported once: %s", bad[i], p.err);
		free(name);
	}
	ck_assert_int_eq(test_count_lines(p.err, "; skipped"), 13);
	ck_assert_int_eq(test_count_lines(p.err, "subs.opml"), 13);
	ck_assert_ptr_nonnull(strstr(p.err, "'ftp://***@ftp.example.org/?"
	    "token=***'"));
	ck_assert_ptr_null(strstr(p.err, "s3cret"));
	ck_assert_ptr_nonnull(strstr(p.out, "added 3 feeds"));
	test_proc_clear(&p);

	text = test_slurp(conf);
	assert_only_feeds(text);
	ck_assert_ptr_nonnull(strstr(text, "[feed upper]\n"
	    "url = HTTPS://Upper.Example.org/Feed\n"));
	ck_assert_ptr_nonnull(strstr(text, "[feed query]\n"
	    "url = https://q.example.org/rss?a=1&b=2\n"));
	/* An untitled feed is named after its host, never its password. */
	ck_assert_ptr_nonnull(strstr(text, "[feed pw-example-org]\n"
	    "url = https://bob:s3cret@pw.example.org/rss\n"));
	ck_assert_int_eq(test_count_lines(text, "[feed "), 4);
	g_free(text);
	config_ok(conf, "(4 feeds");

	/* Nothing new: the config is left alone, the refusals stand. */
	import_again(opml, conf, 1);

	g_string_free(o, TRUE);
	free(opml);
	free(conf);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * The config keeps its text byte for byte, its mode, its owner (when the
 * test runs as root) and its symbolic link.
 */
START_TEST(test_import_keeps_file)
{
	static const char orig[] = "# mine\n[feed a]\nurl   =   "
	    "https://a.example.org/rss  \n\n\n#  end, no newline";
	struct test_proc	 p;
	struct passwd		*pw;
	struct stat		 sb;
	char			*dir, *conf, *opml, *text, *real, *link;

	dir = test_tmpdir();
	conf = test_write(dir, "feedwatch.conf", orig);
	ck_assert_int_eq(chmod(conf, 0600), 0);
	opml = opml_write(dir, "subs.opml", "<outline text=\"B\" "
	    "xmlUrl=\"https://b.example.org/\"/>");
	import(&p, opml, conf);
	ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	text = test_slurp(conf);
	ck_assert_msg(strncmp(text, orig, sizeof(orig) - 1) == 0 &&
	    text[sizeof(orig) - 1] == '\n', "%s", text);
	assert_only_feeds(text + sizeof(orig));
	g_free(text);
	ck_assert_int_eq(stat(conf, &sb), 0);
	ck_assert_msg((sb.st_mode & 07777) == 0600, "mode %o",
	    sb.st_mode & 07777);

	/* Another owner, another mode: both kept. */
	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		ck_assert_int_eq(chown(conf, pw->pw_uid, pw->pw_gid), 0);
		ck_assert_int_eq(chmod(conf, 0640), 0);
		free(opml_write(dir, "subs.opml",
		    "<outline xmlUrl=\"https://c.example.org/\"/>"));
		import(&p, opml, conf);
		ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
		test_proc_clear(&p);
		ck_assert_int_eq(stat(conf, &sb), 0);
		ck_assert_int_eq(sb.st_uid, pw->pw_uid);
		ck_assert_int_eq(sb.st_gid, pw->pw_gid);
		ck_assert_int_eq(sb.st_mode & 07777, 0640);
		config_ok(conf, "(3 feeds");
	}

	/* Through a symbolic link, the file changes and the link stays. */
	real = xasprintf("%s/real.conf", dir);
	link = xasprintf("%s/link.conf", dir);
	ck_assert_int_eq(rename(conf, real), 0);
	ck_assert_int_eq(symlink("real.conf", link), 0);
	free(opml_write(dir, "subs.opml", "<outline text=\"D\" "
	    "xmlUrl=\"https://d.example.org/\"/>"));
	import(&p, opml, link);
	ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
	test_proc_clear(&p);
	ck_assert_int_eq(lstat(link, &sb), 0);
	ck_assert_msg(S_ISLNK(sb.st_mode), "the link was replaced by a file");
	text = test_slurp(real);
	ck_assert_ptr_nonnull(strstr(text, "url = https://d.example.org/\n"));
	g_free(text);

	free(real);
	free(link);
	free(opml);
	free(conf);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * A directory the import may not write to, and a write that fails half
 * way (a file size limit): the config is as it was, no temporary file is
 * left, and the message names the file and the reason.
 */
START_TEST(test_import_write_fails)
{
	static const char orig[] = "[feed a]\nurl = https://a.example.org/\n";
	static const char *const keep[] = { "feedwatch.conf", NULL };
	static const char *const keep2[] = { "feedwatch.conf", "subs.opml",
	    "big.opml", "import.log", "ro", NULL };
	struct test_proc	 p;
	struct passwd		*pw = NULL;
	const char		*args[] = { "opml", "import", NULL, "-c", NULL,
	    NULL };
	char			*dir, *ro, *conf, *opml, *text, *log;
	GString			*o = g_string_new(NULL);
	pid_t			 pid;
	int			 i;

	dir = test_tmpdir();
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ro = xasprintf("%s/ro", dir);
	ck_assert_int_eq(mkdir(ro, 0755), 0);
	conf = test_write(ro, "feedwatch.conf", orig);
	opml = opml_write(dir, "subs.opml", "<outline text=\"B\" "
	    "xmlUrl=\"https://b.example.org/\"/>");
	ck_assert_int_eq(chmod(opml, 0644), 0);
	/* Root writes anywhere: the import runs as nobody, the file's owner. */
	if (geteuid() == 0) {
		ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
		ck_assert_int_eq(chown(conf, pw->pw_uid, pw->pw_gid), 0);
	}
	ck_assert_int_eq(chmod(ro, 0555), 0);
	args[2] = opml;
	args[4] = conf;
	test_run_as(&p, args, pw);
	ck_assert_msg(p.status == 1, "import: %d: %s", p.status, p.err);
	ck_assert_msg(strstr(p.err, conf) != NULL &&
	    strstr(p.err, "Permission denied") != NULL &&
	    strstr(p.err, "unchanged") != NULL, "%s", p.err);
	test_proc_clear(&p);
	text = test_slurp(conf);
	ck_assert_str_eq(text, orig);
	g_free(text);
	ck_assert_int_eq(extra_files(ro, keep), 0);
	ck_assert_int_eq(chmod(ro, 0755), 0);

	/*
	 * No file may pass 4 KiB (the old config is smaller, the message
	 * fits): the new copy, with 200 feeds, fails half way.
	 */
	free(conf);
	conf = test_write(dir, "feedwatch.conf", orig);
	for (i = 0; i < 200; i++)
		g_string_append_printf(o, "<outline xmlUrl=\"https://"
		    "example.org/%d\"/>\n", i);
	free(opml);
	opml = opml_write(dir, "big.opml", o->str);
	log = xasprintf("%s/import.log", dir);
	args[2] = opml;
	args[4] = conf;
	pid = test_spawn_fsize(args, log, 4096);
	ck_assert_int_eq(test_wait(pid, 30), 1);
	text = test_slurp(log);
	ck_assert_msg(strstr(text, conf) != NULL &&
	    strstr(text, "File too large") != NULL &&
	    strstr(text, "unchanged") != NULL, "%s", text);
	g_free(text);
	text = test_slurp(conf);
	ck_assert_str_eq(text, orig);
	g_free(text);
	ck_assert_int_eq(extra_files(dir, keep2), 0);

	g_string_free(o, TRUE);
	free(log);
	free(opml);
	free(conf);
	free(ro);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * 10,000 outlines in 100 folders, all titled alike (as a reader's export
 * of untitled feeds is), and 100 that the config has already: every name
 * is unique, the import does not slow down with each name taken, and a
 * second import adds nothing.  One more outline lists 10,000 categories.
 */
START_TEST(test_import_many)
{
	struct test_proc	 p;
	GString			*o = g_string_new(NULL);
	GString			*c = g_string_new(NULL);
	char			*dir, *conf, *opml, *text;
	int			 i, j;

	dir = test_tmpdir();
	for (i = 0; i < 100; i++)
		g_string_append_printf(c, "[feed have%d]\n"
		    "url = https://have.example.org/%d\n", i, i);
	conf = test_write(dir, "feedwatch.conf", c->str);
	for (i = 0; i < 100; i++) {
		g_string_append_printf(o, "<outline text=\"Folder %d\">\n", i);
		for (j = 0; j < 100; j++)
			g_string_append_printf(o, "<outline text=\"RSS\" "
			    "xmlUrl=\"https://feeds.example.org/%d/%d\"/>\n",
			    i, j);
		g_string_append_printf(o, "<outline text=\"RSS\" "
		    "xmlUrl=\"https://have.example.org/%d\"/>\n", i);
		g_string_append(o, "</outline>\n");
	}
	/* and one feed in 10,000 categories: it keeps 32 tags */
	g_string_append(o, "<outline text=\"Cats\" xmlUrl=\"https://c."
	    "example.org/\" category=\"");
	for (i = 0; i < 10000; i++)
		g_string_append_printf(o, "%s/c%d", i > 0 ? "," : "", i);
	g_string_append(o, "\"/>\n");
	opml = opml_write(dir, "subs.opml", o->str);
	import(&p, opml, conf);
	ck_assert_msg(p.status == 0, "import: %d: %s", p.status, p.err);
	ck_assert_msg(strstr(p.out, "added 10001 feeds (100 of 10101 were "
	    "there already, 0 skipped)") != NULL, "%s", p.out);
	test_proc_clear(&p);
	text = test_slurp(conf);
	ck_assert_ptr_nonnull(strstr(text, "[feed rss]\n"));
	ck_assert_ptr_nonnull(strstr(text, "[feed rss-10000]\n"
	    "url = https://feeds.example.org/99/99\ntags = Folder 99\n"));
	ck_assert_ptr_nonnull(strstr(text, "[feed cats]\n"
	    "url = https://c.example.org/\ntags = c0, c1, c2, "));
	ck_assert_ptr_nonnull(strstr(text, ", c31\n"));
	assert_only_feeds(text + c->len);
	g_free(text);
	config_ok(conf, "(10101 feeds");
	import_again(opml, conf, 0);

	g_string_free(o, TRUE);
	g_string_free(c, TRUE);
	free(opml);
	free(conf);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* [daemon] opml: an outline that cannot be a feed is a config error. */
START_TEST(test_daemon_opml_refused)
{
	struct test_proc	 p;
	const char		*chk[] = { "config", "check", "-c", NULL,
	    NULL };
	char			*dir, *conf, *opml;

	dir = test_tmpdir();
	opml = opml_write(dir, "subs.opml", "<outline text=\"Good\" "
	    "xmlUrl=\"https://g.example.org/\"/>\n"
	    "<outline text=\"Local\" xmlUrl=\"file:///etc/shadow\"/>\n"
	    "<outline text=\"Evil\" xmlUrl=\"https://e.example.org/&#10;"
	    "[sink x]\"/>\n");
	conf = test_write(dir, "feedwatch.conf", "# opml\n[daemon]\n"
	    "opml = subs.opml\n");
	chk[3] = conf;
	test_run(&p, chk);
	ck_assert_msg(p.status == 2, "config check: %d: %s", p.status, p.out);
	ck_assert_int_eq(test_count_lines(p.err, "feedwatch.conf:3: opml '"),
	    2);
	ck_assert_msg(strstr(p.err, "subs.opml': outline 'Local': xmlUrl "
	    "'file:///etc/shadow' (line 4) is not an http or https URL; fix") !=
	    NULL, "%s", p.err);
	ck_assert_msg(strstr(p.err, "subs.opml': outline 'Evil': xmlUrl "
	    "'https://e.example.org/ [sink x]' (line 5) holds a line break") !=
	    NULL, "%s", p.err);
	test_proc_clear(&p);

	free(opml_write(dir, "subs.opml", "<outline text=\"Good\" "
	    "xmlUrl=\"https://g.example.org/\"/>"));
	config_ok(conf, "(1 feeds");
	free(opml);
	free(conf);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* The writer itself renders nothing that could leave its line or list. */
START_TEST(test_feed_section)
{
	static const char *const bad_tags[] = { "a,b", "a\nb", "a\rb", " a",
	    "a ", "", "a\x7f", "a\xc2\x85", "\xff" };
	struct config_feed	 f;
	char			 err[256], *s, *tags[2];
	char			 name[] = "news-1", bad_name[] = "a]\n[sink x";
	char			 url[] = "https://n.example.org/rss?a=1&b=2";
	char			 bad_url[] = "https://n.example.org/\n[sink x]";
	char			 file_url[] = "file:///etc/passwd";
	char			 tag1[] = "World News", tag2[] = "Мир";
	size_t			 i;

	memset(&f, 0, sizeof(f));
	f.name = name;
	f.url = url;
	tags[0] = tag1;
	tags[1] = tag2;
	f.tags.v = tags;
	f.tags.n = 2;
	ck_assert_ptr_nonnull(s = config_feed_section(&f, err, sizeof(err)));
	ck_assert_str_eq(s, "[feed news-1]\nurl = https://n.example.org/rss?"
	    "a=1&b=2\ntags = World News, Мир\n");
	free(s);

	f.tags.n = 1;
	for (i = 0; i < sizeof(bad_tags) / sizeof(bad_tags[0]); i++) {
		tags[0] = xstrdup(bad_tags[i]);
		ck_assert_msg(config_feed_section(&f, err, sizeof(err)) == NULL,
		    "tag %zu written", i);
		free(tags[0]);
	}
	tags[0] = tag1;
	f.url = bad_url;
	ck_assert_ptr_null(config_feed_section(&f, err, sizeof(err)));
	f.url = file_url;
	ck_assert_ptr_null(config_feed_section(&f, err, sizeof(err)));
	f.url = url;
	f.name = bad_name;
	ck_assert_ptr_null(config_feed_section(&f, err, sizeof(err)));
}
END_TEST

Suite *
opml_suite(void)
{
	const TTest	*tests[] = { test_feed_section, test_import_injection,
	    test_import_schemes, test_import_keeps_file,
	    test_import_write_fails, test_import_many,
	    test_daemon_opml_refused, NULL };

	return test_tcase(suite_create("opml"), "opml", 60, tests);
}
