/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition format, version 0.0.4: HELP and TYPE
 * lines, samples with escaped label values, and histograms built from the
 * log2 latency histograms of <routed/hist.h>. Appends to an evbuffer; the
 * first failure sticks (prom_error()), so a writer checks once at the end.
 * Metric and label names are the caller's literals and are not checked.
 */
#ifndef ROUTED_DAEMON_PROM_H
#define ROUTED_DAEMON_PROM_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

struct prom {
	struct evbuffer *out;
	int error;		/* 0, or the first -errno */
};

struct prom_label {
	const char *name;
	const char *value;	/* any bytes but NUL: escaped on output */
};

/* The media type of the format, for Content-Type. */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

void prom_init(struct prom *p, struct evbuffer *out);
/* 0, or the first -errno of any call since prom_init(). */
int prom_error(const struct prom *p);

/* A family's "# HELP" and "# TYPE" lines (type: counter, gauge, histogram). */
void prom_family(struct prom *p, const char *name, const char *type, const char *help);
/* One sample: name{labels} value. */
void prom_u64(struct prom *p, const char *name, const struct prom_label *labels, size_t nlabels,
	      uint64_t value);
void prom_double(struct prom *p, const char *name, const struct prom_label *labels,
		 size_t nlabels, double value);

/*
 * A histogram in seconds from a log2 histogram of nanoseconds (hist.h:
 * bucket i holds values up to rt_hist_bucket_upper(i), the last one
 * everything above): name_bucket with cumulative counts and "le" in
 * seconds for every bucket but the last, then le="+Inf", name_sum
 * (sum_ns in seconds) and name_count (the +Inf count, so the two agree
 * even when the counts were read one by one while they moved).
 */
void prom_log2_histogram_ns(struct prom *p, const char *name, const struct prom_label *labels,
			    size_t nlabels, const uint64_t *hist, unsigned nbuckets,
			    uint64_t sum_ns);

#endif
