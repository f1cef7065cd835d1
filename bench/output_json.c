/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON renderer (--json): one object.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bench.h"
#include "churn.h"
#include "output.h"
#include "routebench.h"

static const struct rt_family_stats *alone_stats(const struct fam *f)
{
	return f->af == AF_INET ? &f->alone.v4 : &f->alone.v6;
}

struct json {
	int depth;
	bool first[16];
};

static void j_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void j_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		putchar(',');
	j->first[j->depth] = false;
	if (key) {
		j_string(key);
		putchar(':');
	}
}

static void j_open(struct json *j, const char *key, char c)
{
	j_key(j, key);
	putchar(c);
	j->first[++j->depth] = true;
}

static void j_close(struct json *j, char c)
{
	j->depth--;
	putchar(c);
}

static void j_num(struct json *j, const char *key, double v)
{
	j_key(j, key);
	if (isfinite(v))
		printf("%.9g", v);
	else
		printf("null");
}

static void j_u64(struct json *j, const char *key, uint64_t v)
{
	j_key(j, key);
	printf("%" PRIu64, v);
}

static void j_bool(struct json *j, const char *key, bool v)
{
	j_key(j, key);
	printf(v ? "true" : "false");
}

static void j_str(struct json *j, const char *key, const char *v)
{
	j_key(j, key);
	if (v)
		j_string(v);
	else
		printf("null");
}

static void j_hex(struct json *j, const char *key, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
	j_str(j, key, buf);
}

static void j_family_stats(struct json *j, const char *key, const struct rt_family_stats *s)
{
	j_open(j, key, '{');
	j_u64(j, "prefixes", s->prefixes);
	j_u64(j, "routes", s->routes);
	j_u64(j, "fib_bytes", s->fib_bytes);
	j_num(j, "fib_bytes_per_prefix",
	      s->prefixes ? (double)s->fib_bytes / (double)s->prefixes : NAN);
	j_u64(j, "fib_reserved_bytes", s->fib_reserved_bytes);
	j_num(j, "fib_reserved_bytes_per_prefix",
	      s->prefixes ? (double)s->fib_reserved_bytes / (double)s->prefixes : NAN);
	j_u64(j, "fib_nodes", s->fib_nodes);
	j_u64(j, "rib_bytes", s->rib_bytes);
	j_close(j, '}');
}

static void j_nums(struct json *j, const char *key, const double *v, unsigned n)
{
	j_open(j, key, '[');
	for (unsigned i = 0; i < n; i++)
		j_num(j, NULL, v[i]);
	j_close(j, ']');
}

static void j_churn(struct json *j, const struct churn_stats *c)
{
	if (c->target > 0)
		j_num(j, "target_updates_per_s", c->target);
	j_num(j, "seconds", c->seconds);
	j_u64(j, "delete_add_pairs", c->pairs);
	j_num(j, "updates_per_s", c->updates_per_s);
	if (c->target > 0)
		j_u64(j, "late_pairs", c->late);
	j_u64(j, "runs_completed", c->runs);
	j_str(j, "error", c->error ? strerror(-c->error) : NULL);
	if (c->error) {
		j_str(j, "error_in", c->error_what);
		j_u64(j, "error_run", c->error_run);
		j_u64(j, "error_after_pairs", c->error_pairs);
		j_num(j, "error_updates_per_s", c->error_rate);
	}
	j_num(j, "pair_p50_us", c->p50_us);
	j_num(j, "pair_p99_us", c->p99_us);
	j_num(j, "pair_max_us", c->max_us);
	j_num(j, "reader_quiescent_mlps", c->quiet_mlps);
	j_num(j, "reader_churn_mlps", c->busy_mlps);
	j_num(j, "reader_ratio", c->reader_ratio);
	j_num(j, "other_cpus_max", c->other_cpus);
	j_nums(j, "per_run_updates_per_s", c->run_upd, c->runs);
	j_nums(j, "per_run_reader_quiescent_mlps", c->run_quiet, c->runs);
	j_nums(j, "per_run_reader_churn_mlps", c->run_busy, c->runs);
	j_nums(j, "per_run_reader_ratio", c->run_ratio, c->runs);
}

