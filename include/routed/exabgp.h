/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ExaBGP's JSON API lines (its process API with "encoder json", version
 * 4.x) as plain structures: what routed-exabgp needs of each line and
 * nothing more. One line is one JSON object with a "type": "state" (a
 * neighbor went up, down, connected), "update" (announce and withdraw of
 * unicast NLRI, or an end-of-RIB marker), "refresh" (a route-refresh,
 * with the begin/end markers of enhanced route refresh), "notification"
 * (ExaBGP is shutting down). Other types parse as EXABGP_OTHER.
 *
 * A line that is not such an object, or that holds a value of the wrong
 * shape, is refused with a reason word (enum exabgp_error): the caller
 * counts it and changes nothing. Announces and withdraws of families other
 * than IPv4/IPv6 unicast are not errors: they are counted in
 * other_family and left out.
 *
 * Pure: no I/O, no logging; the line need not be NUL-terminated.
 */
#ifndef ROUTED_EXABGP_H
#define ROUTED_EXABGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <routed/prefix.h>

enum exabgp_type {
	EXABGP_OTHER = 0,	/* a type routed-exabgp has no use for (fsm, negotiated, ...) */
	EXABGP_STATE,
	EXABGP_UPDATE,
	EXABGP_EOR,		/* an update that is an end-of-RIB marker */
	EXABGP_REFRESH,
	EXABGP_SHUTDOWN,	/* "notification": "shutdown" */
};

enum exabgp_state {
	EXABGP_STATE_OTHER = 0,
	EXABGP_STATE_UP,
	EXABGP_STATE_DOWN,
	EXABGP_STATE_CONNECTED,
};

enum exabgp_refresh {
	EXABGP_REFRESH_QUERY = 0,	/* a plain route-refresh request */
	EXABGP_REFRESH_BEGIN,		/* BoRR (RFC 7313) */
	EXABGP_REFRESH_END,		/* EoRR */
};

enum exabgp_error {
	EXABGP_OK = 0,
	EXABGP_ERR_JSON,		/* "not-json": not a JSON object */
	EXABGP_ERR_MESSAGE,		/* "bad-message": a member missing or of the wrong type */
	EXABGP_ERR_NEIGHBOR,		/* "bad-neighbor": no valid neighbor address */
	EXABGP_ERR_PREFIX,		/* "bad-prefix": an NLRI that is not a prefix of its family */
	EXABGP_ERR_NEXTHOP,		/* "bad-nexthop": a next hop that is not an address */
	EXABGP_ERR_ATTRIBUTE,		/* "bad-attribute": an AS path, MED or local-pref out of shape */
	EXABGP_ERR_NOMEM,		/* "no-memory" */
};
#define EXABGP_ERR_MAX EXABGP_ERR_NOMEM

/* The reason word of an error ("not-json", ...); "ok" for EXABGP_OK. */
const char *exabgp_error_name(enum exabgp_error e);

struct exabgp_nlri {
	struct rt_prefix prefix;
	struct rt_addr nexthop;		/* family 0 in a withdraw */
};

/*
 * The path attributes routed-exabgp uses. origin_as is the last AS of the
 * AS path; when the path ends in an AS_SET, the lowest AS of the set (so
 * the answer does not depend on the order the set was written in), as
 * MRT import does. path_len counts as BGP's decision does (RFC 4271
 * 9.1.2.2): each AS of the sequence, an AS_SET as one, confederation
 * segments nothing.
 */
struct exabgp_attrs {
	bool has_origin_as;
	bool has_med;
	bool has_local_pref;
	uint32_t origin_as;
	uint32_t path_len;
	uint32_t med;
	uint32_t local_pref;
};

struct exabgp_msg {
	enum exabgp_type type;
	struct rt_addr peer;		/* neighbor.address.peer (every type but shutdown/other) */
	struct rt_addr local;		/* neighbor.address.local */
	uint32_t peer_as;
	enum exabgp_state state;	/* EXABGP_STATE */
	int family;			/* EXABGP_EOR, EXABGP_REFRESH: AF_INET, AF_INET6, 0 = other */
	enum exabgp_refresh refresh;	/* EXABGP_REFRESH */
	struct exabgp_attrs attrs;	/* EXABGP_UPDATE with announces */
	struct exabgp_nlri *announce;	/* EXABGP_UPDATE: malloc'ed */
	size_t n_announce;
	struct exabgp_nlri *withdraw;	/* EXABGP_UPDATE: malloc'ed */
	size_t n_withdraw;
	size_t other_family;		/* NLRI of other families, left out */
};

/*
 * Parse one line (without its newline) into m, which the caller releases
 * with exabgp_msg_release() whatever the outcome. Returns EXABGP_OK, or
 * the error with a message in err (errlen bytes, may be NULL); on error m
 * holds nothing to use.
 */
enum exabgp_error exabgp_parse(const char *line, size_t len, struct exabgp_msg *m, char *err,
			       size_t errlen);
void exabgp_msg_release(struct exabgp_msg *m);

#endif
