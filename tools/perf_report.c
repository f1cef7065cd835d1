/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include <routed/lookup_wire.h>

#include "perf_report.h"

struct quantile {
	const char *key, *label;
	double q;
};

static const struct quantile quantiles[] = {
    {"p50", "p50", 0.50},      {"p90", "p90", 0.90}, {"p99", "p99", 0.99},
    {"p99_9", "p99.9", 0.999}, {"max", "max", 1.0},
};

#define NQUANTILES (sizeof(quantiles) / sizeof(quantiles[0]))

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

static double per_second(uint64_t n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0;
}

double perf_report_lookup_rate(const struct perf_run *run)
{
	return per_second(run->res->received * run->cfg->batch, run->res->measured_s);
}

/* Round to 3 decimals, so the JSON carries no binary noise. */
static json_t *real3(double v)
{
	return json_real((double)llround(v * 1000) / 1000);
}

static json_t *latency_json(const struct perf_hist *h)
{
	json_t *o = json_object();

	for (size_t i = 0; i < NQUANTILES; i++)
		json_object_set_new(o, quantiles[i].key,
				    real3(us(perf_hist_quantile(h, quantiles[i].q))));
	json_object_set_new(o, "mean", real3(perf_hist_mean(h) / 1e3));
	return o;
}

static json_t *drops_json(const struct perf_server_drops *d)
{
	if (!d)
		return json_null();
	if (!d->available)
		return json_pack("{s:b, s:s}", "available", 0, "reason", d->reason);
	return json_pack("{s:b, s:I, s:I}", "available", 1, "drops", (json_int_t)d->drops,
			 "kernel_drops", (json_int_t)d->kernel_drops);
}

/* One server's part of the run: what it was sent, answered and lost, its rate and latency. */
static json_t *server_json(const struct perf_run *run, unsigned i)
{
	const struct perf_server_result *sr = &run->res->servers[i];
	double seconds = run->res->measured_s;
	char address[PERF_SOCKADDR_STRLEN];

	perf_sockaddr_format(&run->cfg->servers[i], address, sizeof(address));
	return json_pack("{s:s, s:{s:I, s:I, s:I}, s:I, s:I, s:{s:o, s:o}, s:o}", "address",
			 address, "requests", "sent", (json_int_t)sr->sent, "answered",
			 (json_int_t)sr->received, "lost", (json_int_t)sr->lost, "refused",
			 (json_int_t)sr->refused, "set_aside", (json_int_t)sr->set_aside, "rate",
			 "requests_per_s", real3(per_second(sr->received, seconds)),
			 "lookups_per_s",
			 real3(per_second(sr->received * run->cfg->batch, seconds)),
			 "latency_us", latency_json(sr->latency));
}

static json_t *servers_json(const struct perf_run *run)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < run->res->nservers; i++)
		json_array_append_new(a, server_json(run, i));
	return a;
}

