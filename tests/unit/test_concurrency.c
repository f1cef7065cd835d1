/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Readers against a churning writer.
 *
 * The table holds stable prefixes, never touched, and churned prefixes that
 * the writer keeps adding, deleting and replacing (covers of stable
 * prefixes, more-specifics inside them, defaults, unrelated space), also in
 * batches, protocol flushes and whole-table replacements. Every route's tag
 * names its prefix (index << 12 | version) and its next hop, device,
 * protocol and metric are functions of the tag, so a reader can check that
 * an answer is internally consistent; a quarter of the churned versions are
 * multipath routes of two next hops, also functions of the tag, so a
 * reader checks the group and the member the address's hash chose. For every probe address the set of
 * acceptable answers is computed up front: the longest stable prefix that
 * holds it, or any churned prefix longer than that which holds it, and "no
 * route" only where no stable prefix does. Freed memory is poisoned, so a
 * reader that follows a reclaimed pointer sees garbage and fails.
 *
 * The same runs with IPv4 leaf tables built, so that the /19../24
 * updates store into published tables in place or replace them.
 *
 * A second test swaps two complete versions of a table with
 * rt_table_replace_all() under readers whose batches must each see one
 * version only.
 *
 * ROUTED_STRESS_SECONDS sets the total duration (default 20, shared by the
 * lookup paths: each runs every test); ROUTED_TEST_SEED
 * the seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>

#include <routed/lookup_wire.h>
#include <routed/nhgroup.h>
#include <routed/prefix.h>
#include <routed/route.h>
#include <routed/table.h>

#include "lookup_paths.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NREADERS 2
#define MAX_PREFIXES 1024
#define MAX_PROBES 8192
#define MAX_ALLOWED 16
#define TAG_SHIFT 12
#define VERSION_MASK 0x7ffu
#define TAG_BGP 0x800u		/* version bit: the second, better route */
#define STATIC_METRIC 10
#define BGP_METRIC 5

static unsigned long long seed;
static double duration = 20.0;

/* ---------------------------------------------------------------------- */
/* Random numbers */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t wr_rng;

