/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which code walks the FIB for the batch lookups (rt_table_lookup_ids4/6,
 * rt_table_answer4/6): the scalar walk, which runs everywhere, or the
 * AVX-512 walk (gathers and VPOPCNTQ, eight lookups per vector), where the
 * CPU and the compiler have it. Every path gives the same answers.
 *
 * At start the process takes the path named by the environment variable
 * ROUTED_LOOKUP_PATH ("scalar", "avx512" or "auto"); unset, "auto", or a
 * path this machine cannot run means the fastest available one.
 *
 * The choice is process-wide. Select while no lookup runs (at start, in
 * tests and benches between phases): a lookup that overlaps a change may
 * run either path, each of which is correct on its own.
 */
#ifndef ROUTED_LOOKUP_PATH_H
#define ROUTED_LOOKUP_PATH_H

#include <stdbool.h>

enum rt_lookup_path {
	RT_LOOKUP_PATH_SCALAR,
	RT_LOOKUP_PATH_AVX512,
	RT_LOOKUP_PATH_COUNT,
};

/* Whether this build on this CPU can run path p. */
bool rt_lookup_path_available(enum rt_lookup_path p);

/* Use path p from now on: 0, -ENOTSUP when it is not available, -EINVAL. */
int rt_lookup_path_select(enum rt_lookup_path p);

enum rt_lookup_path rt_lookup_path_current(void);

/* "scalar", "avx512"; NULL for a value out of range. */
const char *rt_lookup_path_name(enum rt_lookup_path p);

/* The path a name spells: 0, or -EINVAL for an unknown name. */
int rt_lookup_path_parse(const char *name, enum rt_lookup_path *p);

#endif
