/* log.c: stderr logging with journald priority prefixes. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sd-daemon(3) priorities, as journald reads them from a stream. */
enum {
	PRIO_ERR = 3,
	PRIO_WARNING = 4,
	PRIO_INFO = 6,
	PRIO_DEBUG = 7
};

static int	 verbose;
static int	 journal;

void
log_init(int verbosity)
{
	verbose = verbosity;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

int
log_verbosity(void)
{
	return verbose;
}

static void
vlog(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char	 line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (journal)
		fprintf(stderr, "<%d>%s%s%s\n", prio, line,
		    suffix ? ": " : "", suffix ? suffix : "");
	else
		fprintf(stderr, "feedwatch: %s%s%s\n", line,
		    suffix ? ": " : "", suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(PRIO_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(PRIO_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (verbose < 0)
		return;
	va_start(ap, fmt);
	vlog(PRIO_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(PRIO_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vlog(PRIO_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(PRIO_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
