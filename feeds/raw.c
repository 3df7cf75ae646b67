/*
 * raw.c: a growable byte buffer with a cap per append (raw.h).
 */
#include "raw.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
raw_add_slow(struct raw *r, const char *s, size_t n, size_t max)
{
	size_t	 a;

	if (r->len + n > max) {
		if (r->len >= max)
			return;
		n = max - r->len;
	}
	if (r->len + n + 1 > r->alloc) {
		a = r->alloc ? r->alloc : 256;
		while (a < r->len + n + 1)
			a *= 2;
		r->s = xreallocarray(r->s, a, 1);
		r->alloc = a;
	}
	memcpy(r->s + r->len, s, n);
	r->len += n;
	r->s[r->len] = '\0';
}

void
raw_set(struct raw *r, const char *s, size_t max)
{
	raw_reset(r);
	if (s != NULL)
		raw_add(r, s, strlen(s), max);
}

void
raw_release(struct raw *r)
{
	free(r->s);
	memset(r, 0, sizeof(*r));
}
