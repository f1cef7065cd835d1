/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr, one line per message.
 *
 * Under systemd, stderr is a stream to journald: log_init() recognises it
 * ($JOURNAL_STREAM names stderr's device and inode) and then prefixes each
 * line with "<N>", the syslog priority, which journald turns into the
 * entry's PRIORITY= (and strips). Anywhere else lines read
 * "routed: LEVEL: message"; no timestamp, as a terminal does not need one
 * and a supervisor that captures stderr adds its own.
 *
 * Thread-safe: a message is formatted on the stack and written with one
 * write(2), so lines from different threads never interleave. Messages are
 * cut at LOG_LINE_MAX bytes; newlines and other control characters in them
 * become spaces, so one call is always one line (and a client-supplied
 * string can never forge a second one). errno is preserved.
 */
#ifndef ROUTED_DAEMON_LOG_H
#define ROUTED_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Longest line written, prefix and newline included (below PIPE_BUF). */
#define LOG_LINE_MAX 2048

/* Decide the output format from $JOURNAL_STREAM and stderr. Call again after
 * redirecting stderr. Without it, lines are plain. */
void log_init(void);

/* Whether lines carry the journald "<N>" prefix (what log_init decided). */
bool log_to_journal(void);

/* Messages less severe than this syslog level (LOG_ERR..LOG_DEBUG; values
 * outside LOG_EMERG..LOG_DEBUG are clamped) are dropped. Default LOG_INFO.
 * Any thread may call these. */
void log_set_level(int syslog_level);
int log_get_level(void);

/* Log one message at syslog priority prio (LOG_ERR, ...). */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
