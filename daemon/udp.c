/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup service. Every worker has its own socket on every
 * listener (SO_REUSEPORT spreads flows over them) and its own event base;
 * a readable socket runs up to lookup.rounds rounds of recvmmsg (up to
 * lookup.batch datagrams), answers each round in one read-side section
 * inside the gate, in place (each datagram's answers filled after the
 * next one's walk), and sends the answers with sendmmsg, those to one
 * client grouped for UDP segmentation (udp_send.h). Nothing on this path
 * logs or allocates.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <urcu/system.h>

#include <routed/lookup_wire.h>
#include <routed/table.h>

#include "routed_config.h"
#include "daemon.h"
#include "log.h"
#include "tables.h"
#include "udp.h"
#include "udp_send.h"
#include "workers.h"

#define UDP_MAX_BATCH CONFIG_MAX_BATCH	/* the most lookup.batch allows */
#define UDP_MAX_WORKERS CONFIG_MAX_THREADS	/* the most lookup.threads allows */
_Static_assert(UDP_MAX_WORKERS <= WORKERS_MAX, "the pool holds as many workers as the service counts");
#define UDP_BATCH_BUCKETS 9		/* 1, 2-3, 4-7, ..., 128-255, 256 */
/*
 * Listener counter slots: a reload may add CONFIG_MAX_LISTEN new
 * listeners while the plan it replaces still holds CONFIG_MAX_LISTEN.
 */
#define UDP_LISTENER_SLOTS (2 * CONFIG_MAX_LISTEN)

struct udp_listener {
	struct config_listen conf;	/* as configured (port may be 0) */
	char text[64];			/* as bound: "127.0.0.1:5300" */
	uint16_t port;			/* as bound */
	unsigned slot;			/* its counters in every worker's udp_counters */
	unsigned n_fds;
	int fd[];			/* fd[i]: worker i's socket */
};

/* What batches see; replaced only inside the gate. */
struct udp_plan {
	unsigned n_workers;
	unsigned batch, rounds;
	unsigned n;
	struct udp_listener *l[CONFIG_MAX_LISTEN];
};

/*
 * What one worker counted for one listener. A listener keeps its slot
 * across the plans that keep it; a slot is given to a new listener only
 * when no plan a batch may still see has it, and zeroed first (see
 * take_slot()).
 */
struct udp_listener_counts {
	uint64_t requests;		/* valid requests, answered */
	uint64_t lookups;
	uint64_t drops[RT_WIRE_E_COUNT_];
};

/*
 * One worker's counters: written by that worker only, read by the control
 * thread. Statistics order nothing, so the owner's CMM_STORE_SHARED() and
 * the reader's CMM_LOAD_SHARED() (volatile accesses, no barrier) only keep
 * each aligned 64-bit value whole. A cache line of its own per worker, so
 * workers never write to a line another one writes.
 */
struct udp_counters {
	uint64_t datagrams;		/* valid requests */
	uint64_t responses;		/* sent */
	uint64_t lookups;
	uint64_t drops[RT_WIRE_E_COUNT_];
	uint64_t unbound;		/* arrived on a socket the plan no longer has */
	uint64_t send_errors;
	uint64_t segmented;		/* responses sent in segmented messages (udp_send.h) */
	uint64_t recv_errors;
	uint64_t kernel_drops;		/* SO_RXQ_OVFL deltas */
	uint64_t rounds;		/* recvmmsg calls that returned datagrams */
	uint64_t batch_hist[UDP_BATCH_BUCKETS];
	/* By udp_listener.slot; written inside a batch only (see serve_round()). */
	struct udp_listener_counts listener[UDP_LISTENER_SLOTS];
} __attribute__((aligned(64)));

static inline void count(uint64_t *c, uint64_t n)
{
	if (n)
		CMM_STORE_SHARED(*c, *c + n);
}

static inline uint64_t counter(const uint64_t *c)
{
	return CMM_LOAD_SHARED(*c);
}

struct udp_watch {
	int fd;
	struct event *ev;
	uint32_t ovfl;			/* the socket's last SO_RXQ_OVFL value */
	struct udp_worker *uw;
};

/* A worker's buffers and events: its thread only. */
struct udp_worker {
	struct udp_service *u;
	struct worker *w;
	struct udp_counters *c;
	unsigned n_watch;
	unsigned used;			/* in[0..used) were written by the last recvmmsg */
	struct udp_watch watch[CONFIG_MAX_LISTEN];
	struct mmsghdr in[UDP_MAX_BATCH];
	struct mmsghdr out[UDP_MAX_BATCH];
	struct iovec iov[UDP_MAX_BATCH];
	struct sockaddr_in6 peer[UDP_MAX_BATCH];
	char cmsg[UDP_MAX_BATCH][CMSG_SPACE(sizeof(uint32_t))];
	uint8_t buf[UDP_MAX_BATCH][RT_WIRE_MAX_PAYLOAD] __attribute__((aligned(16)));
	struct udp_send send;
};

struct udp_service {
	struct routed *d;
	struct workers *pool;
	struct udp_plan *plan;		/* current; changed only inside the gate */
	struct udp_plan *next;		/* prepared, not committed */
	struct udp_plan *retired;	/* committed away; its sockets close at finish */
	unsigned workers_before;	/* before prepare: abort goes back to it */
	/* Limits read at each wakeup: plain values, either old or new is fine. */
	unsigned batch, rounds;
	bool segment;			/* replies grouped for UDP_SEGMENT (udp_send.h) */
	unsigned workers_seen;		/* the most workers ever run: counters past it are 0 */
	struct udp_counters counters[UDP_MAX_WORKERS];
};

/* ---- sockets ---- */

static void set_buffer(int fd, int force, int plain, size_t bytes)
{
	int v = (int)bytes;

	/* FORCE passes net.core.[rw]mem_max with CAP_NET_ADMIN; else capped. */
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)))
		(void)setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

