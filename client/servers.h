/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A list of lookup servers and which of them is up: "ADDR:PORT,[IPV6]:PORT,ADDR"
 * parsed strictly, one connected UDP socket per server in one epoll set,
 * round-robin over the servers that are up, and a server that timed out or
 * refused set aside for a pause that doubles with each failure in a row.
 *
 * The client library's (client_int.h); routeperf links it too, so a load
 * spread over several servers picks and sets aside servers exactly as the
 * library does (it opens sockets of its own and does not call
 * cl_servers_open). One thread at a time uses a list: no locks.
 */
#ifndef ROUTED_CLIENT_SERVERS_H
#define ROUTED_CLIENT_SERVERS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <routed/client.h>

#define CL_MAX_SERVERS 64
/* Longest a server is set aside after failures in a row. */
#define CL_MAX_RETRY_NS (30 * 1000000000ull)

struct cl_server {
	int fd;				/* connected UDP socket */
	struct sockaddr_storage sa;
	socklen_t salen;
	char name[INET6_ADDRSTRLEN + 8];
	unsigned failures;		/* in a row; 0 while it answers */
	uint64_t down_until_ns;		/* 0: up; else set aside until then */
	uint64_t sent, answered, timeouts, refused, invalid;
};

struct cl_servers {
	struct cl_server *list;
	size_t n;
	size_t next;			/* round-robin position */
	int epfd;			/* every server's socket, for one fd to poll */
};

int cl_servers_parse(struct cl_servers *s, const char *text, char *err, size_t errlen);
int cl_servers_open(struct cl_servers *s, char *err, size_t errlen);
void cl_servers_close(struct cl_servers *s);
/* The server for a new try: round-robin over those up, never avoid unless it is the only one. */
unsigned cl_servers_pick(struct cl_servers *s, uint64_t now, int avoid);
/* A server failed: set it aside (if it was up); true if it was up. */
bool cl_servers_failed(struct cl_servers *s, unsigned i, uint64_t now, uint64_t retry_ns);
void cl_servers_answered(struct cl_servers *s, unsigned i);
void cl_servers_info(const struct cl_servers *s, size_t i, uint64_t now,
		     struct routed_server_info *info);

#endif
