/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DPDK side of routebench: rte_lpm and rte_fib (DIR-24-8) for IPv4,
 * rte_lpm6 and rte_fib6 (trie) for IPv6, loaded with the same routes and
 * measured on the same query arrays as our tables.
 *
 * Notes on the peers (DPDK 22.11):
 * - rte_lpm stores 24-bit next hops and rejects depth 0; rte_lpm6 stores
 *   21-bit next hops and rejects depth 0 too. A /0 is skipped and counted.
 * - rte_lpm looks for an existing rule of the same depth linearly on every
 *   add, so a full table loads slowly (tens of thousands of routes per
 *   second at best, slower as the table grows): it can be skipped, or cut
 *   short by a time limit (its lookups are then not measured).
 * - rte_lpm_lookup_bulk() keeps an n-entry array on the stack: it is only
 *   called with n <= BENCH_BATCH.
 * - rte_fib and rte_fib6 choose a lookup function when created; the
 *   methods select the scalar one or the AVX-512 one explicitly.
 * - Sizes are fixed when a structure is created: the number of tbl8 groups
 *   is computed from the routes (one per distinct byte-aligned path below
 *   the 24-bit table) plus headroom. rte_fib6 may need several times more
 *   (it also splits groups at the edges of the ranges a route covers): it
 *   is rebuilt with twice as many groups whenever an add runs out of them,
 *   so its memory stays within twice what it needs. Only the successful
 *   load is timed.
 * - rte_fib and rte_fib6 get single-route updates for routebench's churn
 *   (rte_fib_delete + rte_fib_add of a route of the table). In 22.11 they
 *   are not safe for concurrent readers in general: a writer rewrites
 *   tbl24/tbl8 entries in place and recycles tbl8 groups at once, with no
 *   grace period, so a reader running beside it may get a wrong or missing
 *   next hop for an address being changed (it never faults: the groups are
 *   a pool allocated once). The churn measures the rate the performance
 *   issue compares against, with a reader running, not a safe protocol.
 *   rte_lpm and rte_lpm6 get none (rte_lpm's adds scan its rules).
 * - rte_fib6 does not survive a long churn in 22.11: a delete does not give
 *   back the tbl8 reservation its add took (with 64 groups, a lone /48 can
 *   be deleted and re-added 20 times: 3 groups more reserved each time), so
 *   once the reservations reach num_tbl8 every add longer than /24 fails
 *   with -ENOSPC while the groups themselves are free. rte_fib (IPv4) keeps
 *   its count. So before each churn phase rte_fib6 is loaded again, with
 *   CHURN_GROUPS_PER_S more groups per second of churn (address space: a
 *   group is touched only when used), and routebench still stops the
 *   writer at the first failure.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/*
 * DPDK's headers and our warnings: rte_lpm_lookup_bulk_func() declares a
 * variable-length array, and rte_ring tests GCC_VERSION where it may be
 * undefined (clang).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wvla"
#pragma GCC diagnostic ignored "-Wundef"
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#pragma GCC diagnostic pop

#include <routed/clock.h>

#include "dpdk.h"

#define LPM_NH_MOD (1u << 24)
#define LPM6_NH_MOD (1u << 21)
#define MAX_GROUPS (1u << 24)
/* rte_fib6 leaks up to 13 reservations per pair, about 2 on a BGP table. */
#define CHURN_GROUPS_PER_S (1u << 20)

static double now(void)
{
	return (double)rt_clock_ns() * 1e-9;
}

int dpdk_init(const struct dpdk_opts *o, char *err, size_t errlen)
{
	/* The EAL may keep pointers into its arguments. */
	static char mem[16];
	static char *argv[] = {
		"routebench", "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=3",
		"-l", "0",
		/* Lets rte_fib and rte_fib6 offer their AVX-512 lookups. */
		"--force-max-simd-bitwidth=512",
		/* Without hugepages: -m of anonymous memory in 4 KiB pages. */
		"--no-huge", "-m", mem,
		NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	cpu_set_t saved;
	bool have_affinity;
	int rc;

	snprintf(mem, sizeof(mem), "%u", o->mem_mb);
	if (o->huge) {
		/*
		 * Hugetlbfs pages as DPDK is deployed, our tables being on
		 * transparent huge pages: memory from the pages reserved in
		 * /proc/sys/vm/nr_hugepages as the tables grow, in memfds
		 * (--in-memory), so no hugetlbfs mount is needed.
		 */
		argv[argc - 3] = "--in-memory";
		argv[argc - 2] = NULL;
		argc -= 2;
	}
	/* The EAL pins the calling thread to its main lcore: undo that. */
	have_affinity = sched_getaffinity(0, sizeof(saved), &saved) == 0;
	rc = rte_eal_init(argc, argv);
	if (have_affinity)
		sched_setaffinity(0, sizeof(saved), &saved);
	if (rc < 0) {
		snprintf(err, errlen, "rte_eal_init: %s", rte_strerror(rte_errno));
		return -ENODEV;
	}
	return 0;
}

void dpdk_fini(void)
{
	rte_eal_cleanup();
}

static uint64_t heap_allocated(void)
{
	struct rte_malloc_socket_stats s;
	uint64_t total = 0;

	for (unsigned i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &s) == 0)
			total += s.heap_allocsz_bytes;
	return total;
}

static uint32_t v4_of(const struct rt_route *r)
{
	const uint8_t *b = r->prefix.addr.bytes;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int cmp_u128(const void *a, const void *b)
{
	unsigned __int128 x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x < y ? -1 : x > y;
}

/*
 * tbl8 groups a DIR-24-8 style table needs: one for every distinct first b
 * bytes (b >= 3) that a longer prefix extends past, i.e. for b in
 * 3..ceil(len / 8) - 1 of every prefix.
 */
static uint64_t tbl8_groups_needed(const struct rt_route *routes, size_t n, unsigned bits)
{
	unsigned __int128 *keys = malloc((n ? n : 1) * sizeof(*keys));
	uint64_t total = 0;

	if (!keys)
		return 0;
	for (unsigned b = 3; b < bits / 8; b++) {
		size_t k = 0, distinct = 0;

		for (size_t i = 0; i < n; i++) {
			unsigned __int128 key = 0;

			if (routes[i].prefix.len <= 8 * b)
				continue;
			for (unsigned j = 0; j < b; j++)
				key = key << 8 | routes[i].prefix.addr.bytes[j];
			keys[k++] = key;
		}
		qsort(keys, k, sizeof(*keys), cmp_u128);
		for (size_t i = 0; i < k; i++)
			if (i == 0 || keys[i] != keys[i - 1])
				distinct++;
		total += distinct;
	}
	free(keys);
	return total;
}

static uint32_t headroom(uint64_t groups, uint64_t max)
{
	uint64_t g = groups + groups / 4 + 256;

	return (uint32_t)(g > max ? max : g);
}

static void add_method(struct dpdk_peer *p, const char *name, bench_lookup_fn fn, void *ctx,
		       int (*sel)(void *, int), int variant)
{
	struct bench_method *m = &p->methods[p->nmethods++];

	snprintf(m->name, sizeof(m->name), "%s", name);
	m->fn = fn;
	m->ctx = ctx;
	m->select = sel;
	m->variant = variant;
}

static void progress(const struct dpdk_opts *o, const char *name, size_t i, size_t n, double t0,
		     double *last)
{
	double t = now();

	if (o->quiet || t - *last < 10)
		return;
	*last = t;
	fprintf(stderr, "routebench: %s: %zu of %zu routes after %.0f s (%.1f k/s)\n",
		name, i, n, t - t0, (double)i / (t - t0) / 1e3);
}

static void info_retry(const struct dpdk_opts *o, const char *name, uint64_t groups)
{
	if (!o->quiet)
		fprintf(stderr, "routebench: %s: out of tbl8 groups, again with %" PRIu64 "\n",
			name, groups);
}

static void note_error(struct dpdk_peer *p, const char *what, int rc)
{
	if (p->failed++ == 0)
		snprintf(p->note, sizeof(p->note), "%s failed: %s", what, rte_strerror(-rc));
}

/* rte_lpm */

static void lpm_scalar(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const struct rte_lpm *lpm = ctx;
	const uint32_t *a = addrs;

	for (size_t i = 0; i < n; i++) {
		uint32_t nh;

		ids[i] = rte_lpm_lookup(lpm, a[i], &nh) == 0 ? nh : 0;
	}
}

static void lpm_bulk(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const struct rte_lpm *lpm = ctx;
	const uint32_t *a = addrs;

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		unsigned k = (unsigned)(n - i < BENCH_BATCH ? n - i : BENCH_BATCH);

		rte_lpm_lookup_bulk(lpm, a + i, ids + i, k);
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = ids[i] & RTE_LPM_LOOKUP_SUCCESS ? ids[i] & 0x00ffffff : 0;
}

static void lpm_x4(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	const struct rte_lpm *lpm = ctx;
	const uint32_t *a = addrs;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		xmm_t ip = _mm_loadu_si128((const __m128i *)(const void *)(a + i));

		rte_lpm_lookupx4(lpm, ip, ids + i, 0);
	}
	lpm_scalar(ctx, a + i, n - i, ids + i);
}

static uint64_t lpm_used_bytes(const struct rte_lpm *lpm, uint32_t groups)
{
	uint64_t used = 0;

	for (uint32_t g = 0; g < groups; g++)
		if (lpm->tbl8[(size_t)g * RTE_LPM_TBL8_GROUP_NUM_ENTRIES].valid_group)
			used++;
	return sizeof(lpm->tbl24) +
	       used * RTE_LPM_TBL8_GROUP_NUM_ENTRIES * sizeof(struct rte_lpm_tbl_entry);
}

static void build_lpm(const struct rt_route *routes, size_t n, const struct dpdk_opts *o,
		      struct dpdk_peer *p)
{
	struct rte_lpm_config cfg = { 0 };
	struct rte_lpm *lpm;
	uint64_t mem0 = heap_allocated();
	double t0, t1, last;
	size_t i, offered = n;

	snprintf(p->name, sizeof(p->name), "rte_lpm");
	p->id_mod = LPM_NH_MOD;
	if (o->skip_lpm) {
		snprintf(p->note, sizeof(p->note), "skipped (--dpdk-skip-lpm)");
		return;
	}
	cfg.max_rules = (uint32_t)n + 1;
	cfg.number_tbl8s = headroom(tbl8_groups_needed(routes, n, 32), MAX_GROUPS);
	p->tbl8_groups = cfg.number_tbl8s;
	t0 = now();
	lpm = rte_lpm_create("routebench_lpm", SOCKET_ID_ANY, &cfg);
	t1 = last = now();
	p->create_s = t1 - t0;
	if (!lpm) {
		snprintf(p->note, sizeof(p->note), "rte_lpm_create: %s", rte_strerror(rte_errno));
		return;
	}
	p->handle = lpm;
	for (i = 0; i < n; i++) {
		const struct rt_route *r = &routes[i];
		int rc;

		if (r->prefix.len == 0) {
			p->skipped++;
			continue;
		}
		rc = rte_lpm_add(lpm, v4_of(r), r->prefix.len, (uint32_t)((i + 1) % LPM_NH_MOD));
		if (rc < 0)
			note_error(p, "rte_lpm_add", rc);
		else
			p->added++;
		if ((i & 1023) == 1023) {
			progress(o, "rte_lpm", i + 1, n, t1, &last);
			if (o->lpm_time_limit > 0 && now() - t1 > o->lpm_time_limit) {
				offered = i + 1;
				break;
			}
		}
	}
	p->add_s = now() - t1;
	p->mem_bytes = heap_allocated() - mem0;
	p->mem_used_bytes = lpm_used_bytes(lpm, cfg.number_tbl8s);
	if (offered < n) {
		snprintf(p->note, sizeof(p->note), "time limit: %zu of %zu routes in %.1f s",
			 offered, n, p->add_s);
		return;
	}
	p->ready = true;
	add_method(p, "scalar", lpm_scalar, lpm, NULL, 0);
	add_method(p, "bulk", lpm_bulk, lpm, NULL, 0);
	add_method(p, "x4", lpm_x4, lpm, NULL, 0);
}

/* rte_fib */

static void fib_bulk(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	uint64_t nh[BENCH_BATCH];

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		/* The addresses are only read. */
		rte_fib_lookup_bulk(ctx, (uint32_t *)(uintptr_t)addrs + i, nh, (int)k);
		for (size_t j = 0; j < k; j++)
			ids[i + j] = (uint32_t)nh[j];
	}
}

