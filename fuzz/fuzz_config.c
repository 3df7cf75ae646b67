/* fuzz_config.c: libFuzzer target for the config parser and validator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "parser.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	char		*text;

	if (!ready) {
		feed_parser_global_init();
		ready = 1;
	}
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_free(config_parse("fuzz.conf", text, size));
	free(text);
	return 0;
}
