/*
 * duration.h: where a duration meets a time.
 *
 * Durations come from the config (at most CONFVAL_MAX_DURATION) and from
 * servers (clamped where they enter: fetch.h, sink.h); times come from the
 * clock and from the state store.  Every sum of the two goes through
 * duration_after(), which saturates instead of wrapping: an overflow must
 * never turn "much later" into "long ago", a timer that fires at once, for
 * ever.
 */
#ifndef FEEDWATCH_DURATION_H
#define FEEDWATCH_DURATION_H

#include <time.h>

/* t + secs ('secs' may be negative), held at the ends of time_t. */
time_t	 duration_after(time_t t, long secs);

#endif
