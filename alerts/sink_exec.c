/*
 * sink_exec.c: alerts handed to a program, without blocking the loop.
 *
 * One struct child per send owns the process, its two pipes and every
 * event watching them, and is freed in one place (child_free).  The child
 * is started with posix_spawnp (vfork-like, safe in a threaded process):
 * its own process group so a timeout can kill what it started too, every
 * signal back to its default (we ignore SIGPIPE, and ignored dispositions
 * survive exec), and no descriptor of ours but the three pipes.
 */
#include "sink_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <glib.h>
#include <jansson.h>

#include "log.h"
#include "url.h"
#include "xmalloc.h"

#define OUT_KEEP	1024	/* bytes of output kept, the latest */
#define POLL_MS		50	/* waitpid poll without a pidfd */
#define KILL_GRACE	1	/* seconds from SIGTERM to SIGKILL */

extern char **environ;

struct child {
	struct sink_exec	*x;
	pid_t			 pid;		/* -1: not started */
	int			 spawn_errno;
	int			 pidfd;
	int			 in_fd, out_fd;
	struct event		*in_ev, *out_ev, *exit_ev, *timeout_ev;
	struct event		*kill_ev, *later_ev;
	char			*input;
	size_t			 inlen, inoff;
	char			 out[OUT_KEEP + 1];
	size_t			 outlen;
	int			 timed_out;
	sink_done_cb		*done;
	void			*arg;
	TAILQ_ENTRY(child)	 entry;
};

struct sink_exec {
	const struct sink_conf	*conf;
	struct sink_env		 env;
	long			 timeout;
	TAILQ_HEAD(, child)	 children;
};

/* Environment variables set from the first alert, and their fields. */
static const struct {
	const char	*var;
	const char	*field;
} env_fields[] = {
	{ "FEEDWATCH_ALERT_ID", "alert_id" },
	{ "FEEDWATCH_TOPIC", "topic" },
	{ "FEEDWATCH_QUERY", "query" },
	{ "FEEDWATCH_FEED", "feed" },
	{ "FEEDWATCH_FEED_TITLE", "feed_title" },
	{ "FEEDWATCH_TITLE", "title" },
	{ "FEEDWATCH_LINK", "link" },
	{ "FEEDWATCH_PUBLISHED", "published" },
	{ "FEEDWATCH_SNIPPET", "snippet" },
	{ "FEEDWATCH_MATCHED", "matched" },
	{ "FEEDWATCH_MATCHED_IN", "matched_in" },
	{ "FEEDWATCH_DETECTED", "detected" },
};

struct sink_exec *
sink_exec_new(const struct sink_conf *conf, const struct sink_env *env,
    char *err, size_t errlen)
{
	struct sink_exec	*x;

	if (conf->command == NULL || conf->ncommand == 0 ||
	    conf->command[0] == NULL) {
		snprintf(err, errlen, "no command");
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	x->conf = conf;
	x->env = *env;
	x->timeout = conf->timeout > 0 ? conf->timeout : SINK_EXEC_TIMEOUT;
	TAILQ_INIT(&x->children);
	return x;
}

static void
event_drop(struct event **ev)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = NULL;
}

