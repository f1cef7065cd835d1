/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ExaBGP JSON line parser (lib/exabgp_json.c): every line ExaBGP
 * wrote in a real session with BIRD (tests/data/exabgp), the values taken
 * from them, the families and attributes left out or used, and malformed
 * lines refused with their reason.
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

#include <routed/exabgp.h>

#define NB "\"neighbor\": { \"address\": { \"local\": \"10.201.0.1\", \"peer\": \"10.201.0.2\" }, " \
	   "\"asn\": { \"local\": 65000, \"peer\": 65001 }, \"direction\": \"receive\", "
#define UPDATE(body) "{ \"exabgp\": \"4.0.1\", \"type\": \"update\", " NB \
	"\"message\": { \"update\": { " body " } } } }"

static enum exabgp_error parse(const char *line, struct exabgp_msg *m)
{
	char err[256];
	enum exabgp_error rc = exabgp_parse(line, strlen(line), m, err, sizeof(err));

	if (rc)
		assert_true(err[0] != '\0');
	return rc;
}

static void prefix_is(const struct rt_prefix *p, const char *want)
{
	char buf[RT_PREFIX_STRLEN];

	assert_string_equal(rt_prefix_format(p, buf, sizeof(buf)), want);
}

static void addr_is(const struct rt_addr *a, const char *want)
{
	char buf[RT_ADDR_STRLEN];

	assert_string_equal(rt_addr_format(a, buf, sizeof(buf)), want);
}

/* Every captured line parses; the kinds add up to what the session did. */
static void test_captured_session(void **state)
{
	FILE *f = fopen(EXABGP_DATA_DIR "/bird-session.jsonl", "r");
	size_t counts[EXABGP_SHUTDOWN + 1] = { 0 }, announced = 0, withdrawn = 0, downs = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	(void)state;
	assert_non_null(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct exabgp_msg m;

		if (line[len - 1] == '\n')
			len--;
		assert_int_equal(exabgp_parse(line, (size_t)len, &m, NULL, 0), EXABGP_OK);
		counts[m.type]++;
		announced += m.n_announce;
		withdrawn += m.n_withdraw;
		if (m.type == EXABGP_STATE && m.state == EXABGP_STATE_DOWN)
			downs++;
		if (m.type != EXABGP_SHUTDOWN)
			addr_is(&m.peer, "10.201.0.2");
		exabgp_msg_release(&m);
	}
	free(line);
	fclose(f);
	assert_int_equal(counts[EXABGP_UPDATE], 7);
	assert_int_equal(counts[EXABGP_EOR], 4);
	assert_int_equal(counts[EXABGP_SHUTDOWN], 1);
	assert_int_equal(counts[EXABGP_STATE], 10);
	assert_int_equal(announced, 6);
	assert_int_equal(withdrawn, 1);
	assert_int_equal(downs, 4);
}

/* A route refresh ExaBGP asked BIRD for: BoRR, the routes again, EoRR, per family. */
static void test_captured_refresh(void **state)
{
	FILE *f = fopen(EXABGP_DATA_DIR "/bird-refresh.jsonl", "r");
	char *line = NULL, order[32] = "";
	size_t cap = 0, n = 0;
	ssize_t len;

	(void)state;
	assert_non_null(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct exabgp_msg m;

		if (line[len - 1] == '\n')
			len--;
		if (len == 4 && !memcmp(line, "done", 4))
			continue;	/* ExaBGP's acks of the refresh commands: the helper's, not JSON */
		assert_int_equal(exabgp_parse(line, (size_t)len, &m, NULL, 0), EXABGP_OK);
		if (m.type == EXABGP_REFRESH && n < sizeof(order) - 2) {
			order[n++] = m.refresh == EXABGP_REFRESH_BEGIN ? 'B' : m.refresh == EXABGP_REFRESH_END ? 'E' : '?';
			order[n++] = m.family == AF_INET ? '4' : m.family == AF_INET6 ? '6' : '?';
			order[n] = '\0';
		}
		exabgp_msg_release(&m);
	}
	free(line);
	fclose(f);
	assert_string_equal(order, "B4E4B6E6");
}

