/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Batches and the datagrams in flight: the protocol's client rules
 * (docs/lookup-protocol.md, "Client rules").
 *
 * A batch waits in the send queue while it has addresses not yet in a
 * datagram; each free slot of the window takes the next datagram of the
 * queue's head (up to 75 IPv4 or 30 IPv6 addresses of one family, in
 * input order). A slot's request id is its generation and its index
 * (generation << id_shift | index): a response finds its slot in O(1), and
 * a reused slot has a new id, so a late answer to the datagram it held
 * before matches nothing. A retry keeps the id: a late answer to an
 * earlier try is as good.
 *
 * A response is believed only if it parses as a response, its id is a
 * slot still waiting, and its family, count, table, length and every
 * echoed address equal the request's, and every prefix length fits the
 * family; anything else is counted as invalid on the server's socket and
 * ignored.
 *
 * Deadlines: next_check_ns is never later than the earliest try deadline
 * or batch deadline; a scan at that time handles what is due and computes
 * it again. Completed datagrams leave it early, which costs a scan, never
 * a late timeout.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <routed/clock.h>

#include "bytes.h"
#include "client_int.h"

#ifndef RT_WIRE_A_MULTIPATH
#define RT_WIRE_A_MULTIPATH 0x10	/* the gateway is the next hop chosen for the address */
#endif

/* One byte more than a valid datagram, so an oversized one is recognized. */
#define RECV_BUF (RT_WIRE_MAX_PAYLOAD + 1)
/* recvmmsg calls per socket per progress: bounded work before sending again. */
#define RECV_ROUNDS 8

struct cl_io {
	struct mmsghdr msgs[CL_IO_BATCH];
	struct iovec iov[CL_IO_BATCH];
	uint8_t rbuf[CL_IO_BATCH][RECV_BUF];
};

static uint64_t ms_to_ns(uint64_t ms)
{
	return ms * 1000000u;
}

/* ---- the window ---- */

int cl_flight_init(struct routed_client *c, unsigned window)
{
	uint32_t start;

	cl_flight_free(c);
	c->dg = calloc(window, sizeof(*c->dg));
	c->free_slots = calloc(window, sizeof(*c->free_slots));
	c->send_list = calloc(window, sizeof(*c->send_list));
	c->io = malloc(sizeof(*c->io));
	if (!c->dg || !c->free_slots || !c->send_list || !c->io) {
		cl_flight_free(c);
		return -ENOMEM;
	}
	c->window = window;
	c->id_shift = 0;
	while ((1u << c->id_shift) < window)
		c->id_shift++;
	/* A random first generation: answers meant for an earlier client do not match. */
	if (getrandom(&start, sizeof(start), GRND_NONBLOCK) != sizeof(start))
		start = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	for (unsigned i = 0; i < window; i++) {
		c->dg[i].id = start << c->id_shift | i;
		c->free_slots[i] = window - 1 - i;
	}
	c->nfree = window;
	c->nsend = 0;
	c->next_check_ns = UINT64_MAX;
	return 0;
}

void cl_flight_free(struct routed_client *c)
{
	free(c->dg);
	free(c->free_slots);
	free(c->send_list);
	free(c->io);
	c->dg = NULL;
	c->free_slots = c->send_list = NULL;
	c->io = NULL;
	c->window = c->nfree = c->nsend = 0;
}

static void free_slot(struct routed_client *c, uint32_t slot)
{
	struct cl_datagram *d = &c->dg[slot];

	if (d->to_send) {
		for (unsigned k = 0; k < c->nsend; k++)
			if (c->send_list[k] == slot) {
				c->send_list[k] = c->send_list[--c->nsend];
				break;
			}
		d->to_send = false;
	}
	d->batch = NULL;
	c->free_slots[c->nfree++] = slot;
}

static void schedule_send(struct routed_client *c, uint32_t slot)
{
	c->dg[slot].to_send = true;
	c->send_list[c->nsend++] = slot;
}

/* ---- batches ---- */

static void queue_remove(struct routed_client *c, struct cl_batch *b)
{
	struct cl_batch **pp = &c->queue_head, *prev = NULL;

	while (*pp && *pp != b) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = b->next;
	if (c->queue_tail == b)
		c->queue_tail = prev;
	b->next = NULL;
	b->queued = false;
}

