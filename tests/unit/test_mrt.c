/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MRT TABLE_DUMP_V2 reader (lib/mrt.c) and its input (lib/instream.c),
 * on records written byte by byte (mrt_build.c): peer tables with 2- and
 * 4-byte AS numbers, IPv4 and IPv6 RIBs, AS_PATH segment types, next hop
 * forms, the path choice, damaged files (every truncation, corrupt fields)
 * and gzip / bzip2 input made with gzip(1) and bzip2(1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <routed/instream.h>
#include <routed/mrt.h>

#include "mrt_build.h"

#define MAX_RIBS 16
#define MAX_PATHS 8

struct rib_copy {
	struct rt_prefix prefix;
	uint64_t offset, record;
	size_t n;
	struct mrt_path paths[MAX_PATHS];
	long chosen;			/* mrt_choose_path(rib, -1) */
};

struct result {
	int rc;				/* 0: read to the end; else the error */
	char err[RT_ERR_LEN];
	size_t n_ribs;
	struct rib_copy ribs[MAX_RIBS];
	struct mrt_stats stats;
	size_t n_peers;
	struct mrt_peer peers[MAX_PATHS];
	enum instream_kind kind;
};

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void read_stream(FILE *f, struct result *res)
{
	struct instream *in;
	struct mrt_reader *r;
	struct mrt_rib rib;
	int rc;

	memset(res, 0, sizeof(*res));
	in = instream_open(f, res->err, sizeof(res->err));
	assert_non_null(in);
	res->kind = instream_kind(in);
	r = mrt_reader_new(in);
	assert_non_null(r);
	while ((rc = mrt_reader_next(r, &rib, res->err, sizeof(res->err))) == 1) {
		struct rib_copy *c = &res->ribs[res->n_ribs++];

		assert_true(res->n_ribs <= MAX_RIBS);
		assert_true(rib.n_paths <= MAX_PATHS);
		c->prefix = rib.prefix;
		c->offset = rib.offset;
		c->record = rib.record;
		c->n = rib.n_paths;
		memcpy(c->paths, rib.paths, rib.n_paths * sizeof(*rib.paths));
		c->chosen = mrt_choose_path(&rib, -1);
	}
	res->rc = rc;
	mrt_reader_stats(r, &res->stats);
	res->n_peers = mrt_reader_peer_count(r);
	for (size_t i = 0; i < res->n_peers && i < MAX_PATHS; i++)
		res->peers[i] = *mrt_reader_peer(r, i);
	/* A failed reader stays failed. */
	if (rc < 0)
		assert_int_equal(mrt_reader_next(r, &rib, NULL, 0), rc);
	mrt_reader_free(r);
	instream_close(in);
}

static void read_mem(const struct mbuf *file, size_t len, struct result *res)
{
	/* fmemopen of 0 bytes fails: an empty file instead. */
	FILE *f = len ? fmemopen(file->p, len, "r") : tmpfile();

	assert_non_null(f);
	read_stream(f, res);
	fclose(f);
}

static void assert_prefix(const struct rt_prefix *p, const char *text)
{
	char buf[RT_PREFIX_STRLEN];

	assert_string_equal(rt_prefix_format(p, buf, sizeof(buf)), text);
}

static void assert_addr(const struct rt_addr *a, const char *text)
{
	char buf[RT_ADDR_STRLEN];

	assert_string_equal(rt_addr_format(a, buf, sizeof(buf)), text);
}

static const struct mb_peer three_peers[] = {
	{ "192.0.2.1", 65001, false },
	{ "2001:db8::2", 4200000000u, true },
	{ "192.0.2.3", 65003, true },
};

/* One IPv4 RIB: prefix, entries (peer, AS_PATH, NEXT_HOP). */
static void ipv4_rib(struct mbuf *file, const char *prefix, size_t n, const uint16_t *peers,
		     const char *const *paths, const char *const *hops)
{
	struct mbuf body = { 0 };

	mb_rib_header(&body, 0, prefix, (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		struct mbuf attrs = { 0 };

		if (paths[i])
			mb_as_path(&attrs, paths[i]);
		if (hops[i])
			mb_next_hop(&attrs, hops[i]);
		mb_rib_entry(&body, peers[i], &attrs, false, 0);
		mb_free(&attrs);
	}
	mb_record(file, 13, 2, &body);
	mb_free(&body);
}

/* A small dump: three peers, two IPv4 prefixes, one IPv6 prefix. */
static void sample_dump(struct mbuf *file)
{
	static const uint16_t peers_a[] = { 0, 2 }, peers_b[] = { 1 };
	static const char *const paths_a[] = { "2:65001,65100,65200", "2:65003,65200" };
	static const char *const hops_a[] = { "192.0.2.1", "192.0.2.3" };
	static const char *const paths_b[] = { "2:4200000000,4200000001" };
	static const char *const hops_b[] = { "192.0.2.99" };
	struct mbuf body = { 0 }, attrs = { 0 };

	mb_peer_table(file, three_peers, 3);
	ipv4_rib(file, "10.0.0.0/8", 2, peers_a, paths_a, hops_a);
	ipv4_rib(file, "198.51.100.0/24", 1, peers_b, paths_b, hops_b);
	mb_rib_header(&body, 2, "2001:db8:1::/48", 1);
	mb_as_path(&attrs, "2:4200000000,65010");
	mb_mp_reach(&attrs, "2001:db8::2", "fe80::2");
	mb_rib_entry(&body, 1, &attrs, false, 0);
	mb_record(file, 13, 4, &body);
	mb_free(&attrs);
	mb_free(&body);
}

static void test_peer_table_and_ribs(void **state)
{
	struct mbuf file = { 0 };
	struct result res;

	(void)state;
	sample_dump(&file);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.kind, INSTREAM_PLAIN);

	assert_int_equal(res.n_peers, 3);
	assert_addr(&res.peers[0].addr, "192.0.2.1");
	assert_int_equal(res.peers[0].as, 65001);
	assert_false(res.peers[0].as4);
	assert_addr(&res.peers[1].addr, "2001:db8::2");
	assert_int_equal(res.peers[1].as, 4200000000u);
	assert_true(res.peers[1].as4);
	assert_int_equal(res.peers[2].bgp_id, 0x0a000102);

	assert_int_equal(res.n_ribs, 3);
	assert_prefix(&res.ribs[0].prefix, "10.0.0.0/8");
	assert_int_equal(res.ribs[0].n, 2);
	assert_int_equal(res.ribs[0].paths[0].peer, 0);
	assert_int_equal(res.ribs[0].paths[0].as_path_len, 3);
	assert_int_equal(res.ribs[0].paths[0].origin_as, 65200);
	assert_addr(&res.ribs[0].paths[0].next_hop, "192.0.2.1");
	assert_int_equal(res.ribs[0].paths[1].peer, 2);
	assert_int_equal(res.ribs[0].paths[1].as_path_len, 2);
	/* The shorter AS path wins over the lower peer index. */
	assert_int_equal(res.ribs[0].chosen, 1);
	assert_int_equal(res.ribs[0].record, 2);

	assert_prefix(&res.ribs[1].prefix, "198.51.100.0/24");
	assert_int_equal(res.ribs[1].paths[0].origin_as, 4200000001u);

	/* IPv6: MP_REACH_NLRI with global + link-local: the global one. */
	assert_prefix(&res.ribs[2].prefix, "2001:db8:1::/48");
	assert_addr(&res.ribs[2].paths[0].next_hop, "2001:db8::2");
	assert_int_equal(res.ribs[2].paths[0].origin_as, 65010);
	assert_int_equal(res.ribs[2].record, 4);

	assert_int_equal(res.stats.records, 4);
	assert_int_equal(res.stats.ribs, 3);
	assert_int_equal(res.stats.paths, 4);
	assert_int_equal(res.stats.peer_tables, 1);
	assert_int_equal(res.stats.skipped, 0);
	mb_free(&file);
}

/* One IPv4 RIB entry with the given AS_PATH; the path read back. */
static struct mrt_path one_path(const char *as_path)
{
	static const uint16_t peer[] = { 0 };
	const char *paths[] = { as_path }, *hops[] = { "192.0.2.1" };
	struct mbuf file = { 0 };
	struct result res;

	mb_peer_table(&file, three_peers, 3);
	ipv4_rib(&file, "10.1.0.0/16", 1, peer, paths, hops);
	read_mem(&file, file.len, &res);
	mb_free(&file);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n_ribs, 1);
	return res.ribs[0].paths[0];
}