static void test_announce_ipv4(void **state)
{
	struct exabgp_msg m;

	(void)state;
	assert_int_equal(parse(UPDATE("\"attribute\": { \"origin\": \"igp\", \"as-path\": [ 65001, 64701 ], "
				      "\"confederation-path\": [], \"med\": 50, \"local-preference\": 200, "
				      "\"community\": [ [ 65001, 100 ] ] }, \"announce\": { \"ipv4 unicast\": "
				      "{ \"10.201.3.3\": [ { \"nlri\": \"100.64.0.0/24\" }, "
				      "{ \"nlri\": \"100.64.9.0/24\" } ], \"10.201.4.4\": [ { \"nlri\": \"100.64.1.0/24\" } ] } }"),
			       &m),
			 EXABGP_OK);
	assert_int_equal(m.type, EXABGP_UPDATE);
	assert_int_equal(m.peer_as, 65001);
	addr_is(&m.local, "10.201.0.1");
	assert_int_equal(m.n_announce, 3);
	assert_int_equal(m.n_withdraw, 0);
	prefix_is(&m.announce[0].prefix, "100.64.0.0/24");
	addr_is(&m.announce[0].nexthop, "10.201.3.3");
	prefix_is(&m.announce[1].prefix, "100.64.9.0/24");
	addr_is(&m.announce[1].nexthop, "10.201.3.3");
	prefix_is(&m.announce[2].prefix, "100.64.1.0/24");
	addr_is(&m.announce[2].nexthop, "10.201.4.4");
	assert_true(m.attrs.has_origin_as);
	assert_int_equal(m.attrs.origin_as, 64701);
	assert_int_equal(m.attrs.path_len, 2);
	assert_true(m.attrs.has_med);
	assert_int_equal(m.attrs.med, 50);
	assert_true(m.attrs.has_local_pref);
	assert_int_equal(m.attrs.local_pref, 200);
	exabgp_msg_release(&m);
}

/* An AS_SET at the end: its lowest AS is the origin, and it counts as one. */
static void test_as_set_and_empty_path(void **state)
{
	struct exabgp_msg m;

	(void)state;
	assert_int_equal(parse(UPDATE("\"attribute\": { \"as-path\": [ 65001 ], \"as-set\": [ 4200000009, 64999, 65100 ] }, "
				      "\"announce\": { \"ipv6 unicast\": { \"2001:db8::1\": [ { \"nlri\": \"2001:db8:1::/48\" } ] } }"),
			       &m),
			 EXABGP_OK);
	assert_int_equal(m.attrs.origin_as, 64999);
	assert_int_equal(m.attrs.path_len, 2);
	assert_false(m.attrs.has_med);
	prefix_is(&m.announce[0].prefix, "2001:db8:1::/48");
	addr_is(&m.announce[0].nexthop, "2001:db8::1");
	exabgp_msg_release(&m);
	/* iBGP routes of the neighbor's own AS: no AS at all, no origin. */
	assert_int_equal(parse(UPDATE("\"attribute\": { \"as-path\": [] }, \"announce\": { \"ipv4 unicast\": "
				      "{ \"192.0.2.1\": [ { \"nlri\": \"10.0.0.0/8\" } ] } }"), &m),
			 EXABGP_OK);
	assert_false(m.attrs.has_origin_as);
	assert_int_equal(m.attrs.path_len, 0);
	exabgp_msg_release(&m);
}

static void test_withdraw_and_other_families(void **state)
{
	struct exabgp_msg m;

	(void)state;
	assert_int_equal(parse(UPDATE("\"withdraw\": { \"ipv4 unicast\": [ { \"nlri\": \"100.64.1.0/24\" } ], "
				      "\"ipv6 unicast\": [ { \"nlri\": \"2001:db8::/32\" } ], "
				      "\"ipv4 flow\": [ { \"destination-ipv4\": [ \"10.0.0.0/8\" ] } ] }"), &m),
			 EXABGP_OK);
	assert_int_equal(m.n_withdraw, 2);
	assert_int_equal(m.other_family, 1);
	prefix_is(&m.withdraw[0].prefix, "100.64.1.0/24");
	assert_int_equal(m.withdraw[0].nexthop.family, 0);
	prefix_is(&m.withdraw[1].prefix, "2001:db8::/32");
	exabgp_msg_release(&m);
	assert_int_equal(parse(UPDATE("\"announce\": { \"ipv4 multicast\": { \"192.0.2.1\": "
				      "[ { \"nlri\": \"224.0.0.0/4\" } ] } }"), &m), EXABGP_OK);
	assert_int_equal(m.n_announce, 0);
	assert_int_equal(m.other_family, 1);
	exabgp_msg_release(&m);
}

