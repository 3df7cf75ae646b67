/*
 * suites.h: the Check suites linked into tests/run, and helpers they share
 * (run.c): running the binary, files, waits.  The rig of the suites that
 * run the daemon against live feeds is harness.h.
 *
 * Every suite reads its environment from tests/run's caller (the Makefile):
 * FEEDWATCH (the binary under test), FEEDWATCH_SRC (the source tree, whose
 * tests/data/ and examples/ hold every fixture the suites need) and
 * FEEDWATCH_SHARED (../shared, for its third-party corpus only: see
 * test_corpus_dir()).
 */
#ifndef FEEDWATCH_SUITES_H
#define FEEDWATCH_SUITES_H

#include <check.h>
#include <sys/types.h>

struct passwd;

Suite	*config_suite(void);
Suite	*parser_suite(void);
Suite	*match_suite(void);
Suite	*e2e_suite(void);
Suite	*daemon_suite(void);
Suite	*hostile_suite(void);
Suite	*webhook_suite(void);
Suite	*email_suite(void);
Suite	*exec_suite(void);
Suite	*desktop_suite(void);
Suite	*url_suite(void);
Suite	*store_suite(void);
Suite	*opml_suite(void);
Suite	*watch_suite(void);
Suite	*schedule_suite(void);
Suite	*article_suite(void);
Suite	*auth_suite(void);
Suite	*subscribe_suite(void);
Suite	*terminal_suite(void);
Suite	*fulltext_suite(void);
Suite	*story_suite(void);
Suite	*mute_suite(void);
Suite	*push_suite(void);

/*
 * Adds to 's' the test case 'name' of 'tests' (NULL-terminated), run in
 * that order, each for 'timeout' seconds at most.  Returns 's'.
 */
Suite		*test_tcase(Suite *s, const char *name, double timeout,
		    const TTest *const *tests);

/* $name, or fails the current test with a message naming it. */
const char	*test_env(const char *name);

/*
 * The third-party feed corpus, $FEEDWATCH_SHARED/corpus, or NULL where it
 * is missing: the suites then leave out the test cases that read it, and
 * tests/run says so in one line.  With $FEEDWATCH_REQUIRE_CORPUS=1 (CI)
 * the path comes back even so, and those test cases fail.  Callable
 * outside a test (where suites are built).
 */
const char	*test_corpus_dir(void);

/*
 * Fails the current test, naming the Debian package 'pkg' that provides
 * it, where the program 'prog' (a name or a path) is not installed: a
 * missing tool never lets a test pass unchecked.
 */
void		 test_need(const char *prog, const char *pkg);

/* What a run of the feedwatch binary printed and how it exited. */
struct test_proc {
	char	*out;
	char	*err;
	int	 status;	/* exit status, or 128 + signal */
};

/*
 * Runs $FEEDWATCH with 'args' (NULL-terminated, without the program) and
 * waits.  Free the result with test_proc_clear().
 */
void		 test_run(struct test_proc *p, const char *const *args);
/* The same as the user and group of 'pw' (NULL: as the test runs). */
void		 test_run_as(struct test_proc *p, const char *const *args,
		    const struct passwd *pw);
/* The same with the file 'input' on its standard input (else /dev/null). */
void		 test_run_input(struct test_proc *p, const char *const *args,
		    const char *input);
void		 test_proc_clear(struct test_proc *p);

/*
 * Starts $FEEDWATCH with 'args' in the background, its stdout and stderr
 * appended to 'log'.  Returns the pid.
 */
pid_t		 test_spawn(const char *const *args, const char *log);
/* The same with files capped at 'fsize' bytes (a full disk, SIGXFSZ ignored). */
pid_t		 test_spawn_fsize(const char *const *args, const char *log,
		    long fsize);
/* The same in directory 'cwd' (NULL: the test's), as 'pw' (NULL: as is). */
pid_t		 test_spawn_as(const char *const *args, const char *log,
		    const char *cwd, const struct passwd *pw);
/* Waits up to 'secs' for 'pid' to exit; its status as for test_run, or -1. */
int		 test_wait(pid_t pid, double secs);
/* Lines of the file 'path' holding 'needle' ("": all); 0 without the file. */
int		 test_lines_with(const char *path, const char *needle);
/* Waits up to 'secs' until that count is at least 'n'; returns the count. */
int		 test_wait_lines(const char *path, const char *needle, int n,
		    double secs);

/* A fresh directory under $TMPDIR; remove it with test_rmtree(). */
char		*test_tmpdir(void);
void		 test_rmtree(const char *dir);
/* Writes 'text' to DIR/NAME and returns that path (malloc'd). */
char		*test_write(const char *dir, const char *name, const char *text);
/* The whole file, NUL-terminated (malloc'd); fails the test if unreadable. */
char		*test_slurp(const char *path);
/* Number of lines of 's' that contain 'needle'. */
int		 test_count_lines(const char *s, const char *needle);

/* A free TCP port on 127.0.0.1 (the kernel's pick, released again). */
int		 test_free_port(void);
/* GET 'url' (5 s at most): the body (g_free) and the status in 'code'. */
char		*test_http_get(const char *url, long *code);

#endif
