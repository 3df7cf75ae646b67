/*
 * suites.h: the Check suites linked into tests/run, and helpers they share.
 *
 * Every suite reads its environment from tests/run's caller (the Makefile):
 * FEEDWATCH (the binary under test), FEEDWATCH_SHARED (../shared: corpus,
 * examples) and FEEDWATCH_SRC (the source tree).
 */
#ifndef FEEDWATCH_SUITES_H
#define FEEDWATCH_SUITES_H

#include <check.h>

Suite	*config_suite(void);
Suite	*parser_suite(void);
Suite	*match_suite(void);
Suite	*e2e_suite(void);

/* $name, or fails the current test with a message naming it. */
const char	*test_env(const char *name);

#endif
