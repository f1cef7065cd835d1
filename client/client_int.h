/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The insides of a client, shared by its modules:
 *
 *	client.c	the public API: open, options, the blocking lookups, text
 *	flight.c	batches and the datagrams in flight: split, send, match,
 *			check, retry, time out
 *	servers.c	the server list: parsing, sockets, which server is up
 *			(servers.h; routeperf shares its choice of server)
 *
 * Nothing here is global: every piece of state hangs off a struct
 * routed_client, which one thread at a time uses (no locks, no atomics).
 */
#ifndef ROUTED_CLIENT_INT_H
#define ROUTED_CLIENT_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <routed/client.h>
#include <routed/lookup_wire.h>

#include "servers.h"

#define CL_MAX_WINDOW 16384
#define CL_ERR_LEN 256
/* Datagrams per sendmmsg/recvmmsg call. */
#define CL_IO_BATCH 32

enum { CL_V4, CL_V6, CL_FAMILIES };

/* A submitted batch: addresses in, answers out, split into datagrams. */
struct cl_batch {
	struct cl_batch *next;		/* in the send queue, the done list or the free list */
	uint32_t table;
	const struct routed_addr *addrs;
	struct routed_answer_bin *answers;
	size_t n;
	size_t cursor[CL_FAMILIES];	/* next address of each family not yet in a datagram */
	size_t in_flight;		/* its datagrams in flight */
	uint64_t deadline_ns;
	void *user;
	int status;			/* the first error; 0 */
	bool queued;			/* in the send queue: addresses left to send */
	bool done;			/* finished: in the done list */
};

/* One datagram in flight; a slot of the window, free when batch is NULL. */
struct cl_datagram {
	struct cl_batch *batch;
	uint32_t id;			/* generation << id_shift | slot index */
	uint16_t len;
	uint8_t family;			/* RT_WIRE_FAMILY4 or RT_WIRE_FAMILY6 */
	uint8_t count;
	unsigned server;
	unsigned tries;
	bool to_send;			/* in the send list */
	uint64_t try_deadline_ns;
	size_t pos[RT_WIRE_MAX_COUNT4];	/* the batch position of each slot */
	uint8_t buf[RT_WIRE_MAX_PAYLOAD];	/* the request, to check the echo */
};

struct cl_options {
	uint64_t timeout_ns;
	unsigned tries;
	uint64_t try_timeout_ns;
	uint64_t retry_ns;
};

struct routed_client {
	struct cl_servers servers;
	struct cl_options opt;

	/* The window. */
	struct cl_datagram *dg;
	unsigned window;		/* slots */
	unsigned id_shift;
	uint32_t *free_slots;		/* a stack of free slot indexes */
	unsigned nfree;
	uint32_t *send_list;		/* slots due to be sent now */
	unsigned nsend;
	uint64_t next_check_ns;		/* no deadline is earlier; UINT64_MAX: none */
	struct cl_io *io;		/* sendmmsg/recvmmsg vectors and receive buffers */

	/* Batches. */
	struct cl_batch *queue_head, *queue_tail;	/* with addresses left to send */
	struct cl_batch *done_head, *done_tail;		/* finished, not yet returned */
	struct cl_batch *free_batches;
	size_t pending;			/* submitted, not yet returned */

	char err[CL_ERR_LEN];
};

/* flight.c */
int cl_flight_init(struct routed_client *c, unsigned window);
void cl_flight_free(struct routed_client *c);
int cl_flight_submit(struct routed_client *c, uint32_t table, const struct routed_addr *addrs,
		     size_t n, struct routed_answer_bin *answers, void *user,
		     struct cl_batch **batch);
/* Build datagrams for the free slots of the window and send what is due. */
void cl_flight_send(struct routed_client *c);
/* Send, then receive (waiting up to wait_ms for a response), time out, send again. */
int cl_flight_progress(struct routed_client *c, int wait_ms);
/* Take batch b out of the done list (b must be done) and recycle it; returns its status. */
int cl_flight_reap(struct routed_client *c, struct cl_batch *b);
/* End b (not yet done) with err and recycle it. */
void cl_flight_abandon(struct routed_client *c, struct cl_batch *b, int err);
/*
 * Milliseconds until the next deadline, rounded up; -1 without one. For
 * the caller (ready): also 0 when something is ready to be completed or sent.
 */
int cl_flight_timeout_ms(const struct routed_client *c, bool ready);

/* The message routed_client_last_error() returns. */
__attribute__((format(printf, 2, 3))) static inline void cl_seterr(struct routed_client *c,
								   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

#endif
