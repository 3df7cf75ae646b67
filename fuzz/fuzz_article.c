/*
 * fuzz_article.c: libFuzzer target for the article extractor.
 *
 * The first byte picks how the page is pushed (chunk size 1..249 or all
 * at once) and the HTTP charset; the rest is the page.  It is extracted
 * twice, in those chunks and at once, and both must agree; the text
 * must be valid UTF-8 within its cap, made of non-empty paragraphs with
 * no white space at their ends and none doubled; the title one line; a
 * failure must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "text.h"

#define MAX_IN	(1 << 20)
#define MAX_OUT	4096

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	int	 rc;
	char	*text;
	char	*title;
};

static void
extract(const char *s, size_t n, size_t chunk, const char *charset,
    struct run *r)
{
	struct article	*a;
	size_t		 off, k;

	a = article_new("https://fuzz.example/story", charset, MAX_IN,
	    MAX_OUT);
	for (off = 0; off < n; off += k) {
		k = n - off < chunk ? n - off : chunk;
		if (article_push(a, s + off, k) == -1)
			break;
	}
	r->rc = article_finish(a);
	if ((r->rc == -1) != (article_error(a) != NULL))
		abort();
	r->text = strdup(article_text(a));
	r->title = article_title(a) ? strdup(article_title(a)) : NULL;
	article_free(a);
	if (r->text == NULL)
		abort();
}

static void
check_text(const char *s)
{
	size_t	 n = strlen(s);

	if (n > MAX_OUT || !text_utf8_valid(s, n))
		abort();
	if (n > 0 && (s[0] == ' ' || s[0] == '\n' || s[n - 1] == ' ' ||
	    s[n - 1] == '\n'))
		abort();
	if (strstr(s, "  ") || strstr(s, "\n\n") || strstr(s, " \n") ||
	    strstr(s, "\n "))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {
		NULL, "windows-1251", "utf-8", "iso-8859-1", "utf-16le",
		"shift_jis", "x-bogus", "koi8-r"
	};
	struct run	 a, b;
	const char	*cs;
	size_t		 chunk;
	uint8_t		 mode;

	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	chunk = (mode & 0x1f) == 0 ? size + 1 : (size_t)(mode & 0x1f) * 8 - 7;
	cs = charsets[mode >> 5];
	extract((const char *)data, size, chunk, cs, &a);
	extract((const char *)data, size, size + 1, cs, &b);
	if (a.rc != b.rc || strcmp(a.text, b.text) != 0 ||
	    (a.title == NULL) != (b.title == NULL) ||
	    (a.title != NULL && strcmp(a.title, b.title) != 0))
		abort();		/* the split changed the result */
	check_text(a.text);
	if (a.rc == 0 && a.text[0] == '\0')
		abort();
	if (a.title != NULL && (a.title[0] == '\0' ||
	    strchr(a.title, '\n') != NULL))
		abort();
	if (a.title != NULL)
		check_text(a.title);
	free(a.text);
	free(a.title);
	free(b.text);
	free(b.title);
	return 0;
}
