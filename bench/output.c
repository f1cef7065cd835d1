/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text renderer: the results as tables, one section per measurement.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/lookup_path.h>

#include "bench.h"
#include "churn.h"
#include "output.h"
#include "routebench.h"

static double mib(uint64_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

uint32_t output_checksum(const struct fam *fams)
{
	uint32_t x = 0;

	for (unsigned i = 0; i < NFAM; i++)
		for (unsigned k = 0; k < fams[i].nkinds; k++)
			x ^= fams[i].kinds[k].checksum;
	return x;
}

static void text_peer(const struct fam *f, const struct dpdk_peer *pe)
{
	printf("  %-8s", pe->name);
	if (!pe->added) {
		printf(" not loaded: %s\n", pe->note[0] ? pe->note : "-");
		return;
	}
	printf(" load %.3fs: %zu adds, %.1f k/s", pe->create_s + pe->add_s, pe->added,
	       (double)pe->added / pe->add_s / 1e3);
	if (f->incr_done)
		printf(" (ours/theirs %.2f)",
		       bench_ratio((double)f->n / f->incr_s, (double)pe->added / pe->add_s));
	if (pe->mem_bytes)
		printf("; memory %.1f MiB", mib(pe->mem_bytes));
	if (pe->mem_bytes && pe->ready)
		printf(" (ours/theirs %.3f)",
		       bench_ratio((double)f->alone.total_bytes, (double)pe->mem_bytes));
	if (pe->mem_used_bytes)
		printf(", tables in use %.1f MiB", mib(pe->mem_used_bytes));
	printf("; %" PRIu64 " tbl8 groups", pe->tbl8_groups);
	if (pe->skipped)
		printf("; %zu routes skipped (/0)", pe->skipped);
	if (pe->note[0])
		printf("; %s", pe->note);
	printf("\n");
}

static void text_churn(const struct fam *f, const char *structure, const struct churn_stats *c,
		       bool ours)
{
	char writer[32];

	if (c->target > 0)
		snprintf(writer, sizeof(writer), "paced %.0f k", c->target / 1e3);
	else
		snprintf(writer, sizeof(writer), "unpaced");
	printf("  %-6s %-9s %-12s", f->label, structure, writer);
	if (c->runs) {
		printf(" %9.1f k %6.1f us %6.1f us %5.0f us %9.2f M %9.2f M %6.3f",
		       c->updates_per_s / 1e3, c->p50_us, c->p99_us, c->max_us, c->quiet_mlps,
		       c->busy_mlps, c->reader_ratio);
		if (ours)
			printf(" %6.0f", (double)c->reclaim_batches / c->seconds);
		else
			printf(" %6s", "-");
		printf(" %6.2f", c->other_cpus);
		if (c->runs < opt.runs)
			printf("  (%u runs)", c->runs);
		if (c->late)
			printf("  %" PRIu64 " of %" PRIu64 " pairs late", c->late, c->pairs);
		if (c->sync_fallbacks)
			printf("  %" PRIu64 " inline waits", c->sync_fallbacks);
		printf("\n");
		if (c->error)
			printf("  %-6s %-9s %-12s", f->label, structure, "");
	}
	if (c->error)
		printf(" STOPPED: %s failed (%s) after %" PRIu64 " pairs of run %u"
		       " (%.1f k updates/s until then)\n", c->error_what, strerror(-c->error),
		       c->error_pairs, c->error_run, c->error_rate / 1e3);
}

static void text_build(const struct report *r)
{
	printf("\nBuild (rt_table_replace_all into a fresh table; rt_table_add one by one)\n");
	printf("  %-6s %9s %10s %12s %12s %12s\n", "family", "routes", "replace_all", "routes/s",
	       "add 1 by 1", "adds/s");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &r->fams[i];

		if (!f->n)
			continue;
		printf("  %-6s %9zu %9.3fs %10.2f M", f->label, f->n, f->build_s,
		       (double)f->n / f->build_s / 1e6);
		if (f->incr_done)
			printf(" %11.3fs %10.1f k", f->incr_s, (double)f->n / f->incr_s / 1e3);
		if (f->incr_errors)
			printf("  (%" PRIu64 " adds failed)", f->incr_errors);
		printf("\n");
	}
	printf("  %-6s %9zu %9.3fs %10.2f M\n", "all", r->nall, r->all_s,
	       (double)r->nall / r->all_s / 1e6);
}