static int fib_select(void *ctx, int variant)
{
	return rte_fib_select_lookup(ctx, (enum rte_fib_lookup_type)variant);
}

static int fib_del(void *ctx, const struct rt_route *r, size_t i)
{
	(void)i;
	return rte_fib_delete(ctx, v4_of(r), r->prefix.len);
}

/* The same next hop as in build_fib(), so the table returns to its state. */
static int fib_add(void *ctx, const struct rt_route *r, size_t i)
{
	return rte_fib_add(ctx, v4_of(r), r->prefix.len, i + 1);
}

static void build_fib(const struct rt_route *routes, size_t n, const struct dpdk_opts *o,
		      struct dpdk_peer *p)
{
	struct rte_fib_conf conf;
	struct rte_fib *fib;
	uint64_t mem0 = heap_allocated();
	double t0, t1, last;

	snprintf(p->name, sizeof(p->name), "rte_fib");
	memset(&conf, 0, sizeof(conf));
	conf.type = RTE_FIB_DIR24_8;
	conf.default_nh = 0;
	conf.max_routes = (int)n + 1;
	conf.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
	conf.dir24_8.num_tbl8 = headroom(tbl8_groups_needed(routes, n, 32), MAX_GROUPS);
	p->tbl8_groups = conf.dir24_8.num_tbl8;
	t0 = now();
	fib = rte_fib_create("routebench_fib", SOCKET_ID_ANY, &conf);
	t1 = last = now();
	p->create_s = t1 - t0;
	if (!fib) {
		snprintf(p->note, sizeof(p->note), "rte_fib_create: %s", rte_strerror(rte_errno));
		return;
	}
	p->handle = fib;
	for (size_t i = 0; i < n; i++) {
		int rc = rte_fib_add(fib, v4_of(&routes[i]), routes[i].prefix.len, i + 1);

		if (rc < 0)
			note_error(p, "rte_fib_add", rc);
		else
			p->added++;
		if ((i & 65535) == 65535)
			progress(o, "rte_fib", i + 1, n, t1, &last);
	}
	p->add_s = now() - t1;
	p->mem_bytes = heap_allocated() - mem0;
	p->ready = true;
	if (rte_fib_select_lookup(fib, RTE_FIB_LOOKUP_DIR24_8_SCALAR_MACRO) == 0)
		add_method(p, "bulk", fib_bulk, fib, fib_select,
			   RTE_FIB_LOOKUP_DIR24_8_SCALAR_MACRO);
	if (rte_fib_select_lookup(fib, RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512) == 0)
		add_method(p, "bulk-avx512", fib_bulk, fib, fib_select,
			   RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512);
	if (!p->nmethods)
		add_method(p, "bulk", fib_bulk, fib, NULL, 0);
	p->updater = (struct bench_updater){ .del = fib_del, .add = fib_add, .ctx = fib };
}

