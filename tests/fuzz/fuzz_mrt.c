/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MRT reader (lib/mrt.c) over its input (lib/instream.c): the input
 * is a file as routectl load --format mrt would read it, plain or (when
 * it starts like one) gzip or bzip2.
 *
 * Invariants: the reader ends cleanly or with one of its documented
 * errors and a message naming the offset; a RIB's records and offsets
 * increase and, for plain input, lie inside it; every path names a peer
 * of the current table and has a next hop of a known family; the chosen
 * path is one of the prefix's with the shortest AS path, and of the
 * given peer when one is asked for.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>

#include <routed/instream.h>
#include <routed/mrt.h>

#include "fuzz.h"

static void check_choice(const struct mrt_rib *rib, long peer)
{
	long best = mrt_choose_path(rib, peer);
	bool any = false;

	for (size_t i = 0; i < rib->n_paths; i++)
		any = any || peer < 0 || rib->paths[i].peer == peer;
	FUZZ_CHECK((best >= 0) == any, "choice %ld, a path of peer %ld: %d", best, peer, any);
	if (best < 0)
		return;
	FUZZ_CHECK((size_t)best < rib->n_paths, "choice %ld of %zu", best, rib->n_paths);
	for (size_t i = 0; i < rib->n_paths; i++) {
		if (peer >= 0 && rib->paths[i].peer != peer)
			continue;
		FUZZ_CHECK(rib->paths[best].as_path_len <= rib->paths[i].as_path_len,
			   "path %zu is shorter than the chosen %ld", i, best);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = fuzz_memdup(data, size);
	uint64_t last_record = 0, last_offset = 0;
	char err[RT_ERR_LEN];
	struct mrt_reader *r;
	struct instream *in;
	struct mrt_rib rib;
	bool plain;
	FILE *f;
	int rc;

	if (size == 0) {
		free(copy);
		return 0;
	}
	f = fmemopen(copy, size, "r");
	FUZZ_CHECK(f, "fmemopen failed");
	in = instream_open(f, err, sizeof(err));
	FUZZ_CHECK(in, "instream_open: %s", err);
	plain = instream_kind(in) == INSTREAM_PLAIN;
	r = mrt_reader_new(in);
	FUZZ_CHECK(r, "mrt_reader_new failed");
	memset(err, 0, sizeof(err));
	while ((rc = mrt_reader_next(r, &rib, err, sizeof(err))) == 1) {
		size_t peers = mrt_reader_peer_count(r);

		FUZZ_CHECK(rib.record > last_record, "record %llu after %llu",
			   (unsigned long long)rib.record, (unsigned long long)last_record);
		FUZZ_CHECK(!last_record || rib.offset > last_offset, "offset went back");
		FUZZ_CHECK(!plain || rib.offset + 12 <= size, "offset %llu past %zu",
			   (unsigned long long)rib.offset, size);
		last_record = rib.record;
		last_offset = rib.offset;
		FUZZ_CHECK(rib.prefix.len <= rt_family_bits(rib.prefix.addr.family),
			   "prefix length %u", rib.prefix.len);
		for (size_t i = 0; i < rib.n_paths; i++) {
			const struct mrt_path *p = &rib.paths[i];

			FUZZ_CHECK(p->peer < peers, "peer %u of %zu", p->peer, peers);
			FUZZ_CHECK(p->next_hop.family == 0 || p->next_hop.family == AF_INET ||
					   p->next_hop.family == AF_INET6,
				   "next hop family %u", p->next_hop.family);
		}
		check_choice(&rib, -1);
		if (rib.n_paths)
			check_choice(&rib, rib.paths[rib.n_paths - 1].peer);
	}
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENODATA || rc == -EFBIG ||
			   rc == -EBADMSG || rc == -EIO || rc == -ENOMEM,
		   "rc %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(fuzz_message_ok(err, sizeof(err)) && !strncmp(err, "offset ", 7),
			   "error message '%s'", err);
		FUZZ_CHECK(mrt_reader_next(r, &rib, NULL, 0) == rc, "the reader did not stay failed");
	}
	mrt_reader_free(r);
	instream_close(in);
	fclose(f);
	free(copy);
	return 0;
}