/* One socket of a listener, bound to port. -errno with err filled. */
static int open_socket(const struct udp_listener *l, uint16_t port, size_t bufsize, bool shared,
		       char *err, size_t errlen)
{
	struct rt_addr addr = { .family = (uint8_t)l->conf.family };
	struct sockaddr_storage sa;
	socklen_t salen;
	int one = 1, fd, rc;

	memcpy(addr.bytes, l->conf.addr, sizeof(addr.bytes));
	salen = rt_addr_sockaddr(&addr, port, &sa);

	fd = socket(l->conf.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if ((shared && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    (l->conf.family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)))
		goto fail;
	if (shared) {
		set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, bufsize);
		set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, bufsize);
	}
	if (bind(fd, (struct sockaddr *)&sa, salen))
		goto fail;
	return fd;
fail:
	rc = -errno;
	snprintf(err, errlen, "lookup listener %s: %s", l->conf.text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static void close_fds(struct udp_listener *l, unsigned from)
{
	for (unsigned i = from; i < l->n_fds; i++)
		close(l->fd[i]);
}

/* Same address and configured port: the same sockets serve it across reloads. */
static bool same_listener(const struct config_listen *a, const struct config_listen *b)
{
	return a->family == b->family && a->port == b->port && !memcmp(a->addr, b->addr, 16);
}

static struct udp_listener *find_listener(const struct udp_plan *p, const struct config_listen *c)
{
	for (unsigned i = 0; p && i < p->n; i++)
		if (same_listener(&p->l[i]->conf, c))
			return p->l[i];
	return NULL;
}

/*
 * The listener for conf in the next plan, sharing the sockets old has: the
 * first n of them, plus new ones for workers old did not cover.
 */
static struct udp_listener *listener_open(const struct config_listen *conf,
					  const struct udp_listener *old, unsigned n,
					  size_t bufsize, char *err, size_t errlen, int *rc)
{
	struct udp_listener *l = calloc(1, sizeof(*l) + n * sizeof(l->fd[0]));
	char addr[INET6_ADDRSTRLEN];
	struct sockaddr_in6 sa;
	socklen_t salen = sizeof(sa);
	int fd;

	*rc = -ENOMEM;
	if (!l) {
		snprintf(err, errlen, "lookup listener %s: %s", conf->text, strerror(ENOMEM));
		return NULL;
	}
	l->conf = *conf;
	l->port = old ? old->port : conf->port;
	l->slot = old ? old->slot : 0;	/* a new one gets its slot from take_slot() */
	if (!old && conf->port) {
		/*
		 * SO_REUSEPORT would let us join another process's group on
		 * the port and share its traffic: first make sure it is free.
		 */
		fd = open_socket(l, conf->port, bufsize, false, err, errlen);
		if (fd < 0) {
			*rc = fd;
			goto fail;
		}
		close(fd);
	}
	for (; l->n_fds < n; l->n_fds++) {
		if (old && l->n_fds < old->n_fds) {
			l->fd[l->n_fds] = old->fd[l->n_fds];
			continue;
		}
		fd = open_socket(l, l->port, bufsize, true, err, errlen);
		if (fd < 0) {
			*rc = fd;
			goto fail;
		}
		l->fd[l->n_fds] = fd;
		if (!l->port) {
			/* Port 0: the kernel's pick, for every other worker too. */
			if (getsockname(fd, (struct sockaddr *)&sa, &salen)) {
				*rc = -errno;
				snprintf(err, errlen, "lookup listener %s: getsockname: %s",
					 conf->text, strerror(errno));
				l->n_fds++;
				goto fail;
			}
			l->port = ntohs(sa.sin6_port);	/* same offset in sockaddr_in */
		}
	}
	inet_ntop(conf->family, conf->addr, addr, sizeof(addr));
	snprintf(l->text, sizeof(l->text), conf->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr,
		 l->port);
	*rc = 0;
	return l;
fail:
	close_fds(l, old ? old->n_fds : 0);
	free(l);
	return NULL;
}

/* Close the sockets of p that keep does not use, and free p. */
static void plan_free(struct udp_plan *p, const struct udp_plan *keep)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		const struct udp_listener *kept = find_listener(keep, &p->l[i]->conf);

		close_fds(p->l[i], kept ? (kept->n_fds < p->l[i]->n_fds ? kept->n_fds
									: p->l[i]->n_fds)
					: 0);
		free(p->l[i]);
	}
	free(p);
}

