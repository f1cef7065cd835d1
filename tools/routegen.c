/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routegen: print a synthetic, BGP-like routing table in the route file
 * format (include/routed/routefile.h): one route per prefix, IPv4 first,
 * with a gateway, metric 0 and a tag, as routefile_format() writes it.
 *
 * Prefix lengths follow the shape of a 2025 full table:
 *
 *   IPv4  /24 60%, /22 12%, /23 11%, /21 5.6%, /20 4.7%, /16-/19 5%,
 *         /8-/15 1% (mostly /14 and /15), /25-/32 0.5%
 *   IPv6  /48 47%, /32 14%, /44 8%, /40 6%, /56 5%, /64 5%, /36 4%, /29 3%;
 *         the other 8% spread over /19-/128 (/28, /33-/35, /46-/47, /128 ...)
 *
 * Nesting: about 35% of the prefixes are drawn as more-specifics of a
 * shorter prefix generated earlier (the parent is picked uniformly among
 * all earlier prefixes shorter than the new one; if the parent has no room
 * left the prefix is placed at random instead). The others are placed at
 * random: IPv4 in 1.0.0.0-223.255.255.255 outside 10/8 and 127/8; IPv6 90%
 * in the registries' blocks 2001::/16, 2400::/12, 2600::/12, 2800::/12,
 * 2a00::/12 and 2c00::/12, 9.5% elsewhere in 2000::/3 and 0.5% outside
 * 2000::/3. Random placement adds some incidental nesting on top.
 *
 * Every prefix is unique and has its host bits clear. The tag is a
 * synthetic origin AS (a more-specific keeps its parent's AS 60% of the
 * time); the next hop is one of K gateways picked by AS, taken from the
 * benchmarking ranges 198.18.0.0/15 and 2001:2::/48. The output depends
 * only on the options and the seed; the seed is printed on stderr.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <routed/routefile.h>

typedef unsigned __int128 u128;

#define NEST_FRACTION 0.35
#define NEST_TRIES 8
#define PLACE_TRIES 1000
#define KEEP_AS_FRACTION 0.6
#define MAX_NEXTHOPS 131070u	/* 198.18.0.0/15 less the network and broadcast */
#define NO_PARENT SIZE_MAX

struct len_weight {
	uint8_t len;
	double pct;
};

static const struct len_weight v4_lengths[] = {
	{ 8, 0.003 }, { 9, 0.004 }, { 10, 0.01 }, { 11, 0.03 },
	{ 12, 0.08 }, { 13, 0.15 }, { 14, 0.28 }, { 15, 0.443 },
	{ 16, 1.3 }, { 17, 0.8 }, { 18, 1.2 }, { 19, 1.7 },
	{ 20, 4.7 }, { 21, 5.6 }, { 22, 12.0 }, { 23, 11.0 }, { 24, 60.2 },
	{ 25, 0.07 }, { 26, 0.07 }, { 27, 0.06 }, { 28, 0.06 },
	{ 29, 0.07 }, { 30, 0.05 }, { 31, 0.01 }, { 32, 0.11 },
};

static const struct len_weight v6_lengths[] = {
	{ 19, 0.02 }, { 20, 0.08 }, { 21, 0.03 }, { 22, 0.05 }, { 23, 0.05 },
	{ 24, 0.15 }, { 25, 0.05 }, { 26, 0.05 }, { 27, 0.08 }, { 28, 0.6 },
	{ 29, 3.0 }, { 30, 0.3 }, { 31, 0.25 }, { 32, 14.0 },
	{ 33, 0.5 }, { 34, 0.35 }, { 35, 0.3 }, { 36, 4.0 },
	{ 37, 0.2 }, { 38, 0.35 }, { 39, 0.2 }, { 40, 6.0 },
	{ 41, 0.15 }, { 42, 0.3 }, { 43, 0.15 }, { 44, 8.0 },
	{ 45, 0.3 }, { 46, 0.5 }, { 47, 0.6 }, { 48, 47.0 },
	{ 49, 0.1 }, { 50, 0.08 }, { 51, 0.05 }, { 52, 0.3 },
	{ 53, 0.05 }, { 54, 0.05 }, { 55, 0.05 }, { 56, 5.0 },
	{ 57, 0.03 }, { 58, 0.03 }, { 59, 0.03 }, { 60, 0.3 },
	{ 61, 0.02 }, { 62, 0.04 }, { 63, 0.02 }, { 64, 5.0 },
	{ 80, 0.05 }, { 96, 0.1 }, { 112, 0.1 }, { 120, 0.05 },
	{ 124, 0.1 }, { 126, 0.1 }, { 127, 0.1 }, { 128, 0.64 },
};

