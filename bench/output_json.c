/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON renderer (--json): one object on one line, keys in the order
 * they are set. Numbers that were not measured (NAN) are null. Reals keep
 * nine significant digits; counts are integers.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include <routed/lookup_path.h>

#include "bench.h"
#include "churn.h"
#include "output.h"
#include "routebench.h"

/*
 * Every builder below returns a new object, or NULL when memory ran out:
 * set() takes a NULL value as a failure, so a failure anywhere below
 * reaches the top.
 */

/* o[key] = v, taking v: 0, or -ENOMEM if o or v is NULL or the set failed. */
static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) ? -ENOMEM : 0;
}

/* Append v to a, taking v: 0, or -ENOMEM as for set(). */
static int append(json_t *a, json_t *v)
{
	return json_array_append_new(a, v) ? -ENOMEM : 0;
}

/* o, or NULL (releasing o) after a failure. */
static json_t *built(json_t *o, int err)
{
	if (!err)
		return o;
	json_decref(o);
	return NULL;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* json_int_t is signed: a count past its range (never, but --seed may be) becomes a real. */
static json_t *u64(uint64_t v)
{
	return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/*
 * A seed must reproduce the run, so it is never rounded: one past
 * json_int_t's range is written as a decimal string.
 */
static json_t *seed_value(uint64_t seed)
{
	char buf[24];

	if (seed <= INT64_MAX)
		return json_integer((json_int_t)seed);
	snprintf(buf, sizeof(buf), "%" PRIu64, seed);
	return json_string(buf);
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *hex(uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
	return json_string(buf);
}

static json_t *nums(const double *v, unsigned n)
{
	json_t *a = json_array();
	int err = 0;

	for (unsigned i = 0; i < n; i++)
		err |= append(a, num(v[i]));
	return built(a, err);
}

static double per_prefix(uint64_t bytes, uint64_t prefixes)
{
	return prefixes ? (double)bytes / (double)prefixes : NAN;
}

static json_t *family_stats(const struct rt_family_stats *s)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "prefixes", u64(s->prefixes));
	err |= set(o, "routes", u64(s->routes));
	err |= set(o, "fib_bytes", u64(s->fib_bytes));
	err |= set(o, "fib_bytes_per_prefix", num(per_prefix(s->fib_bytes, s->prefixes)));
	err |= set(o, "fib_reserved_bytes", u64(s->fib_reserved_bytes));
	err |= set(o, "fib_reserved_bytes_per_prefix",
		   num(per_prefix(s->fib_reserved_bytes, s->prefixes)));
	err |= set(o, "fib_nodes", u64(s->fib_nodes));
	err |= set(o, "rib_bytes", u64(s->rib_bytes));
	return built(o, err);
}

/* One writer configuration's figures, set in o beside others. */
static int set_churn(json_t *o, const struct churn_stats *c)
{
	int err = 0;

	if (c->target > 0)
		err |= set(o, "target_updates_per_s", num(c->target));
	err |= set(o, "seconds", num(c->seconds));
	err |= set(o, "delete_add_pairs", u64(c->pairs));
	err |= set(o, "updates_per_s", num(c->updates_per_s));
	if (c->target > 0)
		err |= set(o, "late_pairs", u64(c->late));
	err |= set(o, "runs_completed", u64(c->runs));
	err |= set(o, "error", str(c->error ? strerror(-c->error) : NULL));
	if (c->error) {
		err |= set(o, "error_in", str(c->error_what));
		err |= set(o, "error_run", u64(c->error_run));
		err |= set(o, "error_after_pairs", u64(c->error_pairs));
		err |= set(o, "error_updates_per_s", num(c->error_rate));
	}
	err |= set(o, "pair_p50_us", num(c->p50_us));
	err |= set(o, "pair_p99_us", num(c->p99_us));
	err |= set(o, "pair_max_us", num(c->max_us));
	err |= set(o, "reader_quiescent_mlps", num(c->quiet_mlps));
	err |= set(o, "reader_churn_mlps", num(c->busy_mlps));
	err |= set(o, "reader_ratio", num(c->reader_ratio));
	err |= set(o, "other_cpus_max", num(c->other_cpus));
	err |= set(o, "per_run_updates_per_s", nums(c->run_upd, c->runs));
	err |= set(o, "per_run_reader_quiescent_mlps", nums(c->run_quiet, c->runs));
	err |= set(o, "per_run_reader_churn_mlps", nums(c->run_busy, c->runs));
	err |= set(o, "per_run_reader_ratio", nums(c->run_ratio, c->runs));
	return err;
}

static json_t *build(const struct fam *f)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "replace_all_s", num(f->build_s));
	err |= set(o, "replace_all_routes_per_s", num((double)f->n / f->build_s));
	if (f->incr_done) {
		err |= set(o, "add_s", num(f->incr_s));
		err |= set(o, "adds_per_s", num((double)f->n / f->incr_s));
		err |= set(o, "add_errors", u64(f->incr_errors));
		err |= set(o, "add_fib_bytes", u64(f->incr.fib_bytes));
		err |= set(o, "add_fib_nodes", u64(f->incr.fib_nodes));
	}
	return built(o, err);
}