/* ---- the workers' side ---- */

static void note_kernel_drops(struct udp_watch *wt, struct msghdr *m)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
		uint32_t total;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&total, CMSG_DATA(cm), sizeof(total));
		/* The socket's running total: count what is new (it wraps at 2^32). */
		count(&wt->uw->c->kernel_drops, (uint32_t)(total - wt->ovfl));
		wt->ovfl = total;
	}
}

/* The listener whose socket for worker index fd is, or NULL if the plan has none. */
static const struct udp_listener *listener_of(const struct udp_plan *p, unsigned index, int fd)
{
	for (unsigned i = 0; i < p->n; i++)
		if (index < p->l[i]->n_fds && p->l[i]->fd[index] == fd)
			return p->l[i];
	return NULL;
}

/* A round's counts for the listener it came in on. Inside the batch (see serve_round()). */
static void count_listener(struct udp_worker *uw, const struct udp_listener *l, uint64_t requests,
			   uint64_t lookups, const uint64_t *drops)
{
	struct udp_listener_counts *lc = &uw->c->listener[l->slot];

	count(&lc->requests, requests);
	count(&lc->lookups, lookups);
	for (unsigned e = 1; e < RT_WIRE_E_COUNT_; e++)
		count(&lc->drops[e], drops[e]);
}

/*
 * A datagram walked whose answers are not filled yet: they are filled
 * after the next datagram's walk, so that its answer words load meanwhile
 * (rt_table_view_wire_walk4()). The view, loaded in this batch's
 * read-side section, stays valid until worker_batch_end().
 */
struct pending_fill {
	const struct rt_table_view *view;	/* NULL: nothing pending */
	uint8_t *slots;
	unsigned count;
	bool v6;
};

static void fill_pending(struct pending_fill *p)
{
	if (!p->view)
		return;
	if (p->v6)
		rt_table_view_wire_fill6(p->view, p->slots, p->count);
	else
		rt_table_view_wire_fill4(p->view, p->slots, p->count);
	p->view = NULL;
}

/*
 * Answer a valid request in place: the header and the walk now, the fill
 * once the next datagram has walked (or the batch ends: serve_round()).
 * Inside the read-side section.
 */
