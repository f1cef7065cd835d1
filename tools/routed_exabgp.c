/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routed-exabgp: ExaBGP's API process (routed-exabgp(8), docs/feeds.md).
 * It reads ExaBGP's JSON lines on standard input, keeps every neighbor's
 * paths (exabgp_rib.h) and pushes the winner of each changed prefix to
 * routed as the pushed feed "exabgp" (feed.push), thousands of routes per
 * request.
 *
 * Resync: each connection to routed starts a generation (sync "begin")
 * and sends everything the helper holds; the generation ends (sync "end",
 * which sweeps what it did not send) once the helper's own view is
 * complete. At start it is not: the helper asks ExaBGP for a route
 * refresh from every peer and ends the first generation when the peers
 * have sent their end-of-RIB and the input has been quiet for a while (or
 * after a longer silence in any case). Until then the routes an earlier
 * helper pushed keep answering.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include <routed/clock.h>
#include <routed/exabgp.h>
#include <routed/route.h>

#include "ctl_client.h"
#include "exabgp_feed.h"
#include "exabgp_rib.h"

static const char usage_text[] =
	"Usage: routed-exabgp --socket PATH [--table NAME] [--proto NAME] [--tag origin-as|none]\n"
	"                     [--feed NAME] [--batch N] [--quiet-ms MS] [--sync-timeout-ms MS]\n"
	"                     [--max-line BYTES] [--no-refresh]\n"
	"ExaBGP's API process (encoder json): its routes into routed's tables.\n";

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct exfeed_options *o)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "table", required_argument, NULL, 't' },
		{ "proto", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 'g' },
		{ "feed", required_argument, NULL, 'f' },
		{ "batch", required_argument, NULL, 'b' },
		{ "quiet-ms", required_argument, NULL, 'q' },
		{ "sync-timeout-ms", required_argument, NULL, 'T' },
		{ "max-line", required_argument, NULL, 'm' },
		{ "no-refresh", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->socket = optarg;
			break;
		case 't':
			o->table = optarg;
			break;
		case 'p':
			if (rt_proto_validate(optarg)) {
				fprintf(stderr, "routed-exabgp: --proto: not a protocol name: %s\n", optarg);
				return -1;
			}
			o->proto = optarg;
			break;
		case 'g':
			if (strcmp(optarg, "origin-as") && strcmp(optarg, "none")) {
				fprintf(stderr, "routed-exabgp: --tag must be origin-as or none\n");
				return -1;
			}
			o->tag_origin_as = !strcmp(optarg, "origin-as");
			break;
		case 'f':
			o->feed = optarg;
			break;
		case 'b':
		case 'q':
		case 'T':
		case 'm':
			if (parse_uint(optarg, c == 'm' ? 4096 : 1, c == 'b' ? 20000 : 1UL << 30, &v)) {
				fprintf(stderr, "routed-exabgp: bad number: %s\n", optarg);
				return -1;
			}
			if (c == 'b')
				o->batch = v;
			else if (c == 'q')
				o->quiet_ms = v;
			else if (c == 'T')
				o->sync_timeout_ms = v;
			else
				o->max_line = v;
			break;
		case 'R':
			o->refresh = false;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind != argc || !o->socket) {
		fputs(usage_text, stderr);
		return -1;
	}
	return 0;
}

/* Split what stdin gave into lines; a line longer than max_line is dropped and counted. */
struct line_reader {
	char *buf;
	size_t len, cap;
	bool overlong;			/* dropping the rest of a line too long */
};

static void reader_feed(struct exfeed *x, struct line_reader *lr, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (!lr->overlong && lr->len + take > lr->cap) {
			exfeed_line_too_long(x);
			lr->overlong = true;
			lr->len = 0;
		}
		if (!lr->overlong) {
			memcpy(lr->buf + lr->len, data, take);
			lr->len += take;
		}
		if (!nl) {
			return;
		}
		if (!lr->overlong)
			exfeed_line(x, lr->buf, lr->len);
		lr->overlong = false;
		lr->len = 0;
		data = nl + 1;
		n -= take + 1;
	}
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct exfeed_options o = {
		.table = RT_TABLE_NAME_MAIN, .proto = "bgp", .tag_origin_as = true, .feed = "exabgp",
		.batch = 4000, .quiet_ms = 5000, .sync_timeout_ms = 30000, .max_line = 1 << 20,
		.refresh = true,
	};
	struct line_reader lr = { 0 };
	struct exfeed *x;
	static char chunk[1 << 16];
	bool eof = false;
	int rc = 1;

	if (parse_options(argc, argv, &o))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK) < 0) {
		perror("routed-exabgp: stdin");
		return 1;
	}
	lr.cap = o.max_line;
	lr.buf = malloc(lr.cap);
	x = exfeed_create(&o);
	if (!lr.buf || !x) {
		fprintf(stderr, "routed-exabgp: out of memory\n");
		goto out;
	}
	exfeed_start(x);
	while (!stopping && !eof) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		int timeout = exfeed_timeout_ms(x);
		ssize_t n;

		if (poll(&p, 1, timeout) < 0 && errno != EINTR) {
			perror("routed-exabgp: poll");
			goto out;
		}
		/* Read what is there, a bounded amount, then push: a flood is batched. */
		for (int reads = 0; reads < 64; reads++) {
			n = read(STDIN_FILENO, chunk, sizeof(chunk));
			if (n > 0) {
				reader_feed(x, &lr, chunk, (size_t)n);
				continue;
			}
			if (n == 0)
				eof = true;
			else if (errno != EAGAIN && errno != EINTR) {
				perror("routed-exabgp: read");
				eof = true;
			}
			break;
		}
		exfeed_tick(x, eof);
	}
	rc = exfeed_finish(x) ? 1 : 0;
out:
	exfeed_destroy(x);
	free(lr.buf);
	return rc;
}
