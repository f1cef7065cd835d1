/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wirebench: the UDP service's in-place answers (rt_table_answer_wire4/6)
 * on the scalar FIB walk beside the AVX-512 walk, in one process, the
 * same table and the same datagrams, so a busy machine slows both alike
 * and their ratio stays meaningful (docs/performance.md, the UDP path).
 *
 * Each round answers every datagram once per walk, the two in turn (the
 * order alternates between rounds). As in the daemon, a datagram is
 * answered in one of 64 receive buffers reused round after round; its
 * addresses are copied in first (the kernel's copy, the same for both).
 *
 *   wirebench --routes FILE [--family 4|6] [--count N] [--datagrams D]
 *             [--rounds R] [--seed S] [--answer-pages | --staggered]
 *
 * --answer-pages compares, on the selected walk, two copies of the table:
 * one whose answer words are advised as huge pages (the default) and one
 * loaded with ROUTED_ROUTE_IDS_HUGE=0, whose words stay in small pages
 * (route_ids.h), answered in turn as the walks are. --staggered compares,
 * on the selected walk, each datagram answered in one call
 * (rt_table_answer_wire4/6) with the daemon's order: in one read-side
 * section, each datagram walked and then the one before it filled
 * (rt_table_view_wire_*).
 *
 * --count is the addresses per datagram (default: the most one holds, 75
 * or 30); the addresses are drawn inside the table's prefixes of the
 * family. Prints each round's answers per second on each walk and their
 * ratio, then the median ratio, its range and the rounds the vector
 * walk won.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <routed/lookup_path.h>
#include <routed/lookup_wire.h>
#include <routed/rcu.h>
#include <routed/routefile.h>
#include <routed/table.h>
#include <urcu/urcu-memb.h>

#include "rng.h"

#define BUFFERS 64		/* the daemon's receive buffers per round */
#define MAX_ROUNDS 101

/* routebench's bench.c serves its own options; these few are wirebench's. */
static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("wirebench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *x, unsigned n)
{
	qsort(x, n, sizeof(x[0]), cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

struct options {
	const char *routes;
	unsigned family;	/* RT_WIRE_FAMILY4 or RT_WIRE_FAMILY6 */
	unsigned count;
	unsigned datagrams;
	unsigned rounds;
	uint64_t seed;
	bool answer_pages;
	bool staggered;
};

static unsigned parse_unsigned(const char *opt, const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s: %s is not a number from %u to %u", opt, s, lo, hi);
	return (unsigned)v;
}

static struct options parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "routes", required_argument, NULL, 'r' },
		{ "family", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "datagrams", required_argument, NULL, 'd' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "answer-pages", no_argument, NULL, 'p' },
		{ "staggered", no_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .family = RT_WIRE_FAMILY4, .datagrams = 20000, .rounds = 9, .seed = 1 };
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o.routes = optarg; break;
		case 'f': o.family = parse_unsigned("--family", optarg, 4, 6); break;
		case 'c': o.count = parse_unsigned("--count", optarg, 1, RT_WIRE_MAX_COUNT4); break;
		case 'd': o.datagrams = parse_unsigned("--datagrams", optarg, 1, 10000000); break;
		case 'n': o.rounds = parse_unsigned("--rounds", optarg, 1, MAX_ROUNDS); break;
		case 's': o.seed = parse_unsigned("--seed", optarg, 0, UINT32_MAX); break;
		case 'p': o.answer_pages = true; break;
		case 'g': o.staggered = true; break;
		default: die("usage: wirebench --routes FILE [--family 4|6] [--count N] "
				   "[--datagrams D] [--rounds R] [--seed S] [--answer-pages | --staggered]");
		}
	}
	if (optind != argc || !o.routes)
		die("usage: wirebench --routes FILE [--family 4|6] [--count N] "
			  "[--datagrams D] [--rounds R] [--seed S] [--answer-pages | --staggered]");
	if (o.answer_pages && o.staggered)
		die("--answer-pages or --staggered, not both");
	if (o.family != RT_WIRE_FAMILY4 && o.family != RT_WIRE_FAMILY6)
		die("--family: 4 or 6");
	if (!o.count)
		o.count = (unsigned)rt_wire_max_count(o.family);
	if (o.count > rt_wire_max_count(o.family))
		die("--count: an IPv%u datagram holds at most %zu addresses", o.family,
			  rt_wire_max_count(o.family));
	return o;
}

