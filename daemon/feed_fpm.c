/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FPM feed (feed_fpm.h).
 *
 * A read turn: recv at most read_budget_bytes, cut whole frames out of the
 * connection's buffer, decode every message of every frame in order.
 * Next-hop objects take effect at once (a later route of the turn may
 * name them); route messages are collected per key (table, prefix,
 * metric) and only the last one of each key counts. The turn's routes
 * then become one load_apply(): NEWs as upserts (a replace in place: the
 * prefix never disappears), DELs and protocol changes as removals, which
 * load_apply orders after the upserts. The owned map (feed_routes.h) is
 * updated only once the load has succeeded.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/rtnetlink.h>

#include <routed/fpm.h>
#include <routed/rtnl_msg.h>
#include <routed/rtnl_proto.h>

#include "daemon.h"
#include "feed_batch.h"
#include "feed_fpm.h"
#include "feed_nexthops.h"
#include "feed_route.h"
#include "feed_routes.h"
#include "load.h"
#include "log.h"
#include "routed_config.h"
#include "routes.h"
#include "tables.h"

/* What the feed counts besides decoding and framing errors. */
enum feed_error {
	FE_UNKNOWN_NEXTHOP,	/* RTA_NH_ID (or a group member) never sent */
	FE_UNKNOWN_TABLE,	/* a table routed does not have (create_tables off) */
	FE_ROUTE_TYPE,		/* local, broadcast, multicast, throw, ... */
	FE_INVALID_ROUTE,	/* not a valid routed route */
	FE_BAD_NEXTHOP,		/* a next-hop object without an id */
	FE_REFUSED_PEER,	/* a connection from an address not in peers */
	FE_REFUSED_BUSY,	/* a second connection while one is open */
	FE_APPLY_FAILED,	/* the load failed (no memory): the connection is closed */
	FE_NO_MEMORY,		/* no memory for a multipath route's next hops: closed too */
	FE_READ_FAILED,		/* recv failed */
	FE_COUNT
};

static const char *const error_names[FE_COUNT] = {
	[FE_UNKNOWN_NEXTHOP] = "unknown-nexthop",
	[FE_UNKNOWN_TABLE] = "unknown-table",
	[FE_ROUTE_TYPE] = "unsupported-type",
	[FE_INVALID_ROUTE] = "invalid-route",
	[FE_BAD_NEXTHOP] = "bad-nexthop",
	[FE_REFUSED_PEER] = "refused-peer",
	[FE_REFUSED_BUSY] = "refused-busy",
	[FE_APPLY_FAILED] = "apply-failed",
	[FE_NO_MEMORY] = "no-memory",
	[FE_READ_FAILED] = "read-failed",
};

/* Messages skipped by design, not errors. */
enum feed_skip {
	FS_CONNECTED,		/* connected_routes is off */
	FS_CLONED,		/* RTM_F_CLONED: a cache entry */
	FS_DELETE_UNKNOWN,	/* a delete of a route the feed does not hold */
	FS_OTHER_MESSAGE,	/* a message type the feed does not use */
	FS_COUNT
};

static const char *const skip_names[FS_COUNT] = {
	[FS_CONNECTED] = "connected",
	[FS_CLONED] = "cloned",
	[FS_DELETE_UNKNOWN] = "delete-unknown",
	[FS_OTHER_MESSAGE] = "other-message",
};

/*
 * A turn's plan. The owned map is set for every route as it is planned
 * (one probe gives the key's old entry and writes the new one), and put
 * back as it was if the load fails: the map follows the tables only once
 * the load succeeded. Its arrays are kept from turn to turn (a replay is
 * thousands of turns of about the same size), grown to the largest turn.
 */
struct apply {
	struct rt_route *routes, *removals;
	struct feed_route_prior *prior;	/* of routes[]: what the map held */
	bool *replaced;			/* of removals[]: the key is one of routes[] */
	size_t n_routes, n_removals;
	size_t cap;			/* of every array: a key plans one route or removal at most */
};

struct conn {
	int fd;
	struct event *ev;
	char peer[RT_ADDR_STRLEN + 8];
	uint8_t *buf;			/* FPM_MAX_FRAME + the read budget */
	size_t len, cap;
	struct feed_nexthops *nexthops;	/* of this session */
	uint32_t ifcache_oif[64];	/* ifindex -> name, direct-mapped */
	char ifcache_name[64][RT_DEV_LEN];
};

