/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>

#include <routed/clock.h>
#include <routed/lookup_wire.h>
#include <routed/table.h>

#include "perf_load.h"
#include "servers.h"

#define SEND_BATCH 64
#define SEND_ROUNDS 4 /* sendmmsg calls in a row before looking for answers */
#define RECV_BATCH 64
#define RECV_ROUNDS 8 /* recvmmsg calls per socket per wakeup */
/* One byte more than a valid datagram, so oversize ones are recognized. */
#define RECV_BUF (RT_WIRE_MAX_PAYLOAD + 1)
#define MAX_WAIT_NS 10000000u /* look at the stop flag at least every 10 ms */
#define RETRY_WAIT_NS 50000u  /* after a refused send (full buffer, ICMP error) */
#define START_DELAY_NS 20000000u
#define SOCKET_BUFFER (4 << 20)
/* A server set aside is tried again after this, doubling (the client library's default). */
#define SERVER_RETRY_NS 1000000000u

/* One request: outstanding (busy), or free for reuse. */
struct slot {
	uint64_t intended_ns, sent_ns;
	uint32_t id;	     /* generation << id_shift | slot index */
	uint32_t expired_id; /* the id this slot last timed out with */
	uint16_t len;
	uint16_t server; /* where it went */
	bool busy, measured;
	bool expired, expired_measured;	  /* a late answer to expired_id is "late" */
	uint8_t buf[RT_WIRE_MAX_PAYLOAD]; /* the request, to check the echo */
};

struct worker {
	const struct perf_load_config *cfg;
	unsigned index;
	pthread_t tid;
	bool started;
	struct pollfd *pfds; /* cfg->sockets per server, server by server */
	unsigned nsocks;
	struct cl_servers servers; /* which server is up: the client library's choice */
	uint64_t last_answer_ns[PERF_MAX_SERVERS];
	struct perf_rng rng;	   /* addresses */
	struct perf_rng sched_rng; /* Poisson gaps */
	struct slot *slots;
	uint32_t *free_slots;
	unsigned nfree;
	unsigned id_shift;
	uint32_t id_mask;
	/* Prepared requests a refused sendmmsg left behind, oldest first. */
	uint32_t retry[SEND_BATCH];
	unsigned nretry;
	bool send_blocked;
	unsigned next_sock;
	/* The open-loop schedule. */
	double interval_ns, phase;
	uint64_t k, next_intended;
	bool behind;
	uint64_t t0, warm_end, end, send_end;
	uint64_t timeout_ns, scan_ns;
	struct perf_load_result r;
	struct mmsghdr smsg[SEND_BATCH];
	struct iovec siov[SEND_BATCH];
	uint32_t sidx[SEND_BATCH];
	struct mmsghdr rmsg[RECV_BATCH];
	struct iovec riov[RECV_BATCH];
	uint8_t rbuf[RECV_BATCH][RECV_BUF];
};

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool open_loop(const struct worker *w)
{
	return w->cfg->rate > 0;
}

/* The intended time of the next request of the open-loop schedule. */
static void schedule_next(struct worker *w)
{
	if (w->cfg->poisson) {
		/* Exponential gaps: -ln(1 - U) * mean. */
		w->next_intended +=
		    (uint64_t)(-log1p(-perf_rng_unit(&w->sched_rng)) * w->interval_ns);
		return;
	}
	/* From the start time, not the previous send: no drift. */
	w->k++;
	w->next_intended = w->t0 + (uint64_t)((w->k + w->phase) * w->interval_ns);
}

static void release(struct worker *w, uint32_t idx)
{
	w->slots[idx].busy = false;
	w->free_slots[w->nfree++] = idx;
}