static void answer(struct rt_table *t, uint8_t *buf, const struct rt_wire_header *h,
		   struct pending_fill *pending)
{
	struct pending_fill walked;
	uint64_t generation;

	if (!t) {
		rt_wire_clear_answers(buf, h);
		rt_wire_finish_response(buf, RT_WIRE_STATUS_NO_TABLE, 0);
		return;
	}
	/* Before the lookups: every answer reflects at least this version. */
	generation = rt_table_generation(t);
	walked = (struct pending_fill){
		.view = rt_table_view_rcu(t),
		.slots = buf + RT_WIRE_HEADER_LEN,
		.count = h->count,
		.v6 = h->family == RT_WIRE_FAMILY6,
	};
	if (walked.v6)
		rt_table_view_wire_walk6(walked.view, walked.slots, walked.count);
	else
		rt_table_view_wire_walk4(walked.view, walked.slots, walked.count);
	fill_pending(pending);
	*pending = walked;
	rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, generation);
}

/* Answer the n datagrams just received on wt; returns how many replies to send. */
static unsigned serve_round(struct udp_worker *uw, struct udp_watch *wt, unsigned n)
{
	struct routed *d = worker_daemon(uw->w);
	uint64_t drops[RT_WIRE_E_COUNT_] = { 0 }, lookups = 0;
	const struct udp_plan *plan;
	const struct udp_listener *l;
	struct pending_fill pending = { 0 };
	struct rt_table *t = NULL;
	uint32_t cached = 0;
	unsigned nout = 0;

	worker_batch_begin(uw->w);
	/*
	 * The plan changes only inside the gate's write side, which excludes
	 * this batch: it is stable until worker_batch_end(), and the gate's
	 * entry orders the writer's stores to it before these loads.
	 */
	plan = CMM_LOAD_SHARED(uw->u->plan);
	l = listener_of(plan, worker_index(uw->w), wt->fd);
	if (!l) {
		worker_batch_end(uw->w);
		count(&uw->c->unbound, n);
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct rt_wire_header h;
		enum rt_wire_error e;
		uint32_t id;

		if (uw->in[i].msg_hdr.msg_flags & MSG_TRUNC)
			e = RT_WIRE_E_OVERSIZE;
		else
			e = rt_wire_parse_request(uw->buf[i], uw->in[i].msg_len, &h);
		if (e) {
			drops[e]++;
			continue;
		}
		id = h.table ? h.table : l->conf.table;
		if (id != cached) {
			/*
			 * rcu_dereference() inside pairs with the table set's
			 * publication; the table stays valid until this
			 * read-side section ends.
			 */
			t = tables_lookup_rcu(d->tables, id);
			cached = id;
		}
		answer(t, uw->buf[i], &h, &pending);
		lookups += h.count;
		uw->out[nout].msg_hdr = (struct msghdr){
			.msg_name = &uw->peer[i],
			.msg_namelen = uw->in[i].msg_hdr.msg_namelen,
			.msg_iov = &uw->iov[i],
			.msg_iovlen = 1,
		};
		uw->iov[i].iov_len = uw->in[i].msg_len;	/* the response is the request's size */
		nout++;
	}
	fill_pending(&pending);	/* inside the section its view came from */
	/*
	 * Before the batch ends: l's slot may go to another listener once a
	 * plan without l is committed, and that commit's write section
	 * waits for this batch (the gate's barrier B, or the grace period of
	 * its fast path, orders these stores before the writer's reuse).
	 */
	count_listener(uw, l, nout, lookups, drops);
	worker_batch_end(uw->w);
	for (unsigned e = 0; e < RT_WIRE_E_COUNT_; e++)
		count(&uw->c->drops[e], drops[e]);
	count(&uw->c->datagrams, nout);
	count(&uw->c->lookups, lookups);
	return nout;
}

static void send_replies(struct udp_worker *uw, int fd, unsigned n)
{
	struct udp_send_result r = udp_send_replies(&uw->send, fd, uw->out, n);

	count(&uw->c->send_errors, r.failed);
	count(&uw->c->segmented, r.segmented);
	count(&uw->c->responses, r.sent);
}