struct feed_fpm {
	struct routed *d;
	struct config_fpm cfg;
	int lfd;
	struct event *accept_ev;
	struct event *quiet_ev;		/* replay done: sweep the previous generation */
	struct event *hold_ev;		/* the feed is gone: remove its routes */
	struct conn *conn;
	bool replaying, holding;
	uint32_t generation;
	struct feed_routes *owned;
	struct feed_batch pending;	/* this turn's route messages */
	struct apply plan;		/* this turn's plan */
	uint32_t scratch[FPM_MAX_FRAME / 4 + 1];	/* a misaligned frame's copy */
	char peer[RT_ADDR_STRLEN + 8];	/* the last peer, kept while holding */
	char bound[RT_ADDR_STRLEN + 8];	/* the listen address as bound (port 0 resolved) */
	uint64_t messages, frames, bytes, connections;
	time_t last_message;
	uint64_t rtnl_errors[RTNL_ERR_COUNT];
	uint64_t frame_errors[FPM_STATUS_COUNT];
	uint64_t errors[FE_COUNT];
	uint64_t skipped[FS_COUNT];
};

static void conn_close(struct feed_fpm *f, const char *why);

/* Interface names */

static const char *ifname(uint32_t oif, void *arg)
{
	struct conn *c = arg;
	unsigned slot = oif % 64;
	char name[IF_NAMESIZE];

	if (c->ifcache_oif[slot] != oif) {
		/* An index of zebra's namespace: named as here when it exists, else "ifN". */
		if (if_indextoname(oif, name) && strlen(name) < RT_DEV_LEN)
			snprintf(c->ifcache_name[slot], RT_DEV_LEN, "%s", name);
		else
			snprintf(c->ifcache_name[slot], RT_DEV_LEN, "if%u", oif);
		c->ifcache_oif[slot] = oif;
	}
	return c->ifcache_name[slot];
}

/* One read turn: collecting the route messages */

/* A route message: what it asks for, as the key's latest pending change. */
static int take_route(struct feed_fpm *f, const struct rtnl_route *r)
{
	struct rtnl_path paths[RTNL_MAX_PATHS];
	const struct rtnl_path *use = r->paths;
	unsigned n = r->n_paths;
	bool blackhole = false;
	struct feed_change *p;

	if (r->flags & RTM_F_CLONED) {
		f->skipped[FS_CLONED]++;
		return 0;
	}
	if (rtnl_proto_connected(r->protocol) && !f->cfg.connected_routes) {
		f->skipped[FS_CONNECTED]++;
		return 0;
	}
	if (feed_batch_push(&f->pending, &p)) {
		f->errors[FE_APPLY_FAILED]++;
		return -ENOMEM;
	}
	p->seq = f->pending.n;
	p->key.table = r->table;
	p->key.metric = r->has_priority ? r->priority : 0;
	p->key.prefix = r->dst;
	p->del = r->del;
	p->proto = r->protocol;
	if (r->del)
		return 0;
	/* The route's own next hops when it has them, else its next-hop object's. */
	if (!n && r->nh_id) {
		use = paths;
		if (feed_nexthops_resolve(f->conn->nexthops, r->nh_id, paths, &n, &blackhole)) {
			f->errors[FE_UNKNOWN_NEXTHOP]++;
			return 0;
		}
	}
	switch (feed_route_convert(r, use, n, blackhole, ifname, f->conn, &p->route)) {
	case FEED_ROUTE_OK:
		p->usable = true;
		break;
	case FEED_ROUTE_TYPE:
		f->errors[FE_ROUTE_TYPE]++;
		break;
	case FEED_ROUTE_INVALID:
		f->errors[FE_INVALID_ROUTE]++;
		break;
	case FEED_ROUTE_NOMEM:
		/* Dropping it would leave the route stale: close, and zebra replays. */
		f->errors[FE_NO_MEMORY]++;
		return -ENOMEM;
	}
	return 0;
}

