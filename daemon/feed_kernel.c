/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel table mirror (feed_kernel.h).
 *
 * Phases of a socket: NEXTHOPS (the next-hop dump), ROUTES (the route
 * dump), SYNCED (events). Dump replies are told from events by the
 * socket's port id and the dump's sequence number.
 *
 * Why no change is lost. The socket joins the route groups before it
 * sends the first dump request, so every change the kernel makes from
 * then on is also sent to it as an event, in the kernel's order, or the
 * socket reports ENOBUFS (then everything starts over: a resync). A
 * route the dump read is the state of its key (table, prefix, metric) at
 * the moment the dump read it; every later change of that key is an
 * event that comes after. Each event carries the whole route (or its
 * deletion). So the dump applied first, then every event queued during
 * the dumps in arrival order, ends with each key in the state of its
 * last change: an event older than the dump's read is followed by the
 * dump's own state or by a newer event of the key, and re-applying the
 * last change of a key is harmless. The dump and its queued events are
 * one batch (events sort after every dump entry; feed_batch.h keeps the
 * last change of each key), applied as one replacing load. A dump the
 * kernel marks NLM_F_DUMP_INTR may have skipped routes that never
 * changed, so it is thrown away and done again.
 *
 * Changes the kernel makes without a route event are covered by a
 * resync too: IPv4 routes flushed with their interface (RTM_DELLINK) or
 * with an IPv4 address (RTM_DELADDR), and, for routes that name only a
 * next-hop object (nexthop_compat_mode=0), any change of a next-hop
 * object.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include <routed/rtnl_msg.h>

#include "daemon.h"
#include "feed_batch.h"
#include "feed_kernel.h"
#include "feed_nexthops.h"
#include "feed_route.h"
#include "feed_routes.h"
#include "log.h"
#include "routed_config.h"
#include "tables.h"

/* Datagrams read per event-loop turn: the control socket gets its turn between. */
#define TURN_DATAGRAMS 32
/* A dump datagram is at most 32 KiB (the kernel's dump allocation); room for more. */
#define RECV_BYTES 65536
/* After a failure to open the socket or to apply a dump: wait, then start over. */
#define RETRY_MS 1000
/* Events during a dump sort after every dump entry (feed_batch keeps the last). */
#define AFTER_DUMP (1ull << 63)

enum phase { PHASE_NEXTHOPS, PHASE_ROUTES, PHASE_SYNCED };

enum resync_cause {
	RS_DUMP_INTR,		/* NLM_F_DUMP_INTR: the dump may be inconsistent */
	RS_ENOBUFS,		/* the kernel dropped events */
	RS_NEXTHOP,		/* a next-hop object changed under routes that name only it */
	RS_LINK,		/* an interface or IPv4 address went: routes flushed silently */
	RS_ERROR,		/* a dump failed, a receive failed, a load failed */
	RS_COUNT
};

static const char *const resync_names[RS_COUNT] = {
	[RS_DUMP_INTR] = "dump-intr",
	[RS_ENOBUFS] = "enobufs",
	[RS_NEXTHOP] = "nexthop",
	[RS_LINK] = "link",
	[RS_ERROR] = "error",
};

enum mirror_error {
	ME_UNKNOWN_NEXTHOP,	/* RTA_NH_ID not in the next-hop objects */
	ME_INVALID_ROUTE,	/* not a valid routed route */
	ME_BAD_NEXTHOP,		/* a next-hop object routed cannot keep */
	ME_DUMP_FAILED,		/* the kernel refused a dump */
	ME_RECV_FAILED,		/* a receive failed (other than ENOBUFS) */
	ME_APPLY_FAILED,	/* a load failed (no memory) */
	ME_NO_MEMORY,		/* no memory for a multipath route's next hops */
	ME_TABLE_GONE,		/* the routed table was deleted */
	ME_COUNT
};

