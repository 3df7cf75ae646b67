/*
 * xmalloc.h: allocation that cannot fail.
 *
 * Out of memory is fatal (the daemon is restarted by systemd); every other
 * error is data.  So callers never check these results.
 */
#ifndef FEEDWATCH_XMALLOC_H
#define FEEDWATCH_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t size);
void	*xcalloc(size_t nmemb, size_t size);
/* Like reallocarray(3): nmemb * size, checked for overflow. */
void	*xreallocarray(void *ptr, size_t nmemb, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* A malloc'd formatted string. */
char	*xasprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
