/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in for the control transport (rpc.h, control.h) and the daemon
 * context, so method handlers can be called directly: calls record their
 * error, connections record their notifications and run their hooks on
 * demand.
 */
#ifndef ROUTED_TESTS_METHODS_HARNESS_H
#define ROUTED_TESTS_METHODS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "../../daemon/routed_config.h"
#include "daemon.h"
#include "rpc.h"

struct control_conn {
	uint64_t id;
	struct control_peer peer;
	json_t *notes;			/* params of every notification, in order */
	bool refuse;			/* rpc_notify fails (over its cap) */
	size_t pending, cap;		/* bytes queued (nothing is written), cap */
	struct hook {
		control_conn_hook_fn fn;
		void *arg;
	} close_hooks[8];
	size_t n_close_hooks;
	struct hook drain;
};

struct harness {
	struct routed d;
	struct routed_config config;
	int reload_result;		/* what routed_reload() returns */
};

extern struct harness *harness;

void harness_setup(void);
void harness_teardown(void);

struct control_conn *conn_new(void);
/* Run the close hooks and free the connection. */
void conn_close(struct control_conn *c);

/* The outcome of one call. */
struct reply {
	int code;			/* 0: result */
	char field[64];			/* "" when none */
	char message[512];
	json_t *result;			/* on success (owned by the reply) */
};

/*
 * Call method with params given as JSON text (NULL: {}) on conn (NULL: a
 * default connection). Fails the test if the method does not exist or the
 * params are not JSON. Free with reply_free().
 */
struct reply call_on(struct control_conn *conn, const char *method, const char *params);
struct reply call(const char *method, const char *params);
/* Same, params built with json_pack (the reference is stolen). */
struct reply call_json(struct control_conn *conn, const char *method, json_t *params);
void reply_free(struct reply *r);

/* Assert the call succeeded / failed with code (and field, unless NULL). */
json_t *expect_ok(struct reply *r);
void expect_error(struct reply *r, int code, const char *field);

/* Turn the event loop until nothing is pending. */
void run_loop(void);

#endif