static const char *const error_names[ME_COUNT] = {
	[ME_UNKNOWN_NEXTHOP] = "unknown-nexthop",
	[ME_INVALID_ROUTE] = "invalid-route",
	[ME_BAD_NEXTHOP] = "bad-nexthop",
	[ME_DUMP_FAILED] = "dump-failed",
	[ME_RECV_FAILED] = "recv-failed",
	[ME_APPLY_FAILED] = "apply-failed",
	[ME_NO_MEMORY] = "no-memory",
	[ME_TABLE_GONE] = "table-gone",
};

/* Skipped by design, not errors. */
enum mirror_skip {
	MS_ROUTE_TYPE,		/* local, broadcast, multicast, anycast, throw, nat */
	MS_CLONED,		/* RTM_F_CLONED: a cache entry */
	MS_OTHER_TABLE,		/* a route of another kernel table */
	MS_OTHER_FAMILY,	/* not IPv4 or IPv6 (multicast routing, MPLS) */
	MS_DELETE_UNKNOWN,	/* a delete of a route the mirror does not hold */
	MS_COUNT
};

static const char *const skip_names[MS_COUNT] = {
	[MS_ROUTE_TYPE] = "route-type",
	[MS_CLONED] = "cloned",
	[MS_OTHER_TABLE] = "other-table",
	[MS_OTHER_FAMILY] = "other-family",
	[MS_DELETE_UNKNOWN] = "delete-unknown",
};

struct feed_kernel {
	struct routed *d;
	struct config_kernel_mirror cfg;
	char name[24];			/* "kernel:N" */
	struct mnl_socket *nl;
	struct event *ev;
	struct event *retry_ev;
	enum phase phase;
	unsigned portid;
	uint32_t seq, dump_seq;
	bool dump_intr;
	bool resyncing;			/* a dump after the first */
	uint64_t nh_only;		/* routes of this socket resolved through a next-hop object */
	uint64_t arrivals;		/* seq of the next change */
	struct feed_nexthops *nexthops;
	struct feed_routes *owned;
	struct feed_batch batch;
	uint32_t generation;		/* bumped by every applied dump */
	int rcvbuf;			/* what the socket got */
	uint32_t *buf;			/* RECV_BYTES, 4-byte aligned as netlink messages are */
	uint32_t ifcache_oif[64];	/* ifindex -> name for one turn, direct-mapped */
	char ifcache_name[64][RT_DEV_LEN];
	uint64_t messages, dumps;
	time_t last_message;
	uint64_t resyncs[RS_COUNT];
	uint64_t rtnl_errors[RTNL_ERR_COUNT];
	uint64_t errors[ME_COUNT];
	uint64_t skipped[MS_COUNT];
};

static void resync(struct feed_kernel *k, enum resync_cause cause);

/* Interface names: the kernel's own indexes, named in routed's namespace */

static const char *ifname(uint32_t oif, void *arg)
{
	struct feed_kernel *k = arg;
	unsigned slot = oif % 64;
	char name[IF_NAMESIZE];

	if (k->ifcache_oif[slot] != oif) {
		/* Gone since the kernel sent the route (its deletion follows): "ifN" meanwhile. */
		if (if_indextoname(oif, name) && strlen(name) < RT_DEV_LEN)
			snprintf(k->ifcache_name[slot], RT_DEV_LEN, "%s", name);
		else
			snprintf(k->ifcache_name[slot], RT_DEV_LEN, "if%u", oif);
		k->ifcache_oif[slot] = oif;
	}
	return k->ifcache_name[slot];
}

/* The socket */

static int send_dump(struct feed_kernel *k, uint16_t type)
{
	uint32_t buf[64];	/* a header and an rtmsg or nhmsg */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = k->dump_seq = ++k->seq;
	if (type == RTM_GETNEXTHOP) {
		struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));

		nhm->nh_family = AF_UNSPEC;
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = AF_UNSPEC;
	}
	k->dump_intr = false;
	return mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

