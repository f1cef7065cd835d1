/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink route and next-hop messages decoded (rtnl_msg.h). Every walk
 * here checks that the attributes fill their container exactly (libmnl's
 * iterator stops quietly at a truncated one, which must count as an
 * error, not as the end). The attribute accessors below are libmnl's
 * (the same checks and layout), inlined: a feed decodes a million
 * messages of four attributes each, and a call into the shared library
 * per field cost more than the decoding.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <routed/rtnl_msg.h>

static const char *const reason_names[RTNL_ERR_COUNT] = {
	[RTNL_OK] = "ok",
	[RTNL_ERR_SHORT] = "short-message",
	[RTNL_ERR_LENGTH] = "bad-length",
	[RTNL_ERR_FAMILY_HEADER] = "short-header",
	[RTNL_ERR_ATTR_TRUNCATED] = "attr-truncated",
	[RTNL_ERR_ATTR_SIZE] = "attr-size",
	[RTNL_ERR_FAMILY] = "bad-family",
	[RTNL_ERR_PREFIX] = "bad-prefix",
	[RTNL_ERR_MULTIPATH] = "bad-multipath",
	[RTNL_ERR_TOO_MANY_PATHS] = "too-many-paths",
	[RTNL_ERR_GROUP] = "bad-group",
	[RTNL_ERR_ALIGN] = "misaligned",
};

const char *rtnl_reason_name(unsigned reason)
{
	return reason < RTNL_ERR_COUNT ? reason_names[reason] : "unknown";
}

/* As mnl_nlmsg_get_payload() and _payload_len(): the message checked whole (rtnl_msg_decode). */
static const void *msg_payload(const struct nlmsghdr *nlh)
{
	return (const char *)nlh + MNL_NLMSG_HDRLEN;
}

static size_t msg_payload_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
}

static uint16_t attr_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static const void *attr_payload(const struct nlattr *a)
{
	return (const char *)a + MNL_ATTR_HDRLEN;
}

/* Only for an attribute walk_attrs() found whole (nla_len >= the header). */
static uint16_t attr_payload_len(const struct nlattr *a)
{
	return a->nla_len - MNL_ATTR_HDRLEN;
}

/* As mnl_attr_ok(): the attribute's header and its nla_len bytes lie in len. */
static bool attr_ok(const struct nlattr *a, size_t len)
{
	return len >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len;
}

/*
 * Call fn for each attribute of payload[0..len): RTNL_OK, fn's first
 * error, or RTNL_ERR_ATTR_TRUNCATED when the attributes do not fill the
 * payload exactly (the last one may lack its padding).
 */
typedef enum rtnl_reason (*attr_fn)(const struct nlattr *a, void *arg);

static enum rtnl_reason walk_attrs(const void *payload, size_t len, attr_fn fn, void *arg)
{
	const char *pos = payload, *end = pos + len;
	enum rtnl_reason why;

	while (pos < end) {
		const struct nlattr *a = (const struct nlattr *)(const void *)pos;

		if (!attr_ok(a, (size_t)(end - pos)))
			return RTNL_ERR_ATTR_TRUNCATED;
		why = fn(a, arg);
		if (why)
			return why;
		/* The last attribute's padding may lie past end: the loop then ends. */
		pos += MNL_ALIGN(a->nla_len);
	}
	return RTNL_OK;
}

/* An address attribute of family: exactly 4 or 16 bytes. */
static enum rtnl_reason get_addr(const struct nlattr *a, uint8_t family, struct rt_addr *out)
{
	size_t want = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!want)
		return RTNL_ERR_FAMILY;
	if (attr_payload_len(a) != want)
		return RTNL_ERR_ATTR_SIZE;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->bytes, attr_payload(a), want);
	return RTNL_OK;
}

/* Exactly 4 bytes, as mnl_attr_validate(a, MNL_TYPE_U32) asks. */
static enum rtnl_reason get_u32(const struct nlattr *a, uint32_t *out)
{
	if (attr_payload_len(a) != sizeof(*out))
		return RTNL_ERR_ATTR_SIZE;
	memcpy(out, attr_payload(a), sizeof(*out));
	return RTNL_OK;
}

/* Routes */

struct route_ctx {
	struct rtnl_route *r;
	uint8_t family;
	bool has_dst;
	bool multipath;			/* RTA_MULTIPATH seen */
};

/* The attributes inside one rtnexthop: its gateway. */
static enum rtnl_reason rtnh_attr(const struct nlattr *a, void *arg)
{
	struct route_ctx *c = arg;
	struct rtnl_path *p = &c->r->paths[c->r->n_paths];

	if (attr_type(a) == RTA_GATEWAY)
		return get_addr(a, c->family, &p->gateway);
	return RTNL_OK;
}

/* RTA_MULTIPATH: a sequence of rtnexthop, each followed by its attributes. */
static enum rtnl_reason decode_multipath(const struct nlattr *a, struct route_ctx *c)
{
	const char *pos = attr_payload(a);
	const char *end = pos + attr_payload_len(a);
	struct rtnexthop rtnh;
	enum rtnl_reason why;