static json_t *memory(const struct fam *f)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "full_table", family_stats(&f->full));
	err |= set(o, "alone", family_stats(f->af == AF_INET ? &f->alone.v4 : &f->alone.v6));
	err |= set(o, "alone_total_bytes", u64(f->alone.total_bytes));
	return built(o, err);
}

static json_t *peer_method(const struct kind_result *kr, const struct method_result *mr)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "peer", str(mr->peer));
	err |= set(o, "method", str(mr->method));
	err |= set(o, "mlps_1_thread", num(mr->mlps));
	err |= set(o, "ratio_ours_theirs", num(bench_ratio(kr->mlps, mr->mlps)));
	if (mr->mlps_t) {
		err |= set(o, "mlps_threads", num(mr->mlps_t));
		err |= set(o, "ratio_threads_ours_theirs", num(bench_ratio(kr->mlps_t, mr->mlps_t)));
	}
	err |= set(o, "checksum", hex(mr->checksum));
	err |= set(o, "checksum_stable", json_boolean(mr->stable));
	err |= set(o, "checked", u64(mr->checked));
	err |= set(o, "mismatches", u64(mr->mismatches));
	return built(o, err);
}

/* Our other lookup paths, by name. */
static json_t *other_paths(const struct kind_result *kr)
{
	json_t *o = json_object();
	int err = 0;

	for (unsigned p = 0; p < kr->npaths; p++) {
		const struct path_result *pr = &kr->paths[p];
		json_t *one = json_object();
		int e = 0;

		e |= set(one, "mlps_1_thread", num(pr->mlps));
		e |= set(one, "mlps_threads", num(pr->mlps_t ? pr->mlps_t : pr->mlps));
		e |= set(one, "answer_mlps_1_thread", num(pr->answer_mlps));
		err |= set(o, rt_lookup_path_name(pr->path), built(one, e));
	}
	return built(o, err);
}

static json_t *kind(const struct kind_result *kr)
{
	json_t *o = json_object(), *peers = json_array();
	int err = 0;

	err |= set(o, "queries", u64(kr->n));
	err |= set(o, "hits", u64(kr->hits));
	err |= set(o, "mlps_1_thread", num(kr->mlps));
	err |= set(o, "mlps_threads", num(kr->mlps_t ? kr->mlps_t : kr->mlps));
	err |= set(o, "answer_mlps_1_thread", num(kr->answer_mlps));
	err |= set(o, "checksum", hex(kr->checksum));
	err |= set(o, "checksum_stable", json_boolean(kr->stable));
	err |= set(o, "other_paths", other_paths(kr));
	for (unsigned m = 0; m < kr->nm; m++)
		err |= append(peers, peer_method(kr, &kr->m[m]));
	err |= set(o, "dpdk", peers);
	return built(o, err);
}

static json_t *lookup(const struct fam *f)
{
	json_t *o = json_object();
	int err = 0;

	for (unsigned k = 0; k < f->nkinds; k++)
		err |= set(o, f->kinds[k].name, kind(&f->kinds[k]));
	return built(o, err);
}

static json_t *churn_paced(const struct churn_stats *c)
{
	json_t *o = json_object();
	int err = set_churn(o, c);

	err |= set(o, "reclaim_batches", u64(c->reclaim_batches));
	err |= set(o, "reclaim_sync_fallbacks", u64(c->sync_fallbacks));
	return built(o, err);
}

static json_t *churn_dpdk(const struct update_result *u)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "peer", str(u->peer));
	err |= set(o, "reader_method", str(u->method));
	err |= set_churn(o, &u->dpdk);
	err |= set(o, "ratio_updates_ours_theirs", num(u->ratio_updates));
	err |= set(o, "ratio_runs", u64(u->ratio_runs));
	err |= set(o, "per_run_ratio_updates", nums(u->run_rel, u->ratio_runs));
	err |= set(o, "checked_after", u64(u->dpdk_checked));
	err |= set(o, "mismatches_after", u64(u->dpdk_mismatches));
	return built(o, err);
}

