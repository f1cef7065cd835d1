/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libroutedclient against fake servers in this process: UDP sockets on
 * 127.0.0.1 that this test reads and answers (or not) by hand, so every
 * datagram the client sends is seen and every response it gets is chosen.
 * The server list parser, the splitting of batches into datagrams, the
 * checks on responses (malformed, mismatched, truncated, wrong id: all
 * ignored), statuses, timeouts and failover to a second server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <routed/client.h>
#include <routed/clock.h>
#include <routed/lookup_wire.h>

struct fake {
	int fd;
	char name[32];
	struct sockaddr_storage peer;	/* where the last request came from */
	socklen_t peer_len;
};

static void fake_open(struct fake *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(f->name, sizeof(f->name), "127.0.0.1:%u", ntohs(sa.sin_port));
}

/* The next datagram the fake server gets, waiting up to wait_ms; its length, or 0 if none. */
static size_t fake_recv(struct fake *f, uint8_t *buf, size_t cap, int wait_ms)
{
	struct pollfd p = { .fd = f->fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, wait_ms) <= 0)
		return 0;
	f->peer_len = sizeof(f->peer);
	n = recvfrom(f->fd, buf, cap, 0, (struct sockaddr *)&f->peer, &f->peer_len);
	assert_true(n > 0);
	return (size_t)n;
}

static void fake_send(struct fake *f, const void *buf, size_t len)
{
	assert_int_equal(sendto(f->fd, buf, len, 0, (struct sockaddr *)&f->peer, f->peer_len),
			 (ssize_t)len);
}

/*
 * Answer a request in place as routed would, from the address alone: found,
 * prefix length 24 (IPv4) or 64 (IPv6), tag = the address's last two bytes,
 * IPv4 gateways 192.0.2.1, IPv6 none.
 */
static size_t answer(uint8_t *buf, size_t len, uint8_t status, uint64_t generation)
{
	static const uint8_t gw4[4] = { 192, 0, 2, 1 };
	struct rt_wire_header h;

	assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
	for (size_t i = 0; i < h.count; i++) {
		bool v4 = h.family == RT_WIRE_FAMILY4;
		const uint8_t *a = v4 ? buf + RT_WIRE_HEADER_LEN + i * RT_WIRE_SLOT4_LEN
				      : rt_wire_slot_addr6(buf, i);
		size_t alen = v4 ? 4 : 16;
		uint32_t tag = (uint32_t)a[alen - 2] << 8 | a[alen - 1];

		rt_wire_set_answer(buf, &h, i, true, v4 ? 24 : 64, v4 ? gw4 : NULL, true, tag);
	}
	rt_wire_finish_response(buf, status, generation);
	return len;
}

/* Address i: 10.0.x.y (IPv4) or 2001:db8::x:y (IPv6), x.y = i. */
static void make_addr(struct routed_addr *a, bool v6, unsigned i)
{
	memset(a, 0, sizeof(*a));
	a->family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		a->addr[0] = 0x20, a->addr[1] = 0x01, a->addr[2] = 0x0d, a->addr[3] = 0xb8;
		a->addr[14] = (uint8_t)(i >> 8), a->addr[15] = (uint8_t)i;
	} else {
		a->addr[0] = 10, a->addr[2] = (uint8_t)(i >> 8), a->addr[3] = (uint8_t)i;
	}
}

static struct routed_client *open_ok(const char *servers)
{
	char err[256] = "";
	struct routed_client *c = routed_client_open(servers, err, sizeof(err));

	if (!c)
		fail_msg("routed_client_open(%s): %s", servers, err);
	return c;
}

/* Wait up to wait_ms for a batch to complete; the number completed (0 or 1). */
static int wait_complete(struct routed_client *c, struct routed_completion *done, int wait_ms)
{
	uint64_t end = rt_clock_ns() + (uint64_t)wait_ms * 1000000u;

	for (;;) {
		struct pollfd p = { .fd = routed_client_fd(c), .events = POLLIN };
		int t = routed_client_timeout_ms(c), k;
		int64_t left = (int64_t)(end - rt_clock_ns()) / 1000000;

		k = routed_client_complete(c, done, 1);
		if (k != 0 || left <= 0)
			return k;
		poll(&p, 1, t >= 0 && t < left ? t : (int)left);
	}
}

