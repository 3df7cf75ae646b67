/* run.c: the test runner; one binary for every suite (CK_FORK isolates crashes). */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "xmalloc.h"

const char *
test_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "$%s is not set: run through "
	    "'make check'", name);
	return v;
}

Suite *
test_tcase(Suite *s, const char *name, double timeout,
    const TTest *const *tests)
{
	TCase	*tc = tcase_create(name);
	size_t	 i;

	tcase_set_timeout(tc, timeout);
	for (i = 0; tests[i] != NULL; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}

/* Where the corpus should be; 'found' says whether it is there. */
static const char *
corpus_where(int *found)
{
	static char	*dir;
	static int	 ok;
	const char	*shared = getenv("FEEDWATCH_SHARED");
	char		*index;

	if (dir == NULL) {
		dir = xasprintf("%s/corpus", shared != NULL && *shared != '\0' ?
		    shared : "../shared");
		index = xasprintf("%s/reference.jsonl", dir);
		ok = access(index, R_OK) == 0;
		free(index);
	}
	*found = ok;
	return dir;
}

static int
corpus_required(void)
{
	const char *v = getenv("FEEDWATCH_REQUIRE_CORPUS");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

const char *
test_corpus_dir(void)
{
	const char	*dir;
	int		 found;

	dir = corpus_where(&found);
	return found || corpus_required() ? dir : NULL;
}

void
test_need(const char *prog, const char *pkg)
{
	char	*path;

	path = g_find_program_in_path(prog);
	ck_assert_msg(path != NULL, "'%s' is not installed: it comes with "
	    "Debian's package '%s' (scripts/install-deps.sh installs it)",
	    prog, pkg);
	g_free(path);
}

/* $FEEDWATCH and 'args', NULL-terminated: an argv to exec. */
static GPtrArray *
argv_of(const char *const *args)
{
	GPtrArray	*argv = g_ptr_array_new();
	size_t		 i;

	g_ptr_array_add(argv, (gpointer)test_env("FEEDWATCH"));
	for (i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	return argv;
}

/* In a child about to exec: becomes 'pw' (NULL: stays); -1 on failure. */
static int
become(const struct passwd *pw)
{
	if (pw == NULL)
		return 0;
	if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		return -1;
	return 0;
}

/* g_spawn_sync()'s child setup for test_run_as(). */
static void
become_or_exit(gpointer pw)
{
	if (become(pw) == -1)
		_exit(126);
}

/* g_spawn_sync()'s child setup for test_run_input(). */
static void
stdin_from(gpointer path)
{
	int	 fd;

	if ((fd = open(path, O_RDONLY)) == -1 ||
	    dup2(fd, STDIN_FILENO) == -1)
		_exit(126);
	close(fd);
}

/* Runs $FEEDWATCH with 'args', 'setup' run in the child (if not NULL). */
static void
run(struct test_proc *p, const char *const *args, GSpawnChildSetupFunc setup,
    gpointer data)
{
	GPtrArray	*argv = argv_of(args);
	GError		*err = NULL;
	gint		 status;

	memset(p, 0, sizeof(*p));
	ck_assert_msg(g_spawn_sync(NULL, (gchar **)argv->pdata, NULL,
	    G_SPAWN_DEFAULT, setup, data, &p->out, &p->err, &status, &err),
	    "cannot run feedwatch: %s", err ? err->message : "?");
	g_ptr_array_free(argv, TRUE);
	if (WIFEXITED(status))
		p->status = WEXITSTATUS(status);
	else
		p->status = 128 + WTERMSIG(status);
}

void
test_run(struct test_proc *p, const char *const *args)
{
	run(p, args, NULL, NULL);
}

void
test_run_as(struct test_proc *p, const char *const *args,
    const struct passwd *pw)
{
	run(p, args, pw != NULL ? become_or_exit : NULL, (gpointer)pw);
}

void
test_run_input(struct test_proc *p, const char *const *args,
    const char *input)
{
	run(p, args, stdin_from, (gpointer)input);
}

void
test_proc_clear(struct test_proc *p)
{
	g_free(p->out);
	g_free(p->err);
	memset(p, 0, sizeof(*p));
}

/*
 * Starts $FEEDWATCH with 'args', its output appended to 'log', in 'cwd'
 * (NULL: here), as 'pw' (NULL: as is), its files capped at 'fsize' bytes
 * (-1: no cap).
 */
static pid_t
spawn(const char *const *args, const char *log, const char *cwd,
    const struct passwd *pw, long fsize)
{
	GPtrArray	*argv = argv_of(args);
	struct rlimit	 rl;
	pid_t		 pid;
	int		 fd;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644)) ==
		    -1 || dup2(fd, STDOUT_FILENO) == -1 ||
		    dup2(fd, STDERR_FILENO) == -1)
			_exit(127);
		close(fd);
		if ((cwd != NULL && chdir(cwd) == -1) || become(pw) == -1)
			_exit(127);
		if (fsize >= 0) {
			rl.rlim_cur = rl.rlim_max = (rlim_t)fsize;
			signal(SIGXFSZ, SIG_IGN);
			if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
				_exit(127);
		}
		execv(argv->pdata[0], (char *const *)argv->pdata);
		_exit(127);
	}
	g_ptr_array_free(argv, TRUE);
	return pid;
}

