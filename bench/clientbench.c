/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clientbench: libroutedclient's non-blocking interface under load, closed
 * loop, to set beside routeperf on the same routed (bench/client-bench.sh).
 * One thread keeps WINDOW batches of BATCH addresses in flight (a batch of
 * up to 75 IPv4 or 30 IPv6 addresses is one datagram), each refilled as
 * soon as it completes, for DURATION seconds. Addresses are uniform random
 * in the family (routeperf --source uniform), drawn in advance so the loop
 * measures the library, not the generator.
 *
 * usage: clientbench --server SERVERS [--batch K] [--window W] [--family 4|6]
 *                    [--duration SEC] [--seed S]
 * Prints one line: "clientbench: N lookups/s (D datagrams/s, E errors)".
 * SERVERS naming one server several times gives the client several sockets
 * (source ports), as routeperf --sockets does.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/client.h>
#include <routed/clock.h>

#include "rng.h"

#define POOL 65536	/* addresses drawn in advance, used round robin */

struct options {
	const char *server;
	unsigned batch, window, family;
	double duration;
	uint64_t seed;
};

static void usage(void)
{
	fprintf(stderr, "usage: clientbench --server SERVERS [--batch K] [--window W] "
			"[--family 4|6] [--duration SEC] [--seed S]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' }, { "batch", required_argument, NULL, 'b' },
		{ "window", required_argument, NULL, 'w' }, { "family", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' }, { "seed", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*o = (struct options){ .batch = 64, .window = 64, .family = 4, .duration = 5, .seed = 1 };
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': o->server = optarg; break;
		case 'b': o->batch = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'w': o->window = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': o->family = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'd': o->duration = strtod(optarg, NULL); break;
		case 'S': o->seed = strtoull(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (!o->server || optind != argc || (o->family != 4 && o->family != 6) ||
	    o->batch == 0 || o->batch > (o->family == 4 ? 75u : 30u) || o->window == 0 ||
	    o->window > 4096 || !(o->duration > 0))
		usage();
}

int main(int argc, char **argv)
{
	struct routed_answer_bin *answers = NULL;
	struct routed_completion *done = NULL;
	struct routed_addr *pool = NULL;
	uint64_t lookups = 0, datagrams = 0, errors = 0, start, end;
	struct routed_client *c;
	struct options o;
	size_t next = 0;
	char err[256];
	struct rng r;

	parse(argc, argv, &o);
	r = rng_for(o.seed, 1);
	c = routed_client_open(o.server, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "clientbench: %s\n", err);
		return 1;
	}
	pool = calloc(POOL, sizeof(*pool));
	answers = calloc((size_t)o.window * o.batch, sizeof(*answers));
	done = calloc(o.window, sizeof(*done));
	if (!pool || !answers || !done || routed_client_set_window(c, o.window) < 0) {
		fprintf(stderr, "clientbench: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < POOL; i++) {
		uint64_t a = rng_next(&r), b = rng_next(&r);

		pool[i].family = o.family == 4 ? AF_INET : AF_INET6;
		memcpy(pool[i].addr, &a, 8);
		memcpy(pool[i].addr + 8, &b, 8);
	}
	start = rt_clock_ns();
	end = start + (uint64_t)(o.duration * 1e9);
	/* Each in-flight batch is a window slot: user is its index. */
	for (uintptr_t w = 0; w < o.window; w++, next = (next + o.batch) % (POOL - o.batch))
		if (routed_client_submit(c, 0, pool + next, o.batch, answers + w * o.batch,
					 (void *)w) < 0)
			goto submit_failed;
	while (rt_clock_ns() < end) {
		struct pollfd p = { .fd = routed_client_fd(c), .events = POLLIN };
		int t = routed_client_timeout_ms(c), k;

		poll(&p, 1, t < 0 || t > 10 ? 10 : t);
		k = routed_client_complete(c, done, o.window);
		if (k < 0) {
			fprintf(stderr, "clientbench: %s\n", routed_client_last_error(c));
			return 1;
		}
		for (int i = 0; i < k; i++) {
			uintptr_t w = (uintptr_t)done[i].user;

			if (done[i].status)
				errors++;
			else
				lookups += o.batch, datagrams++;
			if (routed_client_submit(c, 0, pool + next, o.batch, answers + w * o.batch,
						 (void *)w) < 0)
				goto submit_failed;
			next = (next + o.batch) % (POOL - o.batch);
		}
	}
	{
		double s = (double)(rt_clock_ns() - start) / 1e9;

		printf("clientbench: %.0f lookups/s (%.0f datagrams/s, %llu errors)\n",
		       (double)lookups / s, (double)datagrams / s, (unsigned long long)errors);
	}
	routed_client_close(c);
	free(pool);
	free(answers);
	free(done);
	return 0;
submit_failed:
	fprintf(stderr, "clientbench: %s\n", routed_client_last_error(c));
	return 1;
}
