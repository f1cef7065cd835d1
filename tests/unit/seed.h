/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The seed of a randomized test: ROUTED_TEST_SEED, or one from the clock
 * and the pid; printed as "# seed N" so that a failing run can be replayed.
 */
#ifndef ROUTED_TESTS_SEED_H
#define ROUTED_TESTS_SEED_H

unsigned long long seed_from_env(void);
/* ROUTED_TEST_ITERATIONS: how much to scale the rounds by, 1 by default. */
double seed_iterations(void);
/* xorshift64* (Vigna): the next number of a stream; *state must not be 0. */
unsigned long long seed_rng_next(unsigned long long *state);

#endif
