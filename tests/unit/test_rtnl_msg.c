/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rtnetlink decoder (rtnl_msg.h), the FPM framing (fpm.h) and the
 * protocol names (rtnl_proto.h): the frames real zebra sent
 * (tests/data/fpm, see its README) decode to what zebra was told, and
 * hand-made malformed messages are refused with their reason. A seeded
 * mutation test (# seed N, ROUTED_TEST_SEED) feeds damaged frames to
 * both; every buffer is exactly as long as its bytes, so an ASan build
 * catches a read past the end.
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

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include <routed/fpm.h>
#include <routed/route.h>
#include <routed/rtnl_msg.h>
#include <routed/rtnl_proto.h>

#include "seed.h"

#define MAX_MSGS 64

/* The decoded messages of one capture file, frame by frame. */
struct capture {
	unsigned n, frames;
	unsigned frame_of[MAX_MSGS];	/* which frame each message came in */
	struct rtnl_msg msg[MAX_MSGS];
};

static void *read_file(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FPM_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n ? (size_t)n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct capture *load(const char *name)
{
	static uint32_t scratch[FPM_MAX_FRAME / 4 + 1];
	struct capture *c = calloc(1, sizeof(*c));
	size_t len, off = 0;
	uint8_t *buf = read_file(name, &len);
	struct fpm_frame f;
	enum fpm_status st;

	assert_non_null(c);
	while ((st = fpm_frame_next(buf, len, &off, &f)) == FPM_OK) {
		const void *p = fpm_frame_aligned(&f, scratch), *m;
		size_t moff = 0, mlen;

		while (moff < f.len) {
			assert_int_equal(rtnl_msg_next(p, f.len, &moff, &m, &mlen), RTNL_OK);
			assert_true(c->n < MAX_MSGS);
			if (rtnl_msg_decode(m, mlen, &c->msg[c->n]) != RTNL_OK)
				fail_msg("%s: message %u does not decode", name, c->n);
			c->frame_of[c->n++] = c->frames;
		}
		c->frames++;
	}
	assert_int_equal(st, FPM_NEED_MORE);
	assert_int_equal(off, len);	/* the file is whole frames */
	free(buf);
	return c;
}

static void check_prefix(const struct rt_prefix *p, const char *want)
{
	char buf[RT_PREFIX_STRLEN];

	assert_string_equal(rt_prefix_format(p, buf, sizeof(buf)), want);
}

static void check_addr(const struct rt_addr *a, const char *want)
{
	char buf[RT_ADDR_STRLEN];

	assert_string_equal(rt_addr_format(a, buf, sizeof(buf)), want);
}

static const struct rtnl_route *route_at(const struct capture *c, unsigned i)
{
	assert_true(i < c->n);
	assert_int_equal(c->msg[i].kind, RTNL_KIND_ROUTE);
	return &c->msg[i].route;
}

static const struct rtnl_nexthop *nexthop_at(const struct capture *c, unsigned i)
{
	assert_true(i < c->n);
	assert_int_equal(c->msg[i].kind, RTNL_KIND_NEXTHOP);
	return &c->msg[i].nexthop;
}

/* Every captured file decodes whole. */
static void test_all_captures_decode(void **state)
{
	static const char *const steps[] = {
		"00-connect", "01-static-v4", "02-static-v6", "03-ecmp", "04-blackhole",
		"05-table", "06-nh-change", "07-delete", "08-replay",
	};
	char name[64];

	(void)state;
	for (unsigned mode = 0; mode < 2; mode++)
		for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			snprintf(name, sizeof(name), "%s-%s.bin", mode ? "no-nhg" : "nhg", steps[i]);
			free(load(name));
		}
}

/* Connected routes arrive with next-hop objects of the interface only. */
static void test_nhg_connect(void **state)
{
	struct capture *c = load("nhg-00-connect.bin");
	const struct rtnl_route *r;
	const struct rtnl_nexthop *nh = nexthop_at(c, 0);

	(void)state;
	assert_false(nh->del);
	assert_int_equal(nh->protocol, RTPROT_ZEBRA);
	assert_true(nh->id != 0);
	assert_true(nh->oif != 0);
	assert_int_equal(nh->gateway.family, 0);
	assert_int_equal(nh->n_group, 0);
	r = route_at(c, 6);
	check_prefix(&r->dst, "192.0.2.0/24");
	assert_false(r->del);
	assert_int_equal(r->table, RT_TABLE_MAIN);
	assert_int_equal(r->protocol, RTPROT_KERNEL);
	assert_int_equal(r->type, RTN_UNICAST);
	assert_true(r->has_priority);
	assert_int_equal(r->priority, 20);
	assert_int_equal(r->nh_id, 5);
	assert_int_equal(r->n_paths, 0);
	r = route_at(c, 8);
	check_prefix(&r->dst, "2001:db8:1::/64");
	free(c);
}

static void test_nhg_static(void **state)
{
	struct capture *c = load("nhg-01-static-v4.bin");
	const struct rtnl_nexthop *nh = nexthop_at(c, 0);
	const struct rtnl_route *r = route_at(c, 1);

	(void)state;
	assert_int_equal(c->n, 2);
	assert_int_equal(nh->id, 16);
	check_addr(&nh->gateway, "192.0.2.2");
	assert_int_equal(nh->oif, 3);
	check_prefix(&r->dst, "10.1.0.0/16");
	assert_int_equal(r->protocol, 196);
	assert_int_equal(r->nh_id, 16);
	assert_true(c->msg[1].nlmsg_flags & NLM_F_REPLACE);
	free(c);
	c = load("nhg-02-static-v6.bin");
	nh = nexthop_at(c, 0);
	r = route_at(c, 1);
	check_addr(&nh->gateway, "2001:db8:1::2");
	check_prefix(&r->dst, "2001:db8:100::/48");
	assert_int_equal(r->nh_id, nh->id);
	assert_false(c->msg[1].nlmsg_flags & NLM_F_REPLACE);	/* IPv6: no replace flag */
	free(c);
}

/* ECMP as a group object {id, weight} over two members. */
static void test_nhg_ecmp(void **state)
{
	struct capture *c = load("nhg-03-ecmp.bin");
	const struct rtnl_nexthop *member = nexthop_at(c, 0), *group = nexthop_at(c, 1);
	const struct rtnl_route *r = route_at(c, 2);

	(void)state;
	check_addr(&member->gateway, "198.51.100.2");
	assert_int_equal(group->n_group, 2);
	assert_int_equal(group->group[0].id, 16);	/* the member of step 01 */
	assert_int_equal(group->group[1].id, member->id);
	assert_int_equal(group->group[0].weight, 1);
	assert_int_equal(group->group[1].weight, 1);
	assert_int_equal(r->nh_id, group->id);
	check_prefix(&r->dst, "10.2.0.0/16");
	free(c);
}

static void test_nhg_blackhole_and_tables(void **state)
{
	struct capture *c = load("nhg-04-blackhole.bin");
	const struct rtnl_route *r;

	(void)state;
	assert_true(nexthop_at(c, 0)->blackhole);
	r = route_at(c, 1);
	check_prefix(&r->dst, "10.3.0.0/16");
	assert_int_equal(r->type, RTN_BLACKHOLE);
	assert_int_equal(r->nh_id, 0);
	assert_int_equal(r->n_paths, 0);
	r = route_at(c, 5);
	check_prefix(&r->dst, "10.4.0.0/16");
	assert_int_equal(r->type, RTN_UNREACHABLE);	/* "reject" in FRR */
	free(c);
	c = load("nhg-05-table.bin");
	r = route_at(c, 0);
	check_prefix(&r->dst, "10.5.0.0/16");
	assert_int_equal(r->table, 100);		/* rtm_table */
	r = route_at(c, 1);
	check_prefix(&r->dst, "10.6.0.0/16");
	assert_int_equal(r->table, 300);		/* RTA_TABLE over rtm_table 0 */
	free(c);
}

/* A next-hop change: DEL and NEW of the prefix in one frame. */
static void test_nh_change_one_frame(void **state)
{
	const char *files[] = { "nhg-06-nh-change.bin", "no-nhg-06-nh-change.bin" };

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		struct capture *c = load(files[i]);
		const struct rtnl_route *del = route_at(c, 0), *add = route_at(c, 1);

		assert_int_equal(c->frames, 1);
		assert_true(del->del);
		assert_false(add->del);
		check_prefix(&del->dst, "10.1.0.0/16");
		check_prefix(&add->dst, "10.1.0.0/16");
		assert_int_equal(del->priority, add->priority);
		if (i == 1) {
			assert_int_equal(add->n_paths, 1);
			check_addr(&add->paths[0].gateway, "198.51.100.2");
			assert_int_equal(add->paths[0].oif, 5);
		}
		free(c);
	}
}

