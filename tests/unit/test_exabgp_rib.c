/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed-exabgp's paths and winners (tools/exabgp_rib.c): the decision
 * rule step by step (LOCAL_PREF, AS path length, MED, neighbor address),
 * neighbors that never overwrite each other, the fallback when the best
 * withdraws or goes down, the change queue that gives only what differs
 * from what routed was told, and the full replay. A randomized part
 * checks the winners against a naive reference after every step (the
 * seed is printed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <routed/prefix.h>

#include "../../tools/exabgp_rib.h"

struct seen {
	char text[64][96];
	size_t n;
};

static int collect(const struct rt_prefix *p, const struct rib_choice *c, void *arg)
{
	struct seen *s = arg;
	char pfx[RT_PREFIX_STRLEN], via[RT_ADDR_STRLEN];

	assert_true(s->n < 64);
	rt_prefix_format(p, pfx, sizeof(pfx));
	if (!c->present)
		snprintf(s->text[s->n++], sizeof(s->text[0]), "%s -", pfx);
	else
		snprintf(s->text[s->n++], sizeof(s->text[0]), "%s %s %u", pfx,
			 rt_addr_format(&c->nexthop, via, sizeof(via)), c->has_tag ? c->tag : 0);
	return 0;
}

/* The pending changes as text, then marked sent. */
static struct seen flush(struct rib *r)
{
	struct seen s = { .n = 0 };
	size_t n = rib_changes(r, 64, collect, &s);

	rib_sent(r, n);
	assert_int_equal(rib_pending(r), 0);
	return s;
}

static int nb(struct rib *r, const char *addr)
{
	struct rt_addr a;

	assert_int_equal(rt_addr_parse(addr, &a, NULL, 0), 0);
	return rib_neighbor(r, &a, 65000);
}

static void announce(struct rib *r, int n, const char *prefix, const char *via, uint32_t lp,
		     uint32_t len, uint32_t med, uint32_t origin)
{
	struct exabgp_nlri nl;
	struct exabgp_attrs a = { .has_origin_as = len > 0, .origin_as = origin, .path_len = len,
				  .has_med = med != 0, .med = med, .has_local_pref = lp != 0,
				  .local_pref = lp };

	assert_int_equal(rt_prefix_parse(prefix, &nl.prefix, NULL, 0), 0);
	assert_int_equal(rt_addr_parse(via, &nl.nexthop, NULL, 0), 0);
	assert_int_equal(rib_announce(r, n, &nl, &a), 0);
}

static void withdraw(struct rib *r, int n, const char *prefix)
{
	struct rt_prefix p;

	assert_int_equal(rt_prefix_parse(prefix, &p, NULL, 0), 0);
	assert_int_equal(rib_withdraw(r, n, &p), 0);
}

static void one_change(struct rib *r, const char *want)
{
	struct seen s = flush(r);

	assert_int_equal(s.n, 1);
	assert_string_equal(s.text[0], want);
}

static void test_decision_rule(void **state)
{
	struct rib *r = rib_create(true);
	int a, b;

	(void)state;
	b = nb(r, "192.0.2.9");
	a = nb(r, "192.0.2.1");
	announce(r, b, "10.0.0.0/8", "198.51.100.9", 0, 3, 0, 9);
	one_change(r, "10.0.0.0/8 198.51.100.9 9");
	/* Shorter AS path wins. */
	announce(r, a, "10.0.0.0/8", "198.51.100.1", 0, 2, 0, 1);
	one_change(r, "10.0.0.0/8 198.51.100.1 1");
	/* Higher LOCAL_PREF beats a shorter path; absent counts as 100. */
	announce(r, b, "10.0.0.0/8", "198.51.100.9", 150, 3, 0, 9);
	one_change(r, "10.0.0.0/8 198.51.100.9 9");
	announce(r, b, "10.0.0.0/8", "198.51.100.9", 100, 2, 50, 9);
	/* Equal LOCAL_PREF (100 and absent) and length: the lower MED (absent = 0). */
	one_change(r, "10.0.0.0/8 198.51.100.1 1");
	/* All equal: the lower neighbor address. */
	announce(r, b, "10.0.0.0/8", "198.51.100.9", 0, 2, 0, 9);
	assert_int_equal(flush(r).n, 0);	/* the winner did not change: nothing to push */
	/* The winner withdraws: the other's path, in one change. */
	withdraw(r, a, "10.0.0.0/8");
	one_change(r, "10.0.0.0/8 198.51.100.9 9");
	withdraw(r, b, "10.0.0.0/8");
	one_change(r, "10.0.0.0/8 -");
	/* Withdrawing what is not there changes nothing. */
	withdraw(r, b, "10.0.0.0/8");
	withdraw(r, a, "10.9.0.0/16");
	assert_int_equal(flush(r).n, 0);
	assert_int_equal(rib_prefix_count(r), 0);
	rib_destroy(r);
}

static void test_neighbor_down_and_tags(void **state)
{
	struct rib *r = rib_create(false);
	struct rib_neighbor_info info;
	struct seen s;
	int a, b;

	(void)state;
	a = nb(r, "2001:db8::1");
	b = nb(r, "192.0.2.1");
	assert_int_equal(nb(r, "2001:db8::1"), a);	/* known: the same index */
	rib_neighbor_up(r, a);
	rib_neighbor_up(r, b);
	announce(r, a, "10.1.0.0/16", "198.51.100.1", 0, 1, 0, 7);
	announce(r, a, "2001:db8:1::/48", "2001:db8::1", 0, 1, 0, 7);
	announce(r, b, "10.1.0.0/16", "198.51.100.2", 0, 1, 0, 8);
	announce(r, b, "10.2.0.0/16", "198.51.100.2", 0, 1, 0, 8);
	s = flush(r);
	/* IPv4 neighbors sort before IPv6 ones; --tag none: no tags. */
	assert_int_equal(s.n, 3);
	assert_string_equal(s.text[0], "10.1.0.0/16 198.51.100.2 0");
	rib_neighbor_info(r, b, &info);
	assert_int_equal(info.routes, 2);
	assert_true(info.up);
	/* b goes down: its two prefixes change, a's stay. */
	assert_int_equal(rib_neighbor_down(r, b), 0);
	s = flush(r);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.text[0], "10.1.0.0/16 198.51.100.1 0");
	assert_string_equal(s.text[1], "10.2.0.0/16 -");
	rib_neighbor_info(r, b, &info);
	assert_int_equal(info.routes, 0);
	assert_false(info.up);
	assert_int_equal(rib_prefix_count(r), 2);
	rib_destroy(r);
}