/* rte_lpm6 */

static void lpm6_bulk(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	int32_t nh[BENCH_BATCH];

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		/* The addresses are only read. */
		rte_lpm6_lookup_bulk_func(ctx, (uint8_t (*)[16])(uintptr_t)addrs + i, nh,
					  (unsigned)k);
		for (size_t j = 0; j < k; j++)
			ids[i + j] = nh[j] < 0 ? 0 : (uint32_t)nh[j];
	}
}

static void build_lpm6(const struct rt_route *routes, size_t n, const struct dpdk_opts *o,
		       struct dpdk_peer *p)
{
	struct rte_lpm6_config cfg = { 0 };
	struct rte_lpm6 *lpm;
	uint64_t mem0 = heap_allocated();
	double t0, t1, last;

	snprintf(p->name, sizeof(p->name), "rte_lpm6");
	p->id_mod = LPM6_NH_MOD;
	cfg.max_rules = (uint32_t)n + 1;
	cfg.number_tbl8s = headroom(tbl8_groups_needed(routes, n, 128), MAX_GROUPS);
	p->tbl8_groups = cfg.number_tbl8s;
	t0 = now();
	lpm = rte_lpm6_create("routebench_lpm6", SOCKET_ID_ANY, &cfg);
	t1 = last = now();
	p->create_s = t1 - t0;
	if (!lpm) {
		snprintf(p->note, sizeof(p->note), "rte_lpm6_create: %s", rte_strerror(rte_errno));
		return;
	}
	p->handle = lpm;
	for (size_t i = 0; i < n; i++) {
		const struct rt_route *r = &routes[i];
		int rc;

		if (r->prefix.len == 0) {
			p->skipped++;
			continue;
		}
		rc = rte_lpm6_add(lpm, r->prefix.addr.bytes, r->prefix.len,
				  (uint32_t)((i + 1) % LPM6_NH_MOD));
		if (rc < 0)
			note_error(p, "rte_lpm6_add", rc);
		else
			p->added++;
		if ((i & 65535) == 65535)
			progress(o, "rte_lpm6", i + 1, n, t1, &last);
	}
	p->add_s = now() - t1;
	p->mem_bytes = heap_allocated() - mem0;
	p->ready = true;
	add_method(p, "bulk", lpm6_bulk, lpm, NULL, 0);
}