static void set_rcvbuf(struct feed_kernel *k, int fd)
{
	int want = (int)k->cfg.rcvbuf;
	socklen_t len = sizeof(k->rcvbuf);

	/* SO_RCVBUFFORCE passes net.core.rmem_max, with CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)))
		log_warn("%s: setting the receive buffer to %d bytes: %s", k->name, want,
			 strerror(errno));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &k->rcvbuf, &len))
		k->rcvbuf = 0;
}

static void close_socket(struct feed_kernel *k)
{
	if (k->ev)
		event_free(k->ev);
	k->ev = NULL;
	if (k->nl)
		mnl_socket_close(k->nl);
	k->nl = NULL;
	feed_nexthops_destroy(k->nexthops);
	k->nexthops = NULL;
	feed_batch_clear(&k->batch);
	k->nh_only = 0;
}

static void on_read(evutil_socket_t fd, short what, void *arg);

/* A new socket: join the groups, then dump (the order no change is lost by). */
static int open_socket(struct feed_kernel *k, char *err, size_t errlen)
{
	static const unsigned groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK,
					   RTNLGRP_IPV4_IFADDR, RTNLGRP_NEXTHOP };
	int fd;

	k->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!k->nl || mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned g = groups[i];

		/* A kernel without next-hop objects has no such group, nor any such routes. */
		if (mnl_socket_setsockopt(k->nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0 &&
		    g != RTNLGRP_NEXTHOP)
			goto fail;
	}
	fd = mnl_socket_get_fd(k->nl);
	set_rcvbuf(k, fd);
	k->portid = mnl_socket_get_portid(k->nl);
	k->nexthops = feed_nexthops_create();
	k->ev = event_new(k->d->base, fd, EV_READ | EV_PERSIST, on_read, k);
	if (!k->nexthops || !k->ev || event_add(k->ev, NULL)) {
		errno = ENOMEM;
		goto fail;
	}
	k->phase = PHASE_NEXTHOPS;
	if (send_dump(k, RTM_GETNEXTHOP))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: rtnetlink socket: %s", k->name, strerror(errno));
	close_socket(k);
	return -1;
}

static void retry_later(struct feed_kernel *k)
{
	struct timeval tv = { .tv_sec = RETRY_MS / 1000, .tv_usec = (RETRY_MS % 1000) * 1000 };

	evtimer_add(k->retry_ev, &tv);
}

/* Start over on a new socket: the events queued on the old one are not trusted. */
static void resync(struct feed_kernel *k, enum resync_cause cause)
{
	char err[256];

	k->resyncs[cause]++;
	k->resyncing = true;
	log_info("%s: resync (%s): dumping the table again", k->name, resync_names[cause]);
	close_socket(k);
	if (open_socket(k, err, sizeof(err))) {
		log_err("%s; retrying in %u ms", err, RETRY_MS);
		retry_later(k);
	}
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct feed_kernel *k = arg;
	char err[256];

	(void)fd;
	(void)what;
	close_socket(k);
	if (open_socket(k, err, sizeof(err))) {
		log_err("%s; retrying in %u ms", err, RETRY_MS);
		retry_later(k);
	}
}

/* Messages */

static struct feed_change *push_change(struct feed_kernel *k, bool in_dump)
{
	struct feed_change *c;

	if (feed_batch_push(&k->batch, &c))
		return NULL;
	c->seq = k->arrivals++;
	if (k->phase != PHASE_SYNCED && !in_dump)
		c->seq |= AFTER_DUMP;
	return c;
}