/* A callback that asks to stop (a push full) ends the batch after its prefix. */
static int stop_after_two(const struct rt_prefix *p, const struct rib_choice *c, void *arg)
{
	size_t *calls = arg;

	(void)p;
	(void)c;
	return ++*calls == 2;
}

static void test_full_push_stops_early(void **state)
{
	struct rib *r = rib_create(true);
	size_t calls = 0, cursor = 0;
	char p[32];
	int a = nb(r, "192.0.2.1");

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "10.%d.0.0/16", i);
		announce(r, a, p, "198.51.100.1", 0, 1, 0, 5);
	}
	assert_int_equal(rib_changes(r, 64, stop_after_two, &calls), 2);
	rib_sent(r, 2);
	assert_int_equal(rib_pending(r), 3);
	assert_int_equal(flush(r).n, 3);
	calls = 0;
	assert_int_equal(rib_full(r, &cursor, 64, stop_after_two, &calls), 2);
	assert_false(rib_full_done(r, cursor));
	calls = 10;
	assert_int_equal(rib_full(r, &cursor, 64, stop_after_two, &calls), 3);
	assert_true(rib_full_done(r, cursor));
	rib_destroy(r);
}

static void test_full_replay(void **state)
{
	struct rib *r = rib_create(true);
	struct seen s = { .n = 0 };
	size_t cursor = 0, got = 0, n;
	char p[32];
	int a = nb(r, "192.0.2.1");

	(void)state;
	for (int i = 0; i < 50; i++) {
		snprintf(p, sizeof(p), "10.%d.0.0/16", i);
		announce(r, a, p, "198.51.100.1", 0, 1, 0, 5);
	}
	withdraw(r, a, "10.3.0.0/16");
	/* Everything with a winner, in chunks; nothing pending afterwards. */
	while (!rib_full_done(r, cursor)) {
		n = rib_full(r, &cursor, 16, collect, &s);
		assert_true(n <= 16);
		got += n;
		s.n = 0;
	}
	assert_int_equal(got, 49);
	assert_int_equal(rib_full(r, &cursor, 16, collect, &s), 0);
	assert_int_equal(rib_pending(r), 0);
	assert_int_equal(flush(r).n, 0);
	rib_destroy(r);
}