static void test_as_path_segments(void **state)
{
	struct mrt_path p;

	(void)state;
	/* AS_SET last: its lowest AS is the origin; the set counts one hop. */
	p = one_path("2:65001 1:65010,65003,65020");
	assert_true(p.has_origin);
	assert_int_equal(p.origin_as, 65003);
	assert_int_equal(p.as_path_len, 2);
	/* Confederation segments neither count nor give the origin. */
	p = one_path("3:64512,64513 2:65001,65002 4:64514");
	assert_int_equal(p.origin_as, 65002);
	assert_int_equal(p.as_path_len, 2);
	/* 4-byte AS numbers, and prepending. */
	p = one_path("2:4200000000,4200000000,4294967295");
	assert_int_equal(p.origin_as, 4294967295u);
	assert_int_equal(p.as_path_len, 3);
	/* An empty AS_PATH (a route of the dumping router itself): no origin. */
	p = one_path("");
	assert_false(p.has_origin);
	assert_int_equal(p.as_path_len, 0);
	/* No AS_PATH attribute at all: the same. */
	p = one_path(NULL);
	assert_false(p.has_origin);
}

static void test_next_hop_forms(void **state)
{
	struct mbuf file = { 0 }, body = { 0 }, attrs = { 0 }, v = { 0 };
	struct result res;

	(void)state;
	mb_peer_table(&file, three_peers, 3);
	/* The full RFC 4760 form: AFI 2, SAFI 1, length 16, next hop, reserved, NLRI. */
	mb_rib_header(&body, 0, "2001:db8:2::/48", 2);
	mb_u16(&v, 2);
	mb_u8(&v, 1);
	mb_u8(&v, 16);
	mb_addr(&v, "2001:db8::77");
	mb_u8(&v, 0);
	mb_u8(&v, 48);
	mb_put(&v, "\x20\x01\x0d\xb8\x00\x02", 6);
	mb_attr(&attrs, 0x90, 14, &v);	/* extended length */
	mb_rib_entry(&body, 1, &attrs, false, 0);
	mb_free(&attrs);
	/* The short form with 16 bytes. */
	mb_mp_reach(&attrs, "2001:db8::88", NULL);
	mb_rib_entry(&body, 2, &attrs, false, 0);
	mb_record(&file, 13, 4, &body);
	mb_free(&attrs);
	mb_free(&body);
	/* IPv4 with NEXT_HOP and an MP_REACH_NLRI next hop: NEXT_HOP. */
	mb_rib_header(&body, 1, "0.0.0.0/0", 2);
	mb_mp_reach(&attrs, "2001:db8::99", NULL);
	mb_next_hop(&attrs, "192.0.2.50");
	mb_rib_entry(&body, 0, &attrs, false, 0);
	mb_free(&attrs);
	/* IPv4 with only an IPv6 next hop (RFC 8950). */
	mb_mp_reach(&attrs, "2001:db8::99", NULL);
	mb_rib_entry(&body, 1, &attrs, false, 0);
	mb_record(&file, 13, 2, &body);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n_ribs, 2);
	assert_addr(&res.ribs[0].paths[0].next_hop, "2001:db8::77");
	assert_addr(&res.ribs[0].paths[1].next_hop, "2001:db8::88");
	assert_prefix(&res.ribs[1].prefix, "0.0.0.0/0");
	assert_addr(&res.ribs[1].paths[0].next_hop, "192.0.2.50");
	assert_addr(&res.ribs[1].paths[1].next_hop, "2001:db8::99");
	mb_free(&v);
	mb_free(&attrs);
	mb_free(&body);
	mb_free(&file);
}

