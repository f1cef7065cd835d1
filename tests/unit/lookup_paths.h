/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run a cmocka test once per lookup path (include/routed/lookup_path.h),
 * so the differential and concurrency tests cover every walk of the FIB.
 * A path this machine lacks is reported as skipped, with a message saying
 * so; which ran shows in the test names ("test_x (avx512)").
 */
#ifndef ROUTED_TESTS_LOOKUP_PATHS_H
#define ROUTED_TESTS_LOOKUP_PATHS_H

#include <routed/lookup_path.h>

struct lookup_path_test {
	enum rt_lookup_path path;
	void (*fn)(void **state);
};

/* The cmocka test function of every entry below: select, run, restore. */
void lookup_path_test_run(void **state);

/* How many paths run here (at least 1: the scalar one). */
unsigned lookup_paths_available(void);

#define LOOKUP_PATH_TEST(f, p, name) \
	{ #f " (" name ")", lookup_path_test_run, NULL, NULL, \
	  &(struct lookup_path_test){ (p), (f) } }

/* Entries for a CMUnitTest array: f on each path. */
#define LOOKUP_PATH_TESTS(f) \
	LOOKUP_PATH_TEST(f, RT_LOOKUP_PATH_SCALAR, "scalar"), \
	LOOKUP_PATH_TEST(f, RT_LOOKUP_PATH_AVX512, "avx512")

#endif
