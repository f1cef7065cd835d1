/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sd_notify client (daemon/notify.c) against sockets bound here: path
 * and abstract addresses, message contents, the WATCHDOG_PID rule, and that
 * bad environments and vanished sockets are survived.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

struct receiver {
	char dir[64];
	char path[128];
	int fd;
};

static uint64_t monotonic_usec(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int receiver_setup(void **state)
{
	struct receiver *r = calloc(1, sizeof(*r));
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	assert_non_null(r);
	snprintf(r->dir, sizeof(r->dir), "%s/notify-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->path, sizeof(r->path), "%s/notify.sock", r->dir);
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	strcpy(sa.sun_path, r->path);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", r->path, 1), 0);
	assert_int_equal(notify_init(), 0);
	assert_true(notify_enabled());
	*state = r;
	return 0;
}

static int receiver_teardown(void **state)
{
	struct receiver *r = *state;

	notify_close();
	unsetenv("NOTIFY_SOCKET");
	close(r->fd);
	unlink(r->path);
	rmdir(r->dir);
	free(r);
	return 0;
}

/* The next datagram, or "" when none is waiting. */
static const char *receive(int fd)
{
	static char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

static void test_messages(void **state)
{
	struct receiver *r = *state;

	notify_ready("ready: %d routes in %d tables", 12, 2);
	assert_string_equal(receive(r->fd), "READY=1\nSTATUS=ready: 12 routes in 2 tables\n");
	notify_status("loading %s", "table main");
	assert_string_equal(receive(r->fd), "STATUS=loading table main\n");
	notify_watchdog();
	assert_string_equal(receive(r->fd), "WATCHDOG=1\n");
	notify_extend_timeout(5000000);
	assert_string_equal(receive(r->fd), "EXTEND_TIMEOUT_USEC=5000000\n");
	notify_stopping();
	assert_string_equal(receive(r->fd), "STOPPING=1\nSTATUS=stopping\n");
	assert_int_equal(notify_send("X_ROUTED=%d\n", 7), 1);
	assert_string_equal(receive(r->fd), "X_ROUTED=7\n");
	/* One call, one datagram: nothing left over. */
	assert_string_equal(receive(r->fd), "");
}

/* RELOADING=1 and a current CLOCK_MONOTONIC timestamp, in one datagram. */
static void test_reloading(void **state)
{
	struct receiver *r = *state;
	uint64_t before = monotonic_usec(), after, stamp;
	const char *msg, *p;

	notify_reloading();
	after = monotonic_usec();
	msg = receive(r->fd);
	assert_non_null(strstr(msg, "RELOADING=1\n"));
	p = strstr(msg, "MONOTONIC_USEC=");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "MONOTONIC_USEC=%" SCNu64 "\n", &stamp), 1);
	assert_true(stamp >= before && stamp <= after);
	assert_string_equal(receive(r->fd), "");
}

/* A status is one line: a newline must not smuggle in another key. */
static void test_status_is_one_line(void **state)
{
	struct receiver *r = *state;
	char long_status[3000];

	notify_status("bad config: %s", "x\nREADY=1");
	assert_string_equal(receive(r->fd), "STATUS=bad config: x READY=1\n");

	/* Long statuses are cut, not dropped. */
	memset(long_status, 'a', sizeof(long_status) - 1);
	long_status[sizeof(long_status) - 1] = '\0';
	notify_ready("%s", long_status);
	{
		const char *msg = receive(r->fd);

		assert_true(strncmp(msg, "READY=1\nSTATUS=aaaa", 19) == 0);
		assert_true(strlen(msg) < sizeof(long_status));
		assert_int_equal(msg[strlen(msg) - 1], '\n');
	}
}

/* A raw message that does not fit is refused whole, not cut. */
static void test_too_long(void **state)
{
	struct receiver *r = *state;
	static char big[10000];

	memset(big, 'b', sizeof(big) - 1);
	assert_int_equal(notify_send("STATUS=%s\n", big), -1);
	assert_string_equal(receive(r->fd), "");
}

/* The receiver going away is an error to the caller, never a crash. */
static void test_vanished_socket(void **state)
{
	struct receiver *r = *state;

	assert_int_equal(unlink(r->path), 0);
	errno = 1234;
	assert_int_equal(notify_send("WATCHDOG=1\n"), -1);
	assert_int_equal(errno, 1234);
	notify_ready("still %s", "fine");
	notify_watchdog();
}

static void test_abstract_address(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char name[64], env[72];
	socklen_t len;
	int fd;

	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	snprintf(name, sizeof(name), "routed-test-notify-%d-%d", (int)getpid(), rand());
	/* Abstract: leading NUL, length counts the name exactly. */
	memcpy(sa.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);

	snprintf(env, sizeof(env), "@%s", name);
	assert_int_equal(setenv("NOTIFY_SOCKET", env, 1), 0);
	assert_int_equal(notify_init(), 0);
	assert_true(notify_enabled());
	notify_ready("abstract");
	assert_string_equal(receive(fd), "READY=1\nSTATUS=abstract\n");

	notify_close();
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

static void test_environment(void **state)
{
	static const char *const bad[] = {
		"relative/path", "@", "notify.sock",
		/* one byte too long for sun_path */
		"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaa",
	};

	(void)state;
	assert_int_equal(strlen(bad[3]), sizeof(((struct sockaddr_un *)0)->sun_path));
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_init(), 0);
	assert_false(notify_enabled());
	assert_int_equal(notify_send("READY=1\n"), 0);
	notify_ready("nobody listens");
	notify_reloading();
	notify_stopping();

	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(notify_init(), 0);
	assert_false(notify_enabled());

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("NOTIFY_SOCKET", bad[i], 1);
		assert_int_equal(notify_init(), -1);
		assert_false(notify_enabled());
		assert_int_equal(notify_send("READY=1\n"), 0);
	}
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_usec(void **state)
{
	char pid[32];

	(void)state;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_watchdog_usec(), 0);

	setenv("WATCHDOG_USEC", "200000", 1);
	assert_int_equal(notify_watchdog_usec(), 200000);

	/* WATCHDOG_PID: only the process it names pings. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 200000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "1x", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");

	static const char *const bad_usec[] = {"0", "", "abc", "-5", " 5", "5s",
					       "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad_usec) / sizeof(bad_usec[0]); i++) {
		setenv("WATCHDOG_USEC", bad_usec[i], 1);
		if (notify_watchdog_usec() != 0)
			fail_msg("WATCHDOG_USEC='%s' accepted", bad_usec[i]);
	}
	setenv("WATCHDOG_USEC", "18446744073709551615", 1);
	assert_true(notify_watchdog_usec() == UINT64_MAX);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_messages, receiver_setup, receiver_teardown),
		cmocka_unit_test_setup_teardown(test_reloading, receiver_setup, receiver_teardown),
		cmocka_unit_test_setup_teardown(test_status_is_one_line, receiver_setup,
						receiver_teardown),
		cmocka_unit_test_setup_teardown(test_too_long, receiver_setup, receiver_teardown),
		cmocka_unit_test_setup_teardown(test_vanished_socket, receiver_setup,
						receiver_teardown),
		cmocka_unit_test(test_abstract_address),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_watchdog_usec),
	};

	/* Debug messages from failed sends go to stderr, out of the TAP stream. */
	log_set_level(LOG_DEBUG);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
