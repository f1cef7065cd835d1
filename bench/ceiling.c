/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ceiling: what the memory shapes an IPv4 lookup structure could have cost
 * on this machine, with no trie logic at all, beside DPDK's rte_fib and
 * rte_lpm (--with-dpdk) in the same rounds of one process, on the queries
 * routebench draws (same --seed, same purposes: matched and uniform).
 *
 * Every pattern reads arrays on transparent huge pages (as lib/arena.c
 * asks for them; --small-pages does not ask), in batches of BENCH_BATCH,
 * once scalar (one pass per dependent read over the batch, so the core
 * overlaps a batch's independent loads) and once with AVX-512 gathers:
 * - slot4-line: a 4-byte slot of a 1 MiB table by addr >> 14, then one
 *   dependent 4-byte read in an 8 MiB array, in the 64-byte line the slot
 *   names, at the word addr's next 4 bits choose;
 * - slot8-line: the same with an 8-byte slot (2 MiB) holding the line's
 *   address, today's slot width;
 * - slot-node-leaf: today's shape and sizes: an 8-byte slot (2 MiB), a
 *   word of a 32-byte node (4 MiB of nodes), a 4-byte leaf near the
 *   address the node holds (1.6 MiB of leaves): 7.6 MiB;
 * - dir22: one 4-byte read of 2^22 entries (16 MiB) by addr >> 10, the
 *   real answers of the table leaf-pushed to /22;
 * - dir21-line: a 4-byte entry of 2^21 (8 MiB) by addr >> 11 holding the
 *   real answer at /21, or, where a longer prefix of the table starts in
 *   the /21, the index of a line of the 8 MiB array, read as slot4-line
 *   reads it (16 MiB in all: a DIR table and its lines within the bound);
 * - dir24: one 4-byte read of 2^24 entries (64 MiB) by addr >> 8, the
 *   real answers at /24: DIR-24-8's first read alone, to calibrate the
 *   idealized reads against rte_fib's code.
 * The slots and nodes of the first three hold pseudo-random offsets
 * (spread over their whole arrays); dir22 and dir24 answer route index + 1
 * of the longest prefix of at most 22 (24) bits, checked against rte_fib
 * where its answer is such a prefix.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <routed/clock.h>
#include <routed/prefix.h>
#include <routed/routefile.h>

#ifdef HAVE_FIB_AVX512
#include <immintrin.h>
#endif

#include "bench.h"
#include "dpdk.h"
#include "query.h"
#include "rng.h"
#include "routebench.h"

#define HUGE_PAGE (2u << 20)
#define SLOT_BITS 18
#define LINE_ARRAY_BYTES (8u << 20)
#define NODE_ARRAY_BYTES (4u << 20)
#define LEAF_ARRAY_WORDS (400u << 10)	/* 1.6 MiB */
#define MAX_METHODS 24
#define CHECK_SAMPLE 65536
#define DIR21_LINE 0x80000000u

struct opts opt;

static bool small_pages;

/* The arrays of every pattern; built once, read only while timed. */
struct shapes {
	uint32_t *slot4;	/* 2^18: index of a line of lines */
	uint64_t *slot8;	/* 2^18: address of a line of lines (slot8-line) */
	uint32_t *lines;	/* 8 MiB */
	uint64_t *slot_node;	/* 2^18: address of a node */
	uint64_t *nodes;	/* 4 words a node; word 0: address of a leaf run */
	uint32_t *leaves;
	uint32_t *dir22, *dir24;
	uint32_t *dir21;	/* an answer, or DIR21_LINE | a line of lines */
};

static struct shapes shapes;

static void *huge_alloc(size_t bytes)
{
	size_t span = bytes + HUGE_PAGE;
	char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		bench_die("mmap of %zu bytes: %s", span, strerror(errno));
	p = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (!small_pages)
		madvise(p, bytes, MADV_HUGEPAGE);	/* advice only */
	return p;
}

/* Shorter first, and of equal prefixes the later: rte_fib keeps the last add. */
static int by_len_then_index(const void *a, const void *b, void *routes)
{
	const struct rt_route *r = routes;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (r[i].prefix.len != r[j].prefix.len)
		return r[i].prefix.len < r[j].prefix.len ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* dir[x >> (32 - bits)] = route index + 1 of the longest prefix of <= bits covering x. */
static uint32_t *leaf_pushed(const struct fam *f, unsigned bits)
{
	uint32_t *dir = huge_alloc(sizeof(*dir) << bits);
	size_t *order = bench_xmalloc((f->n ? f->n : 1) * sizeof(*order));

	memset(dir, 0, sizeof(*dir) << bits);
	for (size_t i = 0; i < f->n; i++)
		order[i] = i;
	qsort_r(order, f->n, sizeof(*order), by_len_then_index, f->routes);
	for (size_t k = 0; k < f->n; k++) {
		const struct rt_prefix *p = &f->routes[order[k]].prefix;
		uint32_t first, count;

		if (p->len > bits)
			break;
		first = p->len ? rt_addr_to_v4(&p->addr) >> (32 - bits) : 0;
		first &= ~((1u << (bits - p->len)) - 1);
		count = 1u << (bits - p->len);
		for (uint32_t e = 0; e < count; e++)
			dir[first + e] = (uint32_t)order[k] + 1;
	}
	free(order);
	return dir;
}

static void build_shapes(const struct fam *f)
{
	struct rng r = rng_for(opt.seed, 0xce11);
	size_t nlines = LINE_ARRAY_BYTES / 64, nnodes = NODE_ARRAY_BYTES / 32;

	shapes.slot4 = huge_alloc(sizeof(uint32_t) << SLOT_BITS);
	shapes.slot8 = huge_alloc(sizeof(uint64_t) << SLOT_BITS);
	shapes.lines = huge_alloc(LINE_ARRAY_BYTES);
	shapes.slot_node = huge_alloc(sizeof(uint64_t) << SLOT_BITS);
	shapes.nodes = huge_alloc(NODE_ARRAY_BYTES);
	shapes.leaves = huge_alloc(LEAF_ARRAY_WORDS * sizeof(uint32_t));
	for (size_t w = 0; w < LINE_ARRAY_BYTES / 4; w++)
		shapes.lines[w] = (uint32_t)rng_next(&r);
	for (size_t w = 0; w < LEAF_ARRAY_WORDS; w++)
		shapes.leaves[w] = (uint32_t)rng_next(&r);
	for (size_t nd = 0; nd < nnodes; nd++) {
		/* A run of up to 16 leaves from here stays inside the array. */
		shapes.nodes[4 * nd] = (uint64_t)(uintptr_t)&shapes.leaves[rng_below(&r, LEAF_ARRAY_WORDS - 16)];
		for (unsigned w = 1; w < 4; w++)
			shapes.nodes[4 * nd + w] = rng_next(&r);
	}
	for (size_t s = 0; s < (1u << SLOT_BITS); s++) {
		uint32_t line = (uint32_t)rng_below(&r, nlines);

		shapes.slot4[s] = line;
		shapes.slot8[s] = (uint64_t)(uintptr_t)&shapes.lines[16 * (size_t)line];
		shapes.slot_node[s] = (uint64_t)(uintptr_t)&shapes.nodes[4 * rng_below(&r, nnodes)];
	}
	shapes.dir22 = leaf_pushed(f, 22);
	shapes.dir21 = leaf_pushed(f, 21);
	/* The entries a longer prefix starts in go on to a line. */
	for (size_t i = 0; i < f->n; i++) {
		const struct rt_prefix *p = &f->routes[i].prefix;
		uint32_t *e = &shapes.dir21[rt_addr_to_v4(&p->addr) >> 11];

		if (p->len > 21 && !(*e & DIR21_LINE))
			*e = DIR21_LINE | (uint32_t)rng_below(&r, nlines);
	}
	shapes.dir24 = leaf_pushed(f, 24);
}

/* The word of a line, and the leaf of a node's run, that addr's bits below the slot choose. */
static inline uint32_t word_in_line(uint32_t a)
{
	return (a >> (32 - SLOT_BITS - 4)) & 15;
}

/* Scalar patterns: one pass over the batch per dependent read. */

static void slot4_line_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;
	uint32_t at[BENCH_BATCH];

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		at[i] = 16 * shapes.slot4[a[i] >> (32 - SLOT_BITS)] + word_in_line(a[i]);
	for (size_t i = 0; i < n; i++)
		ids[i] = shapes.lines[at[i]];
}

static void slot8_line_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;
	const uint32_t *at[BENCH_BATCH];

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		at[i] = (const uint32_t *)(uintptr_t)shapes.slot8[a[i] >> (32 - SLOT_BITS)] +
			word_in_line(a[i]);
	for (size_t i = 0; i < n; i++)
		ids[i] = *at[i];
}