json_t *perf_report_json(const struct perf_run *run)
{
	const struct perf_load_config *cfg = run->cfg;
	const struct perf_load_result *r = run->res;
	char server[PERF_SOCKADDR_STRLEN];
	bool open = cfg->rate > 0;
	json_t *o = json_object();

	/* "server" is the first: what it always was with one. */
	perf_sockaddr_format(&cfg->servers[0], server, sizeof(server));
	json_object_set_new(o, "server", json_string(server));
	json_object_set_new(o, "mode", json_string(open ? "open" : "closed"));
	json_object_set_new(
	    o, "arrivals", open ? json_string(cfg->poisson ? "poisson" : "constant") : json_null());
	json_object_set_new(o, "target_rate", open ? real3(cfg->rate) : json_null());
	json_object_set_new(o, "threads", json_integer(cfg->threads));
	json_object_set_new(o, "sockets", json_integer(cfg->sockets));
	json_object_set_new(o, "window", json_integer(cfg->window));
	json_object_set_new(o, "batch", json_integer(cfg->batch));
	json_object_set_new(o, "family", json_integer(cfg->family));
	json_object_set_new(o, "table", json_integer(cfg->table));
	json_object_set_new(o, "source", json_string(run->source));
	json_object_set_new(o, "duration", real3(r->measured_s));
	json_object_set_new(o, "warmup", real3(cfg->warmup_s));
	json_object_set_new(o, "timeout_ms", json_integer((json_int_t)(cfg->timeout_ns / 1000000)));
	json_object_set_new(o, "seed", json_integer((json_int_t)cfg->seed));
	json_object_set_new(o, "requests",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "sent",
				      (json_int_t)r->sent, "received", (json_int_t)r->received,
				      "lost", (json_int_t)r->lost, "late", (json_int_t)r->late,
				      "unmatched", (json_int_t)r->unmatched, "malformed",
				      (json_int_t)r->malformed, "unsent", (json_int_t)r->unsent));
	json_object_set_new(o, "lookups", json_integer((json_int_t)(r->received * cfg->batch)));
	json_object_set_new(o, "verified", json_boolean(cfg->ref != NULL));
	json_object_set_new(o, "verified_lookups", json_integer((json_int_t)r->verified));
	json_object_set_new(o, "wrong", json_integer((json_int_t)r->wrong));
	json_object_set_new(o, "rate",
			    json_pack("{s:o, s:o, s:o}", "requests_per_s",
				      real3(per_second(r->received, r->measured_s)),
				      "lookups_per_s", real3(perf_report_lookup_rate(run)),
				      "sent_per_s", real3(per_second(r->sent, r->measured_s))));
	json_object_set_new(o, "latency_us",
			    json_pack("{s:o, s:o}", "corrected", latency_json(r->corrected),
				      "uncorrected", latency_json(r->uncorrected)));
	json_object_set_new(o, "fell_behind",
			    json_pack("{s:I, s:o}", "count", (json_int_t)r->behind_events,
				      "max_lag_us", real3(us(r->max_lag_ns))));
	json_object_set_new(o, "errors",
			    json_pack("{s:I, s:I}", "refused", (json_int_t)r->refused, "send",
				      (json_int_t)r->send_errors));
	json_object_set_new(o, "server_drops", drops_json(run->drops));
	json_object_set_new(o, "servers", servers_json(run));
	return o;
}

static void latency_row(FILE *f, const char *label, const struct perf_hist *h)
{
	fprintf(f, "  %-12s", label);
	for (size_t i = 0; i < NQUANTILES; i++)
		fprintf(f, " %10.1f", us(perf_hist_quantile(h, quantiles[i].q)));
	fprintf(f, "\n");
}

/* With several servers: a line each, what it was sent and did with it. */
static void servers_human(FILE *f, const struct perf_run *run)
{
	const struct perf_load_result *r = run->res;
	char server[PERF_SOCKADDR_STRLEN];

	fprintf(f, "%-24s %10s %10s %8s %8s %6s %12s %10s %10s\n", "server", "sent", "answered",
		"lost", "refused", "aside", "requests/s", "p50 us", "p99 us");
	for (unsigned i = 0; i < r->nservers; i++) {
		const struct perf_server_result *sr = &r->servers[i];

		perf_sockaddr_format(&run->cfg->servers[i], server, sizeof(server));
		fprintf(f,
			"  %-22s %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6" PRIu64
			" %12.1f %10.1f %10.1f\n",
			server, sr->sent, sr->received, sr->lost, sr->refused, sr->set_aside,
			per_second(sr->received, r->measured_s),
			us(perf_hist_quantile(sr->latency, 0.5)),
			us(perf_hist_quantile(sr->latency, 0.99)));
	}
}

