/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routeperf: a load generator for routed's UDP lookup service that tells
 * the truth: open-loop latency corrected for coordinated omission beside
 * the uncorrected figure, every answer checked against the route file,
 * every loss, late, stray and malformed answer counted, and the generator's
 * own shortfalls (falling behind its schedule) reported. It also runs a
 * trivial echo responder, to show its own ceiling and for fault injection.
 * See routeperf(1).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <urcu/uatomic.h>

#include <routed/clock.h>
#include <routed/lookup_wire.h>

#include "perf_control.h"
#include "perf_echo.h"
#include "perf_load.h"
#include "perf_report.h"
#include "perf_source.h"
#include "perf_verify.h"

#define EXIT_WRONG 1
#define EXIT_USAGE 2
#define EXIT_FAILURE_RUN 3

#define DEFAULT_DURATION_S 10.0
#define DEFAULT_CLOSED_WINDOW 64
#define DEFAULT_OPEN_WINDOW 1024
#define DEFAULT_TIMEOUT_MS 1000
#define MAX_DURATION_S 86400.0
#define MAX_CPUS 1024

struct options {
	struct perf_load_config load;
	const char *server_text[PERF_MAX_SERVERS];
	unsigned n_server_text;
	const char *routes_path;
	const char *control_path;
	int source_kind;
	double zipf_s;
	bool no_verify, json, compare_echo;
	bool window_given, duration_given, seed_given, source_given;
	/* --echo */
	bool echo;
	const char *echo_text;
	unsigned stall_ms;
	double stall_after_s;
	unsigned corrupt_every;
	bool echo_no_segment;	/* both --echo and --compare-echo's responder */
	int cpus[MAX_CPUS];
};

static int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	/* No barrier: a lone flag, read by the threads at their next wakeup. */
	uatomic_set(&stop_requested, 1);
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: routeperf --server ADDR:PORT [--server ADDR:PORT]... [options]\n"
	    "       routeperf --echo [ADDR:PORT] [--threads N] [--duration SEC]\n"
	    "\n"
	    "Load:\n"
	    "  --server ADDR:PORT     routed's UDP lookup listener (127.0.0.1:5300, [::1]:5300);\n"
	    "                         several: the load spreads over them, fails over, and\n"
	    "                         each is reported\n"
	    "  --table ID             table id on the wire (default 0: the listener's table)\n"
	    "  --family 4|6           address family of the queries (default 4)\n"
	    "  --batch K              addresses per datagram, 1-75 (IPv4) or 1-30 (IPv6); default "
	    "1\n"
	    "  --rate R               open loop: R requests/s over all threads\n"
	    "  --arrivals constant|poisson   open-loop spacing (default constant)\n"
	    "  --window W             outstanding requests per thread (closed loop: 64;\n"
	    "                         open loop: 1024)\n"
	    "  --threads N            generator threads (default 1)\n"
	    "  --sockets S            UDP sockets (source ports) per thread (default 1)\n"
	    "  --duration SEC         measured time (default 10)\n"
	    "  --warmup SEC           unmeasured time before it (default 0)\n"
	    "  --timeout MS           a request unanswered after MS is lost (default 1000)\n"
	    "  --cpu LIST             pin generator threads to CPUs (e.g. 1 or 0,2-3)\n"
	    "  --seed S               random seed (default: from the clock; always printed)\n"
	    "Addresses and answers:\n"
	    "  --routes FILE          the route file the server loaded: answers are verified\n"
	    "  --source uniform|routes|zipf   (default routes with --routes, else uniform)\n"
	    "  --zipf-s EXP           zipf exponent (default 1.0)\n"
	    "  --no-verify            do not check answers\n"
	    "Reporting:\n"
	    "  --json                 one JSON object instead of the table\n"
	    "  --control SOCKET       report routed's UDP drop counters over the run\n"
	    "  --compare-echo         run the same load against a built-in echo responder first\n"
	    "Echo responder:\n"
	    "  --echo [ADDR:PORT]     answer requests without lookups (default 127.0.0.1:%d;\n"
	    "                         port 0 picks a free port; the address is printed)\n"
	    "  --echo-stall-ms MS     stall once for MS milliseconds,\n"
	    "  --echo-stall-after SEC SEC seconds after the first request (default 1)\n"
	    "  --echo-corrupt-every N flip the found flag of every Nth response's first slot\n"
	    "  --echo-no-segment      the echo responder (--echo, --compare-echo) sends one\n"
	    "                         message per response, not routed's segmented messages\n",
	    RT_WIRE_DEFAULT_PORT);
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "routeperf: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'routeperf --help'.\n");
	exit(EXIT_USAGE);
}