/* rte_fib6 */

static void fib6_bulk(void *ctx, const void *addrs, size_t n, uint32_t *ids)
{
	uint64_t nh[BENCH_BATCH];

	for (size_t i = 0; i < n; i += BENCH_BATCH) {
		size_t k = n - i < BENCH_BATCH ? n - i : BENCH_BATCH;

		/* The addresses are only read. */
		rte_fib6_lookup_bulk(ctx, (uint8_t (*)[16])(uintptr_t)addrs + i, nh, (int)k);
		for (size_t j = 0; j < k; j++)
			ids[i + j] = (uint32_t)nh[j];
	}
}

static int fib6_select(void *ctx, int variant)
{
	return rte_fib6_select_lookup(ctx, (enum rte_fib6_lookup_type)variant);
}

static int fib6_del(void *ctx, const struct rt_route *r, size_t i)
{
	(void)i;
	return rte_fib6_delete(ctx, r->prefix.addr.bytes, r->prefix.len);
}

static int fib6_add(void *ctx, const struct rt_route *r, size_t i)
{
	return rte_fib6_add(ctx, r->prefix.addr.bytes, r->prefix.len, i + 1);
}

static void fib6_conf(struct rte_fib6_conf *conf, size_t n, uint64_t groups)
{
	memset(conf, 0, sizeof(*conf));
	conf->type = RTE_FIB6_TRIE;
	conf->default_nh = 0;
	conf->max_routes = (int)n + 1;
	conf->trie.nh_sz = RTE_FIB6_TRIE_4B;
	conf->trie.num_tbl8 = (uint32_t)groups;
}

