/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libroutedclient: longest-prefix-match lookups from routed's UDP lookup
 * service (docs/lookup-protocol.md), for C programs.
 *
 *	#include <routed/client.h>
 *	cc prog.c $(pkg-config --cflags --libs routed-client)
 *
 * A client holds one connected UDP socket per server and everything that
 * is in flight; batches of any size are split into datagrams (up to 75
 * IPv4 or 30 IPv6 addresses each), sent round-robin over the servers that
 * answer, resent on a timeout to the next server, and every response is
 * checked against its request before it is believed (the protocol's client
 * rules). A server that times out or refuses is set aside: the datagrams it
 * held go to the others at once, so a dead server costs a batch at most one
 * try's timeout; it is tried again after a pause.
 *
 * Three ways to ask:
 * - routed_client_lookup(): addresses as text, answers as text; blocks.
 * - routed_client_lookup_bin(): addresses and answers in binary; blocks.
 * - routed_client_submit() and routed_client_complete() around poll() on
 *   routed_client_fd(): many batches in flight, for event loops.
 *
 * Errors: functions returning int return 0 (or a count) on success and a
 * negative errno value on failure; routed_client_open() returns NULL and
 * explains why in err. routed_client_last_error() explains the last
 * failure of a call on a client in words.
 *
 * Thread safety: a client is not thread-safe. One thread at a time may
 * call functions on a given client (with your own lock around it, or one
 * client per thread, which is faster). Different clients share nothing:
 * the library has no global state, so threads with their own clients need
 * no locking at all.
 */
#ifndef ROUTED_CLIENT_H
#define ROUTED_CLIENT_H

#include <netinet/in.h>		/* INET6_ADDRSTRLEN */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The default port of routed's lookup service, used when a server has none. */
#define ROUTED_CLIENT_DEFAULT_PORT 5300

struct routed_client;

/* One answer, as text. */
struct routed_answer {
	bool found;			/* a route matched */
	uint8_t prefix_len;		/* matched prefix length (0 when not found) */
	char prefix[INET6_ADDRSTRLEN + 4];	/* "10.0.0.0/8" ("" when not found) */
	bool has_via;			/* the route has a gateway */
	char via[INET6_ADDRSTRLEN];	/* "192.0.2.1" ("" without) */
	bool has_tag;
	uint32_t tag;
	uint64_t generation;		/* the table's generation when answered */
	bool reject;			/* a blackhole, unreachable or prohibit route */
	bool multipath;			/* a multipath route: via is the next hop chosen for the address */
};

/* An address in binary: family AF_INET (addr[0..3]) or AF_INET6 (addr[0..15]). */
struct routed_addr {
	uint8_t family;
	uint8_t addr[16];		/* network byte order */
};

/* One answer in binary. */
struct routed_answer_bin {
	bool found;
	bool has_via;
	bool has_tag;
	bool reject;
	bool multipath;
	uint8_t prefix_len;
	uint32_t tag;
	struct routed_addr via;		/* family 0 without a gateway */
	uint64_t generation;
};

/*
 * Open a client for servers: "ADDR:PORT", "[IPV6]:PORT" or a bare address
 * (port 5300), or several of them separated by commas:
 * "[::1]:5300,127.0.0.1:5300". Addresses are numeric; at most 64 servers.
 * Returns NULL with errno set and a message in err (errlen bytes, may be 0).
 */
struct routed_client *routed_client_open(const char *servers, char *err, size_t errlen);

/* Close the client; what is in flight is dropped. NULL is allowed. */
void routed_client_close(struct routed_client *c);

/*
 * Look up addresses[0..n) (text, IPv4 and IPv6 mixed) in table (0: the
 * table of the server's listener, main by default) and fill answers[0..n).
 * Blocks until every answer is in or the timeout ends it. Returns 0,
 * -EINVAL (an address that is not one: nothing was sent), -ETIMEDOUT (no
 * answer in time from any server), -ENOENT (the server has no such table;
 * every answer then reads "not found"), -EPROTO (a status this library
 * does not know), -ENOMEM, or another -errno from the sockets.
 */
