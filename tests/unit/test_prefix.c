/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses, prefixes and route validation: parsing, formatting, ordering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>
#include <routed/route.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static struct rt_prefix parse_ok(const char *text)
{
	char err[RT_ERR_LEN] = "";
	struct rt_prefix p;
	int rc = rt_prefix_parse(text, &p, err, sizeof(err));

	if (rc != 0)
		fail_msg("rt_prefix_parse(\"%s\") = %d: %s", text, rc, err);
	return p;
}

static struct rt_addr addr_ok(const char *text)
{
	char err[RT_ERR_LEN] = "";
	struct rt_addr a;
	int rc = rt_addr_parse(text, &a, err, sizeof(err));

	if (rc != 0)
		fail_msg("rt_addr_parse(\"%s\") = %d: %s", text, rc, err);
	return a;
}

/* Parse, check family and length, check the canonical text. */
static void check_prefix(const char *text, int family, unsigned len, const char *canon)
{
	struct rt_prefix p = parse_ok(text);
	char buf[RT_PREFIX_STRLEN];

	assert_int_equal(p.addr.family, family);
	assert_int_equal(p.len, len);
	assert_string_equal(rt_prefix_format(&p, buf, sizeof(buf)), canon);
}

/* Expect -EINVAL and a message containing the input text and want. */
static void check_prefix_err(const char *text, const char *want)
{
	char err[RT_ERR_LEN] = "";
	struct rt_prefix p;

	memset(&p, 0x5a, sizeof(p));
	if (rt_prefix_parse(text, &p, err, sizeof(err)) != -EINVAL)
		fail_msg("rt_prefix_parse(\"%s\") did not fail with -EINVAL", text);
	if (*text)
		assert_contains(err, text);
	if (want)
		assert_contains(err, want);
}

static void check_addr_err(const char *text)
{
	char err[RT_ERR_LEN] = "";
	struct rt_addr a;

	if (rt_addr_parse(text, &a, err, sizeof(err)) != -EINVAL)
		fail_msg("rt_addr_parse(\"%s\") did not fail with -EINVAL", text);
	assert_true(err[0] != '\0');
	if (*text)
		assert_contains(err, text);
}

static void test_default_routes(void **state)
{
	struct rt_prefix p;

	(void)state;
	check_prefix("0.0.0.0/0", AF_INET, 0, "0.0.0.0/0");
	check_prefix("::/0", AF_INET6, 0, "::/0");
	p = parse_ok("0.0.0.0/0");
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(p.addr.bytes[i], 0);
	/* /0 leaves no room for any address bit. */
	check_prefix_err("10.0.0.0/0", "host bits set");
	check_prefix_err("::1/0", "host bits set");
	check_prefix_err("0.0.0.1/0", "host bits set");
}

