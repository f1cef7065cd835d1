/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libroutedclient driven by the end-to-end tests (tests/e2e/client-lookup):
 * looks up the addresses on stdin (one a line) through one of the three
 * interfaces and prints one JSON object: the status of each run, how long
 * it took, the answers of the last run and what the client knows of each
 * server.
 *
 * usage: client-driver text|bin|nb SERVERS [--table T] [--timeout MS]
 *            [--try-timeout MS] [--tries N] [--retry MS] [--window N]
 *            [--repeat K]
 * text: routed_client_lookup; bin: routed_client_lookup_bin; nb:
 * routed_client_submit/complete under poll, in batches of 100 with up to
 * 16 batches in flight.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <routed/client.h>

#define NB_BATCH 100
#define NB_IN_FLIGHT 16

struct input {
	char **text;
	struct routed_addr *bin;
	size_t n;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int read_input(struct input *in)
{
	char line[256];
	size_t cap = 0;

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (in->n == cap) {
			cap = cap ? 2 * cap : 256;
			in->text = realloc(in->text, cap * sizeof(*in->text));
			in->bin = realloc(in->bin, cap * sizeof(*in->bin));
			if (!in->text || !in->bin)
				return -ENOMEM;
		}
		memset(&in->bin[in->n], 0, sizeof(in->bin[0]));
		in->bin[in->n].family = strchr(line, ':') ? AF_INET6 : AF_INET;
		/* Unparsable text stays unparsed in bin (family AF_INET, 0.0.0.0). */
		inet_pton(in->bin[in->n].family, line, in->bin[in->n].addr);
		in->text[in->n] = strdup(line);
		if (!in->text[in->n])
			return -ENOMEM;
		in->n++;
	}
	return 0;
}

static int run_nb(struct routed_client *c, uint32_t table, const struct input *in,
		  struct routed_answer_bin *answers)
{
	size_t next = 0, finished = 0, nbatches = (in->n + NB_BATCH - 1) / NB_BATCH;
	int status = 0;

	while (finished < nbatches) {
		struct routed_completion done[NB_IN_FLIGHT];
		struct pollfd p = { .fd = routed_client_fd(c), .events = POLLIN };
		int k, rc;

		while (next < nbatches && routed_client_pending(c) < NB_IN_FLIGHT) {
			size_t first = next * NB_BATCH;
			size_t n = in->n - first < NB_BATCH ? in->n - first : NB_BATCH;

			rc = routed_client_submit(c, table, in->bin + first, n, answers + first, NULL);
			if (rc)
				return rc;
			next++;
		}
		if (poll(&p, 1, routed_client_timeout_ms(c)) < 0 && errno != EINTR)
			return -errno;
		k = routed_client_complete(c, done, NB_IN_FLIGHT);
		if (k < 0)
			return k;
		for (int i = 0; i < k; i++)
			if (done[i].status && !status)
				status = done[i].status;
		finished += (size_t)k;
	}
	return status;
}

static void print_str(const char *key, bool has, const char *value)
{
	if (has)
		printf(",\"%s\":\"%s\"", key, value);
	else
		printf(",\"%s\":null", key);
}

static void print_text(const char *addr, const struct routed_answer *a)
{
	printf("{\"address\":\"%s\",\"found\":%s", addr, a->found ? "true" : "false");
	print_str("prefix", a->found, a->prefix);
	print_str("via", a->has_via, a->via);
	if (a->has_tag)
		printf(",\"tag\":%u", a->tag);
	else
		printf(",\"tag\":null");
	printf(",\"reject\":%s,\"multipath\":%s,\"generation\":%llu}", a->reject ? "true" : "false",
	       a->multipath ? "true" : "false", (unsigned long long)a->generation);
}

/* The binary answer as text, the way routed_client_lookup would have it. */
static void print_bin(const struct routed_addr *addr, const struct routed_answer_bin *b)
{
	struct routed_answer a = { .found = b->found, .prefix_len = b->prefix_len,
				   .has_via = b->has_via, .has_tag = b->has_tag, .tag = b->tag,
				   .generation = b->generation, .reject = b->reject,
				   .multipath = b->multipath };
	uint8_t masked[16] = { 0 };
	char text[INET6_ADDRSTRLEN];
	unsigned bits = b->prefix_len;

	for (unsigned i = 0; i < 16 && bits; i++) {
		unsigned take = bits < 8 ? bits : 8;

		masked[i] = (uint8_t)(addr->addr[i] & (0xff << (8 - take)));
		bits -= take;
	}
	inet_ntop(addr->family, masked, text, sizeof(text));
	snprintf(a.prefix, sizeof(a.prefix), "%s/%u", text, b->prefix_len);
	if (b->has_via)
		inet_ntop(b->via.family, b->via.addr, a.via, sizeof(a.via));
	inet_ntop(addr->family, addr->addr, text, sizeof(text));
	print_text(text, &a);
}

