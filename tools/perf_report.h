/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routeperf's reports: a table for people and one JSON object for scripts
 * (keys documented in routeperf(1); only ever added to, never renamed).
 */
#ifndef ROUTEPERF_REPORT_H
#define ROUTEPERF_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "perf_control.h"
#include "perf_load.h"

struct perf_run {
	const struct perf_load_config *cfg;
	const struct perf_load_result *res;
	const char *source;		       /* address source name */
	const struct perf_server_drops *drops; /* NULL: --control not given */
};

/* Achieved lookups per second of a run. */
double perf_report_lookup_rate(const struct perf_run *run);

json_t *perf_report_json(const struct perf_run *run);
void perf_report_human(FILE *f, const struct perf_run *run, const char *title);

/* --compare-echo: the same load against the echo responder and the server. */
json_t *perf_report_compare_json(const struct perf_run *echo, const struct perf_run *server);
void perf_report_compare_human(FILE *f, const struct perf_run *echo, const struct perf_run *server);

#endif