/* Without next-hop groups: RTA_GATEWAY/RTA_OIF, ECMP as RTA_MULTIPATH. */
static void test_no_nhg_multipath(void **state)
{
	struct capture *c = load("no-nhg-03-ecmp.bin");
	const struct rtnl_route *r = route_at(c, 0);

	(void)state;
	check_prefix(&r->dst, "10.2.0.0/16");
	assert_int_equal(r->nh_id, 0);
	assert_int_equal(r->n_paths, 2);
	check_addr(&r->paths[0].gateway, "192.0.2.2");
	assert_int_equal(r->paths[0].oif, 3);
	check_addr(&r->paths[1].gateway, "198.51.100.2");
	assert_int_equal(r->paths[1].oif, 5);
	assert_int_equal(r->paths[0].weight, 1);
	r = route_at(c, 1);
	check_prefix(&r->dst, "2001:db8:200::/48");
	assert_int_equal(r->n_paths, 2);
	check_addr(&r->paths[1].gateway, "2001:db8:2::2");
	free(c);
	c = load("no-nhg-01-static-v4.bin");
	r = route_at(c, 0);
	assert_int_equal(r->n_paths, 1);
	check_addr(&r->paths[0].gateway, "192.0.2.2");
	free(c);
}

/* Hand-made messages (libmnl builds them) */

