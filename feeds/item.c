/* item.c: copying items and their SPEC section 4 JSON form (jansson). */
#include "item.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "text.h"
#include "xmalloc.h"

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

struct feed_item *
feed_item_dup(const struct feed_item *it)
{
	struct feed_item	*c;
	char			**cats = NULL;
	size_t			 i;

	c = xcalloc(1, sizeof(*c));
	c->feed = dup_or_null(it->feed);
	c->feed_title = dup_or_null(it->feed_title);
	c->id = dup_or_null(it->id);
	c->title = dup_or_null(it->title);
	c->link = dup_or_null(it->link);
	c->published = it->published;
	c->updated = it->updated;
	c->author = dup_or_null(it->author);
	c->summary = dup_or_null(it->summary);
	c->body = dup_or_null(it->body);
	if (it->ncategories > 0) {
		cats = xcalloc(it->ncategories, sizeof(*cats));
		for (i = 0; i < it->ncategories; i++)
			cats[i] = xstrdup(it->categories[i]);
	}
	c->categories = (const char *const *)cats;
	c->ncategories = it->ncategories;
	return c;
}

void
feed_item_free(struct feed_item *it)
{
	size_t	 i;

	if (it == NULL)
		return;
	free((char *)it->feed);
	free((char *)it->feed_title);
	free((char *)it->id);
	free((char *)it->title);
	free((char *)it->link);
	free((char *)it->author);
	free((char *)it->summary);
	free((char *)it->body);
	for (i = 0; i < it->ncategories; i++)
		free((char *)it->categories[i]);
	free((char **)it->categories);
	free(it);
}

void
feed_time_format(time_t t, char buf[21])
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0 ||
	    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		strcpy(buf, "1970-01-01T00:00:00Z");
}

/*
 * Sets 'key' to the string 's' or null; -1 if 's' is not valid UTF-8.
 * Validated here with our ASCII-fast check, so jansson need not do it
 * again (its per-character loop was a large share of `feedwatch parse`).
 */
static int
set_str(json_t *o, const char *key, const char *s)
{
	json_t	*v;
	size_t	 n;

	if (s == NULL)
		v = json_null();
	else if (!text_utf8_valid(s, n = strlen(s)) ||
	    (v = json_stringn_nocheck(s, n)) == NULL)
		return -1;
	return json_object_set_new_nocheck(o, key, v);
}

static int
set_time(json_t *o, const char *key, time_t t)
{
	char	 buf[21];

	if (t == FEED_ITEM_NO_DATE)
		return json_object_set_new(o, key, json_null());
	feed_time_format(t, buf);
	return json_object_set_new(o, key, json_string(buf));
}

/*
 * The compact JSON text of 'o' as a new string, or NULL.  json_dumps
 * grows its buffer from a few bytes by doubling and then copies the
 * result; most items fit a buffer on the stack, encoded once and copied
 * once.
 */
static char *
dump_compact(json_t *o)
{
	char	 buf[16384], *s;
	size_t	 n;

	if ((n = json_dumpb(o, buf, sizeof(buf), JSON_COMPACT)) == 0)
		return NULL;
	if (n > sizeof(buf))
		return json_dumps(o, JSON_COMPACT);
	s = xmalloc(n + 1);
	memcpy(s, buf, n);
	s[n] = '\0';
	return s;
}

char *
feed_item_to_json(const struct feed_item *it)
{
	json_t	*o, *cats, *v;
	char	*s = NULL;
	size_t	 i;

	o = json_object();
	if (o == NULL)
		return NULL;
	/* jansson keeps insertion order: this is SPEC section 4's order. */
	if (set_str(o, "feed", it->feed) == -1 ||
	    set_str(o, "feed_title", it->feed_title) == -1 ||
	    set_str(o, "id", it->id) == -1 ||
	    set_str(o, "title", it->title) == -1 ||
	    set_str(o, "link", it->link) == -1 ||
	    set_time(o, "published", it->published) == -1 ||
	    set_time(o, "updated", it->updated) == -1 ||
	    set_str(o, "author", it->author) == -1)
		goto out;
	if ((cats = json_array()) == NULL ||
	    json_object_set_new(o, "categories", cats) == -1)
		goto out;
	for (i = 0; i < it->ncategories; i++) {
		if (!text_utf8_valid(it->categories[i],
		    strlen(it->categories[i])) ||
		    (v = json_string_nocheck(it->categories[i])) == NULL ||
		    json_array_append_new(cats, v) == -1)
			goto out;
	}
	if (set_str(o, "summary", it->summary) == -1)
		goto out;
	s = dump_compact(o);
 out:
	json_decref(o);
	return s;
}

