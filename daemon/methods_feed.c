/* SPDX-License-Identifier: GPL-2.0-or-later */
/* feed.list (see methods_feed.h). */
#include "config.h"

#include <jansson.h>

#include "daemon.h"
#include "feed_fpm.h"
#include "feed_kernel.h"
#include "methods_feed.h"
#include "params.h"

json_t *methods_feed_json(struct routed *d)
{
	json_t *list = json_array();

	if (list && d->fpm && json_array_append_new(list, feed_fpm_json(d->fpm)))
		goto fail;
	for (unsigned i = 0; list && i < d->n_kernel; i++)
		if (json_array_append_new(list, feed_kernel_json(d->kernel[i])))
			goto fail;
	return list;
fail:
	json_decref(list);
	return NULL;
}

int methods_feed_list(struct rpc_call *call, json_t *params, json_t **result)
{
	json_t *feeds;

	if (params_none(call, params))
		return -1;
	feeds = methods_feed_json(rpc_call_daemon(call));
	if (!feeds)
		return rpc_nomem(call);
	return rpc_result(call, json_pack("{s:o}", "feeds", feeds), result);
}

uint64_t methods_feed_memory_bytes(const struct routed *d)
{
	uint64_t n = d->fpm ? feed_fpm_memory_bytes(d->fpm) : 0;

	for (unsigned i = 0; i < d->n_kernel; i++)
		n += feed_kernel_memory_bytes(d->kernel[i]);
	return n;
}
