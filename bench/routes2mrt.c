/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routes2mrt: write a route file as an MRT TABLE_DUMP_V2 RIB dump, for
 * the benchmark of routectl load --format mrt (bench/mrt-bench.sh).
 *
 *   routes2mrt [--peers N] ROUTES [OUT]     (OUT: standard output by default)
 *
 * One PEER_INDEX_TABLE of N synthetic peers (default 4; IPv4 and IPv6
 * addresses, 2- and 4-byte AS numbers), then one RIB record per route in
 * file order. Each prefix is seen by 1..N peers; the peer the importer's
 * default rule picks (the shortest AS path, then the lowest index) carries
 * the route's via as its next hop and the route's tag (or a synthetic AS)
 * as the origin of its AS path, so a default load gives back the routes'
 * prefix, via and tag. The others carry longer paths and other next hops.
 * IPv6 next hops are written as global + link-local (32 bytes).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/routefile.h>

#define MAX_PEERS 16
#define TIMESTAMP 1700000000u

struct out {
	FILE *f;
	uint8_t *buf;			/* the record being built */
	size_t len, cap;
	uint32_t seq;
	unsigned peers;
};

static void put(struct out *o, const void *data, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4096;

		while (cap < o->len + n)
			cap *= 2;
		o->buf = realloc(o->buf, cap);
		if (!o->buf) {
			fprintf(stderr, "routes2mrt: out of memory\n");
			exit(1);
		}
		o->cap = cap;
	}
	memcpy(o->buf + o->len, data, n);
	o->len += n;
}

static void put8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

static void put16(struct out *o, uint16_t v)
{
	uint8_t p[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(o, p, 2);
}

static void put32(struct out *o, uint32_t v)
{
	put16(o, (uint16_t)(v >> 16));
	put16(o, (uint16_t)v);
}

static void set16(struct out *o, size_t at, uint16_t v)
{
	o->buf[at] = (uint8_t)(v >> 8);
	o->buf[at + 1] = (uint8_t)v;
}

/* Write the built body as one record. */
static int flush_record(struct out *o, uint16_t subtype)
{
	uint8_t h[12] = { 0 };

	h[0] = TIMESTAMP >> 24;
	h[1] = (uint8_t)(TIMESTAMP >> 16);
	h[2] = (uint8_t)(TIMESTAMP >> 8);
	h[3] = (uint8_t)TIMESTAMP;
	h[5] = 13;
	h[7] = (uint8_t)subtype;
	h[8] = (uint8_t)(o->len >> 24);
	h[9] = (uint8_t)(o->len >> 16);
	h[10] = (uint8_t)(o->len >> 8);
	h[11] = (uint8_t)o->len;
	if (fwrite(h, 1, sizeof(h), o->f) != sizeof(h) ||
	    fwrite(o->buf, 1, o->len, o->f) != o->len)
		return -EIO;
	o->len = 0;
	return 0;
}

static uint32_t peer_as(unsigned i)
{
	return i % 2 ? 4200000000u + i : 64500u + i;
}

static int write_peer_table(struct out *o)
{
	put32(o, 0xc0000201);
	put16(o, 5);
	put(o, "bench", 5);
	put16(o, (uint16_t)o->peers);
	for (unsigned i = 0; i < o->peers; i++) {
		bool v6 = i % 2, as4 = peer_as(i) > 0xffff;

		put8(o, (uint8_t)((v6 ? 1 : 0) | (as4 ? 2 : 0)));
		put32(o, 0xc6336400u + i);
		if (v6) {
			uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff };

			a[15] = (uint8_t)(i + 1);
			put(o, a, 16);
		} else {
			uint8_t a[4] = { 198, 51, 100, (uint8_t)(i + 1) };

			put(o, a, 4);
		}
		if (as4)
			put32(o, peer_as(i));
		else
			put16(o, (uint16_t)peer_as(i));
	}
	return flush_record(o, 1);
}

static uint32_t mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352d;
	h ^= h >> 15;
	h *= 0x846ca68b;
	return h ^ (h >> 16);
}

static uint32_t prefix_hash(const struct rt_prefix *p)
{
	uint32_t h = p->len;

	for (unsigned i = 0; i < 16; i++)
		h = mix(h ^ p->addr.bytes[i] ^ (i << 8));
	return h;
}