/* The string member 'key', copied, or NULL; -1 if it is neither. */
static int
get_str(json_t *o, const char *key, const char **dst, char *err,
    size_t errlen)
{
	json_t	*v;

	v = json_object_get(o, key);
	if (v == NULL || json_is_null(v)) {
		*dst = NULL;
		return 0;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "'%s' is not a string", key);
		return -1;
	}
	*dst = xstrdup(json_string_value(v));
	return 0;
}

static int
get_time(json_t *o, const char *key, time_t *dst, char *err, size_t errlen)
{
	json_t	*v;

	v = json_object_get(o, key);
	*dst = FEED_ITEM_NO_DATE;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    (*dst = date_parse(json_string_value(v))) == FEED_ITEM_NO_DATE) {
		snprintf(err, errlen, "'%s' is not a date", key);
		return -1;
	}
	return 0;
}

struct feed_item *
feed_item_from_json(const char *line, char *err, size_t errlen)
{
	struct feed_item	*it;
	json_error_t		 jerr;
	json_t			*o, *cats, *v;
	char			**cv;
	size_t			 i;

	it = xcalloc(1, sizeof(*it));
	it->published = it->updated = FEED_ITEM_NO_DATE;
	if ((o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errlen, "column %d: %s", jerr.column, jerr.text);
		goto fail;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "not a JSON object");
		goto fail;
	}
	if (get_str(o, "feed", &it->feed, err, errlen) == -1 ||
	    get_str(o, "feed_title", &it->feed_title, err, errlen) == -1 ||
	    get_str(o, "id", &it->id, err, errlen) == -1 ||
	    get_str(o, "title", &it->title, err, errlen) == -1 ||
	    get_str(o, "link", &it->link, err, errlen) == -1 ||
	    get_time(o, "published", &it->published, err, errlen) == -1 ||
	    get_time(o, "updated", &it->updated, err, errlen) == -1 ||
	    get_str(o, "author", &it->author, err, errlen) == -1 ||
	    get_str(o, "summary", &it->summary, err, errlen) == -1)
		goto fail;
	cats = json_object_get(o, "categories");
	if (cats != NULL && !json_is_null(cats)) {
		if (!json_is_array(cats)) {
			snprintf(err, errlen, "'categories' is not an array");
			goto fail;
		}
		cv = xcalloc(json_array_size(cats) + 1, sizeof(*cv));
		it->categories = (const char *const *)cv;
		json_array_foreach(cats, i, v) {
			if (!json_is_string(v)) {
				snprintf(err, errlen, "'categories' holds a "
				    "non-string");
				goto fail;
			}
			cv[it->ncategories++] = xstrdup(json_string_value(v));
		}
	}
	if (it->id == NULL) {
		snprintf(err, errlen, "no 'id'");
		goto fail;
	}
	json_decref(o);
	return it;
 fail:
	json_decref(o);
	feed_item_free(it);
	return NULL;
}

char *
feed_item_key(const struct feed_item *it)
{
	const char	*s = it->id != NULL ? it->id : "";
	char		*k;
	size_t		 i, o = 0;

	k = xmalloc(strlen(s) + 1);
	for (i = 0; s[i] != '\0'; i++) {
		if (strchr("&<>\"' \t\r\n", s[i]) != NULL)
			continue;
		k[o++] = s[i];
	}
	k[o] = '\0';
	return k;
}
