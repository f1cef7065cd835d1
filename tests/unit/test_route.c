/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route keys: the order of rt_route_key_cmp() on hand-made cases, and
 * rt_route_key_index() against a plain insertion sort on random routes.
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

static struct rt_route route(uint32_t table, const char *prefix, uint32_t metric,
			     const char *proto)
{
	struct rt_route r;

	rt_route_init(&r);
	r.table = table;
	assert_int_equal(rt_prefix_parse(prefix, &r.prefix, NULL, 0), 0);
	r.metric = metric;
	snprintf(r.proto, sizeof(r.proto), "%s", proto);
	return r;
}

/* Each route sorts before the next one. */
static void test_key_order(void **state)
{
	const struct rt_route ordered[] = {
		route(10, "10.0.0.0/8", 0, "static"),
		route(10, "10.0.0.0/8", 0, "zebra"),	/* proto breaks the tie */
		route(10, "10.0.0.0/8", 5, "bgp"),	/* metric before proto */
		route(10, "10.0.0.0/16", 0, "bgp"),	/* same address: shorter first */
		route(10, "10.1.0.0/16", 0, "bgp"),	/* address before length */
		route(10, "255.0.0.0/8", 0, "bgp"),
		route(10, "::/0", 0, "bgp"),		/* IPv4 before IPv6 */
		route(10, "2001:db8::/32", 0, "bgp"),
		route(254, "0.0.0.0/0", 0, "bgp"),	/* the table comes first */
		route(4000000000u, "0.0.0.0/0", 0, "bgp"),
	};
	size_t n = sizeof(ordered) / sizeof(ordered[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int c = rt_route_key_cmp(&ordered[i], &ordered[j]);

			if (i < j)
				assert_true(c < 0);
			else if (i > j)
				assert_true(c > 0);
			else
				assert_int_equal(c, 0);
		}
	}
}

/* Attributes are not part of the key. */
static void test_key_ignores_attributes(void **state)
{
	struct rt_route a = route(254, "192.0.2.0/24", 7, "ospf"), b = a;

	(void)state;
	assert_int_equal(rt_addr_parse("198.51.100.1", &b.gateway, NULL, 0), 0);
	snprintf(b.dev, sizeof(b.dev), "eth0");
	b.has_tag = true;
	b.tag = 42;
	assert_int_equal(rt_route_key_cmp(&a, &b), 0);
	a.type = RT_TYPE_BLACKHOLE;
	assert_int_equal(rt_route_key_cmp(&a, &b), 0);
}

/* Random keys from few values, so that equal keys are common. */
static struct rt_route random_route(unsigned *seed)
{
	static const char *const protos[] = { "static", "bgp", "ospf" };
	static const char *const prefixes[] = { "10.0.0.0/8", "10.0.0.0/16", "2001:db8::/32",
						"0.0.0.0/0" };
	unsigned r = (unsigned)rand_r(seed);

	return route(r % 2 ? 254 : 10, prefixes[r / 2 % 4], r / 8 % 2, protos[r / 16 % 3]);
}

/* Type words round trip; unknown words and out-of-range values are refused. */
static void test_type_names(void **state)
{
	static const char *const words[] = { "unicast", "blackhole", "unreachable", "prohibit" };
	uint8_t type = 99;

	(void)state;
	for (unsigned i = 0; i <= RT_TYPE_MAX; i++) {
		assert_string_equal(rt_route_type_name(i), words[i]);
		assert_int_equal(rt_route_type_parse(words[i], &type), 0);
		assert_int_equal(type, i);
	}
	assert_null(rt_route_type_name(RT_TYPE_MAX + 1));
	assert_int_equal(rt_route_type_parse("local", &type), -EINVAL);
	assert_int_equal(rt_route_type_parse("Blackhole", &type), -EINVAL);
	assert_int_equal(rt_route_type_parse("", &type), -EINVAL);
	assert_int_equal(type, RT_TYPE_MAX);
}

static void test_key_index(void **state)
{
	unsigned seed = 20240611;

	(void)state;
	for (size_t n = 0; n < 64; n++) {
		struct rt_route *routes = calloc(n ? n : 1, sizeof(*routes));
		const struct rt_route **idx, **want = calloc(n ? n : 1, sizeof(*want));

		assert_non_null(routes);
		assert_non_null(want);
		for (size_t i = 0; i < n; i++)
			routes[i] = random_route(&seed);
		/* Insertion sort, stable: the reference. */
		for (size_t i = 0; i < n; i++) {
			size_t j = i;

			while (j > 0 && rt_route_key_cmp(want[j - 1], &routes[i]) > 0) {
				want[j] = want[j - 1];
				j--;
			}
			want[j] = &routes[i];
		}
		idx = rt_route_key_index(routes, n);
		assert_non_null(idx);
		for (size_t i = 0; i < n; i++)
			assert_ptr_equal(idx[i], want[i]);
		free(idx);
		free(want);
		free(routes);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_key_ignores_attributes),
		cmocka_unit_test(test_key_index),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
