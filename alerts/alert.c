/* alert.c: alert identity and its JSON form. */
#include "alert.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "item.h"
#include "log.h"
#include "url.h"

/* a->id from the SHA-256 'ck' has summed up; frees 'ck'. */
static void
set_id(struct alert *a, GChecksum *ck)
{
	memcpy(a->id, g_checksum_get_string(ck), ALERT_ID_LEN);
	a->id[ALERT_ID_LEN] = '\0';
	g_checksum_free(ck);
}

void
alert_set_id(struct alert *a)
{
	GChecksum	*ck;

	/* NUL separators keep ("ab","c") and ("a","bc") apart. */
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)a->topic, strlen(a->topic) + 1);
	g_checksum_update(ck, (const guchar *)a->feed, strlen(a->feed) + 1);
	g_checksum_update(ck, (const guchar *)a->item->id,
	    strlen(a->item->id) + 1);
	set_id(a, ck);
}

void
alert_set_id_from(struct alert *a, const char *seed)
{
	GChecksum	*ck;

	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)seed, strlen(seed));
	set_id(a, ck);
}

static json_t *
string_or_null(const char *s)
{
	json_t	*j;

	if (s == NULL)
		return json_null();
	/* The parser guarantees UTF-8; a NULL here is a broken invariant. */
	if ((j = json_string(s)) == NULL)
		log_warnx("alert: a field is not valid UTF-8, sent as null");
	return j != NULL ? j : json_null();
}

static json_t *
time_or_null(time_t t)
{
	char	 buf[21];

	if (t == FEED_ITEM_NO_DATE)
		return json_null();
	feed_time_format(t, buf);
	return json_string(buf);
}

static json_t *
string_array(const char *const *v, size_t n)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, string_or_null(v[i]));
	return arr;
}

char *
alert_to_json(const struct alert *a)
{
	const struct feed_item	*it = a->item;
	json_t			*o;
	char			*s;

	o = json_object();
	json_object_set_new(o, "alert_id", json_string(a->id));
	json_object_set_new(o, "topic", string_or_null(a->topic));
	json_object_set_new(o, "query", string_or_null(a->query));
	json_object_set_new(o, "priority", json_string(a->priority != NULL ?
	    a->priority : "normal"));
	json_object_set_new(o, "feed", string_or_null(a->feed));
	json_object_set_new(o, "feed_title", string_or_null(a->feed_title));
	json_object_set_new(o, "id", string_or_null(it->id));
	json_object_set_new(o, "title", string_or_null(it->title));
	/* Only a web link may be clickable downstream: others are dropped. */
	json_object_set_new(o, "link", string_or_null(url_is_web(it->link) ?
	    it->link : NULL));
	json_object_set_new(o, "published", time_or_null(it->published));
	json_object_set_new(o, "matched", string_array(a->matched,
	    a->nmatched));
	json_object_set_new(o, "matched_in", string_array(a->matched_in,
	    a->nmatched_in));
	json_object_set_new(o, "snippet", string_or_null(a->snippet));
	json_object_set_new(o, "also_in", string_array(a->also_in,
	    a->nalso_in));
	json_object_set_new(o, "detected", time_or_null(a->detected));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