/* Where IPv6 prefixes that are not more-specifics go. */
struct v6_block {
	uint16_t top;		/* first 16 bits of the block */
	uint8_t len;
	double pct;
};

static const struct v6_block v6_blocks[] = {
	{ 0x2001, 16, 13.5 }, { 0x2400, 12, 18.0 }, { 0x2600, 12, 22.5 },
	{ 0x2800, 12, 6.3 }, { 0x2a00, 12, 25.2 }, { 0x2c00, 12, 4.5 },
	{ 0x2000, 3, 9.5 },
	{ 0x0000, 0, 0.5 },	/* anywhere outside 2000::/3 */
};

/* The PRNG: splitmix64, small and good enough for test data. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t n)
{
	return (uint64_t)(((u128)rng_next() * n) >> 64);
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) * 0x1p-53;
}

static u128 rng_128(void)
{
	u128 hi = rng_next();

	return (hi << 64) | rng_next();
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
	return z ^ (z >> 33);
}

/* The first len bits of a left-aligned 128-bit address. */
static u128 mask_of(unsigned len)
{
	return len ? ~(u128)0 << (128 - len) : 0;
}

struct gen {
	const char *name;
	unsigned bits;
	size_t want;
	/* prefixes in generation order */
	u128 *addr;			/* left-aligned */
	uint8_t *len;
	uint32_t *as;
	size_t n;
	size_t nested;
	/* indices of the prefixes of each length */
	uint32_t *bylen[129];
	size_t bylen_n[129], bylen_cap[129];
	/* hash set of (addr, len): index + 1, 0 = empty */
	uint32_t *slots;
	size_t mask;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "routegen: out of memory\n");
		exit(1);
	}
	return p;
}

static void gen_init(struct gen *g, const char *name, unsigned bits, size_t want)
{
	size_t cap = 16;

	memset(g, 0, sizeof(*g));
	g->name = name;
	g->bits = bits;
	g->want = want;
	g->addr = xcalloc(want, sizeof(*g->addr));
	g->len = xcalloc(want, sizeof(*g->len));
	g->as = xcalloc(want, sizeof(*g->as));
	while (cap < 2 * want)
		cap *= 2;
	g->slots = xcalloc(cap, sizeof(*g->slots));
	g->mask = cap - 1;
}

static void gen_free(struct gen *g)
{
	free(g->addr);
	free(g->len);
	free(g->as);
	free(g->slots);
	for (unsigned i = 0; i <= 128; i++)
		free(g->bylen[i]);
}

static size_t slot_of(u128 addr, unsigned len)
{
	return (size_t)mix64((uint64_t)(addr >> 64) ^ mix64((uint64_t)addr ^ len));
}

/* Record a prefix unless it exists already. */
static bool gen_add(struct gen *g, u128 addr, unsigned len, uint32_t as)
{
	size_t s = slot_of(addr, len) & g->mask;
	uint32_t idx;

	for (; g->slots[s]; s = (s + 1) & g->mask) {
		idx = g->slots[s] - 1;
		if (g->len[idx] == len && g->addr[idx] == addr)
			return false;
	}
	idx = (uint32_t)g->n++;
	g->slots[s] = idx + 1;
	g->addr[idx] = addr;
	g->len[idx] = (uint8_t)len;
	g->as[idx] = as;
	if (g->bylen_n[len] == g->bylen_cap[len]) {
		size_t cap = g->bylen_cap[len] ? 2 * g->bylen_cap[len] : 64;
		uint32_t *p = realloc(g->bylen[len], cap * sizeof(*p));

		if (!p) {
			fprintf(stderr, "routegen: out of memory\n");
			exit(1);
		}
		g->bylen[len] = p;
		g->bylen_cap[len] = cap;
	}
	g->bylen[len][g->bylen_n[len]++] = idx;
	return true;
}