/* One route message of the mirrored table, as the key's latest change. */
static int take_route(struct feed_kernel *k, const struct rtnl_route *r, bool in_dump)
{
	struct rtnl_path paths[RTNL_MAX_PATHS];
	const struct rtnl_path *use = r->paths;
	unsigned n = r->n_paths;
	bool blackhole = false;
	struct feed_change *c;

	if (r->table != k->cfg.kernel_table) {
		k->skipped[MS_OTHER_TABLE]++;
		return 0;
	}
	if (r->flags & RTM_F_CLONED) {
		k->skipped[MS_CLONED]++;
		return 0;
	}
	c = push_change(k, in_dump);
	if (!c) {
		k->errors[ME_APPLY_FAILED]++;
		return -ENOMEM;
	}
	c->key.table = k->cfg.table;
	c->key.metric = r->has_priority ? r->priority : 0;
	c->key.prefix = r->dst;
	c->del = r->del;
	c->proto = r->protocol;
	if (r->del)
		return 0;
	/* The route's own next hops (nexthop_compat_mode=1 expands them), else its object's. */
	if (!n && r->nh_id) {
		use = paths;
		if (feed_nexthops_resolve(k->nexthops, r->nh_id, paths, &n, &blackhole)) {
			k->errors[ME_UNKNOWN_NEXTHOP]++;
			return 0;
		}
		k->nh_only++;
	}
	switch (feed_route_convert(r, use, n, blackhole, ifname, k, &c->route)) {
	case FEED_ROUTE_OK:
		c->route.table = k->cfg.table;
		c->usable = true;
		break;
	case FEED_ROUTE_TYPE:
		/* Not a route to forward by (local, broadcast, ...): skipped; it ends an owned one. */
		k->skipped[MS_ROUTE_TYPE]++;
		break;
	case FEED_ROUTE_INVALID:
		k->errors[ME_INVALID_ROUTE]++;
		break;
	case FEED_ROUTE_NOMEM:
		/* The mirror would miss this route: the caller dumps again. */
		k->errors[ME_NO_MEMORY]++;
		return -ENOMEM;
	}
	return 0;
}

static void apply_batch(struct feed_kernel *k, bool replace)
{
	struct feed_batch_counts counts;
	char err[256];

	if (!replace && !k->batch.n)
		return;
	if (!tables_get(k->d->tables, k->cfg.table)) {
		k->errors[ME_TABLE_GONE]++;
		feed_batch_clear(&k->batch);
		return;
	}
	if (feed_batch_apply(k->d, &k->batch, k->owned, k->generation, replace, &counts, err,
			     sizeof(err))) {
		log_err("%s: applying the kernel's routes failed: %s", k->name, err);
		k->errors[ME_APPLY_FAILED]++;
		/* The table may now differ from the kernel's: start over. */
		k->resyncs[RS_ERROR]++;
		close_socket(k);
		retry_later(k);
		return;
	}
	k->skipped[MS_DELETE_UNKNOWN] += counts.delete_unknown;
	if (replace)
		log_info("%s: %s: %zu routes, %zu removed", k->name,
			 k->resyncing ? "resynced" : "synced", feed_routes_count(k->owned),
			 counts.removals);
}

/* The end of a dump (NLMSG_DONE, or an error for it). False: the socket was replaced. */
static bool dump_done(struct feed_kernel *k, int error)
{
	if (k->phase == PHASE_NEXTHOPS) {
		/* A kernel without next-hop objects refuses their dump: no object to know. */
		if (k->dump_intr) {
			resync(k, RS_DUMP_INTR);
			return false;
		}
		k->phase = PHASE_ROUTES;
		if (send_dump(k, RTM_GETROUTE)) {
			k->errors[ME_DUMP_FAILED]++;
			resync(k, RS_ERROR);
			return false;
		}
		return true;
	}
	if (error) {
		log_err("%s: the route dump failed: %s", k->name, strerror(-error));
		k->errors[ME_DUMP_FAILED]++;
		k->resyncs[RS_ERROR]++;
		close_socket(k);
		retry_later(k);
		return false;
	}
	if (k->dump_intr) {
		resync(k, RS_DUMP_INTR);
		return false;
	}
	k->dumps++;
	k->generation++;
	k->phase = PHASE_SYNCED;
	apply_batch(k, true);
	return k->nl != NULL;
}