/* Take a free slot and write a new request with fresh addresses into it. */
static uint32_t prepare(struct worker *w, uint64_t intended)
{
	const struct perf_load_config *cfg = w->cfg;
	uint32_t idx = w->free_slots[--w->nfree];
	struct slot *s = &w->slots[idx];

	s->id = (((s->id >> w->id_shift) + 1) << w->id_shift) | idx;
	if (cfg->family == RT_WIRE_FAMILY4) {
		uint32_t addrs[RT_WIRE_MAX_COUNT4];

		for (unsigned i = 0; i < cfg->batch; i++)
			addrs[i] = perf_source_next4(cfg->source, &w->rng);
		s->len = rt_wire_encode_request4(s->buf, sizeof(s->buf), s->id, cfg->table, addrs,
						 cfg->batch);
	} else {
		uint8_t addrs[RT_WIRE_MAX_COUNT6][16];

		for (unsigned i = 0; i < cfg->batch; i++)
			perf_source_next6(cfg->source, &w->rng, addrs[i]);
		s->len = rt_wire_encode_request6(s->buf, sizeof(s->buf), s->id, cfg->table,
						 (const uint8_t(*)[16])addrs, cfg->batch);
	}
	s->intended_ns = intended;
	s->measured = intended >= w->warm_end && intended < w->end;
	return idx;
}

static void note_lag(struct worker *w, uint64_t lag)
{
	/* One event per stretch of sends later than the threshold. */
	if (lag <= PERF_BEHIND_NS) {
		w->behind = false;
		return;
	}
	if (!w->behind)
		w->r.behind_events++;
	w->behind = true;
	if (lag > w->r.max_lag_ns)
		w->r.max_lag_ns = lag;
}

/* Server i refused or fell silent: set it aside, unless it is already. */
static void server_failed(struct worker *w, unsigned i, uint64_t now)
{
	if (cl_servers_failed(&w->servers, i, now, SERVER_RETRY_NS))
		w->r.servers[i].set_aside++;
}

/* One sendmmsg of the requests due now on the next socket of the next server up. */
static unsigned send_round(struct worker *w, uint64_t now)
{
	unsigned n = 0, sent, server, sock;
	int rc;

	for (; n < w->nretry; n++)
		w->sidx[n] = w->retry[n];
	w->nretry = 0;
	while (n < SEND_BATCH && w->nfree) {
		uint64_t intended = now;

		if (open_loop(w)) {
			if (w->next_intended > now || w->next_intended >= w->end)
				break;
			intended = w->next_intended;
			schedule_next(w);
		} else if (now >= w->end) {
			break;
		}
		w->sidx[n++] = prepare(w, intended);
	}
	if (!n)
		return 0;
	server = cl_servers_pick(&w->servers, now, -1);
	sock = server * w->cfg->sockets + w->next_sock;
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &w->slots[w->sidx[i]];

		w->siov[i] = (struct iovec){.iov_base = s->buf, .iov_len = s->len};
		w->smsg[i].msg_hdr = (struct msghdr){.msg_iov = &w->siov[i], .msg_iovlen = 1};
	}
	rc = sendmmsg(w->pfds[sock].fd, w->smsg, n, 0);
	sent = rc > 0 ? (unsigned)rc : 0;
	w->send_blocked = sent < n;
	if (rc < 0) {
		if (errno == ECONNREFUSED) {
			/* Not sent: the retry list takes them to another server. */
			w->r.refused++;
			w->r.servers[server].refused++;
			server_failed(w, server, now);
		} else if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			w->r.send_errors++;
	}
	for (unsigned i = 0; i < sent; i++) {
		struct slot *s = &w->slots[w->sidx[i]];

		s->busy = true;
		s->server = (uint16_t)server;
		/* Taken before the call: the datagrams leave during it. */
		s->sent_ns = now;
		if (!s->measured)
			continue;
		w->r.sent++;
		w->r.servers[server].sent++;
		if (open_loop(w))
			note_lag(w, now - s->intended_ns);
	}
	for (unsigned i = sent; i < n; i++)
		w->retry[w->nretry++] = w->sidx[i];
	w->next_sock = (w->next_sock + 1) % w->cfg->sockets;
	return sent;
}