static unsigned batch_bucket(unsigned n)
{
	unsigned b = 0;

	while (n > 1 && b < UDP_BATCH_BUCKETS - 1) {
		n >>= 1;
		b++;
	}
	return b;
}

/* Every receive slot, once: buffer, address and control space never move. */
static void messages_init(struct udp_worker *uw)
{
	for (unsigned i = 0; i < UDP_MAX_BATCH; i++) {
		uw->iov[i] = (struct iovec){ uw->buf[i], sizeof(uw->buf[i]) };
		uw->in[i].msg_hdr = (struct msghdr){
			.msg_name = &uw->peer[i],
			.msg_namelen = sizeof(uw->peer[i]),
			.msg_iov = &uw->iov[i],
			.msg_iovlen = 1,
			.msg_control = uw->cmsg[i],
			.msg_controllen = sizeof(uw->cmsg[i]),
		};
	}
}

/*
 * Give back the lengths the last round changed: recvmmsg wrote the
 * address and control lengths of the slots it filled, and serve_round()
 * the buffer lengths of the answers. Slots past those are as set up.
 */
static void messages_reset(struct udp_worker *uw)
{
	for (unsigned i = 0; i < uw->used; i++) {
		uw->iov[i].iov_len = sizeof(uw->buf[i]);
		uw->in[i].msg_hdr.msg_namelen = sizeof(uw->peer[i]);
		uw->in[i].msg_hdr.msg_controllen = sizeof(uw->cmsg[i]);
	}
	uw->used = 0;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct udp_watch *wt = arg;
	struct udp_worker *uw = wt->uw;
	unsigned batch = CMM_LOAD_SHARED(uw->u->batch), rounds = CMM_LOAD_SHARED(uw->u->rounds);

	(void)what;
	/* Bounded work per wakeup: other sockets of this worker get their turn. */
	for (unsigned r = 0; r < rounds; r++) {
		int n;

		messages_reset(uw);
		n = recvmmsg(fd, uw->in, batch, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				count(&uw->c->recv_errors, 1);
			break;
		}
		uw->used = (unsigned)n;
		note_kernel_drops(wt, &uw->in[n - 1].msg_hdr);
		count(&uw->c->rounds, 1);
		count(&uw->c->batch_hist[batch_bucket((unsigned)n)], 1);
		send_replies(uw, fd, serve_round(uw, wt, (unsigned)n));
		if ((unsigned)n < batch)
			break;
	}
}

static void udp_sync(struct worker *w, void *arg)
{
	struct udp_service *u = arg;
	struct udp_worker *uw = worker_data(w);
	unsigned index = worker_index(w);
	int want[CONFIG_MAX_LISTEN];
	unsigned n_want = 0;

	if (!uw) {
		uw = calloc(1, sizeof(*uw));
		if (!uw) {
			log_err("lookup worker %u: %s: it serves nothing", index, strerror(ENOMEM));
			return;
		}
		uw->u = u;
		uw->w = w;
		uw->c = &u->counters[index];
		messages_init(uw);
		udp_send_init(&uw->send, u->segment);
		worker_set_data(w, uw);
	}
	worker_batch_begin(w);
	/* Stable inside the gate's read side (see serve_round()). */
	for (unsigned i = 0; i < u->plan->n; i++)
		if (index < u->plan->l[i]->n_fds)
			want[n_want++] = u->plan->l[i]->fd[index];
	worker_batch_end(w);
	/* Drop what the plan no longer gives this worker; keep the rest, compacted. */
	for (unsigned i = 0, k = 0, n = uw->n_watch; i < n; i++) {
		struct udp_watch *wt = &uw->watch[i];
		bool keep = false;

		for (unsigned j = 0; j < n_want && !keep; j++)
			keep = want[j] == wt->fd;
		/* An event's argument is its slot: one that moves gets a new event. */
		if (wt->ev && (!keep || k != i)) {
			event_free(wt->ev);
			wt->ev = NULL;
		}
		if (keep)
			uw->watch[k++] = *wt;
		uw->n_watch = k;
	}
	for (unsigned j = 0; j < n_want; j++) {
		bool have = false;

		for (unsigned i = 0; i < uw->n_watch && !have; i++)
			have = uw->watch[i].fd == want[j];
		if (!have)
			uw->watch[uw->n_watch++] = (struct udp_watch){ .fd = want[j], .uw = uw };
	}
	for (unsigned i = 0; i < uw->n_watch; i++) {
		struct udp_watch *wt = &uw->watch[i];

		if (wt->ev)
			continue;
		wt->ev = event_new(worker_base(w), wt->fd, EV_READ | EV_PERSIST, on_readable, wt);
		if (!wt->ev || event_add(wt->ev, NULL))
			log_err("lookup worker %u: watching a socket: %s", index, strerror(ENOMEM));
	}
}

