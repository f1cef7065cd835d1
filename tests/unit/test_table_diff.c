/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rt_table_diff() against the naive reference (naive.c): random tables and
 * targets drawn from small pools of prefixes, protocols, metrics and
 * attributes, so that adds, replaces, unchanged routes, stale routes,
 * removals of absent, loaded and repeated keys all occur. The expected
 * changes come from linear scans; the diff must list exactly them, in key
 * order, adds and replaces before deletes; applying it must give the
 * expected table, and rt_table_diff_result() the same routes.
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
#include <routed/route.h>
#include <routed/table.h>
#include <routed/table_diff.h>

#include "naive.h"
#include "seed.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEFAULT_ROUNDS 1500
#define TABLE_ID 77u
#define MAX_STORED 48
#define MAX_ROUTES 48
#define MAX_REMOVALS 24
#define MAX_CHANGES (MAX_STORED + MAX_ROUTES)

static unsigned long long seed;
static double iterations = 1.0;
static unsigned cur_round;

/* rand_r(): the test needs no better, and a seed replays a run. */
static unsigned rng_state;

static unsigned below(unsigned n)
{
	return (unsigned)rand_r(&rng_state) % n;
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

/* Nesting prefixes of both families, so that walks cross subtrees. */
static const char *const prefixes[] = {
	"0.0.0.0/0",	  "10.0.0.0/8",	   "10.0.0.0/16",   "10.1.0.0/16",
	"10.1.2.0/24",	  "192.0.2.0/24",  "192.0.2.128/25", "::/0",
	"2001:db8::/32", "2001:db8::/48", "2001:db8:1::/48", "2001:db8:1::1/128",
};
static const char *const protos[] = { "static", "bgp", "ospf" };
static const uint32_t metrics[] = { 0, 10 };

static void random_attributes(struct rt_route *r)
{
	memset(&r->gateway, 0, sizeof(r->gateway));
	if (chance(50)) {
		r->gateway = r->prefix.addr;
		r->gateway.bytes[r->prefix.addr.family == AF_INET ? 3 : 15] = (uint8_t)(1 + below(2));
	}
	r->has_tag = chance(50);
	r->tag = r->has_tag ? below(2) : 0;
}

static void random_route(struct rt_route *r)
{
	rt_route_init(r);
	r->table = TABLE_ID;
	assert_int_equal(rt_prefix_parse(prefixes[below(ARRAY_SIZE(prefixes))], &r->prefix, NULL, 0),
			 0);
	snprintf(r->proto, sizeof(r->proto), "%s", protos[below(ARRAY_SIZE(protos))]);
	r->metric = metrics[below(ARRAY_SIZE(metrics))];
	random_attributes(r);
}

static bool same_route(const struct rt_route *a, const struct rt_route *b)
{
	return a->table == b->table && naive_walk_cmp(a, b) == 0 &&
	       a->gateway.family == b->gateway.family &&
	       !memcmp(a->gateway.bytes, b->gateway.bytes, sizeof(a->gateway.bytes)) &&
	       !strcmp(a->dev, b->dev) && a->has_tag == b->has_tag && a->tag == b->tag;
}

static bool same_key(const struct rt_route *a, const struct rt_route *b)
{
	return naive_walk_cmp(a, b) == 0;
}

static bool in_list(const struct rt_route *v, size_t n, const struct rt_route *r)
{
	for (size_t i = 0; i < n; i++)
		if (same_key(&v[i], r))
			return true;
	return false;
}

struct change {
	enum rt_change_op op;
	struct rt_route route, old;
	bool has_old;
};

struct recorder {
	struct change v[MAX_CHANGES];
	size_t n;
	size_t stop_at;			/* return nonzero at this call (from 1); 0: never */
};

static int record(enum rt_change_op op, const struct rt_route *r, const struct rt_route *old,
		  void *arg)
{
	struct recorder *rec = arg;

	assert_true(rec->n < MAX_CHANGES);
	rec->v[rec->n] = (struct change){ .op = op, .route = *r, .has_old = old != NULL };
	if (old)
		rec->v[rec->n].old = *old;
	rec->n++;
	return rec->n == rec->stop_at ? 7 : 0;
}

static int change_cmp(const void *pa, const void *pb)
{
	const struct change *a = pa, *b = pb;
	bool da = a->op == RT_CHANGE_DELETE, db = b->op == RT_CHANGE_DELETE;

	if (da != db)
		return da ? 1 : -1;
	return naive_walk_cmp(&a->route, &b->route);
}

static int route_cmp(const void *a, const void *b)
{
	return naive_walk_cmp(a, b);
}

static const char *op_name(enum rt_change_op op)
{
	return op == RT_CHANGE_ADD ? "add" : op == RT_CHANGE_REPLACE ? "replace" : "delete";
}

static void fail_round(const char *what, size_t i, const struct change *got,
		       const struct change *want)
{
	char g[RT_PREFIX_STRLEN], w[RT_PREFIX_STRLEN];

	print_message("# seed %llu, round %u: %s at change %zu: got %s %s %s/%u, want %s %s %s/%u\n",
		      seed, cur_round, what, i, op_name(got->op),
		      rt_prefix_format(&got->route.prefix, g, sizeof(g)), got->route.proto,
		      got->route.metric, op_name(want->op),
		      rt_prefix_format(&want->route.prefix, w, sizeof(w)), want->route.proto,
		      want->route.metric);
	fail();
}

struct round {
	struct naive stored;
	struct rt_route routes[MAX_ROUTES], removals[MAX_REMOVALS];
	size_t n_routes, n_removals;
	bool replace;
	/* The reference's answer. */
	struct change want[MAX_CHANGES];
	size_t n_want;
	uint64_t unchanged;
	struct naive after;
};

static void make_round(struct round *rd)
{
	unsigned n_stored = below(MAX_STORED + 1), n_routes = below(MAX_ROUTES + 1);
	unsigned n_removals = below(MAX_REMOVALS + 1);
	struct rt_route r;

	naive_clear(&rd->stored);
	for (unsigned i = 0; i < n_stored; i++) {
		random_route(&r);
		naive_add(&rd->stored, &r);	/* a repeated key is skipped */
	}
	rd->n_routes = 0;
	for (unsigned i = 0; i < n_routes; i++) {
		if (rd->stored.n && chance(40)) {
			/* A stored route: unchanged, or replaced. */
			r = rd->stored.routes[below((unsigned)rd->stored.n)];
			if (chance(50))
				random_attributes(&r);
		} else {
			random_route(&r);
		}
		if (!in_list(rd->routes, rd->n_routes, &r))
			rd->routes[rd->n_routes++] = r;
	}
	rd->n_removals = 0;
	for (unsigned i = 0; i < n_removals; i++) {
		unsigned how = below(10);

		if (how < 5 && rd->stored.n)
			r = rd->stored.routes[below((unsigned)rd->stored.n)];
		else if (how < 7 && rd->n_routes)
			r = rd->routes[below((unsigned)rd->n_routes)];
		else if (how < 8 && rd->n_removals)
			r = rd->removals[below((unsigned)rd->n_removals)];
		else
			random_route(&r);
		/* A removal is a key: its attributes mean nothing. */
		if (chance(50))
			random_attributes(&r);
		rd->removals[rd->n_removals++] = r;
	}
	rd->replace = chance(30);
}

/* The changes, by linear scans: each loaded route, then each stored one. */
static void reference(struct round *rd)
{
	struct rt_route_key k;

	rd->n_want = 0;
	rd->unchanged = 0;
	naive_copy(&rd->after, &rd->stored);
	for (size_t i = 0; i < rd->n_routes; i++) {
		const struct rt_route *r = &rd->routes[i];
		const struct rt_route *old = naive_find(&rd->stored, r);
		struct change *c = &rd->want[rd->n_want];

		naive_replace(&rd->after, r);
		if (old && same_route(old, r)) {
			rd->unchanged++;
			continue;
		}
		*c = (struct change){ .op = old ? RT_CHANGE_REPLACE : RT_CHANGE_ADD, .route = *r };
		if (old) {
			c->old = *old;
			c->has_old = true;
		}
		rd->n_want++;
	}
	for (size_t i = 0; i < rd->stored.n; i++) {
		const struct rt_route *s = &rd->stored.routes[i];

		if (in_list(rd->routes, rd->n_routes, s))
			continue;
		if (!rd->replace && !in_list(rd->removals, rd->n_removals, s))
			continue;
		rd->want[rd->n_want++] = (struct change){ .op = RT_CHANGE_DELETE, .route = *s };
		memset(&k, 0, sizeof(k));
		k.prefix = s->prefix;
		memcpy(k.proto, s->proto, sizeof(k.proto));
		k.match_metric = true;
		k.metric = s->metric;
		assert_int_equal(naive_delete(&rd->after, &k, NULL), 0);
	}
	qsort(rd->want, rd->n_want, sizeof(rd->want[0]), change_cmp);
}

static int collect(const struct rt_route *r, void *arg)
{
	struct naive *nv = arg;

	naive_add(nv, r);
	return 0;
}

/* The routes of t, or of an array, equal those of want. */
static void expect_routes(struct rt_route *got, size_t n, const struct naive *want,
			  const char *what)
{
	size_t n_want;
	struct rt_route *w = naive_sorted(want, &n_want);

	if (n)
		qsort(got, n, sizeof(*got), route_cmp);
	if (n != n_want) {
		print_message("# seed %llu, round %u: %s: %zu routes, want %zu\n", seed, cur_round,
			      what, n, n_want);
		fail();
	}
	for (size_t i = 0; i < n; i++) {
		if (!same_route(&got[i], &w[i])) {
			print_message("# seed %llu, round %u: %s: route %zu differs\n", seed,
				      cur_round, what, i);
			fail();
		}
	}
	free(w);
}

static void expect_table(struct rt_table *t, const struct naive *want)
{
	struct naive got;

	naive_init(&got);
	assert_int_equal(rt_table_walk(t, 0, NULL, collect, &got), 0);
	expect_routes(got.routes, got.n, want, "table after applying the diff");
	naive_fini(&got);
}

/* Route by route: rt_table_flush() would wait for an rcu_barrier() each round. */
static void empty_table(struct rt_table *t)
{
	struct naive held;
	struct rt_change c = { .op = RT_CHANGE_DELETE };

	naive_init(&held);
	assert_int_equal(rt_table_walk(t, 0, NULL, collect, &held), 0);
	for (size_t i = 0; i < held.n; i++) {
		c.route = held.routes[i];
		assert_int_equal(rt_table_apply(t, &c, 1, NULL), 0);
	}
	naive_fini(&held);
}

static void run_round(struct rt_table *t, struct round *rd, struct recorder *rec)
{
	const struct rt_route **idx, **ridx;
	struct rt_diff_target target;
	struct rt_diff_counts counts, again;
	uint64_t ops[3] = { 0 };
	struct rt_change *changes;
	struct rt_route *result;
	size_t n_result;

	empty_table(t);
	make_round(rd);
	for (size_t i = 0; i < rd->stored.n; i++)
		assert_int_equal(rt_table_add(t, &rd->stored.routes[i]), 0);
	reference(rd);
	idx = rt_route_key_index(rd->routes, rd->n_routes);
	ridx = rt_route_key_index(rd->removals, rd->n_removals);
	assert_non_null(idx);
	assert_non_null(ridx);
	target = (struct rt_diff_target){ .routes = idx, .n_routes = rd->n_routes,
					  .replace = rd->replace, .removals = ridx,
					  .n_removals = rd->n_removals };

	rec->n = 0;
	rec->stop_at = 0;
	assert_int_equal(rt_table_diff(t, &target, record, rec, &counts), 0);
	assert_int_equal(counts.before, rd->stored.n);
	assert_int_equal(counts.unchanged, rd->unchanged);
	assert_int_equal(counts.adds + counts.replaces + counts.deletes, rd->n_want);
	if (rec->n != rd->n_want) {
		print_message("# seed %llu, round %u: %zu changes, want %zu\n", seed, cur_round,
			      rec->n, rd->n_want);
		fail();
	}
	for (size_t i = 0; i < rec->n; i++) {
		const struct change *g = &rec->v[i], *w = &rd->want[i];

		if (g->op != w->op || !same_route(&g->route, &w->route) ||
		    g->has_old != w->has_old || (w->has_old && !same_route(&g->old, &w->old)))
			fail_round("wrong change", i, g, w);
		ops[g->op]++;
	}
	assert_int_equal(counts.adds, ops[RT_CHANGE_ADD]);
	assert_int_equal(counts.replaces, ops[RT_CHANGE_REPLACE]);
	assert_int_equal(counts.deletes, ops[RT_CHANGE_DELETE]);

	/* Counting alone gives the same counts; a nonzero return stops the diff. */
	assert_int_equal(rt_table_diff(t, &target, NULL, NULL, &again), 0);
	assert_memory_equal(&again, &counts, sizeof(counts));
	if (rd->n_want) {
		rec->n = 0;
		rec->stop_at = 1 + below((unsigned)rd->n_want);
		assert_int_equal(rt_table_diff(t, &target, record, rec, NULL), 7);
		assert_int_equal(rec->n, rec->stop_at);
	}

	/* What the table holds afterwards, without applying. */
	assert_int_equal(rt_table_diff_result(t, &target, &counts, &result, &n_result), 0);
	expect_routes(result, n_result, &rd->after, "rt_table_diff_result");
	free(result);

	/* Applied in the order given, the changes make the table the target. */
	changes = calloc(rd->n_want ? rd->n_want : 1, sizeof(*changes));
	assert_non_null(changes);
	for (size_t i = 0; i < rd->n_want; i++) {
		changes[i].op = rd->want[i].op;
		changes[i].route = rd->want[i].route;
	}
	assert_int_equal(rt_table_apply(t, changes, rd->n_want, NULL), 0);
	expect_table(t, &rd->after);

	free(changes);
	free(idx);
	free(ridx);
}

static void test_diff_against_reference(void **state)
{
	double r = DEFAULT_ROUNDS * iterations;
	unsigned rounds = r < 1 ? 1 : (unsigned)r;
	struct round *rd = calloc(1, sizeof(*rd));
	struct recorder *rec = calloc(1, sizeof(*rec));
	struct rt_table *t = rt_table_create(TABLE_ID);

	(void)state;
	assert_non_null(rd);
	assert_non_null(rec);
	assert_non_null(t);
	naive_init(&rd->stored);
	naive_init(&rd->after);
	for (cur_round = 0; cur_round < rounds; cur_round++)
		run_round(t, rd, rec);
	print_message("# %u rounds\n", rounds);
	rt_table_destroy(t);
	naive_fini(&rd->stored);
	naive_fini(&rd->after);
	free(rec);
	free(rd);
}

/* The reference on a hand-made case, so that a broken oracle cannot hide bugs. */
static void test_reference(void **state)
{
	struct round *rd = calloc(1, sizeof(*rd));
	struct rt_route r;

	(void)state;
	assert_non_null(rd);
	naive_init(&rd->stored);
	naive_init(&rd->after);
	rt_route_init(&r);
	r.table = TABLE_ID;
	assert_int_equal(rt_prefix_parse("10.0.0.0/8", &r.prefix, NULL, 0), 0);
	naive_add(&rd->stored, &r);			/* loaded as it is: unchanged */
	rd->routes[rd->n_routes++] = r;
	assert_int_equal(rt_prefix_parse("10.1.0.0/16", &r.prefix, NULL, 0), 0);
	naive_add(&rd->stored, &r);			/* loaded with a tag: replaced */
	r.has_tag = true;
	r.tag = 5;
	rd->routes[rd->n_routes++] = r;
	r.has_tag = false;
	r.tag = 0;
	assert_int_equal(rt_prefix_parse("10.2.0.0/16", &r.prefix, NULL, 0), 0);
	naive_add(&rd->stored, &r);			/* removed */
	rd->removals[rd->n_removals++] = r;
	rd->removals[rd->n_removals++] = r;
	assert_int_equal(rt_prefix_parse("10.3.0.0/16", &r.prefix, NULL, 0), 0);
	naive_add(&rd->stored, &r);			/* kept, unless replace */
	assert_int_equal(rt_prefix_parse("10.4.0.0/16", &r.prefix, NULL, 0), 0);
	rd->routes[rd->n_routes++] = r;			/* added */
	rd->removals[rd->n_removals++] = r;		/* and loaded: stays */

	reference(rd);
	assert_int_equal(rd->unchanged, 1);
	assert_int_equal(rd->n_want, 3);
	assert_int_equal(rd->want[0].op, RT_CHANGE_REPLACE);
	assert_int_equal(rd->want[1].op, RT_CHANGE_ADD);
	assert_int_equal(rd->want[2].op, RT_CHANGE_DELETE);
	assert_int_equal(rd->want[2].route.prefix.addr.bytes[1], 2);
	assert_int_equal(rd->after.n, 4);

	rd->replace = true;
	reference(rd);
	assert_int_equal(rd->n_want, 4);
	assert_int_equal(rd->want[2].op, RT_CHANGE_DELETE);
	assert_int_equal(rd->want[3].op, RT_CHANGE_DELETE);
	assert_int_equal(rd->after.n, 3);
	naive_fini(&rd->stored);
	naive_fini(&rd->after);
	free(rd);
}

/*
 * rt_table_get_keys() against a linear scan of what was stored: a table of
 * random routes from a pool larger than one run of gets, and keys that
 * hit, miss by protocol or metric, or name absent prefixes, so runs of
 * every length and mix occur; a key with host bits set fails the call.
 */
#define GET_POOL 160
#define GET_KEYS 300

static void pool_route(struct rt_route *r, unsigned i)
{
	char text[RT_PREFIX_STRLEN];

	rt_route_init(r);
	r->table = TABLE_ID;
	if (i % 4 == 3)
		snprintf(text, sizeof(text), "2001:db8:%x::/48", i);
	else
		snprintf(text, sizeof(text), "10.%u.%u.0/24", i / 64, i % 64);
	assert_int_equal(rt_prefix_parse(text, &r->prefix, NULL, 0), 0);
	snprintf(r->proto, sizeof(r->proto), "%s", protos[below(ARRAY_SIZE(protos))]);
	r->metric = metrics[below(ARRAY_SIZE(metrics))];
	random_attributes(r);
}

static void test_get_keys_against_scan(void **state)
{
	struct rt_route *stored = calloc(GET_POOL, sizeof(*stored));
	struct rt_route *keys = calloc(GET_KEYS, sizeof(*keys));
	struct rt_route *out = calloc(GET_KEYS, sizeof(*out));
	const struct rt_route **kp = calloc(GET_KEYS, sizeof(*kp));
	bool *found = calloc(GET_KEYS, sizeof(*found));
	struct rt_table *t = rt_table_create(TABLE_ID);
	size_t n_stored = 0, hits = 0;

	(void)state;
	assert_non_null(stored);
	assert_non_null(keys);
	assert_non_null(out);
	assert_non_null(kp);
	assert_non_null(found);
	assert_non_null(t);
	rng_state = (unsigned)seed ^ 0x5eed;
	for (unsigned i = 0; i < GET_POOL; i++) {
		pool_route(&stored[n_stored], i / 2);	/* two tries a prefix */
		if (!rt_table_add(t, &stored[n_stored]))
			n_stored++;
	}
	for (unsigned i = 0; i < GET_KEYS; i++) {
		/* Prefixes past the stored ones' are absent. */
		pool_route(&keys[i], below(GET_POOL / 2 + 20));
		kp[i] = &keys[i];
	}
	assert_int_equal(rt_table_get_keys(t, kp, GET_KEYS, out, found), 0);
	for (unsigned i = 0; i < GET_KEYS; i++) {
		const struct rt_route *want = NULL;

		for (size_t k = 0; k < n_stored && !want; k++)
			if (same_key(&stored[k], &keys[i]))
				want = &stored[k];
		if (!want != !found[i])
			fail_msg("seed %llu: key %u found %d, stored %d", seed, i, found[i], !!want);
		if (want && !same_route(want, &out[i]))
			fail_msg("seed %llu: key %u: not the stored route", seed, i);
		hits += found[i];
	}
	/* The draw gives both outcomes; a run that did not would test half. */
	assert_true(hits > 0 && hits < GET_KEYS);
	assert_int_equal(rt_table_get_keys(t, kp, 0, out, found), 0);

	/* The last key (of the last run) gets a host bit: nothing is found. */
	kp[0] = &keys[GET_KEYS - 1];
	keys[GET_KEYS - 1].prefix.addr.bytes[kp[0]->prefix.addr.family == AF_INET ? 3 : 15] = 1;
	kp[0] = &keys[0];
	assert_int_equal(rt_table_get_keys(t, kp, GET_KEYS, out, found), -EINVAL);
	for (unsigned i = 0; i < GET_KEYS; i++)
		assert_false(found[i]);
	rt_table_destroy(t);
	free(found);
	free(kp);
	free(out);
	free(keys);
	free(stored);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_diff_against_reference),
		cmocka_unit_test(test_get_keys_against_scan),
	};

	seed = seed_from_env();
	iterations = seed_iterations();
	rng_state = (unsigned)(seed ^ seed >> 32);
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