static void finish(struct routed_client *c, struct cl_batch *b)
{
	b->done = true;
	b->next = NULL;
	if (c->done_tail)
		c->done_tail->next = b;
	else
		c->done_head = b;
	c->done_tail = b;
}

static void maybe_finish(struct routed_client *c, struct cl_batch *b)
{
	if (!b->done && !b->queued && b->in_flight == 0)
		finish(c, b);
}

/* End b with err: its datagrams leave the window, its unsent addresses are dropped. */
static void fail_batch(struct routed_client *c, struct cl_batch *b, int err)
{
	if (b->done)
		return;
	if (!b->status)
		b->status = err;
	for (unsigned i = 0; i < c->window && b->in_flight; i++)
		if (c->dg[i].batch == b) {
			free_slot(c, i);
			b->in_flight--;
		}
	if (b->queued)
		queue_remove(c, b);
	finish(c, b);
}

int cl_flight_submit(struct routed_client *c, uint32_t table, const struct routed_addr *addrs,
		     size_t n, struct routed_answer_bin *answers, void *user,
		     struct cl_batch **batch)
{
	struct cl_batch *b;

	if (n == 0 || !addrs || !answers) {
		cl_seterr(c, "an empty batch");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (addrs[i].family != AF_INET && addrs[i].family != AF_INET6) {
			cl_seterr(c, "address %zu: family %u is neither AF_INET nor AF_INET6", i,
				  addrs[i].family);
			return -EINVAL;
		}
	b = c->free_batches;
	if (b)
		c->free_batches = b->next;
	else
		b = malloc(sizeof(*b));
	if (!b) {
		cl_seterr(c, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	*b = (struct cl_batch){ .table = table, .addrs = addrs, .answers = answers, .n = n,
				.user = user, .queued = true,
				.deadline_ns = rt_clock_ns() + c->opt.timeout_ns };
	if (c->queue_tail)
		c->queue_tail->next = b;
	else
		c->queue_head = b;
	c->queue_tail = b;
	c->pending++;
	if (c->next_check_ns > b->deadline_ns)
		c->next_check_ns = b->deadline_ns;
	if (batch)
		*batch = b;
	return 0;
}

int cl_flight_reap(struct routed_client *c, struct cl_batch *b)
{
	struct cl_batch **pp = &c->done_head, *prev = NULL;
	int status = b->status;

	while (*pp && *pp != b) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp) {
		*pp = b->next;
		if (c->done_tail == b)
			c->done_tail = prev;
	}
	c->pending--;
	b->next = c->free_batches;
	c->free_batches = b;
	return status;
}

/* ---- building and sending datagrams ---- */

/* The next datagram of b into slot; false when b has no address left to send. */
static bool build_datagram(struct routed_client *c, struct cl_batch *b, uint32_t slot)
{
	struct cl_datagram *d = &c->dg[slot];

	for (int fam = CL_V4; fam < CL_FAMILIES; fam++) {
		uint8_t af = fam == CL_V4 ? AF_INET : AF_INET6;
		unsigned wire = fam == CL_V4 ? RT_WIRE_FAMILY4 : RT_WIRE_FAMILY6;
		size_t alen = fam == CL_V4 ? 4 : 16, slot_len = rt_wire_slot_len(wire);
		size_t max = rt_wire_max_count(wire), i = b->cursor[fam], count = 0;

		for (; i < b->n && count < max; i++)
			if (b->addrs[i].family == af)
				d->pos[count++] = i;
		b->cursor[fam] = i;
		if (!count)
			continue;
		d->len = (uint16_t)rt_wire_datagram_len(wire, count);
		memset(d->buf, 0, d->len);
		d->buf[0] = RT_WIRE_VERSION;
		d->buf[2] = (uint8_t)wire;
		d->buf[3] = (uint8_t)count;
		d->id = ((d->id >> c->id_shift) + 1) << c->id_shift | slot;
		put_be32(d->buf + 4, d->id);
		put_be32(d->buf + 8, b->table);
		for (size_t k = 0; k < count; k++)
			memcpy(d->buf + RT_WIRE_HEADER_LEN + k * slot_len, b->addrs[d->pos[k]].addr,
			       alen);
		d->family = (uint8_t)wire;
		d->count = (uint8_t)count;
		d->tries = 0;
		d->batch = b;
		b->in_flight++;
		return true;
	}
	return false;
}

/* Fill the free slots of the window from the send queue. */
static void fill_window(struct routed_client *c)
{
	while (c->nfree && c->queue_head) {
		struct cl_batch *b = c->queue_head;
		uint32_t slot = c->free_slots[c->nfree - 1];

		if (!build_datagram(c, b, slot)) {
			queue_remove(c, b);
			maybe_finish(c, b);
			continue;
		}
		c->nfree--;
		schedule_send(c, slot);
	}
}

/* Send slot again, to another server, or end its batch with err when out of tries or time. */
static void retry_or_fail(struct routed_client *c, uint32_t slot, uint64_t now, int err)
{
	struct cl_datagram *d = &c->dg[slot];

	if (d->to_send)
		return;
	if (d->tries < c->opt.tries && now < d->batch->deadline_ns)
		schedule_send(c, slot);
	else
		fail_batch(c, d->batch, err);
}

/*
 * Server i failed (err): set it aside and move what it holds to the others
 * at once. A timeout moves them only when it sets the server aside (the
 * first of its datagrams to time out); a refusal (refused) always does: the
 * ICMP error says nothing listens there.
 */
static void server_failed(struct routed_client *c, unsigned i, uint64_t now, int err,
			  bool refused)
{
	if (!cl_servers_failed(&c->servers, i, now, c->opt.retry_ns) && !refused)
		return;
	for (uint32_t k = 0; k < c->window; k++)
		if (c->dg[k].batch && c->dg[k].server == i && !c->dg[k].to_send)
			retry_or_fail(c, k, now, err);
}

/* Assign a server to each slot of the send list and start its try. */
static void start_tries(struct routed_client *c, const uint32_t *slots, unsigned n, uint64_t now)
{
	for (unsigned k = 0; k < n; k++) {
		struct cl_datagram *d = &c->dg[slots[k]];
		uint64_t wait = c->opt.try_timeout_ns;

		d->server = cl_servers_pick(&c->servers, now, d->tries ? (int)d->server : -1);
		for (unsigned t = 0; t < d->tries; t++)
			wait *= 2;
		d->tries++;
		d->try_deadline_ns = now + wait;
		if (d->try_deadline_ns > d->batch->deadline_ns)
			d->try_deadline_ns = d->batch->deadline_ns;
		if (c->next_check_ns > d->try_deadline_ns)
			c->next_check_ns = d->try_deadline_ns;
		d->to_send = false;
	}
}

/* sendmmsg the slots of server i; returns how many went out, or -errno. */
static int send_slots(struct routed_client *c, unsigned i, const uint32_t *slots, unsigned n)
{
	struct cl_io *io = c->io;
	int rc;

	for (unsigned k = 0; k < n; k++) {
		io->iov[k] = (struct iovec){ c->dg[slots[k]].buf, c->dg[slots[k]].len };
		io->msgs[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &io->iov[k],
							     .msg_iovlen = 1 } };
	}
	do
		rc = sendmmsg(c->servers.list[i].fd, io->msgs, n, 0);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : rc;
}

static void send_to_server(struct routed_client *c, unsigned i, const uint32_t *slots, unsigned n,
			   uint64_t now)
{
	struct cl_server *srv = &c->servers.list[i];
	unsigned done = 0;

	while (done < n) {
		unsigned chunk = n - done < CL_IO_BATCH ? n - done : CL_IO_BATCH;
		int rc = send_slots(c, i, slots + done, chunk);

		if (rc > 0) {
			srv->sent += (unsigned)rc;
			done += (unsigned)rc;
			continue;
		}
		if (rc == 0 || rc == -EAGAIN || rc == -ENOBUFS || rc == -ENOMEM) {
			/* The socket is full: these are lost; their tries time out and resend. */
			srv->sent += n - done;
			return;
		}
		/* Refused (an earlier ICMP error) or unroutable: the server is failing. */
		srv->refused++;
		srv->sent += n - done;
		server_failed(c, i, now, rc, true);
		return;
	}
}

/* Send everything in the send list; a refusal may put datagrams back in it for another server. */
static void flush(struct routed_client *c, uint64_t now)
{
	uint32_t local[CL_IO_BATCH * 4], group[CL_IO_BATCH * 4];

	while (c->nsend) {
		unsigned n = c->nsend < CL_IO_BATCH * 4 ? c->nsend : CL_IO_BATCH * 4;

		memcpy(local, c->send_list + c->nsend - n, n * sizeof(*local));
		c->nsend -= n;
		start_tries(c, local, n, now);
		for (size_t s = 0; s < c->servers.n; s++) {
			unsigned g = 0;

			for (unsigned k = 0; k < n; k++)
				if (c->dg[local[k]].batch && c->dg[local[k]].server == s)
					group[g++] = local[k];
			if (g)
				send_to_server(c, (unsigned)s, group, g, now);
		}
	}
}

/* ---- responses ---- */

static void decode_answer(const uint8_t *s, size_t alen, uint64_t generation,
			  struct routed_answer_bin *a)
{
	uint8_t flags = s[alen];