static void build_fib6(const struct rt_route *routes, size_t n, const struct dpdk_opts *o,
		       struct dpdk_peer *p)
{
	struct rte_fib6_conf conf;
	struct rte_fib6 *fib = NULL;
	uint64_t mem0 = heap_allocated();
	uint64_t groups = headroom(tbl8_groups_needed(routes, n, 128), MAX_GROUPS);
	double t0, t1, last;

	snprintf(p->name, sizeof(p->name), "rte_fib6");
	for (unsigned attempt = 0;; attempt++) {
		fib6_conf(&conf, n, groups);
		p->tbl8_groups = groups;
		p->added = p->failed = 0;
		p->note[0] = '\0';
		t0 = now();
		fib = rte_fib6_create("routebench_fib6", SOCKET_ID_ANY, &conf);
		t1 = last = now();
		p->create_s = t1 - t0;
		if (!fib) {
			snprintf(p->note, sizeof(p->note), "rte_fib6_create: %s",
				 rte_strerror(rte_errno));
			return;
		}
		for (size_t i = 0; i < n; i++) {
			const struct rt_prefix *pfx = &routes[i].prefix;
			int rc = rte_fib6_add(fib, pfx->addr.bytes, pfx->len, i + 1);

			if (rc == -ENOSPC && groups < MAX_GROUPS && attempt < 8)
				break;
			if (rc < 0)
				note_error(p, "rte_fib6_add", rc);
			else
				p->added++;
			if ((i & 65535) == 65535)
				progress(o, "rte_fib6", i + 1, n, t1, &last);
		}
		p->add_s = now() - t1;
		if (p->added + p->failed == n)
			break;
		/* Out of tbl8 groups: the trie needs more than one per path. */
		rte_fib6_free(fib);
		groups = groups * 2 > MAX_GROUPS ? MAX_GROUPS : groups * 2;
		info_retry(o, p->name, groups);
	}
	p->handle = fib;
	p->mem_bytes = heap_allocated() - mem0;
	p->ready = true;
	if (rte_fib6_select_lookup(fib, RTE_FIB6_LOOKUP_TRIE_SCALAR) == 0)
		add_method(p, "bulk", fib6_bulk, fib, fib6_select, RTE_FIB6_LOOKUP_TRIE_SCALAR);
	if (rte_fib6_select_lookup(fib, RTE_FIB6_LOOKUP_TRIE_VECTOR_AVX512) == 0)
		add_method(p, "bulk-avx512", fib6_bulk, fib, fib6_select,
			   RTE_FIB6_LOOKUP_TRIE_VECTOR_AVX512);
	if (!p->nmethods)
		add_method(p, "bulk", fib6_bulk, fib, NULL, 0);
	p->updater = (struct bench_updater){ .del = fib6_del, .add = fib6_add, .ctx = fib };
}

