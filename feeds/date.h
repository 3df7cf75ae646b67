/*
 * date.h: feed dates to UTC.
 *
 * date_parse() reads the date formats feeds use, as published rather than
 * as specified:
 *
 *  - RFC 822 / RFC 1123 / RFC 2822: "Tue, 14 May 2019 10:00:00 +0000",
 *    with the usual deviations: no or misspelled weekday, full or
 *    abbreviated month names ("Sept", "June"), two-digit years, no seconds,
 *    no time at all, "GMT+2", North American zone names (EST ... PDT),
 *    "UT"/"UTC"/"Z", lower case, stray punctuation, the year after the time
 *    (asctime: "Sun Jan  4 16:29:06 PST 2004");
 *  - RFC 3339 / ISO 8601 / W3C-DTF: "2019-05-14T10:00:00.5+03:00", "2019-05-14",
 *    "2019-05", "2019", a space instead of 'T', basic format "20190514T100000Z",
 *    a zone with or without a colon, or none (taken as UTC).
 *
 * A date that names an impossible time (February 30, 25:00) or that cannot
 * be read is FEED_ITEM_NO_DATE; nothing is guessed from the current time.
 */
#ifndef FEEDWATCH_DATE_H
#define FEEDWATCH_DATE_H

#include <time.h>

/* 's' (NUL-terminated) as UTC seconds, or FEED_ITEM_NO_DATE (item.h). */
time_t	 date_parse(const char *s);

#endif
