/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MRT routing information export format (RFC 6396), TABLE_DUMP_V2 RIB
 * dumps: RouteViews, RIPE RIS and BIRD's mrt protocol write them.
 *
 * The reader streams: it holds one record and the current
 * PEER_INDEX_TABLE, never the file. Each RIB_IPV4_UNICAST or
 * RIB_IPV6_UNICAST record (and their ADD-PATH variants, RFC 8050) comes
 * out as one prefix with one path per RIB entry. Every length is checked
 * against its container; a record that breaks the format is an error
 * naming its offset in the uncompressed data, its number and what is
 * wrong. Records of other types and subtypes (BGP4MP, TABLE_DUMP,
 * multicast RIBs, RIB_GENERIC, GEO_PEER_TABLE) are skipped and counted.
 *
 * Path attributes (RFC 4271, RFC 6793, RFC 4760): AS_PATH is read with
 * 4-byte AS numbers, as RFC 6396 section 4.3.4 requires in these records;
 * NEXT_HOP; MP_REACH_NLRI in the abbreviated form of section 4.3.4 (next
 * hop length and next hop only), or in the full RFC 4760 form some
 * writers use. An IPv6 next hop of 32 bytes is global + link-local: the
 * global one is taken. Other attributes are skipped.
 */
#ifndef ROUTED_MRT_H
#define ROUTED_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/instream.h>
#include <routed/prefix.h>

/* Records longer than this are refused (the reader holds one record). */
#define MRT_RECORD_MAX (64u << 20)

struct mrt_peer {
	struct rt_addr addr;
	uint32_t bgp_id;		/* host byte order */
	uint32_t as;
	bool as4;			/* the table gave its AS in 4 bytes */
};

struct mrt_path {
	uint16_t peer;			/* index into the PEER_INDEX_TABLE */
	uint32_t path_id;		/* ADD-PATH records; 0 otherwise */
	struct rt_addr next_hop;	/* family 0: none in the attributes */
	bool has_origin;		/* false for an empty AS_PATH */
	uint32_t origin_as;		/* see mrt_path_origin rules in mrt.c */
	uint32_t as_path_len;		/* RFC 4271 9.1.2.2: an AS_SET counts 1,
					 * confederation segments 0 */
};

/* One RIB record: valid until the next mrt_reader_next() call. */
struct mrt_rib {
	struct rt_prefix prefix;
	uint32_t seq;
	const struct mrt_path *paths;
	size_t n_paths;
	uint64_t offset;		/* the record's, in the uncompressed data */
	uint64_t record;		/* 1 for the file's first record */
};

struct mrt_stats {
	uint64_t records;		/* read, of any type */
	uint64_t ribs;			/* RIB records returned */
	uint64_t paths;			/* RIB entries in them */
	uint64_t peer_tables;		/* PEER_INDEX_TABLE records */
	uint64_t skipped;		/* records of other types or subtypes */
};

struct mrt_reader;

/*
 * A reader over in, which stays the caller's and must outlive the
 * reader. NULL with errno ENOMEM.
 */
struct mrt_reader *mrt_reader_new(struct instream *in);

/*
 * The next RIB record into *out. Returns 1, 0 at the end of the data, or
 * an error with "offset O: record N (TYPE): what" in err: -EINVAL for a
 * record that breaks the format, -ENODATA when the data ends inside a
 * record, -EFBIG for a record over MRT_RECORD_MAX, -ENOMEM, or the
 * input's error (-EIO, -EBADMSG). After an error the reader stays failed.
 */
int mrt_reader_next(struct mrt_reader *r, struct mrt_rib *out, char *err, size_t errlen);

/*
 * The current PEER_INDEX_TABLE (the last one read: a file of
 * concatenated dumps has several): its size, and peer i of it.
 */
size_t mrt_reader_peer_count(const struct mrt_reader *r);
const struct mrt_peer *mrt_reader_peer(const struct mrt_reader *r, size_t i);

void mrt_reader_stats(const struct mrt_reader *r, struct mrt_stats *out);

void mrt_reader_free(struct mrt_reader *r);

/*
 * The path to import for a prefix: among the paths of peer (or of every
 * peer when peer < 0), the one with the shortest AS path, then the lowest
 * peer index, then the first in the record. Its index, or -1 when there
 * is none.
 */
long mrt_choose_path(const struct mrt_rib *rib, long peer);

/* The name of an MRT type/subtype pair for messages ("TABLE_DUMP_V2 RIB_IPV4_UNICAST"). */
void mrt_record_name(uint16_t type, uint16_t subtype, char *buf, size_t buflen);

#endif
