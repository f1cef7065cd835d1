/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_net.h"

static int parse_port(const char *text, bool allow_port0, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || v > 65535 || (v == 0 && !allow_port0))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int perf_sockaddr_parse(const char *text, bool allow_port0, struct perf_sockaddr *out, char *err,
			size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_text;
	uint16_t port;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			goto bad;
		hlen = (size_t)(close - text - 1);
		port_text = close + 2;
		text++;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			goto bad;
		hlen = (size_t)(colon - text);
		port_text = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (parse_port(port_text, allow_port0, &port)) {
		snprintf(err, errlen, "bad port \"%s\" (1-65535%s)", port_text,
			 allow_port0 ? ", or 0 for any free port" : "");
		return -EINVAL;
	}
	if (text[-1] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		out->len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		out->len = sizeof(*s4);
	}
	return 0;
bad:
	snprintf(err, errlen, "expected A.B.C.D:PORT or [IPV6]:PORT");
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
