/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "seed.h"

unsigned long long seed_from_env(void)
{
	const char *s = getenv("ROUTED_TEST_SEED");
	unsigned long long seed;

	if (s && *s) {
		char *end;

		errno = 0;
		seed = strtoull(s, &end, 0);
		if (errno || *end) {
			/* A typo must not quietly run with another seed than asked for. */
			fprintf(stderr, "ROUTED_TEST_SEED=\"%s\" is not a number\n", s);
			exit(2);
		}
	} else {
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	}
	printf("# seed %llu (ROUTED_TEST_SEED=%llu repeats this run)\n", seed, seed);
	fflush(stdout);
	return seed;
}

double seed_iterations(void)
{
	const char *it = getenv("ROUTED_TEST_ITERATIONS");

	return it && *it ? strtod(it, NULL) : 1.0;
}

unsigned long long seed_rng_next(unsigned long long *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}
