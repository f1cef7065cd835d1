/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt_table_apply() of large batches into crowded parts of the address
 * space, against the naive reference (naive.c): runs of prefixes that
 * appear under one direct slot share one trie update (table.c, "Deferred
 * trie updates"), so these batches are sorted, dense and long, mixed with
 * replaces, deletes and prefixes short enough to cover several slots, in
 * both families; some end with a change that fails, so the whole batch
 * must be undone with a run still waiting. After each batch every prefix's
 * first and last address, their neighbours and random addresses of the
 * crowded ranges must be answered as the reference answers them.
 *
 * ROUTED_TEST_SEED sets the seed (printed as "# seed N");
 * ROUTED_TEST_ITERATIONS scales the number of rounds (default 1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>
#include <routed/rcu.h>
#include <routed/route.h>
#include <routed/table.h>

#include "naive.h"
#include "seed.h"

#define DEFAULT_ROUNDS 80
#define MAX_BATCH 500
#define CROWD 2500			/* past this many routes, deletes win */
#define PROBES 4096

static unsigned rng_state;

static unsigned below(unsigned n)
{
	return (unsigned)rand_r(&rng_state) % n;
}

/*
 * A prefix in one of the crowded ranges: IPv4 in 10.0.0.0/16 (four direct
 * slots of 18 bits) and 192.168.0.0/20, lengths 12..32 mostly 19..28;
 * IPv6 in 2001:db8::/32 and 2001:db9::/32 (one 16-bit slot), lengths
 * 8..64 mostly 33..56.
 */
static void random_prefix(struct rt_prefix *p)
{
	struct rt_addr a = { 0 };
	unsigned len;

	if (below(4)) {
		uint32_t base = below(3) ? 0x0a000000u : 0xc0a80000u;
		uint32_t span = base == 0x0a000000u ? 0xffffu : 0xfffu;
		uint32_t v = base | ((uint32_t)rand_r(&rng_state) & span);

		len = below(20) ? 19 + below(10) : 12 + below(21);
		a.family = AF_INET;
		a.bytes[0] = (uint8_t)(v >> 24);
		a.bytes[1] = (uint8_t)(v >> 16);
		a.bytes[2] = (uint8_t)(v >> 8);
		a.bytes[3] = (uint8_t)v;
	} else {
		a.family = AF_INET6;
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[2] = 0x0d;
		a.bytes[3] = below(2) ? 0xb8 : 0xb9;
		for (unsigned i = 4; i < 8; i++)
			a.bytes[i] = (uint8_t)below(4);	/* crowded */
		len = below(20) ? 33 + below(24) : 8 + below(57);
	}
	for (unsigned bit = len; bit < 128; bit++)
		a.bytes[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
	assert_int_equal(rt_prefix_make(&a, len, p), 0);
}

static void random_route(struct rt_route *r, const struct rt_prefix *p)
{
	static const char *const protos[] = { "bgp", "static", "ospf" };

	memset(r, 0, sizeof(*r));
	r->table = RT_TABLE_MAIN;
	r->prefix = *p;
	r->gateway.family = p->addr.family;
	if (p->addr.family == AF_INET) {
		r->gateway.bytes[0] = 192;
		r->gateway.bytes[2] = 2;
		r->gateway.bytes[3] = (uint8_t)(1 + below(8));
	} else {
		r->gateway.bytes[0] = 0xfe;
		r->gateway.bytes[1] = 0x80;
		r->gateway.bytes[15] = (uint8_t)(1 + below(8));
	}
	r->metric = below(3) * 10;
	snprintf(r->proto, sizeof(r->proto), "%s", protos[below(3)]);
}

/* What the change does to the reference: 0, -EEXIST or -ENOENT. */
static int naive_change(struct naive *nv, const struct rt_change *c)
{
	struct rt_route_key k;

	switch (c->op) {
	case RT_CHANGE_ADD:
		return naive_add(nv, &c->route);
	case RT_CHANGE_REPLACE:
		return naive_replace(nv, &c->route);
	case RT_CHANGE_DELETE:
		memset(&k, 0, sizeof(k));
		k.prefix = c->route.prefix;
		memcpy(k.proto, c->route.proto, sizeof(k.proto));
		k.match_metric = true;
		k.metric = c->route.metric;
		return naive_delete(nv, &k, NULL);
	}
	return -EINVAL;
}

static int change_cmp(const void *a, const void *b)
{
	const struct rt_change *x = a, *y = b;

	return naive_prefix_cmp(&x->route.prefix, &y->route.prefix);
}

/* An address of p: its first, its last, or one at random. */
static void address_in(const struct rt_prefix *p, unsigned which, struct rt_addr *a)
{
	unsigned bytes = p->addr.family == AF_INET ? 4 : 16;

	*a = p->addr;
	for (unsigned bit = p->len; bit < bytes * 8; bit++) {
		bool one = which == 1 || (which == 2 && below(2));

		if (one)
			a->bytes[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	}
}

/* One step past a (up or down), in its family. */
static void neighbour(struct rt_addr *a, bool up)
{
	unsigned bytes = a->family == AF_INET ? 4 : 16;

	for (unsigned i = bytes; i-- > 0;) {
		uint8_t old = a->bytes[i];

		a->bytes[i] = (uint8_t)(up ? old + 1 : old - 1);
		if (up ? old != 0xff : old != 0)
			break;
	}
}

static void check_lookups(struct rt_table *t, const struct naive *nv, unsigned round)
{
	static struct rt_addr probes[PROBES];
	static struct rt_lookup_result res[PROBES];
	struct rt_prefix p;
	size_t n = 0;

	for (size_t i = 0; i < nv->n && n + 6 <= PROBES; i++) {
		for (unsigned which = 0; which < 2; which++) {
			address_in(&nv->routes[i].prefix, which, &probes[n]);
			probes[n + 1] = probes[n];
			probes[n + 2] = probes[n];
			neighbour(&probes[n + 1], true);
			neighbour(&probes[n + 2], false);
			n += 3;
		}
	}
	while (n < PROBES) {
		random_prefix(&p);
		address_in(&p, 2, &probes[n++]);
	}
	rt_table_lookup(t, probes, n, res);
	for (size_t i = 0; i < n; i++) {
		struct rt_route want;
		bool found = naive_lookup(nv, &probes[i], &want);
		char a[RT_ADDR_STRLEN], g[RT_PREFIX_STRLEN], w[RT_PREFIX_STRLEN];

		if (found == res[i].found &&
		    (!found || (!rt_prefix_cmp(&want.prefix, &res[i].route.prefix) &&
				want.metric == res[i].route.metric &&
				!strcmp(want.proto, res[i].route.proto) &&
				!memcmp(&want.gateway, &res[i].route.gateway, sizeof(want.gateway)))))
			continue;
		fail_msg("round %u: %s: got %s, expected %s", round,
			 rt_addr_format(&probes[i], a, sizeof(a)),
			 res[i].found ? rt_prefix_format(&res[i].route.prefix, g, sizeof(g)) : "none",
			 found ? rt_prefix_format(&want.prefix, w, sizeof(w)) : "none");
	}
}

/* A batch of n changes the reference accepts, sorted when sort is set. */
static size_t make_batch(const struct naive *nv, struct rt_change *ch, size_t n, bool sort)
{
	struct naive tmp;
	size_t k = 0;

	naive_init(&tmp);
	naive_copy(&tmp, nv);
	while (k < n) {
		struct rt_prefix p;
		unsigned kind = below(100);
		bool dup = false;

		if (kind < (tmp.n > CROWD ? 30u : 70u) || !tmp.n) {
			random_prefix(&p);
			random_route(&ch[k].route, &p);
			ch[k].op = RT_CHANGE_REPLACE;	/* adds mostly: the ranges are sparse */
		} else if (kind < (tmp.n > CROWD ? 40u : 80u)) {
			random_route(&ch[k].route, &tmp.routes[below((unsigned)tmp.n)].prefix);
			ch[k].op = RT_CHANGE_REPLACE;
		} else {
			ch[k].route = tmp.routes[below((unsigned)tmp.n)];
			ch[k].op = RT_CHANGE_DELETE;
		}
		/* Prefixes distinct within a batch, so any order is valid. */
		for (size_t j = 0; j < k && !dup; j++)
			dup = !rt_prefix_cmp(&ch[j].route.prefix, &ch[k].route.prefix);
		if (dup)
			continue;
		naive_change(&tmp, &ch[k]);
		k++;
	}
	naive_fini(&tmp);
	if (sort)
		qsort(ch, k, sizeof(*ch), change_cmp);
	return k;
}

static void test_runs_against_reference(void **state)
{
	static struct rt_change ch[MAX_BATCH + 1];
	unsigned rounds = (unsigned)(DEFAULT_ROUNDS * seed_iterations());
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct naive nv;

	(void)state;
	assert_non_null(t);
	naive_init(&nv);
	for (unsigned round = 0; round < rounds; round++) {
		size_t n = make_batch(&nv, ch, 1 + below(MAX_BATCH), below(4) != 0);
		bool spoil = below(5) == 0;
		size_t failed = 0;
		int rc;

		if (spoil) {
			/* A route of another table fails at the end: all of it is undone. */
			ch[n].op = RT_CHANGE_ADD;
			ch[n].route = ch[0].route;
			ch[n].route.table = RT_TABLE_MAIN + 1;
		}
		rc = rt_table_apply(t, ch, n + spoil, &failed);
		if (spoil) {
			assert_int_equal(rc, -EINVAL);
			assert_int_equal(failed, n);
		} else {
			assert_int_equal(rc, 0);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(naive_change(&nv, &ch[i]), 0);
		}
		check_lookups(t, &nv, round);
		if (below(10) == 0)
			rt_table_quiesce(t);
	}
	naive_fini(&nv);
	rt_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_against_reference),
	};

	rng_state = (unsigned)seed_from_env();
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