static void udp_fini(struct worker *w, void *arg)
{
	struct udp_worker *uw = worker_data(w);

	(void)arg;
	if (!uw)
		return;
	for (unsigned i = 0; i < uw->n_watch; i++)
		if (uw->watch[i].ev)
			event_free(uw->watch[i].ev);
	free(uw);
	worker_set_data(w, NULL);
}

/* ---- the control thread's side ---- */

struct udp_service *udp_create(struct routed *d)
{
	struct udp_service *u = calloc(1, sizeof(*u));
	struct worker_service svc = { .sync = udp_sync, .fini = udp_fini };

	if (!u)
		return NULL;
	u->d = d;
	u->segment = udp_send_segment_wanted();
	u->plan = calloc(1, sizeof(*u->plan));
	svc.arg = u;
	u->pool = u->plan ? workers_create(d, &svc) : NULL;
	if (!u->pool) {
		free(u->plan);
		free(u);
		return NULL;
	}
	return u;
}

void udp_destroy(struct udp_service *u)
{
	if (!u)
		return;
	workers_destroy(u->pool);
	plan_free(u->next, NULL);
	plan_free(u->retired, NULL);
	plan_free(u->plan, NULL);
	free(u);
}

/*
 * A counter slot for a listener new in the next plan p: one that neither
 * the current plan nor p has. No worker writes to it: batches count only
 * for listeners of the plan they see, which is u->plan; those that saw an
 * older plan ended before the write section that replaced it, and the
 * gate orders their stores before that section (gate.c, barrier B with C,
 * or the grace period of the fast path). So plain stores zero it here,
 * and the zeroes reach the workers with p: the write section that commits
 * p orders them before every batch that sees p (barrier G with R, or the
 * fast path's grace period). A removed listener's counts go with it.
 */
static unsigned take_slot(struct udp_service *u, const struct udp_plan *p)
{
	bool used[UDP_LISTENER_SLOTS] = { false };
	unsigned s = 0;

	for (unsigned i = 0; i < u->plan->n; i++)
		used[u->plan->l[i]->slot] = true;
	for (unsigned i = 0; i < p->n; i++)
		used[p->l[i]->slot] = true;
	/* At most 2 * CONFIG_MAX_LISTEN - 1 are used: there is a free one. */
	while (used[s])
		s++;
	for (unsigned w = 0; w < u->workers_seen; w++)
		memset(&u->counters[w].listener[s], 0, sizeof(u->counters[w].listener[s]));
	return s;
}

/* Default listeners are skipped, with a warning, where the host has no such address. */
static bool optional_failure(const struct routed_config *cfg, int rc)
{
	return cfg->listen_is_default && (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT);
}

int udp_prepare(struct udp_service *u, const struct routed_config *cfg, char *err, size_t errlen)
{
	struct udp_plan *p = calloc(1, sizeof(*p));
	unsigned n = cfg->threads;

	if (!p) {
		snprintf(err, errlen, "lookup service: %s", strerror(ENOMEM));
		return -1;
	}
	p->n_workers = n;
	p->batch = cfg->batch;
	p->rounds = cfg->rounds;
	for (unsigned i = 0; i < cfg->n_listen; i++) {
		const struct udp_listener *old = find_listener(u->plan, &cfg->listen[i]);
		struct udp_listener *l;
		int rc;

		l = listener_open(&cfg->listen[i], old, n, cfg->socket_buffer, err, errlen, &rc);
		if (!l && optional_failure(cfg, rc)) {
			log_warn("%s: skipped (a default listener)", err);
			continue;
		}
		if (!l)
			goto fail;
		if (!old)
			l->slot = take_slot(u, p);
		p->l[p->n++] = l;
	}
	u->workers_before = workers_count(u->pool);
	if (n > u->workers_seen)
		u->workers_seen = n;
	if (n > u->workers_before && workers_resize(u->pool, n, err, errlen))
		goto fail;
	u->next = p;
	return 0;
fail:
	plan_free(p, u->plan);
	return -1;
}