static void test_host_routes(void **state)
{
	struct rt_prefix p;

	(void)state;
	check_prefix("10.1.2.3/32", AF_INET, 32, "10.1.2.3/32");
	check_prefix("10.1.2.3", AF_INET, 32, "10.1.2.3/32");
	check_prefix("2001:db8::1/128", AF_INET6, 128, "2001:db8::1/128");
	check_prefix("2001:db8::1", AF_INET6, 128, "2001:db8::1/128");
	check_prefix("0.0.0.0", AF_INET, 32, "0.0.0.0/32");
	check_prefix("0.0.0.0/32", AF_INET, 32, "0.0.0.0/32");
	check_prefix("255.255.255.255", AF_INET, 32, "255.255.255.255/32");
	check_prefix("255.255.255.255/32", AF_INET, 32, "255.255.255.255/32");
	check_prefix("::", AF_INET6, 128, "::/128");
	check_prefix("::/128", AF_INET6, 128, "::/128");
	check_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AF_INET6, 128,
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	check_prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", AF_INET6, 128,
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");

	p = parse_ok("255.255.255.255");
	assert_int_equal(rt_addr_to_v4(&p.addr), 0xffffffffu);
	for (unsigned i = 4; i < 16; i++)
		assert_int_equal(p.addr.bytes[i], 0);
	p = parse_ok("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(p.addr.bytes[i], 0xff);
	p = parse_ok("1.2.3.4");
	assert_int_equal(p.addr.bytes[0], 1);
	assert_int_equal(p.addr.bytes[3], 4);
	assert_int_equal(rt_addr_to_v4(&p.addr), 0x01020304u);
}

static void test_lengths(void **state)
{
	(void)state;
	check_prefix("10.0.0.0/8", AF_INET, 8, "10.0.0.0/8");
	check_prefix("128.0.0.0/1", AF_INET, 1, "128.0.0.0/1");
	check_prefix("10.0.0.0/31", AF_INET, 31, "10.0.0.0/31");
	check_prefix("10.0.0.0/7", AF_INET, 7, "10.0.0.0/7");
	check_prefix("8000::/1", AF_INET6, 1, "8000::/1");
	check_prefix("2001:db8::/127", AF_INET6, 127, "2001:db8::/127");
	check_prefix("2001:db8::/64", AF_INET6, 64, "2001:db8::/64");
	check_prefix_err("128.0.0.0/0", "host bits set");
	check_prefix_err("10.0.0.1/31", "host bits set");
	check_prefix_err("11.0.0.0/7", "host bits set");
}

static void test_host_bits_set(void **state)
{
	char err[RT_ERR_LEN] = "";
	struct rt_prefix p;

	(void)state;
	assert_int_equal(rt_prefix_parse("10.0.0.1/8", &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "host bits set");
	assert_contains(err, "10.0.0.1/8");
	/* The message suggests the masked prefix. */
	assert_contains(err, "10.0.0.0/8");

	assert_int_equal(rt_prefix_parse("2001:db8::1/32", &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "host bits set");
	assert_contains(err, "2001:db8::1/32");
	assert_contains(err, "2001:db8::/32");
}

static void test_length_out_of_range(void **state)
{
	(void)state;
	check_prefix_err("10.0.0.0/33", "/32");
	check_prefix_err("0.0.0.0/33", NULL);
	check_prefix_err("::/129", "/128");
	check_prefix_err("2001:db8::/129", NULL);
	check_prefix_err("10.0.0.0/128", NULL);
	check_prefix_err("10.0.0.0/4294967296", NULL);
	check_prefix_err("::/99999999999999999999999", NULL);
}

static void test_garbage(void **state)
{
	static const char *const bad[] = {
		"10.0.0/8", "1.2.3.4.5", "abc", "10.0.0.0/", "10.0.0.0/-1",
		"10.0.0.0/08", "01.2.3.4", "01.2.3.4/32", "10.0.0.0/+8",
		"10.0.0.0/8/8", "/8", "/", "256.0.0.0/8", "1.2.3.-4",
		"10.0.0.0/8x", "10.0.0.0/0x8", "2001:db8::/3x", "2001:db8:::/32",
		"2001:db8::g/128", ":::", "1:2:3:4:5:6:7:8:9", "10.0.0.0//8",
		"1.2.3.4:80", "[::1]", "::1%lo",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		check_prefix_err(bad[i], NULL);
}

static void test_empty_and_whitespace(void **state)
{
	static const char *const bad[] = {
		" 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0.0 /8", "10.0.0.0/ 8",
		"\t10.0.0.0/8", "10.0.0.0/8\n", "10.0.0.0/8\r\n", ":: /0",
	};
	char err[RT_ERR_LEN] = "";
	struct rt_prefix p;

	(void)state;
	assert_int_equal(rt_prefix_parse("", &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "empty");
	err[0] = '\0';
	assert_int_equal(rt_prefix_parse(NULL, &p, err, sizeof(err)), -EINVAL);
	assert_contains(err, "empty");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		check_prefix_err(bad[i], NULL);
	check_prefix_err(" 10.0.0.0/8", "whitespace");
}

static void test_err_buffer(void **state)
{
	char err[8];
	struct rt_prefix p;

	(void)state;
	/* No message buffer: still an error, nothing written. */
	assert_int_equal(rt_prefix_parse("abc", &p, NULL, 0), -EINVAL);
	assert_int_equal(rt_prefix_parse("10.0.0.1/8", &p, NULL, 0), -EINVAL);
	assert_int_equal(rt_prefix_parse("10.0.0.0/33", &p, NULL, 0), -EINVAL);
	assert_int_equal(rt_addr_parse("abc", &p.addr, NULL, 0), -EINVAL);
	/* A short buffer gets a truncated, terminated message. */
	memset(err, 'x', sizeof(err));
	assert_int_equal(rt_prefix_parse("10.0.0.1/8", &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

static void test_v4_mapped(void **state)
{
	struct rt_prefix p, v4;
	struct rt_addr a;
	char buf[RT_PREFIX_STRLEN];

	(void)state;
	p = parse_ok("::ffff:1.2.3.4/128");
	assert_int_equal(p.addr.family, AF_INET6);
	assert_int_equal(p.len, 128);
	assert_int_equal(p.addr.bytes[10], 0xff);
	assert_int_equal(p.addr.bytes[11], 0xff);
	assert_int_equal(p.addr.bytes[12], 1);
	assert_int_equal(p.addr.bytes[15], 4);
	assert_string_equal(rt_prefix_format(&p, buf, sizeof(buf)), "::ffff:1.2.3.4/128");

	check_prefix("::ffff:0.0.0.0/96", AF_INET6, 96, "::ffff:0.0.0.0/96");

	/* Mapped addresses never match IPv4 routes, nor the other way round. */
	a = addr_ok("::ffff:1.2.3.4");
	assert_int_equal(a.family, AF_INET6);
	v4 = parse_ok("0.0.0.0/0");
	assert_false(rt_prefix_contains_addr(&v4, &a));
	v4 = parse_ok("1.2.3.4/32");
	assert_false(rt_prefix_contains_addr(&v4, &a));
	assert_false(rt_prefix_equal(&v4, &p));
	assert_true(rt_prefix_contains_addr(&p, &a));
	a = addr_ok("1.2.3.4");
	assert_false(rt_prefix_contains_addr(&p, &a));
}

static void test_canonical_format(void **state)
{
	(void)state;
	check_prefix("2001:DB8::/32", AF_INET6, 32, "2001:db8::/32");
	check_prefix("2001:0db8:0000:0000::/32", AF_INET6, 32, "2001:db8::/32");
	check_prefix("2001:db8:0:0:0:0:0:1", AF_INET6, 128, "2001:db8::1/128");
	check_prefix("FE80::/10", AF_INET6, 10, "fe80::/10");
	check_prefix("2001:db8:0:1::/64", AF_INET6, 64, "2001:db8:0:1::/64");
	check_prefix("0:0:0:0:0:0:0:0/0", AF_INET6, 0, "::/0");
}

static void test_format_longest(void **state)
{
	struct rt_prefix p;
	char buf[RT_PREFIX_STRLEN];
	char abuf[RT_ADDR_STRLEN];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.addr.family = AF_INET6;
	for (unsigned i = 0; i < 16; i++)
		p.addr.bytes[i] = (uint8_t)(0x10 + i);
	p.len = 128;
	rt_prefix_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "1011:1213:1415:1617:1819:1a1b:1c1d:1e1f/128");
	rt_addr_format(&p.addr, abuf, sizeof(abuf));
	assert_string_equal(abuf, "1011:1213:1415:1617:1819:1a1b:1c1d:1e1f");
	memset(&p.addr, 0, sizeof(p.addr));
	assert_string_equal(rt_addr_format(&p.addr, abuf, sizeof(abuf)), "-");
}

static void test_addr_parse(void **state)
{
	struct rt_addr a;
	char buf[RT_ADDR_STRLEN];

	(void)state;
	a = addr_ok("10.0.0.1");
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(rt_addr_to_v4(&a), 0x0a000001u);
	assert_string_equal(rt_addr_format(&a, buf, sizeof(buf)), "10.0.0.1");
	a = addr_ok("0.0.0.0");
	assert_int_equal(rt_addr_to_v4(&a), 0);
	a = addr_ok("255.255.255.255");
	assert_int_equal(rt_addr_to_v4(&a), 0xffffffffu);
	a = addr_ok("::");
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(rt_addr_format(&a, buf, sizeof(buf)), "::");
	a = addr_ok("FE80::1");
	assert_string_equal(rt_addr_format(&a, buf, sizeof(buf)), "fe80::1");

	check_addr_err("");
	check_addr_err("10.0.0.1/32");
	check_addr_err("::/0");
	check_addr_err(" 10.0.0.1");
	check_addr_err("10.0.0.1 ");
	check_addr_err("01.2.3.4");
	check_addr_err("1.2.3.04");
	check_addr_err("1.2.3");
	check_addr_err("abc");
	check_addr_err("1.2.3.4.5");
	check_addr_err("1:2:3:4:5:6:7:8:9");
}

static void test_make_and_mask(void **state)
{
	struct rt_addr a;
	struct rt_prefix p;
	char buf[RT_PREFIX_STRLEN];

	(void)state;
	rt_addr_from_v4(&a, 0x0a0b0c0du);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.bytes[0], 0x0a);
	assert_int_equal(a.bytes[3], 0x0d);
	assert_int_equal(rt_prefix_make(&a, 8, &p), -EINVAL);
	assert_int_equal(rt_prefix_make(&a, 33, &p), -EINVAL);
	assert_int_equal(rt_prefix_make(&a, 32, &p), 0);
	assert_string_equal(rt_prefix_format(&p, buf, sizeof(buf)), "10.11.12.13/32");
	rt_addr_mask(&a, 12);
	assert_int_equal(rt_addr_to_v4(&a), 0x0a000000u);
	rt_addr_from_v4(&a, 0x0a0b0c0du);
	rt_addr_mask(&a, 20);
	assert_int_equal(rt_addr_to_v4(&a), 0x0a0b0000u);
	assert_int_equal(rt_prefix_make(&a, 20, &p), 0);
	assert_string_equal(rt_prefix_format(&p, buf, sizeof(buf)), "10.11.0.0/20");
	assert_int_equal(rt_prefix_make(&a, 15, &p), -EINVAL);

	a = addr_ok("2001:db8:ffff::");
	rt_addr_mask(&a, 40);
	assert_string_equal(rt_addr_format(&a, buf, sizeof(buf)), "2001:db8:ff00::");
	rt_addr_mask(&a, 0);
	assert_string_equal(rt_addr_format(&a, buf, sizeof(buf)), "::");

	memset(&a, 0, sizeof(a));
	assert_int_equal(rt_prefix_make(&a, 0, &p), -EINVAL);

	assert_int_equal(rt_family_bits(AF_INET), 32);
	assert_int_equal(rt_family_bits(AF_INET6), 128);
	assert_int_equal(rt_family_bits(0), 0);
	assert_int_equal(rt_family_bits(AF_UNIX), 0);
}

static int cmp_qsort(const void *a, const void *b)
{
	return rt_prefix_cmp(a, b);
}

static void test_cmp_order(void **state)
{
	/* Already in the expected order. */
	static const char *const sorted[] = {
		"0.0.0.0/0", "0.0.0.0/1", "0.0.0.0/32", "9.255.255.255/32",
		"10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/32", "10.0.0.1/32",
		"10.1.0.0/16", "11.0.0.0/8", "128.0.0.0/1", "255.255.255.255/32",
		"::/0", "::/128", "::1/128", "::ffff:0.0.0.0/96", "::ffff:1.2.3.4/128",
		"2001:db8::/32", "2001:db8::/64", "2001:db9::/32", "fe80::/10",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	};
	struct rt_prefix p[ARRAY_SIZE(sorted)], shuffled[ARRAY_SIZE(sorted)];
	size_t n = ARRAY_SIZE(sorted);

	(void)state;
	for (size_t i = 0; i < n; i++)
		p[i] = parse_ok(sorted[i]);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int c = rt_prefix_cmp(&p[i], &p[j]);
			int want = i < j ? -1 : i > j ? 1 : 0;

			if ((c > 0) - (c < 0) != want)
				fail_msg("cmp(%s, %s) = %d, want sign %d",
					 sorted[i], sorted[j], c, want);
			assert_int_equal(rt_prefix_equal(&p[i], &p[j]), i == j);
		}
	}
	/* Sorting a reversed, rotated copy restores the order. */
	for (size_t i = 0; i < n; i++)
		shuffled[i] = p[(n - 1 - i + 5) % n];
	qsort(shuffled, n, sizeof(shuffled[0]), cmp_qsort);
	for (size_t i = 0; i < n; i++)
		assert_true(rt_prefix_equal(&shuffled[i], &p[i]));
}

static void test_contains(void **state)
{
	struct rt_prefix all4 = parse_ok("0.0.0.0/0"), all6 = parse_ok("::/0");
	struct rt_prefix p8 = parse_ok("10.0.0.0/8"), p16 = parse_ok("10.1.0.0/16");
	struct rt_prefix other = parse_ok("11.0.0.0/8"), h = parse_ok("10.1.2.3/32");
	struct rt_prefix v6 = parse_ok("2001:db8::/32"), v6h = parse_ok("2001:db8::1");
	struct rt_prefix same16 = parse_ok("10.0.0.0/16"), v6_64 = parse_ok("2001:db8::/64");
	struct rt_addr a;

	(void)state;
	/* Same address, different lengths: only the shorter contains the longer. */
	assert_true(rt_prefix_contains(&p8, &same16));
	assert_false(rt_prefix_contains(&same16, &p8));
	assert_true(rt_prefix_contains(&v6, &v6_64));
	assert_false(rt_prefix_contains(&v6_64, &v6));
	assert_false(rt_prefix_contains(&h, &p16));
	assert_true(rt_prefix_contains(&p8, &p16));
	assert_false(rt_prefix_contains(&p16, &p8));
	assert_true(rt_prefix_contains(&p8, &p8));
	assert_false(rt_prefix_contains(&p8, &other));
	assert_false(rt_prefix_contains(&other, &p8));
	assert_true(rt_prefix_contains(&p16, &h));
	assert_true(rt_prefix_contains(&h, &h));
	assert_true(rt_prefix_contains(&all4, &p8));
	assert_true(rt_prefix_contains(&all4, &all4));
	assert_false(rt_prefix_contains(&all4, &all6));
	assert_false(rt_prefix_contains(&all6, &all4));
	assert_false(rt_prefix_contains(&all6, &p8));
	assert_true(rt_prefix_contains(&all6, &v6));
	assert_true(rt_prefix_contains(&v6, &v6h));
	assert_false(rt_prefix_contains(&v6h, &v6));

	a = addr_ok("10.255.255.255");
	assert_true(rt_prefix_contains_addr(&p8, &a));
	assert_false(rt_prefix_contains_addr(&p16, &a));
	assert_true(rt_prefix_contains_addr(&all4, &a));
	assert_false(rt_prefix_contains_addr(&all6, &a));
	a = addr_ok("11.0.0.0");
	assert_false(rt_prefix_contains_addr(&p8, &a));
	a = addr_ok("2001:db8:ffff::1");
	assert_true(rt_prefix_contains_addr(&v6, &a));
	assert_true(rt_prefix_contains_addr(&all6, &a));
	assert_false(rt_prefix_contains_addr(&all4, &a));
	a = addr_ok("2001:db9::");
	assert_false(rt_prefix_contains_addr(&v6, &a));
}

static struct rt_route route_with_prefix(const char *prefix)
{
	struct rt_route r;

	rt_route_init(&r);
	r.prefix = parse_ok(prefix);
	return r;
}

static void check_invalid(const struct rt_route *r, const char *want)
{
	char err[RT_ERR_LEN] = "";

	assert_int_equal(rt_route_validate(r, err, sizeof(err)), -EINVAL);
	assert_contains(err, want);
	assert_int_equal(rt_route_validate(r, NULL, 0), -EINVAL);
}

static void test_route_init(void **state)
{
	struct rt_route r;

	(void)state;
	memset(&r, 0xa5, sizeof(r));
	rt_route_init(&r);
	assert_int_equal(r.table, RT_TABLE_MAIN);
	assert_int_equal(r.table, 254);
	assert_string_equal(r.proto, "static");
	assert_string_equal(r.dev, "");
	assert_int_equal(r.metric, 0);
	assert_int_equal(r.gateway.family, 0);
	assert_false(r.has_tag);
	assert_int_equal(r.tag, 0);
	assert_int_equal(r.prefix.addr.family, 0);
	/* No prefix yet: not a valid route. */
	check_invalid(&r, "invalid prefix");
}

static void test_route_validate_gateway(void **state)
{
	struct rt_route r;
	char err[RT_ERR_LEN] = "";

	(void)state;
	r = route_with_prefix("10.0.0.0/8");
	assert_int_equal(rt_route_validate(&r, err, sizeof(err)), 0);
	r.gateway = addr_ok("10.0.0.1");
	assert_int_equal(rt_route_validate(&r, err, sizeof(err)), 0);
	r.gateway = addr_ok("2001:db8::1");
	check_invalid(&r, "gateway");
	check_invalid(&r, "2001:db8::1");

	r = route_with_prefix("2001:db8::/32");
	r.gateway = addr_ok("fe80::1");
	assert_int_equal(rt_route_validate(&r, err, sizeof(err)), 0);
	r.gateway = addr_ok("10.0.0.1");
	check_invalid(&r, "10.0.0.1");
	r.gateway = addr_ok("::ffff:10.0.0.1");
	assert_int_equal(rt_route_validate(&r, err, sizeof(err)), 0);
}

static void test_route_validate_proto(void **state)
{
	static const char *const good[] = {
		"static", "bgp", "a", "0", "ospf_6-x", "abcdefghijklmno",
	};
	static const char *const bad[] = {
		"", "BGP", "Static", "a b", "x/y", "a.b", "ospf!", "\t", "é",
	};
	struct rt_route r = route_with_prefix("10.0.0.0/8");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(rt_proto_validate(good[i]), 0);
		strcpy(r.proto, good[i]);
		assert_int_equal(rt_route_validate(&r, NULL, 0), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(rt_proto_validate(bad[i]), -EINVAL);
		memset(r.proto, 0, sizeof(r.proto));
		strcpy(r.proto, bad[i]);
		check_invalid(&r, "invalid protocol name");
	}
	/* 16 bytes, no terminator within the field. */
	memset(r.proto, 'a', sizeof(r.proto));
	check_invalid(&r, "invalid protocol name");
	assert_int_equal(rt_proto_validate("abcdefghijklmnop"), -EINVAL);
}

static void test_route_validate_dev(void **state)
{
	static const char *const good[] = {
		"", "eth0", "eth0.100", "br-lan", "wg_0", "eth@1", "abcdefghijklmno",
	};
	static const char *const bad[] = {
		"eth 0", "eth/0", "\teth0", "eth0\n", "a\x7f", "eth#1", "#x", "eth:1", "\xff",
	};
	struct rt_route r = route_with_prefix("2001:db8::/32");

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		memset(r.dev, 0, sizeof(r.dev));
		strcpy(r.dev, good[i]);
		if (rt_route_validate(&r, NULL, 0) != 0)
			fail_msg("device \"%s\" rejected", good[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(r.dev, 0, sizeof(r.dev));
		strcpy(r.dev, bad[i]);
		check_invalid(&r, "invalid device name");
	}
	memset(r.dev, 'e', sizeof(r.dev));
	check_invalid(&r, "invalid device name");
}

static void test_route_preference(void **state)
{
	struct rt_route a = route_with_prefix("10.0.0.0/8"), b = a;

	(void)state;
	assert_int_equal(rt_route_cmp_preference(&a, &b), 0);
	b.metric = 1;
	assert_true(rt_route_cmp_preference(&a, &b) < 0);
	assert_true(rt_route_cmp_preference(&b, &a) > 0);
	/* Metric first, then protocol name. */
	strcpy(a.proto, "zebra");
	assert_true(rt_route_cmp_preference(&a, &b) < 0);
	b.metric = 0;
	strcpy(b.proto, "bgp");
	assert_true(rt_route_cmp_preference(&a, &b) > 0);
	assert_true(rt_route_cmp_preference(&b, &a) < 0);
	b.metric = UINT32_MAX;
	assert_true(rt_route_cmp_preference(&a, &b) < 0);
}

/* Endpoints: every outcome, and what the fields say on each. */
static void test_hostport(void **state)
{
	static const struct {
		const char *text;
		enum rt_hostport_error want;
	} cases[] = {
		{ "127.0.0.1:5300", RT_HOSTPORT_OK },	{ "[::1]:0", RT_HOSTPORT_OK },
		{ "[::1]:65535", RT_HOSTPORT_OK },	{ "10.0.0.1:05300", RT_HOSTPORT_OK },
		{ "[::1", RT_HOSTPORT_NO_BRACKET },	{ "[::1]", RT_HOSTPORT_NO_PORT },
		{ "[::1]5300", RT_HOSTPORT_NO_PORT },	{ "127.0.0.1", RT_HOSTPORT_NO_PORT },
		{ "::1:5300", RT_HOSTPORT_UNBRACKETED }, { ":5300", RT_HOSTPORT_BAD_ADDR },
		{ "[]:5300", RT_HOSTPORT_BAD_ADDR },	{ "[10.0.0.1]:53", RT_HOSTPORT_BAD_ADDR },
		{ "host:53", RT_HOSTPORT_BAD_ADDR },	{ "10.0.0:53", RT_HOSTPORT_BAD_ADDR },
		{ "127.0.0.1:", RT_HOSTPORT_BAD_PORT },	{ "127.0.0.1:65536", RT_HOSTPORT_BAD_PORT },
		{ "127.0.0.1:123456", RT_HOSTPORT_BAD_PORT }, { "127.0.0.1:53x", RT_HOSTPORT_BAD_PORT },
		{ "127.0.0.1:-1", RT_HOSTPORT_BAD_PORT },
	};
	struct rt_hostport hp;
	char text[RT_ADDR_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum rt_hostport_error got = rt_hostport_parse(cases[i].text, &hp);

		if (got != cases[i].want)
			fail_msg("'%s': %d, expected %d", cases[i].text, got, cases[i].want);
	}
	assert_int_equal(rt_hostport_parse("[2001:db8::1]:5300", &hp), RT_HOSTPORT_OK);
	assert_int_equal(hp.family, AF_INET6);
	assert_int_equal(hp.port, 5300);
	assert_string_equal(rt_addr_format(&hp.addr, text, sizeof(text)), "2001:db8::1");
	assert_int_equal(rt_hostport_parse("192.0.2.7:53", &hp), RT_HOSTPORT_OK);
	assert_int_equal(hp.addr.family, AF_INET);
	assert_int_equal(rt_addr_to_v4(&hp.addr), 0xc0000207);
	assert_int_equal(rt_hostport_parse("999.0.0.1:53", &hp), RT_HOSTPORT_BAD_ADDR);
	assert_int_equal(hp.host_len, 9);
	assert_memory_equal(hp.host, "999.0.0.1", 9);
	assert_int_equal(rt_hostport_parse("1.2.3.4:x", &hp), RT_HOSTPORT_BAD_PORT);
	assert_string_equal(hp.port_text, "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_routes),
		cmocka_unit_test(test_host_routes),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_host_bits_set),
		cmocka_unit_test(test_length_out_of_range),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_empty_and_whitespace),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_v4_mapped),
		cmocka_unit_test(test_canonical_format),
		cmocka_unit_test(test_format_longest),
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_make_and_mask),
		cmocka_unit_test(test_cmp_order),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_route_init),
		cmocka_unit_test(test_route_validate_gateway),
		cmocka_unit_test(test_route_validate_proto),
		cmocka_unit_test(test_route_validate_dev),
		cmocka_unit_test(test_route_preference),
		cmocka_unit_test(test_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
