/*
 * fuzz_parser.c: libFuzzer target for the feed parser.
 *
 * The first byte picks how the input is pushed (chunk size 1..256 or all
 * at once) and whether an HTTP charset is given; the rest is the body.
 * Every item handed out must be valid UTF-8 with an id, and encodable as
 * JSON; any input must end in a clean result or error, never a crash,
 * hang or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "parser.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(const char *s)
{
	if (s != NULL && !text_utf8_valid(s, strlen(s)))
		abort();
}

static int
check_item(const struct feed_item *it, void *arg)
{
	char	*j;
	size_t	 i;

	if (it->id == NULL || *it->id == '\0')
		abort();
	check_str(it->id);
	check_str(it->title);
	check_str(it->link);
	check_str(it->author);
	check_str(it->summary);
	check_str(it->feed_title);
	for (i = 0; i < it->ncategories; i++)
		check_str(it->categories[i]);
	if ((j = feed_item_to_json(it)) == NULL)
		abort();
	free(j);
	/* stop now and then: the stop path must be clean too */
	return ++*(size_t *)arg == 50 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {
		NULL, "windows-1251", "koi8-r", "shift_jis", "utf-16",
		"iso-8859-1", "gb2312", "us-ascii"
	};
	static int		 ready;
	struct feed_parser	*p;
	size_t			 chunk, off, k, n = 0;
	uint8_t			 mode;

	if (!ready) {
		feed_parser_global_init();
		ready = 1;
	}
	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	chunk = (mode & 0x1f) == 0 ? size + 1 : (size_t)(mode & 0x1f) * 8 - 7;
	p = feed_parser_new("https://fuzz.example/feed", charsets[mode >> 5],
	    check_item, &n);
	feed_parser_set_limits(p, 1 << 20, 200);
	for (off = 0; off < size; off += k) {
		k = size - off < chunk ? size - off : chunk;
		if (feed_parser_push(p, (const char *)data + off, k) == -1)
			break;
	}
	if (feed_parser_finish(p) == -1 && feed_parser_error(p) == NULL)
		abort();		/* a failure always says why */
	check_str(feed_parser_title(p));
	feed_parser_free(p);
	return 0;
}
