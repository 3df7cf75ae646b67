/* duration.c: saturating time arithmetic. */
#include "duration.h"

#include <stdint.h>

/* glibc's time_t on every target we build for; the bounds below rely on it. */
_Static_assert(sizeof(time_t) == sizeof(int64_t), "time_t is 64 bits");

time_t
duration_after(time_t t, long secs)
{
	time_t	 r;

	if (__builtin_add_overflow(t, secs, &r))
		return secs > 0 ? (time_t)INT64_MAX : (time_t)INT64_MIN;
	return r;
}