static void slot_node_leaf_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;
	const uint64_t *node[BENCH_BATCH];
	const uint32_t *leaf[BENCH_BATCH];

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		node[i] = (const uint64_t *)(uintptr_t)shapes.slot_node[a[i] >> (32 - SLOT_BITS)];
	for (size_t i = 0; i < n; i++)
		leaf[i] = (const uint32_t *)(uintptr_t)node[i][0] + word_in_line(a[i]);
	for (size_t i = 0; i < n; i++)
		ids[i] = *leaf[i];
}

static void dir22_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		ids[i] = shapes.dir22[a[i] >> 10];
}

static void dir21_line_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;
	uint8_t further[BENCH_BATCH];
	unsigned nfurther = 0;

	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		ids[i] = shapes.dir21[a[i] >> 11];
		if (ids[i] & DIR21_LINE)
			further[nfurther++] = (uint8_t)i;
	}
	for (unsigned k = 0; k < nfurther; k++) {
		unsigned i = further[k];

		ids[i] = shapes.lines[16 * (ids[i] & ~DIR21_LINE) + ((a[i] >> 7) & 15)];
	}
}

static void dir24_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;

	(void)ctx;
	for (size_t i = 0; i < n; i++)
		ids[i] = shapes.dir24[a[i] >> 8];
}

