/*
 * jsonfeed.c: JSON Feed, read with jansson (jsonfeed.h).
 */
#include "jsonfeed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "entry.h"

static const char *
jstr(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One item of the feed, into 'e' as a new item. */
static void
read_item(struct entry *e, json_t *it)
{
	json_t		*v, *a;
	const char	*s;
	char		 num[32], *abs;
	size_t		 j;

	entry_clear(e);
	v = json_object_get(it, "id");
	if (json_is_string(v))
		entry_set(e, ENTRY_ID, json_string_value(v),
		    ENTRY_MAX_SHORT, ENTRY_TEXT);
	else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		entry_set(e, ENTRY_ID, num, ENTRY_MAX_SHORT, ENTRY_TEXT);
	}
	if ((s = jstr(it, "url")) != NULL ||
	    (s = jstr(it, "external_url")) != NULL) {
		abs = entry_resolve(e, NULL, s);
		entry_set(e, ENTRY_LINK, abs, ENTRY_MAX_RAW, ENTRY_TEXT);
		free(abs);
	}
	entry_set(e, ENTRY_TITLE, jstr(it, "title"), ENTRY_MAX_RAW,
	    ENTRY_GUESS);
	if ((s = jstr(it, "summary")) != NULL)
		entry_set(e, ENTRY_SUMMARY, s, ENTRY_MAX_RAW, ENTRY_TEXT);
	if ((s = jstr(it, "content_html")) != NULL)
		entry_set(e, ENTRY_CONTENT, s, ENTRY_MAX_RAW, ENTRY_HTML);
	else if ((s = jstr(it, "content_text")) != NULL)
		entry_set(e, ENTRY_CONTENT, s, ENTRY_MAX_RAW, ENTRY_TEXT);
	entry_set(e, ENTRY_PUBLISHED, jstr(it, "date_published"),
	    ENTRY_MAX_SHORT, ENTRY_TEXT);
	entry_set(e, ENTRY_UPDATED, jstr(it, "date_modified"),
	    ENTRY_MAX_SHORT, ENTRY_TEXT);
	a = json_object_get(it, "authors");
	if (json_is_array(a) && json_array_size(a) > 0)
		a = json_array_get(a, 0);
	else
		a = json_object_get(it, "author");
	if (json_is_object(a))
		entry_set(e, ENTRY_AUTHOR, jstr(a, "name"),
		    ENTRY_MAX_SHORT, ENTRY_TEXT);
	json_array_foreach(json_object_get(it, "tags"), j, v)
		if (json_is_string(v))
			entry_category(e, json_string_value(v),
			    strlen(json_string_value(v)));
}

int
jsonfeed_parse(struct entry *e, const char *buf, size_t n, char *err,
    size_t errlen)
{
	json_error_t	 jerr;
	json_t		*doc, *items, *it;
	const char	*s, *ver;
	size_t		 i;
	int		 rc = -1;

	*err = '\0';
	doc = json_loadb(buf, n, 0, &jerr);
	if (doc == NULL) {
		snprintf(err, errlen, "line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	ver = jstr(doc, "version");
	items = json_object_get(doc, "items");
	if (ver == NULL || strstr(ver, "jsonfeed.org") == NULL ||
	    !json_is_array(items)) {
		snprintf(err, errlen, "not a feed: JSON without a JSON Feed "
		    "version and items");
		goto out;
	}
	/* titles are plain text by the spec; in practice some escape HTML */
	if ((s = jstr(doc, "title")) != NULL)
		entry_set_feed_title(e, s, strlen(s), ENTRY_GUESS);
	if ((s = jstr(doc, "home_page_url")) != NULL &&
	    entry_url_is_absolute(s))
		entry_set_feed_link(e, NULL, s);
	json_array_foreach(items, i, it) {
		if (!json_is_object(it))
			continue;
		read_item(e, it);
		if (entry_emit(e, 0) == -1 || entry_full(e))
			break;
	}
	rc = entry_stopped(e) ? -1 : 0;
 out:
	json_decref(doc);
	return rc;
}