static unsigned below(unsigned n)
{
	return (unsigned)(splitmix(&wr_rng) % n);
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------- */
/* The prefixes and what every route of them looks like */

struct pfx {
	struct rt_prefix p;
	bool stable;
	/* Writer state (churned only). */
	bool has_static, has_bgp;
	uint32_t version;
};

static struct pfx prefixes[MAX_PREFIXES];
static unsigned nprefixes;

struct probe {
	struct rt_addr a;
	uint16_t allowed[MAX_ALLOWED];	/* prefix indices */
	uint8_t nallowed;
	bool none_ok;
	int stable;			/* the stable answer's index, or -1 */
};

static struct probe probes[MAX_PROBES];
static unsigned nprobes;

static void add_prefix(const char *text, bool stable)
{
	char err[RT_ERR_LEN];
	struct pfx *x = &prefixes[nprefixes];

	assert_true(nprefixes < MAX_PREFIXES);
	if (rt_prefix_parse(text, &x->p, err, sizeof(err)))
		fail_msg("%s", err);
	for (unsigned i = 0; i < nprefixes; i++)
		if (rt_prefix_equal(&prefixes[i].p, &x->p))
			fail_msg("prefix %s twice", text);
	x->stable = stable;
	nprefixes++;
}

static void gateway_of(int family, uint32_t tag, struct rt_addr *gw)
{
	memset(gw, 0, sizeof(*gw));
	gw->family = (uint8_t)family;
	if (family == AF_INET) {
		gw->bytes[0] = 100;
		gw->bytes[1] = (uint8_t)(tag >> 16);
		gw->bytes[2] = (uint8_t)(tag >> 8);
		gw->bytes[3] = (uint8_t)tag;
	} else {
		gw->bytes[0] = 0xfe;
		gw->bytes[1] = 0x80;
		gw->bytes[12] = (uint8_t)(tag >> 24);
		gw->bytes[13] = (uint8_t)(tag >> 16);
		gw->bytes[14] = (uint8_t)(tag >> 8);
		gw->bytes[15] = (uint8_t)tag;
	}
}

static void dev_of(uint32_t tag, char *dev)
{
	snprintf(dev, RT_DEV_LEN, "v%u", (tag ^ tag >> TAG_SHIFT) & 7);
}

/* Whether the route of tag is multipath: a quarter of the churned versions. */
static bool tag_multipath(uint32_t tag)
{
	return (tag & 3) == 1;
}

/*
 * The next hops of a multipath tag, in canonical order: the tag's single
 * next hop, then one whose gateway differs in an early byte.
 */
static void hops_of(int family, uint32_t tag, struct rt_nexthop *h)
{
	memset(h, 0, 2 * sizeof(*h));
	gateway_of(family, tag, &h[0].gateway);
	dev_of(tag, h[0].dev);
	h[0].weight = (uint16_t)(1 + tag % 5);
	h[1].gateway = h[0].gateway;
	h[1].gateway.bytes[family == AF_INET ? 0 : 2]++;
	h[1].weight = 2;
}

/* The member of the tag's next hops the address's hash picks. */
static unsigned pick_of(const struct rt_nexthop *h, const struct rt_addr *a)
{
	return rt_nhgroup_slot(rt_nhgroup_hash(a), h[0].weight + h[1].weight) < h[0].weight ? 0 : 1;
}

static void make_route(unsigned idx, uint32_t version, struct rt_route *r)
{
	uint32_t tag = (uint32_t)idx << TAG_SHIFT | version;

	rt_route_init(r);
	r->prefix = prefixes[idx].p;
	gateway_of(r->prefix.addr.family, tag, &r->gateway);
	dev_of(tag, r->dev);
	r->has_tag = true;
	r->tag = tag;
	if (version & TAG_BGP) {
		snprintf(r->proto, sizeof(r->proto), "bgp");
		r->metric = BGP_METRIC;
	} else {
		r->metric = STATIC_METRIC;
	}
	if (tag_multipath(tag)) {
		struct rt_nexthop h[2];

		hops_of(r->prefix.addr.family, tag, h);
		assert_int_equal(rt_route_set_nexthops(r, h, 2, NULL, 0), 0);
	}
}

static void setup_prefixes(void)
{
	char buf[64];

	nprefixes = 0;
	/* Stable. */
	for (unsigned s = 0; s < 16; s++) {
		snprintf(buf, sizeof(buf), "10.%u.0.0/16", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "10.%u.0.0/24", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "10.%u.64.0/24", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "10.%u.200.0/24", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "172.16.%u.1/32", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "2001:db8:%x::/48", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "2001:db8:%x::/64", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "2001:db8:%x:40::/64", s);
		add_prefix(buf, true);
		snprintf(buf, sizeof(buf), "2001:db8:%x::1/128", s);
		add_prefix(buf, true);
	}
	/* Churned: defaults and covers of stable prefixes. */
	add_prefix("0.0.0.0/0", false);
	add_prefix("10.0.0.0/8", false);
	add_prefix("10.0.0.0/12", false);
	add_prefix("::/0", false);
	add_prefix("2001:db8::/32", false);
	add_prefix("2001:db8::/44", false);
	for (unsigned s = 0; s < 16; s++) {
		/* Between a stable /16 and a stable /24. */
		snprintf(buf, sizeof(buf), "10.%u.64.0/18", s);
		add_prefix(buf, false);
		/* More-specifics inside stable prefixes. */
		snprintf(buf, sizeof(buf), "10.%u.0.128/25", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "10.%u.0.77/32", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "10.%u.200.16/28", s);
		add_prefix(buf, false);
		/* Beside a stable /24 in one /18: its leaf table, or its node. */
		snprintf(buf, sizeof(buf), "10.%u.208.0/20", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "10.%u.204.0/22", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "10.%u.128.0/17", s);
		add_prefix(buf, false);
		/* Next to stable space, under the churned defaults only. */
		snprintf(buf, sizeof(buf), "192.168.%u.0/24", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "172.16.%u.0/30", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "2001:db8:%x::/56", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "2001:db8:%x:0:8000::/65", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "2001:db8:%x::2/128", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "2001:db8:%x:ff00::/56", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "2001:db8:%x:40:1234::/80", s);
		add_prefix(buf, false);
		snprintf(buf, sizeof(buf), "fd00:%x::/32", s);
		add_prefix(buf, false);
	}
}

/* ---------------------------------------------------------------------- */
/* Probes and their acceptable answers */

static bool contains(const struct rt_prefix *p, const struct rt_addr *a)
{
	if (p->addr.family != a->family)
		return false;
	for (unsigned i = 0; i < p->len; i++) {
		unsigned m = 0x80u >> (i % 8);

		if ((p->addr.bytes[i / 8] & m) != (a->bytes[i / 8] & m))
			return false;
	}
	return true;
}

static void add_probe(const struct rt_addr *a)
{
	struct probe *pr;
	int best = -1;

	if (nprobes == MAX_PROBES)
		return;
	pr = &probes[nprobes++];
	memset(pr, 0, sizeof(*pr));
	pr->a = *a;
	for (unsigned i = 0; i < nprefixes; i++)
		if (prefixes[i].stable && contains(&prefixes[i].p, a) &&
		    (best < 0 || prefixes[i].p.len > prefixes[best].p.len))
			best = (int)i;
	pr->stable = best;
	pr->none_ok = best < 0;
	if (best >= 0)
		pr->allowed[pr->nallowed++] = (uint16_t)best;
	for (unsigned i = 0; i < nprefixes; i++) {
		if (prefixes[i].stable || !contains(&prefixes[i].p, a))
			continue;
		if (best >= 0 && prefixes[i].p.len <= prefixes[best].p.len)
			continue;
		assert_true(pr->nallowed < MAX_ALLOWED);
		pr->allowed[pr->nallowed++] = (uint16_t)i;
	}
}

/* The address at offset `step` of `steps` through p (0: first, steps: last). */
static void point_in(const struct rt_prefix *p, unsigned step, unsigned steps, uint64_t noise,
		     struct rt_addr *a)
{
	unsigned bits = rt_family_bits(p->addr.family);

	*a = p->addr;
	for (unsigned i = p->len; i < bits; i++) {
		unsigned bit;

		if (step == 0)
			bit = 0;
		else if (step == steps)
			bit = 1;
		else
			bit = (unsigned)(splitmix(&noise) & 1);
		if (bit)
			a->bytes[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
}

/* a + delta (delta is +1 or -1), wrapping within the family. */
static void addr_step(struct rt_addr *a, int delta)
{
	unsigned n = a->family == AF_INET ? 4 : 16;

	for (unsigned i = n; i-- > 0;) {
		a->bytes[i] = (uint8_t)(a->bytes[i] + delta);
		if ((delta > 0 && a->bytes[i] != 0) || (delta < 0 && a->bytes[i] != 0xff))
			break;
	}
}

static void setup_probes(void)
{
	uint64_t noise = seed ^ 0x5eed;

	nprobes = 0;
	for (unsigned i = 0; i < nprefixes; i++) {
		const struct rt_prefix *p = &prefixes[i].p;
		struct rt_addr a;

		point_in(p, 0, 4, 0, &a);
		add_probe(&a);
		addr_step(&a, -1);
		add_probe(&a);
		point_in(p, 4, 4, 0, &a);
		add_probe(&a);
		addr_step(&a, 1);
		add_probe(&a);
		for (unsigned k = 1; k < 4; k++) {
			point_in(p, k, 4, splitmix(&noise), &a);
			add_probe(&a);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Readers */

/*
 * Before stopping the readers, give each a chance to have done some work
 * even on a loaded machine with a very short run: wait (up to 10 s) until
 * every counter is non-zero.
 */
static void wait_for_lookups(uint64_t *const *counters, unsigned n)
{
	double give_up = now() + 10.0;

	for (unsigned i = 0; i < n; i++)
		while (!CMM_LOAD_SHARED(*counters[i]) && now() < give_up)
			usleep(1000);
}

struct reader {
	pthread_t thread;
	unsigned index;
	uint64_t lookups;
	uint64_t errors;
	char first_error[256];
};

static int stop_readers;

static void reader_fail(struct reader *rd, const struct probe *pr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reader_fail(struct reader *rd, const struct probe *pr, const char *fmt, ...)
{
	char msg[160], ab[RT_ADDR_STRLEN];
	va_list ap;

	if (rd->errors++)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(rd->first_error, sizeof(rd->first_error), "reader %u, lookup %s: %s",
		 rd->index, rt_addr_format(&pr->a, ab, sizeof(ab)), msg);
}

static void check_answer(struct reader *rd, const struct probe *pr,
			 const struct rt_lookup_result *res)
{
	const struct rt_route *r = &res->route;
	struct rt_addr gw;
	char dev[RT_DEV_LEN], pb[RT_PREFIX_STRLEN];
	unsigned idx;
	bool ok = false;

	if (!res->found) {
		if (!pr->none_ok)
			reader_fail(rd, pr, "no route, but a stable prefix holds it");
		return;
	}
	idx = r->tag >> TAG_SHIFT;
	if (!r->has_tag || idx >= nprefixes) {
		reader_fail(rd, pr, "garbage tag %u (has_tag %d)", r->tag, r->has_tag);
		return;
	}
	for (unsigned i = 0; i < pr->nallowed; i++)
		ok |= pr->allowed[i] == idx;
	if (!ok) {
		reader_fail(rd, pr, "answer %s (tag %u) is not acceptable",
			    rt_prefix_format(&r->prefix, pb, sizeof(pb)), r->tag);
		return;
	}
	if (!rt_prefix_equal(&r->prefix, &prefixes[idx].p)) {
		reader_fail(rd, pr, "prefix %s does not match tag %u",
			    rt_prefix_format(&r->prefix, pb, sizeof(pb)), r->tag);
		return;
	}
	if (prefixes[idx].stable && (r->tag & ((1u << TAG_SHIFT) - 1)) != 0) {
		reader_fail(rd, pr, "stable prefix with tag %u", r->tag);
		return;
	}
	gateway_of(r->prefix.addr.family, r->tag, &gw);
	dev_of(r->tag, dev);
	if (tag_multipath(r->tag)) {
		struct rt_nexthop h[2];

		hops_of(r->prefix.addr.family, r->tag, h);
		if (!r->nexthops || r->nexthops->count != 2 || r->gateway.family ||
		    rt_nhgroup_hop_cmp(&r->nexthops->hop[0], &h[0]) ||
		    rt_nhgroup_hop_cmp(&r->nexthops->hop[1], &h[1]) ||
		    r->nexthops->hop[0].weight != h[0].weight ||
		    r->nexthops->hop[1].weight != h[1].weight) {
			reader_fail(rd, pr, "next hops do not match tag %u", r->tag);
			return;
		}
		if (res->chosen != pick_of(h, &pr->a)) {
			reader_fail(rd, pr, "chosen next hop %u, the hash says %u (tag %u)",
				    res->chosen, pick_of(h, &pr->a), r->tag);
			return;
		}
	} else if (r->nexthops || r->gateway.family != gw.family ||
		   memcmp(r->gateway.bytes, gw.bytes, 16) != 0 || strcmp(r->dev, dev) != 0) {
		reader_fail(rd, pr, "next hop does not match tag %u", r->tag);
		return;
	}
	if (r->tag & TAG_BGP ? strcmp(r->proto, "bgp") != 0 || r->metric != BGP_METRIC :
			       strcmp(r->proto, "static") != 0 || r->metric != STATIC_METRIC) {
		reader_fail(rd, pr, "protocol %.16s metric %u do not match tag %u", r->proto,
			    r->metric, r->tag);
		return;
	}
	if (r->table != RT_TABLE_MAIN)
		reader_fail(rd, pr, "table %u", r->table);
}

/* The answer path (what the UDP service sends): the same checks on what it carries. */
static void check_short_answer(struct reader *rd, const struct probe *pr, const struct rt_answer *a)
{
	struct rt_addr gw;
	unsigned idx;
	bool ok = false;

	if (!a->found) {
		if (!pr->none_ok)
			reader_fail(rd, pr, "no route in the answer, but a stable prefix holds it");
		return;
	}
	idx = a->tag >> TAG_SHIFT;
	if (!a->has_tag || idx >= nprefixes) {
		reader_fail(rd, pr, "answer: garbage tag %u (has_tag %d)", a->tag, a->has_tag);
		return;
	}
	for (unsigned i = 0; i < pr->nallowed; i++)
		ok |= pr->allowed[i] == idx;
	if (!ok || a->len != prefixes[idx].p.len) {
		reader_fail(rd, pr, "answer /%u (tag %u) is not acceptable", a->len, a->tag);
		return;
	}
	gateway_of(pr->a.family, a->tag, &gw);
	if (tag_multipath(a->tag)) {
		struct rt_nexthop h[2];

		hops_of(pr->a.family, a->tag, h);
		gw = h[pick_of(h, &pr->a)].gateway;
	}
	if (a->multipath != tag_multipath(a->tag))
		reader_fail(rd, pr, "answer: multipath %d for tag %u", a->multipath, a->tag);
	if (a->has_gateway != (gw.family != 0) ||
	    memcmp(a->gateway, gw.bytes, pr->a.family == AF_INET ? 4 : 16) != 0)
		reader_fail(rd, pr, "answer: gateway does not match tag %u", a->tag);
}

static void read_answers(struct reader *rd, struct rt_table *t, uint64_t *rng, unsigned n)
{
	uint32_t v4[32], ids[32];
	uint8_t v6[32][16];
	const struct probe *p4[32], *p6[32];
	struct rt_answer ans[32];
	unsigned m4 = 0, m6 = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct probe *pr = &probes[splitmix(rng) % nprobes];

		if (pr->a.family == AF_INET) {
			p4[m4] = pr;
			v4[m4++] = rt_addr_to_v4(&pr->a);
		} else {
			p6[m6] = pr;
			memcpy(v6[m6++], pr->a.bytes, 16);
		}
	}
	rt_table_answer4(t, v4, m4, ids, ans);
	for (unsigned i = 0; i < m4; i++)
		check_short_answer(rd, p4[i], &ans[i]);
	rt_table_answer6(t, (const uint8_t(*)[16])v6, m6, ids, ans);
	for (unsigned i = 0; i < m6; i++)
		check_short_answer(rd, p6[i], &ans[i]);
	CMM_STORE_SHARED(rd->lookups, rd->lookups + n);
}

/*
 * The raw id paths, both families, in batches of up to 64 (the vector
 * walk takes batches of 32 or more): a stable answer always has an id.
 */
static void read_ids(struct reader *rd, struct rt_table *t, uint64_t *rng)
{
	uint32_t v4[64], ids[64];
	uint8_t v6[64][16];
	const struct probe *p4[64], *p6[64];
	unsigned want = 1 + (unsigned)(splitmix(rng) % 64), m4 = 0, m6 = 0;

	for (unsigned tries = 0; (m4 < want || m6 < want) && tries < 8 * want; tries++) {
		const struct probe *pr = &probes[splitmix(rng) % nprobes];

		if (pr->a.family == AF_INET && m4 < want) {
			p4[m4] = pr;
			v4[m4++] = rt_addr_to_v4(&pr->a);
		} else if (pr->a.family == AF_INET6 && m6 < want) {
			p6[m6] = pr;
			memcpy(v6[m6++], pr->a.bytes, 16);
		}
	}
	rt_table_lookup_ids4(t, v4, m4, ids);
	for (unsigned i = 0; i < m4; i++)
		if (ids[i] == RT_NO_ROUTE && !p4[i]->none_ok)
			reader_fail(rd, p4[i], "no id, but a stable prefix holds it");
	rt_table_lookup_ids6(t, (const uint8_t(*)[16])v6, m6, ids);
	for (unsigned i = 0; i < m6; i++)
		if (ids[i] == RT_NO_ROUTE && !p6[i]->none_ok)
			reader_fail(rd, p6[i], "no id, but a stable prefix holds it");
	CMM_STORE_SHARED(rd->lookups, rd->lookups + m4 + m6);
}

/* An answer read back from a datagram, as the answer path's struct. */
static void from_wire(const struct rt_wire_answer *w, struct rt_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->found = w->found;
	a->len = w->len;
	a->has_gateway = w->has_gateway;
	a->has_tag = w->has_tag;
	a->tag = w->tag;
	a->reject = w->reject;
	a->multipath = w->multipath;
	memcpy(a->gateway, w->gateway.bytes, sizeof(a->gateway));
}

/* The in-place answers (what the UDP service sends), one datagram per family. */
static void read_wire_answers(struct reader *rd, struct rt_table *t, uint64_t *rng, unsigned n)
{
	uint8_t d4[RT_WIRE_MAX_PAYLOAD], d6[RT_WIRE_MAX_PAYLOAD];
	uint32_t v4[32];
	uint8_t v6[RT_WIRE_MAX_COUNT6][16];
	const struct probe *p4[32], *p6[32];
	struct rt_wire_header h4, h6;
	struct rt_wire_answer wa;
	struct rt_answer a;
	unsigned m4 = 0, m6 = 0;

	for (unsigned i = 0; i < n; i++) {
		const struct probe *pr = &probes[splitmix(rng) % nprobes];

		if (pr->a.family == AF_INET) {
			p4[m4] = pr;
			v4[m4++] = rt_addr_to_v4(&pr->a);
		} else if (m6 < RT_WIRE_MAX_COUNT6) {
			p6[m6] = pr;
			memcpy(v6[m6++], pr->a.bytes, 16);
		}
	}
	if (m4) {
		rt_wire_encode_request4(d4, sizeof(d4), 1, 0, v4, m4);
		assert_int_equal(rt_wire_parse_request(d4, RT_WIRE_HEADER_LEN + m4 * RT_WIRE_SLOT4_LEN,
						       &h4), RT_WIRE_OK);
		rt_table_answer_wire4(t, d4 + RT_WIRE_HEADER_LEN, m4);
		for (unsigned i = 0; i < m4; i++) {
			rt_wire_get_answer(d4, &h4, i, &wa);
			from_wire(&wa, &a);
			check_short_answer(rd, p4[i], &a);
		}
	}
	if (m6) {
		rt_wire_encode_request6(d6, sizeof(d6), 2, 0, (const uint8_t(*)[16])v6, m6);
		assert_int_equal(rt_wire_parse_request(d6, RT_WIRE_HEADER_LEN + m6 * RT_WIRE_SLOT6_LEN,
						       &h6), RT_WIRE_OK);
		rt_table_answer_wire6(t, d6 + RT_WIRE_HEADER_LEN, m6);
		for (unsigned i = 0; i < m6; i++) {
			rt_wire_get_answer(d6, &h6, i, &wa);
			from_wire(&wa, &a);
			check_short_answer(rd, p6[i], &a);
		}
	}
	CMM_STORE_SHARED(rd->lookups, rd->lookups + m4 + m6);
}

struct reader_args {
	struct reader *rd;
	struct rt_table *t;
};

static void *reader_main(void *arg)
{
	struct reader_args *ra = arg;
	struct reader *rd = ra->rd;
	struct rt_table *t = ra->t;
	uint64_t rng = seed * 31 + rd->index + 1;
	struct rt_addr batch[32];
	struct rt_lookup_result res[32];
	const struct probe *which[32];

	rt_reader_register();
	while (!uatomic_read(&stop_readers)) {
		unsigned mode = (unsigned)(splitmix(&rng) % 8);
		unsigned n = mode < 4 ? 1 : 1 + (unsigned)(splitmix(&rng) % 32);

		if (mode == 6) {
			if (splitmix(&rng) & 1)
				read_answers(rd, t, &rng, n);
			else
				read_wire_answers(rd, t, &rng, n);
			continue;
		}
		if (mode == 7) {
			read_ids(rd, t, &rng);
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			which[i] = &probes[splitmix(&rng) % nprobes];
			batch[i] = which[i]->a;
		}
		rt_table_lookup(t, batch, n, res);
		for (unsigned i = 0; i < n; i++)
			check_answer(rd, which[i], &res[i]);
		CMM_STORE_SHARED(rd->lookups, rd->lookups + n);
	}
	rt_reader_unregister();
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The writer */

struct writer_stats {
	uint64_t ops, adds, deletes, replaces, batches, replace_alls, flushes, quiesces;
};

static void expect_rc(int rc, int want, const char *what, unsigned idx)
{
	char pb[RT_PREFIX_STRLEN];

	if (rc != want)
		fail_msg("writer: %s %s: %d, expected %d", what,
			 rt_prefix_format(&prefixes[idx].p, pb, sizeof(pb)), rc, want);
}

static unsigned random_churned(void)
{
	for (;;) {
		unsigned i = below(nprefixes);

		if (!prefixes[i].stable)
			return i;
	}
}

static uint32_t next_version(struct pfx *x)
{
	x->version = (x->version + 1) & VERSION_MASK & ~TAG_BGP;
	return x->version;
}

static void delete_route(struct rt_table *t, unsigned idx, bool bgp)
{
	struct rt_route_key k;

	memset(&k, 0, sizeof(k));
	k.prefix = prefixes[idx].p;
	snprintf(k.proto, sizeof(k.proto), "%s", bgp ? "bgp" : "static");
	expect_rc(rt_table_delete(t, &k), 0, "delete", idx);
}

static void writer_single(struct rt_table *t, struct writer_stats *ws)
{
	unsigned idx = random_churned();
	struct pfx *x = &prefixes[idx];
	struct rt_route r;

	if (!x->has_static && !x->has_bgp) {
		make_route(idx, next_version(x), &r);
		expect_rc(rt_table_add(t, &r), 0, "add", idx);
		x->has_static = true;
		ws->adds++;
		return;
	}
	switch (below(5)) {
	case 0:
	case 1:
		/* Gone completely. */
		if (x->has_bgp)
			delete_route(t, idx, true);
		if (x->has_static)
			delete_route(t, idx, false);
		x->has_bgp = x->has_static = false;
		ws->deletes++;
		break;
	case 2:
	case 3:
		/* A new version of the static route, in place or added. */
		make_route(idx, next_version(x), &r);
		expect_rc(rt_table_replace(t, &r), 0, "replace", idx);
		x->has_static = true;
		ws->replaces++;
		break;
	default:
		/* The better bgp route comes or goes. */
		if (x->has_bgp) {
			delete_route(t, idx, true);
			x->has_bgp = false;
		} else {
			make_route(idx, next_version(x) | TAG_BGP, &r);
			expect_rc(rt_table_add(t, &r), 0, "add bgp", idx);
			x->has_bgp = true;
		}
		ws->adds++;
		break;
	}
}

/* A batch of changes; sometimes one that fails at the end, so all of it is undone. */
static void writer_batch(struct rt_table *t, struct writer_stats *ws)
{
	struct rt_change ch[12];
	bool used[MAX_PREFIXES] = { false };
	struct pfx saved[12];
	unsigned idxs[12], n = 2 + below(10);
	bool fail = chance(30);
	size_t failed = 999;
	int rc;

	memset(ch, 0, sizeof(ch));
	for (unsigned i = 0; i < n; i++) {
		unsigned idx;
		struct pfx *x;

		do
			idx = random_churned();
		while (used[idx]);
		used[idx] = true;
		idxs[i] = idx;
		x = &prefixes[idx];
		saved[i] = *x;
		if (x->has_static && chance(50)) {
			ch[i].op = RT_CHANGE_DELETE;
			make_route(idx, x->version, &ch[i].route);
			x->has_static = false;
		} else {
			ch[i].op = x->has_static ? RT_CHANGE_REPLACE : RT_CHANGE_ADD;
			make_route(idx, next_version(x), &ch[i].route);
			x->has_static = true;
		}
	}
	if (fail) {
		/* Adding a stable route again: -EEXIST after everything else. */
		ch[n].op = RT_CHANGE_ADD;
		make_route(0, 0, &ch[n].route);
		rc = rt_table_apply(t, ch, n + 1, &failed);
		if (rc != -EEXIST || failed != n)
			fail_msg("writer: failing batch: %d at %zu, expected %d at %u", rc, failed,
				 -EEXIST, n);
		for (unsigned i = 0; i < n; i++) {
			uint32_t v = prefixes[idxs[i]].version;

			prefixes[idxs[i]] = saved[i];
			prefixes[idxs[i]].version = v;	/* versions stay unique */
		}
	} else {
		rc = rt_table_apply(t, ch, n, &failed);
		if (rc)
			fail_msg("writer: batch: %d at %zu", rc, failed);
	}
	ws->batches++;
}

static void writer_replace_all(struct rt_table *t, struct writer_stats *ws)
{
	struct rt_route *routes = calloc(2 * MAX_PREFIXES, sizeof(*routes));
	size_t n = 0, failed = 999;
	int rc;

	assert_non_null(routes);
	for (unsigned i = 0; i < nprefixes; i++) {
		struct pfx *x = &prefixes[i];

		if (x->stable) {
			make_route(i, 0, &routes[n++]);
			continue;
		}
		x->has_static = chance(50);
		x->has_bgp = chance(20);
		if (x->has_static)
			make_route(i, next_version(x), &routes[n++]);
		if (x->has_bgp)
			make_route(i, next_version(x) | TAG_BGP, &routes[n++]);
	}
	/* Shuffle: replace_all must not depend on the order. */
	for (size_t i = n; i > 1; i--) {
		size_t j = below((unsigned)i);
		struct rt_route tmp = routes[i - 1];

		routes[i - 1] = routes[j];
		routes[j] = tmp;
	}
	rc = rt_table_replace_all(t, routes, n, &failed);
	if (rc)
		fail_msg("writer: replace_all: %d at %zu", rc, failed);
	free(routes);
	ws->replace_alls++;
}

static void writer_flush_bgp(struct rt_table *t, struct writer_stats *ws)
{
	long want = 0, got;

	for (unsigned i = 0; i < nprefixes; i++) {
		want += prefixes[i].has_bgp;
		prefixes[i].has_bgp = false;
	}
	got = rt_table_flush(t, "bgp");
	if (got != want)
		fail_msg("writer: flush bgp: %ld, expected %ld", got, want);
	ws->flushes++;
}

static void load_stable(struct rt_table *t)
{
	for (unsigned i = 0; i < nprefixes; i++) {
		struct rt_route r;

		prefixes[i].has_static = prefixes[i].stable;
		prefixes[i].has_bgp = false;
		prefixes[i].version = 0;
		if (!prefixes[i].stable)
			continue;
		make_route(i, 0, &r);
		expect_rc(rt_table_add(t, &r), 0, "add stable", i);
	}
}

struct final_walk {
	unsigned seen[MAX_PREFIXES];
	unsigned errors;
};

static int final_cb(const struct rt_route *r, void *arg)
{
	struct final_walk *fw = arg;
	unsigned idx = r->tag >> TAG_SHIFT;

	if (idx >= nprefixes || !rt_prefix_equal(&r->prefix, &prefixes[idx].p))
		fw->errors++;
	else
		fw->seen[idx] |= r->tag & TAG_BGP ? 2 : 1;
	return 0;
}

/* After the run, the table holds exactly what the writer thinks it holds. */
static void check_final(struct rt_table *t)
{
	struct final_walk *fw = calloc(1, sizeof(*fw));
	char pb[RT_PREFIX_STRLEN];

	assert_non_null(fw);
	assert_int_equal(rt_table_walk(t, 0, NULL, final_cb, fw), 0);
	assert_int_equal(fw->errors, 0);
	for (unsigned i = 0; i < nprefixes; i++) {
		unsigned want = (prefixes[i].has_static ? 1u : 0u) |
				(prefixes[i].has_bgp ? 2u : 0u);

		if (fw->seen[i] != want)
			fail_msg("final: %s has routes %u, expected %u",
				 rt_prefix_format(&prefixes[i].p, pb, sizeof(pb)), fw->seen[i],
				 want);
	}
	free(fw);
}

/*
 * share: of the run's duration. tables: with IPv4 leaf tables (lib/fib.h),
 * whose /19../24 updates store into published tables in place.
 */
static void readers_vs_writer(double share, bool tables)
{
	struct rt_table *t;
	struct reader rd[NREADERS];
	struct reader_args ra[NREADERS];
	struct writer_stats ws = { 0 };
	uint64_t lookups = 0, errors = 0, *counters[NREADERS];
	double start, end, last_quiesce;

	/* Read as the trie is created (lib/fib.c, leaf_tables_wanted()). */
	assert_int_equal(setenv("ROUTED_FIB_LEAF_TABLES", tables ? "1" : "0", 1), 0);
	t = rt_table_create(RT_TABLE_MAIN);
	assert_int_equal(unsetenv("ROUTED_FIB_LEAF_TABLES"), 0);
	assert_non_null(t);
	rt_set_poison_on_free(true);
	wr_rng = seed;
	setup_prefixes();
	setup_probes();
	load_stable(t);
	uatomic_set(&stop_readers, 0);
	memset(rd, 0, sizeof(rd));
	for (unsigned i = 0; i < NREADERS; i++) {
		rd[i].index = i;
		ra[i].rd = &rd[i];
		ra[i].t = t;
		assert_int_equal(pthread_create(&rd[i].thread, NULL, reader_main, &ra[i]), 0);
	}
	start = now();
	end = start + duration * share;
	last_quiesce = start;
	do {
		for (unsigned k = 0; k < 64; k++) {
			unsigned kind = below(1000);

			if (kind < 900)
				writer_single(t, &ws);
			else if (kind < 990)
				writer_batch(t, &ws);
			else if (kind < 995)
				writer_flush_bgp(t, &ws);
			else if (kind < 997)
				writer_replace_all(t, &ws);
			else
				rt_table_reclaim_flush(t);
			ws.ops++;
		}
		if (now() - last_quiesce > 1.0) {
			/* Ids get recycled while the readers keep going. */
			rt_table_quiesce(t);
			ws.quiesces++;
			last_quiesce = now();
		}
	} while (now() < end);
	for (unsigned i = 0; i < NREADERS; i++)
		counters[i] = &rd[i].lookups;
	wait_for_lookups(counters, NREADERS);
	uatomic_set(&stop_readers, 1);
	for (unsigned i = 0; i < NREADERS; i++) {
		assert_int_equal(pthread_join(rd[i].thread, NULL), 0);
		lookups += rd[i].lookups;
		errors += rd[i].errors;
		if (rd[i].errors)
			print_message("# %s (%llu errors)\n", rd[i].first_error,
				      (unsigned long long)rd[i].errors);
	}
	print_message("# seed %llu: %.1f s, %llu lookups, %llu writer ops (%llu adds, "
		      "%llu deletes, %llu replaces, %llu batches, %llu replace_all, "
		      "%llu flushes, %llu quiesces)\n",
		      seed, now() - start, (unsigned long long)lookups,
		      (unsigned long long)ws.ops, (unsigned long long)ws.adds,
		      (unsigned long long)ws.deletes, (unsigned long long)ws.replaces,
		      (unsigned long long)ws.batches, (unsigned long long)ws.replace_alls,
		      (unsigned long long)ws.flushes, (unsigned long long)ws.quiesces);
	assert_int_equal(errors, 0);
	for (unsigned i = 0; i < NREADERS; i++)
		assert_true(rd[i].lookups > 0);
	assert_true(ws.ops > 0);
	check_final(t);
	rt_table_destroy(t);
	rt_set_poison_on_free(false);
}

static void test_readers_vs_writer(void **state)
{
	(void)state;
	readers_vs_writer(0.5, false);
}

static void test_readers_vs_writer_leaf_tables(void **state)
{
	(void)state;
	readers_vs_writer(0.3, true);
}

/* ---------------------------------------------------------------------- */
/* Whole-table replacement is one atomic step for a batch of lookups */

#define SWAP_V4 256
#define SWAP_V6 64

struct swap_reader {
	pthread_t thread;
	struct rt_table *t;
	unsigned index;
	uint64_t lookups, errors;
	char first_error[200];
};

static void swap_prefix(unsigned i, struct rt_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (i < SWAP_V4) {
		rt_addr_from_v4(&p->addr, 0xc6120000u | i << 8);	/* 198.18.i.0/24 */
		p->len = 24;
		return;
	}
	p->addr.family = AF_INET6;
	p->addr.bytes[0] = 0x20;
	p->addr.bytes[1] = 0x01;
	p->addr.bytes[2] = 0x0d;
	p->addr.bytes[3] = 0xb8;
	p->addr.bytes[4] = 0xee;
	p->addr.bytes[5] = (uint8_t)(i - SWAP_V4);
	p->len = 48;
}

/* Version v of the table: every route's tag is index << 1 | v. */
static void swap_routes(unsigned v, struct rt_route *routes)
{
	for (unsigned i = 0; i < SWAP_V4 + SWAP_V6; i++) {
		struct rt_route *r = &routes[i];
		uint32_t tag = i << 1 | v;

		rt_route_init(r);
		swap_prefix(i, &r->prefix);
		gateway_of(r->prefix.addr.family, tag, &r->gateway);
		r->has_tag = true;
		r->tag = tag;
	}
}

static void *swap_reader_main(void *arg)
{
	struct swap_reader *sr = arg;
	uint64_t rng = seed * 77 + sr->index;
	struct rt_addr a[32];
	struct rt_lookup_result res[32];
	unsigned idx[32];
	char ab[RT_ADDR_STRLEN];

	rt_reader_register();
	while (!uatomic_read(&stop_readers)) {
		unsigned n = 2 + (unsigned)(splitmix(&rng) % 31), version = 2;

		for (unsigned i = 0; i < n; i++) {
			struct rt_prefix p;

			idx[i] = (unsigned)(splitmix(&rng) % (SWAP_V4 + SWAP_V6));
			swap_prefix(idx[i], &p);
			point_in(&p, 1 + (unsigned)(splitmix(&rng) % 3), 4, splitmix(&rng), &a[i]);
		}
		rt_table_lookup(sr->t, a, n, res);
		CMM_STORE_SHARED(sr->lookups, sr->lookups + n);
		for (unsigned i = 0; i < n; i++) {
			struct rt_addr gw;
			const char *why = NULL;

			if (!res[i].found) {
				why = "no route";
			} else if (res[i].route.tag >> 1 != idx[i]) {
				why = "wrong route";
			} else {
				gateway_of(a[i].family, res[i].route.tag, &gw);
				if (memcmp(gw.bytes, res[i].route.gateway.bytes, 16) != 0)
					why = "next hop does not match the tag";
				else if (version != 2 && (res[i].route.tag & 1) != version)
					why = "two table versions in one batch";
				version = res[i].route.tag & 1;
			}
			if (why && !sr->errors++)
				snprintf(sr->first_error, sizeof(sr->first_error),
					 "swap reader %u, lookup %s: %s", sr->index,
					 rt_addr_format(&a[i], ab, sizeof(ab)), why);
		}
	}
	rt_reader_unregister();
	return NULL;
}

static void test_replace_all_atomic(void **state)
{
	struct rt_table *t = rt_table_create(RT_TABLE_MAIN);
	struct rt_route *routes[2];
	struct swap_reader sr[NREADERS];
	uint64_t swaps = 0, lookups = 0, *counters[NREADERS];
	double end;
	size_t failed;

	(void)state;
	assert_non_null(t);
	rt_set_poison_on_free(true);
	for (unsigned v = 0; v < 2; v++) {
		routes[v] = calloc(SWAP_V4 + SWAP_V6, sizeof(*routes[v]));
		assert_non_null(routes[v]);
		swap_routes(v, routes[v]);
	}
	assert_int_equal(rt_table_replace_all(t, routes[0], SWAP_V4 + SWAP_V6, &failed), 0);
	uatomic_set(&stop_readers, 0);
	memset(sr, 0, sizeof(sr));
	for (unsigned i = 0; i < NREADERS; i++) {
		sr[i].t = t;
		sr[i].index = i;
		assert_int_equal(pthread_create(&sr[i].thread, NULL, swap_reader_main, &sr[i]), 0);
	}
	end = now() + duration * 0.2;
	do {
		unsigned v = (unsigned)(++swaps & 1);

		if (rt_table_replace_all(t, routes[v], SWAP_V4 + SWAP_V6, &failed))
			fail_msg("replace_all failed at %zu", failed);
	} while (now() < end);
	for (unsigned i = 0; i < NREADERS; i++)
		counters[i] = &sr[i].lookups;
	wait_for_lookups(counters, NREADERS);
	uatomic_set(&stop_readers, 1);
	for (unsigned i = 0; i < NREADERS; i++) {
		assert_int_equal(pthread_join(sr[i].thread, NULL), 0);
		lookups += sr[i].lookups;
		if (sr[i].errors)
			print_message("# %s (%llu errors)\n", sr[i].first_error,
				      (unsigned long long)sr[i].errors);
	}
	print_message("# seed %llu: %llu whole-table swaps, %llu lookups\n", seed,
		      (unsigned long long)swaps, (unsigned long long)lookups);
	for (unsigned i = 0; i < NREADERS; i++) {
		assert_int_equal(sr[i].errors, 0);
		assert_true(sr[i].lookups > 0);
	}
	assert_true(swaps > 0);
	free(routes[0]);
	free(routes[1]);
	rt_table_destroy(t);
	rt_set_poison_on_free(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		LOOKUP_PATH_TESTS(test_readers_vs_writer),
		LOOKUP_PATH_TESTS(test_readers_vs_writer_leaf_tables),
		LOOKUP_PATH_TESTS(test_replace_all_atomic),
	};
	const char *s = getenv("ROUTED_TEST_SEED"), *d = getenv("ROUTED_STRESS_SECONDS");

	if (s && *s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	if (d && *d)
		duration = strtod(d, NULL);
	/* The duration is for the whole run: each path gets its share. */
	duration /= lookup_paths_available();
	printf("# seed %llu\n", seed);
	fflush(stdout);
	rt_reader_register();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