static void
fd_close(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void
child_free(struct child *c)
{
	event_drop(&c->in_ev);
	event_drop(&c->out_ev);
	event_drop(&c->exit_ev);
	event_drop(&c->timeout_ev);
	event_drop(&c->kill_ev);
	event_drop(&c->later_ev);
	fd_close(&c->in_fd);
	fd_close(&c->out_fd);
	fd_close(&c->pidfd);
	free(c->input);
	free(c);
}

void
sink_exec_free(struct sink_exec *x)
{
	struct child	*c;
	int		 i, status;

	if (x == NULL)
		return;
	while ((c = TAILQ_FIRST(&x->children)) != NULL) {
		TAILQ_REMOVE(&x->children, c, entry);
		if (c->pid > 0) {
			kill(-c->pid, SIGKILL);
			/* SIGKILL is quick; do not wait on it for long. */
			for (i = 0; i < 20; i++) {
				if (waitpid(c->pid, &status, WNOHANG) != 0)
					break;
				usleep(5000);
			}
			if (i == 20)
				log_debug("sink '%s': pid %ld not reaped",
				    x->conf->name, (long)c->pid);
		}
		child_free(c);
	}
	free(x);
}

/* The last non-empty line of the output, for an error message. */
static void
last_line(struct child *c, char *buf, size_t len)
{
	char	*end, *start, *p;

	c->out[c->outlen] = '\0';
	for (end = c->out + c->outlen; end > c->out &&
	    (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '); end--)
		;
	for (start = end; start > c->out && start[-1] != '\n'; start--)
		;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
	for (p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static void
finish(struct child *c, int status)
{
	struct sink_exec	*x = c->x;
	enum sink_result	 res;
	char			 msg[512], line[256] = "";
	sink_done_cb		*done = c->done;
	void			*arg = c->arg;
	int			 code;

	if (c->pid == -1) {
		res = SINK_FAILED;
		snprintf(msg, sizeof(msg), "cannot run '%s': %s",
		    x->conf->command[0], strerror(c->spawn_errno));
		goto out;
	}
	last_line(c, line, sizeof(line));
	if (log_verbosity() > 0 && c->outlen > 0)
		log_debug("sink '%s': output: %s", x->conf->name, c->out);
	if (c->timed_out) {
		res = SINK_RETRY;
		snprintf(msg, sizeof(msg), "'%s' timed out after %lds",
		    x->conf->command[0], x->timeout);
	} else if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		if (code == 0)
			res = SINK_DELIVERED;
		else if (code >= 64 && code <= 78 && code != 75)
			res = SINK_FAILED;
		else
			res = SINK_RETRY;
		snprintf(msg, sizeof(msg), "'%s' exited with status %d%s%s",
		    x->conf->command[0], code, *line ? ": " : "", line);
	} else {
		res = SINK_RETRY;
		snprintf(msg, sizeof(msg), "'%s' killed by signal %d%s%s",
		    x->conf->command[0], WIFSIGNALED(status) ?
		    WTERMSIG(status) : 0, *line ? ": " : "", line);
	}
 out:
	if (res != SINK_DELIVERED)
		log_warnx("sink '%s': %s", x->conf->name, msg);
	TAILQ_REMOVE(&x->children, c, entry);
	child_free(c);
	done(res, -1, res == SINK_DELIVERED ? NULL : msg, arg);
}

/* Keeps the latest OUT_KEEP bytes of what the child printed. */
static void
keep_output(struct child *c, const char *p, size_t n)
{
	if (n >= OUT_KEEP) {
		memcpy(c->out, p + n - OUT_KEEP, OUT_KEEP);
		c->outlen = OUT_KEEP;
		return;
	}
	if (c->outlen + n > OUT_KEEP) {
		memmove(c->out, c->out + (c->outlen + n - OUT_KEEP),
		    OUT_KEEP - n);
		c->outlen = OUT_KEEP - n;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
}

/* Reads what is there; 1 at end of file or error, 0 if more may come. */
static int
drain_output(struct child *c)
{
	char	 buf[4096];
	ssize_t	 n;

	while ((n = read(c->out_fd, buf, sizeof(buf))) > 0)
		keep_output(c, buf, n);
	return n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR);
}

static void
on_output(evutil_socket_t fd, short what, void *arg)
{
	struct child	*c = arg;

	if (drain_output(c)) {
		event_drop(&c->out_ev);
		fd_close(&c->out_fd);
	}
}

static void
on_input(evutil_socket_t fd, short what, void *arg)
{
	struct child	*c = arg;
	ssize_t		 n;

	while (c->inoff < c->inlen) {
		n = write(c->in_fd, c->input + c->inoff, c->inlen - c->inoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)	/* EPIPE: the program does not read stdin */
			break;
		c->inoff += n;
	}
	event_drop(&c->in_ev);
	fd_close(&c->in_fd);
}

/* Reaps the child if it is done; then reports. */
static void
try_reap(struct child *c)
{
	pid_t	 r;
	int	 status = 0;

	while ((r = waitpid(c->pid, &status, WNOHANG)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return;
	if (r == -1) {
		/* ECHILD: someone set SIGCHLD to SIG_IGN; we cannot know. */
		log_warnx("sink '%s': waitpid: %s", c->x->conf->name,
		    strerror(errno));
		status = 0xff00;	/* reported as exit status 255: retry */
	}
	c->pid = 0;
	if (c->out_fd != -1)
		drain_output(c);
	finish(c, status);
}

static void
on_exit_ready(evutil_socket_t fd, short what, void *arg)
{
	try_reap(arg);
}

static void
on_kill(evutil_socket_t fd, short what, void *arg)
{
	struct child	*c = arg;

	kill(-c->pid, SIGKILL);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct child		*c = arg;
	const struct timeval	 grace = { KILL_GRACE, 0 };

	c->timed_out = 1;
	kill(-c->pid, SIGTERM);
	if ((c->kill_ev = evtimer_new(c->x->env.base, on_kill, c)) == NULL ||
	    evtimer_add(c->kill_ev, &grace) == -1)
		kill(-c->pid, SIGKILL);
}

static void
on_later(evutil_socket_t fd, short what, void *arg)
{
	finish(arg, 0);
}

/* "NAME=" and the strings of the array 'm', comma-separated (malloc'd). */
static char *
env_list(const char *name, const json_t *m)
{
	GString		*g = g_string_new(NULL);
	const char	*val;
	char		*s;
	size_t		 j;

	for (j = 0; j < json_array_size(m); j++)
		if ((val = json_string_value(json_array_get(m, j))) != NULL)
			g_string_append_printf(g, "%s%s", j ? "," : "", val);
	s = xasprintf("%s=%s", name, g->str);
	g_string_free(g, TRUE);
	return s;
}

/*
 * "NAME=value" strings: ours, then the rest of environ without them.
 * FEEDWATCH_TOPICS has the topics of all the 'alerts'; the fields are
 * the first alert's.
 */
static char **
make_env(const struct sink_exec *x, const json_t *alerts)
{
	GPtrArray	*v = g_ptr_array_new();
	const json_t	*m, *first = json_array_get(alerts, 0);
	json_t		*items, *topics;
	const char	*val;
	size_t		 i, j, len;
	char		**env;

	g_ptr_array_add(v, xasprintf("FEEDWATCH_SINK=%s", x->conf->name));
	g_ptr_array_add(v, xasprintf("FEEDWATCH_COUNT=%zu",
	    json_array_size(alerts)));
	items = sink_alerts_items(alerts);
	topics = sink_items_topics(items);
	g_ptr_array_add(v, env_list("FEEDWATCH_TOPICS", topics));
	json_decref(topics);
	json_decref(items);
	for (i = 0; i < sizeof(env_fields) / sizeof(env_fields[0]); i++) {
		m = json_object_get(first, env_fields[i].field);
		if (json_is_array(m))
			g_ptr_array_add(v, env_list(env_fields[i].var, m));
		else {
			val = json_string_value(m);
			/* A link a script may open: http and https only. */
			if (strcmp(env_fields[i].field, "link") == 0 &&
			    !url_is_web(val))
				val = NULL;
			g_ptr_array_add(v, xasprintf("%s=%s", env_fields[i].var,
			    val ? val : ""));
		}
	}
	len = v->len;
	for (i = 0; environ != NULL && environ[i] != NULL; i++) {
		for (j = 0; j < len; j++) {
			const char *ours = g_ptr_array_index(v, j);
			size_t k = strchr(ours, '=') - ours + 1;

			if (strncmp(environ[i], ours, k) == 0)
				break;
		}
		if (j == len)
			g_ptr_array_add(v, xstrdup(environ[i]));
	}
	env = xcalloc(v->len + 1, sizeof(*env));
	for (i = 0; i < v->len; i++)
		env[i] = g_ptr_array_index(v, i);
	g_ptr_array_free(v, TRUE);
	return env;
}

/* A pipe end at 3 or above, so that dup2 onto 0..2 never is a no-op. */
static int
fd_high(int fd)
{
	int	 nfd;

	if (fd > 2)
		return fd;
	if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		fatal("%s: fcntl", __func__);
	close(fd);
	return nfd;
}

/* Starts the child; 0, or an errno value (c->pid stays -1). */
static int
spawn(struct sink_exec *x, struct child *c, char **env)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 all, none;
	int				 in[2] = { -1, -1 }, out[2] = { -1, -1 };
	int				 rc, i;
	pid_t				 pid;

	if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1) {
		rc = errno;
		fd_close(&in[0]);
		fd_close(&in[1]);
		return rc;
	}
	for (i = 0; i < 2; i++) {
		in[i] = fd_high(in[i]);
		out[i] = fd_high(out[i]);
	}
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in[0], 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, out[1], 2)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) != 0 ||
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) != 0)
		goto out;
	rc = posix_spawnp(&pid, x->conf->command[0], &fa, &attr,
	    x->conf->command, env);
	if (rc == 0)
		c->pid = pid;
 out:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	if (rc != 0) {
		close(in[1]);
		close(out[0]);
		return rc;
	}
	c->in_fd = in[1];
	c->out_fd = out[0];
	if (fcntl(c->in_fd, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(c->out_fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("%s: fcntl", __func__);
	return 0;
}

/* Watches stdin, output, exit and the timeout of a started child. */
static int
watch(struct sink_exec *x, struct child *c)
{
	struct event_base	*base = x->env.base;
	struct timeval		 tv = { x->timeout, 0 };
	const struct timeval	 poll_tv = { 0, POLL_MS * 1000 };

	if ((c->in_ev = event_new(base, c->in_fd, EV_WRITE | EV_PERSIST,
	    on_input, c)) == NULL || event_add(c->in_ev, NULL) == -1 ||
	    (c->out_ev = event_new(base, c->out_fd, EV_READ | EV_PERSIST,
	    on_output, c)) == NULL || event_add(c->out_ev, NULL) == -1 ||
	    (c->timeout_ev = evtimer_new(base, on_timeout, c)) == NULL ||
	    evtimer_add(c->timeout_ev, &tv) == -1)
		return -1;
	if ((c->pidfd = pidfd_open(c->pid, 0)) != -1) {
		if ((c->exit_ev = event_new(base, c->pidfd, EV_READ,
		    on_exit_ready, c)) == NULL ||
		    event_add(c->exit_ev, NULL) == -1)
			return -1;
	} else if ((c->exit_ev = event_new(base, -1, EV_PERSIST,
	    on_exit_ready, c)) == NULL ||
	    event_add(c->exit_ev, &poll_tv) == -1)
		return -1;
	return 0;
}

int
sink_exec_send(struct sink_exec *x, const char *const *alerts, size_t n,
    sink_done_cb *done, void *arg)
{
	struct child		*c;
	json_t			*arr;
	GString			*in;
	char			**env = NULL;
	size_t			 i;
	const struct timeval	 now = { 0, 0 };

	if ((arr = sink_alerts_parse(x->conf->name, alerts, n)) == NULL)
		return -1;
	c = xcalloc(1, sizeof(*c));
	c->x = x;
	c->pid = -1;
	c->pidfd = c->in_fd = c->out_fd = -1;
	c->done = done;
	c->arg = arg;
	in = g_string_new(NULL);
	for (i = 0; i < n; i++)
		g_string_append_printf(in, "%s\n", alerts[i]);
	c->inlen = in->len;
	c->input = xstrdup(in->str);
	g_string_free(in, TRUE);
	env = make_env(x, arr);
	json_decref(arr);
	TAILQ_INSERT_TAIL(&x->children, c, entry);
	if ((c->spawn_errno = spawn(x, c, env)) != 0) {
		/* Reported from the loop, as every outcome is. */
		if ((c->later_ev = evtimer_new(x->env.base, on_later, c)) ==
		    NULL || evtimer_add(c->later_ev, &now) == -1)
			fatalx("%s: cannot schedule a callback", __func__);
	} else if (watch(x, c) == -1)
		fatalx("%s: cannot watch a child", __func__);
	else
		log_debug("sink '%s': started '%s' (pid %ld)", x->conf->name,
		    x->conf->command[0], (long)c->pid);
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
	return 0;
}