static void test_choice_rule(void **state)
{
	static const uint16_t peers[] = { 2, 1, 0, 1 };
	static const char *const paths[] = { "2:1,2", "2:3,4,5", "2:6,7", "2:11 1:8,9,10" };
	static const char *const hops[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" };
	struct mbuf file = { 0 };
	struct result res;
	struct mrt_rib rib = { 0 };

	(void)state;
	mb_peer_table(&file, three_peers, 3);
	ipv4_rib(&file, "10.2.0.0/16", 4, peers, paths, hops);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, 0);
	rib.paths = res.ribs[0].paths;
	rib.n_paths = res.ribs[0].n;
	/* Two hops: peers 2 and 0 and the AS_SET path of peer 1; lowest peer: 0. */
	assert_int_equal(mrt_choose_path(&rib, -1), 2);
	/* Peer 1: its shorter path (the set counts one). */
	assert_int_equal(mrt_choose_path(&rib, 1), 3);
	assert_int_equal(mrt_choose_path(&rib, 2), 0);
	/* A peer without a path of this prefix. */
	rib.n_paths = 2;
	assert_int_equal(mrt_choose_path(&rib, 0), -1);
	rib.n_paths = 0;
	assert_int_equal(mrt_choose_path(&rib, -1), -1);
	mb_free(&file);
}

