/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TABLE_DUMP_V2 reader (see mrt.h). Layouts, all big-endian:
 *
 *   MRT header (RFC 6396 2): timestamp 4, type 2, subtype 2, length 4
 *   PEER_INDEX_TABLE (4.3.1): collector BGP ID 4, view name length 2,
 *     view name, peer count 2, peers: type 1 (bit 0: IPv6 address,
 *     bit 1: 4-byte AS), BGP ID 4, address 4|16, AS 2|4
 *   RIB_IPVx_UNICAST (4.3.2): sequence 4, prefix length 1, prefix
 *     bytes ceil(len / 8), entry count 2, entries: peer index 2,
 *     originated time 4, [path id 4: ADD-PATH, RFC 8050], attribute
 *     length 2, attributes
 *   attribute (RFC 4271 4.3): flags 1 (0x10: 2-byte length), type 1,
 *     length 1|2, value
 *
 * The origin AS of a path is the last AS of its AS_PATH, skipping
 * confederation segments; when the last segment is an AS_SET (an
 * aggregate), the lowest AS number in the set, so the choice does not
 * depend on the order the set was written in.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/mrt.h>

#include "bytes.h"

#define MRT_HEADER_LEN 12
#define READ_STEP (1u << 20)	/* a body is read (and its buffer grown) this much at a time */
#define MRT_TABLE_DUMP_V2 13

enum {
	TD2_PEER_INDEX_TABLE = 1,
	TD2_RIB_IPV4_UNICAST = 2,
	TD2_RIB_IPV4_MULTICAST = 3,
	TD2_RIB_IPV6_UNICAST = 4,
	TD2_RIB_IPV6_MULTICAST = 5,
	TD2_RIB_GENERIC = 6,
	TD2_GEO_PEER_TABLE = 7,
	TD2_RIB_IPV4_UNICAST_ADDPATH = 8,
	TD2_RIB_IPV4_MULTICAST_ADDPATH = 9,
	TD2_RIB_IPV6_UNICAST_ADDPATH = 10,
	TD2_RIB_IPV6_MULTICAST_ADDPATH = 11,
	TD2_RIB_GENERIC_ADDPATH = 12,
};

enum {
	ATTR_FLAG_EXTENDED = 0x10,
	ATTR_AS_PATH = 2,
	ATTR_NEXT_HOP = 3,
	ATTR_MP_REACH_NLRI = 14,
};

enum {
	SEG_AS_SET = 1,
	SEG_AS_SEQUENCE = 2,
	SEG_CONFED_SEQUENCE = 3,
	SEG_CONFED_SET = 4,
};

struct mrt_reader {
	struct instream *in;
	struct mrt_stats stats;
	int error;			/* sticky */
	uint8_t *buf;			/* the current record's body */
	size_t buf_cap;
	struct mrt_peer *peers;		/* the current PEER_INDEX_TABLE */
	size_t n_peers;
	bool has_peer_table;
	struct mrt_path *paths;		/* the current RIB record's */
	size_t paths_cap;
};

/* A bounded view of bytes: every read checks what is left. */
struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool take(struct cursor *c, size_t n, const uint8_t **out)
{
	if (c->left < n)
		return false;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool take_u8(struct cursor *c, uint8_t *v)
{
	const uint8_t *p;

	if (!take(c, 1, &p))
		return false;
	*v = p[0];
	return true;
}

static bool take_u16(struct cursor *c, uint16_t *v)
{
	const uint8_t *p;

	if (!take(c, 2, &p))
		return false;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return true;
}

static bool take_u32(struct cursor *c, uint32_t *v)
{
	const uint8_t *p;

	if (!take(c, 4, &p))
		return false;
	*v = get_be32(p);
	return true;
}

static void addr_set(struct rt_addr *a, int family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, bytes, family == AF_INET ? 4 : 16);
}

