/* serve.c: the loop thread of the tests' servers. */
#include "serve.h"

#include <signal.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

/*
 * The loop is stopped through a pipe: the tests do not turn on libevent's
 * locking (evthread_use_pthreads), so the test's thread may not touch the
 * base while the loop runs.
 */
static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct serve	*s = arg;

	event_base_loopbreak(s->base);
}

static void *
run(void *arg)
{
	struct serve	*s = arg;

	event_base_dispatch(s->base);
	return NULL;
}

void
serve_init(struct serve *s)
{
	signal(SIGPIPE, SIG_IGN);
	ck_assert_ptr_nonnull(s->base = event_base_new());
}

void
serve_start(struct serve *s)
{
	ck_assert_int_eq(pipe(s->stop_pipe), 0);
	s->stop_ev = event_new(s->base, s->stop_pipe[0], EV_READ, on_stop, s);
	ck_assert_int_eq(event_add(s->stop_ev, NULL), 0);
	ck_assert_int_eq(pthread_create(&s->thread, NULL, run, s), 0);
}

void
serve_stop(struct serve *s)
{
	ck_assert_int_eq(write(s->stop_pipe[1], "x", 1), 1);
	pthread_join(s->thread, NULL);
}

void
serve_release(struct serve *s)
{
	event_free(s->stop_ev);
	event_base_free(s->base);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
}