static uint64_t invalid_of(struct routed_client *c, size_t i)
{
	struct routed_server_info info;

	assert_int_equal(routed_client_server_info(c, i, &info), 0);
	return info.invalid;
}

/* ---- the server list ---- */

static void test_server_list(void **state)
{
	static const struct {
		const char *text;
		size_t n;
		const char *first, *last;
	} good[] = {
		{ "127.0.0.1:5300", 1, "127.0.0.1:5300", NULL },
		{ "[::1]:5300,127.0.0.1:5300", 2, "[::1]:5300", "127.0.0.1:5300" },
		{ "10.0.0.1", 1, "10.0.0.1:5300", NULL },
		{ "::1", 1, "[::1]:5300", NULL },
		{ " 127.0.0.1:1 , [::1]:65535 ,127.0.0.2", 3, "127.0.0.1:1", "127.0.0.2:5300" },
		{ "[2001:DB8::1]:53", 1, "[2001:db8::1]:53", NULL },
	};
	static const char *const bad[] = {
		"", ",", "127.0.0.1:5300,", "localhost:5300", "127.0.0.1:", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:05300", "[::1]", "[::1:5300", "1.2.3.4.5",
		"127.0.0.1:53x", "[127.0.0.1]:53",
	};
	char many[64 * 16 + 32] = "";
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct routed_client *c = open_ok(good[i].text);
		struct routed_server_info info;

		assert_int_equal(routed_client_server_count(c), good[i].n);
		assert_int_equal(routed_client_server_info(c, 0, &info), 0);
		assert_string_equal(info.address, good[i].first);
		assert_true(info.up);
		if (good[i].last) {
			assert_int_equal(routed_client_server_info(c, good[i].n - 1, &info), 0);
			assert_string_equal(info.address, good[i].last);
		}
		assert_int_equal(routed_client_server_info(c, good[i].n, &info), -EINVAL);
		routed_client_close(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		errno = 0;
		if (routed_client_open(bad[i], err, sizeof(err)))
			fail_msg("'%s' was accepted", bad[i]);
		assert_int_equal(errno, EINVAL);
		assert_true(strlen(err) > 0);
		print_message("# '%s': %s\n", bad[i], err);
	}
	assert_null(routed_client_open(NULL, err, sizeof(err)));
	assert_null(routed_client_open("", NULL, 0));	/* no room for a message is fine */
	for (int i = 0; i < 65; i++)
		strcat(many, i ? ",127.0.0.1:1" : "127.0.0.1:1");
	assert_null(routed_client_open(many, err, sizeof(err)));
	assert_non_null(strstr(err, "more than 64"));
}

static void test_options(void **state)
{
	struct routed_client *c = open_ok("127.0.0.1:5300");

	(void)state;
	assert_int_equal(routed_client_set_timeout(c, 0), -EINVAL);
	assert_true(strlen(routed_client_last_error(c)) > 0);
	assert_int_equal(routed_client_set_timeout(c, 100), 0);
	assert_int_equal(routed_client_set_tries(c, 0), -EINVAL);
	assert_int_equal(routed_client_set_tries(c, 17), -EINVAL);
	assert_int_equal(routed_client_set_tries(c, 1), 0);
	assert_int_equal(routed_client_set_try_timeout(c, 0), -EINVAL);
	assert_int_equal(routed_client_set_retry(c, 0), -EINVAL);
	assert_int_equal(routed_client_set_window(c, 0), -EINVAL);
	assert_int_equal(routed_client_set_window(c, 16385), -EINVAL);
	assert_int_equal(routed_client_set_window(c, 3), 0);
	assert_int_equal(routed_client_timeout_ms(c), -1);
	assert_int_equal(routed_client_pending(c), 0);
	routed_client_close(c);
	routed_client_close(NULL);
}

/* ---- splitting ---- */

/* 160 IPv4 and 40 IPv6 addresses, interleaved: datagrams of 75+75+10 and 30+10. */
static void test_split(void **state)
{
	enum { N = 200 };
	struct routed_addr addrs[N];
	struct routed_answer_bin answers[N];
	struct routed_completion done;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD + 1];
	uint32_t ids[8];
	unsigned counts4[3] = { 0 }, counts6[3] = { 0 }, n4 = 0, n6 = 0, ndg = 0;
	struct routed_client *c;
	struct fake f;
	size_t len;

	(void)state;
	fake_open(&f);
	c = open_ok(f.name);
	for (unsigned i = 0; i < N; i++)
		make_addr(&addrs[i], i % 5 == 4, i);
	assert_int_equal(routed_client_submit(c, 77, addrs, N, answers, &f), 0);
	assert_int_equal(routed_client_pending(c), 1);
	while ((len = fake_recv(&f, buf, sizeof(buf), 2000))) {
		struct rt_wire_header h;

		assert_int_equal(rt_wire_parse_request(buf, len, &h), RT_WIRE_OK);
		assert_int_equal(h.table, 77);
		assert_in_range(ndg, 0, 4);
		for (unsigned k = 0; k < ndg; k++)
			assert_int_not_equal(ids[k], h.id);
		ids[ndg++] = h.id;
		if (h.family == RT_WIRE_FAMILY4)
			counts4[n4++] = h.count;
		else
			counts6[n6++] = h.count;
		fake_send(&f, buf, answer(buf, len, RT_WIRE_STATUS_OK, 42));
		if (ndg == 5)
			break;
	}
	assert_int_equal(n4, 3);
	assert_int_equal(n6, 2);
	assert_int_equal(counts4[0] + counts4[1] + counts4[2], 160);
	assert_int_equal(counts6[0] + counts6[1], 40);
	assert_true(counts4[0] == 75 || counts4[1] == 75);
	assert_int_equal(wait_complete(c, &done, 5000), 1);
	assert_ptr_equal(done.user, &f);
	assert_int_equal(done.status, 0);
	assert_int_equal(routed_client_pending(c), 0);
	for (unsigned i = 0; i < N; i++) {
		bool v6 = i % 5 == 4;

		assert_true(answers[i].found);
		assert_int_equal(answers[i].tag, i);
		assert_int_equal(answers[i].prefix_len, v6 ? 64 : 24);
		assert_int_equal(answers[i].has_via, !v6);
		assert_int_equal(answers[i].generation, 42);
		if (!v6)
			assert_int_equal(answers[i].via.addr[0], 192);
	}
	assert_int_equal(invalid_of(c, 0), 0);
	routed_client_close(c);
	close(f.fd);
}

