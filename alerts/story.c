/*
 * story.c: story keys for cross-feed dedup: the link without scheme,
 * "www.", fragment, tracking parameters and trailing slash; and the
 * title's words, case folded, accents dropped (NFKD, marks skipped), when
 * there are enough of them to be specific.
 */
#include "story.h"

#include <string.h>

#include <glib.h>

#include "item.h"

static char *
link_key(const char *link)
{
	GString		*s;
	const char	*p, *q, *end;
	char		*host;

	if (link == NULL || (p = strstr(link, "://")) == NULL)
		return NULL;
	p += 3;
	if (g_ascii_strncasecmp(p, "www.", 4) == 0)
		p += 4;
	end = p + strcspn(p, "#");
	s = g_string_new("link:");
	q = p + strcspn(p, "/?#");
	host = g_ascii_strdown(p, q - p);
	g_string_append(s, host);
	g_free(host);
	p = q;
	q = p + strcspn(p, "?#");
	g_string_append_len(s, p, q - p);
	while (s->len > 5 && s->str[s->len - 1] == '/')
		g_string_truncate(s, s->len - 1);
	/* Keep the parameters, less utm_* and click ids. */
	if (*q == '?') {
		for (p = q + 1; p < end; p = q + 1) {
			q = p + strcspn(p, "&#");
			if (q > p && strncmp(p, "utm_", 4) != 0 &&
			    strncmp(p, "fbclid=", 7) != 0 &&
			    strncmp(p, "gclid=", 6) != 0) {
				g_string_append_c(s, '?');
				g_string_append_len(s, p, q - p);
			}
			if (*q != '&')
				break;
		}
	}
	return g_string_free(s, FALSE);
}

static char *
title_key(const char *title)
{
	GString		*s;
	gchar		*nfkd, *folded;
	const char	*p;
	gunichar	 c;
	int		 words = 0, inword = 0;

	if (title == NULL || !g_utf8_validate(title, -1, NULL))
		return NULL;
	nfkd = g_utf8_normalize(title, -1, G_NORMALIZE_ALL);
	folded = g_utf8_casefold(nfkd, -1);
	g_free(nfkd);
	s = g_string_new("title:");
	for (p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		c = g_utf8_get_char(p);
		if (g_unichar_ismark(c))
			continue;
		if (g_unichar_isalnum(c)) {
			if (!inword && words > 0)
				g_string_append_c(s, ' ');
			if (!inword)
				words++;
			g_string_append_unichar(s, c);
			inword = 1;
		} else
			inword = 0;
	}
	g_free(folded);
	/* "Update" or "Live" would join unrelated stories. */
	if (words < 5) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

void
story_keys(const struct feed_item *it, char *keys[STORY_NKEYS])
{
	keys[0] = link_key(it->link);
	keys[1] = title_key(it->title);
}

void
story_keys_clear(char *keys[STORY_NKEYS])
{
	size_t	 i;

	for (i = 0; i < STORY_NKEYS; i++) {
		g_free(keys[i]);
		keys[i] = NULL;
	}
}
