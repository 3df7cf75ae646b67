/*
 * serve.h: a libevent loop in a thread of its own, for the tests' servers.
 *
 * tests/httpd.c and tests/hostile.c answer on 127.0.0.1 while the test
 * thread runs the feedwatch binary and waits.  Each sets up its listener
 * on 'base' between serve_init() and serve_start(), and frees it between
 * serve_stop() and serve_release(): once serve_stop() has returned, the
 * loop thread is gone and everything on 'base' belongs to the caller.
 * Every failure fails the current test.
 */
#ifndef FEEDWATCH_SERVE_H
#define FEEDWATCH_SERVE_H

#include <pthread.h>

struct event;
struct event_base;

struct serve {
	struct event_base	*base;
	struct event		*stop_ev;
	int			 stop_pipe[2];
	pthread_t		 thread;
};

/*
 * A new event base in 'base'.  SIGPIPE is ignored from now on: a client
 * that hangs up mid-answer must not kill the test.
 */
void	serve_init(struct serve *s);
/* Runs the loop of 'base' in a new thread. */
void	serve_start(struct serve *s);
/* Breaks the loop from the test's thread and joins the loop thread. */
void	serve_stop(struct serve *s);
/* Frees the base, once the caller has freed what it set up on it. */
void	serve_release(struct serve *s);

#endif