	memset(a, 0, sizeof(*a));
	a->generation = generation;
	a->found = flags & RT_WIRE_A_FOUND;
	if (!a->found)
		return;
	a->prefix_len = s[alen + 1];
	a->reject = flags & RT_WIRE_A_REJECT;
	a->multipath = flags & RT_WIRE_A_MULTIPATH;
	a->has_tag = flags & RT_WIRE_A_TAG;
	if (a->has_tag)
		a->tag = get_be32(s + alen + 4);
	a->has_via = flags & RT_WIRE_A_GATEWAY;
	if (a->has_via) {
		a->via.family = alen == 4 ? AF_INET : AF_INET6;
		memcpy(a->via.addr, s + alen + 8, alen);
	}
}

/* The response's slots echo the request's addresses, and their answers fit the family. */
static bool slots_match(const struct cl_datagram *d, const uint8_t *buf)
{
	size_t slot_len = rt_wire_slot_len(d->family), alen = d->family == RT_WIRE_FAMILY4 ? 4 : 16;

	for (size_t k = 0; k < d->count; k++) {
		size_t off = RT_WIRE_HEADER_LEN + k * slot_len;

		if (memcmp(buf + off, d->buf + off, alen))
			return false;
		if ((buf[off + alen] & RT_WIRE_A_FOUND) && buf[off + alen + 1] > alen * 8)
			return false;
	}
	return true;
}

/* Server i sent buf; false if the checks refuse it. */
static bool handle_response(struct routed_client *c, unsigned i, const uint8_t *buf, size_t len)
{
	struct rt_wire_header h;
	struct cl_datagram *d;
	struct cl_batch *b;
	uint32_t slot;
	size_t alen, slot_len;

	if (rt_wire_parse_response(buf, len, &h) != RT_WIRE_OK)
		return false;
	slot = h.id & ((1u << c->id_shift) - 1);
	if (slot >= c->window)
		return false;
	d = &c->dg[slot];
	b = d->batch;
	if (!b || d->id != h.id || d->family != h.family || d->count != h.count ||
	    b->table != h.table || d->len != len || !slots_match(d, buf))
		return false;
	cl_servers_answered(&c->servers, i);
	alen = d->family == RT_WIRE_FAMILY4 ? 4 : 16;
	slot_len = rt_wire_slot_len(d->family);
	if (h.status == RT_WIRE_STATUS_NO_TABLE) {
		for (size_t k = 0; k < d->count; k++)
			memset(&b->answers[d->pos[k]], 0, sizeof(b->answers[0]));
		if (!b->status)
			b->status = -ENOENT;
	} else if (h.status != RT_WIRE_STATUS_OK) {
		/* An unknown status is an error for the whole datagram, so for its batch. */
		fail_batch(c, b, -EPROTO);
		return true;
	} else {
		for (size_t k = 0; k < d->count; k++)
			decode_answer(buf + RT_WIRE_HEADER_LEN + k * slot_len, alen, h.generation,
				      &b->answers[d->pos[k]]);
	}
	free_slot(c, slot);
	b->in_flight--;
	maybe_finish(c, b);
	return true;
}

static void receive(struct routed_client *c, unsigned i, uint64_t now)
{
	struct cl_server *srv = &c->servers.list[i];
	struct cl_io *io = c->io;

	for (int round = 0; round < RECV_ROUNDS; round++) {
		int n;

		for (unsigned k = 0; k < CL_IO_BATCH; k++) {
			io->iov[k] = (struct iovec){ io->rbuf[k], RECV_BUF };
			io->msgs[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &io->iov[k],
								     .msg_iovlen = 1 } };
		}
		n = recvmmsg(srv->fd, io->msgs, CL_IO_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) {
				srv->refused++;
				server_failed(c, i, now, -errno, true);
				continue;	/* the error is reported once; read on */
			}
			return;		/* EAGAIN: nothing more */
		}
		for (int k = 0; k < n; k++) {
			size_t len = io->msgs[k].msg_len;

			if ((io->msgs[k].msg_hdr.msg_flags & MSG_TRUNC) || len > RT_WIRE_MAX_PAYLOAD ||
			    !handle_response(c, i, io->rbuf[k], len))
				srv->invalid++;
		}
		if (n < CL_IO_BATCH)
			return;
	}
}

