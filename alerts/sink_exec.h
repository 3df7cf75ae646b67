/*
 * sink_exec.h: the exec sink, a program run per send (SPEC.md section 2;
 * man/sinks.md documents it for users).
 *
 * conf->command is the argv (split like a shell by config.c, run without
 * one, found on $PATH when it has no slash).  The child gets:
 *
 *   stdin    the alerts as SPEC section 5 JSON lines, one per line (the
 *            alerts of one item, one per topic, or a digest have
 *            several), then end of file
 *   env      ours, plus FEEDWATCH_SINK (the sink's name), FEEDWATCH_COUNT
 *            (alerts on stdin), FEEDWATCH_TOPICS (the topics of all of
 *            them, each once, comma-separated) and, from the first alert:
 *            FEEDWATCH_ALERT_ID, FEEDWATCH_TOPIC, FEEDWATCH_QUERY,
 *            FEEDWATCH_FEED, FEEDWATCH_FEED_TITLE, FEEDWATCH_TITLE,
 *            FEEDWATCH_LINK, FEEDWATCH_PUBLISHED, FEEDWATCH_SNIPPET,
 *            FEEDWATCH_MATCHED (comma-separated), FEEDWATCH_DETECTED;
 *            a field the alert lacks is an empty string, and so is a
 *            link that is not a web link (url_is_web)
 *   stdout and stderr   one pipe; the last line is quoted in the error of
 *            a failed run and everything is logged at debug level
 *   a process group of its own, default signal dispositions and mask
 *
 * The exit status decides, sysexits(3) style:
 *
 *   0                     DELIVERED
 *   64-78 except 75       FAILED: the program says retrying cannot help
 *                         (EX_USAGE, EX_DATAERR, EX_NOPERM, EX_CONFIG, ...)
 *   75 (EX_TEMPFAIL), any other non-zero status, death by a signal
 *                         RETRY
 *   not done after conf->timeout seconds (SINK_EXEC_TIMEOUT when 0)
 *                         SIGTERM to the process group, SIGKILL one second
 *                         later, RETRY
 *   the program cannot be started (not found, not executable)
 *                         FAILED
 *
 * Nothing blocks the loop: stdin is written through a non-blocking pipe as
 * the child reads, output is read as it comes, and the exit is seen through
 * a pidfd (or, on kernels without pidfd_open, a 50 ms waitpid(WNOHANG)
 * poll); only our own child is ever waited for.
 */
#ifndef FEEDWATCH_SINK_EXEC_H
#define FEEDWATCH_SINK_EXEC_H

#include <stddef.h>

#include "sink.h"

#define SINK_EXEC_TIMEOUT	30	/* seconds, when conf->timeout is 0 */

struct sink_exec;

/*
 * An exec sink for 'conf' (borrowed: it must outlive the handle).
 * Returns NULL with 'err' filled if there is no command.
 */
struct sink_exec	*sink_exec_new(const struct sink_conf *conf,
			    const struct sink_env *env, char *err,
			    size_t errlen);

/*
 * Kills (SIGKILL to the process group) the children still running ('done'
 * is not called), reaps them (waiting at most 100 ms in all) and frees.
 */
void			 sink_exec_free(struct sink_exec *x);

/* As sink_send(); -1 (logged) if an alert line is not a JSON object. */
int			 sink_exec_send(struct sink_exec *x,
			    const char *const *alerts, size_t n,
			    sink_done_cb *done, void *arg);

#endif
