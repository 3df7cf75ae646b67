/*
 * fuzz_html.c: libFuzzer target for html_to_text() and text_buf.
 *
 * Any bytes in; the text out must be valid UTF-8, within the cap, with no
 * white space at either end and none doubled.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "text.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text_buf	 tb;
	const char	*s;
	size_t		 n, cap;

	cap = size > 0 ? (size_t)data[0] * 4 + 1 : 1;
	text_buf_init(&tb, cap);
	html_to_text((const char *)data, size, &tb);
	s = text_buf_str(&tb);
	n = strlen(s);
	if (n > cap || !text_utf8_valid(s, n))
		abort();
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' ' || strstr(s, "  ")))
		abort();
	text_buf_reset(&tb);
	html_maybe_to_text((const char *)data, size, &tb);
	if (!text_utf8_valid(text_buf_str(&tb), strlen(text_buf_str(&tb))))
		abort();
	text_buf_release(&tb);
	return 0;
}