/* ---- deadlines ---- */

/* A try of slot timed out. */
static void timed_out(struct routed_client *c, uint32_t slot, uint64_t now)
{
	struct cl_datagram *d = &c->dg[slot];

	c->servers.list[d->server].timeouts++;
	server_failed(c, d->server, now, -ETIMEDOUT, false);
	if (d->batch)
		retry_or_fail(c, slot, now, -ETIMEDOUT);
}

static void check_deadlines(struct routed_client *c, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (now < c->next_check_ns)
		return;
	for (uint32_t k = 0; k < c->window; k++) {
		struct cl_datagram *d = &c->dg[k];

		if (!d->batch || d->to_send)
			continue;
		if (d->batch->deadline_ns <= now)
			fail_batch(c, d->batch, -ETIMEDOUT);
		else if (d->try_deadline_ns <= now)
			timed_out(c, k, now);
	}
	/* What is still waiting after the moves above. */
	for (uint32_t k = 0; k < c->window; k++)
		if (c->dg[k].batch && !c->dg[k].to_send && c->dg[k].try_deadline_ns < next)
			next = c->dg[k].try_deadline_ns;
	for (struct cl_batch *b = c->queue_head, *nb; b; b = nb) {
		nb = b->next;
		if (b->deadline_ns <= now)
			fail_batch(c, b, -ETIMEDOUT);
		else if (b->deadline_ns < next)
			next = b->deadline_ns;
	}
	c->next_check_ns = next;
}