int dpdk_churn_prepare(struct dpdk_peer *p, const struct rt_route *routes, size_t n,
		       double seconds)
{
	struct rte_fib6_conf conf;
	struct rte_fib6 *fib;
	uint64_t groups = p->tbl8_groups + (uint64_t)(seconds * CHURN_GROUPS_PER_S);
	int rc = 0;

	if (strcmp(p->name, "rte_fib6") || !p->updater.del)
		return 0;
	/* Its name is taken until it is freed. */
	rte_fib6_free(p->handle);
	p->handle = NULL;
	fib6_conf(&conf, n, groups < MAX_GROUPS ? groups : MAX_GROUPS);
	fib = rte_fib6_create("routebench_fib6", SOCKET_ID_ANY, &conf);
	if (!fib) {
		rc = -rte_errno;
		goto fail;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = rte_fib6_add(fib, routes[i].prefix.addr.bytes, routes[i].prefix.len, i + 1);
	if (rc) {
		rte_fib6_free(fib);
		goto fail;
	}
	p->handle = fib;
	for (unsigned i = 0; i < p->nmethods; i++)
		p->methods[i].ctx = fib;
	p->updater.ctx = fib;
	return 0;
fail:
	p->nmethods = 0;
	p->updater = (struct bench_updater){ 0 };
	return rc < 0 ? rc : -ENOMEM;
}

int dpdk_build(int family, const struct rt_route *routes, size_t n, const struct dpdk_opts *o,
	       struct dpdk_peer *peers, unsigned *npeers)
{
	memset(peers, 0, DPDK_MAX_PEERS * sizeof(*peers));
	*npeers = 2;
	if (family == AF_INET) {
		build_lpm(routes, n, o, &peers[0]);
		build_fib(routes, n, o, &peers[1]);
	} else if (family == AF_INET6) {
		build_lpm6(routes, n, o, &peers[0]);
		build_fib6(routes, n, o, &peers[1]);
	} else {
		*npeers = 0;
		return -EAFNOSUPPORT;
	}
	return 0;
}

void dpdk_release(struct dpdk_peer *peers, unsigned npeers)
{
	for (unsigned i = 0; i < npeers; i++) {
		struct dpdk_peer *p = &peers[i];

		if (!p->handle)
			continue;
		if (!strcmp(p->name, "rte_lpm"))
			rte_lpm_free(p->handle);
		else if (!strcmp(p->name, "rte_fib"))
			rte_fib_free(p->handle);
		else if (!strcmp(p->name, "rte_lpm6"))
			rte_lpm6_free(p->handle);
		else if (!strcmp(p->name, "rte_fib6"))
			rte_fib6_free(p->handle);
		p->handle = NULL;
		p->nmethods = 0;
		p->updater = (struct bench_updater){ 0 };
	}
}