static int take_message(struct feed_fpm *f, const struct rtnl_msg *m)
{
	int rc;

	switch (m->kind) {
	case RTNL_KIND_ROUTE:
		return take_route(f, &m->route);
	case RTNL_KIND_NEXTHOP:
		if (!m->nexthop.id) {
			f->errors[FE_BAD_NEXTHOP]++;
			return 0;
		}
		rc = feed_nexthops_apply(f->conn->nexthops, &m->nexthop);
		if (rc)
			f->errors[FE_APPLY_FAILED]++;
		return rc;
	default:
		f->skipped[FS_OTHER_MESSAGE]++;
		return 0;
	}
}

/* Every message of a frame; false when the frame cannot be trusted. */
static bool take_frame(struct feed_fpm *f, const struct fpm_frame *fr, int *rc)
{
	const void *p = fpm_frame_aligned(fr, f->scratch), *m;
	size_t off = 0, len;
	struct rtnl_msg msg;
	enum rtnl_reason why;

	f->frames++;
	while (off < fr->len) {
		why = rtnl_msg_next(p, fr->len, &off, &m, &len);
		if (why) {
			f->rtnl_errors[why]++;
			return false;
		}
		f->messages++;
		why = rtnl_msg_decode(m, len, &msg);
		if (why) {
			/* One bad message: its length was sound, the rest of the frame is too. */
			f->rtnl_errors[why]++;
			continue;
		}
		*rc = take_message(f, &msg);
		if (*rc)
			return false;
	}
	return true;
}

/* Applying a turn's changes */

/* Whether routes may go into table id: it exists, or is created now if allowed. */
static bool table_ready(struct feed_fpm *f, uint32_t id)
{
	if (tables_get(f->d->tables, id))
		return true;
	if (f->cfg.create_tables && !routes_create_table(f->d, id, NULL)) {
		log_info("fpm: created table %u for the feed's routes", id);
		return true;
	}
	f->errors[FE_UNKNOWN_TABLE]++;
	return false;
}

/*
 * table_ready() of the last table asked about in a turn: a turn's routes
 * are mostly of one table, and no table comes or goes during the turn.
 */
struct table_memo {
	uint32_t id;
	bool valid, ready;
};

static bool table_ready_memo(struct feed_fpm *f, struct table_memo *m, uint32_t id)
{
	if (m->valid && m->id == id) {
		if (!m->ready)
			f->errors[FE_UNKNOWN_TABLE]++;	/* counted per route, as table_ready() does */
		return m->ready;
	}
	m->id = id;
	m->ready = table_ready(f, id);
	m->valid = true;
	return m->ready;
}


static struct feed_route_key key_of(const struct rt_route *r)
{
	return (struct feed_route_key){ .table = r->table, .metric = r->metric,
					.prefix = r->prefix };
}

/* The map's entries of a.routes[0..n) as they were before the turn. */
static void owned_restore(struct feed_fpm *f, const struct apply *a, size_t n)
{
	while (n--) {
		struct feed_route_key k = key_of(&a->routes[n]);

		feed_routes_restore(f->owned, &k, &a->prior[n]);
	}
}

static void plan_removal(struct apply *a, const struct feed_route_key *key, uint8_t proto,
			 bool replaced)
{
	a->replaced[a->n_removals] = replaced;
	feed_route_removal(key, proto, &a->removals[a->n_removals++]);
}

/* The turn's routes and removals; the map set for the routes. 0 or -ENOMEM (map as before). */
static int plan_turn(struct feed_fpm *f, struct apply *a)
{
	struct table_memo memo = { 0 };
	size_t i, last;

	/* The owned map's probes miss the cache: start them all first. */
	for (i = 0; i < f->pending.n; i++)
		feed_routes_prefetch(f->owned, &f->pending.v[i].key);
	for (i = 0; i < f->pending.n; i = last + 1) {
		const struct feed_change *p;
		char name[RT_PROTO_LEN];
		struct feed_route_prior *prior;
		uint8_t proto;
		uint32_t gen;

		/* The last message of the key decides. */
		for (last = i; last + 1 < f->pending.n &&
			       !feed_route_key_cmp(&f->pending.v[last + 1].key, &f->pending.v[i].key);
		     last++)
			;
		p = &f->pending.v[last];
		if (p->usable && table_ready_memo(f, &memo, p->key.table)) {
			prior = &a->prior[a->n_routes];
			if (feed_routes_swap(f->owned, &p->key, p->proto, f->generation, prior)) {
				owned_restore(f, a, a->n_routes);
				return -ENOMEM;
			}
			a->routes[a->n_routes++] = p->route;
			/* Another protocol under the same key: the old route goes. */
			if (prior->had && strcmp(rtnl_proto_name(prior->proto, name), p->route.proto))
				plan_removal(a, &p->key, prior->proto, true);
		} else if (feed_routes_get(f->owned, &p->key, &proto, &gen)) {
			/* Deleted, or replaced by a route routed cannot hold: none is better than a stale one. */
			if (tables_get(f->d->tables, p->key.table))
				plan_removal(a, &p->key, proto, false);
		} else if (p->del) {
			f->skipped[FS_DELETE_UNKNOWN]++;
		}
	}
	return 0;
}