void mrt_record_name(uint16_t type, uint16_t subtype, char *buf, size_t buflen)
{
	static const char *const td2[] = {
		[TD2_PEER_INDEX_TABLE] = "PEER_INDEX_TABLE",
		[TD2_RIB_IPV4_UNICAST] = "RIB_IPV4_UNICAST",
		[TD2_RIB_IPV4_MULTICAST] = "RIB_IPV4_MULTICAST",
		[TD2_RIB_IPV6_UNICAST] = "RIB_IPV6_UNICAST",
		[TD2_RIB_IPV6_MULTICAST] = "RIB_IPV6_MULTICAST",
		[TD2_RIB_GENERIC] = "RIB_GENERIC",
		[TD2_GEO_PEER_TABLE] = "GEO_PEER_TABLE",
		[TD2_RIB_IPV4_UNICAST_ADDPATH] = "RIB_IPV4_UNICAST_ADDPATH",
		[TD2_RIB_IPV4_MULTICAST_ADDPATH] = "RIB_IPV4_MULTICAST_ADDPATH",
		[TD2_RIB_IPV6_UNICAST_ADDPATH] = "RIB_IPV6_UNICAST_ADDPATH",
		[TD2_RIB_IPV6_MULTICAST_ADDPATH] = "RIB_IPV6_MULTICAST_ADDPATH",
		[TD2_RIB_GENERIC_ADDPATH] = "RIB_GENERIC_ADDPATH",
	};

	if (type == MRT_TABLE_DUMP_V2 && subtype < sizeof(td2) / sizeof(td2[0]) && td2[subtype])
		rt_seterr(buf, buflen, "TABLE_DUMP_V2 %s", td2[subtype]);
	else
		rt_seterr(buf, buflen, "type %u subtype %u", type, subtype);
}

struct mrt_reader *mrt_reader_new(struct instream *in)
{
	struct mrt_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->in = in;
	return r;
}

void mrt_reader_free(struct mrt_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->peers);
	free(r->paths);
	free(r);
}

size_t mrt_reader_peer_count(const struct mrt_reader *r)
{
	return r->n_peers;
}

const struct mrt_peer *mrt_reader_peer(const struct mrt_reader *r, size_t i)
{
	return i < r->n_peers ? &r->peers[i] : NULL;
}

void mrt_reader_stats(const struct mrt_reader *r, struct mrt_stats *out)
{
	*out = r->stats;
}

/* ---- PEER_INDEX_TABLE ---- */

