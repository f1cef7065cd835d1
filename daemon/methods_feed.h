/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The methods on route feeds: feed.list, feed.push. Handlers for the table in
 * methods.c; feed_list_json() is what info shows too.
 */
#ifndef ROUTED_DAEMON_METHODS_FEED_H
#define ROUTED_DAEMON_METHODS_FEED_H

#include "rpc.h"

struct routed;

/* Every configured feed as feed_fpm_json() shows it (new reference; NULL on ENOMEM). */
json_t *methods_feed_json(struct routed *d);

int methods_feed_list(struct rpc_call *call, json_t *params, json_t **result);
/* A pushed feed's changes, sync markers and status (feed_push.h, docs/control-protocol.md). */
int methods_feed_push(struct rpc_call *call, json_t *params, json_t **result);

#endif