/* Room in a for a turn of n changes. 0 or -ENOMEM (a as it was). */
static int apply_reserve(struct apply *a, size_t n)
{
	struct rt_route *routes, *removals;
	struct feed_route_prior *prior;
	bool *replaced;

	a->n_routes = a->n_removals = 0;
	if (n <= a->cap)
		return 0;
	routes = realloc(a->routes, n * sizeof(*routes));
	if (routes)
		a->routes = routes;
	prior = realloc(a->prior, n * sizeof(*prior));
	if (prior)
		a->prior = prior;
	removals = realloc(a->removals, n * sizeof(*removals));
	if (removals)
		a->removals = removals;
	replaced = realloc(a->replaced, n * sizeof(*replaced));
	if (replaced)
		a->replaced = replaced;
	if (!routes || !prior || !removals || !replaced)
		return -ENOMEM;
	a->cap = n;
	return 0;
}

static void apply_free(struct apply *a)
{
	free(a->routes);
	free(a->prior);
	free(a->removals);
	free(a->replaced);
	memset(a, 0, sizeof(*a));
}

static int apply_turn(struct feed_fpm *f)
{
	struct apply *a = &f->plan;
	/* The feed's conversion validated every route (feed_route_convert). */
	struct load_request req = { .routes_valid = true };
	struct load_result res;
	char err[256];
	int rc;

	if (!f->pending.n)
		return 0;
	feed_batch_sort(&f->pending);
	rc = apply_reserve(a, f->pending.n);
	if (rc)
		goto out;
	rc = plan_turn(f, a);
	if (rc) {
		/* Routes the feed could not track would stay forever: close, and zebra replays. */
		log_err("fpm: out of memory tracking the feed's routes");
		f->errors[FE_APPLY_FAILED]++;
		goto out;
	}
	req.routes = a->routes;
	req.n_routes = a->n_routes;
	req.removals = a->removals;
	req.n_removals = a->n_removals;
	rc = load_apply(f->d, &req, &res, err, sizeof(err));
	load_result_release(&res);
	if (rc) {
		log_err("fpm: applying %zu routes and %zu removals failed: %s", a->n_routes,
			a->n_removals, err);
		f->errors[FE_APPLY_FAILED]++;
		owned_restore(f, a, a->n_routes);
		goto out;
	}
	/* The tables hold the turn: the map drops what went (a replaced key holds its new route). */
	for (size_t i = 0; i < a->n_removals; i++) {
		struct feed_route_key k = key_of(&a->removals[i]);

		if (!a->replaced[i])
			feed_routes_remove(f->owned, &k);
	}
out:
	feed_batch_clear(&f->pending);
	return rc;
}

/* Sweeps: the previous generation after a replay, everything after the hold time */

struct sweep {
	struct rt_route *v;
	size_t n, cap;
};

static int sweep_collect(const struct feed_route_key *key, uint8_t proto, void *arg)
{
	struct sweep *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct rt_route *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	feed_route_removal(key, proto, &s->v[s->n++]);
	return 0;
}

