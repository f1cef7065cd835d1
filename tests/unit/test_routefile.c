/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route file format: line parsing, canonical formatting, reading files.
 *
 * The round-trip tests draw routes from a seeded generator; the seed is
 * printed as a TAP comment and ROUTED_TEST_SEED=N repeats a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/routefile.h>
#include "seed.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LINE_MAX_LEN 512

static uint64_t test_seed;

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* splitmix64 */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for n far below 2^64. */
static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

/* Edge values more often than chance would pick them. */
static uint32_t rng_u32(uint64_t *s)
{
	static const uint32_t edges[] = {
		0, 1, 9, 10, 254, 255, 1000000000u, UINT32_MAX - 1, UINT32_MAX,
	};

	switch (rng_below(s, 4)) {
	case 0:
		return edges[rng_below(s, ARRAY_SIZE(edges))];
	case 1:
		return rng_below(s, 1000);
	default:
		return (uint32_t)rng_next(s);
	}
}

static void rng_addr(uint64_t *s, int family, struct rt_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	for (unsigned i = 0; i < rt_family_bits(family) / 8; i++)
		a->bytes[i] = (uint8_t)rng_next(s);
	if (family == AF_INET6 && rng_below(s, 8) == 0) {
		/* IPv4-mapped, printed with a dotted quad. */
		memset(a->bytes, 0, 10);
		a->bytes[10] = a->bytes[11] = 0xff;
	} else if (family == AF_INET6 && rng_below(s, 4) == 0) {
		/* Runs of zeros, printed with "::". */
		unsigned from = 2 * rng_below(s, 8);

		memset(a->bytes + from, 0, 2 * rng_below(s, (16 - from) / 2 + 1));
	}
}

static void rng_name(uint64_t *s, char *out, const char *first, const char *rest)
{
	size_t nf = strlen(first), nr = strlen(rest);
	unsigned len = 1 + rng_below(s, 15);

	out[0] = first[rng_below(s, (uint32_t)nf)];
	for (unsigned i = 1; i < len; i++)
		out[i] = rest[rng_below(s, (uint32_t)nr)];
	out[len] = '\0';
}