/* ---- checks on responses ---- */

static void deliver(struct routed_client *c, struct fake *f, const void *buf, size_t len)
{
	struct routed_completion done;
	uint64_t before = invalid_of(c, 0);
	uint64_t end = rt_clock_ns() + 5000000000u;

	fake_send(f, buf, len);
	/* Ignored, and counted: wait until the client has read it. */
	while (invalid_of(c, 0) == before && rt_clock_ns() < end) {
		struct pollfd p = { .fd = routed_client_fd(c), .events = POLLIN };

		poll(&p, 1, 10);
		assert_int_equal(routed_client_complete(c, &done, 1), 0);
	}
	assert_int_equal(invalid_of(c, 0), before + 1);
}

static void test_invalid_responses(void **state)
{
	struct routed_addr addrs[2];
	struct routed_answer_bin answers[2];
	struct routed_completion done;
	uint8_t req[RT_WIRE_MAX_PAYLOAD], resp[RT_WIRE_MAX_PAYLOAD + 100], bad[sizeof(resp)];
	struct routed_client *c;
	struct fake f;
	size_t len;

	(void)state;
	fake_open(&f);
	c = open_ok(f.name);
	assert_int_equal(routed_client_set_try_timeout(c, 60000), 0);
	assert_int_equal(routed_client_set_timeout(c, 60000), 0);
	make_addr(&addrs[0], false, 1);
	make_addr(&addrs[1], false, 2);
	assert_int_equal(routed_client_submit(c, 0, addrs, 2, answers, NULL), 0);
	len = fake_recv(&f, req, sizeof(req), 5000);
	assert_int_equal(len, RT_WIRE_HEADER_LEN + 2 * RT_WIRE_SLOT4_LEN);
	memcpy(resp, req, len);
	answer(resp, len, RT_WIRE_STATUS_OK, 9);

	deliver(c, &f, "garbage", 7);
	deliver(c, &f, req, len);			/* a request, not a response */
	memcpy(bad, resp, len);
	bad[7] ^= 1;					/* another request id */
	deliver(c, &f, bad, len);
	memcpy(bad, resp, len);
	bad[RT_WIRE_HEADER_LEN + RT_WIRE_SLOT4_LEN + 3] ^= 1;	/* an echoed address changed */
	deliver(c, &f, bad, len);
	deliver(c, &f, resp, len - 1);			/* truncated */
	memcpy(bad, resp, len);
	memset(bad + len, 0, RT_WIRE_SLOT4_LEN);
	bad[3] = 3;					/* one slot more */
	deliver(c, &f, bad, len + RT_WIRE_SLOT4_LEN);
	memcpy(bad, resp, len);
	bad[11] = 1;					/* another table */
	deliver(c, &f, bad, len);
	memcpy(bad, resp, len);
	bad[2] = 6;					/* another family */
	deliver(c, &f, bad, len);
	memcpy(bad, resp, len);
	bad[RT_WIRE_HEADER_LEN + 5] = 33;		/* a prefix longer than IPv4's */
	deliver(c, &f, bad, len);
	memset(bad, 0, sizeof(bad));
	memcpy(bad, resp, len);
	deliver(c, &f, bad, RT_WIRE_MAX_PAYLOAD + 50);	/* oversize */
	assert_int_equal(routed_client_pending(c), 1);

	fake_send(&f, resp, len);
	assert_int_equal(wait_complete(c, &done, 5000), 1);
	assert_int_equal(done.status, 0);
	assert_true(answers[0].found && answers[1].found);
	assert_int_equal(answers[1].tag, 2);
	assert_int_equal(answers[1].generation, 9);
	deliver(c, &f, resp, len);			/* a duplicate: no longer waiting */
	routed_client_close(c);
	close(f.fd);
}