static char mbuf[1 << 16] __attribute__((aligned(4)));

static struct nlmsghdr *route_msg(uint16_t type, uint8_t family, uint8_t dst_len)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	memset(mbuf, 0, sizeof(mbuf));
	nlh = mnl_nlmsg_put_header(mbuf);
	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_protocol = RTPROT_BGP;
	return nlh;
}

static enum rtnl_reason decode(const struct nlmsghdr *nlh, struct rtnl_msg *m)
{
	/* Exactly the message's bytes, on the heap: ASan sees any overread. */
	void *copy = malloc(nlh->nlmsg_len);
	enum rtnl_reason why;

	assert_non_null(copy);
	memcpy(copy, nlh, nlh->nlmsg_len);
	why = rtnl_msg_decode(copy, nlh->nlmsg_len, m);
	free(copy);
	return why;
}

static void test_route_built(void **state)
{
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	uint32_t dst = htonl(0x0a000000), gw = htonl(0xc0000201);
	struct rtnl_msg m;

	(void)state;
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 100);
	mnl_attr_put_u32(nlh, 0x7ff0, 1);		/* unknown: skipped */
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	check_prefix(&m.route.dst, "10.0.0.0/8");
	assert_int_equal(m.route.table, 1000);
	assert_int_equal(m.route.priority, 100);
	assert_int_equal(m.route.n_paths, 1);
	assert_int_equal(m.route.paths[0].oif, 7);
	assert_int_equal(m.route.paths[0].weight, 1);
	check_addr(&m.route.paths[0].gateway, "192.0.2.1");
	/* The default route has no RTA_DST. */
	nlh = route_msg(RTM_DELROUTE, AF_INET6, 0);
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_true(m.route.del);
	check_prefix(&m.route.dst, "::/0");
	/* Another message type is skipped, not refused. */
	nlh = route_msg(RTM_NEWLINK, AF_INET, 0);
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_int_equal(m.kind, RTNL_KIND_OTHER);
}

