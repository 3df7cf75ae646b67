/*
 * log.h: the daemon's log, OpenBSD style.
 *
 * Lines go to stderr.  Under systemd ($JOURNAL_STREAM set) each line
 * starts with its sd-daemon(3) "<N>" priority so journald files it right.
 * Messages follow git's style: lowercase, no final period, the subject
 * first and quoted ("feed 'lwn': http 503, retry in 120s").
 *
 * Levels: warnings always; info unless -q; debug with -v.
 */
#ifndef FEEDWATCH_LOG_H
#define FEEDWATCH_LOG_H

#include <stdarg.h>

/* verbosity: -1 quiet (warnings only), 0 default, 1 and up debug. */
void	log_init(int verbosity);
int	log_verbosity(void);

/* log_warn appends ": strerror(errno)". */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log and exit(1).  Only for startup, OOM and broken invariants. */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
