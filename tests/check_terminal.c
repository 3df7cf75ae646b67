/*
 * check_terminal.c: what a person at a terminal sees.  The binary runs on
 * a pseudo-terminal of the test's (posix_openpt), as in an xterm: the
 * stdout sink writes text there (JSON lines into a pipe), in colour
 * unless NO_COLOR is set, with feed text that cannot drive the terminal;
 * the file sink writes text with format = text; the demo prints its
 * alerts without log lines between them.  termtext_render() is also
 * given what the parser never lets through (raw escape sequences), as an
 * outbox row written by anything else could hold it.
 */
#include "suites.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "termtext.h"
#include "xmalloc.h"

/* A run of $FEEDWATCH with a pseudo-terminal as its stdin, stdout, stderr. */
struct pty_run {
	pid_t	 pid;
	int	 master;
	GString	*out;		/* all it wrote */
	int	 closed;	/* the terminal's other side is gone */
};

static void
pty_start(struct pty_run *r, const char *const *args)
{
	GPtrArray	*argv = g_ptr_array_new();
	const char	*name;
	size_t		 i;
	int		 fd;

	memset(r, 0, sizeof(*r));
	r->out = g_string_new(NULL);
	ck_assert_int_ne(r->master = posix_openpt(O_RDWR | O_NOCTTY |
	    O_CLOEXEC), -1);
	ck_assert_int_eq(grantpt(r->master), 0);
	ck_assert_int_eq(unlockpt(r->master), 0);
	ck_assert_ptr_nonnull(name = ptsname(r->master));
	g_ptr_array_add(argv, (gpointer)test_env("FEEDWATCH"));
	for (i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	ck_assert_int_ne(r->pid = fork(), -1);
	if (r->pid == 0) {
		/* A session of its own, the terminal its controlling one. */
		if (setsid() == -1 || (fd = open(name, O_RDWR)) == -1 ||
		    dup2(fd, STDIN_FILENO) == -1 ||
		    dup2(fd, STDOUT_FILENO) == -1 ||
		    dup2(fd, STDERR_FILENO) == -1)
			_exit(127);
		if (fd > STDERR_FILENO)
			close(fd);
		execv(argv->pdata[0], (char *const *)argv->pdata);
		_exit(127);
	}
	g_ptr_array_free(argv, TRUE);
}

/*
 * Reads what it writes until 'needle' is in it (NULL: until it exits) or
 * 'secs' have passed.
 */
static void
pty_read(struct pty_run *r, const char *needle, double secs)
{
	struct pollfd	 pfd;
	char		 buf[4096];
	gint64		 end = g_get_monotonic_time() + (gint64)(secs * 1e6);
	ssize_t		 n;

	while (!r->closed && (needle == NULL || strstr(r->out->str,
	    needle) == NULL) && g_get_monotonic_time() < end) {
		pfd.fd = r->master;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		/* EIO once no process has the terminal open any more. */
		if ((n = read(r->master, buf, sizeof(buf))) > 0)
			g_string_append_len(r->out, buf, n);
		else if (n == 0 || errno != EINTR)
			r->closed = 1;
	}
}

/* Reads the rest, waits for the exit: its status; frees 'r' but 'out'. */
static int
pty_finish(struct pty_run *r)
{
	int	 status;

	pty_read(r, NULL, 10);
	status = test_wait(r->pid, 10);
	close(r->master);
	return status;
}

/*
 * A fresh directory, in '*dir', with a config for
 * tests/data/terminal/wire.json, a topic and the 'sinks' (where @DIR@
 * stands for the directory): its path.
 */
static char *
wire_config(char **dir, const char *sinks)
{
	char	*text, *conf, **parts, *with_dir;

	*dir = test_tmpdir();
	parts = g_strsplit(sinks, "@DIR@", -1);
	with_dir = g_strjoinv(*dir, parts);
	g_strfreev(parts);
	text = xasprintf("[daemon]\nstate = %s/state.db\nbackfill = 36500d\n"
	    "[feed wire]\nurl = %s/tests/data/terminal/wire.json\n"
	    "[topic lavrov]\nquery = Lavrov\npriority = high\n%s", *dir,
	    test_env("FEEDWATCH_SRC"), with_dir);
	conf = test_write(*dir, "feedwatch.conf", text);
	g_free(with_dir);
	free(text);
	return conf;
}

/* What a terminal must never get from feed text. */
static void
assert_inert(const char *out)
{
	ck_assert_msg(strstr(out, "\033[2J") == NULL, "%s", out);
	ck_assert_msg(strstr(out, "\033]") == NULL, "%s", out);
	/* C1 CSI, OSC, ST; RIGHT-TO-LEFT OVERRIDE, POP DIRECTIONAL. */
	ck_assert_msg(strstr(out, "\xc2\x9b") == NULL &&
	    strstr(out, "\xc2\x9d") == NULL && strstr(out, "\xc2\x9c") == NULL,
	    "%s", out);
	ck_assert_msg(strstr(out, "\xe2\x80\xae") == NULL &&
	    strstr(out, "\xe2\x80\xac") == NULL, "%s", out);
}

/*
 * On a terminal the stdout sink writes text: local time, topic, feed,
 * title, then the link indented; in colour, a high-priority topic in
 * red, unless $NO_COLOR is 'nocolour' (NULL: unset).
 */
static void
check_on_terminal(const char *nocolour)
{
	struct pty_run	 r;
	char		*dir, *conf;
	const char	*args[] = { "check", "-c", NULL, NULL };

	args[2] = conf = wire_config(&dir, "[sink term]\ntype = stdout\n");
	setenv("TZ", "Europe/Istanbul", 1);
	setenv("TERM", "xterm", 1);
	if (nocolour != NULL)
		setenv("NO_COLOR", nocolour, 1);
	else
		unsetenv("NO_COLOR");
	pty_start(&r, args);
	ck_assert_int_eq(pty_finish(&r), 0);
	assert_inert(r.out->str);
	ck_assert_msg(strstr(r.out->str, "Lavrov arrives in Ankara") != NULL &&
	    strstr(r.out->str, "for talks") != NULL, "%s", r.out->str);
	/* The link on a line of its own, indented. */
	ck_assert_msg(strstr(r.out->str, "\n  https://wire.example.org/2019/05/"
	    "14/lavrov-ankara\r\n") != NULL, "%s", r.out->str);
	ck_assert_msg(strstr(r.out->str, "{\"alert_id\"") == NULL, "%s",
	    r.out->str);
	if (nocolour != NULL) {
		ck_assert_msg(strchr(r.out->str, '\033') == NULL, "%s",
		    r.out->str);
		/* 10:00Z is 13:00 in Istanbul. */
		ck_assert_msg(strstr(r.out->str, "2019-05-14 13:00 [lavrov] "
		    "Ankara Wire \xe2\x80\x94 Lavrov arrives") != NULL, "%s",
		    r.out->str);
	} else
		ck_assert_msg(strstr(r.out->str, "\033[2m2019-05-14 13:00"
		    "\033[0m [\033[1;31mlavrov\033[0m] \033[36mAnkara Wire") !=
		    NULL, "%s", r.out->str);
	g_string_free(r.out, TRUE);
	free(conf);
	test_rmtree(dir);
	free(dir);
}

START_TEST(terminal_text)
{
	check_on_terminal(NULL);
}
END_TEST

START_TEST(terminal_no_color)
{
	check_on_terminal("1");
}
END_TEST

/* Into a pipe the same sink writes JSON lines, for programs. */
START_TEST(terminal_pipe_json)
{
	struct test_proc	 p;
	char			*dir, *conf;
	const char		*args[] = { "check", "-c", NULL, NULL };

	args[2] = conf = wire_config(&dir, "[sink term]\ntype = stdout\n");
	test_run(&p, args);
	ck_assert_msg(p.status == 0, "exit %d: %s", p.status, p.err);
	ck_assert_int_eq(test_count_lines(p.out, "{\"alert_id\":"), 1);
	ck_assert_int_eq(test_count_lines(p.out, "\"priority\":\"high\""), 1);
	test_proc_clear(&p);
	free(conf);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * A file sink writes JSON lines unless format = text, even when stdout
 * is a terminal; its text never has colours.
 */
START_TEST(terminal_file_formats)
{
	struct pty_run	 r;
	char		*dir, *conf, *json, *text, *body;
	const char	*args[] = { "check", "-c", NULL, NULL };

	args[2] = conf = wire_config(&dir, "[sink json]\ntype = file\n"
	    "path = @DIR@/alerts.jsonl\n[sink text]\ntype = file\n"
	    "path = @DIR@/alerts.txt\nformat = text\n");
	json = xasprintf("%s/alerts.jsonl", dir);
	text = xasprintf("%s/alerts.txt", dir);
	setenv("TERM", "xterm", 1);
	unsetenv("NO_COLOR");
	pty_start(&r, args);
	ck_assert_int_eq(pty_finish(&r), 0);
	ck_assert_int_eq(test_lines_with(json, "{\"alert_id\":"), 1);
	body = test_slurp(text);
	ck_assert_msg(strchr(body, '\033') == NULL, "%s", body);
	assert_inert(body);
	ck_assert_int_eq(test_count_lines(body, "] Ankara Wire \xe2\x80\x94 "
	    "Lavrov arrives in Ankara"), 1);
	ck_assert_int_eq(test_count_lines(body, "  https://wire.example.org/"),
	    1);
	g_free(body);
	g_string_free(r.out, TRUE);
	free(conf);
	free(text);
	free(json);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Text with what the parser never lets through, as a sink may get it: a
 * title (a JSON string's body) and what shows of it.
 */
static const char *const escape_cases[][2] = {
	{ "a\\u001b[2Jb", "ab" },
	{ "a\\u001b[1;31;4mb\\u001b[0m", "ab" },
	{ "a\\u001b]0;owned\\u0007b", "ab" },
	{ "a\\u001b]8;;https://evil/\\u001b\\\\b", "ab" },
	{ "a\\u001bPq#0;2;0;0;0\\u001b\\\\b", "ab" },
	{ "a\\u001b(Bb\\u001bcc", "abc" },
	{ "a\\u009b2Jb\\u009d0;x\\u009cc", "abc" },
	{ "a\\u0007\\u0008\\tb\\r\\nc\\u007fd", "a   b  c d" },
	{ "left \\u202eright\\u202c \\u2066x\\u2069", "left right x" },
	{ "trailing \\u001b[", "trailing " },
	{ "unended \\u001b]0;title", "unended " },
};

START_TEST(terminal_escapes_dropped)
{
	char		*line, *out, *want;
	json_t		*arr;
	json_error_t	 jerr;
	size_t		 i;

	for (i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]); i++) {
		line = xasprintf("[{\"topic\":\"t\",\"feed\":\"f\",\"id\":"
		    "\"1\",\"feed_title\":\"F\",\"title\":\"%s\"}]",
		    escape_cases[i][0]);
		ck_assert_msg((arr = json_loads(line, 0, &jerr)) != NULL,
		    "%s", jerr.text);
		out = termtext_render(arr, 1);
		want = xasprintf("[\033[33mt\033[0m] \033[36mF\033[0m "
		    "\xe2\x80\x94 \033[1m%s\033[0m\n", escape_cases[i][1]);
		ck_assert_msg(strcmp(out, want) == 0, "case %zu: '%s', want "
		    "'%s'", i, out, want);
		free(want);
		free(out);
		json_decref(arr);
		free(line);
	}
}
END_TEST

/*
 * Alerts of one send about one item make one entry naming their topics;
 * a high priority among them makes it red.  No time, no feed title, no
 * link: what is there still reads.
 */
START_TEST(terminal_one_entry_per_item)
{
	json_t	*arr;
	char	*out;

	ck_assert_ptr_nonnull(arr = json_loads("["
	    "{\"topic\":\"crimea\",\"feed\":\"w\",\"id\":\"1\","
	    "\"title\":\"A\",\"link\":\"https://e.org/1\","
	    "\"published\":\"2019-05-14T10:00:00Z\"},"
	    "{\"topic\":\"lavrov\",\"feed\":\"w\",\"id\":\"1\","
	    "\"title\":\"A\",\"link\":\"https://e.org/1\","
	    "\"priority\":\"high\"},"
	    "{\"topic\":\"crimea\",\"feed\":\"w\",\"id\":\"2\","
	    "\"title\":\"\",\"link\":\"javascript:alert(1)\"}]", 0, NULL));
	setenv("TZ", "UTC", 1);
	out = termtext_render(arr, 0);
	ck_assert_str_eq(out, "2019-05-14 10:00 [crimea, lavrov] w "
	    "\xe2\x80\x94 A\n  https://e.org/1\n[crimea] w \xe2\x80\x94 "
	    "(untitled)\n");
	free(out);
	out = termtext_render(arr, 1);
	ck_assert_msg(strstr(out, "[\033[1;31mcrimea, lavrov\033[0m]") !=
	    NULL && strstr(out, "[\033[33mcrimea\033[0m]") != NULL, "%s", out);
	free(out);
	json_decref(arr);
}
END_TEST

/*
 * The README's demo on a terminal: text lines for the example alerts and
 * the live ones, and no log line between them.
 */
START_TEST(terminal_demo)
{
	struct pty_run	 r;
	const char	*args[] = { "demo", NULL };

	setenv("FEEDWATCH_DEMO_PERIOD", "1", 1);
	setenv("NO_COLOR", "1", 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	pty_start(&r, args);
	pty_read(&r, "(live 2)", 20);
	ck_assert_int_eq(kill(r.pid, SIGINT), 0);
	ck_assert_int_eq(pty_finish(&r), 0);
	/* Two topics match the Pompeo story: one entry naming both. */
	ck_assert_int_eq(test_count_lines(r.out->str, "[crimea, lavrov] "
	    "Example World News \xe2\x80\x94 Pompeo to Lavrov: Trump "
	    "Administration"), 1);
	ck_assert_int_eq(test_count_lines(r.out->str, "  https://news.example."
	    "org/world/2019/05/14/pompeo-lavrov-sochi"), 1);
	ck_assert_int_ge(test_count_lines(r.out->str, "] Live demo wire "
	    "\xe2\x80\x94 "), 2);
	/* The daemon's log is kept for -v: no "sink ...: delivered". */
	ck_assert_msg(strstr(r.out->str, "delivered") == NULL &&
	    strstr(r.out->str, "{\"alert_id\"") == NULL, "%s", r.out->str);
	g_string_free(r.out, TRUE);
}
END_TEST

Suite *
terminal_suite(void)
{
	const TTest	*tests[] = { terminal_text, terminal_no_color,
	    terminal_pipe_json, terminal_file_formats, terminal_escapes_dropped,
	    terminal_one_entry_per_item, terminal_demo, NULL };

	return test_tcase(suite_create("terminal"), "terminal", 30, tests);
}
