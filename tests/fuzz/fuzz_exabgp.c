/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ExaBGP's JSON API lines (lib/exabgp_json.c): the input, as one line of
 * exactly its size (no NUL needed), goes to exabgp_parse(); seeds are the
 * lines ExaBGP wrote in a real session with BIRD (tests/data/exabgp).
 *
 * Invariants: a refusal has a reason name and a message, and leaves
 * nothing to use; an accepted update's NLRI are canonical prefixes of
 * their family (printed and read back equal), each announced one with a
 * next hop of the same family and each withdrawn one without; the origin
 * AS exists exactly when the AS path is not empty.
 */
#include <config.h>

#include <sys/socket.h>

#include <routed/exabgp.h>

#include "fuzz.h"

static void check_prefix(const struct rt_prefix *p)
{
	char buf[RT_PREFIX_STRLEN];
	struct rt_prefix back;

	FUZZ_CHECK(p->addr.family == AF_INET || p->addr.family == AF_INET6, "family %u", p->addr.family);
	FUZZ_CHECK(rt_prefix_parse(rt_prefix_format(p, buf, sizeof(buf)), &back, NULL, 0) == 0, "%s", buf);
	FUZZ_CHECK(rt_prefix_equal(&back, p), "%s does not read back", buf);
}

static void check_msg(const struct exabgp_msg *m)
{
	size_t i;

	FUZZ_CHECK(m->type <= EXABGP_SHUTDOWN, "type %d", m->type);
	if (m->type != EXABGP_UPDATE) {
		FUZZ_CHECK(!m->n_announce && !m->n_withdraw, "NLRI in a type %d line", m->type);
		return;
	}
	FUZZ_CHECK(m->peer.family == AF_INET || m->peer.family == AF_INET6, "peer family %u",
		   m->peer.family);
	for (i = 0; i < m->n_announce; i++) {
		check_prefix(&m->announce[i].prefix);
		FUZZ_CHECK(m->announce[i].nexthop.family == m->announce[i].prefix.addr.family,
			   "next hop family %u", m->announce[i].nexthop.family);
	}
	for (i = 0; i < m->n_withdraw; i++) {
		check_prefix(&m->withdraw[i].prefix);
		FUZZ_CHECK(m->withdraw[i].nexthop.family == 0, "a withdraw with a next hop");
	}
	FUZZ_CHECK(m->attrs.has_origin_as == (m->attrs.path_len > 0), "origin %d, path length %u",
		   m->attrs.has_origin_as, m->attrs.path_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_memdup(data, size);
	struct exabgp_msg m;
	char err[256];
	enum exabgp_error rc;

	rc = exabgp_parse(line, size, &m, err, sizeof(err));
	if (rc) {
		FUZZ_CHECK(rc <= EXABGP_ERR_MAX, "error %d", rc);
		FUZZ_CHECK(fuzz_message_ok(err, sizeof(err)), "%s without a message", exabgp_error_name(rc));
		FUZZ_CHECK(!m.announce && !m.withdraw && !m.n_announce && !m.n_withdraw,
			   "%s left NLRI behind", exabgp_error_name(rc));
	} else {
		check_msg(&m);
	}
	exabgp_msg_release(&m);
	free(line);
	return 0;
}