static void json_family(struct json *j, const struct fam *f)
{
	j_open(j, f->name, '{');
	j_u64(j, "routes", f->n);
	if (f->n) {
		j_open(j, "build", '{');
		j_num(j, "replace_all_s", f->build_s);
		j_num(j, "replace_all_routes_per_s", (double)f->n / f->build_s);
		if (f->incr_done) {
			j_num(j, "add_s", f->incr_s);
			j_num(j, "adds_per_s", (double)f->n / f->incr_s);
			j_u64(j, "add_errors", f->incr_errors);
			j_u64(j, "add_fib_bytes", f->incr.fib_bytes);
			j_u64(j, "add_fib_nodes", f->incr.fib_nodes);
		}
		j_close(j, '}');
		j_open(j, "memory", '{');
		j_family_stats(j, "full_table", &f->full);
		j_family_stats(j, "alone", alone_stats(f));
		j_u64(j, "alone_total_bytes", f->alone.total_bytes);
		j_close(j, '}');
	}
	j_open(j, "lookup", '{');
	for (unsigned k = 0; k < f->nkinds; k++) {
		const struct kind_result *kr = &f->kinds[k];

		j_open(j, kr->name, '{');
		j_u64(j, "queries", kr->n);
		j_u64(j, "hits", kr->hits);
		j_num(j, "mlps_1_thread", kr->mlps);
		j_num(j, "mlps_threads", kr->mlps_t ? kr->mlps_t : kr->mlps);
		j_hex(j, "checksum", kr->checksum);
		j_bool(j, "checksum_stable", kr->stable);
		j_open(j, "dpdk", '[');
		for (unsigned m = 0; m < kr->nm; m++) {
			const struct method_result *mr = &kr->m[m];

			j_open(j, NULL, '{');
			j_str(j, "peer", mr->peer);
			j_str(j, "method", mr->method);
			j_num(j, "mlps_1_thread", mr->mlps);
			j_num(j, "ratio_ours_theirs", bench_ratio(kr->mlps, mr->mlps));
			if (mr->mlps_t) {
				j_num(j, "mlps_threads", mr->mlps_t);
				j_num(j, "ratio_threads_ours_theirs",
				      bench_ratio(kr->mlps_t, mr->mlps_t));
			}
			j_hex(j, "checksum", mr->checksum);
			j_bool(j, "checksum_stable", mr->stable);
			j_u64(j, "checked", mr->checked);
			j_u64(j, "mismatches", mr->mismatches);
			j_close(j, '}');
		}
		j_close(j, ']');
		j_close(j, '}');
	}
	j_close(j, '}');
	if (f->upd.done) {
		const struct update_result *u = &f->upd;

		j_open(j, "update", '{');
		j_u64(j, "runs", opt.runs);
		j_num(j, "phase_seconds", opt.churn_s);
		j_num(j, "window_seconds", churn_window());
		j_num(j, "guard_seconds", CHURN_GUARD_S);
		j_num(j, "reader_as_built_mlps", u->reader_built);
		/* Ours, the writer as fast as it goes. */
		j_churn(j, &u->max);
		j_u64(j, "reclaim_batches", u->max.reclaim_batches);
		j_u64(j, "reclaim_sync_fallbacks", u->max.sync_fallbacks);
		j_bool(j, "routes_intact", u->routes_intact);
		j_family_stats(j, "after", &u->after);
		if (u->paced.done) {
			j_open(j, "paced", '{');
			j_churn(j, &u->paced);
			j_u64(j, "reclaim_batches", u->paced.reclaim_batches);
			j_u64(j, "reclaim_sync_fallbacks", u->paced.sync_fallbacks);
			j_close(j, '}');
		}
		if (u->dpdk.done) {
			j_open(j, "dpdk", '{');
			j_str(j, "peer", u->peer);
			j_str(j, "reader_method", u->method);
			j_churn(j, &u->dpdk);
			j_num(j, "ratio_updates_ours_theirs", u->ratio_updates);
			j_u64(j, "ratio_runs", u->ratio_runs);
			j_nums(j, "per_run_ratio_updates", u->run_rel, u->ratio_runs);
			j_u64(j, "checked_after", u->dpdk_checked);
			j_u64(j, "mismatches_after", u->dpdk_mismatches);
			j_close(j, '}');
		}
		j_close(j, '}');
	}
	if (f->npeers) {
		j_open(j, "dpdk", '[');
		for (unsigned p = 0; p < f->npeers; p++) {
			const struct dpdk_peer *pe = &f->peers[p];

			j_open(j, NULL, '{');
			j_str(j, "name", pe->name);
			j_bool(j, "measured", pe->ready);
			j_str(j, "note", pe->note);
			j_u64(j, "added", pe->added);
			j_u64(j, "skipped", pe->skipped);
			j_u64(j, "failed", pe->failed);
			j_num(j, "create_s", pe->create_s);
			j_num(j, "add_s", pe->add_s);
			j_num(j, "adds_per_s", pe->add_s > 0 ? (double)pe->added / pe->add_s : NAN);
			if (f->incr_done && pe->add_s > 0) {
				double ours = (double)f->n / f->incr_s;

				j_num(j, "ratio_add_rate_ours_theirs",
				      bench_ratio(ours, (double)pe->added / pe->add_s));
			}
			j_u64(j, "tbl8_groups", pe->tbl8_groups);
			j_u64(j, "mem_bytes", pe->mem_bytes);
			if (pe->mem_used_bytes)
				j_u64(j, "mem_used_bytes", pe->mem_used_bytes);
			if (pe->mem_bytes && pe->ready)
				j_num(j, "ratio_memory_ours_theirs",
				      bench_ratio((double)f->alone.total_bytes, (double)pe->mem_bytes));
			j_close(j, '}');
		}
		j_close(j, ']');
	}
	j_close(j, '}');
}

static int json_print(const struct report *r)
{
	const struct fam *fams = r->fams;
	const struct rt_table_stats *st = r->st;
	size_t nall = r->nall;
	double all_s = r->all_s;
	struct json j = { .depth = 0, .first = { true } };

	j_open(&j, NULL, '{');
	j_str(&j, "routes_file", opt.routes_path);
	j_str(&j, "queries_file", opt.queries_path);
	j_u64(&j, "seed", opt.seed);
	j_u64(&j, "threads", opt.threads);
	j_u64(&j, "runs", opt.runs);
	j_u64(&j, "batch", BENCH_BATCH);
	j_bool(&j, "membarrier", rt_rcu_has_membarrier());
	j_open(&j, "table", '{');
	j_u64(&j, "routes", nall);
	j_num(&j, "replace_all_s", all_s);
	j_num(&j, "replace_all_routes_per_s", (double)nall / all_s);
	j_u64(&j, "total_bytes", st->total_bytes);
	j_u64(&j, "nexthops", st->nexthops);
	j_u64(&j, "nexthop_bytes", st->nexthop_bytes);
	j_u64(&j, "entry_bytes", st->entry_bytes);
	j_close(&j, '}');
	for (unsigned i = 0; i < NFAM; i++)
		json_family(&j, &fams[i]);
	j_hex(&j, "checksum", output_checksum(fams));
	j_close(&j, '}');
	putchar('\n');
	return 0;
}

const struct output output_json = {
	.print = json_print,
};