/* A next-hop object: kept for routes that name it. False: the socket was replaced. */
static bool take_nexthop(struct feed_kernel *k, const struct rtnl_nexthop *m, bool in_dump)
{
	if (!m->id || feed_nexthops_apply(k->nexthops, m)) {
		k->errors[ME_BAD_NEXTHOP]++;
		return true;
	}
	/* Routes resolved through an object the kernel will not announce again. */
	if (!in_dump && k->nh_only) {
		resync(k, RS_NEXTHOP);
		return false;
	}
	return true;
}

static bool other_family(const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);

	return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*rtm)) && rtm->rtm_family != AF_INET &&
	       rtm->rtm_family != AF_INET6;
}

/* One message. False: the socket was replaced (the rest of the datagram is moot). */
static bool take_message(struct feed_kernel *k, const void *m, size_t len)
{
	const struct nlmsghdr *h = m;
	bool in_dump = h->nlmsg_pid == k->portid && h->nlmsg_seq == k->dump_seq &&
		       k->phase != PHASE_SYNCED;
	struct rtnl_msg msg;
	enum rtnl_reason why;

	k->messages++;
	if (in_dump && (h->nlmsg_flags & NLM_F_DUMP_INTR))
		k->dump_intr = true;
	switch (h->nlmsg_type) {
	case RTM_DELLINK:
		resync(k, RS_LINK);
		return false;
	case RTM_DELADDR:
		if (h->nlmsg_len >= NLMSG_LENGTH(1) &&
		    *(const uint8_t *)mnl_nlmsg_get_payload(h) == AF_INET) {
			resync(k, RS_LINK);
			return false;
		}
		return true;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (other_family(h)) {
			k->skipped[MS_OTHER_FAMILY]++;
			return true;
		}
		break;
	case NLMSG_DONE:
	case NLMSG_ERROR:
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		break;
	default:
		return true;
	}
	why = rtnl_msg_decode(m, len, &msg);
	if (why) {
		k->rtnl_errors[why]++;
		return true;
	}
	switch (msg.kind) {
	case RTNL_KIND_ROUTE:
		if (take_route(k, &msg.route, in_dump)) {
			/* Counted where it failed. */
			resync(k, RS_ERROR);
			return false;
		}
		return true;
	case RTNL_KIND_NEXTHOP:
		return take_nexthop(k, &msg.nexthop, in_dump);
	case RTNL_KIND_DONE:
		return in_dump ? dump_done(k, 0) : true;
	case RTNL_KIND_ERROR:
		return in_dump && msg.error ? dump_done(k, k->phase == PHASE_ROUTES ? msg.error : 0)
					    : true;
	default:
		return true;
	}
}

/* Every message of a datagram. False: the socket was replaced. */
static bool take_datagram(struct feed_kernel *k, size_t n)
{
	size_t off = 0, len;
	const void *m;
	enum rtnl_reason why;

	while (off < n) {
		why = rtnl_msg_next(k->buf, n, &off, &m, &len);
		if (why) {
			/* The rest of a datagram with a bad length cannot be read. */
			k->rtnl_errors[why]++;
			resync(k, RS_ERROR);
			return false;
		}
		if (!take_message(k, m, len))
			return false;
	}
	return true;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct feed_kernel *k = arg;
	ssize_t n;

	(void)fd;
	(void)what;
	memset(k->ifcache_oif, 0, sizeof(k->ifcache_oif));
	for (unsigned i = 0; i < TURN_DATAGRAMS; i++) {
		n = mnl_socket_recvfrom(k->nl, k->buf, RECV_BYTES);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			if (errno == ENOBUFS) {
				resync(k, RS_ENOBUFS);
				return;
			}
			log_err("%s: receiving: %s", k->name, strerror(errno));
			k->errors[ME_RECV_FAILED]++;
			resync(k, RS_ERROR);
			return;
		}
		k->last_message = time(NULL);
		if (!take_datagram(k, (size_t)n))
			return;
	}
	/* A turn's events are one load; a dump's wait for its end. */
	if (k->phase == PHASE_SYNCED)
		apply_batch(k, false);
}