static void put_rtnh(struct nlmsghdr *nlh, unsigned n, uint8_t hops0)
{
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

	for (unsigned i = 0; i < n; i++) {
		struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
		uint32_t gw = htonl(0xc0000200 + i + 1);

		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_hops = (uint8_t)(hops0 + i);
		rtnh->rtnh_ifindex = (int)i + 1;
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
		rtnh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)rtnh);
	}
	mnl_attr_nest_end(nlh, mp);
}

static void test_multipath_built(void **state)
{
	uint32_t dst = htonl(0x0a000000);
	struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	struct rtnl_msg m;

	(void)state;
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	put_rtnh(nlh, RTNL_MAX_PATHS, 0);
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_int_equal(m.route.n_paths, RTNL_MAX_PATHS);
	assert_int_equal(m.route.paths[63].weight, 64);	/* rtnh_hops + 1 */
	assert_int_equal(m.route.paths[63].oif, 64);
	check_addr(&m.route.paths[63].gateway, "192.0.2.64");
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	put_rtnh(nlh, RTNL_MAX_PATHS + 1, 0);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_TOO_MANY_PATHS);
	/* weight 256 = hops 255 */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	put_rtnh(nlh, 1, 255);
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_int_equal(m.route.paths[0].weight, 256);
	/* A gateway besides RTA_MULTIPATH: which one would it be? */
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &dst);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_MULTIPATH);
}

/* Every prefix length against every single address bit: refused exactly when the bit is a host bit. */
static void test_host_bits_every_length(void **state)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };

	(void)state;
	for (unsigned f = 0; f < 2; f++) {
		unsigned bits = families[f] == AF_INET ? 32 : 128;

		for (unsigned len = 0; len <= bits; len++) {
			for (unsigned bit = 0; bit <= bits; bit++) {
				/* bit == bits: no bit set, always a prefix. */
				uint8_t addr[16] = { 0 };
				struct nlmsghdr *nlh = route_msg(RTM_NEWROUTE, families[f], len);
				struct rtnl_msg m;

				if (bit < bits)
					addr[bit / 8] = (uint8_t)(0x80 >> (bit % 8));
				mnl_attr_put(nlh, RTA_DST, bits / 8, addr);
				assert_int_equal(decode(nlh, &m),
						 bit < bits && bit >= len ? RTNL_ERR_PREFIX : RTNL_OK);
			}
		}
	}
}

