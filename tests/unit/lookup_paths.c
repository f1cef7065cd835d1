/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lookup_paths.h"

_Static_assert(RT_LOOKUP_PATH_COUNT == 2, "LOOKUP_PATH_TESTS() names every path");

void lookup_path_test_run(void **state)
{
	const struct lookup_path_test *pt = *state;
	enum rt_lookup_path was = rt_lookup_path_current();

	if (rt_lookup_path_select(pt->path) != 0) {
		print_message("lookup path %s: not available on this machine or build\n",
			      rt_lookup_path_name(pt->path));
		skip();
	}
	*state = NULL;
	pt->fn(state);
	assert_int_equal(rt_lookup_path_select(was), 0);
}

unsigned lookup_paths_available(void)
{
	unsigned n = 0;

	for (unsigned p = 0; p < RT_LOOKUP_PATH_COUNT; p++)
		n += rt_lookup_path_available((enum rt_lookup_path)p);
	return n;
}
