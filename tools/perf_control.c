/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "ctl_client.h"
#include "perf_control.h"

#define CONTROL_TIMEOUT_MS 5000

static bool get_count(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

void perf_control_read(const char *socket_path, struct perf_server_drops *out)
{
	struct ctl_error err = {0};
	struct ctl_client *c;
	json_t *result = NULL, *udp;

	memset(out, 0, sizeof(*out));
	c = ctl_client_connect(socket_path, CONTROL_TIMEOUT_MS, &err);
	if (!c) {
		snprintf(out->reason, sizeof(out->reason), "%.200s: %.1000s", socket_path,
			 err.message);
		return;
	}
	if (ctl_client_call(c, "stats", NULL, &result, &err) != CTL_OK) {
		snprintf(out->reason, sizeof(out->reason), "stats: %.1000s", err.message);
		goto out;
	}
	udp = json_object_get(result, "udp");
	if (!json_is_object(udp)) {
		snprintf(out->reason, sizeof(out->reason),
			 "the server's stats have no \"udp\" object");
		goto out;
	}
	if (!get_count(json_object_get(udp, "drops"), "total", &out->drops) ||
	    !get_count(udp, "kernel_drops", &out->kernel_drops)) {
		snprintf(out->reason, sizeof(out->reason),
			 "the server's stats.udp lacks drops.total or kernel_drops");
		goto out;
	}
	out->available = true;
out:
	json_decref(result);
	ctl_client_close(c);
}

void perf_control_diff(const struct perf_server_drops *before,
		       const struct perf_server_drops *after, struct perf_server_drops *out)
{
	memset(out, 0, sizeof(*out));
	if (!before->available || !after->available) {
		snprintf(out->reason, sizeof(out->reason), "%s",
			 before->available ? after->reason : before->reason);
		return;
	}
	out->available = true;
	/* A restarted server starts from zero: report what it counted since. */
	out->drops = after->drops >= before->drops ? after->drops - before->drops : after->drops;
	out->kernel_drops = after->kernel_drops >= before->kernel_drops
				? after->kernel_drops - before->kernel_drops
				: after->kernel_drops;
}