static int parse_peer_table(struct mrt_reader *r, struct cursor *c, char *msg, size_t len)
{
	struct mrt_peer *peers = NULL;
	const uint8_t *p;
	uint16_t name_len, count;
	uint32_t collector;

	if (!take_u32(c, &collector) || !take_u16(c, &name_len) || !take(c, name_len, &p) ||
	    !take_u16(c, &count)) {
		rt_seterr(msg, len, "the header runs past the record");
		return -EINVAL;
	}
	if (count) {
		peers = calloc(count, sizeof(*peers));
		if (!peers) {
			rt_seterr(msg, len, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < count; i++) {
		struct mrt_peer *peer = &peers[i];
		int family;
		uint8_t type;
		uint16_t as16;

		if (!take_u8(c, &type) || !take_u32(c, &peer->bgp_id))
			goto short_peer;
		family = type & 1 ? AF_INET6 : AF_INET;
		if (!take(c, family == AF_INET ? 4 : 16, &p))
			goto short_peer;
		addr_set(&peer->addr, family, p);
		peer->as4 = type & 2;
		if (peer->as4 ? !take_u32(c, &peer->as) : !take_u16(c, &as16))
			goto short_peer;
		if (!peer->as4)
			peer->as = as16;
		continue;
short_peer:
		rt_seterr(msg, len, "peer %zu of %u runs past the record", i, count);
		free(peers);
		return -EINVAL;
	}
	if (c->left) {
		rt_seterr(msg, len, "%zu bytes after the last peer", c->left);
		free(peers);
		return -EINVAL;
	}
	free(r->peers);
	r->peers = peers;
	r->n_peers = count;
	r->has_peer_table = true;
	r->stats.peer_tables++;
	return 0;
}

/* ---- path attributes ---- */

static int parse_as_path(struct cursor c, struct mrt_path *path, char *msg, size_t len)
{
	bool origin_known = false;
	uint32_t origin = 0, hops = 0;

	while (c.left) {
		const uint8_t *ases;
		uint8_t type, count;

		if (!take_u8(&c, &type) || !take_u8(&c, &count) ||
		    !take(&c, (size_t)count * 4, &ases)) {
			rt_seterr(msg, len, "AS_PATH: a segment runs past the attribute");
			return -EINVAL;
		}
		switch (type) {
		case SEG_AS_SEQUENCE:
			hops += count;
			if (count) {
				origin = get_be32(ases + 4 * (count - 1));
				origin_known = true;
			}
			break;
		case SEG_AS_SET:
			hops += count ? 1 : 0;
			for (unsigned i = 0; i < count; i++) {
				uint32_t as = get_be32(ases + 4 * i);

				if (i == 0 || as < origin)
					origin = as;
			}
			origin_known = origin_known || count;
			break;
		case SEG_CONFED_SEQUENCE:
		case SEG_CONFED_SET:
			break;
		default:
			rt_seterr(msg, len, "AS_PATH: unknown segment type %u", type);
			return -EINVAL;
		}
	}
	path->has_origin = origin_known;
	path->origin_as = origin;
	path->as_path_len = hops;
	return 0;
}

static int next_hop_len_family(unsigned nh_len)
{
	return nh_len == 4 ? AF_INET : nh_len == 16 || nh_len == 32 ? AF_INET6 : 0;
}

/*
 * MP_REACH_NLRI: RFC 6396 4.3.4's abbreviated form is the next hop length
 * and the next hop; the full RFC 4760 form starts with AFI 2 and SAFI 1.
 * The abbreviated form is recognized by its length.
 */
static int parse_mp_reach(struct cursor c, struct rt_addr *nh, char *msg, size_t len)
{
	const uint8_t *p;
	uint8_t nh_len;
	int family;

	if (c.left >= 1 && (size_t)c.p[0] + 1 == c.left) {
		take_u8(&c, &nh_len);
	} else if (c.left >= 4) {
		c.p += 3;
		c.left -= 3;
		take_u8(&c, &nh_len);
	} else {
		rt_seterr(msg, len, "MP_REACH_NLRI: %zu bytes, too short", c.left);
		return -EINVAL;
	}
	family = next_hop_len_family(nh_len);
	if (!family) {
		rt_seterr(msg, len, "MP_REACH_NLRI: next hop length %u (not 4, 16 or 32)", nh_len);
		return -EINVAL;
	}
	if (!take(&c, nh_len, &p)) {
		rt_seterr(msg, len, "MP_REACH_NLRI: the next hop runs past the attribute");
		return -EINVAL;
	}
	/* 32 bytes: global, then link-local. */
	addr_set(nh, family, p);
	return 0;
}

struct attrs_seen {
	bool as_path, next_hop, mp_reach;
	struct rt_addr next_hop_addr, mp_reach_addr;
};

static int parse_attr(uint8_t type, struct cursor value, struct attrs_seen *seen,
		      struct mrt_path *path, char *msg, size_t len)
{
	bool *once = type == ATTR_AS_PATH ? &seen->as_path :
		     type == ATTR_NEXT_HOP ? &seen->next_hop :
		     type == ATTR_MP_REACH_NLRI ? &seen->mp_reach : NULL;

	if (!once)
		return 0;
	if (*once) {
		rt_seterr(msg, len, "attribute %u given twice", type);
		return -EINVAL;
	}
	*once = true;
	if (type == ATTR_AS_PATH)
		return parse_as_path(value, path, msg, len);
	if (type == ATTR_MP_REACH_NLRI)
		return parse_mp_reach(value, &seen->mp_reach_addr, msg, len);
	if (value.left != 4) {
		rt_seterr(msg, len, "NEXT_HOP: %zu bytes, not 4", value.left);
		return -EINVAL;
	}
	addr_set(&seen->next_hop_addr, AF_INET, value.p);
	return 0;
}

static int parse_attrs(struct cursor c, int family, struct mrt_path *path, char *msg,
		       size_t len)
{
	struct attrs_seen seen = { 0 };
	int rc;

	while (c.left) {
		struct cursor value = { 0 };
		uint8_t flags, type, len8;
		uint16_t vlen;

		if (!take_u8(&c, &flags) || !take_u8(&c, &type)) {
			rt_seterr(msg, len, "an attribute header runs past the attributes");
			return -EINVAL;
		}
		if (flags & ATTR_FLAG_EXTENDED) {
			if (!take_u16(&c, &vlen))
				goto runs_past;
		} else {
			if (!take_u8(&c, &len8))
				goto runs_past;
			vlen = len8;
		}
		value.left = vlen;
		if (!take(&c, vlen, &value.p))
			goto runs_past;
		rc = parse_attr(type, value, &seen, path, msg, len);
		if (rc)
			return rc;
		continue;
runs_past:
		rt_seterr(msg, len, "attribute %u runs past the attributes", type);
		return -EINVAL;
	}
	/* The route's own family first: NEXT_HOP for IPv4, MP_REACH_NLRI for IPv6. */
	if (family == AF_INET && seen.next_hop)
		path->next_hop = seen.next_hop_addr;
	else if (seen.mp_reach)
		path->next_hop = seen.mp_reach_addr;
	else if (seen.next_hop)
		path->next_hop = seen.next_hop_addr;
	return 0;
}

/* ---- RIB records ---- */

static int grow_paths(struct mrt_reader *r, size_t n)
{
	struct mrt_path *paths;

	if (n <= r->paths_cap)
		return 0;
	paths = realloc(r->paths, n * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	r->paths = paths;
	r->paths_cap = n;
	return 0;
}

static int parse_rib_entry(struct mrt_reader *r, struct cursor *c, bool addpath, int family,
			   struct mrt_path *path, char *msg, size_t len)
{
	struct cursor attrs = { 0 };
	uint32_t originated;
	uint16_t alen;

	memset(path, 0, sizeof(*path));
	if (!take_u16(c, &path->peer) || !take_u32(c, &originated) ||
	    (addpath && !take_u32(c, &path->path_id)) || !take_u16(c, &alen)) {
		rt_seterr(msg, len, "the entry header runs past the record");
		return -EINVAL;
	}
	attrs.left = alen;
	if (!take(c, alen, &attrs.p)) {
		rt_seterr(msg, len, "attributes of %u bytes run past the record", alen);
		return -EINVAL;
	}
	if (path->peer >= r->n_peers) {
		rt_seterr(msg, len, "peer index %u, but the PEER_INDEX_TABLE has %zu peers",
			  path->peer, r->n_peers);
		return -EINVAL;
	}
	return parse_attrs(attrs, family, path, msg, len);
}

static int parse_rib(struct mrt_reader *r, struct cursor *c, int family, bool addpath,
		     struct mrt_rib *out, char *msg, size_t len)
{
	unsigned max_len = rt_family_bits(family);
	uint8_t plen, bytes[16] = { 0 };
	struct rt_addr addr = { 0 };
	const uint8_t *p;
	uint16_t count;
	int rc;

	if (!r->has_peer_table) {
		rt_seterr(msg, len, "a RIB record before any PEER_INDEX_TABLE");
		return -EINVAL;
	}
	if (!take_u32(c, &out->seq) || !take_u8(c, &plen)) {
		rt_seterr(msg, len, "the header runs past the record");
		return -EINVAL;
	}
	if (plen > max_len) {
		rt_seterr(msg, len, "prefix length %u (at most %u)", plen, max_len);
		return -EINVAL;
	}
	if (!take(c, (plen + 7u) / 8, &p) || !take_u16(c, &count)) {
		rt_seterr(msg, len, "the header runs past the record");
		return -EINVAL;
	}
	memcpy(bytes, p, (plen + 7u) / 8);
	addr_set(&addr, family, bytes);
	/* Host bits set mean a broken writer: say so rather than guess. */
	if (rt_prefix_make(&addr, plen, &out->prefix)) {
		char text[RT_ADDR_STRLEN];

		rt_seterr(msg, len, "prefix %s has bits set past its length %u",
			  rt_addr_format(&addr, text, sizeof(text)), plen);
		return -EINVAL;
	}
	if (grow_paths(r, count)) {
		rt_seterr(msg, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		char what[RT_ERR_LEN];

		rc = parse_rib_entry(r, c, addpath, family, &r->paths[i], what, sizeof(what));
		if (rc) {
			rt_seterr(msg, len, "entry %zu of %u: %s", i, count, what);
			return rc;
		}
	}
	if (c->left) {
		rt_seterr(msg, len, "%zu bytes after the last entry", c->left);
		return -EINVAL;
	}
	out->paths = r->paths;
	out->n_paths = count;
	return 0;
}

/* ---- records ---- */

/* Read exactly n bytes: n, fewer at the end of the data, or an error. */
static ssize_t read_full(struct mrt_reader *r, uint8_t *buf, size_t n, char *msg, size_t len)
{
	size_t done = 0;

	while (done < n) {
		ssize_t got = instream_read(r->in, buf + done, n - done, msg, len);

		if (got < 0)
			return got;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (ssize_t)done;
}

/* Make room for n bytes in r->buf. */
static int reserve(struct mrt_reader *r, size_t n)
{
	uint8_t *buf;

	if (n <= r->buf_cap)
		return 0;
	buf = realloc(r->buf, n);
	if (!buf)
		return -ENOMEM;
	r->buf = buf;
	r->buf_cap = n;
	return 0;
}

/*
 * Read one record's body into r->buf. The buffer grows with the bytes
 * that arrive, not with the length the header claims: a damaged header
 * costs no more memory than the data behind it.
 */
static int read_body(struct mrt_reader *r, uint32_t body_len, char *msg, size_t len)
{
	size_t have = 0;

	if (body_len > MRT_RECORD_MAX) {
		rt_seterr(msg, len, "length %u is over the limit of %u bytes", body_len,
			  MRT_RECORD_MAX);
		return -EFBIG;
	}
	while (have < body_len) {
		size_t want = body_len - have < READ_STEP ? body_len - have : READ_STEP;
		ssize_t got;

		if (reserve(r, have + want)) {
			rt_seterr(msg, len, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		got = read_full(r, r->buf + have, want, msg, len);
		if (got < 0)
			return (int)got;
		have += (size_t)got;
		if ((size_t)got < want) {
			rt_seterr(msg, len, "truncated: the data ends %zu bytes into a body of %u",
				  have, body_len);
			return -ENODATA;
		}
	}
	return 0;
}

static int family_of(uint16_t subtype, bool *addpath)
{
	*addpath = subtype == TD2_RIB_IPV4_UNICAST_ADDPATH ||
		   subtype == TD2_RIB_IPV6_UNICAST_ADDPATH;
	switch (subtype) {
	case TD2_RIB_IPV4_UNICAST:
	case TD2_RIB_IPV4_UNICAST_ADDPATH:
		return AF_INET;
	case TD2_RIB_IPV6_UNICAST:
	case TD2_RIB_IPV6_UNICAST_ADDPATH:
		return AF_INET6;
	}
	return 0;
}

int mrt_reader_next(struct mrt_reader *r, struct mrt_rib *out, char *err, size_t errlen)
{
	char msg[RT_ERR_LEN], name[64];
	uint8_t header[MRT_HEADER_LEN];
	uint64_t offset;
	uint16_t type, subtype;
	uint32_t body_len;
	ssize_t got;
	int rc = 0;

	if (r->error) {
		rt_seterr(err, errlen, "the reader stopped at an earlier error");
		return r->error;
	}
	for (;;) {
		struct cursor c;
		bool addpath;
		int family;

		name[0] = '\0';
		offset = instream_offset(r->in);
		got = read_full(r, header, sizeof(header), msg, sizeof(msg));
		if (got == 0)
			return 0;
		r->stats.records++;
		if (got < 0) {
			rc = (int)got;
			goto fail;
		}
		if ((size_t)got < sizeof(header)) {
			rt_seterr(msg, sizeof(msg),
				  "truncated: the data ends %zd bytes into the 12-byte header", got);
			rc = -ENODATA;
			goto fail;
		}
		type = (uint16_t)(header[4] << 8 | header[5]);
		subtype = (uint16_t)(header[6] << 8 | header[7]);
		body_len = get_be32(header + 8);
		mrt_record_name(type, subtype, name, sizeof(name));
		rc = read_body(r, body_len, msg, sizeof(msg));
		if (rc)
			goto fail;
		c.p = r->buf;
		c.left = body_len;
		if (type != MRT_TABLE_DUMP_V2) {
			r->stats.skipped++;
			continue;
		}
		if (subtype == TD2_PEER_INDEX_TABLE) {
			rc = parse_peer_table(r, &c, msg, sizeof(msg));
			if (rc)
				goto fail;
			continue;
		}
		family = family_of(subtype, &addpath);
		if (!family) {
			r->stats.skipped++;
			continue;
		}
		memset(out, 0, sizeof(*out));
		out->offset = offset;
		out->record = r->stats.records;
		rc = parse_rib(r, &c, family, addpath, out, msg, sizeof(msg));
		if (rc)
			goto fail;
		r->stats.ribs++;
		r->stats.paths += out->n_paths;
		return 1;
	}
fail:
	r->error = rc;
	rt_seterr(err, errlen, "offset %llu: record %llu%s%s%s: %s", (unsigned long long)offset,
		  (unsigned long long)r->stats.records, name[0] ? " (" : "", name,
		  name[0] ? ")" : "", msg);
	return rc;
}

long mrt_choose_path(const struct mrt_rib *rib, long peer)
{
	long best = -1;

	for (size_t i = 0; i < rib->n_paths; i++) {
		const struct mrt_path *p = &rib->paths[i], *b;

		if (peer >= 0 && p->peer != peer)
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		b = &rib->paths[best];
		if (p->as_path_len < b->as_path_len ||
		    (p->as_path_len == b->as_path_len && p->peer < b->peer))
			best = (long)i;
	}
	return best;
}