static void test_route_malformed(void **state)
{
	uint32_t dst = htonl(0x0a000000), host = htonl(0x0a000001);
	uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct nlmsghdr *nlh;
	struct rtnl_msg m;
	struct nlattr *a;
	struct rtnexthop *rtnh;

	(void)state;
	/* Shorter than a header; nlmsg_len below it or past the buffer. */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 0);
	assert_int_equal(rtnl_msg_decode(mbuf, 15, &m), RTNL_ERR_SHORT);
	assert_int_equal(rtnl_msg_decode(mbuf, nlh->nlmsg_len - 1, &m), RTNL_ERR_LENGTH);
	nlh->nlmsg_len = 15;
	assert_int_equal(rtnl_msg_decode(mbuf, 64, &m), RTNL_ERR_LENGTH);
	/* No room for the rtmsg. */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 0);
	nlh->nlmsg_len = sizeof(*nlh) + 4;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_FAMILY_HEADER);
	/* Misaligned. */
	assert_int_equal(rtnl_msg_decode(mbuf + 2, 64, &m), RTNL_ERR_ALIGN);
	/* Not IPv4 or IPv6. */
	nlh = route_msg(RTM_NEWROUTE, AF_UNSPEC, 0);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_FAMILY);
	/* A length past the family; host bits; a length without RTA_DST. */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 33);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_PREFIX);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &host);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_PREFIX);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_PREFIX);
	/* An IPv6 address in an IPv4 route; a 2-byte priority. */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 16, dst6);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_SIZE);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put_u16(nlh, RTA_PRIORITY, 1);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_SIZE);
	/* The last attribute cut short: by the message length, by its own. */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1);
	nlh->nlmsg_len -= 2;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_TRUNCATED);
	nlh->nlmsg_len -= 4;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_TRUNCATED);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1);
	a->nla_len = 200;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_TRUNCATED);
	a->nla_len = 3;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_TRUNCATED);
	/* An rtnexthop too short, or longer than its nest; an empty nest. */
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	a = mnl_nlmsg_get_payload_tail(nlh);
	put_rtnh(nlh, 2, 0);
	rtnh = mnl_attr_get_payload(a);
	rtnh->rtnh_len = 4;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_MULTIPATH);
	rtnh->rtnh_len = 200;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_MULTIPATH);
	nlh = route_msg(RTM_NEWROUTE, AF_INET, 8);
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	mnl_attr_put(nlh, RTA_MULTIPATH, 0, NULL);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_MULTIPATH);
}

static struct nlmsghdr *nexthop_msg(uint32_t id)
{
	struct nlmsghdr *nlh;
	struct nhmsg *nhm;

	memset(mbuf, 0, sizeof(mbuf));
	nlh = mnl_nlmsg_put_header(mbuf);
	nlh->nlmsg_type = RTM_NEWNEXTHOP;
	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_INET6;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	return nlh;
}

static void test_nexthop_built(void **state)
{
	struct nexthop_grp g[RTNL_MAX_PATHS + 1];
	struct nlmsghdr *nlh;
	struct rtnl_msg m;

	(void)state;
	memset(g, 0, sizeof(g));
	for (unsigned i = 0; i <= RTNL_MAX_PATHS; i++) {
		g[i].id = i + 1;
		g[i].weight = (uint8_t)i;
	}
	nlh = nexthop_msg(7);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(g[0]) * RTNL_MAX_PATHS, g);
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_int_equal(m.nexthop.id, 7);
	assert_int_equal(m.nexthop.n_group, RTNL_MAX_PATHS);
	assert_int_equal(m.nexthop.group[3].id, 4);
	assert_int_equal(m.nexthop.group[3].weight, 4);
	nlh = nexthop_msg(7);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(g), g);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_TOO_MANY_PATHS);
	nlh = nexthop_msg(7);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(g[0]) - 1, g);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_GROUP);
	g[0].id = 0;
	nlh = nexthop_msg(7);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(g[0]), g);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_GROUP);
	nlh = nexthop_msg(7);
	mnl_attr_put_u32(nlh, NHA_BLACKHOLE, 1);
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_SIZE);
	nlh = nexthop_msg(7);
	mnl_attr_put_u32(nlh, NHA_GATEWAY, 1);		/* 4 bytes for IPv6 */
	assert_int_equal(decode(nlh, &m), RTNL_ERR_ATTR_SIZE);
	nlh = nexthop_msg(7);
	nlh->nlmsg_type = RTM_DELNEXTHOP;
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_true(m.nexthop.del);
}

