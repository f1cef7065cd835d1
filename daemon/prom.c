/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus text exposition format (see prom.h). */
#include "config.h" /* autoconf's, from the build directory: first, before any system header */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include <routed/hist.h>

#include "prom.h"

/* Room for the labels of one histogram bucket: the caller's and "le". */
#define PROM_MAX_LABELS 8

void prom_init(struct prom *p, struct evbuffer *out)
{
	p->out = out;
	p->error = 0;
}

int prom_error(const struct prom *p)
{
	return p->error;
}

static void put(struct prom *p, const char *s, size_t n)
{
	if (!p->error && n && evbuffer_add(p->out, s, n))
		p->error = -ENOMEM;
}

static void puts_(struct prom *p, const char *s)
{
	put(p, s, strlen(s));
}

/*
 * Escape what the format requires: backslash and newline everywhere, the
 * double quote too inside a label value (a HELP text may hold it as is).
 */
static void put_escaped(struct prom *p, const char *s, int quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '\n')
			esc = "\\n";
		else if (*s == '"' && quote)
			esc = "\\\"";
		if (!esc)
			continue;
		put(p, run, (size_t)(s - run));
		puts_(p, esc);
		run = s + 1;
	}
	put(p, run, (size_t)(s - run));
}

void prom_family(struct prom *p, const char *name, const char *type, const char *help)
{
	puts_(p, "# HELP ");
	puts_(p, name);
	puts_(p, " ");
	put_escaped(p, help, 0);
	puts_(p, "\n# TYPE ");
	puts_(p, name);
	puts_(p, " ");
	puts_(p, type);
	puts_(p, "\n");
}

static void put_name(struct prom *p, const char *name, const char *suffix,
		     const struct prom_label *labels, size_t nlabels)
{
	puts_(p, name);
	puts_(p, suffix);
	if (!nlabels)
		return;
	puts_(p, "{");
	for (size_t i = 0; i < nlabels; i++) {
		puts_(p, i ? "," : "");
		puts_(p, labels[i].name);
		puts_(p, "=\"");
		put_escaped(p, labels[i].value, 1);
		puts_(p, "\"");
	}
	puts_(p, "}");
}

/*
 * The shortest decimal that reads back as v, so 0.5 prints as 0.5 and not
 * 0.50000000000000000; the format's own spellings for the non-finite.
 */
static void format_double(char *buf, size_t len, double v)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void put_u64_line(struct prom *p, const char *name, const char *suffix,
			 const struct prom_label *labels, size_t nlabels, uint64_t value)
{
	char num[32];

	put_name(p, name, suffix, labels, nlabels);
	snprintf(num, sizeof(num), " %llu\n", (unsigned long long)value);
	puts_(p, num);
}

void prom_u64(struct prom *p, const char *name, const struct prom_label *labels, size_t nlabels,
	      uint64_t value)
{
	put_u64_line(p, name, "", labels, nlabels, value);
}

void prom_double(struct prom *p, const char *name, const struct prom_label *labels,
		 size_t nlabels, double value)
{
	char num[40];

	put_name(p, name, "", labels, nlabels);
	puts_(p, " ");
	format_double(num, sizeof(num), value);
	puts_(p, num);
	puts_(p, "\n");
}

void prom_log2_histogram_ns(struct prom *p, const char *name, const struct prom_label *labels,
			    size_t nlabels, const uint64_t *hist, unsigned nbuckets,
			    uint64_t sum_ns)
{
	struct prom_label l[PROM_MAX_LABELS + 1];
	char le[40], sum[40];
	uint64_t cum = 0;

	if (nlabels > PROM_MAX_LABELS || !nbuckets) {
		if (!p->error)
			p->error = -EINVAL;
		return;
	}
	/* labels may be NULL when there are none: memcpy() must not see it. */
	if (nlabels)
		memcpy(l, labels, nlabels * sizeof(*l));
	l[nlabels].name = "le";
	l[nlabels].value = le;
	for (unsigned i = 0; i + 1 < nbuckets; i++) {
		cum += hist[i];
		/* Whole nanoseconds: "up to upper" is exact as le. */
		format_double(le, sizeof(le), (double)rt_hist_bucket_upper(i) / 1e9);
		put_u64_line(p, name, "_bucket", l, nlabels + 1, cum);
	}
	cum += hist[nbuckets - 1];
	snprintf(le, sizeof(le), "+Inf");
	put_u64_line(p, name, "_bucket", l, nlabels + 1, cum);
	put_name(p, name, "_sum", labels, nlabels);
	format_double(sum, sizeof(sum), (double)sum_ns / 1e9);
	puts_(p, " ");
	puts_(p, sum);
	puts_(p, "\n");
	put_u64_line(p, name, "_count", labels, nlabels, cum);
}