/* Remove, in one load, every owned route older than gen (UINT32_MAX: all). */
static void sweep(struct feed_fpm *f, uint32_t gen, const char *why)
{
	struct sweep s = { 0 };
	struct load_request req = { 0 };
	struct load_result res;
	size_t live = 0;
	char err[256];
	int rc;

	rc = feed_routes_older(f->owned, gen, sweep_collect, &s);
	if (rc) {
		snprintf(err, sizeof(err), "%s", strerror(-rc));
		goto fail;
	}
	/* Routes of a table deleted since are gone with it: only forgotten. */
	for (size_t i = 0; i < s.n; i++) {
		if (!tables_get(f->d->tables, s.v[i].table))
			continue;
		if (live != i) {
			struct rt_route t = s.v[live];

			s.v[live] = s.v[i];
			s.v[i] = t;
		}
		live++;
	}
	if (live) {
		req.removals = s.v;
		req.n_removals = live;
		rc = load_apply(f->d, &req, &res, err, sizeof(err));
		load_result_release(&res);
		if (rc)
			goto fail;
	}
	for (size_t i = 0; i < s.n; i++) {
		struct feed_route_key k = { .table = s.v[i].table, .metric = s.v[i].metric,
					    .prefix = s.v[i].prefix };

		feed_routes_remove(f->owned, &k);
	}
	if (s.n)
		log_info("fpm: removed %zu routes (%s)", s.n, why);
	free(s.v);
	return;
fail:
	log_err("fpm: removing %zu routes (%s) failed: %s", s.n, why, err);
	f->errors[FE_APPLY_FAILED]++;
	free(s.v);
}

static void on_quiet(evutil_socket_t fd, short what, void *arg)
{
	struct feed_fpm *f = arg;

	(void)fd;
	(void)what;
	f->replaying = false;
	log_info("fpm: generation %u replayed (quiet for %u ms); %zu routes", f->generation,
		 f->cfg.quiet_period_ms, feed_routes_count(f->owned));
	sweep(f, f->generation, "not sent again after the reconnect");
}

static void on_hold(evutil_socket_t fd, short what, void *arg)
{
	struct feed_fpm *f = arg;

	(void)fd;
	(void)what;
	f->holding = false;
	sweep(f, UINT32_MAX, "the feed did not come back within the hold time");
}

