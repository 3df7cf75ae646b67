/*
 * date.c: RFC 822 and ISO 8601 feed dates to UTC.
 *
 * Two readers: a strict-shaped one for ISO 8601 (the string starts with a
 * four-digit year) and a token-based one for everything else, which picks
 * out a month name, the day and year numbers, an hh:mm[:ss] time and a
 * zone in whatever order they come, ignoring weekday names and
 * punctuation.  Both end in one validating conversion.
 */
#include "date.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "item.h"

struct dt {
	int	 year, mon, day;	/* mon 1-12 */
	int	 hour, min, sec;
	long	 off;			/* seconds east of UTC */
};

static const char *const months[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
	"nov", "dec"
};

static const struct {
	const char	*name;
	int		 hours;
} zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "uct", 0 },
	{ "est", -5 }, { "edt", -4 }, { "cst", -6 }, { "cdt", -5 },
	{ "mst", -7 }, { "mdt", -6 }, { "pst", -8 }, { "pdt", -7 },
	{ "akst", -9 }, { "akdt", -8 }, { "hst", -10 }, { "ast", -4 },
	{ "adt", -3 }, { "bst", 1 }, { "cet", 1 }, { "cest", 2 },
	{ "met", 1 }, { "mest", 2 }, { "eet", 2 }, { "eest", 3 },
	{ "wet", 0 }, { "west", 1 }, { "msk", 3 }, { "jst", 9 },
	{ "kst", 9 }, { "aest", 10 }, { "aedt", 11 }, { "nzst", 12 },
	{ "nzdt", 13 }
};

static int
days_in_month(int year, int mon)
{
	static const int dim[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	 leap;

	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return mon == 2 && leap ? 29 : dim[mon - 1];
}

/*
 * Days from 1970-01-01 to the given date (year >= 1: the validated years
 * are 1000-9999), counted directly: timegm() was a large share of the
 * date work, and UTC needs no time-zone rules.
 */
static long
epoch_days(int year, int mon, int day)
{
	static const int before[] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
	};
	long	 y = year - 1;
	long	 days;

	/* 365 a year, plus the leap days since 1970 (477 before it) */
	days = 365L * (year - 1970) + (y / 4 - y / 100 + y / 400) - 477;
	days += before[mon - 1] + day - 1;
	if (mon > 2 && days_in_month(year, 2) == 29)
		days++;
	return days;
}

static time_t
dt_make(struct dt *d)
{
	time_t	 t;

	if (d->year < 1000 || d->year > 9999 || d->mon < 1 || d->mon > 12 ||
	    d->day < 1 || d->day > days_in_month(d->year, d->mon))
		return FEED_ITEM_NO_DATE;
	if (d->hour == 24 && d->min == 0 && d->sec == 0)
		;		/* W3C-DTF end of day: the next day's 00:00 */
	else if (d->hour < 0 || d->hour > 23)
		return FEED_ITEM_NO_DATE;
	if (d->min < 0 || d->min > 59 || d->sec < 0 || d->sec > 60)
		return FEED_ITEM_NO_DATE;
	if (d->sec == 60)
		d->sec = 59;	/* a leap second; time_t cannot hold it */
	t = (time_t)epoch_days(d->year, d->mon, d->day) * 86400 +
	    d->hour * 3600 + d->min * 60 + d->sec;
	/* timegm() returns -1 for the second before the epoch: no date */
	if (t == (time_t)-1)
		return FEED_ITEM_NO_DATE;
	return t - d->off;
}

/* Reads between 'min' and 'max' digits at *pp into *v; -1 if fewer. */
static int
digits(const char **pp, int min, int max, int *v)
{
	const char	*p = *pp;
	int		 n = 0, r = 0;

	while (n < max && isdigit((unsigned char)p[n])) {
		r = r * 10 + (p[n] - '0');
		n++;
	}
	if (n < min)
		return -1;
	*v = r;
	*pp = p + n;
	return n;
}

/* A numeric zone after the sign at *pp: hh, hhmm or hh:mm. */
static int
num_zone(const char **pp, long *off)
{
	const char	*p = *pp;
	int		 sign, n, h, m = 0;

	sign = *p == '-' ? -1 : 1;
	p++;
	if ((n = digits(&p, 1, 4, &h)) == -1)
		return -1;
	if (n > 2) {
		m = h % 100;
		h /= 100;
	} else if (*p == ':' && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2])) {
		m = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
	}
	if (h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	*pp = p;
	return 0;
}

/* ASCII tolower, without the locale lookup of tolower(3). */
static int
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * Every word of an RFC 822 date is tried as a zone name: compare first
 * letters before lengths and strings.
 */
static int
zone_name(const char *w, size_t n, long *off)
{
	size_t	 i;
	int	 c = lower((unsigned char)w[0]);

	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (zones[i].name[0] == c && strlen(zones[i].name) == n &&
		    strncasecmp(zones[i].name, w, n) == 0) {
			*off = zones[i].hours * 3600L;
			return 0;
		}
	return -1;
}

static void
skip_space(const char **pp)
{
	while (isspace((unsigned char)**pp))
		(*pp)++;
}