#ifdef HAVE_FIB_AVX512
/*
 * AVX-512 patterns: 4-byte slots in 16 lanes, 8-byte slots in 8 lanes (as
 * lib/fib_avx512.c), four vectors a round, every round's gathers issued
 * before the next round's.
 */
#define AVX512 __attribute__((target("avx512f,avx512vl,avx512bw")))
#define VECS 4

AVX512 static void slot4_line_avx512(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;
	const __m512i fifteen = _mm512_set1_epi32(15);

	(void)ctx;
	for (size_t base = 0; base < n; base += 16 * VECS) {
		__m512i x[VECS], at[VECS];
		__mmask16 k[VECS];

		for (unsigned v = 0; v < VECS; v++) {
			size_t i = base + 16 * v, m = i < n ? n - i : 0;

			k[v] = m >= 16 ? 0xffff : (__mmask16)((1u << m) - 1);
			x[v] = _mm512_maskz_loadu_epi32(k[v], a + i);
			at[v] = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), k[v],
							    _mm512_srli_epi32(x[v], 32 - SLOT_BITS),
							    shapes.slot4, 4);
		}
		for (unsigned v = 0; v < VECS; v++) {
			__m512i w = _mm512_and_si512(_mm512_srli_epi32(x[v], 32 - SLOT_BITS - 4), fifteen);

			at[v] = _mm512_add_epi32(_mm512_slli_epi32(at[v], 4), w);
			at[v] = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), k[v], at[v],
							    shapes.lines, 4);
			_mm512_mask_storeu_epi32(ids + base + 16 * v, k[v], at[v]);
		}
	}
}