static void test_done_and_error(void **state)
{
	struct nlmsghdr *nlh;
	struct rtnl_msg m;
	int32_t e = -ENOENT;

	(void)state;
	memset(mbuf, 0, 64);
	nlh = mnl_nlmsg_put_header(mbuf);
	nlh->nlmsg_type = NLMSG_DONE;
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_int_equal(m.kind, RTNL_KIND_DONE);
	nlh->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(decode(nlh, &m), RTNL_ERR_FAMILY_HEADER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(e));
	memcpy(mnl_nlmsg_get_payload(nlh), &e, sizeof(e));
	assert_int_equal(decode(nlh, &m), RTNL_OK);
	assert_int_equal(m.kind, RTNL_KIND_ERROR);
	assert_int_equal(m.error, -ENOENT);
}

static void test_msg_next(void **state)
{
	uint32_t buf[16] = { 0 };
	const void *m;
	size_t off = 0, len;

	(void)state;
	buf[0] = 20;			/* 20 bytes, padded to 20 */
	buf[5] = 17;			/* 17 bytes, the last: no padding after it */
	assert_int_equal(rtnl_msg_next(buf, 37, &off, &m, &len), RTNL_OK);
	assert_int_equal(len, 20);
	assert_int_equal(off, 20);
	assert_int_equal(rtnl_msg_next(buf, 37, &off, &m, &len), RTNL_OK);
	assert_int_equal(len, 17);
	assert_int_equal(off, 37);
	off = 0;
	buf[0] = 40;			/* past the buffer */
	assert_int_equal(rtnl_msg_next(buf, 37, &off, &m, &len), RTNL_ERR_LENGTH);
	buf[0] = 8;			/* below a header */
	assert_int_equal(rtnl_msg_next(buf, 37, &off, &m, &len), RTNL_ERR_LENGTH);
	assert_int_equal(rtnl_msg_next(buf, 10, &off, &m, &len), RTNL_ERR_SHORT);
	assert_int_equal(off, 0);
}

static void test_fpm_frames(void **state)
{
	uint8_t *big = calloc(1, FPM_MAX_FRAME);
	uint8_t hdr[8] = { 1, 1, 0, 8, 0, 0, 0, 0 };
	struct fpm_frame f;
	size_t off = 0, moff = 0, mlen, msgs = 0;
	const void *m;
	struct rtnl_msg msg;

	(void)state;
	assert_non_null(big);
	assert_int_equal(fpm_frame_next(hdr, 3, &off, &f), FPM_NEED_MORE);
	assert_int_equal(fpm_frame_next(hdr, 7, &off, &f), FPM_NEED_MORE);
	assert_int_equal(off, 0);
	assert_int_equal(fpm_frame_next(hdr, 8, &off, &f), FPM_OK);
	assert_int_equal(off, 8);
	assert_int_equal(f.len, 4);
	off = 0;
	hdr[0] = 2;
	assert_int_equal(fpm_frame_next(hdr, 8, &off, &f), FPM_ERR_VERSION);
	hdr[0] = 1;
	hdr[1] = 2;				/* protobuf */
	assert_int_equal(fpm_frame_next(hdr, 8, &off, &f), FPM_ERR_TYPE);
	hdr[1] = 1;
	hdr[3] = 3;
	assert_int_equal(fpm_frame_next(hdr, 8, &off, &f), FPM_ERR_LENGTH);
	/* A frame of the largest size: 65535 bytes of DONE messages (20 bytes, the last 31). */
	big[0] = 1;
	big[1] = 1;
	big[2] = 0xff;
	big[3] = 0xff;
	for (size_t p = 4; p < FPM_MAX_FRAME; p += 20) {
		struct nlmsghdr h = { .nlmsg_len = FPM_MAX_FRAME - p < 40 ? FPM_MAX_FRAME - p : 20,
				      .nlmsg_type = NLMSG_DONE };

		memcpy(big + p, &h, sizeof(h));
		if (h.nlmsg_len != 20)
			break;
	}
	off = 0;
	assert_int_equal(fpm_frame_next(big, FPM_MAX_FRAME, &off, &f), FPM_OK);
	assert_int_equal(f.len, FPM_MAX_FRAME - 4);
	while (moff < f.len) {
		assert_int_equal(rtnl_msg_next(f.payload, f.len, &moff, &m, &mlen), RTNL_OK);
		assert_int_equal(rtnl_msg_decode(m, mlen, &msg), RTNL_OK);
		assert_int_equal(msg.kind, RTNL_KIND_DONE);
		msgs++;
	}
	assert_int_equal(msgs, (FPM_MAX_FRAME - 4) / 20);
	free(big);
}

