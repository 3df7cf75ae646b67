/*
 * fuzz_query.c: libFuzzer target for the query parser and the matcher.
 *
 * The input is split at the first newline: the part before is a query
 * (parsed, compiled with stem and translit, or rejected with an error),
 * the part after is the text of an item matched against it.  Any bytes
 * must give either a clean error or a match run, never a crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "item.h"
#include "match.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count_cb(const struct match *m, void *arg)
{
	size_t	i;

	/* touch everything the callback may read */
	*(size_t *)arg += strlen(m->topic) + strlen(m->snippet);
	for (i = 0; i < m->nwords; i++)
		*(size_t *)arg += strlen(m->words[i]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const stems[] = { "english", "russian" };
	struct topic_opts	 o = { stems, 2, 1, NULL, 0 };
	struct matcher		*m;
	struct feed_item	 it;
	char			*buf, *text, err[256];
	const char		*nl;
	size_t			 n = 0;

	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((nl = memchr(buf, '\n', size)) != NULL) {
		buf[nl - buf] = '\0';
		text = buf + (nl - buf) + 1;
	} else
		text = buf;
	m = matcher_new();
	(void)matcher_add_alias(m, "a", text, err, sizeof(err));
	if (matcher_add_topic(m, "t", buf, &o, err, sizeof(err)) == 0 &&
	    matcher_compile(m, err, sizeof(err)) == 0) {
		memset(&it, 0, sizeof(it));
		it.id = "fuzz";
		it.title = text;
		it.summary = text;
		it.link = buf;
		(void)matcher_match(m, &it, NULL, count_cb, &n);
	}
	matcher_free(m);
	free(buf);
	return 0;
}
