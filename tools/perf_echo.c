/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>

#include <routed/clock.h>
#include <routed/lookup_wire.h>
#include <routed/table.h>

#include "perf_echo.h"
#include "udp_send.h"

#define ECHO_BATCH 64
/* recvmmsg rounds per wakeup, so a stop request is seen promptly. */
#define ECHO_ROUNDS 16
/* One byte more than a valid datagram, so oversize ones are recognized. */
#define ECHO_BUF (RT_WIRE_MAX_PAYLOAD + 1)
#define SOCKET_BUFFER (4 << 20)

struct echo_thread {
	struct perf_echo *echo;
	pthread_t tid;
	bool started;
	int fd;
	bool stalled;
	uint64_t served; /* responses handed to the kernel */
	/* Read by perf_echo_responses() while running: uatomic, no barrier. */
	uint64_t responses, dropped, segmented;
	struct udp_send send; /* the grouping of routed's workers (udp_send.h) */
	struct mmsghdr in[ECHO_BATCH], out[ECHO_BATCH];
	struct iovec iov[ECHO_BATCH], out_iov[ECHO_BATCH];
	struct sockaddr_storage peer[ECHO_BATCH];
	uint8_t buf[ECHO_BATCH][ECHO_BUF];
};

struct perf_echo {
	struct perf_echo_config cfg;
	struct perf_sockaddr bound;
	int stop_fd; /* eventfd: readable once stop is requested */
	/* CLOCK_MONOTONIC ns of the first request, 0 before (for the stall). */
	uint64_t first_request_ns;
	unsigned nthreads;
	struct echo_thread *threads;
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The one-shot stall of the fault injection, checked before each batch. */
static void maybe_stall(struct echo_thread *t, uint64_t now)
{
	struct perf_echo *e = t->echo;
	uint64_t first;

	if (!e->cfg.stall_ms || t->stalled)
		return;
	/*
	 * The first request's time is a lone value (the cmpxchg's barriers
	 * order nothing here); whichever thread sets it, every thread reads
	 * either 0 (and tries to set it) or it.
	 */
	first = uatomic_cmpxchg(&e->first_request_ns, 0, now);
	if (first && now - first >= (uint64_t)(e->cfg.stall_after_s * 1e9)) {
		t->stalled = true;
		sleep_ms(e->cfg.stall_ms);
	}
}

/* Turn the valid requests of a received batch into responses; returns how many. */
static unsigned answer_batch(struct echo_thread *t, unsigned n)
{
	const struct perf_echo_config *cfg = &t->echo->cfg;
	unsigned out = 0, dropped = 0;

	for (unsigned i = 0; i < n; i++) {
		struct rt_wire_header h;
		uint8_t *buf = t->buf[i];

		if ((t->in[i].msg_hdr.msg_flags & MSG_TRUNC) ||
		    rt_wire_parse_request(buf, t->in[i].msg_len, &h) != RT_WIRE_OK) {
			dropped++;
			continue;
		}
		if (cfg->ref)
			perf_ref_answer(cfg->ref, buf, &h);
		else
			rt_wire_finish_response(buf, RT_WIRE_STATUS_OK, 0);
		t->served++;
		if (cfg->corrupt_every && t->served % cfg->corrupt_every == 0)
			buf[RT_WIRE_HEADER_LEN + (h.family == RT_WIRE_FAMILY4 ? 4 : 16)] ^=
			    RT_WIRE_A_FOUND;
		t->out_iov[out] = (struct iovec){.iov_base = buf, .iov_len = t->in[i].msg_len};
		t->out[out].msg_hdr = (struct msghdr){
		    .msg_name = &t->peer[i],
		    .msg_namelen = t->in[i].msg_hdr.msg_namelen,
		    .msg_iov = &t->out_iov[out],
		    .msg_iovlen = 1,
		};
		out++;
	}
	/* Statistics only: uatomic_add() implies no barrier. */
	uatomic_add(&t->dropped, dropped);
	return out;
}

static void send_batch(struct echo_thread *t, unsigned n)
{
	unsigned done = 0;

	if (t->send.segment) {
		/* Non-blocking, as routed's workers send: a full buffer drops. */
		struct udp_send_result r = udp_send_replies(&t->send, t->fd, t->out, n);

		uatomic_add(&t->responses, r.sent);
		uatomic_add(&t->dropped, r.failed);
		uatomic_add(&t->segmented, r.segmented);
		return;
	}

	while (done < n) {
		int rc = sendmmsg(t->fd, t->out + done, n - done, 0);

		if (rc < 0) {
			if (errno == EINTR)
				continue;
			/* A full send buffer or an unreachable peer: drop the rest. */
			break;
		}
		done += (unsigned)rc;
	}
	uatomic_add(&t->responses, done);
	uatomic_add(&t->dropped, n - done);
}

static void *echo_main(void *arg)
{
	struct echo_thread *t = arg;
	struct pollfd fds[2] = {
	    {.fd = t->fd, .events = POLLIN},
	    {.fd = t->echo->stop_fd, .events = POLLIN},
	};

	if (t->echo->cfg.ref)
		rt_reader_register();
	for (;;) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents)
			break;
		for (unsigned round = 0; round < ECHO_ROUNDS; round++) {
			int n;

			for (unsigned i = 0; i < ECHO_BATCH; i++)
				t->in[i].msg_hdr.msg_namelen = sizeof(t->peer[i]);
			n = recvmmsg(t->fd, t->in, ECHO_BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				break;
			maybe_stall(t, rt_clock_ns());
			send_batch(t, answer_batch(t, (unsigned)n));
			if (n < ECHO_BATCH)
				break;
		}
	}
	if (t->echo->cfg.ref)
		rt_reader_unregister();
	return NULL;
}