int routed_client_lookup(struct routed_client *c, uint32_t table,
			 const char *const *addresses, size_t n,
			 struct routed_answer *answers);

/* The same in binary: no parsing or formatting. An address of another family: -EINVAL. */
int routed_client_lookup_bin(struct routed_client *c, uint32_t table,
			     const struct routed_addr *addresses, size_t n,
			     struct routed_answer_bin *answers);

/*
 * The non-blocking interface. routed_client_submit() queues a batch and
 * sends what the window allows; the caller keeps addresses and answers
 * alive and untouched until the batch completes. Then, whenever
 * routed_client_fd() is readable or routed_client_timeout_ms() has
 * passed, routed_client_complete() reads the responses, resends what timed
 * out, sends what waited for room in the window, and returns up to max
 * finished batches. A blocking lookup on the same client may finish
 * submitted batches too: they are returned by the next complete.
 *
 * submit returns 0, -EINVAL (bad address family, n == 0) or -ENOMEM.
 */
int routed_client_submit(struct routed_client *c, uint32_t table,
			 const struct routed_addr *addresses, size_t n,
			 struct routed_answer_bin *answers, void *user);

/* A finished batch: its submit's user pointer, and 0 or -errno as for a lookup. */
struct routed_completion {
	void *user;
	int status;
};

/* Up to max finished batches into done; returns how many (0: none yet), or -errno. */
int routed_client_complete(struct routed_client *c, struct routed_completion *done, size_t max);

/* Poll this for POLLIN (one descriptor for every server's socket). */
int routed_client_fd(const struct routed_client *c);

/* Milliseconds until a timeout needs routed_client_complete(); -1 when nothing is in flight. */
int routed_client_timeout_ms(const struct routed_client *c);

/* Batches submitted and not yet returned by routed_client_complete(). */
size_t routed_client_pending(const struct routed_client *c);

/*
 * Options. timeout_ms bounds a whole batch, from its submit (default
 * 3000); a batch still unanswered then ends with -ETIMEDOUT. A datagram is
 * sent at most tries times (default 4), the first try waiting
 * try_timeout_ms (default 250), each later one twice as long as the one
 * before, never past the batch's timeout. A server that timed out or
 * refused is not used for retry_ms (default 1000, doubling on each
 * failure up to 30 s) unless every server is set aside. window is the
 * most datagrams in flight at once (default 256, up to 16384); more wait
 * in a queue. Each returns 0, or -EINVAL for a value out of range
 * (window: -EBUSY while datagrams are in flight).
 */
int routed_client_set_timeout(struct routed_client *c, unsigned timeout_ms);
int routed_client_set_tries(struct routed_client *c, unsigned tries);
int routed_client_set_try_timeout(struct routed_client *c, unsigned try_timeout_ms);
int routed_client_set_retry(struct routed_client *c, unsigned retry_ms);
int routed_client_set_window(struct routed_client *c, unsigned window);

/* What the client knows of one server. */
struct routed_server_info {
	char address[INET6_ADDRSTRLEN + 8];	/* "[::1]:5300" */
	bool up;			/* used for new datagrams now */
	unsigned failures;		/* timeouts and refusals in a row */
	uint64_t sent;			/* datagrams sent, retries included */
	uint64_t answered;		/* valid responses */
	uint64_t timeouts;		/* tries that timed out */
	uint64_t refused;		/* ICMP unreachable and send errors */
	uint64_t invalid;		/* responses ignored by the checks */
};

/* The number of servers, and server i's state (0 or -EINVAL for an i out of range). */
size_t routed_client_server_count(const struct routed_client *c);
int routed_client_server_info(const struct routed_client *c, size_t i,
			      struct routed_server_info *info);

/* Why the last failed call on c failed, in words ("" before any). */
const char *routed_client_last_error(const struct routed_client *c);

#ifdef __cplusplus
}
#endif

#endif