void udp_commit(struct udp_service *u)
{
	/*
	 * Inside the gate's write side: no batch runs, and the next ones see
	 * the new plan whole (the gate orders these stores before them).
	 */
	u->retired = u->plan;
	CMM_STORE_SHARED(u->plan, u->next);
	u->next = NULL;
	CMM_STORE_SHARED(u->batch, u->plan->batch);
	CMM_STORE_SHARED(u->rounds, u->plan->rounds);
}

void udp_finish(struct udp_service *u)
{
	char err[256];

	if (workers_sync(u->pool)) {
		/* A worker may still watch the old sockets: leave them open. */
		log_err("lookup service: keeping the old sockets open");
		u->retired = NULL;
		return;
	}
	plan_free(u->retired, u->plan);
	u->retired = NULL;
	if (workers_resize(u->pool, u->plan->n_workers, err, sizeof(err)))
		log_err("%s", err);
	u->d->threads = workers_count(u->pool);
	for (unsigned i = 0; i < u->plan->n; i++)
		log_info("lookup listener %s: table %u, %u sockets", u->plan->l[i]->text,
			 u->plan->l[i]->conf.table, u->plan->l[i]->n_fds);
}

void udp_abort(struct udp_service *u)
{
	char err[256];

	plan_free(u->next, u->plan);
	u->next = NULL;
	if (workers_resize(u->pool, u->workers_before, err, sizeof(err)))
		log_err("%s", err);
}

unsigned udp_threads(const struct udp_service *u)
{
	return workers_count(u->pool);
}

