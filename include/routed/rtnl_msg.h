/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink route and next-hop messages, decoded into plain structures:
 * the one decoder that FRR's FPM feed and the kernel table mirror share.
 * Pure parsing (libmnl walks the attributes): no sockets, no allocation,
 * no logging.
 *
 * Input is one netlink message as it came (host byte order), or a buffer
 * of several (rtnl_msg_next()). Every length is checked against the
 * buffer: a message is decoded whole or refused with a reason
 * (enum rtnl_reason), never read past its end. Attributes the decoder
 * does not know are skipped (the kernel and FRR add new ones); a known
 * attribute of the wrong size is refused.
 *
 * Multipath is decoded whole: RTA_MULTIPATH into paths[] (weight =
 * rtnh_hops + 1), NHA_GROUP into group[] (weight = nexthop_grp.weight +
 * 1), up to RTNL_MAX_PATHS each. What a consumer does with more than one
 * path is its business.
 */
#ifndef ROUTED_RTNL_MSG_H
#define ROUTED_RTNL_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>

#define RTNL_MAX_PATHS 64

/* Why a message (or buffer) was refused. Names: rtnl_reason_name(). */
enum rtnl_reason {
	RTNL_OK = 0,
	RTNL_ERR_SHORT,			/* shorter than its netlink header */
	RTNL_ERR_LENGTH,		/* nlmsg_len below the header or past the buffer */
	RTNL_ERR_FAMILY_HEADER,		/* too short for its rtmsg / nhmsg */
	RTNL_ERR_ATTR_TRUNCATED,	/* an attribute runs past its message or nest */
	RTNL_ERR_ATTR_SIZE,		/* a known attribute of the wrong size */
	RTNL_ERR_FAMILY,		/* not AF_INET / AF_INET6 where one is needed */
	RTNL_ERR_PREFIX,		/* prefix length past the family, or host bits set */
	RTNL_ERR_MULTIPATH,		/* a malformed rtnexthop in RTA_MULTIPATH */
	RTNL_ERR_TOO_MANY_PATHS,	/* more than RTNL_MAX_PATHS next hops or members */
	RTNL_ERR_GROUP,			/* a malformed NHA_GROUP */
	RTNL_ERR_ALIGN,			/* the message does not start 4-byte aligned */
	RTNL_ERR_COUNT
};

/* A reason's name for counters and logs ("attr-truncated"); "unknown" past the end. */
const char *rtnl_reason_name(unsigned reason);

/* One next hop of a route: from RTA_GATEWAY/RTA_OIF or an rtnexthop. */
struct rtnl_path {
	struct rt_addr gateway;		/* family 0: none (RTA_VIA is not decoded) */
	uint32_t oif;			/* 0: none */
	uint16_t weight;		/* 1..256 */
};

enum rtnl_kind {
	RTNL_KIND_ROUTE,		/* RTM_NEWROUTE, RTM_DELROUTE */
	RTNL_KIND_NEXTHOP,		/* RTM_NEWNEXTHOP, RTM_DELNEXTHOP */
	RTNL_KIND_DONE,			/* NLMSG_DONE */
	RTNL_KIND_ERROR,		/* NLMSG_ERROR: error holds the errno (0: an ack) */
	RTNL_KIND_OTHER,		/* any other type: skipped, not an error */
};

struct rtnl_route {
	bool del;			/* RTM_DELROUTE */
	struct rt_prefix dst;		/* RTA_DST and rtm_dst_len (no RTA_DST: the default route) */
	uint32_t table;			/* RTA_TABLE if present, else rtm_table */
	uint8_t protocol;		/* rtm_protocol */
	uint8_t type;			/* rtm_type (RTN_UNICAST, RTN_BLACKHOLE, ...) */
	uint8_t scope;
	uint32_t flags;			/* rtm_flags (RTM_F_CLONED, ...) */
	bool has_priority;
	uint32_t priority;		/* RTA_PRIORITY */
	uint32_t nh_id;			/* RTA_NH_ID; 0: none */
	unsigned n_paths;		/* 0 (none given), 1, or RTA_MULTIPATH's count */
	struct rtnl_path paths[RTNL_MAX_PATHS];
};

struct rtnl_nh_member {
	uint32_t id;
	uint16_t weight;		/* 1..256 */
};

struct rtnl_nexthop {
	bool del;			/* RTM_DELNEXTHOP */
	uint8_t family;			/* nh_family (0 for groups) */
	uint8_t protocol;
	uint32_t id;			/* NHA_ID; 0: none given */
	struct rt_addr gateway;		/* NHA_GATEWAY; family 0: none */
	uint32_t oif;			/* NHA_OIF; 0: none */
	bool blackhole;			/* NHA_BLACKHOLE */
	unsigned n_group;		/* NHA_GROUP members; 0: not a group */
	struct rtnl_nh_member group[RTNL_MAX_PATHS];
};

struct rtnl_msg {
	enum rtnl_kind kind;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t seq;
	union {
		struct rtnl_route route;
		struct rtnl_nexthop nexthop;
		int error;		/* RTNL_KIND_ERROR: a negative errno, or 0 */
	};
};

/*
 * Decode the netlink message at buf, which holds len bytes (the message
 * and possibly more after it: only nlmsg_len bytes are read). buf must be
 * 4-byte aligned, as netlink messages are (RTNL_ERR_ALIGN otherwise: the
 * attribute walk reads 16-bit fields in place). RTNL_OK and *out filled,
 * or the reason it was refused (*out then undefined).
 */
enum rtnl_reason rtnl_msg_decode(const void *buf, size_t len, struct rtnl_msg *out);

/*
 * Walk the messages of a buffer: *off is where the next one starts (0
 * first). Returns RTNL_OK with *msg and *msg_len set to the next message
 * (its nlmsg_len bytes, checked to lie in the buffer) and *off moved past
 * it and its padding (NLMSG_ALIGN; the last message may lack padding);
 * or RTNL_ERR_SHORT / RTNL_ERR_LENGTH when the bytes at *off cannot be a
 * message (the rest of the buffer cannot be trusted). *off == len: done.
 */
enum rtnl_reason rtnl_msg_next(const void *buf, size_t len, size_t *off, const void **msg,
			       size_t *msg_len);

#endif
