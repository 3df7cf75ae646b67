/*
 * suites.h: the Check suites linked into tests/run, and helpers they share.
 *
 * Every suite reads its environment from tests/run's caller (the Makefile):
 * FEEDWATCH (the binary under test), FEEDWATCH_SHARED (../shared: corpus,
 * examples) and FEEDWATCH_SRC (the source tree).
 */
#ifndef FEEDWATCH_SUITES_H
#define FEEDWATCH_SUITES_H

#include <check.h>
#include <sys/types.h>

Suite	*config_suite(void);
Suite	*parser_suite(void);
Suite	*match_suite(void);
Suite	*e2e_suite(void);
Suite	*daemon_suite(void);
Suite	*hostile_suite(void);
Suite	*sinks_suite(void);
Suite	*url_suite(void);
Suite	*article_suite(void);

/* $name, or fails the current test with a message naming it. */
const char	*test_env(const char *name);

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
void		 test_proc_clear(struct test_proc *p);

/*
 * Starts $FEEDWATCH with 'args' in the background, its stdout and stderr
 * appended to 'log'.  Returns the pid.
 */
pid_t		 test_spawn(const char *const *args, const char *log);
/* The same with files capped at 'fsize' bytes (a full disk, SIGXFSZ ignored). */
pid_t		 test_spawn_fsize(const char *const *args, const char *log,
		    long fsize);
/* Waits up to 'secs' for 'pid' to exit; its status as for test_run, or -1. */
int		 test_wait(pid_t pid, double secs);
/* Waits up to 'secs' until 'path' has at least 'n' lines; returns the count. */
int		 test_wait_lines(const char *path, int n, double secs);

/* A fresh directory under $TMPDIR; remove it with test_rmtree(). */
char		*test_tmpdir(void);
void		 test_rmtree(const char *dir);
/* Writes 'text' to DIR/NAME and returns that path (malloc'd). */
char		*test_write(const char *dir, const char *name, const char *text);
/* The whole file, NUL-terminated (malloc'd); fails the test if unreadable. */
char		*test_slurp(const char *path);
/* Number of lines of 's' that contain 'needle'. */
int		 test_count_lines(const char *s, const char *needle);

#endif