/* Does the response answer exactly the request of slot s (same shape, same addresses)? */
static bool echoes_request(const struct worker *w, const struct slot *s, const uint8_t *buf,
			   size_t len, const struct rt_wire_header *h)
{
	size_t slot_len = rt_wire_slot_len(h->family);
	size_t alen = h->family == RT_WIRE_FAMILY4 ? 4 : 16;

	if (len != s->len || h->family != w->cfg->family || h->count != w->cfg->batch)
		return false;
	for (size_t i = 0; i < h->count; i++) {
		size_t off = RT_WIRE_HEADER_LEN + i * slot_len;

		if (memcmp(buf + off, s->buf + off, alen))
			return false;
	}
	return true;
}

static void handle_response(struct worker *w, const uint8_t *buf, size_t len, int flags,
			    uint64_t now)
{
	struct rt_wire_header h;
	struct slot *s;
	uint32_t idx;

	if ((flags & MSG_TRUNC) || rt_wire_parse_response(buf, len, &h) != RT_WIRE_OK) {
		w->r.malformed++;
		return;
	}
	idx = h.id & w->id_mask;
	if (idx >= w->cfg->window) {
		w->r.unmatched++;
		return;
	}
	s = &w->slots[idx];
	if (!s->busy || s->id != h.id) {
		if (s->expired && s->expired_id == h.id) {
			s->expired = false; /* a second copy is "unmatched" */
			if (s->expired_measured)
				w->r.late++;
		} else {
			w->r.unmatched++;
		}
		return;
	}
	release(w, idx);
	if (!echoes_request(w, s, buf, len, &h)) {
		w->r.malformed++;
		return;
	}
	cl_servers_answered(&w->servers, s->server);
	w->last_answer_ns[s->server] = now;
	if (s->measured) {
		w->r.received++;
		w->r.servers[s->server].received++;
		perf_hist_record(w->r.corrected, now - s->intended_ns);
		perf_hist_record(w->r.uncorrected, now - s->sent_ns);
		perf_hist_record(w->r.servers[s->server].latency, now - s->sent_ns);
	}
	if (w->cfg->ref) {
		w->r.wrong += perf_ref_check(w->cfg->ref, buf, &h);
		w->r.verified += h.count;
	}
}

static void receive(struct worker *w, unsigned sock)
{
	for (unsigned round = 0; round < RECV_ROUNDS; round++) {
		int n = recvmmsg(w->pfds[sock].fd, w->rmsg, RECV_BATCH, MSG_DONTWAIT, NULL);
		uint64_t now;

		if (n < 0 && errno == ECONNREFUSED) {
			/* An ICMP port unreachable for an earlier request: nobody listens. */
			unsigned server = sock / w->cfg->sockets;

			w->r.refused++;
			w->r.servers[server].refused++;
			server_failed(w, server, rt_clock_ns());
			continue;
		}
		if (n <= 0)
			return;
		/* One timestamp per batch: every datagram in it had arrived by now. */
		now = rt_clock_ns();
		for (int i = 0; i < n; i++)
			handle_response(w, w->rbuf[i], w->rmsg[i].msg_len,
					w->rmsg[i].msg_hdr.msg_flags, now);
		if (n < RECV_BATCH)
			return;
	}
}

/* Requests unanswered for the timeout are lost; force: all of them. */
static void expire(struct worker *w, uint64_t now, bool force)
{
	for (uint32_t idx = 0; idx < w->cfg->window; idx++) {
		struct slot *s = &w->slots[idx];

		if (!s->busy || (!force && now - s->sent_ns < w->timeout_ns))
			continue;
		s->expired = true;
		s->expired_id = s->id;
		s->expired_measured = s->measured;
		if (s->measured) {
			w->r.lost++;
			w->r.servers[s->server].lost++;
		}
		/* Silent: nothing from it since this request went out. */
		if (!force && w->last_answer_ns[s->server] < s->sent_ns)
			server_failed(w, s->server, now);
		release(w, idx);
	}
}

static unsigned outstanding(const struct worker *w)
{
	return w->cfg->window - w->nfree - w->nretry;
}