/* Start, stop, show */

struct feed_kernel *feed_kernel_start(struct routed *d, const struct config_kernel_mirror *cfg,
				      char *err, size_t errlen)
{
	struct feed_kernel *k = calloc(1, sizeof(*k));

	if (!k) {
		snprintf(err, errlen, "feeds.kernel: %s", strerror(ENOMEM));
		return NULL;
	}
	k->d = d;
	k->cfg = *cfg;
	snprintf(k->name, sizeof(k->name), "kernel:%u", cfg->kernel_table);
	k->owned = feed_routes_create();
	k->buf = malloc(RECV_BYTES);
	k->retry_ev = evtimer_new(d->base, on_retry, k);
	if (!k->owned || !k->buf || !k->retry_ev) {
		snprintf(err, errlen, "%s: %s", k->name, strerror(ENOMEM));
		goto fail;
	}
	if (open_socket(k, err, errlen))
		goto fail;
	log_info("%s: mirroring kernel table %u into table %s (receive buffer %d bytes)", k->name,
		 cfg->kernel_table, tables_name(d->tables, cfg->table), k->rcvbuf);
	return k;
fail:
	feed_kernel_stop(k);
	return NULL;
}

void feed_kernel_stop(struct feed_kernel *k)
{
	if (!k)
		return;
	close_socket(k);
	if (k->retry_ev)
		event_free(k->retry_ev);
	feed_routes_destroy(k->owned);
	feed_batch_free(&k->batch);
	free(k->buf);
	free(k);
}

static const char *state_name(const struct feed_kernel *k)
{
	if (k->phase == PHASE_SYNCED && k->nl)
		return "synced";
	return k->resyncing ? "resyncing" : "dumping";
}

static int put_count(json_t *o, const char *name, uint64_t n, bool always)
{
	return n || always ? json_object_set_new(o, name, json_integer((json_int_t)n)) : 0;
}

json_t *feed_kernel_json(const struct feed_kernel *k)
{
	json_t *errors = json_object(), *skipped = json_object(), *resyncs = json_object();
	int rc = !errors || !skipped || !resyncs;

	for (unsigned i = 1; !rc && i < RTNL_ERR_COUNT; i++)
		rc = put_count(errors, rtnl_reason_name(i), k->rtnl_errors[i], false);
	for (unsigned i = 0; !rc && i < ME_COUNT; i++)
		rc = put_count(errors, error_names[i], k->errors[i], false);
	for (unsigned i = 0; !rc && i < MS_COUNT; i++)
		rc = put_count(skipped, skip_names[i], k->skipped[i], false);
	for (unsigned i = 0; !rc && i < RS_COUNT; i++)
		rc = put_count(resyncs, resync_names[i], k->resyncs[i], true);
	if (rc) {
		json_decref(errors);
		json_decref(skipped);
		json_decref(resyncs);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:s?, s:I, s:I, s:I, s:I, s:o, s:I, s:o, s:o, s:o}",
			 "name", k->name, "type", "kernel", "state", state_name(k),
			 "kernel_table", (json_int_t)k->cfg.kernel_table, "table",
			 tables_name(k->d->tables, k->cfg.table), "routes",
			 (json_int_t)feed_routes_count(k->owned), "nexthops",
			 (json_int_t)(k->nexthops ? feed_nexthops_count(k->nexthops) : 0),
			 "messages", (json_int_t)k->messages, "dumps", (json_int_t)k->dumps,
			 "resyncs", resyncs, "rcvbuf", (json_int_t)k->rcvbuf, "last_message",
			 k->last_message ? json_integer((json_int_t)k->last_message) : json_null(),
			 "errors", errors, "skipped", skipped);
}

size_t feed_kernel_memory_bytes(const struct feed_kernel *k)
{
	return sizeof(*k) + feed_routes_bytes(k->owned) + k->batch.cap * sizeof(*k->batch.v);
}
