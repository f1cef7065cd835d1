/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UDP lookup service (docs/lookup-protocol.md): the listeners of
 * lookup.listen, one SO_REUSEPORT socket per listener and worker, and the
 * workers' batch loop (recvmmsg, answer every datagram of a round in one
 * read-side section, sendmmsg).
 *
 * Its state (listeners, their sockets and table bindings, the worker count,
 * batch limits) is a plan that changes only inside the reconfiguration
 * gate, so every batch sees one plan whole. Changing it takes four steps,
 * all from the control thread:
 *
 *	udp_prepare(u, cfg)	open new sockets, start new workers; may fail,
 *				and then nothing changed (outside the gate)
 *	udp_commit(u)		switch to the new plan (inside the gate)
 *	udp_finish(u)		workers drop what the old plan had; close its
 *				sockets, stop surplus workers (after the gate)
 *	udp_abort(u)		instead of commit+finish: undo prepare
 */
#ifndef ROUTED_DAEMON_UDP_H
#define ROUTED_DAEMON_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct routed;
struct routed_config;
struct udp_service;

/* No listeners, no workers yet. NULL with errno. */
struct udp_service *udp_create(struct routed *d);
/* Stop the workers, close every socket, free. Accepts NULL. */
void udp_destroy(struct udp_service *u);

int udp_prepare(struct udp_service *u, const struct routed_config *cfg, char *err, size_t errlen);
void udp_commit(struct udp_service *u);
void udp_finish(struct udp_service *u);
void udp_abort(struct udp_service *u);

/* Lookup threads running now. */
unsigned udp_threads(const struct udp_service *u);

/*
 * The lookups the workers answered: valid request datagrams and the
 * addresses they asked about, summed over every worker's own counters,
 * those of workers since stopped included.
 */
void udp_lookup_counts(struct udp_service *u, uint64_t *requests, uint64_t *addresses);

/* The "udp" object of the stats method (new reference; NULL on ENOMEM). */
json_t *udp_stats_json(struct udp_service *u);
/* The listeners as bound ("127.0.0.1:5300"), for info and logs (new reference). */
json_t *udp_listeners_json(struct udp_service *u);

#endif