json_t *udp_listeners_json(struct udp_service *u)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < u->plan->n; i++) {
		const struct udp_listener *l = u->plan->l[i];

		if (json_array_append_new(a, json_pack("{s:s, s:I, s:I}", "address", l->text,
						       "table", (json_int_t)l->conf.table,
						       "sockets", (json_int_t)l->n_fds))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

void udp_lookup_counts(struct udp_service *u, uint64_t *requests, uint64_t *addresses)
{
	*requests = 0;
	*addresses = 0;
	/*
	 * Relaxed loads (see struct udp_counters): the workers go on counting
	 * meanwhile, so the sums belong to no single instant, but each term
	 * is whole and never smaller than an earlier read of it.
	 */
	for (unsigned w = 0; w < u->workers_seen; w++) {
		*requests += counter(&u->counters[w].datagrams);
		*addresses += counter(&u->counters[w].lookups);
	}
}

struct udp_totals {
	uint64_t datagrams, responses, lookups, unbound, send_errors, segmented, recv_errors;
	uint64_t kernel_drops, rounds, drops_total;
	uint64_t drops[RT_WIRE_E_COUNT_];
	uint64_t batch_hist[UDP_BATCH_BUCKETS];
};

static uint64_t worker_drops(const struct udp_counters *c)
{
	uint64_t n = counter(&c->unbound);

	for (unsigned e = 1; e < RT_WIRE_E_COUNT_; e++)
		n += counter(&c->drops[e]);
	return n;
}

/* A listener's counts, summed over the workers (relaxed loads, as above). */
static json_t *listener_counts_json(struct udp_service *u, const struct udp_listener *l)
{
	struct udp_listener_counts sum = { 0 };
	uint64_t drops_total = 0;
	json_t *drops = json_object();

	for (unsigned w = 0; w < u->workers_seen; w++) {
		const struct udp_listener_counts *lc = &u->counters[w].listener[l->slot];

		sum.requests += counter(&lc->requests);
		sum.lookups += counter(&lc->lookups);
		for (unsigned e = 1; e < RT_WIRE_E_COUNT_; e++)
			sum.drops[e] += counter(&lc->drops[e]);
	}
	for (unsigned e = 1; drops && e < RT_WIRE_E_COUNT_; e++) {
		drops_total += sum.drops[e];
		if (json_object_set_new(drops, rt_wire_error_name(e),
					json_integer((json_int_t)sum.drops[e])))
			goto fail;
	}
	if (!drops || json_object_set_new(drops, "total", json_integer((json_int_t)drops_total)))
		goto fail;
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "address", l->text, "table",
			 (json_int_t)l->conf.table, "sockets", (json_int_t)l->n_fds, "requests",
			 (json_int_t)sum.requests, "lookups", (json_int_t)sum.lookups, "drops", drops);
fail:
	json_decref(drops);
	return NULL;
}

/* stats' udp.listeners: udp_listeners_json() with each one's counts. */
static json_t *listeners_stats_json(struct udp_service *u)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < u->plan->n; i++) {
		if (json_array_append_new(a, listener_counts_json(u, u->plan->l[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *worker_json(const struct udp_counters *c)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "datagrams", (json_int_t)counter(&c->datagrams),
			 "lookups", (json_int_t)counter(&c->lookups), "drops",
			 (json_int_t)worker_drops(c), "kernel_drops",
			 (json_int_t)counter(&c->kernel_drops));
}

json_t *udp_stats_json(struct udp_service *u)
{
	struct udp_totals t = { 0 };
	json_t *o = NULL, *drops = NULL, *hist = NULL, *workers = NULL;
	unsigned n = workers_count(u->pool);

	for (unsigned w = 0; w < u->workers_seen; w++) {
		const struct udp_counters *c = &u->counters[w];

		t.datagrams += counter(&c->datagrams);
		t.responses += counter(&c->responses);
		t.lookups += counter(&c->lookups);
		t.unbound += counter(&c->unbound);
		t.send_errors += counter(&c->send_errors);
		t.segmented += counter(&c->segmented);
		t.recv_errors += counter(&c->recv_errors);
		t.kernel_drops += counter(&c->kernel_drops);
		t.rounds += counter(&c->rounds);
		t.drops_total += worker_drops(c);
		for (unsigned e = 1; e < RT_WIRE_E_COUNT_; e++)
			t.drops[e] += counter(&c->drops[e]);
		for (unsigned b = 0; b < UDP_BATCH_BUCKETS; b++)
			t.batch_hist[b] += counter(&c->batch_hist[b]);
	}
	drops = json_object();
	hist = json_array();
	workers = json_array();
	if (!drops || !hist || !workers)
		goto fail;
	for (unsigned e = 1; e < RT_WIRE_E_COUNT_; e++)
		if (json_object_set_new(drops, rt_wire_error_name(e),
					json_integer((json_int_t)t.drops[e])))
			goto fail;
	if (json_object_set_new(drops, "unbound", json_integer((json_int_t)t.unbound)) ||
	    json_object_set_new(drops, "total", json_integer((json_int_t)t.drops_total)))
		goto fail;
	for (unsigned b = 0; b < UDP_BATCH_BUCKETS; b++) {
		unsigned lo = 1u << b, hi = b == UDP_BATCH_BUCKETS - 1 ? UDP_MAX_BATCH : 2 * lo - 1;

		if (json_array_append_new(hist, json_pack("{s:I, s:I, s:I}", "min", (json_int_t)lo,
							  "max", (json_int_t)hi, "count",
							  (json_int_t)t.batch_hist[b])))
			goto fail;
	}
	for (unsigned w = 0; w < n; w++)
		if (json_array_append_new(workers, worker_json(&u->counters[w])))
			goto fail;
	o = json_pack("{s:o, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:o}", "listeners",
		      listeners_stats_json(u), "datagrams", (json_int_t)t.datagrams, "responses",
		      (json_int_t)t.responses, "segmented", (json_int_t)t.segmented, "lookups",
		      (json_int_t)t.lookups, "drops", drops, "kernel_drops",
		      (json_int_t)t.kernel_drops, "send_errors", (json_int_t)t.send_errors,
		      "recv_errors", (json_int_t)t.recv_errors, "rounds",
		      (json_int_t)t.rounds, "batch_sizes", hist, "workers", workers);
	return o;
fail:
	json_decref(drops);
	json_decref(hist);
	json_decref(workers);
	return NULL;
}
