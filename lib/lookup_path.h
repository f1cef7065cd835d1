/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lookup path chosen for this process (include/routed/lookup_path.h),
 * as the FIB's batch lookups read it on every call.
 */
#ifndef ROUTED_LIB_LOOKUP_PATH_H
#define ROUTED_LIB_LOOKUP_PATH_H

#include <stdbool.h>

#include <routed/lookup_path.h>

/*
 * True while the AVX-512 walk is selected. Written only by
 * rt_lookup_path_select() and at start, read with relaxed atomic loads:
 * it orders nothing, it only picks which correct walk runs.
 */
extern bool lookup_path_vector;

static inline bool lookup_path_vector_on(void)
{
	return __atomic_load_n(&lookup_path_vector, __ATOMIC_RELAXED);
}

#endif
