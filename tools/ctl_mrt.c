/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load --format mrt: the routes of a TABLE_DUMP_V2 RIB dump (lib/mrt.c),
 * one per prefix, read before the daemon is touched and then loaded the
 * way a route file is (ctl_load.c), so --dry-run, --replace and table
 * behave the same.
 *
 * The route of a prefix: the path mrt_choose_path() picks (of the --peer,
 * or of all peers), via its BGP next hop when it is of the prefix's
 * family, tag its origin AS, proto bgp. Memory grows with the routes, not
 * with the file: the reader holds one record.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routed/instream.h>
#include <routed/mrt.h>
#include <routed/route.h>

#include "ctl_load.h"
#include "ctl_words.h"

#define MRT_PROTO "bgp"

/* --peer as given, and what it names in the current PEER_INDEX_TABLE. */
struct peer_choice {
	const char *word;		/* NULL: every peer */
	bool by_address;
	uint32_t index;
	struct rt_addr addr;
	long resolved;			/* the peer's index; -1 for all */
	uint64_t for_table;		/* resolved against this many peer tables */
};

static int peer_choice_parse(struct peer_choice *pc, const char *word)
{
	char msg[RT_ERR_LEN];

	pc->word = word;
	pc->resolved = -1;
	if (!word)
		return EXIT_OK;
	if (word[0] >= '0' && word[0] <= '9' && !strpbrk(word, ".:")) {
		if (ctl_parse_u32("--peer", word, &pc->index))
			return EXIT_ERROR;
		return EXIT_OK;
	}
	if (rt_addr_parse(word, &pc->addr, msg, sizeof(msg))) {
		ctl_errorf("--peer '%s': expected a peer index or an IP address", word);
		return EXIT_ERROR;
	}
	pc->by_address = true;
	return EXIT_OK;
}

static bool addr_equal(const struct rt_addr *a, const struct rt_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* Find the --peer in the reader's current PEER_INDEX_TABLE (lowest index first). */
static int peer_choice_resolve(struct peer_choice *pc, const struct mrt_reader *r,
			       const char *name)
{
	size_t n = mrt_reader_peer_count(r);
	struct mrt_stats st;

	mrt_reader_stats(r, &st);
	if (!pc->word || pc->for_table == st.peer_tables)
		return EXIT_OK;
	pc->for_table = st.peer_tables;
	if (!pc->by_address) {
		if (pc->index < n) {
			pc->resolved = (long)pc->index;
			return EXIT_OK;
		}
		ctl_errorf("%s: --peer %s: the PEER_INDEX_TABLE has %zu peers (0..%zu)", name,
			   pc->word, n, n ? n - 1 : 0);
		return EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (addr_equal(&mrt_reader_peer(r, i)->addr, &pc->addr)) {
			pc->resolved = (long)i;
			return EXIT_OK;
		}
	}
	ctl_errorf("%s: --peer %s: no peer with that address in the PEER_INDEX_TABLE", name,
		   pc->word);
	return EXIT_ERROR;
}

static void rib_route(const struct mrt_rib *rib, const struct mrt_path *path,
		      struct rt_route *r)
{
	rt_route_init(r);
	r->prefix = rib->prefix;
	snprintf(r->proto, sizeof(r->proto), "%s", MRT_PROTO);
	if (path->next_hop.family == rib->prefix.addr.family)
		r->gateway = path->next_hop;
	r->has_tag = path->has_origin;
	r->tag = path->origin_as;
}

/* What was left out, on stderr: nothing when nothing was. */
static void report_skipped(const char *name, const struct mrt_stats *st, uint64_t no_path,
			   const struct peer_choice *pc)
{
	if (st->skipped)
		ctl_errorf("%s: %" PRIu64 " records skipped (not TABLE_DUMP_V2 unicast RIBs)", name,
			   st->skipped);
	if (no_path)
		ctl_errorf("%s: %" PRIu64 " prefixes without a path of peer %s", name, no_path,
			   pc->word ? pc->word : "any");
}

static int read_ribs(struct route_file *rf, struct mrt_reader *reader, struct peer_choice *pc,
		     const struct mrt_load_options *opt)
{
	char err[RT_ERR_LEN];
	struct mrt_stats st;
	struct mrt_rib rib;
	uint64_t no_path = 0;
	struct rt_route r;
	long chosen;
	int rc;

	while ((rc = mrt_reader_next(reader, &rib, err, sizeof(err))) == 1) {
		if (peer_choice_resolve(pc, reader, rf->name))
			return EXIT_ERROR;
		chosen = mrt_choose_path(&rib, pc->resolved);
		if (chosen < 0) {
			no_path++;
			continue;
		}
		rib_route(&rib, &rib.paths[chosen], &r);
		if (route_file_append(rf, &r, (unsigned long)rib.record, rib.offset)) {
			ctl_errorf("%s: %s", rf->name, strerror(ENOMEM));
			return EXIT_ERROR;
		}
	}
	mrt_reader_stats(reader, &st);
	if (rc < 0 && !opt->partial) {
		ctl_errorf("%s: %s; nothing loaded (--partial loads the records before it)",
			   rf->name, err);
		return EXIT_ERROR;
	}
	if (rc < 0)
		ctl_errorf("%s: %s; --partial: loading the %zu routes before it", rf->name, err,
			   rf->n);
	if (!st.peer_tables) {
		ctl_errorf("%s: no PEER_INDEX_TABLE: not a TABLE_DUMP_V2 RIB dump", rf->name);
		return EXIT_ERROR;
	}
	/* A table with no RIB after it still has to hold the --peer. */
	if (peer_choice_resolve(pc, reader, rf->name))
		return EXIT_ERROR;
	report_skipped(rf->name, &st, no_path, pc);
	return EXIT_OK;
}

int mrt_file_read(struct route_file *rf, const char *path, const struct mrt_load_options *opt)
{
	struct peer_choice pc = { 0 };
	struct mrt_reader *reader = NULL;
	struct instream *in = NULL;
	char err[RT_ERR_LEN];
	FILE *f;
	int rc;

	rf->name = strcmp(path, "-") ? path : "<stdin>";
	rf->records = true;
	if (peer_choice_parse(&pc, opt->peer))
		return EXIT_ERROR;
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		ctl_errorf("%s: %s", path, strerror(errno));
		return EXIT_ERROR;
	}
	in = instream_open(f, err, sizeof(err));
	if (!in) {
		ctl_errorf("%s: %s", rf->name, err);
		rc = EXIT_ERROR;
		goto out;
	}
	reader = mrt_reader_new(in);
	if (!reader) {
		ctl_errorf("%s: %s", rf->name, strerror(ENOMEM));
		rc = EXIT_ERROR;
		goto out;
	}
	rc = read_ribs(rf, reader, &pc, opt);
out:
	mrt_reader_free(reader);
	instream_close(in);
	if (f != stdin)
		fclose(f);
	return rc;
}
