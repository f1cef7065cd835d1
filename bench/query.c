/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The query arrays: random addresses of a family ("matched": inside a
 * random prefix of the table; "uniform": anywhere, IPv6 inside 2000::/3),
 * deterministic from --seed, or the addresses of a --queries file.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <routed/prefix.h>

#include "bench.h"
#include "query.h"
#include "rng.h"
#include "routebench.h"

size_t query_stride(int af)
{
	return af == AF_INET ? 4 : 16;
}

/* matched: inside a random prefix of the family; else uniform. */
static uint32_t *gen_queries4(const struct fam *f, bool matched, size_t n, struct rng *r)
{
	uint32_t *a = bench_xmalloc(n * sizeof(*a));

	for (size_t i = 0; i < n; i++) {
		uint32_t x = (uint32_t)rng_next(r);

		if (matched) {
			const struct rt_prefix *p = &f->routes[rng_below(r, f->n)].prefix;
			uint32_t host = p->len >= 32 ? 0 : UINT32_MAX >> p->len;

			x = (rt_addr_to_v4(&p->addr) & ~host) | (x & host);
		}
		a[i] = x;
	}
	return a;
}

/* matched: inside a random prefix of the family; else uniform in 2000::/3. */
static uint8_t (*gen_queries6(const struct fam *f, bool matched, size_t n, struct rng *r))[16]
{
	uint8_t (*a)[16] = bench_xmalloc(n * sizeof(*a));

	for (size_t i = 0; i < n; i++) {
		uint64_t hi = rng_next(r), lo = rng_next(r);
		const struct rt_prefix *p;

		for (unsigned b = 0; b < 8; b++) {
			a[i][b] = (uint8_t)(hi >> (56 - 8 * b));
			a[i][b + 8] = (uint8_t)(lo >> (56 - 8 * b));
		}
		if (!matched) {
			a[i][0] = (uint8_t)(0x20 | (a[i][0] & 0x1f));
			continue;
		}
		p = &f->routes[rng_below(r, f->n)].prefix;
		for (unsigned b = 0; b < 16; b++) {
			unsigned bit = 8 * b;
			unsigned keep = p->len >= bit + 8 ? 8 : p->len > bit ? p->len - bit : 0;
			uint8_t m = (uint8_t)(0xff00u >> keep);

			a[i][b] = (uint8_t)((p->addr.bytes[b] & m) | (a[i][b] & ~m));
		}
	}
	return a;
}

void *query_generate(const struct fam *f, const char *kind, size_t n, uint64_t purpose)
{
	struct rng r = rng_for(opt.seed, purpose);
	bool matched = strcmp(kind, "matched") == 0;

	if (f->af == AF_INET)
		return gen_queries4(f, matched, n, &r);
	return gen_queries6(f, matched, n, &r);
}

void query_load(const char *path, struct fam *fams)
{
	FILE *fp = fopen(path, "r");
	size_t lineno = 0, llen = 0;
	char *line = NULL;
	ssize_t got;

	if (!fp)
		bench_die("%s: %s", path, strerror(errno));
	while ((got = getline(&line, &llen, fp)) >= 0) {
		char err[RT_ERR_LEN], *s = line, *e = line + got;
		struct rt_addr a;
		struct fam *f;

		lineno++;
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (rt_addr_parse(s, &a, err, sizeof(err)))
			bench_die("%s:%zu: %s", path, lineno, err);
		f = &fams[a.family == AF_INET ? 0 : 1];
		if (f->file_n == f->file_cap) {
			size_t c = f->file_cap ? 2 * f->file_cap : 4096;
			void *p = realloc(f->file_addrs, c * query_stride(f->af));

			if (!p)
				bench_die("out of memory");
			f->file_addrs = p;
			f->file_cap = c;
		}
		if (f->af == AF_INET)
			((uint32_t *)f->file_addrs)[f->file_n++] = rt_addr_to_v4(&a);
		else
			memcpy((uint8_t *)f->file_addrs + 16 * f->file_n++, a.bytes, 16);
	}
	if (ferror(fp))
		bench_die("%s: read error", path);
	free(line);
	fclose(fp);
}
