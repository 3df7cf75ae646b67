/* run.c: the test runner; one binary for every suite (CK_FORK isolates crashes). */
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>

const char *
test_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "$%s is not set: run through "
	    "'make check'", name);
	return v;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(config_suite());
	srunner_add_suite(sr, parser_suite());
	srunner_add_suite(sr, match_suite());
	srunner_add_suite(sr, e2e_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