/* n addresses of family, each inside a random prefix of that family, as slot bytes. */
static uint8_t (*draw_addresses(const struct rt_route *routes, size_t nroutes, int family,
				size_t n, uint64_t seed))[16]
{
	uint8_t (*out)[16] = xmalloc(n * sizeof(*out));
	size_t *of_family = xmalloc(nroutes * sizeof(*of_family)), nf = 0;
	struct rng r = rng_for(seed, 1);
	unsigned bits = family == AF_INET ? 32 : 128;

	for (size_t i = 0; i < nroutes; i++)
		if (routes[i].prefix.addr.family == family)
			of_family[nf++] = i;
	if (!nf)
		die("the route file has no IPv%u routes", family == AF_INET ? 4 : 6);
	for (size_t k = 0; k < n; k++) {
		const struct rt_prefix *p = &routes[of_family[rng_below(&r, nf)]].prefix;

		memcpy(out[k], p->addr.bytes, 16);
		for (unsigned b = p->len; b < bits; b++)
			if (rng_next(&r) & 1)
				out[k][b / 8] ^= (uint8_t)(0x80 >> (b % 8));
	}
	free(of_family);
	return out;
}

/* Answers per second of one walk over every datagram. */
static double run_walk(const struct rt_table *t, const struct options *o,
		       const uint8_t (*addrs)[16], uint8_t (*bufs)[RT_WIRE_MAX_PAYLOAD])
{
	size_t slot = rt_wire_slot_len(o->family), alen = o->family == RT_WIRE_FAMILY4 ? 4 : 16;
	double start = now();

	for (size_t d = 0; d < o->datagrams; d++) {
		uint8_t *slots = bufs[d % BUFFERS] + RT_WIRE_HEADER_LEN;
		const uint8_t (*a)[16] = addrs + d * o->count;

		for (unsigned i = 0; i < o->count; i++)
			memcpy(slots + i * slot, a[i], alen);
		if (o->family == RT_WIRE_FAMILY4)
			rt_table_answer_wire4(t, slots, o->count);
		else
			rt_table_answer_wire6(t, slots, o->count);
	}
	return (double)o->datagrams * o->count / (now() - start);
}

/*
 * Answers per second in the daemon's order: each datagram walked, then the
 * one before it filled, all in one read-side section per 64 buffers (a
 * receive round).
 */
static double run_staggered(const struct rt_table *t, const struct options *o,
			    const uint8_t (*addrs)[16], uint8_t (*bufs)[RT_WIRE_MAX_PAYLOAD])
{
	size_t slot = rt_wire_slot_len(o->family), alen = o->family == RT_WIRE_FAMILY4 ? 4 : 16;
	bool v4 = o->family == RT_WIRE_FAMILY4;
	double start = now();

	for (size_t d0 = 0; d0 < o->datagrams; d0 += BUFFERS) {
		const struct rt_table_view *v;
		uint8_t *prev = NULL;

		urcu_memb_read_lock();
		v = rt_table_view_rcu(t);
		for (size_t d = d0; d < o->datagrams && d < d0 + BUFFERS; d++) {
			uint8_t *slots = bufs[d % BUFFERS] + RT_WIRE_HEADER_LEN;
			const uint8_t (*a)[16] = addrs + d * o->count;

			for (unsigned i = 0; i < o->count; i++)
				memcpy(slots + i * slot, a[i], alen);
			if (v4)
				rt_table_view_wire_walk4(v, slots, o->count);
			else
				rt_table_view_wire_walk6(v, slots, o->count);
			if (prev && v4)
				rt_table_view_wire_fill4(v, prev, o->count);
			else if (prev)
				rt_table_view_wire_fill6(v, prev, o->count);
			prev = slots;
		}
		if (v4)
			rt_table_view_wire_fill4(v, prev, o->count);
		else
			rt_table_view_wire_fill6(v, prev, o->count);
		urcu_memb_read_unlock();
	}
	return (double)o->datagrams * o->count / (now() - start);
}

/* Each round, one call per datagram and the daemon's staggered passes. */
static void compare_staggered(const struct rt_table *t, const struct options *o,
			      const uint8_t (*addrs)[16], uint8_t (*bufs)[RT_WIRE_MAX_PAYLOAD])
{
	double ratio[MAX_ROUNDS], rate[2];
	unsigned won = 0;

	printf("# the %s walk; staggered passes beside one call per datagram\n",
	       rt_lookup_path_name(rt_lookup_path_current()));
	for (unsigned r = 0; r < o->rounds; r++) {
		for (unsigned k = 0; k < 2; k++) {
			unsigned which = r % 2 ? 1 - k : k;

			rate[which] = which ? run_staggered(t, o, addrs, bufs)
					    : run_walk(t, o, addrs, bufs);
		}
		ratio[r] = rate[1] / rate[0];
		won += ratio[r] > 1;
		printf("round %u: one call %.2f M/s, staggered %.2f M/s, staggered/one call %.3f\n",
		       r + 1, rate[0] / 1e6, rate[1] / 1e6, ratio[r]);
	}
	printf("median staggered/one call %.3f", median(ratio, o->rounds));
	printf(" (%.3f-%.3f), staggered ahead in %u of %u rounds\n", ratio[0],
	       ratio[o->rounds - 1], won, o->rounds);
}

