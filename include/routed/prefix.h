/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses and prefixes: strict parsing and canonical formatting.
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv6 address: it is
 * parsed, stored, matched and printed as IPv6 and never matches an IPv4
 * route. Operators who want IPv4 semantics write the dotted quad.
 */
#ifndef ROUTED_PREFIX_H
#define ROUTED_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest text rt_prefix_format() writes: a full IPv6 address, "/128", NUL. */
#define RT_PREFIX_STRLEN 50
#define RT_ADDR_STRLEN 46
/* Room for an error message from the parsers below. */
#define RT_ERR_LEN 256

struct rt_addr {
	uint8_t family;		/* AF_INET or AF_INET6; 0 = no address */
	uint8_t bytes[16];	/* network byte order; IPv4 uses bytes[0..3] */
};

struct rt_prefix {
	struct rt_addr addr;	/* host bits are always zero */
	uint8_t len;		/* 0..32 or 0..128 */
};

/* 32 or 128 for a valid family, 0 otherwise. */
unsigned rt_family_bits(int family);

/*
 * Parse "ADDR/LEN" or a bare address (a host route). Strict: no whitespace,
 * no leading zeros in LEN, no host bits set. Returns 0, or -EINVAL with a
 * message naming the offending text in err (RT_ERR_LEN bytes, may be NULL).
 */
int rt_prefix_parse(const char *text, struct rt_prefix *out, char *err, size_t errlen);

/* Parse a bare address, same strictness. 0 or -EINVAL. */
int rt_addr_parse(const char *text, struct rt_addr *out, char *err, size_t errlen);

/*
 * A transport endpoint, "A.B.C.D:PORT" or "[IPV6]:PORT", as the lookup
 * listeners, routectl and routeperf write it. The port is 1-5 decimal
 * digits up to 65535 (0 included: callers that forbid it check port, and
 * port_text for their own rules). On an error the fields say what was
 * read so far, for the caller's message.
 */
enum rt_hostport_error {
	RT_HOSTPORT_OK = 0,
	RT_HOSTPORT_NO_BRACKET,		/* "[" without "]" */
	RT_HOSTPORT_NO_PORT,		/* no ":PORT" */
	RT_HOSTPORT_UNBRACKETED,	/* an IPv6 address outside brackets */
	RT_HOSTPORT_BAD_ADDR,		/* host (host_len bytes) is not an address of family */
	RT_HOSTPORT_BAD_PORT,		/* port_text is not a port */
};
struct rt_hostport {
	struct rt_addr addr;
	uint16_t port;
	int family;			/* AF_INET, or AF_INET6 when bracketed */
	const char *host;		/* into the text */
	size_t host_len;
	const char *port_text;		/* into the text */
};
enum rt_hostport_error rt_hostport_parse(const char *text, struct rt_hostport *out);

struct sockaddr_storage;
/* a and port (host order) as a sockaddr_in or sockaddr_in6; returns its length. */
unsigned rt_addr_sockaddr(const struct rt_addr *a, uint16_t port, struct sockaddr_storage *ss);

/* Canonical text (inet_ntop form). Returns buf. */
char *rt_prefix_format(const struct rt_prefix *p, char *buf, size_t buflen);
char *rt_addr_format(const struct rt_addr *a, char *buf, size_t buflen);

/* Build a prefix from an address and length; -EINVAL if host bits are set. */
int rt_prefix_make(const struct rt_addr *a, unsigned len, struct rt_prefix *out);

/* Clear the host bits of a for length len (len must fit the family). */
void rt_addr_mask(struct rt_addr *a, unsigned len);

bool rt_prefix_equal(const struct rt_prefix *a, const struct rt_prefix *b);
bool rt_prefix_contains_addr(const struct rt_prefix *p, const struct rt_addr *a);
/* True if inner lies within outer (outer->len <= inner->len, same family). */
bool rt_prefix_contains(const struct rt_prefix *outer, const struct rt_prefix *inner);

/*
 * Prefix order: IPv4 before IPv6, then address, then length. This is the
 * order of every walk over a table.
 */
int rt_prefix_cmp(const struct rt_prefix *a, const struct rt_prefix *b);

/* Convenience for IPv4 in host byte order. */
void rt_addr_from_v4(struct rt_addr *a, uint32_t host_order);
uint32_t rt_addr_to_v4(const struct rt_addr *a);

#endif
