/*
 * sink.h: where alerts go.
 *
 * A sink is an opaque handle with one delivery operation.  The stdout and
 * file sinks write SPEC section 5 JSON lines.  The file sink opens its
 * path in append mode for every delivery, so a log rotator may move the
 * file away at any time.  Other sink types (desktop, email, webhook,
 * exec) come with the delivery engine.
 */
#ifndef FEEDWATCH_SINK_H
#define FEEDWATCH_SINK_H

struct alert;
struct sink;

struct sink	*sink_stdout_new(const char *name);
struct sink	*sink_file_new(const char *name, const char *path);
void		 sink_free(struct sink *s);

const char	*sink_name(const struct sink *s);

/* Delivers 'a'; -1 after logging why it failed. */
int		 sink_deliver(struct sink *s, const struct alert *a);

#endif