static int open_socket(const struct perf_sockaddr *addr, char *err, size_t errlen)
{
	int one = 1, size = SOCKET_BUFFER;
	char text[PERF_SOCKADDR_STRLEN];
	int fd = socket(addr->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto fail;
	/* Best effort: room for bursts while a thread stalls. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (addr->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len))
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "echo socket on %s: %s",
		 perf_sockaddr_format(addr, text, sizeof(text)), strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct perf_echo *perf_echo_start(const struct perf_echo_config *cfg, char *err, size_t errlen)
{
	struct perf_echo *e = calloc(1, sizeof(*e));

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->bound = cfg->addr;
	e->stop_fd = eventfd(0, EFD_CLOEXEC);
	e->threads = calloc(cfg->threads, sizeof(*e->threads));
	if (e->stop_fd < 0 || !e->threads) {
		snprintf(err, errlen, "echo responder: %s", strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < cfg->threads; i++) {
		struct echo_thread *t = &e->threads[i];

		t->echo = e;
		udp_send_init(&t->send, !cfg->no_segment);
		t->fd = open_socket(&e->bound, err, errlen);
		if (t->fd < 0)
			goto fail;
		e->nthreads++;
		if (i == 0) {
			/* Port 0: the others join the port the first one got. */
			struct perf_sockaddr got = {.len = sizeof(got.ss)};

			getsockname(t->fd, (struct sockaddr *)&got.ss, &got.len);
			perf_sockaddr_set_port(&e->bound, perf_sockaddr_port(&got));
		}
		for (unsigned j = 0; j < ECHO_BATCH; j++) {
			t->iov[j] = (struct iovec){.iov_base = t->buf[j], .iov_len = ECHO_BUF};
			t->in[j].msg_hdr = (struct msghdr){
			    .msg_name = &t->peer[j],
			    .msg_iov = &t->iov[j],
			    .msg_iovlen = 1,
			};
		}
	}
	for (unsigned i = 0; i < e->nthreads; i++) {
		int rc = pthread_create(&e->threads[i].tid, NULL, echo_main, &e->threads[i]);

		if (rc) {
			snprintf(err, errlen, "echo thread: %s", strerror(rc));
			goto fail;
		}
		e->threads[i].started = true;
	}
	return e;
fail:
	perf_echo_stop(e);
	return NULL;
}

const struct perf_sockaddr *perf_echo_addr(const struct perf_echo *e)
{
	return &e->bound;
}

void perf_echo_stop(struct perf_echo *e)
{
	uint64_t one = 1;

	if (!e)
		return;
	if (e->stop_fd >= 0 && write(e->stop_fd, &one, sizeof(one)) != sizeof(one))
		perror("routeperf: echo stop");
	for (unsigned i = 0; i < e->nthreads; i++) {
		if (e->threads[i].started)
			pthread_join(e->threads[i].tid, NULL);
		close(e->threads[i].fd);
	}
	if (e->stop_fd >= 0)
		close(e->stop_fd);
	free(e->threads);
	free(e);
}

uint64_t perf_echo_responses(const struct perf_echo *e)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < e->nthreads; i++)
		sum += uatomic_read(&e->threads[i].responses);
	return sum;
}

uint64_t perf_echo_dropped(const struct perf_echo *e)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < e->nthreads; i++)
		sum += uatomic_read(&e->threads[i].dropped);
	return sum;
}

uint64_t perf_echo_segmented(const struct perf_echo *e)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < e->nthreads; i++)
		sum += uatomic_read(&e->threads[i].segmented);
	return sum;
}
