/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every unit test program ends with CHECK_MAIN(make_suite): it runs the
 * suite and prints Check's summary line ("100%: Checks: N, Failures: N,
 * Errors: N"), which tests/run.sh adds up.
 */
#ifndef PORTICO_TESTS_CHECK_MAIN_H
#define PORTICO_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define CHECK_MAIN(make_suite)                                                                     \
	int main(void)                                                                             \
	{                                                                                          \
		SRunner *sr = srunner_create(make_suite());                                        \
		srunner_run_all(sr, CK_NORMAL);                                                    \
		int failed = srunner_ntests_failed(sr);                                            \
		srunner_free(sr);                                                                  \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                       \
	}

#endif
