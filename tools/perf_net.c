/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/prefix.h>

#include "perf_net.h"

int perf_sockaddr_parse(const char *text, bool allow_port0, struct perf_sockaddr *out, char *err,
			size_t errlen)
{
	struct rt_hostport hp;

	memset(out, 0, sizeof(*out));
	switch (rt_hostport_parse(text, &hp)) {
	case RT_HOSTPORT_OK:
		break;
	case RT_HOSTPORT_BAD_PORT:
		goto bad_port;
	default:
		snprintf(err, errlen, "expected A.B.C.D:PORT or [IPV6]:PORT");
		return -EINVAL;
	}
	if (hp.port == 0 && !allow_port0)
		goto bad_port;
	out->len = rt_addr_sockaddr(&hp.addr, hp.port, &out->ss);
	return 0;
bad_port:
	snprintf(err, errlen, "bad port \"%s\" (1-65535%s)", hp.port_text,
		 allow_port0 ? ", or 0 for any free port" : "");
	return -EINVAL;
}

char *perf_sockaddr_format(const struct perf_sockaddr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	}
	return buf;
}

uint16_t perf_sockaddr_port(const struct perf_sockaddr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void perf_sockaddr_set_port(struct perf_sockaddr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

void perf_sockaddr_loopback(int family, struct perf_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		out->len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		out->len = sizeof(*s4);
	}
}
