/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP service's answers, grouped for segmentation (daemon/udp_send.c):
 * which answers share a message, in which order, with which segment size;
 * and, over loopback, that what arrives is the same datagrams, each
 * client's in its order, with segmentation on and off. The random mix of
 * clients and lengths prints its seed.
 */
#include "config.h"	/* struct mmsghdr: the system extensions */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "seed.h"
#include "udp_send.h"

#define CLIENTS 3
#define REPLIES 200
#define ROUND 64

struct replies {
	struct sockaddr_in peer[CLIENTS];
	struct mmsghdr msg[REPLIES];
	struct iovec iov[REPLIES];
	uint8_t buf[REPLIES][1232];
	unsigned client[REPLIES];
};

static void reply_set(struct replies *r, unsigned i, unsigned client, size_t len)
{
	r->client[i] = client;
	r->iov[i] = (struct iovec){ r->buf[i], len };
	r->msg[i].msg_hdr = (struct msghdr){
		.msg_name = &r->peer[client],
		.msg_namelen = sizeof(r->peer[client]),
		.msg_iov = &r->iov[i],
		.msg_iovlen = 1,
	};
	/* Each datagram's bytes say which it is. */
	memset(r->buf[i], 0, len);
	memcpy(r->buf[i], &i, sizeof(i));
}

static void peers_set(struct replies *r, const uint16_t *ports)
{
	for (unsigned c = 0; c < CLIENTS; c++)
		r->peer[c] = (struct sockaddr_in){
			.sin_family = AF_INET,
			.sin_port = htons(ports[c]),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};
}

static unsigned segment_size(const struct msghdr *m)
{
	const struct cmsghdr *cm = CMSG_FIRSTHDR(m);
	uint16_t size;

	if (!cm)
		return 0;
	assert_int_equal(cm->cmsg_level, SOL_UDP);
	assert_int_equal(cm->cmsg_type, UDP_SEGMENT);
	memcpy(&size, CMSG_DATA(cm), sizeof(size));
	return size;
}

/*
 * Every answer in exactly one message; a message holds one client's
 * answers of one length, in their order, at most 64 and 65,507 bytes, and
 * says its segment size when it holds more than one.
 */
static void check_groups(const struct udp_send *s, unsigned n_msg, const struct replies *r,
			 unsigned n)
{
	unsigned seen = 0, last_of_client[CLIENTS];

	for (unsigned c = 0; c < CLIENTS; c++)
		last_of_client[c] = UINT32_MAX;
	for (unsigned k = 0; k < n_msg; k++) {
		const struct msghdr *m = &s->msg[k].msg_hdr;
		size_t len = m->msg_iov[0].iov_len;

		assert_int_equal(m->msg_iovlen, s->count[k]);
		assert_true(s->count[k] >= 1 && s->count[k] <= 64);
		assert_true(s->count[k] == 1 || s->count[k] * len <= 65507);
		assert_int_equal(segment_size(m), s->count[k] > 1 ? len : 0);
		for (unsigned j = 0; j < s->count[k]; j++) {
			unsigned i;

			assert_int_equal(m->msg_iov[j].iov_len, len);
			memcpy(&i, m->msg_iov[j].iov_base, sizeof(i));
			assert_true(i < n);
			assert_ptr_equal(m->msg_name, &r->peer[r->client[i]]);
			/* A client's answers leave in the order they came. */
			assert_true(last_of_client[r->client[i]] == UINT32_MAX ||
				    last_of_client[r->client[i]] < i);
			last_of_client[r->client[i]] = i;
			seen++;
		}
	}
	assert_int_equal(seen, n);
}

static void test_group_by_client_and_length(void **state)
{
	static struct replies r;
	static struct udp_send s;
	static const uint16_t ports[CLIENTS] = { 1001, 1002, 1003 };
	unsigned n_msg;

	(void)state;
	peers_set(&r, ports);
	udp_send_init(&s, true);
	/* 0 1 0 1 0 (a shorter one) 2 0: client 0's answers in three messages, in order. */
	reply_set(&r, 0, 0, 100);
	reply_set(&r, 1, 1, 100);
	reply_set(&r, 2, 0, 100);
	reply_set(&r, 3, 1, 100);
	reply_set(&r, 4, 0, 40);
	reply_set(&r, 5, 2, 100);
	reply_set(&r, 6, 0, 100);
	n_msg = udp_send_group(&s, r.msg, 7);
	assert_int_equal(n_msg, 5);
	assert_int_equal(s.count[0], 2);	/* client 0, 100 bytes: 0, 2 */
	assert_int_equal(s.count[1], 2);	/* client 1: 1, 3 */
	assert_int_equal(s.count[2], 1);	/* client 0, 40 bytes: 4 */
	assert_int_equal(s.count[3], 1);	/* client 2: 5 */
	assert_int_equal(s.count[4], 1);	/* client 0, 100 bytes again: 6, after 4 */
	check_groups(&s, n_msg, &r, 7);
}