void cl_flight_send(struct routed_client *c)
{
	fill_window(c);
	flush(c, rt_clock_ns());
}

void cl_flight_abandon(struct routed_client *c, struct cl_batch *b, int err)
{
	fail_batch(c, b, err);
	cl_flight_reap(c, b);
}

int cl_flight_progress(struct routed_client *c, int wait_ms)
{
	struct epoll_event ev[CL_MAX_SERVERS];
	uint64_t now;
	int n;

	/* Send first: never wait with something unsent. */
	cl_flight_send(c);
	n = epoll_wait(c->servers.epfd, ev, CL_MAX_SERVERS, wait_ms);
	if (n < 0 && errno != EINTR) {
		cl_seterr(c, "epoll_wait: %s", strerror(errno));
		return -errno;
	}
	now = rt_clock_ns();
	for (int k = 0; k < n; k++)
		receive(c, ev[k].data.u32, now);
	check_deadlines(c, now);
	fill_window(c);
	flush(c, now);
	return 0;
}

int cl_flight_timeout_ms(const struct routed_client *c, bool ready)
{
	uint64_t now;

	if (ready && (c->done_head || c->nsend || (c->nfree && c->queue_head)))
		return 0;
	if (!c->pending || c->next_check_ns == UINT64_MAX)
		return -1;
	now = rt_clock_ns();
	if (c->next_check_ns <= now)
		return 0;
	return (int)((c->next_check_ns - now + ms_to_ns(1) - 1) / ms_to_ns(1));
}
