/* show.c: times and outside text, as the commands show them (show.h). */
#include "show.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "item.h"
#include "text.h"
#include "xmalloc.h"

void
show_time(time_t t, time_t day, char *buf, size_t len)
{
	struct tm	 tm, dtm;
	size_t		 n;

	if (t == 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "-");
		return;
	}
	if (day != 0 && localtime_r(&day, &dtm) != NULL &&
	    dtm.tm_year == tm.tm_year && dtm.tm_yday == tm.tm_yday)
		n = strftime(buf, len, "%H:%M", &tm);
	else
		n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	if (n == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

void
show_relative(time_t t, time_t now, char *buf, size_t len)
{
	double	 d = difftime(t, now);
	char	 amount[32];

	/* A time read from an older state may be centuries off. */
	if (d < 0)
		d = -d;
	if (t == 0) {
		snprintf(buf, len, "-");
		return;
	}
	if (d < 120)
		snprintf(amount, sizeof(amount), "%.0fs", d);
	else if (d < 7200)
		snprintf(amount, sizeof(amount), "%.0fm", floor(d / 60));
	else if (d < 172800)
		snprintf(amount, sizeof(amount), "%.0fh", floor(d / 3600));
	else
		snprintf(amount, sizeof(amount), "%.0fd", floor(d / 86400));
	snprintf(buf, len, t > now ? "in %s" : "%s ago", amount);
}

char *
show_text(const char *s)
{
	struct text_buf	 tb;
	char		*out;

	text_buf_init(&tb, SHOW_TEXT_MAX);
	if (s != NULL)
		text_buf_add(&tb, s, strlen(s));
	out = xstrdup(text_buf_str(&tb));
	text_buf_release(&tb);
	return out;
}

json_t *
show_json_time(time_t t)
{
	char	 buf[21];

	if (t == 0)
		return json_null();
	feed_time_format(t, buf);
	return json_string(buf);
}
