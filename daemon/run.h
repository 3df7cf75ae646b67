/*
 * run.h: `feedwatch run`, the daemon (SPEC.md sections 1 and 6).
 *
 * One libevent loop drives polls (schedule.c), detection and delivery
 * (watch.c) and every transfer (xfer.c).  SIGHUP reloads the config
 * without dropping in-flight work; SIGTERM and SIGINT stop polling and
 * exit 0 once in-flight polls and deliveries have finished, after 10 s at
 * most (the outbox keeps the rest).  Under systemd it speaks sd_notify:
 * READY, STATUS, WATCHDOG (from the loop, so a stuck loop stops the
 * pings), RELOADING and STOPPING.
 */
#ifndef FEEDWATCH_RUN_H
#define FEEDWATCH_RUN_H

struct config;
struct event_base;

int	cmd_run(int argc, char **argv);

/*
 * Runs the daemon with 'cf' (loaded from 'path', which SIGHUP reloads;
 * ownership passes to the daemon) on 'base', which may carry other
 * events (the demo's feed server), until SIGTERM or SIGINT.  Returns the
 * exit status.
 */
int	run_daemon(const char *path, struct config *cf,
	    struct event_base *base);

#endif