static void test_eor_state_refresh_shutdown(void **state)
{
	struct exabgp_msg m;

	(void)state;
	assert_int_equal(parse("{ \"type\": \"update\", " NB "\"message\": { \"eor\": { \"afi\" : \"ipv6\", "
			       "\"safi\" : \"unicast\" } } } }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_EOR);
	assert_int_equal(m.family, AF_INET6);
	exabgp_msg_release(&m);
	assert_int_equal(parse("{ \"type\": \"update\", " NB "\"message\": { \"eor\": { \"afi\" : \"ipv4\", "
			       "\"safi\" : \"flow\" } } } }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_EOR);
	assert_int_equal(m.family, 0);
	exabgp_msg_release(&m);
	assert_int_equal(parse("{ \"type\": \"state\", \"neighbor\": { \"address\": { \"local\": \"::1\", "
			       "\"peer\": \"::2\" }, \"asn\": { \"local\": 1, \"peer\": 2 }, \"state\": \"down\", "
			       "\"reason\": \"peer reset\" } }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_STATE);
	assert_int_equal(m.state, EXABGP_STATE_DOWN);
	addr_is(&m.peer, "::2");
	exabgp_msg_release(&m);
	assert_int_equal(parse("{ \"type\": \"refresh\", " NB "\"route-refresh\": { \"afi\": \"ipv4\", "
			       "\"safi\": \"unicast\", \"subtype\": \"end\" } } }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_REFRESH);
	assert_int_equal(m.refresh, EXABGP_REFRESH_END);
	assert_int_equal(m.family, AF_INET);
	exabgp_msg_release(&m);
	/* What ExaBGP 4.2 really writes for a refresh: its values quoted twice. */
	assert_int_equal(parse("{ \"exabgp\": \"4.0.1\", \"type\": \"refresh\", " NB "\"route-refresh\": "
			       "{ \"afi\": \"\"ipv6\"\", \"safi\": \"\"unicast\"\", \"subtype\": \"\"begin\"\" } } }",
			       &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_REFRESH);
	assert_int_equal(m.refresh, EXABGP_REFRESH_BEGIN);
	assert_int_equal(m.family, AF_INET6);
	exabgp_msg_release(&m);
	/* Only refresh lines are mended. */
	assert_int_equal(parse("{ \"type\": \"state\", \"neighbor\": { \"address\": { \"peer\": \"\"10.0.0.1\"\" }, "
			       "\"state\": \"up\" } }", &m), EXABGP_ERR_JSON);
	exabgp_msg_release(&m);
	assert_int_equal(parse("{ \"type\": \"notification\", \"notification\": \"shutdown\" }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_SHUTDOWN);
	exabgp_msg_release(&m);
	/* Types routed-exabgp has no use for, and what ExaBGP itself sent. */
	assert_int_equal(parse("{ \"type\": \"fsm\", \"neighbor\": {} }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_OTHER);
	exabgp_msg_release(&m);
	assert_int_equal(parse("{ \"type\": \"update\", \"neighbor\": { \"address\": { \"peer\": \"10.0.0.1\" }, "
			       "\"direction\": \"send\", \"message\": {} } }", &m), EXABGP_OK);
	assert_int_equal(m.type, EXABGP_OTHER);
	exabgp_msg_release(&m);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *line;
		enum exabgp_error want;
	} cases[] = {
		{ "", EXABGP_ERR_JSON },
		{ "not json", EXABGP_ERR_JSON },
		{ "[1, 2]", EXABGP_ERR_JSON },
		{ "{\"type\": \"update\"", EXABGP_ERR_JSON },
		{ "{\"a\": 1, \"a\": 2}", EXABGP_ERR_JSON },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  EXABGP_ERR_JSON },
		{ "{}", EXABGP_ERR_MESSAGE },
		{ "{\"type\": 7}", EXABGP_ERR_MESSAGE },
		{ "{\"type\": \"update\"}", EXABGP_ERR_MESSAGE },
		{ "{\"type\": \"state\", \"neighbor\": {\"address\": {\"peer\": \"10.0.0.1\"}}}", EXABGP_ERR_MESSAGE },
		{ "{\"type\": \"state\", \"neighbor\": {\"state\": \"up\"}}", EXABGP_ERR_NEIGHBOR },
		{ "{\"type\": \"state\", \"neighbor\": {\"address\": {\"peer\": \"10.0.0.300\"}, \"state\": \"up\"}}",
		  EXABGP_ERR_NEIGHBOR },
		{ "{\"type\": \"update\", " NB "\"message\": {}}}", EXABGP_ERR_MESSAGE },
		{ "{\"type\": \"update\", " NB "\"message\": {\"eor\": {\"afi\": 4}}}}", EXABGP_ERR_MESSAGE },
		{ UPDATE("\"announce\": []"), EXABGP_ERR_MESSAGE },
		{ UPDATE("\"announce\": { \"ipv4 unicast\": [] }"), EXABGP_ERR_MESSAGE },
		{ UPDATE("\"announce\": { \"ipv4 unicast\": { \"10.0.0.1\": {} } }"), EXABGP_ERR_MESSAGE },
		{ UPDATE("\"announce\": { \"ipv4 unicast\": { \"10.0.0.1\": [ {} ] } }"), EXABGP_ERR_MESSAGE },
		{ UPDATE("\"announce\": { \"ipv4 unicast\": { \"10.0.0.1\": [ { \"nlri\": \"10.0.0.1/8\" } ] } }"),
		  EXABGP_ERR_PREFIX },
		{ UPDATE("\"announce\": { \"ipv4 unicast\": { \"10.0.0.1\": [ { \"nlri\": \"2001:db8::/32\" } ] } }"),
		  EXABGP_ERR_PREFIX },
		{ UPDATE("\"announce\": { \"ipv4 unicast\": { \"nonsense\": [ { \"nlri\": \"10.0.0.0/8\" } ] } }"),
		  EXABGP_ERR_NEXTHOP },
		{ UPDATE("\"announce\": { \"ipv6 unicast\": { \"10.0.0.1\": [ { \"nlri\": \"2001:db8::/32\" } ] } }"),
		  EXABGP_ERR_NEXTHOP },
		{ UPDATE("\"withdraw\": { \"ipv6 unicast\": [ { \"nlri\": \"10.0.0.0/8\" } ] }"), EXABGP_ERR_PREFIX },
		{ UPDATE("\"withdraw\": { \"ipv6 unicast\": {} }"), EXABGP_ERR_MESSAGE },
		{ UPDATE("\"attribute\": { \"as-path\": [ -1 ] }"), EXABGP_ERR_ATTRIBUTE },
		{ UPDATE("\"attribute\": { \"as-path\": [ 4294967296 ] }"), EXABGP_ERR_ATTRIBUTE },
		{ UPDATE("\"attribute\": { \"as-path\": 5 }"), EXABGP_ERR_ATTRIBUTE },
		{ UPDATE("\"attribute\": { \"as-set\": [ \"x\" ] }"), EXABGP_ERR_ATTRIBUTE },
		{ UPDATE("\"attribute\": { \"med\": \"50\" }"), EXABGP_ERR_ATTRIBUTE },
		{ UPDATE("\"attribute\": { \"local-preference\": 1.5 }"), EXABGP_ERR_ATTRIBUTE },
		{ UPDATE("\"attribute\": []"), EXABGP_ERR_MESSAGE },
		{ "{\"type\": \"refresh\", " NB "\"route-refresh\": {\"afi\": \"ipv4\", \"safi\": \"unicast\"}}}",
		  EXABGP_ERR_MESSAGE },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exabgp_msg m;
		enum exabgp_error rc = parse(cases[i].line, &m);

		if (rc != cases[i].want)
			fail_msg("line %zu '%s': %s, want %s", i, cases[i].line, exabgp_error_name(rc),
				 exabgp_error_name(cases[i].want));
		/* Nothing to use after an error. */
		assert_null(m.announce);
		assert_null(m.withdraw);
		assert_int_equal(m.n_announce + m.n_withdraw, 0);
		exabgp_msg_release(&m);
	}
	assert_string_equal(exabgp_error_name(EXABGP_ERR_PREFIX), "bad-prefix");
	assert_string_equal(exabgp_error_name(EXABGP_ERR_JSON), "not-json");
}

/* The length counts, not a NUL: a line cut inside a prefix is refused. */
static void test_length_not_nul(void **state)
{
	const char *line = UPDATE("\"announce\": { \"ipv4 unicast\": { \"10.0.0.1\": [ { \"nlri\": \"10.0.0.0/8\" } ] } }");
	struct exabgp_msg m;

	(void)state;
	assert_int_equal(exabgp_parse(line, strlen(line), &m, NULL, 0), EXABGP_OK);
	exabgp_msg_release(&m);
	assert_int_equal(exabgp_parse(line, strlen(line) - 3, &m, NULL, 0), EXABGP_ERR_JSON);
	exabgp_msg_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured_session),
		cmocka_unit_test(test_captured_refresh),
		cmocka_unit_test(test_announce_ipv4),
		cmocka_unit_test(test_as_set_and_empty_path),
		cmocka_unit_test(test_withdraw_and_other_families),
		cmocka_unit_test(test_eor_state_refresh_shutdown),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_length_not_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