/* One entry: peer, AS path of len ASes ending in origin, next hop gw (or none). */
static void write_entry(struct out *o, unsigned peer, unsigned len, uint32_t origin,
			const struct rt_addr *gw)
{
	size_t alen_at;

	put16(o, (uint16_t)peer);
	put32(o, TIMESTAMP);
	alen_at = o->len;
	put16(o, 0);
	put8(o, 0x40);			/* ORIGIN IGP */
	put8(o, 1);
	put8(o, 1);
	put8(o, 0);
	put8(o, 0x40);			/* AS_PATH: one AS_SEQUENCE */
	put8(o, 2);
	put8(o, (uint8_t)(2 + 4 * len));
	put8(o, 2);
	put8(o, (uint8_t)len);
	put32(o, peer_as(peer));
	for (unsigned k = 1; k + 1 < len; k++)
		put32(o, 65000u + k * 11 + peer);
	put32(o, origin);
	if (gw->family == AF_INET) {
		put8(o, 0x40);
		put8(o, 3);
		put8(o, 4);
		put(o, gw->bytes, 4);
	} else if (gw->family == AF_INET6) {
		static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 1 };

		put8(o, 0x80);
		put8(o, 14);
		put8(o, 33);
		put8(o, 32);
		put(o, gw->bytes, 16);
		put(o, ll, 16);
	}
	set16(o, alen_at, (uint16_t)(o->len - alen_at - 2));
}

static int write_route(const struct rt_route *r, void *arg)
{
	struct out *o = arg;
	uint32_t h = prefix_hash(&r->prefix);
	unsigned n = 1 + h % o->peers, winner = (h >> 8) % n;
	unsigned len = 2 + (h >> 16) % 3;
	uint32_t origin = r->has_tag ? r->tag : 64512u + (h >> 4) % 1000;
	size_t count_at;

	put32(o, o->seq++);
	put8(o, r->prefix.len);
	put(o, r->prefix.addr.bytes, (r->prefix.len + 7u) / 8);
	count_at = o->len;
	put16(o, 0);
	/* Peers 0..n-1 see it; the winner has the shortest path (ties go to lower indexes). */
	for (unsigned p = 0; p < n; p++) {
		struct rt_addr other = r->gateway;

		if (p == winner) {
			write_entry(o, p, len, origin, &r->gateway);
			continue;
		}
		if (other.family)
			other.bytes[other.family == AF_INET ? 3 : 15] ^= (uint8_t)(p + 1);
		write_entry(o, p, len + 1 + p % 2, 64512u + p, &other);
	}
	set16(o, count_at, (uint16_t)n);
	return flush_record(o, r->prefix.addr.family == AF_INET ? 2 : 4);
}

int main(int argc, char **argv)
{
	struct out o = { .peers = 4 };
	char err[RT_ERR_LEN] = "";
	FILE *in;
	int i = 1, rc;

	if (argc > 2 && !strcmp(argv[1], "--peers")) {
		o.peers = (unsigned)atoi(argv[2]);
		i = 3;
	}
	if (argc - i < 1 || argc - i > 2 || o.peers < 1 || o.peers > MAX_PEERS) {
		fprintf(stderr, "usage: routes2mrt [--peers 1..%d] ROUTES [OUT]\n", MAX_PEERS);
		return 2;
	}
	in = strcmp(argv[i], "-") ? fopen(argv[i], "re") : stdin;
	if (!in) {
		fprintf(stderr, "routes2mrt: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	o.f = argc - i == 2 ? fopen(argv[i + 1], "we") : stdout;
	if (!o.f) {
		fprintf(stderr, "routes2mrt: %s: %s\n", argv[i + 1], strerror(errno));
		return 1;
	}
	rc = write_peer_table(&o);
	if (!rc)
		rc = routefile_read(in, argv[i], write_route, &o, err, sizeof(err));
	if (!rc && fflush(o.f))
		rc = -EIO;
	if (rc == -EIO && !err[0])
		snprintf(err, sizeof(err), "write error: %s", strerror(errno ? errno : EIO));
	if (rc)
		fprintf(stderr, "routes2mrt: %s\n", err);
	free(o.buf);
	if (o.f != stdout)
		fclose(o.f);
	if (in != stdin)
		fclose(in);
	return rc ? 1 : 0;
}
