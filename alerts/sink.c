/* sink.c: the stdout and file sinks. */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "log.h"
#include "xmalloc.h"

struct sink {
	char	*name;
	char	*path;		/* NULL: stdout */
};

struct sink *
sink_stdout_new(const char *name)
{
	struct sink	*s;

	s = xcalloc(1, sizeof(*s));
	s->name = xstrdup(name);
	return s;
}

struct sink *
sink_file_new(const char *name, const char *path)
{
	struct sink	*s;

	s = sink_stdout_new(name);
	s->path = xstrdup(path);
	return s;
}

void
sink_free(struct sink *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->path);
	free(s);
}

const char *
sink_name(const struct sink *s)
{
	return s->name;
}

/* One write(2) per line: concurrent appenders never interleave within it. */
static int
write_line(int fd, const char *json)
{
	size_t	 len = strlen(json);
	char	*line;
	ssize_t	 n;

	line = xmalloc(len + 1);
	memcpy(line, json, len);
	line[len] = '\n';
	n = write(fd, line, len + 1);
	free(line);
	return n == (ssize_t)(len + 1) ? 0 : -1;
}

int
sink_deliver(struct sink *s, const struct alert *a)
{
	char	*json;
	int	 fd = STDOUT_FILENO, rc = -1;

	if ((json = alert_to_json(a)) == NULL) {
		log_warnx("sink '%s': alert %s cannot be encoded", s->name,
		    a->id);
		return -1;
	}
	if (s->path != NULL && (fd = open(s->path, O_WRONLY | O_APPEND |
	    O_CREAT | O_CLOEXEC, 0644)) == -1) {
		log_warn("sink '%s': open '%s'", s->name, s->path);
		goto out;
	}
	if (s->path == NULL)
		fflush(stdout);
	if (write_line(fd, json) == -1) {
		log_warn("sink '%s': write '%s'", s->name,
		    s->path ? s->path : "stdout");
		goto out;
	}
	rc = 0;
 out:
	if (s->path != NULL && fd != -1)
		close(fd);
	free(json);
	return rc;
}