/* Eight lanes of 64-bit slots: the addresses as 64-bit lanes, the word offsets scaled by 4. */
AVX512 static void slot8_gathers(const uint32_t *a, size_t n, uint32_t *ids, const uint64_t *slots,
				 bool via_node)
{
	const __m512i fifteen = _mm512_set1_epi64(15);

	for (size_t base = 0; base < n; base += 8 * VECS) {
		__m512i x[VECS], p[VECS];
		__mmask8 k[VECS];

		for (unsigned v = 0; v < VECS; v++) {
			size_t i = base + 8 * v, m = i < n ? n - i : 0;

			k[v] = m >= 8 ? 0xff : (__mmask8)((1u << m) - 1);
			x[v] = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(k[v], a + i));
			p[v] = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), k[v],
							   _mm512_srli_epi64(x[v], 32 - SLOT_BITS),
							   slots, 8);
		}
		if (via_node)
			for (unsigned v = 0; v < VECS; v++)
				p[v] = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), k[v], p[v],
								   NULL, 1);
		for (unsigned v = 0; v < VECS; v++) {
			__m512i w = _mm512_and_si512(_mm512_srli_epi64(x[v], 32 - SLOT_BITS - 4), fifteen);
			__m256i got;

			p[v] = _mm512_add_epi64(p[v], _mm512_slli_epi64(w, 2));
			got = _mm512_mask_i64gather_epi32(_mm256_setzero_si256(), k[v], p[v], NULL, 1);
			_mm256_mask_storeu_epi32(ids + base + 8 * v, k[v], got);
		}
	}
}

AVX512 static void slot8_line_avx512(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	(void)ctx;
	slot8_gathers(addrs, n, ids, shapes.slot8, false);
}

AVX512 static void slot_node_leaf_avx512(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	(void)ctx;
	slot8_gathers(addrs, n, ids, shapes.slot_node, true);
}

AVX512 static void dir_gathers(const uint32_t *a, size_t n, uint32_t *ids, const uint32_t *dir,
			       unsigned shift)
{
	const __m128i sh = _mm_cvtsi32_si128((int)shift);

	for (size_t i = 0; i < n; i += 16) {
		size_t m = n - i;
		__mmask16 k = m >= 16 ? 0xffff : (__mmask16)((1u << m) - 1);
		__m512i x = _mm512_maskz_loadu_epi32(k, a + i);

		x = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), k, _mm512_srl_epi32(x, sh),
						dir, 4);
		_mm512_mask_storeu_epi32(ids + i, k, x);
	}
}

AVX512 static void dir22_avx512(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	(void)ctx;
	dir_gathers(addrs, n, ids, shapes.dir22, 10);
}

AVX512 static void dir21_line_avx512(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const uint32_t *a = addrs;
	const __m512i line_bit = _mm512_set1_epi32((int)DIR21_LINE);
	const __m512i fifteen = _mm512_set1_epi32(15);

	(void)ctx;
	for (size_t base = 0; base < n; base += 16 * VECS) {
		__m512i x[VECS], e[VECS];
		__mmask16 k[VECS];

		for (unsigned v = 0; v < VECS; v++) {
			size_t i = base + 16 * v, m = i < n ? n - i : 0;

			k[v] = m >= 16 ? 0xffff : (__mmask16)((1u << m) - 1);
			x[v] = _mm512_maskz_loadu_epi32(k[v], a + i);
			e[v] = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), k[v],
							   _mm512_srli_epi32(x[v], 11), shapes.dir21, 4);
		}
		for (unsigned v = 0; v < VECS; v++) {
			__mmask16 further = _mm512_mask_test_epi32_mask(k[v], e[v], line_bit);
			__m512i w = _mm512_and_si512(_mm512_srli_epi32(x[v], 7), fifteen);
			__m512i at = _mm512_add_epi32(_mm512_slli_epi32(_mm512_andnot_si512(line_bit, e[v]), 4), w);

			if (further)
				e[v] = _mm512_mask_i32gather_epi32(e[v], further, at, shapes.lines, 4);
			_mm512_mask_storeu_epi32(ids + base + 16 * v, k[v], e[v]);
		}
	}
}

AVX512 static void dir24_avx512(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	(void)ctx;
	dir_gathers(addrs, n, ids, shapes.dir24, 8);
}
#endif

struct method {
	char peer[20], name[20];
	bench_lookup_fn fn;
	void *ctx;
	int (*select)(void *ctx, int variant);
	int variant;
	bool dpdk;
	double mlps[MAX_RUNS];
	uint32_t checksum;
};