int main(int argc, char **argv)
{
	unsigned table = 0, repeat = 1;
	struct routed_answer_bin *bin = NULL;
	struct routed_answer *text = NULL;
	struct input in = { 0 };
	struct routed_client *c;
	const char *mode;
	char err[256];
	int rc = 0;

	if (argc < 3 || (argc - 3) % 2) {
		fprintf(stderr, "usage: client-driver text|bin|nb SERVERS [--OPTION VALUE]...\n");
		return 2;
	}
	mode = argv[1];
	c = routed_client_open(argv[2], err, sizeof(err));
	if (!c) {
		printf("{\"open_error\":\"%s\"}\n", err);
		return 1;
	}
	for (int i = 3; i < argc; i += 2) {
		unsigned v = (unsigned)strtoul(argv[i + 1], NULL, 10);

		if (!strcmp(argv[i], "--table"))
			table = v;
		else if (!strcmp(argv[i], "--timeout"))
			rc = routed_client_set_timeout(c, v);
		else if (!strcmp(argv[i], "--try-timeout"))
			rc = routed_client_set_try_timeout(c, v);
		else if (!strcmp(argv[i], "--tries"))
			rc = routed_client_set_tries(c, v);
		else if (!strcmp(argv[i], "--retry"))
			rc = routed_client_set_retry(c, v);
		else if (!strcmp(argv[i], "--window"))
			rc = routed_client_set_window(c, v);
		else if (!strcmp(argv[i], "--repeat"))
			repeat = v;
		else
			rc = -EINVAL;
		if (rc) {
			fprintf(stderr, "client-driver: %s %s: %s\n", argv[i], argv[i + 1],
				routed_client_last_error(c));
			return 2;
		}
	}
	if (read_input(&in) || !in.n)
		return 2;
	text = calloc(in.n, sizeof(*text));
	bin = calloc(in.n, sizeof(*bin));
	if (!text || !bin)
		return 2;
	printf("{\"runs\":[");
	for (unsigned r = 0; r < repeat; r++) {
		double t0 = now_ms();

		if (!strcmp(mode, "text"))
			rc = routed_client_lookup(c, table, (const char *const *)in.text, in.n, text);
		else if (!strcmp(mode, "bin"))
			rc = routed_client_lookup_bin(c, table, in.bin, in.n, bin);
		else
			rc = run_nb(c, table, &in, bin);
		printf("%s{\"status\":%d,\"ms\":%.1f,\"error\":\"%s\"}", r ? "," : "", rc,
		       now_ms() - t0, rc ? routed_client_last_error(c) : "");
	}
	printf("],\n\"answers\":[\n");
	for (size_t i = 0; i < in.n; i++) {
		if (!strcmp(mode, "text"))
			print_text(in.text[i], &text[i]);
		else
			print_bin(&in.bin[i], &bin[i]);
		printf("%s\n", i + 1 < in.n ? "," : "");
	}
	printf("],\n\"servers\":[");
	for (size_t i = 0; i < routed_client_server_count(c); i++) {
		struct routed_server_info s;

		routed_client_server_info(c, i, &s);
		printf("%s{\"address\":\"%s\",\"up\":%s,\"failures\":%u,\"sent\":%llu,"
		       "\"answered\":%llu,\"timeouts\":%llu,\"refused\":%llu,\"invalid\":%llu}",
		       i ? "," : "", s.address, s.up ? "true" : "false", s.failures,
		       (unsigned long long)s.sent, (unsigned long long)s.answered,
		       (unsigned long long)s.timeouts, (unsigned long long)s.refused,
		       (unsigned long long)s.invalid);
	}
	printf("]}\n");
	routed_client_close(c);
	for (size_t i = 0; i < in.n; i++)
		free(in.text[i]);
	free(in.text);
	free(in.bin);
	free(text);
	free(bin);
	return 0;
}
