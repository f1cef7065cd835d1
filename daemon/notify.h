/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd service notification protocol (sd_notify(3)): status and
 * readiness messages to the service manager over $NOTIFY_SOCKET.
 *
 * Everything is a no-op when $NOTIFY_SOCKET is unset (not under systemd, or
 * not Type=notify). Failures are logged at debug level and otherwise
 * ignored: telling systemd how we are must never take the daemon down.
 * Any thread may send; each message is one datagram.
 */
#ifndef ROUTED_DAEMON_NOTIFY_H
#define ROUTED_DAEMON_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Read $NOTIFY_SOCKET ("/path" or "@abstract") and open the socket. Returns
 * 0 when notifications are enabled or $NOTIFY_SOCKET is unset, -1 when it
 * is set but unusable (logged; notifications stay off). May be called
 * again (tests); call before starting threads that send.
 */
int notify_init(void);

/* Close the socket; later sends are no-ops until notify_init(). */
void notify_close(void);

bool notify_enabled(void);

/*
 * Send raw "KEY=VALUE\n..." text in one datagram. Returns 1 when sent, 0
 * when notifications are off, -1 on error (too long for the buffer, or
 * sendmsg failed).
 */
int notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* READY=1 with STATUS=<status>. Newlines in the status become spaces. */
void notify_ready(const char *status_fmt, ...) __attribute__((format(printf, 1, 2)));

/* STATUS=<status>, free text shown by systemctl status. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* RELOADING=1 with MONOTONIC_USEC=<now> (systemd >= 253 wants both
 * together); follow with notify_ready() once the reload is over. */
void notify_reloading(void);

/* STOPPING=1: shutdown has begun. */
void notify_stopping(void);

/* EXTEND_TIMEOUT_USEC=<usec>: ask for that much more time from now for the
 * current start/reload/stop step (long route file loads). */
void notify_extend_timeout(uint64_t usec);

/*
 * The watchdog interval from $WATCHDOG_USEC, honoured only when
 * $WATCHDOG_PID is unset or names this process; 0 = watchdog off. Ping it
 * with notify_watchdog() at about half that interval.
 */
uint64_t notify_watchdog_usec(void);

/* WATCHDOG=1 */
void notify_watchdog(void);

#endif