static uint64_t parse_uint(const char *opt, const char *text, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (text[0] >= '0' && text[0] <= '9') {
		v = strtoull(text, &end, 10);
		if (!errno && !*end && v >= min && v <= max)
			return v;
	}
	usage_error("%s: expected an integer from %" PRIu64 " to %" PRIu64 ", got \"%s\"", opt, min,
		    max, text);
}

static double parse_real(const char *opt, const char *text, double min, double max,
			 bool min_exclusive)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (text[0] && !errno && !*end && v == v && v <= max &&
	    (min_exclusive ? v > min : v >= min))
		return v;
	usage_error("%s: expected a number %s %g and at most %g, got \"%s\"", opt,
		    min_exclusive ? "above" : "from", min, max, text);
}

/* "0", "0,2", "1-3": into opts->cpus. */
static size_t parse_cpus(const char *text, int *cpus)
{
	const char *p = text;
	size_t n = 0;

	for (;;) {
		char *end;
		long lo, hi;

		errno = 0;
		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtol(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtol(p, &end, 10);
		}
		if (errno || hi < lo || hi >= CPU_SETSIZE)
			goto bad;
		for (long c = lo; c <= hi; c++) {
			if (n == MAX_CPUS)
				goto bad;
			cpus[n++] = (int)c;
		}
		if (!*end)
			return n;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	usage_error("--cpu: expected CPU numbers below %d like 1 or 0,2-3, got \"%s\"", CPU_SETSIZE,
		    text);
}

enum {
	OPT_SERVER = 256,
	OPT_TABLE,
	OPT_FAMILY,
	OPT_BATCH,
	OPT_RATE,
	OPT_ARRIVALS,
	OPT_WINDOW,
	OPT_THREADS,
	OPT_SOCKETS,
	OPT_DURATION,
	OPT_WARMUP,
	OPT_TIMEOUT,
	OPT_CPU,
	OPT_SEED,
	OPT_ROUTES,
	OPT_SOURCE,
	OPT_ZIPF_S,
	OPT_NO_VERIFY,
	OPT_JSON,
	OPT_CONTROL,
	OPT_COMPARE_ECHO,
	OPT_ECHO,
	OPT_STALL_MS,
	OPT_STALL_AFTER,
	OPT_CORRUPT,
	OPT_ECHO_NO_SEGMENT,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option long_options[] = {
    {"server", required_argument, NULL, OPT_SERVER},
    {"table", required_argument, NULL, OPT_TABLE},
    {"family", required_argument, NULL, OPT_FAMILY},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"rate", required_argument, NULL, OPT_RATE},
    {"arrivals", required_argument, NULL, OPT_ARRIVALS},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"sockets", required_argument, NULL, OPT_SOCKETS},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"cpu", required_argument, NULL, OPT_CPU},
    {"seed", required_argument, NULL, OPT_SEED},
    {"routes", required_argument, NULL, OPT_ROUTES},
    {"source", required_argument, NULL, OPT_SOURCE},
    {"zipf-s", required_argument, NULL, OPT_ZIPF_S},
    {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
    {"json", no_argument, NULL, OPT_JSON},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"compare-echo", no_argument, NULL, OPT_COMPARE_ECHO},
    {"echo", no_argument, NULL, OPT_ECHO},
    {"echo-stall-ms", required_argument, NULL, OPT_STALL_MS},
    {"echo-stall-after", required_argument, NULL, OPT_STALL_AFTER},
    {"echo-corrupt-every", required_argument, NULL, OPT_CORRUPT},
    {"echo-no-segment", no_argument, NULL, OPT_ECHO_NO_SEGMENT},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static void parse_option(struct options *o, int opt, int argc, char **argv)
{
	struct perf_load_config *l = &o->load;

	switch (opt) {
	case OPT_SERVER:
		if (o->n_server_text == PERF_MAX_SERVERS)
			usage_error("--server: at most %d servers", PERF_MAX_SERVERS);
		o->server_text[o->n_server_text++] = optarg;
		break;
	case OPT_TABLE:
		l->table = (uint32_t)parse_uint("--table", optarg, 0, UINT32_MAX);
		break;
	case OPT_FAMILY:
		if (strcmp(optarg, "4") && strcmp(optarg, "6"))
			usage_error("--family: expected 4 or 6, got \"%s\"", optarg);
		l->family = optarg[0] == '4' ? RT_WIRE_FAMILY4 : RT_WIRE_FAMILY6;
		break;
	case OPT_BATCH:
		l->batch = (unsigned)parse_uint("--batch", optarg, 1, RT_WIRE_MAX_COUNT4);
		break;
	case OPT_RATE:
		l->rate = parse_real("--rate", optarg, 0, 1e9, true);
		break;
	case OPT_ARRIVALS:
		if (strcmp(optarg, "constant") && strcmp(optarg, "poisson"))
			usage_error("--arrivals: expected constant or poisson, got \"%s\"", optarg);
		l->poisson = optarg[0] == 'p';
		break;
	case OPT_WINDOW:
		l->window = (unsigned)parse_uint("--window", optarg, 1, PERF_MAX_WINDOW);
		o->window_given = true;
		break;
	case OPT_THREADS:
		l->threads = (unsigned)parse_uint("--threads", optarg, 1, PERF_MAX_THREADS);
		break;
	case OPT_SOCKETS:
		l->sockets = (unsigned)parse_uint("--sockets", optarg, 1, PERF_MAX_SOCKETS);
		break;
	case OPT_DURATION:
		l->duration_s = parse_real("--duration", optarg, 0, MAX_DURATION_S, true);
		o->duration_given = true;
		break;
	case OPT_WARMUP:
		l->warmup_s = parse_real("--warmup", optarg, 0, MAX_DURATION_S, false);
		break;
	case OPT_TIMEOUT:
		l->timeout_ns = parse_uint("--timeout", optarg, 1, 600000) * 1000000u;
		break;
	case OPT_CPU:
		l->ncpus = parse_cpus(optarg, o->cpus);
		break;
	case OPT_SEED:
		l->seed = parse_uint("--seed", optarg, 0, UINT64_MAX);
		o->seed_given = true;
		break;
	case OPT_ROUTES:
		o->routes_path = optarg;
		break;
	case OPT_SOURCE:
		o->source_kind = perf_source_kind_parse(optarg);
		if (o->source_kind < 0)
			usage_error("--source: expected uniform, routes or zipf, got \"%s\"",
				    optarg);
		o->source_given = true;
		break;
	case OPT_ZIPF_S:
		o->zipf_s = parse_real("--zipf-s", optarg, 0, 100, true);
		break;
	case OPT_NO_VERIFY:
		o->no_verify = true;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_CONTROL:
		o->control_path = optarg;
		break;
	case OPT_COMPARE_ECHO:
		o->compare_echo = true;
		break;
	case OPT_ECHO:
		o->echo = true;
		/* An optional address as the next word: "--echo 127.0.0.1:0". */
		if (optind < argc && argv[optind][0] != '-')
			o->echo_text = argv[optind++];
		break;
	case OPT_STALL_MS:
		o->stall_ms = (unsigned)parse_uint("--echo-stall-ms", optarg, 1, 600000);
		break;
	case OPT_STALL_AFTER:
		o->stall_after_s =
		    parse_real("--echo-stall-after", optarg, 0, MAX_DURATION_S, false);
		break;
	case OPT_CORRUPT:
		o->corrupt_every =
		    (unsigned)parse_uint("--echo-corrupt-every", optarg, 1, UINT32_MAX);
		break;
	case OPT_ECHO_NO_SEGMENT:
		o->echo_no_segment = true;
		break;
	case OPT_HELP:
		usage(stdout);
		exit(0);
	case OPT_VERSION:
		printf("routeperf (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		exit(0);
	default:
		usage_error("unknown option");
	}
}

static uint64_t clock_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
	       ((uint64_t)getpid() << 32);
}