void perf_report_human(FILE *f, const struct perf_run *run, const char *title)
{
	const struct perf_load_config *cfg = run->cfg;
	const struct perf_load_result *r = run->res;
	char server[PERF_SOCKADDR_STRLEN];
	double req_rate = per_second(r->received, r->measured_s);

	fprintf(f, "%s", title);
	for (unsigned i = 0; i < cfg->nservers; i++)
		fprintf(f, "%s%s", i ? ", " : " ",
			perf_sockaddr_format(&cfg->servers[i], server, sizeof(server)));
	fprintf(f, ": ");
	if (cfg->rate > 0)
		fprintf(f, "open loop, %.0f requests/s (%s arrivals), window %u\n", cfg->rate,
			cfg->poisson ? "poisson" : "constant", cfg->window);
	else
		fprintf(f, "closed loop, window %u per thread\n", cfg->window);
	fprintf(f,
		"  %u thread%s x %u socket%s, batch %u IPv%u (%s), table %" PRIu32
		", %.2f s measured after %.2f s warm-up, seed %" PRIu64 "\n",
		cfg->threads, cfg->threads == 1 ? "" : "s", cfg->sockets,
		cfg->sockets == 1 ? "" : "s", cfg->batch, cfg->family, run->source, cfg->table,
		r->measured_s, cfg->warmup_s, cfg->seed);
	fprintf(f,
		"requests     sent %" PRIu64 "  received %" PRIu64 "  lost %" PRIu64
		"  late %" PRIu64 "  unmatched %" PRIu64 "  malformed %" PRIu64,
		r->sent, r->received, r->lost, r->late, r->unmatched, r->malformed);
	if (cfg->rate > 0)
		fprintf(f, "  unsent %" PRIu64, r->unsent);
	fprintf(f, "\n");
	if (cfg->ref)
		fprintf(f, "answers      %" PRIu64 " lookups verified, %" PRIu64 " wrong\n",
			r->verified, r->wrong);
	else
		fprintf(f, "answers      not verified\n");
	fprintf(f, "rate         %.1f requests/s", req_rate);
	if (cfg->rate > 0)
		fprintf(f, " (target %.0f: %.1f%%)", cfg->rate, 100 * req_rate / cfg->rate);
	fprintf(f, ", %.1f lookups/s\n", perf_report_lookup_rate(run));
	fprintf(f, "latency (us) ");
	for (size_t i = 0; i < NQUANTILES; i++)
		fprintf(f, " %10s", quantiles[i].label);
	fprintf(f, "\n");
	latency_row(f, "corrected", r->corrected);
	latency_row(f, "uncorrected", r->uncorrected);
	if (cfg->rate > 0)
		fprintf(f, "fell behind  %" PRIu64 " time%s, max lag %.3f ms\n", r->behind_events,
			r->behind_events == 1 ? "" : "s", (double)r->max_lag_ns / 1e6);
	if (r->refused || r->send_errors)
		fprintf(f,
			"errors       %" PRIu64 " refused (nobody listening?), %" PRIu64
			" send errors\n",
			r->refused, r->send_errors);
	if (run->drops && run->drops->available)
		fprintf(f,
			"server drops %" PRIu64 " invalid datagrams, %" PRIu64
			" kernel queue overflows\n",
			run->drops->drops, run->drops->kernel_drops);
	else if (run->drops)
		fprintf(f, "server drops unknown: %s\n", run->drops->reason);
	if (cfg->nservers > 1)
		servers_human(f, run);
}

static double ratio(const struct perf_run *echo, const struct perf_run *server)
{
	double e = perf_report_lookup_rate(echo);

	return e > 0 ? perf_report_lookup_rate(server) / e : 0;
}

json_t *perf_report_compare_json(const struct perf_run *echo, const struct perf_run *server)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:I, s:I}", "mode", "compare-echo", "echo",
			 perf_report_json(echo), "server", perf_report_json(server), "ratio",
			 real3(ratio(echo, server)), "wrong", (json_int_t)server->res->wrong,
			 "seed", (json_int_t)server->cfg->seed);
}

void perf_report_compare_human(FILE *f, const struct perf_run *echo, const struct perf_run *server)
{
	perf_report_human(f, echo, "echo  ");
	fprintf(f, "\n");
	perf_report_human(f, server, "server");
	fprintf(f, "\nserver/echo  %.3f of the echo responder's lookups/s (%.1f vs %.1f)\n",
		ratio(echo, server), perf_report_lookup_rate(server),
		perf_report_lookup_rate(echo));
}
