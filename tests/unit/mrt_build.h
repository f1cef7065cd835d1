/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing MRT TABLE_DUMP_V2 bytes by hand, for the tests of lib/mrt.c:
 * every field spelled out, so a test can also write what a broken writer
 * would.
 */
#ifndef ROUTED_TESTS_MRT_BUILD_H
#define ROUTED_TESTS_MRT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mbuf {
	uint8_t *p;
	size_t len, cap;
};

void mb_put(struct mbuf *b, const void *data, size_t n);
void mb_u8(struct mbuf *b, uint8_t v);
void mb_u16(struct mbuf *b, uint16_t v);
void mb_u32(struct mbuf *b, uint32_t v);
/* An address's bytes (4 or 16): text is an IPv4 or IPv6 address. */
void mb_addr(struct mbuf *b, const char *text);
void mb_free(struct mbuf *b);

/* A record: the 12-byte header, then body. */
void mb_record(struct mbuf *file, uint16_t type, uint16_t subtype, const struct mbuf *body);

struct mb_peer {
	const char *addr;		/* IPv4 or IPv6 */
	uint32_t as;
	bool as4;
};

void mb_peer_table(struct mbuf *file, const struct mb_peer *peers, size_t n);

/* Attributes, appended to attrs. */
void mb_attr(struct mbuf *attrs, uint8_t flags, uint8_t type, const struct mbuf *value);
/* An AS_PATH of segments: "2:65001,65002 1:65010,65003" (type:ASes, space-separated). */
void mb_as_path(struct mbuf *attrs, const char *segments);
void mb_next_hop(struct mbuf *attrs, const char *addr);
/* MP_REACH_NLRI in RFC 6396's short form; a second address adds a link-local one. */
void mb_mp_reach(struct mbuf *attrs, const char *global, const char *link_local);

/* A RIB entry: peer index, originated time, [path id], attributes. */
void mb_rib_entry(struct mbuf *body, uint16_t peer, const struct mbuf *attrs, bool addpath,
		  uint32_t path_id);

/* A RIB record's header: sequence, prefix ("10.0.0.0/8"), entry count. */
void mb_rib_header(struct mbuf *body, uint32_t seq, const char *prefix, uint16_t count);

#endif
