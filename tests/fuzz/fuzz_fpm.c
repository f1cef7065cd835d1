/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FPM frame stream and the rtnetlink decoder (fpm.h, rtnl_msg.h), as
 * the FPM listener drives them: the input is a byte stream that arrives
 * in reads of a size its first byte picks, reassembled into frames in a
 * buffer; every message of every whole frame is decoded. Invariants: a
 * frame lies inside what was read; a decoded route's prefix fits its
 * family and it has at most RTNL_MAX_PATHS next hops, each weighted
 * 1..256; a group's members likewise; a refusal has a name.
 * Seeds: the frames captured from zebra (tests/data/fpm).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <routed/fpm.h>
#include <routed/rtnl_msg.h>

#include "fuzz.h"

static uint32_t scratch[FPM_MAX_FRAME / 4 + 1];

static void check_msg(const struct rtnl_msg *m)
{
	if (m->kind == RTNL_KIND_ROUTE) {
		const struct rtnl_route *r = &m->route;

		FUZZ_CHECK(r->dst.len <= rt_family_bits(r->dst.addr.family), "prefix /%u", r->dst.len);
		FUZZ_CHECK(r->n_paths <= RTNL_MAX_PATHS, "%u paths", r->n_paths);
		for (unsigned i = 0; i < r->n_paths; i++)
			FUZZ_CHECK(r->paths[i].weight >= 1 && r->paths[i].weight <= 256, "weight %u",
				   r->paths[i].weight);
	} else if (m->kind == RTNL_KIND_NEXTHOP) {
		FUZZ_CHECK(m->nexthop.n_group <= RTNL_MAX_PATHS, "%u members", m->nexthop.n_group);
		for (unsigned i = 0; i < m->nexthop.n_group; i++)
			FUZZ_CHECK(m->nexthop.group[i].id && m->nexthop.group[i].weight >= 1 &&
				   m->nexthop.group[i].weight <= 256, "member %u", i);
	}
}

static void decode_frame(const struct fpm_frame *f)
{
	const void *p = fpm_frame_aligned(f, scratch), *m;
	size_t off = 0, len;
	struct rtnl_msg msg;

	while (off < f->len) {
		size_t before = off;
		enum rtnl_reason why = rtnl_msg_next(p, f->len, &off, &m, &len);

		if (why) {
			FUZZ_CHECK(strcmp(rtnl_reason_name(why), "unknown"), "reason %d", why);
			return;
		}
		FUZZ_CHECK(off > before && off <= f->len, "offset %zu of %zu", off, f->len);
		why = rtnl_msg_decode(m, len, &msg);
		FUZZ_CHECK(why < RTNL_ERR_COUNT, "reason %d", why);
		if (!why)
			check_msg(&msg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk, have = 0, fed = 0;
	uint8_t *buf;

	if (!size)
		return 0;
	chunk = 1 + data[0] * 97u;
	data++;
	size--;
	buf = malloc(size ? size : 1);
	FUZZ_CHECK(buf, "out of memory");
	while (fed < size) {
		size_t n = size - fed < chunk ? size - fed : chunk, off = 0;
		struct fpm_frame f;
		enum fpm_status st;

		memcpy(buf + have, data + fed, n);
		have += n;
		fed += n;
		while ((st = fpm_frame_next(buf, have, &off, &f)) == FPM_OK) {
			FUZZ_CHECK(f.payload >= buf && f.payload + f.len <= buf + have, "frame outside");
			decode_frame(&f);
		}
		if (st != FPM_NEED_MORE) {
			FUZZ_CHECK(strcmp(fpm_status_name(st), "unknown"), "status %d", st);
			break;	/* the listener closes the connection here */
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	free(buf);
	return 0;
}
