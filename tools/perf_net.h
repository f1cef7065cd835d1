/* SPDX-License-Identifier: GPL-2.0-or-later */
/* routeperf's socket addresses: "A.B.C.D:PORT" and "[V6]:PORT". */
#ifndef ROUTEPERF_NET_H
#define ROUTEPERF_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct perf_sockaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* 0, or -EINVAL with a message in err. Port 0 is allowed only if allow_port0. */
int perf_sockaddr_parse(const char *text, bool allow_port0, struct perf_sockaddr *out, char *err,
			size_t errlen);
/* "A.B.C.D:PORT" or "[V6]:PORT"; returns buf. */
char *perf_sockaddr_format(const struct perf_sockaddr *a, char *buf, size_t len);
uint16_t perf_sockaddr_port(const struct perf_sockaddr *a);
void perf_sockaddr_set_port(struct perf_sockaddr *a, uint16_t port);
/* The loopback address of a's family, port 0. */
void perf_sockaddr_loopback(int family, struct perf_sockaddr *out);

/* Room for perf_sockaddr_format(). */
#define PERF_SOCKADDR_STRLEN 64

#endif
