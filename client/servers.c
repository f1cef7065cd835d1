/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server list: "ADDR:PORT,[IPV6]:PORT,ADDR" parsed strictly, one
 * connected UDP socket per server (the kernel then drops datagrams from
 * anyone else and reports an ICMP port unreachable as ECONNREFUSED), all in
 * one epoll set so a caller polls one descriptor. Which server is up: one
 * that timed out or refused is set aside for retry_ns, doubling with each
 * failure in a row up to CL_MAX_RETRY_NS, and is up again once that time has
 * passed (the next try to it is the probe).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <routed/prefix.h>

#include "bytes.h"
#include "servers.h"

/* Socket buffers for a full window of datagrams; the kernel caps them at rmem_max/wmem_max. */
#define CL_SOCKET_BUFFER (2 << 20)

static int parse_one(const char *text, size_t len, struct cl_server *srv, char *err,
		     size_t errlen)
{
	char buf[128], host[INET6_ADDRSTRLEN];
	struct rt_hostport hp;
	struct rt_addr addr;
	uint16_t port = ROUTED_CLIENT_DEFAULT_PORT;

	if (len == 0) {
		rt_seterr(err, errlen, "an empty server in the list");
		return -EINVAL;
	}
	if (len >= sizeof(buf)) {
		rt_seterr(err, errlen, "server '%.40s...': too long", text);
		return -EINVAL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (rt_addr_parse(buf, &addr, NULL, 0) == 0)
		goto done;	/* a bare address: the default port */
	switch (rt_hostport_parse(buf, &hp)) {
	case RT_HOSTPORT_OK:
		break;
	case RT_HOSTPORT_NO_BRACKET:
		rt_seterr(err, errlen, "server '%s': '[' without ']' (expected [ADDR]:PORT)", buf);
		return -EINVAL;
	case RT_HOSTPORT_NO_PORT:
	case RT_HOSTPORT_UNBRACKETED:
	case RT_HOSTPORT_BAD_ADDR:
		rt_seterr(err, errlen,
			  "server '%s': not an address (expected ADDR:PORT, [IPV6]:PORT or ADDR)",
			  buf);
		return -EINVAL;
	case RT_HOSTPORT_BAD_PORT:
		goto bad_port;
	}
	if (hp.port_text[0] == '0')
		goto bad_port;	/* port 0 and leading zeros name no server */
	addr = hp.addr;
	port = hp.port;
done:
	srv->salen = rt_addr_sockaddr(&addr, port, &srv->sa);
	inet_ntop(addr.family, addr.bytes, host, sizeof(host));
	snprintf(srv->name, sizeof(srv->name), addr.family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
		 port);
	srv->fd = -1;
	return 0;
bad_port:
	rt_seterr(err, errlen, "server '%s': invalid port (expected 1-65535)", buf);
	return -EINVAL;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

int cl_servers_parse(struct cl_servers *s, const char *text, char *err, size_t errlen)
{
	const char *p = text, *end;
	int rc;

	memset(s, 0, sizeof(*s));
	s->epfd = -1;
	if (!text) {
		rt_seterr(err, errlen, "no servers given");
		return -EINVAL;
	}
	s->list = calloc(CL_MAX_SERVERS, sizeof(*s->list));
	if (!s->list) {
		rt_seterr(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (;;) {
		const char *start, *stop;

		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		start = p;
		stop = end;
		while (start < stop && is_space(*start))
			start++;
		while (stop > start && is_space(stop[-1]))
			stop--;
		if (s->n == CL_MAX_SERVERS) {
			rt_seterr(err, errlen, "more than %d servers", CL_MAX_SERVERS);
			return -EINVAL;
		}
		rc = parse_one(start, (size_t)(stop - start), &s->list[s->n], err, errlen);
		if (rc)
			return rc;
		s->n++;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

int cl_servers_open(struct cl_servers *s, char *err, size_t errlen)
{
	int size = CL_SOCKET_BUFFER;

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		goto fail_epoll;
	for (size_t i = 0; i < s->n; i++) {
		struct cl_server *srv = &s->list[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		srv->fd = socket(srv->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (srv->fd < 0)
			goto fail;
		/* Best effort: a full window must not overflow the default buffers. */
		(void)setsockopt(srv->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		(void)setsockopt(srv->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		if (connect(srv->fd, (const struct sockaddr *)&srv->sa, srv->salen) < 0)
			goto fail;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, srv->fd, &ev) < 0)
			goto fail;
		continue;
fail:
		rt_seterr(err, errlen, "server %s: %s", srv->name, strerror(errno));
		return -errno;
	}
	return 0;
fail_epoll:
	rt_seterr(err, errlen, "epoll: %s", strerror(errno));
	return -errno;
}

void cl_servers_close(struct cl_servers *s)
{
	for (size_t i = 0; s->list && i < s->n; i++)
		if (s->list[i].fd >= 0)
			close(s->list[i].fd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->list);
	s->list = NULL;
	s->n = 0;
	s->epfd = -1;
}

static bool is_up(const struct cl_server *srv, uint64_t now)
{
	return srv->down_until_ns <= now;
}

unsigned cl_servers_pick(struct cl_servers *s, uint64_t now, int avoid)
{
	size_t best = SIZE_MAX;

	for (size_t k = 0; k < s->n; k++) {
		size_t i = (s->next + k) % s->n;

		if ((int)i == avoid || !is_up(&s->list[i], now))
			continue;
		s->next = (i + 1) % s->n;
		return (unsigned)i;
	}
	/* Nothing else is up: the one set aside the shortest, even avoid if it is alone. */
	for (size_t i = 0; i < s->n; i++) {
		if ((int)i == avoid && s->n > 1)
			continue;
		if (best == SIZE_MAX || s->list[i].down_until_ns < s->list[best].down_until_ns)
			best = i;
	}
	return (unsigned)best;
}

bool cl_servers_failed(struct cl_servers *s, unsigned i, uint64_t now, uint64_t retry_ns)
{
	struct cl_server *srv = &s->list[i];
	uint64_t pause = retry_ns;

	/* Its other datagrams failing with it do not lengthen the pause. */
	if (!is_up(srv, now))
		return false;
	for (unsigned k = 0; k < srv->failures && pause < CL_MAX_RETRY_NS; k++)
		pause *= 2;
	if (pause > CL_MAX_RETRY_NS)
		pause = CL_MAX_RETRY_NS;
	srv->failures++;
	srv->down_until_ns = now + pause;
	return true;
}

void cl_servers_answered(struct cl_servers *s, unsigned i)
{
	s->list[i].failures = 0;
	s->list[i].down_until_ns = 0;
	s->list[i].answered++;
}

void cl_servers_info(const struct cl_servers *s, size_t i, uint64_t now,
		     struct routed_server_info *info)
{
	const struct cl_server *srv = &s->list[i];

	memset(info, 0, sizeof(*info));
	snprintf(info->address, sizeof(info->address), "%s", srv->name);
	info->up = is_up(srv, now);
	info->failures = srv->failures;
	info->sent = srv->sent;
	info->answered = srv->answered;
	info->timeouts = srv->timeouts;
	info->refused = srv->refused;
	info->invalid = srv->invalid;
}
