/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_notify(3), in tree. The protocol is one datagram of "KEY=VALUE" lines
 * to an AF_UNIX socket named by $NOTIFY_SOCKET; systemd reads the sender's
 * credentials from the kernel, so nothing else is needed. This small file
 * replaces a dependency on libsystemd (which routed needs for nothing else)
 * and lets the daemon build and run where systemd is absent, the same
 * choice HAProxy and chrony made.
 */
#include "config.h" /* autoconf's, from the build directory: before any system header */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <routed/clock.h>

#include "log.h"
#include "notify.h"

/* One datagram; systemd accepts far larger, our messages are short. */
#define NOTIFY_MESSAGE_MAX 4096
/* Longest STATUS= text; longer ones are cut. */
#define NOTIFY_STATUS_MAX 1024

/*
 * Set by notify_init() before any thread that sends exists (see notify.h),
 * read-only afterwards: thread creation orders the writes before the
 * readers, so no atomics are needed. sendmsg(2) on a shared datagram
 * socket is itself thread-safe.
 */
static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_addrlen;

void notify_close(void)
{
	if (notify_fd >= 0)
		close(notify_fd);
	notify_fd = -1;
	notify_addrlen = 0;
}

/* Fill notify_addr from "/path" or "@abstract"; NULL, or what is wrong. */
static const char *parse_socket_address(const char *name)
{
	size_t len = strlen(name);

	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	if (name[0] == '@') {
		/* Abstract namespace: a leading NUL, the name not terminated. */
		if (len < 2)
			return "empty abstract socket name";
		if (len > sizeof(notify_addr.sun_path))
			return "name too long";
		memcpy(notify_addr.sun_path + 1, name + 1, len - 1);
		notify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
		return NULL;
	}
	if (name[0] != '/')
		return "neither an absolute path nor '@name'";
	if (len >= sizeof(notify_addr.sun_path))
		return "path too long";
	memcpy(notify_addr.sun_path, name, len + 1);
	notify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	return NULL;
}

int notify_init(void)
{
	const char *name = getenv("NOTIFY_SOCKET");
	const char *problem;

	notify_close();
	if (!name || !*name)
		return 0;
	problem = parse_socket_address(name);
	if (problem) {
		notify_addrlen = 0;
		log_warn("NOTIFY_SOCKET '%.120s': %s; not notifying systemd", name, problem);
		return -1;
	}
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd < 0) {
		log_warn("cannot create the systemd notification socket: %s", strerror(errno));
		notify_addrlen = 0;
		return -1;
	}
	return 0;
}

bool notify_enabled(void)
{
	return notify_fd >= 0;
}

static int notify_sendv(const char *fmt, va_list ap)
{
	char msg[NOTIFY_MESSAGE_MAX];
	int saved_errno = errno;
	struct iovec iov;
	struct msghdr mh;
	ssize_t sent;
	int n;

	if (notify_fd < 0)
		return 0;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(msg)) {
		/* A cut KEY=VALUE could mean something else: send nothing. */
		log_debug("systemd notification too long (%d bytes), not sent", n);
		return -1;
	}
	iov.iov_base = msg;
	iov.iov_len = (size_t)n;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &notify_addr;
	mh.msg_namelen = notify_addrlen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do
		sent = sendmsg(notify_fd, &mh, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent < 0) {
		log_debug("systemd notification failed: %s", strerror(errno));
		errno = saved_errno;
		return -1;
	}
	errno = saved_errno;
	return 1;
}

int notify_send(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = notify_sendv(fmt, ap);
	va_end(ap);
	return ret;
}

/* Format a STATUS= value: cut to size, one line (a newline would start a
 * new assignment, and the text may quote a config file or a client). */
static void format_status(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0)
		buf[0] = '\0';
	for (char *p = buf; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
}

void notify_ready(const char *status_fmt, ...)
{
	char status[NOTIFY_STATUS_MAX];
	va_list ap;

	if (notify_fd < 0)
		return;
	va_start(ap, status_fmt);
	format_status(status, sizeof(status), status_fmt, ap);
	va_end(ap);
	notify_send("READY=1\nSTATUS=%s\n", status);
}

void notify_status(const char *fmt, ...)
{
	char status[NOTIFY_STATUS_MAX];
	va_list ap;

	if (notify_fd < 0)
		return;
	va_start(ap, fmt);
	format_status(status, sizeof(status), fmt, ap);
	va_end(ap);
	notify_send("STATUS=%s\n", status);
}

void notify_reloading(void)
{
	uint64_t usec;

	if (notify_fd < 0)
		return;
	/* systemd compares this with its own CLOCK_MONOTONIC to match the
	 * reload it started with this one. */
	usec = rt_clock_ns() / 1000u;
	notify_send("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%" PRIu64 "\n", usec);
}

void notify_stopping(void)
{
	notify_send("STOPPING=1\nSTATUS=stopping\n");
}

void notify_extend_timeout(uint64_t usec)
{
	notify_send("EXTEND_TIMEOUT_USEC=%" PRIu64 "\n", usec);
}

/* A positive decimal number without sign, spaces or trailing text. */
static bool parse_positive(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v == 0)
		return false;
	*out = v;
	return true;
}

uint64_t notify_watchdog_usec(void)
{
	const char *pid_text = getenv("WATCHDOG_PID");
	uint64_t usec, pid;

	if (!parse_positive(getenv("WATCHDOG_USEC"), &usec))
		return 0;
	/* Set by systemd for the main process; a child that inherited the
	 * environment must not ping on the parent's behalf. */
	if (pid_text) {
		if (!parse_positive(pid_text, &pid) || pid != (uint64_t)getpid())
			return 0;
	}
	return usec;
}

void notify_watchdog(void)
{
	notify_send("WATCHDOG=1\n");
}
