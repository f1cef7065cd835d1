/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation failure on demand, for the tests linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=arena_alloc: the
 * wrap reaches only the objects linked statically (the test, lib/ and the
 * daemon code it links), not shared libraries. Single-threaded use.
 */
#ifndef ROUTED_TESTS_ALLOC_FAIL_H
#define ROUTED_TESTS_ALLOC_FAIL_H

/*
 * Count allocations from now on, numbered from 1, and fail the first-th
 * and the second-th (0: none).
 */
void alloc_fail_arm(unsigned long first, unsigned long second);
/* Stop counting; returns how many allocations were made since arming. */
unsigned long alloc_fail_disarm(void);

#endif