static struct method methods[MAX_METHODS];
static unsigned nmethods;

static void add(const char *peer, const char *name, bench_lookup_fn fn, void *ctx, bool dpdk)
{
	struct method *m = &methods[nmethods++];

	snprintf(m->peer, sizeof(m->peer), "%s", peer);
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fn = fn;
	m->ctx = ctx;
	m->dpdk = dpdk;
}

static void add_patterns(void)
{
	add("slot4-line", "scalar", slot4_line_scalar, NULL, false);
	add("slot8-line", "scalar", slot8_line_scalar, NULL, false);
	add("slot-node-leaf", "scalar", slot_node_leaf_scalar, NULL, false);
	add("dir22", "scalar", dir22_scalar, NULL, false);
	add("dir21-line", "scalar", dir21_line_scalar, NULL, false);
	add("dir24", "scalar", dir24_scalar, NULL, false);
#ifdef HAVE_FIB_AVX512
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
	    __builtin_cpu_supports("avx512bw")) {
		add("slot4-line", "avx512", slot4_line_avx512, NULL, false);
		add("slot8-line", "avx512", slot8_line_avx512, NULL, false);
		add("slot-node-leaf", "avx512", slot_node_leaf_avx512, NULL, false);
		add("dir22", "avx512", dir22_avx512, NULL, false);
		add("dir21-line", "avx512", dir21_line_avx512, NULL, false);
		add("dir24", "avx512", dir24_avx512, NULL, false);
	}
#endif
}

#ifdef HAVE_DPDK
static void add_peers(struct fam *f)
{
	if (dpdk_build(AF_INET, f->routes, f->n, &opt.dpdk_opts, f->peers, &f->npeers))
		bench_die("DPDK: nothing could be built");
	for (unsigned p = 0; p < f->npeers; p++) {
		const struct dpdk_peer *peer = &f->peers[p];

		if (!peer->ready)
			bench_info("%s: %s", peer->name, peer->note);
		for (unsigned k = 0; k < peer->nmethods; k++) {
			const struct bench_method *bm = &peer->methods[k];
			struct method *m = &methods[nmethods];

			add(peer->name, bm->name, bm->fn, bm->ctx, true);
			m->select = bm->select;
			m->variant = bm->variant;
		}
	}
}
#endif

static double time_method(struct method *m, const uint32_t *q, size_t n, uint32_t *ids)
{
	uint32_t sum = 0;
	double t0, t;

	if (m->select && m->select(m->ctx, m->variant))
		bench_die("%s %s: cannot select the method", m->peer, m->name);
	t0 = bench_now();
	for (size_t i = 0; i < n; i += BENCH_BATCH)
		m->fn(m->ctx, q + i, n - i < BENCH_BATCH ? n - i : BENCH_BATCH, ids + i);
	t = bench_now() - t0;
	for (size_t i = 0; i < n; i++)
		sum ^= ids[i];
	m->checksum = sum;
	return (double)n / t / 1e6;
}

static double median_of(const struct method *m, double *lo, double *hi)
{
	double v[MAX_RUNS];

	*lo = *hi = m->mlps[0];
	for (unsigned r = 0; r < opt.runs; r++) {
		v[r] = m->mlps[r];
		*lo = v[r] < *lo ? v[r] : *lo;
		*hi = v[r] > *hi ? v[r] : *hi;
	}
	return bench_median(v, opt.runs);
}

/* m's rate over best's in the same round: the machine's load changes between rounds. */
static double round_ratios(const struct method *m, const struct method *best, double *lo,
			   double *hi)
{
	double v[MAX_RUNS];

	for (unsigned r = 0; r < opt.runs; r++) {
		v[r] = m->mlps[r] / best->mlps[r];
		*lo = r == 0 || v[r] < *lo ? v[r] : *lo;
		*hi = r == 0 || v[r] > *hi ? v[r] : *hi;
	}
	return bench_median(v, opt.runs);
}

