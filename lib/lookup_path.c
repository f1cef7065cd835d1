/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Choosing the FIB walk: once at start (ROUTED_LOOKUP_PATH, else the
 * fastest the CPU runs), again on request (tests force every available
 * path; routebench measures each).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fib_avx512.h"
#include "lookup_path.h"

bool lookup_path_vector;

static const char *const path_names[RT_LOOKUP_PATH_COUNT] = {
	[RT_LOOKUP_PATH_SCALAR] = "scalar",
	[RT_LOOKUP_PATH_AVX512] = "avx512",
};

bool rt_lookup_path_available(enum rt_lookup_path p)
{
	switch (p) {
	case RT_LOOKUP_PATH_SCALAR:
		return true;
	case RT_LOOKUP_PATH_AVX512:
		return fib_avx512_usable();
	default:
		return false;
	}
}

int rt_lookup_path_select(enum rt_lookup_path p)
{
	if ((unsigned)p >= RT_LOOKUP_PATH_COUNT)
		return -EINVAL;
	if (!rt_lookup_path_available(p))
		return -ENOTSUP;
	__atomic_store_n(&lookup_path_vector, p == RT_LOOKUP_PATH_AVX512, __ATOMIC_RELAXED);
	return 0;
}

enum rt_lookup_path rt_lookup_path_current(void)
{
	return lookup_path_vector_on() ? RT_LOOKUP_PATH_AVX512 : RT_LOOKUP_PATH_SCALAR;
}

const char *rt_lookup_path_name(enum rt_lookup_path p)
{
	return (unsigned)p < RT_LOOKUP_PATH_COUNT ? path_names[p] : NULL;
}

int rt_lookup_path_parse(const char *name, enum rt_lookup_path *p)
{
	for (unsigned i = 0; i < RT_LOOKUP_PATH_COUNT; i++) {
		if (strcmp(name, path_names[i]) == 0) {
			*p = (enum rt_lookup_path)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Before main(): lookups may start as soon as main() does. */
static __attribute__((constructor)) void lookup_path_init(void)
{
	const char *env = getenv("ROUTED_LOOKUP_PATH");
	enum rt_lookup_path p;

	if (env && rt_lookup_path_parse(env, &p) == 0 && rt_lookup_path_select(p) == 0)
		return;
	if (rt_lookup_path_select(RT_LOOKUP_PATH_AVX512) != 0)
		rt_lookup_path_select(RT_LOOKUP_PATH_SCALAR);
}