static void text_memory(const struct report *r)
{
	printf("\nMemory (whole table; 'alone' = a table holding only that family)\n");
	printf("  %-6s %9s %12s %9s %9s %12s %12s\n", "family", "prefixes", "FIB", "B/prefix",
	       "FIB nodes", "RIB", "alone total");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &r->fams[i];

		if (!f->n)
			continue;
		const struct rt_family_stats *fs = &f->full;

		printf("  %-6s %9" PRIu64 " %8.2f MiB %9.2f %9" PRIu64 " %8.2f MiB %8.2f MiB\n",
		       f->label, fs->prefixes, mib(fs->fib_bytes),
		       fs->prefixes ? (double)fs->fib_bytes / (double)fs->prefixes : 0.0,
		       fs->fib_nodes, mib(fs->rib_bytes), mib(f->alone.total_bytes));
		if (f->incr_done && f->incr.fib_bytes != f->full.fib_bytes)
			printf("  %-6s after rt_table_add one by one: FIB %.2f MiB, %" PRIu64
			       " nodes\n", "", mib(f->incr.fib_bytes), f->incr.fib_nodes);
	}
	printf("  table total %.2f MiB (next hops %" PRIu64 ", %.2f MiB; route ids %.2f MiB)\n",
	       mib(r->st->total_bytes), r->st->nexthops, mib(r->st->nexthop_bytes),
	       mib(r->st->entry_bytes));
}

static void text_lookups(const struct report *r)
{
	printf("\nLookups (M lookups/s; 1 thread and %u threads)\n", opt.threads);
	printf("  %-6s %-8s %10s %7s %9s %9s %9s %10s\n", "family", "kind", "queries", "hit %",
	       "1 thread", "threads", "answers", "checksum");
	for (unsigned i = 0; i < NFAM; i++) {
		const struct fam *f = &r->fams[i];

		for (unsigned k = 0; k < f->nkinds; k++) {
			const struct kind_result *kr = &f->kinds[k];

			double hit = kr->n ? 100.0 * (double)kr->hits / (double)kr->n : 0.0;

			printf("  %-6s %-8s %10zu %7.2f %9.2f %9.2f %9.2f 0x%08" PRIx32 "%s\n",
			       f->label, kr->name, kr->n, hit, kr->mlps,
			       kr->mlps_t ? kr->mlps_t : kr->mlps, kr->answer_mlps, kr->checksum,
			       kr->stable ? "" : " UNSTABLE");
			for (unsigned p = 0; p < kr->npaths; p++) {
				const struct path_result *pr = &kr->paths[p];

				printf("  %-6s %-8s %18s %9.2f %9.2f %9.2f  path %s, ours/it %.2f\n",
				       "", "", "", pr->mlps, pr->mlps_t ? pr->mlps_t : pr->mlps,
				       pr->answer_mlps, rt_lookup_path_name(pr->path),
				       bench_ratio(kr->mlps, pr->mlps));
			}
		}
	}
}