	c->r->n_paths = 0;
	while (pos < end) {
		if ((size_t)(end - pos) < sizeof(rtnh))
			return RTNL_ERR_MULTIPATH;
		memcpy(&rtnh, pos, sizeof(rtnh));
		if (rtnh.rtnh_len < sizeof(rtnh) || rtnh.rtnh_len > end - pos)
			return RTNL_ERR_MULTIPATH;
		if (c->r->n_paths == RTNL_MAX_PATHS)
			return RTNL_ERR_TOO_MANY_PATHS;
		memset(&c->r->paths[c->r->n_paths], 0, sizeof(c->r->paths[0]));
		c->r->paths[c->r->n_paths].oif = (uint32_t)rtnh.rtnh_ifindex;
		c->r->paths[c->r->n_paths].weight = (uint16_t)(rtnh.rtnh_hops + 1);
		why = walk_attrs(pos + RTNH_ALIGN(sizeof(rtnh)), rtnh.rtnh_len - RTNH_ALIGN(sizeof(rtnh)),
				 rtnh_attr, c);
		if (why)
			return why;
		c->r->n_paths++;
		if ((size_t)RTNH_ALIGN(rtnh.rtnh_len) >= (size_t)(end - pos))
			break;
		pos += RTNH_ALIGN(rtnh.rtnh_len);
	}
	return c->r->n_paths ? RTNL_OK : RTNL_ERR_MULTIPATH;
}

/* The single path of RTA_GATEWAY / RTA_OIF, made on first use. */
static struct rtnl_path *single_path(struct rtnl_route *r)
{
	if (!r->n_paths) {
		memset(&r->paths[0], 0, sizeof(r->paths[0]));
		r->paths[0].weight = 1;
		r->n_paths = 1;
	}
	return &r->paths[0];
}

static enum rtnl_reason route_attr(const struct nlattr *a, void *arg)
{
	struct route_ctx *c = arg;
	struct rtnl_route *r = c->r;
	uint32_t v;
	enum rtnl_reason why;

	switch (attr_type(a)) {
	case RTA_DST:
		c->has_dst = true;
		return get_addr(a, c->family, &r->dst.addr);
	case RTA_TABLE:
		return get_u32(a, &r->table);
	case RTA_PRIORITY:
		r->has_priority = true;
		return get_u32(a, &r->priority);
	case RTA_NH_ID:
		return get_u32(a, &r->nh_id);
	case RTA_OIF:
		why = get_u32(a, &v);
		if (!why) {
			if (c->multipath)
				return RTNL_ERR_MULTIPATH;
			single_path(r)->oif = v;
		}
		return why;
	case RTA_GATEWAY:
		if (c->multipath)
			return RTNL_ERR_MULTIPATH;
		return get_addr(a, c->family, &single_path(r)->gateway);
	case RTA_MULTIPATH:
		/* One way to give the next hops per message, not both. */
		if (r->n_paths)
			return RTNL_ERR_MULTIPATH;
		c->multipath = true;
		return decode_multipath(a, c);
	default:
		return RTNL_OK;
	}
}

/* Host bits set below the length make no prefix (the kernel refuses them too). */
static bool host_bits_clear(const struct rt_prefix *p)
{
	unsigned bytes = p->addr.family == AF_INET ? 4 : 16, i = p->len / 8;

	/* The byte the length ends in keeps its top len % 8 bits; every later byte is zero. */
	if (p->len % 8 && p->addr.bytes[i++] & (0xffu >> (p->len % 8)))
		return false;
	for (; i < bytes; i++)
		if (p->addr.bytes[i])
			return false;
	return true;
}

static enum rtnl_reason decode_route(const struct nlmsghdr *nlh, struct rtnl_route *r)
{
	struct route_ctx c = { .r = r };
	struct rtmsg rtm;
	enum rtnl_reason why;

	if (msg_payload_len(nlh) < sizeof(rtm))
		return RTNL_ERR_FAMILY_HEADER;
	memcpy(&rtm, msg_payload(nlh), sizeof(rtm));
	memset(r, 0, offsetof(struct rtnl_route, paths));
	r->del = nlh->nlmsg_type == RTM_DELROUTE;
	if (rtm.rtm_family != AF_INET && rtm.rtm_family != AF_INET6)
		return RTNL_ERR_FAMILY;
	c.family = rtm.rtm_family;
	r->dst.addr.family = rtm.rtm_family;
	r->dst.len = rtm.rtm_dst_len;
	if (rtm.rtm_dst_len > (rtm.rtm_family == AF_INET ? 32 : 128))
		return RTNL_ERR_PREFIX;
	r->table = rtm.rtm_table;
	r->protocol = rtm.rtm_protocol;
	r->type = rtm.rtm_type;
	r->scope = rtm.rtm_scope;
	r->flags = rtm.rtm_flags;
	why = walk_attrs((const char *)msg_payload(nlh) + NLMSG_ALIGN(sizeof(rtm)),
			 msg_payload_len(nlh) > NLMSG_ALIGN(sizeof(rtm))
				 ? msg_payload_len(nlh) - NLMSG_ALIGN(sizeof(rtm)) : 0,
			 route_attr, &c);
	if (why)
		return why;
	if (!c.has_dst && r->dst.len)
		return RTNL_ERR_PREFIX;
	if (!host_bits_clear(&r->dst))
		return RTNL_ERR_PREFIX;
	return RTNL_OK;
}