/* A prefix picked uniformly among those shorter than len, or NO_PARENT. */
static size_t pick_parent(const struct gen *g, unsigned len)
{
	size_t total = 0;
	uint64_t r;

	for (unsigned l = 0; l < len; l++)
		total += g->bylen_n[l];
	if (!total)
		return NO_PARENT;
	r = rng_below(total);
	for (unsigned l = 0; l < len; l++) {
		if (r < g->bylen_n[l])
			return g->bylen[l][r];
		r -= g->bylen_n[l];
	}
	return NO_PARENT;
}

static unsigned pick_len(const struct len_weight *w, size_t n)
{
	double total = 0, r;

	for (size_t i = 0; i < n; i++)
		total += w[i].pct;
	r = rng_unit() * total;
	for (size_t i = 0; i < n; i++) {
		if (r < w[i].pct)
			return w[i].len;
		r -= w[i].pct;
	}
	return w[n - 1].len;
}

/* A synthetic origin AS: mostly 2-byte, some 4-byte. */
static uint32_t pick_as(void)
{
	if (rng_unit() < 0.7)
		return 1 + (uint32_t)rng_below(64495);
	return 131072 + (uint32_t)rng_below(270000);
}

static u128 place_v4(void)
{
	for (;;) {
		uint32_t a = (uint32_t)rng_next();
		unsigned top = a >> 24;

		if (top != 0 && top != 10 && top != 127 && top < 224)
			return (u128)a << 96;
	}
}

static u128 place_v6(void)
{
	double total = 0, r;
	const struct v6_block *b = &v6_blocks[0];

	for (size_t i = 0; i < sizeof(v6_blocks) / sizeof(v6_blocks[0]); i++)
		total += v6_blocks[i].pct;
	r = rng_unit() * total;
	for (size_t i = 0; i < sizeof(v6_blocks) / sizeof(v6_blocks[0]); i++) {
		b = &v6_blocks[i];
		if (r < b->pct)
			break;
		r -= b->pct;
	}
	for (;;) {
		u128 base = (u128)b->top << 112;
		u128 a = (base & mask_of(b->len)) | (rng_128() & ~mask_of(b->len));

		/* The last block means "outside 2000::/3". */
		if (b->len || (a >> 125) != 1)
			return a;
	}
}

static int generate(struct gen *g, const struct len_weight *w, size_t nw)
{
	size_t failures = 0;

	while (g->n < g->want) {
		unsigned len = pick_len(w, nw);
		bool done = false;

		if (rng_unit() < NEST_FRACTION) {
			for (unsigned t = 0; t < NEST_TRIES && !done; t++) {
				size_t p = pick_parent(g, len);
				u128 a;
				uint32_t as;

				if (p == NO_PARENT)
					break;
				a = g->addr[p] | (rng_128() & ~mask_of(g->len[p]) & mask_of(len));
				as = rng_unit() < KEEP_AS_FRACTION ? g->as[p] : pick_as();
				done = gen_add(g, a, len, as);
			}
			if (done)
				g->nested++;
		}
		for (unsigned t = 0; t < PLACE_TRIES && !done; t++) {
			u128 a = g->bits == 32 ? place_v4() : place_v6();

			done = gen_add(g, a & mask_of(len), len, pick_as());
		}
		if (done) {
			failures = 0;
		} else if (++failures > 10000) {
			fprintf(stderr,
				"routegen: cannot find %zu unique %s prefixes (stuck at %zu)\n",
				g->want, g->name, g->n);
			return -1;
		}
	}
	return 0;
}

static void addr_out(const struct gen *g, u128 a, struct rt_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = g->bits == 32 ? AF_INET : AF_INET6;
	for (unsigned i = 0; i < g->bits / 8; i++)
		out->bytes[i] = (uint8_t)(a >> (120 - 8 * i));
}

