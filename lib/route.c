/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/system.h>

#include <routed/nhgroup.h>
#include <routed/route.h>

#include "bytes.h"
#include "route_int.h"

#define PROTO_MAX 256

static pthread_mutex_t proto_lock = PTHREAD_MUTEX_INITIALIZER;
static char proto_names[PROTO_MAX][RT_PROTO_LEN];
static unsigned proto_count = 1;	/* id 0 is "none" */

int rt_proto_validate(const char *name)
{
	size_t i;

	/* One pass, no strnlen first: every route of a load is checked. */
	for (i = 0; i < RT_PROTO_LEN && name[i]; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -EINVAL;
	}
	return i == 0 || i == RT_PROTO_LEN ? -EINVAL : 0;
}

static int proto_lookup_locked(const char *name)
{
	for (unsigned i = 1; i < proto_count; i++)
		if (strcmp(proto_names[i], name) == 0)
			return (int)i;
	return 0;
}

int proto_find(const char *name)
{
	int id;

	pthread_mutex_lock(&proto_lock);
	id = proto_lookup_locked(name);
	pthread_mutex_unlock(&proto_lock);
	return id;
}

/*
 * The last name this thread interned: a load or a feed's turn names one
 * protocol route after route, and ids are never given back, so the
 * answer stays right without the lock.
 */
static __thread char last_name[RT_PROTO_LEN];
static __thread int last_id;

int proto_intern(const char *name)
{
	int id;

	if (last_id > 0 && !strncmp(name, last_name, RT_PROTO_LEN))
		return last_id;
	if (rt_proto_validate(name))
		return -EINVAL;
	pthread_mutex_lock(&proto_lock);
	id = proto_lookup_locked(name);
	if (!id) {
		if (proto_count == PROTO_MAX) {
			id = -ENOSPC;
		} else {
			id = (int)proto_count;
			strcpy(proto_names[id], name);
			/*
			 * The name is written before the count grows; readers
			 * reach an id only through a route published later with
			 * rcu_assign_pointer (a release), which orders this too.
			 */
			CMM_STORE_SHARED(proto_count, proto_count + 1);
		}
	}
	pthread_mutex_unlock(&proto_lock);
	if (id > 0) {
		memcpy(last_name, name, strlen(name) + 1);
		last_id = id;
	}
	return id;
}

const char *proto_name(uint8_t id)
{
	return proto_names[id];
}

static const char *const type_names[] = {
	[RT_TYPE_UNICAST] = "unicast",
	[RT_TYPE_BLACKHOLE] = "blackhole",
	[RT_TYPE_UNREACHABLE] = "unreachable",
	[RT_TYPE_PROHIBIT] = "prohibit",
};

const char *rt_route_type_name(unsigned type)
{
	return type <= RT_TYPE_MAX ? type_names[type] : NULL;
}