static void test_addpath_and_skipped(void **state)
{
	struct mbuf file = { 0 }, body = { 0 }, attrs = { 0 };
	struct result res;

	(void)state;
	mb_peer_table(&file, three_peers, 3);
	/* BGP4MP (16) and a multicast RIB: skipped and counted. */
	mb_put(&body, "\0\0\0\0", 4);
	mb_record(&file, 16, 4, &body);
	mb_record(&file, 13, 3, &body);
	mb_free(&body);
	mb_rib_header(&body, 0, "2001:db8::/32", 2);
	mb_as_path(&attrs, "2:65001");
	mb_mp_reach(&attrs, "2001:db8::1", NULL);
	mb_rib_entry(&body, 0, &attrs, true, 7);
	mb_rib_entry(&body, 0, &attrs, true, 9);
	mb_record(&file, 13, 10, &body);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.stats.skipped, 2);
	assert_int_equal(res.n_ribs, 1);
	assert_int_equal(res.ribs[0].n, 2);
	assert_int_equal(res.ribs[0].paths[0].path_id, 7);
	assert_int_equal(res.ribs[0].paths[1].path_id, 9);
	/* Equal paths of one peer: the first in the record. */
	assert_int_equal(res.ribs[0].chosen, 0);
	assert_int_equal(res.ribs[0].record, 4);
	mb_free(&attrs);
	mb_free(&body);
	mb_free(&file);
}

/*
 * Cut anywhere: at a record boundary the reader ends cleanly with the
 * records before it; inside a record it fails with -ENODATA, naming the
 * record's offset, after returning every complete record.
 */
static void test_every_truncation(void **state)
{
	struct mbuf file = { 0 };
	size_t bounds[8], n_bounds = 0;
	struct result res;

	(void)state;
	sample_dump(&file);
	/* Record boundaries: walk the headers. */
	for (size_t at = 0; at < file.len;) {
		bounds[n_bounds++] = at;
		at += 12 + ((size_t)file.p[at + 8] << 24 | (size_t)file.p[at + 9] << 16 |
			    (size_t)file.p[at + 10] << 8 | file.p[at + 11]);
	}
	for (size_t cut = 0; cut < file.len; cut++) {
		size_t whole = 0;
		char where[64];

		while (whole + 1 < n_bounds && bounds[whole + 1] <= cut)
			whole++;
		read_mem(&file, cut, &res);
		if (cut == bounds[whole]) {
			assert_int_equal(res.rc, 0);
			/* Records before the cut, less the peer table. */
			assert_int_equal(res.n_ribs, whole ? whole - 1 : 0);
			continue;
		}
		assert_int_equal(res.rc, -ENODATA);
		assert_int_equal(res.n_ribs, whole ? whole - 1 : 0);
		snprintf(where, sizeof(where), "offset %zu: record %zu", bounds[whole], whole + 1);
		assert_contains(res.err, where);
		assert_contains(res.err, "truncated");
	}
	mb_free(&file);
}

