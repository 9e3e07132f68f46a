/*
 * tdbwins — logging backend switch and rate limiting.
 */
#include <stdio.h>
#include <time.h>

#include "twlog.h"

#define TWLOG_LINE_MAX 1024
#define TWLOG_RL_INTERVAL 10
#define TWLOG_RL_BURST 10

static twlog_backend_fn twlog_fn;
static void *twlog_private;
static int twlog_cur_level = TWLOG_NOTICE;

void twlog_set_backend(twlog_backend_fn fn, void *private_data)
{
	twlog_fn = fn;
	twlog_private = private_data;
}

void twlog_set_level(int level)
{
	twlog_cur_level = level;
}

int twlog_level(void)
{
	return twlog_cur_level;
}

static void twlog_emit(int level, const char *fmt, va_list ap)
{
	char line[TWLOG_LINE_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (twlog_fn != NULL) {
		twlog_fn(level, line, twlog_private);
		return;
	}
	fprintf(stderr, "tdbwins[%d]: %s\n", level, line);
}

void twlog(int level, const char *fmt, ...)
{
	va_list ap;

	if (!twlog_enabled(level)) {
		return;
	}
	va_start(ap, fmt);
	twlog_emit(level, fmt, ap);
	va_end(ap);
}

void twlog_limited(struct twlog_ratelimit *rl, int level, const char *fmt, ...)
{
	struct timespec ts = {};
	va_list ap;

	if (!twlog_enabled(level)) {
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec - rl->window_start >= TWLOG_RL_INTERVAL) {
		if (rl->suppressed > 0) {
			twlog(level, "(%u similar messages suppressed)",
			      rl->suppressed);
		}
		rl->window_start = ts.tv_sec;
		rl->in_window = 0;
		rl->suppressed = 0;
	}
	if (rl->in_window >= TWLOG_RL_BURST) {
		rl->suppressed++;
		return;
	}
	rl->in_window++;
	va_start(ap, fmt);
	twlog_emit(level, fmt, ap);
	va_end(ap);
}
