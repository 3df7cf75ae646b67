/*
 * fuzz_date.c: libFuzzer target for date_parse().
 *
 * Any string in; the result is FEED_ITEM_NO_DATE or a time that formats
 * as a four-digit-year date and, formatted and parsed again, is itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "item.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, buf[21];
	time_t	 t;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	t = date_parse(s);
	if (t != FEED_ITEM_NO_DATE) {
		feed_time_format(t, buf);
		if (strlen(buf) != 20 || date_parse(buf) != t)
			abort();
	}
	free(s);
	return 0;
}
