/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt_build.h"

static void die(const char *what)
{
	fprintf(stderr, "mrt_build: %s\n", what);
	abort();
}

void mb_put(struct mbuf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die("out of memory");
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void mb_u8(struct mbuf *b, uint8_t v)
{
	mb_put(b, &v, 1);
}

void mb_u16(struct mbuf *b, uint16_t v)
{
	uint8_t p[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	mb_put(b, p, 2);
}

void mb_u32(struct mbuf *b, uint32_t v)
{
	mb_u16(b, (uint16_t)(v >> 16));
	mb_u16(b, (uint16_t)v);
}

void mb_addr(struct mbuf *b, const char *text)
{
	uint8_t bytes[16];

	if (inet_pton(AF_INET, text, bytes) == 1)
		mb_put(b, bytes, 4);
	else if (inet_pton(AF_INET6, text, bytes) == 1)
		mb_put(b, bytes, 16);
	else
		die(text);
}

void mb_free(struct mbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void mb_record(struct mbuf *file, uint16_t type, uint16_t subtype, const struct mbuf *body)
{
	mb_u32(file, 1700000000u);
	mb_u16(file, type);
	mb_u16(file, subtype);
	mb_u32(file, (uint32_t)body->len);
	mb_put(file, body->p, body->len);
}

void mb_peer_table(struct mbuf *file, const struct mb_peer *peers, size_t n)
{
	struct mbuf body = { 0 };

	mb_u32(&body, 0x0a000001);	/* collector BGP ID */
	mb_u16(&body, 4);
	mb_put(&body, "test", 4);
	mb_u16(&body, (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		bool v6 = strchr(peers[i].addr, ':') != NULL;

		mb_u8(&body, (uint8_t)((v6 ? 1 : 0) | (peers[i].as4 ? 2 : 0)));
		mb_u32(&body, 0x0a000100u + (uint32_t)i);
		mb_addr(&body, peers[i].addr);
		if (peers[i].as4)
			mb_u32(&body, peers[i].as);
		else
			mb_u16(&body, (uint16_t)peers[i].as);
	}
	mb_record(file, 13, 1, &body);
	mb_free(&body);
}

void mb_attr(struct mbuf *attrs, uint8_t flags, uint8_t type, const struct mbuf *value)
{
	mb_u8(attrs, flags);
	mb_u8(attrs, type);
	if (flags & 0x10)
		mb_u16(attrs, (uint16_t)value->len);
	else
		mb_u8(attrs, (uint8_t)value->len);
	mb_put(attrs, value->p, value->len);
}

void mb_as_path(struct mbuf *attrs, const char *segments)
{
	struct mbuf v = { 0 };
	char *copy = strdup(segments), *save = NULL;

	for (char *seg = strtok_r(copy, " ", &save); seg; seg = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(seg, ':'), *save2 = NULL;
		struct mbuf ases = { 0 };
		uint8_t count = 0;

		if (!colon)
			die(segments);
		*colon = '\0';
		for (char *as = strtok_r(colon + 1, ",", &save2); as;
		     as = strtok_r(NULL, ",", &save2)) {
			mb_u32(&ases, (uint32_t)strtoul(as, NULL, 10));
			count++;
		}
		mb_u8(&v, (uint8_t)atoi(seg));
		mb_u8(&v, count);
		mb_put(&v, ases.p, ases.len);
		mb_free(&ases);
	}
	mb_attr(attrs, 0x40, 2, &v);
	mb_free(&v);
	free(copy);
}

void mb_next_hop(struct mbuf *attrs, const char *addr)
{
	struct mbuf v = { 0 };

	mb_addr(&v, addr);
	mb_attr(attrs, 0x40, 3, &v);
	mb_free(&v);
}

void mb_mp_reach(struct mbuf *attrs, const char *global, const char *link_local)
{
	struct mbuf v = { 0 }, nh = { 0 };

	mb_addr(&nh, global);
	if (link_local)
		mb_addr(&nh, link_local);
	mb_u8(&v, (uint8_t)nh.len);
	mb_put(&v, nh.p, nh.len);
	mb_attr(attrs, 0x80, 14, &v);
	mb_free(&v);
	mb_free(&nh);
}

void mb_rib_entry(struct mbuf *body, uint16_t peer, const struct mbuf *attrs, bool addpath,
		  uint32_t path_id)
{
	mb_u16(body, peer);
	mb_u32(body, 1700000000u);
	if (addpath)
		mb_u32(body, path_id);
	mb_u16(body, (uint16_t)attrs->len);
	mb_put(body, attrs->p, attrs->len);
}

void mb_rib_header(struct mbuf *body, uint32_t seq, const char *prefix, uint16_t count)
{
	char addr[64];
	const char *slash = strchr(prefix, '/');
	uint8_t bytes[16];
	unsigned len;

	if (!slash || (size_t)(slash - prefix) >= sizeof(addr))
		die(prefix);
	memcpy(addr, prefix, (size_t)(slash - prefix));
	addr[slash - prefix] = '\0';
	len = (unsigned)atoi(slash + 1);
	if (inet_pton(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, bytes) != 1)
		die(prefix);
	mb_u32(body, seq);
	mb_u8(body, (uint8_t)len);
	mb_put(body, bytes, (len + 7) / 8);
	mb_u16(body, count);
}