/* ---- statuses ---- */

static int lookup_with_status(uint8_t status, struct routed_answer_bin *answers)
{
	struct routed_addr addrs[3];
	struct routed_completion done;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct routed_client *c;
	struct fake f;
	size_t len;
	int rc;

	fake_open(&f);
	c = open_ok(f.name);
	for (unsigned i = 0; i < 3; i++)
		make_addr(&addrs[i], i == 1, i + 1);
	assert_int_equal(routed_client_submit(c, 4242, addrs, 3, answers, NULL), 0);
	for (int k = 0; k < 2; k++) {	/* one IPv4 datagram, one IPv6 */
		len = fake_recv(&f, buf, sizeof(buf), 5000);
		assert_true(len > 0);
		answer(buf, len, status, 5);
		fake_send(&f, buf, len);
		if (status > RT_WIRE_STATUS_NO_TABLE)
			break;
	}
	assert_int_equal(wait_complete(c, &done, 5000), 1);
	rc = done.status;
	routed_client_close(c);
	close(f.fd);
	return rc;
}

static void test_status(void **state)
{
	struct routed_answer_bin answers[3];

	(void)state;
	assert_int_equal(lookup_with_status(RT_WIRE_STATUS_OK, answers), 0);
	assert_true(answers[0].found && answers[1].found && answers[2].found);
	/* No such table: not found everywhere, whatever the slots say. */
	assert_int_equal(lookup_with_status(RT_WIRE_STATUS_NO_TABLE, answers), -ENOENT);
	assert_false(answers[0].found || answers[1].found || answers[2].found);
	assert_int_equal(lookup_with_status(7, answers), -EPROTO);
}

/* ---- timeouts and failover ---- */