/* A dump with one corrupt RIB record after a good one: the error names it. */
static void check_corrupt(const struct mbuf *rib_body, uint16_t subtype, const char *what)
{
	static const uint16_t peer[] = { 0 };
	static const char *const paths[] = { "2:65001" }, *const hops[] = { "192.0.2.1" };
	struct mbuf file = { 0 };
	struct result res;
	char where[64];
	size_t offset;

	mb_peer_table(&file, three_peers, 3);
	ipv4_rib(&file, "10.0.0.0/8", 1, peer, paths, hops);
	offset = file.len;
	mb_record(&file, 13, subtype, rib_body);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, -EINVAL);
	assert_int_equal(res.n_ribs, 1);
	snprintf(where, sizeof(where), "offset %zu: record 3 (TABLE_DUMP_V2 ", offset);
	assert_contains(res.err, where);
	assert_contains(res.err, what);
	mb_free(&file);
}

static void test_corrupt_records(void **state)
{
	struct mbuf body = { 0 }, attrs = { 0 }, v = { 0 };

	(void)state;
	/* Peer index past the table. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_next_hop(&attrs, "192.0.2.1");
	mb_rib_entry(&body, 3, &attrs, false, 0);
	check_corrupt(&body, 2, "entry 0 of 1: peer index 3, but the PEER_INDEX_TABLE has 3 peers");
	mb_free(&body);
	mb_free(&attrs);
	/* An AS_PATH segment longer than its attribute (2-byte ASes, say). */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_put(&v, "\x02\x02\xfd\xe9\xfd\xea", 6);
	mb_attr(&attrs, 0x40, 2, &v);
	mb_rib_entry(&body, 0, &attrs, false, 0);
	check_corrupt(&body, 2, "AS_PATH: a segment runs past the attribute");
	mb_free(&body);
	mb_free(&attrs);
	mb_free(&v);
	/* An unknown segment type. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_as_path(&attrs, "9:1");
	mb_rib_entry(&body, 0, &attrs, false, 0);
	check_corrupt(&body, 2, "unknown segment type 9");
	mb_free(&body);
	mb_free(&attrs);
	/* NEXT_HOP of 16 bytes. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_addr(&v, "2001:db8::1");
	mb_attr(&attrs, 0x40, 3, &v);
	mb_rib_entry(&body, 0, &attrs, false, 0);
	check_corrupt(&body, 2, "NEXT_HOP: 16 bytes, not 4");
	mb_free(&body);
	mb_free(&attrs);
	mb_free(&v);
	/* MP_REACH_NLRI with a next hop of 5 bytes. */
	mb_rib_header(&body, 1, "2001:db8::/32", 1);
	mb_put(&v, "\x05\x01\x02\x03\x04\x05", 6);
	mb_attr(&attrs, 0x80, 14, &v);
	mb_rib_entry(&body, 0, &attrs, false, 0);
	check_corrupt(&body, 4, "next hop length 5");
	mb_free(&body);
	mb_free(&attrs);
	mb_free(&v);
	/* An attribute longer than the attributes. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_put(&attrs, "\x40\x03\x04\xc0\x00", 5);
	mb_rib_entry(&body, 0, &attrs, false, 0);
	check_corrupt(&body, 2, "attribute 3 runs past the attributes");
	mb_free(&body);
	mb_free(&attrs);
	/* Attributes longer than the record. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_put(&body, "\x00\x00\x00\x00\x00\x00\x00\x40", 8);
	check_corrupt(&body, 2, "attributes of 64 bytes run past the record");
	mb_free(&body);
	/* Prefix length 33 for IPv4. */
	mb_u32(&body, 1);
	mb_u8(&body, 33);
	mb_put(&body, "\x0a\0\0\0\0\0\0", 7);
	check_corrupt(&body, 2, "prefix length 33 (at most 32)");
	mb_free(&body);
	/* Bits past the prefix length. */
	mb_u32(&body, 1);
	mb_u8(&body, 12);
	mb_put(&body, "\x0a\x09\x00\x00", 4);
	check_corrupt(&body, 2, "has bits set past its length 12");
	mb_free(&body);
	/* Entries that end before the record does. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 0);
	mb_u8(&body, 0);
	check_corrupt(&body, 2, "1 bytes after the last entry");
	mb_free(&body);
	/* The same attribute twice. */
	mb_rib_header(&body, 1, "10.9.0.0/16", 1);
	mb_next_hop(&attrs, "192.0.2.1");
	mb_next_hop(&attrs, "192.0.2.2");
	mb_rib_entry(&body, 0, &attrs, false, 0);
	check_corrupt(&body, 2, "attribute 3 given twice");
	mb_free(&body);
	mb_free(&attrs);
	/* A peer table whose peers run past it. */
	mb_u32(&body, 1);
	mb_u16(&body, 0);
	mb_u16(&body, 2);
	mb_put(&body, "\x00\x00\x00\x00\x01\xc0\x00\x02\x01\xfd\xe9", 11);
	check_corrupt(&body, 1, "peer 1 of 2 runs past the record");
	mb_free(&body);
}