/* Random announces, withdraws and downs of 4 neighbors on 32 prefixes, against a naive reference. */
static void test_random_against_reference(void **state)
{
	struct path_ref {
		bool has;
		uint32_t lp, len, med, via;
	} ref[32][4];
	struct rib *r = rib_create(true);
	unsigned seed = (unsigned)time(NULL);
	const char *nbs[4] = { "192.0.2.4", "192.0.2.2", "192.0.2.3", "192.0.2.1" };
	int idx[4];
	struct seen s = { .n = 0 };
	char sent[32][96];

	(void)state;
	printf("# seed %u\n", seed);
	srand(seed);
	memset(ref, 0, sizeof(ref));
	for (int i = 0; i < 32; i++)
		snprintf(sent[i], sizeof(sent[i]), "10.%d.0.0/16 -", i);
	for (int k = 0; k < 4; k++)
		idx[k] = nb(r, nbs[k]);
	for (int step = 0; step < 3000; step++) {
		int i = rand() % 32, k = rand() % 4, op = rand() % 10;
		char p[32], via[32];

		snprintf(p, sizeof(p), "10.%d.0.0/16", i);
		if (op < 6) {
			struct path_ref pr = { true, (uint32_t)(rand() % 3) * 50, (uint32_t)rand() % 3 + 1,
					       (uint32_t)(rand() % 3), (uint32_t)(rand() % 200 + 1) };

			snprintf(via, sizeof(via), "198.51.100.%u", pr.via);
			announce(r, idx[k], p, via, pr.lp, pr.len, pr.med, 64500 + (uint32_t)k);
			ref[i][k] = pr;
		} else if (op < 9) {
			withdraw(r, idx[k], p);
			ref[i][k].has = false;
		} else {
			assert_int_equal(rib_neighbor_down(r, idx[k]), 0);
			for (int j = 0; j < 32; j++)
				ref[j][k].has = false;
		}
		/* Apply the pushed changes to what routed would hold, then compare with the reference. */
		s.n = 0;
		while (rib_pending(r)) {
			size_t n = rib_changes(r, 64, collect, &s);

			rib_sent(r, n);
			for (size_t c = 0; c < s.n; c++) {
				int j = atoi(s.text[c] + 3);

				snprintf(sent[j], sizeof(sent[j]), "%s", s.text[c]);
			}
			s.n = 0;
		}
		for (int j = 0; j < 32; j++) {
			int best = -1;
			char want[96];

			for (int q = 0; q < 4; q++) {
				const struct path_ref *x = &ref[j][q], *y = best >= 0 ? &ref[j][best] : NULL;
				uint32_t xl = x->lp ? x->lp : 100, yl = y ? (y->lp ? y->lp : 100) : 0;

				if (!x->has)
					continue;
				if (!y || xl > yl || (xl == yl && (x->len < y->len || (x->len == y->len &&
				    (x->med < y->med || (x->med == y->med && strcmp(nbs[q], nbs[best]) < 0))))))
					best = q;
			}
			if (best < 0)
				snprintf(want, sizeof(want), "10.%d.0.0/16 -", j);
			else
				snprintf(want, sizeof(want), "10.%d.0.0/16 198.51.100.%u %u", j,
					 ref[j][best].via, 64500 + best);
			if (strcmp(sent[j], want))
				fail_msg("seed %u step %d: %s, want %s", seed, step, sent[j], want);
		}
	}
	rib_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_rule),
		cmocka_unit_test(test_neighbor_down_and_tags),
		cmocka_unit_test(test_full_replay),
		cmocka_unit_test(test_full_push_stops_early),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
