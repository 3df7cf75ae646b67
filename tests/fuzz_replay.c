/*
 * fuzz_replay.c: runs a libFuzzer target's entry point over files, without
 * libFuzzer, so that every seed and every saved crash input (fuzz/NAME/,
 * fuzz/regress/NAME/) is a regression test of `make check` and, built
 * with the sanitizers, of `make check-asan`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	gchar	*data;
	gsize	 len;
	int	 i;

	for (i = 1; i < argc; i++) {
		if (!g_file_get_contents(argv[i], &data, &len, NULL)) {
			fprintf(stderr, "fuzz replay: cannot read %s\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		g_free(data);
	}
	printf("fuzz replay %s: %d inputs\n", argv[0], argc - 1);
	return 0;
}