static void test_rib_before_peer_table_and_oversize(void **state)
{
	struct mbuf file = { 0 }, body = { 0 };
	struct result res;

	(void)state;
	mb_rib_header(&body, 0, "10.0.0.0/8", 0);
	mb_record(&file, 13, 2, &body);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, -EINVAL);
	assert_contains(res.err, "offset 0: record 1 (TABLE_DUMP_V2 RIB_IPV4_UNICAST): "
				 "a RIB record before any PEER_INDEX_TABLE");
	mb_free(&file);
	/* A length over the limit is refused before anything is allocated. */
	mb_u32(&file, 0);
	mb_u16(&file, 13);
	mb_u16(&file, 2);
	mb_u32(&file, MRT_RECORD_MAX + 1);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, -EFBIG);
	assert_contains(res.err, "over the limit");
	mb_free(&file);
	mb_free(&body);
}

/* A second PEER_INDEX_TABLE (concatenated dumps) applies to what follows. */
static void test_second_peer_table(void **state)
{
	static const struct mb_peer one[] = { { "2001:db8::9", 65009, false } };
	static const uint16_t peer[] = { 2 }, peer0[] = { 0 };
	static const char *const paths[] = { "2:1" }, *const hops[] = { "192.0.2.1" };
	struct mbuf file = { 0 };
	struct result res;

	(void)state;
	mb_peer_table(&file, three_peers, 3);
	ipv4_rib(&file, "10.0.0.0/8", 1, peer, paths, hops);
	mb_peer_table(&file, one, 1);
	ipv4_rib(&file, "10.1.0.0/16", 1, peer0, paths, hops);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.n_peers, 1);
	assert_int_equal(res.stats.peer_tables, 2);
	assert_int_equal(res.n_ribs, 2);
	mb_free(&file);
	/* Peer 2 of the old table is gone. */
	mb_peer_table(&file, one, 1);
	ipv4_rib(&file, "10.0.0.0/8", 1, peer, paths, hops);
	read_mem(&file, file.len, &res);
	assert_int_equal(res.rc, -EINVAL);
	mb_free(&file);
}

/* ---- compressed input ---- */

static char tmpdir[] = "/tmp/test_mrt.XXXXXX";

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void read_path(const char *path, struct result *res)
{
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	read_stream(f, res);
	fclose(f);
}