static void parse_options(struct options *o, int argc, char **argv)
{
	struct perf_load_config *l = &o->load;
	char err[RT_ERR_LEN];
	unsigned max_batch;
	int opt;

	memset(o, 0, sizeof(*o));
	l->family = RT_WIRE_FAMILY4;
	l->batch = 1;
	l->threads = 1;
	l->sockets = 1;
	l->duration_s = DEFAULT_DURATION_S;
	l->timeout_ns = (uint64_t)DEFAULT_TIMEOUT_MS * 1000000u;
	o->zipf_s = 1.0;
	o->stall_after_s = 1.0;
	o->source_kind = PERF_SOURCE_UNIFORM;
	opterr = 0;
	/* "+": stop at the first word that is not an option (no reordering). */
	while ((opt = getopt_long(argc, argv, "+", long_options, NULL)) != -1) {
		if (opt == '?')
			usage_error("unknown option or missing value: %s", argv[optind - 1]);
		parse_option(o, opt, argc, argv);
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	l->cpus = o->cpus;

	if (o->echo) {
		if (o->n_server_text || o->compare_echo)
			usage_error(
			    "--echo runs a responder: it takes no --server or --compare-echo");
		if (perf_sockaddr_parse(o->echo_text ? o->echo_text : "127.0.0.1:5300", true,
					&l->servers[0], err, sizeof(err)))
			usage_error("--echo %s: %s", o->echo_text, err);
		l->nservers = 1;
		return;
	}
	if (o->stall_ms || o->corrupt_every)
		usage_error("--echo-stall-ms and --echo-corrupt-every go with --echo");
	if (o->echo_no_segment && !o->compare_echo)
		usage_error("--echo-no-segment goes with --echo or --compare-echo");
	if (!o->n_server_text)
		usage_error("--server ADDR:PORT is required");
	for (unsigned i = 0; i < o->n_server_text; i++)
		if (perf_sockaddr_parse(o->server_text[i], false, &l->servers[i], err,
					sizeof(err)))
			usage_error("--server %s: %s", o->server_text[i], err);
	l->nservers = o->n_server_text;
	max_batch = (unsigned)rt_wire_max_count(l->family);
	if (l->batch > max_batch)
		usage_error("--batch: at most %u IPv%u addresses fit in a datagram, got %u",
			    max_batch, l->family, l->batch);
	if (!o->window_given)
		l->window = l->rate > 0 ? DEFAULT_OPEN_WINDOW : DEFAULT_CLOSED_WINDOW;
	if (!o->source_given && o->routes_path)
		o->source_kind = PERF_SOURCE_ROUTES;
	if (o->source_kind != PERF_SOURCE_UNIFORM && !o->routes_path)
		usage_error("--source %s needs --routes FILE",
			    perf_source_kind_name(o->source_kind));
	if (!o->seed_given)
		l->seed = clock_seed();
}

/* Wait for a signal, or for seconds (0: only a signal). */
static void wait_for_stop(double seconds)
{
	struct timespec slice = {.tv_nsec = 10000000};
	uint64_t start = rt_clock_ns();

	/* No barrier: see on_signal(). */
	while (!uatomic_read(&stop_requested)) {
		if (seconds > 0 && (double)(rt_clock_ns() - start) / 1e9 >= seconds)
			break;
		nanosleep(&slice, NULL);
	}
}

static int run_echo(struct options *o, const struct perf_ref *ref)
{
	struct perf_echo_config cfg = {
	    .addr = o->load.servers[0],
	    .threads = o->load.threads,
	    .stall_ms = o->stall_ms,
	    .stall_after_s = o->stall_after_s,
	    .ref = ref,
	    .corrupt_every = o->corrupt_every,
	    .no_segment = o->echo_no_segment,
	};
	char err[512], addr[PERF_SOCKADDR_STRLEN];
	struct perf_echo *echo = perf_echo_start(&cfg, err, sizeof(err));

	if (!echo) {
		fprintf(stderr, "routeperf: %s\n", err);
		return EXIT_FAILURE_RUN;
	}
	/* Scripts read the port from here when they asked for port 0. */
	printf("echo %s\n", perf_sockaddr_format(perf_echo_addr(echo), addr, sizeof(addr)));
	fflush(stdout);
	wait_for_stop(o->duration_given ? o->load.duration_s : 0);
	fprintf(stderr,
		"routeperf: echo responder: %" PRIu64 " responses, %" PRIu64 " dropped, %" PRIu64
		" segmented\n",
		perf_echo_responses(echo), perf_echo_dropped(echo), perf_echo_segmented(echo));
	perf_echo_stop(echo);
	return 0;
}

static void print_json(json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(j);
}

/* The echo run of --compare-echo: the same load against a responder on loopback. */
static int run_echo_baseline(const struct options *o, struct perf_load_config *cfg,
			     struct perf_load_result *res, char *err, size_t errlen)
{
	struct perf_echo_config ecfg = {
	    .threads = o->load.threads,
	    .no_segment = o->echo_no_segment,
	};
	struct perf_echo *echo;
	int rc;

	perf_sockaddr_loopback(o->load.servers[0].ss.ss_family, &ecfg.addr);
	echo = perf_echo_start(&ecfg, err, errlen);
	if (!echo)
		return -1;
	*cfg = o->load;
	cfg->servers[0] = *perf_echo_addr(echo);
	cfg->nservers = 1;
	cfg->ref = NULL; /* the echo answers nothing: nothing to verify */
	rc = perf_load_run(cfg, res, err, errlen);
	perf_echo_stop(echo);
	return rc;
}

static int run_load(struct options *o)
{
	struct perf_server_drops before, after, drops;
	struct perf_load_result res = {0}, echo_res = {0};
	struct perf_load_config echo_cfg;
	const char *source = perf_source_kind_name(o->source_kind);
	struct perf_run run = {.cfg = &o->load, .res = &res, .source = source};
	char err[512];
	int ret = EXIT_FAILURE_RUN;

	if (o->compare_echo && run_echo_baseline(o, &echo_cfg, &echo_res, err, sizeof(err)))
		goto fail;
	if (o->control_path)
		perf_control_read(o->control_path, &before);
	if (perf_load_run(&o->load, &res, err, sizeof(err)))
		goto fail;
	if (o->control_path) {
		perf_control_read(o->control_path, &after);
		perf_control_diff(&before, &after, &drops);
		run.drops = &drops;
	}
	if (o->compare_echo) {
		struct perf_run echo_run = {.cfg = &echo_cfg, .res = &echo_res, .source = source};

		if (o->json)
			print_json(perf_report_compare_json(&echo_run, &run));
		else
			perf_report_compare_human(stdout, &echo_run, &run);
	} else if (o->json) {
		print_json(perf_report_json(&run));
	} else {
		perf_report_human(stdout, &run, "routeperf");
	}
	ret = res.wrong || res.malformed || echo_res.malformed ? EXIT_WRONG : 0;
	goto out;
fail:
	fprintf(stderr, "routeperf: %s\n", err);
out:
	perf_load_result_free(&res);
	perf_load_result_free(&echo_res);
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct perf_source *source = NULL;
	struct perf_ref *ref = NULL;
	struct options *o = malloc(sizeof(*o));
	char err[1024];
	int ret = EXIT_FAILURE_RUN;

	if (!o) {
		fprintf(stderr, "routeperf: out of memory\n");
		return EXIT_FAILURE_RUN;
	}
	parse_options(o, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	o->load.stop = &stop_requested;

	if (o->routes_path && (o->echo || !o->no_verify || o->source_kind != PERF_SOURCE_UNIFORM)) {
		/* Table 0 means the listener's table: main unless configured otherwise. */
		ref = perf_ref_load(o->routes_path, o->load.table ? o->load.table : RT_TABLE_MAIN,
				    err, sizeof(err));
		if (!ref) {
			fprintf(stderr, "routeperf: --routes %s\n", err);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (o->echo) {
		ret = run_echo(o, ref);
		goto out;
	}
	if (o->source_kind != PERF_SOURCE_UNIFORM) {
		size_t n;
		const struct rt_prefix *prefixes = perf_ref_prefixes(ref, &n);

		source =
		    perf_source_create(o->source_kind, o->load.family == 4 ? AF_INET : AF_INET6,
				       prefixes, n, o->zipf_s, o->load.seed, err, sizeof(err));
	} else {
		source =
		    perf_source_create(PERF_SOURCE_UNIFORM, 0, NULL, 0, 0, 0, err, sizeof(err));
	}
	if (!source) {
		fprintf(stderr, "routeperf: %s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	o->load.source = source;
	o->load.ref = o->no_verify ? NULL : ref;
	ret = run_load(o);
out:
	perf_source_destroy(source);
	perf_ref_destroy(ref);
	free(o);
	return ret;
}