/* When the loop must look again, without answers arriving. */
static uint64_t next_wakeup(const struct worker *w, bool sending, uint64_t now, uint64_t next_scan,
			    uint64_t drain_deadline)
{
	uint64_t wake = min64(next_scan, now + MAX_WAIT_NS);

	if (!sending)
		return min64(wake, drain_deadline);
	wake = min64(wake, w->end);
	if (w->send_blocked)
		return min64(wake, now + RETRY_WAIT_NS);
	if (w->nfree && open_loop(w))
		wake = min64(wake, w->next_intended);
	else if (w->nfree)
		wake = now; /* closed loop with room: send at once */
	return wake;
}

static void pin(const struct worker *w)
{
	const struct perf_load_config *cfg = w->cfg;
	cpu_set_t set;
	int cpu, rc;

	if (!cfg->ncpus)
		return;
	cpu = cfg->cpus[w->index % cfg->ncpus];
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc)
		fprintf(stderr, "routeperf: cannot pin thread %u to CPU %d: %s\n", w->index, cpu,
			strerror(rc));
}

static void run_worker(struct worker *w)
{
	const struct perf_load_config *cfg = w->cfg;
	uint64_t now = rt_clock_ns(), next_scan = w->t0 + w->scan_ns, drain_deadline = 0;
	bool sending = true;

	while (now < w->t0) {
		struct timespec ts = {.tv_sec = (time_t)(w->t0 / 1000000000u),
				      .tv_nsec = (long)(w->t0 % 1000000000u)};

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		now = rt_clock_ns();
	}
	for (;;) {
		uint64_t wake;
		struct timespec ts;

		if (sending) {
			for (unsigned round = 0; round < SEND_ROUNDS; round++)
				if (send_round(w, now) < SEND_BATCH)
					break;
			/* No barrier: a lone flag; nothing is published with it. */
			if (now >= w->end || uatomic_read(cfg->stop)) {
				sending = false;
				w->send_end = min64(now, w->end);
				drain_deadline = now + w->timeout_ns;
			}
		}
		if (!sending && (!outstanding(w) || now >= drain_deadline))
			break;
		if (now >= next_scan) {
			expire(w, now, false);
			next_scan = now + w->scan_ns;
		}
		wake = next_wakeup(w, sending, now, next_scan, drain_deadline);
		wake = wake > now ? wake - now : 0;
		ts = (struct timespec){.tv_sec = (time_t)(wake / 1000000000u),
				       .tv_nsec = (long)(wake % 1000000000u)};
		if (ppoll(w->pfds, w->nsocks, &ts, NULL) > 0)
			for (unsigned i = 0; i < w->nsocks; i++)
				if (w->pfds[i].revents)
					receive(w, i);
		now = rt_clock_ns();
	}
	expire(w, now, true);
	/* What the schedule still held for the measured period never went out. */
	for (unsigned i = 0; i < w->nretry; i++)
		w->r.unsent += w->slots[w->retry[i]].measured;
	while (open_loop(w) && w->next_intended < w->end) {
		w->r.unsent += w->next_intended >= w->warm_end;
		schedule_next(w);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pin(w);
	/* Precise ppoll timeouts for pacing (the default slack is 50 us). */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (w->cfg->ref)
		rt_reader_register();
	run_worker(w);
	if (w->cfg->ref)
		rt_reader_unregister();
	return NULL;
}

static int open_socket(const struct perf_sockaddr *server, char *err, size_t errlen)
{
	char text[PERF_SOCKADDR_STRLEN];
	int size = SOCKET_BUFFER;
	int fd = socket(server->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Best effort: room for the answers of a full window. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* Connected: the kernel gives it its own source port and filters other senders. */
	if (connect(fd, (const struct sockaddr *)&server->ss, server->len)) {
		snprintf(err, errlen, "connect to %s: %s",
			 perf_sockaddr_format(server, text, sizeof(text)), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The thread's own copy of the server list, for the choice of server. */
static int servers_init(struct worker *w, char *err, size_t errlen)
{
	const struct perf_load_config *cfg = w->cfg;
	char list[PERF_MAX_SERVERS * (PERF_SOCKADDR_STRLEN + 1)], name[PERF_SOCKADDR_STRLEN];
	size_t len = 0;

	for (unsigned i = 0; i < cfg->nservers; i++) {
		perf_sockaddr_format(&cfg->servers[i], name, sizeof(name));
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "", name);
	}
	return cl_servers_parse(&w->servers, list, err, errlen) ? -1 : 0;
}

static int worker_init(struct worker *w, const struct perf_load_config *cfg, unsigned index,
		       char *err, size_t errlen)
{
	bool hists = true;

	w->cfg = cfg;
	w->index = index;
	w->servers.epfd = -1;
	w->nsocks = cfg->sockets * cfg->nservers;
	w->pfds = calloc(w->nsocks, sizeof(*w->pfds));
	w->slots = calloc(cfg->window, sizeof(*w->slots));
	w->free_slots = calloc(cfg->window, sizeof(*w->free_slots));
	w->r.corrected = perf_hist_create();
	w->r.uncorrected = perf_hist_create();
	w->r.nservers = cfg->nservers;
	for (unsigned i = 0; i < cfg->nservers; i++) {
		w->r.servers[i].latency = perf_hist_create();
		hists = hists && w->r.servers[i].latency;
	}
	for (unsigned i = 0; w->pfds && i < w->nsocks; i++)
		w->pfds[i].fd = -1;
	if (!w->pfds || !w->slots || !w->free_slots || !w->r.corrected || !w->r.uncorrected ||
	    !hists) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (servers_init(w, err, errlen))
		return -1;
	for (unsigned i = 0; i < w->nsocks; i++) {
		w->pfds[i].fd = open_socket(&cfg->servers[i / cfg->sockets], err, errlen);
		w->pfds[i].events = POLLIN;
		if (w->pfds[i].fd < 0)
			return -1;
	}
	while ((1u << w->id_shift) < cfg->window)
		w->id_shift++;
	w->id_mask = (1u << w->id_shift) - 1;
	/* Hand out slot 0 first. */
	for (unsigned i = 0; i < cfg->window; i++)
		w->free_slots[w->nfree++] = cfg->window - 1 - i;
	for (unsigned i = 0; i < RECV_BATCH; i++) {
		w->riov[i] = (struct iovec){.iov_base = w->rbuf[i], .iov_len = RECV_BUF};
		w->rmsg[i].msg_hdr = (struct msghdr){.msg_iov = &w->riov[i], .msg_iovlen = 1};
	}
	/* Independent streams per thread, all fixed by the seed. */
	perf_rng_seed(&w->rng, cfg->seed ^ (0x9e3779b97f4a7c15ULL * (2 * index + 1)));
	perf_rng_seed(&w->sched_rng, cfg->seed ^ (0x9e3779b97f4a7c15ULL * (2 * index + 2)));
	w->timeout_ns = cfg->timeout_ns;
	/* Expiry needs no precision: a lost request only holds its slot longer. */
	w->scan_ns = cfg->timeout_ns / 8;
	if (w->scan_ns < 1000000)
		w->scan_ns = 1000000;
	if (w->scan_ns > 100000000)
		w->scan_ns = 100000000;
	return 0;
}

static void worker_free(struct worker *w)
{
	for (unsigned i = 0; w->pfds && i < w->nsocks; i++)
		if (w->pfds[i].fd >= 0)
			close(w->pfds[i].fd);
	free(w->pfds);
	free(w->slots);
	free(w->free_slots);
	cl_servers_close(&w->servers);
	perf_load_result_free(&w->r);
}

/* Start the clock of every worker: the same t0 for all, the open-loop schedule. */
static void worker_schedule(struct worker *w, uint64_t t0)
{
	const struct perf_load_config *cfg = w->cfg;

	w->t0 = t0;
	w->warm_end = t0 + (uint64_t)(cfg->warmup_s * 1e9);
	w->end = w->warm_end + (uint64_t)(cfg->duration_s * 1e9);
	w->send_end = w->end;
	if (!open_loop(w))
		return;
	w->interval_ns = 1e9 * cfg->threads / cfg->rate;
	if (cfg->poisson) {
		w->next_intended = t0;
		schedule_next(w);
	} else {
		/* Spread the threads' sends evenly instead of in lockstep. */
		w->phase = (double)w->index / cfg->threads;
		w->next_intended = t0 + (uint64_t)(w->phase * w->interval_ns);
	}
}

/* Add one thread's counts of a server to the run's. */
static void merge_server(struct perf_server_result *out, const struct perf_server_result *r)
{
	out->sent += r->sent;
	out->received += r->received;
	out->lost += r->lost;
	out->refused += r->refused;
	out->set_aside += r->set_aside;
	perf_hist_merge(out->latency, r->latency);
}

static int merge_results(struct worker *workers, unsigned n, struct perf_load_result *out)
{
	unsigned nservers = workers[0].cfg->nservers;

	memset(out, 0, sizeof(*out));
	out->corrected = perf_hist_create();
	out->uncorrected = perf_hist_create();
	out->nservers = nservers;
	for (unsigned i = 0; i < nservers; i++) {
		out->servers[i].latency = perf_hist_create();
		if (!out->servers[i].latency)
			return -1;
	}
	if (!out->corrected || !out->uncorrected)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		const struct perf_load_result *r = &workers[i].r;
		double measured = workers[i].send_end > workers[i].warm_end
				      ? (double)(workers[i].send_end - workers[i].warm_end) / 1e9
				      : 0;

		out->sent += r->sent;
		out->received += r->received;
		out->lost += r->lost;
		out->late += r->late;
		out->unsent += r->unsent;
		out->unmatched += r->unmatched;
		out->malformed += r->malformed;
		out->wrong += r->wrong;
		out->verified += r->verified;
		out->refused += r->refused;
		out->send_errors += r->send_errors;
		out->behind_events += r->behind_events;
		if (r->max_lag_ns > out->max_lag_ns)
			out->max_lag_ns = r->max_lag_ns;
		if (measured > out->measured_s)
			out->measured_s = measured;
		perf_hist_merge(out->corrected, r->corrected);
		perf_hist_merge(out->uncorrected, r->uncorrected);
		for (unsigned k = 0; k < nservers; k++)
			merge_server(&out->servers[k], &r->servers[k]);
	}
	return 0;
}

int perf_load_run(const struct perf_load_config *cfg, struct perf_load_result *out, char *err,
		  size_t errlen)
{
	struct worker *workers = calloc(cfg->threads, sizeof(*workers));
	unsigned initialized = 0;
	int ret = -1, rc;
	uint64_t t0;

	memset(out, 0, sizeof(*out));
	if (!workers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (; initialized < cfg->threads; initialized++)
		if (worker_init(&workers[initialized], cfg, initialized, err, errlen)) {
			initialized++;
			goto out;
		}
	t0 = rt_clock_ns() + START_DELAY_NS;
	for (unsigned i = 0; i < cfg->threads; i++)
		worker_schedule(&workers[i], t0);
	for (unsigned i = 0; i < cfg->threads; i++) {
		rc = pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]);
		if (rc) {
			snprintf(err, errlen, "cannot start a thread: %s", strerror(rc));
			goto join;
		}
		workers[i].started = true;
	}
	ret = 0;
join:
	for (unsigned i = 0; i < cfg->threads; i++)
		if (workers[i].started)
			pthread_join(workers[i].tid, NULL);
	if (!ret && merge_results(workers, cfg->threads, out)) {
		snprintf(err, errlen, "out of memory");
		perf_load_result_free(out);
		ret = -1;
	}
out:
	for (unsigned i = 0; i < initialized; i++)
		worker_free(&workers[i]);
	free(workers);
	return ret;
}

void perf_load_result_free(struct perf_load_result *r)
{
	perf_hist_destroy(r->corrected);
	perf_hist_destroy(r->uncorrected);
	r->corrected = r->uncorrected = NULL;
	for (unsigned i = 0; i < PERF_MAX_SERVERS; i++) {
		perf_hist_destroy(r->servers[i].latency);
		r->servers[i].latency = NULL;
	}
}
