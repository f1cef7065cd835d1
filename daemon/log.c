/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr or the journal; see log.h. */
#include "config.h" /* autoconf's, from the build directory: before any system header */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <urcu/uatomic.h>

#include "log.h"

/*
 * Both are ints set and read with uatomic_set()/uatomic_read(), which
 * imply no barrier: a thread that races with log_set_level() sees the old
 * or the new level, either being fine; no other memory is published
 * through them.
 */
static int log_level = LOG_INFO;
static int log_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emergency",
	[LOG_ALERT] = "alert",
	[LOG_CRIT] = "critical",
	[LOG_ERR] = "error",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static int clamp_level(int level)
{
	if (level < LOG_EMERG)
		return LOG_EMERG;
	if (level > LOG_DEBUG)
		return LOG_DEBUG;
	return level;
}

/* $JOURNAL_STREAM is "DEV:INO" of the stream systemd connected; it is
 * inherited by children that may have redirected stderr, hence the check. */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	int used = 0;

	if (!env || !*env)
		return false;
	if (sscanf(env, "%ju:%ju%n", &dev, &ino, &used) != 2 || env[used] != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void log_init(void)
{
	int saved_errno = errno;

	uatomic_set(&log_journal, stderr_is_journal());
	errno = saved_errno;
}

bool log_to_journal(void)
{
	return uatomic_read(&log_journal);
}

void log_set_level(int syslog_level)
{
	uatomic_set(&log_level, clamp_level(syslog_level));
}

int log_get_level(void)
{
	return uatomic_read(&log_level);
}

/* Write all of buf; a pipe write below PIPE_BUF is atomic, so a short
 * write only happens to regular files and terminals. */
static void write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

void log_msg(int prio, const char *fmt, ...)
{
	static const char ellipsis[] = "...";
	char line[LOG_LINE_MAX];
	size_t prefix, len, cap;
	int saved_errno = errno;
	va_list ap;
	int n;

	prio = clamp_level(prio);
	if (prio > log_get_level())
		return;

	if (log_to_journal())
		n = snprintf(line, sizeof(line), "<%d>", prio);
	else
		n = snprintf(line, sizeof(line), "routed: %s: ", level_names[prio]);
	prefix = n > 0 ? (size_t)n : 0;

	/* Leave room for the newline. */
	cap = sizeof(line) - 1 - prefix;
	va_start(ap, fmt);
	errno = saved_errno; /* for %m */
	n = vsnprintf(line + prefix, cap + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		n = snprintf(line + prefix, cap + 1, "(unformattable message: %s)", fmt);
		if (n < 0)
			n = 0;
	}
	len = (size_t)n;
	if (len > cap) {
		len = cap;
		memcpy(line + prefix + len - (sizeof(ellipsis) - 1), ellipsis,
		       sizeof(ellipsis) - 1);
	}
	for (size_t i = prefix; i < prefix + len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f)
			line[i] = ' ';
	}
	line[prefix + len] = '\n';
	write_all(line, prefix + len + 1);
	errno = saved_errno;
}