static void gen_route(uint64_t *s, struct rt_route *r)
{
	static const char proto_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
	static const char dev_rest[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		"!\"$%&'()*+,-.;<=>?@[\\]^_`{|}~";
	static const char dev_first[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@";
	int family = rng_below(s, 2) ? AF_INET : AF_INET6;
	struct rt_addr a;
	unsigned len;

	rt_route_init(r);
	rng_addr(s, family, &a);
	len = rng_below(s, rt_family_bits(family) + 1);
	rt_addr_mask(&a, len);
	assert_int_equal(rt_prefix_make(&a, len, &r->prefix), 0);
	if (rng_below(s, 2))
		rng_addr(s, family, &r->gateway);
	if (rng_below(s, 2))
		rng_name(s, r->dev, dev_first, dev_rest);
	r->metric = rng_u32(s);
	r->table = rng_below(s, 3) ? RT_TABLE_MAIN : rng_u32(s);
	if (rng_below(s, 2))
		rng_name(s, r->proto, proto_chars, proto_chars);
	if (rng_below(s, 2)) {
		r->has_tag = true;
		r->tag = rng_u32(s);
	}
}

static void assert_route_equal(const struct rt_route *want, const struct rt_route *got,
			       const char *line)
{
	if (got->table != want->table || !rt_prefix_equal(&got->prefix, &want->prefix) ||
	    got->gateway.family != want->gateway.family ||
	    memcmp(got->gateway.bytes, want->gateway.bytes, 16) != 0 ||
	    strcmp(got->dev, want->dev) != 0 || got->metric != want->metric ||
	    strcmp(got->proto, want->proto) != 0 || got->has_tag != want->has_tag ||
	    got->tag != want->tag || got->type != want->type) {
		char a[LINE_MAX_LEN] = "?", b[LINE_MAX_LEN] = "?";

		routefile_format(want, a, sizeof(a));
		routefile_format(got, b, sizeof(b));
		fail_msg("line \"%s\" (seed %" PRIu64 "): want \"%s\", got \"%s\"",
			 line, test_seed, a, b);
	}
}

static struct rt_route parse_ok(const char *line)
{
	char err[RT_ERR_LEN] = "";
	struct rt_route r;
	int rc = routefile_parse_line(line, &r, err, sizeof(err));

	if (rc != 1)
		fail_msg("parse(\"%s\") = %d: %s", line, rc, err);
	return r;
}

static struct rt_route route_of(const char *prefix)
{
	struct rt_route r;

	rt_route_init(&r);
	assert_int_equal(rt_prefix_parse(prefix, &r.prefix, NULL, 0), 0);
	return r;
}

static void test_prefix_only(void **state)
{
	struct rt_route r, want = route_of("10.0.0.0/8");

	(void)state;
	r = parse_ok("10.0.0.0/8");
	assert_route_equal(&want, &r, "10.0.0.0/8");
	assert_int_equal(r.table, 254);
	assert_string_equal(r.proto, "static");
	assert_int_equal(r.metric, 0);
	assert_int_equal(r.gateway.family, 0);
	assert_string_equal(r.dev, "");
	assert_false(r.has_tag);

	want = route_of("2001:db8::1/128");
	r = parse_ok("2001:db8::1");
	assert_route_equal(&want, &r, "2001:db8::1");
	want = route_of("::/0");
	r = parse_ok("::/0");
	assert_route_equal(&want, &r, "::/0");
}

static void test_each_keyword(void **state)
{
	struct rt_route r;

	(void)state;
	r = parse_ok("10.0.0.0/8 via 192.0.2.1");
	assert_int_equal(r.gateway.family, AF_INET);
	assert_int_equal(rt_addr_to_v4(&r.gateway), 0xc0000201u);
	r = parse_ok("2001:db8::/32 via fe80::1");
	assert_int_equal(r.gateway.family, AF_INET6);
	assert_int_equal(r.gateway.bytes[0], 0xfe);
	assert_int_equal(r.gateway.bytes[15], 1);
	r = parse_ok("10.0.0.0/8 dev eth0");
	assert_string_equal(r.dev, "eth0");
	r = parse_ok("10.0.0.0/8 dev abcdefghijklmno");
	assert_string_equal(r.dev, "abcdefghijklmno");
	r = parse_ok("10.0.0.0/8 dev eth0.1@x");
	assert_string_equal(r.dev, "eth0.1@x");
	r = parse_ok("10.0.0.0/8 metric 100");
	assert_int_equal(r.metric, 100);
	r = parse_ok("10.0.0.0/8 metric 0");
	assert_int_equal(r.metric, 0);
	r = parse_ok("10.0.0.0/8 metric 4294967295");
	assert_int_equal(r.metric, UINT32_MAX);
	r = parse_ok("10.0.0.0/8 table 100");
	assert_int_equal(r.table, 100);
	r = parse_ok("10.0.0.0/8 table 0");
	assert_int_equal(r.table, 0);
	r = parse_ok("10.0.0.0/8 table 4294967295");
	assert_int_equal(r.table, UINT32_MAX);
	r = parse_ok("10.0.0.0/8 table main");
	assert_int_equal(r.table, RT_TABLE_MAIN);
	r = parse_ok("10.0.0.0/8 table 254");
	assert_int_equal(r.table, RT_TABLE_MAIN);
	r = parse_ok("10.0.0.0/8 proto bgp");
	assert_string_equal(r.proto, "bgp");
	r = parse_ok("10.0.0.0/8 proto abcdefghijklmno");
	assert_string_equal(r.proto, "abcdefghijklmno");
	r = parse_ok("10.0.0.0/8 proto a_b-9");
	assert_string_equal(r.proto, "a_b-9");
	r = parse_ok("10.0.0.0/8 tag 7");
	assert_true(r.has_tag);
	assert_int_equal(r.tag, 7);
	r = parse_ok("10.0.0.0/8 tag 0");
	assert_true(r.has_tag);
	assert_int_equal(r.tag, 0);
	r = parse_ok("10.0.0.0/8 tag 4294967295");
	assert_true(r.has_tag);
	assert_int_equal(r.tag, UINT32_MAX);
}

/* Step p to the next permutation in lexicographic order; false after the last. */
static bool next_permutation(unsigned *p, unsigned n)
{
	unsigned i = n - 1, j = n - 1, t;

	while (i > 0 && p[i - 1] > p[i])
		i--;
	if (i == 0)
		return false;
	while (p[j] < p[i - 1])
		j--;
	t = p[i - 1];
	p[i - 1] = p[j];
	p[j] = t;
	for (unsigned a = i, b = n - 1; a < b; a++, b--) {
		t = p[a];
		p[a] = p[b];
		p[b] = t;
	}
	return true;
}

/* All 720 orders of the six keywords give the same route. */
static void test_any_order(void **state)
{
	static const char *const pairs[] = {
		"via 2001:db8::ffff", "dev wan0", "metric 20", "table 1000", "proto ospf", "tag 99",
	};
	unsigned perm[6] = { 0, 1, 2, 3, 4, 5 };
	struct rt_route want = route_of("2001:db8::/48"), r;
	char line[LINE_MAX_LEN];
	unsigned count = 0;

	(void)state;
	assert_int_equal(rt_addr_parse("2001:db8::ffff", &want.gateway, NULL, 0), 0);
	strcpy(want.dev, "wan0");
	want.metric = 20;
	want.table = 1000;
	strcpy(want.proto, "ospf");
	want.has_tag = true;
	want.tag = 99;

	for (;;) {
		int len = snprintf(line, sizeof(line), "2001:db8::/48");

		for (unsigned i = 0; i < 6; i++)
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %s",
					pairs[perm[i]]);
		r = parse_ok(line);
		assert_route_equal(&want, &r, line);
		count++;
		if (!next_permutation(perm, 6))
			break;
	}
	assert_int_equal(count, 720);
}

static void test_blank_and_comment_lines(void **state)
{
	static const char *const blank[] = {
		"", " ", "\t", " \t \t ", "\n", "\r\n", " \t\r\n", "#", "# a comment",
		"   # indented comment", "\t#x\r\n", "#10.0.0.0/8 metric 5",
		"# 10.0.0.0/8 metric x",
	};
	struct rt_route r, untouched;
	char err[RT_ERR_LEN];

	(void)state;
	memset(&untouched, 0x5a, sizeof(untouched));
	for (size_t i = 0; i < ARRAY_SIZE(blank); i++) {
		r = untouched;
		strcpy(err, "unchanged");
		if (routefile_parse_line(blank[i], &r, err, sizeof(err)) != 0)
			fail_msg("\"%s\" is not a blank line: %s", blank[i], err);
		assert_memory_equal(&r, &untouched, sizeof(r));
		assert_int_equal(routefile_parse_line(blank[i], &r, NULL, 0), 0);
	}
}

static void test_trailing_comments(void **state)
{
	struct rt_route r;
	char err[RT_ERR_LEN];

	(void)state;
	r = parse_ok("10.0.0.0/8 # comment");
	assert_int_equal(r.metric, 0);
	r = parse_ok("10.0.0.0/8 metric 5 # metric 6");
	assert_int_equal(r.metric, 5);
	r = parse_ok("10.0.0.0/8 metric 5 #metric 6 bogus tokens");
	assert_int_equal(r.metric, 5);
	r = parse_ok("10.0.0.0/8\t#");
	assert_int_equal(r.prefix.len, 8);
	r = parse_ok("10.0.0.0/8 dev eth0 #");
	assert_string_equal(r.dev, "eth0");
	/* A comment cannot stand in for a value. */
	assert_int_equal(routefile_parse_line("10.0.0.0/8 metric # 5", &r, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "\"metric\" needs a value");
}

static void test_separators_and_line_ends(void **state)
{
	struct rt_route r;
	char err[RT_ERR_LEN];

	(void)state;
	r = parse_ok("10.0.0.0/8 metric 5\r\n");
	assert_int_equal(r.metric, 5);
	r = parse_ok("10.0.0.0/8 dev eth0\r\n");
	assert_string_equal(r.dev, "eth0");
	r = parse_ok("10.0.0.0/8 proto bgp\n");
	assert_string_equal(r.proto, "bgp");
	r = parse_ok("10.0.0.0/8 tag 3\r");
	assert_int_equal(r.tag, 3);
	r = parse_ok("10.0.0.0/8\r\n");
	assert_int_equal(r.prefix.len, 8);
	r = parse_ok("\t  10.0.0.0/8\t\tmetric\t7 \t dev  eth1   \r\n");
	assert_int_equal(r.metric, 7);
	assert_string_equal(r.dev, "eth1");
	r = parse_ok("10.0.0.0/8 metric 5 # comment\r\n");
	assert_int_equal(r.metric, 5);

	/* Other control characters are not separators. */
	assert_int_equal(routefile_parse_line("10.0.0.0/8\vmetric 5", &r, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "10.0.0.0/8\vmetric");
	assert_int_equal(routefile_parse_line("10.0.0.0/8 metric 5\r \n", &r, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(routefile_parse_line("10.0.0.0/8 dev eth0\r\r\n", &r, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "invalid device name");
	assert_int_equal(routefile_parse_line("10.0.0.0/8\n\n", &r, err, sizeof(err)), -EINVAL);
}

#define DEV_RULE " (1-15 printable ASCII characters, not '/', ':' or '#')"

struct err_case {
	const char *line;
	const char *msg;
};

static void test_error_messages(void **state)
{
	static const struct err_case cases[] = {
		{ "10.0.0.0/8 metric 12x", "metric \"12x\": not a number" },
		{ "10.0.0.0/8 metric 4294967296", "metric \"4294967296\": out of range" },
		{ "10.0.0.0/8 metric 99999999999999999999",
		  "metric \"99999999999999999999\": out of range" },
		{ "10.0.0.0/8 metric -1", "metric \"-1\": not a number" },
		{ "10.0.0.0/8 metric +1", "metric \"+1\": not a number" },
		{ "10.0.0.0/8 metric 0x10", "metric \"0x10\": not a number" },
		{ "10.0.0.0/8 metric 1e3", "metric \"1e3\": not a number" },
		{ "10.0.0.0/8 metric 012", "metric \"012\": leading zeros are not allowed" },
		{ "10.0.0.0/8 metric 00", "metric \"00\": leading zeros are not allowed" },
		{ "10.0.0.0/8 metric 5#", "metric \"5#\": not a number" },
		{ "10.0.0.0/8 tag x", "tag \"x\": not a number" },
		{ "10.0.0.0/8 tag 4294967296", "tag \"4294967296\": out of range" },
		{ "10.0.0.0/8 tag 01", "tag \"01\": leading zeros are not allowed" },
		{ "10.0.0.0/8 table foo", "table \"foo\": not a number or \"main\"" },
		{ "10.0.0.0/8 table MAIN", "table \"MAIN\": not a number or \"main\"" },
		{ "10.0.0.0/8 table -1", "table \"-1\": not a number or \"main\"" },
		{ "10.0.0.0/8 table 4294967296", "table \"4294967296\": out of range" },
		{ "10.0.0.0/8 table 0254", "table \"0254\": leading zeros are not allowed" },
		{ "10.0.0.0/8 via 2001:db8::1", "gateway 2001:db8::1 is not an IPv4 address" },
		{ "2001:db8::/32 via 10.0.0.1", "gateway 10.0.0.1 is not an IPv6 address" },
		{ "::/0 via 192.0.2.1", "gateway 192.0.2.1 is not an IPv6 address" },
		{ "10.0.0.0/8 via abc", "via: invalid address 'abc': not an IPv4 or IPv6 address" },
		{ "10.0.0.0/8 via 10.0.0.1/32",
		  "via: invalid address '10.0.0.1/32': not an IPv4 or IPv6 address" },
		{ "10.0.0.0/8 via 010.0.0.1", "via: invalid address '010.0.0.1': not an IPv4 or IPv6 address" },
		{ "10.0.0.0/8 foo 1", "unknown keyword \"foo\"" },
		{ "10.0.0.0/8 VIA 10.0.0.1", "unknown keyword \"VIA\"" },
		{ "10.0.0.0/8 metric 1 bogus", "unknown keyword \"bogus\"" },
		{ "10.0.0.0/8 10.1.0.0/16", "unknown keyword \"10.1.0.0/16\"" },
		{ "10.0.0.0/8 via", "\"via\" needs a value" },
		{ "10.0.0.0/8 dev", "\"dev\" needs a value" },
		{ "10.0.0.0/8 metric", "\"metric\" needs a value" },
		{ "10.0.0.0/8 table", "\"table\" needs a value" },
		{ "10.0.0.0/8 proto", "\"proto\" needs a value" },
		{ "10.0.0.0/8 tag", "\"tag\" needs a value" },
		{ "10.0.0.0/8 metric 1 tag\t \r\n", "\"tag\" needs a value" },
		{ "10.0.0.0/8 via 10.0.0.1 via 10.0.0.2", "duplicate keyword \"via\"" },
		{ "10.0.0.0/8 dev a dev a", "duplicate keyword \"dev\"" },
		{ "10.0.0.0/8 metric 1 metric 1", "duplicate keyword \"metric\"" },
		{ "10.0.0.0/8 table 5 proto x table main", "duplicate keyword \"table\"" },
		{ "10.0.0.0/8 proto a proto b", "duplicate keyword \"proto\"" },
		{ "10.0.0.0/8 tag 1 tag 2", "duplicate keyword \"tag\"" },
		{ "10.0.0.0/8 dev abcdefghijklmnop",
		  "dev \"abcdefghijklmnop\": name too long (at most 15 characters)" },
		{ "10.0.0.0/8 proto BGP",
		  "proto \"BGP\": invalid protocol name (1-15 characters of a-z 0-9 _ -)" },
		{ "10.0.0.0/8 proto abcdefghijklmnop",
		  "proto \"abcdefghijklmnop\": invalid protocol name (1-15 characters of a-z 0-9 _ -)" },
		{ "10.0.0.0/8 proto a.b",
		  "proto \"a.b\": invalid protocol name (1-15 characters of a-z 0-9 _ -)" },
		{ "10.0.0.0/8 dev eth/0", "invalid device name \"eth/0\"%s" },
		{ "10.0.0.0/8 dev \xff", "invalid device name \"\\xff\"%s" },
		{ "10.0.0.0/8 dev e\xc3\xa9", "invalid device name \"e\\xc3\\xa9\"%s" },
		{ "10.0.0.0/8 dev eth:1", "invalid device name \"eth:1\"%s" },
		{ "10.0.0.0/8 dev a\x7f", "invalid device name \"a\\x7f\"%s" },
	};
	char err[RT_ERR_LEN];
	struct rt_route r, untouched;

	(void)state;
	memset(&untouched, 0x5a, sizeof(untouched));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		r = untouched;
		strcpy(err, "unchanged");
		int rc = routefile_parse_line(cases[i].line, &r, err, sizeof(err));

		if (rc != -EINVAL)
			fail_msg("\"%s\": rc %d, want -EINVAL", cases[i].line, rc);
		char want[RT_ERR_LEN];

		/* Device name messages end with the rule. */
		snprintf(want, sizeof(want), cases[i].msg, DEV_RULE);
		if (strcmp(err, want) != 0)
			fail_msg("\"%s\": message \"%s\", want \"%s\"", cases[i].line, err, want);
		assert_memory_equal(&r, &untouched, sizeof(r));
		/* No message buffer: same verdict. */
		assert_int_equal(routefile_parse_line(cases[i].line, &r, NULL, 0), -EINVAL);
	}
}

/*
 * Device names every output can hold: JSON (UTF-8) and route files ('#'
 * starts a comment). Whatever rt_route_validate accepts, a route file line
 * written from it parses back to the same name.
 */
static void test_dev_names(void **state)
{
	static const char *const bad[] = {
		"\xff", "#x", "a#", " a", "a b", "a:b", "a/b", "\t", "\x7f", "\xc3\xa9", "x\x01",
	};
	static const char *const good[] = {
		"eth0", "eth0.100", "br-lan", "wg_0", "a", "~!@$%^&*()+=", "[x]{y}<z>|\\'\"?",
		"abcdefghijklmno",
	};
	char err[RT_ERR_LEN], line[LINE_MAX_LEN];
	struct rt_route r, back;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		rt_route_init(&r);
		assert_int_equal(rt_prefix_parse("10.0.0.0/8", &r.prefix, NULL, 0), 0);
		strcpy(r.dev, bad[i]);
		strcpy(err, "unchanged");
		if (rt_route_validate(&r, err, sizeof(err)) != -EINVAL)
			fail_msg("dev \"%s\" accepted", bad[i]);
		assert_contains(err, "invalid device name");
		/* The message itself is printable ASCII. */
		for (const char *c = err; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				fail_msg("dev #%zu: unprintable byte in \"%s\"", i, err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		rt_route_init(&r);
		assert_int_equal(rt_prefix_parse("10.0.0.0/8", &r.prefix, NULL, 0), 0);
		strcpy(r.dev, good[i]);
		if (rt_route_validate(&r, err, sizeof(err)) != 0)
			fail_msg("dev \"%s\" refused: %s", good[i], err);
		assert_true(routefile_format(&r, line, sizeof(line)) > 0);
		if (routefile_parse_line(line, &back, err, sizeof(err)) != 1)
			fail_msg("\"%s\" does not parse back: %s", line, err);
		assert_string_equal(back.dev, good[i]);
	}
}

/*
 * A type word may come first; a rejecting route has no via or dev. Lines of
 * unicast routes are written as before, without the word.
 */
static void test_route_types(void **state)
{
	static const char *const bad[][2] = {
		{ "blackhole 10.0.0.0/8 via 192.0.2.1", "a blackhole route has no via or dev" },
		{ "prohibit 10.0.0.0/8 dev eth0", "a prohibit route has no via or dev" },
		{ "unreachable 10.0.0.0/8 via 192.0.2.1", "an unreachable route has no via or dev" },
		{ "unreachable", "unreachable: a prefix must follow" },
		{ "blackhole # comment", "blackhole: a prefix must follow" },
		{ "blackhole unreachable 10.0.0.0/8", "invalid prefix 'unreachable'" },
		{ "10.0.0.0/8 blackhole", "unknown keyword \"blackhole\"" },
	};
	struct rt_route r, back;
	char line[LINE_MAX_LEN], err[128];

	(void)state;
	r = parse_ok("blackhole 10.0.0.0/8");
	assert_int_equal(r.type, RT_TYPE_BLACKHOLE);
	r = parse_ok("unreachable 2001:db8::/32 table 5 metric 3 proto bgp tag 9");
	assert_int_equal(r.type, RT_TYPE_UNREACHABLE);
	assert_int_equal(r.table, 5);
	assert_int_equal(r.metric, 3);
	assert_string_equal(r.proto, "bgp");
	assert_true(r.has_tag && r.tag == 9);
	r = parse_ok("  prohibit\t10.1.0.0/16");
	assert_int_equal(r.type, RT_TYPE_PROHIBIT);
	r = parse_ok("unicast 10.0.0.0/8 via 192.0.2.1");
	assert_int_equal(r.type, RT_TYPE_UNICAST);
	assert_true(routefile_format(&r, line, sizeof(line)) > 0);
	assert_string_equal(line, "10.0.0.0/8 via 192.0.2.1 metric 0 proto static");

	for (unsigned t = RT_TYPE_BLACKHOLE; t <= RT_TYPE_MAX; t++) {
		char want[LINE_MAX_LEN];

		r = parse_ok("10.0.0.0/8 table 7 tag 1");
		r.type = (uint8_t)t;
		assert_true(routefile_format(&r, line, sizeof(line)) > 0);
		snprintf(want, sizeof(want), "%s 10.0.0.0/8 metric 0 table 7 proto static tag 1",
			 rt_route_type_name(t));
		assert_string_equal(line, want);
		assert_int_equal(routefile_parse_line(line, &back, err, sizeof(err)), 1);
		assert_route_equal(&r, &back, line);
	}
	/* A route that could not be read back is not written. */
	r = parse_ok("10.0.0.0/8 via 192.0.2.1");
	r.type = RT_TYPE_BLACKHOLE;
	assert_int_equal(routefile_format(&r, line, sizeof(line)), -EINVAL);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(routefile_parse_line(bad[i][0], &r, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i][1]))
			fail_msg("\"%s\": message \"%s\", expected \"%s\"", bad[i][0], err,
				 bad[i][1]);
	}
}

/* The prefix is checked by rt_prefix_parse and its message passed on as is. */
static void test_prefix_errors(void **state)
{
	static const char *const bad[] = {
		"10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0/8", "1.2.3.4.5", "abc",
		"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08", "01.2.3.4", "via", "metric",
		"2001:db8::1/32", "10.0.0.0/8#comment",
	};
	char err[RT_ERR_LEN], want[RT_ERR_LEN], line[LINE_MAX_LEN];
	struct rt_prefix p;
	struct rt_route r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(rt_prefix_parse(bad[i], &p, want, sizeof(want)), -EINVAL);
		snprintf(line, sizeof(line), "%s metric 5 # x\r\n", bad[i]);
		assert_int_equal(routefile_parse_line(line, &r, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, want);
		assert_contains(err, bad[i]);
	}
	assert_int_equal(routefile_parse_line("10.0.0.1/8", &r, err, sizeof(err)), -EINVAL);
	assert_contains(err, "host bits set");
}

static void test_short_error_buffer(void **state)
{
	char err[12];
	struct rt_route r;

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(routefile_parse_line("10.0.0.0/8 metric 4294967296", &r, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "metric \"429");
	memset(err, 'x', sizeof(err));
	assert_int_equal(routefile_parse_line("10.0.0.0/8 metric 1", &r, err, 0), 1);
	assert_int_equal(err[0], 'x');
}

static void check_format(const struct rt_route *r, const char *want)
{
	char buf[LINE_MAX_LEN];

	assert_int_equal(routefile_format(r, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_format_canonical(void **state)
{
	struct rt_route r;

	(void)state;
	r = route_of("10.0.0.0/8");
	check_format(&r, "10.0.0.0/8 metric 0 proto static");
	r = route_of("10.1.2.3");
	check_format(&r, "10.1.2.3/32 metric 0 proto static");
	r = route_of("::/0");
	check_format(&r, "::/0 metric 0 proto static");

	r = parse_ok("2001:DB8::/32 tag 7 proto bgp table 100 metric 10 dev eth0 via FE80::1");
	check_format(&r, "2001:db8::/32 via fe80::1 dev eth0 metric 10 table 100 proto bgp tag 7");

	r = parse_ok("10.0.0.0/8 table main metric 3");
	check_format(&r, "10.0.0.0/8 metric 3 proto static");
	r = parse_ok("10.0.0.0/8 table 254");
	check_format(&r, "10.0.0.0/8 metric 0 proto static");
	r = parse_ok("10.0.0.0/8 table 0");
	check_format(&r, "10.0.0.0/8 metric 0 table 0 proto static");
	r = parse_ok("10.0.0.0/8 table 4294967295 tag 0");
	check_format(&r, "10.0.0.0/8 metric 0 table 4294967295 proto static tag 0");
	r = parse_ok("10.0.0.0/8 dev eth0 via 10.0.0.1");
	check_format(&r, "10.0.0.0/8 via 10.0.0.1 dev eth0 metric 0 proto static");
	r = parse_ok("::ffff:10.0.0.0/104 via ::ffff:10.0.0.1");
	check_format(&r, "::ffff:10.0.0.0/104 via ::ffff:10.0.0.1 metric 0 proto static");

	/* A tag value without has_tag is not written. */
	r = route_of("10.0.0.0/8");
	r.tag = 5;
	check_format(&r, "10.0.0.0/8 metric 0 proto static");
}

static void test_format_no_space(void **state)
{
	struct rt_route r = parse_ok("10.0.0.0/8 via 10.0.0.1 tag 1");
	const char *want = "10.0.0.0/8 via 10.0.0.1 metric 0 proto static tag 1";
	size_t n = strlen(want);
	char buf[LINE_MAX_LEN];

	(void)state;
	assert_int_equal(routefile_format(&r, buf, n + 1), (int)n);
	assert_string_equal(buf, want);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(routefile_format(&r, buf, n), -ENOSPC);
	assert_int_equal(buf[n], 'x');	/* stays within buflen */
	assert_int_equal(routefile_format(&r, buf, 1), -ENOSPC);
	assert_int_equal(routefile_format(&r, NULL, 0), -ENOSPC);
}

/* Routes a line cannot express are refused rather than written wrongly. */
static void test_format_unrepresentable(void **state)
{
	struct rt_route r;
	char buf[LINE_MAX_LEN];

	(void)state;
	r = route_of("10.0.0.0/8");
	assert_int_equal(rt_addr_parse("2001:db8::1", &r.gateway, NULL, 0), 0);
	assert_int_equal(routefile_format(&r, buf, sizeof(buf)), -EINVAL);

	r = route_of("10.0.0.0/8");
	r.prefix.addr.bytes[3] = 1;	/* host bits set */
	assert_int_equal(routefile_format(&r, buf, sizeof(buf)), -EINVAL);

	r = route_of("10.0.0.0/8");
	strcpy(r.dev, "#hash");		/* would read back as a comment */
	assert_int_equal(routefile_format(&r, buf, sizeof(buf)), -EINVAL);
	strcpy(r.dev, "h#ash");		/* not a device name routed accepts */
	assert_int_equal(routefile_format(&r, buf, sizeof(buf)), -EINVAL);
	strcpy(r.dev, "h@sh");
	check_format(&r, "10.0.0.0/8 dev h@sh metric 0 proto static");

	r = route_of("10.0.0.0/8");
	strcpy(r.proto, "Bad");
	assert_int_equal(routefile_format(&r, buf, sizeof(buf)), -EINVAL);

	rt_route_init(&r);
	assert_int_equal(routefile_format(&r, buf, sizeof(buf)), -EINVAL);
}

/* Reassemble a formatted line with its keywords shuffled and odd spacing. */
static void scramble_line(uint64_t *s, const char *line, bool add_main, char *out, size_t outlen)
{
	static const char *const seps[] = { " ", "\t", "  ", " \t ", "\t\t" };
	char copy[LINE_MAX_LEN];
	char *tok[16], *save = NULL;
	unsigned ntok = 0, npairs;
	unsigned order[8];
	size_t len = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		assert_true(ntok < ARRAY_SIZE(tok));
		tok[ntok++] = t;
	}
	assert_int_equal(ntok % 2, 1);
	npairs = ntok / 2;
	for (unsigned i = 0; i < npairs; i++)
		order[i] = i;
	for (unsigned i = npairs; i > 1; i--) {
		unsigned j = rng_below(s, i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}

#define EMIT(...) (len += (size_t)snprintf(out + len, outlen - len, __VA_ARGS__))
	EMIT("%s", rng_below(s, 4) ? "" : seps[rng_below(s, ARRAY_SIZE(seps))]);
	EMIT("%s", tok[0]);
	for (unsigned i = 0; i < npairs; i++) {
		const char *kw = tok[1 + 2 * order[i]], *val = tok[2 + 2 * order[i]];

		/* Default values may be left out. */
		if ((strcmp(kw, "metric") == 0 && strcmp(val, "0") == 0) ||
		    (strcmp(kw, "proto") == 0 && strcmp(val, "static") == 0)) {
			if (rng_below(s, 2))
				continue;
		}
		EMIT("%s%s", seps[rng_below(s, ARRAY_SIZE(seps))], kw);
		EMIT("%s%s", seps[rng_below(s, ARRAY_SIZE(seps))], val);
	}
	if (add_main && rng_below(s, 4) == 0)
		EMIT(" table main");
	switch (rng_below(s, 5)) {
	case 0:
		EMIT(" # metric 99 tag x");
		break;
	case 1:
		EMIT("\t");
		break;
	default:
		break;
	}
	EMIT("%s", rng_below(s, 3) == 0 ? "\r\n" : rng_below(s, 2) ? "\n" : "");
#undef EMIT
	assert_true(len < outlen);
}

static void test_round_trip(void **state)
{
	uint64_t s = test_seed;
	char line[LINE_MAX_LEN], again[LINE_MAX_LEN], scrambled[LINE_MAX_LEN * 2];
	char err[RT_ERR_LEN];
	struct rt_route r, back;
	int n;

	(void)state;
	for (unsigned iter = 0; iter < 20000; iter++) {
		gen_route(&s, &r);
		n = routefile_format(&r, line, sizeof(line));
		if (n < 0)
			fail_msg("format failed: %d (seed %" PRIu64 ", iteration %u)",
				 n, test_seed, iter);
		assert_int_equal((size_t)n, strlen(line));
		if (routefile_parse_line(line, &back, err, sizeof(err)) != 1)
			fail_msg("\"%s\": %s (seed %" PRIu64 ")", line, err, test_seed);
		assert_route_equal(&r, &back, line);
		assert_int_equal(routefile_format(&back, again, sizeof(again)), n);
		assert_string_equal(again, line);

		/* "table main" may be spelt out when the table is main. */
		scramble_line(&s, line, r.table == RT_TABLE_MAIN, scrambled, sizeof(scrambled));
		if (routefile_parse_line(scrambled, &back, err, sizeof(err)) != 1)
			fail_msg("\"%s\": %s (seed %" PRIu64 ")", scrambled, err, test_seed);
		assert_route_equal(&r, &back, scrambled);
	}
}

/* routefile_read() */

struct collected {
	struct rt_route routes[64];
	unsigned n;
	unsigned stop_at;	/* 1-based route number to stop at; 0 = never */
	int stop_rc;
};

static int collect_cb(const struct rt_route *r, void *arg)
{
	struct collected *c = arg;

	assert_true(c->n < ARRAY_SIZE(c->routes));
	c->routes[c->n++] = *r;
	return c->n == c->stop_at ? c->stop_rc : 0;
}

static FILE *memfile(const char *text, size_t len)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	rewind(f);
	return f;
}

static void test_read_good(void **state)
{
	static const char text[] =
		"# routes\n"
		"\n"
		"10.0.0.0/8 via 10.0.0.1 metric 5\r\n"
		"  \t\n"
		"2001:db8::/32 dev eth0 # v6\n"
		"\r\n"
		"192.168.0.0/16 proto kernel";	/* no newline at the end */
	struct collected c = { 0 };
	char err[RT_ERR_LEN] = "";
	struct rt_route want;
	FILE *f;

	(void)state;
	f = fmemopen((void *)(uintptr_t)text, sizeof(text) - 1, "r");
	assert_non_null(f);
	assert_int_equal(routefile_read(f, "mem", collect_cb, &c, err, sizeof(err)), 0);
	fclose(f);
	assert_string_equal(err, "");
	assert_int_equal(c.n, 3);
	want = parse_ok("10.0.0.0/8 via 10.0.0.1 metric 5");
	assert_route_equal(&want, &c.routes[0], "line 3");
	want = parse_ok("2001:db8::/32 dev eth0");
	assert_route_equal(&want, &c.routes[1], "line 5");
	want = parse_ok("192.168.0.0/16 proto kernel");
	assert_route_equal(&want, &c.routes[2], "line 7");

	/* Empty input. */
	f = memfile("", 0);
	c.n = 0;
	assert_int_equal(routefile_read(f, "empty", collect_cb, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	fclose(f);
}

static void test_read_long_lines(void **state)
{
	size_t pad = 100000;
	char *text = malloc(2 * pad + 100);
	struct collected c = { 0 };
	char err[RT_ERR_LEN] = "";
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(text);
	text[len++] = '#';
	memset(text + len, 'c', pad);
	len += pad;
	text[len++] = '\n';
	memset(text + len, ' ', pad);
	len += pad;
	len += (size_t)sprintf(text + len, "10.0.0.0/8 metric 9\n10.0.0.0/8 tag x\n");
	f = memfile(text, len);
	assert_int_equal(routefile_read(f, "long", collect_cb, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "long:3: tag \"x\": not a number");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.routes[0].metric, 9);
	fclose(f);
	free(text);
}

/* A bad line after k-1 good, blank or comment lines is reported as line k. */
static void test_read_error_line_numbers(void **state)
{
	static const char *const filler[] = {
		"10.0.0.0/8\n", "\n", "# comment\n", "  \t \r\n", "2001:db8::/32 metric 1\r\n",
		"10.1.0.0/16 # c\n",
	};
	char text[8192], err[RT_ERR_LEN], want[RT_ERR_LEN];
	struct collected c;

	(void)state;
	for (unsigned k = 1; k <= 60; k++) {
		size_t len = 0;
		unsigned good = 0;
		FILE *f;

		for (unsigned i = 1; i < k; i++) {
			const char *l = filler[(i * 7 + k) % ARRAY_SIZE(filler)];

			len += (size_t)snprintf(text + len, sizeof(text) - len, "%s", l);
			good += l[0] == '1' || l[0] == '2';
		}
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"10.2.0.0/16 metric 1 metric 2\n10.3.0.0/16\n");
		memset(&c, 0, sizeof(c));
		f = memfile(text, len);
		assert_int_equal(routefile_read(f, "routes.conf", collect_cb, &c, err, sizeof(err)),
				 -EINVAL);
		fclose(f);
		snprintf(want, sizeof(want), "routes.conf:%u: duplicate keyword \"metric\"", k);
		assert_string_equal(err, want);
		/* Routes before the error were delivered, none after it. */
		assert_int_equal(c.n, good);
	}
}

static void test_read_error_kinds(void **state)
{
	static const struct err_case cases[] = {
		{ "10.0.0.1/8\n", "f:1: invalid prefix '10.0.0.1/8': host bits set (did you mean 10.0.0.0/8?)" },
		{ "\n10.0.0.0/8 via ::1\n", "f:2: gateway ::1 is not an IPv4 address" },
		{ "#\r\n#\r\n10.0.0.0/8 bogus 1\r\n", "f:3: unknown keyword \"bogus\"" },
		{ "10.0.0.0/8\n10.0.0.0/8 metric\n", "f:2: \"metric\" needs a value" },
		{ "10.0.0.0/8 metric 4294967296\n", "f:1: metric \"4294967296\": out of range" },
	};
	char err[RT_ERR_LEN];
	struct collected c;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		FILE *f = memfile(cases[i].line, strlen(cases[i].line));

		memset(&c, 0, sizeof(c));
		assert_int_equal(routefile_read(f, "f", collect_cb, &c, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].msg);
		fclose(f);
	}
}

static void test_read_nul_byte(void **state)
{
	static const char text[] = "10.0.0.0/8\n10.1.0.0/16\0 garbage\n10.2.0.0/16\n";
	struct collected c = { 0 };
	char err[RT_ERR_LEN];
	FILE *f;

	(void)state;
	f = memfile(text, sizeof(text) - 1);
	assert_int_equal(routefile_read(f, "nul", collect_cb, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "nul:2: NUL byte in line");
	assert_int_equal(c.n, 1);
	fclose(f);
}

static void test_read_callback_stops(void **state)
{
	static const char text[] = "10.0.0.0/8\n\n10.1.0.0/16\n10.2.0.0/16\n10.3.0.0/16\n";
	struct collected c = { 0 };
	char err[RT_ERR_LEN], want[RT_ERR_LEN];
	FILE *f;

	(void)state;
	/* A positive value stops the read and is returned as is. */
	f = memfile(text, sizeof(text) - 1);
	c.stop_at = 2;
	c.stop_rc = 7;
	strcpy(err, "");
	assert_int_equal(routefile_read(f, "cb", collect_cb, &c, err, sizeof(err)), 7);
	assert_int_equal(c.n, 2);
	fclose(f);

	/* A negative one too, with the line it failed on. */
	f = memfile(text, sizeof(text) - 1);
	memset(&c, 0, sizeof(c));
	c.stop_at = 3;
	c.stop_rc = -EEXIST;
	assert_int_equal(routefile_read(f, "cb", collect_cb, &c, err, sizeof(err)), -EEXIST);
	assert_int_equal(c.n, 3);
	snprintf(want, sizeof(want), "cb:4: %s", strerror(EEXIST));
	assert_string_equal(err, want);
	fclose(f);
}

static void test_read_io_error(void **state)
{
	struct collected c = { 0 };
	char err[RT_ERR_LEN] = "";
	FILE *f;

	(void)state;
	/* Reading a directory fails with EISDIR. */
	f = fopen("/", "r");
	assert_non_null(f);
	assert_int_equal(routefile_read(f, "/", collect_cb, &c, err, sizeof(err)), -EISDIR);
	assert_contains(err, "/: ");
	assert_contains(err, strerror(EISDIR));
	assert_int_equal(c.n, 0);
	fclose(f);
}

static void test_read_no_name(void **state)
{
	struct collected c = { 0 };
	char err[RT_ERR_LEN] = "";
	FILE *f = memfile("x\n", 2);

	(void)state;
	assert_int_equal(routefile_read(f, NULL, collect_cb, &c, err, sizeof(err)), -EINVAL);
	assert_contains(err, ":1: ");
	assert_contains(err, "'x'");
	fclose(f);
	f = memfile("x\n", 2);
	assert_int_equal(routefile_read(f, "n", collect_cb, &c, NULL, 0), -EINVAL);
	fclose(f);
}

/* routefile_load() */

static void temp_path(char *path, size_t len, int *fd)
{
	const char *dir = getenv("TMPDIR");

	snprintf(path, len, "%s/test_routefile.XXXXXX", dir && *dir ? dir : "/tmp");
	*fd = mkstemp(path);
	assert_true(*fd >= 0);
}

static void write_temp(char *path, size_t len, const char *text)
{
	int fd;
	size_t n = strlen(text);

	temp_path(path, len, &fd);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
}

static void test_load(void **state)
{
	uint64_t s = test_seed ^ 0x5eed;
	enum { N = 1000 };
	struct rt_route *want = calloc(N, sizeof(*want)), *got = NULL;
	char path[512], line[LINE_MAX_LEN], err[RT_ERR_LEN] = "";
	size_t n = 12345;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(want);
	temp_path(path, sizeof(path), &fd);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "# generated, seed %" PRIu64 "\n\n", test_seed);
	for (unsigned i = 0; i < N; i++) {
		gen_route(&s, &want[i]);
		assert_true(routefile_format(&want[i], line, sizeof(line)) > 0);
		fprintf(f, "%s%s", line, i % 3 ? "\n" : " # comment\r\n");
	}
	assert_int_equal(fclose(f), 0);

	assert_int_equal(routefile_load(path, &got, &n, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(n, N);
	assert_non_null(got);
	for (unsigned i = 0; i < N; i++)
		assert_route_equal(&want[i], &got[i], "loaded route");
	free(got);
	free(want);
	unlink(path);
}

static void test_load_empty(void **state)
{
	struct rt_route *got = (struct rt_route *)&got;
	char path[512], err[RT_ERR_LEN] = "";
	size_t n = 99;

	(void)state;
	write_temp(path, sizeof(path), "# nothing\n\n");
	assert_int_equal(routefile_load(path, &got, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_null(got);
	unlink(path);
}

static void test_load_errors(void **state)
{
	struct rt_route *got = NULL;
	char path[512], err[RT_ERR_LEN] = "", want[RT_ERR_LEN + 600];
	size_t n = 99;

	(void)state;
	write_temp(path, sizeof(path), "10.0.0.0/8\n10.1.0.0/16\n\n10.2.0.0/16 via 2001:db8::1\n");
	assert_int_equal(routefile_load(path, &got, &n, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:4: gateway 2001:db8::1 is not an IPv4 address", path);
	assert_string_equal(err, want);
	assert_null(got);
	assert_int_equal(n, 0);
	unlink(path);

	/* The file is gone now. */
	n = 99;
	assert_int_equal(routefile_load(path, &got, &n, err, sizeof(err)), -ENOENT);
	assert_contains(err, path);
	assert_contains(err, strerror(ENOENT));
	assert_null(got);
	assert_int_equal(n, 0);

	assert_int_equal(routefile_load("/", &got, &n, err, sizeof(err)), -EISDIR);
	assert_contains(err, strerror(EISDIR));
	assert_null(got);
}

static void test_load_stdin(void **state)
{
	struct rt_route *got = NULL;
	char path[512], err[RT_ERR_LEN] = "";
	size_t n = 0;

	(void)state;
	write_temp(path, sizeof(path), "10.0.0.0/8 metric 1\n# c\n2001:db8::/32 tag 2\n");
	assert_non_null(freopen(path, "r", stdin));
	assert_int_equal(routefile_load("-", &got, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].metric, 1);
	assert_true(got[1].has_tag);
	assert_int_equal(got[1].tag, 2);
	free(got);
	unlink(path);

	write_temp(path, sizeof(path), "\n10.0.0.0/8 metric x\n");
	assert_non_null(freopen(path, "r", stdin));
	assert_int_equal(routefile_load("-", &got, &n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "<stdin>:2: metric \"x\": not a number");
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_only),
		cmocka_unit_test(test_each_keyword),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_blank_and_comment_lines),
		cmocka_unit_test(test_trailing_comments),
		cmocka_unit_test(test_separators_and_line_ends),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_prefix_errors),
		cmocka_unit_test(test_short_error_buffer),
		cmocka_unit_test(test_format_canonical),
		cmocka_unit_test(test_format_no_space),
		cmocka_unit_test(test_format_unrepresentable),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_read_good),
		cmocka_unit_test(test_read_long_lines),
		cmocka_unit_test(test_read_error_line_numbers),
		cmocka_unit_test(test_read_error_kinds),
		cmocka_unit_test(test_read_nul_byte),
		cmocka_unit_test(test_read_callback_stops),
		cmocka_unit_test(test_read_io_error),
		cmocka_unit_test(test_read_no_name),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_dev_names),
		cmocka_unit_test(test_load_empty),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_stdin),
		cmocka_unit_test(test_route_types),
	};

	test_seed = seed_from_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