/* 64 answers of 1,048 bytes are 62 and 2: no message over 65,507 bytes. */
static void test_group_limits(void **state)
{
	static struct replies r;
	static struct udp_send s;
	static const uint16_t ports[CLIENTS] = { 1001, 1002, 1003 };
	unsigned n_msg;

	(void)state;
	peers_set(&r, ports);
	udp_send_init(&s, true);
	for (unsigned i = 0; i < 64; i++)
		reply_set(&r, i, 0, 1048);
	n_msg = udp_send_group(&s, r.msg, 64);
	assert_int_equal(n_msg, 2);
	assert_int_equal(s.count[0], 62);
	assert_int_equal(s.count[1], 2);
	check_groups(&s, n_msg, &r, 64);
	for (unsigned i = 0; i < 200; i++)
		reply_set(&r, i, 1, 24);
	n_msg = udp_send_group(&s, r.msg, 200);
	assert_int_equal(n_msg, 4);	/* 64 + 64 + 64 + 8 */
	check_groups(&s, n_msg, &r, 200);
}

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;

	assert_true(fd >= 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* What client c has received: each its next answer, whole; how many. */
static unsigned drain(const struct replies *r, int fd, unsigned c, unsigned *next)
{
	unsigned got = 0;

	for (;;) {
		uint8_t buf[2048];
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		unsigned i;

		if (len < 0)
			return got;
		memcpy(&i, buf, sizeof(i));
		while (*next < REPLIES && r->client[*next] != c)
			(*next)++;
		assert_int_equal(i, *next);	/* the client's next answer */
		assert_int_equal((size_t)len, r->iov[i].iov_len);
		assert_memory_equal(buf, r->buf[i], (size_t)len);
		(*next)++;
		got++;
	}
}

/*
 * Random clients and lengths over loopback: every answer arrives as its
 * own datagram, whole, and each client gets its answers in their order.
 */
static void send_and_receive(bool segment, uint64_t seed)
{
	static struct replies r;
	static struct udp_send s;
	uint16_t ports[CLIENTS], unused;
	int rx[CLIENTS], tx = udp_socket(&unused);
	unsigned next[CLIENTS] = { 0 }, got = 0, sent = 0, segmented = 0;

	srand((unsigned)seed);
	for (unsigned c = 0; c < CLIENTS; c++)
		rx[c] = udp_socket(&ports[c]);
	peers_set(&r, ports);
	udp_send_init(&s, segment);
	for (unsigned i = 0; i < REPLIES; i++)
		reply_set(&r, i, (unsigned)rand() % CLIENTS, rand() % 4 ? 1048 : 24 + 16 * (rand() % 8));
	/*
	 * Rounds of 64, each drained before the next: a round's datagrams fit
	 * a receive buffer of the default size even all for one client.
	 */
	for (unsigned base = 0; base < REPLIES; base += ROUND) {
		unsigned n = REPLIES - base < ROUND ? REPLIES - base : ROUND;
		struct udp_send_result res = udp_send_replies(&s, tx, r.msg + base, n);

		assert_int_equal(res.sent, n);
		assert_int_equal(res.failed, 0);
		sent += res.sent;
		segmented += res.segmented;
		for (unsigned c = 0; c < CLIENTS; c++)
			got += drain(&r, rx[c], c, &next[c]);
	}
	/* Loopback delivers within the send, unless softirqs were deferred: wait for the rest. */
	while (got < REPLIES) {
		struct pollfd p[CLIENTS];

		for (unsigned c = 0; c < CLIENTS; c++)
			p[c] = (struct pollfd){ .fd = rx[c], .events = POLLIN };
		if (poll(p, CLIENTS, 10000) <= 0)
			break;
		for (unsigned c = 0; c < CLIENTS; c++)
			got += drain(&r, rx[c], c, &next[c]);
	}
	if (!segment)
		assert_int_equal(segmented, 0);
	for (unsigned c = 0; c < CLIENTS; c++)
		close(rx[c]);
	close(tx);
	printf("# segmentation %s: %u sent, %u of them segmented, %u received\n",
	       segment ? "on" : "off", sent, segmented, got);
	assert_int_equal(got, REPLIES);
}

static void test_loopback(void **state)
{
	uint64_t seed = seed_from_env();

	(void)state;
	send_and_receive(true, seed);
	send_and_receive(false, seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_by_client_and_length),
		cmocka_unit_test(test_group_limits),
		cmocka_unit_test(test_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
