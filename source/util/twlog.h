/*
 * tdbwins — logging.  The core logs through this one function; the host
 * (standalone daemon or Samba module) installs the backend, so the core
 * never depends on Samba's debug system.
 *
 * Levels follow Samba's DBG_* meaning: 0 error, 1 warning, 2 notice,
 * 3 info, 5+ debug.
 */
#ifndef TDBWINS_TWLOG_H
#define TDBWINS_TWLOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define TWLOG_ERR 0
#define TWLOG_WARNING 1
#define TWLOG_NOTICE 2
#define TWLOG_INFO 3
#define TWLOG_DEBUG 5

typedef void (*twlog_backend_fn)(int level, const char *msg, void *private_data);

/* Install a backend; NULL restores the default (stderr). */
void twlog_set_backend(twlog_backend_fn fn, void *private_data);
void twlog_set_level(int level);
int twlog_level(void);

static inline bool twlog_enabled(int level)
{
	return level <= twlog_level();
}

void twlog(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Rate-limited logging for messages an attacker can trigger: at most
 * `burst` lines per `interval` seconds per limiter; the number suppressed is
 * reported with the next line that gets through.
 */
struct twlog_ratelimit {
	int64_t window_start;
	uint32_t in_window;
	uint32_t suppressed;
};

void twlog_limited(struct twlog_ratelimit *rl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TW_ERR(...) twlog(TWLOG_ERR, __VA_ARGS__)
#define TW_WARN(...) twlog(TWLOG_WARNING, __VA_ARGS__)
#define TW_NOTICE(...) twlog(TWLOG_NOTICE, __VA_ARGS__)
#define TW_INFO(...) twlog(TWLOG_INFO, __VA_ARGS__)
#define TW_DEBUG(...)                                   \
	do {                                            \
		if (twlog_enabled(TWLOG_DEBUG)) {       \
			twlog(TWLOG_DEBUG, __VA_ARGS__); \
		}                                       \
	} while (0)

#endif /* TDBWINS_TWLOG_H */