int rt_route_type_parse(const char *word, uint8_t *type)
{
	for (unsigned i = 0; i <= RT_TYPE_MAX; i++) {
		if (strcmp(word, type_names[i]) == 0) {
			*type = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

void rt_route_init(struct rt_route *r)
{
	memset(r, 0, sizeof(*r));
	r->table = RT_TABLE_MAIN;
	strcpy(r->proto, RT_PROTO_DEFAULT);
}

int rt_route_cmp_preference(const struct rt_route *a, const struct rt_route *b)
{
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	return strcmp(a->proto, b->proto);
}

int rt_route_key_cmp(const struct rt_route *a, const struct rt_route *b)
{
	int c;

	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	c = rt_prefix_cmp(&a->prefix, &b->prefix);
	if (c)
		return c;
	return rt_route_cmp_preference(a, b);
}

static int key_index_cmp(const void *x, const void *y)
{
	const struct rt_route *a = *(const struct rt_route *const *)x;
	const struct rt_route *b = *(const struct rt_route *const *)y;
	int c = rt_route_key_cmp(a, b);

	/* Equal keys: pointers into one array, so array order. */
	return c ? c : (a > b) - (a < b);
}

const struct rt_route **rt_route_key_index(const struct rt_route *routes, size_t n)
{
	const struct rt_route **idx = malloc((n ? n : 1) * sizeof(*idx));
	bool sorted = true;

	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		idx[i] = &routes[i];
		/* Feeds and route files mostly come in key order: then no sort. */
		if (i && sorted && key_index_cmp(&idx[i - 1], &idx[i]) > 0)
			sorted = false;
	}
	if (!sorted)
		qsort(idx, n, sizeof(*idx), key_index_cmp);
	return idx;
}

/*
 * Device names: 1-15 printable ASCII characters other than '/', ':' (which
 * Linux refuses in interface names) and '#' (a route file comment). Bytes
 * >= 0x80 are refused too: names must survive JSON (UTF-8) and the route
 * file format unchanged, or a table could hold a route it cannot list or save.
 */
static bool dev_char_ok(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '/' && c != ':' && c != '#';
}

static int dev_validate(const char *dev)
{
	size_t i;

	for (i = 0; i < RT_DEV_LEN && dev[i]; i++)
		if (!dev_char_ok((unsigned char)dev[i]))
			return -EINVAL;
	return i == RT_DEV_LEN ? -EINVAL : 0;
}

/* The device name for a message: unprintable bytes as \xNN. */
static const char *dev_quote(const char *dev, char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < RT_DEV_LEN && dev[i] && n + 5 < len; i++) {
		unsigned char c = (unsigned char)dev[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
	}
	buf[n] = '\0';
	return buf;
}

/* An -EINVAL that says why (err may be NULL). */
#define inval(err, errlen, ...) (rt_seterr((err), (err) ? (errlen) : 0, __VA_ARGS__), -EINVAL)

static int multipath_validate(const struct rt_route *r, char *err, size_t errlen);

/* rt_route_validate(), the protocol name's characters checked only if check_proto. */
static int route_validate(const struct rt_route *r, bool check_proto, char *err, size_t errlen)
{
	unsigned bits = rt_family_bits(r->prefix.addr.family);
	char buf[RT_ADDR_STRLEN];

	if (!bits || r->prefix.len > bits) {
		snprintf(err ? err : buf, err ? errlen : sizeof(buf), "invalid prefix");
		return -EINVAL;
	}
	if (r->gateway.family && r->gateway.family != r->prefix.addr.family) {
		if (err)
			snprintf(err, errlen, "gateway %s is not of the prefix's family",
				 rt_addr_format(&r->gateway, buf, sizeof(buf)));
		return -EINVAL;
	}
	if (r->type > RT_TYPE_MAX) {
		snprintf(err ? err : buf, err ? errlen : sizeof(buf), "invalid route type %u",
			 r->type);
		return -EINVAL;
	}
	/* A rejecting route forwards nowhere: a next hop would be meaningless. */
	if (rt_route_type_rejects(r->type) && (r->gateway.family || r->dev[0] || r->nexthops)) {
		snprintf(err ? err : buf, err ? errlen : sizeof(buf),
			 "%s %s route has no via or dev", rt_route_type_article(r->type),
			 rt_route_type_name(r->type));
		return -EINVAL;
	}
	if (dev_validate(r->dev)) {
		if (err) {
			char quoted[RT_DEV_LEN * 4 + 1];

			snprintf(err, errlen,
				 "invalid device name \"%s\" (1-15 printable ASCII characters, "
				 "not '/', ':' or '#')",
				 dev_quote(r->dev, quoted, sizeof(quoted)));
		}
		return -EINVAL;
	}
	if (check_proto ? rt_proto_validate(r->proto) != 0 :
			  !r->proto[0] || strnlen(r->proto, RT_PROTO_LEN) == RT_PROTO_LEN) {
		if (err)
			snprintf(err, errlen,
				 "invalid protocol name \"%.*s\" (1-15 characters of a-z 0-9 _ -)",
				 RT_PROTO_LEN, r->proto);
		return -EINVAL;
	}
	return r->nexthops ? multipath_validate(r, err, errlen) : 0;
}

int rt_route_validate(const struct rt_route *r, char *err, size_t errlen)
{
	return route_validate(r, true, err, errlen);
}

int route_validate_uninterned(const struct rt_route *r)
{
	return route_validate(r, false, NULL, 0);
}

bool rt_route_same_nexthops(const struct rt_route *a, const struct rt_route *b)
{
	/* Groups are interned: equal lists are one object. */
	if (a->nexthops || b->nexthops)
		return a->nexthops == b->nexthops;
	return a->gateway.family == b->gateway.family &&
	       !memcmp(a->gateway.bytes, b->gateway.bytes, rt_family_bits(a->gateway.family) / 8) &&
	       !strncmp(a->dev, b->dev, RT_DEV_LEN);
}

/* The next hop for a message: "via ADDR dev NAME". */
static const char *hop_text(const struct rt_nexthop *h, char *buf, size_t len)
{
	char addr[RT_ADDR_STRLEN], quoted[RT_DEV_LEN * 4 + 1];
	int n = 0;

	buf[0] = '\0';
	if (h->gateway.family)
		n = snprintf(buf, len, "via %s", rt_addr_format(&h->gateway, addr, sizeof(addr)));
	if (h->dev[0] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%sdev %s", n ? " " : "",
			 dev_quote(h->dev, quoted, sizeof(quoted)));
	return buf;
}

static int hop_validate(const struct rt_prefix *p, const struct rt_nexthop *h, char *err,
			size_t errlen)
{
	char buf[RT_ADDR_STRLEN + RT_DEV_LEN * 4 + 16];

	if (!h->gateway.family && !h->dev[0])
		return inval(err, errlen, "a next hop needs via or dev");
	if (h->gateway.family && h->gateway.family != p->addr.family)
		return inval(err, errlen, "next hop %s is not of the prefix's family",
				       hop_text(h, buf, sizeof(buf)));
	if (dev_validate(h->dev))
		return inval(err, errlen,
				       "invalid device name \"%s\" (1-15 printable ASCII "
				       "characters, not '/', ':' or '#')",
				       dev_quote(h->dev, buf, sizeof(buf)));
	if (h->weight < 1 || h->weight > RT_WEIGHT_MAX)
		return inval(err, errlen, "next hop %s: weight %u out of range (1-%u)",
				       hop_text(h, buf, sizeof(buf)), h->weight, RT_WEIGHT_MAX);
	return 0;
}

static int multipath_validate(const struct rt_route *r, char *err, size_t errlen)
{
	const struct rt_nhgroup *g = r->nexthops;

	if (r->gateway.family || r->dev[0])
		return inval(err, errlen, "a multipath route has no via or dev of its own");
	if (g->count < 2 || g->count > RT_NEXTHOPS_MAX)
		return inval(err, errlen, "a route has 1 to %u next hops", RT_NEXTHOPS_MAX);
	for (uint32_t i = 0; i < g->count; i++) {
		int rc = hop_validate(&r->prefix, &g->hop[i], err, errlen);

		if (rc)
			return rc;
	}
	return 0;
}

static int hop_sort_cmp(const void *x, const void *y)
{
	return rt_nhgroup_hop_cmp(x, y);
}

int rt_route_set_nexthops(struct rt_route *r, const struct rt_nexthop *hop, size_t n,
			  char *err, size_t errlen)
{
	struct rt_nexthop sorted[RT_NEXTHOPS_MAX];
	char buf[RT_ADDR_STRLEN + RT_DEV_LEN * 4 + 16];
	const struct rt_nhgroup *g;

	if (n < 1 || n > RT_NEXTHOPS_MAX)
		return inval(err, errlen, "a route has 1 to %u next hops", RT_NEXTHOPS_MAX);
	if (rt_route_type_rejects(r->type))
		return inval(err, errlen, "%s %s route has no next hops",
				       rt_route_type_article(r->type), rt_route_type_name(r->type));
	for (size_t i = 0; i < n; i++) {
		int rc = hop_validate(&r->prefix, &hop[i], err, errlen);

		if (rc)
			return rc;
		sorted[i] = hop[i];
		/* Unused bytes cleared: the pool and the duplicate check compare whole fields. */
		if (hop[i].gateway.family == AF_INET)
			memset(sorted[i].gateway.bytes + 4, 0, 12);
		else if (!hop[i].gateway.family)
			memset(sorted[i].gateway.bytes, 0, 16);
		memset(sorted[i].dev, 0, RT_DEV_LEN);
		memcpy(sorted[i].dev, hop[i].dev, strnlen(hop[i].dev, RT_DEV_LEN - 1));
	}
	qsort(sorted, n, sizeof(sorted[0]), hop_sort_cmp);
	for (size_t i = 1; i < n; i++)
		if (!rt_nhgroup_hop_cmp(&sorted[i - 1], &sorted[i]))
			return inval(err, errlen, "duplicate next hop %s",
					       hop_text(&sorted[i], buf, sizeof(buf)));
	if (n == 1) {
		r->nexthops = NULL;
		r->gateway = sorted[0].gateway;
		memcpy(r->dev, sorted[0].dev, RT_DEV_LEN);
		return 0;
	}
	g = rt_nhgroup_intern(sorted, n);
	if (!g)
		return errno == ENOMEM ? -ENOMEM : inval(err, errlen, "invalid next hops");
	r->nexthops = g;
	memset(&r->gateway, 0, sizeof(r->gateway));
	memset(r->dev, 0, RT_DEV_LEN);
	return 0;
}