static int print_routes(const struct gen *g, unsigned nexthops)
{
	struct rt_route r;
	char line[256];

	for (size_t i = 0; i < g->n; i++) {
		uint32_t nh = 1 + (uint32_t)(mix64(g->as[i]) % nexthops);
		u128 gw;
		int len;

		if (g->bits == 32)
			gw = (u128)((198u << 24) | (18u << 16)) << 96;
		else
			gw = (u128)0x20010002u << 96;
		gw += g->bits == 32 ? (u128)nh << 96 : (u128)nh;
		rt_route_init(&r);
		addr_out(g, g->addr[i], &r.prefix.addr);
		r.prefix.len = g->len[i];
		addr_out(g, gw, &r.gateway);
		r.metric = 0;
		r.has_tag = true;
		r.tag = g->as[i];
		len = routefile_format(&r, line, sizeof(line));
		if (len < 0) {
			fprintf(stderr, "routegen: cannot format a route: %s\n", strerror(-len));
			return -1;
		}
		line[len] = '\n';
		if (fwrite(line, 1, (size_t)len + 1, stdout) != (size_t)len + 1)
			return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: routegen [--v4 N] [--v6 N] [--seed S] [--nexthops K]\n"
		"Print a synthetic BGP-like routing table in route file format on stdout.\n"
		"\n"
		"  --v4 N        IPv4 prefixes (default 900000)\n"
		"  --v6 N        IPv6 prefixes (default 160000)\n"
		"  --seed S      PRNG seed (default: from the clock); printed on stderr\n"
		"  --nexthops K  distinct gateways per family, 1..%u (default 16)\n"
		"  --help        this text\n"
		"\n"
		"Prefix lengths:\n"
		"  IPv4  /24 60%%, /22 12%%, /23 11%%, /21 5.6%%, /20 4.7%%, /16-/19 5%%,\n"
		"        /8-/15 1%%, /25-/32 0.5%%\n"
		"  IPv6  /48 47%%, /32 14%%, /44 8%%, /40 6%%, /56 5%%, /64 5%%, /36 4%%, /29 3%%,\n"
		"        the other 8%% over /19-/128\n"
		"About 35%% of the prefixes are more-specifics of an earlier, shorter one;\n"
		"the rest are placed at random (IPv6 mostly in 2000::/3). Prefixes are\n"
		"unique. Each route has metric 0, a synthetic origin AS as tag and a\n"
		"gateway from 198.18.0.0/15 or 2001:2::/48.\n"
		"The same seed and options give the same output.\n",
		MAX_NEXTHOPS);
}

static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "routegen: %s: invalid value \"%s\" (%" PRIu64 "..%" PRIu64 ")\n",
		opt, s, min, max);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "v4", required_argument, NULL, '4' },
		{ "v6", required_argument, NULL, '6' },
		{ "seed", required_argument, NULL, 's' },
		{ "nexthops", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n4 = 900000, n6 = 160000, nexthops = 16, seed = 0;
	bool have_seed = false;
	struct gen g4, g6;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case '4':
			if (parse_u64("--v4", optarg, 0, UINT32_MAX - 1, &n4))
				return 2;
			break;
		case '6':
			if (parse_u64("--v6", optarg, 0, UINT32_MAX - 1, &n6))
				return 2;
			break;
		case 's':
			if (parse_u64("--seed", optarg, 0, UINT64_MAX, &seed))
				return 2;
			have_seed = true;
			break;
		case 'k':
			if (parse_u64("--nexthops", optarg, 1, MAX_NEXTHOPS, &nexthops))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "routegen: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = mix64((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
		       (uint64_t)getpid();
	}
	rng_state = seed;
	fprintf(stderr, "routegen: seed %" PRIu64 "\n", seed);

	gen_init(&g4, "IPv4", 32, n4);
	gen_init(&g6, "IPv6", 128, n6);
	if (generate(&g4, v4_lengths, sizeof(v4_lengths) / sizeof(v4_lengths[0])) ||
	    generate(&g6, v6_lengths, sizeof(v6_lengths) / sizeof(v6_lengths[0]))) {
		rc = 1;
		goto out;
	}
	fprintf(stderr, "routegen: %zu IPv4 prefixes (%.1f%% nested), %zu IPv6 (%.1f%% nested)\n",
		g4.n, g4.n ? 100.0 * (double)g4.nested / (double)g4.n : 0.0,
		g6.n, g6.n ? 100.0 * (double)g6.nested / (double)g6.n : 0.0);

	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (print_routes(&g4, (unsigned)nexthops) || print_routes(&g6, (unsigned)nexthops) ||
	    fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "routegen: write error: %s\n", strerror(errno));
		rc = 1;
	}
out:
	gen_free(&g4);
	gen_free(&g6);
	return rc;
}
