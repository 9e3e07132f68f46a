/*
 * tdbwins — bounded writer.  Knows its capacity; the first overflow is sticky
 * (TWERR_NOSPACE) and nothing is ever written past the capacity.  Replies to
 * UDP 137 use a 576-byte writer.
 */
#ifndef TDBWINS_WWR_H
#define TDBWINS_WWR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twerr.h"

struct wwr {
	uint8_t *base;
	size_t cap;
	size_t pos;
	enum twerr err;
};

void wwr_init(struct wwr *w, uint8_t *buf, size_t cap);

static inline bool wwr_ok(const struct wwr *w)
{
	return w->err == TWERR_OK;
}

static inline size_t wwr_len(const struct wwr *w)
{
	return w->pos;
}

void wwr_fail(struct wwr *w, enum twerr err);

void wwr_u8(struct wwr *w, uint8_t v);
void wwr_be16(struct wwr *w, uint16_t v);
void wwr_be32(struct wwr *w, uint32_t v);
void wwr_be64(struct wwr *w, uint64_t v);
void wwr_le16(struct wwr *w, uint16_t v);
void wwr_le32(struct wwr *w, uint32_t v);
void wwr_bytes(struct wwr *w, const void *src, size_t n);
void wwr_zero(struct wwr *w, size_t n);

/* Reserve n bytes to fill in later (e.g. a length); returns the offset. */
size_t wwr_reserve(struct wwr *w, size_t n);
/* Overwrite a big-endian u16/u32 at an earlier offset (no-op after failure). */
void wwr_put_be16_at(struct wwr *w, size_t off, uint16_t v);
void wwr_put_be32_at(struct wwr *w, size_t off, uint32_t v);

#endif /* TDBWINS_WWR_H */