static void text_dpdk(const struct fam *f)
{
	printf("\nDPDK, %s (same routes and queries; ratios are ours/theirs)\n", f->label);
	for (unsigned p = 0; p < f->npeers; p++)
		text_peer(f, &f->peers[p]);
	printf("  %-8s %-8s %-12s %9s %7s %9s %7s %12s\n", "kind", "peer", "method",
	       "1 thread", "ours/x", "threads", "ours/x", "mismatches");
	for (unsigned k = 0; k < f->nkinds; k++) {
		const struct kind_result *kr = &f->kinds[k];

		for (unsigned m = 0; m < kr->nm; m++) {
			const struct method_result *mr = &kr->m[m];

			printf("  %-8s %-8s %-12s %9.2f %7.2f", kr->name, mr->peer, mr->method,
			       mr->mlps, bench_ratio(kr->mlps, mr->mlps));
			if (mr->mlps_t)
				printf(" %9.2f %7.2f", mr->mlps_t,
				       bench_ratio(kr->mlps_t, mr->mlps_t));
			else
				printf(" %9s %7s", "-", "-");
			printf(" %5" PRIu64 "/%-6" PRIu64 "%s\n", mr->mismatches, mr->checked,
			       mr->stable ? "" : " UNSTABLE");
		}
	}
}

static void text_updates(const struct fam *f)
{
	const struct update_result *u = &f->upd;

	if (u->paced.done)
		text_churn(f, "ours", &u->paced, true);
	text_churn(f, "ours", &u->max, true);
	if (u->dpdk.done) {
		text_churn(f, u->peer, &u->dpdk, false);
		printf("  %-6s ours/%s update rate ", f->label, u->peer);
		if (u->ratio_runs)
			printf("%.3f (median of %u runs' ratios)", u->ratio_updates, u->ratio_runs);
		else
			printf("- (no run completed on both)");
		printf("; its reader: %s; after the churn %" PRIu64 "/%" PRIu64
		       " answers differ from ours\n", u->method, u->dpdk_mismatches,
		       u->dpdk_checked);
	}
	printf("  %-6s ours, reader alone: %.2f M on the table as built, %.2f M after"
	       " updates (%.3f); FIB %.2f MiB, %" PRIu64 " nodes after them\n", f->label,
	       u->reader_built, u->max.quiet_mlps,
	       bench_ratio(u->max.quiet_mlps, u->reader_built), mib(u->after.fib_bytes),
	       u->after.fib_nodes);
	if (!u->routes_intact)
		printf("  %-6s ROUTES LOST\n", f->label);
}

static int text_print(const struct report *r)
{
	printf("routebench: %s: %zu IPv4 + %zu IPv6 routes; seed %" PRIu64
	       "; median of %u runs; batches of %u; lookup path %s\n",
	       opt.routes_path, r->fams[0].n, r->fams[1].n, opt.seed, opt.runs, BENCH_BATCH,
	       rt_lookup_path_name(rt_lookup_path_current()));
	text_build(r);
	text_memory(r);
	text_lookups(r);
	for (unsigned i = 0; i < NFAM; i++)
		if (r->fams[i].npeers)
			text_dpdk(&r->fams[i]);
	printf("\nUpdates (one writer deletes and re-adds random routes of the table while one"
	       " reader looks up\nmatched addresses, the writer working in every other window of"
	       " %.0f ms; a delete and an add\nare two updates; medians of %u runs of %.1f s;"
	       " reader idle/busy: in windows without/with\nupdates, ratio: busy/idle;"
	       " GPs/s: reclaim batches, each waiting for a grace period; others:\nmost CPUs"
	       " other processes used during a run)\n", CHURN_WINDOW_S * 1e3, opt.runs,
	       opt.churn_s);
	if (opt.churn_lag)
		printf("(--churn-lag %u: each add is of the route deleted that many pairs"
		       " before)\n", opt.churn_lag);
	printf("  %-6s %-9s %-12s %11s %9s %9s %8s %11s %11s %6s %6s %6s\n", "family",
	       "structure", "writer", "updates/s", "pair p50", "p99", "max", "reader idle",
	       "reader busy", "ratio", "GPs/s", "others");
	for (unsigned i = 0; i < NFAM; i++)
		if (r->fams[i].upd.done)
			text_updates(&r->fams[i]);
	printf("\nchecksum 0x%08" PRIx32 "\n", output_checksum(r->fams));
	return 0;
}

const struct output output_text = {
	.print = text_print,
};