/* ISO 8601 / RFC 3339 / W3C-DTF; 's' starts with four digits. */
static time_t
parse_iso(const char *s)
{
	struct dt	 d;
	const char	*p = s, *w;
	int		 basic;

	memset(&d, 0, sizeof(d));
	d.mon = d.day = 1;
	digits(&p, 4, 4, &d.year);
	basic = isdigit((unsigned char)*p);
	if (basic) {
		if (digits(&p, 2, 2, &d.mon) == -1 ||
		    digits(&p, 2, 2, &d.day) == -1)
			return FEED_ITEM_NO_DATE;
	} else if (*p == '-') {
		p++;
		if (digits(&p, 1, 2, &d.mon) == -1)
			return FEED_ITEM_NO_DATE;
		if (*p == '-') {
			p++;
			if (digits(&p, 1, 2, &d.day) == -1)
				return FEED_ITEM_NO_DATE;
		}
	}
	if ((*p == 'T' || *p == 't' || *p == ' ') &&
	    isdigit((unsigned char)p[1])) {
		p++;
		if (digits(&p, 2, 2, &d.hour) == -1)
			return FEED_ITEM_NO_DATE;
		if (*p == ':')
			p++;
		if (digits(&p, 2, 2, &d.min) == -1)
			return FEED_ITEM_NO_DATE;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) &&
		    digits(&p, 2, 2, &d.sec) == -1)
			return FEED_ITEM_NO_DATE;
		if (*p == '.' || *p == ',') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	skip_space(&p);
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		if (num_zone(&p, &d.off) == -1)
			return FEED_ITEM_NO_DATE;
	} else if (isalpha((unsigned char)*p)) {
		for (w = p; isalpha((unsigned char)*p); p++)
			;
		if (zone_name(w, (size_t)(p - w), &d.off) == -1)
			return FEED_ITEM_NO_DATE;
	}
	skip_space(&p);
	if (*p != '\0')
		return FEED_ITEM_NO_DATE;
	return dt_make(&d);
}

/* RFC 822 and its relatives: tokens in any reasonable order. */
static time_t
parse_rfc822(const char *s)
{
	struct dt	 d;
	const char	*p = s, *w;
	size_t		 n, i;
	int		 num[3], ndig[3], nnum = 0, have_time = 0, v = 0, k;
	int		 pm = -1, have_zone = 0;
	long		 off;

	memset(&d, 0, sizeof(d));
	while (*p != '\0') {
		if (isalpha((unsigned char)*p)) {
			for (w = p; isalpha((unsigned char)*p); p++)
				;
			n = (size_t)(p - w);
			if (n >= 3) {
				for (i = 0; i < 12; i++)
					if (months[i][0] ==
					    lower((unsigned char)w[0]) &&
					    strncasecmp(w, months[i], 3) == 0)
						break;
				/* "Mar", "March", "Sept" */
				if (i < 12 && n <= 9) {
					if (d.mon == 0)
						d.mon = (int)i + 1;
					continue;
				}
			}
			if ((n == 2 && strncasecmp(w, "am", 2) == 0) ||
			    (n == 2 && strncasecmp(w, "pm", 2) == 0)) {
				pm = tolower((unsigned char)*w) == 'p';
				continue;
			}
			if (zone_name(w, n, &off) == 0) {
				d.off = off;
				have_zone = 1;
			}
			/* weekday names and other words are ignored */
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			k = digits(&p, 1, 9, &v);
			if (*p == ':' && isdigit((unsigned char)p[1]) &&
			    !have_time && k <= 2) {
				d.hour = v;
				p++;
				if (digits(&p, 1, 2, &d.min) == -1)
					return FEED_ITEM_NO_DATE;
				if (*p == ':' && isdigit((unsigned char)p[1])) {
					p++;
					digits(&p, 1, 2, &d.sec);
				}
				if (*p == '.' && isdigit((unsigned char)p[1]))
					for (p++; isdigit((unsigned char)*p);)
						p++;
				have_time = 1;
				continue;
			}
			if (nnum == 3 || k > 4)
				return FEED_ITEM_NO_DATE;
			num[nnum] = v;
			ndig[nnum++] = k;
			continue;
		}
		if ((*p == '+' || *p == '-') && have_time &&
		    isdigit((unsigned char)p[1])) {
			if (num_zone(&p, &off) == -1)
				return FEED_ITEM_NO_DATE;
			/* "GMT+2": the offset counts from the named zone */
			d.off = have_zone ? d.off + off : off;
			have_zone = 1;
			continue;
		}
		p++;
	}
	if (d.mon != 0 && nnum == 2) {
		if (ndig[0] >= 3) {
			d.year = num[0];
			d.day = num[1];
		} else {
			d.day = num[0];
			d.year = num[1];
			k = ndig[1];
			if (k <= 2)
				d.year += d.year < 50 ? 2000 : 1900;
			else if (k == 3)
				d.year += 1900;
		}
	} else if (d.mon == 0 && nnum == 3 && ndig[0] == 4) {
		d.year = num[0];	/* 2004/01/26 */
		d.mon = num[1];
		d.day = num[2];
	} else
		return FEED_ITEM_NO_DATE;
	if (pm == 1 && d.hour < 12)
		d.hour += 12;
	else if (pm == 0 && d.hour == 12)
		d.hour = 0;
	return dt_make(&d);
}

/* 1000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: four-digit years. */
#define DATE_MIN	((time_t)-30610224000LL)
#define DATE_MAX	((time_t)253402300799LL)

/*
 * Outside four-digit years after the zone is applied ("1000-01-01+09:00"
 * is in year 999), a date could not be printed and read back: none.
 */
time_t
date_parse(const char *s)
{
	time_t	 t;

	if (s == NULL)
		return FEED_ITEM_NO_DATE;
	skip_space(&s);
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    (s[4] == '-' || s[4] == '\0' || isdigit((unsigned char)s[4]) ||
	    s[4] == 'T'))
		t = parse_iso(s);
	else
		t = parse_rfc822(s);
	if (t != FEED_ITEM_NO_DATE && (t < DATE_MIN || t > DATE_MAX))
		return FEED_ITEM_NO_DATE;
	return t;
}
