/*
 * show.h: how the commands that read the state (status, alerts, mute)
 * show it to people: times in local time, how long ago or ahead, and
 * text that came from outside (feed titles, server errors) made safe
 * for a terminal.
 */
#ifndef FEEDWATCH_SHOW_H
#define FEEDWATCH_SHOW_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

/*
 * 't' in local time, "2026-11-27 09:00", into 'buf'; only "09:00" when it
 * falls on the local day of 'day' (0: never); "-" for 0.
 */
void	 show_time(time_t t, time_t day, char *buf, size_t len);

/* How far 't' is from 'now': "3m ago", "in 14m"; "-" for 0. */
void	 show_relative(time_t t, time_t now, char *buf, size_t len);

/*
 * 's' fit for a terminal (malloc'd): valid UTF-8, control characters
 * (escape sequences among them) dropped, white space collapsed, at most
 * SHOW_TEXT_MAX bytes.  NULL gives "".
 */
#define SHOW_TEXT_MAX	4096
char	*show_text(const char *s);

/* 't' as JSON: "2026-11-27T09:00:00Z", or null for 0. */
json_t	*show_json_time(time_t t);

#endif