#ifdef HAVE_DPDK
/*
 * dir22 and dir24 against rte_fib where rte_fib answers a prefix they hold
 * (at most 22 or 24 bits long): the same route. Prints the counts.
 */
static void check_dirs(const struct fam *f, const uint32_t *q, size_t n, uint32_t *ids)
{
	const struct method *fib = NULL;
	uint64_t checked[2] = { 0 }, wrong[2] = { 0 };
	size_t m = n < CHECK_SAMPLE ? n : CHECK_SAMPLE;

	for (unsigned i = 0; i < nmethods && !fib; i++)
		if (!strcmp(methods[i].peer, "rte_fib"))
			fib = &methods[i];
	if (!fib)
		return;
	if (fib->select)
		fib->select(fib->ctx, fib->variant);
	for (size_t i = 0; i < m; i += BENCH_BATCH)
		fib->fn(fib->ctx, q + i, m - i < BENCH_BATCH ? m - i : BENCH_BATCH, ids + i);
	for (size_t i = 0; i < m; i++) {
		unsigned len;

		if (!ids[i])
			continue;
		len = f->routes[ids[i] - 1].prefix.len;
		for (unsigned d = 0; d < 2; d++) {
			unsigned bits = d ? 24 : 22;
			uint32_t got = d ? shapes.dir24[q[i] >> 8] : shapes.dir22[q[i] >> 10];

			if (len > bits)
				continue;
			checked[d]++;
			wrong[d] += got != ids[i];
		}
	}
	printf("  check against rte_fib: dir22 %" PRIu64 " of %" PRIu64 " differ, dir24 %" PRIu64
	       " of %" PRIu64 " differ\n", wrong[0], checked[0], wrong[1], checked[1]);
}
#endif

static double line_share(const uint32_t *q, size_t n)
{
	size_t lined = 0;

	for (size_t i = 0; i < n; i++)
		lined += (shapes.dir21[q[i] >> 11] & DIR21_LINE) != 0;
	return (double)lined / (double)n;
}

/* Every method on q in every round, the order rotated by one each round. */
static void run_kind(const struct fam *f, const char *kind, const uint32_t *q, size_t n)
{
	uint32_t *ids = bench_xmalloc(n * sizeof(*ids));
	const struct method *best = NULL;
	double best_dpdk = 0;

	for (unsigned r = 0; r < opt.runs; r++)
		for (unsigned k = 0; k < nmethods; k++) {
			struct method *m = &methods[(k + r) % nmethods];

			m->mlps[r] = time_method(m, q, n, ids);
		}
	for (unsigned k = 0; k < nmethods; k++) {
		double lo, hi, med = median_of(&methods[k], &lo, &hi);

		if (methods[k].dpdk && med > best_dpdk) {
			best_dpdk = med;
			best = &methods[k];
		}
	}
	printf("IPv4 %s: %zu queries, %u rounds (M lookups/s: median [min, max]; / best DPDK:\n"
	       "  of the medians, and median [min, max] of the ratios within a round)\n",
	       kind, n, opt.runs);
	for (unsigned k = 0; k < nmethods; k++) {
		const struct method *m = &methods[k];
		double lo, hi, med = median_of(m, &lo, &hi);
		double rlo = 0, rhi = 0, rmed = best ? round_ratios(m, best, &rlo, &rhi) : 0;

		printf("  %-16s %-12s %8.1f [%6.1f, %6.1f]  %5.2f  %5.2f [%4.2f, %4.2f]  checksum %08" PRIx32
		       "\n", m->peer, m->name, med, lo, hi, best ? med / best_dpdk : 0.0, rmed, rlo, rhi,
		       m->checksum);
	}
	printf("  dir21-line: %.1f %% of the queries read a line\n", 100.0 * line_share(q, n));
#ifdef HAVE_DPDK
	check_dirs(f, q, n, ids);
#else
	(void)f;
#endif
	free(ids);
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"Usage: ceiling --routes FILE [--random N] [--runs R] [--seed S] [--small-pages]\n"
		"Time idealized IPv4 memory access patterns (no trie logic) beside DPDK's\n"
		"rte_fib and rte_lpm on routebench's matched and uniform queries.\n"
		"\n"
		"  --routes FILE        routes (route file format); their IPv4 part is used\n"
		"  --random N           queries per kind (default 1000000)\n"
		"  --runs R             rounds, the median is kept (default 7)\n"
		"  --seed S             routebench's --seed (default 1)\n"
		"  --small-pages        do not ask for huge pages for the patterns' arrays\n"
#ifdef HAVE_DPDK
		"  --dpdk-skip-lpm      skip rte_lpm (loading a full table is slow)\n"
		"  --dpdk-lpm-limit S   give up loading rte_lpm after S seconds\n"
		"  --dpdk-huge          DPDK's tables in hugetlbfs pages (see routebench)\n"
#endif
		"  --help               this text\n");
}