pid_t
test_spawn(const char *const *args, const char *log)
{
	return spawn(args, log, NULL, NULL, -1);
}

pid_t
test_spawn_fsize(const char *const *args, const char *log, long fsize)
{
	return spawn(args, log, NULL, NULL, fsize);
}

pid_t
test_spawn_as(const char *const *args, const char *log, const char *cwd,
    const struct passwd *pw)
{
	return spawn(args, log, cwd, pw, -1);
}

int
test_wait(pid_t pid, double secs)
{
	int	 status;
	double	 waited = 0;

	while (waited < secs) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
		g_usleep(50000);
		waited += 0.05;
	}
	return -1;
}

int
test_lines_with(const char *path, const char *needle)
{
	gchar	*text;
	int	 n = 0;

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		n = test_count_lines(text, needle);
		g_free(text);
	}
	return n;
}

int
test_wait_lines(const char *path, const char *needle, int n, double secs)
{
	double	 waited = 0;
	int	 lines;

	while ((lines = test_lines_with(path, needle)) < n && waited < secs) {
		g_usleep(50000);
		waited += 0.05;
	}
	return lines;
}

char *
test_tmpdir(void)
{
	GError	*err = NULL;
	char	*d;

	d = g_dir_make_tmp("feedwatch-test-XXXXXX", &err);
	ck_assert_msg(d != NULL, "mkdtemp: %s", err ? err->message : "?");
	return d;
}

void
test_rmtree(const char *dir)
{
	GDir		*d;
	const char	*name;
	char		*path;

	if ((d = g_dir_open(dir, 0, NULL)) == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
			test_rmtree(path);
		else
			g_unlink(path);
		g_free(path);
	}
	g_dir_close(d);
	g_rmdir(dir);
}

char *
test_write(const char *dir, const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, name);

	ck_assert_msg(g_file_set_contents(path, text, -1, NULL),
	    "cannot write %s", path);
	return path;
}

char *
test_slurp(const char *path)
{
	gchar	*text;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL),
	    "cannot read %s", path);
	return text;
}

int
test_count_lines(const char *s, const char *needle)
{
	const char	*eol;
	char		*line;
	int		 n = 0;

	for (; s != NULL && *s != '\0'; s = *eol ? eol + 1 : eol) {
		eol = strchrnul(s, '\n');
		line = xstrndup(s, eol - s);
		if (strstr(line, needle) != NULL)
			n++;
		free(line);
	}
	return n;
}

int
test_free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, port;

	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static size_t
collect_body(char *p, size_t size, size_t n, void *arg)
{
	g_string_append_len(arg, p, size * n);
	return size * n;
}

char *
test_http_get(const char *url, long *code)
{
	CURL	*c;
	GString	*body = g_string_new(NULL);

	ck_assert_ptr_nonnull(c = curl_easy_init());
	*code = 0;
	if (curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body) ==
	    CURLE_OK && curl_easy_setopt(c, CURLOPT_WRITEDATA, body) ==
	    CURLE_OK && curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L) == CURLE_OK &&
	    curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
	curl_easy_cleanup(c);
	return g_string_free(body, FALSE);
}

int
main(void)
{
	SRunner		*sr;
	const char	*corpus;
	int		 failed, found;

	corpus = corpus_where(&found);
	if (!found)
		printf(corpus_required() ? "error: no corpus at %s, and "
		    "$FEEDWATCH_REQUIRE_CORPUS is set: its tests fail\n" :
		    "skipped: no corpus at %s (the test cases that read it "
		    "did not run)\n", corpus);
	/* before the forks, or each test would print it again */
	fflush(stdout);
	sr = srunner_create(config_suite());
	srunner_add_suite(sr, parser_suite());
	srunner_add_suite(sr, match_suite());
	srunner_add_suite(sr, e2e_suite());
	srunner_add_suite(sr, daemon_suite());
	srunner_add_suite(sr, hostile_suite());
	srunner_add_suite(sr, webhook_suite());
	srunner_add_suite(sr, push_suite());
	srunner_add_suite(sr, email_suite());
	srunner_add_suite(sr, exec_suite());
	srunner_add_suite(sr, desktop_suite());
	srunner_add_suite(sr, url_suite());
	srunner_add_suite(sr, store_suite());
	srunner_add_suite(sr, opml_suite());
	srunner_add_suite(sr, watch_suite());
	srunner_add_suite(sr, schedule_suite());
	srunner_add_suite(sr, mute_suite());
	srunner_add_suite(sr, article_suite());
	srunner_add_suite(sr, auth_suite());
	srunner_add_suite(sr, subscribe_suite());
	srunner_add_suite(sr, terminal_suite());
	srunner_add_suite(sr, fulltext_suite());
	srunner_add_suite(sr, story_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
