/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * routectl's side of the control protocol (docs/control-protocol.md): a
 * blocking Unix stream socket carrying one JSON-RPC 2.0 message per line.
 * Every wait is bounded by the timeout given at connect time.
 */
#ifndef ROUTECTL_CLIENT_H
#define ROUTECTL_CLIENT_H

#include <jansson.h>

/* Outcomes of the calls below. */
enum ctl_status {
	CTL_OK = 0,
	CTL_RPC_ERROR = -1,	/* the daemon answered with an error object */
	CTL_TRANSPORT = -2,	/* cannot connect, timed out, connection lost, garbage */
	CTL_INTERRUPTED = -3,	/* a signal arrived while waiting */
};

struct ctl_error {
	int code;		/* JSON-RPC error code; 0 for transport errors */
	char field[128];	/* error.data.field, "" when absent */
	char message[1024];
};

struct ctl_client;

/* timeout_ms < 0: wait forever. NULL with err filled on failure. */
struct ctl_client *ctl_client_connect(const char *path, int timeout_ms, struct ctl_error *err);
void ctl_client_close(struct ctl_client *c);
/*
 * The connection's socket, for a caller that waits in poll(2) between
 * calls: readable while no request is pending means the daemon closed it
 * (routed-exabgp notices a restart of routed that way).
 */
int ctl_client_fd(const struct ctl_client *c);

/*
 * Send a request and wait for its response, skipping notifications.
 * params is stolen (NULL: no params). On CTL_OK *result is a new reference.
 */
int ctl_client_call(struct ctl_client *c, const char *method, json_t *params, json_t **result,
		    struct ctl_error *err);

/* Send a request without waiting; params is stolen. */
int ctl_client_send(struct ctl_client *c, const char *method, json_t *params, json_int_t *id,
		    struct ctl_error *err);

/*
 * Send a request whose params are already JSON text (params[0..params_len),
 * one compact object without newlines), for callers that stream big
 * requests without building them as JSON values.
 */
int ctl_client_send_text(struct ctl_client *c, const char *method, const char *params,
			 size_t params_len, json_int_t *id, struct ctl_error *err);
/*
 * Wait for the response to request id (sent earlier, the oldest still
 * unanswered), skipping notifications. On CTL_OK *result is a new reference.
 */
int ctl_client_wait(struct ctl_client *c, json_int_t id, json_t **result, struct ctl_error *err);
/*
 * The next message from the daemon, response or notification, as a new
 * reference. wait_forever ignores the timeout (monitor).
 */
int ctl_client_next(struct ctl_client *c, bool wait_forever, json_t **msg, struct ctl_error *err);

/*
 * Split a response into its result (borrowed, CTL_OK) or its error
 * (CTL_RPC_ERROR, err filled).
 */
int ctl_response_result(json_t *msg, json_t **result, struct ctl_error *err);

#endif