static void parse_opts(int argc, char **argv)
{
	enum { OPT_RANDOM = 256, OPT_RUNS, OPT_SEED, OPT_SMALL, OPT_SKIP_LPM, OPT_LPM_LIMIT,
	       OPT_DPDK_HUGE };
	static const struct option longopts[] = {
		{ "routes", required_argument, NULL, 'r' },
		{ "random", required_argument, NULL, OPT_RANDOM },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "small-pages", no_argument, NULL, OPT_SMALL },
		{ "dpdk-skip-lpm", no_argument, NULL, OPT_SKIP_LPM },
		{ "dpdk-lpm-limit", required_argument, NULL, OPT_LPM_LIMIT },
		{ "dpdk-huge", no_argument, NULL, OPT_DPDK_HUGE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	opt.nrandom = 1000000;
	opt.runs = 7;
	opt.seed = 1;
	opt.dpdk_opts.mem_mb = 6144;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.routes_path = optarg;
			break;
		case OPT_RANDOM:
			opt.nrandom = strtoull(optarg, NULL, 0);
			break;
		case OPT_RUNS:
			opt.runs = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case OPT_SEED:
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case OPT_SMALL:
			small_pages = true;
			break;
		case OPT_SKIP_LPM:
			opt.dpdk_opts.skip_lpm = true;
			break;
		case OPT_LPM_LIMIT:
			opt.dpdk_opts.lpm_time_limit = strtod(optarg, NULL);
			break;
		case OPT_DPDK_HUGE:
			opt.dpdk_opts.huge = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (!opt.routes_path || optind != argc || !opt.nrandom || opt.runs < 1 ||
	    opt.runs > MAX_RUNS) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const char *const kinds[MAX_KINDS] = { "matched", "uniform" };
	struct fam f = { .af = AF_INET, .name = "v4", .label = "IPv4" };
	struct rt_route *all = NULL;
	char err[512];
	size_t nall = 0;

	parse_opts(argc, argv);
	if (routefile_load(opt.routes_path, &all, &nall, err, sizeof(err)))
		bench_die("%s", err);
	f.routes = bench_xmalloc((nall ? nall : 1) * sizeof(*f.routes));
	for (size_t i = 0; i < nall; i++)
		if (all[i].prefix.addr.family == AF_INET)
			f.routes[f.n++] = all[i];
	free(all);
	if (!f.n)
		bench_die("%s: no IPv4 routes", opt.routes_path);
	bench_info("%zu IPv4 routes; building the patterns' arrays", f.n);
	build_shapes(&f);
	add_patterns();
#ifdef HAVE_DPDK
	if (dpdk_init(&opt.dpdk_opts, err, sizeof(err)))
		bench_die("DPDK: %s", err);
	bench_info("loading the DPDK peers");
	add_peers(&f);
#endif
	for (unsigned k = 0; k < MAX_KINDS; k++) {
		/* routebench's purpose for IPv4 (family 0) and this kind: the same addresses. */
		uint32_t *q = query_generate(&f, kinds[k], opt.nrandom, 16 * k);

		run_kind(&f, kinds[k], q, opt.nrandom);
		free(q);
	}
#ifdef HAVE_DPDK
	dpdk_release(f.peers, f.npeers);
	dpdk_fini();
#endif
	free(f.routes);
	return 0;
}