/* The table of routes; with small_pages, its answer words never advised huge. */
static struct rt_table *load_table(const struct rt_route *routes, size_t nroutes, const char *file,
				   bool small_pages)
{
	struct rt_table *t;
	size_t failed = 0;

	if (small_pages)
		setenv("ROUTED_ROUTE_IDS_HUGE", "0", 1);
	t = rt_table_create(RT_TABLE_MAIN);
	unsetenv("ROUTED_ROUTE_IDS_HUGE");
	if (!t || rt_table_replace_all(t, routes, nroutes, &failed))
		die("loading %s failed (route %zu)", file, failed);
	return t;
}

/* Each round, the scalar and the AVX-512 walk over the same datagrams. */
static void compare_walks(const struct rt_table *t, const struct options *o,
			  const uint8_t (*addrs)[16], uint8_t (*bufs)[RT_WIRE_MAX_PAYLOAD])
{
	double ratio[MAX_ROUNDS], rate[RT_LOOKUP_PATH_COUNT];
	unsigned won = 0;

	if (!rt_lookup_path_available(RT_LOOKUP_PATH_AVX512))
		die("the AVX-512 walk is not available here: nothing to compare");
	for (unsigned r = 0; r < o->rounds; r++) {
		for (unsigned k = 0; k < RT_LOOKUP_PATH_COUNT; k++) {
			enum rt_lookup_path p = (enum rt_lookup_path)(r % 2 ? RT_LOOKUP_PATH_COUNT - 1 - k : k);

			if (rt_lookup_path_select(p))
				die("cannot select the %s walk", rt_lookup_path_name(p));
			rate[p] = run_walk(t, o, addrs, bufs);
		}
		ratio[r] = rate[RT_LOOKUP_PATH_AVX512] / rate[RT_LOOKUP_PATH_SCALAR];
		won += ratio[r] > 1;
		printf("round %u: scalar %.2f M/s, avx512 %.2f M/s, avx512/scalar %.3f\n", r + 1,
		       rate[RT_LOOKUP_PATH_SCALAR] / 1e6, rate[RT_LOOKUP_PATH_AVX512] / 1e6, ratio[r]);
	}
	printf("median avx512/scalar %.3f", median(ratio, o->rounds));
	printf(" (%.3f-%.3f), avx512 ahead in %u of %u rounds\n", ratio[0], ratio[o->rounds - 1],
	       won, o->rounds);
}

/* Each round, the table with huge-page answer words and the one without. */
static void compare_pages(const struct rt_table *huge, const struct rt_table *small,
			  const struct options *o, const uint8_t (*addrs)[16],
			  uint8_t (*bufs)[RT_WIRE_MAX_PAYLOAD])
{
	double ratio[MAX_ROUNDS], rate[2];
	unsigned won = 0;

	printf("# the %s walk; answer words in huge pages beside small pages\n",
	       rt_lookup_path_name(rt_lookup_path_current()));
	for (unsigned r = 0; r < o->rounds; r++) {
		for (unsigned k = 0; k < 2; k++) {
			unsigned which = r % 2 ? 1 - k : k;

			rate[which] = run_walk(which ? small : huge, o, addrs, bufs);
		}
		ratio[r] = rate[0] / rate[1];
		won += ratio[r] > 1;
		printf("round %u: small pages %.2f M/s, huge pages %.2f M/s, huge/small %.3f\n", r + 1,
		       rate[1] / 1e6, rate[0] / 1e6, ratio[r]);
	}
	printf("median huge/small %.3f", median(ratio, o->rounds));
	printf(" (%.3f-%.3f), huge pages ahead in %u of %u rounds\n", ratio[0],
	       ratio[o->rounds - 1], won, o->rounds);
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	static uint8_t bufs[BUFFERS][RT_WIRE_MAX_PAYLOAD];
	struct rt_table *t, *small = NULL;
	struct rt_route *routes;
	uint8_t (*addrs)[16];
	size_t nroutes;
	char err[256];

	if (routefile_load(o.routes, &routes, &nroutes, err, sizeof(err)))
		die("%s", err);
	rt_reader_register();
	t = load_table(routes, nroutes, o.routes, false);
	if (o.answer_pages)
		small = load_table(routes, nroutes, o.routes, true);
	addrs = draw_addresses(routes, nroutes, o.family == RT_WIRE_FAMILY4 ? AF_INET : AF_INET6,
			       (size_t)o.datagrams * o.count, o.seed);
	printf("# wirebench: %zu routes, IPv%u datagrams of %u addresses, %u datagrams a walk, "
	       "seed %llu\n", nroutes, o.family, o.count, o.datagrams, (unsigned long long)o.seed);
	if (small)
		compare_pages(t, small, &o, (const uint8_t(*)[16])addrs, bufs);
	else if (o.staggered)
		compare_staggered(t, &o, (const uint8_t(*)[16])addrs, bufs);
	else
		compare_walks(t, &o, (const uint8_t(*)[16])addrs, bufs);
	rt_table_destroy(small);
	rt_table_destroy(t);
	rt_reader_unregister();
	free(addrs);
	free(routes);
	return 0;
}