/* Next-hop objects */

static enum rtnl_reason decode_group(const struct nlattr *a, struct rtnl_nexthop *nh)
{
	size_t len = attr_payload_len(a);
	const char *p = attr_payload(a);
	struct nexthop_grp g;

	if (!len || len % sizeof(g))
		return RTNL_ERR_GROUP;
	if (len / sizeof(g) > RTNL_MAX_PATHS)
		return RTNL_ERR_TOO_MANY_PATHS;
	nh->n_group = (unsigned)(len / sizeof(g));
	for (unsigned i = 0; i < nh->n_group; i++) {
		memcpy(&g, p + i * sizeof(g), sizeof(g));
		if (!g.id)
			return RTNL_ERR_GROUP;
		nh->group[i].id = g.id;
		nh->group[i].weight = (uint16_t)(g.weight + 1);
	}
	return RTNL_OK;
}

static enum rtnl_reason nexthop_attr(const struct nlattr *a, void *arg)
{
	struct rtnl_nexthop *nh = arg;

	switch (attr_type(a)) {
	case NHA_ID:
		return get_u32(a, &nh->id);
	case NHA_OIF:
		return get_u32(a, &nh->oif);
	case NHA_GATEWAY:
		return get_addr(a, nh->family, &nh->gateway);
	case NHA_BLACKHOLE:
		if (attr_payload_len(a))
			return RTNL_ERR_ATTR_SIZE;
		nh->blackhole = true;
		return RTNL_OK;
	case NHA_GROUP:
		return decode_group(a, nh);
	default:
		return RTNL_OK;
	}
}

static enum rtnl_reason decode_nexthop(const struct nlmsghdr *nlh, struct rtnl_nexthop *nh)
{
	struct nhmsg nhm;
	size_t plen = msg_payload_len(nlh);

	if (plen < sizeof(nhm))
		return RTNL_ERR_FAMILY_HEADER;
	memcpy(&nhm, msg_payload(nlh), sizeof(nhm));
	memset(nh, 0, offsetof(struct rtnl_nexthop, group));
	nh->del = nlh->nlmsg_type == RTM_DELNEXTHOP;
	nh->family = nhm.nh_family;
	nh->protocol = nhm.nh_protocol;
	return walk_attrs((const char *)msg_payload(nlh) + NLMSG_ALIGN(sizeof(nhm)),
			  plen - NLMSG_ALIGN(sizeof(nhm)), nexthop_attr, nh);
}

static enum rtnl_reason decode_error(const struct nlmsghdr *nlh, int *error)
{
	struct nlmsgerr e;

	if (msg_payload_len(nlh) < sizeof(e.error))
		return RTNL_ERR_FAMILY_HEADER;
	memcpy(&e.error, msg_payload(nlh), sizeof(e.error));
	*error = e.error;
	return RTNL_OK;
}

enum rtnl_reason rtnl_msg_decode(const void *buf, size_t len, struct rtnl_msg *out)
{
	const struct nlmsghdr *nlh = buf;

	if ((uintptr_t)buf & 3)
		return RTNL_ERR_ALIGN;
	if (len < sizeof(*nlh))
		return RTNL_ERR_SHORT;
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
		return RTNL_ERR_LENGTH;
	out->nlmsg_type = nlh->nlmsg_type;
	out->nlmsg_flags = nlh->nlmsg_flags;
	out->seq = nlh->nlmsg_seq;
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		out->kind = RTNL_KIND_ROUTE;
		return decode_route(nlh, &out->route);
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		out->kind = RTNL_KIND_NEXTHOP;
		return decode_nexthop(nlh, &out->nexthop);
	case NLMSG_DONE:
		out->kind = RTNL_KIND_DONE;
		return RTNL_OK;
	case NLMSG_ERROR:
		out->kind = RTNL_KIND_ERROR;
		return decode_error(nlh, &out->error);
	default:
		out->kind = RTNL_KIND_OTHER;
		return RTNL_OK;
	}
}

enum rtnl_reason rtnl_msg_next(const void *buf, size_t len, size_t *off, const void **msg,
			       size_t *msg_len)
{
	const char *p = (const char *)buf + *off;
	size_t left = len - *off;
	uint32_t n;

	if (left < sizeof(struct nlmsghdr))
		return RTNL_ERR_SHORT;
	memcpy(&n, p, sizeof(n));	/* nlmsg_len: the message's first field */
	if (n < sizeof(struct nlmsghdr) || n > left)
		return RTNL_ERR_LENGTH;
	*msg = p;
	*msg_len = n;
	*off += NLMSG_ALIGN(n) < left ? NLMSG_ALIGN(n) : left;
	return RTNL_OK;
}
