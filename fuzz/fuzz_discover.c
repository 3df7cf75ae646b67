/*
 * fuzz_discover.c: libFuzzer target for feed discovery in web pages.
 *
 * The first byte picks the HTTP charset; the rest is the page.  Whatever
 * the page, the links are at most DISCOVER_MAX_LINKS, each address once
 * and never empty, best kind first, with the guesses only where no feed
 * is announced; titles are valid UTF-8 of at most 200 bytes with no
 * control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_title(const char *s)
{
	size_t	 n, i;

	if (s == NULL)
		return;
	n = strlen(s);
	if (n == 0 || n > 200 || !text_utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {
		NULL, "utf-8", "windows-1251", "iso-8859-1", "utf-16le",
		"shift_jis", "x-bogus", "koi8-r"
	};
	struct discover_link	*l;
	size_t			 n, i, j;

	if (size == 0)
		return 0;
	discover_page((const char *)data + 1, size - 1,
	    "https://fuzz.example/dir/page.html", charsets[data[0] & 7], &l,
	    &n);
	if (n > DISCOVER_MAX_LINKS)
		abort();
	for (i = 0; i < n; i++) {
		if (l[i].url == NULL || l[i].url[0] == '\0' ||
		    l[i].type == NULL)
			abort();
		if (i > 0 && l[i].kind < l[i - 1].kind)
			abort();
		if (l[i].kind == DISCOVER_GUESS && l[0].kind == DISCOVER_FEED)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(l[i].url, l[j].url) == 0)
				abort();
		check_title(l[i].title);
	}
	discover_links_free(l, n);
	return 0;
}