static void test_proto_names(void **state)
{
	char buf[RT_PROTO_LEN];

	(void)state;
	assert_string_equal(rtnl_proto_name(196, buf), "static");
	assert_string_equal(rtnl_proto_name(186, buf), "bgp");
	assert_string_equal(rtnl_proto_name(188, buf), "ospf");
	assert_string_equal(rtnl_proto_name(2, buf), "connected");
	assert_string_equal(rtnl_proto_name(12, buf), "bird");
	assert_string_equal(rtnl_proto_name(250, buf), "proto-250");
	for (unsigned p = 0; p < 256; p++)
		assert_int_equal(rt_proto_validate(rtnl_proto_name((uint8_t)p, buf)), 0);
}

/* Random damage to captured frames: never a crash, never a read out of bounds. */
static void test_mutations(void **state)
{
	static const char *const files[] = { "nhg-08-replay.bin", "no-nhg-03-ecmp.bin",
					     "nhg-03-ecmp.bin", "no-nhg-08-replay.bin" };
	unsigned long long seed = seed_from_env();
	uint64_t x = seed | 1;
	unsigned rounds = (unsigned)(20000 * seed_iterations());

	(void)state;
	for (unsigned r = 0; r < rounds; r++) {
		size_t len, off = 0;
		uint8_t *orig = read_file(files[r % 4], &len), *buf;
		struct fpm_frame f;
		unsigned flips;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = len - (r & 1 ? x % 64 % len : 0);	/* a cut tail, sometimes */
		buf = malloc(len);
		assert_non_null(buf);
		memcpy(buf, orig, len);
		free(orig);
		flips = 1 + (unsigned)(x >> 32) % 8;
		for (unsigned i = 0; i < flips; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[x % len] ^= (uint8_t)(1u << ((x >> 20) % 8));
		}
		while (fpm_frame_next(buf, len, &off, &f) == FPM_OK) {
			void *copy = malloc(f.len ? f.len : 1);
			size_t moff = 0, mlen;
			const void *m;
			struct rtnl_msg msg;

			assert_non_null(copy);
			memcpy(copy, f.payload, f.len);
			while (moff < f.len && rtnl_msg_next(copy, f.len, &moff, &m, &mlen) == RTNL_OK) {
				enum rtnl_reason why = rtnl_msg_decode(m, mlen, &msg);

				assert_true(why < RTNL_ERR_COUNT);
				if (why == RTNL_OK && msg.kind == RTNL_KIND_ROUTE)
					assert_true(msg.route.n_paths <= RTNL_MAX_PATHS);
			}
			free(copy);
		}
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_captures_decode),
		cmocka_unit_test(test_nhg_connect),
		cmocka_unit_test(test_nhg_static),
		cmocka_unit_test(test_nhg_ecmp),
		cmocka_unit_test(test_nhg_blackhole_and_tables),
		cmocka_unit_test(test_nh_change_one_frame),
		cmocka_unit_test(test_no_nhg_multipath),
		cmocka_unit_test(test_route_built),
		cmocka_unit_test(test_multipath_built),
		cmocka_unit_test(test_route_malformed),
		cmocka_unit_test(test_host_bits_every_length),
		cmocka_unit_test(test_nexthop_built),
		cmocka_unit_test(test_done_and_error),
		cmocka_unit_test(test_msg_next),
		cmocka_unit_test(test_fpm_frames),
		cmocka_unit_test(test_proto_names),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