static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static void assert_same_ribs(const struct result *a, const struct result *b)
{
	assert_int_equal(a->n_ribs, b->n_ribs);
	for (size_t i = 0; i < a->n_ribs; i++) {
		assert_true(rt_prefix_equal(&a->ribs[i].prefix, &b->ribs[i].prefix));
		assert_int_equal(a->ribs[i].n, b->ribs[i].n);
		assert_int_equal(a->ribs[i].offset, b->ribs[i].offset);
		assert_memory_equal(a->ribs[i].paths, b->ribs[i].paths,
				    a->ribs[i].n * sizeof(a->ribs[i].paths[0]));
	}
}

static void test_compressed(void **state)
{
	struct mbuf file = { 0 };
	struct result plain, res;
	char path[256];

	(void)state;
	sample_dump(&file);
	read_mem(&file, file.len, &plain);
	snprintf(path, sizeof(path), "%s/dump", tmpdir);
	write_file(path, file.p, file.len);
	/* Told by content: the names say nothing. */
	run("gzip -c %s/dump > %s/a && bzip2 -c %s/dump > %s/b", tmpdir, tmpdir, tmpdir, tmpdir);
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	read_path(path, &res);
	assert_int_equal(res.kind, INSTREAM_GZIP);
	assert_int_equal(res.rc, 0);
	assert_same_ribs(&plain, &res);
	snprintf(path, sizeof(path), "%s/b", tmpdir);
	read_path(path, &res);
	assert_int_equal(res.kind, INSTREAM_BZIP2);
	assert_int_equal(res.rc, 0);
	assert_same_ribs(&plain, &res);

	/* Two members or streams, split inside a record: one stream. */
	write_file(path, file.p, 30);
	snprintf(path, sizeof(path), "%s/tail", tmpdir);
	write_file(path, file.p + 30, file.len - 30);
	run("cd %s && gzip -c b > cat.gz && gzip -c tail >> cat.gz && "
	    "bzip2 -c b > cat.bz2 && bzip2 -c tail >> cat.bz2", tmpdir);
	snprintf(path, sizeof(path), "%s/cat.gz", tmpdir);
	read_path(path, &res);
	assert_int_equal(res.rc, 0);
	assert_same_ribs(&plain, &res);
	snprintf(path, sizeof(path), "%s/cat.bz2", tmpdir);
	read_path(path, &res);
	assert_int_equal(res.rc, 0);
	assert_same_ribs(&plain, &res);

	/* Compressed data cut short: the records before the cut, then an error. */
	run("cd %s && head -c $(( $(stat -c %%s a) - 12 )) a > a.cut && "
	    "head -c $(( $(stat -c %%s cat.bz2) - 20 )) cat.bz2 > b.cut", tmpdir);
	snprintf(path, sizeof(path), "%s/a.cut", tmpdir);
	read_path(path, &res);
	assert_true(res.rc == -ENODATA);
	assert_contains(res.err, "truncated");
	snprintf(path, sizeof(path), "%s/b.cut", tmpdir);
	read_path(path, &res);
	assert_true(res.rc == -ENODATA || res.rc == -EBADMSG);
	assert_true(res.n_ribs < plain.n_ribs);

	/* Corrupt gzip data: an error that says gzip. */
	run("cd %s && cp a a.bad && printf 'XXXXXXXX' | dd of=a.bad bs=1 seek=14 conv=notrunc "
	    "2>/dev/null", tmpdir);
	snprintf(path, sizeof(path), "%s/a.bad", tmpdir);
	read_path(path, &res);
	assert_true(res.rc == -EBADMSG);
	assert_contains(res.err, "gzip");
	mb_free(&file);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_table_and_ribs),
		cmocka_unit_test(test_as_path_segments),
		cmocka_unit_test(test_next_hop_forms),
		cmocka_unit_test(test_choice_rule),
		cmocka_unit_test(test_addpath_and_skipped),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_corrupt_records),
		cmocka_unit_test(test_rib_before_peer_table_and_oversize),
		cmocka_unit_test(test_second_peer_table),
		cmocka_unit_test(test_compressed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