static void test_timeout(void **state)
{
	struct routed_addr addr;
	struct routed_answer_bin a;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];
	struct routed_client *c;
	struct fake f;
	uint64_t t0, ms;
	unsigned tries = 0;

	(void)state;
	fake_open(&f);
	c = open_ok(f.name);
	assert_int_equal(routed_client_set_timeout(c, 600), 0);
	assert_int_equal(routed_client_set_try_timeout(c, 100), 0);
	make_addr(&addr, false, 1);
	t0 = rt_clock_ns();
	assert_int_equal(routed_client_lookup_bin(c, 0, &addr, 1, &a), -ETIMEDOUT);
	ms = (rt_clock_ns() - t0) / 1000000;
	print_message("# -ETIMEDOUT after %llu ms (timeout 600 ms)\n", (unsigned long long)ms);
	assert_true(ms >= 599);
	assert_true(ms < 600 + 2000);
	assert_non_null(strstr(routed_client_last_error(c), "no answer"));
	/* Tries at 0, 100 and 300 ms (waits 100, 200, 400): the third reaches the deadline. */
	while (fake_recv(&f, buf, sizeof(buf), 0))
		tries++;
	assert_int_equal(tries, 3);
	routed_client_close(c);
	close(f.fd);
}

/* Serve f (answer each request) while waiting for c's batch. */
static int serve_until_complete(struct routed_client *c, struct fake *f,
				struct routed_completion *done, int wait_ms)
{
	uint64_t end = rt_clock_ns() + (uint64_t)wait_ms * 1000000u;
	uint8_t buf[RT_WIRE_MAX_PAYLOAD + 1];

	while (rt_clock_ns() < end) {
		struct pollfd p[2] = { { .fd = routed_client_fd(c), .events = POLLIN },
				       { .fd = f->fd, .events = POLLIN } };
		int t = routed_client_timeout_ms(c), k;
		size_t len;

		poll(p, 2, t < 0 || t > 50 ? 50 : t);
		while ((len = fake_recv(f, buf, sizeof(buf), 0)))
			fake_send(f, buf, answer(buf, len, RT_WIRE_STATUS_OK, 1));
		k = routed_client_complete(c, done, 1);
		if (k)
			return k;
	}
	return 0;
}

static void test_failover(void **state)
{
	struct routed_addr addrs[4];
	struct routed_answer_bin answers[4];
	struct routed_server_info silent, live;
	struct routed_completion done;
	struct fake dead, alive;
	struct routed_client *c;
	char servers[80];
	uint64_t t0, ms;

	(void)state;
	fake_open(&dead);
	fake_open(&alive);
	snprintf(servers, sizeof(servers), "%s,%s", dead.name, alive.name);
	c = open_ok(servers);
	assert_int_equal(routed_client_set_try_timeout(c, 200), 0);
	assert_int_equal(routed_client_set_retry(c, 60000), 0);
	for (unsigned i = 0; i < 4; i++)
		make_addr(&addrs[i], i >= 2, i);
	/* Two datagrams: one to each server; the silent one's moves after one try. */
	t0 = rt_clock_ns();
	assert_int_equal(routed_client_submit(c, 0, addrs, 4, answers, NULL), 0);
	assert_int_equal(serve_until_complete(c, &alive, &done, 5000), 1);
	ms = (rt_clock_ns() - t0) / 1000000;
	print_message("# failed over after %llu ms (try timeout 200 ms)\n", (unsigned long long)ms);
	assert_int_equal(done.status, 0);
	assert_true(answers[0].found && answers[3].found);
	assert_true(ms >= 199 && ms < 200 + 2000);
	assert_int_equal(routed_client_server_info(c, 0, &silent), 0);
	assert_false(silent.up);
	assert_int_equal(silent.timeouts, 1);
	assert_int_equal(silent.failures, 1);
	/* Set aside: the next batch goes to the live server only, without a timeout. */
	assert_int_equal(routed_client_submit(c, 0, addrs, 4, answers, NULL), 0);
	assert_int_equal(serve_until_complete(c, &alive, &done, 5000), 1);
	assert_int_equal(done.status, 0);
	assert_int_equal(routed_client_server_info(c, 0, &silent), 0);
	assert_int_equal(silent.sent, 1);
	assert_int_equal(routed_client_server_info(c, 1, &live), 0);
	assert_true(live.up);
	assert_int_equal(live.sent, 4);
	assert_int_equal(live.answered, 4);
	routed_client_close(c);
	close(dead.fd);
	close(alive.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_list),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_invalid_responses),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_failover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
