/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line. Values are checked here only as far as the command line
 * itself needs (numbers, counts, empty strings); everything else is checked
 * by routed_config_load(), which names the option in its errors.
 */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define THREADS_MIN 1
#define THREADS_MAX 256

enum {
	OPT_FOREGROUND = 256,
	OPT_CONTROL_SOCKET,
	OPT_LOOKUP_LISTEN,
	OPT_STATE_DIR,
	OPT_THREADS,
	OPT_CHECK_CONFIG,
	OPT_PRINT_CONFIG,
	OPT_JOURNAL_RECOVERY,
	OPT_METRICS_LISTEN,
};

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "control-socket", required_argument, NULL, OPT_CONTROL_SOCKET },
	{ "lookup-listen", required_argument, NULL, OPT_LOOKUP_LISTEN },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
	{ "journal-recovery", required_argument, NULL, OPT_JOURNAL_RECOVERY },
	{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fputs("Usage: routed [OPTION]...\n"
	      "Keep IPv4/IPv6 routing tables and answer longest-prefix-match lookups.\n"
	      "\n"
	      "  -c, --config FILE          read the configuration from FILE (routed.conf(5));\n"
	      "                             without it, built-in defaults\n"
	      "      --foreground           stay in the foreground (the only mode; for clarity)\n"
	      "      --control-socket PATH  the control socket (overrides control.socket)\n"
	      "      --lookup-listen ADDR:PORT\n"
	      "                             serve lookups there; repeat for more (overrides\n"
	      "                             lookup.listen)\n"
	      "      --state-dir DIR        the state directory (overrides state_dir)\n"
	      "      --threads N            lookup threads, 1..256 (overrides lookup.threads)\n"
	      "      --metrics-listen ADDR:PORT\n"
	      "                             serve Prometheus metrics there (overrides\n"
	      "                             metrics.listen)\n"
	      "      --journal-recovery MODE\n"
	      "                             strict (default): refuse to start on a corrupt\n"
	      "                             journal; truncate: drop it from the bad record on\n"
	      "      --check-config         check the configuration and exit\n"
	      "      --print-config         print the effective configuration as JSON and exit\n"
	      "  -V, --version              print the version and exit\n"
	      "  -h, --help                 print this help and exit\n"
	      "\n"
	      "Exit status: 0 success, 1 error, 2 usage error. See routed(8).\n",
	      out);
}

static int usage_error(void)
{
	fputs("Try 'routed --help' for more information.\n", stderr);
	return 2;
}

static int parse_threads(const char *arg, unsigned *out)
{
	char *end;
	unsigned long n;

	if (strspn(arg, "0123456789") != strlen(arg) || !*arg) {
		fprintf(stderr, "routed: --threads: '%s' is not a number\n", arg);
		return -1;
	}
	n = strtoul(arg, &end, 10);
	if (n < THREADS_MIN || n > THREADS_MAX) {
		fprintf(stderr, "routed: --threads: '%s' is not in %d..%d\n", arg, THREADS_MIN,
			THREADS_MAX);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

static int non_empty(const char *option, const char *arg)
{
	if (*arg)
		return 0;
	fprintf(stderr, "routed: %s: empty value\n", option);
	return -1;
}

int options_parse(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	/* Parse from the start even if called before (tests). */
	optind = 0;
	/* Our own messages, so they say "routed" whatever argv[0] is. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (non_empty("--config", optarg) < 0)
				return usage_error();
			o->config_file = optarg;
			break;
		case OPT_FOREGROUND:
			break;
		case OPT_CONTROL_SOCKET:
			if (non_empty("--control-socket", optarg) < 0)
				return usage_error();
			o->overrides.control_socket = optarg;
			break;
		case OPT_LOOKUP_LISTEN:
			if (non_empty("--lookup-listen", optarg) < 0)
				return usage_error();
			if (o->overrides.n_lookup_listen >= CONFIG_MAX_LISTEN) {
				fprintf(stderr, "routed: --lookup-listen: at most %d addresses\n",
					CONFIG_MAX_LISTEN);
				return usage_error();
			}
			o->overrides.lookup_listen[o->overrides.n_lookup_listen++] = optarg;
			break;
		case OPT_STATE_DIR:
			if (non_empty("--state-dir", optarg) < 0)
				return usage_error();
			o->overrides.state_dir = optarg;
			break;
		case OPT_THREADS:
			if (parse_threads(optarg, &o->overrides.threads) < 0)
				return usage_error();
			break;
		case OPT_METRICS_LISTEN:
			if (non_empty("--metrics-listen", optarg) < 0)
				return usage_error();
			o->overrides.metrics_listen = optarg;
			break;
		case OPT_CHECK_CONFIG:
			o->check_config = true;
			break;
		case OPT_PRINT_CONFIG:
			o->print_config = true;
			break;
		case OPT_JOURNAL_RECOVERY:
			if (strcmp(optarg, "strict") && strcmp(optarg, "truncate")) {
				fprintf(stderr, "routed: --journal-recovery: '%s' is not strict or "
					"truncate\n", optarg);
				return usage_error();
			}
			o->journal_truncate = !strcmp(optarg, "truncate");
			break;
		case 'V':
			printf("routed %s\n", PACKAGE_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "routed: %s: missing value\n", argv[optind - 1]);
			return usage_error();
		default:
			if (optopt)
				fprintf(stderr, "routed: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "routed: unknown option '%s'\n", argv[optind - 1]);
			return usage_error();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "routed: unexpected argument '%s'\n", argv[optind]);
		return usage_error();
	}
	return 0;
}