static void arm(struct event *ev, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* The connection */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct feed_fpm *f = arg;
	struct conn *c = f->conn;
	size_t budget = f->cfg.read_budget_bytes, got = 0, off = 0;
	enum fpm_status st;
	struct fpm_frame fr;
	bool eof = false;
	int rc = 0;

	(void)what;
	/* A bounded read per turn: the control socket gets its turn between. */
	while (got < budget && c->len < c->cap) {
		size_t want = c->cap - c->len < budget - got ? c->cap - c->len : budget - got;
		ssize_t n = recv(fd, c->buf + c->len, want, 0);

		if (n > 0) {
			c->len += (size_t)n;
			got += (size_t)n;
			f->bytes += (size_t)n;
			continue;
		}
		if (n == 0)
			eof = true;
		else if (errno != EAGAIN && errno != EINTR) {
			f->errors[FE_READ_FAILED]++;
			eof = true;
		}
		break;
	}
	while ((st = fpm_frame_next(c->buf, c->len, &off, &fr)) == FPM_OK)
		if (!take_frame(f, &fr, &rc))
			break;
	if (got)
		f->last_message = time(NULL);
	if (f->replaying && got) {
		/* The replay goes on while frames come: its end is the first silence. */
		arm(f->quiet_ev, f->cfg.quiet_period_ms);
	}
	/* What was taken so far is whole frames: apply it even if the stream broke after. */
	if (apply_turn(f)) {
		conn_close(f, "the feed's routes could not be applied");
		return;
	}
	if (rc) {
		/* Counted where it failed. */
		conn_close(f, "out of memory");
		return;
	}
	if (st != FPM_OK && st != FPM_NEED_MORE) {
		f->frame_errors[st]++;
		conn_close(f, fpm_status_name(st));
		return;
	}
	if (st == FPM_OK) {
		conn_close(f, "a malformed frame");
		return;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
	if (eof)
		conn_close(f, c->len ? "end of stream inside a frame" : "end of stream");
}

static void conn_close(struct feed_fpm *f, const char *why)
{
	struct conn *c = f->conn;

	if (!c)
		return;
	log_info("fpm: connection from %s closed (%s); its %zu routes are held for %u ms", c->peer,
		 why, feed_routes_count(f->owned), f->cfg.hold_time_ms);
	event_free(c->ev);
	close(c->fd);
	feed_nexthops_destroy(c->nexthops);
	free(c->buf);
	free(c);
	f->conn = NULL;
	/* A replay cut short sweeps nothing: the hold time decides for all of them. */
	evtimer_del(f->quiet_ev);
	f->replaying = false;
	f->holding = true;
	arm(f->hold_ev, f->cfg.hold_time_ms);
}

static bool peer_allowed(const struct feed_fpm *f, const struct rt_addr *a)
{
	for (unsigned i = 0; i < f->cfg.n_peers; i++)
		if (f->cfg.peers[i].family == a->family &&
		    !memcmp(f->cfg.peers[i].bytes, a->bytes, a->family == AF_INET ? 4 : 16))
			return true;
	return false;
}

static void sockaddr_addr(const struct sockaddr_storage *ss, struct rt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct in6_addr *v6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		a->family = AF_INET6;
		memcpy(a->bytes, v6, 16);
		/* An IPv4 client on a dual-stack socket: its IPv4 address. */
		if (IN6_IS_ADDR_V4MAPPED(v6)) {
			a->family = AF_INET;
			memmove(a->bytes, a->bytes + 12, 4);
			memset(a->bytes + 4, 0, 12);
		}
	}
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct feed_fpm *f = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct rt_addr peer;
	char text[RT_ADDR_STRLEN];
	struct conn *c;
	int fd;

	(void)what;
	fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	sockaddr_addr(&ss, &peer);
	rt_addr_format(&peer, text, sizeof(text));
	if (!peer_allowed(f, &peer)) {
		f->errors[FE_REFUSED_PEER]++;
		log_warn("fpm: refused a connection from %s (not in feeds.fpm.peers)", text);
		close(fd);
		return;
	}
	if (f->conn) {
		f->errors[FE_REFUSED_BUSY]++;
		log_warn("fpm: refused a second connection from %s (%s is connected)", text,
			 f->conn->peer);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		goto nomem;
	c->fd = fd;
	c->cap = FPM_MAX_FRAME + f->cfg.read_budget_bytes;
	c->buf = malloc(c->cap);
	c->nexthops = feed_nexthops_create();
	c->ev = event_new(f->d->base, fd, EV_READ | EV_PERSIST, on_read, f);
	if (!c->buf || !c->nexthops || !c->ev || event_add(c->ev, NULL)) {
		if (c->ev)
			event_free(c->ev);
		feed_nexthops_destroy(c->nexthops);
		free(c->buf);
		free(c);
		goto nomem;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", text);
	snprintf(f->peer, sizeof(f->peer), "%s", text);
	f->conn = c;
	f->connections++;
	f->generation++;
	evtimer_del(f->hold_ev);
	f->holding = false;
	f->replaying = true;
	arm(f->quiet_ev, f->cfg.quiet_period_ms);
	log_info("fpm: %s connected: generation %u, %zu routes of earlier ones kept until it has "
		 "replayed", text, f->generation, feed_routes_count(f->owned));
	return;
nomem:
	log_err("fpm: out of memory accepting a connection from %s", text);
	close(fd);
}

/* Start, stop, show */

static int listen_on(const struct config_listen *l, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct rt_addr a = { .family = (uint8_t)l->family };
	unsigned sl;
	int fd, one = 1;

	memcpy(a.bytes, l->addr, sizeof(a.bytes));
	sl = rt_addr_sockaddr(&a, l->port, &ss);
	fd = socket(l->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 4))
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "feeds.fpm.listen %s: %s", l->text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void bound_address(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct rt_addr a;
	char text[RT_ADDR_STRLEN];
	unsigned port;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		snprintf(buf, len, "?");
		return;
	}
	sockaddr_addr(&ss, &a);
	port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	rt_addr_format(&a, text, sizeof(text));
	snprintf(buf, len, a.family == AF_INET6 ? "[%s]:%u" : "%s:%u", text, port);
}

struct feed_fpm *feed_fpm_start(struct routed *d, const struct config_fpm *cfg, char *err,
				size_t errlen)
{
	struct feed_fpm *f = calloc(1, sizeof(*f));

	if (!f) {
		snprintf(err, errlen, "feeds.fpm: %s", strerror(ENOMEM));
		return NULL;
	}
	f->d = d;
	f->cfg = *cfg;
	f->lfd = listen_on(&cfg->listen, err, errlen);
	if (f->lfd < 0) {
		free(f);
		return NULL;
	}
	bound_address(f->lfd, f->bound, sizeof(f->bound));
	f->owned = feed_routes_create();
	f->accept_ev = event_new(d->base, f->lfd, EV_READ | EV_PERSIST, on_accept, f);
	f->quiet_ev = evtimer_new(d->base, on_quiet, f);
	f->hold_ev = evtimer_new(d->base, on_hold, f);
	if (!f->owned || !f->accept_ev || !f->quiet_ev || !f->hold_ev ||
	    event_add(f->accept_ev, NULL)) {
		snprintf(err, errlen, "feeds.fpm: %s", strerror(ENOMEM));
		feed_fpm_stop(f);
		return NULL;
	}
	log_info("fpm: listening on %s for FRR's FPM feed", f->bound);
	return f;
}

void feed_fpm_stop(struct feed_fpm *f)
{
	if (!f)
		return;
	if (f->conn) {
		event_free(f->conn->ev);
		close(f->conn->fd);
		feed_nexthops_destroy(f->conn->nexthops);
		free(f->conn->buf);
		free(f->conn);
	}
	if (f->accept_ev)
		event_free(f->accept_ev);
	if (f->quiet_ev)
		event_free(f->quiet_ev);
	if (f->hold_ev)
		event_free(f->hold_ev);
	if (f->lfd >= 0)
		close(f->lfd);
	feed_routes_destroy(f->owned);
	feed_batch_free(&f->pending);
	apply_free(&f->plan);
	free(f);
}

static const char *state_name(const struct feed_fpm *f)
{
	if (f->conn)
		return f->replaying ? "replaying" : "connected";
	return f->holding ? "holding" : "listening";
}

static int put_count(json_t *o, const char *name, uint64_t n)
{
	return n ? json_object_set_new(o, name, json_integer((json_int_t)n)) : 0;
}

json_t *feed_fpm_json(const struct feed_fpm *f)
{
	json_t *errors = json_object(), *skipped = json_object();
	int rc = !errors || !skipped;

	for (unsigned i = 1; !rc && i < RTNL_ERR_COUNT; i++)
		rc = put_count(errors, rtnl_reason_name(i), f->rtnl_errors[i]);
	for (unsigned i = 1; !rc && i < FPM_STATUS_COUNT; i++)
		rc = put_count(errors, fpm_status_name(i), f->frame_errors[i]);
	for (unsigned i = 0; !rc && i < FE_COUNT; i++)
		rc = put_count(errors, error_names[i], f->errors[i]);
	for (unsigned i = 0; !rc && i < FS_COUNT; i++)
		rc = put_count(skipped, skip_names[i], f->skipped[i]);
	if (rc) {
		json_decref(errors);
		json_decref(skipped);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, "
			 "s:o}",
			 "name", "fpm", "type", "fpm", "listen", f->bound, "state",
			 state_name(f), "peer", f->peer[0] ? f->peer : NULL, "generation",
			 (json_int_t)f->generation, "routes",
			 (json_int_t)feed_routes_count(f->owned), "nexthops",
			 (json_int_t)(f->conn ? feed_nexthops_count(f->conn->nexthops) : 0),
			 "messages", (json_int_t)f->messages, "frames", (json_int_t)f->frames,
			 "bytes", (json_int_t)f->bytes, "connections", (json_int_t)f->connections,
			 "last_message",
			 f->last_message ? json_integer((json_int_t)f->last_message) : json_null(),
			 "errors", errors, "skipped", skipped);
}

size_t feed_fpm_memory_bytes(const struct feed_fpm *f)
{
	const struct apply *a = &f->plan;
	size_t n = sizeof(*f) + feed_routes_bytes(f->owned) +
		   f->pending.cap * sizeof(*f->pending.v) +
		   a->cap * (sizeof(*a->routes) + sizeof(*a->prior) + sizeof(*a->removals) +
			     sizeof(*a->replaced));

	if (f->conn)
		n += sizeof(*f->conn) + f->conn->cap;
	return n;
}