static json_t *update(const struct update_result *u)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "runs", u64(opt.runs));
	err |= set(o, "phase_seconds", num(opt.churn_s));
	err |= set(o, "churn_lag", u64(u->churn_lag));
	err |= set(o, "window_seconds", num(churn_window()));
	err |= set(o, "guard_seconds", num(CHURN_GUARD_S));
	err |= set(o, "reader_as_built_mlps", num(u->reader_built));
	/* Ours, the writer as fast as it goes. */
	err |= set_churn(o, &u->max);
	err |= set(o, "reclaim_batches", u64(u->max.reclaim_batches));
	err |= set(o, "reclaim_sync_fallbacks", u64(u->max.sync_fallbacks));
	err |= set(o, "routes_intact", json_boolean(u->routes_intact));
	err |= set(o, "after", family_stats(&u->after));
	if (u->paced.done)
		err |= set(o, "paced", churn_paced(&u->paced));
	if (u->dpdk.done)
		err |= set(o, "dpdk", churn_dpdk(u));
	return built(o, err);
}

static json_t *peer(const struct fam *f, const struct dpdk_peer *pe)
{
	double rate = pe->add_s > 0 ? (double)pe->added / pe->add_s : NAN;
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "name", str(pe->name));
	err |= set(o, "measured", json_boolean(pe->ready));
	err |= set(o, "note", str(pe->note));
	err |= set(o, "added", u64(pe->added));
	err |= set(o, "skipped", u64(pe->skipped));
	err |= set(o, "failed", u64(pe->failed));
	err |= set(o, "create_s", num(pe->create_s));
	err |= set(o, "add_s", num(pe->add_s));
	err |= set(o, "adds_per_s", num(rate));
	if (f->incr_done && pe->add_s > 0)
		err |= set(o, "ratio_add_rate_ours_theirs",
			   num(bench_ratio((double)f->n / f->incr_s, rate)));
	err |= set(o, "tbl8_groups", u64(pe->tbl8_groups));
	err |= set(o, "mem_bytes", u64(pe->mem_bytes));
	if (pe->mem_used_bytes)
		err |= set(o, "mem_used_bytes", u64(pe->mem_used_bytes));
	if (pe->mem_bytes && pe->ready)
		err |= set(o, "ratio_memory_ours_theirs",
			   num(bench_ratio((double)f->alone.total_bytes, (double)pe->mem_bytes)));
	return built(o, err);
}

static json_t *family(const struct fam *f)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "routes", u64(f->n));
	if (f->n) {
		err |= set(o, "build", build(f));
		err |= set(o, "memory", memory(f));
	}
	err |= set(o, "lookup", lookup(f));
	if (f->upd.done)
		err |= set(o, "update", update(&f->upd));
	if (f->npeers) {
		json_t *peers = json_array();

		for (unsigned p = 0; p < f->npeers; p++)
			err |= append(peers, peer(f, &f->peers[p]));
		err |= set(o, "dpdk", peers);
	}
	return built(o, err);
}

static json_t *table(const struct report *r)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "routes", u64(r->nall));
	err |= set(o, "replace_all_s", num(r->all_s));
	err |= set(o, "replace_all_routes_per_s", num((double)r->nall / r->all_s));
	err |= set(o, "total_bytes", u64(r->st->total_bytes));
	err |= set(o, "nexthops", u64(r->st->nexthops));
	err |= set(o, "nexthop_bytes", u64(r->st->nexthop_bytes));
	err |= set(o, "entry_bytes", u64(r->st->entry_bytes));
	return built(o, err);
}

static json_t *results(const struct report *r)
{
	json_t *o = json_object();
	int err = 0;

	err |= set(o, "routes_file", str(opt.routes_path));
	err |= set(o, "queries_file", str(opt.queries_path));
	err |= set(o, "seed", seed_value(opt.seed));
	err |= set(o, "threads", u64(opt.threads));
	err |= set(o, "runs", u64(opt.runs));
	err |= set(o, "batch", u64(BENCH_BATCH));
	err |= set(o, "lookup_path", str(rt_lookup_path_name(rt_lookup_path_current())));
	err |= set(o, "membarrier", json_boolean(rt_rcu_has_membarrier()));
	err |= set(o, "dpdk_huge", json_boolean(opt.dpdk_opts.huge));
	err |= set(o, "table", table(r));
	for (unsigned i = 0; i < NFAM; i++)
		err |= set(o, r->fams[i].name, family(&r->fams[i]));
	err |= set(o, "checksum", hex(output_checksum(r->fams)));
	return built(o, err);
}

static bool utf8(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	json_decref(v);
	return !s || v;
}

static int json_print(const struct report *r)
{
	json_t *o;
	int err;

	/* JSON strings are UTF-8: a file name that is not cannot be printed. */
	if (!utf8(opt.routes_path) || !utf8(opt.queries_path))
		return -EILSEQ;
	o = results(r);
	if (!o)
		return -ENOMEM;
	err = json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(9)) ? -EIO : 0;
	if (!err && putchar('\n') == EOF)
		err = -EIO;
	json_decref(o);
	return err;
}

const struct output output_json = {
	.print = json_print,
};
